//! Evidence (issue 6): one row per uploaded item of a case, pointing at a content-addressed object
//! in the blob store; and the quarantine record of uploads a malware scan refused. Rows are never
//! deleted: a mistaken upload is withdrawn (marked, with a reason). Custody events are case events.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("evidence")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                // 1, 2, 3 … per case: the `E3` of `WQ-2026-000001-E3`.
                .col(big_integer("no"))
                .col(string_len("kind", 32))
                .col(text("description"))
                .col(date_null("obtained_at"))
                .col(string_len_null("original_name", 255))
                .col(string_len("sha256", 64))
                .col(string_len("sm3", 64))
                .col(big_integer("size"))
                .col(string_len("media_type", 128))
                .col(string_len("object_key", 255))
                .col(big_integer("uploader_user_id"))
                .col(big_integer("uploader_org_id"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .col(big_integer_null("withdrawn_by_user_id"))
                .col(text_null("withdraw_reason"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_evidence_case")
                        .from("evidence", "case_id")
                        .to("cases", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_evidence_uploader")
                        .from("evidence", "uploader_user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_evidence_case_no")
                .table("evidence")
                .col("case_id")
                .col("no")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_evidence_sha256")
                .table("evidence")
                .col("sha256")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("evidence_quarantine")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(string_len_null("original_name", 255))
                .col(string_len("sha256", 64))
                .col(string_len("sm3", 64))
                .col(big_integer("size"))
                .col(string_len("object_key", 255))
                .col(text("finding"))
                .col(big_integer("uploader_user_id"))
                .col(big_integer("uploader_org_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_evidence_quarantine_case")
                        .from("evidence_quarantine", "case_id")
                        .to("cases", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("evidence_quarantine").to_owned())
            .await?;
        m.drop_table(Table::drop().table("evidence").to_owned())
            .await
    }
}
