//! `fund_payouts`: money paid on an approved application: the fund's ledger.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fund_payouts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub fund_id: i64,
    pub year: i32,
    pub amount_fen: i64,
    pub paid_on: Date,
    /// The payment voucher's number.
    pub reference: String,
    pub recorded_by_user_id: i64,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
