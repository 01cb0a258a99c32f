//! `enterprise_documents`: the business licence (营业执照) or authorisation letter (授权委托书) a
//! filer uploaded to show they act for the enterprise. The bytes live in the evidence blob store
//! under `object_key` (content-addressed); rows are never changed.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enterprise_documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    /// `business_licence` | `authorisation_letter`.
    pub kind: String,
    /// The client's file name, sanitised; metadata only, never a path.
    pub original_name: Option<String>,
    pub sha256: String,
    pub size: i64,
    /// The sniffed type (PDF, JPEG or PNG).
    pub media_type: String,
    pub object_key: String,
    pub uploaded_by_user_id: i64,
    pub uploaded_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
