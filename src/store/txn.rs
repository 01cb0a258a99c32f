//! Write transactions that hold their sqlx connection themselves, for bulk loads: the rows go in
//! by the backend's fastest path (`COPY` on PostgreSQL, see `copy`; a prepared single-row
//! statement run once per row on SQLite, see `sqlite_rows`), which a sea-orm transaction cannot reach.
//!
//! [`OwnTxn`] is a sea-orm [`ConnectionTrait`] like any transaction, so the batch's other
//! statements (case numbers, SRDI ranks, the rollup, the audit entry) run in it unchanged and
//! commit or roll back with the bulk rows. Statements are bound the way sea-orm binds them.

use sea_orm::sea_query::Values;
use sea_orm::sqlx::{self, Postgres, Sqlite};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement};
use sea_query_sqlx::SqlxValues;
use std::sync::Arc;
use tokio::sync::Mutex;

/// A write transaction on a pooled connection of its own. Dropped without
/// [`OwnTxn::commit`], it rolls back.
pub struct OwnTxn<DB: sqlx::Database> {
    pub(super) txn: Mutex<sqlx::Transaction<'static, DB>>,
}

impl<DB: sqlx::Database> std::fmt::Debug for OwnTxn<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnTxn")
    }
}

pub(super) fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(e)))
}

fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
}

fn conn_err(e: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e)))
}

impl OwnTxn<Postgres> {
    /// Begins a transaction on a connection taken from `pool`.
    pub async fn begin(pool: &sqlx::PgPool) -> Result<Self, DbErr> {
        let txn = pool.begin().await.map_err(conn_err)?;
        Ok(Self {
            txn: Mutex::new(txn),
        })
    }
}

impl OwnTxn<Sqlite> {
    /// Begins a write transaction (`BEGIN IMMEDIATE`, like `Db::begin_write`) on the writer
    /// pool's connection.
    pub async fn begin(pool: &sqlx::SqlitePool) -> Result<Self, DbErr> {
        let txn = pool.begin_with("BEGIN IMMEDIATE").await.map_err(conn_err)?;
        Ok(Self {
            txn: Mutex::new(txn),
        })
    }
}

impl<DB: sqlx::Database> OwnTxn<DB> {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.into_inner().commit().await.map_err(exec_err)
    }
}

/// `ConnectionTrait` for the transaction of one backend.
macro_rules! connection {
    ($db:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl ConnectionTrait for OwnTxn<$db> {
            fn get_database_backend(&self) -> DbBackend {
                $backend
            }

            async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
                let mut txn = self.txn.lock().await;
                query::<$db>(stmt)
                    .execute(&mut **txn)
                    .await
                    .map(Into::into)
                    .map_err(exec_err)
            }

            async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
                let mut txn = self.txn.lock().await;
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(&mut **txn)
                    .await
                    .map(Into::into)
                    .map_err(exec_err)
            }

            async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
                let mut txn = self.txn.lock().await;
                query::<$db>(stmt)
                    .fetch_optional(&mut **txn)
                    .await
                    .map(|r| r.map(Into::into))
                    .map_err(query_err)
            }

            async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
                let mut txn = self.txn.lock().await;
                query::<$db>(stmt)
                    .fetch_all(&mut **txn)
                    .await
                    .map(|rows| rows.into_iter().map(Into::into).collect())
                    .map_err(query_err)
            }
        }
    };
}

connection!(Postgres, DbBackend::Postgres);
connection!(Sqlite, DbBackend::Sqlite);

