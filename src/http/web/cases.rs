//! Case pages: the complaint wizard with drafts and its receipt, officer lead entry, case lists,
//! the triage workbench and the case page with its triage, referral and sharing forms.

use super::case_form::{self, Flat};
use super::{page_response, redirect_with_flash, take_flash};
use crate::domain::case::triage::REJECT_REASONS;
use crate::domain::case::{self, Queue};
use crate::domain::identity::Role;
use crate::domain::policy::{self, Action, CaseAccess, CaseAction};
use crate::error::{AppError, FieldError, Result};
use crate::http::AppState;
use crate::http::api::shanghai;
use crate::http::cases_api::{clock_json, event_json};
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::http::{RequestCtx, page};
use crate::service::cases::{self as cases_service, ListQuery};
use crate::service::triage::{self, ReferralAnswer, ShareRequest, TriageRequest};
use crate::service::{Identity, drafts};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use entity::{case_clocks, cases};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/complaints/new",
            get(complaint_form).post(complaint_submit),
        )
        .route("/complaints/drafts/{id}/delete", post(draft_delete))
        .route("/leads/new", get(lead_form).post(lead_submit))
        .route("/cases", get(list))
        .route("/triage", get(workbench))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/receipt", get(receipt))
        .route("/cases/{id}/triage", post(triage_submit))
        .route("/cases/{id}/actions", post(super::workflow::submit))
        .route(
            "/cases/{id}/documents/{doc}",
            post(super::documents::issue).get(super::documents::show),
        )
        .route("/cases/{id}/referral", post(referral_submit))
        .route("/cases/{id}/shares", post(share_submit))
        .route("/cases/{id}/shares/{org_id}/revoke", post(revoke_submit))
        .route(
            "/cases/{id}/deadlines/{rule_id}/extension",
            post(extension_submit),
        )
}

pub(super) fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A due instant as officers say it: 24:00 of the last day rather than 00:00 of the next.
fn due_local(t: DateTime<Utc>) -> String {
    let b = t.with_timezone(&shanghai());
    if b.format("%H:%M:%S").to_string() == "00:00:00" {
        let last = b.date_naive().pred_opt().unwrap_or(b.date_naive());
        format!("{last} 24:00")
    } else {
        local(t)
    }
}

/// An RFC 3339 instant stored in facts, shown in Beijing time.
fn fact_time(v: Option<&Value>) -> Option<String> {
    let t = DateTime::parse_from_rfc3339(v?.as_str()?).ok()?;
    Some(local(t.with_timezone(&Utc)))
}

fn day(t: DateTime<Utc>) -> String {
    t.with_timezone(&shanghai()).format("%Y-%m-%d").to_string()
}

