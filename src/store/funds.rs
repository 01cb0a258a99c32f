//! SQL of the mutual-aid funds: funds and their yearly budgets, applications, votes, payouts,
//! and the figures per fund and year. A payout's two limits (the decision, the year's budget)
//! are checked by the very updates that debit them, so that two payouts at once cannot pass
//! them together on either database.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{fund_applications, fund_budgets, fund_payouts, fund_votes, funds};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// A fund to store.
#[derive(Debug, Clone)]
pub struct NewFund {
    pub org_id: i64,
    pub name: String,
    pub categories: String,
    pub max_per_case_fen: i64,
    pub self_share_percent: i32,
    pub panel_threshold_fen: i64,
    pub panel_size: i32,
    pub rules: String,
    pub created_by_user_id: i64,
    pub is_demo: bool,
}

pub async fn insert_fund<C: ConnectionTrait>(
    db: &C,
    f: NewFund,
    now: DateTime<Utc>,
) -> Result<funds::Model, DbErr> {
    funds::ActiveModel {
        org_id: Set(f.org_id),
        name: Set(f.name),
        categories: Set(f.categories),
        max_per_case_fen: Set(f.max_per_case_fen),
        self_share_percent: Set(f.self_share_percent),
        panel_threshold_fen: Set(f.panel_threshold_fen),
        panel_size: Set(f.panel_size),
        rules: Set(f.rules),
        created_by_user_id: Set(f.created_by_user_id),
        is_demo: Set(f.is_demo),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn get_fund<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<funds::Model>, DbErr> {
    funds::Entity::find_by_id(id).one(db).await
}

/// Every fund, newest first (an office keeps a handful).
pub async fn all_funds<C: ConnectionTrait>(db: &C) -> Result<Vec<funds::Model>, DbErr> {
    funds::Entity::find()
        .order_by_desc(funds::Column::Id)
        .all(db)
        .await
}

/// The outcome of setting a year's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetSet {
    Set,
    /// More was already paid that year than the new amount.
    BelowPaid,
}

/// Sets the budget of `year`: a new year, or a changed amount that is not below what was paid
/// plus `promised` (grants not paid yet). Run it in a transaction after [`lock_budget`].
pub async fn set_budget<C: ConnectionTrait>(
    db: &C,
    fund_id: i64,
    year: i32,
    amount_fen: i64,
    promised: i64,
    by_user_id: i64,
    now: DateTime<Utc>,
) -> Result<BudgetSet, DbErr> {
    use fund_budgets::Column as B;
    if budget(db, fund_id, year).await?.is_none() {
        // A year set twice at once: the unique index keeps one row; the other becomes an update
        // below.
        let inserted = fund_budgets::ActiveModel {
            fund_id: Set(fund_id),
            year: Set(year),
            amount_fen: Set(amount_fen),
            paid_fen: Set(0),
            set_by_user_id: Set(by_user_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await;
        match inserted {
            Ok(_) => return Ok(BudgetSet::Set),
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) => {}
            Err(e) => return Err(e),
        }
    }
    let done = fund_budgets::Entity::update_many()
        .col_expr(B::AmountFen, Expr::value(amount_fen))
        .col_expr(B::SetByUserId, Expr::value(by_user_id))
        .col_expr(B::UpdatedAt, Expr::value(now))
        .filter(B::FundId.eq(fund_id))
        .filter(B::Year.eq(year))
        .filter(B::PaidFen.lte(amount_fen.saturating_sub(promised)))
        .exec(db)
        .await?;
    Ok(if done.rows_affected == 1 {
        BudgetSet::Set
    } else {
        BudgetSet::BelowPaid
    })
}

/// Takes the write lock on a year's budget row (an update that changes nothing), so that what a
/// decision or a budget change reads of the year cannot change under it on PostgreSQL until it
/// commits (SQLite holds the database's write lock already).
pub async fn lock_budget<C: ConnectionTrait>(db: &C, fund_id: i64, year: i32) -> Result<(), DbErr> {
    use fund_budgets::Column as B;
    fund_budgets::Entity::update_many()
        .col_expr(B::UpdatedAt, Expr::col(B::UpdatedAt))
        .filter(B::FundId.eq(fund_id))
        .filter(B::Year.eq(year))
        .exec(db)
        .await?;
    Ok(())
}

/// What a fund granted on a case's other approved applications (the maximum is per case).
pub async fn granted_to_case<C: ConnectionTrait>(
    db: &C,
    fund_id: i64,
    case_id: i64,
    except: i64,
) -> Result<i64, DbErr> {
    approved_sum(
        db,
        "approved_fen",
        fund_id,
        fund_applications::Column::CaseId.eq(case_id),
        except,
    )
    .await
}

/// `SUM(amount)` over the fund's approved applications other than `except` that `also` selects
/// (0 when there are none).
async fn approved_sum<C: ConnectionTrait>(
    db: &C,
    amount: &str,
    fund_id: i64,
    also: Expr,
    except: i64,
) -> Result<i64, DbErr> {
    use fund_applications::Column as A;
    let sum: Option<Option<i64>> = fund_applications::Entity::find()
        .select_only()
        .column_as(
            Expr::cust(format!("CAST(COALESCE(SUM({amount}), 0) AS BIGINT)")),
            "s",
        )
        .filter(A::FundId.eq(fund_id))
        .filter(also)
        .filter(A::State.eq("approved"))
        .filter(A::Id.ne(except))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?;
    Ok(sum.flatten().unwrap_or(0))
}

pub async fn budget<C: ConnectionTrait>(
    db: &C,
    fund_id: i64,
    year: i32,
) -> Result<Option<fund_budgets::Model>, DbErr> {
    fund_budgets::Entity::find()
        .filter(fund_budgets::Column::FundId.eq(fund_id))
        .filter(fund_budgets::Column::Year.eq(year))
        .one(db)
        .await
}

/// A fund's budgets, latest year first.
pub async fn budgets<C: ConnectionTrait>(
    db: &C,
    fund_id: i64,
) -> Result<Vec<fund_budgets::Model>, DbErr> {
    fund_budgets::Entity::find()
        .filter(fund_budgets::Column::FundId.eq(fund_id))
        .order_by_desc(fund_budgets::Column::Year)
        .all(db)
        .await
}

/// An application to store.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub fund_id: i64,
    pub case_id: i64,
    pub applicant_org_id: i64,
    pub applicant_user_id: i64,
    pub year: i32,
    pub claimed_fen: i64,
    pub costs: String,
    pub evidence_ids: Vec<i64>,
    pub state: &'static str,
    pub is_demo: bool,
}

pub async fn insert_application<C: ConnectionTrait>(
    db: &C,
    a: NewApplication,
    now: DateTime<Utc>,
) -> Result<fund_applications::Model, DbErr> {
    fund_applications::ActiveModel {
        fund_id: Set(a.fund_id),
        case_id: Set(a.case_id),
        applicant_org_id: Set(a.applicant_org_id),
        applicant_user_id: Set(a.applicant_user_id),
        year: Set(a.year),
        claimed_fen: Set(a.claimed_fen),
        costs: Set(a.costs),
        evidence_ids: Set(serde_json::to_string(&a.evidence_ids).unwrap_or_else(|_| "[]".into())),
        state: Set(a.state.into()),
        approved_fen: Set(None),
        reasons: Set(None),
        decided_at: Set(None),
        paid_fen: Set(0),
        is_demo: Set(a.is_demo),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn get_application<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<fund_applications::Model>, DbErr> {
    fund_applications::Entity::find_by_id(id).one(db).await
}

/// A fund's applications (only `applicant`'s when given), newest first, older than `before`.
pub async fn applications<C: ConnectionTrait>(
    db: &C,
    fund_id: i64,
    applicant: Option<i64>,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<fund_applications::Model>, DbErr> {
    use fund_applications::Column as A;
    let mut q = fund_applications::Entity::find().filter(A::FundId.eq(fund_id));
    if let Some(org) = applicant {
        q = q.filter(A::ApplicantOrgId.eq(org));
    }
    if let Some(b) = before {
        q = q.filter(A::Id.lt(b));
    }
    q.order_by_desc(A::Id).limit(limit).all(db).await
}

/// The applications made from a case, oldest first.
pub async fn applications_of_case<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
) -> Result<Vec<fund_applications::Model>, DbErr> {
    fund_applications::Entity::find()
        .filter(fund_applications::Column::CaseId.eq(case_id))
        .order_by_asc(fund_applications::Column::Id)
        .all(db)
        .await
}

/// The sum the fund has granted on `year`'s applications and not paid yet, other than `except`.
pub async fn outstanding<C: ConnectionTrait>(
    db: &C,
    fund_id: i64,
    year: i32,
    except: i64,
) -> Result<i64, DbErr> {
    approved_sum(
        db,
        "approved_fen - paid_fen",
        fund_id,
        fund_applications::Column::Year.eq(year),
        except,
    )
    .await
}

pub async fn votes<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Vec<fund_votes::Model>, DbErr> {
    fund_votes::Entity::find()
        .filter(fund_votes::Column::ApplicationId.eq(application_id))
        .order_by_asc(fund_votes::Column::Id)
        .all(db)
        .await
}

/// A reviewer's vote; the unique index refuses a second one by the same reviewer.
pub async fn insert_vote<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    reviewer_user_id: i64,
    reviewer_role: &str,
    amount_fen: Option<i64>,
    reasons: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    fund_votes::ActiveModel {
        application_id: Set(application_id),
        reviewer_user_id: Set(reviewer_user_id),
        reviewer_role: Set(reviewer_role.into()),
        approve: Set(amount_fen.is_some()),
        amount_fen: Set(amount_fen),
        reasons: Set(reasons.into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Records the decision on an application still waiting for one; false when it was decided.
pub async fn decide<C: ConnectionTrait>(
    db: &C,
    id: i64,
    approved_fen: Option<i64>,
    reasons: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use fund_applications::Column as A;
    let state = if approved_fen.is_some() {
        "approved"
    } else {
        "declined"
    };
    let done = fund_applications::Entity::update_many()
        .col_expr(A::State, Expr::value(state))
        .col_expr(A::ApprovedFen, Expr::value(approved_fen))
        .col_expr(A::Reasons, Expr::value(reasons))
        .col_expr(A::DecidedAt, Expr::value(now))
        .col_expr(A::UpdatedAt, Expr::value(now))
        .filter(A::Id.eq(id))
        .filter(A::State.is_in(["submitted", "panel"]))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Why a payout was not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// More than is left of the decision (or the application is not approved).
    OverDecision,
    /// More than is left of the year's budget (or the year has none).
    OverBudget,
}

/// A payout to record.
#[derive(Debug, Clone)]
pub struct NewPayout {
    pub application_id: i64,
    pub fund_id: i64,
    pub year: i32,
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    pub reference: String,
    pub recorded_by_user_id: i64,
}

/// Debits the decision and the year's budget by the payout and records it — each debit an update
/// that only happens while the sum stays within its limit — or refuses. Run it in a transaction
/// and drop that on a refusal: the first debit may have happened.
pub async fn pay<C: ConnectionTrait>(
    db: &C,
    p: NewPayout,
    now: DateTime<Utc>,
) -> Result<Result<fund_payouts::Model, Refused>, DbErr> {
    use fund_applications::Column as A;
    use fund_budgets::Column as B;
    let amount = p.amount_fen;
    let app = fund_applications::Entity::update_many()
        .col_expr(A::PaidFen, Expr::col(A::PaidFen).add(amount))
        .col_expr(A::UpdatedAt, Expr::value(now))
        .filter(A::Id.eq(p.application_id))
        .filter(A::State.eq("approved"))
        .filter(
            Expr::col(A::PaidFen)
                .add(amount)
                .lte(Expr::col(A::ApprovedFen)),
        )
        .exec(db)
        .await?;
    if app.rows_affected != 1 {
        return Ok(Err(Refused::OverDecision));
    }
    let budget = fund_budgets::Entity::update_many()
        .col_expr(B::PaidFen, Expr::col(B::PaidFen).add(amount))
        .col_expr(B::UpdatedAt, Expr::value(now))
        .filter(B::FundId.eq(p.fund_id))
        .filter(B::Year.eq(p.year))
        .filter(
            Expr::col(B::PaidFen)
                .add(amount)
                .lte(Expr::col(B::AmountFen)),
        )
        .exec(db)
        .await?;
    if budget.rows_affected != 1 {
        return Ok(Err(Refused::OverBudget));
    }
    let row = fund_payouts::ActiveModel {
        application_id: Set(p.application_id),
        fund_id: Set(p.fund_id),
        year: Set(p.year),
        amount_fen: Set(amount),
        paid_on: Set(p.paid_on),
        reference: Set(p.reference),
        recorded_by_user_id: Set(p.recorded_by_user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Ok(row))
}

/// The payouts of an application, oldest first.
pub async fn payouts_of<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Vec<fund_payouts::Model>, DbErr> {
    fund_payouts::Entity::find()
        .filter(fund_payouts::Column::ApplicationId.eq(application_id))
        .order_by_asc(fund_payouts::Column::Id)
        .all(db)
        .await
}

/// A fund's payouts, newest first: its ledger's debits.
pub async fn payouts<C: ConnectionTrait>(
    db: &C,
    fund_id: i64,
    limit: u64,
) -> Result<Vec<fund_payouts::Model>, DbErr> {
    fund_payouts::Entity::find()
        .filter(fund_payouts::Column::FundId.eq(fund_id))
        .order_by_desc(fund_payouts::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// One year's figures of a fund's applications.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearFigures {
    pub year: i32,
    pub applications: i64,
    /// Waiting for a decision (a single reviewer's or a panel's).
    pub open: i64,
    pub approved: i64,
    pub declined: i64,
    pub claimed_fen: i64,
    pub approved_fen: i64,
    pub paid_fen: i64,
}

/// A fund's figures per year of its applications, latest first.
pub async fn figures<C: ConnectionTrait>(db: &C, fund_id: i64) -> Result<Vec<YearFigures>, DbErr> {
    use fund_applications::Column as A;
    let rows: Vec<(i32, String, i64, i64, i64, i64)> = fund_applications::Entity::find()
        .select_only()
        .column(A::Year)
        .column(A::State)
        .column_as(Expr::col(A::Id).count(), "n")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(claimed_fen), 0) AS BIGINT)"),
            "claimed",
        )
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(approved_fen), 0) AS BIGINT)"),
            "approved",
        )
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(paid_fen), 0) AS BIGINT)"),
            "paid",
        )
        .filter(A::FundId.eq(fund_id))
        .group_by(A::Year)
        .group_by(A::State)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: Vec<YearFigures> = Vec::new();
    for (year, state, n, claimed, approved, paid) in rows {
        let i = match out.iter().position(|f| f.year == year) {
            Some(i) => i,
            None => {
                out.push(YearFigures {
                    year,
                    ..Default::default()
                });
                out.len() - 1
            }
        };
        let f = &mut out[i];
        f.applications += n;
        f.claimed_fen += claimed;
        f.approved_fen += approved;
        f.paid_fen += paid;
        match state.as_str() {
            "approved" => f.approved += n,
            "declined" => f.declined += n,
            _ => f.open += n,
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.year));
    Ok(out)
}
