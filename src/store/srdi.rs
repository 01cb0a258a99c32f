//! The 专精特新 registry, and the SRDI flag it puts on cases whose complainant is listed.

use crate::domain::srdi::{self, SrdiLevel};
use chrono::{DateTime, Utc};
use entity::{cases, srdi_registry};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

/// An entry as recorded (already validated by the service).
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub uscc: String,
    pub name: String,
    pub level: SrdiLevel,
    pub year: i32,
    pub source: String,
    pub recorded_by_org_id: Option<i64>,
    pub recorded_by_user_id: Option<i64>,
}

/// What recording an entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// A new entry (or a withdrawn one of the same enterprise, level and year, reinstated).
    New(i64),
    /// The same enterprise, level and year is already listed and in force: nothing changed.
    Duplicate(i64),
}

/// Records an entry. The same credit code, level and year is one entry: a duplicate is reported,
/// not an error (so one transaction can import many rows on PostgreSQL too), and a withdrawn entry
/// is reinstated with the new name, source and recorder. Does not refresh case flags.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    e: NewEntry,
    now: DateTime<Utc>,
) -> Result<Recorded, DbErr> {
    use srdi_registry::Column as C;
    let (uscc, level, year) = (e.uscc.clone(), e.level.as_str(), e.year);
    let row = srdi_registry::ActiveModel {
        uscc: Set(e.uscc),
        name: Set(e.name),
        level: Set(level.to_string()),
        year: Set(year),
        source: Set(e.source),
        recorded_by_org_id: Set(e.recorded_by_org_id),
        recorded_by_user_id: Set(e.recorded_by_user_id),
        created_at: Set(now),
        withdrawn_at: Set(None),
        withdrawn_by_user_id: Set(None),
        ..Default::default()
    };
    let written = srdi_registry::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([C::Uscc, C::Level, C::Year])
                .update_columns([
                    C::Name,
                    C::Source,
                    C::RecordedByOrgId,
                    C::RecordedByUserId,
                    C::CreatedAt,
                    C::WithdrawnAt,
                    C::WithdrawnByUserId,
                ])
                .action_and_where(Expr::col((srdi_registry::Entity, C::WithdrawnAt)).is_not_null())
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let id = srdi_registry::Entity::find()
        .filter(C::Uscc.eq(uscc.as_str()))
        .filter(C::Level.eq(level))
        .filter(C::Year.eq(year))
        .one(db)
        .await?
        .map(|m| m.id)
        .ok_or_else(|| DbErr::RecordNotFound(format!("srdi entry {uscc}/{level}/{year}")))?;
    Ok(if written > 0 {
        Recorded::New(id)
    } else {
        Recorded::Duplicate(id)
    })
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<srdi_registry::Model>, DbErr> {
    srdi_registry::Entity::find_by_id(id).one(db).await
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub level: Option<SrdiLevel>,
    pub year: Option<i32>,
    /// Part of the enterprise's name or credit code.
    pub search: Option<String>,
    /// Include withdrawn entries.
    pub withdrawn: bool,
}

/// `%text%` with LIKE's wildcards in `text` taken literally.
pub(super) fn like_containing(text: &str) -> LikeExpr {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// Entries matching `filter`, newest year first, then national before provincial, then by name;
/// at most `limit`, with the number that match.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    limit: u64,
) -> Result<(Vec<srdi_registry::Model>, u64), DbErr> {
    list_from(db, filter, 0, limit).await
}

/// [`list`] from the `offset`-th entry on (an export reads the whole registry in batches).
pub async fn list_from<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<srdi_registry::Model>, u64), DbErr> {
    use srdi_registry::Column as C;
    let mut q = srdi_registry::Entity::find();
    if let Some(level) = filter.level {
        q = q.filter(C::Level.eq(level.as_str()));
    }
    if let Some(year) = filter.year {
        q = q.filter(C::Year.eq(year));
    }
    if let Some(s) = filter.search.as_deref() {
        q = q.filter(
            Condition::any()
                .add(Expr::col(C::Name).like(like_containing(s)))
                .add(Expr::col(C::Uscc).like(like_containing(&s.to_ascii_uppercase()))),
        );
    }
    if !filter.withdrawn {
        q = q.filter(C::WithdrawnAt.is_null());
    }
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_desc(C::Year)
        .order_by_asc(C::Level)
        .order_by_asc(C::Name)
        .order_by_asc(C::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// Withdraws an entry in force. Returns false when it was already withdrawn (or is missing).
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    id: i64,
    by_user_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use srdi_registry::Column as C;
    let res = srdi_registry::Entity::update_many()
        .col_expr(C::WithdrawnAt, Expr::value(now))
        .col_expr(C::WithdrawnByUserId, Expr::value(by_user_id))
        .filter(C::Id.eq(id))
        .filter(C::WithdrawnAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// The entries in force of these credit codes, by code, newest year first.
pub async fn in_force_by_uscc<C: ConnectionTrait>(
    db: &C,
    usccs: &[String],
) -> Result<HashMap<String, Vec<srdi_registry::Model>>, DbErr> {
    use srdi_registry::Column as C;
    let mut map: HashMap<String, Vec<srdi_registry::Model>> = HashMap::new();
    for chunk in usccs.chunks(500) {
        let rows = srdi_registry::Entity::find()
            .filter(C::Uscc.is_in(chunk.iter().map(String::as_str)))
            .filter(C::WithdrawnAt.is_null())
            .order_by_desc(C::Year)
            .order_by_asc(C::Level)
            .all(db)
            .await?;
        for r in rows {
            map.entry(r.uscc.clone()).or_default().push(r);
        }
    }
    Ok(map)
}

/// The flag of the highest level in force for a credit code: 0 none, 1 provincial, 2 national.
pub async fn best_rank_for_uscc<C: ConnectionTrait>(db: &C, uscc: &str) -> Result<i16, DbErr> {
    use srdi_registry::Column as C;
    let levels: Vec<String> = srdi_registry::Entity::find()
        .select_only()
        .column(C::Level)
        .filter(C::Uscc.eq(uscc))
        .filter(C::WithdrawnAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(srdi::rank_of(srdi::highest(
        levels.iter().filter_map(|l| l.parse::<SrdiLevel>().ok()),
    )))
}

/// Sets the SRDI flag of every case whose complainant has this credit code to the code's best
/// level in force. Run in the transaction of every registry write. Returns the cases changed.
pub async fn refresh_case_flags<C: ConnectionTrait>(
    db: &C,
    uscc: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u64, DbErr> {
    let rank = best_rank_for_uscc(db, uscc).await?;
    super::outbox::enqueue_for_uscc(db, uscc, rank, now).await?;
    let res = cases::Entity::update_many()
        .col_expr(cases::Column::SrdiRank, Expr::value(rank))
        .filter(cases::Column::ComplainantUscc.eq(uscc))
        .filter(cases::Column::SrdiRank.ne(rank))
        .exec(db)
        .await?;
    if res.rows_affected > 0 {
        let ids: Vec<i64> = cases::Entity::find()
            .select_only()
            .column(cases::Column::Id)
            .filter(cases::Column::ComplainantUscc.eq(uscc))
            .into_tuple()
            .all(db)
            .await?;
        super::rollup::refresh(db, crate::domain::report::rollup::standard(), &ids).await?;
    }
    Ok(res.rows_affected)
}
