//! Organisations.

use chrono::{DateTime, Utc};
use entity::organizations;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

/// Fields of an organisation as entered (already validated by the service).
#[derive(Debug, Clone)]
pub struct OrgFields {
    pub name: String,
    pub kind: String,
    pub uscc: Option<String>,
    pub region_code: String,
    pub parent_id: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    f: OrgFields,
    is_demo: bool,
    now: DateTime<Utc>,
) -> Result<organizations::Model, DbErr> {
    organizations::ActiveModel {
        name: Set(f.name),
        kind: Set(f.kind),
        uscc: Set(f.uscc),
        region_code: Set(f.region_code),
        parent_id: Set(f.parent_id),
        contact_name: Set(f.contact_name),
        contact_phone: Set(f.contact_phone),
        is_demo: Set(is_demo),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: i64,
    f: OrgFields,
    now: DateTime<Utc>,
) -> Result<organizations::Model, DbErr> {
    organizations::ActiveModel {
        id: Set(id),
        name: Set(f.name),
        kind: Set(f.kind),
        uscc: Set(f.uscc),
        region_code: Set(f.region_code),
        parent_id: Set(f.parent_id),
        contact_name: Set(f.contact_name),
        contact_phone: Set(f.contact_phone),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<organizations::Model>, DbErr> {
    organizations::Entity::find_by_id(id).one(db).await
}

/// All organisations, by region then name.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<organizations::Model>, DbErr> {
    organizations::Entity::find()
        .order_by_asc(organizations::Column::RegionCode)
        .order_by_asc(organizations::Column::Name)
        .all(db)
        .await
}

/// Ancestors of `id`, nearest first (to refuse cycles in the parent chain).
pub async fn ancestors<C: ConnectionTrait>(db: &C, id: i64) -> Result<Vec<i64>, DbErr> {
    let mut out = Vec::new();
    let mut current = get(db, id).await?.and_then(|o| o.parent_id);
    while let Some(p) = current {
        if out.contains(&p) || out.len() > 64 {
            break;
        }
        out.push(p);
        current = get(db, p).await?.and_then(|o| o.parent_id);
    }
    Ok(out)
}

/// How many organisations are not demo data.
pub async fn count_real<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    organizations::Entity::find()
        .filter(organizations::Column::IsDemo.eq(false))
        .count(db)
        .await
}

pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    organizations::Entity::find().count(db).await
}
