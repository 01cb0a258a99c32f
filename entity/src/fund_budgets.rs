//! `fund_budgets`: a fund's budget for one year and what was paid from it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fund_budgets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub fund_id: i64,
    pub year: i32,
    pub amount_fen: i64,
    /// The sum of the year's payouts; a payout adds to it only while it stays within the amount.
    pub paid_fen: i64,
    pub set_by_user_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
