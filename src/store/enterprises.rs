//! Self-registered enterprises and their proof: the documents filers uploaded, the positions they
//! gave, which enterprises wait to be confirmed, and the confirmation.

use chrono::{DateTime, Utc};
use entity::{cases, enterprise_documents as documents, organizations, users};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use std::collections::HashSet;

const ENTERPRISE: &str = "enterprise";

/// A proof document to record (its bytes already in the blob store under `object_key`).
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub org_id: i64,
    pub kind: String,
    pub original_name: Option<String>,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub object_key: String,
    pub uploaded_by_user_id: i64,
}

pub async fn insert_document<C: ConnectionTrait>(
    db: &C,
    d: NewDocument,
    now: DateTime<Utc>,
) -> Result<documents::Model, DbErr> {
    documents::ActiveModel {
        org_id: Set(d.org_id),
        kind: Set(d.kind),
        original_name: Set(d.original_name),
        sha256: Set(d.sha256),
        size: Set(d.size),
        media_type: Set(d.media_type),
        object_key: Set(d.object_key),
        uploaded_by_user_id: Set(d.uploaded_by_user_id),
        uploaded_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Records the position (职务) a filer gave.
pub async fn set_position<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    position: Option<String>,
) -> Result<(), DbErr> {
    users::Entity::update_many()
        .col_expr(users::Column::Position, Expr::value(position))
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Enterprises not yet confirmed, oldest registration first.
pub async fn unverified<C: ConnectionTrait>(db: &C) -> Result<Vec<organizations::Model>, DbErr> {
    organizations::Entity::find()
        .filter(organizations::Column::Kind.eq(ENTERPRISE))
        .filter(organizations::Column::VerifiedAt.is_null())
        .order_by_asc(organizations::Column::CreatedAt)
        .order_by_asc(organizations::Column::Id)
        .all(db)
        .await
}

/// The proof documents of these enterprises, oldest first.
pub async fn documents_of<C: ConnectionTrait>(
    db: &C,
    org_ids: &[i64],
) -> Result<Vec<documents::Model>, DbErr> {
    if org_ids.is_empty() {
        return Ok(Vec::new());
    }
    documents::Entity::find()
        .filter(documents::Column::OrgId.is_in(org_ids.to_vec()))
        .order_by_asc(documents::Column::Id)
        .all(db)
        .await
}

/// The filer accounts of these enterprises.
pub async fn filers_of<C: ConnectionTrait>(
    db: &C,
    org_ids: &[i64],
) -> Result<Vec<users::Model>, DbErr> {
    if org_ids.is_empty() {
        return Ok(Vec::new());
    }
    users::Entity::find()
        .filter(users::Column::OrgId.is_in(org_ids.to_vec()))
        .order_by_asc(users::Column::Id)
        .all(db)
        .await
}

/// A proof document with its enterprise.
pub async fn document<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<(documents::Model, organizations::Model)>, DbErr> {
    let Some(d) = documents::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let org = super::orgs::get(db, d.org_id).await?;
    Ok(org.map(|o| (d, o)))
}

/// Confirms an unverified enterprise; false when it is no enterprise or confirmed already.
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    org_id: i64,
    by_user_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = organizations::Entity::update_many()
        .col_expr(organizations::Column::VerifiedAt, Expr::value(Some(now)))
        .col_expr(
            organizations::Column::VerifiedByUserId,
            Expr::value(Some(by_user_id)),
        )
        .col_expr(organizations::Column::UpdatedAt, Expr::value(now))
        .filter(organizations::Column::Id.eq(org_id))
        .filter(organizations::Column::Kind.eq(ENTERPRISE))
        .filter(organizations::Column::VerifiedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Which of these cases were filed by an enterprise that is not yet confirmed.
pub async fn filed_unverified<C: ConnectionTrait>(
    db: &C,
    case_ids: &[i64],
) -> Result<HashSet<i64>, DbErr> {
    let mut out = HashSet::new();
    for chunk in case_ids.chunks(400) {
        let stmt = Query::select()
            .column((cases::Entity, cases::Column::Id))
            .from(cases::Entity)
            .inner_join(
                organizations::Entity,
                Expr::col((organizations::Entity, organizations::Column::Id))
                    .equals((cases::Entity, cases::Column::FilerOrgId)),
            )
            .and_where(Expr::col((cases::Entity, cases::Column::Id)).is_in(chunk.to_vec()))
            .and_where(
                Expr::col((organizations::Entity, organizations::Column::Kind)).eq(ENTERPRISE),
            )
            .and_where(
                Expr::col((organizations::Entity, organizations::Column::VerifiedAt)).is_null(),
            )
            .to_owned();
        for row in db.query_all(&stmt).await? {
            out.insert(row.try_get_by_index::<i64>(0)?);
        }
    }
    Ok(out)
}

/// The enterprise that filed a case, if an enterprise did.
pub async fn filer_of_case<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
) -> Result<Option<organizations::Model>, DbErr> {
    let Some(c) = cases::Entity::find_by_id(case_id).one(db).await? else {
        return Ok(None);
    };
    match c.filer_org_id {
        Some(org) => super::orgs::get(db, org).await,
        None => Ok(None),
    }
}
