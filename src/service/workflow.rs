//! Queue workflows: which actions a user may take on a case now (with what each needs), and
//! taking one — its events appended at the expected version, the case's state, its clocks
//! recomputed and an audit entry, all in one transaction.

use super::calendar::Calendars;
use super::cases::{Visible, visible};
use super::triage::{Moved, stale, write_events};
use super::{Identity, RequestMeta, audit_entry};
use crate::domain::calendar::Calendar;
use crate::domain::case::{Queue, RightKind};
use crate::domain::deadline::beijing;
use crate::domain::identity::Role;
use crate::domain::policy::CaseAction;
use crate::domain::workflow::{
    self, Kind, Progress, Shape, Spec, Values, Who, fields, progress::Seen,
};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::cases::{Change, NewEvent};
use crate::store::{self, Db};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{case_events, experts, users};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// `POST /api/v1/cases/{id}/actions` and the case page's action forms: the action, when it
/// happened (default: now), the version the caller saw, and the action's own fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ActionRequest {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub expected_version: Option<i64>,
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// A case as the workflow sees it.
pub struct Situation {
    pub visible: Visible,
    pub queue: Queue,
    pub progress: Progress,
    pub shape: Shape,
    pub events: Vec<case_events::Model>,
    /// Whether this user may work the case (by role and access; in triage it has no actions).
    pub may_work: bool,
}

/// The actions open to this user now, with the choices their fields offer.
pub struct Options {
    pub situation: Situation,
    pub actions: Vec<&'static Spec>,
    /// Who may sit on a panel / be named (officers and supervisors of the owning office).
    pub staff: Vec<users::Model>,
    pub experts: Vec<experts::Model>,
    /// Offices a lead may be transferred to (not the owner, not enterprises).
    pub offices: Vec<entity::organizations::Model>,
}

/// Reads what the workflow needs of a visible case.
pub async fn situation(db: &Db, me: &Identity, id: i64) -> Result<Situation> {
    let v = visible(db, me, id).await?;
    let queue = Queue::parse(&v.case.queue).unwrap_or(Queue::Triage);
    let events = store::cases::events(db.conn(), id, false).await?;
    let payloads: Vec<Value> = events
        .iter()
        .map(|e| serde_json::from_str(&e.payload).unwrap_or(Value::Null))
        .collect();
    let seen: Vec<Seen> = events
        .iter()
        .zip(&payloads)
        .map(|(e, p)| Seen {
            kind: &e.kind,
            payload: p,
        })
        .collect();
    let progress = Progress::of(&seen);
    let rights = store::cases::rights(db.conn(), id).await?;
    let parties = store::cases::parties(db.conn(), id).await?;
    let shape = Shape {
        rights: rights
            .iter()
            .filter_map(|r| RightKind::parse(&r.kind))
            .collect(),
        respondents: parties.iter().filter(|p| p.role == "respondent").count(),
        standing: v.case.complainant_standing.clone(),
        past_close: exhibition_closes(&v.case.facts).is_some_and(|t| t <= store::now()),
    };
    let may_work = v.works(me, CaseAction::Work);
    Ok(Situation {
        visible: v,
        queue,
        progress,
        shape,
        events,
        may_work,
    })
}

/// When the case's exhibition closes, from its facts.
fn exhibition_closes(facts: &str) -> Option<DateTime<Utc>> {
    let v: Value = serde_json::from_str(facts).ok()?;
    let t = v.pointer("/exhibition/closes_at")?.as_str()?;
    Some(DateTime::parse_from_rfc3339(t).ok()?.with_timezone(&Utc))
}

/// Whether `me` is who `spec` needs: approvals and the panel's steps are the owning office's
/// (`CaseAction::Decide`), by a supervisor or a member of the panel.
fn is_who(me: &Identity, spec: &Spec, s: &Situation) -> bool {
    let owner = || s.visible.works(me, CaseAction::Decide);
    match spec.who {
        Who::Worker => true,
        Who::Supervisor => me.role() == Role::Supervisor && owner(),
        Who::Panel => {
            owner() && (me.role() == Role::Supervisor || s.progress.panel.contains(&me.user.id))
        }
    }
}

/// The actions this user may take on case `id` now.
pub async fn options(db: &Db, me: &Identity, id: i64) -> Result<Options> {
    let s = situation(db, me, id).await?;
    let actions: Vec<&'static Spec> = if s.may_work && s.queue != Queue::Triage {
        workflow::specs(s.queue)
            .iter()
            .filter(|spec| {
                is_who(me, spec, &s)
                    && workflow::allowed(
                        s.queue,
                        spec,
                        &s.visible.case.state,
                        &s.progress,
                        &s.shape,
                    )
                    .is_ok()
            })
            .collect()
    } else {
        Vec::new()
    };
    let needs = |k: Kind| actions.iter().any(|a| a.fields.iter().any(|f| f.kind == k));
    let staff = if needs(Kind::Users) {
        store::workflow::staff(db.conn(), s.visible.case.owner_org_id).await?
    } else {
        Vec::new()
    };
    let experts = if needs(Kind::Id) {
        store::workflow::experts(db.conn()).await?
    } else {
        Vec::new()
    };
    let offices = if needs(Kind::Office) {
        other_offices(db, s.visible.case.owner_org_id).await?
    } else {
        Vec::new()
    };
    Ok(Options {
        situation: s,
        actions,
        staff,
        experts,
        offices,
    })
}

