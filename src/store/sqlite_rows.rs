//! Bulk rows on SQLite: a prepared single-row `INSERT`, bound and run once per row on the writer
//! connection's own handle, with text bound in place (not copied).
//!
//! Multi-row `INSERT`s through sqlx copy every value three times (into sea-orm's statement, into
//! sqlx's arguments, into SQLite) and hand each statement and its rows across to sqlx's worker
//! thread; an import spent more time on that than SQLite spent storing the rows. This is the path
//! SQLite itself takes for `INSERT … SELECT`: the import's ceiling (docs/benchmarks.md).
//!
//! The handle is locked out of sqlx's worker for the duration (`lock_handle`), inside the write
//! transaction `OwnTxn<Sqlite>` holds, so nothing else uses the connection meanwhile.

use super::bulk::{Bulk, column_list};
use super::txn::{OwnTxn, exec_err};
use libsqlite3_sys as ffi;
use sea_orm::sea_query::Value;
use sea_orm::sqlx::Sqlite;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use std::ffi::{CStr, c_int};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

#[async_trait::async_trait]
impl Bulk for OwnTxn<Sqlite> {
    async fn take_ids(&self, table: &str, n: usize) -> Result<Option<Vec<i64>>, DbErr> {
        // The write transaction (`BEGIN IMMEDIATE`) keeps every other writer out: the next ids
        // are those after the largest the table ever gave (AUTOINCREMENT never reuses one).
        let sql = format!(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), \
             coalesce((SELECT max(id) FROM \"{table}\"), 0))"
        );
        let row = self
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                sql,
                [Value::from(table)],
            ))
            .await?
            .ok_or_else(|| DbErr::Custom(format!("no last id of {table}")))?;
        let last: i64 = row.try_get_by_index(0)?;
        Ok(Some((last + 1..=last + n as i64).collect()))
    }

    async fn insert_values(
        &self,
        table: &str,
        cols: &[&str],
        values: Vec<Value>,
    ) -> Result<(), DbErr> {
        if values.is_empty() {
            return Ok(());
        }
        let mut txn = self.txn.lock().await;
        let mut handle = txn.lock_handle().await.map_err(exec_err)?;
        let db = handle.as_raw_handle();
        blocking(|| insert_each(db, table, cols, &values))
    }
}

/// Runs `f`, which blocks its thread, letting the runtime move its other tasks elsewhere when
/// it can (a multi-threaded runtime: the server).
fn blocking<R>(f: impl FnOnce() -> R) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// `INSERT INTO "table" ("a", "b") VALUES (?, ?)`: one row.
fn insert_sql(table: &str, cols: &[&str]) -> String {
    format!(
        "INSERT INTO \"{table}\" ({}) VALUES ({})",
        column_list(cols),
        vec!["?"; cols.len()].join(", ")
    )
}

/// Inserts rows given as their values one row after another (`cols.len()` values each): one
/// single-row statement prepared once and run for each row. A statement of several rows would
/// make SQLite keep a statement journal (a copy of every page it changes, so that it can undo
/// the statement alone when a later row fails a constraint) — more work than running a
/// prepared statement once per row (docs/benchmarks.md).
fn insert_each(
    db: NonNull<ffi::sqlite3>,
    table: &str,
    cols: &[&str],
    values: &[Value],
) -> Result<(), DbErr> {
    let mut stmt = Prepared::new(db, &insert_sql(table, cols))?;
    for row in values.chunks_exact(cols.len()) {
        stmt.run(row)?;
    }
    Ok(())
}

/// A prepared statement, finalized when dropped. Text is bound in place, so the values it is run
/// with must outlive it: `'v`.
struct Prepared<'v> {
    db: NonNull<ffi::sqlite3>,
    stmt: NonNull<ffi::sqlite3_stmt>,
    values: PhantomData<&'v [Value]>,
}

