//! Complaint drafts.

use chrono::{DateTime, Utc};
use entity::complaint_drafts;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    org_id: i64,
    body: String,
    now: DateTime<Utc>,
) -> Result<complaint_drafts::Model, DbErr> {
    complaint_drafts::ActiveModel {
        user_id: Set(user_id),
        org_id: Set(org_id),
        body: Set(body),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Updates a draft of `user_id`; false when there is no such draft of theirs.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: i64,
    user_id: i64,
    body: String,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = complaint_drafts::Entity::update_many()
        .col_expr(
            complaint_drafts::Column::Body,
            sea_orm::sea_query::Expr::value(body),
        )
        .col_expr(
            complaint_drafts::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(complaint_drafts::Column::Id.eq(id))
        .filter(complaint_drafts::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    id: i64,
    user_id: i64,
) -> Result<Option<complaint_drafts::Model>, DbErr> {
    complaint_drafts::Entity::find_by_id(id)
        .filter(complaint_drafts::Column::UserId.eq(user_id))
        .one(db)
        .await
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<Vec<complaint_drafts::Model>, DbErr> {
    complaint_drafts::Entity::find()
        .filter(complaint_drafts::Column::UserId.eq(user_id))
        .order_by_desc(complaint_drafts::Column::UpdatedAt)
        .all(db)
        .await
}

pub async fn delete<C: ConnectionTrait>(db: &C, id: i64, user_id: i64) -> Result<u64, DbErr> {
    let res = complaint_drafts::Entity::delete_many()
        .filter(complaint_drafts::Column::Id.eq(id))
        .filter(complaint_drafts::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
