//! Messages on a case (沟通): the office asks the filer for material or explains a step, the filer
//! answers, with evidence attached. Every message is a public event of the case (an office's
//! internal notes are other, internal events); the other side is told (`domain::notice::event`).
//! A request for material may name the date it is due: the event starts the `msg.material`
//! clock, which the filer's next message stops.

use super::case::{CaseWrite, Moved, visible, write::retry};
use super::{Ctx, Identity};
use crate::domain::case::EventKind;
use crate::domain::policy::CaseAction;
use crate::domain::time::in_beijing;
use crate::error::{AppError, FieldError, Result};
use crate::store::{self, Db};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// At most this many evidence items are attached to one message.
const MAX_ATTACHMENTS: usize = 20;
/// The longest message, in characters.
pub const MAX_BODY: usize = 4000;
/// A request for material is due at most this many days ahead.
const MAX_DUE_DAYS: i64 = 365;

/// `POST /api/v1/cases/{id}/messages`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    #[schema(required = true, min_length = 1, max_length = 4000)]
    pub body: String,
    /// The office asks for material by this day (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub material_due: Option<String>,
    /// Evidence items of the case to attach (the filer: only its own).
    pub evidence_ids: Vec<i64>,
}

/// A message as the case's readers see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// `office` or `filer`.
    pub from: String,
    pub author: String,
    pub org: String,
    pub body: String,
    pub material_due: Option<String>,
    /// The request for material this message answers.
    pub answers: Option<i64>,
    pub evidence: Vec<Value>,
}

/// The checked fields of a message, before anything is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub body: String,
    pub material_due: Option<NaiveDate>,
}

/// Checks a message's text and due date (pure: `today` is the Beijing date). Only the office may
/// set a due date; it must lie after today and within a year.
pub fn check(
    body: &str,
    material_due: Option<&str>,
    from_filer: bool,
    today: NaiveDate,
) -> std::result::Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let body = crate::domain::contact::normalise_multiline(body);
    if body.is_empty() {
        errors.push(FieldError::new("body", "error.required"));
    } else if body.chars().count() > MAX_BODY {
        errors.push(FieldError::new("body", "error.text.too_long"));
    } else if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.push(FieldError::new("body", "error.text.control"));
    }
    let due = match material_due.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(_) if from_filer => {
            errors.push(FieldError::new("material_due", "error.message.due_office"));
            None
        }
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if d > today && (d - today).num_days() <= MAX_DUE_DAYS => Some(d),
            Ok(_) => {
                errors.push(FieldError::new("material_due", "error.message.due_range"));
                None
            }
            Err(_) => {
                errors.push(FieldError::new("material_due", "error.date"));
                None
            }
        },
    };
    if errors.is_empty() {
        Ok(Checked {
            body,
            material_due: due,
        })
    } else {
        Err(errors)
    }
}

fn is_message(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::MessagePosted | EventKind::MaterialRequested | EventKind::MaterialSubmitted
    )
}

/// The request for material still waiting for the filer: the latest one not answered since.
fn open_request(events: &[store::case_log::EventRow]) -> Option<i64> {
    let mut open = None;
    for e in events {
        match e.kind {
            EventKind::MaterialRequested => open = Some(e.seq),
            EventKind::MaterialSubmitted | EventKind::Closed => open = None,
            _ => {}
        }
    }
    open
}

fn message_of(e: &store::case_log::EventRow) -> Message {
    let p = &e.payload;
    let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Message {
        seq: e.seq,
        at: e.at,
        from: s("from"),
        author: s("author"),
        org: s("org"),
        body: s("body"),
        material_due: p
            .get("material_due")
            .and_then(Value::as_str)
            .map(str::to_string),
        answers: p.get("answers").and_then(Value::as_i64),
        evidence: p
            .get("evidence")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    }
}

