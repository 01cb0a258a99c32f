//! What a user reads: their notices (newest first, the unread count, marking read) and "my
//! deadlines", the open clocks of the cases they may see.

use crate::domain::deadline::State;
use chrono::{DateTime, Utc};
use entity::{case_clocks, cases, notifications};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// A user's notices, newest first, after `before` (an id) when given.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<notifications::Model>, DbErr> {
    let mut q = notifications::Entity::find().filter(notifications::Column::UserId.eq(user_id));
    if let Some(b) = before {
        q = q.filter(notifications::Column::Id.lt(b));
    }
    q.order_by_desc(notifications::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// How many notices `user_id` has not read (a COUNT on the `(user_id, read_at)` index).
pub async fn unread_count<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<u64, DbErr> {
    notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .count(db)
        .await
}

/// Marks one of `user_id`'s notices read; false when it is not theirs (or does not exist).
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mine = notifications::Entity::find_by_id(id)
        .filter(notifications::Column::UserId.eq(user_id))
        .count(db)
        .await?;
    if mine == 0 {
        return Ok(false);
    }
    notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(now))
        .filter(notifications::Column::Id.eq(id))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(true)
}

/// Marks every unread notice of `user_id` read; returns how many.
pub async fn mark_all_read<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let res = notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(now))
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// A running or missed clock of an open case, with its case.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct OpenClock {
    pub case_id: i64,
    pub rule_id: String,
    pub name: String,
    pub unit: String,
    pub due_at: DateTime<Utc>,
    pub state: String,
    pub provisional: bool,
    pub number: String,
    pub title: String,
    pub srdi_rank: i16,
}

/// The running and missed clocks due by `until` of the open cases matching `visible` (the
/// access policy's SQL twin), soonest first, 专精特新 first among equals; at most `limit`.
pub async fn open_clocks<C: ConnectionTrait>(
    db: &C,
    visible: Condition,
    until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<OpenClock>, DbErr> {
    let cc = case_clocks::Entity;
    let stmt = Query::select()
        .columns([
            (cc, case_clocks::Column::CaseId),
            (cc, case_clocks::Column::RuleId),
            (cc, case_clocks::Column::Name),
            (cc, case_clocks::Column::Unit),
            (cc, case_clocks::Column::DueAt),
            (cc, case_clocks::Column::State),
            (cc, case_clocks::Column::Provisional),
        ])
        .columns([
            (cases::Entity, cases::Column::Number),
            (cases::Entity, cases::Column::Title),
            (cases::Entity, cases::Column::SrdiRank),
        ])
        .from(cc)
        .inner_join(
            cases::Entity,
            Expr::col((cases::Entity, cases::Column::Id)).equals((cc, case_clocks::Column::CaseId)),
        )
        .and_where(
            Expr::col((cc, case_clocks::Column::State))
                .is_in([State::Running.as_str(), State::Missed.as_str()]),
        )
        .and_where(Expr::col((cc, case_clocks::Column::DueAt)).lte(until))
        .and_where(Expr::col((cases::Entity, cases::Column::ClosedAt)).is_null())
        .cond_where(visible)
        .order_by((cc, case_clocks::Column::DueAt), sea_orm::Order::Asc)
        .order_by(
            (cases::Entity, cases::Column::SrdiRank),
            sea_orm::Order::Desc,
        )
        .order_by((cc, case_clocks::Column::CaseId), sea_orm::Order::Asc)
        .order_by((cc, case_clocks::Column::RuleId), sea_orm::Order::Asc)
        .limit(limit)
        .to_owned();
    let rows = db.query_all(&stmt).await?;
    rows.iter()
        .map(|r| OpenClock::from_query_result(r, ""))
        .collect()
}