/// The deadline badge of a case on a list: overdue, due today, or days left.
fn badge(next_due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Value {
    let Some(due) = next_due else {
        return Value::Null;
    };
    // A day clock is due at 24:00 of its last day: show that day, not the next midnight.
    let last_day = (due - chrono::TimeDelta::seconds(1))
        .with_timezone(&shanghai())
        .date_naive();
    let today = now.with_timezone(&shanghai()).date_naive();
    let days = (last_day - today).num_days();
    let (class, key) = if due <= now {
        ("overdue", "deadline.overdue")
    } else if days <= 0 {
        ("today", "deadline.today")
    } else if days <= 2 {
        ("soon", "deadline.days_left")
    } else {
        ("ok", "deadline.days_left")
    };
    json!({"class": class, "key": key, "days": days, "date": last_day.to_string()})
}

pub(super) fn row_json(c: &cases::Model, now: DateTime<Utc>) -> Value {
    json!({
        "id": c.id,
        "number": c.number,
        "case_title": c.title,
        "queue_key": format!("queue.{}", c.queue),
        "state_key": case::state_key(&c.state),
        "channel_key": format!("channel.{}", c.channel),
        "received": local(c.received_at),
        "srdi": c.srdi_rank > 0,
        "srdi_key": format!("srdi.{}", case::srdi_name(c.srdi_rank)),
        "badge": badge(c.next_due_at, now),
        "closed": c.closed_at.is_some(),
    })
}

// ---------------------------------------------------------------- complaint wizard and leads

#[derive(Deserialize, Default)]
struct DraftQuery {
    draft: Option<i64>,
}

async fn complaint_form(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Query(q): Query<DraftQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    if !policy::can(&me.actor, Action::FileComplaint) {
        return Err(AppError::forbidden());
    }
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let mut flat = match q.draft {
        Some(id) => case_form::from_input(&drafts::get(&state.db, &me, id).await?.input),
        None => Flat::new(),
    };
    flat.entry("region_code".into())
        .or_insert_with(|| me.org.region_code.clone());
    flat.entry("channel".into())
        .or_insert_with(|| "e_commerce".into());
    if let Some(id) = q.draft {
        flat.insert("draft_id".into(), id.to_string());
    }
    let html = render_form(
        &state,
        &ctx,
        &csrf,
        &me,
        "cases/complaint",
        &flat,
        json!({}),
        flash,
    )?;
    Ok(page_response(StatusCode::OK, html, clear))
}

#[allow(clippy::too_many_arguments)]
fn render_form(
    state: &AppState,
    ctx: &RequestCtx,
    csrf: &str,
    me: &Identity,
    template: &str,
    flat: &Flat,
    errors: Value,
    flash: Option<String>,
) -> Result<axum::response::Html<String>> {
    let base = page::base(
        ctx,
        Some(me),
        csrf,
        if template == "cases/complaint" {
            "/complaints/new"
        } else {
            "/leads/new"
        },
    );
    let mut data = case_form::form_json(flat, errors);
    data["flash"] = json!(flash);
    data["draft_id"] = json!(flat.get("draft_id"));
    page::render(state, template, base, data)
}

async fn complaint_submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let input = case_form::to_input(&flat);
    let draft_id = flat.get("draft_id").and_then(|d| d.parse::<i64>().ok());
    if flat.get("intent").map(String::as_str) == Some("draft") {
        let id = drafts::save(&state.db, &me, draft_id, &input).await?;
        return Ok(redirect_with_flash(
            &format!("/complaints/new?draft={id}"),
            "flash.draft_saved",
            state.config.cookie_secure,
        ));
    }
    match cases_service::file_complaint(&state.db, &state.calendars, &me, input, &ctx.meta()).await
    {
        Ok(filed) => {
            if let Some(d) = draft_id {
                // The draft became a case; a missing draft is no reason to fail the filing.
                let _ = drafts::delete(&state.db, &me, d).await;
            }
            Ok(Redirect::to(&format!("/cases/{}/receipt", filed.id)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            form_errors(&state, &ctx, &csrf, &me, "cases/complaint", &flat, &errors)
        }
        Err(e) => Err(e),
    }
}

fn form_errors(
    state: &AppState,
    ctx: &RequestCtx,
    csrf: &str,
    me: &Identity,
    template: &str,
    flat: &Flat,
    errors: &[FieldError],
) -> Result<Response> {
    let errs = case_form::errors_json(flat, errors, ctx.lang);
    let html = render_form(state, ctx, csrf, me, template, flat, errs, None)?;
    Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, html, None))
}

async fn draft_delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(_): WebForm<Flat>,
) -> Result<Response> {
    drafts::delete(&state.db, &me, id).await?;
    Ok(redirect_with_flash(
        "/cases",
        "flash.draft_deleted",
        state.config.cookie_secure,
    ))
}

async fn lead_form(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
) -> Result<Response> {
    if !policy::can(&me.actor, Action::EnterLead) {
        return Err(AppError::forbidden());
    }
    let mut flat = Flat::new();
    flat.insert("region_code".into(), me.org.region_code.clone());
    flat.insert("channel".into(), "e_commerce".into());
    flat.insert("source".into(), "officer".into());
    let html = render_form(
        &state,
        &ctx,
        &csrf,
        &me,
        "cases/lead",
        &flat,
        json!({}),
        None,
    )?;
    Ok(page_response(StatusCode::OK, html, None))
}

