//! Event notices, pure: which steps of a case tell whom. The write path (`service::tidings`)
//! asks [`tells`] for every event it records, resolves each audience to users, drops anyone who
//! cannot see the case (`policy::case_access`) and the person who took the step, and stores one
//! notice per user and event in the write's own transaction (so exactly once: the event and its
//! notices commit together or not at all).
//!
//! - The **filer** (the filing enterprise's filers) hears only of public events, and only of the
//!   steps that change where their filing stands: routed, referred, rejected, merged, docketed or
//!   refused, accepted or declined, material requested, a document addressed to them issued, an
//!   outcome, the close, and the office's messages.
//! - An **office** hears of a case shared with it or referred to it, of a referral it made coming
//!   back, and of a lead it was designated for.
//! - A **decider** hears of what waits for their decision (`domain::approval`).
//! - An **assignee** hears that a case was assigned to them, or that they sit on its panel.

use crate::domain::case::EventKind;
use crate::domain::workflow::Document;
use serde_json::Value;

names! {
    /// What a notice is about; each user chooses per topic which channels they want.
    Topic {
        /// Deadline notices: due soon, overdue, escalation.
        Deadline = "deadline",
        /// Where a filing stands (for the filer).
        Progress = "progress",
        /// Something waits for the reader's decision.
        Approval = "approval",
        /// A case shared with or referred to the reader's office, or returned to it.
        Cooperation = "cooperation",
        /// A case assigned to the reader, or a panel they sit on.
        Assignment = "assignment",
        /// A message on a case, or a request for material.
        Message = "message",
    }
}

impl Topic {
    /// The catalogue key of its label.
    pub fn key(self) -> String {
        format!("notice.topic.{}", self.as_str())
    }

    /// The topic of a stored notice's kind: the deadline notices' kinds, or a topic.
    pub fn of_kind(kind: &str) -> Topic {
        if super::Kind::parse(kind).is_some() {
            Topic::Deadline
        } else {
            Topic::parse(kind).unwrap_or(Topic::Progress)
        }
    }

    /// Whether it goes out by e-mail when the user has not chosen (an address is needed too).
    pub fn email_by_default(self) -> bool {
        true
    }

    /// Whether it goes out by SMS when the user has not chosen (a phone number is needed too):
    /// only what the reader must act on soon.
    pub fn sms_by_default(self) -> bool {
        matches!(self, Topic::Approval)
    }
}

/// Who hears of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    /// The filers of the filing enterprise.
    Filer,
    /// The supervisors of an organisation.
    Supervisors(i64),
    /// The officers and supervisors of an organisation.
    Officers(i64),
    /// The triagers, officers and supervisors of an organisation.
    Staff(i64),
    /// One user.
    User(i64),
}

/// One notice an event calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tell {
    pub topic: Topic,
    pub audience: Audience,
}

/// The facts of the case after the write that decide who hears.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct After {
    pub owner_org_id: i64,
    pub filer_org_id: Option<i64>,
    pub assignee_user_id: Option<i64>,
}

/// The steps the filer hears of (when the event is public).
const TO_FILER: &[EventKind] = &[
    EventKind::Routed,
    EventKind::Referred,
    EventKind::Rejected,
    EventKind::Merged,
    EventKind::Docketed,
    EventKind::DocketRefused,
    EventKind::Accepted,
    EventKind::Declined,
    EventKind::CorrectionRequested,
    EventKind::Decided,
    EventKind::Mediated,
    EventKind::Revoked,
    EventKind::MeasuresOrdered,
    EventKind::NoInfringementFound,
    EventKind::TransferredAtClose,
    EventKind::TransferredToRegulator,
    EventKind::GuidanceGiven,
    EventKind::FundDecided,
    EventKind::FundPaid,
    EventKind::Closed,
];

fn id(payload: &Value, key: &str) -> Option<i64> {
    payload.get(key).and_then(Value::as_i64)
}

/// The user ids of a list field (the workflow's user fields are lists) or a single id.
fn ids(payload: &Value, key: &str) -> Vec<i64> {
    match payload.get(key) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_i64).collect(),
        Some(v) => v.as_i64().into_iter().collect(),
        None => Vec::new(),
    }
}

/// Whether a message event came from the filing enterprise.
pub fn from_filer(payload: &Value) -> bool {
    payload.get("from").and_then(Value::as_str) == Some("filer")
}

