//! The rows that name a stored object, found by its key: `weiquan evidence verify` asks, for each
//! object in the storage, whether any row names it (objects without a row are left by a crash
//! between storing the object and committing the row).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 3] = [
    ("ix_evidence_object_key", "evidence"),
    ("ix_evidence_quarantine_object_key", "evidence_quarantine"),
    ("ix_enterprise_documents_object_key", "enterprise_documents"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in INDEXES {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(table)
                    .col("object_key")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in INDEXES {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
