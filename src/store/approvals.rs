//! The approvals inbox (`case_approvals`): items opened and closed by a case's events in the
//! write's transaction, and what waits for a user: the open items of their organisation that
//! their role decides, on cases they may see, oldest first.

use crate::domain::approval::DeciderRole;
use crate::domain::identity::Role;
use crate::domain::policy::Actor;
use chrono::{DateTime, Utc};
use entity::{case_approvals, case_clocks, cases};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SubQueryStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QuerySelect, QueryTrait,
};

/// An item to open.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub case_id: i64,
    pub kind: String,
    pub opened_seq: i64,
    pub opened_by: Option<i64>,
    pub org_id: i64,
    pub role: DeciderRole,
    pub rule_id: Option<String>,
    pub data: String,
    pub at: DateTime<Utc>,
}

pub async fn open<C: ConnectionTrait>(db: &C, item: NewItem) -> Result<(), DbErr> {
    case_approvals::Entity::insert(case_approvals::ActiveModel {
        case_id: Set(item.case_id),
        kind: Set(item.kind),
        opened_seq: Set(item.opened_seq),
        opened_by_user_id: Set(item.opened_by),
        decider_org_id: Set(item.org_id),
        decider_role: Set(item.role.as_str().to_string()),
        rule_id: Set(item.rule_id),
        data: Set(item.data),
        opened_at: Set(item.at),
        closed_at: Set(None),
        closed_seq: Set(None),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Closes the open items of a case that match (see `domain::approval::Effect::Close`).
pub async fn close<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    kind: Option<&str>,
    opened_seq: Option<i64>,
    org_id: Option<i64>,
    seq: i64,
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut q = case_approvals::Entity::update_many()
        .col_expr(case_approvals::Column::ClosedAt, Expr::value(at))
        .col_expr(case_approvals::Column::ClosedSeq, Expr::value(seq))
        .filter(case_approvals::Column::CaseId.eq(case_id))
        .filter(case_approvals::Column::ClosedAt.is_null());
    if let Some(k) = kind {
        q = q.filter(case_approvals::Column::Kind.eq(k));
    }
    if let Some(s) = opened_seq {
        q = q.filter(case_approvals::Column::OpenedSeq.eq(s));
    }
    if let Some(o) = org_id {
        q = q.filter(case_approvals::Column::DeciderOrgId.eq(o));
    }
    Ok(q.exec(db).await?.rows_affected)
}

/// The decider roles of the items `actor` decides in their organisation.
fn decides(actor: &Actor) -> Vec<&'static str> {
    match actor.role {
        Role::Supervisor => vec![
            DeciderRole::Supervisor.as_str(),
            DeciderRole::Officer.as_str(),
            DeciderRole::Staff.as_str(),
        ],
        Role::Officer => vec![DeciderRole::Officer.as_str(), DeciderRole::Staff.as_str()],
        Role::Triager => vec![DeciderRole::Staff.as_str()],
        _ => Vec::new(),
    }
}

/// The open items waiting for `actor`, as a condition on `case_approvals` joined with `cases`:
/// of their organisation and role, not asked by themselves, on a case they may see, and for an
/// extension only while its clock is open (a clock that stopped needs no more time).
fn waiting(actor: &Actor) -> Condition {
    let roles = decides(actor);
    let a = case_approvals::Entity;
    let clock_open = Query::select()
        .expr(Expr::val(1))
        .from(case_clocks::Entity)
        .and_where(
            Expr::col((case_clocks::Entity, case_clocks::Column::CaseId))
                .equals((a, case_approvals::Column::CaseId)),
        )
        .and_where(
            Expr::col((case_clocks::Entity, case_clocks::Column::RuleId))
                .equals((a, case_approvals::Column::RuleId)),
        )
        .and_where(
            Expr::col((case_clocks::Entity, case_clocks::Column::State))
                .is_in(["running", "missed", "paused"]),
        )
        .to_owned();
    Condition::all()
        .add(
            Condition::any()
                .add(case_approvals::Column::OpenedByUserId.is_null())
                .add(case_approvals::Column::OpenedByUserId.ne(actor.user_id)),
        )
        .add(
            Condition::any()
                .add(case_approvals::Column::Kind.ne("extension"))
                .add(Expr::exists(clock_open)),
        )
        .add(case_approvals::Column::DeciderOrgId.eq(actor.org_id))
        .add(case_approvals::Column::ClosedAt.is_null())
        .add(if roles.is_empty() {
            Expr::val(1).eq(0)
        } else {
            case_approvals::Column::DeciderRole.is_in(roles)
        })
        .add(
            case_approvals::Column::CaseId.in_subquery(
                cases::Entity::find()
                    .select_only()
                    .column(cases::Column::Id)
                    .filter(super::cases::visible(actor))
                    .into_query(),
            ),
        )
}

/// How many items wait for `actor` (the navigation badge).
pub async fn count<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<u64, DbErr> {
    case_approvals::Entity::find()
        .filter(waiting(actor))
        .count(db)
        .await
}

/// An item of the inbox with its case and the clock it affects.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Item {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub opened_seq: i64,
    pub rule_id: Option<String>,
    pub data: String,
    pub opened_at: DateTime<Utc>,
    pub number: String,
    pub title: String,
    pub srdi_rank: i16,
    pub version: i64,
    /// The due instant of the clock it affects, while that clock is open.
    pub due_at: Option<DateTime<Utc>>,
    pub clock_name: Option<String>,
}

