//! `/api/v1` evidence endpoints (issue 6): upload, list, safe download and preview, withdraw,
//! approval for sending abroad, export. Serving a file and the export are shared with the pages.

use crate::domain::evidence::content_disposition;
use crate::error::AppError;
use crate::error::Result;
use crate::http::api::cases::CaseId;
use crate::http::api::model;
use crate::http::extract::{ApiJson, Ctx, CurrentUser, Svc};
use crate::http::present::evidence::{item_json, list_data};
use crate::http::present::ts;
use crate::http::{AppState, RequestCtx, upload};
use crate::service::evidence::{self as evidence_service, custody};
use crate::service::{Ctx as ServiceCtx, Identity};
use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // The upload streams to storage under its own limits (`evidence_max_bytes`).
        .routes(routes!(create, list).layer(DefaultBodyLimit::disable()))
        .routes(routes!(export_zip))
        .routes(routes!(content))
        .routes(routes!(preview))
        .routes(routes!(withdraw))
        .routes(routes!(approve_abroad))
}

/// The form of an evidence upload (`multipart/form-data`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct EvidenceUpload {
    /// The file (streamed; its type is sniffed from its bytes, not taken from the client).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    kind: crate::domain::evidence::Kind,
    #[schema(max_length = 2000)]
    description: Option<String>,
    /// When the evidence was obtained, not after today: `YYYY-MM-DD` or an RFC 3339 instant.
    obtained_at: Option<String>,
}

/// An id of an evidence item.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct EvidenceId {
    /// The evidence item's id.
    id: i64,
}

/// Adds an evidence item to a case: SHA-256 while it streams in, SM3 sealed a moment after.
#[utoipa::path(post, path = "/cases/{id}/evidence", tag = "evidence", params(CaseId),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = model::EvidenceStored),
        (status = 403, description = "The caller may not add evidence to this case"),
        (status = 404, description = "No such case, or not visible to the caller"),
        (status = 408, description = "The upload came slower than the minimum rate"),
        (status = 409, description = "The case is closed: no more evidence"),
        (status = 422, description = "A field is refused, or the file is of a type not taken"),
        (status = 429, description = "Too many uploads of the caller in flight"),
        (status = 503, description = "The evidence storage is unavailable"),
    ))]
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
        Json(model::EvidenceStored {
            id: e.id,
            no: e.no,
            sha256: e.sha256,
            sm3: e.sm3,
            size: e.size,
            media_type: e.media_type,
            original_name: e.original_name,
        }),
    ))
}

/// The evidence items the caller may see, with hashes and chains of custody.
#[utoipa::path(get, path = "/cases/{id}/evidence", tag = "evidence", params(CaseId),
    responses(
        (status = 200, description = "The items", body = model::EvidenceList),
        (status = 404, description = "No such case, or not visible to the caller"),
    ))]
async fn list(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::EvidenceList>> {
    let (_, items) = evidence_service::list(&cx.db, &me, id).await?;
    Ok(Json(model::EvidenceList {
        items: items.iter().map(item_json).collect(),
    }))
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
    let disposition = content_disposition(inline, &opened.served_name, e.original_name.as_deref());
    Ok(file_response(
        opened.body,
        &e.media_type,
        e.size,
        &disposition,
        &e.sha256,
    ))
}

/// A stored file as the answer: its bytes (none for a `HEAD`), its type and length, how it is
/// handed out (`disposition`), its SHA-256 as the ETag, and the safe-serving headers. Evidence,
/// an enterprise's proof document and a health check's report are all served this way.
pub fn file_response(
    body: Option<futures::stream::BoxStream<'static, std::io::Result<bytes::Bytes>>>,
    media_type: &str,
    size: i64,
    disposition: &str,
    sha256: &str,
) -> Response {
    let body = match body {
        Some(stream) => Body::from_stream(stream),
        None => Body::empty(),
    };
    let mut res = Response::new(body);
    let h = res.headers_mut();
    let value = |s: &str| HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static(""));
    h.insert(header::CONTENT_TYPE, value(media_type));
    h.insert(header::CONTENT_LENGTH, value(&size.to_string()));
    h.insert(header::CONTENT_DISPOSITION, value(disposition));
    h.insert(header::ETAG, value(&format!("\"{sha256}\"")));
    safe_headers(h);
    res
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

/// The item's bytes, as an attachment (a custody event is recorded).
#[utoipa::path(get, path = "/evidence/{id}/content", tag = "evidence", params(EvidenceId),
    responses(
        (status = 200, description = "The file, of its sniffed type", content((Vec<u8> = "*/*")),
            headers(("ETag" = String, description = "The SHA-256, quoted"))),
        (status = 404, description = "No such item, or not visible to the caller"),
        (status = 503, description = "The evidence storage is unavailable"),
    ))]