/// A sea-orm statement as a sqlx query, its values moved (not copied) into the arguments.
fn query<DB: sqlx::Database>(stmt: Statement) -> sqlx::query::Query<'static, DB, SqlxValues>
where
    SqlxValues: for<'q> sqlx::IntoArguments<DB>,
{
    let values = stmt.values.unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql), SqlxValues(values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Db;
    use crate::store::bulk::{Bulk, insert_values};
    use chrono::{TimeZone, Utc};
    use sea_orm::Value;

    const COLS: [&str; 7] = ["id", "name", "n", "small", "flag", "at", "maybe"];

    /// Rows 2 × 64 + 3 (over 1 MiB of `COPY`
    /// data, sent in two pieces), ids from `first`, with every kind of value bulk rows carry,
    /// text that means something to `COPY` or SQL included, and long text.
    fn rows(first: i64) -> Vec<Value> {
        let at = Utc.with_ymd_and_hms(2026, 12, 6, 8, 40, 45).unwrap();
        let names = [
            "南通启明电子科技有限公司",
            "tab\there, line\nbreak, cr\r, back\\slash, \\N, quote ' and \"",
            "",
        ];
        let mut v = Vec::new();
        for i in 0..ROWS {
            let name = if i % 3 == 2 {
                String::new()
            } else {
                format!("{}{}", names[(i % 3) as usize], "证".repeat(3000))
            };
            v.extend([
                Value::from(first + i),
                Value::from(name),
                Value::from(i * 1_000_000_007),
                Value::from((i % 100) as i16 - 1),
                Value::from(i % 2 == 0),
                Value::from(at + chrono::Duration::microseconds(i * 123_457)),
                if i % 5 == 1 {
                    Option::<String>::None.into()
                } else {
                    Value::from(format!("有 {i}"))
                },
            ]);
        }
        v
    }

    const ROWS: i64 = 2 * 64 + 3;

    /// Rows bulk-written through `own` equal, value for value and type for type, the same rows
    /// written by sea-orm's multi-row inserts; a row the table refuses fails the batch.
    async fn same_rows_either_way<DB: sqlx::Database>(db: &Db, own: OwnTxn<DB>)
    where
        OwnTxn<DB>: Bulk,
    {
        let ddl = |t: &str| {
            format!(
                "CREATE TABLE {t} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, n BIGINT NOT NULL, \
                 small SMALLINT NOT NULL, flag BOOLEAN NOT NULL, at {} NOT NULL, maybe TEXT)",
                if db.backend() == DbBackend::Postgres {
                    "TIMESTAMPTZ"
                } else {
                    "timestamp_with_timezone_text"
                }
            )
        };
        // Created before `own` writes: on SQLite the writer connection is `own`'s.
        own.execute_unprepared(&ddl("by_bulk")).await.unwrap();
        own.execute_unprepared(&ddl("by_insert")).await.unwrap();
        own.insert_values("by_bulk", &COLS, rows(1)).await.unwrap();
        own.commit().await.unwrap();
        let txn = db.begin_write().await.unwrap();
        insert_values(&txn, "by_insert", &COLS, rows(1))
            .await
            .unwrap();
        txn.commit().await.unwrap();
        let count = |sql: &str| {
            let sql = sql.to_string();
            async move {
                let row = db
                    .conn()
                    .query_one_raw(Statement::from_string(db.backend(), sql))
                    .await
                    .unwrap()
                    .unwrap();
                row.try_get_by_index::<i64>(0).unwrap()
            }
        };
        assert_eq!(count("SELECT count(*) FROM by_bulk").await, ROWS);
        let typed = |t: &str| {
            if db.backend() == DbBackend::Postgres {
                format!("SELECT * FROM {t}")
            } else {
                format!(
                    "SELECT *, typeof(n), typeof(small), typeof(flag), typeof(at), typeof(maybe) FROM {t}"
                )
            }
        };
        let differ = format!(
            "SELECT count(*) FROM ({} EXCEPT {}) AS d",
            typed("by_bulk"),
            typed("by_insert")
        );
        assert_eq!(count(&differ).await, 0);
        // Read back as the store reads it.
        let row = db
            .conn()
            .query_one_raw(Statement::from_string(
                db.backend(),
                "SELECT name, at FROM by_bulk WHERE id = 2",
            ))
            .await
            .unwrap()
            .unwrap();
        assert!(
            row.try_get_by_index::<String>(0)
                .unwrap()
                .contains("\\N, quote")
        );
        assert_eq!(
            row.try_get_by_index::<chrono::DateTime<Utc>>(1).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 6, 8, 40, 45).unwrap()
                + chrono::Duration::microseconds(123_457)
        );
    }

    /// A row the table refuses fails the batch, and nothing the transaction wrote stays: rows
    /// written before it, in the same call and in an earlier one.
    async fn refused_rows_leave_nothing<DB: sqlx::Database>(
        own: OwnTxn<DB>,
        next: impl AsyncFnOnce() -> OwnTxn<DB>,
    ) where
        OwnTxn<DB>: Bulk,
    {
        own.insert_values("by_bulk", &COLS, rows(1_000))
            .await
            .unwrap();
        let mut bad = rows(2_000);
        bad[100 * COLS.len() + 1] = Option::<String>::None.into(); // row 100's name: NOT NULL
        let r = own.insert_values("by_bulk", &COLS, bad).await;
        assert!(r.is_err(), "{r:?}");
        drop(own);
        // Counted in the next write transaction, on the writer's own connection.
        let check = next().await;
        let row = check
            .query_one_raw(Statement::from_string(
                check.get_database_backend(),
                "SELECT count(*) FROM by_bulk",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), ROWS);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_bulk_rows_equal_multi_row_inserts() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url, 2).await.unwrap();
        let own = OwnTxn::<Sqlite>::begin(db.sqlite_write_pool())
            .await
            .unwrap();
        same_rows_either_way(&db, own).await;
        let writer = db.sqlite_write_pool();
        let own = OwnTxn::<Sqlite>::begin(writer).await.unwrap();
        refused_rows_leave_nothing(own, async || OwnTxn::<Sqlite>::begin(writer).await.unwrap())
            .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_copied_rows_equal_multi_row_inserts() {
        let Ok(server) = std::env::var("WEIQUAN_TEST_DATABASE_URL") else {
            eprintln!("NOTE: WEIQUAN_TEST_DATABASE_URL is not set; the COPY check is skipped.");
            return;
        };
        let server = server.trim_end_matches('/');
        let name = format!("wq_unit_{}", uuid::Uuid::new_v4().simple());
        let admin = Db::connect(&format!("{server}/postgres"), 1).await.unwrap();
        admin
            .conn()
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let db = Db::connect(&format!("{server}/{name}"), 2).await.unwrap();
        let pool = db.conn().get_postgres_connection_pool().clone();
        same_rows_either_way(&db, OwnTxn::<Postgres>::begin(&pool).await.unwrap()).await;
        refused_rows_leave_nothing(
            OwnTxn::<Postgres>::begin(&pool).await.unwrap(),
            async || OwnTxn::<Postgres>::begin(&pool).await.unwrap(),
        )
        .await;
        db.close().await;
        let _ = admin
            .conn()
            .execute_unprepared(&format!("DROP DATABASE {name}"))
            .await;
    }
}
