//! `notifications`: in-app notices of the deadline scheduler (due soon, overdue, escalation),
//! one per recipient, clock, kind and due instant (a unique index).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub case_id: i64,
    pub rule_id: String,
    /// `due_soon` | `overdue` | `escalation`.
    pub kind: String,
    /// The due instant the notice is about.
    pub due_at: DateTimeUtc,
    /// JSON: case number and title, clock name, unit (rendered in the reader's language).
    pub data: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
