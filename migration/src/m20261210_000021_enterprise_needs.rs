//! An enterprise's protection needs (保护需求, issue 19): what an industry office or a centre
//! records with a 专精特新 enterprise — its products, markets, known infringers and overseas
//! plans — so that triage and officers see them on its cases. One current record per
//! enterprise, by 统一社会信用代码 (the enterprise need not be a registered user); the audit log
//! keeps every version.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("enterprise_needs")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("uscc", 18))
                .col(string_len("enterprise_name", 200))
                .col(text("products"))
                .col(text("markets"))
                .col(text("known_infringers"))
                .col(text("overseas_plans"))
                .col(big_integer("updated_by_user_id"))
                .col(big_integer("updated_by_org_id"))
                .col(boolean("is_demo").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_enterprise_needs_user")
                        .from("enterprise_needs", "updated_by_user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("enterprise_needs").to_owned())
            .await
    }
}
