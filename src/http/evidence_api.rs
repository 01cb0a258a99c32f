//! `/api/v1` evidence endpoints (issue 6): upload, list, safe download and preview, withdraw,
//! approval for sending abroad, export. The serving, export and view helpers are shared with the
//! web pages.

use super::AppState;
use super::cases_api::ts;
use super::extract::{ApiJson, Ctx, CurrentUser};
use super::{RequestCtx, evidence_upload};
use crate::domain::evidence::{content_disposition, served_name, sniff};
use crate::error::{AppError, Msg, Result};
use crate::files::export::{self, ExportError};
use crate::service::Identity;
use crate::service::evidence::{self as evidence_service, Item, custody};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
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
    evidence_service::record_upload(
        &state.db,
        &state.blobs,
        &state.config,
        me,
        &v,
        fields,
        received,
        &ctx.meta(),
    )
    .await
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
        "original_name": e.original_name, "sha256": e.sha256, "sm3": e.sm3, "size": e.size,
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

/// Streams an item with the safe-serving headers; a custody event first.
pub async fn serve(
    state: &AppState,
    ctx: &RequestCtx,
    me: &Identity,
    id: i64,
    inline: bool,
) -> Result<Response> {
    let (v, e) = evidence_service::visible_item(&state.db, me, id).await?;
    if inline && !sniff::previewable(&e.media_type) {
        return Err(AppError::UnsupportedMediaType);
    }
    let stream = state
        .blobs
        .get(&e.object_key)
        .await
        .map_err(|err| AppError::Internal(anyhow::anyhow!(err)))?;
    custody::opened(&state.db, me, &v, &e, inline, &ctx.meta()).await?;
    let served = served_name(&v.case.number, e.no, &e.media_type);
    let disposition = content_disposition(inline, &served, e.original_name.as_deref());
    let mut res = Response::new(Body::from_stream(stream));
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
fn safe_headers(h: &mut axum::http::HeaderMap) {
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
) -> Result<Response> {
    serve(&state, &ctx, &me, id, false).await
}

/// `GET /evidence/{id}/preview`: inline, images and PDF only (415 otherwise).
async fn preview(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    serve(&state, &ctx, &me, id, true).await
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

/// `GET /cases/{id}/evidence/export`: a zip of the case's evidence (withdrawn items left out)
/// with `manifest.json` and `证据清单.html`. Shared with the web route.
pub async fn export(
    state: &AppState,
    ctx: &RequestCtx,
    me: &Identity,
    case_id: i64,
) -> Result<Response> {
    let (v, items) = custody::authorize_export(&state.db, me, case_id).await?;
    let items: Vec<Item> = items
        .into_iter()
        .filter(|i| i.evidence.withdrawn_at.is_none())
        .collect();
    let names = names(state, &items).await?;
    let mut entries = Vec::new();
    let mut pairs = Vec::new();
    for i in items {
        let e = &i.evidence;
        let path = format!(
            "evidence/{}",
            served_name(&v.case.number, e.no, &e.media_type)
        );
        entries.push(export::Entry {
            path: path.clone(),
            object_key: e.object_key.clone(),
            sha256: e.sha256.clone(),
        });
        pairs.push((i, path));
    }
    let now = crate::store::now();
    let manifest = custody::manifest(&v, &pairs, &names, me, now);
    let plain: Vec<Item> = pairs.into_iter().map(|(i, _)| i).collect();
    let mut data = list_data(&v.case.number, &v.case.title, &plain, &names);
    data["lang"] = json!(ctx.lang.code());
    data["exported_at"] = json!(ts(now));
    let html = state
        .views
        .render("evidence/list", &data)
        .map_err(AppError::Internal)?;
    let manifest =
        serde_json::to_vec_pretty(&manifest).map_err(|e| AppError::Internal(e.into()))?;
    let (blobs, dir) = (state.blobs.clone(), state.blobs.tmp_dir().to_path_buf());
    let handle = tokio::runtime::Handle::current();
    let built = tokio::task::spawn_blocking(move || {
        export::build(&blobs, &handle, &dir, &entries, &manifest, &html)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let temp = match built {
        Ok(t) => t,
        Err(ExportError::Integrity(path)) => {
            tracing::error!(case = %v.case.number, %path, "export refused: stored object does not match its record");
            return Err(AppError::Conflict(
                Msg::new("error.evidence.integrity").arg("file", path),
            ));
        }
        Err(ExportError::Other(e)) => return Err(AppError::Internal(e)),
    };
    custody::exported(&state.db, me, &v, &plain, &ctx.meta()).await?;
    let file = tokio::fs::File::open(temp.path())
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let len = file
        .metadata()
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .len();
    // The open file stays readable once its name is gone; nothing is left behind if the client leaves.
    drop(temp);
    let mut res = Response::new(Body::from_stream(
        tokio_util::io::ReaderStream::with_capacity(file, 1 << 20),
    ));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    let disposition = format!("attachment; filename=\"{}-evidence.zip\"", v.case.number);
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    safe_headers(h);
    Ok(res)
}

async fn export_zip(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    export(&state, &ctx, &me, id).await
}
