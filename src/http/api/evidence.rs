//! `/api/v1` evidence endpoints (issue 6): upload, list, safe download and preview, withdraw,
//! approval for sending abroad, export. Serving a file and the export are shared with the pages.

use crate::domain::evidence::content_disposition;
use crate::error::AppError;
use crate::error::Result;
use crate::http::extract::{ApiJson, Ctx, CurrentUser, Svc};
use crate::http::present::evidence::{item_json, list_data};
use crate::http::present::ts;
use crate::http::{AppState, RequestCtx, upload};
use crate::service::evidence::{self as evidence_service, custody};
use crate::service::{Ctx as ServiceCtx, Identity};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/evidence",
            post(create).layer(DefaultBodyLimit::disable()).get(list),
        )
        .route("/cases/{id}/evidence/export", get(export_zip))
        .route("/evidence/{id}/content", get(content))
        .route("/evidence/{id}/preview", get(preview))
        .route("/evidence/{id}/withdraw", post(withdraw))
        .route("/evidence/{id}/approve-abroad", post(approve_abroad))
}

/// `POST /cases/{id}/evidence` (multipart: `file`, `kind`, `description`, `obtained_at`) → 201.
async fn create(
    State(state): State<AppState>,
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    req: Request,
) -> Result<impl IntoResponse> {
    let e = upload::accept(&state, &cx, &me, id, req).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": e.id, "no": e.no, "sha256": e.sha256, "sm3": e.sm3, "size": e.size,
            "media_type": e.media_type, "original_name": e.original_name,
        })),
    ))
}

/// `GET /cases/{id}/evidence`: the items the caller may see, with hashes and custody events.
async fn list(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let (_, items) = evidence_service::list(&cx.db, &me, id).await?;
    Ok(Json(json!({
        "items": items.iter().map(item_json).collect::<Vec<_>>(),
    })))
}

/// Streams an item with the safe-serving headers; a custody event first. A `HEAD` request
/// (`head`) gets the headers only and is not recorded: nothing was handed out.
pub async fn serve(
    state: &AppState,
    cx: &ServiceCtx,
    me: &Identity,
    id: i64,
    inline: bool,
    head: bool,
) -> Result<Response> {
    let opened = custody::open(cx, &state.blobs, me, id, inline, head).await?;
    let e = &opened.item;
    let body = match opened.body {
        Some(stream) => Body::from_stream(stream),
        None => Body::empty(),
    };
    let disposition = content_disposition(inline, &opened.served_name, e.original_name.as_deref());
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
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    method: Method,
) -> Result<Response> {
    serve(&state, &cx, &me, id, false, method == Method::HEAD).await
}

/// `GET /evidence/{id}/preview`: inline, images and PDF only (415 otherwise).
async fn preview(
    State(state): State<AppState>,
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    method: Method,
) -> Result<Response> {
    serve(&state, &cx, &me, id, true, method == Method::HEAD).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WithdrawRequest {
    reason: Option<String>,
}

/// `POST /evidence/{id}/withdraw` `{reason}` → 200 with the item marked withdrawn.
async fn withdraw(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WithdrawRequest>,
) -> Result<Json<Value>> {
    let e = evidence_service::withdraw(&cx, &me, id, body.reason.as_deref()).await?;
    let w = e.withdrawn.as_ref();
    Ok(Json(
        json!({"id": e.id, "withdrawn_at": w.map(|w| ts(w.at)), "reason": w.and_then(|w| w.reason.clone())}),
    ))
}

/// `POST /evidence/{id}/approve-abroad` → 204.
async fn approve_abroad(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    evidence_service::approve_abroad(&cx, &me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn export_zip(
    State(state): State<AppState>,
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    export(&state, &cx, &ctx, &me, id).await
}

/// `GET /cases/{id}/evidence/export`: a zip of the case's evidence (withdrawn items left out)
/// with `manifest.json` and `证据清单.html`, streamed from its temp file. Shared with the pages.
pub async fn export(
    state: &AppState,
    cx: &ServiceCtx,
    ctx: &RequestCtx,
    me: &Identity,
    case_id: i64,
) -> Result<Response> {
    let exported = custody::export(cx, &state.blobs, me, case_id, |list| {
        let mut data = list_data(list.case_number, list.case_title, list.items);
        data["lang"] = json!(ctx.lang.code());
        data["exported_at"] = json!(ts(list.exported_at));
        state
            .views
            .render("evidence/list", &data)
            .map_err(AppError::Internal)
    })
    .await?;
    let file = tokio::fs::File::open(exported.zip.path())
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let len = file
        .metadata()
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .len();
    // The open file stays readable once its name is gone; nothing is left behind if the client
    // leaves.
    drop(exported.zip);
    let mut res = Response::new(Body::from_stream(
        tokio_util::io::ReaderStream::with_capacity(file, 1 << 20),
    ));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    let disposition = format!(
        "attachment; filename=\"{}-evidence.zip\"",
        exported.case_number
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    safe_headers(h);
    Ok(res)
}