/// Offices other than `owner` (enterprises excluded), by name.
async fn other_offices(db: &Db, owner: i64) -> Result<Vec<entity::organizations::Model>> {
    Ok(store::orgs::list(db.conn())
        .await?
        .into_iter()
        .filter(|o| o.kind != "enterprise" && o.id != owner)
        .collect())
}

/// Takes one workflow action on case `id`.
pub async fn act(
    db: &Db,
    calendars: &Calendars,
    me: &Identity,
    id: i64,
    req: ActionRequest,
    meta: &RequestMeta,
) -> Result<Moved> {
    let s = situation(db, me, id).await?;
    if !s.may_work {
        return Err(AppError::forbidden());
    }
    if s.queue == Queue::Triage {
        return Err(AppError::Conflict(Msg::new("error.workflow.in_triage")));
    }
    let spec = workflow::spec(s.queue, req.action.trim())
        .ok_or_else(|| AppError::field("action", "error.workflow.action"))?;
    if !is_who(me, spec, &s) {
        return Err(AppError::forbidden());
    }
    let case = &s.visible.case;
    workflow::allowed(s.queue, spec, &case.state, &s.progress, &s.shape)
        .map_err(|k| AppError::Conflict(Msg::new(k).arg("state", &case.state)))?;
    let version = req
        .expected_version
        .ok_or_else(|| AppError::field("expected_version", "error.case.expected_version"))?;
    let version = super::cases::settle_version(db, case, version).await?;
    let now = store::now();
    let mut errors = Vec::new();
    let at = when(req.at.as_deref(), &s.events, now)
        .map_err(|e| errors.push(e))
        .ok();
    let (values, field_errors) = fields::check_all(spec.fields, &req.fields);
    errors.extend(field_errors);
    if let Some(at) = at {
        // Checks across fields report only on fields that are fine on their own.
        let mut more = workflow::check_values(s.queue, spec, &values, &s.progress, &s.shape);
        more.extend(check_with_data(db, &calendars.current(), &s, spec, &values, at).await?);
        more.retain(|m| !errors.iter().any(|e| e.field == m.field));
        errors.extend(more);
    }
    // In the order of the form.
    errors.sort_by_key(|e| spec.fields.iter().position(|f| f.name == e.field));
    let (Some(at), true) = (at, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    workflow::conflict(s.queue, spec, &values, &s.shape)
        .map_err(|k| AppError::Conflict(Msg::new(k)))?;
    if version != case.version {
        return Err(stale());
    }
    let t = workflow::apply(s.queue, spec, &case.state, &s.progress, &values);
    let mut payload = values.to_json();
    payload["action"] = json!(spec.name);
    if spec.name == "suspend" {
        payload["from_state"] = json!(case.state);
    }
    let events = t
        .events
        .iter()
        .map(|kind| NewEvent {
            kind: kind.to_string(),
            at,
            actor_user_id: Some(me.user.id),
            actor_org_id: Some(me.org.id),
            // The start event of a converted case's ruling clocks is bookkeeping.
            public: spec.public && *kind != "request_received",
            payload: payload.clone(),
        })
        .collect();
    let change = Change {
        queue: (t.queue != s.queue).then(|| t.queue.as_str().to_string()),
        state: Some(t.state.clone()),
        closed_at: t.closes.then_some(Some(now)),
        // A lead transferred to another office (an upheld jurisdiction objection).
        referred_to_org_id: t
            .events
            .contains(&"referred")
            .then(|| values.int("to_org_id")),
        ..Default::default()
    };
    let txn = db.begin_write().await?;
    let moved = write_events(&txn, calendars, &s.visible, events, change, now).await?;
    let entry = audit_entry(
        Some(&me.user),
        meta,
        &format!("workflow.{}", spec.name),
        ("case", case.number.clone()),
        &json!(req),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(moved)
}

/// When the step happened: `at` (RFC 3339 or local Beijing time), or now. Never in the future
/// (beyond a few minutes of clock skew) and never before the case's last event.
fn when(
    at: Option<&str>,
    events: &[case_events::Model],
    now: DateTime<Utc>,
) -> std::result::Result<DateTime<Utc>, FieldError> {
    let at = match at.map(str::trim).filter(|s| !s.is_empty()) {
        None => now,
        Some(s) => crate::domain::case::intake::parse_instant(s, &beijing())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| FieldError::new("at", "error.workflow.instant"))?,
    };
    if at > now + TimeDelta::minutes(5) {
        return Err(FieldError::new("at", "error.workflow.at_future"));
    }
    if events.last().is_some_and(|e| at < e.at) {
        return Err(FieldError::new("at", "error.workflow.at_before_last"));
    }
    Ok(at)
}

/// Checks that need the database or the calendar: panel members, the expert, the hearing notice.
async fn check_with_data(
    db: &Db,
    cal: &Calendar,
    s: &Situation,
    spec: &Spec,
    values: &Values,
    at: DateTime<Utc>,
) -> Result<Vec<FieldError>> {
    let mut errors = Vec::new();
    if spec.fields.iter().any(|f| f.kind == Kind::Users) {
        let staff = store::workflow::staff(db.conn(), s.visible.case.owner_org_id).await?;
        for f in spec.fields.iter().filter(|f| f.kind == Kind::Users) {
            if values
                .ints(f.name)
                .iter()
                .any(|id| !staff.iter().any(|u| u.id == *id))
            {
                errors.push(FieldError::new(f.name, "error.workflow.panel_member"));
            }
        }
    }
    for f in spec.fields.iter().filter(|f| f.kind == Kind::Office) {
        if let Some(org) = values.int(f.name) {
            let offices = other_offices(db, s.visible.case.owner_org_id).await?;
            if !offices.iter().any(|o| o.id == org) {
                errors.push(FieldError::new(f.name, "error.triage.refer_target"));
            }
        }
    }
    if let Some(expert) = values.int("expert_id")
        && !store::workflow::expert(db.conn(), expert)
            .await?
            .is_some_and(|e| e.active)
    {
        errors.push(FieldError::new("expert_id", "error.workflow.expert"));
    }
    if spec.name == "schedule_hearing"
        && let Some(hearing) = values.instant("hearing_at")
    {
        let notice_day = at.with_timezone(&beijing()).date_naive();
        let hearing_day = hearing.date_naive();
        let between = hearing_day
            .pred_opt()
            .map(|d| cal.working_days_between(notice_day, d))
            .unwrap_or(0);
        if hearing.with_timezone(&Utc) <= at || between < HEARING_NOTICE_WORKING_DAYS {
            errors.push(FieldError {
                field: "hearing_at".into(),
                message: Msg::new("error.workflow.hearing_notice")
                    .arg("days", HEARING_NOTICE_WORKING_DAYS),
            });
        }
    }
    Ok(errors)
}

/// Order 81 Art. 26: parties are told of a hearing at least three working days before it —
/// three whole working days between the day of the notice and the day of the hearing.
pub const HEARING_NOTICE_WORKING_DAYS: u32 = 3;

/// Assigns case `id` to `assignee` (an officer or supervisor of the owning office), or clears
/// the assignment; one `assigned` event. The queue boards assign many cases this way, each at
/// the version the board showed.
pub async fn assign(
    db: &Db,
    calendars: &Calendars,
    me: &Identity,
    id: i64,
    assignee: Option<i64>,
    expected_version: Option<i64>,
    meta: &RequestMeta,
) -> Result<Moved> {
    let s = situation(db, me, id).await?;
    if !s.may_work {
        return Err(AppError::forbidden());
    }
    let case = &s.visible.case;
    if s.queue == Queue::Triage {
        return Err(AppError::Conflict(Msg::new("error.workflow.in_triage")));
    }
    if workflow::is_terminal(&case.state) || case.closed_at.is_some() {
        return Err(AppError::Conflict(Msg::new("error.workflow.finished")));
    }
    let version = expected_version
        .ok_or_else(|| AppError::field("expected_version", "error.case.expected_version"))?;
    let version = super::cases::settle_version(db, case, version).await?;
    let name = match assignee {
        Some(uid) => {
            let staff = store::workflow::staff(db.conn(), case.owner_org_id).await?;
            let u = staff.into_iter().find(|u| u.id == uid).ok_or_else(|| {
                AppError::field("assignee_user_id", "error.workflow.panel_member")
            })?;
            Some(u.display_name)
        }
        None => None,
    };
    if version != case.version {
        return Err(stale());
    }
    let now = store::now();
    let event = NewEvent {
        kind: "assigned".into(),
        at: now,
        actor_user_id: Some(me.user.id),
        actor_org_id: Some(me.org.id),
        public: false,
        payload: json!({"assignee_user_id": assignee, "assignee": name}),
    };
    let change = Change {
        assignee_user_id: Some(assignee),
        ..Default::default()
    };
    let txn = db.begin_write().await?;
    let moved = write_events(&txn, calendars, &s.visible, vec![event], change, now).await?;
    let entry = audit_entry(
        Some(&me.user),
        meta,
        "assignment.change",
        ("case", case.number.clone()),
        &json!({"assignee_user_id": assignee}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(moved)
}
