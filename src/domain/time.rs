//! Beijing time, the zone of every legal date (UTC+8, no daylight saving), and where a day ends.
//! Pure: the current instant is always a parameter, read once per request by the service context.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, TimeDelta, Utc};

/// UTC+8 (Asia/Shanghai has had no daylight saving since 1991).
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// An instant in Beijing time.
pub fn in_beijing(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&beijing())
}

/// The Beijing calendar day of an instant.
pub fn day_of(t: DateTime<Utc>) -> NaiveDate {
    in_beijing(t).date_naive()
}

/// `date` within 1900-01-01 ..= 9999-12-31: a filter typed as year -262143 means "from the
/// beginning" and must neither overflow chrono nor leave the range PostgreSQL stores timestamps
/// in; no record of this service is dated outside it.
fn in_range(date: NaiveDate) -> NaiveDate {
    let lo = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    let hi = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    date.clamp(lo, hi)
}

/// 24:00 Beijing time at the end of `date` (= 00:00 of the next day): when a day period ends.
pub fn end_of_day(date: NaiveDate) -> DateTime<FixedOffset> {
    let date = in_range(date);
    let next = date.checked_add_days(Days::new(1)).unwrap_or(date);
    next.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(beijing()).single())
        .expect("midnight exists in a fixed offset")
}

/// 00:00 Beijing time at the start of `date`, as a UTC instant.
pub fn start_of_day_utc(date: NaiveDate) -> DateTime<Utc> {
    in_range(date)
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(beijing()).single())
        .expect("midnight exists in a fixed offset")
        .to_utc()
}

/// [`end_of_day`] as a UTC instant.
pub fn end_of_day_utc(date: NaiveDate) -> DateTime<Utc> {
    end_of_day(date).to_utc()
}

/// The last day a due instant still belongs to: a clock due at 24:00 is due *on* that day, not
/// on the next one whose midnight it technically is.
pub fn last_day(due: DateTime<Utc>) -> NaiveDate {
    day_of(due - TimeDelta::seconds(1))
}

/// Whether a Beijing time of day is midnight (a day period's end, shown as 24:00).
pub fn is_midnight(t: DateTime<Utc>) -> bool {
    in_beijing(t).time() == chrono::NaiveTime::MIN
}

/// A due instant as officers say it, in Beijing time: 24:00 of its last day for a day period
/// (rather than 00:00 of the next), the minute otherwise (`2026-03-08 24:00`, `2026-03-09 14:05`).
pub fn due_text(due: DateTime<Utc>) -> String {
    if is_midnight(due) {
        format!("{} 24:00", last_day(due))
    } else {
        in_beijing(due).format("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_and_last_days_chrono_knows_do_not_overflow() {
        use super::*;
        assert!(start_of_day_utc(NaiveDate::MIN) < end_of_day_utc(NaiveDate::MIN));
        assert!(start_of_day_utc(NaiveDate::MAX) < end_of_day_utc(NaiveDate::MAX));
        assert_eq!(
            start_of_day_utc(NaiveDate::MIN).to_rfc3339(),
            "1899-12-31T16:00:00+00:00"
        );
        let d = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(
            start_of_day_utc(d).to_rfc3339(),
            "2026-12-04T16:00:00+00:00"
        );
    }

    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn days_end_at_beijing_midnight() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(end_of_day(d).to_rfc3339(), "2026-03-03T00:00:00+08:00");
        assert_eq!(end_of_day_utc(d), utc("2026-03-02T16:00:00Z"));
        assert_eq!(last_day(end_of_day_utc(d)), d);
        assert!(is_midnight(end_of_day_utc(d)));
    }

    #[test]
    fn the_beijing_day_of_an_instant_is_eight_hours_ahead() {
        assert_eq!(
            day_of(utc("2026-03-01T16:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
        assert_eq!(
            day_of(utc("2026-03-01T15:59:59Z")),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert!(!is_midnight(utc("2026-03-01T15:59:59Z")));
    }
}
