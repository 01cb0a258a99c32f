//! Importing leads from a CSV file: rows validated like hand-entered leads, stored in batches
//! (one transaction and one audit entry per batch), bad rows reported with their line numbers.

use super::intake::{Batch, Creator, prepare_batch, store_batch};
use super::{Ctx, Identity, audit_entry};
use crate::domain::case::import::{self, RowError};
use crate::domain::case::intake::ValidCase;
use crate::domain::policy;
use crate::error::{AppError, Msg, Result};
use crate::store;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

/// Rows per transaction.
pub const BATCH: usize = 2000;

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

/// Imports the leads of `bytes`; `progress(done, total)` is called after every batch. The first
/// batch is filed at `cx.now`, each later one at the instant it is prepared.
///
/// Three stages overlap: one thread reads and checks the file, a second computes the rows and
/// clocks of the next batches, and this task stores one batch per transaction. The reader never
/// waits, so the number of good leads (the progress total) is known as soon as the file is read;
/// progress for batches stored before that is reported then, in order.
pub async fn leads(
    cx: &Ctx,
    importer: Importer<'_>,
    bytes: &[u8],
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
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::field("file", "error.import.empty"));
    }
    // An Excel workbook is read as the CSV of its first sheet: same header, same columns.
    let owned = if import::is_xlsx(bytes) {
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || import::xlsx_to_csv(&bytes))
            .await
            .map_err(|e| anyhow::anyhow!("workbook task: {e}"))?
            .map_err(|e| {
                tracing::info!(reason = %e, "lead workbook refused");
                AppError::field("file", "error.import.workbook")
            })?
    } else {
        bytes.to_vec()
    };
    let (read_tx, mut read_rx) = mpsc::unbounded_channel::<Vec<(u64, ValidCase)>>();
    let (end_tx, end_rx) = oneshot::channel::<(usize, Vec<RowError>)>();
    tokio::task::spawn_blocking(move || {
        let mut total = 0;
        let mut batch = Vec::with_capacity(BATCH);
        let errors = import::parse_each(&owned, |line, v| {
            total += 1;
            batch.push((line, v));
            if batch.len() == BATCH {
                let _ = read_tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        });
        if !batch.is_empty() {
            let _ = read_tx.send(batch);
        }
        let _ = end_tx.send((total, errors));
    });
    let triage_days = super::intake::triage_standard(cx, owner_org_id).await?;
    let prepare_cx = cx.clone();
    let (ready_tx, mut ready_rx) = mpsc::channel::<(Vec<u64>, Batch)>(2);
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
    let mut end_rx = Some(end_rx);
    let mut total = None;
    let mut unreported = Vec::new();
    while let Some((lines, batch)) = ready_rx.recv().await {
        let txn = db.begin_write().await?;
        let filed = store_batch(&txn, batch).await?;
        let (first, last) = match (filed.first(), filed.last()) {
            (Some(f), Some(l)) => (f.number.clone(), l.number.clone()),
            _ => return Err(AppError::Internal(anyhow::anyhow!("empty import batch"))),
        };
        let entry = audit_entry(
            actor.as_ref(),
            meta,
            "lead.import",
            ("case", format!("{first}..{last}")),
            &json!({"lines": lines, "first": first, "last": last, "count": filed.len()}),
        );
        store::audit::append(&txn, entry).await?;
        txn.commit().await?;
        report.imported += filed.len();
        report.first_number.get_or_insert(first);
        report.last_number = Some(last);
        unreported.push(report.imported);
        if total.is_none()
            && let Some(Ok((t, errors))) = end_rx.as_mut().map(oneshot::Receiver::try_recv)
        {
            end_rx = None;
            total = Some(t);
            report.errors = errors;
        }
        if let Some(t) = total {
            unreported.drain(..).for_each(|done| progress(done, t));
        }
    }
    // Every batch is stored: the reader has finished.
    if let Some(rx) = end_rx {
        let (t, errors) = rx
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the lead file reader stopped")))?;
        report.errors = errors;
        unreported.drain(..).for_each(|done| progress(done, t));
    }
    if report.imported == 0 && report.errors.is_empty() {
        return Err(AppError::Conflict(Msg::new("error.import.empty")));
    }
    Ok(report)
}
