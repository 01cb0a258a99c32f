//! Issue 17: indexes the statistics' filters use — cases by receipt and closing instant (alone
//! and per owning office), events by kind, clocks by rule and state — so that a figure's `COUNT`
//! reads an index instead of every row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str, &[&str]); 6] = [
    ("ix_cases_received_at", "cases", &["received_at"]),
    ("ix_cases_closed_at", "cases", &["closed_at"]),
    // An office's figures: its own cases by period.
    (
        "ix_cases_owner_received",
        "cases",
        &["owner_org_id", "received_at"],
    ),
    (
        "ix_cases_owner_closed",
        "cases",
        &["owner_org_id", "closed_at"],
    ),
    (
        "ix_case_events_kind_case",
        "case_events",
        &["kind", "case_id"],
    ),
    (
        "ix_case_clocks_rule_state",
        "case_clocks",
        &["rule_id", "state"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in INDEXES {
            let mut i = Index::create();
            i.name(name).table(table.to_string()).if_not_exists();
            for c in columns {
                i.col(Alias::new(*c));
            }
            m.create_index(i.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            m.drop_index(
                Index::drop()
                    .name(name)
                    .table(table.to_string())
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
