//! Bulk rows on PostgreSQL go in by `COPY … FROM STDIN` (text format) instead of multi-row
//! `INSERT`s, which PostgreSQL has to parse and plan with tens of thousands of parameters each.

use super::bulk::{Bulk, column_list};
use super::txn::{OwnTxn, exec_err};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Value;
use sea_orm::sqlx::Postgres;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// Bytes of `COPY` data sent to the server at a time.
const SEND_BYTES: usize = 1 << 20;

/// Copies rows given as their values one row after another (`cols.len()` values each) into
/// `table`.
async fn copy_in(
    txn: &OwnTxn<Postgres>,
    table: &str,
    cols: &[&str],
    values: Vec<Value>,
) -> Result<(), DbErr> {
    if values.is_empty() {
        return Ok(());
    }
    let sql = format!("COPY \"{table}\" ({}) FROM STDIN", column_list(cols));
    let mut txn = txn.txn.lock().await;
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

#[async_trait::async_trait]
impl Bulk for OwnTxn<Postgres> {
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
        copy_in(self, table, cols, values).await
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
