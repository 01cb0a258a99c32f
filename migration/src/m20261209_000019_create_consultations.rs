//! Consultations (issue 19): questions an enterprise or a member of the public asks an assistance
//! centre, office or workstation, answered there, and turned into a complaint or lead when they
//! turn out to be a case (the link is kept both ways: `case_id` here, `consultation_id` in the
//! case's first event).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("consultations")
                .col(big_pk_auto("id"))
                // The organisation that answers it (centre, office or workstation).
                .col(big_integer("org_id"))
                .col(string_len("region_code", 6))
                // The enterprise that asked (its own account, or named by the staff who took it).
                .col(big_integer_null("enterprise_org_id"))
                .col(string_len("asker_name", 200))
                .col(string_len_null("asker_contact", 100))
                .col(string_len("channel", 16))
                .col(string_len("topic", 32))
                .col(text("question"))
                .col(text_null("answer"))
                .col(integer_null("minutes_spent"))
                .col(big_integer_null("asked_by_user_id"))
                .col(big_integer_null("recorded_by_user_id"))
                .col(big_integer_null("answered_by_user_id"))
                .col(timestamp_with_time_zone("asked_at"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(big_integer_null("case_id"))
                .col(timestamp_with_time_zone_null("converted_at"))
                .col(boolean("is_demo").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_consultations_org")
                        .from("consultations", "org_id")
                        .to("organizations", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_consultations_enterprise")
                        .from("consultations", "enterprise_org_id")
                        .to("organizations", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_consultations_case")
                        .from("consultations", "case_id")
                        .to("cases", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_consultations_org", vec!["org_id", "id"]),
            (
                "idx_consultations_enterprise",
                vec!["enterprise_org_id", "id"],
            ),
            ("idx_consultations_asked_at", vec!["asked_at"]),
        ] {
            let mut index = Index::create();
            index.name(name).table("consultations");
            for c in cols {
                index.col(c);
            }
            m.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("consultations").to_owned())
            .await
    }
}
