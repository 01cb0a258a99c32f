//! The working-day calendar as the rest of the service sees it.

use crate::domain::calendar::{Calendar, Counted, DayInfo};
use crate::error::{AppError, FieldError, Result};
use chrono::NaiveDate;

/// The calendar in force: the schedules the project ships (years an administrator loads are
/// added here once calendar import lands).
pub fn current() -> &'static Calendar {
    Calendar::builtin()
}

/// Parses a `YYYY-MM-DD` field.
pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, "error.date"))
}

/// What the calendar says about a day.
pub fn day(date: &str) -> Result<DayInfo> {
    Ok(current().day(parse_date("date", date)?))
}

/// The `working_days`-th working day after `from`.
pub fn add_working_days(from: &str, working_days: &str) -> Result<Counted> {
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
        (Some(from), Some(n)) => current()
            .add_working_days(from, n)
            .map_err(|_| AppError::field("from", "error.date")),
        _ => Err(AppError::Invalid(errors)),
    }
}