async fn content(
    State(state): State<AppState>,
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    method: Method,
) -> Result<Response> {
    serve(&state, &cx, &me, id, false, method == Method::HEAD).await
}

/// The item shown inline: images and PDF only (a custody event is recorded).
#[utoipa::path(get, path = "/evidence/{id}/preview", tag = "evidence", params(EvidenceId),
    responses(
        (status = 200, description = "The file", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/gif"),
            (Vec<u8> = "image/webp"),
            (Vec<u8> = "image/bmp"),
        )),
        (status = 404, description = "No such item, or not visible to the caller"),
        (status = 415, description = "The item is not an image or PDF"),
        (status = 503, description = "The evidence storage is unavailable"),
    ))]
async fn preview(
    State(state): State<AppState>,
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    method: Method,
) -> Result<Response> {
    serve(&state, &cx, &me, id, true, method == Method::HEAD).await
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
struct WithdrawRequest {
    /// Why the item is withdrawn.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 1000)]
    reason: Option<String>,
}

/// Withdraws an item: it stays on record, left out of exports.
#[utoipa::path(post, path = "/evidence/{id}/withdraw", tag = "evidence", params(EvidenceId),
    request_body = WithdrawRequest,
    responses(
        (status = 200, description = "Withdrawn", body = model::Withdrawn),
        (status = 403, description = "Only the uploader's organisation withdraws an item"),
        (status = 404, description = "No such item, or not visible to the caller"),
        (status = 409, description = "Already withdrawn"),
        (status = 422, description = "A field is refused"),
    ))]
async fn withdraw(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WithdrawRequest>,
) -> Result<Json<model::Withdrawn>> {
    let e = evidence_service::withdraw(&cx, &me, id, body.reason.as_deref()).await?;
    let w = e.withdrawn.as_ref();
    Ok(Json(model::Withdrawn {
        id: e.id,
        withdrawn_at: w.map(|w| ts(w.at)),
        reason: w.and_then(|w| w.reason.clone()),
    }))
}

/// Approves sending an item abroad (overseas cases; supervisors).
#[utoipa::path(post, path = "/evidence/{id}/approve-abroad", tag = "evidence", params(EvidenceId),
    responses(
        (status = 204, description = "Approved"),
        (status = 403, description = "Not a supervisor of the owning office"),
        (status = 404, description = "No such item, or not visible to the caller"),
        (status = 409, description = "Not an overseas case's item, or approved already"),
    ))]
async fn approve_abroad(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    evidence_service::approve_abroad(&cx, &me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A zip of the case's evidence (withdrawn items left out) with `manifest.json` and the
/// printable list `证据清单.html`.
#[utoipa::path(get, path = "/cases/{id}/evidence/export", tag = "evidence", params(CaseId),
    responses(
        (status = 200, description = "The zip", content((Vec<u8> = "application/zip"))),
        (status = 403, description = "An enterprise: the office's export is not the filer's"),
        (status = 404, description = "No such case, or not visible to the caller"),
        (status = 503, description = "The evidence storage is unavailable"),
    ))]
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