async fn lead_submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let input = case_form::to_input(&flat);
    match cases_service::enter_lead(&state.db, &state.calendars, &me, input, &ctx.meta()).await {
        Ok(filed) => Ok(redirect_with_flash(
            &format!("/cases/{}", filed.id),
            "flash.lead_entered",
            state.config.cookie_secure,
        )),
        Err(AppError::Invalid(errors)) => {
            form_errors(&state, &ctx, &csrf, &me, "cases/lead", &flat, &errors)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- lists

async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let (page, filter_error) = match cases_service::list(&state.db, &me, &q).await {
        Ok(p) => (p, None),
        Err(AppError::Invalid(e)) => (
            cases_service::list(&state.db, &me, &ListQuery::default()).await?,
            Some(crate::http::page::field_errors(&e, ctx.lang)),
        ),
        Err(e) => return Err(e),
    };
    let now = crate::store::now();
    let drafts: Vec<Value> = drafts::list(&state.db, &me)
        .await?
        .into_iter()
        .map(|d| json!({"id": d.id, "draft_title": d.input.title.clone().unwrap_or_else(|| d.input.description.chars().take(30).collect()), "updated": local(d.updated_at)}))
        .collect();
    let query = |cursor: &str| {
        let mut parts = vec![format!("cursor={cursor}")];
        for (k, v) in [("queue", &q.queue), ("state", &q.state)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!(
                    "{k}={}",
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                ));
            }
        }
        if q.overdue == Some(true) {
            parts.push("overdue=true".into());
        }
        if q.srdi == Some(true) {
            parts.push("srdi=true".into());
        }
        format!("/cases?{}", parts.join("&"))
    };
    let queue = q.queue.clone().unwrap_or_default();
    let data = json!({
        "flash": flash,
        "cases": page.items.iter().map(|c| row_json(c, now)).collect::<Vec<_>>(),
        "next": page.next_cursor.as_deref().map(query),
        "drafts": drafts,
        "filter_error": filter_error,
        "queue_options": Queue::ALL.iter().map(|x| json!({"value": x.as_str(), "key": format!("queue.{x}"), "selected": x.as_str() == queue})).collect::<Vec<_>>(),
        "overdue": q.overdue == Some(true),
        "srdi": q.srdi == Some(true),
        "can_file": policy::can(&me.actor, Action::FileComplaint),
        "can_enter": policy::can(&me.actor, Action::EnterLead),
        "is_enterprise": me.actor.org_kind == crate::domain::identity::OrgKind::Enterprise,
    });
    let html = page::render(
        &state,
        "cases/index",
        page::base(&ctx, Some(&me), &csrf, "/cases"),
        data,
    )?;
    Ok(page_response(StatusCode::OK, html, clear))
}

async fn workbench(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    headers: HeaderMap,
) -> Result<Response> {
    if !policy::can(&me.actor, Action::TriageWorkbench) {
        return Err(AppError::forbidden());
    }
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let items = cases_service::awaiting_triage(&state.db, &me, 200).await?;
    let now = crate::store::now();
    let data = json!({
        "flash": flash,
        "cases": items.iter().map(|c| row_json(c, now)).collect::<Vec<_>>(),
    });
    let html = page::render(
        &state,
        "cases/workbench",
        page::base(&ctx, Some(&me), &csrf, "/triage"),
        data,
    )?;
    Ok(page_response(StatusCode::OK, html, clear))
}

// ---------------------------------------------------------------- the case page

/// Forms on the case page that came back with errors.
#[derive(Default)]
pub(super) struct Refill {
    pub section: &'static str,
    pub values: Value,
    pub errors: Value,
}

async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response> {
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let html = case_page(&state, &ctx, &csrf, &me, id, flash, Refill::default()).await?;
    Ok(page_response(StatusCode::OK, html, clear))
}

