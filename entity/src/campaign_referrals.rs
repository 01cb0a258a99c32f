//! `campaign_referrals`: a campaign's case referred to a participating body, and its
//! acknowledgement.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_referrals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub case_id: i64,
    pub to_org_id: i64,
    pub note: String,
    pub referred_by_user_id: i64,
    pub referred_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by_user_id: Option<i64>,
    pub ack_note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
