//! Verifying and browsing the audit trail.

use super::admin::Caller;
use crate::domain::audit::{Checkpoint, Report, Verifier};
use crate::domain::policy::Action;
use crate::domain::time::beijing;
use crate::error::Result;
use crate::store::{self, Db};
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use entity::audit_log;

/// What to browse: entries of an actor, of actions starting with a prefix, on a target, and
/// recorded within Beijing days (`from` to `until`, both whole days).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub actor: Option<String>,
    /// An action or the start of one (`user.` for every user action).
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl From<&Filter> for store::audit::Filter {
    fn from(f: &Filter) -> Self {
        Self {
            actor: f.actor.clone(),
            action: f.action.clone(),
            target_type: f.target_type.clone(),
            target_id: f.target_id.clone(),
            from: f.from.and_then(day_start),
            until: f.until.and_then(day_start).map(|d| d + TimeDelta::days(1)),
        }
    }
}

/// The start of a Beijing day as an instant (none for a day beyond what instants can hold).
fn day_start(d: NaiveDate) -> Option<DateTime<Utc>> {
    beijing()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.to_utc())
}

/// An entry of the audit trail as administrators browse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// The username, `operator` or `anonymous`.
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub client_addr: String,
    pub request_id: String,
    /// The entry's hash in the chain (hex).
    pub hash: String,
}

impl From<audit_log::Model> for EntryView {
    fn from(m: audit_log::Model) -> Self {
        Self {
            seq: m.seq,
            at: m.at,
            actor: m.actor,
            action: m.action,
            target_type: m.target_type,
            target_id: m.target_id,
            client_addr: m.client_addr,
            request_id: m.request_id,
            hash: m.hash,
        }
    }
}

/// Re-walks the whole chain in batches; memory stays flat however long it is.
pub async fn verify(db: &Db, caller: Caller<'_>, checkpoint: Option<Checkpoint>) -> Result<Report> {
    caller.authorize(Action::ViewAuditLog)?;
    let mut verifier = Verifier::new(checkpoint);
    let mut after = 0;
    'walk: loop {
        let page = store::audit::page_after(db.conn(), after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for row in &page {
            if !verifier.push(&store::audit::to_entry(row)) {
                break 'walk;
            }
        }
    }
    let mut report = verifier.finish();
    // Every filing writes an entry: an empty log beside cases was emptied.
    if report.entries == 0 && report.broken.is_none() {
        let cases = store::cases::count(db.conn()).await?;
        if cases > 0 {
            report.broken = Some(crate::domain::audit::Break::Emptied { cases });
            report.head = None;
        }
    }
    Ok(report)
}

/// Whether the database has an audit log at all (a database of weiquan's).
pub async fn log_exists(db: &Db) -> bool {
    store::audit::count(db.conn()).await.is_ok()
}

/// The newest entry of the chain.
pub async fn head(db: &Db) -> Result<Option<EntryView>> {
    Ok(store::audit::last(db.conn()).await?.map(EntryView::from))
}

/// Appends the chain's head to the checkpoint file `path` (`<time> <seq>:<hash>`, one line,
/// flushed to disk), unless its last line already names it; `None` when the log is empty.
pub async fn write_checkpoint(
    db: &Db,
    path: &std::path::Path,
    now: DateTime<Utc>,
) -> Result<Option<Checkpoint>> {
    let Some(head) = store::audit::last(db.conn()).await? else {
        return Ok(None);
    };
    let cp = Checkpoint {
        seq: head.seq,
        hash: head.hash,
    };
    let path = path.to_path_buf();
    let line = format!(
        "{} {cp}\n",
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let written = cp.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        if read_checkpoint_file(&path)?.is_some_and(|(last, _)| last == written) {
            return Ok(());
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        f.write_all(line.as_bytes())?;
        f.sync_all()
    })
    .await
    .map_err(|e| anyhow::anyhow!("checkpoint task: {e}"))?
    .map_err(|e| anyhow::anyhow!("writing the audit checkpoint: {e}"))?;
    Ok(Some(cp))
}

/// The last checkpoint of a checkpoint file with the time it was written; `None` when the file
/// does not exist or holds none.
pub fn read_checkpoint_file(
    path: &std::path::Path,
) -> std::io::Result<Option<(Checkpoint, String)>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(text.lines().rev().find_map(|l| {
        let (at, cp) = l.trim().split_once(' ')?;
        Some((Checkpoint::parse(cp)?, at.to_string()))
    }))
}

/// One page of the audit log for an administrator.
pub async fn browse(
    db: &Db,
    caller: Caller<'_>,
    filter: &Filter,
    before_seq: Option<i64>,
    limit: u64,
) -> Result<(Vec<EntryView>, u64)> {
    caller.authorize(Action::ViewAuditLog)?;
    let (rows, total) = store::audit::browse(db.conn(), &filter.into(), before_seq, limit).await?;
    Ok((rows.into_iter().map(EntryView::from).collect(), total))
}
