//! Logging (text or JSON, with request ids from the request span) and the metrics recorder.

use crate::config::LogFormat;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use tracing_subscriber::EnvFilter;

/// Installs the global log subscriber (once; later calls are ignored, as in tests).
pub fn init_logging(format: LogFormat, filter: &str) {
    let (filter, bad) = match EnvFilter::try_new(filter) {
        Ok(f) => (f, None),
        Err(e) => (
            EnvFilter::new("info"),
            Some(format!(
                "log filter {filter:?} is invalid ({e}); using \"info\""
            )),
        ),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
    if let Some(warning) = bad {
        tracing::warn!("{warning}");
    }
}

/// The process-wide Prometheus recorder and its handle.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ])
                .map(|b| b.build_recorder())
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// What the allocator holds, for `/metrics` and the soak benchmark.
pub mod heap {
    /// Bytes of heap in use by the program and bytes the allocator holds from the system
    /// (in use, plus freed memory it has kept). `None` where the allocator cannot say.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Usage {
        pub in_use: u64,
        pub held: u64,
    }

    /// Bytes SQLite holds from the allocator now (its page caches and statements, every
    /// connection), part of [`usage`]'s `in_use`; 0 when no SQLite database is open.
    pub fn sqlite_bytes() -> u64 {
        // SAFETY: sqlite3_memory_used takes no argument and reads SQLite's own counter.
        let n = unsafe { libsqlite3_sys::sqlite3_memory_used() };
        u64::try_from(n).unwrap_or(0)
    }

    /// Whether this process allocates through glibc's `malloc`: the library's default, and
    /// what the in-process test servers use; the `weiquan` binary brings jemalloc (D34) and
    /// says so with [`not_glibc`] before anything allocates much.
    static GLIBC: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

    /// Records that the process's `malloc` is not glibc's: [`usage`] has no figures then (the
    /// `weiquan_heap_*` gauges are absent), and [`trim`] does nothing (jemalloc returns freed
    /// memory by itself, from its background thread).
    pub fn not_glibc() {
        GLIBC.store(false, std::sync::atomic::Ordering::Relaxed);
    }

    fn glibc() -> bool {
        GLIBC.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The allocator's figures now (glibc's `mallinfo2`, which sums every arena).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    pub fn usage() -> Option<Usage> {
        if !glibc() {
            return None;
        }
        // SAFETY: mallinfo2 takes no pointer and only reads the allocator's own counters
        // (under its arena locks).
        let m = unsafe { libc::mallinfo2() };
        Some(Usage {
            in_use: (m.uordblks + m.hblkhd) as u64,
            held: (m.arena + m.hblkhd) as u64,
        })
    }

    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    pub fn usage() -> Option<Usage> {
        None
    }

    /// Gives freed memory the allocator still holds back to the system (glibc's
    /// `malloc_trim`, which also releases whole free pages inside its heaps). A long-running
    /// server frees memory in many places at once (request buffers, index readers replaced
    /// after a merge, database pages); without this the freed pages stay resident until the
    /// same arena happens to reuse them.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    pub fn trim() {
        if !glibc() {
            return;
        }
        // SAFETY: malloc_trim takes a padding size and touches only the allocator's own state.
        unsafe {
            libc::malloc_trim(0);
        }
    }

    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    pub fn trim() {}
}
