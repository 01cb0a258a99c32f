//! SM3 is computed after an upload instead of while it streams (decision D15): `evidence.sm3`
//! may be empty until the sealing worker has hashed the stored object, and `sm3_at` says when it
//! was computed. Rows that already have an SM3 got it at upload, so `sm3_at` = `uploaded_at`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{self, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too (sea-orm-migration's default there is none): a step that
    /// fails leaves the table as it was, instead of half-rebuilt.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            // SQLite cannot drop NOT NULL in place: copy into a nullable column and swap (DROP
            // COLUMN and RENAME COLUMN need SQLite 3.35, bundled here).
            DatabaseBackend::Sqlite => {
                db.execute_unprepared(
                    "ALTER TABLE evidence ADD COLUMN sm3_nullable varchar(64) NULL; \
                     UPDATE evidence SET sm3_nullable = sm3; \
                     ALTER TABLE evidence DROP COLUMN sm3; \
                     ALTER TABLE evidence RENAME COLUMN sm3_nullable TO sm3; \
                     ALTER TABLE evidence ADD COLUMN sm3_at timestamp_with_timezone_text NULL; \
                     UPDATE evidence SET sm3_at = uploaded_at WHERE sm3 IS NOT NULL;",
                )
                .await?;
            }
            _ => {
                for sql in [
                    "ALTER TABLE evidence ALTER COLUMN sm3 DROP NOT NULL",
                    "ALTER TABLE evidence ADD COLUMN sm3_at timestamp with time zone NULL",
                    "UPDATE evidence SET sm3_at = uploaded_at WHERE sm3 IS NOT NULL",
                ] {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // Down is only possible once every row has its SM3.
        let pending = db
            .query_one_raw(sea_orm::Statement::from_string(
                m.get_database_backend(),
                "SELECT COUNT(*) AS n FROM evidence WHERE sm3 IS NULL",
            ))
            .await?
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        if pending > 0 {
            return Err(DbErr::Migration(format!(
                "{pending} evidence rows still wait for their SM3; start `weiquan serve` until they are sealed"
            )));
        }
        match m.get_database_backend() {
            DatabaseBackend::Sqlite => {
                db.execute_unprepared(
                    "ALTER TABLE evidence DROP COLUMN sm3_at; \
                     ALTER TABLE evidence ADD COLUMN sm3_strict varchar(64) NOT NULL DEFAULT ''; \
                     UPDATE evidence SET sm3_strict = sm3; \
                     ALTER TABLE evidence DROP COLUMN sm3; \
                     ALTER TABLE evidence RENAME COLUMN sm3_strict TO sm3;",
                )
                .await?;
            }
            _ => {
                for sql in [
                    "ALTER TABLE evidence DROP COLUMN sm3_at",
                    "ALTER TABLE evidence ALTER COLUMN sm3 SET NOT NULL",
                ] {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }
}
