//! Loaded calendar years.

use chrono::{DateTime, Utc};
use entity::calendar_years;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, Set};

/// A year's schedule to store.
#[derive(Debug, Clone)]
pub struct YearRow {
    pub year: i32,
    pub version: String,
    pub source: String,
    pub schedule_json: String,
    pub loaded_by: String,
}

/// Inserts or replaces the schedule of a year.
pub async fn upsert<C: ConnectionTrait>(
    db: &C,
    row: YearRow,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let model = calendar_years::ActiveModel {
        year: Set(row.year),
        version: Set(row.version),
        source: Set(row.source),
        schedule: Set(row.schedule_json),
        loaded_at: Set(now),
        loaded_by: Set(row.loaded_by),
        ..Default::default()
    };
    calendar_years::Entity::insert(model)
        .on_conflict(
            OnConflict::column(calendar_years::Column::Year)
                .update_columns([
                    calendar_years::Column::Version,
                    calendar_years::Column::Source,
                    calendar_years::Column::Schedule,
                    calendar_years::Column::LoadedAt,
                    calendar_years::Column::LoadedBy,
                ])
                .to_owned(),
        )
        .exec(db)
        .await
        .map(|_| ())
}

/// Every loaded year, oldest first.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<calendar_years::Model>, DbErr> {
    calendar_years::Entity::find()
        .order_by_asc(calendar_years::Column::Year)
        .all(db)
        .await
}
