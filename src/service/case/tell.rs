//! After the events of a write are appended, in the same transaction: the approvals inbox items
//! they open and close (`domain::approval`), and the notices they call for
//! (`domain::notice::event`), each to the users who may see the case, never to the person who
//! took the step, with its e-mail and SMS queued by the user's choices. One notice per user and
//! event (keyed `ev.<seq>` under the notices' unique index): the event and its notices commit
//! together or not at all.

use crate::domain::approval::{self, ApprovalKind, CaseOrgs, DeciderRole, Effect};
use crate::domain::case::EventKind;
use crate::domain::identity::{OrgKind, Role};
use crate::domain::notice::event::{self as told, After, Audience, Tell, Topic};
use crate::domain::policy::{self, Actor, CaseAccess};
use crate::error::Result;
use crate::service::Ctx;
use crate::service::notifications::queue_channels;
use crate::store::channels::Person;
use crate::store::notifications::NewNotice;
use crate::store::{self};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// An event as it was appended.
pub struct Recorded<'a> {
    pub seq: i64,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub public: bool,
    pub payload: &'a Value,
}

/// The topic of a notice about an item that waits for a decision.
fn approval_topic(kind: ApprovalKind) -> Topic {
    match kind {
        ApprovalKind::Referral | ApprovalKind::Share => Topic::Cooperation,
        _ => Topic::Approval,
    }
}

/// What a notice carries of its event: the public facts, and for office readers the reason too
/// (a message's text is public by nature: it was written to the other side).
fn detail(kind: EventKind, payload: &Value, to_filer: bool) -> Value {
    let mut d = told::public_detail(kind, payload);
    if let Value::Object(m) = &mut d {
        if matches!(
            kind,
            EventKind::MessagePosted | EventKind::MaterialRequested | EventKind::MaterialSubmitted
        ) && let Some(body) = payload.get("body").and_then(Value::as_str)
        {
            let excerpt: String = body.chars().take(120).collect();
            m.insert("body".into(), json!(excerpt));
        }
        if !to_filer && let Some(r) = payload.get("reason").filter(|r| !r.is_null()) {
            m.insert("reason".into(), r.clone());
        }
    }
    d
}

fn actor_of(p: &Person) -> Option<Actor> {
    Some(Actor {
        user_id: p.user_id,
        org_id: p.org_id,
        org_kind: p.org_kind.parse::<OrgKind>().ok()?,
        role: p.role.parse::<Role>().ok()?,
        region_code: p.region_code.clone(),
        // A notice goes to those who take part in the case, not to the offices above it.
        oversees: Vec::new(),
    })
}

fn hears(p: &Person, audience: Audience, filer_org: Option<i64>) -> bool {
    let role = p.role.parse::<Role>().ok();
    match audience {
        Audience::Filer => filer_org == Some(p.org_id) && role == Some(Role::EnterpriseFiler),
        Audience::Supervisors(org) => p.org_id == org && role == Some(Role::Supervisor),
        Audience::Officers(org) => {
            p.org_id == org && matches!(role, Some(Role::Officer | Role::Supervisor))
        }
        Audience::Staff(org) => {
            p.org_id == org
                && matches!(role, Some(Role::Triager | Role::Officer | Role::Supervisor))
        }
        Audience::User(u) => p.user_id == u,
    }
}

/// Whether an event may open or close an inbox item or tell anyone (decided before the write
/// reads anything for it: most events, such as evidence being viewed, concern nobody).
pub fn concerns(cx: &Ctx, kind: EventKind, public: bool, payload: &Value, ends: bool) -> bool {
    let any = CaseOrgs {
        owner_org_id: 0,
        owner_parent_id: Some(0),
    };
    let filed = After {
        owner_org_id: 0,
        filer_org_id: Some(0),
        assignee_user_id: None,
    };
    ends || !approval::effects(kind, payload, &any, cx.time.rules(), false).is_empty()
        || !told::tells(kind, public, payload, &filed).is_empty()
}

