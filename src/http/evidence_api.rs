//! `/api/v1` evidence endpoints (issue 6): upload, list, safe download and preview, withdraw,
//! approval for sending abroad, export. The serving, export and view helpers are shared with the
//! web pages.

use super::AppState;
use super::cases_api::ts;
use super::extract::{ApiJson, Ctx, CurrentUser};
use super::{RequestCtx, evidence_upload};
use crate::domain::evidence::{content_disposition, served_name, sniff};
use crate::error::{AppError, Result};
use crate::service::Identity;
use crate::service::evidence::{self as evidence_service, Item, custody};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use entity::evidence;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/evidence",
            post(upload).layer(DefaultBodyLimit::disable()).get(list),
        )
        .route("/cases/{id}/evidence/export", get(export_zip))
        .route("/evidence/{id}/content", get(content))
        .route("/evidence/{id}/preview", get(preview))
        .route("/evidence/{id}/withdraw", post(withdraw))
        .route("/evidence/{id}/approve-abroad", post(approve_abroad))
}

/// Checks access, streams the body in, records it. Shared by the API and the web form.
pub async fn accept_upload(
    state: &AppState,
    ctx: &RequestCtx,
    me: &Identity,
    case_id: i64,
    req: Request,
) -> Result<evidence::Model> {
    let v = evidence_service::authorize_upload(&state.db, me, case_id).await?;
    let room = evidence_service::room(&state.db, &state.config, case_id).await?;
    let (fields, received) = evidence_upload::receive(state, req, room).await?;
    let row = evidence_service::record_upload(
        &state.db,
        &state.blobs,
        &state.config,
        me,
        &v,
        fields,
        received,
        &ctx.meta(),
    )
    .await?;
    state.seal.notify_one();
    Ok(row)
}

/// `POST /cases/{id}/evidence` (multipart: `file`, `kind`, `description`, `obtained_at`) → 201.
async fn upload(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    req: Request,
) -> Result<impl IntoResponse> {
    let e = accept_upload(&state, &ctx, &me, id, req).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": e.id, "no": e.no, "sha256": e.sha256, "sm3": e.sm3, "size": e.size,
            "media_type": e.media_type, "original_name": e.original_name,
        })),
    ))
}

/// Display names of uploaders and custody actors.
pub async fn names(state: &AppState, items: &[Item]) -> Result<HashMap<i64, String>> {
    let mut ids: Vec<i64> = items
        .iter()
        .flat_map(|i| {
            std::iter::once(i.evidence.uploader_user_id)
                .chain(i.custody.iter().filter_map(|c| c.actor_user_id))
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(crate::store::users::names(state.db.conn(), ids).await?)
}

/// One item as the API and the pages show it.
pub fn item_json(i: &Item, names: &HashMap<i64, String>) -> Value {
    let e = &i.evidence;
    json!({
        "id": e.id, "no": e.no, "label": i.label, "kind": e.kind, "kind_key": format!("evidence_kind.{}", e.kind),
        "description": e.description, "obtained_at": e.obtained_at.map(|d| d.to_string()),
        "original_name": e.original_name, "sha256": e.sha256, "sm3": e.sm3,
        "sm3_at": e.sm3_at.map(ts), "size": e.size,
        "media_type": e.media_type, "previewable": sniff::previewable(&e.media_type),
        "uploader": {"user_id": e.uploader_user_id, "name": names.get(&e.uploader_user_id), "org_id": e.uploader_org_id},
        "uploaded_at": ts(e.uploaded_at),
        "withdrawn": e.withdrawn_at.map(|t| json!({"at": ts(t), "by_user_id": e.withdrawn_by_user_id, "reason": e.withdraw_reason})),
        "custody": i.custody.iter().map(|c| json!({
            "event": c.kind, "event_key": format!("event.{}", c.kind), "at": ts(c.at),
            "actor": c.actor_user_id.and_then(|u| names.get(&u)),
        })).collect::<Vec<_>>(),
    })
}

/// `GET /cases/{id}/evidence`: the items the caller may see, with hashes and custody events.
async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let (_, items) = evidence_service::list(&state.db, &me, id).await?;
    let names = names(&state, &items).await?;
    Ok(Json(json!({
        "items": items.iter().map(|i| item_json(i, &names)).collect::<Vec<_>>(),
    })))
}

/// Streams an item with the safe-serving headers; a custody event first. A `HEAD` request
/// (`head`) gets the headers only and is not recorded: nothing was handed out.
pub async fn serve(
    state: &AppState,
    ctx: &RequestCtx,
    me: &Identity,
    id: i64,
    inline: bool,
    head: bool,
) -> Result<Response> {
    let (v, e) = evidence_service::visible_item(&state.db, me, id).await?;
    if inline && !sniff::previewable(&e.media_type) {
        return Err(AppError::UnsupportedMediaType);
    }
    let body = if head {
        Body::empty()
    } else {
        let stream = state
            .blobs
            .get(&e.object_key)
            .await
            .map_err(|err| AppError::Internal(anyhow::anyhow!(err)))?;
        custody::opened(&state.db, me, &v, &e, inline, &ctx.meta()).await?;
        Body::from_stream(stream)
    };
    let served = served_name(&v.case.number, e.no, &e.media_type);
    let disposition = content_disposition(inline, &served, e.original_name.as_deref());
    let mut res = Response::new(body);
    let h = res.headers_mut();
    let value = |s: &str| HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static(""));
    h.insert(header::CONTENT_TYPE, value(&e.media_type));
    h.insert(header::CONTENT_LENGTH, value(&e.size.to_string()));
    h.insert(header::CONTENT_DISPOSITION, value(&disposition));
    h.insert(header::ETAG, value(&format!("\"{}\"", e.sha256)));
    safe_headers(h);
    Ok(res)
}

/// Headers for every file we serve: no sniffing, no scripts, no caching, same origin only.
pub fn safe_headers(h: &mut axum::http::HeaderMap) {
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        ),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
}

/// `GET /evidence/{id}/content`: the bytes, as an attachment.
async fn content(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    method: Method,
) -> Result<Response> {
    serve(&state, &ctx, &me, id, false, method == Method::HEAD).await
}

/// `GET /evidence/{id}/preview`: inline, images and PDF only (415 otherwise).
async fn preview(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    method: Method,
) -> Result<Response> {
    serve(&state, &ctx, &me, id, true, method == Method::HEAD).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WithdrawRequest {
    reason: Option<String>,
}

/// `POST /evidence/{id}/withdraw` `{reason}` → 200 with the item marked withdrawn.
async fn withdraw(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WithdrawRequest>,
) -> Result<Json<Value>> {
    let e =
        evidence_service::withdraw(&state.db, &me, id, body.reason.as_deref(), &ctx.meta()).await?;
    Ok(Json(
        json!({"id": e.id, "withdrawn_at": e.withdrawn_at.map(ts), "reason": e.withdraw_reason}),
    ))
}

/// `POST /evidence/{id}/approve-abroad` → 204.
async fn approve_abroad(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    evidence_service::approve_abroad(&state.db, &me, id, &ctx.meta()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The data of the printable evidence list (证据清单), for the page and the zip.
pub fn list_data(
    case_number: &str,
    title: &str,
    items: &[Item],
    names: &HashMap<i64, String>,
) -> Value {
    json!({
        "case_number": case_number, "case_title": title,
        "items": items.iter().map(|i| item_json(i, names)).collect::<Vec<_>>(),
    })
}

async fn export_zip(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    super::evidence_export::export(&state, &ctx, &me, id).await
}
