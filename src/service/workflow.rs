//! Queue workflows: which actions a user may take on a case now (with what each needs), and
//! taking one — its events, the case's state and clocks, the audit entry: one [`CaseWrite`].
//! Assigning a case to an officer is here too.

use super::case::view::{CaseSummary, OrgRef, UserRef};
use super::case::write::expected;
use super::case::{CaseWrite, Moved, Visible, visible};
use super::{Ctx, Identity};
use crate::domain::calendar::Calendar;
use crate::domain::case::{CaseState, EventKind, PartyKey, PartyRole, Queue};
use crate::domain::deadline::State as ClockState;
use crate::domain::identity::Role;
use crate::domain::policy::CaseAction;
use crate::domain::time::{beijing, day_of};
use crate::domain::uscc::Uscc;
use crate::domain::workflow::ruling::{Related, limitation_expired, may_hear_together};
use crate::domain::workflow::{
    self, Kind, Progress, Shape, Spec, Step, Values, Who, fields, progress::Seen,
};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::case_log::EventRow;
use crate::store::cases::CaseRow;
use crate::store::{self, Db};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// `POST /api/v1/cases/{id}/actions` and the case page's action forms: the action, when it
/// happened (default: now), the version the caller saw, and the action's own fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ActionRequest {
    /// The action's name, as `GET /cases/{id}/actions` lists them.
    #[serde(default)]
    #[schema(required = true, value_type = crate::domain::workflow::Step)]
    pub action: String,
    /// When the step happened: RFC 3339 or a Beijing local time `YYYY-MM-DDTHH:MM`; default
    /// now; never in the future, never before the case's last event.
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// The action's own fields, as `GET /cases/{id}/actions` lists them.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub fields: Map<String, Value>,
}

/// A case as the workflow sees it.
struct Situation {
    visible: Visible,
    progress: Progress,
    shape: Shape,
    events: Vec<EventRow>,
}

/// An entry of the experts directory, as a choice of an action's field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpertChoice {
    pub id: i64,
    pub name: String,
    pub organization: String,
    pub fields: String,
    pub languages: String,
}

/// The actions open to a user now, with the choices their fields offer.
pub struct Options {
    pub case: CaseSummary,
    /// Whether this user works the case (by role and access) and it has left triage.
    pub may_work: bool,
    pub actions: Vec<&'static Spec>,
    /// Who may sit on a panel or be named: officers and supervisors of the owning office.
    pub staff: Vec<UserRef>,
    pub experts: Vec<ExpertChoice>,
    /// Offices a lead may be transferred to (not the owner, not enterprises).
    pub offices: Vec<OrgRef>,
}

/// Reads what the workflow needs of a visible case.
async fn situation(db: &Db, v: Visible, now: DateTime<Utc>) -> Result<Situation> {
    let id = v.case().id;
    let events = store::case_log::events(db.conn(), id, false).await?;
    let seen: Vec<Seen> = events
        .iter()
        .map(|e| Seen {
            kind: e.kind,
            payload: &e.payload,
        })
        .collect();
    let progress = Progress::of(&seen);
    let rights = store::case_parts::rights(db.conn(), id).await?;
    let parties = store::case_parts::parties(db.conn(), id).await?;
    let case = v.case();
    // A correction not received by the end of the period the notice set (a correction posted in
    // time stops the clock when it arrives, counted from its posting).
    let correction_lapsed = case.state == CaseState::CorrectionRequested
        && store::case_log::clocks(db.conn(), id)
            .await?
            .iter()
            .any(|c| c.rule_id == "ar.correction" && c.state != ClockState::Met && c.due_at <= now);
    let shape = Shape {
        rights: rights.iter().map(|r| r.kind).collect(),
        respondents: parties
            .iter()
            .filter(|p| p.role == crate::domain::case::PartyRole::Respondent)
            .count(),
        standing: case.standing,
        past_close: case
            .facts
            .exhibition
            .as_ref()
            .is_some_and(|e| e.closes_at.to_utc() <= now),
        correction_lapsed,
    };
    Ok(Situation {
        visible: v,
        progress,
        shape,
        events,
    })
}

/// Whether `me` is who `spec` needs: approvals and the panel's steps are the owning office's
/// (`CaseAction::Decide`), by a supervisor or a member of the panel.
fn is_who(me: &Identity, spec: &Spec, s: &Situation) -> bool {
    let owner = || s.visible.may(me, CaseAction::Decide);
    match spec.who {
        Who::Worker => true,
        Who::Supervisor => me.role() == Role::Supervisor && owner(),
        Who::Panel => {
            owner() && (me.role() == Role::Supervisor || s.progress.panel.contains(&me.user.id))
        }
    }
}

