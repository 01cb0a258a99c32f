//! Administrative ruling on patent-infringement disputes (专利侵权纠纷行政裁决), 国家知识产权局令
//! 第81号: request checks, correction, docketing with a panel, service, answer, jurisdiction
//! objection, evidence period, suspension, hearing, deliberation, decision, publication, closing.

use super::fields::{Kind, opt, req};
use super::{Document, Field, Next, Progress, Shape, Spec, Values, Who};
use crate::domain::case::RightKind;
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

pub const SERVICE_METHODS: &[&str] = &["direct", "post", "electronic", "public_notice"];
pub const OUTCOMES: &[&str] = &["infringement", "no_infringement"];
pub const OBJECTION_OUTCOMES: &[&str] = &["dismissed", "upheld"];

/// Every state of the queue (DOMAIN.md), the entry state first.
pub const STATES: &[&str] = &[
    "received",
    "correction_requested",
    "docketed",
    "refused",
    "served",
    "answer_period",
    "evidence",
    "hearing_scheduled",
    "deliberation",
    "suspended",
    "decided",
    "published",
    "closed",
    "withdrawn",
    "revoked",
    "mediated",
];

const WORKING: &[&str] = &[
    "docketed",
    "served",
    "answer_period",
    "evidence",
    "hearing_scheduled",
    "deliberation",
];
const OPEN: &[&str] = &[
    "received",
    "correction_requested",
    "docketed",
    "served",
    "answer_period",
    "evidence",
    "hearing_scheduled",
    "deliberation",
    "suspended",
];
const AFTER_SERVICE: &[&str] = &[
    "served",
    "answer_period",
    "evidence",
    "hearing_scheduled",
    "deliberation",
];

const REASON: Field = req("reason", Kind::Text(2000));

