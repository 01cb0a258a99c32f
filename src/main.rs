//! `weiquan` binary: parses the command line, loads configuration, runs the command.

use clap::Parser;
use weiquan::cli::{Cli, run};
use weiquan::config::Config;

/// glibc gives each thread that allocates under contention an arena of its own (up to eight per
/// core) and keeps what is freed there. The runtime's blocking threads (uploads, hashing, the
/// search writer) each churn through 1 MiB buffers, so every arena ends up holding some: a 1 GiB
/// upload raised the server's resident memory by 37 MB with the default and by 8 MB with two
/// arenas (docs/benchmarks.md). `MALLOC_ARENA_MAX`, when set, still wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn cap_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; it is called before any other
        // thread exists, with a valid option and value.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
            // A fixed threshold (which also stops glibc from raising it after the first free):
            // blocks of 256 KiB and more are mapped on their own and go back to the system when
            // freed, instead of staying in an arena.
            libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn cap_malloc_arenas() {}

fn main() -> std::process::ExitCode {
    cap_malloc_arenas();
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