/// The actions this user may take on case `id` now.
pub async fn options(cx: &Ctx, me: &Identity, id: i64) -> Result<Options> {
    let v = visible(&cx.db, me, id).await?;
    let may_work = v.may(me, CaseAction::Work);
    let s = situation(&cx.db, v, cx.now).await?;
    let case = s.visible.case();
    let actions: Vec<&'static Spec> = if may_work {
        workflow::specs(case.queue)
            .iter()
            .filter(|spec| {
                is_who(me, spec, &s)
                    && workflow::allowed(case.queue, spec, case.state, &s.progress, &s.shape)
                        .is_ok()
            })
            .collect()
    } else {
        Vec::new()
    };
    let needs = |k: Kind| actions.iter().any(|a| a.fields.iter().any(|f| f.kind == k));
    let staff = if needs(Kind::Users) {
        staff(&cx.db, case.owner_org_id).await?
    } else {
        Vec::new()
    };
    let experts = if needs(Kind::Id) {
        store::workflow::experts(cx.db.conn())
            .await?
            .into_iter()
            .map(|e| ExpertChoice {
                id: e.id,
                name: e.name,
                organization: e.organization,
                fields: e.fields,
                languages: e.languages,
            })
            .collect()
    } else {
        Vec::new()
    };
    let offices = if needs(Kind::Office) {
        super::cases::other_offices(&cx.db, case.owner_org_id).await?
    } else {
        Vec::new()
    };
    Ok(Options {
        case: CaseSummary::from(case),
        may_work,
        actions,
        staff,
        experts,
        offices,
    })
}

/// The action `name` of the queue case `id` is in, when `me` may see the case (a form reads its
/// fields by it).
pub async fn spec_of(cx: &Ctx, me: &Identity, id: i64, name: &str) -> Option<&'static Spec> {
    let v = visible(&cx.db, me, id).await.ok()?;
    workflow::spec(v.case().queue, name)
}

/// The officers and supervisors of an office, by name.
pub async fn staff(db: &Db, org_id: i64) -> Result<Vec<UserRef>> {
    Ok(store::workflow::staff(db.conn(), org_id)
        .await?
        .into_iter()
        .map(|u| UserRef {
            id: u.id,
            name: u.display_name,
        })
        .collect())
}

