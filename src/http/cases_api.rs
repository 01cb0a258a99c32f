//! `/api/v1` case endpoints: complaints, leads, lists, case detail, timeline, triage, referral
//! answers, shares, duplicates, deadlines.

use super::AppState;
use super::api::shanghai;
use super::extract::{ApiJson, Ctx, CurrentUser};
use crate::domain::case::{self, intake::CaseInput};
use crate::domain::policy::{CaseAccess, CaseAction};
use crate::error::Result;
use crate::service::cases::{self as cases_service, Detail, Filed, ListQuery};
use crate::service::triage::{self, Moved, ReferralAnswer, ShareRequest, TriageRequest};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use entity::{case_clocks, case_events, cases};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", post(file_complaint))
        .route("/cases", post(enter_lead).get(list))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/events", get(events))
        .route("/cases/{id}/deadlines", get(deadlines))
        .route("/cases/{id}/deadlines/{rule_id}/extension", post(extension))
        .route(
            "/cases/{id}/triage",
            get(triage_options).post(triage_decide),
        )
        .route("/cases/{id}/referral", post(referral_answer))
        .route("/cases/{id}/shares", post(share))
        .route("/cases/{id}/shares/{org_id}", delete(revoke_share))
        .route("/cases/{id}/duplicates", get(duplicates))
}

/// RFC 3339 in Beijing time.
pub fn ts(t: DateTime<Utc>) -> String {
    t.with_timezone(&shanghai()).to_rfc3339()
}

fn filed_json(f: &Filed) -> Value {
    json!({
        "id": f.id,
        "number": f.number,
        "version": f.version,
        "queue": case::Queue::Triage.as_str(),
        "state": case::STATE_NEW,
        "received_at": ts(f.received_at),
        "triage_due": f.triage_due.map(ts),
        "triage_due_provisional": f.provisional,
    })
}

/// `POST /complaints` (enterprise) → 201 with the receipt facts.
async fn file_complaint(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<CaseInput>,
) -> Result<impl IntoResponse> {
    let f =
        cases_service::file_complaint(&state.db, &state.calendars, &me, body, &ctx.meta()).await?;
    Ok((StatusCode::CREATED, Json(filed_json(&f))))
}

/// `POST /cases` (office) → 201.
async fn enter_lead(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<CaseInput>,
) -> Result<impl IntoResponse> {
    let f = cases_service::enter_lead(&state.db, &state.calendars, &me, body, &ctx.meta()).await?;
    Ok((StatusCode::CREATED, Json(filed_json(&f))))
}

