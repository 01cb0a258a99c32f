//! What waits for a decision, pure: the events of a case open and close the items of the
//! approvals inbox (待我处理). The write path applies [`effects`] of every event it records in the
//! same transaction, so the inbox is always what the events say.
//!
//! | opened by | kind | decided by | closed by |
//! |---|---|---|---|
//! | `extension_requested` | extension | the tier's approver: the owning office's supervisors (or officers and supervisors for a tier an officer approves), the parent office's supervisors for the higher department; never the one who asked | its approval or refusal, or its clock stopping |
//! | `recusal_applied` | recusal | the owning office's supervisors (the department head, Order 81 Art. 5) | `recusal_decided` |
//! | `referred` | referral | the receiving office | acknowledged or returned |
//! | `shared` | share | the office shared with | acknowledged, or the share revoked |
//! | `evidence_export_requested` | export_abroad | the owning office's supervisors | `evidence_export_approved` |
//! | `jurisdiction_escalated` | jurisdiction | the common superior's supervisors | `jurisdiction_designated`, or the lead decided meanwhile |
//!
//! A case that ends (a final state) closes everything still open on it.

use crate::domain::case::EventKind;
use crate::domain::deadline::Rules;
use crate::domain::deadline::extension::{Decider, decider};
use serde_json::{Map, Value};

names! {
    /// What an item of the inbox asks for.
    ApprovalKind {
        Extension = "extension",
        Recusal = "recusal",
        Referral = "referral",
        Share = "share",
        ExportAbroad = "export_abroad",
        Jurisdiction = "jurisdiction",
    }
}

impl ApprovalKind {
    /// The catalogue key of its label.
    pub fn key(self) -> String {
        format!("approval.kind.{}", self.as_str())
    }
}

names! {
    /// Who in the deciding organisation decides.
    DeciderRole {
        /// Its supervisors.
        Supervisor = "supervisor",
        /// Its officers and supervisors (a tier an officer approves).
        Officer = "officer",
        /// Its triagers, officers and supervisors.
        Staff = "staff",
    }
}

/// What an event does to the inbox.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Open {
        kind: ApprovalKind,
        org_id: i64,
        role: DeciderRole,
        /// The clock the decision affects.
        rule_id: Option<String>,
        /// What the inbox shows of it.
        data: Value,
    },
    /// Closes the open items of `kind` (every kind when `None`), only the one opened by the event
    /// `opened_seq` when given, only those of the organisation `org_id` when given.
    Close {
        kind: Option<ApprovalKind>,
        opened_seq: Option<i64>,
        org_id: Option<i64>,
    },
}

/// The facts of the case the effects need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseOrgs {
    pub owner_org_id: i64,
    /// The owning office's parent (the next-higher department).
    pub owner_parent_id: Option<i64>,
}

fn pick(payload: &Value, keys: &[&str]) -> Value {
    let mut m = Map::new();
    for k in keys {
        if let Some(v) = payload.get(*k).filter(|v| !v.is_null()) {
            m.insert((*k).to_string(), v.clone());
        }
    }
    Value::Object(m)
}

fn close(kind: ApprovalKind) -> Effect {
    Effect::Close {
        kind: Some(kind),
        opened_seq: None,
        org_id: None,
    }
}

