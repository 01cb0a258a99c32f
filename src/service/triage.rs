//! Triage (route, refer, reject, merge), answers to referrals, sharing between offices, and the
//! duplicates triage is shown. Each decision is one [`CaseWrite`].

use super::case::view::CaseSummary;
use super::case::write::expected;
use super::case::{CaseWrite, Moved, visible};
use super::{Ctx, Identity, optional};
use crate::domain::case::intake::{self, Facts};
use crate::domain::case::triage::{self, Decision, REJECT_REASONS};
use crate::domain::case::{
    EventKind, MatchKeys, PartyRole, Queue, ShareAccess, ShareOrigin, normalise_name, normalise_url,
};
use crate::domain::identity::OrgKind;
use crate::domain::policy::CaseAction;
use crate::domain::time::beijing;
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::case_parts::{PartyRow, RightRow};
use crate::store::cases::CaseRow;
use crate::store::{self, Db};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

fn triage_actions() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&["route", "refer", "reject", "merge"], false)
}

fn work_queues() -> utoipa::openapi::schema::Object {
    let names: Vec<&str> = Queue::WORK.iter().map(|q| q.as_str()).collect();
    crate::domain::names::names_schema(&names, true)
}

fn referral_actions() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&["acknowledge", "return"], false)
}

fn share_access() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&["read", "contribute"], false)
}

/// `POST /api/v1/cases/{id}/triage` and the workbench form.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    /// `route` | `refer` | `reject` | `merge`.
    #[schema(required = true, schema_with = triage_actions)]
    pub action: String,
    /// For `route`: the queue.
    #[schema(schema_with = work_queues)]
    pub queue: Option<String>,
    pub to_org_id: Option<i64>,
    /// For `reject`: one of [`REJECT_REASONS`]; free text goes in `reason`.
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub into_case_id: Option<i64>,
    /// The merge target by its case number (the page's form), when no id is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub into_number: Option<String>,
    /// Facts the target queue needs, when the lead lacked them.
    pub exhibition: Option<intake::ExhibitionInput>,
    pub overseas: Option<intake::OverseasInput>,
    /// For a route to administrative ruling: when the office received the ruling request, if not
    /// with the lead (required for a lead an exhibition's close handed on).
    pub request_received_at: Option<String>,
    pub expected_version: Option<i64>,
}

/// `POST /api/v1/cases/{id}/referral`: the receiving office's answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct ReferralAnswer {
    /// `acknowledge` | `return`.
    #[schema(required = true, schema_with = referral_actions)]
    pub action: String,
    pub reason: Option<String>,
    pub expected_version: Option<i64>,
}

/// `POST /api/v1/cases/{id}/shares`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// The office to share with.
    #[schema(required = true, value_type = i64)]
    pub org_id: Option<i64>,
    /// `read` | `contribute`.
    #[schema(required = true, schema_with = share_access)]
    pub access: String,
    pub expected_version: Option<i64>,
}

