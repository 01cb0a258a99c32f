//! Self-service password reset requests: the accounts a name or address finds, the requests
//! counted for throttling, and the single-use tokens (kept as SHA-256 only).

use chrono::{DateTime, Utc};
use entity::{password_reset_requests as requests, users};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

/// Active accounts whose username, or e-mail address (compared without case), is `identifier`
/// (already folded to lower case).
pub async fn accounts_named<C: ConnectionTrait>(
    db: &C,
    identifier: &str,
) -> Result<Vec<users::Model>, DbErr> {
    let email = Expr::expr(Func::lower(Expr::col((
        users::Entity,
        users::Column::Email,
    ))));
    users::Entity::find()
        .filter(
            Condition::any()
                .add(users::Column::Username.eq(identifier))
                .add(email.eq(identifier)),
        )
        .filter(users::Column::Disabled.eq(false))
        .order_by_asc(users::Column::Id)
        .all(db)
        .await
}

/// A request to record.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub user_id: Option<i64>,
    pub token_hash: Option<String>,
    pub client_addr: String,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    r: NewRequest,
    now: DateTime<Utc>,
) -> Result<requests::Model, DbErr> {
    requests::ActiveModel {
        user_id: Set(r.user_id),
        token_hash: Set(r.token_hash),
        client_addr: Set(r.client_addr),
        created_at: Set(now),
        expires_at: Set(r.expires_at),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Requests from `client_addr` since `since`.
pub async fn count_from_addr<C: ConnectionTrait>(
    db: &C,
    client_addr: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    requests::Entity::find()
        .filter(requests::Column::ClientAddr.eq(client_addr))
        .filter(requests::Column::CreatedAt.gte(since))
        .count(db)
        .await
}

/// Reset e-mails sent to `user_id` since `since` (requests that carried a token).
pub async fn count_sent_to<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    requests::Entity::find()
        .filter(requests::Column::UserId.eq(user_id))
        .filter(requests::Column::TokenHash.is_not_null())
        .filter(requests::Column::CreatedAt.gte(since))
        .count(db)
        .await
}

/// The request of a token that is unused and has not expired at `now`.
pub async fn live<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<requests::Model>, DbErr> {
    requests::Entity::find()
        .filter(requests::Column::TokenHash.eq(token_hash))
        .filter(requests::Column::UsedAt.is_null())
        .filter(requests::Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

/// Uses a live token: true when this call used it (a second use, or an expired token, changes
/// nothing and answers false).
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = requests::Entity::update_many()
        .col_expr(requests::Column::UsedAt, Expr::value(Some(now)))
        .filter(requests::Column::TokenHash.eq(token_hash))
        .filter(requests::Column::UsedAt.is_null())
        .filter(requests::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Makes every other unused token of `user_id` void (a reset went through).
pub async fn void_tokens_of<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let res = requests::Entity::update_many()
        .col_expr(requests::Column::UsedAt, Expr::value(Some(now)))
        .filter(requests::Column::UserId.eq(user_id))
        .filter(requests::Column::TokenHash.is_not_null())
        .filter(requests::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Forgets requests made before `before`.
pub async fn purge<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(requests::Entity::delete_many()
        .filter(requests::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
