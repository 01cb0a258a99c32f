//! A centre's triage figures (issue 17).
//!
//! The cases an office triaged (`org_role=triaged` on the case list) are those on which it
//! recorded a triage decision — routed, referred, rejected, merged. Those events are indexed by
//! the recording office where they are such decisions only: a lead's receipt and the steps of
//! the queues (most events) stay out of the index, so imports and workflow writes do not
//! maintain it.
//!
//! A share now says why it exists (`origin`): `granted` by an office to work with another (the
//! statistics' "shared" cases, the default of the shares made before), or made by a procedure —
//! `handover` (the previous owner keeps reading), `triaged` (the office that triaged a lead it
//! does not own keeps reading it), `procedure` (a superior deciding an escalation or an
//! extension, a fund's reviewers, a workstation's own lead).
//!
//! The statistics' rollups break overseas requests down by `overseas_category`, a dimension
//! name longer than the 16 characters `report_rollup.dim` held (PostgreSQL checks the length;
//! SQLite keeps any text).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The event kinds of a triage decision (`EventKind::TRIAGE_DECISIONS` in the service).
const DECISIONS: [&str; 4] = ["routed", "referred", "rejected", "merged"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.alter_table(
                Table::alter()
                    .table("report_rollup")
                    .modify_column(ColumnDef::new("dim").string_len(32).not_null())
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table("case_shares")
                .add_column(
                    ColumnDef::new("origin")
                        .string_len(16)
                        .not_null()
                        .default("granted"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_case_events_triaged_by")
                .table("case_events")
                .col("actor_org_id")
                .col("case_id")
                .and_where(Expr::col("kind").is_in(DECISIONS))
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_case_events_triaged_by")
                .table("case_events")
                .if_exists()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("case_shares")
                .drop_column("origin")
                .to_owned(),
        )
        .await
    }
}