/// Takes one workflow action on case `id`.
pub async fn act(cx: &Ctx, me: &Identity, id: i64, req: ActionRequest) -> Result<Moved> {
    let granted = visible(&cx.db, me, id)
        .await?
        .authorize(me, CaseAction::Work)?;
    let case = granted.case();
    let spec = workflow::spec(case.queue, req.action.trim());
    // A lead has triage decisions, not steps (but for what an exhibition's close left owing).
    if case.queue == Queue::Triage && spec.is_none() {
        return Err(AppError::Conflict(Msg::new("error.workflow.in_triage")));
    }
    let spec = spec.ok_or_else(|| AppError::field("action", "error.workflow.action"))?;
    let s = situation(&cx.db, granted.visible().clone(), cx.now).await?;
    if !is_who(me, spec, &s) {
        return Err(AppError::forbidden());
    }
    workflow::allowed(case.queue, spec, case.state, &s.progress, &s.shape)
        .map_err(|k| AppError::Conflict(Msg::new(k).arg("state", case.state.as_str())))?;
    let version = expected(req.expected_version)?;
    let mut errors = Vec::new();
    // The case to hear together with this one (Art. 21), found once.
    let mut joined = None;
    let at = when(req.at.as_deref(), &s.events, cx.now)
        .map_err(|e| errors.push(e))
        .ok();
    let (values, field_errors) = fields::check_all(spec.fields, &req.fields);
    errors.extend(field_errors);
    if let Some(at) = at {
        // Checks across fields report only on fields that are fine on their own.
        let mut more = workflow::check_values(case.queue, spec, &values, &s.progress, &s.shape);
        more.extend(check_with_data(&cx.db, &cx.time.calendar(), &s, spec, &values, at).await?);
        if spec.name == Step::HearTogether
            && let Some(number) = values.text("related_number")
        {
            match heard_with(&cx.db, &s, number).await? {
                Ok(other) => joined = Some(other),
                Err(key) => more.push(FieldError::new("related_number", key)),
            }
        }
        more.retain(|m| !errors.iter().any(|e| e.field == m.field));
        errors.extend(more);
    }
    // In the order of the form.
    errors.sort_by_key(|e| spec.fields.iter().position(|f| f.name == e.field));
    let (Some(at), true) = (at, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    workflow::conflict(case.queue, spec, &values, &s.shape)
        .map_err(|k| AppError::Conflict(Msg::new(k)))?;
    let t = workflow::apply(case.queue, spec, case.state, &s.progress, &values);
    let closes_at = case.facts.exhibition.as_ref().map(|e| e.closes_at);
    let mut w = CaseWrite::begin(cx, &granted, version).await?;
    for (kind, public, mut payload) in
        workflow::recorded(spec, &t, &values, case.state, closes_at, at)
    {
        // The case heard together with this one is named on both (Art. 21).
        if let Some(other) = &joined {
            payload["related_case_id"] = json!(other.id);
        }
        w.record_at(kind, at, public, payload);
    }
    if let Some(other) = &joined {
        let note = json!({"action": spec.name, "related_case_id": case.id,
                          "related_number": case.number, "reason": values.text("reason")});
        w.note_on(other.id, EventKind::HeardTogether, note).await?;
    }
    if spec.name == Step::AddParty
        && let (Some(role), Some(name)) = (
            values.text("role").and_then(PartyRole::parse),
            values.text("name"),
        )
    {
        let uscc = values
            .text("uscc")
            .and_then(|c| Uscc::parse(c).ok())
            .map(|u| u.as_str().to_string());
        store::case_parts::add_party(
            w.txn(),
            case.id,
            role,
            name,
            uscc.as_deref(),
            values.text("address"),
        )
        .await?;
    }
    let change = w.change();
    change.queue = (t.queue != case.queue).then_some(t.queue);
    change.state = Some(t.state);
    change.closed_at = if t.closes {
        Some(Some(cx.now))
    } else if case.state.is_final() {
        // A closed case whose ruling is changed (Art. 33) is open again until it closes anew.
        Some(None)
    } else {
        None
    };
    // A lead transferred to another office (an upheld jurisdiction objection).
    change.referred_to_org_id = t
        .events
        .contains(&EventKind::Referred)
        .then(|| values.int("to_org_id"));
    w.commit(&format!("workflow.{}", spec.name), &json!(req))
        .await
}

/// When the step happened: `at` (RFC 3339 or local Beijing time), or now. Never in the future
/// (beyond a few minutes of clock skew) and never before the case's last event. "Now" is the
/// request's instant, or the last event's if another writer recorded one since the request
/// began (the version check then decides whether the step still applies).
fn when(
    at: Option<&str>,
    events: &[EventRow],
    now: DateTime<Utc>,
) -> std::result::Result<DateTime<Utc>, FieldError> {
    let last = events.last().map(|e| e.at);
    let at = match at.map(str::trim).filter(|s| !s.is_empty()) {
        None => return Ok(last.map_or(now, |l| l.max(now))),
        Some(s) => crate::domain::case::intake::parse_instant(s, &beijing())
            .map(|t| t.to_utc())
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
    let owner = s.visible.case().owner_org_id;
    if spec.fields.iter().any(|f| f.kind == Kind::Users) {
        let staff = staff(db, owner).await?;
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
            let offices = super::cases::other_offices(db, owner).await?;
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
    // A party added to the case has a valid credit code when one is given.
    if spec.name == Step::AddParty
        && let Some(code) = values.text("uscc")
        && let Err(e) = Uscc::parse(code)
    {
        errors.push(FieldError::new("uscc", e.message_key()));
    }
    // Art. 19: the three-year limit, counted to the filing of the request.
    if spec.name == Step::Docket
        && let Some(known) = values.instant("infringement_known_at")
    {
        if known.to_utc() > at {
            errors.push(FieldError::new(
                "infringement_known_at",
                "error.workflow.known_later",
            ));
        } else if limitation_expired(
            known,
            s.visible.case().received_at,
            values.flag("continuing"),
        ) {
            errors.push(FieldError::new(
                "infringement_known_at",
                "error.workflow.limitation",
            ));
        }
    }
    // A party's filing is posted before it arrives (民事诉讼法 Art. 85 counts the posting).
    if values.instant("posted_at").is_some_and(|p| p.to_utc() > at) {
        errors.push(FieldError::new("posted_at", "error.workflow.posted_after"));
    }
    if values
        .instant("request_received_at")
        .is_some_and(|r| r.to_utc() > at || r.to_utc() < s.visible.case().received_at)
    {
        errors.push(FieldError::new(
            "request_received_at",
            "error.workflow.request_received_outside",
        ));
    }
    if matches!(spec.name, Step::ScheduleHearing | Step::PostponeHearing)
        && let Some(hearing) = values.instant("hearing_at")
    {
        let notice_day = day_of(at);
        let hearing_day = hearing.date_naive();
        let between = hearing_day
            .pred_opt()
            .map(|d| cal.working_days_between(notice_day, d))
            .unwrap_or(0);
        if hearing.to_utc() <= at || between < HEARING_NOTICE_WORKING_DAYS {
            errors.push(FieldError {
                field: "hearing_at".into(),
                message: Msg::new("error.workflow.hearing_notice")
                    .arg("days", HEARING_NOTICE_WORKING_DAYS),
            });
        }
    }
    Ok(errors)
}

/// The case numbered `number` that `s`'s case may be heard together with (Art. 21): another
/// open ruling case of the same office, not yet joined to it, that asserts the same patent or is
/// against the same respondent. The error is the field message.
async fn heard_with(
    db: &Db,
    s: &Situation,
    number: &str,
) -> Result<std::result::Result<CaseRow, &'static str>> {
    let case = s.visible.case();
    let Some(other) = store::cases::find_by_number(db.conn(), number.trim()).await? else {
        return Ok(Err("error.workflow.related_unknown"));
    };
    if other.id == case.id {
        return Ok(Err("error.workflow.related_self"));
    }
    if other.owner_org_id != case.owner_org_id
        || other.queue != Queue::AdministrativeRuling
        || other.state.is_final()
    {
        return Ok(Err("error.workflow.related_not_open"));
    }
    if s.progress.heard_together.contains(&other.id) {
        return Ok(Err("error.workflow.related_already"));
    }
    let related = |id: i64| async move {
        let rights = store::case_parts::rights(db.conn(), id).await?;
        let parties = store::case_parts::parties(db.conn(), id).await?;
        Ok::<_, AppError>(Related {
            patents: rights.into_iter().filter_map(|r| r.number).collect(),
            respondents: parties
                .into_iter()
                .filter(|p| p.role == PartyRole::Respondent)
                .map(|p| PartyKey {
                    uscc: p.uscc,
                    name: p.name,
                })
                .collect(),
        })
    };
    if !may_hear_together(&related(case.id).await?, &related(other.id).await?) {
        return Ok(Err("error.workflow.related_unrelated"));
    }
    Ok(Ok(other))
}

/// Order 81 Art. 26: parties are told of a hearing at least three working days before it —
/// three whole working days between the day of the notice and the day of the hearing.
pub const HEARING_NOTICE_WORKING_DAYS: u32 = 3;

/// Assigns case `id` to `assignee` (an officer or supervisor of the owning office), or clears
/// the assignment; one `assigned` event. The queue boards assign many cases this way, each at
/// the version the board showed.
pub async fn assign(
    cx: &Ctx,
    me: &Identity,
    id: i64,
    assignee: Option<i64>,
    expected_version: Option<i64>,
) -> Result<Moved> {
    let granted = visible(&cx.db, me, id)
        .await?
        .authorize(me, CaseAction::Work)?;
    let case = granted.case();
    if case.queue == Queue::Triage {
        return Err(AppError::Conflict(Msg::new("error.workflow.in_triage")));
    }
    if case.state.is_final() || case.closed_at.is_some() {
        return Err(AppError::Conflict(Msg::new("error.workflow.finished")));
    }
    let version = expected(expected_version)?;
    let name = match assignee {
        Some(uid) => {
            let staff = staff(&cx.db, case.owner_org_id).await?;
            let u = staff.into_iter().find(|u| u.id == uid).ok_or_else(|| {
                AppError::field("assignee_user_id", "error.workflow.panel_member")
            })?;
            Some(u.name)
        }
        None => None,
    };
    let mut w = CaseWrite::begin(cx, &granted, version).await?;
    w.record(
        EventKind::Assigned,
        false,
        json!({"assignee_user_id": assignee, "assignee": name}),
    );
    w.change().assignee_user_id = Some(assignee);
    w.commit("assignment.change", &json!({"assignee_user_id": assignee}))
        .await
}