fn clock_view(c: &case_clocks::Model, now: DateTime<Utc>) -> Value {
    let mut v = clock_json(c);
    v["due_local"] = json!(due_local(c.due_at));
    v["start_local"] = json!(local(c.start_at));
    v["state_key"] = json!(format!("clock_state.{}", c.state));
    v["badge"] = if c.state == "running" {
        badge(Some(c.due_at), now)
    } else {
        Value::Null
    };
    v
}

pub(super) async fn case_page(
    state: &AppState,
    ctx: &RequestCtx,
    csrf: &str,
    me: &Identity,
    id: i64,
    flash: Option<String>,
    refill: Refill,
) -> Result<axum::response::Html<String>> {
    let d = cases_service::detail(&state.db, me, id).await?;
    let v = &d.visible;
    let filer = v.access == CaseAccess::Filer;
    let events = cases_service::events(&state.db, me, id).await?;
    let now = crate::store::now();
    let c = &v.case;
    let facts: Value = serde_json::from_str(&c.facts).unwrap_or(json!({}));
    let can_triage = v.can(me, CaseAction::Triage);
    let can_share = v.can(me, CaseAction::Share);
    let can_answer = v.can(me, CaseAction::AnswerReferral) && c.state == case::STATE_REFERRED;
    let offices: Vec<Value> = if can_triage || can_share {
        crate::store::orgs::list(state.db.conn())
            .await?
            .into_iter()
            .filter(|o| o.kind != "enterprise" && o.id != c.owner_org_id)
            .map(|o| json!({"id": o.id, "name": o.name}))
            .collect()
    } else {
        Vec::new()
    };
    let duplicates: Vec<Value> = if can_triage {
        triage::duplicates(&state.db, me, id)
            .await?
            .iter()
            .map(|x| row_json(x, now))
            .collect()
    } else {
        Vec::new()
    };
    let users = event_actor_names(state, &events).await?;
    let requests = crate::service::deadlines::requests(&events);
    let can_extend = !filer
        && v.access >= CaseAccess::Contribute
        && matches!(me.role(), Role::Officer | Role::Supervisor | Role::Triager);
    let is_supervisor = me.role() == Role::Supervisor;
    let timeline: Vec<Value> = events
        .iter()
        .rev()
        .map(|e| {
            let mut j = event_json(e);
            j["kind_key"] = json!(format!("event.{}", e.kind));
            j["at_local"] = json!(local(e.at));
            j["actor"] = json!(e.actor_user_id.and_then(|u| users.get(&u).cloned()));
            j["details"] = json!(event_details(&j["payload"]));
            j
        })
        .collect();
    let work = super::workflow::view(state, ctx.lang, me, id, &refill).await?;
    let documents = super::documents::view(state, me, id).await?;
    let mut refill_json = json!({});
    if !refill.section.is_empty() {
        refill_json[refill.section] = json!({"values": refill.values, "errors": refill.errors});
    }
    let data = json!({
        "flash": flash,
        "case": {
            "id": c.id, "number": c.number, "title": c.title, "description": c.description,
            "version": c.version,
            "queue_key": format!("queue.{}", c.queue), "state_key": case::state_key(&c.state),
            "channel_key": format!("channel.{}", c.channel), "source_key": format!("source.{}", c.source),
            "region_code": c.region_code, "received": local(c.received_at),
            "standing_key": c.complainant_standing.as_ref().map(|s| format!("standing.{s}")),
            "srdi": c.srdi_rank > 0, "srdi_key": format!("srdi.{}", case::srdi_name(c.srdi_rank)),
            "closed": c.closed_at.map(local),
            "exhibition": facts.get("exhibition").map(|e| {
                let mut e = e.clone();
                e["opens_local"] = json!(fact_time(e.get("opens_at")));
                e["closes_local"] = json!(fact_time(e.get("closes_at")));
                e
            }),
            "overseas": facts.get("overseas"),
            "overseas_category_key": facts.pointer("/overseas/category").and_then(|x| x.as_str()).map(|x| format!("overseas_category.{x}")),
            "foreign_deadline_beijing": facts.pointer("/overseas/foreign_deadline").and_then(|x| x.as_str())
                .and_then(|x| DateTime::parse_from_rfc3339(x).ok()).map(|t| local(t.with_timezone(&Utc))),
        },
        "filer": filer,
        "owner": d.owner.as_ref().map(|o| o.name.clone()),
        "referred_to": d.referred_to.as_ref().map(|o| o.name.clone()),
        "merged_into": d.merged_into.as_ref().map(|m| json!({"id": m.id, "number": m.number})),
        "parties": d.parties.iter().map(|p| json!({
            "role_key": format!("party_role.{}", p.role), "name": p.name, "uscc": p.uscc,
            "address": p.address, "listing_url": p.listing_url, "contact_name": p.contact_name,
            "contact_phone": if filer { None } else { p.contact_phone.clone() },
        })).collect::<Vec<_>>(),
        "rights": d.rights.iter().map(|r| json!({
            "kind_key": format!("right_kind.{}", r.kind), "number": r.number, "right_title": r.title, "holder": r.holder,
        })).collect::<Vec<_>>(),
        "clocks": d.clocks.iter().filter(|k| !filer || k.rule_id.starts_with("triage.")).map(|k| {
            let mut j = clock_view(k, now);
            if !filer {
                extension_view(&mut j, k, &requests, can_extend, is_supervisor);
            }
            j
        }).collect::<Vec<_>>(),
        "shares": d.shares.iter().map(|(s, o)| json!({
            "org_id": s.org_id, "org": o.as_ref().map(|o| o.name.clone()),
            "access_key": format!("share_access.{}", s.access), "granted": local(s.granted_at),
        })).collect::<Vec<_>>(),
        "timeline": timeline,
        "can_triage": can_triage,
        "can_share": can_share,
        "can_answer": can_answer,
        "offices": offices,
        "duplicates": duplicates,
        "route_queues": Queue::WORK.iter().map(|q| json!({"value": q.as_str(), "key": format!("queue.{q}")})).collect::<Vec<_>>(),
        "reject_reasons": REJECT_REASONS.iter().map(|r| json!({"value": r, "key": format!("reject_reason.{r}")})).collect::<Vec<_>>(),
        "refill": refill_json,
        "work": work,
        "documents": documents,
        "show_receipt": filer,
        // issue 6: the evidence panel
        "evidence": super::evidence::panel(state, me, v, now).await?,
    });
    page::render(
        state,
        "cases/show",
        page::base(ctx, Some(me), csrf, &format!("/cases/{id}")),
        data,
    )
}

