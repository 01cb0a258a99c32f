//! The in-app notification centre and the e-mail outbox of the deadline scheduler. The unique
//! index over (user, case, rule, kind, due instant) makes every notice exactly once, whichever
//! process or tick inserts it (`INSERT … ON CONFLICT DO NOTHING`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    m.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("notifications")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(big_integer("case_id"))
                .col(string_len("rule_id", 64))
                .col(string_len("kind", 16))
                .col(timestamp_with_time_zone("due_at"))
                .col(text("data"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("read_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notifications_user")
                        .from("notifications", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notifications_case")
                        .from("notifications", "case_id")
                        .to("cases", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Exactly once per recipient, clock, kind and due instant. Clock first: the same index
        // answers the scheduler's "has this clock been announced?" (its anti-join).
        index(
            m,
            "uq_notifications_once",
            "notifications",
            &["case_id", "rule_id", "kind", "due_at", "user_id"],
            true,
        )
        .await?;
        // The unread badge (a COUNT) and the list, newest first.
        index(
            m,
            "idx_notifications_user_read",
            "notifications",
            &["user_id", "read_at"],
            false,
        )
        .await?;
        index(
            m,
            "idx_notifications_user_id",
            "notifications",
            &["user_id", "id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("email_outbox")
                .col(big_pk_auto("id"))
                .col(big_integer("notification_id"))
                .col(string("to_address"))
                .col(string("subject"))
                .col(text("body"))
                .col(integer("attempts").default(0))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_email_outbox_notification")
                        .from("email_outbox", "notification_id")
                        .to("notifications", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_email_outbox_pending",
            "email_outbox",
            &["sent_at", "next_attempt_at"],
            false,
        )
        .await?;
        // Hour clocks are few; the scheduler looks them up by unit to find their warnings.
        index(
            m,
            "idx_case_clocks_unit_state_due_at",
            "case_clocks",
            &["unit", "state", "due_at"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_case_clocks_unit_state_due_at")
                .table("case_clocks")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("email_outbox").to_owned())
            .await?;
        m.drop_table(Table::drop().table("notifications").to_owned())
            .await
    }
}
