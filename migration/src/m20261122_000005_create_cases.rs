//! Cases with their parties, rights, append-only event log, shares and materialised clocks;
//! case-number counters; complaint drafts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &str,
    from: (&'static str, &'static str),
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to, "id")
        .on_delete(on_delete)
        .to_owned()
}

async fn index(
    m: &SchemaManager<'_>,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(format!("idx_{table}_{}", cols.join("_")))
        .table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    m.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};
        m.create_table(
            Table::create()
                .table("case_numbers")
                .col(integer("year").primary_key())
                .col(big_integer("last"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("cases")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("number", 20))
                .col(string("title"))
                .col(text("description"))
                .col(string_len("source", 20))
                .col(string_len("channel", 32))
                .col(string_len("region_code", 6))
                .col(string_len("queue", 32))
                .col(string_len("state", 32))
                .col(big_integer("owner_org_id"))
                .col(big_integer_null("filer_org_id"))
                .col(big_integer_null("filer_user_id"))
                .col(big_integer_null("created_by_user_id"))
                .col(big_integer_null("assignee_user_id"))
                .col(string_len_null("complainant_standing", 32))
                .col(string_len_null("complainant_uscc", 18))
                .col(small_integer("srdi_rank").default(0))
                .col(text("facts"))
                .col(big_integer_null("referred_to_org_id"))
                .col(big_integer_null("merged_into_case_id"))
                .col(timestamp_with_time_zone_null("next_due_at"))
                .col(timestamp_with_time_zone("received_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(big_integer("version"))
                .col(boolean("is_demo").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_cases_owner",
                    ("cases", "owner_org_id"),
                    "organizations",
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_cases_filer_org",
                    ("cases", "filer_org_id"),
                    "organizations",
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_cases_filer_user",
                    ("cases", "filer_user_id"),
                    "users",
                    SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_cases_created_by",
                    ("cases", "created_by_user_id"),
                    "users",
                    SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_cases_assignee",
                    ("cases", "assignee_user_id"),
                    "users",
                    SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_cases_referred_to",
                    ("cases", "referred_to_org_id"),
                    "organizations",
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_cases_merged_into",
                    ("cases", "merged_into_case_id"),
                    "cases",
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "cases", &["queue", "state"], false).await?;
        index(m, "cases", &["owner_org_id"], false).await?;
        index(m, "cases", &["filer_org_id"], false).await?;
        index(m, "cases", &["complainant_uscc"], false).await?;
        index(m, "cases", &["region_code"], false).await?;
        index(m, "cases", &["next_due_at"], false).await?;
        index(m, "cases", &["assignee_user_id"], false).await?;
        index(m, "cases", &["referred_to_org_id"], false).await?;

        m.create_table(
            Table::create()
                .table("case_parties")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(string_len("role", 16))
                .col(integer("position"))
                .col(string("name"))
                .col(string_len_null("uscc", 18))
                .col(string_null("address"))
                .col(string_len_null("listing_url", 1000))
                .col(string_null("contact_name"))
                .col(string_null("contact_phone"))
                .foreign_key(&mut fk(
                    "fk_case_parties_case",
                    ("case_parties", "case_id"),
                    "cases",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "case_parties", &["case_id"], false).await?;
        index(m, "case_parties", &["name"], false).await?;
        index(m, "case_parties", &["uscc"], false).await?;
        index(m, "case_parties", &["listing_url"], false).await?;

        m.create_table(
            Table::create()
                .table("case_rights")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(integer("position"))
                .col(string_len("kind", 32))
                .col(string_len_null("number", 32))
                .col(string("title"))
                .col(string_null("holder"))
                .foreign_key(&mut fk(
                    "fk_case_rights_case",
                    ("case_rights", "case_id"),
                    "cases",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "case_rights", &["case_id"], false).await?;
        index(m, "case_rights", &["number"], false).await?;

        m.create_table(
            Table::create()
                .table("case_events")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(big_integer("seq"))
                .col(string_len("kind", 48))
                .col(timestamp_with_time_zone("at"))
                .col(timestamp_with_time_zone("recorded_at"))
                .col(big_integer_null("actor_user_id"))
                .col(big_integer_null("actor_org_id"))
                .col(boolean("public"))
                .col(text("payload"))
                .foreign_key(&mut fk(
                    "fk_case_events_case",
                    ("case_events", "case_id"),
                    "cases",
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "case_events", &["case_id", "seq"], true).await?;

        m.create_table(
            Table::create()
                .table("case_shares")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(big_integer("org_id"))
                .col(string_len("access", 16))
                .col(big_integer_null("granted_by_user_id"))
                .col(timestamp_with_time_zone("granted_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(big_integer_null("revoked_by_user_id"))
                .foreign_key(&mut fk(
                    "fk_case_shares_case",
                    ("case_shares", "case_id"),
                    "cases",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_case_shares_org",
                    ("case_shares", "org_id"),
                    "organizations",
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "case_shares", &["case_id"], false).await?;
        index(m, "case_shares", &["org_id"], false).await?;

        m.create_table(
            Table::create()
                .table("case_clocks")
                .col(big_integer("case_id"))
                .col(string_len("rule_id", 64))
                .col(string("name"))
                .col(string_len("unit", 20))
                .col(string("source"))
                .col(timestamp_with_time_zone("start_at"))
                .col(timestamp_with_time_zone("due_at"))
                .col(string_len("state", 16))
                .col(boolean("provisional"))
                .col(text("explanation"))
                .col(text("detail"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("case_id").col("rule_id"))
                .foreign_key(&mut fk(
                    "fk_case_clocks_case",
                    ("case_clocks", "case_id"),
                    "cases",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "case_clocks", &["state", "due_at"], false).await?;

        m.create_table(
            Table::create()
                .table("complaint_drafts")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(big_integer("org_id"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_drafts_user",
                    ("complaint_drafts", "user_id"),
                    "users",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "complaint_drafts", &["user_id"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "complaint_drafts",
            "case_clocks",
            "case_shares",
            "case_events",
            "case_rights",
            "case_parties",
            "cases",
            "case_numbers",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
