//! The only code that touches `entity::*` and sea-orm. One function per intention; writes run in
//! one transaction that also appends the audit entry.

pub mod approvals;
pub mod assistance;
pub mod audit;
pub mod auth;
mod bulk;
pub mod calendar;
pub mod campaigns;
pub mod case_log;
pub mod case_parts;
pub mod cases;
pub mod channels;
pub mod consultations;
mod copy;
pub mod drafts;
pub mod enterprises;
pub mod evidence;
pub mod funds;
pub mod health_checks;
pub mod inbox;
pub mod intake;
pub mod needs;
mod nodelay;
pub mod notifications;
pub mod orgs;
pub mod outbox;
pub mod password_resets;
pub mod rollup;
pub mod search;
mod sqlite_rows;
pub mod srdi;
mod txn;
pub mod users;
pub mod workflow;
pub mod workstations;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::any::Any;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The database: a connection pool and which backend it is. On an SQLite file, write
/// transactions go through a second pool of exactly one connection, so writers queue in the
/// process (first come, first served) instead of sleeping in SQLite's busy handler.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    writer: Option<DatabaseConnection>,
    /// Writes waiting to share one write transaction (group commit): kept here so that there is
    /// one queue per database, created on first use by the service that fills and drains it.
    write_queue: Arc<OnceLock<Box<dyn Any + Send + Sync>>>,
}

impl Db {
    /// Connects to `url`. An SQLite file (and its folder) is created on first use, in WAL mode with
    /// `synchronous=FULL`, foreign keys on and a busy timeout.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbErr> {
        if let Some(path) = sqlite_path(url)
            && let Some(dir) = std::path::Path::new(&path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = Database::connect(options(url, max_connections, false)).await?;
        // One writer connection: SQLite admits one writer at a time anyway, and a queue in the
        // process hands the lock over at once, where a busy connection would sleep and retry.
        let writer = match sqlite_path(url) {
            Some(_) => Some(Database::connect(options(url, 1, true)).await?),
            None => None,
        };
        Ok(Self {
            conn,
            writer,
            write_queue: Arc::default(),
        })
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The pool write transactions take their connection from on SQLite (its one writer).
    fn sqlite_write_pool(&self) -> &sea_orm::sqlx::SqlitePool {
        self.writer
            .as_ref()
            .unwrap_or(&self.conn)
            .get_sqlite_connection_pool()
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so writers queue on the busy
    /// timeout instead of failing when a read turns into a write.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        self.writer
            .as_ref()
            .unwrap_or(&self.conn)
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }

    /// This database's queue of writes waiting to share a transaction, of the one type `Q` its
    /// service keeps there (created empty on first use).
    pub(crate) fn write_queue<Q: Default + Send + Sync + 'static>(&self) -> &Q {
        self.write_queue
            .get_or_init(|| Box::new(Q::default()))
            .downcast_ref()
            .expect("one type of write queue per database")
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }

    pub async fn close(self) {
        if let Some(w) = self.writer {
            let _ = w.close().await;
        }
        let _ = self.conn.close().await;
    }
}

/// Page cache of the SQLite writer connection, in KiB (SQLite's default is 2,000 KiB).
const WRITER_CACHE_KIB: u32 = 16 * 1024;

/// WAL pages after which a committing connection checkpoints (SQLite's default is 1,000, about
/// 4 MiB): the WAL grows to about 40 MiB, so a page that many transactions change (an index
/// page, during an import) is copied into the database file once per checkpoint instead of
/// after nearly every commit. Commits are on disk either way (`synchronous=FULL`).
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Pool options: an SQLite file in WAL mode with `synchronous=FULL` (every commit is on disk
/// before it is acknowledged), foreign keys on and a busy timeout. The `writer` connection also
/// keeps statement journals (each multi-row insert has one) and sort space in memory, has a
/// larger page cache, so that the pages a bulk write touches stay cached between its
/// transactions, and room for more prepared statements.
fn options(url: &str, max_connections: u32, writer: bool) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            let o = o
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string());
            if writer {
                o.pragma("temp_store", "memory")
                    .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
                    .statement_cache_capacity(256)
            } else {
                o
            }
        });
    // This hook replaces the one sea-orm installs only to set a `search_path`, which weiquan
    // never configures; one that does must set it here too.
    if let Some(port) = nodelay::postgres_port(url) {
        opts.map_sqlx_postgres_pool_opts(move |p| {
            p.after_connect(move |_, _| {
                Box::pin(async move {
                    nodelay::set_on_sockets_to(port);
                    Ok(())
                })
            })
        });
    }
    opts
}

/// The file path of an `sqlite://` URL (None for other databases or in-memory SQLite).
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

/// Writes a consistent copy of an SQLite database into the new file `path` (`VACUUM INTO`:
/// one read transaction, so writers go on meanwhile).
pub async fn snapshot_into(db: &Db, path: &std::path::Path) -> Result<(), DbErr> {
    let target = path.to_string_lossy().replace('\'', "''");
    db.conn()
        .execute_unprepared(&format!("VACUUM INTO '{target}'"))
        .await
        .map(|_| ())
}

/// Runs `stmt` (for backend-specific statements such as advisory locks).
pub(crate) async fn exec_raw<C: ConnectionTrait>(txn: &C, sql: &str) -> Result<(), DbErr> {
    txn.execute_unprepared(sql).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_are_found() {
        assert_eq!(
            sqlite_path("sqlite://data/weiquan.db").as_deref(),
            Some("data/weiquan.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db?mode=rwc").as_deref(),
            Some("/tmp/x.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://localhost/db"), None);
    }
}
