//! `health_checks`: an enterprise's request for an IP health check (知识产权体检), the centre's
//! acceptance or refusal, and its completion with a summary and the result report (bytes in the
//! evidence blob store under `report_object_key`).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "health_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The serving organisation.
    pub org_id: i64,
    pub region_code: String,
    pub enterprise_org_id: i64,
    /// Comma-separated area names.
    pub areas: String,
    pub products: String,
    pub note: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// `requested` | `accepted` | `completed` | `declined`.
    pub status: String,
    pub requested_by_user_id: i64,
    pub requested_at: DateTimeUtc,
    pub assignee_user_id: Option<i64>,
    pub accepted_at: Option<DateTimeUtc>,
    pub closed_by_user_id: Option<i64>,
    pub closed_at: Option<DateTimeUtc>,
    /// The completion's summary or the refusal's reasons.
    pub summary: Option<String>,
    pub report_object_key: Option<String>,
    pub report_sha256: Option<String>,
    pub report_size: Option<i64>,
    pub report_media_type: Option<String>,
    /// The client's file name, sanitised; metadata only.
    pub report_original_name: Option<String>,
    pub is_demo: bool,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
