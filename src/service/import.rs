//! Importing leads from a CSV file: rows validated like hand-entered leads, stored in batches
//! (one audit entry per batch of 1,000, several batches per transaction on SQLite), bad rows
//! reported with their line numbers.

use super::intake::{Batch, Creator, prepare_batch, store_batch};
use super::{Ctx, Identity, audit_entry};
use crate::domain::case::import::{self, RowError};
use crate::domain::case::intake::ValidCase;
use crate::domain::policy;
use crate::error::{AppError, Msg, Result};
use crate::store;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

/// Leads per batch (one audit entry each).
pub const BATCH: usize = 1000;

/// On SQLite at most this many batches share a write transaction, and a transaction is committed
/// once it has been open this long (checked after each batch): fewer commits (each writes again
/// the index pages its batches touched), while another writer waits about half a second at most.
/// On PostgreSQL every batch commits on its own (`ImportTxn::shares_batches`).
const BATCHES_PER_TRANSACTION: usize = 10;
const TRANSACTION_AGE: std::time::Duration = std::time::Duration::from_millis(500);

/// Counts the batches just committed into the report, and shows how far the import is.
fn settle(
    pending: &mut Vec<(usize, String, String, usize)>,
    report: &mut Report,
    lines: usize,
    progress: &mut impl FnMut(usize, usize),
) {
    for (at, first, last, n) in pending.drain(..) {
        report.imported += n;
        report.first_number.get_or_insert(first);
        report.last_number = Some(last);
        progress(at.min(lines), lines);
    }
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub imported: usize,
    pub first_number: Option<String>,
    pub last_number: Option<String>,
    pub errors: Vec<RowError>,
}

/// Who imports: a signed-in user (into their office) or the operator (into a named office).
#[derive(Debug, Clone, Copy)]
pub enum Importer<'a> {
    User(&'a Identity),
    Operator { owner_org_id: i64 },
}

/// Where the leads come from.
pub enum Source {
    /// A file's bytes (an upload through the page, within its size limit).
    Bytes(Vec<u8>),
    /// A file on disk (the command line): read as the import goes, never whole.
    File(std::fs::File),
}

/// A lead file ready to be read: CSV (an Excel workbook converted to a temporary CSV file first)
/// and how many lines it has.
struct Opened {
    csv: Box<dyn std::io::Read + Send>,
    lines: usize,
}

/// Opens `source` for reading: a workbook is converted, an empty file refused. Blocking.
fn open(source: Source) -> Result<Opened> {
    match source {
        Source::Bytes(b) => open_csv_or_xlsx(std::io::Cursor::new(b)),
        Source::File(f) => open_csv_or_xlsx(f),
    }
}

fn open_csv_or_xlsx<R>(mut file: R) -> Result<Opened>
where
    R: std::io::Read + std::io::Seek + Send + 'static,
{
    use std::io::{Seek, SeekFrom};
    let mut magic = [0u8; 4];
    let is_xlsx = file.read_exact(&mut magic).is_ok() && import::is_xlsx(&magic);
    file.seek(SeekFrom::Start(0)).map_err(read_error)?;
    if !is_xlsx {
        let lines = count_lines(&mut file)?;
        return Ok(Opened {
            csv: Box::new(file),
            lines,
        });
    }
    // An Excel workbook is read as the CSV of its first sheet: same header, same columns.
    let mut csv = tempfile::tempfile().map_err(read_error)?;
    import::xlsx_to_csv(file, std::io::BufWriter::new(&mut csv)).map_err(|e| {
        tracing::info!(reason = %e, "lead workbook refused");
        AppError::field("file", "error.import.workbook")
    })?;
    csv.seek(SeekFrom::Start(0)).map_err(read_error)?;
    let lines = count_lines(&mut csv)?;
    Ok(Opened {
        csv: Box::new(csv),
        lines,
    })
}

/// How many lines `file` has (the last one may lack its line break), read in pieces and
/// rewound; an empty or blank file is refused.
fn count_lines<R: std::io::Read + std::io::Seek>(file: &mut R) -> Result<usize> {
    let mut buf = vec![0u8; 64 * 1024];
    let (mut lines, mut blank, mut last) = (0, true, b'\n');
    loop {
        let n = file.read(&mut buf).map_err(read_error)?;
        if n == 0 {
            break;
        }
        let piece = &buf[..n];
        lines += piece.iter().filter(|b| **b == b'\n').count();
        blank = blank && piece.iter().all(u8::is_ascii_whitespace);
        last = piece[n - 1];
    }
    if blank {
        return Err(AppError::field("file", "error.import.empty"));
    }
    file.seek(std::io::SeekFrom::Start(0)).map_err(read_error)?;
    Ok(lines + usize::from(last != b'\n'))
}

fn read_error(e: std::io::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("reading the lead file: {e}"))
}

