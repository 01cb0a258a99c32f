//! Administrative ruling on patent-infringement disputes (专利侵权纠纷行政裁决), 国家知识产权局令
//! 第81号: request checks, correction, docketing with a panel, service, answer, jurisdiction
//! objection, evidence period, suspension, hearing, deliberation, decision, publication, closing.

use super::fields::{Kind, opt, req};
use super::{Document, Field, Next, Progress, Shape, Spec, Step, Values, Who};
use crate::domain::case::{CaseState, CaseState as S, RightKind, Standing};
use crate::error::FieldError;

/// 中止 grounds (Art. 28): all are mandatory, the first only for utility models and designs.
pub const SUSPENSION_GROUNDS: &[&str] = &[
    "invalidation_accepted",
    "party_died",
    "party_incapacitated",
    "entity_terminated",
    "force_majeure",
    "depends_on_other_case",
    "awaiting_instruction",
];

/// 撤销案件 grounds (Art. 36).
pub const REVOCATION_GROUNDS: &[&str] = &[
    "conditions_not_met",
    "requester_gone",
    "respondent_gone",
    "claims_unspecified",
    "other",
];

/// How a document is served (Art. 10); public notice is its own step (`serve_by_public_notice`).
pub const SERVICE_METHODS: &[&str] = &["direct", "post", "electronic", "left_at_address"];

/// 民事诉讼法 Art. 95 (as amended in 2021): a party served by public notice is deemed served 30
/// days after the notice.
pub const PUBLIC_NOTICE_DAYS: i64 = 30;

/// How settlement talks end (Art. 37).
pub const SETTLEMENT_OUTCOMES: &[&str] = &["settled", "failed"];
pub const OUTCOMES: &[&str] = &["infringement", "no_infringement"];
pub const OBJECTION_OUTCOMES: &[&str] = &["dismissed", "upheld"];

/// Every state of the queue (DOMAIN.md), the entry state first.
pub const STATES: &[CaseState] = &[
    S::Received,
    S::CorrectionRequested,
    S::Docketed,
    S::Refused,
    S::Served,
    S::AnswerPeriod,
    S::Evidence,
    S::HearingScheduled,
    S::Deliberation,
    S::Suspended,
    S::Decided,
    S::Published,
    S::Closed,
    S::Withdrawn,
    S::Revoked,
    S::Mediated,
];

const WORKING: &[CaseState] = &[
    S::Docketed,
    S::Served,
    S::AnswerPeriod,
    S::Evidence,
    S::HearingScheduled,
    S::Deliberation,
];
const OPEN: &[CaseState] = &[
    S::Received,
    S::CorrectionRequested,
    S::Docketed,
    S::Served,
    S::AnswerPeriod,
    S::Evidence,
    S::HearingScheduled,
    S::Deliberation,
    S::Suspended,
];
const AFTER_SERVICE: &[CaseState] = &[
    S::Served,
    S::AnswerPeriod,
    S::Evidence,
    S::HearingScheduled,
    S::Deliberation,
];

const REASON: Field = req("reason", Kind::Text(2000));

macro_rules! spec {
    (@flag) => { false };
    (@flag $v:literal) => { $v };
    (@doc) => { None };
    (@doc $d:ident) => { Some(Document::$d) };
    ($name:ident, $from:expr, $next:expr, [$($ev:ident),*], [$($f:expr),*], $who:ident
     $(, irreversible = $irr:literal)? $(, public = $public:literal)? $(, document = $doc:ident)?) => {
        Spec {
            name: $crate::domain::workflow::Step::$name,
            from: $from,
            next: $next,
            events: &[$($crate::domain::case::EventKind::$ev),*],
            fields: &[$($f),*],
            who: Who::$who,
            irreversible: spec!(@flag $($irr)?),
            public: spec!(@flag $($public)?),
            document: spec!(@doc $($doc)?),
        }
    };
}
pub(crate) use spec;