pub(super) fn reason_text(
    errors: &mut Vec<FieldError>,
    r: Option<&str>,
    required: bool,
) -> Option<String> {
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

/// An office a case may be referred to or shared with: any organisation but an enterprise and
/// the owner itself.
async fn other_office(
    db: &Db,
    id: Option<i64>,
    owner: i64,
) -> Result<Option<(i64, String, OrgKind)>> {
    let Some(id) = id else { return Ok(None) };
    Ok(store::orgs::get(db.conn(), id)
        .await?
        .filter(|o| o.kind != OrgKind::Enterprise.as_str() && o.id != owner)
        .and_then(|o| Some((o.id, o.name, o.kind.parse::<OrgKind>().ok()?))))
}

/// Performs a triage decision on a case waiting for triage.
pub async fn decide(cx: &Ctx, me: &Identity, id: i64, req: TriageRequest) -> Result<Moved> {
    let granted = visible(&cx.db, me, id)
        .await?
        .authorize(me, CaseAction::Triage)?;
    let case = granted.case();
    let mut errors = Vec::new();
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
    let version = expected(req.expected_version)?;
    let mut payload = json!({});
    let mut facts: Option<Facts> = None;
    let mut new_owner: Option<(i64, String)> = None;
    let mut referred_to: Option<i64> = None;
    let mut merge_into: Option<CaseRow> = None;
    let mut request_at: Option<DateTime<Utc>> = None;
    match &decision {
        Decision::Route(q) => {
            facts = route_facts(&cx.db, case, *q, &req, &mut errors).await?;
            payload = json!({"queue": q.as_str()});
            if *q == Queue::AdministrativeRuling {
                request_at = ruling_request(cx, case, &req, &mut errors).await?;
                if let Some(at) = request_at {
                    payload["request_received_at"] = json!(at.to_rfc3339());
                }
            }
            // Queues are worked by IP offices: a lead owned by an industry office or a centre
            // moves to the IP office of its region, and the previous owner keeps reading it.
            let owner = store::orgs::get(cx.db.conn(), case.owner_org_id).await?;
            if owner.is_some_and(|o| o.kind != OrgKind::IpOffice.as_str())
                && let Some(ip) =
                    store::orgs::serving_office(cx.db.conn(), &case.region_code).await?
                && ip.kind == OrgKind::IpOffice.as_str()
            {
                payload["owner_org_id"] = json!(ip.id);
                payload["owner"] = json!(ip.name);
                new_owner = Some((ip.id, ip.name));
            }
        }
        Decision::Refer => {
            let reason = reason_text(&mut errors, req.reason.as_deref(), true);
            let target = match other_office(&cx.db, req.to_org_id, case.owner_org_id).await? {
                Some((to, name, kind))
                    if triage::may_refer_to(kind, to, case.owner_org_id, me.actor.org_id) =>
                {
                    Some((to, name))
                }
                _ => None,
            };
            match target {
                Some((to, name)) => {
                    referred_to = Some(to);
                    payload = json!({"to_org_id": to, "to_org": name, "reason": reason});
                }
                None => errors.push(FieldError::new("to_org_id", "error.triage.refer_target")),
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
            let target = match merge_target(&cx.db, &req).await? {
                Some(t) if t != id => visible(&cx.db, me, t).await.ok(),
                _ => None,
            };
            match target {
                Some(t) if t.case().closed_at.is_none() => {
                    payload = json!({"into_case_id": t.case().id, "into_number": t.case().number});
                    merge_into = Some(t.case().clone());
                }
                _ => errors.push(FieldError::new("into_case_id", "error.triage.merge_target")),
            }
        }
        _ => {}
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let t = triage::apply(case.queue, case.state, false, &decision)
        .map_err(|k| AppError::Conflict(Msg::new(k)))?;
    // Docketing counts from the office's receipt of the request, not from this routing; an
    // overseas request carries its foreign deadline, a clock of its own.
    let foreign_deadline = facts
        .as_ref()
        .unwrap_or(&case.facts)
        .overseas
        .as_ref()
        .and_then(|o| o.foreign_deadline);
    let received = if let (Decision::Route(Queue::OverseasAssistance), Some(limit)) =
        (&decision, foreign_deadline)
    {
        json!({"hard_stop": limit.to_rfc3339()})
    } else if let Some(at) = request_at {
        json!({"counts_from": at.with_timezone(&beijing()).to_rfc3339()})
    } else {
        json!({})
    };
    let mut w = CaseWrite::begin(cx, &granted, version).await?;
    for (i, kind) in t.events.iter().enumerate() {
        // The first event is the decision, shown to the filer; a queue's start event is internal.
        let p = if i == 0 {
            payload.clone()
        } else {
            received.clone()
        };
        w.record(*kind, i == 0, p);
    }
    if case.filer_org_id.is_some() {
        w.record(
            EventKind::FilerNotified,
            false,
            json!({"channel": "in_app"}),
        );
    }
    let change = w.change();
    change.queue = Some(t.queue);
    change.state = Some(t.state);
    if t.closes {
        change.closed_at = Some(Some(cx.now));
    }
    change.facts = facts.clone();
    change.referred_to_org_id = referred_to.map(Some);
    change.merged_into_case_id = merge_into.as_ref().map(|m| Some(m.id));
    change.owner_org_id = new_owner.as_ref().map(|o| o.0);
    if decision == Decision::Route(Queue::ExhibitionEnforcement) {
        let owner = new_owner.as_ref().map_or(case.owner_org_id, |o| o.0);
        let facts = facts.as_ref().unwrap_or(&case.facts);
        super::exhibitions::link(w.txn(), id, owner, facts, cx.now).await?;
    }
    if new_owner.is_some() {
        // The previous owner keeps reading the case it handed over.
        store::case_parts::revoke_shares(w.txn(), id, case.owner_org_id, me.user.id, cx.now)
            .await?;
        store::case_parts::insert_share(
            w.txn(),
            id,
            case.owner_org_id,
            ShareAccess::Read,
            ShareOrigin::Handover,
            me.user.id,
            cx.now,
        )
        .await?;
    }
    // An office that triaged a lead it does not own (a centre, for its region's complaints)
    // keeps reading it: its triage figures list the cases it decided.
    let triager = me.actor.org_id;
    let owner_after = new_owner.as_ref().map_or(case.owner_org_id, |o| o.0);
    if triager != owner_after && triager != case.owner_org_id {
        let shares = store::case_parts::active_shares(w.txn(), id).await?;
        if !shares.iter().any(|s| s.org_id == triager) {
            store::case_parts::insert_share(
                w.txn(),
                id,
                triager,
                ShareAccess::Read,
                ShareOrigin::Triaged,
                me.user.id,
                cx.now,
            )
            .await?;
        }
    }
    if let Some(target) = &merge_into {
        // The surviving case records what was merged into it.
        let note = json!({"from_case_id": case.id, "from_number": case.number});
        w.note_on(target.id, EventKind::DuplicateMerged, note)
            .await?;
    }
    w.commit(&format!("triage.{}", req.action), &json!(req))
        .await
}

/// When the office received the ruling request of `case`, being routed into the ruling queue
/// (Order 81 Art. 20 counts docketing from it): the instant the form gives, checked, or else the
/// lead's receipt or its referral's acknowledgement. `None` with a field error pushed.
async fn ruling_request(
    cx: &Ctx,
    case: &CaseRow,
    req: &TriageRequest,
    errors: &mut Vec<FieldError>,
) -> Result<Option<DateTime<Utc>>> {
    const FIELD: &str = "request_received_at";
    let given = match req.request_received_at.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => match intake::parse_instant(t, &beijing()) {
            Some(at) => Some(at.to_utc()),
            None => {
                errors.push(FieldError::new(FIELD, "error.datetime"));
                return Ok(None);
            }
        },
        _ => None,
    };
    let events: Vec<(EventKind, DateTime<Utc>)> =
        store::case_log::events(cx.db.conn(), case.id, false)
            .await?
            .iter()
            .map(|e| (e.kind, e.at))
            .collect();
    match triage::ruling_request_receipt(case.received_at, &events, given, cx.now) {
        Ok(at) => Ok(Some(at)),
        Err(key) => {
            errors.push(FieldError::new(FIELD, key));
            Ok(None)
        }
    }
}

/// The case a merge names: by id, or by its number as typed into the page's form (a number that
/// names no case is a target that does not exist).
async fn merge_target(db: &Db, req: &TriageRequest) -> Result<Option<i64>> {
    match req
        .into_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) => Ok(Some(
            store::cases::find_by_number(db.conn(), &n.to_uppercase())
                .await?
                .map_or(0, |c| c.id),
        )),
        None => Ok(req.into_case_id),
    }
}

