//! `weiquan` binary: parses the command line, loads configuration, runs the command.

use clap::Parser;
use weiquan::cli::{Cli, run};
use weiquan::config::Config;

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
