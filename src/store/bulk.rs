//! Multi-row inserts: many rows in few statements, within each backend's limit of bound values.
//! The bulk paths (filings stored together, lead imports, outbox rows) write through here.

use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, QueryResult, Statement, Value,
};

/// A write transaction that takes many rows at once: by multi-row inserts (any sea-orm
/// transaction), or, in a transaction holding its own connection (`super::txn::OwnTxn`), by
/// `COPY` on PostgreSQL and by a prepared single-row statement bound in place on SQLite.
#[async_trait::async_trait]
pub trait Bulk: ConnectionTrait + Sized {
    /// Ids for `n` new rows of `table`, taken before the rows are written (so that they can be
    /// copied with them); `None` when the rows are inserted and their ids read back.
    async fn take_ids(&self, _table: &str, _n: usize) -> Result<Option<Vec<i64>>, DbErr> {
        Ok(None)
    }

    /// Writes rows given as their values one row after another (`cols.len()` values each).
    async fn insert_values(
        &self,
        table: &str,
        cols: &[&str],
        values: Vec<Value>,
    ) -> Result<(), DbErr> {
        insert_values(self, table, cols, values).await
    }
}

impl Bulk for DatabaseTransaction {}

/// The most rows one multi-row insert takes: as many as the backend's bound-value limit allows
/// (SQLite 32,766, PostgreSQL 65,535), at most 2,048.
fn max_rows(backend: DbBackend, width: usize) -> usize {
    let limit = match backend {
        DbBackend::Postgres => 65_535,
        _ => 32_766,
    };
    (limit / width).clamp(1, 2048)
}

/// How `n` rows are split into statements: full statements of `max` rows, then the rest in
/// one statement when it is large (an import batch) or in power-of-two pieces when it is small
/// (a few filings stored together), so that statements are few and each connection needs only a
/// handful of distinct ones (it keeps them prepared).
fn statement_sizes(mut n: usize, max: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    while n >= max {
        sizes.push(max);
        n -= max;
    }
    if n >= 256 {
        sizes.push(n);
    } else {
        for bit in (0..8).rev() {
            if n & (1 << bit) != 0 {
                sizes.push(1 << bit);
            }
        }
    }
    sizes
}

/// `"a", "b"`: column names quoted for a statement.
pub(super) fn column_list(cols: &[&str]) -> String {
    let names: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
    names.join(", ")
}

/// `INSERT INTO "table" ("a", "b") VALUES (?, ?), (?, ?) …` for `rows` rows, with the backend's
/// placeholders, then `tail` (a `RETURNING` clause or nothing).
fn insert_sql(backend: DbBackend, table: &str, cols: &[&str], rows: usize, tail: &str) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(64 + cols.len() * (12 + rows * 7) + tail.len());
    let _ = write!(
        sql,
        "INSERT INTO \"{table}\" ({}) VALUES ",
        column_list(cols)
    );
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for i in 0..cols.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                DbBackend::Postgres => {
                    let _ = write!(sql, "${n}");
                }
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql.push_str(tail);
    sql
}

/// Inserts rows given as their values one row after another (`cols.len()` values each), in as
/// few multi-row statements as `statement_sizes` allows; returns the rows of `returning` (a
/// `RETURNING …` clause), or none when it is empty.
pub(crate) async fn insert_rows<C: ConnectionTrait>(
    db: &C,
    table: &str,
    cols: &[&str],
    values: Vec<Value>,
    returning: &str,
) -> Result<Vec<QueryResult>, DbErr> {
    let backend = db.get_database_backend();
    let width = cols.len();
    debug_assert_eq!(values.len() % width, 0);
    let rows = values.len() / width;
    let mut values = values.into_iter();
    let mut out = Vec::new();
    for size in statement_sizes(rows, max_rows(backend, width)) {
        let chunk: Vec<Value> = values.by_ref().take(size * width).collect();
        let stmt = Statement::from_sql_and_values(
            backend,
            insert_sql(backend, table, cols, size, returning),
            chunk,
        );
        if returning.is_empty() {
            db.execute_raw(stmt).await?;
        } else {
            out.extend(db.query_all_raw(stmt).await?);
        }
    }
    Ok(out)
}

/// Inserts rows, each statement ending with `on_conflict` (an `ON CONFLICT … DO UPDATE`
/// clause): counters added to in place. The rows' keys must differ from one another.
pub(crate) async fn upsert_values<C: ConnectionTrait>(
    db: &C,
    table: &str,
    cols: &[&str],
    values: Vec<Value>,
    on_conflict: &str,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let width = cols.len();
    let rows = values.len() / width;
    let mut values = values.into_iter();
    for size in statement_sizes(rows, max_rows(backend, width)) {
        let chunk: Vec<Value> = values.by_ref().take(size * width).collect();
        let sql = insert_sql(backend, table, cols, size, on_conflict);
        db.execute_raw(Statement::from_sql_and_values(backend, sql, chunk))
            .await?;
    }
    Ok(())
}

/// Inserts rows without reading anything back.
pub(crate) async fn insert_values<C: ConnectionTrait>(
    db: &C,
    table: &str,
    cols: &[&str],
    values: Vec<Value>,
) -> Result<(), DbErr> {
    insert_rows(db, table, cols, values, "").await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_split_into_few_statements_within_the_bound_value_limits() {
        assert_eq!(max_rows(DbBackend::Sqlite, 26), 1260);
        assert_eq!(max_rows(DbBackend::Postgres, 26), 2048);
        assert_eq!(max_rows(DbBackend::Sqlite, 6), 2048);
        assert_eq!(statement_sizes(2000, 1260), [1260, 740]);
        assert_eq!(statement_sizes(2000, 2048), [2000]);
        assert_eq!(statement_sizes(4000, 2048), [2048, 1952]);
        assert_eq!(statement_sizes(13, 2048), [8, 4, 1]);
        assert_eq!(statement_sizes(0, 2048), Vec::<usize>::new());
        for n in 0..3000 {
            for max in [1, 7, 256, 1024, 2048] {
                let sizes = statement_sizes(n, max);
                assert_eq!(sizes.iter().sum::<usize>(), n);
                assert!(
                    sizes.iter().all(|s| (1..=max).contains(s)),
                    "{n} {max} {sizes:?}"
                );
            }
        }
    }
}
