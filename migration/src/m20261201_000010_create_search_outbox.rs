//! The search outbox: one row per change of a case, written in the change's transaction. The
//! search indexer applies the rows in id order and keeps the last applied id in its index.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("search_outbox")
                .col(big_pk_auto("id"))
                // No foreign key: the row only names a case to read again, and must never make
                // a case write fail.
                .col(big_integer("case_id"))
                .col(timestamp_with_time_zone("recorded_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_search_outbox_recorded_at")
                .table("search_outbox")
                .col("recorded_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("search_outbox").to_owned())
            .await
    }
}
