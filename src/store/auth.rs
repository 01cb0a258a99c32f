//! Web sessions, API tokens and sign-in attempts.

use crate::domain::throttle::{self, Counts, Tally};
use chrono::{DateTime, Duration, Utc};
use entity::{api_tokens, login_attempts, organizations, sessions, users};
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A new web session (the token already hashed).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub client_addr: String,
    pub user_agent: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_session<C: ConnectionTrait>(
    db: &C,
    s: NewSession,
    now: DateTime<Utc>,
) -> Result<sessions::Model, DbErr> {
    sessions::ActiveModel {
        token_hash: Set(s.token_hash),
        user_id: Set(s.user_id),
        csrf_token: Set(s.csrf_token),
        client_addr: Set(s.client_addr),
        user_agent: Set(s.user_agent),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(s.expires_at),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A live principal: the session or token row, the user and the organisation.
pub type Principal<T> = (T, users::Model, organizations::Model);

/// The session with this token hash, with its user and organisation.
pub async fn session_by_hash<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
) -> Result<Option<Principal<sessions::Model>>, DbErr> {
    let Some(s) = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(super::users::with_org(db, s.user_id)
        .await?
        .map(|(u, o)| (s, u, o)))
}

pub async fn touch_session<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::LastSeenAt, Expr::value(now))
        .filter(sessions::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn delete_session<C: ConnectionTrait>(db: &C, id: i64) -> Result<(), DbErr> {
    sessions::Entity::delete_by_id(id)
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn delete_session_by_hash<C: ConnectionTrait>(db: &C, hash: &str) -> Result<u64, DbErr> {
    Ok(sessions::Entity::delete_many()
        .filter(sessions::Column::TokenHash.eq(hash))
        .exec(db)
        .await?
        .rows_affected)
}

/// Ends every session of a user; returns how many.
pub async fn delete_sessions_of<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<u64, DbErr> {
    Ok(sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// Removes sessions past their expiry or idle limit; returns how many.
pub async fn purge_sessions<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    idle_cutoff: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(sessions::Entity::delete_many()
        .filter(
            sessions::Column::ExpiresAt
                .lte(now)
                .or(sessions::Column::LastSeenAt.lt(idle_cutoff)),
        )
        .exec(db)
        .await?
        .rows_affected)
}

pub async fn insert_token<C: ConnectionTrait>(
    db: &C,
    token_hash: String,
    user_id: i64,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<api_tokens::Model, DbErr> {
    api_tokens::ActiveModel {
        token_hash: Set(token_hash),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn token_by_hash<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
) -> Result<Option<Principal<api_tokens::Model>>, DbErr> {
    let Some(t) = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(super::users::with_org(db, t.user_id)
        .await?
        .map(|(u, o)| (t, u, o)))
}

pub async fn touch_token<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    api_tokens::Entity::update_many()
        .col_expr(api_tokens::Column::LastUsedAt, Expr::value(Some(now)))
        .filter(api_tokens::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn revoke_token<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    api_tokens::Entity::update_many()
        .col_expr(api_tokens::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_tokens::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Revokes every live token of a user; returns how many.
pub async fn revoke_tokens_of<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(api_tokens::Entity::update_many()
        .col_expr(api_tokens::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_tokens::Column::UserId.eq(user_id))
        .filter(api_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Serialises sign-in attempts for one account and one client address until the transaction
/// ends, so that counting failures and recording the next attempt cannot interleave. SQLite write
/// transactions (`BEGIN IMMEDIATE`) are serial already; PostgreSQL takes two transaction-scoped
/// advisory locks, always in the same order (account, then address), so they cannot deadlock.
pub async fn lock_attempts(
    txn: &sea_orm::DatabaseTransaction,
    username: &str,
    client_addr: &str,
) -> Result<(), DbErr> {
    if txn.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    for key in [format!("user:{username}"), format!("addr:{client_addr}")] {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Records an attempt; returns its id.
pub async fn record_attempt<C: ConnectionTrait>(
    db: &C,
    username: &str,
    client_addr: &str,
    succeeded: bool,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    login_attempts::ActiveModel {
        username: Set(username.to_string()),
        client_addr: Set(client_addr.to_string()),
        succeeded: Set(succeeded),
        at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|m| m.id)
}

/// Marks a recorded attempt as successful.
pub async fn mark_succeeded<C: ConnectionTrait>(db: &C, id: i64) -> Result<(), DbErr> {
    login_attempts::Entity::update_many()
        .col_expr(login_attempts::Column::Succeeded, Expr::value(true))
        .filter(login_attempts::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Failed attempts matching `filter` at or after `since`: how many, and the latest.
async fn tally<C: ConnectionTrait>(
    db: &C,
    filter: Condition,
    since: DateTime<Utc>,
) -> Result<Tally, DbErr> {
    let failed = || {
        login_attempts::Entity::find()
            .filter(filter.clone())
            .filter(login_attempts::Column::Succeeded.eq(false))
            .filter(login_attempts::Column::At.gte(since))
    };
    let failures = failed().count(db).await?;
    let last = if failures == 0 {
        None
    } else {
        failed()
            .order_by_desc(login_attempts::Column::At)
            .one(db)
            .await?
            .map(|a| a.at)
    };
    Ok(Tally { failures, last })
}

/// The latest successful sign-in matching `filter`.
async fn last_success<C: ConnectionTrait>(
    db: &C,
    filter: Condition,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(login_attempts::Entity::find()
        .filter(filter)
        .filter(login_attempts::Column::Succeeded.eq(true))
        .order_by_desc(login_attempts::Column::At)
        .one(db)
        .await?
        .map(|a| a.at))
}

/// The counts the throttle weighs for a sign-in to `username` from `client_addr` at `now`:
/// failures remembered for [`throttle::MEMORY_HOURS`], each count from its own last success.
pub async fn attempt_counts<C: ConnectionTrait>(
    db: &C,
    username: &str,
    client_addr: &str,
    now: DateTime<Utc>,
) -> Result<Counts, DbErr> {
    let horizon = now - Duration::hours(throttle::MEMORY_HOURS);
    let account = Condition::all().add(login_attempts::Column::Username.eq(username));
    let address = Condition::all().add(login_attempts::Column::ClientAddr.eq(client_addr));
    let pair = account
        .clone()
        .add(login_attempts::Column::ClientAddr.eq(client_addr));
    let pair_success = last_success(db, pair.clone()).await?;
    let account_success = last_success(db, account.clone()).await?;
    let from = |success: Option<DateTime<Utc>>| success.map_or(horizon, |s| Ord::max(s, horizon));
    Ok(Counts {
        pair: tally(db, pair, from(pair_success)).await?,
        account: tally(db, account, from(account_success)).await?,
        address: tally(db, address, horizon).await?,
        known_here: pair_success.is_some_and(|s| s >= now - Duration::days(throttle::KNOWN_DAYS)),
    })
}

/// Failed attempts since `since`, by account and address (the administrators' list of locks):
/// `(username, client_addr, failures, latest)`.
pub async fn failures_by_pair<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
) -> Result<Vec<(String, String, i64, DateTime<Utc>)>, DbErr> {
    login_attempts::Entity::find()
        .select_only()
        .column(login_attempts::Column::Username)
        .column(login_attempts::Column::ClientAddr)
        .column_as(login_attempts::Column::Id.count(), "n")
        .column_as(login_attempts::Column::At.max(), "last")
        .filter(login_attempts::Column::Succeeded.eq(false))
        .filter(login_attempts::Column::At.gte(since))
        .group_by(login_attempts::Column::Username)
        .group_by(login_attempts::Column::ClientAddr)
        .into_tuple()
        .all(db)
        .await
}

/// Forgets the failed attempts of an account, of an address, or of an account at an address
/// (an administrator lifting a lock); returns how many.
pub async fn forget_failures<C: ConnectionTrait>(
    db: &C,
    username: Option<&str>,
    client_addr: Option<&str>,
) -> Result<u64, DbErr> {
    let mut q =
        login_attempts::Entity::delete_many().filter(login_attempts::Column::Succeeded.eq(false));
    if let Some(u) = username {
        q = q.filter(login_attempts::Column::Username.eq(u));
    }
    if let Some(a) = client_addr {
        q = q.filter(login_attempts::Column::ClientAddr.eq(a));
    }
    Ok(q.exec(db).await?.rows_affected)
}

/// Forgets attempts older than `before`.
pub async fn purge_attempts<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(login_attempts::Entity::delete_many()
        .filter(login_attempts::Column::At.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
