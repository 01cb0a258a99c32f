//! Issue 16: who registers an enterprise, and the self-service password reset.
//!
//! - `organizations.verified_at` / `verified_by_user_id`: an enterprise that registered itself is
//!   unverified (NULL) until a centre or office covering its region confirms it. Every
//!   organisation that exists before this migration was entered or checked under the old rules and
//!   counts as verified from its creation.
//! - `users.position`: the filer's position (职务) given at registration.
//! - `enterprise_documents`: the business licence (营业执照) or authorisation letter (授权委托书)
//!   a filer uploaded, stored content-addressed in the evidence blob store.
//! - `password_reset_requests`: every reset request (for throttling per account and address); a
//!   request for a known account with an e-mail address carries the SHA-256 of its single-use
//!   token and when it expires.
//! - `email_outbox.notification_id` becomes nullable: an account e-mail (the reset link) belongs
//!   to no notice.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `email_outbox` as created by `m20261122_000007`, with `notification_id` nullable or not.
fn email_outbox(table: &str, notification_nullable: bool) -> TableCreateStatement {
    let notification = if notification_nullable {
        big_integer_null("notification_id")
    } else {
        big_integer("notification_id")
    };
    Table::create()
        .table(table.to_string())
        .col(big_pk_auto("id"))
        .col(notification)
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
                .from(table.to_string(), "notification_id")
                .to("notifications", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

/// Changes whether `email_outbox.notification_id` may be NULL. SQLite cannot alter a column that
/// is part of a foreign key: the table is rebuilt under the same name, rows and ids kept.
async fn notification_nullable(m: &SchemaManager<'_>, nullable: bool) -> Result<(), DbErr> {
    let db = m.get_connection();
    match m.get_database_backend() {
        DatabaseBackend::Sqlite => {
            m.create_table(email_outbox("email_outbox_rebuilt", nullable))
                .await?;
            db.execute_unprepared(
                "INSERT INTO email_outbox_rebuilt (id, notification_id, to_address, subject, body, \
                 attempts, next_attempt_at, sent_at, last_error, created_at) \
                 SELECT id, notification_id, to_address, subject, body, attempts, \
                 next_attempt_at, sent_at, last_error, created_at FROM email_outbox; \
                 DROP TABLE email_outbox; \
                 ALTER TABLE email_outbox_rebuilt RENAME TO email_outbox;",
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("idx_email_outbox_pending")
                    .table("email_outbox")
                    .col("sent_at")
                    .col("next_attempt_at")
                    .to_owned(),
            )
            .await
        }
        _ => {
            let change = if nullable { "DROP" } else { "SET" };
            db.execute_unprepared(&format!(
                "ALTER TABLE email_outbox ALTER COLUMN notification_id {change} NOT NULL"
            ))
            .await
            .map(|_| ())
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too: a rebuild that fails half-way leaves the table as it was.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // One column per statement: SQLite adds one at a time.
        for col in [
            timestamp_with_time_zone_null("verified_at"),
            big_integer_null("verified_by_user_id"),
        ] {
            m.alter_table(
                Table::alter()
                    .table("organizations")
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        db.execute_unprepared("UPDATE organizations SET verified_at = created_at")
            .await?;
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(string_len_null("position", 50))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("enterprise_documents")
                .col(big_pk_auto("id"))
                .col(big_integer("org_id"))
                // `business_licence` | `authorisation_letter`.
                .col(string_len("kind", 24))
                .col(string_len_null("original_name", 255))
                .col(string_len("sha256", 64))
                .col(big_integer("size"))
                .col(string_len("media_type", 128))
                .col(string_len("object_key", 255))
                .col(big_integer("uploaded_by_user_id"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_enterprise_documents_org")
                        .from("enterprise_documents", "org_id")
                        .to("organizations", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_enterprise_documents_uploader")
                        .from("enterprise_documents", "uploaded_by_user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_enterprise_documents_org")
                .table("enterprise_documents")
                .col("org_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("password_reset_requests")
                .col(big_pk_auto("id"))
                // NULL: the name or address matched no account that can receive a reset.
                .col(big_integer_null("user_id"))
                .col(string_len_null("token_hash", 64).unique_key())
                .col(string("client_addr"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_password_reset_requests_user")
                        .from("password_reset_requests", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_password_reset_requests_user_at")
                .table("password_reset_requests")
                .col("user_id")
                .col("created_at")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_password_reset_requests_addr_at")
                .table("password_reset_requests")
                .col("client_addr")
                .col("created_at")
                .to_owned(),
        )
        .await?;

        notification_nullable(m, true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // Account e-mails have no notice to point at: they go with the column's NULLs.
        db.execute_unprepared("DELETE FROM email_outbox WHERE notification_id IS NULL")
            .await?;
        notification_nullable(m, false).await?;
        m.drop_table(Table::drop().table("password_reset_requests").to_owned())
            .await?;
        m.drop_table(Table::drop().table("enterprise_documents").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("users")
                .drop_column("position")
                .to_owned(),
        )
        .await?;
        for col in ["verified_by_user_id", "verified_at"] {
            m.alter_table(
                Table::alter()
                    .table("organizations")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
