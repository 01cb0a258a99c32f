//! Commands that read a file or the evidence store: loading a calendar year, importing the
//! 专精特新 registry and leads (bad rows listed with their line numbers), and checking evidence.

use super::{context, draw_progress, explain};
use crate::app::connect_and_migrate;
use crate::config::Config;
use crate::i18n::Lang;
use crate::service::{self, admin::Caller};
use anyhow::Context;

/// `weiquan calendar import FILE [--apply]`: the differences, and the years loaded with `--apply`.
pub(super) async fn calendar_import(
    config: &Config,
    file: &std::path::Path,
    apply: bool,
) -> anyhow::Result<i32> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let db = connect_and_migrate(config).await?;
    let cx = context(config, &db, "calendar").await?;
    let (_, diffs) = service::calendar::preview(&cx.time.calendar(), &text).map_err(explain)?;
    let list = |days: &[chrono::NaiveDate]| {
        days.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for d in &diffs {
        let what = if d.new_year {
            "new year".to_string()
        } else {
            format!(
                "replaces version {}",
                d.old_version.clone().unwrap_or_default()
            )
        };
        println!("{} (version {}; {what}):", d.year, d.new_version);
        if !d.changes_days() {
            println!("  no change to working days");
        }
        for (label, days) in [
            ("days off added", &d.off_added),
            ("days off removed", &d.off_removed),
            ("make-up working days added", &d.makeup_added),
            ("make-up working days removed", &d.makeup_removed),
        ] {
            if !days.is_empty() {
                println!("  {label}: {}", list(days));
            }
        }
    }
    if apply {
        service::calendar::import(&cx, Caller::Operator, &text)
            .await
            .map_err(explain)?;
        println!(
            "loaded; running servers pick it up within 5 minutes (deadline clocks are recomputed once they exist)"
        );
    } else {
        println!("nothing changed: run again with --apply to load these years");
    }
    Ok(0)
}

/// `weiquan srdi import FILE`: exits 1 if any row was rejected.
pub(super) async fn srdi_import(config: &Config, file: &std::path::Path) -> anyhow::Result<i32> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let db = connect_and_migrate(config).await?;
    let cx = context(config, &db, "srdi").await?;
    let report = service::srdi::import_csv(&cx, Caller::Operator, &bytes)
        .await
        .map_err(explain)?;
    println!("已导入 / imported: {}", report.imported);
    print!(
        "已在名录中（未改动）/ already listed (unchanged): {}",
        report.duplicates
    );
    if report.duplicate_lines.is_empty() {
        println!();
    } else {
        let lines: Vec<String> = report.duplicate_lines.iter().map(u64::to_string).collect();
        println!("  (第 {0} 行 / line {0})", lines.join(", "));
    }
    println!("有误未导入 / rejected: {}", report.errors.len());
    for e in &report.errors {
        println!(
            "  第 {line} 行 / line {line} [{}]: {} / {}",
            e.field,
            crate::i18n::t(Lang::Zh, e.key),
            crate::i18n::t(Lang::En, e.key),
            line = e.line,
        );
    }
    Ok(if report.errors.is_empty() { 0 } else { 1 })
}

/// `weiquan import leads FILE --org ID`: exits 1 if any row was rejected.
pub(super) async fn import_leads(
    config: &Config,
    file: &std::path::Path,
    org: i64,
) -> anyhow::Result<i32> {
    let source = service::import::Source::File(
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?,
    );
    let db = connect_and_migrate(config).await?;
    let cx = context(config, &db, "import").await?;
    let started = std::time::Instant::now();
    let report = service::import::leads(
        &cx,
        service::import::Importer::Operator { owner_org_id: org },
        source,
        |done, total| draw_progress(done, total, started),
    )
    .await
    .map_err(explain)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "已导入 / imported: {} ({} … {}), {:.1} 秒 / s",
        report.imported,
        report.first_number.as_deref().unwrap_or("-"),
        report.last_number.as_deref().unwrap_or("-"),
        secs
    );
    println!("有误未导入 / rejected rows: {}", report.errors.len());
    for e in &report.errors {
        println!(
            "  第 {line} 行 / line {line} [{}]: {} / {}",
            e.field,
            crate::i18n::t(Lang::Zh, e.key),
            crate::i18n::t(Lang::En, e.key),
            line = e.line,
        );
    }
    Ok(if report.errors.is_empty() { 0 } else { 1 })
}

