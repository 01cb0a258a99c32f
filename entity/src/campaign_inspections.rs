//! `campaign_inspections`: a joint inspection (联合检查) of a campaign.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_inspections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub held_on: Date,
    pub place: String,
    /// JSON list of the organisations that took part.
    pub body_org_ids: String,
    pub findings: String,
    /// The evidence gathered, in words (items seized, photographs, records).
    pub evidence: String,
    /// The case it concerns or opened, if any.
    pub case_id: Option<i64>,
    pub recorded_by_user_id: i64,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
