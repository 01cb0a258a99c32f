//! `case_events`: the append-only log of everything that happened to a case.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    /// 1, 2, 3 … per case; the case version after this event.
    pub seq: i64,
    pub kind: String,
    /// When it happened (may be earlier than recorded, e.g. a receipt date).
    pub at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    pub actor_user_id: Option<i64>,
    pub actor_org_id: Option<i64>,
    /// Shown to the filing enterprise.
    pub public: bool,
    /// JSON details.
    pub payload: String,
}

impl ActiveModelBehavior for ActiveModel {}
