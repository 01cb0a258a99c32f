//! `fund_votes`: one reviewer's vote on an application (a single supervisor's decision is one
//! vote; a panel's is several).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fund_votes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub reviewer_user_id: i64,
    pub reviewer_role: String,
    pub approve: bool,
    pub amount_fen: Option<i64>,
    pub reasons: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
