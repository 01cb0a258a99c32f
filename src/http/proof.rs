//! Receiving a form with one document — an enterprise registration with its proof document, an
//! IP health check with its result report — (web form and API alike): the
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
pub const BODY_LIMIT: usize = PROOF.body_limit();
/// Most parts a registration may have.
const MAX_PARTS: usize = 24;
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

/// The file part a multipart form carries: its name, how large it may be, and the messages of
/// its refusals.
#[derive(Debug, Clone, Copy)]
pub struct FilePart {
    pub name: &'static str,
    pub limit: u64,
    /// The largest text field the form may carry, in bytes.
    pub max_text: usize,
    pub too_large: &'static str,
    pub wrong_type: &'static str,
}

/// The registration's proof document.
pub const PROOF: FilePart = FilePart {
    name: "document",
    limit: DOCUMENT_MAX_BYTES,
    max_text: 4 * 1024,
    too_large: "error.registration.document_large",
    wrong_type: "error.registration.document_type",
};

/// A health check's result report.
pub const REPORT: FilePart = FilePart {
    name: "report",
    limit: crate::domain::health_check::REPORT_MAX_BYTES,
    // The summary: up to 8,000 characters of three bytes each.
    max_text: 32 * 1024,
    too_large: "error.health_check.report_large",
    wrong_type: "error.health_check.report_type",
};

impl FilePart {
    /// The body limit of a route taking this part: the largest file and room for the fields.
    pub const fn body_limit(&self) -> usize {
        self.limit as usize + 1024 * 1024
    }
}

/// Streams a multipart registration in: its fields and its document (`document` part; the
/// kind is the `document_kind` field).
pub async fn receive(state: &AppState, req: Request) -> Result<(Registration, Upload)> {
    let mut r = Registration::default();
    let upload = receive_form(state, req, PROOF, |name, value| {
        let slot = match name {
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
            _ => return,
        };
        *slot = value;
    })
    .await?;
    Ok((r, upload))
}

/// Streams a multipart form with one document (a PDF, JPEG or PNG) in: each text field goes to
/// `set` (capped, without format characters), the `file` part into a temp file.
pub async fn receive_form(
    state: &AppState,
    req: Request,
    file: FilePart,
    mut set: impl FnMut(&str, String),
) -> Result<Upload> {
    let csrf = req.extensions().get::<StreamedCsrf>().cloned();
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?;
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
        if name == file.name {
            if !matches!(upload, Upload::None) {
                return Err(AppError::field(file.name, "error.evidence.one_file"));
            }
            upload = document(state, &mut field, file).await?;
            if matches!(upload, Upload::Refused(_)) {
                // The rest of the body is not read: the fields come before the file.
                break;
            }
            continue;
        }
        let mut text = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            text.extend_from_slice(&chunk);
            if text.len() > file.max_text {
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
        set(
            &name,
            crate::domain::text::without_format(&value).into_owned(),
        );
    }
    Ok(upload)
}

/// Streams the document part into a temp file: none when the part is empty (no file chosen),
/// refused when too large or of a type that cannot be a proof document.
async fn document(state: &AppState, field: &mut Field<'_>, file: FilePart) -> Result<Upload> {
    let file_name = field.file_name().map(str::to_string);
    let claimed_type = field.content_type().map(str::to_string);
    let mut up = TempUpload::create(state.blobs.tmp_dir(), file.limit)
        .await
        .map_err(AppError::storage)?;
    let mut sniffed = false;
    let refuse = |key: &'static str| Upload::Refused(FieldError::new(file.name, key));
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        match up.write(&chunk).await {
            Ok(()) => {}
            Err(WriteError::TooLarge) => {
                drop(up);
                drain(field).await;
                return Ok(refuse(file.too_large));
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
                return Ok(refuse(file.wrong_type));
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
