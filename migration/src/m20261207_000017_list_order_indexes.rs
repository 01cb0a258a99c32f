//! Indexes in the case list's order (most urgent first, SRDI first among equally urgent, then
//! oldest): an office's cases, and a queue's cases in one state (a centre's triage), so that a
//! page of a list with a million cases is read in order instead of sorted.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, leading columns); each is followed by `next_due_at, srdi_rank DESC, id`.
const INDEXES: [(&str, &[&str]); 2] = [
    ("ix_cases_owner_urgency", &["owner_org_id"]),
    ("ix_cases_queue_state_urgency", &["queue", "state"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, leading) in INDEXES {
            let mut i = Index::create();
            i.name(name).table("cases").if_not_exists();
            for c in leading {
                i.col(*c);
            }
            i.col("next_due_at")
                .col((Alias::new("srdi_rank"), IndexOrder::Desc))
                .col("id");
            m.create_index(i.to_owned()).await?;
        }
        // The new office index begins with the old one's columns.
        m.drop_index(
            Index::drop()
                .name("ix_cases_owner_due")
                .table("cases")
                .if_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_cases_owner_due")
                .table("cases")
                .col("owner_org_id")
                .col("next_due_at")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        for (name, _) in INDEXES {
            m.drop_index(
                Index::drop()
                    .name(name)
                    .table("cases")
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
