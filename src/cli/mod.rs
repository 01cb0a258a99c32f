//! The command line: `serve`, `migrate`, `demo`, `user`, `org`, `calendar`, `audit`, `srdi`,
//! `evidence`. The commands that read a file or the evidence store are in `files`.

mod files;

use crate::app::{App, connect_and_migrate, shutdown_signal};
use crate::config::Config;
use crate::domain::audit::Checkpoint;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::service::{self, Ctx, RequestMeta, admin::Caller, demo};
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::net::SocketAddr;

#[derive(Parser, Debug)]
#[command(
    name = "weiquan",
    version,
    about = "weiquan (维权): IP rights-protection case work"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Apply pending migrations and serve the web UI and API.
    Serve {
        /// Load the demo province first (only into an empty database) and print the demo logins.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (overrides the configuration).
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo data into an empty database and exit.
    Demo,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// List organisations (to find the id for `user add`).
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// The official working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// The tamper-evident audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Deadline clocks of cases.
    Deadlines {
        #[command(subcommand)]
        command: DeadlinesCommand,
    },
    /// The statistics' rollups (derived data kept with every case write).
    Reports {
        #[command(subcommand)]
        command: ReportsCommand,
    },
    /// Import case leads from a file.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// The 专精特新 registry.
    Srdi {
        #[command(subcommand)]
        command: SrdiCommand,
    },
    /// Evidence files (issue 6).
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// Copy an SQLite installation into a new folder, consistently while the server runs: the
    /// database snapshot, then the evidence objects, then the audit checkpoint of the snapshot.
    /// A server starts on the copy as it is (`WEIQUAN_DATA_DIR=DIR weiquan serve`).
    Backup {
        /// The new (or empty) folder.
        dir: std::path::PathBuf,
    },
    /// Rebuild the search index from the database (beside the one in use, which keeps serving
    /// until the new one is ready; a running server switches over by itself).
    Reindex {
        /// Indexing threads (default: the number of CPUs).
        #[arg(long)]
        threads: Option<usize>,
    },
}

