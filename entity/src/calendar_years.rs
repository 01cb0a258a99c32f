//! `calendar_years`: official schedules loaded by an administrator (they override the shipped ones).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_years")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub year: i32,
    pub version: String,
    /// The notice the schedule comes from (e.g. 国务院办公厅关于2027年部分节假日安排的通知).
    pub source: String,
    /// The schedule as JSON (`{"version","off","makeup"}`).
    #[sea_orm(column_type = "Text")]
    pub schedule: String,
    pub loaded_at: DateTimeUtc,
    /// Who loaded it (username or `operator`).
    pub loaded_by: String,
}

impl ActiveModelBehavior for ActiveModel {}
