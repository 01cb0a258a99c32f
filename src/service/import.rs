//! Importing leads from a CSV file: rows validated like hand-entered leads, stored in batches
//! (one audit entry per batch of 1,000, several batches per transaction on SQLite), bad rows
//! reported with their line numbers.

use super::intake::{Batch, Creator, finish_batch, prepare_batch, store_batch};
use super::{Ctx, Identity, audit_entry};
use crate::domain::case::import::{self, RowError};
use crate::domain::case::intake::ValidCase;
use crate::domain::policy;
use crate::error::{AppError, Msg, Result};
use crate::store;
use crate::store::audit::NewEntry;
use crate::store::intake::Stored;
use serde_json::json;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Leads per batch (one audit entry each).
pub const BATCH: usize = 1000;

/// On SQLite at most this many batches share a write transaction, and a transaction is committed
/// once it has been open this long (checked after each batch): fewer commits (each writes again
/// the index pages its batches touched), while another writer waits about half a second at most.
const BATCHES_PER_TRANSACTION: usize = 10;
const TRANSACTION_AGE: Duration = Duration::from_millis(500);

/// Whether the SQLite transaction holding `batches` batches, open for `open`, is committed now
/// rather than given the next batch: when it is full or old, or when the next batch is not ready
/// (storage has caught up with reading: nothing waits, and what is stored shows).
fn commit_now(batches: usize, open: Duration, next_ready: bool) -> bool {
    batches >= BATCHES_PER_TRANSACTION || open >= TRANSACTION_AGE || !next_ready
}

/// On PostgreSQL at most this many batches are written at once, each in a transaction on a
/// connection of its own (fewer if the pool is smaller): the server's work on one batch's rows
/// (foreign keys, indexes) overlaps another's.
const BATCHES_IN_FLIGHT: usize = 2;

/// A batch stored (on SQLite perhaps not yet committed): where it ends in the file and which
/// cases it filed.
struct Filed {
    /// The line of its last lead.
    line: usize,
    first: String,
    last: String,
    count: usize,
}

impl Filed {
    fn new(lead_lines: &[u64], filed: &[Stored]) -> Result<Self> {
        match (filed.first(), filed.last()) {
            (Some(f), Some(l)) => Ok(Self {
                line: lead_lines.last().map_or(0, |l| *l as usize),
                first: f.number.clone(),
                last: l.number.clone(),
                count: filed.len(),
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!("empty import batch"))),
        }
    }
}

/// What the storing stage keeps: the report so far and where to show progress.
struct Tally<'p, P: FnMut(usize, usize)> {
    report: Report,
    lines: usize,
    progress: &'p mut P,
}

impl<P: FnMut(usize, usize)> Tally<'_, P> {
    /// Counts batches just committed into the report, and shows how far the import is.
    fn committed(&mut self, batches: impl IntoIterator<Item = Filed>) {
        for b in batches {
            self.report.imported += b.count;
            self.report.first_number.get_or_insert(b.first);
            self.report.last_number = Some(b.last);
            (self.progress)(b.line.min(self.lines), self.lines);
        }
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
/// stores them — on SQLite several batches per transaction ([`store_shared`]), on PostgreSQL
/// two batches written at once and committed in file order ([`store_in_flight`]); `progress` is
/// called as batches commit. A file of any length is imported in the same memory.
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
    let regions = store::orgs::regions(db.conn(), &[owner_org_id]).await?;
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
            let prepared =
                prepare_batch(&prepare_cx.time, creator, triage_days, valid, now, &regions);
            if ready_tx.blocking_send((lines, prepared)).is_err() {
                break;
            }
        }
    });
    let mut tally = Tally {
        report: Report::default(),
        lines,
        progress: &mut progress,
    };
    let audit = |lead_lines: &[u64]| batch_audit(actor.as_ref(), meta, lead_lines.to_vec());
    if db.backend() == sea_orm::DbBackend::Postgres {
        store_in_flight(db, &mut ready_rx, audit, &mut tally).await?;
    } else {
        store_shared(db, &mut ready_rx, audit, &mut tally).await?;
    }
    let mut report = tally.report;
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

/// The audit entry of a batch of leads: the lines they came from and the case numbers filed.
fn batch_audit<'a>(
    actor: Option<&'a super::UserSummary>,
    meta: &'a super::RequestMeta,
    lead_lines: Vec<u64>,
) -> impl FnOnce(&[Stored]) -> NewEntry + Send + 'a {
    move |filed| {
        let first = filed.first().map_or("", |s| s.number.as_str());
        let last = filed.last().map_or("", |s| s.number.as_str());
        audit_entry(
            actor,
            meta,
            "lead.import",
            ("case", format!("{first}..{last}")),
            &json!({"lines": lead_lines, "first": first, "last": last, "count": filed.len()}),
        )
    }
}

/// A prepared batch and the lines its leads came from.
type Ready = (Vec<u64>, Batch);

