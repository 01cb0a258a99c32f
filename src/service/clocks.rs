//! Deadline clocks of cases: computed from the case's events by the pure engine and stored for
//! querying (`case_clocks`, `cases.next_due_at`).

use crate::domain::calendar::Calendar;
use crate::domain::deadline::{self, Event, Grant, beijing};
use crate::store::cases::ClockRow;
use chrono::{DateTime, Utc};
use entity::case_events;
use serde_json::json;

/// Every started clock of a case whose events (in order) are `events`.
pub fn compute(events: &[Event], cal: &Calendar, now: DateTime<Utc>) -> Vec<ClockRow> {
    let rules = super::rules::in_force();
    rules
        .rules
        .values()
        .filter_map(|rule| {
            let c = deadline::compute(rule, events, cal, now)?;
            Some(ClockRow {
                rule_id: rule.id.clone(),
                name: rule.name.clone(),
                unit: rule.unit.as_str().to_string(),
                source: rule.source.clone(),
                start_at: c.start_at.with_timezone(&Utc),
                due_at: c.due_at.with_timezone(&Utc),
                state: c.state.as_str().to_string(),
                provisional: c.provisional,
                explanation: c.explanation,
                detail: json!({
                    "informational": rule.informational,
                    "paused_segments": c.paused.iter().map(|p| json!({
                        "from": p.from.to_rfc3339(),
                        "until": p.until.map(|u| u.to_rfc3339()),
                    })).collect::<Vec<_>>(),
                    "extensions": c.extensions.iter().map(|g| json!({
                        "tier": g.tier, "amount": g.amount,
                    })).collect::<Vec<_>>(),
                }),
            })
        })
        .collect()
}

/// The engine's view of stored events; an approved extension carries its grant.
pub fn engine_events(rows: &[case_events::Model]) -> Vec<Event> {
    rows.iter()
        .map(|e| {
            let mut ev = Event::new(&e.kind, e.at.with_timezone(&beijing()));
            if e.kind == "extension_approved" {
                ev.extension = grant_of(&e.payload);
            }
            ev
        })
        .collect()
}

/// The grant recorded in an `extension_approved` payload.
fn grant_of(payload: &str) -> Option<Grant> {
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    Some(Grant {
        rule_id: v.get("rule_id")?.as_str()?.to_string(),
        tier: v.get("tier")?.as_str()?.to_string(),
        amount: u32::try_from(v.get("amount")?.as_u64()?).ok()?,
    })
}