/// The items waiting for `actor`, oldest first (at most `limit`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    limit: u64,
) -> Result<Vec<Item>, DbErr> {
    let a = case_approvals::Entity;
    let open_clock = |col: case_clocks::Column| {
        Query::select()
            .expr(Expr::col((case_clocks::Entity, col)))
            .from(case_clocks::Entity)
            .and_where(
                Expr::col((case_clocks::Entity, case_clocks::Column::CaseId))
                    .equals((a, case_approvals::Column::CaseId)),
            )
            .and_where(
                Expr::col((case_clocks::Entity, case_clocks::Column::RuleId))
                    .equals((a, case_approvals::Column::RuleId)),
            )
            .and_where(
                Expr::col((case_clocks::Entity, case_clocks::Column::State))
                    .is_in(["running", "missed", "paused"]),
            )
            .order_by(
                (case_clocks::Entity, case_clocks::Column::DueAt),
                Order::Asc,
            )
            .limit(1)
            .to_owned()
    };
    let sub = |col| {
        Expr::SubQuery(
            None,
            Box::new(SubQueryStatement::SelectStatement(open_clock(col))),
        )
    };
    let stmt = Query::select()
        .columns([
            (a, case_approvals::Column::Id),
            (a, case_approvals::Column::CaseId),
            (a, case_approvals::Column::Kind),
            (a, case_approvals::Column::OpenedSeq),
            (a, case_approvals::Column::RuleId),
            (a, case_approvals::Column::Data),
            (a, case_approvals::Column::OpenedAt),
        ])
        .columns([
            (cases::Entity, cases::Column::Number),
            (cases::Entity, cases::Column::Title),
            (cases::Entity, cases::Column::SrdiRank),
            (cases::Entity, cases::Column::Version),
        ])
        .expr_as(sub(case_clocks::Column::DueAt), "due_at")
        .expr_as(sub(case_clocks::Column::Name), "clock_name")
        .from(a)
        .inner_join(
            cases::Entity,
            Expr::col((cases::Entity, cases::Column::Id))
                .equals((a, case_approvals::Column::CaseId)),
        )
        .cond_where(waiting(actor))
        .order_by((a, case_approvals::Column::OpenedAt), Order::Asc)
        .order_by((a, case_approvals::Column::Id), Order::Asc)
        .limit(limit)
        .to_owned();
    let rows = db.query_all(&stmt).await?;
    rows.iter()
        .map(|r| Item::from_query_result(r, ""))
        .collect()
}

/// The open item of kind `kind` for organisation `org_id` on a case, if any.
pub async fn open_item<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    kind: &str,
    org_id: i64,
) -> Result<Option<case_approvals::Model>, DbErr> {
    case_approvals::Entity::find()
        .filter(case_approvals::Column::CaseId.eq(case_id))
        .filter(case_approvals::Column::Kind.eq(kind))
        .filter(case_approvals::Column::DeciderOrgId.eq(org_id))
        .filter(case_approvals::Column::ClosedAt.is_null())
        .one(db)
        .await
}
