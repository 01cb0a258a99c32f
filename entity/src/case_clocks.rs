//! `case_clocks`: the deadline clocks of a case, materialised from its events for querying.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_clocks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub rule_id: String,
    pub name: String,
    pub unit: String,
    pub source: String,
    pub start_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    /// `running` | `paused` | `met` | `missed`.
    pub state: String,
    pub provisional: bool,
    pub explanation: String,
    /// JSON: paused segments and extensions.
    pub detail: String,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