/// What the event `kind` with `payload` does to the case's open items. `ends_case`: the write
/// leaves the case in a final state.
pub fn effects(
    kind: EventKind,
    payload: &Value,
    case: &CaseOrgs,
    rules: &Rules,
    ends_case: bool,
) -> Vec<Effect> {
    let org = |k: &str| payload.get(k).and_then(Value::as_i64);
    let mut out = Vec::new();
    match kind {
        EventKind::ExtensionRequested => {
            let rule_id = payload.get("rule_id").and_then(Value::as_str).unwrap_or("");
            let tier = payload.get("tier").and_then(Value::as_str).unwrap_or("");
            let approver = rules
                .get(rule_id)
                .and_then(|r| r.extensions.iter().find(|t| t.tier == tier))
                .map(|t| t.approver.as_str());
            let decided_by = match (decider(tier), approver) {
                (Decider::Parent, _) => case.owner_parent_id.map(|p| (p, DeciderRole::Supervisor)),
                (Decider::Own, Some("supervisor")) => {
                    Some((case.owner_org_id, DeciderRole::Supervisor))
                }
                (Decider::Own, Some(_)) => Some((case.owner_org_id, DeciderRole::Officer)),
                (Decider::Own, None) => None,
            };
            if let Some((org_id, role)) = decided_by {
                out.push(Effect::Open {
                    kind: ApprovalKind::Extension,
                    org_id,
                    role,
                    rule_id: Some(rule_id.to_string()),
                    data: pick(payload, &["tier", "amount", "unit", "reason"]),
                });
            }
        }
        EventKind::ExtensionApproved | EventKind::ExtensionRefused => out.push(Effect::Close {
            kind: Some(ApprovalKind::Extension),
            opened_seq: org("request_seq"),
            org_id: None,
        }),
        EventKind::RecusalApplied => out.push(Effect::Open {
            kind: ApprovalKind::Recusal,
            org_id: case.owner_org_id,
            role: DeciderRole::Supervisor,
            rule_id: Some("ar.recusal".into()),
            data: pick(payload, &["member_user_id", "applicant", "grounds"]),
        }),
        EventKind::RecusalDecided => out.push(close(ApprovalKind::Recusal)),
        EventKind::Referred => {
            // A lead referred while its dispute waited is settled by the two offices.
            out.push(close(ApprovalKind::Jurisdiction));
            if let Some(to) = org("to_org_id") {
                out.push(Effect::Open {
                    kind: ApprovalKind::Referral,
                    org_id: to,
                    role: DeciderRole::Staff,
                    rule_id: Some("referral.acknowledge".into()),
                    data: pick(payload, &["reason"]),
                });
            }
        }
        EventKind::ReferralAcknowledged | EventKind::ReferralReturned => {
            out.push(close(ApprovalKind::Referral))
        }
        EventKind::Shared => {
            if let Some(to) = org("org_id") {
                // A share given again replaces the earlier one.
                out.push(Effect::Close {
                    kind: Some(ApprovalKind::Share),
                    opened_seq: None,
                    org_id: Some(to),
                });
                out.push(Effect::Open {
                    kind: ApprovalKind::Share,
                    org_id: to,
                    role: DeciderRole::Staff,
                    rule_id: None,
                    data: pick(payload, &["access"]),
                });
            }
        }
        EventKind::ShareRevoked | EventKind::ShareAcknowledged => out.push(Effect::Close {
            kind: Some(ApprovalKind::Share),
            opened_seq: None,
            org_id: org("org_id"),
        }),
        EventKind::EvidenceExportRequested => out.push(Effect::Open {
            kind: ApprovalKind::ExportAbroad,
            org_id: case.owner_org_id,
            role: DeciderRole::Supervisor,
            rule_id: None,
            data: pick(payload, &["destination", "note"]),
        }),
        EventKind::EvidenceExportApproved => out.push(close(ApprovalKind::ExportAbroad)),
        EventKind::JurisdictionEscalated => {
            if let Some(to) = org("to_org_id") {
                out.push(Effect::Open {
                    kind: ApprovalKind::Jurisdiction,
                    org_id: to,
                    role: DeciderRole::Supervisor,
                    rule_id: None,
                    data: pick(payload, &["reason"]),
                });
            }
        }
        EventKind::JurisdictionDesignated => out.push(close(ApprovalKind::Jurisdiction)),
        // A lead decided while its dispute waited: nothing is left to designate.
        EventKind::Routed | EventKind::Rejected | EventKind::Merged => {
            out.push(close(ApprovalKind::Jurisdiction))
        }
        _ => {}
    }
    if ends_case {
        out.push(Effect::Close {
            kind: None,
            opened_seq: None,
            org_id: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CASE: CaseOrgs = CaseOrgs {
        owner_org_id: 10,
        owner_parent_id: Some(1),
    };

    fn opened(e: &[Effect]) -> Vec<(ApprovalKind, i64, DeciderRole)> {
        e.iter()
            .filter_map(|e| match e {
                Effect::Open {
                    kind, org_id, role, ..
                } => Some((*kind, *org_id, *role)),
                Effect::Close { .. } => None,
            })
            .collect()
    }

    #[test]
    fn an_extension_waits_for_the_approver_of_its_tier() {
        let rules = Rules::builtin();
        let ask = |rule: &str, tier: &str| {
            effects(
                EventKind::ExtensionRequested,
                &json!({"rule_id": rule, "tier": tier, "amount": 1, "unit": "calendar_months", "reason": "复杂"}),
                &CASE,
                rules,
                false,
            )
        };
        assert_eq!(
            opened(&ask("ar.closing", "department_head")),
            vec![(ApprovalKind::Extension, 10, DeciderRole::Supervisor)]
        );
        assert_eq!(
            opened(&ask("ar.closing", "higher_department")),
            vec![(ApprovalKind::Extension, 1, DeciderRole::Supervisor)]
        );
        // No such tier on the rule: nobody could decide it, nothing is opened.
        assert!(opened(&ask("ar.closing", "no_tier")).is_empty());
        let e = &ask("ar.closing", "department_head")[0];
        let Effect::Open { rule_id, data, .. } = e else {
            panic!("{e:?}")
        };
        assert_eq!(rule_id.as_deref(), Some("ar.closing"));
        assert_eq!(data["amount"], 1);
        assert!(data.get("rule_id").is_none());
        // The decision closes exactly that request.
        assert_eq!(
            effects(
                EventKind::ExtensionApproved,
                &json!({"request_seq": 12}),
                &CASE,
                rules,
                false
            ),
            vec![Effect::Close {
                kind: Some(ApprovalKind::Extension),
                opened_seq: Some(12),
                org_id: None
            }]
        );
    }

    #[test]
    fn referrals_shares_and_disputes_wait_for_the_receiving_office() {
        let rules = Rules::builtin();
        let e = |k, p: Value| effects(k, &p, &CASE, rules, false);
        assert_eq!(
            opened(&e(EventKind::Referred, json!({"to_org_id": 20}))),
            vec![(ApprovalKind::Referral, 20, DeciderRole::Staff)]
        );
        assert_eq!(
            opened(&e(
                EventKind::Shared,
                json!({"org_id": 30, "access": "read"})
            )),
            vec![(ApprovalKind::Share, 30, DeciderRole::Staff)]
        );
        assert_eq!(
            e(EventKind::ShareRevoked, json!({"org_id": 30})),
            vec![Effect::Close {
                kind: Some(ApprovalKind::Share),
                opened_seq: None,
                org_id: Some(30)
            }]
        );
        assert_eq!(
            opened(&e(
                EventKind::JurisdictionEscalated,
                json!({"to_org_id": 1})
            )),
            vec![(ApprovalKind::Jurisdiction, 1, DeciderRole::Supervisor)]
        );
        assert_eq!(
            opened(&e(
                EventKind::RecusalApplied,
                json!({"member_user_id": [4]})
            )),
            vec![(ApprovalKind::Recusal, 10, DeciderRole::Supervisor)]
        );
        assert_eq!(
            opened(&e(
                EventKind::EvidenceExportRequested,
                json!({"destination": "德国"})
            )),
            vec![(ApprovalKind::ExportAbroad, 10, DeciderRole::Supervisor)]
        );
        assert!(e(EventKind::HearingHeld, json!({})).is_empty());
    }

    #[test]
    fn a_lead_decided_meanwhile_closes_its_jurisdiction_dispute() {
        for k in [EventKind::Routed, EventKind::Referred, EventKind::Rejected] {
            let out = effects(k, &json!({}), &CASE, Rules::builtin(), false);
            assert!(
                out.contains(&close(ApprovalKind::Jurisdiction)),
                "{k}: {out:?}"
            );
        }
    }

    #[test]
    fn a_tier_an_officer_approves_waits_for_officers_and_supervisors() {
        let rules = Rules::builtin();
        let officer_tier = rules
            .rules
            .values()
            .find_map(|r| {
                r.extensions
                    .iter()
                    .find(|t| t.approver == "officer")
                    .map(|t| (r.id.clone(), t.tier.clone()))
            })
            .expect("a rule with an officer's tier");
        let out = effects(
            EventKind::ExtensionRequested,
            &json!({"rule_id": officer_tier.0, "tier": officer_tier.1, "amount": 5}),
            &CASE,
            rules,
            false,
        );
        assert_eq!(
            opened(&out),
            vec![(ApprovalKind::Extension, 10, DeciderRole::Officer)]
        );
    }

    #[test]
    fn a_case_that_ends_closes_everything() {
        let out = effects(EventKind::Closed, &json!({}), &CASE, Rules::builtin(), true);
        assert_eq!(
            out,
            vec![Effect::Close {
                kind: None,
                opened_seq: None,
                org_id: None
            }]
        );
    }
}
