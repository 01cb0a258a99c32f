//! Exhibitions (展会) as records: created by an IP office or found from a routed complaint's
//! facts; the exhibition view with its cases and the hours left; and the closing sweep, which at
//! the closing instant closes every case that was decided at the fair and converts every other
//! open one into an administrative-ruling case that keeps its events and evidence.

use super::calendar::Calendars;
use super::triage::refresh_clocks;
use super::{Identity, RequestMeta, audit_entry};
use crate::domain::case::intake::parse_instant;
use crate::domain::case::{Queue, RightKind, normalise_name};
use crate::domain::deadline::beijing;
use crate::domain::identity::{OrgKind, Role};
use crate::domain::workflow::exhibition::OPEN;
use crate::error::{AppError, FieldError, Result};
use crate::store::cases::{Change, NewEvent};
use crate::store::workflow::NewExhibition;
use crate::store::{self, Db};
use chrono::{DateTime, Utc};
use entity::{cases, exhibitions};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The form and API body of a new exhibition.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ExhibitionForm {
    pub name: String,
    pub venue: String,
    pub organiser: String,
    pub station: String,
    pub opens_at: String,
    pub closes_at: String,
}

/// Who keeps exhibitions: officers and supervisors of IP offices.
fn may_keep(me: &Identity) -> bool {
    me.actor.org_kind == OrgKind::IpOffice && matches!(me.role(), Role::Officer | Role::Supervisor)
}

/// Creates an exhibition of the user's office.
pub async fn create(
    db: &Db,
    me: &Identity,
    form: ExhibitionForm,
    meta: &RequestMeta,
) -> Result<exhibitions::Model> {
    if !may_keep(me) {
        return Err(AppError::forbidden());
    }
    let mut errors = Vec::new();
    let mut text = |field: &'static str, v: &str, required: bool| {
        super::form_line(&mut errors, field, v, required)
    };
    let name = text("name", &form.name, true);
    let venue = text("venue", &form.venue, true);
    let organiser = text("organiser", &form.organiser, true);
    let station = text("station", &form.station, false);
    let mut instant = |field: &'static str, v: &str| {
        let t = parse_instant(v, &beijing()).map(|t| t.with_timezone(&Utc));
        if t.is_none() {
            errors.push(FieldError::new(field, "error.workflow.instant"));
        }
        t
    };
    let opens = instant("opens_at", &form.opens_at);
    let closes = instant("closes_at", &form.closes_at);
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        errors.push(FieldError::new(
            "closes_at",
            "error.exhibition.closes_before_opens",
        ));
    }
    let (Some(opens_at), Some(closes_at), true) = (opens, closes, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let now = store::now();
    let txn = db.begin_write().await?;
    let e = store::workflow::insert_exhibition(
        &txn,
        NewExhibition {
            name,
            venue,
            organiser,
            station,
            opens_at,
            closes_at,
            owner_org_id: me.org.id,
            created_by_user_id: Some(me.user.id),
        },
        now,
    )
    .await?;
    let entry = audit_entry(
        Some(&me.user),
        meta,
        "exhibition.create",
        ("exhibition", e.id.to_string()),
        &json!(form),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(e)
}

/// Links a case just routed into exhibition enforcement to its exhibition: the owning office's
/// exhibition of that name, or a new one made from the complaint's facts.
pub async fn link(
    txn: &sea_orm::DatabaseTransaction,
    case_id: i64,
    owner_org_id: i64,
    facts: &Value,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let Some(ex) = facts.get("exhibition") else {
        return Ok(None);
    };
    let s = |k: &str| ex.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let t = |k: &str| {
        ex.get(k)
            .and_then(Value::as_str)
            .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(opens_at), Some(closes_at)) = (t("opens_at"), t("closes_at")) else {
        return Ok(None);
    };
    let wanted = normalise_name(&s("name"));
    let found = store::workflow::exhibitions_of(txn, owner_org_id)
        .await?
        .into_iter()
        .find(|e| normalise_name(&e.name) == wanted && e.swept_at.is_none());
    let id = match found {
        Some(e) => e.id,
        None => {
            store::workflow::insert_exhibition(
                txn,
                NewExhibition {
                    name: s("name"),
                    venue: s("venue"),
                    organiser: s("organiser"),
                    station: String::new(),
                    opens_at,
                    closes_at,
                    owner_org_id,
                    created_by_user_id: None,
                },
                now,
            )
            .await?
            .id
        }
    };
    store::workflow::set_case_exhibition(txn, case_id, id).await?;
    Ok(Some(id))
}

/// An exhibition with its cases as the user may see them.
pub struct View {
    pub exhibition: exhibitions::Model,
    pub cases: Vec<cases::Model>,
    /// Case ids whose respondent was found infringing at this exhibition and at the one before.
    pub repeat: Vec<i64>,
}

/// The exhibitions of the user's office, the latest to close first.
pub async fn list(db: &Db, me: &Identity) -> Result<Vec<exhibitions::Model>> {
    if !me.actor.org_kind.is_office() {
        return Err(AppError::forbidden());
    }
    Ok(store::workflow::exhibitions_of(db.conn(), me.org.id).await?)
}

/// One exhibition of the user's office with the cases they may see.
pub async fn show(db: &Db, me: &Identity, id: i64) -> Result<View> {
    let e = store::workflow::exhibition(db.conn(), id)
        .await?
        .filter(|e| e.owner_org_id == me.org.id)
        .ok_or(AppError::NotFound)?;
    // The exhibition is the office's, and so are its cases as long as it owns them (a case
    // referred on after an upheld objection stays the owner's): no per-case lookup needed.
    let cases: Vec<cases::Model> = store::workflow::exhibition_cases(db.conn(), id)
        .await?
        .into_iter()
        .filter(|c| c.owner_org_id == me.org.id)
        .collect();
    let repeat = repeat_infringers(db, &cases).await?;
    Ok(View {
        exhibition: e,
        cases,
        repeat,
    })
}

/// Cases whose respondent had measures ordered against it here and in its previous exhibition
/// case (an exhibitor found infringing twice in a row is flagged for the organiser).
async fn repeat_infringers(db: &Db, here: &[cases::Model]) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for c in here {
        let parties = store::cases::parties(db.conn(), c.id).await?;
        let Some(resp) = parties.iter().find(|p| p.role == "respondent") else {
            continue;
        };
        let history = store::workflow::exhibition_history(db.conn(), &resp.name).await?;
        // The respondent's exhibition cases up to this one, newest first, by whether measures
        // were ordered.
        let upto: Vec<bool> = history
            .iter()
            .filter(|(id, at, _)| *at <= c.received_at || *id == c.id)
            .map(|(_, _, infringing)| *infringing)
            .collect();
        if upto.len() >= 2 && upto[0] && upto[1] {
            out.push(c.id);
        }
    }
    Ok(out)
}

