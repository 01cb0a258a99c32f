//! `evidence_quarantine`: an upload the malware scan refused, kept in the quarantine area.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence_quarantine")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub original_name: Option<String>,
    pub sha256: String,
    pub sm3: String,
    pub size: i64,
    pub object_key: String,
    /// What the scanner said.
    pub finding: String,
    pub uploader_user_id: i64,
    pub uploader_org_id: i64,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