/// The notices an event recorded on a case calls for, besides those of what it opens for a
/// decision (`domain::approval::effects`).
pub fn tells(kind: EventKind, public: bool, payload: &Value, case: &After) -> Vec<Tell> {
    let mut out = Vec::new();
    let mut tell = |topic, audience| out.push(Tell { topic, audience });
    let filer = case.filer_org_id.is_some() && public;
    // Who works the case: its assignee, or else its office.
    let worker = case
        .assignee_user_id
        .map(Audience::User)
        .unwrap_or(Audience::Staff(case.owner_org_id));
    match kind {
        EventKind::MessagePosted | EventKind::MaterialRequested | EventKind::MaterialSubmitted => {
            if kind == EventKind::MaterialSubmitted || from_filer(payload) {
                tell(Topic::Message, worker);
            } else if filer {
                tell(Topic::Message, Audience::Filer);
            }
        }
        EventKind::DocumentGenerated => {
            let to_requester = payload
                .get("kind")
                .and_then(Value::as_str)
                .and_then(Document::parse)
                .is_some_and(Document::to_requester);
            if filer && to_requester {
                tell(Topic::Progress, Audience::Filer);
            }
        }
        EventKind::ReferralReturned => tell(Topic::Cooperation, Audience::Staff(case.owner_org_id)),
        // A campaign's referral goes to the body's staff; its acknowledgement back to the owner.
        EventKind::CampaignReferred => {
            if let Some(org) = id(payload, "to_org_id") {
                tell(Topic::Cooperation, Audience::Staff(org));
            }
        }
        EventKind::CampaignReferralAcknowledged => {
            tell(Topic::Cooperation, Audience::Staff(case.owner_org_id))
        }
        // An application waits for the fund's reviewers: the managing office's supervisors, or
        // for a panel its officers too.
        EventKind::FundApplied => {
            if let Some(org) = id(payload, "fund_org_id") {
                let panel = payload.get("panel").and_then(Value::as_bool) == Some(true);
                let who = if panel {
                    Audience::Officers(org)
                } else {
                    Audience::Supervisors(org)
                };
                tell(Topic::Approval, who);
            }
        }
        EventKind::JurisdictionDesignated => {
            if let Some(org) = id(payload, "to_org_id") {
                tell(Topic::Cooperation, Audience::Staff(org));
            }
        }
        EventKind::Assigned => {
            if let Some(u) = id(payload, "assignee_user_id") {
                tell(Topic::Assignment, Audience::User(u));
            }
        }
        EventKind::RecusalDecided => {
            for u in ids(payload, "replacement_user_id") {
                tell(Topic::Assignment, Audience::User(u));
            }
        }
        _ => {}
    }
    if kind == EventKind::Docketed {
        for u in ids(payload, "panel_user_ids") {
            tell(Topic::Assignment, Audience::User(u));
        }
    }
    if filer && TO_FILER.contains(&kind) {
        tell(Topic::Progress, Audience::Filer);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The facts of an event a filer's notice may carry: the public reason of a rejection or
/// refusal and the office a case went to; nothing internal.
pub fn public_detail(kind: EventKind, payload: &Value) -> Value {
    let pick = |keys: &[&str]| {
        let mut m = serde_json::Map::new();
        for k in keys {
            if let Some(v) = payload.get(*k).filter(|v| !v.is_null()) {
                m.insert((*k).to_string(), v.clone());
            }
        }
        Value::Object(m)
    };
    match kind {
        // The reason in the filer's words, and the rejection's reason code (its label is public).
        EventKind::Rejected => pick(&["reason", "reason_code"]),
        EventKind::DocketRefused | EventKind::Declined => pick(&["reason"]),
        EventKind::Referred | EventKind::TransferredToRegulator | EventKind::CampaignReferred => {
            pick(&["to_org"])
        }
        EventKind::Routed => pick(&["queue"]),
        EventKind::DocumentGenerated => pick(&["kind"]),
        // The fund, the amount granted or paid, and the reviewers' reasons (written to the
        // enterprise).
        EventKind::FundDecided | EventKind::FundPaid => pick(&["fund", "amount_yuan", "reason"]),
        EventKind::MaterialRequested => pick(&["material_due"]),
        _ => Value::Object(Default::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(filer: bool, assignee: Option<i64>) -> After {
        After {
            owner_org_id: 10,
            filer_org_id: filer.then_some(50),
            assignee_user_id: assignee,
        }
    }

    fn audiences(t: Vec<Tell>) -> Vec<Audience> {
        t.into_iter().map(|t| t.audience).collect()
    }

    #[test]
    fn the_filer_hears_of_public_steps_on_its_filing_only() {
        let c = case(true, None);
        for k in [
            EventKind::Routed,
            EventKind::Rejected,
            EventKind::Docketed,
            EventKind::DocketRefused,
            EventKind::Closed,
        ] {
            assert_eq!(
                tells(k, true, &json!({}), &c),
                vec![Tell {
                    topic: Topic::Progress,
                    audience: Audience::Filer
                }],
                "{k}"
            );
            // An internal event is never told to the filer.
            assert!(tells(k, false, &json!({}), &c).is_empty(), "{k}");
        }
        // A lead an office entered has no filer.
        assert!(tells(EventKind::Routed, true, &json!({}), &case(false, None)).is_empty());
        // Steps that do not change where the filing stands.
        assert!(tells(EventKind::HearingPostponed, true, &json!({}), &c).is_empty());
    }

    #[test]
    fn documents_reach_the_filer_only_when_addressed_to_them() {
        let c = case(true, None);
        let doc = |kind: &str| {
            tells(
                EventKind::DocumentGenerated,
                true,
                &json!({"kind": kind}),
                &c,
            )
        };
        assert_eq!(audiences(doc("acceptance_notice")), vec![Audience::Filer]);
        assert_eq!(audiences(doc("ruling")), vec![Audience::Filer]);
        assert!(doc("answer_notice").is_empty());
        assert!(doc("transfer_letter").is_empty());
        assert!(doc("no_such_document").is_empty());
    }

    #[test]
    fn messages_go_to_the_other_side() {
        let c = case(true, Some(7));
        let office = json!({"from": "office", "body": "请补充"});
        let filer = json!({"from": "filer", "body": "已补充"});
        assert_eq!(
            tells(EventKind::MessagePosted, true, &office, &c),
            vec![Tell {
                topic: Topic::Message,
                audience: Audience::Filer
            }]
        );
        assert_eq!(
            audiences(tells(EventKind::MessagePosted, true, &filer, &c)),
            vec![Audience::User(7)]
        );
        assert_eq!(
            audiences(tells(
                EventKind::MaterialSubmitted,
                true,
                &filer,
                &case(true, None)
            )),
            vec![Audience::Staff(10)]
        );
        assert_eq!(
            audiences(tells(EventKind::MaterialRequested, true, &office, &c)),
            vec![Audience::Filer]
        );
    }

    #[test]
    fn offices_and_assignees_hear_of_what_comes_to_them() {
        let c = case(false, None);
        assert_eq!(
            audiences(tells(EventKind::ReferralReturned, false, &json!({}), &c)),
            vec![Audience::Staff(10)]
        );
        assert_eq!(
            audiences(tells(
                EventKind::JurisdictionDesignated,
                false,
                &json!({"to_org_id": 30}),
                &c
            )),
            vec![Audience::Staff(30)]
        );
        assert_eq!(
            audiences(tells(
                EventKind::Assigned,
                false,
                &json!({"assignee_user_id": 8}),
                &c
            )),
            vec![Audience::User(8)]
        );
        // Unassigned: nobody to tell.
        assert!(
            tells(
                EventKind::Assigned,
                false,
                &json!({"assignee_user_id": null}),
                &c
            )
            .is_empty()
        );
        let docketed = tells(
            EventKind::Docketed,
            true,
            &json!({"panel_user_ids": [1, 2, 3]}),
            &case(true, None),
        );
        assert_eq!(
            audiences(docketed),
            vec![
                Audience::Filer,
                Audience::User(1),
                Audience::User(2),
                Audience::User(3)
            ]
        );
    }

    #[test]
    fn a_filer_is_told_only_public_facts() {
        let p = json!({"reason": "不属于受理范围", "reason_code": "out_of_scope", "note": "内部意见", "to_org_id": 5});
        assert_eq!(
            public_detail(EventKind::Rejected, &p),
            json!({"reason": "不属于受理范围", "reason_code": "out_of_scope"})
        );
        assert_eq!(
            public_detail(EventKind::DocketRefused, &p),
            json!({"reason": "不属于受理范围"})
        );
        assert_eq!(public_detail(EventKind::Closed, &p), json!({}));
        assert_eq!(
            public_detail(
                EventKind::Referred,
                &json!({"to_org": "苏州市知识产权局", "to_org_id": 5, "reason": "内部"})
            ),
            json!({"to_org": "苏州市知识产权局"})
        );
    }
}