/// Applies the inbox effects of `events` on case `case_id` and stores their notices.
pub async fn after_events(
    cx: &Ctx,
    txn: &DatabaseTransaction,
    case_id: i64,
    events: &[Recorded<'_>],
    actor_user_id: Option<i64>,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let Some(case) = store::cases::find(txn, case_id).await? else {
        return Ok(());
    };
    let parent = store::orgs::get(txn, case.owner_org_id)
        .await?
        .and_then(|o| o.parent_id);
    let orgs = CaseOrgs {
        owner_org_id: case.owner_org_id,
        owner_parent_id: parent,
    };
    let after = After {
        owner_org_id: case.owner_org_id,
        filer_org_id: case.filer_org_id,
        assignee_user_id: case.assignee_user_id,
    };
    let ends = case.state.is_final();
    let rules = cx.time.rules();
    // (event, what it tells whom, the inbox item it is about)
    let mut tells: Vec<(&Recorded, Tell, Option<ApprovalKind>)> = Vec::new();
    for e in events {
        for effect in approval::effects(e.kind, e.payload, &orgs, rules, ends) {
            match effect {
                Effect::Open {
                    kind,
                    org_id,
                    role,
                    rule_id,
                    data,
                } => {
                    store::approvals::open(
                        txn,
                        store::approvals::NewItem {
                            case_id,
                            kind: kind.as_str().to_string(),
                            opened_seq: e.seq,
                            opened_by: actor_user_id,
                            org_id,
                            role,
                            rule_id,
                            data: data.to_string(),
                            at: e.at,
                        },
                    )
                    .await?;
                    let audience = match role {
                        DeciderRole::Supervisor => Audience::Supervisors(org_id),
                        DeciderRole::Officer => Audience::Officers(org_id),
                        DeciderRole::Staff => Audience::Staff(org_id),
                    };
                    tells.push((
                        e,
                        Tell {
                            topic: approval_topic(kind),
                            audience,
                        },
                        Some(kind),
                    ));
                }
                Effect::Close {
                    kind,
                    opened_seq,
                    org_id,
                } => {
                    store::approvals::close(
                        txn,
                        case_id,
                        kind.map(ApprovalKind::as_str),
                        opened_seq,
                        org_id,
                        e.seq,
                        e.at,
                    )
                    .await?;
                }
            }
        }
        for t in told::tells(e.kind, e.public, e.payload, &after) {
            tells.push((e, t, None));
        }
    }
    if tells.is_empty() {
        return Ok(());
    }

    // Who the audiences are, and whether each may see the case now.
    let mut org_ids: Vec<i64> = Vec::new();
    let mut user_ids: Vec<i64> = Vec::new();
    for (_, t, _) in &tells {
        match t.audience {
            Audience::Filer => org_ids.extend(case.filer_org_id),
            Audience::Supervisors(o) | Audience::Officers(o) | Audience::Staff(o) => {
                org_ids.push(o)
            }
            Audience::User(u) => user_ids.push(u),
        }
    }
    org_ids.sort_unstable();
    org_ids.dedup();
    user_ids.sort_unstable();
    user_ids.dedup();
    let people = store::channels::people(txn, &org_ids, &user_ids).await?;
    let facts = store::cases::policy_facts(txn, &case).await?;
    let sees: HashSet<i64> = people
        .iter()
        .filter(|p| {
            actor_of(p).is_some_and(|a| policy::case_access(&a, &facts) != CaseAccess::None)
        })
        .map(|p| p.user_id)
        .collect();

    let mut once: HashSet<(i64, i64)> = HashSet::new();
    let mut rows = Vec::new();
    for (e, t, item) in &tells {
        let to_filer = t.audience == Audience::Filer;
        let data = json!({
            "number": case.number,
            "title": case.title,
            "event": e.kind.as_str(),
            "approval": item.map(ApprovalKind::as_str),
            "detail": detail(e.kind, e.payload, to_filer),
            "srdi_rank": case.srdi_rank,
        })
        .to_string();
        for p in people.iter().filter(|p| {
            hears(p, t.audience, case.filer_org_id)
                && Some(p.user_id) != actor_user_id
                && sees.contains(&p.user_id)
        }) {
            if once.insert((p.user_id, e.seq)) {
                rows.push(NewNotice {
                    case_id,
                    rule_id: format!("ev.{}", e.seq),
                    kind: t.topic.as_str().to_string(),
                    due_at: e.at,
                    user_id: p.user_id,
                    data: data.clone(),
                });
            }
        }
    }
    let inserted = store::notifications::insert_notices(txn, rows, cx.now).await?;
    let by_user: HashMap<i64, &Person> = people.iter().map(|p| (p.user_id, p)).collect();
    queue_channels(&cx.outbound, cx.now, txn, &inserted, |id| {
        by_user.get(&id).map(|p| (p.email.clone(), p.phone.clone()))
    })
    .await?;
    Ok(())
}
