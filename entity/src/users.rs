//! `users`: accounts, each in one organisation with one role.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-case login name.
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    /// `enterprise_filer` | `triager` | `officer` | `supervisor` | `admin`.
    pub role: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub disabled: bool,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The position (职务) a filer gave when registering the enterprise.
    pub position: Option<String>,
    pub is_demo: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "org_id", to = "id")]
    pub organization: BelongsTo<super::organizations::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
