//! Two service fields of organisations (issue 19): `park`, the industrial park or cluster a
//! workstation (维权援助工作站, an organisation of the kind `workstation` under an assistance
//! centre) serves; and `srdi_triage_working_days`, the fast-track triage standard an office sets
//! for the leads of 专精特新 enterprises (empty: 3 working days).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Park,
    SrdiTriageWorkingDays,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .add_column(ColumnDef::new(Organizations::Park).string_len(200).null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .add_column(
                    ColumnDef::new(Organizations::SrdiTriageWorkingDays)
                        .small_integer()
                        .null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .drop_column(Organizations::SrdiTriageWorkingDays)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .drop_column(Organizations::Park)
                .to_owned(),
        )
        .await
    }
}
