//! Reading cases as the search index sees them (the outbox that says which changed is
//! `store::outbox`).

use crate::domain::case::{CaseState, Queue};
use crate::search::doc::{CaseDoc, Party, Right};
use entity::{case_events, case_parties, case_rights, case_shares, cases, evidence, users};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// Case ids after `after`, in order, at most `limit` (for rebuilding).
pub async fn case_ids_after<C: ConnectionTrait>(
    db: &C,
    after: i64,
    limit: u64,
) -> Result<Vec<i64>, DbErr> {
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(cases::Column::Id.gt(after))
        .order_by_asc(cases::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}

/// Payload keys of internal events whose text is an officer's note.
const NOTE_KEYS: [&str; 6] = ["note", "reason", "summary", "comment", "text", "decision"];

fn collect_notes(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match v {
                    serde_json::Value::String(s) if NOTE_KEYS.contains(&k.as_str()) => {
                        if !s.trim().is_empty() {
                            out.push(s.clone());
                        }
                    }
                    _ => collect_notes(v, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_notes(v, out)),
        _ => {}
    }
}

/// Channel facts as words (exhibition name, venue, booth, organiser; overseas country).
fn fact_words(facts: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(facts) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(e) = v.get("exhibition") {
        for k in ["name", "venue", "booth", "organiser"] {
            if let Some(s) = e.get(k).and_then(|s| s.as_str()) {
                out.push(s.to_string());
            }
        }
    }
    if let Some(c) = v
        .get("overseas")
        .and_then(|o| o.get("country"))
        .and_then(|s| s.as_str())
    {
        out.push(c.to_string());
        if let Some(name) = crate::search::doc::country_name_zh(c) {
            out.push(name.to_string());
        }
    }
    out
}

/// The cases with these ids as the index sees them (ids that do not exist are left out).
pub async fn docs<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<Vec<CaseDoc>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = ids.to_vec();
    let rows = cases::Entity::find()
        .filter(cases::Column::Id.is_in(ids.clone()))
        .order_by_asc(cases::Column::Id)
        .all(db)
        .await?;
    let mut parties: HashMap<i64, Vec<Party>> = HashMap::new();
    for p in case_parties::Entity::find()
        .filter(case_parties::Column::CaseId.is_in(ids.clone()))
        .order_by_asc(case_parties::Column::Position)
        .all(db)
        .await?
    {
        parties.entry(p.case_id).or_default().push(Party {
            name: p.name,
            uscc: p.uscc,
            address: p.address,
            listing_url: p.listing_url,
        });
    }
    let mut rights: HashMap<i64, Vec<Right>> = HashMap::new();
    for r in case_rights::Entity::find()
        .filter(case_rights::Column::CaseId.is_in(ids.clone()))
        .order_by_asc(case_rights::Column::Position)
        .all(db)
        .await?
    {
        rights.entry(r.case_id).or_default().push(Right {
            kind: r.kind,
            number: r.number,
            title: r.title,
            holder: r.holder,
        });
    }
    let mut shares: HashMap<i64, Vec<i64>> = HashMap::new();
    for s in case_shares::Entity::find()
        .filter(case_shares::Column::CaseId.is_in(ids.clone()))
        .filter(case_shares::Column::RevokedAt.is_null())
        .all(db)
        .await?
    {
        shares.entry(s.case_id).or_default().push(s.org_id);
    }
    let mut items: HashMap<i64, Vec<(i64, String, i64)>> = HashMap::new();
    for (case_id, no, description, org) in evidence::Entity::find()
        .select_only()
        .column(evidence::Column::CaseId)
        .column(evidence::Column::No)
        .column(evidence::Column::Description)
        .column(evidence::Column::UploaderOrgId)
        .filter(evidence::Column::CaseId.is_in(ids.clone()))
        .into_tuple::<(i64, i64, String, i64)>()
        .all(db)
        .await?
    {
        items
            .entry(case_id)
            .or_default()
            .push((no, description, org));
    }
    let mut notes: HashMap<i64, Vec<String>> = HashMap::new();
    for (case_id, payload) in case_events::Entity::find()
        .select_only()
        .column(case_events::Column::CaseId)
        .column(case_events::Column::Payload)
        .filter(case_events::Column::CaseId.is_in(ids.clone()))
        .filter(case_events::Column::Public.eq(false))
        .order_by_asc(case_events::Column::CaseId)
        .order_by_asc(case_events::Column::Seq)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
    {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&payload) {
            collect_notes(&v, notes.entry(case_id).or_default());
        }
    }
    let assignees: Vec<i64> = rows.iter().filter_map(|c| c.assignee_user_id).collect();
    let orgs: HashMap<i64, i64> = if assignees.is_empty() {
        HashMap::new()
    } else {
        users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::OrgId)
            .filter(users::Column::Id.is_in(assignees))
            .into_tuple::<(i64, i64)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|c| {
            let mut ev = items.remove(&c.id).unwrap_or_default();
            ev.sort_by_key(|e| e.0);
            CaseDoc {
                evidence: ev
                    .into_iter()
                    .map(|(_, d, org)| (d, Some(org) == c.filer_org_id))
                    .collect(),
                parties: parties.remove(&c.id).unwrap_or_default(),
                rights: rights.remove(&c.id).unwrap_or_default(),
                share_org_ids: shares.remove(&c.id).unwrap_or_default(),
                notes: notes.remove(&c.id).unwrap_or_default(),
                facts: fact_words(&c.facts),
                assignee_org_id: c.assignee_user_id.and_then(|u| orgs.get(&u).copied()),
                awaiting_triage: c.queue == Queue::Triage.as_str()
                    && c.state == CaseState::New.as_str(),
                open: c.closed_at.is_none(),
                id: c.id,
                number: c.number,
                title: c.title,
                description: c.description,
                queue: c.queue,
                state: c.state,
                channel: c.channel,
                region_code: c.region_code,
                srdi_rank: c.srdi_rank,
                next_due_at: c.next_due_at,
                owner_org_id: c.owner_org_id,
                filer_org_id: c.filer_org_id,
                referred_to_org_id: c.referred_to_org_id,
                assignee_user_id: c.assignee_user_id,
                complainant_uscc: c.complainant_uscc,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn notes_come_from_note_keys_at_any_depth() {
        let mut out = Vec::new();
        collect_notes(
            &json!({"note": "已约谈", "values": {"reason": "证据不足", "count": 3, "label": "E1"},
                    "list": [{"summary": "答辩要点"}], "reason_code": "x", "text": "  "}),
            &mut out,
        );
        out.sort();
        assert_eq!(out, vec!["已约谈", "答辩要点", "证据不足"]);
    }

    #[test]
    fn channel_facts_become_words() {
        let w = fact_words(
            r#"{"exhibition":{"name":"中国国际工业博览会","venue":"国家会展中心","booth":"A12","opens_at":"x","closes_at":"y"}}"#,
        );
        assert_eq!(w, vec!["中国国际工业博览会", "国家会展中心", "A12"]);
        assert!(fact_words("not json").is_empty());
    }
}
