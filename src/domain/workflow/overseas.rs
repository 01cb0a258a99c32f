//! Overseas rights-protection assistance (海外维权援助, 国务院令第801号): accept or decline, an
//! expert assigned, guidance, follow-up, closing; the export-compliance gate before evidence is
//! sent abroad (Arts. 12–13) and the mutual-aid fund / insurance checklist (Art. 9).

use super::fields::{Kind, opt, req};
use super::ruling::spec;
use super::{Next, Progress, Spec, Values, Who};
use crate::error::FieldError;

/// What must be cleared before evidence is sent abroad (Order 801 Arts. 12–13).
pub const EXPORT_CHECKS: &[&str] = &[
    "state_secrets",
    "data_security",
    "personal_information",
    "technology_export",
];

/// Support the enterprise may be eligible for (Order 801 Art. 9).
pub const ELIGIBILITY: &[&str] = &[
    "mutual_aid_fund",
    "overseas_ip_insurance",
    "legal_aid",
    "expert_consultation",
];

/// Every state of the queue, the entry state first.
pub const STATES: &[&str] = &[
    "requested",
    "accepted",
    "declined",
    "expert_assigned",
    "guidance_given",
    "follow_up",
    "closed",
];

const WORKING: &[&str] = &["accepted", "expert_assigned", "guidance_given", "follow_up"];

pub static SPECS: &[Spec] = &[
    spec!(
        "accept",
        &["requested"],
        Next::To("accepted"),
        ["accepted"],
        [opt("note", Kind::Text(2000))],
        Worker,
        public = true
    ),
    spec!(
        "decline",
        &["requested"],
        Next::To("declined"),
        ["declined"],
        [req("reason", Kind::Text(2000))],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        "assign_expert",
        &["accepted", "expert_assigned"],
        Next::To("expert_assigned"),
        ["expert_assigned"],
        [req("expert_id", Kind::Id)],
        Worker
    ),
    spec!(
        "give_guidance",
        &["expert_assigned"],
        Next::To("guidance_given"),
        ["guidance_given"],
        [req("guidance", Kind::Text(8000))],
        Worker,
        public = true
    ),
    spec!(
        "follow_up",
        &["guidance_given", "follow_up"],
        Next::To("follow_up"),
        ["followed_up"],
        [req("note", Kind::Text(4000))],
        Worker
    ),
    spec!(
        "approve_evidence_export",
        WORKING,
        Next::Stay,
        ["evidence_export_approved"],
        [
            req("checks", Kind::Choices(EXPORT_CHECKS)),
            req("destination", Kind::Line(200)),
            opt("note", Kind::Text(2000))
        ],
        Supervisor
    ),
    spec!(
        "record_eligibility",
        &[
            "requested",
            "accepted",
            "expert_assigned",
            "guidance_given",
            "follow_up"
        ],
        Next::Stay,
        ["eligibility_recorded"],
        [
            req("eligible", Kind::Choices(ELIGIBILITY)),
            opt("note", Kind::Text(2000))
        ],
        Worker
    ),
    spec!(
        "close",
        &["guidance_given", "follow_up"],
        Next::To("closed"),
        ["closed"],
        [req("outcome", Kind::Text(4000))],
        Worker,
        irreversible = true,
        public = true
    ),
];

/// The state-independent conditions of an action (409 keys).
pub fn guard(name: &str, p: &Progress) -> Result<(), &'static str> {
    match name {
        "approve_evidence_export" if p.export_approved => Err("error.workflow.already_recorded"),
        _ => Ok(()),
    }
}

/// Field checks across fields (422).
pub fn check_values(name: &str, values: &Values) -> Vec<FieldError> {
    match name {
        // Every item of the gate must be cleared, not some.
        "approve_evidence_export" if values.strings("checks").len() != EXPORT_CHECKS.len() => {
            vec![FieldError::new("checks", "error.workflow.export_checks")]
        }
        _ => Vec::new(),
    }
}