pub static SPECS: &[Spec] = &[
    spec!(
        RequestCorrection,
        &[S::Received],
        Next::To(S::CorrectionRequested),
        [CorrectionRequested],
        [
            req("items", Kind::Text(2000)),
            req("period_days", Kind::Int(1, 60))
        ],
        Worker,
        public = true
    ),
    spec!(
        ReceiveCorrection,
        &[S::CorrectionRequested],
        Next::To(S::Received),
        [CorrectionReceived],
        [
            opt("posted_at", Kind::Instant),
            opt("note", Kind::Text(2000))
        ],
        Worker,
        public = true
    ),
    spec!(
        Docket,
        &[S::Received],
        Next::To(S::Docketed),
        [Docketed],
        [
            req("panel_user_ids", Kind::Users),
            req("asserted_claims", Kind::Line(200)),
            opt("standing_checked", Kind::Bool)
        ],
        Worker,
        public = true,
        document = Acceptance
    ),
    spec!(
        RefuseDocket,
        &[S::Received, S::CorrectionRequested],
        Next::To(S::Refused),
        [DocketRefused],
        [REASON],
        Worker,
        irreversible = true,
        public = true,
        document = Refusal
    ),
    spec!(
        ServeRespondent,
        &[S::Docketed],
        Next::To(S::Served),
        [RespondentServed],
        [
            req("method", Kind::Choice(SERVICE_METHODS)),
            opt("consent_recorded", Kind::Bool)
        ],
        Worker,
        public = true,
        document = AnswerNotice
    ),
    spec!(
        ServeByPublicNotice,
        &[S::Docketed],
        Next::To(S::AnswerPeriod),
        [PublicNoticeServed, RespondentReceived],
        [
            req("where", Kind::Line(500)),
            opt("reason", Kind::Text(2000))
        ],
        Worker,
        public = true
    ),
    spec!(
        RecordReceipt,
        &[S::Served],
        Next::To(S::AnswerPeriod),
        [RespondentReceived],
        [opt("abroad", Kind::Bool)],
        Worker
    ),
    spec!(
        ReceiveAnswer,
        &[S::AnswerPeriod],
        Next::To(S::Evidence),
        [AnswerReceived],
        [
            opt("posted_at", Kind::Instant),
            opt("summary", Kind::Text(4000))
        ],
        Worker
    ),
    spec!(
        CloseAnswerPeriod,
        &[S::AnswerPeriod],
        Next::To(S::Evidence),
        [AnswerPeriodClosed],
        [opt("note", Kind::Text(2000))],
        Worker
    ),
    spec!(
        ForwardAnswer,
        &[
            S::AnswerPeriod,
            S::Evidence,
            S::HearingScheduled,
            S::Deliberation
        ],
        Next::Stay,
        [AnswerForwarded],
        [],
        Worker
    ),
    spec!(
        RaiseJurisdictionObjection,
        &[S::AnswerPeriod],
        Next::Stay,
        [JurisdictionObjectionReceived],
        [opt("summary", Kind::Text(2000))],
        Worker
    ),
    spec!(
        DecideJurisdictionObjection,
        AFTER_SERVICE,
        Next::Stay,
        [JurisdictionObjectionDecided],
        [
            req("outcome", Kind::Choice(OBJECTION_OUTCOMES)),
            REASON,
            opt("to_org_id", Kind::Office)
        ],
        Worker,
        public = true
    ),
    spec!(
        SendEvidenceNotice,
        &[S::Evidence],
        Next::Stay,
        [EvidenceNoticeReceived],
        [req("period_days", Kind::Int(15, 90))],
        Worker
    ),
    spec!(
        ExtendEvidencePeriod,
        &[S::Evidence],
        Next::Stay,
        [EvidencePeriodExtended],
        [req("period_days", Kind::Int(1, 90)), REASON],
        Worker,
        public = true
    ),
    spec!(
        EndEvidenceExtension,
        &[S::Evidence],
        Next::Stay,
        [EvidenceExtensionEnded],
        [],
        Worker
    ),
    spec!(
        CloseEvidencePeriod,
        &[S::Evidence],
        Next::Stay,
        [EvidencePeriodClosed],
        [],
        Worker
    ),
    spec!(
        StartAppraisal,
        WORKING,
        Next::Stay,
        [AppraisalStarted],
        [
            req("matter", Kind::Text(2000)),
            opt("appraiser", Kind::Line(200))
        ],
        Worker,
        public = true
    ),
    spec!(
        EndAppraisal,
        WORKING,
        Next::Stay,
        [AppraisalEnded],
        [req("result", Kind::Text(4000))],
        Worker,
        public = true
    ),
    spec!(
        StartSettlement,
        WORKING,
        Next::Stay,
        [SettlementStarted],
        [opt("note", Kind::Text(2000))],
        Worker,
        public = true
    ),
    spec!(
        EndSettlement,
        WORKING,
        Next::Stay,
        [SettlementEnded],
        [
            req("outcome", Kind::Choice(SETTLEMENT_OUTCOMES)),
            opt("note", Kind::Text(2000))
        ],
        Worker,
        public = true
    ),
    spec!(
        ScheduleHearing,
        &[S::Evidence],
        Next::To(S::HearingScheduled),
        [HearingScheduled],
        [
            req("hearing_at", Kind::Instant),
            req("place", Kind::Line(200)),
            opt("public", Kind::Bool)
        ],
        Worker,
        public = true,
        document = HearingNotice
    ),
    spec!(
        HoldHearing,
        &[S::HearingScheduled],
        Next::To(S::Deliberation),
        [HearingHeld],
        [req("record", Kind::Text(8000))],
        Worker
    ),
    spec!(
        WrittenReview,
        &[S::Evidence],
        Next::To(S::Deliberation),
        [WrittenReview],
        [REASON],
        Worker
    ),
    spec!(
        RecordDeliberation,
        &[S::Deliberation],
        Next::Stay,
        [Deliberated],
        [
            req("votes_for", Kind::Int(0, 15)),
            req("votes_against", Kind::Int(0, 15)),
            req("opinion", Kind::Text(8000)),
            opt("dissent", Kind::Text(4000))
        ],
        Panel
    ),
    spec!(
        Decide,
        &[S::Deliberation],
        Next::To(S::Decided),
        [Decided],
        [
            req("outcome", Kind::Choice(OUTCOMES)),
            req("findings", Kind::Text(8000)),
            opt("order", Kind::Text(4000))
        ],
        Panel,
        irreversible = true,
        public = true,
        document = Ruling
    ),
    spec!(
        Mediate,
        WORKING,
        Next::To(S::Mediated),
        [Mediated],
        [req("agreement", Kind::Text(8000))],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        Revoke,
        &[
            S::Docketed,
            S::Served,
            S::AnswerPeriod,
            S::Evidence,
            S::HearingScheduled,
            S::Deliberation,
            S::Suspended
        ],
        Next::To(S::Revoked),
        [Revoked],
        [req("ground", Kind::Choice(REVOCATION_GROUNDS)), REASON],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        Withdraw,
        OPEN,
        Next::To(S::Withdrawn),
        [Withdrawn],
        [REASON],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        Suspend,
        WORKING,
        Next::To(S::Suspended),
        [Suspended],
        [req("ground", Kind::Choice(SUSPENSION_GROUNDS)), REASON],
        Worker,
        public = true,
        document = Suspension
    ),
    spec!(
        RefuseSuspension,
        WORKING,
        Next::Stay,
        [SuspensionRefused],
        [
            req("applied_ground", Kind::Choice(SUSPENSION_GROUNDS)),
            REASON
        ],
        Worker,
        public = true
    ),
    spec!(
        Resume,
        &[S::Suspended],
        Next::Resume,
        [Resumed],
        [opt("note", Kind::Text(2000))],
        Worker,
        public = true,
        document = Resumption
    ),
    spec!(
        Publish,
        &[S::Decided],
        Next::To(S::Published),
        [Published],
        [req("where", Kind::Line(500))],
        Worker,
        public = true
    ),
    spec!(
        RecordRulingReceived,
        &[S::Decided, S::Published],
        Next::Stay,
        [RulingReceived],
        [],
        Worker
    ),
    // A case converted at an exhibition's close still owes the organiser its report (2006
    // Measures Art. 15); offered only on such a case.
    spec!(
        ReportToOrganiser,
        STATES,
        Next::Stay,
        [OrganiserReported],
        [req("report", Kind::Text(4000))],
        Worker
    ),
    spec!(
        Close,
        &[S::Published],
        Next::To(S::Closed),
        [Closed],
        [opt("note", Kind::Text(2000))],
        Worker,
        irreversible = true,
        public = true
    ),
];

