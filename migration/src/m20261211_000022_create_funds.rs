//! Overseas mutual-aid funds (海外维权互助基金, issue 19; Order 801 Art. 9): a fund with its rules,
//! its budget per year (with what was paid from it, kept beside the budget so that a payout's
//! check and its debit are one conditional update), enterprises' applications from their overseas
//! cases, the reviewers' votes, and the payouts — the ledger.

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("funds")
                .col(big_pk_auto("id"))
                .col(big_integer("org_id"))
                .col(string_len("name", 200))
                // Comma-separated overseas dispute categories it pays for.
                .col(string_len("categories", 400))
                .col(big_integer("max_per_case_fen"))
                .col(integer("self_share_percent"))
                .col(big_integer("panel_threshold_fen"))
                .col(integer("panel_size"))
                .col(text("rules"))
                .col(big_integer("created_by_user_id"))
                .col(boolean("is_demo").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_funds_org",
                    ("funds", "org_id"),
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("fund_budgets")
                .col(big_pk_auto("id"))
                .col(big_integer("fund_id"))
                .col(integer("year"))
                .col(big_integer("amount_fen"))
                .col(big_integer("paid_fen").default(0))
                .col(big_integer("set_by_user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_fund_budgets_fund",
                    ("fund_budgets", "fund_id"),
                    "funds",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_fund_budgets_year")
                .table("fund_budgets")
                .col("fund_id")
                .col("year")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("fund_applications")
                .col(big_pk_auto("id"))
                .col(big_integer("fund_id"))
                .col(big_integer("case_id"))
                .col(big_integer("applicant_org_id"))
                .col(big_integer("applicant_user_id"))
                .col(integer("year"))
                .col(big_integer("claimed_fen"))
                .col(text("costs"))
                // JSON list of the case's evidence ids: invoices, contracts.
                .col(text("evidence_ids"))
                // `submitted` | `panel` | `approved` | `declined`.
                .col(string_len("state", 16))
                .col(big_integer_null("approved_fen"))
                .col(text_null("reasons"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(big_integer("paid_fen").default(0))
                .col(boolean("is_demo").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_fund_applications_fund",
                    ("fund_applications", "fund_id"),
                    "funds",
                ))
                .foreign_key(&mut fk(
                    "fk_fund_applications_case",
                    ("fund_applications", "case_id"),
                    "cases",
                ))
                .foreign_key(&mut fk(
                    "fk_fund_applications_org",
                    ("fund_applications", "applicant_org_id"),
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_fund_applications_fund", vec!["fund_id", "id"]),
            ("idx_fund_applications_case", vec!["case_id"]),
            ("idx_fund_applications_org", vec!["applicant_org_id", "id"]),
        ] {
            let mut index = Index::create();
            index.name(name).table("fund_applications");
            for c in cols {
                index.col(c);
            }
            m.create_index(index.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table("fund_votes")
                .col(big_pk_auto("id"))
                .col(big_integer("application_id"))
                .col(big_integer("reviewer_user_id"))
                .col(string_len("reviewer_role", 32))
                .col(boolean("approve"))
                .col(big_integer_null("amount_fen"))
                .col(text("reasons"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_fund_votes_application",
                    ("fund_votes", "application_id"),
                    "fund_applications",
                ))
                .foreign_key(&mut fk(
                    "fk_fund_votes_user",
                    ("fund_votes", "reviewer_user_id"),
                    "users",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_fund_votes_one_each")
                .table("fund_votes")
                .col("application_id")
                .col("reviewer_user_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("fund_payouts")
                .col(big_pk_auto("id"))
                .col(big_integer("application_id"))
                .col(big_integer("fund_id"))
                .col(integer("year"))
                .col(big_integer("amount_fen"))
                .col(date("paid_on"))
                .col(string_len("reference", 100))
                .col(big_integer("recorded_by_user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_fund_payouts_application",
                    ("fund_payouts", "application_id"),
                    "fund_applications",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_fund_payouts_fund")
                .table("fund_payouts")
                .col("fund_id")
                .col("year")
                .to_owned(),
        )
        .await?;
        // A voucher is recorded once: a form sent twice does not pay twice.
        m.create_index(
            Index::create()
                .name("idx_fund_payouts_reference")
                .table("fund_payouts")
                .col("fund_id")
                .col("reference")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "fund_payouts",
            "fund_votes",
            "fund_applications",
            "fund_budgets",
            "funds",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
