//! `srdi_registry`: enterprises on published 专精特新 / 小巨人 lists, by credit code, whether or not
//! they are registered here. A withdrawn entry stays for the record but no longer counts.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "srdi_registry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// 统一社会信用代码 of the listed enterprise (upper-case, validated).
    pub uscc: String,
    /// The enterprise's name as the list gives it.
    pub name: String,
    /// `provincial_srdi` | `national_little_giant`.
    pub level: String,
    /// The year of the list.
    pub year: i32,
    /// The published list or notice, e.g. 工业和信息化部第六批专精特新“小巨人”企业名单.
    pub source: String,
    /// The office that recorded it (None when loaded by the operator).
    pub recorded_by_org_id: Option<i64>,
    pub recorded_by_user_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// Set when the entry was withdrawn (entered by mistake, or the designation was revoked).
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawn_by_user_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
