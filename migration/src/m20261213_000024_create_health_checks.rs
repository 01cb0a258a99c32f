//! IP health checks (知识产权体检, issue 19): an enterprise asks the centre serving its region to
//! look over its IP position; the centre accepts (naming who does it) or declines with reasons,
//! and completes it with a summary and the result report, whose bytes live in the evidence blob
//! store (content-addressed) like the enterprises' proof documents.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(name: &str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from("health_checks", col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("health_checks")
                .col(big_pk_auto("id"))
                // The serving organisation (a centre, an office or a workstation).
                .col(big_integer("org_id"))
                .col(string_len("region_code", 12))
                .col(big_integer("enterprise_org_id"))
                // Comma-separated `domain::health_check::CheckArea` names.
                .col(string_len("areas", 200))
                .col(text("products"))
                .col(text("note"))
                .col(string_len("contact_name", 50))
                .col(string_len("contact_phone", 30))
                // `requested` | `accepted` | `completed` | `declined`.
                .col(string_len("status", 16))
                .col(big_integer("requested_by_user_id"))
                .col(timestamp_with_time_zone("requested_at"))
                .col(big_integer_null("assignee_user_id"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(big_integer_null("closed_by_user_id"))
                .col(timestamp_with_time_zone_null("closed_at"))
                // The completion's summary, or the refusal's reasons.
                .col(text_null("summary"))
                .col(string_len_null("report_object_key", 255))
                .col(string_len_null("report_sha256", 64))
                .col(big_integer_null("report_size"))
                .col(string_len_null("report_media_type", 128))
                .col(string_len_null("report_original_name", 255))
                .col(boolean("is_demo").default(false))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("fk_health_checks_org", "org_id", "organizations"))
                .foreign_key(&mut fk(
                    "fk_health_checks_enterprise",
                    "enterprise_org_id",
                    "organizations",
                ))
                .foreign_key(&mut fk(
                    "fk_health_checks_requester",
                    "requested_by_user_id",
                    "users",
                ))
                .foreign_key(&mut fk(
                    "fk_health_checks_assignee",
                    "assignee_user_id",
                    "users",
                ))
                .foreign_key(&mut fk(
                    "fk_health_checks_closer",
                    "closed_by_user_id",
                    "users",
                ))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_health_checks_org_id", ["org_id", "id"]),
            (
                "idx_health_checks_enterprise_id",
                ["enterprise_org_id", "id"],
            ),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table("health_checks")
                    .col(cols[0])
                    .col(cols[1])
                    .to_owned(),
            )
            .await?;
        }
        // One unfinished check per enterprise: a form sent twice files once (a partial index,
        // which SQLite and PostgreSQL both have).
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_health_checks_open ON health_checks (enterprise_org_id) \
                 WHERE status IN ('requested', 'accepted')",
            )
            .await?;
        m.create_index(
            Index::create()
                .name("idx_health_checks_report")
                .table("health_checks")
                .col("report_object_key")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("health_checks").to_owned())
            .await
    }
}