/// The extension tiers a clock offers and its pending requests, for the clock panel.
fn extension_view(
    j: &mut Value,
    k: &case_clocks::Model,
    requests: &[crate::service::deadlines::Requested],
    can_extend: bool,
    is_supervisor: bool,
) {
    let Some(rule) = crate::service::rules::in_force().get(&k.rule_id) else {
        return;
    };
    let open = matches!(k.state.as_str(), "running" | "paused" | "missed");
    let tiers: Vec<Value> = rule
        .extensions
        .iter()
        .map(|t| json!({"tier": t.tier, "tier_key": format!("extension_tier.{}", t.tier), "cap": t.cap, "unit_key": format!("unit.{}", t.unit.as_str())}))
        .collect();
    let pending: Vec<Value> = requests
        .iter()
        .filter(|r| r.rule_id == k.rule_id && r.decided.is_none())
        .map(|r| json!({"seq": r.seq, "tier_key": format!("extension_tier.{}", r.tier), "amount": r.amount}))
        .collect();
    j["can_request"] = json!(can_extend && open && !tiers.is_empty());
    // Who decides is checked by the service; the page offers the buttons to supervisors, and to
    // the panel's officers for the tiers an officer approves.
    let officer_tier = rule.extensions.iter().any(|t| t.approver == "officer");
    j["can_decide"] = json!(can_extend && (is_supervisor || officer_tier));
    j["tiers"] = json!(tiers);
    j["granted"] =
        json!(requests
        .iter()
        .filter(|r| r.rule_id == k.rule_id && r.decided == Some(true))
        .map(|r| json!({"amount": r.amount, "tier_key": format!("extension_tier.{}", r.tier)}))
        .collect::<Vec<_>>());
    j["pending"] = json!(pending);
    j["unit_key"] = json!(format!("unit.{}", rule.unit.as_str()));
}

