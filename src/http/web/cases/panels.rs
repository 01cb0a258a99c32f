//! The panels of the case page, each a function of the screen model (`service::screen::Screen`):
//! the case's facts, parties and rights, its clocks with their extensions, shares, timeline,
//! documents, evidence and the workflow's forms, and the triage forms' choices.

use crate::domain::case::Queue;
use crate::domain::case::triage::REJECT_REASONS;
use crate::domain::evidence::Kind as EvidenceKind;
use crate::http::present::case::{clock_row, fact_time, row};
use crate::http::present::evidence::item_row;
use crate::http::present::workflow::form_json;
use crate::http::present::{due_local, key, local};
use crate::i18n::Lang;
use crate::service::screen::{ClockExtensions, Screen};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// A form of the page that came back refused: its section, the values typed and the messages.
#[derive(Debug, Clone, Default)]
pub struct Refill {
    pub section: &'static str,
    pub values: Value,
    pub errors: Value,
}

impl Refill {
    /// Every form section of the page with the values its fields show (empty unless this is the
    /// form that came back) and its messages.
    pub fn sections(&self) -> Value {
        let mut all = json!({
            "triage": {"values": {"reason": "", "into_number": "", "request_received_at": ""}, "errors": {}},
            "referral": {"values": {"reason": ""}, "errors": {}},
            "jurisdiction": {"values": {"reason": ""}, "errors": {}},
            "share": {"values": {}, "errors": {}},
            "extension": {"values": {}, "errors": {}},
            "evidence": {"values": {}, "errors": {}},
            "work": {"values": {}, "errors": {}},
            "messages": {"values": {"body": "", "material_due": ""}, "errors": {}},
        });
        if let Some(section) = all.get_mut(self.section) {
            if let (Some(shown), Value::Object(typed)) =
                (section["values"].as_object_mut(), &self.values)
            {
                shown.extend(typed.clone());
            }
            section["errors"] = self.errors.clone();
        }
        all
    }
}

/// The case's own facts (the header and the facts card).
pub fn case(s: &Screen) -> Value {
    let d = &s.case;
    let c = &d.summary;
    json!({
        "id": c.id, "number": c.number, "title": c.title, "description": d.description,
        "version": c.version,
        "queue_key": key("queue", c.queue), "state_key": c.state.key(),
        "channel_key": key("channel", c.channel), "source_key": key("source", c.source),
        "region_code": c.region_code, "received": local(c.received_at),
        "standing_key": d.standing.map(|s| key("standing", s)),
        "srdi": c.srdi.is_some(), "srdi_key": key("srdi", c.srdi.map_or("none", |l| l.as_str())),
        "closed": c.closed_at.map(local),
        "exhibition": d.exhibition.as_ref().map(|e| {
            let mut v = json!(e);
            v["opens_local"] = json!(fact_time(&e.opens_at));
            v["closes_local"] = json!(fact_time(&e.closes_at));
            v
        }),
        "overseas": d.overseas,
        "overseas_category_key": d.overseas.as_ref().map(|o| key("overseas_category", &o.category)),
        "foreign_deadline_beijing": d.overseas.as_ref().and_then(|o| o.foreign_deadline.as_ref()).map(fact_time),
    })
}

/// Parties (the filing enterprise does not see contact phones) and rights.
pub fn parties_and_rights(s: &Screen) -> (Value, Value) {
    let filer = s.case.is_filer();
    let parties = s
        .case
        .parties
        .iter()
        .map(|p| {
            json!({
                "role_key": key("party_role", p.role), "name": p.name, "uscc": p.uscc,
                "address": p.address, "listing_url": p.listing_url, "contact_name": p.contact_name,
                "contact_phone": if filer { None } else { p.contact_phone.clone() },
            })
        })
        .collect();
    let rights = s
        .case
        .rights
        .iter()
        .map(|r| {
            json!({
                "kind_key": key("right_kind", r.kind), "number": r.number,
                "right_title": r.title, "holder": r.holder,
            })
        })
        .collect();
    (parties, rights)
}

/// The clocks with their badges and, for offices, their extensions.
pub fn clocks(s: &Screen, now: DateTime<Utc>) -> Value {
    s.case
        .clocks
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let mut j = clock_row(k, now);
            match s.extensions.get(i) {
                Some(Some(x)) => extensions(&mut j, x),
                // The filing enterprise, or a clock whose rule is no longer in force.
                _ => {
                    j["can_request"] = json!(false);
                    j["can_decide"] = json!(false);
                    for list in ["tiers", "granted", "pending"] {
                        j[list] = json!([]);
                    }
                }
            }
            j
        })
        .collect()
}

