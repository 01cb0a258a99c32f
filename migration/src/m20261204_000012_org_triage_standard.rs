//! Each centre's own triage service standard (分诊服务承诺): `organizations.triage_working_days`,
//! empty for the default of the deadline rules (7 working days).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    TriageWorkingDays,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .add_column(
                    ColumnDef::new(Organizations::TriageWorkingDays)
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
                .drop_column(Organizations::TriageWorkingDays)
                .to_owned(),
        )
        .await
    }
}
