//! The working-day calendar: what it says about a day, counting working days, and loading an
//! official year (`weiquan calendar import` and the administrators' page). The calendar in force
//! is kept by the timekeeper (`service::case::clock`).

use super::case::Timekeeper;
use super::{Ctx, admin::Caller};
use crate::domain::calendar::{self, Calendar, Counted, DayInfo, YearDiff};
use crate::domain::policy::Action;
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::{self, Db};
use chrono::NaiveDate;
use serde_json::json;

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
pub async fn import(cx: &Ctx, caller: Caller<'_>, text: &str) -> Result<Vec<YearDiff>> {
    caller.authorize(Action::ManageCalendar)?;
    let loaded_by = match caller {
        Caller::User(me) | Caller::Own(me) => me.user.username.clone(),
        Caller::Operator => "operator".to_string(),
    };
    let (db, time, now) = (&cx.db, &cx.time, cx.now);
    let (file, diffs) = preview(&time.calendar(), text)?;
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
        &cx.meta,
        "calendar.import",
        ("calendar", format!("{years:?}")),
        &payload,
    );
    entry.actor = "operator".into();
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    time.reload(db).await?;
    // Clocks that counted a year on weekends only are counted again on the official schedule.
    let recomputed = time.rebuild_provisional(db, now).await?;
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
pub async fn years(db: &Db, time: &Timekeeper, caller: Caller<'_>) -> Result<Vec<YearSummary>> {
    caller.authorize(Action::ManageCalendar)?;
    let loaded = store::calendar::all(db.conn()).await?;
    let cal = time.calendar();
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
