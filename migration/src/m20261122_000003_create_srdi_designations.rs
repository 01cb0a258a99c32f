//! 专精特新 designations of enterprises.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("srdi_designations")
                .col(big_pk_auto("id"))
                .col(big_integer("org_id"))
                .col(string_len("level", 32))
                .col(integer("year"))
                .col(string("source"))
                .col(big_integer_null("recorded_by_org_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_srdi_org")
                        .from("srdi_designations", "org_id")
                        .to("organizations", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_srdi_recorded_by")
                        .from("srdi_designations", "recorded_by_org_id")
                        .to("organizations", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_srdi_org_level_year")
                .table("srdi_designations")
                .col("org_id")
                .col("level")
                .col("year")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("srdi_designations").to_owned())
            .await
    }
}