/// Checks that the case has what `queue` needs; returns updated facts when the request adds them.
async fn route_facts(
    db: &Db,
    case: &CaseRow,
    queue: Queue,
    req: &TriageRequest,
    errors: &mut Vec<FieldError>,
) -> Result<Option<Facts>> {
    let mut facts = case.facts.clone();
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
            let rights = store::case_parts::rights(db.conn(), case.id).await?;
            if !rights.iter().any(|r| r.kind.is_patent()) {
                errors.push(FieldError::new("queue", "error.triage.needs_patent"));
            }
        }
        _ => {}
    }
    Ok(changed.then_some(facts))
}

/// The receiving office acknowledges a referral, or returns it with a reason.
pub async fn answer_referral(
    cx: &Ctx,
    me: &Identity,
    id: i64,
    req: ReferralAnswer,
) -> Result<Moved> {
    let granted = visible(&cx.db, me, id)
        .await?
        .authorize(me, CaseAction::AnswerReferral)?;
    let case = granted.case();
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
    let version = expected(req.expected_version)?;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let acknowledged = store::case_log::events(cx.db.conn(), id, false)
        .await?
        .iter()
        .rev()
        .take_while(|e| e.kind != EventKind::Referred)
        .any(|e| e.kind == EventKind::ReferralAcknowledged);
    let t = triage::apply(case.queue, case.state, acknowledged, &decision)
        .map_err(|k| AppError::Conflict(Msg::new(k)))?;
    // Back with the referring office, the lead's triage clock runs again by its standard.
    let mut payload = json!({"org": me.org.name, "reason": reason});
    if decision == Decision::ReturnReferral
        && let Some(days) = super::intake::triage_standard(cx, case.owner_org_id).await?
    {
        payload["period_days"] = json!(days);
    }
    let mut w = CaseWrite::begin(cx, &granted, version).await?;
    for kind in &t.events {
        w.record(*kind, true, payload.clone());
    }
    let change = w.change();
    change.queue = Some(t.queue);
    change.state = Some(t.state);
    if decision == Decision::ReturnReferral {
        change.referred_to_org_id = Some(None);
    }
    w.commit(&format!("referral.{}", req.action), &json!(req))
        .await
}

