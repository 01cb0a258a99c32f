//! SQL of the assistance services' figures in the statistics: consultations, IP health checks,
//! mutual-aid funds and campaign inspections of a set of organisations over a period.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    campaign_inspections, campaigns, consultations, fund_applications, fund_payouts, funds,
    health_checks,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

/// The figures, each over the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Consultations asked of the organisations.
    pub consultations: u64,
    /// … of which answered (and not cases since), and of which became cases.
    pub consultations_answered: u64,
    pub consultations_converted: u64,
    /// Minutes recorded on them.
    pub consultation_minutes: i64,
    /// Health checks asked of the organisations; those of them completed.
    pub checks_requested: u64,
    pub checks_completed: u64,
    /// Applications to the organisations' funds; amounts granted by decisions in the period and
    /// paid in it (fen).
    pub fund_applications: u64,
    pub fund_granted_fen: i64,
    pub fund_paid_fen: i64,
    /// Joint inspections of the campaigns the organisations lead.
    pub inspections: u64,
}

fn sum_as_bigint(col: &str) -> Expr {
    Expr::cust(format!("CAST(COALESCE(SUM({col}), 0) AS BIGINT)"))
}

/// The figures of `orgs` over `[from, to)` (instants) and `[from_day, to_day]` (days).
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    orgs: &[i64],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    (from_day, to_day): (NaiveDate, NaiveDate),
) -> Result<Counts, DbErr> {
    use consultations::Column as K;
    let asked = || {
        consultations::Entity::find()
            .filter(K::OrgId.is_in(orgs.to_vec()))
            .filter(K::AskedAt.gte(from))
            .filter(K::AskedAt.lt(to))
    };
    let minutes: Option<i64> = asked()
        .select_only()
        .column_as(sum_as_bigint("minutes_spent"), "m")
        .into_tuple()
        .one(db)
        .await?;

    use health_checks::Column as H;
    let checks = || health_checks::Entity::find().filter(H::OrgId.is_in(orgs.to_vec()));

    // The organisations' funds and campaigns are few: their ids first.
    let fund_ids: Vec<i64> = funds::Entity::find()
        .select_only()
        .column(funds::Column::Id)
        .filter(funds::Column::OrgId.is_in(orgs.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    let campaign_ids: Vec<i64> = campaigns::Entity::find()
        .select_only()
        .column(campaigns::Column::Id)
        .filter(campaigns::Column::LeadOrgId.is_in(orgs.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    use fund_applications::Column as A;
    let applications =
        || fund_applications::Entity::find().filter(A::FundId.is_in(fund_ids.clone()));
    let granted: Option<i64> = applications()
        .filter(A::State.eq("approved"))
        .filter(A::DecidedAt.gte(from))
        .filter(A::DecidedAt.lt(to))
        .select_only()
        .column_as(sum_as_bigint("approved_fen"), "g")
        .into_tuple()
        .one(db)
        .await?;
    let paid: Option<i64> = fund_payouts::Entity::find()
        .filter(fund_payouts::Column::FundId.is_in(fund_ids.clone()))
        .filter(fund_payouts::Column::PaidOn.gte(from_day))
        .filter(fund_payouts::Column::PaidOn.lte(to_day))
        .select_only()
        .column_as(sum_as_bigint("amount_fen"), "p")
        .into_tuple()
        .one(db)
        .await?;

    Ok(Counts {
        consultations: asked().count(db).await?,
        consultations_answered: asked()
            .filter(K::AnsweredAt.is_not_null())
            .filter(K::CaseId.is_null())
            .count(db)
            .await?,
        consultations_converted: asked().filter(K::CaseId.is_not_null()).count(db).await?,
        consultation_minutes: minutes.unwrap_or(0),
        checks_requested: checks()
            .filter(H::RequestedAt.gte(from))
            .filter(H::RequestedAt.lt(to))
            .count(db)
            .await?,
        checks_completed: checks()
            .filter(H::Status.eq("completed"))
            .filter(H::RequestedAt.gte(from))
            .filter(H::RequestedAt.lt(to))
            .count(db)
            .await?,
        fund_applications: applications()
            .filter(A::CreatedAt.gte(from))
            .filter(A::CreatedAt.lt(to))
            .count(db)
            .await?,
        fund_granted_fen: granted.unwrap_or(0),
        fund_paid_fen: paid.unwrap_or(0),
        inspections: campaign_inspections::Entity::find()
            .filter(campaign_inspections::Column::CampaignId.is_in(campaign_ids))
            .filter(campaign_inspections::Column::HeldOn.gte(from_day))
            .filter(campaign_inspections::Column::HeldOn.lte(to_day))
            .count(db)
            .await?,
    })
}
