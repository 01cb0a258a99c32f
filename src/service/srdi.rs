//! The 专精特新 registry: industry offices (and administrators) record which enterprises are on the
//! published lists, one by one or from a CSV file. Every write re-flags the cases whose
//! complainant it touches, in the same transaction as the change and its audit entry.

use super::{RequestMeta, admin::Caller};
use crate::domain::audit::payload_digest;
use crate::domain::policy::Action;
use crate::domain::srdi::{self, Entry, RawEntry, RowError};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::{self, Db, srdi::Recorded};
use chrono::Datelike;
use entity::srdi_registry;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;

/// The most entries one page lists.
pub const LIST_LIMIT: u64 = 500;

/// An entry as typed into the form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EntryInput {
    pub uscc: String,
    pub name: String,
    pub level: String,
    pub year: String,
    pub source: String,
}

/// What an import did: rows recorded, rows already listed (with their line numbers), bad rows.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub imported: usize,
    pub duplicates: usize,
    pub duplicate_lines: Vec<u64>,
    pub errors: Vec<RowError>,
}

/// The year now in China, which bounds the years a list may carry.
fn current_year() -> i32 {
    crate::domain::time::day_of(crate::service::now()).year()
}

/// Who recorded a change: their organisation and user (none for the operator).
fn recorder(caller: &Caller<'_>) -> (Option<i64>, Option<i64>) {
    match caller {
        Caller::User(me) | Caller::Own(me) => (Some(me.org.id), Some(me.user.id)),
        Caller::Operator => (None, None),
    }
}

fn new_entry(caller: &Caller<'_>, e: Entry) -> store::srdi::NewEntry {
    let (org, user) = recorder(caller);
    store::srdi::NewEntry {
        uscc: e.uscc.as_str().to_string(),
        name: e.name,
        level: e.level,
        year: e.year,
        source: e.source,
        recorded_by_org_id: org,
        recorded_by_user_id: user,
    }
}

/// Entries matching `filter` (at most [`LIST_LIMIT`]) and how many match.
pub async fn list(
    db: &Db,
    caller: Caller<'_>,
    filter: &store::srdi::Filter,
) -> Result<(Vec<srdi_registry::Model>, u64)> {
    caller.authorize(Action::ViewSrdiRegistry)?;
    Ok(store::srdi::list(db.conn(), filter, LIST_LIMIT).await?)
}

/// One entry, for those who may withdraw it.
pub async fn get(db: &Db, caller: Caller<'_>, id: i64) -> Result<srdi_registry::Model> {
    caller.authorize(Action::ManageSrdiRegistry)?;
    store::srdi::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Records one entry from the form. An entry already in force is a field error; a withdrawn one
/// is reinstated.
pub async fn add(
    db: &Db,
    caller: Caller<'_>,
    input: &EntryInput,
    meta: &RequestMeta,
) -> Result<srdi_registry::Model> {
    caller.authorize(Action::ManageSrdiRegistry)?;
    let raw = RawEntry {
        uscc: &input.uscc,
        name: &input.name,
        level: &input.level,
        year: &input.year,
        source: &input.source,
    };
    let entry = srdi::validate(&raw, current_year()).map_err(|problems| {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|p| FieldError::new(p.field, p.key))
                .collect(),
        )
    })?;
    let uscc = entry.uscc.as_str().to_string();
    let payload = json!({"uscc": uscc, "name": entry.name, "level": entry.level.as_str(),
                         "year": entry.year, "source": entry.source});
    let now = crate::service::now();
    let txn = db.begin_write().await?;
    let id = match store::srdi::insert(&txn, new_entry(&caller, entry), now).await? {
        Recorded::New(id) => id,
        Recorded::Duplicate(_) => {
            return Err(AppError::field("uscc", "srdi_registry.error.duplicate"));
        }
    };
    store::srdi::refresh_case_flags(&txn, &uscc, now).await?;
    let entry = caller.entry(
        meta,
        "srdi_entry.add",
        ("srdi_entry", id.to_string()),
        &payload,
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    store::srdi::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Imports a CSV file (`uscc,name,level,year,source`, see `docs/srdi.md`): the good rows are
/// recorded in one transaction, rows already listed are counted as duplicates, and every bad row
/// is reported with its line number.
pub async fn import_csv(
    db: &Db,
    caller: Caller<'_>,
    bytes: &[u8],
    meta: &RequestMeta,
) -> Result<ImportReport> {
    caller.authorize(Action::ManageSrdiRegistry)?;
    let parsed = srdi::parse_csv(bytes, current_year());
    let mut report = ImportReport {
        errors: parsed.errors,
        ..Default::default()
    };
    if parsed.entries.is_empty() {
        return Ok(report);
    }
    let now = crate::service::now();
    let txn = db.begin_write().await?;
    let mut touched = BTreeSet::new();
    for (line, entry) in parsed.entries {
        let uscc = entry.uscc.as_str().to_string();
        match store::srdi::insert(&txn, new_entry(&caller, entry), now).await? {
            Recorded::New(_) => {
                report.imported += 1;
                touched.insert(uscc);
            }
            Recorded::Duplicate(_) => report.duplicate_lines.push(line),
        }
    }
    report.duplicates = report.duplicate_lines.len();
    if report.imported == 0 {
        // Nothing was written: every good row was already listed.
        txn.rollback().await?;
        return Ok(report);
    }
    let mut cases_flagged = 0;
    for uscc in &touched {
        cases_flagged += store::srdi::refresh_case_flags(&txn, uscc, now).await?;
    }
    let payload = json!({
        "imported": report.imported, "duplicates": report.duplicates, "rejected": report.errors.len(),
        "cases_flagged": cases_flagged, "file_sha256": payload_digest(bytes),
    });
    let entry = caller.entry(
        meta,
        "srdi_entry.import",
        ("srdi_entry", "import".into()),
        &payload,
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(report)
}

/// Withdraws an entry in force (entered by mistake, or the designation was revoked); the cases of
/// the enterprise fall back to its next level in force, if any.
pub async fn withdraw(
    db: &Db,
    caller: Caller<'_>,
    id: i64,
    meta: &RequestMeta,
) -> Result<srdi_registry::Model> {
    caller.authorize(Action::ManageSrdiRegistry)?;
    let existing = store::srdi::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, user) = recorder(&caller);
    let now = crate::service::now();
    let txn = db.begin_write().await?;
    if !store::srdi::withdraw(&txn, id, user, now).await? {
        return Err(AppError::Conflict(Msg::new(
            "srdi_registry.error.already_withdrawn",
        )));
    }
    let cases_flagged = store::srdi::refresh_case_flags(&txn, &existing.uscc, now).await?;
    let payload = json!({"uscc": existing.uscc, "level": existing.level, "year": existing.year,
                         "cases_flagged": cases_flagged});
    let entry = caller.entry(
        meta,
        "srdi_entry.withdraw",
        ("srdi_entry", id.to_string()),
        &payload,
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    store::srdi::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)
}
