//! Issue 17: the statistics' rollups — derived data kept in the transaction of every case write,
//! rebuilt from the cases by `weiquan reports rebuild`.
//!
//! - `report_rollup`: how many cases each figure counts, per owning office, month (of receipt or
//!   closing; empty for figures of the present), and one breakdown dimension (`dim` empty for
//!   none), with `item` the exhibition or enterprise of a distinct figure or the days to close
//!   of a percentile figure (0 otherwise).
//! - `report_case_facts`: what each case contributed the last time it was counted, so that the
//!   next write takes exactly that back out.
//! - `report_rollup_meta`: the definition of the figures the rollup was built for; a node
//!   whose figures differ rebuilds it, and counts from the cases until it is done.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("report_rollup")
                .col(big_integer("org_id"))
                .col(string_len("dim", 16))
                .col(string_len("bucket", 10))
                .col(string_len("figure", 48))
                .col(string_len("value", 64))
                .col(big_integer("item"))
                .col(big_integer("n"))
                .primary_key(
                    Index::create()
                        .col("org_id")
                        .col("dim")
                        .col("bucket")
                        .col("figure")
                        .col("value")
                        .col("item"),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("report_case_facts")
                .col(big_integer("case_id").primary_key())
                .col(text("facts"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("report_rollup_meta")
                .col(integer("id").primary_key())
                .col(string_len("fingerprint", 64))
                .col(timestamp_with_time_zone("built_at"))
                .to_owned(),
        )
        .await?;
        // The figures of the present: open cases by when they fall due.
        m.create_index(
            Index::create()
                .name("ix_cases_owner_due")
                .table("cases")
                .col("owner_org_id")
                .col("next_due_at")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_cases_owner_due")
                .table("cases")
                .if_exists()
                .to_owned(),
        )
        .await?;
        for t in ["report_rollup_meta", "report_case_facts", "report_rollup"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
