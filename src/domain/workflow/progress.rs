//! Where a case stands within its stage, read from its events: what the guards of the workflow
//! actions need beyond the state (a pending objection, an answer not yet forwarded, the panel,
//! the vote, the state before a suspension …).

use crate::domain::case::{CaseState, EventKind};
use serde_json::Value;

/// A case event as the workflow reads it.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    pub kind: EventKind,
    pub payload: &'a Value,
}

/// The first user id of a list field (the workflow's user fields are lists).
fn first_id(payload: &Value, key: &str) -> Option<i64> {
    payload
        .get(key)
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_i64)
}

/// What the events say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// The state the case had when it was last suspended.
    pub before_suspension: Option<CaseState>,
    /// The panel named at docketing (user ids).
    pub panel: Vec<i64>,
    /// The last recorded deliberation: votes for and against the proposed outcome.
    pub vote: Option<(i64, i64)>,
    pub answer_to_forward: bool,
    pub objection_pending: bool,
    pub objection_raised: bool,
    pub evidence_period_open: bool,
    pub evidence_extension_open: bool,
    /// A party's recusal application against this member (user id) waits for its decision.
    pub recusal_pending: Option<i64>,
    /// An appraisal (鉴定, Art. 53) is under way.
    pub appraisal_open: bool,
    /// The cases heard together with this one (Art. 21).
    pub heard_together: Vec<i64>,
    /// Evidence registered and preserved (登记保存, Art. 49) waits for its decision.
    pub preservations_pending: u32,
    /// The parties are in settlement talks (和解, Art. 37).
    pub settlement_open: bool,
    pub ruling_received: bool,
    /// The ruling in force found infringement (not revoked since).
    pub infringement_ruled: bool,
    pub exhibition_closed: bool,
    pub organiser_reported: bool,
    /// Measures were ordered against the respondent (an infringement found at the exhibition).
    pub infringement_found: bool,
    pub expert_assigned: Option<i64>,
    pub export_approved: bool,
    /// Who works the case asked for the export gate and the supervisor has not passed it yet.
    pub export_requested: bool,
}

impl Progress {
    /// Reads `events` in order.
    pub fn of(events: &[Seen<'_>]) -> Self {
        let mut p = Progress::default();
        for e in events {
            match e.kind {
                EventKind::Suspended => {
                    p.before_suspension = e
                        .payload
                        .get("from_state")
                        .and_then(Value::as_str)
                        .and_then(CaseState::parse);
                }
                EventKind::Docketed => {
                    p.panel = e
                        .payload
                        .get("panel_user_ids")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_i64).collect())
                        .unwrap_or_default();
                }
                EventKind::Deliberated => {
                    let n = |k: &str| e.payload.get(k).and_then(Value::as_i64).unwrap_or(0);
                    p.vote = Some((n("votes_for"), n("votes_against")));
                }
                EventKind::AnswerReceived => p.answer_to_forward = true,
                EventKind::AnswerForwarded => p.answer_to_forward = false,
                EventKind::JurisdictionObjectionReceived => {
                    p.objection_pending = true;
                    p.objection_raised = true;
                }
                EventKind::JurisdictionObjectionDecided => p.objection_pending = false,
                EventKind::EvidenceNoticeReceived => p.evidence_period_open = true,
                EventKind::EvidencePeriodClosed => {
                    p.evidence_period_open = false;
                    p.evidence_extension_open = false;
                }
                EventKind::EvidenceExtensionStarted => p.evidence_extension_open = true,
                EventKind::EvidenceExtensionEnded => p.evidence_extension_open = false,
                EventKind::RecusalApplied => {
                    p.recusal_pending = first_id(e.payload, "member_user_id");
                }
                EventKind::RecusalDecided => {
                    let upheld = e.payload.get("outcome").and_then(Value::as_str) == Some("upheld");
                    let replacement = first_id(e.payload, "replacement_user_id");
                    if let (true, Some(member)) = (upheld, p.recusal_pending) {
                        // The member steps down; a replacement takes the seat on the panel.
                        match (p.panel.iter().position(|m| *m == member), replacement) {
                            (Some(i), Some(r)) => p.panel[i] = r,
                            (Some(i), None) => {
                                p.panel.remove(i);
                            }
                            _ => {}
                        }
                    }
                    p.recusal_pending = None;
                }
                EventKind::AppraisalStarted => p.appraisal_open = true,
                EventKind::EvidencePreserved => p.preservations_pending += 1,
                EventKind::HeardTogether => {
                    if let Some(id) = e.payload.get("related_case_id").and_then(Value::as_i64) {
                        p.heard_together.push(id);
                    }
                }
                EventKind::Decided => {
                    p.infringement_ruled =
                        e.payload.get("outcome").and_then(Value::as_str) == Some("infringement")
                }
                EventKind::RulingChanged
                    if e.payload.get("change").and_then(Value::as_str) == Some("revoked") =>
                {
                    p.infringement_ruled = false
                }
                EventKind::PreservationDecided => {
                    p.preservations_pending = p.preservations_pending.saturating_sub(1)
                }
                EventKind::AppraisalEnded => p.appraisal_open = false,
                EventKind::SettlementStarted => p.settlement_open = true,
                EventKind::SettlementEnded => p.settlement_open = false,
                EventKind::RulingReceived => p.ruling_received = true,
                EventKind::ExhibitionClosed => p.exhibition_closed = true,
                EventKind::OrganiserReported => p.organiser_reported = true,
                EventKind::MeasuresOrdered => p.infringement_found = true,
                EventKind::ExpertAssigned => {
                    p.expert_assigned = e.payload.get("expert_id").and_then(Value::as_i64);
                }
                EventKind::EvidenceExportApproved => {
                    p.export_approved = true;
                    p.export_requested = false;
                }
                EventKind::EvidenceExportRequested => p.export_requested = true,
                // A converted exhibition case starts its ruling stages afresh.
                EventKind::Converted => {
                    let keep_closed = p.exhibition_closed;
                    p = Progress {
                        exhibition_closed: keep_closed,
                        infringement_found: p.infringement_found,
                        ..Progress::default()
                    };
                }
                _ => {}
            }
        }
        p
    }
}
