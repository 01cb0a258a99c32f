//! SQL of the workstations page: what each workstation took in and answered.

use entity::{cases, consultations, users};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

/// The cases the staff of organisation `org_id` entered, counted by queue and state.
pub async fn taken_in<C: ConnectionTrait>(
    db: &C,
    org_id: i64,
) -> Result<Vec<(String, String, i64)>, DbErr> {
    let staff = Query::select()
        .column(users::Column::Id)
        .from(users::Entity)
        .and_where(users::Column::OrgId.eq(org_id))
        .to_owned();
    cases::Entity::find()
        .filter(cases::Column::CreatedByUserId.in_subquery(staff))
        .select_only()
        .column(cases::Column::Queue)
        .column(cases::Column::State)
        .column_as(cases::Column::Id.count(), "n")
        .group_by(cases::Column::Queue)
        .group_by(cases::Column::State)
        .into_tuple()
        .all(db)
        .await
}

/// Active users of organisation `org_id`.
pub async fn staff<C: ConnectionTrait>(db: &C, org_id: i64) -> Result<u64, DbErr> {
    users::Entity::find()
        .filter(users::Column::OrgId.eq(org_id))
        .filter(users::Column::Disabled.eq(false))
        .count(db)
        .await
}

/// Consultations organisation `org_id` answers: (all, answered).
pub async fn consultations<C: ConnectionTrait>(db: &C, org_id: i64) -> Result<(i64, i64), DbErr> {
    let row: Option<(i64, i64)> = consultations::Entity::find()
        .filter(consultations::Column::OrgId.eq(org_id))
        .select_only()
        .column_as(consultations::Column::Id.count(), "n")
        .column_as(
            Expr::col(consultations::Column::AnsweredAt).count(),
            "answered",
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.unwrap_or((0, 0)))
}
