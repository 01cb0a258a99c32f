//! The statistics' rollups (`report_rollup`), kept in the transaction of every case write: a
//! case's facts are read again, compared with what it contributed last time
//! (`report_case_facts`), and the difference is added to the counters. Pure rules in
//! `domain::report::rollup`.

use crate::domain::case::{EventKind, ShareOrigin};
use crate::domain::report::rollup::{self, Counter, Def, Facts, Key};
use crate::domain::time::day_of;
use chrono::{DateTime, Utc};
use entity::{case_clocks, case_events, case_rights, case_shares, cases, exhibitions};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, Value,
};
use std::collections::HashMap;

/// At most this many cases are read per statement.
const CHUNK: usize = 500;

/// The cases' current facts, by id (a case that does not exist has none).
pub async fn facts_of<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Facts>, DbErr> {
    type Row = (
        i64,
        i64,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        String,
        String,
        String,
        String,
        String,
        i16,
        Option<i64>,
        Option<i64>,
    );
    let rows: Vec<Row> = cases::Entity::find()
        .select_only()
        .columns([
            cases::Column::Id,
            cases::Column::OwnerOrgId,
            cases::Column::ReceivedAt,
            cases::Column::ClosedAt,
            cases::Column::Queue,
            cases::Column::State,
            cases::Column::Source,
            cases::Column::Channel,
            cases::Column::RegionCode,
            cases::Column::SrdiRank,
            cases::Column::ExhibitionId,
            cases::Column::FilerOrgId,
        ])
        .filter(cases::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<i64, Facts> = rows
        .into_iter()
        .map(|(id, o, r, c, q, s, src, ch, rg, k, x, f)| {
            (
                id,
                Facts {
                    o,
                    r: day_of(r),
                    c: c.map(day_of),
                    q,
                    s,
                    src,
                    ch,
                    rg,
                    k,
                    x,
                    f,
                    ..Facts::default()
                },
            )
        })
        .collect();
    let events: Vec<(i64, String)> = case_events::Entity::find()
        .select_only()
        .columns([case_events::Column::CaseId, case_events::Column::Kind])
        .filter(case_events::Column::CaseId.is_in(ids.iter().copied()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    for (id, kind) in events {
        if let Some(f) = out.get_mut(&id) {
            f.e.push(kind);
        }
    }
    let grants: Vec<(i64, String)> = case_events::Entity::find()
        .select_only()
        .columns([case_events::Column::CaseId, case_events::Column::Payload])
        .filter(case_events::Column::CaseId.is_in(ids.iter().copied()))
        .filter(case_events::Column::Kind.eq(EventKind::ExtensionApproved.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    for (id, payload) in grants {
        let tier = serde_json::from_str::<serde_json::Value>(&payload)
            .ok()
            .and_then(|v| Some(v.get("tier")?.as_str()?.to_string()));
        if let (Some(f), Some(tier)) = (out.get_mut(&id), tier) {
            f.et.push(tier);
        }
    }
    let clocks: Vec<(i64, String, String)> = case_clocks::Entity::find()
        .select_only()
        .columns([
            case_clocks::Column::CaseId,
            case_clocks::Column::RuleId,
            case_clocks::Column::State,
        ])
        .filter(case_clocks::Column::CaseId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    for (id, rule, state) in clocks {
        if let Some(f) = out.get_mut(&id) {
            f.cl.push((rule, state));
        }
    }
    let rights: Vec<(i64, String)> = case_rights::Entity::find()
        .select_only()
        .columns([case_rights::Column::CaseId, case_rights::Column::Kind])
        .filter(case_rights::Column::CaseId.is_in(ids.iter().copied()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    for (id, kind) in rights {
        if let Some(f) = out.get_mut(&id) {
            f.rt.push(kind);
        }
    }
    // Active shares: "shared" counts those an office granted; every office working the case
    // (owner, referred to, granted a share) decides whether it is worked across regions.
    let shares: Vec<(i64, i64, String)> = case_shares::Entity::find()
        .select_only()
        .columns([
            case_shares::Column::CaseId,
            case_shares::Column::OrgId,
            case_shares::Column::Origin,
        ])
        .filter(case_shares::Column::CaseId.is_in(ids.iter().copied()))
        .filter(case_shares::Column::RevokedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let referred: Vec<(i64, Option<i64>)> = cases::Entity::find()
        .select_only()
        .columns([cases::Column::Id, cases::Column::ReferredToOrgId])
        .filter(cases::Column::Id.is_in(ids.iter().copied()))
        .filter(cases::Column::ReferredToOrgId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut working: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, f) in &out {
        working.entry(*id).or_default().push(f.o);
    }
    for (id, org) in referred.into_iter().filter_map(|(id, o)| Some((id, o?))) {
        working.entry(id).or_default().push(org);
    }
    for (id, org, origin) in shares {
        // Only a share an office granted is work with another office; the shares procedures
        // make (a superior deciding, the centre that triaged it) are not.
        if origin != ShareOrigin::Granted.as_str() {
            continue;
        }
        if let Some(f) = out.get_mut(&id) {
            f.sh = true;
        }
        working.entry(id).or_default().push(org);
    }
    let mut orgs: Vec<i64> = working.values().flatten().copied().collect();
    orgs.sort_unstable();
    orgs.dedup();
    let regions: HashMap<i64, String> = super::orgs::regions(db, &orgs).await?;
    for (id, offices) in working {
        if let Some(f) = out.get_mut(&id) {
            f.xr = crate::domain::region::cross_region(
                &f.rg,
                offices
                    .iter()
                    .filter_map(|o| regions.get(o).map(String::as_str)),
            );
        }
    }
    // Decided while its exhibition was open: a decision recorded no later than the exhibition
    // closed (as the list's `decided_at_fair` filter compares them). Exhibitions are never
    // edited, and a case's decisions and exhibition change only in its own writes.
    let decided: Vec<(i64, DateTime<Utc>)> = case_events::Entity::find()
        .select_only()
        .columns([case_events::Column::CaseId, case_events::Column::At])
        .filter(case_events::Column::CaseId.is_in(ids.iter().copied()))
        .filter(case_events::Column::Kind.is_in([
            EventKind::MeasuresOrdered.as_str(),
            EventKind::NoInfringementFound.as_str(),
        ]))
        .into_tuple()
        .all(db)
        .await?;
    if !decided.is_empty() {
        let mut shows: Vec<i64> = decided
            .iter()
            .filter_map(|(id, _)| out.get(id)?.x)
            .collect();
        shows.sort_unstable();
        shows.dedup();
        let closes: HashMap<i64, DateTime<Utc>> = exhibitions::Entity::find()
            .select_only()
            .columns([exhibitions::Column::Id, exhibitions::Column::ClosesAt])
            .filter(exhibitions::Column::Id.is_in(shows))
            .into_tuple::<(i64, DateTime<Utc>)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for (id, at) in decided {
            if let Some(f) = out.get_mut(&id)
                && let Some(closes) = f.x.and_then(|x| closes.get(&x))
                && at <= *closes
            {
                f.df = true;
            }
        }
    }
    // An overseas request's category and country, from the channel facts of the cases that
    // have them (`{"overseas":{"country":…,"category":…}}`).
    let overseas: Vec<(i64, String)> = cases::Entity::find()
        .select_only()
        .columns([cases::Column::Id, cases::Column::Facts])
        .filter(cases::Column::Id.is_in(ids.iter().copied()))
        .filter(cases::Column::Facts.like("%\"overseas\":{%"))
        .into_tuple()
        .all(db)
        .await?;
    for (id, text) in overseas {
        let facts: crate::domain::case::intake::Facts =
            serde_json::from_str(&text).unwrap_or_default();
        if let (Some(f), Some(o)) = (out.get_mut(&id), facts.overseas) {
            f.og = Some(o.category);
            f.oc = Some(o.country);
        }
    }
    for f in out.values_mut() {
        f.e.sort();
        f.e.dedup();
        f.cl.sort();
        f.cl.dedup();
        f.rt.sort();
        f.rt.dedup();
        f.et.sort();
        f.et.dedup();
    }
    Ok(out)
}

fn placeholders(backend: DbBackend, n: usize) -> String {
    (1..=n)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the cases contributed when last counted.
async fn counted<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<HashMap<i64, Facts>, DbErr> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT case_id, facts FROM report_case_facts WHERE case_id IN ({})",
        placeholders(backend, ids.len())
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            ids.iter().map(|i| Value::from(*i)).collect::<Vec<_>>(),
        ))
        .await?;
    let mut out = HashMap::new();
    for r in rows {
        let id: i64 = r.try_get_by_index(0)?;
        let text: String = r.try_get_by_index(1)?;
        // Unreadable text (an older version's) counts as nothing: a rebuild puts it right.
        if let Ok(f) = serde_json::from_str(&text) {
            out.insert(id, f);
        }
    }
    Ok(out)
}

/// Adds `deltas` to the counters.
async fn add<C: ConnectionTrait>(db: &C, deltas: HashMap<Key, i64>) -> Result<(), DbErr> {
    if deltas.is_empty() {
        return Ok(());
    }
    const COLS: [&str; 7] = ["org_id", "dim", "bucket", "figure", "value", "item", "n"];
    // In key order, so that two writers upserting counters in one statement each lock them in
    // the same order (PostgreSQL) and never wait for each other in a circle.
    let mut deltas: Vec<(Key, i64)> = deltas.into_iter().collect();
    deltas.sort_unstable();
    let mut values = Vec::with_capacity(deltas.len() * COLS.len());
    for (k, n) in deltas {
        values.extend([
            Value::from(k.org),
            k.dim.into(),
            k.bucket.into(),
            k.figure.into(),
            k.value.into(),
            k.item.into(),
            n.into(),
        ]);
    }
    super::bulk::upsert_values(
        db,
        "report_rollup",
        &COLS,
        values,
        " ON CONFLICT (org_id, dim, bucket, figure, value, item) \
         DO UPDATE SET n = report_rollup.n + excluded.n",
    )
    .await
}

/// Counts the cases `ids` again (in the caller's transaction, after their change): each moves
/// from the counters it was in to those its facts now put it in.
pub async fn refresh<C: ConnectionTrait>(db: &C, defs: &[Def], ids: &[i64]) -> Result<(), DbErr> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(CHUNK) {
        if db.get_database_backend() == DbBackend::Postgres {
            // Two writers counting the same case wait for each other (a write already holds
            // the row; the rebuild takes it here).
            let _: Vec<i64> = cases::Entity::find()
                .select_only()
                .column(cases::Column::Id)
                .filter(cases::Column::Id.is_in(chunk.iter().copied()))
                .order_by_asc(cases::Column::Id)
                .lock_exclusive()
                .into_tuple()
                .all(db)
                .await?;
        }
        let now = facts_of(db, chunk).await?;
        let before = counted(db, chunk).await?;
        let mut deltas = HashMap::new();
        let mut stored = Vec::new();
        for id in chunk {
            let (b, a) = (before.get(id), now.get(id));
            if b == a {
                continue;
            }
            rollup::diff(defs, b, a, &mut deltas);
            if let Some(a) = a {
                stored.push(Value::from(*id));
                stored.push(
                    serde_json::to_string(a)
                        .map_err(|e| DbErr::Custom(e.to_string()))?
                        .into(),
                );
            }
        }
        add(db, deltas).await?;
        if !stored.is_empty() {
            super::bulk::upsert_values(
                db,
                "report_case_facts",
                &["case_id", "facts"],
                stored,
                " ON CONFLICT (case_id) DO UPDATE SET facts = excluded.facts",
            )
            .await?;
        }
    }
    Ok(())
}

/// Counts new cases stored in this transaction (so nothing counted them before), their facts
/// and what they add to the counters computed by the caller: remembers what each contributed
/// (`facts`: `report_case_facts` rows, each case's id and its facts' text) and adds `deltas`.
pub async fn count_stored<W: super::bulk::Bulk>(
    db: &W,
    facts: Vec<Value>,
    deltas: HashMap<Key, i64>,
) -> Result<(), DbErr> {
    // The counters last: their rows stay locked until the transaction ends.
    db.insert_values("report_case_facts", &["case_id", "facts"], facts)
        .await?;
    add(db, deltas).await
}

/// What the cases contributed when last counted, by id (for the check against a recount).
pub async fn remembered<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Facts>, DbErr> {
    counted(db, ids).await
}

/// Empties the rollup (before a rebuild) and forgets which definitions it was built for.
pub async fn clear<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    for sql in [
        "DELETE FROM report_rollup_meta",
        "DELETE FROM report_rollup",
        "DELETE FROM report_case_facts",
    ] {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Records that the rollup must be built again (reports count from the lists until it is).
pub async fn unmark_built<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    db.execute_unprepared("DELETE FROM report_rollup_meta")
        .await
        .map(|_| ())
}

/// The definitions' fingerprint the rollup was completely built for, if any.
pub async fn built_for<C: ConnectionTrait>(db: &C) -> Result<Option<String>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT fingerprint FROM report_rollup_meta WHERE id = 1",
        ))
        .await?;
    row.map(|r| r.try_get_by_index::<String>(0)).transpose()
}

/// Records that the rollup is complete for the definitions of `fingerprint`.
pub async fn mark_built<C: ConnectionTrait>(
    db: &C,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    unmark_built(db).await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO report_rollup_meta (id, fingerprint, built_at) VALUES (1, {})",
            placeholders(backend, 2)
        ),
        [fingerprint.into(), now.into()],
    ))
    .await?;
    Ok(())
}

