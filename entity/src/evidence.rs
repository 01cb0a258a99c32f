//! `evidence`: one uploaded item of a case (issue 6). The bytes live in the blob store under
//! `object_key`; the row is never deleted, only marked withdrawn.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    /// 1, 2, 3 … per case.
    pub no: i64,
    pub kind: String,
    pub description: String,
    pub obtained_at: Option<Date>,
    /// The client's file name, sanitised; metadata only, never a path.
    pub original_name: Option<String>,
    pub sha256: String,
    /// SM3 (GB/T 32905) of the stored bytes; empty until the sealing worker has computed it,
    /// moments after the upload (decision D15).
    pub sm3: Option<String>,
    pub size: i64,
    /// The sniffed type.
    pub media_type: String,
    pub object_key: String,
    pub uploader_user_id: i64,
    pub uploader_org_id: i64,
    pub uploaded_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawn_by_user_id: Option<i64>,
    pub withdraw_reason: Option<String>,
    /// When the SM3 was computed.
    pub sm3_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
