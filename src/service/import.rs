//! Importing leads from a CSV file: rows validated like hand-entered leads, stored in batches
//! (one transaction and one audit entry per batch), bad rows reported with their line numbers.

use super::calendar::Calendars;
use super::cases::{Creator, store_batch};
use super::{Identity, RequestMeta, audit_entry};
use crate::domain::case::import::{self, RowError};
use crate::domain::policy;
use crate::error::{AppError, Msg, Result};
use crate::store::{self, Db};
use serde_json::json;

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

/// Imports the leads of `bytes`; `progress(done, total)` is called after every batch.
pub async fn leads(
    db: &Db,
    calendars: &Calendars,
    importer: Importer<'_>,
    bytes: &[u8],
    meta: &RequestMeta,
    mut progress: impl FnMut(usize, usize),
) -> Result<Report> {
    let (creator, actor) = match importer {
        Importer::User(me) => {
            if !policy::can_import_leads(&me.actor) {
                return Err(AppError::forbidden());
            }
            (
                Creator::Operator {
                    owner_org_id: me.org.id,
                },
                Some(me.user.clone()),
            )
        }
        Importer::Operator { owner_org_id } => {
            let org = store::orgs::get(db.conn(), owner_org_id).await?;
            if org.is_none_or(|o| o.kind == "enterprise") {
                return Err(AppError::field("org", "error.import.owner"));
            }
            (Creator::Operator { owner_org_id }, None)
        }
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::field("file", "error.import.empty"));
    }
    let owned = bytes.to_vec();
    let parsed = tokio::task::spawn_blocking(move || import::parse(&owned))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let total = parsed.leads.len();
    let mut report = Report {
        errors: parsed.errors,
        ..Default::default()
    };
    let cal = calendars.current();
    let mut leads = parsed.leads.into_iter().peekable();
    while leads.peek().is_some() {
        let batch: Vec<_> = leads.by_ref().take(BATCH).collect();
        let lines: Vec<u64> = batch.iter().map(|(l, _)| *l).collect();
        let now = store::now();
        let txn = db.begin_write().await?;
        let filed = store_batch(
            &txn,
            creator,
            batch.into_iter().map(|(_, v)| v).collect(),
            &cal,
            now,
        )
        .await?;
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
        let __a = std::time::Instant::now();
        store::audit::append(&txn, entry).await?;
        let __b = __a.elapsed();
        txn.commit().await?;
        if std::env::var_os("WQ_PROF").is_some() { eprintln!("PROF audit {:?} commit {:?}", __b, __a.elapsed()-__b); }
        report.imported += filed.len();
        report.first_number.get_or_insert(first);
        report.last_number = Some(last);
        progress(report.imported, total);
    }
    if report.imported == 0 && report.errors.is_empty() {
        return Err(AppError::Conflict(Msg::new("error.import.empty")));
    }
    Ok(report)
}
