//! `organizations`: enterprises, IP offices, industry offices, assistance centres, other agencies.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// `enterprise` | `ip_office` | `industry_office` | `assistance_center` | `market_regulator` |
    /// `other_agency` | `workstation`.
    pub kind: String,
    /// 统一社会信用代码 (required for enterprises, unique).
    #[sea_orm(unique)]
    pub uscc: Option<String>,
    /// 行政区划代码.
    pub region_code: String,
    pub parent_id: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// The office's own triage service standard in working days (none: the rules' default).
    pub triage_working_days: Option<i16>,
    /// The office's fast-track triage standard for leads of 专精特新 enterprises, in working
    /// days (none: 3).
    pub srdi_triage_working_days: Option<i16>,
    /// The industrial park or cluster a workstation serves (workstations only).
    pub park: Option<String>,
    /// Loaded by `weiquan demo`.
    pub is_demo: bool,
    /// When an enterprise was confirmed to be who it says (NULL: a self-registered enterprise
    /// not yet confirmed by a centre or office; offices are verified from their creation).
    pub verified_at: Option<DateTimeUtc>,
    /// Who confirmed it (NULL for organisations entered by an administrator or operator).
    pub verified_by_user_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub users: HasMany<super::users::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
