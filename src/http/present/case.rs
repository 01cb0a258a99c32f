//! Cases as the API answers them and as the pages show them.

use super::{badge, due_local, key, local, ts};
use crate::domain::policy::CaseAccess;
use crate::http::api::model;
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
pub fn summary_json(c: &CaseSummary, filer_view: bool) -> model::CaseSummary {
    model::CaseSummary::of(c, filer_view)
}

/// A deadline clock in the API (`GET /cases/{id}/deadlines`).
pub fn clock_json(c: &ClockView) -> model::Clock {
    model::Clock::from(c)
}

/// The clocks of a case in the API.
pub fn clocks_json(d: &CaseView) -> Vec<model::Clock> {
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
pub fn detail_json(d: &CaseView) -> model::Case {
    let org = |o: &crate::service::case::view::OrgRef| model::OrgName {
        id: o.id,
        name: o.name.clone(),
    };
    model::Case {
        summary: summary_json(&d.summary, d.is_filer()),
        description: d.description.clone(),
        complainant_standing: d.standing.map(|s| s.to_string()),
        exhibition: json!(d.exhibition),
        overseas: json!(d.overseas),
        owner: d.owner.as_ref().map(org),
        referred_to: d.referred_to.as_ref().map(org),
        merged_into: d.merged_into.as_ref().map(|m| model::CaseNumber {
            id: m.id,
            number: m.number.clone(),
        }),
        parties: d
            .parties
            .iter()
            .map(|p| model::Party {
                role: p.role.to_string(),
                name: p.name.clone(),
                uscc: p.uscc.clone(),
                address: p.address.clone(),
                listing_url: p.listing_url.clone(),
                contact_name: p.contact_name.clone(),
                contact_phone: p.contact_phone.clone(),
            })
            .collect(),
        rights: d
            .rights
            .iter()
            .map(|r| model::Right {
                kind: r.kind.to_string(),
                number: r.number.clone(),
                title: r.title.clone(),
                holder: r.holder.clone(),
            })
            .collect(),
        shares: d
            .shares
            .iter()
            .map(|s| model::Share {
                org_id: s.org_id,
                org: s.org.clone(),
                access: s.access.to_string(),
                origin: s.origin.to_string(),
                granted_at: ts(s.granted_at),
            })
            .collect(),
        deadlines: clocks_json(d),
        access: access_name(d.access).to_string(),
    }
}

/// An event of the timeline in the API.
pub fn event_json(e: &EventView) -> model::Event {
    model::Event::from(e)
}

/// A case after a write.
pub fn moved_json(m: &Moved) -> model::Moved {
    model::Moved::from(m)
}

/// The receipt of a filing (API.md: `{id, number, version, queue, state, triage_due}`).
pub fn filed_json(f: &Filed) -> model::Filed {
    model::Filed::from(f)
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
    let mut v = super::value(clock_json(c));
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