/// Shares a case with another office (or changes the access of an existing share).
pub async fn share(cx: &Ctx, me: &Identity, id: i64, req: ShareRequest) -> Result<Moved> {
    let granted = visible(&cx.db, me, id)
        .await?
        .authorize(me, CaseAction::Share)?;
    let case = granted.case();
    let mut errors = Vec::new();
    let access = ShareAccess::parse(req.access.trim());
    if access.is_none() {
        errors.push(FieldError::new("access", "error.share.access"));
    }
    let org = other_office(&cx.db, req.org_id, case.owner_org_id)
        .await?
        .filter(|(id, _, _)| *id != me.actor.org_id)
        .map(|(id, name, _)| (id, name));
    if org.is_none() {
        errors.push(FieldError::new("org_id", "error.share.org"));
    }
    let (Some(access), Some((org_id, org_name)), true) = (access, org, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    // The page's form carries no version: a share does not depend on what the page showed.
    let version = req.expected_version.unwrap_or(case.version);
    let mut w = CaseWrite::begin(cx, &granted, version).await?;
    store::case_parts::revoke_shares(w.txn(), id, org_id, me.user.id, cx.now).await?;
    store::case_parts::insert_share(
        w.txn(),
        id,
        org_id,
        access,
        ShareOrigin::Granted,
        me.user.id,
        cx.now,
    )
    .await?;
    w.record(
        EventKind::Shared,
        false,
        json!({"org_id": org_id, "org": org_name, "access": access.as_str()}),
    );
    w.commit("share.grant", &json!(req)).await
}

/// Revokes the share of a case with an office.
pub async fn revoke_share(
    cx: &Ctx,
    me: &Identity,
    id: i64,
    org_id: i64,
    expected_version: Option<i64>,
) -> Result<Moved> {
    let granted = visible(&cx.db, me, id)
        .await?
        .authorize(me, CaseAction::Share)?;
    let case = granted.case();
    let shares = store::case_parts::active_shares(cx.db.conn(), id).await?;
    if !shares.iter().any(|s| s.org_id == org_id) {
        return Err(AppError::NotFound);
    }
    let version = expected_version.unwrap_or(case.version);
    let mut w = CaseWrite::begin(cx, &granted, version).await?;
    store::case_parts::revoke_shares(w.txn(), id, org_id, me.user.id, cx.now).await?;
    w.record(EventKind::ShareRevoked, false, json!({"org_id": org_id}));
    w.commit("share.revoke", &json!({"org_id": org_id})).await
}

/// The duplicate rule's view of a case's parties and rights.
fn match_keys(parties: &[&PartyRow], rights: &[&RightRow]) -> MatchKeys {
    let respondents = parties.iter().filter(|p| p.role == PartyRole::Respondent);
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

/// What the triage step offers `me` on one case: the case, whether `me` may triage it now, and
/// the open cases that look like the same matter (only when triage is allowed).
#[derive(Debug, Clone)]
pub struct TriageOptions {
    pub case: CaseSummary,
    pub allowed: bool,
    pub duplicates: Vec<CaseSummary>,
}

/// The triage choices on case `id` for `me` (404 when the case is not visible).
pub async fn options(db: &Db, me: &Identity, id: i64) -> Result<TriageOptions> {
    let v = visible(db, me, id).await?;
    let allowed = v.can(me, CaseAction::Triage);
    let duplicates = if allowed {
        duplicates(db, me, id).await?
    } else {
        Vec::new()
    };
    Ok(TriageOptions {
        case: CaseSummary::from(v.case()),
        allowed,
        duplicates,
    })
}

/// The leads waiting for triage that `me` may see (the first `limit`, by triage deadline) that
/// look like another open matter: the triager's "likely duplicates".
pub async fn leads_with_duplicates(db: &Db, me: &Identity, limit: u64) -> Result<Vec<CaseSummary>> {
    let mut out = Vec::new();
    for lead in super::cases::awaiting_triage(db, me, limit).await? {
        if !duplicates(db, me, lead.id).await?.is_empty() {
            out.push(lead);
        }
    }
    Ok(out)
}

/// Open cases visible to `me` that look like the same matter (same respondent and right, or the
/// same listing URL); none for the filing enterprise.
pub async fn duplicates(db: &Db, me: &Identity, id: i64) -> Result<Vec<CaseSummary>> {
    let v = visible(db, me, id).await?;
    if v.is_filer() {
        return Ok(Vec::new());
    }
    let conn = db.conn();
    let parties = store::case_parts::parties(conn, id).await?;
    let rights = store::case_parts::rights(conn, id).await?;
    let mine = match_keys(
        &parties.iter().collect::<Vec<_>>(),
        &rights.iter().collect::<Vec<_>>(),
    );
    let respondents = parties.iter().filter(|p| p.role == PartyRole::Respondent);
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
    let their_parties = store::case_parts::parties_of(conn, candidates.clone()).await?;
    let their_rights = store::case_parts::rights_of(conn, candidates.clone()).await?;
    let same: Vec<i64> = candidates
        .into_iter()
        .filter(|c| {
            let p: Vec<_> = their_parties.iter().filter(|p| p.case_id == *c).collect();
            let r: Vec<_> = their_rights.iter().filter(|r| r.case_id == *c).collect();
            crate::domain::case::is_duplicate(&mine, &match_keys(&p, &r))
        })
        .collect();
    Ok(store::cases::by_ids(conn, same)
        .await?
        .iter()
        .map(CaseSummary::from)
        .collect())
}
