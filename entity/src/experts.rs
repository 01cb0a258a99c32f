//! `experts`: the directory of experts overseas-assistance cases are assigned to (海外维权专家库).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "experts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// Law firm, university or institute.
    pub organization: String,
    /// Fields of expertise, comma-separated (e.g. `337调查, 专利诉讼`).
    pub fields: String,
    /// Working languages, comma-separated (e.g. `英语, 日语`).
    pub languages: String,
    pub contact: Option<String>,
    /// The office that keeps the entry.
    pub org_id: Option<i64>,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
