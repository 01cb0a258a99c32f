//! Bulk loads on PostgreSQL: a write transaction on a pooled connection of its own, into which
//! rows go by `COPY … FROM STDIN` (text format) instead of multi-row `INSERT`s, which PostgreSQL
//! has to parse and plan with tens of thousands of parameters each.
//!
//! [`CopyTxn`] is a sea-orm [`ConnectionTrait`] like any transaction, so the batch's other
//! statements (case numbers, SRDI ranks, the rollup, the audit entry) run in it unchanged, and the
//! copied rows commit or roll back with them.

use super::bulk::Bulk;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Value, Values};
use sea_orm::sqlx::{self, PgPool, Postgres};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement};
use sea_query_sqlx::SqlxValues;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Bytes of `COPY` data sent to the server at a time.
const SEND_BYTES: usize = 1 << 20;

/// A PostgreSQL write transaction that copies bulk rows in. Dropped without [`CopyTxn::commit`],
/// it rolls back.
pub struct CopyTxn {
    txn: Mutex<sqlx::Transaction<'static, Postgres>>,
}

impl std::fmt::Debug for CopyTxn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CopyTxn")
    }
}

fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(e)))
}

fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
}

impl CopyTxn {
    /// Begins a transaction on a connection taken from `pool`.
    pub async fn begin(pool: &PgPool) -> Result<Self, DbErr> {
        let txn = pool
            .begin()
            .await
            .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))))?;
        Ok(Self {
            txn: Mutex::new(txn),
        })
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.into_inner().commit().await.map_err(exec_err)
    }

    /// Copies rows given as their values one row after another (`cols.len()` values each) into
    /// `table`.
    pub async fn copy_in(
        &self,
        table: &str,
        cols: &[&str],
        values: Vec<Value>,
    ) -> Result<(), DbErr> {
        if values.is_empty() {
            return Ok(());
        }
        let mut sql = format!("COPY \"{table}\" (");
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('"');
            sql.push_str(c);
            sql.push('"');
        }
        sql.push_str(") FROM STDIN");
        let mut txn = self.txn.lock().await;
        let mut copy = txn.copy_in_raw(&sql).await.map_err(exec_err)?;
        let mut buf = String::with_capacity(SEND_BYTES + 4096);
        for (i, v) in values.iter().enumerate() {
            let last_of_row = (i + 1) % cols.len() == 0;
            if let Err(e) = copy_field(v, &mut buf) {
                let _ = copy.abort(e.to_string()).await;
                return Err(e);
            }
            buf.push(if last_of_row { '\n' } else { '\t' });
            if last_of_row && buf.len() >= SEND_BYTES {
                copy.send(std::mem::take(&mut buf).into_bytes())
                    .await
                    .map_err(exec_err)?;
                buf.reserve(SEND_BYTES + 4096);
            }
        }
        if !buf.is_empty() {
            copy.send(buf.into_bytes()).await.map_err(exec_err)?;
        }
        copy.finish().await.map_err(exec_err)?;
        Ok(())
    }
}

/// Writes one value in `COPY`'s text format: `\N` for NULL, special characters escaped.
fn copy_field(v: &Value, out: &mut String) -> Result<(), DbErr> {
    use std::fmt::Write;
    fn null(out: &mut String) {
        out.push_str("\\N");
    }
    match v {
        Value::Bool(b) => match b {
            Some(b) => out.push(if *b { 't' } else { 'f' }),
            None => null(out),
        },
        Value::SmallInt(n) => match n {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => null(out),
        },
        Value::Int(n) => match n {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => null(out),
        },
        Value::BigInt(n) => match n {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => null(out),
        },
        Value::String(s) => match s {
            Some(s) => escape(s, out),
            None => null(out),
        },
        Value::ChronoDateTimeUtc(t) => match t {
            Some(t) => write_instant(t, out),
            None => null(out),
        },
        other => {
            return Err(DbErr::Custom(format!(
                "COPY cannot write a value of this type: {other:?}"
            )));
        }
    }
    Ok(())
}

fn write_instant(t: &DateTime<Utc>, out: &mut String) {
    use std::fmt::Write;
    let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"));
}

/// Text with `COPY`'s escapes: backslash, tab, line feed and carriage return.
fn escape(s: &str, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn query(stmt: &Statement) -> sqlx::query::Query<'_, Postgres, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

#[async_trait::async_trait]
impl ConnectionTrait for CopyTxn {
    fn get_database_backend(&self) -> DbBackend {
        DbBackend::Postgres
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let mut txn = self.txn.lock().await;
        query(&stmt)
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
        query(&stmt)
            .fetch_optional(&mut **txn)
            .await
            .map(|r| r.map(Into::into))
            .map_err(query_err)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut txn = self.txn.lock().await;
        query(&stmt)
            .fetch_all(&mut **txn)
            .await
            .map(|rows| rows.into_iter().map(Into::into).collect())
            .map_err(query_err)
    }
}

#[async_trait::async_trait]
impl Bulk for CopyTxn {
    async fn take_ids(&self, table: &str, n: usize) -> Result<Option<Vec<i64>>, DbErr> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)",
            [Value::from(table), Value::from(n as i64)],
        );
        let rows = self.query_all_raw(stmt).await?;
        let ids = rows
            .iter()
            .map(|r| r.try_get_by_index::<i64>(0))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(ids))
    }

    async fn insert_values(
        &self,
        table: &str,
        cols: &[&str],
        values: Vec<Value>,
    ) -> Result<(), DbErr> {
        self.copy_in(table, cols, values).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn line(values: &[Value]) -> String {
        let mut out = String::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            copy_field(v, &mut out).unwrap();
        }
        out
    }

    #[test]
    fn values_are_written_in_copy_text_format() {
        let at = Utc.with_ymd_and_hms(2026, 12, 6, 8, 40, 45).unwrap()
            + chrono::Duration::microseconds(123_456);
        assert_eq!(
            line(&[
                Value::from(7i64),
                Value::from(-3i32),
                Value::from(2i16),
                Value::from(true),
                Value::from(false),
                Value::from("展会\t摊位\n第二行\\完\r"),
                Value::from(at),
                Option::<String>::None.into(),
                Option::<i64>::None.into(),
                Option::<DateTime<Utc>>::None.into(),
                Option::<bool>::None.into(),
            ]),
            "7\t-3\t2\tt\tf\t展会\\t摊位\\n第二行\\\\完\\r\t2026-12-06 08:40:45.123456+00\t\\N\t\\N\t\\N\t\\N"
        );
    }

    #[test]
    fn a_value_of_another_type_is_refused_not_written_wrongly() {
        let mut out = String::new();
        assert!(copy_field(&Value::from(1.5f64), &mut out).is_err());
    }
}
