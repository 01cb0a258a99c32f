//! `case_approvals`: what waits for an organisation's decision on a case, opened and closed by
//! the case's events in the write's transaction (`domain::approval`).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_approvals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    /// `extension` | `recusal` | `referral` | `share` | `export_abroad` | `jurisdiction`.
    pub kind: String,
    /// The event that opened it.
    pub opened_seq: i64,
    /// Who asked (never asked to decide their own request).
    pub opened_by_user_id: Option<i64>,
    /// The organisation whose people decide.
    pub decider_org_id: i64,
    /// `supervisor` (its supervisors), `officer` (its officers and supervisors) or `staff` (its
    /// triagers, officers and supervisors).
    pub decider_role: String,
    /// The clock it affects, where one does.
    pub rule_id: Option<String>,
    /// JSON: what the inbox shows (tier and amount, the member, the reason …).
    pub data: String,
    pub opened_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_seq: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
