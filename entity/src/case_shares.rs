//! `case_shares`: a case shared with another office for `read` or `contribute`, and why.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_shares")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub org_id: i64,
    pub access: String,
    pub granted_by_user_id: Option<i64>,
    pub granted_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by_user_id: Option<i64>,
    /// Why the case is shared: `granted`, `handover`, `triaged` or `procedure`.
    pub origin: String,
}

impl ActiveModelBehavior for ActiveModel {}
