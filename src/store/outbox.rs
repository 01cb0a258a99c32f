//! The search outbox: one row per change of a case, written in the transaction of the change, read
//! in id order by every node's indexer (`search::outbox::Cursor`), pruned after a week.

use chrono::{DateTime, Utc};
use entity::search_outbox;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, Value,
};

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
    super::bulk::insert_values(db, "search_outbox", &["case_id", "recorded_at"], values).await
}

/// Records that these cases changed, each at its own instant (cases stored together).
pub async fn enqueue_each<C: ConnectionTrait>(
    db: &C,
    changed: Vec<(i64, DateTime<Utc>)>,
) -> Result<(), DbErr> {
    super::bulk::insert_values(db, "search_outbox", &COLUMNS, values(changed)).await
}

/// The columns of an outbox row written in bulk.
pub(super) const COLUMNS: [&str; 2] = ["case_id", "recorded_at"];

/// The outbox rows of cases changed at the given instants, as [`COLUMNS`] values.
pub(super) fn values(changed: Vec<(i64, DateTime<Utc>)>) -> Vec<Value> {
    let mut values = Vec::with_capacity(changed.len() * 2);
    for (id, at) in changed {
        values.push(Value::from(id));
        values.push(at.into());
    }
    values
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