/// The extension tiers a clock offers and its requests, pending and granted.
fn extensions(j: &mut Value, x: &ClockExtensions) {
    let tier_key = |t: &str| key("extension_tier", t);
    j["can_request"] = json!(x.can_request);
    j["can_decide"] = json!(x.can_decide);
    j["tiers"] = x
        .tiers
        .iter()
        .map(|t| json!({"tier": t.tier, "tier_key": tier_key(&t.tier), "cap": t.cap, "unit_key": key("unit", t.unit)}))
        .collect();
    // An amount is in its tier's unit (the rule's when the tier is no longer offered).
    let unit_of = |tier: &str| {
        let unit = x
            .tiers
            .iter()
            .find(|t| t.tier == tier)
            .map(|t| t.unit)
            .unwrap_or(x.unit);
        key("unit", unit)
    };
    j["granted"] = x
        .granted
        .iter()
        .map(|r| json!({"amount": r.amount, "tier_key": tier_key(&r.tier), "unit_key": unit_of(&r.tier)}))
        .collect();
    j["pending"] = x
        .pending
        .iter()
        .map(|r| json!({"seq": r.seq, "tier_key": tier_key(&r.tier), "amount": r.amount, "unit_key": unit_of(&r.tier)}))
        .collect();
    j["unit_key"] = json!(key("unit", x.unit));
    j["amount_unit_key"] = json!(
        x.tiers
            .first()
            .map(|t| key("unit", t.unit))
            .unwrap_or_else(|| key("unit", x.unit))
    );
}

/// The offices the case is shared with.
pub fn shares(s: &Screen) -> Value {
    s.case
        .shares
        .iter()
        .map(|sh| {
            json!({
                "org_id": sh.org_id, "org": sh.org,
                "access_key": key("share_access", sh.access), "granted": local(sh.granted_at),
                "origin_key": key("share_origin", sh.origin),
            })
        })
        .collect()
}

/// The payload facts worth showing on the timeline, as label/value pairs.
fn event_details(payload: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for (field, label) in [
        ("queue", "case.field.queue"),
        ("to_org", "case.field.to_org"),
        ("org", "case.field.org"),
        ("reason_code", "case.field.reason_code"),
        ("reason", "case.field.reason"),
        ("into_number", "case.field.merged_into"),
        ("from_number", "case.field.merged_from"),
        ("access", "case.field.access"),
        ("kind", "doc.title"),
        ("assignee", "queues.assignee"),
    ] {
        let Some(v) = payload
            .get(field)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        let value_key = match field {
            "queue" => Some(key("queue", v)),
            "reason_code" => Some(key("reject_reason", v)),
            "access" => Some(key("share_access", v)),
            // Only a document's kind; other events' `kind` fields are not shown here.
            "kind" if crate::i18n::has(&format!("doc.kind.{}", v)) => {
                Some(format!("doc.kind.{}", v))
            }
            "kind" => continue,
            _ => None,
        };
        out.push(json!({"key": label, "value": v, "value_key": value_key}));
    }
    out
}

/// The timeline, newest first.
pub fn timeline(s: &Screen) -> Value {
    s.timeline
        .iter()
        .map(|e| {
            let mut j = crate::http::present::value(crate::http::present::case::event_json(e));
            j["kind_key"] = json!(e.kind.key());
            j["at_local"] = json!(local(e.at));
            j["actor"] = json!(e.actor);
            j["details"] = json!(event_details(&e.payload));
            j
        })
        .collect()
}

/// The documents card: what may be issued and what was.
pub fn documents(s: &Screen) -> Value {
    let a = &s.documents;
    json!({
        "can_issue": a.can_issue.iter().map(|d| json!({"kind": d.as_str(), "key": format!("doc.kind.{}", d.as_str())})).collect::<Vec<_>>(),
        "issued": a.issued.iter().rev().map(|(seq, d, at)| json!({
            "seq": seq, "key": format!("doc.kind.{}", d.as_str()), "at": local(*at),
        })).collect::<Vec<_>>(),
        "show": !a.can_issue.is_empty() || !a.issued.is_empty(),
    })
}

