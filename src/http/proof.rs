//! Receiving an enterprise registration with its proof document (web form and API alike): the
//! multipart body is streamed part by part, the document into a temp file beside the blob store
//! while it is hashed, refused as soon as it is too large or its first bytes are not a PDF, JPEG
//! or PNG; the text fields are capped. A plain form post carries its CSRF token as the first
//! field, checked here before anything else is read (as for evidence uploads). A refused
//! document still leaves the fields sent before it, so that the form comes back filled in.

use super::AppState;
use super::middleware::{StreamedCsrf, constant_eq};
use crate::domain::enterprise::{self, DOCUMENT_MAX_BYTES};
use crate::domain::evidence::sniff::{self, HEAD_LEN};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::files::upload::{Upload as TempUpload, WriteError};
use crate::service::registration::{Document, Registration, Upload};
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};

/// The body limit of a registration route: the largest document and room for the fields.
pub const BODY_LIMIT: usize = DOCUMENT_MAX_BYTES as usize + 1024 * 1024;
/// Most parts a registration may have.
const MAX_PARTS: usize = 24;
/// Largest text field, in bytes.
const MAX_TEXT: usize = 4 * 1024;
/// A refused document up to this size is read to its end before answering, so that the client
/// sees the answer rather than a reset connection.
const DRAIN: usize = 8 * 1024 * 1024;

/// Whether a request carries a multipart body (a registration with a file).
pub fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(e.body_text())
    }
}

/// Reads what is left of a part (up to [`DRAIN`] bytes) and forgets it.
async fn drain(field: &mut Field<'_>) {
    let mut seen = 0;
    while let Ok(Some(c)) = field.chunk().await {
        seen += c.len();
        if seen > DRAIN {
            break;
        }
    }
}

/// Streams a multipart registration in: its fields and its document (`document` part; the
/// kind is the `document_kind` field).
pub async fn receive(state: &AppState, req: Request) -> Result<(Registration, Upload)> {
    let csrf = req.extensions().get::<StreamedCsrf>().cloned();
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?;
    let mut r = Registration::default();
    let mut upload = Upload::None;
    let mut parts = 0;
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::BadRequest("too many parts".into()));
        }
        let name = field.name().unwrap_or("").to_string();
        if parts == 1
            && let Some(StreamedCsrf(expected)) = &csrf
        {
            let mut token = Vec::new();
            while let Some(c) = field.chunk().await.map_err(multipart_error)? {
                token.extend_from_slice(&c);
                if token.len() > 128 {
                    break;
                }
            }
            if name != "_csrf" || !constant_eq(&String::from_utf8_lossy(&token), expected) {
                return Err(AppError::Forbidden(Msg::new("error.csrf")));
            }
            continue;
        }
        if name == "document" {
            if !matches!(upload, Upload::None) {
                return Err(AppError::field("document", "error.evidence.one_file"));
            }
            upload = document(state, &mut field).await?;
            if matches!(upload, Upload::Refused(_)) {
                // The rest of the body is not read: the fields come before the file.
                break;
            }
            continue;
        }
        let mut text = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            text.extend_from_slice(&chunk);
            if text.len() > MAX_TEXT {
                return Err(AppError::Invalid(vec![FieldError::new(
                    name.clone(),
                    "error.text.too_long",
                )]));
            }
        }
        let value = String::from_utf8(text).map_err(|_| {
            AppError::Invalid(vec![FieldError::new(name.clone(), "error.text.control")])
        })?;
        // Format characters (bidi controls) never reach a stored text.
        let value = crate::domain::text::without_format(&value).into_owned();
        let slot = match name.as_str() {
            "name" => &mut r.name,
            "uscc" => &mut r.uscc,
            "region_code" => &mut r.region_code,
            "contact_name" => &mut r.contact_name,
            "contact_phone" => &mut r.contact_phone,
            "email" => &mut r.email,
            "username" => &mut r.username,
            "password" => &mut r.password,
            "confirm_password" => &mut r.confirm_password,
            "position" => &mut r.position,
            "document_kind" => &mut r.document_kind,
            _ => continue,
        };
        *slot = value;
    }
    Ok((r, upload))
}

/// Streams the document part into a temp file: none when the part is empty (no file chosen),
/// refused when too large or of a type that cannot be a proof document.
async fn document(state: &AppState, field: &mut Field<'_>) -> Result<Upload> {
    let file_name = field.file_name().map(str::to_string);
    let claimed_type = field.content_type().map(str::to_string);
    let limit = DOCUMENT_MAX_BYTES;
    let mut up = TempUpload::create(state.blobs.tmp_dir(), limit)
        .await
        .map_err(AppError::storage)?;
    let mut sniffed = false;
    let refuse = |key: &'static str| Upload::Refused(FieldError::new("document", key));
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        match up.write(&chunk).await {
            Ok(()) => {}
            Err(WriteError::TooLarge) => {
                drop(up);
                drain(field).await;
                return Ok(refuse("error.registration.document_large"));
            }
            Err(WriteError::Io(e)) => return Err(AppError::storage(e)),
        }
        if !sniffed && up.head().len() >= HEAD_LEN {
            sniffed = true;
            let allowed =
                sniff::sniff(up.head(), false).is_ok_and(enterprise::document_type_allowed);
            if !allowed {
                drop(up);
                drain(field).await;
                return Ok(refuse("error.registration.document_type"));
            }
        }
    }
    let received = up.finish().await.map_err(AppError::storage)?;
    if received.size == 0 && file_name.as_deref().is_none_or(str::is_empty) {
        // No file chosen: browsers send an empty part with an empty file name.
        return Ok(Upload::None);
    }
    Ok(Upload::Received(Document {
        file_name,
        claimed_type,
        received,
    }))
}
