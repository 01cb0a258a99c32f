//! The presentation layer: the services' read models turned into what the API answers (JSON with
//! RFC 3339 instants in Beijing time) and what the templates render (local times, catalogue keys,
//! deadline badges). The one place where times are formatted and names become labels.

pub mod case;
pub mod evidence;
pub mod workflow;

use crate::domain::time::{in_beijing, last_day};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// RFC 3339 in Beijing time, as the API answers instants.
pub fn ts(t: DateTime<Utc>) -> String {
    in_beijing(t).to_rfc3339()
}

/// Beijing time to the minute, as pages show instants (`2026-03-02 09:30`).
pub fn local(t: DateTime<Utc>) -> String {
    in_beijing(t).format("%Y-%m-%d %H:%M").to_string()
}

/// Beijing time to the second (the audit log).
pub fn local_secs(t: DateTime<Utc>) -> String {
    in_beijing(t).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The Beijing date of an instant (`2026-03-02`).
pub fn day(t: DateTime<Utc>) -> String {
    in_beijing(t).format("%Y-%m-%d").to_string()
}

/// A due instant as officers say it: 24:00 of the last day rather than 00:00 of the next.
pub fn due_local(t: DateTime<Utc>) -> String {
    crate::domain::time::due_text(t)
}

/// The catalogue key of a name in a section (`queue.administrative_ruling`).
pub fn key(section: &str, name: impl std::fmt::Display) -> String {
    format!("{section}.{name}")
}

/// The deadline badge of a case on a list: overdue, due today, or days left.
pub fn badge(next_due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Value {
    let Some(due) = next_due else {
        return Value::Null;
    };
    // A day clock is due at 24:00 of its last day: show that day, not the next midnight.
    let last = last_day(due);
    let today = crate::domain::time::day_of(now);
    let days = (last - today).num_days();
    let (class, key) = if due <= now {
        ("overdue", "deadline.overdue")
    } else if days <= 0 {
        ("today", "deadline.today")
    } else if days <= 2 {
        ("soon", "deadline.days_left")
    } else {
        ("ok", "deadline.days_left")
    };
    json!({"class": class, "key": key, "days": days, "date": last.to_string()})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn times_are_shown_in_beijing_time_and_days_end_at_24_00() {
        assert_eq!(ts(t("2026-03-02T01:30:00Z")), "2026-03-02T09:30:00+08:00");
        assert_eq!(local(t("2026-03-02T01:30:00Z")), "2026-03-02 09:30");
        assert_eq!(
            due_local(t("2026-03-09T00:00:00+08:00")),
            "2026-03-08 24:00"
        );
        assert_eq!(
            due_local(t("2026-03-09T14:05:00+08:00")),
            "2026-03-09 14:05"
        );
        assert_eq!(day(t("2026-03-01T16:00:00Z")), "2026-03-02");
    }

    #[test]
    fn badges_count_days_to_the_last_day() {
        let now = t("2026-03-02T10:00:00+08:00");
        assert_eq!(badge(None, now), Value::Null);
        let b = badge(Some(t("2026-03-03T00:00:00+08:00")), now);
        assert_eq!(
            (b["class"].as_str(), b["days"].as_i64()),
            (Some("today"), Some(0))
        );
        let b = badge(Some(t("2026-03-05T00:00:00+08:00")), now);
        assert_eq!(
            (b["class"].as_str(), b["days"].as_i64()),
            (Some("soon"), Some(2))
        );
        let b = badge(Some(t("2026-03-02T09:00:00+08:00")), now);
        assert_eq!(b["class"], "overdue");
        let b = badge(Some(t("2026-03-20T00:00:00+08:00")), now);
        assert_eq!(
            (b["class"].as_str(), b["date"].as_str()),
            (Some("ok"), Some("2026-03-19"))
        );
    }
}