/// Display names of the users who recorded events.
async fn event_actor_names(
    state: &AppState,
    events: &[entity::case_events::Model],
) -> Result<HashMap<i64, String>> {
    let mut ids: Vec<i64> = events.iter().filter_map(|e| e.actor_user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(crate::store::users::names(state.db.conn(), ids).await?)
}

/// The payload facts worth showing on the timeline, as label/value pairs.
fn event_details(payload: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for (field, key) in [
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
        if let Some(v) = payload
            .get(field)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
        {
            let value_key = match field {
                "queue" => Some(format!("queue.{v}")),
                "reason_code" => Some(format!("reject_reason.{v}")),
                "access" => Some(format!("share_access.{v}")),
                // Only a document's kind; other events' `kind` fields are not shown here.
                "kind" if crate::i18n::has(&format!("doc.kind.{v}")) => {
                    Some(format!("doc.kind.{v}"))
                }
                "kind" => continue,
                _ => None,
            };
            out.push(json!({"key": key, "value": v, "value_key": value_key}));
        }
    }
    out
}

async fn receipt(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    let d = cases_service::detail(&state.db, &me, id).await?;
    let c = &d.visible.case;
    let triage = d.clocks.iter().find(|k| k.rule_id == "triage.decision");
    let data = json!({
        "case": {"id": c.id, "number": c.number, "title": c.title, "received": local(c.received_at),
                 "state_key": case::state_key(&c.state), "queue_key": format!("queue.{}", c.queue)},
        "owner": d.owner.as_ref().map(|o| o.name.clone()),
        "triage_due": triage.map(|k| day(k.due_at - chrono::TimeDelta::seconds(1))),
        "provisional": triage.is_some_and(|k| k.provisional),
        "rights": d.rights.iter().map(|r| json!({"kind_key": format!("right_kind.{}", r.kind), "number": r.number, "right_title": r.title})).collect::<Vec<_>>(),
        "respondents": d.parties.iter().filter(|p| p.role == "respondent").map(|p| p.name.clone()).collect::<Vec<_>>(),
    });
    let html = page::render(
        &state,
        "cases/receipt",
        page::base(&ctx, Some(&me), &csrf, &format!("/cases/{id}/receipt")),
        data,
    )?;
    Ok(page_response(StatusCode::OK, html, None))
}

// ---------------------------------------------------------------- case forms

fn num(f: &Flat, k: &str) -> Option<i64> {
    f.get(k).and_then(|v| v.trim().parse().ok())
}

fn text(f: &Flat, k: &str) -> Option<String> {
    f.get(k)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Re-renders the case page with the form's values and errors, or redirects with a message.
#[allow(clippy::too_many_arguments)]
pub(super) async fn after_form(
    state: &AppState,
    ctx: &RequestCtx,
    csrf: &str,
    me: &Identity,
    id: i64,
    section: &'static str,
    values: &Value,
    result: Result<crate::service::triage::Moved>,
    flash_key: &str,
) -> Result<Response> {
    let errors = match result {
        Ok(_) => {
            // The case may have left the user's sight (routed out of their triage region).
            let target = match cases_service::visible(&state.db, me, id).await {
                Ok(_) => format!("/cases/{id}"),
                Err(_) => "/triage".to_string(),
            };
            return Ok(redirect_with_flash(
                &target,
                flash_key,
                state.config.cookie_secure,
            ));
        }
        Err(AppError::Invalid(errors)) => page::field_errors(&errors, ctx.lang),
        Err(AppError::Conflict(msg)) => json!({"_form": msg.render(ctx.lang)}),
        Err(e) => return Err(e),
    };
    let refill = Refill {
        section,
        values: values.clone(),
        errors,
    };
    let html = case_page(state, ctx, csrf, me, id, None, refill).await?;
    Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, html, None))
}

