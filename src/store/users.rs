//! User accounts.

use chrono::{DateTime, Utc};
use entity::{organizations, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A new account (validated by the service; the password already hashed).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub role: String,
    pub password_hash: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    u: NewUser,
    is_demo: bool,
    now: DateTime<Utc>,
) -> Result<users::Model, DbErr> {
    users::ActiveModel {
        username: Set(u.username),
        display_name: Set(u.display_name),
        org_id: Set(u.org_id),
        role: Set(u.role),
        password_hash: Set(u.password_hash),
        disabled: Set(false),
        phone: Set(u.phone),
        email: Set(u.email),
        is_demo: Set(is_demo),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Editable profile fields.
#[derive(Debug, Clone)]
pub struct Profile {
    pub display_name: String,
    pub org_id: i64,
    pub role: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub async fn update_profile<C: ConnectionTrait>(
    db: &C,
    id: i64,
    p: Profile,
    now: DateTime<Utc>,
) -> Result<users::Model, DbErr> {
    // The organisation of an assignee decides who sees their cases (assistance centres).
    super::outbox::enqueue_for_assignee(db, id, now).await?;
    users::ActiveModel {
        id: Set(id),
        display_name: Set(p.display_name),
        org_id: Set(p.org_id),
        role: Set(p.role),
        phone: Set(p.phone),
        email: Set(p.email),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await
}

pub async fn set_password_hash<C: ConnectionTrait>(
    db: &C,
    id: i64,
    hash: String,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    users::ActiveModel {
        id: Set(id),
        password_hash: Set(hash),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}

pub async fn set_disabled<C: ConnectionTrait>(
    db: &C,
    id: i64,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    users::ActiveModel {
        id: Set(id),
        disabled: Set(disabled),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}

pub async fn get<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find_by_id(id).one(db).await
}

pub async fn by_username<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::Username.eq(username))
        .one(db)
        .await
}

/// A user with their organisation.
pub async fn with_org<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<(users::Model, organizations::Model)>, DbErr> {
    let found = users::Entity::find_by_id(id)
        .find_also_related(organizations::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(u, o)| o.map(|o| (u, o))))
}

/// All users with their organisations, optionally of one organisation, by username.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    org_id: Option<i64>,
) -> Result<Vec<(users::Model, organizations::Model)>, DbErr> {
    let mut q = users::Entity::find().find_also_related(organizations::Entity);
    if let Some(o) = org_id {
        q = q.filter(users::Column::OrgId.eq(o));
    }
    let rows = q.order_by_asc(users::Column::Username).all(db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(u, o)| o.map(|o| (u, o)))
        .collect())
}

pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    users::Entity::find().count(db).await
}

pub async fn count_real<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    users::Entity::find()
        .filter(users::Column::IsDemo.eq(false))
        .count(db)
        .await
}

/// Display names of users by id.
pub async fn names<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> Result<std::collections::HashMap<i64, String>, DbErr> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::DisplayName)
        .filter(users::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}