/// The state-independent conditions of an action (409 keys).
pub fn guard(step: Step, p: &Progress, shape: &Shape) -> Result<(), &'static str> {
    let patents = shape.rights.iter().filter(|k| k.is_patent()).count();
    match step {
        // Order 81 Art. 15 and the 2019 Guide: one patent per case; co-respondents and
        // co-requesters may be parties of one case (Art. 23).
        Step::Docket if patents != 1 || shape.rights.len() != 1 || shape.respondents == 0 => {
            Err("error.workflow.one_patent")
        }
        Step::ForwardAnswer if !p.answer_to_forward => Err("error.workflow.no_answer_to_forward"),
        Step::RaiseJurisdictionObjection if p.objection_raised => {
            Err("error.workflow.objection_already")
        }
        Step::DecideJurisdictionObjection if !p.objection_pending => {
            Err("error.workflow.no_objection")
        }
        Step::SendEvidenceNotice if p.evidence_period_open => Err("error.workflow.evidence_open"),
        Step::ExtendEvidencePeriod if !p.evidence_period_open => {
            Err("error.workflow.no_evidence_period")
        }
        Step::EndEvidenceExtension if !p.evidence_extension_open => {
            Err("error.workflow.no_evidence_extension")
        }
        Step::CloseEvidencePeriod if !p.evidence_period_open => {
            Err("error.workflow.no_evidence_period")
        }
        Step::ScheduleHearing | Step::WrittenReview if p.evidence_period_open => {
            Err("error.workflow.evidence_open")
        }
        Step::Decide if p.objection_pending => Err("error.workflow.objection_pending"),
        Step::Decide if p.vote.is_none_or(|(yes, no)| yes <= no) => {
            Err("error.workflow.no_majority")
        }
        Step::RecordRulingReceived if p.ruling_received => Err("error.workflow.already_recorded"),
        Step::StartAppraisal if p.appraisal_open => Err("error.workflow.appraisal_open"),
        Step::EndAppraisal if !p.appraisal_open => Err("error.workflow.no_appraisal"),
        Step::StartSettlement if p.settlement_open => Err("error.workflow.settlement_open"),
        Step::EndSettlement if !p.settlement_open => Err("error.workflow.no_settlement"),
        // A ruling waits for the appraisal and the settlement talks to end.
        Step::Decide if p.appraisal_open || p.settlement_open => Err("error.workflow.pause_open"),
        Step::ReportToOrganiser if !p.exhibition_closed => Err("error.workflow.exhibition_open"),
        Step::ReportToOrganiser if p.organiser_reported => Err("error.workflow.already_recorded"),
        _ => Ok(()),
    }
}