fn confirmed(flat: &Flat) -> bool {
    flat.get("confirm").is_some_and(|v| v == "yes")
}

async fn triage_submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let action = text(&flat, "action").unwrap_or_default();
    let result = if matches!(action.as_str(), "reject" | "merge") && !confirmed(&flat) {
        Err(AppError::field("confirm", "error.confirm_required"))
    } else {
        let req = TriageRequest {
            action: action.clone(),
            queue: text(&flat, "queue"),
            to_org_id: num(&flat, "to_org_id"),
            reason_code: text(&flat, "reason_code"),
            reason: text(&flat, "reason"),
            into_case_id: match text(&flat, "into_number") {
                Some(n) => crate::store::cases::find_by_number(state.db.conn(), &n.to_uppercase())
                    .await?
                    .map(|c| c.id)
                    .or(Some(0)),
                None => num(&flat, "into_case_id"),
            },
            expected_version: num(&flat, "expected_version"),
            ..Default::default()
        };
        triage::decide(&state.db, &state.calendars, &me, id, req, &ctx.meta()).await
    };
    let flash = format!("flash.triage.{action}");
    let flash = if crate::i18n::has(&flash) {
        flash
    } else {
        "flash.saved".into()
    };
    after_form(
        &state,
        &ctx,
        &csrf,
        &me,
        id,
        "triage",
        &json!(flat),
        result,
        &flash,
    )
    .await
}

async fn referral_submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let req = ReferralAnswer {
        action: text(&flat, "action").unwrap_or_default(),
        reason: text(&flat, "reason"),
        expected_version: num(&flat, "expected_version"),
    };
    let result =
        triage::answer_referral(&state.db, &state.calendars, &me, id, req, &ctx.meta()).await;
    after_form(
        &state,
        &ctx,
        &csrf,
        &me,
        id,
        "referral",
        &json!(flat),
        result,
        "flash.referral_answered",
    )
    .await
}

async fn share_submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let req = ShareRequest {
        org_id: num(&flat, "org_id"),
        access: text(&flat, "access").unwrap_or_default(),
        expected_version: None,
    };
    let result = triage::share(&state.db, &state.calendars, &me, id, req, &ctx.meta()).await;
    after_form(
        &state,
        &ctx,
        &csrf,
        &me,
        id,
        "share",
        &json!(flat),
        result,
        "flash.shared",
    )
    .await
}

async fn revoke_submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path((id, org_id)): Path<(i64, i64)>,
    WebForm(_): WebForm<Flat>,
) -> Result<Response> {
    triage::revoke_share(
        &state.db,
        &state.calendars,
        &me,
        id,
        org_id,
        None,
        &ctx.meta(),
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/cases/{id}"),
        "flash.share_revoked",
        state.config.cookie_secure,
    ))
}

async fn extension_submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path((id, rule_id)): Path<(i64, String)>,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let req = crate::service::deadlines::ExtensionRequest {
        action: text(&flat, "action").unwrap_or_default(),
        tier: text(&flat, "tier"),
        amount: text(&flat, "amount")
            .and_then(|a| a.parse().ok())
            .or(Some(0)),
        reason: text(&flat, "reason"),
        request_seq: num(&flat, "request_seq"),
        expected_version: num(&flat, "expected_version"),
    };
    let flash = match req.action.as_str() {
        "approve" => "flash.extension_approved",
        "refuse" => "flash.extension_refused",
        _ => "flash.extension_requested",
    };
    let result = crate::service::deadlines::extension(
        &state.db,
        &state.calendars,
        &me,
        id,
        &rule_id,
        req,
        &ctx.meta(),
    )
    .await;
    after_form(
        &state,
        &ctx,
        &csrf,
        &me,
        id,
        "extension",
        &json!(flat),
        result,
        flash,
    )
    .await
}
