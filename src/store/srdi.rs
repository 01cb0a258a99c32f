//! 专精特新 designations.

use chrono::{DateTime, Utc};
use entity::srdi_designations;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryOrder, Set};
use std::collections::HashMap;

/// A designation as recorded.
#[derive(Debug, Clone)]
pub struct NewDesignation {
    pub org_id: i64,
    pub level: String,
    pub year: i32,
    pub source: String,
    pub recorded_by_org_id: Option<i64>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    d: NewDesignation,
    now: DateTime<Utc>,
) -> Result<srdi_designations::Model, DbErr> {
    srdi_designations::ActiveModel {
        org_id: Set(d.org_id),
        level: Set(d.level),
        year: Set(d.year),
        source: Set(d.source),
        recorded_by_org_id: Set(d.recorded_by_org_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Every designation, grouped by organisation, newest year first.
pub async fn by_org<C: ConnectionTrait>(
    db: &C,
) -> Result<HashMap<i64, Vec<srdi_designations::Model>>, DbErr> {
    let rows = srdi_designations::Entity::find()
        .order_by_desc(srdi_designations::Column::Year)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<srdi_designations::Model>> = HashMap::new();
    for r in rows {
        map.entry(r.org_id).or_default().push(r);
    }
    Ok(map)
}
