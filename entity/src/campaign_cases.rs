//! `campaign_cases`: a case linked to a campaign.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub case_id: i64,
    pub linked_by_user_id: i64,
    pub linked_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
