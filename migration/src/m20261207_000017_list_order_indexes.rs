//! Indexes in the case list's order (most urgent first, SRDI first among equally urgent, then
//! oldest): an office's cases, and a queue's cases in one state (a centre's triage), so that a
//! page of a list with a million cases is read in order instead of sorted.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, leading columns, trailing columns); the leading ones are followed by `next_due_at,
/// srdi_rank DESC, id`. The office index also holds `closed_at`, so that the open cases falling
/// due before a day (overdue, due this week) are counted from it alone. An office's queue in one
/// state (the triage workbench, a queue board) has its own: PostgreSQL, which takes queue and
/// state for independent, would otherwise expect a few hundred of an office's leads awaiting
/// triage where there are thousands, and sort them all.
const INDEXES: [(&str, &[&str], &[&str]); 3] = [
    ("ix_cases_owner_urgency", &["owner_org_id"], &["closed_at"]),
    (
        "ix_cases_owner_queue_urgency",
        &["owner_org_id", "queue", "state"],
        &[],
    ),
    ("ix_cases_queue_state_urgency", &["queue", "state"], &[]),
];

/// Columns of `cases` that are empty on most cases.
const SPARSE: [&str; 3] = ["referred_to_org_id", "assignee_user_id", "filer_org_id"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, leading, trailing) in INDEXES {
            let mut i = Index::create();
            i.name(name).table("cases").if_not_exists();
            for c in leading {
                i.col(*c);
            }
            i.col("next_due_at")
                .col((Alias::new("srdi_rank"), IndexOrder::Desc))
                .col("id");
            for c in trailing {
                i.col(*c);
            }
            m.create_index(i.to_owned()).await?;
        }
        // The new office index begins with the old one's columns. The index of `next_due_at`
        // alone goes too: every list reaches cases through an office or a relation first, and
        // SQLite's statistics (which know nothing of nulls) took it for a handful of rows per
        // "no due date" and read half the cases through it.
        for old in ["ix_cases_owner_due", "idx_cases_next_due_at"] {
            m.drop_index(
                Index::drop()
                    .name(old)
                    .table("cases")
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        }
        // Columns empty on most cases (referred to, assigned to, filed by) are indexed where
        // they are set: SQLite's statistics count all the empty ones as one value and took an
        // equality on them for a million rows; a partial index's statistics are its own rows.
        for col in SPARSE {
            m.drop_index(
                Index::drop()
                    .name(format!("idx_cases_{col}"))
                    .table("cases")
                    .if_exists()
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name(format!("ix_cases_{col}_set"))
                    .table("cases")
                    .col(col)
                    .and_where(Expr::col(col).is_not_null())
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in SPARSE {
            m.drop_index(
                Index::drop()
                    .name(format!("ix_cases_{col}_set"))
                    .table("cases")
                    .if_exists()
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name(format!("idx_cases_{col}"))
                    .table("cases")
                    .col(col)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("idx_cases_next_due_at")
                .table("cases")
                .col("next_due_at")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
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
        for (name, ..) in INDEXES {
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
