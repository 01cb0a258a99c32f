//! `weiquan` binary: parses the command line, loads configuration, runs the command.

use clap::Parser;
use weiquan::cli::{Cli, run};
use weiquan::config::Config;

/// jemalloc serves every allocation of the process, SQLite's included (the crate's unprefixed
/// `malloc` replaces glibc's): a lead import spent a tenth of its storing thread in glibc's
/// `free` and arena locks, and reaches its SQLite ceiling's 50 % only with it (D34,
/// docs/benchmarks.md).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, which it reads when it starts (`MALLOC_CONF` in the environment still
/// wins): two arenas, and a background thread that hands freed memory back to the system after
/// a second — without it an idle server keeps what its start-up freed (idle RSS 59–62 MB
/// instead of 56 MB on the demo data).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[unsafe(no_mangle)]
#[allow(non_upper_case_globals)]
pub static malloc_conf: JemallocConf =
    JemallocConf(c"background_thread:true,narenas:2,dirty_decay_ms:1000".as_ptr());

/// A C string pointer that jemalloc reads as its `const char *malloc_conf`.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[repr(transparent)]
pub struct JemallocConf(*const std::ffi::c_char);

// SAFETY: the pointer is to a static string that is never written.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
unsafe impl Sync for JemallocConf {}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let (config, notes) = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    weiquan::telemetry::init_logging(config.log_format, &config.log);
    if let Some(file) = &notes.file {
        tracing::info!(file = %file.display(), "configuration file loaded");
    }
    for w in &notes.warnings {
        tracing::warn!("{w}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, config)) {
        Ok(code) => std::process::ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
