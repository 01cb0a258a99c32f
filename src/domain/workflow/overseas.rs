//! Overseas rights-protection assistance (海外维权援助, 国务院令第801号): accept or decline, an
//! expert assigned, guidance, follow-up, closing; the export-compliance gate before evidence is
//! sent abroad (Arts. 12–13) and the mutual-aid fund / insurance checklist (Art. 9).

use super::fields::{Kind, opt, req};
use super::spec;
use super::{Next, Progress, Spec, Step, Values};
use crate::domain::case::{CaseState, CaseState as S};
use crate::error::FieldError;

/// What must be cleared before evidence is sent abroad (Order 801 Arts. 12–13).
pub const EXPORT_CHECKS: &[&str] = &[
    "state_secrets",
    "data_security",
    "personal_information",
    "technology_export",
    // Art. 13: evidence for a foreign court goes through judicial assistance, with the approval
    // of the competent authority.
    "judicial_assistance",
];

/// Support the enterprise may be eligible for (Order 801 Art. 9).
pub const ELIGIBILITY: &[&str] = &[
    "mutual_aid_fund",
    "overseas_ip_insurance",
    "legal_aid",
    "expert_consultation",
];

/// Every state of the queue, the entry state first.
pub const STATES: &[CaseState] = &[
    S::Requested,
    S::Accepted,
    S::Declined,
    S::ExpertAssigned,
    S::GuidanceGiven,
    S::FollowUp,
    S::Closed,
];

const WORKING: &[CaseState] = &[
    S::Accepted,
    S::ExpertAssigned,
    S::GuidanceGiven,
    S::FollowUp,
];

pub static SPECS: &[Spec] = &[
    spec!(
        Accept,
        &[S::Requested],
        Next::To(S::Accepted),
        [Accepted],
        [opt("note", Kind::Text(2000))],
        Worker,
        public = true
    ),
    spec!(
        Decline,
        &[S::Requested],
        Next::To(S::Declined),
        [Declined],
        [req("reason", Kind::Text(2000))],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        AssignExpert,
        &[S::Accepted, S::ExpertAssigned],
        Next::To(S::ExpertAssigned),
        [ExpertAssigned],
        [req("expert_id", Kind::Id)],
        Worker
    ),
    spec!(
        GiveGuidance,
        &[S::ExpertAssigned],
        Next::To(S::GuidanceGiven),
        [GuidanceGiven],
        [req("guidance", Kind::Text(8000))],
        Worker,
        public = true
    ),
    spec!(
        FollowUp,
        &[S::GuidanceGiven, S::FollowUp],
        Next::To(S::FollowUp),
        [FollowedUp],
        [req("note", Kind::Text(4000))],
        Worker
    ),
    // Who works the case asks the supervisor to pass the export gate (the approvals inbox).
    spec!(
        RequestEvidenceExport,
        WORKING,
        Next::Stay,
        [EvidenceExportRequested],
        [
            req("destination", Kind::Line(200)),
            opt("note", Kind::Text(2000))
        ],
        Worker
    ),
    spec!(
        ApproveEvidenceExport,
        WORKING,
        Next::Stay,
        [EvidenceExportApproved],
        [
            req("checks", Kind::Choices(EXPORT_CHECKS)),
            req("destination", Kind::Line(200)),
            // The competent authority that approved, where the law requires an approval.
            opt("approved_by", Kind::Line(200)),
            opt("note", Kind::Text(2000))
        ],
        Supervisor
    ),
    spec!(
        RecordEligibility,
        &[
            S::Requested,
            S::Accepted,
            S::ExpertAssigned,
            S::GuidanceGiven,
            S::FollowUp
        ],
        Next::Stay,
        [EligibilityRecorded],
        [
            req("eligible", Kind::Choices(ELIGIBILITY)),
            opt("note", Kind::Text(2000))
        ],
        Worker
    ),
    spec!(
        Close,
        &[S::GuidanceGiven, S::FollowUp],
        Next::To(S::Closed),
        [Closed],
        [req("outcome", Kind::Text(4000))],
        Worker,
        irreversible = true,
        public = true
    ),
];

/// The state-independent conditions of an action (409 keys).
pub fn guard(step: Step, p: &Progress) -> Result<(), &'static str> {
    match step {
        Step::ApproveEvidenceExport if p.export_approved => Err("error.workflow.already_recorded"),
        Step::RequestEvidenceExport if p.export_approved || p.export_requested => {
            Err("error.workflow.already_recorded")
        }
        _ => Ok(()),
    }
}

/// Field checks across fields (422).
pub fn check_values(step: Step, values: &Values) -> Vec<FieldError> {
    match step {
        // Every item of the gate must be cleared, not some.
        Step::ApproveEvidenceExport if values.strings("checks").len() != EXPORT_CHECKS.len() => {
            vec![FieldError::new("checks", "error.workflow.export_checks")]
        }
        _ => Vec::new(),
    }
}
