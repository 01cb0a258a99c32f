//! What waits for the caller and what is said on a case, in the JSON API:
//! `GET /approvals` (the approvals inbox), `POST /cases/{id}/shares/acknowledge`,
//! `GET/POST /cases/{id}/messages` (沟通) and `GET/PUT /account/notices` (channels per topic).

use crate::error::Result;
use crate::http::AppState;
use crate::http::extract::{ApiJson, Ctx, CurrentUser, Svc};
use crate::http::present::case::moved_json;
use crate::http::present::ts;
use crate::i18n::{self, Lang};
use crate::service::approvals::{self, Item};
use crate::service::messages::{self, Message, NewMessage};
use crate::service::notifications as notices;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/approvals", get(approvals_list))
        .route("/cases/{id}/shares/acknowledge", post(acknowledge_share))
        .route(
            "/cases/{id}/messages",
            get(messages_list).post(message_post),
        )
        .route(
            "/account/notices",
            get(preferences_get).put(preferences_put),
        )
}

/// One inbox item; `label` in the request's language.
pub fn item_json(lang: Lang, i: &Item) -> Value {
    json!({
        "id": i.id,
        "kind": i.kind,
        "label": i18n::t(lang, &i.kind.key()),
        "case_id": i.case_id,
        "case_number": i.number,
        "case_title": i.title,
        "case_version": i.version,
        "srdi_rank": i.srdi_rank,
        "opened_seq": i.opened_seq,
        "opened_at": ts(i.opened_at),
        "clock": i.rule_id.as_ref().map(|r| json!({
            "rule_id": r,
            "name": i.clock,
            "due_at": i.due_at.map(ts),
        })),
        "data": i.data,
    })
}

/// `GET /approvals` → `{items, count}`, oldest first; 403 for an enterprise.
async fn approvals_list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
) -> Result<Json<Value>> {
    let items = approvals::list(&state.db, &me).await?;
    Ok(Json(json!({
        "count": items.len(),
        "items": items.iter().map(|i| item_json(ctx.lang, i)).collect::<Vec<_>>(),
    })))
}

/// `POST /cases/{id}/shares/acknowledge`: the caller's office takes note of a case shared with
/// it (404 when nothing waits).
async fn acknowledge_share(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let m = approvals::acknowledge_share(&cx, &me, id).await?;
    Ok(Json(moved_json(&m)))
}

pub fn message_json(m: &Message) -> Value {
    json!({
        "seq": m.seq,
        "at": ts(m.at),
        "from": m.from,
        "author": m.author,
        "org": m.org,
        "body": m.body,
        "material_due": m.material_due,
        "answers": m.answers,
        "evidence": m.evidence,
    })
}

/// `GET /cases/{id}/messages` → `{items, open_request}`.
async fn messages_list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let (items, open) = messages::list(&state.db, &me, id).await?;
    Ok(Json(json!({
        "items": items.iter().map(message_json).collect::<Vec<_>>(),
        "open_request": open,
    })))
}

/// `POST /cases/{id}/messages` `{body, material_due, evidence_ids}` → 201 `{case, message}`.
async fn message_post(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewMessage>,
) -> Result<impl IntoResponse> {
    let (m, msg) = messages::post(&cx, &me, id, body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"case": moved_json(&m), "message": message_json(&msg)})),
    ))
}

/// `GET /account/notices` → `{topics: [{topic, label, email, sms}], email, phone, mail_enabled, sms_enabled}`.
async fn preferences_get(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
) -> Result<Json<Value>> {
    let p = notices::preferences(&cx, &me).await?;
    Ok(Json(preferences_json(ctx.lang, &p)))
}

pub fn preferences_json(lang: Lang, p: &notices::Preferences) -> Value {
    json!({
        "topics": p.topics.iter().map(|t| json!({
            "topic": t.topic,
            "label": i18n::t(lang, &t.topic.key()),
            "email": t.email,
            "sms": t.sms,
        })).collect::<Vec<_>>(),
        "email": p.email,
        "phone": p.phone,
        "mail_enabled": p.mail_enabled,
        "sms_enabled": p.sms_enabled,
    })
}

/// `PUT /account/notices` `{topics: [{topic, email, sms}]}` → the preferences after.
async fn preferences_put(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<notices::PreferencesInput>,
) -> Result<Json<Value>> {
    notices::set_preferences(&cx, &me, &body).await?;
    let p = notices::preferences(&cx, &me).await?;
    Ok(Json(preferences_json(ctx.lang, &p)))
}