/// The messages of a case, oldest first, and the open request for material (its event number).
pub async fn list(db: &Db, me: &Identity, case_id: i64) -> Result<(Vec<Message>, Option<i64>)> {
    let v = visible(db, me, case_id).await?;
    // Messages are public events: every reader sees them all.
    let events = store::case_log::events(db.conn(), case_id, true).await?;
    let _ = v;
    Ok((
        events
            .iter()
            .filter(|e| is_message(e.kind))
            .map(message_of)
            .collect(),
        open_request(&events),
    ))
}

/// The 沟通 card of a case page.
#[derive(Debug, Clone, Default)]
pub struct Card {
    pub items: Vec<Message>,
    /// The request for material waiting for the filer: its event number and due day.
    pub open_request: Option<(i64, Option<String>)>,
    pub may_post: bool,
    /// The reader works the case for an office (may set a due date).
    pub office: bool,
    /// Evidence items the filer may attach (its own): id, label (E3), description.
    pub attachable: Vec<(i64, String, String)>,
}

pub async fn card(db: &Db, me: &Identity, v: &super::case::Visible) -> Result<Card> {
    let case_id = v.case().id;
    let events = store::case_log::events(db.conn(), case_id, true).await?;
    let items: Vec<Message> = events
        .iter()
        .filter(|e| is_message(e.kind))
        .map(message_of)
        .collect();
    let open_request = open_request(&events).map(|seq| {
        let due = items
            .iter()
            .find(|m| m.seq == seq)
            .and_then(|m| m.material_due.clone());
        (seq, due)
    });
    let may_post = v.may(me, CaseAction::Message);
    // Only the filer attaches evidence (its own) to a message.
    let attachable = if may_post && v.is_filer() {
        store::evidence::of_case(db.conn(), case_id, Some(me.actor.org_id))
            .await?
            .into_iter()
            .filter(|e| e.withdrawn_at.is_none())
            .map(|e| (e.id, format!("E{}", e.no), e.description))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Card {
        items,
        open_request,
        may_post,
        office: may_post && !v.is_filer(),
        attachable,
    })
}

/// The attachments of a message as they will be recorded: items of this case, not withdrawn, and
/// the filer's own. Only the filer attaches: the office's evidence is not the filer's to see (its
/// names would leak through a public message); the office issues documents instead. `extra` is
/// a file sent with the message, still to be stored.
async fn attachments(
    db: &Db,
    me: &Identity,
    v: &super::case::Visible,
    ids: &[i64],
    extra: usize,
) -> Result<Vec<Value>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() && extra == 0 {
        return Ok(Vec::new());
    }
    if !v.is_filer() {
        return Err(AppError::field(
            "evidence_ids",
            "error.message.office_attach",
        ));
    }
    if ids.len() + extra > MAX_ATTACHMENTS {
        return Err(AppError::field(
            "evidence_ids",
            "error.message.too_many_files",
        ));
    }
    let items = store::evidence::of_case(db.conn(), v.case().id, Some(me.actor.org_id)).await?;
    ids.iter()
        .map(|id| {
            items
                .iter()
                .find(|e| e.id == *id && e.withdrawn_at.is_none())
                .map(
                    |e| json!({"id": e.id, "label": format!("E{}", e.no), "name": e.original_name}),
                )
                .ok_or_else(|| AppError::field("evidence_ids", "error.message.evidence"))
        })
        .collect()
}

/// Checks a message `me` is about to post on a case, with `files` more files to be stored with
/// it: everything that could refuse it is checked before a file is stored.
pub async fn precheck(
    cx: &Ctx,
    me: &Identity,
    case_id: i64,
    req: &NewMessage,
    files: usize,
) -> Result<()> {
    let v = visible(&cx.db, me, case_id).await?;
    if !v.may(me, CaseAction::Message) {
        return Err(AppError::forbidden());
    }
    let today = in_beijing(cx.now).date_naive();
    check(&req.body, req.material_due.as_deref(), v.is_filer(), today)
        .map_err(AppError::Invalid)?;
    attachments(&cx.db, me, &v, &req.evidence_ids, files).await?;
    Ok(())
}

