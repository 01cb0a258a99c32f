//! `email_outbox`: e-mails to send for notices, written in the notice's transaction and delivered
//! by the scheduler with retries; also account e-mails (a password reset link), which have no
//! notice.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The notice the e-mail tells of; NULL for an account e-mail (a password reset link).
    pub notification_id: Option<i64>,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Not before this instant (claiming a row pushes it out by a lease; failures back off).
    pub next_attempt_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
