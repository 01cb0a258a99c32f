//! SQL of the queue workflows: the officers who may sit on a panel, the experts directory and
//! exhibitions.

use crate::domain::identity::Role;
use chrono::{DateTime, Utc};
use entity::{cases, exhibitions, experts, users};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// Officers and supervisors of `org_id` who are not disabled: who may sit on a panel or be
/// assigned a case, by name.
pub async fn staff<C: ConnectionTrait>(db: &C, org_id: i64) -> Result<Vec<users::Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::OrgId.eq(org_id))
        .filter(users::Column::Disabled.eq(false))
        .filter(users::Column::Role.is_in([Role::Officer.as_str(), Role::Supervisor.as_str()]))
        .order_by_asc(users::Column::DisplayName)
        .all(db)
        .await
}

/// Active experts, by name.
pub async fn experts<C: ConnectionTrait>(db: &C) -> Result<Vec<experts::Model>, DbErr> {
    experts::Entity::find()
        .filter(experts::Column::Active.eq(true))
        .order_by_asc(experts::Column::Name)
        .all(db)
        .await
}

pub async fn expert<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<experts::Model>, DbErr> {
    experts::Entity::find_by_id(id).one(db).await
}

/// A new entry of the experts directory.
#[derive(Debug, Clone)]
pub struct NewExpert {
    pub name: String,
    pub organization: String,
    pub fields: String,
    pub languages: String,
    pub contact: Option<String>,
    pub org_id: Option<i64>,
}

pub async fn insert_expert<C: ConnectionTrait>(
    db: &C,
    e: NewExpert,
    now: DateTime<Utc>,
) -> Result<experts::Model, DbErr> {
    experts::ActiveModel {
        name: Set(e.name),
        organization: Set(e.organization),
        fields: Set(e.fields),
        languages: Set(e.languages),
        contact: Set(e.contact),
        org_id: Set(e.org_id),
        active: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A new exhibition.
#[derive(Debug, Clone)]
pub struct NewExhibition {
    pub name: String,
    pub venue: String,
    pub organiser: String,
    pub station: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub owner_org_id: i64,
    pub created_by_user_id: Option<i64>,
}

pub async fn insert_exhibition<C: ConnectionTrait>(
    db: &C,
    e: NewExhibition,
    now: DateTime<Utc>,
) -> Result<exhibitions::Model, DbErr> {
    exhibitions::ActiveModel {
        name: Set(e.name),
        venue: Set(e.venue),
        organiser: Set(e.organiser),
        station: Set(e.station),
        opens_at: Set(e.opens_at),
        closes_at: Set(e.closes_at),
        owner_org_id: Set(e.owner_org_id),
        created_by_user_id: Set(e.created_by_user_id),
        created_at: Set(now),
        swept_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn exhibition<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<exhibitions::Model>, DbErr> {
    exhibitions::Entity::find_by_id(id).one(db).await
}

/// Exhibitions of `org_id`, the latest to close first.
pub async fn exhibitions_of<C: ConnectionTrait>(
    db: &C,
    org_id: i64,
) -> Result<Vec<exhibitions::Model>, DbErr> {
    exhibitions::Entity::find()
        .filter(exhibitions::Column::OwnerOrgId.eq(org_id))
        .order_by_desc(exhibitions::Column::ClosesAt)
        .all(db)
        .await
}

/// Exhibitions whose complaint stations take complaints at `now`: not closed, and opening before
/// `opens_before` (of `org_id` only, when given), the first to close first.
pub async fn accepting<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    opens_before: DateTime<Utc>,
    org_id: Option<i64>,
) -> Result<Vec<exhibitions::Model>, DbErr> {
    let mut q = exhibitions::Entity::find()
        .filter(exhibitions::Column::ClosesAt.gt(now))
        .filter(exhibitions::Column::OpensAt.lte(opens_before))
        .filter(exhibitions::Column::SweptAt.is_null());
    if let Some(org) = org_id {
        q = q.filter(exhibitions::Column::OwnerOrgId.eq(org));
    }
    q.order_by_asc(exhibitions::Column::ClosesAt)
        .limit(200)
        .all(db)
        .await
}

/// Exhibitions that have closed by `now` and whose open cases were not swept yet.
pub async fn due_for_sweep<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Vec<exhibitions::Model>, DbErr> {
    exhibitions::Entity::find()
        .filter(exhibitions::Column::ClosesAt.lte(now))
        .filter(exhibitions::Column::SweptAt.is_null())
        .order_by_asc(exhibitions::Column::ClosesAt)
        .all(db)
        .await
}

/// Marks an exhibition swept, once: false when another process did it first.
pub async fn mark_swept<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = exhibitions::Entity::update_many()
        .col_expr(
            exhibitions::Column::SweptAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(exhibitions::Column::Id.eq(id))
        .filter(exhibitions::Column::SweptAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The cases of an exhibition, most urgent first.
pub async fn exhibition_cases<C: ConnectionTrait>(
    db: &C,
    exhibition_id: i64,
) -> Result<Vec<super::cases::CaseRow>, DbErr> {
    cases::Entity::find()
        .filter(cases::Column::ExhibitionId.eq(exhibition_id))
        .order_by_asc(cases::Column::NextDueAt)
        .order_by_asc(cases::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(super::cases::CaseRow::try_from)
        .collect()
}

/// Records the exhibition of a case (materialised; the case's facts name it).
pub async fn set_case_exhibition<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    exhibition_id: i64,
) -> Result<(), DbErr> {
    cases::Entity::update_many()
        .col_expr(
            cases::Column::ExhibitionId,
            sea_orm::sea_query::Expr::value(exhibition_id),
        )
        .filter(cases::Column::Id.eq(case_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// The cases among `ids` that have an event of `kind`.
pub async fn with_event<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
    kind: crate::domain::case::EventKind,
) -> Result<Vec<i64>, DbErr> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: Vec<i64> = entity::case_events::Entity::find()
        .filter(entity::case_events::Column::CaseId.is_in(ids))
        .filter(entity::case_events::Column::Kind.eq(kind.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.case_id)
        .collect();
    found.sort_unstable();
    found.dedup();
    Ok(found)
}
