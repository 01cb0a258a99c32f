//! Official working-day schedules loaded after release.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("calendar_years")
                .col(big_pk_auto("id"))
                .col(integer_uniq("year"))
                .col(string("version"))
                .col(string("source"))
                .col(text("schedule"))
                .col(timestamp_with_time_zone("loaded_at"))
                .col(string("loaded_by"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("calendar_years").to_owned())
            .await
    }
}