/// `weiquan evidence verify` (issue 6).
pub(super) async fn evidence_verify(
    config: &Config,
    clean: bool,
    grace_hours: u32,
) -> anyhow::Result<i32> {
    use crate::service::evidence::verify::{self, Problem};
    let db = crate::app::connect_existing(config).await?;
    let blobs = crate::files::Store::open(config)?;
    let report = verify::run(&db, &blobs).await?;
    for p in &report.problems {
        match p {
            Problem::Mismatch {
                label,
                evidence_id,
                key,
                recorded,
                found,
            } => println!(
                "MISMATCH {label} (evidence {evidence_id}, object {key}): recorded {recorded}, found {found}"
            ),
            Problem::Missing {
                label,
                evidence_id,
                key,
            } => {
                println!("MISSING {label} (evidence {evidence_id}): object {key} not found")
            }
        }
    }
    if report.unsealed > 0 {
        println!(
            "{} record(s) still wait for their SM3 (the running server computes it); their SHA-256 and size match",
            report.unsealed
        );
    }
    println!(
        "{} evidence records checked, {} problem(s)",
        report.checked,
        report.problems.len()
    );
    let orphans = verify::orphans(&db, &blobs)
        .await
        .context("listing objects without a record")?;
    let now = crate::service::now();
    let before = now - chrono::Duration::hours(i64::from(grace_hours));
    for o in &orphans {
        println!(
            "NO RECORD {} ({} bytes, written {}){}",
            o.key,
            o.size,
            o.written.format("%Y-%m-%d %H:%M:%S UTC"),
            if o.written < before {
                ""
            } else {
                " (recent: spared)"
            }
        );
    }
    let old = orphans.iter().filter(|o| o.written < before).count();
    if clean {
        let (n, bytes) = verify::remove_orphans(&db, &blobs, &orphans, before).await?;
        println!(
            "{n} object(s) without a record removed ({bytes} bytes); recorded in the audit log"
        );
    } else if old > 0 {
        println!(
            "{old} object(s) without a record older than {grace_hours} h; `weiquan evidence verify --clean` removes them"
        );
    } else {
        println!("{} object(s) without a record", orphans.len());
    }
    // A store that cannot list them (instance-role credentials, a policy without
    // ListBucketMultipartUploads) says so; the check's answer stands.
    let uploads = match verify::unfinished_uploads(&blobs).await {
        Ok(uploads) => uploads,
        Err(e) => {
            println!("unfinished multipart uploads could not be listed: {e:#}");
            Vec::new()
        }
    };
    for u in &uploads {
        println!(
            "UNFINISHED UPLOAD {} (upload {}, started {}){}",
            u.key,
            u.upload_id,
            u.initiated.format("%Y-%m-%d %H:%M:%S UTC"),
            if u.initiated < before {
                ""
            } else {
                " (recent: spared)"
            }
        );
    }
    let old = uploads.iter().filter(|u| u.initiated < before).count();
    if clean && old > 0 {
        let n = verify::abort_uploads(&db, &blobs, &uploads, before).await?;
        println!("{n} unfinished upload(s) aborted; recorded in the audit log");
    } else if old > 0 {
        println!(
            "{old} unfinished upload(s) older than {grace_hours} h; `weiquan evidence verify --clean` aborts them"
        );
    } else if !uploads.is_empty() {
        println!("{} unfinished upload(s)", uploads.len());
    }
    Ok(if report.problems.is_empty() { 0 } else { 2 })
}