/// Imports the leads of `source`; `progress(line, lines)` is called after every batch with the
/// line of the last lead stored and the file's number of lines. The first batch is filed at
/// `cx.now`, each later one at the instant it is prepared.
///
/// Three stages overlap, each holding at most a few batches: one thread reads and checks the
/// file as it streams, a second computes the rows and clocks of the next batches, and this task
/// stores them, several batches per transaction on SQLite (see [`BATCHES_PER_TRANSACTION`]);
/// `progress` is called as each transaction commits. A file of any length is imported in the
/// same memory.
pub async fn leads(
    cx: &Ctx,
    importer: Importer<'_>,
    source: Source,
    mut progress: impl FnMut(usize, usize),
) -> Result<Report> {
    let (db, meta) = (&cx.db, &cx.meta);
    let (owner_org_id, actor) = match importer {
        Importer::User(me) => {
            if !policy::can_import_leads(&me.actor) {
                return Err(AppError::forbidden());
            }
            (me.org.id, Some(me.user.clone()))
        }
        Importer::Operator { owner_org_id } => {
            let org = store::orgs::get(db.conn(), owner_org_id).await?;
            if org.is_none_or(|o| o.kind == crate::domain::identity::OrgKind::Enterprise.as_str()) {
                return Err(AppError::field("org", "error.import.owner"));
            }
            (owner_org_id, None)
        }
    };
    let Opened { csv, lines } = tokio::task::spawn_blocking(move || open(source))
        .await
        .map_err(|e| anyhow::anyhow!("lead file task: {e}"))??;
    // Bounded: the reader waits for storage rather than holding the file's leads in memory.
    let (read_tx, mut read_rx) = mpsc::channel::<Vec<(u64, ValidCase)>>(1);
    let (end_tx, end_rx) = oneshot::channel::<Vec<RowError>>();
    tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut stopped = false;
        let errors = import::parse_each(csv, |line, v| {
            if stopped {
                return;
            }
            batch.push((line, v));
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                stopped = read_tx.blocking_send(full).is_err();
            }
        });
        if !batch.is_empty() && !stopped {
            let _ = read_tx.blocking_send(batch);
        }
        let _ = end_tx.send(errors);
    });
    let triage_days = super::intake::triage_standard(cx, owner_org_id).await?;
    let prepare_cx = cx.clone();
    let (ready_tx, mut ready_rx) = mpsc::channel::<(Vec<u64>, Batch)>(1);
    tokio::task::spawn_blocking(move || {
        let creator = Creator::Operator { owner_org_id };
        let mut first = true;
        while let Some(batch) = read_rx.blocking_recv() {
            let (lines, valid): (Vec<u64>, Vec<ValidCase>) = batch.into_iter().unzip();
            // A long file takes a while: later batches are filed when they are prepared.
            let now = if std::mem::take(&mut first) {
                prepare_cx.now
            } else {
                prepare_cx.renewed().now
            };
            let prepared = prepare_batch(&prepare_cx.time, creator, triage_days, valid, now);
            if ready_tx.blocking_send((lines, prepared)).is_err() {
                break;
            }
        }
    });
    let mut report = Report::default();
    // Batches stored in the open transaction, not yet committed: the last lead's line of each,
    // the first and last case numbers, how many.
    let mut pending: Vec<(usize, String, String, usize)> = Vec::new();
    let mut txn: Option<(store::intake::ImportTxn, std::time::Instant)> = None;
    loop {
        // Commits when storage has caught up with the reader (nothing waits), when the
        // transaction holds enough batches, or when it has been open long enough for another
        // writer to notice.
        let next = match ready_rx.try_recv() {
            Ok(b) => Some(b),
            Err(mpsc::error::TryRecvError::Disconnected) => None,
            Err(mpsc::error::TryRecvError::Empty) => {
                if let Some((t, _)) = txn.take() {
                    t.commit().await?;
                    settle(&mut pending, &mut report, lines, &mut progress);
                }
                ready_rx.recv().await
            }
        };
        let Some((lead_lines, batch)) = next else {
            break;
        };
        if txn.is_none() {
            txn = Some((
                store::intake::ImportTxn::begin(db).await?,
                std::time::Instant::now(),
            ));
        }
        let (open, opened_at) = txn.as_ref().expect("begun above");
        let filed = store_batch(open, batch, |filed| {
            let first = filed.first().map_or("", |s| s.number.as_str());
            let last = filed.last().map_or("", |s| s.number.as_str());
            audit_entry(
                actor.as_ref(),
                meta,
                "lead.import",
                ("case", format!("{first}..{last}")),
                &json!({"lines": lead_lines, "first": first, "last": last, "count": filed.len()}),
            )
        })
        .await?;
        let (first, last) = match (filed.first(), filed.last()) {
            (Some(f), Some(l)) => (f.number.clone(), l.number.clone()),
            _ => return Err(AppError::Internal(anyhow::anyhow!("empty import batch"))),
        };
        let at = lead_lines.last().map_or(0, |l| *l as usize);
        pending.push((at, first, last, filed.len()));
        let full = !open.shares_batches() || pending.len() >= BATCHES_PER_TRANSACTION;
        if full || opened_at.elapsed() >= TRANSACTION_AGE {
            let (t, _) = txn.take().expect("open");
            t.commit().await?;
            settle(&mut pending, &mut report, lines, &mut progress);
        }
    }
    if let Some((t, _)) = txn.take() {
        t.commit().await?;
        settle(&mut pending, &mut report, lines, &mut progress);
    }
    // Every batch is stored: the reader has finished.
    report.errors = end_rx
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the lead file reader stopped")))?;
    progress(lines, lines);
    if report.imported == 0 && report.errors.is_empty() {
        return Err(AppError::Conflict(Msg::new("error.import.empty")));
    }
    Ok(report)
}
