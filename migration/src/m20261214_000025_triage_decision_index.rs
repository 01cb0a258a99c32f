//! The cases an office triaged (issue 17: a centre's triage figures, `org_role=triaged` on the
//! case list): its triage decisions — routed, referred, rejected, merged — are events it
//! recorded. They are indexed by the recording office where they are such decisions only: a
//! lead's receipt and the steps of the queues (most events) stay out of the index, so imports
//! and workflow writes do not maintain it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The event kinds of a triage decision (`EventKind::TRIAGE_DECISIONS` in the service).
const DECISIONS: [&str; 4] = ["routed", "referred", "rejected", "merged"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
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
        .await
    }
}