impl<'v> Prepared<'v> {
    fn new(db: NonNull<ffi::sqlite3>, sql: &str) -> Result<Self, DbErr> {
        let mut stmt = ptr::null_mut();
        let len =
            c_int::try_from(sql.len()).map_err(|_| DbErr::Custom("statement too long".into()))?;
        // SAFETY: `db` is an open connection this thread holds (its handle is locked); `sql`
        // is valid for `len` bytes; `stmt` receives the statement or null.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db.as_ptr(),
                sql.as_ptr().cast(),
                len,
                &mut stmt,
                ptr::null_mut(),
            )
        };
        match NonNull::new(stmt) {
            Some(stmt) if rc == ffi::SQLITE_OK => Ok(Self {
                db,
                stmt,
                values: PhantomData,
            }),
            _ => Err(error(db, rc)),
        }
    }

    /// Binds `v` to parameter `i` (from 1). Text is bound in place: `v` must outlive the
    /// statement's next run, which [`insert_each`] ensures (the values outlive the statement).
    fn bind(&mut self, i: c_int, v: &'v Value) -> Result<(), DbErr> {
        let s = self.stmt.as_ptr();
        let int = |n: Option<i64>| match n {
            // SAFETY (this block and those below): `s` is a live prepared statement and `i`
            // one of its parameters.
            Some(n) => unsafe { ffi::sqlite3_bind_int64(s, i, n) },
            None => unsafe { ffi::sqlite3_bind_null(s, i) },
        };
        let text = |t: Option<&str>| match t {
            // SAFETY: the text lives as long as the statement uses it (see above); SQLite reads
            // exactly `len` bytes of UTF-8. Empty text points at a real (static) byte rather
            // than at the dangling pointer of an empty string.
            Some(t) => unsafe {
                let at = if t.is_empty() {
                    c"".as_ptr()
                } else {
                    t.as_ptr().cast()
                };
                ffi::sqlite3_bind_text64(
                    s,
                    i,
                    at,
                    t.len() as ffi::sqlite3_uint64,
                    ffi::SQLITE_STATIC(),
                    ffi::SQLITE_UTF8 as u8,
                )
            },
            None => unsafe { ffi::sqlite3_bind_null(s, i) },
        };
        let rc = match v {
            Value::Bool(b) => int(b.map(i64::from)),
            Value::SmallInt(n) => int(n.map(i64::from)),
            Value::Int(n) => int(n.map(i64::from)),
            Value::BigInt(n) => int(*n),
            Value::String(t) => text(t.as_deref()),
            // As sqlx writes an instant into SQLite, so that reading and comparing it agree.
            Value::ChronoDateTimeUtc(t) => {
                let formatted = t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false));
                match formatted {
                    // SAFETY: SQLite copies the text (SQLITE_TRANSIENT): it is a temporary.
                    Some(f) => unsafe {
                        ffi::sqlite3_bind_text64(
                            s,
                            i,
                            f.as_ptr().cast(),
                            f.len() as ffi::sqlite3_uint64,
                            ffi::SQLITE_TRANSIENT(),
                            ffi::SQLITE_UTF8 as u8,
                        )
                    },
                    None => unsafe { ffi::sqlite3_bind_null(s, i) },
                }
            }
            other => {
                return Err(DbErr::Custom(format!(
                    "bulk rows cannot hold a value of this type: {other:?}"
                )));
            }
        };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(error(self.db, rc))
        }
    }

    /// Binds `values` to the statement's parameters in order, runs it once and makes it ready
    /// for the next run. The values must outlive the statement (see [`Prepared::bind`]).
    fn run(&mut self, values: &'v [Value]) -> Result<(), DbErr> {
        for (i, v) in values.iter().enumerate() {
            self.bind(i as c_int + 1, v)?;
        }
        // SAFETY: a live prepared statement; reset keeps it for the next run.
        let rc = unsafe { ffi::sqlite3_step(self.stmt.as_ptr()) };
        let outcome = if rc == ffi::SQLITE_DONE {
            Ok(())
        } else {
            Err(error(self.db, rc))
        };
        unsafe { ffi::sqlite3_reset(self.stmt.as_ptr()) };
        outcome
    }
}

impl Drop for Prepared<'_> {
    fn drop(&mut self) {
        // SAFETY: finalized once, here; nothing uses it afterwards.
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

/// The connection's last error, as sqlx would report it.
fn error(db: NonNull<ffi::sqlite3>, rc: c_int) -> DbErr {
    // SAFETY: `db` is open; the message is a NUL-terminated string SQLite owns until the next
    // call on the connection, copied here at once.
    let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) }
        .to_string_lossy()
        .into_owned();
    DbErr::Exec(sea_orm::RuntimeErr::Internal(format!(
        "SQLite error {rc}: {msg}"
    )))
}
