//! `funds`: an overseas mutual-aid fund (海外维权互助基金) and its rules. Amounts are in fen (分).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "funds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The managing office, whose supervisors review applications.
    pub org_id: i64,
    pub name: String,
    /// Comma-separated overseas dispute categories it pays for.
    pub categories: String,
    pub max_per_case_fen: i64,
    /// The share of the costs the enterprise pays itself, in percent.
    pub self_share_percent: i32,
    /// Grants above this need a panel's votes.
    pub panel_threshold_fen: i64,
    pub panel_size: i32,
    /// The fund's rules in words.
    pub rules: String,
    pub created_by_user_id: i64,
    pub is_demo: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
