//! The search outbox, and reading cases as the index sees them.

use crate::domain::case::{Queue, STATE_NEW};
use crate::search::doc::{CaseDoc, Party, Right};
use chrono::{DateTime, Utc};
use entity::{
    case_events, case_parties, case_rights, case_shares, cases, evidence, search_outbox, users,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, Value,
};
use std::collections::HashMap;

/// Records that these cases changed (in the caller's transaction).
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    case_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if case_ids.is_empty() {
        return Ok(());
    }
    let mut values = Vec::with_capacity(case_ids.len() * 2);
    for id in case_ids {
        values.push(Value::from(*id));
        values.push(now.into());
    }
    super::cases::insert_values(db, "search_outbox", &["case_id", "recorded_at"], values).await
}

/// Records that every case matching `condition` (SQL over `cases`, with `?` placeholders
/// for `values`) changed, in one `INSERT … SELECT`.
async fn enqueue_matching<C: ConnectionTrait>(
    db: &C,
    condition: &str,
    values: Vec<Value>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let mut sql = format!(
        "INSERT INTO search_outbox (case_id, recorded_at) SELECT id, ? FROM cases WHERE {condition}"
    );
    if backend == DbBackend::Postgres {
        let mut n = 0;
        sql = sql
            .split('?')
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_string()
                } else {
                    n += 1;
                    format!("${n}{part}")
                }
            })
            .collect();
    }
    let mut all = vec![Value::from(now)];
    all.extend(values);
    db.execute_raw(Statement::from_sql_and_values(backend, sql, all))
        .await?;
    Ok(())
}

/// Records that the cases of a complainant whose SRDI rank is about to become `rank` changed.
pub async fn enqueue_for_uscc<C: ConnectionTrait>(
    db: &C,
    uscc: &str,
    rank: i16,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let values = vec![uscc.into(), rank.into()];
    enqueue_matching(db, "complainant_uscc = ? AND srdi_rank <> ?", values, now).await
}

/// Records that the cases assigned to `user_id` changed (their assignee may have moved to
/// another organisation, which decides who sees them).
pub async fn enqueue_for_assignee<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    enqueue_matching(db, "assignee_user_id = ?", vec![user_id.into()], now).await
}

/// Outbox rows after `after`, in id order: (row id, case id).
pub async fn pending<C: ConnectionTrait>(
    db: &C,
    after: i64,
    limit: u64,
) -> Result<Vec<(i64, i64)>, DbErr> {
    between(db, after, i64::MAX, limit).await
}

/// Outbox rows strictly between `from` and `to` (a hole the cursor waits for), at most `limit`.
pub async fn between<C: ConnectionTrait>(
    db: &C,
    from: i64,
    to: i64,
    limit: u64,
) -> Result<Vec<(i64, i64)>, DbErr> {
    search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::Id)
        .column(search_outbox::Column::CaseId)
        .filter(search_outbox::Column::Id.gt(from))
        .filter(search_outbox::Column::Id.lt(to))
        .order_by_asc(search_outbox::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}

/// The first outbox row recorded at or after `since`.
pub async fn first_id_since<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    search_outbox::Entity::find()
        .select_only()
        .column_as(search_outbox::Column::Id.min(), "m")
        .filter(search_outbox::Column::RecordedAt.gte(since))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await
        .map(Option::flatten)
}

/// The last outbox row id (0: none yet).
pub async fn last_id<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    let max: Option<i64> = search_outbox::Entity::find()
        .select_only()
        .column_as(search_outbox::Column::Id.max(), "m")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten();
    Ok(max.unwrap_or(0))
}

/// The first outbox row id still kept, if any.
pub async fn first_id<C: ConnectionTrait>(db: &C) -> Result<Option<i64>, DbErr> {
    search_outbox::Entity::find()
        .select_only()
        .column_as(search_outbox::Column::Id.min(), "m")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await
        .map(Option::flatten)
}

/// Removes rows recorded before `before`; returns how many.
pub async fn prune<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let res = search_outbox::Entity::delete_many()
        .filter(search_outbox::Column::RecordedAt.lt(before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// On PostgreSQL: (oldest transaction still running, next transaction id) of the current
/// snapshot, to tell a gap in the outbox ids that a running transaction will still fill from one
/// left by a rollback.
pub async fn pg_snapshot<C: ConnectionTrait>(db: &C) -> Result<Option<(i64, i64)>, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(None);
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, \
                    pg_snapshot_xmax(pg_current_snapshot())::text::bigint",
        ))
        .await?;
    Ok(match row {
        Some(r) => Some((r.try_get_by_index(0)?, r.try_get_by_index(1)?)),
        None => None,
    })
}

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
                awaiting_triage: c.queue == Queue::Triage.as_str() && c.state == STATE_NEW,
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
