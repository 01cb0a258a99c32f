//! Issue 16: notices of what happened on a case, the approvals inbox and SMS.
//!
//! - `notice_preferences`: per user and topic, whether a notice also goes out by e-mail and SMS
//!   (the notification centre always has it); no row means the defaults.
//! - `sms_outbox`: text messages to send for notices, like `email_outbox`.
//! - `case_approvals`: what waits for an organisation's decision on a case (an extension
//!   request, a recusal application, a referral, a share, an evidence export abroad, a
//!   jurisdiction dispute), opened and closed by the case's events in the write's transaction.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("notice_preferences")
                .col(big_integer("user_id"))
                .col(string_len("topic", 16))
                .col(boolean("email"))
                .col(boolean("sms"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("user_id").col("topic"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notice_preferences_user")
                        .from("notice_preferences", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sms_outbox")
                .col(big_pk_auto("id"))
                .col(big_integer("notification_id"))
                .col(string_len("to_phone", 32))
                .col(text("body"))
                .col(integer("attempts").default(0))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sms_outbox_notification")
                        .from("sms_outbox", "notification_id")
                        .to("notifications", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sms_outbox_pending")
                .table("sms_outbox")
                .col("sent_at")
                .col("next_attempt_at")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("case_approvals")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(string_len("kind", 24))
                .col(big_integer("opened_seq"))
                .col(big_integer_null("opened_by_user_id"))
                .col(big_integer("decider_org_id"))
                .col(string_len("decider_role", 16))
                .col(string_len_null("rule_id", 64))
                .col(text("data"))
                .col(timestamp_with_time_zone("opened_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(big_integer_null("closed_seq"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_case_approvals_case")
                        .from("case_approvals", "case_id")
                        .to("cases", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_case_approvals_opened")
                .table("case_approvals")
                .col("case_id")
                .col("kind")
                .col("opened_seq")
                .unique()
                .to_owned(),
        )
        .await?;
        // The inbox and its badge: an organisation's open items, oldest first.
        m.create_index(
            Index::create()
                .name("idx_case_approvals_decider_open")
                .table("case_approvals")
                .col("decider_org_id")
                .col("closed_at")
                .col("opened_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("case_approvals").to_owned())
            .await?;
        m.drop_table(Table::drop().table("sms_outbox").to_owned())
            .await?;
        m.drop_table(Table::drop().table("notice_preferences").to_owned())
            .await
    }
}
