//! Start-up as a library function: `App::build` connects, migrates, binds its own listener and
//! returns an app that tests and `main` run the same way.

use crate::config::Config;
use crate::http::{self, AppState, views::Views};
use crate::store::Db;
use anyhow::Context;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use migration::{Migrator, MigratorTrait};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// A built application, listening but not yet serving.
pub struct App {
    listener: TcpListener,
    state: AppState,
}

impl App {
    /// Connects to the database, applies pending migrations and binds `config.bind`.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let rules = crate::service::case::Timekeeper::rules_of(&config)?;
        let assessment = crate::service::reports::assessment_items(&config)?;
        let db = connect_and_migrate(&config).await?;
        let views = Views::new(config.dev_templates).context("loading templates")?;
        // A new installation (or a small one) gets its statistics' rollups before it answers; a
        // large one rebuilds them in the background.
        crate::service::reports::ensure_rollup(&db, crate::service::reports::INLINE_REBUILD)
            .await
            .map_err(|e| anyhow::anyhow!("statistics' rollups: {e}"))?;
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        crate::service::auth::warm_up();
        let time = Arc::new(
            crate::service::case::Timekeeper::load(&db, rules)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
        let trusted_proxies = config
            .trusted_proxies
            .iter()
            .filter_map(|p| crate::domain::net::IpRange::parse(p))
            .collect();
        let blobs = crate::files::Store::open(&config).context("evidence storage")?;
        let stale = blobs.stale_removed;
        if stale > 0 {
            tracing::info!(removed = stale, "stale evidence temp files removed");
        }
        let search = crate::search::index::SearchIndex::open(&config.search_index_dir())
            .context("search index")?;
        let state = AppState {
            assessment: Arc::new(assessment),
            search,
            seal: Arc::new(tokio::sync::Notify::new()),
            uploads: Default::default(),
            blobs,
            trusted_proxies: Arc::new(trusted_proxies),
            time,
            db,
            outbound: Arc::new(crate::service::Outbound::of(&config)),
            config: Arc::new(config),
            views: Arc::new(views),
            metrics: crate::telemetry::metrics_handle(),
        };
        Ok(Self { listener, state })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The evidence store.
    pub fn blobs(&self) -> crate::files::Store {
        self.state.blobs.clone()
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &crate::config::Config {
        &self.state.config
    }

    /// The calendars and deadline rules this app counts with.
    pub fn time(&self) -> Arc<crate::service::case::Timekeeper> {
        self.state.time.clone()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish (up to 30 s).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> anyhow::Result<()> {
        let App { listener, state } = self;
        let header_timeout = Duration::from_secs(state.config.header_read_timeout_secs.max(1));
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let worker = tokio::spawn(crate::worker::run(
            state.db.clone(),
            state.config.clone(),
            state.time.clone(),
            stop_rx,
        ));
        let indexer = tokio::spawn(crate::service::search::run(
            state.db.clone(),
            crate::service::search::Indexer::new(
                state.search.clone(),
                state.config.search_index_threads,
            ),
            Duration::from_millis(state.config.search_poll_ms),
            stop_tx.subscribe(),
        ));
        let sealer = tokio::spawn(crate::service::evidence::seal::run(
            state.db.clone(),
            state.blobs.clone(),
            state.seal.clone(),
            stop_tx.subscribe(),
        ));
        let sweeper = tokio::spawn(sweep_temp(state.blobs.clone(), stop_tx.subscribe()));
        let trimmer = tokio::spawn(trim_heap(stop_tx.subscribe()));
        let router = http::router(state.clone());
        let graceful = GracefulShutdown::new();
        // HTTP/1.1 only: every client (and any reverse proxy in front) speaks it, and the
        // header-read timeout that stops slow-header clients exists only there.
        let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .keep_alive(true);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            // Out of file descriptors and the like: back off instead of spinning.
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let svc = router.clone().map_request(move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(ConnectInfo(peer));
                        req
                    });
                    let svc = hyper_util::service::TowerToHyperService::new(svc);
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), svc).into_owned();
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    });
                }
                _ = &mut shutdown => break,
            }
        }
        drop(listener);
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stop_tx.send(true);
        if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("some connections did not finish within 30 s");
        }
        let _ = worker.await;
        let _ = indexer.await;
        let _ = sealer.await;
        let _ = sweeper.await;
        let _ = trimmer.await;
        // The last word of this run in the audit log, for the next verify.
        crate::worker::checkpoint(&state.db, &state.config).await;
        state.db.close().await;
        Ok(())
    }
}

/// How often a running node removes temp files no upload holds.
const TEMP_SWEEP: Duration = Duration::from_secs(300);

/// Removes, every [`TEMP_SWEEP`], the files of this node's temp folder that no upload or export
/// in flight holds, until `stop` changes.
async fn sweep_temp(blobs: crate::files::Store, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + TEMP_SWEEP, TEMP_SWEEP);
    loop {
        tokio::select! {
            _ = every.tick() => {
                let b = blobs.clone();
                match tokio::task::spawn_blocking(move || b.sweep_temp()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "evidence temp files no upload holds removed"),
                    Err(e) => tracing::warn!(error = %e, "temp sweep failed"),
                }
            }
            _ = stop.changed() => break,
        }
    }
}

/// How often a running node gives freed heap memory back to the system.
const HEAP_TRIM: Duration = Duration::from_secs(60);

/// Every [`HEAP_TRIM`], returns the memory the allocator keeps after frees to the system, so
/// that resident memory follows what the server uses rather than its high-water mark
/// (docs/benchmarks.md, soak).
async fn trim_heap(mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + HEAP_TRIM, HEAP_TRIM);
    loop {
        tokio::select! {
            _ = every.tick() => {
                let _ = tokio::task::spawn_blocking(crate::telemetry::heap::trim).await;
            }
            _ = stop.changed() => break,
        }
    }
}

/// Connects and applies every pending migration.
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<Db> {
    let url = config.database_url();
    let db = Db::connect(&url, config.db_max_connections)
        .await
        .with_context(|| format!("cannot connect to the database ({})", redact(&url)))?;
    Migrator::up(db.conn(), None)
        .await
        .context("applying migrations")?;
    Ok(db)
}

/// Connects to a database that must already exist, changing nothing (no file is created, no
/// migration applied): for commands that inspect an installation.
pub async fn connect_existing(config: &Config) -> anyhow::Result<Db> {
    let url = config.database_url();
    if let Some(path) = crate::store::sqlite_path(&url)
        && !std::path::Path::new(&path).exists()
    {
        anyhow::bail!("no database at {path}: nothing to verify (is the data folder right?)");
    }
    Db::connect(&url, 2)
        .await
        .with_context(|| format!("cannot connect to the database ({})", redact(&url)))
}

/// A URL with any password hidden, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
