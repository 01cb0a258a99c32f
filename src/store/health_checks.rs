//! SQL of IP health checks: the request, the centre's steps as conditional updates (two steps at
//! once keep the first), lists by who may see them, and their figures.

use super::consultations::Scope;
use chrono::{DateTime, Utc};
use entity::health_checks;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// A request to store.
#[derive(Debug, Clone)]
pub struct NewCheck {
    pub org_id: i64,
    pub region_code: String,
    pub enterprise_org_id: i64,
    pub areas: String,
    pub products: String,
    pub note: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub requested_by_user_id: i64,
    pub is_demo: bool,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    c: NewCheck,
    now: DateTime<Utc>,
) -> Result<health_checks::Model, DbErr> {
    health_checks::ActiveModel {
        org_id: Set(c.org_id),
        region_code: Set(c.region_code),
        enterprise_org_id: Set(c.enterprise_org_id),
        areas: Set(c.areas),
        products: Set(c.products),
        note: Set(c.note),
        contact_name: Set(c.contact_name),
        contact_phone: Set(c.contact_phone),
        status: Set("requested".into()),
        requested_by_user_id: Set(c.requested_by_user_id),
        requested_at: Set(now),
        assignee_user_id: Set(None),
        accepted_at: Set(None),
        closed_by_user_id: Set(None),
        closed_at: Set(None),
        summary: Set(None),
        report_object_key: Set(None),
        report_sha256: Set(None),
        report_size: Set(None),
        report_media_type: Set(None),
        report_original_name: Set(None),
        is_demo: Set(c.is_demo),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<health_checks::Model>, DbErr> {
    health_checks::Entity::find_by_id(id).one(db).await
}

/// Whether the enterprise has a check not finished yet (requested or accepted).
pub async fn open_of<C: ConnectionTrait>(
    db: &C,
    enterprise_org_id: i64,
) -> Result<Option<health_checks::Model>, DbErr> {
    use health_checks::Column as C;
    health_checks::Entity::find()
        .filter(C::EnterpriseOrgId.eq(enterprise_org_id))
        .filter(C::Status.is_in(["requested", "accepted"]))
        .one(db)
        .await
}

/// The result report of a completed check.
#[derive(Debug, Clone)]
pub struct Report {
    pub object_key: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub original_name: Option<String>,
}

/// A step of the centre, as the row's new values.
#[derive(Debug, Clone)]
pub enum Change {
    Accept { assignee_user_id: i64 },
    Decline { reasons: String },
    Complete { summary: String, report: Report },
}

/// Applies `change` to check `id` if its status is one of `from`; false when it is not (or the
/// check is gone), so that of two steps at once only the first counts.
pub async fn step<C: ConnectionTrait>(
    db: &C,
    id: i64,
    from: &[&'static str],
    change: Change,
    by_user_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use health_checks::Column as C;
    let mut q = health_checks::Entity::update_many().col_expr(C::UpdatedAt, Expr::value(now));
    q = match change {
        Change::Accept { assignee_user_id } => q
            .col_expr(C::Status, Expr::value("accepted"))
            .col_expr(C::AssigneeUserId, Expr::value(assignee_user_id))
            .col_expr(C::AcceptedAt, Expr::value(now)),
        Change::Decline { reasons } => q
            .col_expr(C::Status, Expr::value("declined"))
            .col_expr(C::Summary, Expr::value(reasons))
            .col_expr(C::ClosedByUserId, Expr::value(by_user_id))
            .col_expr(C::ClosedAt, Expr::value(now)),
        Change::Complete { summary, report } => q
            .col_expr(C::Status, Expr::value("completed"))
            .col_expr(C::Summary, Expr::value(summary))
            .col_expr(C::ReportObjectKey, Expr::value(report.object_key))
            .col_expr(C::ReportSha256, Expr::value(report.sha256))
            .col_expr(C::ReportSize, Expr::value(report.size))
            .col_expr(C::ReportMediaType, Expr::value(report.media_type))
            .col_expr(C::ReportOriginalName, Expr::value(report.original_name))
            .col_expr(C::ClosedByUserId, Expr::value(by_user_id))
            .col_expr(C::ClosedAt, Expr::value(now)),
    };
    let done = q
        .filter(C::Id.eq(id))
        .filter(C::Status.is_in(from.iter().copied()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The list's filters.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<&'static str>,
    /// Requested on or after, before.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn filtered(scope: &Scope, f: &Filter) -> sea_orm::Select<health_checks::Entity> {
    use health_checks::Column as C;
    let mut q = health_checks::Entity::find();
    q = match scope {
        Scope::Enterprise(org) => q.filter(C::EnterpriseOrgId.eq(*org)),
        Scope::Orgs(orgs) => q.filter(C::OrgId.is_in(orgs.clone())),
    };
    if let Some(s) = f.status {
        q = q.filter(C::Status.eq(s));
    }
    if let Some(from) = f.from {
        q = q.filter(C::RequestedAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(C::RequestedAt.lt(to));
    }
    q
}

/// A page of `scope`'s checks matching `f`, newest first, older than `before`, and how many
/// match in all.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    f: &Filter,
    before: Option<i64>,
    limit: u64,
) -> Result<(Vec<health_checks::Model>, u64), DbErr> {
    use health_checks::Column as C;
    let total = filtered(scope, f).count(db).await?;
    let mut q = filtered(scope, f);
    if let Some(b) = before {
        q = q.filter(C::Id.lt(b));
    }
    let rows = q.order_by_desc(C::Id).limit(limit).all(db).await?;
    Ok((rows, total))
}

/// How many of `scope`'s checks in `f`'s period are in each status, as `(status, count)`.
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    f: &Filter,
) -> Result<Vec<(String, i64)>, DbErr> {
    use health_checks::Column as C;
    let period = Filter {
        status: None,
        ..f.clone()
    };
    filtered(scope, &period)
        .select_only()
        .column(C::Status)
        .column_as(Expr::col(C::Id).count(), "n")
        .group_by(C::Status)
        .into_tuple()
        .all(db)
        .await
}
