//! `srdi_designations`: which enterprises are 专精特新 / 小巨人, since which year, on what source.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "srdi_designations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    /// `provincial_srdi` | `national_little_giant`.
    pub level: String,
    /// The year of the list the designation comes from.
    pub year: i32,
    /// The published list or notice, e.g. 工信部第六批专精特新"小巨人"企业名单.
    pub source: String,
    /// The industry office that recorded it (None when loaded by the operator).
    pub recorded_by_org_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