/// Posts a message on a case; returns the case after it and the message.
pub async fn post(
    cx: &Ctx,
    me: &Identity,
    case_id: i64,
    req: NewMessage,
) -> Result<(Moved, Message)> {
    let granted = visible(&cx.db, me, case_id)
        .await?
        .authorize(me, CaseAction::Message)?;
    let from_filer = granted.visible().is_filer();
    let today = in_beijing(cx.now).date_naive();
    let checked = check(&req.body, req.material_due.as_deref(), from_filer, today)
        .map_err(AppError::Invalid)?;
    let evidence = attachments(&cx.db, me, granted.visible(), &req.evidence_ids, 0).await?;
    let ids: Vec<i64> = evidence.iter().filter_map(|e| e["id"].as_i64()).collect();
    let org = me.org.name.clone();
    let author = me.user.display_name.clone();
    let moved_and_seq = retry(|| async {
        let mut w = CaseWrite::begin_current(cx, &granted).await?;
        let events = store::case_log::events(w.txn(), case_id, true).await?;
        let open = open_request(&events);
        let mut payload = json!({
            "from": if from_filer { "filer" } else { "office" },
            "author": author,
            "org": org,
            "body": checked.body,
            "evidence": evidence,
        });
        let kind = if from_filer {
            match open {
                Some(seq) => {
                    payload["answers"] = json!(seq);
                    EventKind::MaterialSubmitted
                }
                None => EventKind::MessagePosted,
            }
        } else if let Some(due) = checked.material_due {
            payload["material_due"] = json!(due.format("%Y-%m-%d").to_string());
            payload["period_days"] = json!((due - today).num_days());
            EventKind::MaterialRequested
        } else {
            EventKind::MessagePosted
        };
        w.record(kind, true, payload.clone());
        let moved = w
            .commit(
                "message.post",
                &json!({"kind": kind.as_str(), "evidence_ids": ids}),
            )
            .await?;
        Ok((moved, payload))
    })
    .await?;
    let (moved, payload) = moved_and_seq;
    let e = store::case_log::EventRow {
        case_id,
        seq: moved.version,
        kind: EventKind::MessagePosted,
        at: cx.now,
        recorded_at: cx.now,
        actor_user_id: Some(me.user.id),
        actor_org_id: Some(me.actor.org_id),
        public: true,
        payload,
    };
    Ok((moved, message_of(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_message_needs_text_and_a_due_date_only_from_the_office_in_the_future() {
        let today = day("2026-12-04");
        let ok = check(
            "  请补充购买凭证。\r\n谢谢 ",
            Some("2026-12-11"),
            false,
            today,
        )
        .unwrap();
        assert_eq!(ok.body, "请补充购买凭证。\n谢谢");
        assert_eq!(ok.material_due, Some(day("2026-12-11")));
        assert_eq!(check("说明", None, true, today).unwrap().material_due, None);
        let fields = |r: std::result::Result<Checked, Vec<FieldError>>| -> Vec<String> {
            r.unwrap_err().into_iter().map(|e| e.field).collect()
        };
        assert_eq!(fields(check("  ", None, false, today)), vec!["body"]);
        assert_eq!(
            fields(check("x", Some("2026-12-04"), false, today)),
            vec!["material_due"]
        );
        assert_eq!(
            fields(check("x", Some("2028-01-01"), false, today)),
            vec!["material_due"]
        );
        assert_eq!(
            fields(check("x", Some("12/11"), false, today)),
            vec!["material_due"]
        );
        assert_eq!(
            fields(check("x", Some("2026-12-11"), true, today)),
            vec!["material_due"]
        );
        assert_eq!(
            fields(check(&"长".repeat(MAX_BODY + 1), None, true, today)),
            vec!["body"]
        );
        assert_eq!(fields(check("a\u{7}b", None, true, today)), vec!["body"]);
    }
}
