//! Cases as the API answers them and as the pages show them.

use super::{badge, due_local, key, local, ts};
use crate::domain::policy::CaseAccess;
use crate::service::case::Moved;
use crate::service::case::view::{CaseSummary, CaseView, ClockView, EventView};
use crate::service::intake::Filed;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// The SRDI name of a case (`none` when it has no designation).
fn srdi(c: &CaseSummary) -> &'static str {
    c.srdi.map_or("none", |l| l.as_str())
}

/// One case in an API list; the filing enterprise does not see which office or officer has it.
pub fn summary_json(c: &CaseSummary, filer_view: bool) -> Value {
    let mut v = json!({
        "id": c.id,
        "number": c.number,
        "title": c.title,
        "queue": c.queue,
        "state": c.state,
        "channel": c.channel,
        "region_code": c.region_code,
        "source": c.source,
        "srdi": srdi(c),
        "received_at": ts(c.received_at),
        "next_due_at": c.next_due_at.map(ts),
        "closed_at": c.closed_at.map(ts),
        "version": c.version,
    });
    if !filer_view {
        v["owner_org_id"] = json!(c.owner_org_id);
        v["assignee_user_id"] = json!(c.assignee_user_id);
    }
    v
}

/// A deadline clock in the API (`GET /cases/{id}/deadlines`).
pub fn clock_json(c: &ClockView) -> Value {
    json!({
        "name": c.name,
        "rule_id": c.rule_id,
        "source": c.source,
        "basis": if c.service_standard { "service_standard" } else { "law" },
        "unit": c.unit,
        "start_at": ts(c.start_at),
        "due_at": ts(c.due_at),
        "state": c.state,
        "paused_segments": c.paused.iter().map(|(from, until)| json!({
            "from": from.to_rfc3339(),
            "until": until.map(|u| u.to_rfc3339()),
        })).collect::<Vec<_>>(),
        "extensions": c.extensions.iter().map(|(tier, amount)| json!({
            "tier": tier, "amount": amount,
        })).collect::<Vec<_>>(),
        "provisional": c.provisional,
        "explanation": c.explanation,
    })
}

/// The clocks of a case in the API.
pub fn clocks_json(d: &CaseView) -> Value {
    d.clocks.iter().map(clock_json).collect()
}

/// How much of the case the reader has, as the API names it.
fn access_name(a: CaseAccess) -> &'static str {
    match a {
        CaseAccess::Filer => "filer",
        CaseAccess::Read => "read",
        CaseAccess::Contribute => "contribute",
        CaseAccess::Owner => "owner",
        CaseAccess::None => "none",
    }
}

/// A case with parties, rights, shares and clocks, as its reader may see it.
pub fn detail_json(d: &CaseView) -> Value {
    let mut v = summary_json(&d.summary, d.is_filer());
    v["description"] = json!(d.description);
    v["complainant_standing"] = json!(d.standing);
    v["exhibition"] = json!(d.exhibition);
    v["overseas"] = json!(d.overseas);
    v["owner"] = json!(
        d.owner
            .as_ref()
            .map(|o| json!({"id": o.id, "name": o.name}))
    );
    v["referred_to"] = json!(
        d.referred_to
            .as_ref()
            .map(|o| json!({"id": o.id, "name": o.name}))
    );
    v["merged_into"] = json!(
        d.merged_into
            .as_ref()
            .map(|m| json!({"id": m.id, "number": m.number}))
    );
    v["parties"] = d
        .parties
        .iter()
        .map(|p| {
            json!({"role": p.role, "name": p.name, "uscc": p.uscc, "address": p.address,
                   "listing_url": p.listing_url, "contact_name": p.contact_name,
                   "contact_phone": p.contact_phone})
        })
        .collect();
    v["rights"] = d
        .rights
        .iter()
        .map(|r| json!({"kind": r.kind, "number": r.number, "title": r.title, "holder": r.holder}))
        .collect();
    v["shares"] = d
        .shares
        .iter()
        .map(|s| {
            json!({"org_id": s.org_id, "org": s.org, "access": s.access,
                   "granted_at": ts(s.granted_at)})
        })
        .collect();
    v["deadlines"] = clocks_json(d);
    v["access"] = json!(access_name(d.access));
    v
}

/// An event of the timeline in the API.
pub fn event_json(e: &EventView) -> Value {
    json!({
        "seq": e.seq,
        "kind": e.kind,
        "at": ts(e.at),
        "recorded_at": ts(e.recorded_at),
        "actor_user_id": e.actor_user_id,
        "public": e.public,
        "payload": e.payload,
    })
}

/// A case after a write.
pub fn moved_json(m: &Moved) -> Value {
    json!({"id": m.id, "version": m.version, "queue": m.queue, "state": m.state})
}

/// The receipt of a filing (API.md: `{id, number, version, queue, state, triage_due}`).
pub fn filed_json(f: &Filed) -> Value {
    json!({
        "id": f.id,
        "number": f.number,
        "version": f.version,
        "queue": f.queue,
        "state": f.state,
        "received_at": ts(f.received_at),
        "triage_due": f.triage_due.map(ts),
        "transfer_due": f.transfer_due.map(ts),
        "triage_due_provisional": f.provisional,
    })
}

/// One case in a page's list: labels, local times, its deadline badge.
pub fn row(c: &CaseSummary, now: DateTime<Utc>) -> Value {
    json!({
        "id": c.id,
        "number": c.number,
        "case_title": c.title,
        "queue_key": key("queue", c.queue),
        "state_key": c.state.key(),
        "channel_key": key("channel", c.channel),
        "received": local(c.received_at),
        "srdi": c.srdi.is_some(),
        "srdi_key": key("srdi", srdi(c)),
        "badge": badge(c.next_due_at, now),
        "closed": c.closed_at.is_some(),
    })
}

/// A clock on the case page: the API's fields with local times, its label and badge.
pub fn clock_row(c: &ClockView, now: DateTime<Utc>) -> Value {
    let mut v = clock_json(c);
    v["due_local"] = json!(due_local(c.due_at));
    v["start_local"] = json!(local(c.start_at));
    v["state_key"] = json!(key("clock_state", c.state));
    v["badge"] = if c.state == crate::domain::deadline::State::Running {
        badge(Some(c.due_at), now)
    } else {
        Value::Null
    };
    v
}

/// An instant kept as RFC 3339 text in a case's facts, shown in Beijing time.
pub fn fact_time(t: &chrono::DateTime<chrono::FixedOffset>) -> String {
    local(t.to_utc())
}
