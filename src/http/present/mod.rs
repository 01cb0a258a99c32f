//! The presentation layer: the services' read models turned into what the API answers (JSON with
//! RFC 3339 instants in Beijing time) and what the templates render (local times, catalogue keys,
//! deadline badges). The one place where times are formatted and names become labels.

pub mod case;
pub mod chart;
pub mod evidence;
pub mod report;
pub mod workflow;

use crate::domain::time::{in_beijing, last_day};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// A typed answer as page data (templates read JSON values).
pub fn value(t: impl serde::Serialize) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

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

/// An audit action in words: its own label, or for the steps named by pattern (`workflow.<step>`,
/// `deadline.<event>`) the kind and the step's label; the code itself only when nothing names it.
pub fn audit_action(lang: crate::i18n::Lang, code: &str) -> String {
    use crate::i18n::{has, t};
    let own = format!("audit_action.{code}");
    if has(&own) {
        return t(lang, &own);
    }
    let named = code.split_once('.').and_then(|(head, tail)| {
        let of = match head {
            "workflow" => format!("workflow.action.{tail}"),
            "deadline" => format!("event.{tail}"),
            _ => return None,
        };
        let colon = match lang {
            crate::i18n::Lang::Zh => "：",
            crate::i18n::Lang::En => ": ",
        };
        has(&of).then(|| {
            format!(
                "{}{colon}{}",
                t(lang, &format!("audit_action.{head}")),
                t(lang, &of)
            )
        })
    });
    named.unwrap_or_else(|| code.to_string())
}

/// An audit target in words: its kind's label and its id.
pub fn audit_target(lang: crate::i18n::Lang, kind: &str, id: &str) -> String {
    let key = format!("audit_target.{kind}");
    let kind = if crate::i18n::has(&key) {
        crate::i18n::t(lang, &key)
    } else {
        kind.to_string()
    };
    format!("{kind} {id}").trim().to_string()
}

/// How long until (or since) a due instant, as an officer reads it: hours within two days,
/// whole days beyond (rounded down), as a catalogue key and its number.
pub fn time_left(now: DateTime<Utc>, due: DateTime<Utc>) -> (&'static str, i64) {
    let secs = (due - now).num_seconds();
    let hours = secs.abs() / 3600;
    match (secs >= 0, hours < 48) {
        (true, true) => ("deadlines.left_hours", hours),
        (true, false) => ("deadlines.left_days", hours / 24),
        (false, true) => ("deadlines.over_hours", hours.max(1)),
        (false, false) => ("deadlines.over_days", hours / 24),
    }
}

#[cfg(test)]
mod time_left_tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn hours_within_two_days_and_days_beyond() {
        let now = Utc::now();
        let at = |h: i64, m: i64| now + TimeDelta::hours(h) + TimeDelta::minutes(m);
        assert_eq!(time_left(now, at(5, 30)), ("deadlines.left_hours", 5));
        assert_eq!(time_left(now, at(47, 59)), ("deadlines.left_hours", 47));
        assert_eq!(time_left(now, at(72, 0)), ("deadlines.left_days", 3));
        assert_eq!(time_left(now, at(0, -10)), ("deadlines.over_hours", 1));
        assert_eq!(time_left(now, at(-50, 0)), ("deadlines.over_days", 2));
    }
}