/// Stores the batches as they come on SQLite: several share a write transaction, committed as
/// [`commit_now`] says.
async fn store_shared<'a, A, F>(
    db: &store::Db,
    ready: &mut mpsc::Receiver<Ready>,
    audit: A,
    tally: &mut Tally<'_, impl FnMut(usize, usize)>,
) -> Result<()>
where
    A: Fn(&[u64]) -> F,
    F: FnOnce(&[Stored]) -> NewEntry + Send + 'a,
{
    let mut open: Option<(store::intake::ImportTxn, Instant, Vec<Filed>)> = None;
    let mut next = ready.recv().await;
    while let Some((lead_lines, batch)) = next.take() {
        let (txn, _, held) = match &mut open {
            Some(o) => o,
            None => open.insert((
                store::intake::ImportTxn::begin(db).await?,
                Instant::now(),
                Vec::new(),
            )),
        };
        let filed = store_batch(txn, batch, audit(&lead_lines)).await?;
        held.push(Filed::new(&lead_lines, &filed)?);
        next = match ready.try_recv() {
            Ok(b) => Some(b),
            Err(mpsc::error::TryRecvError::Empty) => None,
            Err(mpsc::error::TryRecvError::Disconnected) => None,
        };
        let caught_up = next.is_none();
        let (_, opened_at, held) = open.as_ref().expect("open above");
        if commit_now(held.len(), opened_at.elapsed(), !caught_up) {
            let (txn, _, held) = open.take().expect("open above");
            txn.commit().await?;
            tally.committed(held);
        }
        if caught_up {
            next = ready.recv().await;
        }
    }
    if let Some((txn, _, held)) = open.take() {
        txn.commit().await?;
        tally.committed(held);
    }
    Ok(())
}

/// A batch being written in a transaction of its own (PostgreSQL), by a task of its own.
type InFlight = (
    Vec<u64>,
    tokio::task::JoinHandle<Result<(store::intake::ImportTxn, store::intake::Inserted)>>,
);

/// The batches being written, in file order. When the import stops early (an error, or the
/// import itself dropped: an upload whose client went away) their tasks are stopped and their
/// transactions rolled back.
struct InFlightBatches(VecDeque<InFlight>);

impl Drop for InFlightBatches {
    fn drop(&mut self) {
        for (_, task) in &self.0 {
            task.abort();
        }
    }
}

/// Stores the batches on PostgreSQL: up to [`BATCHES_IN_FLIGHT`] are written at once, each in a
/// transaction on its own connection under case numbers reserved for it beforehand (in file
/// order); they are counted, audited and committed one after another in file order. A batch
/// that fails stops the import: every batch not yet committed is rolled back, and the numbers
/// reserved for them are not used.
async fn store_in_flight<'a, A, F>(
    db: &store::Db,
    ready: &mut mpsc::Receiver<Ready>,
    audit: A,
    tally: &mut Tally<'_, impl FnMut(usize, usize)>,
) -> Result<()>
where
    A: Fn(&[u64]) -> F,
    F: FnOnce(&[Stored]) -> NewEntry + Send + 'a,
{
    let max_in_flight = store::intake::import_connections(db).min(BATCHES_IN_FLIGHT);
    let mut flying = InFlightBatches(VecDeque::new());
    let mut reading = true;
    loop {
        // Start batches while there is room: wait for one only when none is being written.
        while reading && flying.0.len() < max_in_flight {
            let next = if flying.0.is_empty() {
                ready.recv().await
            } else {
                match ready.try_recv() {
                    Ok(b) => Some(b),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => None,
                }
            };
            let Some((lead_lines, batch)) = next else {
                reading = false;
                break;
            };
            let numbers = batch.reserve_numbers(db).await?;
            let db = db.clone();
            let task = tokio::spawn(async move {
                let txn = store::intake::ImportTxn::begin(&db).await?;
                let staged = batch.stage(&txn, numbers).await?;
                Ok((txn, staged))
            });
            flying.0.push_back((lead_lines, task));
        }
        // Awaited where it is kept, so that it is stopped with the others if this is dropped.
        let Some((_, task)) = flying.0.front_mut() else {
            return Ok(());
        };
        let written = task.await;
        let (lead_lines, _) = flying.0.pop_front().expect("the front, awaited above");
        let (txn, staged) = written
            .map_err(|e| AppError::Internal(anyhow::anyhow!("import batch task: {e}")))??;
        let filed = finish_batch(txn, staged, audit(&lead_lines)).await?;
        tally.committed([Filed::new(&lead_lines, &filed)?]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_transaction_commits_when_full_old_or_caught_up_with_reading() {
        let young = Duration::from_millis(10);
        assert!(!commit_now(1, young, true));
        assert!(!commit_now(BATCHES_PER_TRANSACTION - 1, young, true));
        assert!(commit_now(BATCHES_PER_TRANSACTION, young, true));
        assert!(commit_now(1, TRANSACTION_AGE, true));
        assert!(commit_now(1, young, false));
    }
}
