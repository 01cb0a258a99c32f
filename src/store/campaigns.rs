//! SQL of special campaigns: the campaign and its bodies, linked cases, joint inspections and
//! referrals with their acknowledgement.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    campaign_cases, campaign_inspections, campaign_members, campaign_referrals, campaigns,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};

/// A campaign to store.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub lead_org_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub description: String,
    pub member_org_ids: Vec<i64>,
    pub created_by_user_id: i64,
    pub is_demo: bool,
}

/// Stores a campaign and its bodies.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    c: NewCampaign,
    now: DateTime<Utc>,
) -> Result<campaigns::Model, DbErr> {
    let row = campaigns::ActiveModel {
        name: Set(c.name),
        lead_org_id: Set(c.lead_org_id),
        starts_on: Set(c.starts_on),
        ends_on: Set(c.ends_on),
        description: Set(c.description),
        created_by_user_id: Set(c.created_by_user_id),
        is_demo: Set(c.is_demo),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for org in c.member_org_ids {
        campaign_members::ActiveModel {
            campaign_id: Set(row.id),
            org_id: Set(org),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(row)
}

pub async fn get<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<campaigns::Model>, DbErr> {
    campaigns::Entity::find_by_id(id).one(db).await
}

/// Every campaign, latest start first (an office runs a handful a year).
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<campaigns::Model>, DbErr> {
    campaigns::Entity::find()
        .order_by_desc(campaigns::Column::StartsOn)
        .order_by_desc(campaigns::Column::Id)
        .all(db)
        .await
}

/// The participating bodies of a campaign.
pub async fn members<C: ConnectionTrait>(db: &C, campaign_id: i64) -> Result<Vec<i64>, DbErr> {
    Ok(campaign_members::Entity::find()
        .filter(campaign_members::Column::CampaignId.eq(campaign_id))
        .order_by_asc(campaign_members::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.org_id)
        .collect())
}

/// Links a case; the unique index refuses a second link of the same case.
pub async fn link<C: ConnectionTrait>(
    db: &C,
    campaign_id: i64,
    case_id: i64,
    by_user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    campaign_cases::ActiveModel {
        campaign_id: Set(campaign_id),
        case_id: Set(case_id),
        linked_by_user_id: Set(by_user_id),
        linked_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// The cases linked to a campaign, in the order they were linked.
pub async fn cases<C: ConnectionTrait>(
    db: &C,
    campaign_id: i64,
) -> Result<Vec<campaign_cases::Model>, DbErr> {
    campaign_cases::Entity::find()
        .filter(campaign_cases::Column::CampaignId.eq(campaign_id))
        .order_by_asc(campaign_cases::Column::Id)
        .all(db)
        .await
}

/// An inspection to store.
#[derive(Debug, Clone)]
pub struct NewInspection {
    pub campaign_id: i64,
    pub held_on: NaiveDate,
    pub place: String,
    pub body_org_ids: Vec<i64>,
    pub findings: String,
    pub evidence: String,
    pub case_id: Option<i64>,
    pub recorded_by_user_id: i64,
}

pub async fn insert_inspection<C: ConnectionTrait>(
    db: &C,
    i: NewInspection,
    now: DateTime<Utc>,
) -> Result<campaign_inspections::Model, DbErr> {
    campaign_inspections::ActiveModel {
        campaign_id: Set(i.campaign_id),
        held_on: Set(i.held_on),
        place: Set(i.place),
        body_org_ids: Set(serde_json::to_string(&i.body_org_ids).unwrap_or_else(|_| "[]".into())),
        findings: Set(i.findings),
        evidence: Set(i.evidence),
        case_id: Set(i.case_id),
        recorded_by_user_id: Set(i.recorded_by_user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A campaign's inspections, latest first.
pub async fn inspections<C: ConnectionTrait>(
    db: &C,
    campaign_id: i64,
) -> Result<Vec<campaign_inspections::Model>, DbErr> {
    campaign_inspections::Entity::find()
        .filter(campaign_inspections::Column::CampaignId.eq(campaign_id))
        .order_by_desc(campaign_inspections::Column::HeldOn)
        .order_by_desc(campaign_inspections::Column::Id)
        .all(db)
        .await
}

/// Records a referral; the unique index refuses a case referred twice to the same body.
pub async fn insert_referral<C: ConnectionTrait>(
    db: &C,
    campaign_id: i64,
    case_id: i64,
    to_org_id: i64,
    note: &str,
    by_user_id: i64,
    now: DateTime<Utc>,
) -> Result<campaign_referrals::Model, DbErr> {
    campaign_referrals::ActiveModel {
        campaign_id: Set(campaign_id),
        case_id: Set(case_id),
        to_org_id: Set(to_org_id),
        note: Set(note.into()),
        referred_by_user_id: Set(by_user_id),
        referred_at: Set(now),
        acknowledged_at: Set(None),
        acknowledged_by_user_id: Set(None),
        ack_note: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn referral<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<campaign_referrals::Model>, DbErr> {
    campaign_referrals::Entity::find_by_id(id).one(db).await
}

/// A campaign's referrals, oldest first.
pub async fn referrals<C: ConnectionTrait>(
    db: &C,
    campaign_id: i64,
) -> Result<Vec<campaign_referrals::Model>, DbErr> {
    campaign_referrals::Entity::find()
        .filter(campaign_referrals::Column::CampaignId.eq(campaign_id))
        .order_by_asc(campaign_referrals::Column::Id)
        .all(db)
        .await
}

/// The referrals made to `org_id` that it has not acknowledged yet.
pub async fn awaiting<C: ConnectionTrait>(
    db: &C,
    org_id: i64,
) -> Result<Vec<campaign_referrals::Model>, DbErr> {
    campaign_referrals::Entity::find()
        .filter(campaign_referrals::Column::ToOrgId.eq(org_id))
        .filter(campaign_referrals::Column::AcknowledgedAt.is_null())
        .order_by_asc(campaign_referrals::Column::Id)
        .all(db)
        .await
}

/// Records the acknowledgement of a referral not acknowledged yet; false when it was.
pub async fn acknowledge<C: ConnectionTrait>(
    db: &C,
    id: i64,
    by_user_id: i64,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use campaign_referrals::Column as R;
    let done = campaign_referrals::Entity::update_many()
        .col_expr(R::AcknowledgedAt, Expr::value(now))
        .col_expr(R::AcknowledgedByUserId, Expr::value(by_user_id))
        .col_expr(R::AckNote, Expr::value(note.map(str::to_string)))
        .filter(R::Id.eq(id))
        .filter(R::AcknowledgedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
