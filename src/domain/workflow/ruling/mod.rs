//! Administrative ruling on patent-infringement disputes (专利侵权纠纷行政裁决), 国家知识产权局令
//! 第81号: request checks, correction, docketing with a panel, service, answer, jurisdiction
//! objection, evidence period, suspension, hearing, deliberation, decision, publication, closing.
//! The actions are data here; the conditions the law puts on them are in `checks.rs`.

mod checks;
mod lists;

pub use checks::{
    Related, check_values, conflict, guard, limitation_expired, may_hear_together,
    may_refuse_suspension,
};
pub use lists::*;

use super::fields::{Kind, opt, req};
use super::{Field, Next, Spec};
use crate::domain::case::CaseState as S;

const REASON: Field = req("reason", Kind::Text(2000));

use super::spec;

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
        public = true,
        document = CorrectionNotice
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
    // Art. 16: not corrected within the period the notice set: the request is treated as
    // withdrawn (offered only once that period has run out).
    spec!(
        LapseCorrection,
        &[S::CorrectionRequested],
        Next::To(S::Withdrawn),
        [Withdrawn],
        [opt("note", Kind::Text(2000))],
        Worker,
        irreversible = true,
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
            opt("standing_checked", Kind::Bool),
            opt("infringement_known_at", Kind::Instant),
            opt("continuing", Kind::Bool)
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
        public = true,
        document = PublicNotice
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
    // Arts. 23–24: a co-requester, co-respondent or third party joins the case after docketing.
    spec!(
        AddParty,
        RECUSAL_FROM,
        Next::Stay,
        [PartyAdded],
        [
            req("role", Kind::Choice(ADDED_PARTY_ROLES)),
            req("name", Kind::Line(100)),
            opt("uscc", Kind::Line(18)),
            opt("address", Kind::Line(200)),
            REASON
        ],
        Worker,
        public = true
    ),
    // Art. 5: a party applies for the recusal of a panel member or officer; the department head
    // decides, and an upheld application replaces the member.
    spec!(
        ApplyRecusal,
        RECUSAL_FROM,
        Next::Stay,
        [RecusalApplied],
        [
            req("member_user_id", Kind::Users),
            req("applicant", Kind::Choice(RECUSAL_APPLICANTS)),
            req("grounds", Kind::Text(4000))
        ],
        Worker,
        public = true
    ),
    spec!(
        DecideRecusal,
        RECUSAL_FROM,
        Next::Stay,
        [RecusalDecided],
        [
            req("outcome", Kind::Choice(OBJECTION_OUTCOMES)),
            REASON,
            opt("replacement_user_id", Kind::Users)
        ],
        Supervisor,
        public = true,
        document = RecusalDecision
    ),
    // Art. 21: a related case (the same patent, or the same respondent) heard together with
    // this one; recorded on both.
    spec!(
        HearTogether,
        WORKING,
        Next::Stay,
        [HeardTogether],
        [req("related_number", Kind::Line(20)), REASON],
        Panel,
        public = true
    ),
    // Investigation (Arts. 47–48): each act with its record.
    spec!(
        RecordInvestigation,
        WORKING,
        Next::Stay,
        [InvestigationRecorded],
        [
            req("investigation_method", Kind::Choice(INVESTIGATION_METHODS)),
            req("place", Kind::Line(200)),
            req("findings", Kind::Text(4000)),
            opt("sample_list", Kind::Text(2000))
        ],
        Worker
    ),
    // 登记保存 (Art. 49): approved by the head of the office, decided within 7 days.
    spec!(
        PreserveEvidence,
        WORKING,
        Next::Stay,
        [EvidencePreserved],
        [
            req("preserved_items", Kind::Text(2000)),
            req("place", Kind::Line(200)),
            req("approved_by_head", Kind::Line(100))
        ],
        Worker
    ),
    spec!(
        DecidePreservation,
        WORKING,
        Next::Stay,
        [PreservationDecided],
        [
            req("decision", Kind::Choice(PRESERVATION_DECISIONS)),
            opt("note", Kind::Text(2000))
        ],
        Worker
    ),
    // Art. 52: a technical investigator assists the panel on technical facts.
    spec!(
        AppointTechnicalInvestigator,
        WORKING,
        Next::Stay,
        [TechnicalInvestigatorAppointed],
        [
            req("investigator", Kind::Line(100)),
            opt("note", Kind::Text(2000))
        ],
        Panel,
        public = true
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
            // Art. 27: public unless one of these reasons is recorded.
            opt("closed_reason", Kind::Choice(CLOSED_HEARING_REASONS))
        ],
        Worker,
        public = true,
        document = HearingNotice
    ),
    // Art. 26: the panel may postpone a hearing; the parties are told at least three working
    // days before the new date, as for the first.
    spec!(
        PostponeHearing,
        &[S::HearingScheduled],
        Next::Stay,
        [HearingPostponed],
        [
            req("hearing_at", Kind::Instant),
            opt("place", Kind::Line(200)),
            REASON
        ],
        Worker,
        public = true
    ),
    spec!(
        HoldHearing,
        &[S::HearingScheduled],
        Next::To(S::Deliberation),
        [HearingHeld],
        [
            req("record", Kind::Text(8000)),
            // Art. 26: a respondent who does not come is heard in absentia.
            opt("respondent_absent", Kind::Bool)
        ],
        Worker
    ),
    // Art. 26: a requester who does not come without good cause, or leaves without leave, is
    // deemed to have withdrawn the request.
    spec!(
        RecordRequesterAbsence,
        &[S::HearingScheduled],
        Next::To(S::Withdrawn),
        [Withdrawn],
        [REASON],
        Worker,
        irreversible = true,
        public = true
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
        public = true,
        document = MediationAgreement
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
        public = true,
        document = RevocationDecision
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
            req("refusal_ground", Kind::Choice(SUSPENSION_REFUSAL_GROUNDS)),
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
    // Art. 33: the ruling is changed or revoked, even after the case closed; the change is
    // published within 20 working days like the ruling (Art. 83).
    spec!(
        ChangeRuling,
        &[S::Decided, S::Published, S::Closed],
        Next::To(S::Decided),
        [RulingChanged],
        [
            req("change", Kind::Choice(RULING_CHANGES)),
            req("findings", Kind::Text(8000)),
            REASON
        ],
        Panel,
        irreversible = true,
        public = true
    ),
    // Art. 32: a platform or customs is told of the ruling so that the infringement stops.
    spec!(
        NotifyRulingTo,
        &[S::Decided, S::Published, S::Closed],
        Next::Stay,
        [RulingNotifiedTo],
        [
            req("recipient", Kind::Choice(RULING_RECIPIENTS)),
            req("name", Kind::Line(200)),
            req("measures", Kind::Text(2000))
        ],
        Worker,
        public = true
    ),
    // Patent Law Art. 65: the respondent neither sued nor stopped; the office applies to the
    // people's court for enforcement.
    spec!(
        RecordEnforcementApplication,
        &[S::Decided, S::Published, S::Closed],
        Next::Stay,
        [EnforcementApplied],
        [req("court", Kind::Line(200)), opt("note", Kind::Text(2000))],
        Supervisor,
        public = true
    ),
    // Art. 34 ¶1: the same party infringes the same patent again after the ruling took effect;
    // the office rules at once that it stop.
    spec!(
        RuleRepeatInfringement,
        &[S::Decided, S::Published, S::Closed],
        Next::Stay,
        [RepeatInfringementRuled],
        [
            req("findings", Kind::Text(8000)),
            req("order", Kind::Text(2000))
        ],
        Panel,
        irreversible = true,
        public = true
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
