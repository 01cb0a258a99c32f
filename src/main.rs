//! `weiquan` binary: parses the command line, loads configuration, runs the command.

use clap::Parser;
use weiquan::cli::{Cli, run};
use weiquan::config::Config;

/// jemalloc serves every allocation of the process, SQLite's included (the crate's unprefixed
/// `malloc` replaces glibc's): a lead import spent a tenth of its storing thread in glibc's
/// `free` and arena locks, and reaches its SQLite ceiling's 50 % only with it (D34,
/// docs/benchmarks.md).
#[cfg(all(feature = "jemalloc", target_os = "linux"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, which it reads when it starts (`MALLOC_CONF` in the environment still
/// wins): its defaults, and a background thread that hands freed memory back to the system —
/// without it jemalloc purges only when the program allocates, so an idle server would keep
/// what its start-up freed, and the import's threads would do the purging themselves.
#[cfg(all(feature = "jemalloc", target_os = "linux"))]
#[unsafe(no_mangle)]
#[allow(non_upper_case_globals)]
pub static malloc_conf: JemallocConf = JemallocConf(c"background_thread:true".as_ptr());

/// A C string pointer that jemalloc reads as its `const char *malloc_conf`.
#[cfg(all(feature = "jemalloc", target_os = "linux"))]
#[repr(transparent)]
pub struct JemallocConf(*const std::ffi::c_char);

// SAFETY: the pointer is to a static string that is never written.
#[cfg(all(feature = "jemalloc", target_os = "linux"))]
unsafe impl Sync for JemallocConf {}

fn main() -> std::process::ExitCode {
    #[cfg(all(feature = "jemalloc", target_os = "linux"))]
    weiquan::telemetry::heap::not_glibc();
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
