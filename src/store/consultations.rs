//! SQL of consultations: recording, answering, linking the case one became, lists by who may
//! see them, and their figures.

use chrono::{DateTime, Utc};
use entity::consultations;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// A consultation to store.
#[derive(Debug, Clone)]
pub struct NewConsultation {
    pub org_id: i64,
    pub region_code: String,
    pub enterprise_org_id: Option<i64>,
    pub asker_name: String,
    pub asker_contact: Option<String>,
    pub channel: &'static str,
    pub topic: &'static str,
    pub question: String,
    pub asked_by_user_id: Option<i64>,
    pub recorded_by_user_id: Option<i64>,
    /// Answered at once: the text, minutes and who answered.
    pub answer: Option<(String, Option<u32>, i64)>,
    pub is_demo: bool,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    c: NewConsultation,
    now: DateTime<Utc>,
) -> Result<consultations::Model, DbErr> {
    let (answer, minutes, answered_by, answered_at) = match c.answer {
        Some((text, minutes, by)) => (Some(text), minutes, Some(by), Some(now)),
        None => (None, None, None, None),
    };
    consultations::ActiveModel {
        org_id: Set(c.org_id),
        region_code: Set(c.region_code),
        enterprise_org_id: Set(c.enterprise_org_id),
        asker_name: Set(c.asker_name),
        asker_contact: Set(c.asker_contact),
        channel: Set(c.channel.to_string()),
        topic: Set(c.topic.to_string()),
        question: Set(c.question),
        answer: Set(answer),
        minutes_spent: Set(minutes.map(|m| m as i32)),
        asked_by_user_id: Set(c.asked_by_user_id),
        recorded_by_user_id: Set(c.recorded_by_user_id),
        answered_by_user_id: Set(answered_by),
        asked_at: Set(now),
        answered_at: Set(answered_at),
        case_id: Set(None),
        converted_at: Set(None),
        is_demo: Set(c.is_demo),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<consultations::Model>, DbErr> {
    consultations::Entity::find_by_id(id).one(db).await
}

/// Records the answer of a consultation not answered yet; false when it already was (or is
/// gone), so that two answers at once keep the first.
pub async fn answer<C: ConnectionTrait>(
    db: &C,
    id: i64,
    text: &str,
    minutes: Option<u32>,
    by_user_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use consultations::Column as C;
    let done = consultations::Entity::update_many()
        .col_expr(C::Answer, Expr::value(text))
        .col_expr(C::MinutesSpent, Expr::value(minutes.map(|m| m as i32)))
        .col_expr(C::AnsweredByUserId, Expr::value(by_user_id))
        .col_expr(C::AnsweredAt, Expr::value(now))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .filter(C::Id.eq(id))
        .filter(C::AnsweredAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Links consultation `id` to the case it became, unless it already became one; false then.
pub async fn link_case<C: ConnectionTrait>(
    db: &C,
    id: i64,
    case_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use consultations::Column as C;
    let done = consultations::Entity::update_many()
        .col_expr(C::CaseId, Expr::value(case_id))
        .col_expr(C::ConvertedAt, Expr::value(now))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .filter(C::Id.eq(id))
        .filter(C::CaseId.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Whose consultations a caller sees (`domain::policy::consultation_access` decides the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// An enterprise: the questions it asked.
    Enterprise(i64),
    /// Staff and heads of office: those answered by these organisations.
    Orgs(Vec<i64>),
}

/// The list's filters.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub topic: Option<&'static str>,
    /// `open` (not answered), `answered` (answered, not converted) or `converted`.
    pub status: Option<&'static str>,
    /// Part of the question, the answer or the asker's name.
    pub text: Option<String>,
    /// Asked on or after, before.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Older than this id (the next page).
    pub before: Option<i64>,
}

fn filtered(scope: &Scope, f: &Filter) -> sea_orm::Select<consultations::Entity> {
    use consultations::Column as C;
    let mut q = consultations::Entity::find();
    q = match scope {
        Scope::Enterprise(org) => q.filter(C::EnterpriseOrgId.eq(*org)),
        Scope::Orgs(orgs) => q.filter(C::OrgId.is_in(orgs.clone())),
    };
    if let Some(t) = f.topic {
        q = q.filter(C::Topic.eq(t));
    }
    q = match f.status {
        Some("open") => q
            .filter(C::AnsweredAt.is_null())
            .filter(C::CaseId.is_null()),
        Some("answered") => q
            .filter(C::AnsweredAt.is_not_null())
            .filter(C::CaseId.is_null()),
        Some("converted") => q.filter(C::CaseId.is_not_null()),
        _ => q,
    };
    if let Some(s) = f.text.as_deref() {
        let like = super::srdi::like_containing(s);
        q = q.filter(
            Condition::any()
                .add(Expr::col(C::Question).like(like.clone()))
                .add(Expr::col(C::Answer).like(like.clone()))
                .add(Expr::col(C::AskerName).like(like)),
        );
    }
    if let Some(from) = f.from {
        q = q.filter(C::AskedAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(C::AskedAt.lt(to));
    }
    q
}

/// A page of `scope`'s consultations matching `f`, newest first, and how many match in all.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    f: &Filter,
    limit: u64,
) -> Result<(Vec<consultations::Model>, u64), DbErr> {
    use consultations::Column as C;
    let total = filtered(
        scope,
        &Filter {
            before: None,
            ..f.clone()
        },
    )
    .count(db)
    .await?;
    let mut q = filtered(scope, f);
    if let Some(b) = f.before {
        q = q.filter(C::Id.lt(b));
    }
    let rows = q.order_by_desc(C::Id).limit(limit).all(db).await?;
    Ok((rows, total))
}

/// Figures of `scope`'s consultations matching `f`: per topic and status, with the minutes
/// spent, as `(topic, status, count, minutes)`.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    f: &Filter,
) -> Result<Vec<(String, String, i64, i64)>, DbErr> {
    use consultations::Column as C;
    let status = Expr::cust(
        "CASE WHEN case_id IS NOT NULL THEN 'converted' \
         WHEN answered_at IS NOT NULL THEN 'answered' ELSE 'open' END",
    );
    filtered(scope, f)
        .select_only()
        .column(C::Topic)
        .column_as(status.clone(), "status")
        .column_as(Expr::col(C::Id).count(), "n")
        .column_as(Expr::cust("COALESCE(SUM(minutes_spent), 0)"), "minutes")
        .group_by(C::Topic)
        .group_by(status)
        .into_tuple::<(String, String, i64, i64)>()
        .all(db)
        .await
}
