//! `consultations`: questions asked of a centre, office or workstation (咨询), their answers, and
//! the case one became.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The organisation that answers it.
    pub org_id: i64,
    /// 行政区划代码 of the asker (an enterprise's own; else the answering organisation's).
    pub region_code: String,
    /// The enterprise that asked, when it is one kept here.
    pub enterprise_org_id: Option<i64>,
    pub asker_name: String,
    pub asker_contact: Option<String>,
    /// `online` | `phone` | `visit` | `email`.
    pub channel: String,
    /// One of `domain::consultation::Topic`.
    pub topic: String,
    pub question: String,
    pub answer: Option<String>,
    pub minutes_spent: Option<i32>,
    /// The enterprise user who asked online.
    pub asked_by_user_id: Option<i64>,
    /// The staff member who recorded a question taken by phone, at a visit or by e-mail.
    pub recorded_by_user_id: Option<i64>,
    pub answered_by_user_id: Option<i64>,
    pub asked_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    /// The complaint or lead it became.
    pub case_id: Option<i64>,
    pub converted_at: Option<DateTimeUtc>,
    pub is_demo: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