/// The non-zero counters of `owners` with dimension in `dims` (empty: none), of the months
/// `from`..=`to` or of the present.
pub async fn read<C: ConnectionTrait>(
    db: &C,
    owners: &[i64],
    dims: &[&str],
    months: (&str, &str),
) -> Result<Vec<Counter>, DbErr> {
    if owners.is_empty() || dims.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = owners.iter().map(|o| Value::from(*o)).collect();
    values.extend(dims.iter().map(|d| Value::from(d.to_string())));
    values.push(months.0.into());
    values.push(months.1.into());
    let all = placeholders(backend, values.len());
    let p: Vec<&str> = all.split(", ").collect();
    let (o, rest) = p.split_at(owners.len());
    let (d, m) = rest.split_at(dims.len());
    let sql = format!(
        "SELECT org_id, dim, bucket, figure, value, item, n FROM report_rollup \
         WHERE org_id IN ({}) AND dim IN ({}) AND (bucket = '' OR (bucket >= {} AND bucket <= {})) \
         AND n <> 0",
        o.join(", "),
        d.join(", "),
        m[0],
        m[1]
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Counter {
                org: r.try_get_by_index(0)?,
                dim: r.try_get_by_index(1)?,
                bucket: r.try_get_by_index(2)?,
                figure: r.try_get_by_index(3)?,
                value: r.try_get_by_index(4)?,
                item: r.try_get_by_index(5)?,
                n: r.try_get_by_index(6)?,
            })
        })
        .collect()
}

/// Every non-zero counter, sorted by key (for the check against a recount).
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<Counter>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT org_id, dim, bucket, figure, value, item, n FROM report_rollup WHERE n <> 0 \
             ORDER BY org_id, dim, bucket, figure, value, item",
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Counter {
                org: r.try_get_by_index(0)?,
                dim: r.try_get_by_index(1)?,
                bucket: r.try_get_by_index(2)?,
                figure: r.try_get_by_index(3)?,
                value: r.try_get_by_index(4)?,
                item: r.try_get_by_index(5)?,
                n: r.try_get_by_index(6)?,
            })
        })
        .collect()
}
