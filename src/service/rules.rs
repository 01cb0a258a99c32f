//! The deadline rules in force in this process: the shipped table, with the province's rules file
//! (`deadline_rules`) laid over it when one is configured.
//!
//! The rules are installed once at start-up (`App::build` and every CLI command) and read by
//! every clock computation, notice and extension; a province changes them by editing its file
//! and restarting, then `weiquan deadlines rebuild` recomputes stored clocks.

use crate::config::Config;
use crate::domain::deadline::Rules;
use anyhow::Context;
use std::sync::OnceLock;

static IN_FORCE: OnceLock<Rules> = OnceLock::new();

/// The rules in force: the installed ones, or the shipped table when none were installed.
pub fn in_force() -> &'static Rules {
    IN_FORCE.get().unwrap_or_else(|| Rules::builtin())
}

/// The shipped rules with the file `config.deadline_rules` (if set) laid over them.
pub fn from_config(config: &Config) -> anyhow::Result<Rules> {
    let Some(path) = config
        .deadline_rules
        .as_ref()
        .filter(|p| !p.as_os_str().is_empty())
    else {
        return Ok(Rules::builtin().clone());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the deadline rules file {}", path.display()))?;
    Rules::builtin()
        .overlay(&text)
        .with_context(|| format!("deadline rules file {}", path.display()))
}

/// Installs the rules of `config` for this process. Installing the same rules again is a no-op;
/// different rules after the first install are refused (one process counts by one table).
pub fn install(config: &Config) -> anyhow::Result<()> {
    let rules = from_config(config)?;
    let installed = IN_FORCE.get_or_init(|| rules.clone());
    anyhow::ensure!(
        *installed == rules,
        "different deadline rules are already in force in this process"
    );
    if let Some(path) = config
        .deadline_rules
        .as_ref()
        .filter(|p| !p.as_os_str().is_empty())
    {
        let overridden = rules
            .rules
            .iter()
            .filter(|(id, r)| Rules::builtin().get(id) != Some(*r))
            .count();
        tracing::info!(file = %path.display(), rules = overridden, "province deadline rules laid over the shipped table");
    }
    Ok(())
}
