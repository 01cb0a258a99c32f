//! SQL of enterprises' protection needs.

use chrono::{DateTime, Utc};
use entity::enterprise_needs;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

pub async fn get<C: ConnectionTrait>(
    db: &C,
    uscc: &str,
) -> Result<Option<enterprise_needs::Model>, DbErr> {
    enterprise_needs::Entity::find()
        .filter(enterprise_needs::Column::Uscc.eq(uscc))
        .one(db)
        .await
}

/// The record as entered: name and the four answers.
#[derive(Debug, Clone)]
pub struct NewNeeds {
    pub uscc: String,
    pub enterprise_name: String,
    pub products: String,
    pub markets: String,
    pub known_infringers: String,
    pub overseas_plans: String,
    pub by_user_id: i64,
    pub by_org_id: i64,
    pub is_demo: bool,
}

/// Stores the enterprise's needs, replacing what was recorded before (inside the caller's write
/// transaction, which serialises two saves of the same enterprise).
pub async fn save<C: ConnectionTrait>(
    db: &C,
    n: NewNeeds,
    now: DateTime<Utc>,
) -> Result<enterprise_needs::Model, DbErr> {
    let existing = get(db, &n.uscc).await?;
    let mut row = enterprise_needs::ActiveModel {
        uscc: Set(n.uscc),
        enterprise_name: Set(n.enterprise_name),
        products: Set(n.products),
        markets: Set(n.markets),
        known_infringers: Set(n.known_infringers),
        overseas_plans: Set(n.overseas_plans),
        updated_by_user_id: Set(n.by_user_id),
        updated_by_org_id: Set(n.by_org_id),
        is_demo: Set(n.is_demo),
        updated_at: Set(now),
        ..Default::default()
    };
    match existing {
        Some(e) => {
            row.id = Set(e.id);
            row.created_at = Set(e.created_at);
            row.update(db).await
        }
        None => {
            row.created_at = Set(now);
            row.insert(db).await
        }
    }
}