/// Whether a suspension applied for on `ground` must be granted (Art. 28): every ground is
/// mandatory, except an accepted invalidation request against an invention patent.
pub fn suspension_mandatory(ground: &str, shape: &Shape) -> bool {
    ground != "invalidation_accepted"
        || shape
            .rights
            .iter()
            .any(|k| matches!(k, RightKind::UtilityModel | RightKind::DesignPatent))
}

/// Conditions on the values that are conflicts with the law rather than bad input (409 keys).
pub fn conflict(step: Step, values: &Values, shape: &Shape) -> Result<(), &'static str> {
    match step {
        Step::RefuseSuspension
            if suspension_mandatory(values.text("applied_ground").unwrap_or(""), shape) =>
        {
            Err("error.workflow.suspension_mandatory")
        }
        _ => Ok(()),
    }
}

/// Field checks that need more than one field, or the panel (422).
pub fn check_values(step: Step, values: &Values, p: &Progress, shape: &Shape) -> Vec<FieldError> {
    let mut errors = Vec::new();
    // Art. 12: a sole licensee may ask only when the patentee does not, an ordinary licensee only
    // with the contract's or the patentee's authorisation; the officer confirms the proof.
    let licensee = matches!(
        shape.standing,
        Some(Standing::SoleLicensee | Standing::OrdinaryLicensee)
    );
    if step == Step::Docket && licensee && !values.flag("standing_checked") {
        errors.push(FieldError::new(
            "standing_checked",
            "error.workflow.standing_proof",
        ));
    }
    match step {
        // Art. 20: a panel of at least three officers, an odd number.
        Step::Docket => {
            let n = values.ints("panel_user_ids").len();
            if n < 3 || n.is_multiple_of(2) {
                errors.push(FieldError::new(
                    "panel_user_ids",
                    "error.workflow.panel_size",
                ));
            }
        }
        // Art. 25: every member votes.
        Step::RecordDeliberation => {
            let cast =
                values.int("votes_for").unwrap_or(0) + values.int("votes_against").unwrap_or(0);
            if !p.panel.is_empty() && cast != p.panel.len() as i64 {
                errors.push(FieldError::new("votes_for", "error.workflow.votes_panel"));
            }
        }
        // Art. 9: a well-founded objection sends the lead to the competent department.
        Step::DecideJurisdictionObjection
            if values.text("outcome") == Some("upheld") && values.int("to_org_id").is_none() =>
        {
            errors.push(FieldError::new("to_org_id", "error.workflow.transfer_to"));
        }
        // Art. 10: electronic service only with the recipient's recorded consent.
        Step::ServeRespondent
            if values.text("method") == Some("electronic") && !values.flag("consent_recorded") =>
        {
            errors.push(FieldError::new(
                "consent_recorded",
                "error.workflow.electronic_consent",
            ));
        }
        // Art. 31: a finding of infringement states the acts to stop.
        Step::Decide
            if values.text("outcome") == Some("infringement") && values.text("order").is_none() =>
        {
            errors.push(FieldError::new("order", "error.workflow.order_required"));
        }
        _ => {}
    }
    errors
}
