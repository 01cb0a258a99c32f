//! Evidence rows and quarantine records (issue 6). Rows are inserted, sealed once with their SM3
//! and marked withdrawn; there is no other update of their bytes' facts and no delete.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{enterprise_documents, evidence, evidence_quarantine, health_checks};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// A new evidence row.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub case_id: i64,
    pub no: i64,
    pub kind: String,
    pub description: String,
    pub obtained_at: Option<NaiveDate>,
    pub original_name: Option<String>,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub object_key: String,
    pub uploader_user_id: i64,
    pub uploader_org_id: i64,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn insert<C: ConnectionTrait>(db: &C, e: NewEvidence) -> Result<evidence::Model, DbErr> {
    evidence::ActiveModel {
        case_id: Set(e.case_id),
        no: Set(e.no),
        kind: Set(e.kind),
        description: Set(e.description),
        obtained_at: Set(e.obtained_at),
        original_name: Set(e.original_name),
        sha256: Set(e.sha256),
        sm3: Set(None),
        size: Set(e.size),
        media_type: Set(e.media_type),
        object_key: Set(e.object_key),
        uploader_user_id: Set(e.uploader_user_id),
        uploader_org_id: Set(e.uploader_org_id),
        uploaded_at: Set(e.uploaded_at),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The number the next item of a case gets (1 for the first).
pub async fn next_no<C: ConnectionTrait>(db: &C, case_id: i64) -> Result<i64, DbErr> {
    let last: Option<i64> = evidence::Entity::find()
        .select_only()
        .column(evidence::Column::No)
        .filter(evidence::Column::CaseId.eq(case_id))
        .order_by_desc(evidence::Column::No)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.unwrap_or(0) + 1)
}

/// Bytes of evidence a case holds (withdrawn items count: they stay stored).
pub async fn case_total<C: ConnectionTrait>(db: &C, case_id: i64) -> Result<i64, DbErr> {
    let sizes: Vec<i64> = evidence::Entity::find()
        .select_only()
        .column(evidence::Column::Size)
        .filter(evidence::Column::CaseId.eq(case_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(sizes.iter().sum())
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<evidence::Model>, DbErr> {
    evidence::Entity::find_by_id(id).one(db).await
}

/// A case's evidence by number; with `uploader_org_id`, only what that organisation uploaded.
pub async fn of_case<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    uploader_org_id: Option<i64>,
) -> Result<Vec<evidence::Model>, DbErr> {
    let mut q = evidence::Entity::find().filter(evidence::Column::CaseId.eq(case_id));
    if let Some(org) = uploader_org_id {
        q = q.filter(evidence::Column::UploaderOrgId.eq(org));
    }
    q.order_by_asc(evidence::Column::No).all(db).await
}

/// Marks an item withdrawn; false when it already was.
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    id: i64,
    by_user_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = evidence::Entity::update_many()
        .col_expr(evidence::Column::WithdrawnAt, Expr::value(now))
        .col_expr(evidence::Column::WithdrawnByUserId, Expr::value(by_user_id))
        .col_expr(evidence::Column::WithdrawReason, Expr::value(reason))
        .filter(evidence::Column::Id.eq(id))
        .filter(evidence::Column::WithdrawnAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Rows still waiting for their SM3, oldest first (`case_id`: of that case only).
pub async fn unsealed<C: ConnectionTrait>(
    db: &C,
    case_id: Option<i64>,
    limit: u64,
) -> Result<Vec<evidence::Model>, DbErr> {
    let mut q = evidence::Entity::find().filter(evidence::Column::Sm3.is_null());
    if let Some(c) = case_id {
        q = q.filter(evidence::Column::CaseId.eq(c));
    }
    q.order_by_asc(evidence::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Records the SM3 of a row that had none; false when it already had one (another node sealed
/// it first).
pub async fn seal<C: ConnectionTrait>(
    db: &C,
    id: i64,
    sm3: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = evidence::Entity::update_many()
        .col_expr(evidence::Column::Sm3, Expr::value(sm3))
        .col_expr(evidence::Column::Sm3At, Expr::value(at))
        .filter(evidence::Column::Id.eq(id))
        .filter(evidence::Column::Sm3.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Every evidence row after `after_id`, in id order, `limit` at a time (for `evidence verify`).
pub async fn page<C: ConnectionTrait>(
    db: &C,
    after_id: i64,
    limit: u64,
) -> Result<Vec<evidence::Model>, DbErr> {
    evidence::Entity::find()
        .filter(evidence::Column::Id.gt(after_id))
        .order_by_asc(evidence::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Which of `keys` some row names (evidence, quarantined uploads, enterprise documents, health
/// check reports).
pub async fn named_keys<C: ConnectionTrait>(
    db: &C,
    keys: &[String],
) -> Result<std::collections::HashSet<String>, DbErr> {
    let mut named = std::collections::HashSet::new();
    for chunk in keys.chunks(500) {
        let k = chunk.to_vec();
        let e: Vec<String> = evidence::Entity::find()
            .select_only()
            .column(evidence::Column::ObjectKey)
            .filter(evidence::Column::ObjectKey.is_in(k.clone()))
            .into_tuple()
            .all(db)
            .await?;
        let q: Vec<String> = evidence_quarantine::Entity::find()
            .select_only()
            .column(evidence_quarantine::Column::ObjectKey)
            .filter(evidence_quarantine::Column::ObjectKey.is_in(k.clone()))
            .into_tuple()
            .all(db)
            .await?;
        let d: Vec<String> = enterprise_documents::Entity::find()
            .select_only()
            .column(enterprise_documents::Column::ObjectKey)
            .filter(enterprise_documents::Column::ObjectKey.is_in(k.clone()))
            .into_tuple()
            .all(db)
            .await?;
        let r: Vec<Option<String>> = health_checks::Entity::find()
            .select_only()
            .column(health_checks::Column::ReportObjectKey)
            .filter(health_checks::Column::ReportObjectKey.is_in(k))
            .into_tuple()
            .all(db)
            .await?;
        named.extend(
            e.into_iter()
                .chain(q)
                .chain(d)
                .chain(r.into_iter().flatten()),
        );
    }
    Ok(named)
}

/// A quarantined upload.
#[derive(Debug, Clone)]
pub struct NewQuarantine {
    pub case_id: i64,
    pub original_name: Option<String>,
    pub sha256: String,
    pub sm3: String,
    pub size: i64,
    pub object_key: String,
    pub finding: String,
    pub uploader_user_id: i64,
    pub uploader_org_id: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_quarantine<C: ConnectionTrait>(
    db: &C,
    q: NewQuarantine,
) -> Result<evidence_quarantine::Model, DbErr> {
    evidence_quarantine::ActiveModel {
        case_id: Set(q.case_id),
        original_name: Set(q.original_name),
        sha256: Set(q.sha256),
        sm3: Set(q.sm3),
        size: Set(q.size),
        object_key: Set(q.object_key),
        finding: Set(q.finding),
        uploader_user_id: Set(q.uploader_user_id),
        uploader_org_id: Set(q.uploader_org_id),
        created_at: Set(q.created_at),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn quarantined<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
) -> Result<Vec<evidence_quarantine::Model>, DbErr> {
    evidence_quarantine::Entity::find()
        .filter(evidence_quarantine::Column::CaseId.eq(case_id))
        .order_by_asc(evidence_quarantine::Column::Id)
        .all(db)
        .await
}
