//! The working-day calendar in force: the shipped schedules plus the years an administrator has
//! loaded (`weiquan calendar import`), kept in the database and re-read by every server process.

use super::{RequestMeta, admin::Caller};
use crate::domain::calendar::{self, Calendar, Counted, DayInfo, YearDiff};
use crate::domain::policy::Action;
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::{self, Db};
use chrono::NaiveDate;
use serde_json::json;
use std::sync::{Arc, RwLock};

/// The calendar in force, shared by the handlers of one process and swapped on reload.
#[derive(Debug)]
pub struct Calendars {
    inner: RwLock<Arc<Calendar>>,
}

impl Calendars {
    /// The shipped calendar merged with every year loaded into the database.
    pub async fn load(db: &Db) -> Result<Self> {
        Ok(Self {
            inner: RwLock::new(Arc::new(merged(db).await?)),
        })
    }

    /// The calendar for this request (a cheap clone of an `Arc`).
    pub fn current(&self) -> Arc<Calendar> {
        self.inner
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Re-reads the loaded years (another process may have imported one).
    pub async fn reload(&self, db: &Db) -> Result<()> {
        let fresh = Arc::new(merged(db).await?);
        match self.inner.write() {
            Ok(mut w) => *w = fresh,
            Err(p) => *p.into_inner() = fresh,
        }
        Ok(())
    }
}

async fn merged(db: &Db) -> Result<Calendar> {
    let mut years = Vec::new();
    for row in store::calendar::all(db.conn()).await? {
        let schedule = serde_json::from_str(&row.schedule)
            .map_err(|e| anyhow::anyhow!("stored calendar year {} is unreadable: {e}", row.year))?;
        years.push((row.year, schedule));
    }
    Ok(Calendar::builtin().with_years(years))
}

/// Parses a `YYYY-MM-DD` field.
pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, "error.date"))
}

/// What the calendar says about a day.
pub fn day(cal: &Calendar, date: &str) -> Result<DayInfo> {
    Ok(cal.day(parse_date("date", date)?))
}

/// The `working_days`-th working day after `from`.
pub fn add_working_days(cal: &Calendar, from: &str, working_days: &str) -> Result<Counted> {
    let mut errors = Vec::new();
    let from = parse_date("from", from)
        .map_err(|_| errors.push(FieldError::new("from", "error.date")))
        .ok();
    let n = working_days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n <= 3650)
        .ok_or_else(|| {
            errors.push(FieldError::new(
                "working_days",
                "error.calendar.working_days",
            ))
        })
        .ok();
    match (from, n) {
        (Some(from), Some(n)) => cal
            .add_working_days(from, n)
            .map_err(|_| AppError::field("from", "error.date")),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Reads a calendar file and compares it with the calendar in force, year by year.
pub fn preview(current: &Calendar, text: &str) -> Result<(Calendar, Vec<YearDiff>)> {
    let file = Calendar::from_json(text).map_err(|e| {
        AppError::Invalid(vec![FieldError {
            field: "file".into(),
            message: Msg::new("error.calendar.file").arg("reason", e),
        }])
    })?;
    let diffs = file
        .years
        .iter()
        .map(|(y, s)| calendar::diff(*y, current.years.get(y), s))
        .collect();
    Ok((file, diffs))
}

/// Loads every year of a calendar file into the database (replacing earlier loads of the same
/// years), records it in the audit trail, and returns what changed.
pub async fn import(
    db: &Db,
    calendars: &Calendars,
    caller: Caller<'_>,
    text: &str,
    meta: &RequestMeta,
) -> Result<Vec<YearDiff>> {
    caller.authorize(Action::ManageCalendar)?;
    let loaded_by = match caller {
        Caller::User(me) | Caller::Own(me) => me.user.username.clone(),
        Caller::Operator => "operator".to_string(),
    };
    let (file, diffs) = preview(&calendars.current(), text)?;
    let now = store::now();
    let txn = db.begin_write().await?;
    for (year, schedule) in &file.years {
        let row = store::calendar::YearRow {
            year: *year,
            version: schedule.version.clone(),
            source: file.source.clone(),
            schedule_json: serde_json::to_string(schedule).map_err(anyhow::Error::from)?,
            loaded_by: loaded_by.clone(),
        };
        store::calendar::upsert(&txn, row, now).await?;
    }
    let years: Vec<i32> = file.years.keys().copied().collect();
    let payload = json!({"source": file.source, "years": years, "file_sha256": crate::domain::audit::payload_digest(text.as_bytes())});
    let mut entry = super::audit_entry(
        None,
        meta,
        "calendar.import",
        ("calendar", format!("{years:?}")),
        &payload,
    );
    entry.actor = "operator".into();
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    calendars.reload(db).await?;
    // Clocks that counted a year on weekends only are counted again on the official schedule.
    let recomputed = super::deadlines::rebuild_provisional(db, calendars).await?;
    tracing::info!(
        recomputed,
        "clocks recomputed after loading a calendar year"
    );
    Ok(diffs)
}

/// One year as listed on the calendar page.
#[derive(Debug, Clone)]
pub struct YearSummary {
    pub year: i32,
    pub version: String,
    pub days_off: usize,
    pub makeup_days: usize,
    /// Loaded by an administrator (otherwise shipped with the release).
    pub loaded: Option<(String, chrono::DateTime<chrono::Utc>)>,
}

/// The years in force, newest first, for administrators.
pub async fn years(db: &Db, calendars: &Calendars, caller: Caller<'_>) -> Result<Vec<YearSummary>> {
    caller.authorize(Action::ManageCalendar)?;
    let loaded = store::calendar::all(db.conn()).await?;
    let cal = calendars.current();
    Ok(cal
        .years
        .iter()
        .rev()
        .map(|(y, s)| YearSummary {
            year: *y,
            version: s.version.clone(),
            days_off: s.off.len(),
            makeup_days: s.makeup.len(),
            loaded: loaded
                .iter()
                .find(|r| r.year == *y)
                .map(|r| (r.loaded_by.clone(), r.loaded_at)),
        })
        .collect())
}