/// The evidence panel.
pub fn evidence(s: &Screen, max_file_bytes: u64) -> Value {
    let p = &s.evidence;
    let rows: Vec<Value> = p
        .items
        .iter()
        .map(|i| {
            let mut j = item_row(&i.item);
            j["can_withdraw"] = json!(i.can_withdraw);
            j["can_approve_abroad"] = json!(i.can_approve_abroad);
            j
        })
        .collect();
    json!({
        "items": rows,
        "quarantined": p.quarantined.iter().map(|q| json!({
            "name": q.original_name, "sha256": q.sha256, "size": q.size, "finding": q.finding,
            "at_local": local(q.at),
        })).collect::<Vec<_>>(),
        "can_upload": p.can_upload,
        "can_export": p.can_export,
        "filer": s.case.is_filer(),
        "kinds": EvidenceKind::ALL.iter().map(|k| json!({"value": k.as_str(), "key": key("evidence_kind", k.as_str())})).collect::<Vec<_>>(),
        "max_file_bytes": max_file_bytes,
    })
}

/// The form section of the workflow panel in [`Refill`].
pub const WORK: &str = "work";

/// The "办理" panel: the open actions as forms, the refused one open with its values and
/// messages.
pub fn work(s: &Screen, lang: Lang, refill: &Refill) -> Value {
    let o = &s.work;
    let refilled = refill.section == WORK;
    let chosen = refilled
        .then(|| refill.values.get("action").and_then(Value::as_str))
        .flatten();
    // Nothing came back refused: the step most likely taken next is open.
    let likely = (!refilled)
        .then(|| crate::domain::workflow::likely_next(&o.actions))
        .flatten();
    let actions: Vec<Value> = o
        .actions
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let mine = chosen == Some(spec.name.as_str());
            let values = mine.then_some(&refill.values);
            let errors = mine.then_some(&refill.errors);
            let mut form = form_json(lang, spec, o, values, errors);
            if likely == Some(i) {
                form["open"] = json!(true);
            }
            form
        })
        .collect();
    json!({
        "may_work": o.may_work,
        "actions": actions,
        "form_error": refilled.then(|| refill.errors.get("_form").cloned()).flatten(),
    })
}

/// The triage forms' choices: queues, rejection reasons, offices, likely duplicates.
pub fn triage_choices(s: &Screen, now: DateTime<Utc>) -> Value {
    json!({
        "offices": s.offices.iter().map(|o| json!({"id": o.id, "name": o.name})).collect::<Vec<_>>(),
        "referral_groups": crate::domain::identity::OrgKind::ALL.iter().filter_map(|k| {
            let of_kind: Vec<Value> = s.referral_targets.iter().filter(|o| o.kind == *k)
                .map(|o| json!({"id": o.id, "name": o.name})).collect();
            (!of_kind.is_empty()).then(|| json!({"key": key("org_kind", k.as_str()), "offices": of_kind}))
        }).collect::<Vec<_>>(),
        "duplicates": s.duplicates.iter().map(|x| row(x, now)).collect::<Vec<_>>(),
        "route_queues": Queue::WORK.iter().map(|q| json!({"value": q.as_str(), "key": key("queue", q)})).collect::<Vec<_>>(),
        "reject_reasons": REJECT_REASONS.iter().map(|r| json!({"value": r, "key": key("reject_reason", r)})).collect::<Vec<_>>(),
        "invited": s.invited,
        "docket_window": s.docket_window.as_ref().map(|w| json!({
            "due_local": due_local(w.due_at), "left": w.working_days_left, "tight": w.tight,
        })),
    })
}

/// The 沟通 card: the messages, the open request for material, and the form.
pub fn messages(s: &Screen) -> Value {
    let m = &s.messages;
    json!({
        "items": m.items.iter().map(|x| json!({
            "seq": x.seq,
            "at": local(x.at),
            "from_filer": x.from == "filer",
            "author": x.author,
            "org": x.org,
            "body": x.body,
            "material_due": x.material_due,
            "evidence": x.evidence,
        })).collect::<Vec<_>>(),
        "open_request": m.open_request.as_ref().map(|(seq, due)| json!({"seq": seq, "due": due})),
        "may_post": m.may_post,
        "office": m.office,
        "attachable": m.attachable.iter().map(|(id, label, description)| {
            json!({"id": id, "label": label, "description": description})
        }).collect::<Vec<_>>(),
        "kinds": EvidenceKind::ALL.iter().map(|k| json!({"value": k.as_str(), "key": key("evidence_kind", k.as_str())})).collect::<Vec<_>>(),
    })
}