/// `weiquan evidence …` (issue 6).
#[derive(Subcommand, Debug)]
pub enum EvidenceCommand {
    /// Read and hash every stored evidence object again and compare it with its record. Lists
    /// mismatched and missing objects (exits 2 if there is any), and objects no record names
    /// (left by a crash between storing an object and committing its row).
    Verify {
        /// Remove the objects no record names that were written more than `--grace-hours` ago
        /// (with an audit entry).
        #[arg(long)]
        clean: bool,
        /// Objects without a record younger than this are spared by `--clean` (an upload may be
        /// between storing its object and committing its row).
        #[arg(long, default_value_t = 24)]
        grace_hours: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum DeadlinesCommand {
    /// Recompute the clocks of every open case from its events (they are derived data).
    Rebuild,
}

#[derive(Subcommand, Debug)]
pub enum ReportsCommand {
    /// Count every case again into the statistics' rollups (a running server keeps them right
    /// meanwhile and counts from the case lists until the rebuild is done).
    Rebuild,
    /// Compare every rollup counter with a count made now from the cases; exits 2 on any
    /// difference.
    Check,
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import leads (UTF-8 CSV, one lead per row; header and columns in docs/import.md) into the
    /// office `--org`. Good rows are imported, bad rows listed with their line numbers; exits 1 if
    /// any row was rejected.
    Leads {
        file: std::path::PathBuf,
        /// Id of the office the leads belong to (see `weiquan org list`).
        #[arg(long)]
        org: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum SrdiCommand {
    /// Import a registry file (UTF-8 CSV with the header uscc,name,level,year,source; see
    /// docs/srdi.md). Good rows are recorded, bad rows are listed; exits 1 if any row was rejected.
    Import { file: std::path::PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user. The password is read from standard input.
    Add {
        username: String,
        /// Display name (e.g. 李强).
        #[arg(long)]
        name: String,
        /// Organisation id (see `weiquan org list`).
        #[arg(long)]
        org: i64,
        /// enterprise_filer | triager | officer | supervisor | admin
        #[arg(long)]
        role: String,
    },
    /// Set a new password (read from standard input); ends the user's sessions and tokens.
    Passwd { username: String },
    /// Disable an account (ends its sessions and tokens at once), or re-enable it.
    Disable {
        username: String,
        #[arg(long)]
        enable: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Print every organisation with its id.
    List,
    /// Create an organisation (e.g. the first office of a new installation).
    Add {
        /// Name, e.g. 南通市知识产权局.
        #[arg(long)]
        name: String,
        /// enterprise | ip_office | industry_office | assistance_center | market_regulator |
        /// customs | public_security | other_agency | workstation
        #[arg(long)]
        kind: String,
        /// 行政区划代码, six digits (e.g. 320600).
        #[arg(long)]
        region: String,
        /// 统一社会信用代码 (required for enterprises).
        #[arg(long)]
        uscc: Option<String>,
        /// Id of the parent organisation (for a workstation: its assistance centre).
        #[arg(long)]
        parent: Option<i64>,
        /// The industrial park or cluster a workstation serves (workstations only).
        #[arg(long)]
        park: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// Show what a calendar file (weiquan-calendar-v1 JSON) would change; load it with --apply.
    Import {
        file: std::path::PathBuf,
        /// Load the years into the database (without it, only the differences are shown).
        #[arg(long)]
        apply: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Re-walk the chain, report the first broken entry, and print the head as a checkpoint.
    Verify {
        /// An earlier checkpoint (`SEQ:HASH`) that the chain must still extend.
        #[arg(long)]
        checkpoint: Option<String>,
        /// A checkpoint file whose last line the chain must still extend (default: the one the
        /// server writes, `audit_checkpoint_file`); ignored with `--checkpoint`.
        #[arg(long)]
        checkpoint_file: Option<std::path::PathBuf>,
    },
}

/// Runs a parsed command. Returns the process exit code.
pub async fn run(cli: Cli, mut config: Config) -> anyhow::Result<i32> {
    // A province's rules file that does not load stops every command, not only the server.
    crate::service::case::Timekeeper::rules_of(&config)?;
    match cli.command {
        Command::Serve {
            demo: with_demo,
            bind,
        } => {
            if let Some(b) = bind {
                config.bind = b;
            }
            let app = App::build(config).await?;
            if with_demo {
                load_demo(app.db(), &app.time(), &app.blobs(), app.config()).await?;
            }
            let addr = app.local_addr();
            tracing::info!(%addr, "weiquan is listening");
            println!("weiquan 已启动 / listening on http://{addr}");
            app.run_until_stopped(shutdown_signal()).await?;
            Ok(0)
        }
        Command::Migrate => {
            connect_and_migrate(&config).await?;
            println!("migrations applied / 数据库迁移已完成");
            Ok(0)
        }
        Command::Demo => {
            let db = connect_and_migrate(&config).await?;
            let time = std::sync::Arc::new(service::case::Timekeeper::of(&config, &db).await?);
            let blobs = crate::files::Store::open(&config).context("evidence storage")?;
            load_demo(&db, &time, &blobs, &config).await?;
            Ok(0)
        }
        Command::User { command } => user(command, &config).await,
        Command::Calendar {
            command: CalendarCommand::Import { file, apply },
        } => files::calendar_import(&config, &file, apply).await,
        Command::Srdi {
            command: SrdiCommand::Import { file },
        } => files::srdi_import(&config, &file).await,
        Command::Import {
            command: ImportCommand::Leads { file, org },
        } => files::import_leads(&config, &file, org).await,
        Command::Evidence {
            command: EvidenceCommand::Verify { clean, grace_hours },
        } => files::evidence_verify(&config, clean, grace_hours).await,
        Command::Backup { dir } => {
            let db = crate::app::connect_existing(&config).await?;
            let blobs = crate::files::Store::open(&config)?;
            let started = std::time::Instant::now();
            let r =
                service::backup::run(&db, &blobs, &config.audit_checkpoint_path(), &dir).await?;
            println!(
                "backup in {}: database {} bytes, {} evidence object(s) ({} bytes), audit head {} ({:.1} s)",
                r.dir.display(),
                r.database_bytes,
                r.objects,
                r.object_bytes,
                r.head
                    .map_or_else(|| "none (empty log)".to_string(), |h| h.to_string()),
                started.elapsed().as_secs_f64()
            );
            println!(
                "check it: WEIQUAN_DATA_DIR={0} weiquan audit verify && WEIQUAN_DATA_DIR={0} weiquan evidence verify",
                r.dir.display()
            );
            Ok(0)
        }
        Command::Reindex { threads } => {
            let db = connect_and_migrate(&config).await?;
            let threads = threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
                .clamp(1, 8);
            let started = std::time::Instant::now();
            let (n, generation) = service::search::rebuild(
                &db,
                &config.search_index_dir(),
                threads,
                |done, total| draw_progress(done, total, started),
            )
            .await?;
            println!(
                "已重建检索索引 / search index rebuilt: {n} 件案件 / cases, {:.1} 秒 / s ({generation})",
                started.elapsed().as_secs_f64()
            );
            Ok(0)
        }
        Command::Deadlines {
            command: DeadlinesCommand::Rebuild,
        } => {
            let db = connect_and_migrate(&config).await?;
            let time = service::case::Timekeeper::of(&config, &db).await?;
            let started = std::time::Instant::now();
            let n = time
                .rebuild_open(&db, service::now(), |done, total| {
                    draw_progress(done, total, started)
                })
                .await
                .map_err(explain)?;
            println!("已重算 / recomputed: {n} 件案件 / cases");
            Ok(0)
        }
        Command::Reports {
            command: ReportsCommand::Rebuild,
        } => {
            let db = connect_and_migrate(&config).await?;
            let started = std::time::Instant::now();
            let n = service::reports::rebuild_rollup(&db, service::now(), |done, total| {
                draw_progress(done, total, started)
            })
            .await
            .map_err(explain)?;
            println!(
                "已重建统计汇总 / statistics' rollups rebuilt: {n} 件案件 / cases, {:.1} 秒 / s",
                started.elapsed().as_secs_f64()
            );
            Ok(0)
        }
        Command::Reports {
            command: ReportsCommand::Check,
        } => {
            let db = connect_and_migrate(&config).await?;
            let (compared, differences) =
                service::reports::check_rollup(&db).await.map_err(explain)?;
            for d in &differences {
                println!("{d}");
            }
            if differences.is_empty() {
                println!(
                    "统计汇总与案件一致 / rollups equal a count of the cases: {compared} counters"
                );
                Ok(0)
            } else {
                println!(
                    "统计汇总与案件不一致 / rollups differ from a count of the cases (above; {compared} counters compared)"
                );
                Ok(2)
            }
        }
        Command::Org {
            command:
                OrgCommand::Add {
                    name,
                    kind,
                    region,
                    uscc,
                    parent,
                    park,
                },
        } => {
            let db = connect_and_migrate(&config).await?;
            let cx = context(&config, &db, "org").await?;
            let input = service::admin::OrgInput {
                name,
                kind,
                uscc,
                region_code: region,
                parent_id: parent.map(|p| p.to_string()),
                park,
                ..Default::default()
            };
            let o = service::admin::create_org(&cx, Caller::Operator, input)
                .await
                .map_err(explain)?;
            println!("created organisation {} (id {})", o.name, o.id);
            Ok(0)
        }
        Command::Org {
            command: OrgCommand::List,
        } => {
            let db = connect_and_migrate(&config).await?;
            for o in service::admin::list_orgs(&db, Caller::Operator)
                .await
                .map_err(explain)?
            {
                println!(
                    "{:>5}  {:<18}  {:<6}  {}  {}",
                    o.id,
                    o.kind.as_str(),
                    o.region_code,
                    o.uscc.unwrap_or_default(),
                    o.name
                );
            }
            Ok(0)
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    checkpoint,
                    checkpoint_file,
                },
        } => audit_verify(&config, checkpoint, checkpoint_file).await,
    }
}

/// `weiquan audit verify`: 0 intact, 2 broken; refuses (1) where there is no database.
async fn audit_verify(
    config: &Config,
    checkpoint: Option<String>,
    checkpoint_file: Option<std::path::PathBuf>,
) -> anyhow::Result<i32> {
    // Verifying never creates or migrates a database: a folder without one has nothing to prove.
    let db = crate::app::connect_existing(config).await?;
    if !service::audit::log_exists(&db).await {
        anyhow::bail!(
            "{} holds no audit log: not a weiquan database",
            crate::app::redact(&config.database_url())
        );
    }
    let (checkpoint, from) = match checkpoint {
        Some(c) => (
            Some(Checkpoint::parse(&c).context("a checkpoint looks like 42:<64 hex digits>")?),
            "the given checkpoint".to_string(),
        ),
        None => {
            let file = checkpoint_file.unwrap_or_else(|| config.audit_checkpoint_path());
            match service::audit::read_checkpoint_file(&file)
                .with_context(|| format!("cannot read {}", file.display()))?
            {
                Some((cp, at)) => (
                    Some(cp),
                    format!("the checkpoint of {at} in {}", file.display()),
                ),
                None => {
                    println!(
                        "no checkpoint in {}: entries removed from the end of the log would not show",
                        file.display()
                    );
                    (None, String::new())
                }
            }
        }
    };
    let report = service::audit::verify(&db, Caller::Operator, checkpoint)
        .await
        .map_err(explain)?;
    let head = service::audit::head(&db).await.map_err(explain)?;
    match &head {
        Some(h) if report.entries > 0 => println!(
            "checked {} entries; the last is #{} ({}, {})",
            report.entries,
            h.seq,
            h.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            h.action
        ),
        _ => println!("checked {} entries", report.entries),
    }
    if let Some(b) = &report.broken {
        println!("BROKEN: {b}");
        return Ok(2);
    }
    if report.extends_checkpoint == Some(true) {
        println!("the chain extends {from}");
    }
    println!("chain intact");
    println!(
        "checkpoint: {}",
        report
            .head
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    );
    Ok(0)
}

async fn load_demo(
    db: &crate::store::Db,
    time: &std::sync::Arc<service::case::Timekeeper>,
    blobs: &crate::files::Store,
    config: &Config,
) -> anyhow::Result<()> {
    match demo::load(db).await {
        Ok(loaded) => {
            if loaded == demo::Loaded::Now {
                demo::load_cases(db, time).await.map_err(explain)?;
                demo::load_fund(db, time, blobs, config)
                    .await
                    .map_err(explain)?;
                demo::load_campaign(db, time).await.map_err(explain)?;
                demo::load_health_checks(db, time, blobs, config)
                    .await
                    .map_err(explain)?;
                println!("演示数据已载入 / demo data loaded");
            }
            println!("演示账号 / demo logins (password {}):", demo::DEMO_PASSWORD);
            for (username, name, role, _) in demo::DEMO_USERS {
                println!("  {username:<18} {role:<17} {name}");
            }
            Ok(())
        }
        Err(AppError::Conflict(_)) => {
            bail!("demo mode refused: this database already holds data that is not demo data")
        }
        Err(e) => Err(explain(e)),
    }
}

/// The services' context of a command: the database, the calendars and rules in force, where
/// the call came from (`cli:<command>`) and the instant it runs at.
async fn context(config: &Config, db: &crate::store::Db, command: &str) -> anyhow::Result<Ctx> {
    let time = std::sync::Arc::new(service::case::Timekeeper::of(config, db).await?);
    Ok(Ctx::new(db.clone(), time, RequestMeta::cli(command)))
}

async fn user(command: UserCommand, config: &Config) -> anyhow::Result<i32> {
    let db = connect_and_migrate(config).await?;
    let cx = context(config, &db, "user").await?;
    match command {
        UserCommand::Add {
            username,
            name,
            org,
            role,
        } => {
            let password = read_password()?;
            let input = service::admin::UserInput {
                username,
                display_name: name,
                org_id: org.to_string(),
                role,
                password: Some(password),
                phone: None,
                email: None,
            };
            let u = service::admin::create_user(&cx, Caller::Operator, input)
                .await
                .map_err(explain)?;
            println!("created user {} (id {})", u.username, u.id);
        }
        UserCommand::Passwd { username } => {
            let id = service::admin::user_id_by_name(&db, &username)
                .await
                .map_err(explain)?;
            let password = read_password()?;
            service::admin::set_password(&cx, Caller::Operator, id, &password)
                .await
                .map_err(explain)?;
            println!("password changed; every session and token of {username} has ended");
        }
        UserCommand::Disable { username, enable } => {
            let id = service::admin::user_id_by_name(&db, &username)
                .await
                .map_err(explain)?;
            service::admin::set_disabled(&cx, Caller::Operator, id, !enable)
                .await
                .map_err(explain)?;
            println!(
                "{username} is now {}",
                if enable {
                    "enabled"
                } else {
                    "disabled; its sessions and tokens have ended"
                }
            );
        }
    }
    Ok(0)
}

/// One line from standard input (prompted when it is a terminal).
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        eprint!("password / 密码: ");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// An application error as a readable command-line error.
fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message.render(Lang::En)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        AppError::Conflict(m) | AppError::Forbidden(m) | AppError::Unauthorized(m) => {
            anyhow::anyhow!("{}", m.render(Lang::En))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// Progress on stderr: on a terminal, a bar redrawn in place; otherwise (a log file, a pipe) a
/// whole line at every tenth of the way and at the end, so that the log stays readable.
fn draw_progress(done: usize, total: usize, started: std::time::Instant) {
    use std::io::{IsTerminal, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    // The last tenth written as a line (one progress at a time per process).
    static LAST_TENTH: AtomicUsize = AtomicUsize::new(usize::MAX);
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-6);
    let text = format!(
        "[{}{}] {done}/{total} ({:.0} 行/秒 rows/s)",
        "#".repeat(filled),
        ".".repeat(width - filled),
        rate
    );
    let mut err = std::io::stderr();
    if err.is_terminal() {
        let _ = write!(err, "\r{text}");
        if done >= total {
            let _ = writeln!(err);
        }
    } else {
        let tenth = (done * 10).checked_div(total).unwrap_or(10);
        if LAST_TENTH.swap(tenth, Ordering::Relaxed) != tenth {
            let _ = writeln!(err, "{text}");
        }
    }
    let _ = err.flush();
}