macro_rules! spec {
    (@flag) => { false };
    (@flag $v:literal) => { $v };
    (@doc) => { None };
    (@doc $d:ident) => { Some(Document::$d) };
    ($name:literal, $from:expr, $next:expr, [$($ev:literal),*], [$($f:expr),*], $who:ident
     $(, irreversible = $irr:literal)? $(, public = $public:literal)? $(, document = $doc:ident)?) => {
        Spec {
            name: $name,
            from: $from,
            next: $next,
            events: &[$($ev),*],
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
        "request_correction",
        &["received"],
        Next::To("correction_requested"),
        ["correction_requested"],
        [
            req("items", Kind::Text(2000)),
            req("period_days", Kind::Int(1, 60))
        ],
        Worker,
        public = true
    ),
    spec!(
        "receive_correction",
        &["correction_requested"],
        Next::To("received"),
        ["correction_received"],
        [opt("note", Kind::Text(2000))],
        Worker,
        public = true
    ),
    spec!(
        "docket",
        &["received"],
        Next::To("docketed"),
        ["docketed"],
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
        "refuse_docket",
        &["received", "correction_requested"],
        Next::To("refused"),
        ["docket_refused"],
        [REASON],
        Worker,
        irreversible = true,
        public = true,
        document = Refusal
    ),
    spec!(
        "serve_respondent",
        &["docketed"],
        Next::To("served"),
        ["respondent_served"],
        [req("method", Kind::Choice(SERVICE_METHODS))],
        Worker,
        public = true,
        document = AnswerNotice
    ),
    spec!(
        "record_receipt",
        &["served"],
        Next::To("answer_period"),
        ["respondent_received"],
        [opt("abroad", Kind::Bool)],
        Worker
    ),
    spec!(
        "receive_answer",
        &["answer_period"],
        Next::To("evidence"),
        ["answer_received"],
        [opt("summary", Kind::Text(4000))],
        Worker
    ),
    spec!(
        "close_answer_period",
        &["answer_period"],
        Next::To("evidence"),
        ["answer_period_closed"],
        [opt("note", Kind::Text(2000))],
        Worker
    ),
    spec!(
        "forward_answer",
        &[
            "answer_period",
            "evidence",
            "hearing_scheduled",
            "deliberation"
        ],
        Next::Stay,
        ["answer_forwarded"],
        [],
        Worker
    ),
    spec!(
        "raise_jurisdiction_objection",
        &["answer_period"],
        Next::Stay,
        ["jurisdiction_objection_received"],
        [opt("summary", Kind::Text(2000))],
        Worker
    ),
    spec!(
        "decide_jurisdiction_objection",
        AFTER_SERVICE,
        Next::Stay,
        ["jurisdiction_objection_decided"],
        [
            req("outcome", Kind::Choice(OBJECTION_OUTCOMES)),
            REASON,
            opt("to_org_id", Kind::Office)
        ],
        Worker,
        public = true
    ),
    spec!(
        "send_evidence_notice",
        &["evidence"],
        Next::Stay,
        ["evidence_notice_received"],
        [req("period_days", Kind::Int(15, 90))],
        Worker
    ),
    spec!(
        "start_evidence_extension",
        &["evidence"],
        Next::Stay,
        ["evidence_extension_started"],
        [REASON],
        Worker
    ),
    spec!(
        "end_evidence_extension",
        &["evidence"],
        Next::Stay,
        ["evidence_extension_ended"],
        [],
        Worker
    ),
    spec!(
        "close_evidence_period",
        &["evidence"],
        Next::Stay,
        ["evidence_period_closed"],
        [],
        Worker
    ),
    spec!(
        "schedule_hearing",
        &["evidence"],
        Next::To("hearing_scheduled"),
        ["hearing_scheduled"],
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
        "hold_hearing",
        &["hearing_scheduled"],
        Next::To("deliberation"),
        ["hearing_held"],
        [req("record", Kind::Text(8000))],
        Worker
    ),
    spec!(
        "written_review",
        &["evidence"],
        Next::To("deliberation"),
        ["written_review"],
        [REASON],
        Worker
    ),
    spec!(
        "record_deliberation",
        &["deliberation"],
        Next::Stay,
        ["deliberated"],
        [
            req("votes_for", Kind::Int(0, 15)),
            req("votes_against", Kind::Int(0, 15)),
            req("opinion", Kind::Text(8000)),
            opt("dissent", Kind::Text(4000))
        ],
        Panel
    ),
    spec!(
        "decide",
        &["deliberation"],
        Next::To("decided"),
        ["decided"],
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
        "mediate",
        WORKING,
        Next::To("mediated"),
        ["mediated"],
        [req("agreement", Kind::Text(8000))],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        "revoke",
        &[
            "docketed",
            "served",
            "answer_period",
            "evidence",
            "hearing_scheduled",
            "deliberation",
            "suspended"
        ],
        Next::To("revoked"),
        ["revoked"],
        [req("ground", Kind::Choice(REVOCATION_GROUNDS)), REASON],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        "withdraw",
        OPEN,
        Next::To("withdrawn"),
        ["withdrawn"],
        [REASON],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        "suspend",
        WORKING,
        Next::To("suspended"),
        ["suspended"],
        [req("ground", Kind::Choice(SUSPENSION_GROUNDS)), REASON],
        Worker,
        public = true,
        document = Suspension
    ),
    spec!(
        "refuse_suspension",
        WORKING,
        Next::Stay,
        ["suspension_refused"],
        [
            req("applied_ground", Kind::Choice(SUSPENSION_GROUNDS)),
            REASON
        ],
        Worker,
        public = true
    ),
    spec!(
        "resume",
        &["suspended"],
        Next::Resume,
        ["resumed"],
        [opt("note", Kind::Text(2000))],
        Worker,
        public = true,
        document = Resumption
    ),
    spec!(
        "publish",
        &["decided"],
        Next::To("published"),
        ["published"],
        [req("where", Kind::Line(500))],
        Worker,
        public = true
    ),
    spec!(
        "record_ruling_received",
        &["decided", "published"],
        Next::Stay,
        ["ruling_received"],
        [],
        Worker
    ),
    spec!(
        "close",
        &["published"],
        Next::To("closed"),
        ["closed"],
        [opt("note", Kind::Text(2000))],
        Worker,
        irreversible = true,
        public = true
    ),
];

/// The state-independent conditions of an action (409 keys).
pub fn guard(name: &str, p: &Progress, shape: &Shape) -> Result<(), &'static str> {
    let patents = shape.rights.iter().filter(|k| k.is_patent()).count();
    match name {
        // Order 81 Art. 15 and the 2019 Guide: one patent and one respondent per case.
        "docket" if patents != 1 || shape.rights.len() != 1 || shape.respondents != 1 => {
            Err("error.workflow.one_patent_one_respondent")
        }
        "forward_answer" if !p.answer_to_forward => Err("error.workflow.no_answer_to_forward"),
        "raise_jurisdiction_objection" if p.objection_raised => {
            Err("error.workflow.objection_already")
        }
        "decide_jurisdiction_objection" if !p.objection_pending => {
            Err("error.workflow.no_objection")
        }
        "send_evidence_notice" if p.evidence_period_open => Err("error.workflow.evidence_open"),
        "start_evidence_extension" if !p.evidence_period_open || p.evidence_extension_open => {
            Err("error.workflow.no_evidence_period")
        }
        "end_evidence_extension" if !p.evidence_extension_open => {
            Err("error.workflow.no_evidence_extension")
        }
        "close_evidence_period" if !p.evidence_period_open => {
            Err("error.workflow.no_evidence_period")
        }
        "schedule_hearing" | "written_review" if p.evidence_period_open => {
            Err("error.workflow.evidence_open")
        }
        "decide" if p.objection_pending => Err("error.workflow.objection_pending"),
        "decide" if p.vote.is_none_or(|(yes, no)| yes <= no) => Err("error.workflow.no_majority"),
        "record_ruling_received" if p.ruling_received => Err("error.workflow.already_recorded"),
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
pub fn conflict(name: &str, values: &Values, shape: &Shape) -> Result<(), &'static str> {
    match name {
        "refuse_suspension"
            if suspension_mandatory(values.text("applied_ground").unwrap_or(""), shape) =>
        {
            Err("error.workflow.suspension_mandatory")
        }
        _ => Ok(()),
    }
}

/// Field checks that need more than one field, or the panel (422).
pub fn check_values(name: &str, values: &Values, p: &Progress, shape: &Shape) -> Vec<FieldError> {
    let mut errors = Vec::new();
    // Art. 12: a sole licensee may ask only when the patentee does not, an ordinary licensee only
    // with the contract's or the patentee's authorisation; the officer confirms the proof.
    let licensee = matches!(
        shape.standing.as_deref(),
        Some("sole_licensee" | "ordinary_licensee")
    );
    if name == "docket" && licensee && !values.flag("standing_checked") {
        errors.push(FieldError::new(
            "standing_checked",
            "error.workflow.standing_proof",
        ));
    }
    match name {
        // Art. 20: a panel of at least three officers, an odd number.
        "docket" => {
            let n = values.ints("panel_user_ids").len();
            if n < 3 || n.is_multiple_of(2) {
                errors.push(FieldError::new(
                    "panel_user_ids",
                    "error.workflow.panel_size",
                ));
            }
        }
        // Art. 25: every member votes.
        "record_deliberation" => {
            let cast =
                values.int("votes_for").unwrap_or(0) + values.int("votes_against").unwrap_or(0);
            if !p.panel.is_empty() && cast != p.panel.len() as i64 {
                errors.push(FieldError::new("votes_for", "error.workflow.votes_panel"));
            }
        }
        // Art. 9: a well-founded objection sends the lead to the competent department.
        "decide_jurisdiction_objection"
            if values.text("outcome") == Some("upheld") && values.int("to_org_id").is_none() =>
        {
            errors.push(FieldError::new("to_org_id", "error.workflow.transfer_to"));
        }
        // Art. 31: a finding of infringement states the acts to stop.
        "decide"
            if values.text("outcome") == Some("infringement") && values.text("order").is_none() =>
        {
            errors.push(FieldError::new("order", "error.workflow.order_required"));
        }
        _ => {}
    }
    errors
}
