//! `cases`: one row per case. The event log (`case_events`) is the truth; these columns are its
//! current state, kept for querying and rebuilt from the events when needed.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Human case number, `WQ-2026-000123`; never reused.
    #[sea_orm(unique)]
    pub number: String,
    pub title: String,
    pub description: String,
    /// `complaint` | `officer` | `shared` | `hotline_12330`.
    pub source: String,
    pub channel: String,
    pub region_code: String,
    pub queue: String,
    pub state: String,
    pub owner_org_id: i64,
    pub filer_org_id: Option<i64>,
    pub filer_user_id: Option<i64>,
    pub created_by_user_id: Option<i64>,
    pub assignee_user_id: Option<i64>,
    pub complainant_standing: Option<String>,
    pub complainant_uscc: Option<String>,
    /// 0 none, 1 省级专精特新, 2 国家级小巨人.
    pub srdi_rank: i16,
    /// Channel facts (exhibition, overseas) as JSON.
    pub facts: String,
    pub referred_to_org_id: Option<i64>,
    pub merged_into_case_id: Option<i64>,
    /// The earliest due instant of a running clock.
    pub next_due_at: Option<DateTimeUtc>,
    pub received_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    /// The number of events; writes name the version they expect.
    pub version: i64,
    pub is_demo: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The exhibition an exhibition-enforcement case belongs to (no foreign key: added by
    /// `ALTER TABLE`, which SQLite cannot give one).
    pub exhibition_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
