//! `fund_applications`: an enterprise's application to a fund from its overseas case.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fund_applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub fund_id: i64,
    pub case_id: i64,
    pub applicant_org_id: i64,
    pub applicant_user_id: i64,
    /// The budget year it is paid from (the year it was filed, Beijing time).
    pub year: i32,
    pub claimed_fen: i64,
    /// The costs claimed, in words.
    pub costs: String,
    /// JSON list of the case's evidence ids (invoices, contracts).
    pub evidence_ids: String,
    /// `submitted` | `panel` | `approved` | `declined`.
    pub state: String,
    pub approved_fen: Option<i64>,
    pub reasons: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    /// The sum of its payouts; a payout adds to it only while it stays within `approved_fen`.
    pub paid_fen: i64,
    pub is_demo: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
