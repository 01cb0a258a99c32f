//! The 专精特新 registry: enterprises as listed (credit code and name), most of which never
//! register as users. Replaces `srdi_designations`, which was keyed by a registered organisation.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn set_null_fk(name: &str, column: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from("srdi_registry", column)
        .to(to, "id")
        .on_delete(ForeignKeyAction::SetNull)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("srdi_registry")
                .col(big_pk_auto("id"))
                .col(string_len("uscc", 18))
                .col(string("name"))
                .col(string_len("level", 32))
                .col(integer("year"))
                .col(string("source"))
                .col(big_integer_null("recorded_by_org_id"))
                .col(big_integer_null("recorded_by_user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .col(big_integer_null("withdrawn_by_user_id"))
                .foreign_key(&mut set_null_fk(
                    "fk_srdi_registry_org",
                    "recorded_by_org_id",
                    "organizations",
                ))
                .foreign_key(&mut set_null_fk(
                    "fk_srdi_registry_user",
                    "recorded_by_user_id",
                    "users",
                ))
                .foreign_key(&mut set_null_fk(
                    "fk_srdi_registry_withdrawn_by",
                    "withdrawn_by_user_id",
                    "users",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_srdi_registry_uscc_level_year")
                .table("srdi_registry")
                .col("uscc")
                .col("level")
                .col("year")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_srdi_registry_uscc")
                .table("srdi_registry")
                .col("uscc")
                .to_owned(),
        )
        .await?;
        // Designations of registered enterprises become registry entries under their credit code.
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO srdi_registry \
                   (uscc, name, level, year, source, recorded_by_org_id, created_at) \
                 SELECT o.uscc, o.name, d.level, d.year, d.source, d.recorded_by_org_id, d.created_at \
                 FROM srdi_designations d JOIN organizations o ON o.id = d.org_id \
                 WHERE o.uscc IS NOT NULL",
            )
            .await?;
        m.drop_table(Table::drop().table("srdi_designations").to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
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
        .await?;
        // Only entries of registered enterprises that are still in force can go back.
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO srdi_designations \
                   (org_id, level, year, source, recorded_by_org_id, created_at) \
                 SELECT o.id, r.level, r.year, r.source, r.recorded_by_org_id, r.created_at \
                 FROM srdi_registry r JOIN organizations o ON o.uscc = r.uscc \
                 WHERE r.withdrawn_at IS NULL",
            )
            .await?;
        m.drop_table(Table::drop().table("srdi_registry").to_owned())
            .await
    }
}
