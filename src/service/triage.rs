//! Triage (route, refer, reject, merge), answers to referrals, and sharing between offices.
//! Each is one transaction: events appended at the expected version, state columns updated,
//! clocks recomputed, audit entry written.

use super::calendar::Calendars;
use super::cases::{Visible, settle_version, visible};
use super::{Identity, RequestMeta, audit_entry, optional};
use crate::domain::case::intake::{self, Facts};
use crate::domain::case::triage::{self, Decision, REJECT_REASONS};
use crate::domain::case::{
    MatchKeys, Queue, RightKind, ShareAccess, normalise_name, normalise_url,
};
use crate::domain::policy::{CaseAccess, CaseAction};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::cases::{Change, NewEvent};
use crate::store::{self, Db};
use chrono::{DateTime, Utc};
use entity::cases;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `POST /api/v1/cases/{id}/triage` and the workbench form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TriageRequest {
    /// `route` | `refer` | `reject` | `merge`.
    pub action: String,
    pub queue: Option<String>,
    pub to_org_id: Option<i64>,
    /// For `reject`: one of [`REJECT_REASONS`]; free text goes in `reason`.
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub into_case_id: Option<i64>,
    /// Facts the target queue needs, when the lead lacked them.
    pub exhibition: Option<intake::ExhibitionInput>,
    pub overseas: Option<intake::OverseasInput>,
    pub expected_version: Option<i64>,
}

/// `POST /api/v1/cases/{id}/referral`: the receiving office's answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReferralAnswer {
    /// `acknowledge` | `return`.
    pub action: String,
    pub reason: Option<String>,
    pub expected_version: Option<i64>,
}

/// `POST /api/v1/cases/{id}/shares`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ShareRequest {
    pub org_id: Option<i64>,
    /// `read` | `contribute`.
    pub access: String,
    pub expected_version: Option<i64>,
}

/// A case after a write.
#[derive(Debug, Clone)]
pub struct Moved {
    pub id: i64,
    pub version: i64,
    pub queue: String,
    pub state: String,
}

fn expected(v: Option<i64>) -> Result<i64> {
    v.ok_or_else(|| AppError::field("expected_version", "error.case.expected_version"))
}

pub(crate) fn stale() -> AppError {
    AppError::Conflict(Msg::new("error.case.stale"))
}

fn reason_text(errors: &mut Vec<FieldError>, r: Option<&str>, required: bool) -> Option<String> {
    let r = optional(
        r.map(crate::domain::contact::normalise_multiline)
            .as_deref(),
    );
    match &r {
        None if required => errors.push(FieldError::new("reason", "error.required")),
        Some(t) if t.chars().count() > 1000 => {
            errors.push(FieldError::new("reason", "error.text.too_long"))
        }
        Some(t) if crate::domain::contact::has_control_multiline(t) => {
            errors.push(FieldError::new("reason", "error.text.control"))
        }
        _ => {}
    }
    r
}