/// One case in a list.
pub fn summary_json(c: &cases::Model, filer_view: bool) -> Value {
    let mut v = json!({
        "id": c.id,
        "number": c.number,
        "title": c.title,
        "queue": c.queue,
        "state": c.state,
        "channel": c.channel,
        "region_code": c.region_code,
        "source": c.source,
        "srdi": case::srdi_name(c.srdi_rank),
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

/// `GET /cases`: visible cases with filters and a cursor.
async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>> {
    let page = cases_service::list(&state.db, &me, &q).await?;
    let filer = me.actor.org_kind == crate::domain::identity::OrgKind::Enterprise;
    Ok(Json(json!({
        "items": page.items.iter().map(|c| summary_json(c, filer)).collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    })))
}

pub fn clock_json(c: &case_clocks::Model) -> Value {
    let detail: Value = serde_json::from_str(&c.detail).unwrap_or(json!({}));
    json!({
        "name": c.name,
        "rule_id": c.rule_id,
        "source": c.source,
        "unit": c.unit,
        "start_at": ts(c.start_at),
        "due_at": ts(c.due_at),
        "state": c.state,
        "paused_segments": detail.get("paused_segments").cloned().unwrap_or(json!([])),
        "extensions": detail.get("extensions").cloned().unwrap_or(json!([])),
        "provisional": c.provisional,
        "explanation": c.explanation,
    })
}

/// A case with parties, rights, shares and clocks, as this reader may see it.
pub fn detail_json(d: &Detail) -> Value {
    let c = &d.visible.case;
    let filer = d.visible.access == CaseAccess::Filer;
    let mut v = summary_json(c, filer);
    let facts: Value = serde_json::from_str(&c.facts).unwrap_or(json!({}));
    v["description"] = json!(c.description);
    v["complainant_standing"] = json!(c.complainant_standing);
    v["exhibition"] = facts.get("exhibition").cloned().unwrap_or(Value::Null);
    v["overseas"] = facts.get("overseas").cloned().unwrap_or(Value::Null);
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
        .map(|(s, o)| {
            json!({"org_id": s.org_id, "org": o.as_ref().map(|o| o.name.clone()),
                   "access": s.access, "granted_at": ts(s.granted_at)})
        })
        .collect();
    v["deadlines"] = d
        .clocks
        .iter()
        .filter(|c| !filer || c.rule_id.starts_with("triage."))
        .map(clock_json)
        .collect();
    v["access"] = json!(match d.visible.access {
        CaseAccess::Filer => "filer",
        CaseAccess::Read => "read",
        CaseAccess::Contribute => "contribute",
        CaseAccess::Owner => "owner",
        CaseAccess::None => "none",
    });
    v
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let d = cases_service::detail(&state.db, &me, id).await?;
    Ok(Json(detail_json(&d)))
}

pub fn event_json(e: &case_events::Model) -> Value {
    json!({
        "seq": e.seq,
        "kind": e.kind,
        "at": ts(e.at),
        "recorded_at": ts(e.recorded_at),
        "actor_user_id": e.actor_user_id,
        "public": e.public,
        "payload": serde_json::from_str::<Value>(&e.payload).unwrap_or(json!({})),
    })
}

async fn events(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let ev = cases_service::events(&state.db, &me, id).await?;
    Ok(Json(
        json!({"items": ev.iter().map(event_json).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

async fn deadlines(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let d = cases_service::detail(&state.db, &me, id).await?;
    Ok(Json(json!({"items": detail_json(&d)["deadlines"].clone()})))
}

fn moved_json(m: &Moved) -> Json<Value> {
    Json(json!({"id": m.id, "version": m.version, "queue": m.queue, "state": m.state}))
}

/// `GET /cases/{id}/triage`: whether the caller may triage now, the choices, and duplicates.
async fn triage_options(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let v = cases_service::visible(&state.db, &me, id).await?;
    let allowed = v.can(&me, CaseAction::Triage);
    let dups = if allowed {
        triage::duplicates(&state.db, &me, id).await?
    } else {
        Vec::new()
    };
    Ok(Json(json!({
        "id": v.case.id,
        "version": v.case.version,
        "queue": v.case.queue,
        "state": v.case.state,
        "allowed": allowed,
        "actions": if allowed { json!(["route", "refer", "reject", "merge"]) } else { json!([]) },
        "queues": case::Queue::WORK.iter().map(|q| q.as_str()).collect::<Vec<_>>(),
        "reject_reasons": case::triage::REJECT_REASONS,
        "duplicates": dups.iter().map(|c| summary_json(c, false)).collect::<Vec<_>>(),
    })))
}

async fn triage_decide(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TriageRequest>,
) -> Result<Json<Value>> {
    let m = triage::decide(&state.db, &state.calendars, &me, id, body, &ctx.meta()).await?;
    Ok(moved_json(&m))
}

async fn referral_answer(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReferralAnswer>,
) -> Result<Json<Value>> {
    let m =
        triage::answer_referral(&state.db, &state.calendars, &me, id, body, &ctx.meta()).await?;
    Ok(moved_json(&m))
}

async fn share(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ShareRequest>,
) -> Result<impl IntoResponse> {
    let m = triage::share(&state.db, &state.calendars, &me, id, body, &ctx.meta()).await?;
    Ok((StatusCode::CREATED, moved_json(&m)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionQuery {
    expected_version: Option<i64>,
}

async fn revoke_share(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path((id, org_id)): Path<(i64, i64)>,
    Query(q): Query<VersionQuery>,
) -> Result<Json<Value>> {
    let m = triage::revoke_share(
        &state.db,
        &state.calendars,
        &me,
        id,
        org_id,
        q.expected_version,
        &ctx.meta(),
    )
    .await?;
    Ok(moved_json(&m))
}

async fn duplicates(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let d = triage::duplicates(&state.db, &me, id).await?;
    Ok(Json(
        json!({"items": d.iter().map(|c| summary_json(c, false)).collect::<Vec<_>>()}),
    ))
}

/// `POST /cases/{id}/deadlines/{rule_id}/extension`: request, approve or refuse an extension.
async fn extension(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path((id, rule_id)): Path<(i64, String)>,
    ApiJson(body): ApiJson<crate::service::deadlines::ExtensionRequest>,
) -> Result<Json<Value>> {
    let m = crate::service::deadlines::extension(
        &state.db,
        &state.calendars,
        &me,
        id,
        &rule_id,
        body,
        &ctx.meta(),
    )
    .await?;
    let d = cases_service::detail(&state.db, &me, id).await?;
    Ok(Json(json!({
        "id": m.id, "version": m.version, "state": m.state,
        "deadlines": detail_json(&d)["deadlines"].clone(),
    })))
}