/// What the closing sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    pub exhibitions: u64,
    pub closed: u64,
    pub converted: u64,
}

/// At the closing instant of every exhibition that has closed by `now`: each of its cases still
/// in the exhibition queue records the close (which starts the report-to-organiser clock); those
/// decided at the fair are closed, the other open ones converted into administrative-ruling cases.
/// Each exhibition is swept once, even with several server processes.
pub async fn sweep(db: &Db, calendars: &Calendars, now: DateTime<Utc>) -> Result<Swept> {
    let mut out = Swept::default();
    for e in store::workflow::due_for_sweep(db.conn(), now).await? {
        match sweep_one(db, calendars, &e, now).await {
            Ok(Some(done)) => {
                out.exhibitions += 1;
                out.closed += done.closed;
                out.converted += done.converted;
            }
            Ok(None) => {}
            // One case that moved under us (or any other failure) holds back this exhibition
            // only: it is rolled back whole and tried again on the next tick.
            Err(err) => {
                tracing::warn!(exhibition = e.id, error = %err, "exhibition sweep deferred")
            }
        }
    }
    Ok(out)
}

/// Sweeps one closed exhibition in one transaction; `None` when another process did it.
async fn sweep_one(
    db: &Db,
    calendars: &Calendars,
    e: &exhibitions::Model,
    now: DateTime<Utc>,
) -> Result<Option<Swept>> {
    let mut out = Swept::default();
    let txn = db.begin_write().await?;
    if !store::workflow::mark_swept(&txn, e.id, now).await? {
        return Ok(None);
    }
    for c in store::workflow::exhibition_cases(&txn, e.id).await? {
        if c.queue != Queue::ExhibitionEnforcement.as_str() {
            continue;
        }
        // At the closing instant, or after the case's last step if that came later, so that
        // the log stays in time order.
        let last = store::cases::events(&txn, c.id, false)
            .await?
            .last()
            .map(|ev| ev.at);
        let at = last.map_or(e.closes_at, |l| l.max(e.closes_at));
        let system = |kind: &str, public: bool, payload: Value| NewEvent {
            kind: kind.into(),
            at,
            actor_user_id: None,
            actor_org_id: Some(c.owner_org_id),
            public,
            payload,
        };
        let mut events = vec![system(
            "exhibition_closed",
            true,
            json!({"exhibition_id": e.id}),
        )];
        let mut change = Change::default();
        // Only a patent dispute can become a ruling case (Order 81); others end with the fair.
        let patent = store::cases::rights(&txn, c.id)
            .await?
            .iter()
            .any(|r| RightKind::parse(&r.kind).is_some_and(RightKind::is_patent));
        let decided = matches!(c.state.as_str(), "measures_ordered" | "no_infringement");
        if OPEN.contains(&c.state.as_str()) && patent {
            events.push(system(
                "converted",
                true,
                json!({"by": "exhibition_close", "from_state": c.state}),
            ));
            events.push(system("request_received", false, json!({})));
            change.queue = Some(Queue::AdministrativeRuling.as_str().into());
            change.state = Some("received".into());
            out.converted += 1;
        } else if decided || OPEN.contains(&c.state.as_str()) {
            events.push(system("closed", true, json!({"by": "exhibition_close"})));
            change.state = Some("closed".into());
            change.closed_at = Some(Some(now));
            out.closed += 1;
        }
        let version = store::cases::append_events(&txn, c.id, c.version, events, now).await?;
        if !store::cases::update(&txn, c.id, c.version, version, change, now).await? {
            return Err(super::triage::stale());
        }
        refresh_clocks(&txn, calendars, c.id, now).await?;
    }
    let mut entry = audit_entry(
        None,
        &RequestMeta::cli("worker"),
        "exhibition.sweep",
        ("exhibition", e.id.to_string()),
        &json!({"closes_at": e.closes_at.to_rfc3339()}),
    );
    entry.actor = "system".into();
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(Some(out))
}

/// Hours (rounded down) from `now` until `t`; negative once past.
pub fn hours_left(t: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (t - now).num_hours()
}

/// Per-state counts of a list of cases, for the exhibition view.
pub fn by_state(cases: &[cases::Model]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for c in cases {
        *m.entry(c.state.clone()).or_default() += 1;
    }
    m
}