/// Performs a triage decision on a case waiting for triage.
pub async fn decide(
    db: &Db,
    calendars: &Calendars,
    me: &Identity,
    id: i64,
    req: TriageRequest,
    meta: &RequestMeta,
) -> Result<Moved> {
    let v = visible(db, me, id).await?;
    // Whether this user could triage the case at all; the state is checked after the fields.
    let mut as_if_pending = v.facts.clone();
    as_if_pending.awaiting_triage = true;
    if !crate::domain::policy::can_on_case(&me.actor, v.access, &as_if_pending, CaseAction::Triage)
    {
        return Err(AppError::forbidden());
    }
    let mut errors = Vec::new();
    let mut events: Vec<(String, bool, Value)> = Vec::new();
    let mut change = Change::default();
    let decision = match req.action.as_str() {
        "route" => match req.queue.as_deref().and_then(Queue::parse) {
            Some(q) if q != Queue::Triage => Decision::Route(q),
            _ => {
                errors.push(FieldError::new("queue", "error.triage.route_target"));
                Decision::Route(Queue::Triage)
            }
        },
        "refer" => Decision::Refer,
        "reject" => Decision::Reject,
        "merge" => Decision::Merge,
        _ => return Err(AppError::field("action", "error.triage.action")),
    };
    let version = settle_version(db, &v.case, expected(req.expected_version)?).await?;
    let mut payload = json!({});
    let mut merge_target: Option<cases::Model> = None;
    let mut handover: Option<i64> = None;
    match &decision {
        Decision::Route(q) => {
            let facts = route_facts(db, &v.case, *q, &req, &mut errors).await?;
            if let Some(f) = facts {
                change.facts = Some(serde_json::to_string(&f).unwrap_or_else(|_| "{}".into()));
            }
            payload = json!({"queue": q.as_str()});
            // Queues are worked by IP offices: a lead owned by an industry office or a centre
            // moves to the IP office of its region, and the previous owner keeps reading it.
            let owner = store::orgs::get(db.conn(), v.case.owner_org_id).await?;
            if owner.as_ref().is_some_and(|o| o.kind != "ip_office")
                && let Some(ip) =
                    store::orgs::serving_office(db.conn(), &v.case.region_code).await?
                && ip.kind == "ip_office"
            {
                change.owner_org_id = Some(ip.id);
                payload["owner_org_id"] = json!(ip.id);
                payload["owner"] = json!(ip.name);
                handover = Some(v.case.owner_org_id);
            }
        }
        Decision::Refer => {
            let reason = reason_text(&mut errors, req.reason.as_deref(), true);
            let to = match req.to_org_id {
                Some(o) => store::orgs::get(db.conn(), o).await?,
                None => None,
            };
            match &to {
                Some(o) if o.kind != "enterprise" && o.id != v.case.owner_org_id => {}
                _ => errors.push(FieldError::new("to_org_id", "error.triage.refer_target")),
            }
            if let Some(o) = to {
                change.referred_to_org_id = Some(Some(o.id));
                payload = json!({"to_org_id": o.id, "to_org": o.name, "reason": reason});
            }
        }
        Decision::Reject => {
            let code = req.reason_code.as_deref().unwrap_or("").trim();
            if !REJECT_REASONS.contains(&code) {
                errors.push(FieldError::new("reason_code", "error.triage.reject_reason"));
            }
            let reason = reason_text(&mut errors, req.reason.as_deref(), code == "other");
            payload = json!({"reason_code": code, "reason": reason});
        }
        Decision::Merge => {
            let target = match req.into_case_id {
                Some(t) if t != id => visible(db, me, t).await.ok(),
                _ => None,
            };
            match target {
                Some(t) if t.case.closed_at.is_none() => {
                    change.merged_into_case_id = Some(Some(t.case.id));
                    payload = json!({"into_case_id": t.case.id, "into_number": t.case.number});
                    merge_target = Some(t.case);
                }
                _ => errors.push(FieldError::new("into_case_id", "error.triage.merge_target")),
            }
        }
        _ => {}
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let t = triage::apply(&v.case.queue, &v.case.state, false, &decision)
        .map_err(|k| AppError::Conflict(Msg::new(k)))?;
    if version != v.case.version {
        return Err(stale());
    }
    let now = store::now();
    for (i, kind) in t.events.iter().enumerate() {
        // The first event is the decision, shown to the filer; a queue's start event is internal.
        events.push((
            kind.to_string(),
            i == 0,
            if i == 0 { payload.clone() } else { json!({}) },
        ));
    }
    if v.case.filer_org_id.is_some() {
        events.push(("filer_notified".into(), false, json!({"channel": "in_app"})));
    }
    change.queue = Some(t.queue.as_str().into());
    change.state = Some(t.state.into());
    if t.closes {
        change.closed_at = Some(Some(now));
    }
    let owner_after = change.owner_org_id.unwrap_or(v.case.owner_org_id);
    let facts_after: Value = serde_json::from_str(change.facts.as_deref().unwrap_or(&v.case.facts))
        .unwrap_or(Value::Null);
    let txn = db.begin_write().await?;
    let moved = write(&txn, calendars, me, &v, events, change, now).await?;
    if decision == Decision::Route(Queue::ExhibitionEnforcement) {
        super::exhibitions::link(&txn, id, owner_after, &facts_after, now).await?;
    }
    if let Some(previous) = handover {
        store::cases::revoke_shares(&txn, id, previous, me.user.id, now).await?;
        store::cases::insert_share(&txn, id, previous, "read", me.user.id, now).await?;
    }
    if let Some(target) = merge_target {
        // The surviving case records what was merged into it.
        let fresh = store::cases::find(&txn, target.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let new_version = store::cases::append_events(
            &txn,
            fresh.id,
            fresh.version,
            vec![NewEvent {
                kind: "duplicate_merged".into(),
                at: now,
                actor_user_id: Some(me.user.id),
                actor_org_id: Some(me.org.id),
                public: false,
                payload: json!({"from_case_id": v.case.id, "from_number": v.case.number}),
            }],
            now,
        )
        .await
        .map_err(|_| stale())?;
        if !store::cases::update(
            &txn,
            fresh.id,
            fresh.version,
            new_version,
            Change::default(),
            now,
        )
        .await?
        {
            return Err(stale());
        }
    }
    let entry = audit_entry(
        Some(&me.user),
        meta,
        &format!("triage.{}", req.action),
        ("case", v.case.number.clone()),
        &json!(req),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(moved)
}

/// Checks that the case has what `queue` needs; returns updated facts when the request adds them.
async fn route_facts(
    db: &Db,
    case: &cases::Model,
    queue: Queue,
    req: &TriageRequest,
    errors: &mut Vec<FieldError>,
) -> Result<Option<Facts>> {
    let mut facts: Facts = serde_json::from_str(&case.facts).unwrap_or_default();
    let mut changed = false;
    // Facts supplied with the decision are validated as at intake.
    if req.exhibition.is_some() || req.overseas.is_some() {
        match intake::validate_facts(req.exhibition.as_ref(), req.overseas.as_ref()) {
            Ok(found) => {
                if let Some(e) = found.exhibition {
                    facts.exhibition = Some(e);
                    changed = true;
                }
                if let Some(o) = found.overseas {
                    facts.overseas = Some(o);
                    changed = true;
                }
            }
            Err(errs) => errors.extend(errs),
        }
    }
    match queue {
        Queue::ExhibitionEnforcement if facts.exhibition.is_none() => errors.push(FieldError::new(
            "exhibition.name",
            "error.triage.needs_exhibition",
        )),
        Queue::OverseasAssistance if facts.overseas.is_none() => errors.push(FieldError::new(
            "overseas.country",
            "error.triage.needs_overseas",
        )),
        Queue::AdministrativeRuling => {
            let rights = store::cases::rights(db.conn(), case.id).await?;
            let patent = rights
                .iter()
                .any(|r| RightKind::parse(&r.kind).is_some_and(RightKind::is_patent));
            if !patent {
                errors.push(FieldError::new("queue", "error.triage.needs_patent"));
            }
        }
        _ => {}
    }
    Ok(changed.then_some(facts))
}

/// Appends `events` at the caller's expected version, updates the case, recomputes its clocks.
pub(crate) async fn write(
    txn: &sea_orm::DatabaseTransaction,
    calendars: &Calendars,
    me: &Identity,
    v: &Visible,
    events: Vec<(String, bool, Value)>,
    change: Change,
    now: DateTime<Utc>,
) -> Result<Moved> {
    let new_events = events
        .into_iter()
        .map(|(kind, public, payload)| NewEvent {
            kind,
            at: now,
            actor_user_id: Some(me.user.id),
            actor_org_id: Some(me.org.id),
            public,
            payload,
        })
        .collect();
    write_events(txn, calendars, v, new_events, change, now).await
}

/// Appends `new_events` at the case's version as read in `v`, applies `change`, recomputes the
/// clocks; a writer that moved the case first makes this a stale write (409).
pub(crate) async fn write_events(
    txn: &sea_orm::DatabaseTransaction,
    calendars: &Calendars,
    v: &Visible,
    new_events: Vec<NewEvent>,
    change: Change,
    now: DateTime<Utc>,
) -> Result<Moved> {
    let queue = change.queue.clone().unwrap_or_else(|| v.case.queue.clone());
    let state = change.state.clone().unwrap_or_else(|| v.case.state.clone());
    let version = store::cases::append_events(txn, v.case.id, v.case.version, new_events, now)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => stale(),
            _ => AppError::from(e),
        })?;
    if !store::cases::update(txn, v.case.id, v.case.version, version, change, now).await? {
        return Err(stale());
    }
    refresh_clocks(txn, calendars, v.case.id, now).await?;
    Ok(Moved {
        id: v.case.id,
        version,
        queue,
        state,
    })
}

/// Recomputes and stores the clocks of a case from its events.
pub async fn refresh_clocks(
    txn: &sea_orm::DatabaseTransaction,
    calendars: &Calendars,
    case_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let rows = store::cases::events(txn, case_id, false).await?;
    let events = super::clocks::engine_events(&rows);
    let clocks = super::clocks::compute(&events, &calendars.current(), now);
    store::cases::replace_clocks(txn, case_id, clocks, now).await?;
    Ok(())
}

/// The receiving office acknowledges a referral, or returns it with a reason.
pub async fn answer_referral(
    db: &Db,
    calendars: &Calendars,
    me: &Identity,
    id: i64,
    req: ReferralAnswer,
    meta: &RequestMeta,
) -> Result<Moved> {
    let v = visible(db, me, id).await?;
    if !v.can(me, CaseAction::AnswerReferral) {
        return Err(AppError::forbidden());
    }
    let mut errors = Vec::new();
    let decision = match req.action.as_str() {
        "acknowledge" => Decision::AcknowledgeReferral,
        "return" => Decision::ReturnReferral,
        _ => return Err(AppError::field("action", "error.referral.action")),
    };
    let reason = reason_text(
        &mut errors,
        req.reason.as_deref(),
        decision == Decision::ReturnReferral,
    );
    let version = settle_version(db, &v.case, expected(req.expected_version)?).await?;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let acknowledged = store::cases::events(db.conn(), id, false)
        .await?
        .iter()
        .rev()
        .take_while(|e| e.kind != "referred")
        .any(|e| e.kind == "referral_acknowledged");
    let t = triage::apply(&v.case.queue, &v.case.state, acknowledged, &decision)
        .map_err(|k| AppError::Conflict(Msg::new(k)))?;
    if version != v.case.version {
        return Err(stale());
    }
    let mut change = Change {
        queue: Some(t.queue.as_str().into()),
        state: Some(t.state.into()),
        ..Default::default()
    };
    if decision == Decision::ReturnReferral {
        change.referred_to_org_id = Some(None);
    }
    let now = store::now();
    let events = t
        .events
        .iter()
        .map(|k| {
            (
                k.to_string(),
                true,
                json!({"org": me.org.name, "reason": reason}),
            )
        })
        .collect();
    let txn = db.begin_write().await?;
    let moved = write(&txn, calendars, me, &v, events, change, now).await?;
    let entry = audit_entry(
        Some(&me.user),
        meta,
        &format!("referral.{}", req.action),
        ("case", v.case.number.clone()),
        &json!(req),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(moved)
}

/// Shares a case with another office (or changes the access of an existing share).
pub async fn share(
    db: &Db,
    calendars: &Calendars,
    me: &Identity,
    id: i64,
    req: ShareRequest,
    meta: &RequestMeta,
) -> Result<Moved> {
    let v = visible(db, me, id).await?;
    if !v.can(me, CaseAction::Share) {
        return Err(AppError::forbidden());
    }
    let mut errors = Vec::new();
    let access = ShareAccess::parse(req.access.trim());
    if access.is_none() {
        errors.push(FieldError::new("access", "error.share.access"));
    }
    let org = match req.org_id {
        Some(o) => store::orgs::get(db.conn(), o).await?,
        None => None,
    };
    match &org {
        Some(o) if o.kind != "enterprise" && o.id != v.case.owner_org_id => {}
        _ => errors.push(FieldError::new("org_id", "error.share.org")),
    }
    let (Some(access), Some(org), true) = (access, org, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    if let Some(e) = req.expected_version
        && settle_version(db, &v.case, e).await? != v.case.version
    {
        return Err(stale());
    }
    let now = store::now();
    let txn = db.begin_write().await?;
    store::cases::revoke_shares(&txn, id, org.id, me.user.id, now).await?;
    store::cases::insert_share(&txn, id, org.id, access.as_str(), me.user.id, now).await?;
    let events = vec![(
        "shared".to_string(),
        false,
        json!({"org_id": org.id, "org": org.name, "access": access.as_str()}),
    )];
    let moved = write(&txn, calendars, me, &v, events, Change::default(), now).await?;
    let entry = audit_entry(
        Some(&me.user),
        meta,
        "share.grant",
        ("case", v.case.number.clone()),
        &json!(req),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(moved)
}

/// Revokes the share of a case with an office.
pub async fn revoke_share(
    db: &Db,
    calendars: &Calendars,
    me: &Identity,
    id: i64,
    org_id: i64,
    expected_version: Option<i64>,
    meta: &RequestMeta,
) -> Result<Moved> {
    let v = visible(db, me, id).await?;
    if !v.can(me, CaseAction::Share) {
        return Err(AppError::forbidden());
    }
    if !v.facts.shares.iter().any(|(o, _)| *o == org_id) {
        return Err(AppError::NotFound);
    }
    if let Some(e) = expected_version
        && settle_version(db, &v.case, e).await? != v.case.version
    {
        return Err(stale());
    }
    let now = store::now();
    let txn = db.begin_write().await?;
    store::cases::revoke_shares(&txn, id, org_id, me.user.id, now).await?;
    let events = vec![(
        "share_revoked".to_string(),
        false,
        json!({"org_id": org_id}),
    )];
    let moved = write(&txn, calendars, me, &v, events, Change::default(), now).await?;
    let entry = audit_entry(
        Some(&me.user),
        meta,
        "share.revoke",
        ("case", v.case.number.clone()),
        &json!({"org_id": org_id}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(moved)
}

/// The duplicate rule's view of a case's parties and rights.
fn match_keys(
    parties: &[&entity::case_parties::Model],
    rights: &[&entity::case_rights::Model],
) -> MatchKeys {
    let respondents = parties.iter().filter(|p| p.role == "respondent");
    let mut keys = MatchKeys::default();
    for p in respondents.clone() {
        keys.respondents.push(normalise_name(&p.name));
        keys.respondents.extend(p.uscc.clone());
    }
    keys.rights = rights.iter().filter_map(|r| r.number.clone()).collect();
    keys.listing_urls = respondents
        .filter_map(|p| p.listing_url.as_deref().map(normalise_url))
        .collect();
    keys
}

/// Open cases visible to `me` that look like the same matter (same respondent and right, or the
/// same listing URL).
pub async fn duplicates(db: &Db, me: &Identity, id: i64) -> Result<Vec<cases::Model>> {
    let v = visible(db, me, id).await?;
    if v.access == CaseAccess::Filer {
        return Ok(Vec::new());
    }
    let conn = db.conn();
    let parties = store::cases::parties(conn, id).await?;
    let rights = store::cases::rights(conn, id).await?;
    let mine = match_keys(
        &parties.iter().collect::<Vec<_>>(),
        &rights.iter().collect::<Vec<_>>(),
    );
    let respondents = parties.iter().filter(|p| p.role == "respondent");
    let names: Vec<String> = respondents
        .clone()
        .flat_map(|p| [Some(p.name.clone()), p.uscc.clone()])
        .flatten()
        .collect();
    let urls: Vec<String> = respondents.filter_map(|p| p.listing_url.clone()).collect();
    let candidates =
        store::cases::duplicate_candidates(conn, id, names, mine.rights.clone(), urls).await?;
    let candidates = store::cases::visible_ids_among(conn, &me.actor, candidates).await?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let their_parties = store::cases::parties_of(conn, candidates.clone()).await?;
    let their_rights = store::cases::rights_of(conn, candidates.clone()).await?;
    let same: Vec<i64> = candidates
        .into_iter()
        .filter(|c| {
            let p: Vec<_> = their_parties.iter().filter(|p| p.case_id == *c).collect();
            let r: Vec<_> = their_rights.iter().filter(|r| r.case_id == *c).collect();
            crate::domain::case::is_duplicate(&mine, &match_keys(&p, &r))
        })
        .collect();
    Ok(store::cases::by_ids(conn, same).await?)
}
