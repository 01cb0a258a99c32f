//! Special campaigns and joint enforcement (专项行动 / 联合执法, issue 19): a campaign led by an
//! office with the bodies that take part (market regulators, customs, public security …), the
//! cases linked to it, the joint inspections recorded, and the referrals of its cases to the
//! participating bodies with their acknowledgement.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &str,
    from: (&'static str, &'static str),
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

async fn unique(
    m: &SchemaManager<'_>,
    name: &str,
    table: &str,
    cols: [&str; 2],
) -> Result<(), DbErr> {
    m.create_index(
        Index::create()
            .name(name)
            .table(table.to_string())
            .col(cols[0].to_string())
            .col(cols[1].to_string())
            .unique()
            .to_owned(),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("campaigns")
                .col(big_pk_auto("id"))
                .col(string_len("name", 200))
                .col(big_integer("lead_org_id"))
                .col(date("starts_on"))
                .col(date("ends_on"))
                .col(text("description"))
                .col(big_integer("created_by_user_id"))
                .col(boolean("is_demo").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_campaigns_lead",
                    ("campaigns", "lead_org_id"),
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("campaign_members")
                .col(big_pk_auto("id"))
                .col(big_integer("campaign_id"))
                .col(big_integer("org_id"))
                .foreign_key(&mut fk(
                    "fk_campaign_members_campaign",
                    ("campaign_members", "campaign_id"),
                    "campaigns",
                ))
                .foreign_key(&mut fk(
                    "fk_campaign_members_org",
                    ("campaign_members", "org_id"),
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "idx_campaign_members_one",
            "campaign_members",
            ["campaign_id", "org_id"],
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_campaign_members_org")
                .table("campaign_members")
                .col("org_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("campaign_cases")
                .col(big_pk_auto("id"))
                .col(big_integer("campaign_id"))
                .col(big_integer("case_id"))
                .col(big_integer("linked_by_user_id"))
                .col(timestamp_with_time_zone("linked_at"))
                .foreign_key(&mut fk(
                    "fk_campaign_cases_campaign",
                    ("campaign_cases", "campaign_id"),
                    "campaigns",
                ))
                .foreign_key(&mut fk(
                    "fk_campaign_cases_case",
                    ("campaign_cases", "case_id"),
                    "cases",
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "idx_campaign_cases_one",
            "campaign_cases",
            ["campaign_id", "case_id"],
        )
        .await?;
        m.create_table(
            Table::create()
                .table("campaign_inspections")
                .col(big_pk_auto("id"))
                .col(big_integer("campaign_id"))
                .col(date("held_on"))
                .col(string_len("place", 200))
                // JSON list of the organisations that took part.
                .col(text("body_org_ids"))
                .col(text("findings"))
                .col(text("evidence"))
                .col(big_integer_null("case_id"))
                .col(big_integer("recorded_by_user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_campaign_inspections_campaign",
                    ("campaign_inspections", "campaign_id"),
                    "campaigns",
                ))
                .foreign_key(&mut fk(
                    "fk_campaign_inspections_case",
                    ("campaign_inspections", "case_id"),
                    "cases",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_campaign_inspections_campaign")
                .table("campaign_inspections")
                .col("campaign_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("campaign_referrals")
                .col(big_pk_auto("id"))
                .col(big_integer("campaign_id"))
                .col(big_integer("case_id"))
                .col(big_integer("to_org_id"))
                .col(text("note"))
                .col(big_integer("referred_by_user_id"))
                .col(timestamp_with_time_zone("referred_at"))
                .col(timestamp_with_time_zone_null("acknowledged_at"))
                .col(big_integer_null("acknowledged_by_user_id"))
                .col(text_null("ack_note"))
                .foreign_key(&mut fk(
                    "fk_campaign_referrals_campaign",
                    ("campaign_referrals", "campaign_id"),
                    "campaigns",
                ))
                .foreign_key(&mut fk(
                    "fk_campaign_referrals_case",
                    ("campaign_referrals", "case_id"),
                    "cases",
                ))
                .foreign_key(&mut fk(
                    "fk_campaign_referrals_org",
                    ("campaign_referrals", "to_org_id"),
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "idx_campaign_referrals_one",
            "campaign_referrals",
            ["case_id", "to_org_id"],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "campaign_referrals",
            "campaign_inspections",
            "campaign_cases",
            "campaign_members",
            "campaigns",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
