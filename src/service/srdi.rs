//! The 专精特新 registry: industry offices (and administrators) record which enterprises are on the
//! published lists, one by one or from a CSV file. Every write re-flags the cases whose
//! complainant it touches, in the same transaction as the change and its audit entry.

use super::{Ctx, admin::Caller};
use crate::domain::audit::payload_digest;
use crate::domain::policy::Action;
use crate::domain::srdi::{self, Entry, RawEntry, RowError, SrdiLevel};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::{self, Db, srdi::Recorded};
use chrono::{DateTime, Datelike, Utc};
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

/// An entry of the registry as its pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryView {
    pub id: i64,
    /// 统一社会信用代码 of the listed enterprise.
    pub uscc: String,
    /// The enterprise's name as the list gives it.
    pub name: String,
    pub level: SrdiLevel,
    /// The year of the list.
    pub year: i32,
    /// The published list or notice.
    pub source: String,
    /// When it was recorded here.
    pub created_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl TryFrom<srdi_registry::Model> for EntryView {
    type Error = AppError;
    fn try_from(m: srdi_registry::Model) -> Result<Self> {
        let level = m.level.parse().map_err(|_| {
            AppError::Internal(anyhow::anyhow!(
                "stored 专精特新 level `{}` is not known to this version",
                m.level
            ))
        })?;
        Ok(Self {
            id: m.id,
            uscc: m.uscc,
            name: m.name,
            level,
            year: m.year,
            source: m.source,
            created_at: m.created_at,
            withdrawn_at: m.withdrawn_at,
        })
    }
}

/// What the registry page lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub level: Option<SrdiLevel>,
    pub year: Option<i32>,
    /// Part of the enterprise's name or credit code.
    pub search: Option<String>,
    /// Withdrawn entries too.
    pub withdrawn: bool,
}

impl From<&Filter> for store::srdi::Filter {
    fn from(f: &Filter) -> Self {
        Self {
            level: f.level,
            year: f.year,
            search: f.search.clone(),
            withdrawn: f.withdrawn,
        }
    }
}

/// The year in China at `now`, which bounds the years a list may carry.
fn current_year(now: DateTime<Utc>) -> i32 {
    crate::domain::time::day_of(now).year()
}

/// The entry `id` as its pages show it.
async fn view(db: &Db, id: i64) -> Result<EntryView> {
    store::srdi::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?
        .try_into()
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
pub async fn list(db: &Db, caller: Caller<'_>, filter: &Filter) -> Result<(Vec<EntryView>, u64)> {
    caller.authorize(Action::ViewSrdiRegistry)?;
    let (rows, total) = store::srdi::list(db.conn(), &filter.into(), LIST_LIMIT).await?;
    let rows = rows
        .into_iter()
        .map(EntryView::try_from)
        .collect::<Result<_>>()?;
    Ok((rows, total))
}

/// `limit` entries matching `filter` from the `offset`-th on, in the list's order (an export).
pub async fn batch(
    db: &Db,
    caller: Caller<'_>,
    filter: &Filter,
    offset: u64,
    limit: u64,
) -> Result<Vec<EntryView>> {
    caller.authorize(Action::ViewSrdiRegistry)?;
    let (rows, _) = store::srdi::list_from(db.conn(), &filter.into(), offset, limit).await?;
    rows.into_iter().map(EntryView::try_from).collect()
}

/// One entry, for those who may withdraw it.
pub async fn get(db: &Db, caller: Caller<'_>, id: i64) -> Result<EntryView> {
    caller.authorize(Action::ManageSrdiRegistry)?;
    view(db, id).await
}

/// Records one entry from the form. An entry already in force is a field error; a withdrawn one
/// is reinstated.
pub async fn add(cx: &Ctx, caller: Caller<'_>, input: &EntryInput) -> Result<EntryView> {
    caller.authorize(Action::ManageSrdiRegistry)?;
    let raw = RawEntry {
        uscc: &input.uscc,
        name: &input.name,
        level: &input.level,
        year: &input.year,
        source: &input.source,
    };
    let entry = srdi::validate(&raw, current_year(cx.now)).map_err(|problems| {
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
    let now = cx.now;
    let txn = cx.db.begin_write().await?;
    let id = match store::srdi::insert(&txn, new_entry(&caller, entry), now).await? {
        Recorded::New(id) => id,
        Recorded::Duplicate(_) => {
            return Err(AppError::field("uscc", "srdi_registry.error.duplicate"));
        }
    };
    store::srdi::refresh_case_flags(&txn, &uscc, now).await?;
    let entry = caller.entry(
        &cx.meta,
        "srdi_entry.add",
        ("srdi_entry", id.to_string()),
        &payload,
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    view(&cx.db, id).await
}

/// Imports a CSV file (`uscc,name,level,year,source`, see `docs/srdi.md`): the good rows are
/// recorded in one transaction, rows already listed are counted as duplicates, and every bad row
/// is reported with its line number.
pub async fn import_csv(cx: &Ctx, caller: Caller<'_>, bytes: &[u8]) -> Result<ImportReport> {
    caller.authorize(Action::ManageSrdiRegistry)?;
    let parsed = srdi::parse_csv(bytes, current_year(cx.now));
    let mut report = ImportReport {
        errors: parsed.errors,
        ..Default::default()
    };
    if parsed.entries.is_empty() {
        return Ok(report);
    }
    let now = cx.now;
    let txn = cx.db.begin_write().await?;
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
        &cx.meta,
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
pub async fn withdraw(cx: &Ctx, caller: Caller<'_>, id: i64) -> Result<EntryView> {
    caller.authorize(Action::ManageSrdiRegistry)?;
    let existing = store::srdi::get(cx.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, user) = recorder(&caller);
    let now = cx.now;
    let txn = cx.db.begin_write().await?;
    if !store::srdi::withdraw(&txn, id, user, now).await? {
        return Err(AppError::Conflict(Msg::new(
            "srdi_registry.error.already_withdrawn",
        )));
    }
    let cases_flagged = store::srdi::refresh_case_flags(&txn, &existing.uscc, now).await?;
    let payload = json!({"uscc": existing.uscc, "level": existing.level, "year": existing.year,
                         "cases_flagged": cases_flagged});
    let entry = caller.entry(
        &cx.meta,
        "srdi_entry.withdraw",
        ("srdi_entry", id.to_string()),
        &payload,
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    view(&cx.db, id).await
}
