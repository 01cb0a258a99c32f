//! Queue workflows: the experts directory of overseas assistance, exhibitions as records, and
//! the exhibition a case belongs to.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("experts")
                .col(big_pk_auto("id"))
                .col(string("name"))
                .col(string("organization"))
                // Comma-separated: fields of expertise and languages, as entered.
                .col(string("fields"))
                .col(string("languages"))
                .col(string_null("contact"))
                .col(big_integer_null("org_id"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_experts_org")
                        .from("experts", "org_id")
                        .to("organizations", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("exhibitions")
                .col(big_pk_auto("id"))
                .col(string("name"))
                .col(string("venue"))
                .col(string("organiser"))
                .col(string("station"))
                .col(timestamp_with_time_zone("opens_at"))
                .col(timestamp_with_time_zone("closes_at"))
                .col(big_integer("owner_org_id"))
                .col(big_integer_null("created_by_user_id"))
                .col(timestamp_with_time_zone("created_at"))
                // When the closing sweep handled its open cases.
                .col(timestamp_with_time_zone_null("swept_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_exhibitions_owner")
                        .from("exhibitions", "owner_org_id")
                        .to("organizations", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_exhibitions_created_by")
                        .from("exhibitions", "created_by_user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_exhibitions_closes_at")
                .table("exhibitions")
                .col("closes_at")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("cases")
                .add_column(big_integer_null("exhibition_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_cases_exhibition_id")
                .table("cases")
                .col("exhibition_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_cases_exhibition_id")
                .table("cases")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("cases")
                .drop_column("exhibition_id")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("exhibitions").to_owned())
            .await?;
        m.drop_table(Table::drop().table("experts").to_owned())
            .await
    }
}
