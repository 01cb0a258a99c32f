//! Receiving an evidence upload (API and web form alike): the multipart body is streamed part by
//! part, the file into a temp file in the storage root while it is hashed; text fields are capped.
//! A plain form post (no script) carries its CSRF token as the first field, checked here before
//! the file is read. (The longer time limit of uploads is `middleware::timeout`.)

use super::AppState;
use super::middleware::{StreamedCsrf, constant_eq};
use crate::domain::evidence::sniff::HEAD_LEN;
use crate::error::{AppError, FieldError, Msg, Result};
use crate::files::upload::{Received, Upload, WriteError};
use crate::service::evidence::{self as evidence_service, EvidenceView, UploadFields};
use crate::service::{Ctx, Identity};
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Most parts a request may have (fields and the file).
const MAX_PARTS: usize = 16;
/// Largest text field, in bytes.
const MAX_TEXT: usize = 16 * 1024;
/// Room for the multipart framing and text fields beyond the file itself.
const OVERHEAD: u64 = 256 * 1024;
/// A refused body up to this size is read to its end before answering, so that the client
/// sees the answer rather than a reset connection.
const DRAIN: u64 = 8 * 1024 * 1024;

/// A body that fails once fewer than `min_per_sec` bytes a second arrived over a whole
/// `window` while the server was waiting for more (a client trickling a large upload holds a
/// connection and an upload slot); `cut` records that it did. A body the server reads slowly
/// itself is never cut: the window is only judged when the server waits on the client.
fn paced(body: Body, min_per_sec: u64, window: Duration, cut: Arc<AtomicBool>) -> Body {
    if min_per_sec == 0 {
        return body;
    }
    let least = min_per_sec.saturating_mul(window.as_secs().max(1));
    let start = (body.into_data_stream(), Instant::now() + window, 0u64);
    let stream = futures::stream::unfold(Some(start), move |state| {
        let cut = cut.clone();
        async move {
            let (mut stream, mut deadline, mut seen) = state?;
            loop {
                match tokio::time::timeout_at(deadline, stream.next()).await {
                    Ok(Some(Ok(chunk))) => {
                        seen += chunk.len() as u64;
                        return Some((Ok(chunk), Some((stream, deadline, seen))));
                    }
                    Ok(Some(Err(e))) => return Some((Err(std::io::Error::other(e)), None)),
                    Ok(None) => return None,
                    Err(_) if seen < least => {
                        cut.store(true, Ordering::Relaxed);
                        let e = std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "the upload arrived too slowly",
                        );
                        return Some((Err(e), None));
                    }
                    Err(_) => {
                        deadline = Instant::now() + window;
                        seen = 0;
                    }
                }
            }
        }
    });
    Body::from_stream(stream)
}

/// Uploads in flight per user on this node.
pub type InFlight = Arc<Mutex<HashMap<i64, u64>>>;

/// One of a user's uploads in flight; the count goes down when it is dropped.
pub(crate) struct Slot(InFlight, i64);

impl Slot {
    /// Takes a slot for `user_id`, or answers 429 when the user has `max` in flight.
    pub(crate) fn take(all: &InFlight, user_id: i64, max: u64) -> Result<Self> {
        let mut m = all
            .lock()
            .map_err(|_| AppError::Internal(anyhow::anyhow!("upload slots poisoned")))?;
        let n = m.entry(user_id).or_default();
        if *n >= max {
            return Err(AppError::TooManyRequests {
                retry_after_secs: 10,
                message: Msg::new("error.evidence.uploads_in_flight").arg("max", max),
            });
        }
        *n += 1;
        Ok(Self(all.clone(), user_id))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut m) = self.0.lock()
            && let Some(n) = m.get_mut(&self.1)
        {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.1);
            }
        }
    }
}

/// Reads a body to its end (up to [`DRAIN`] bytes) and forgets it.
async fn drain(body: Body) {
    let mut stream = body.into_data_stream();
    let mut seen = 0u64;
    while let Some(Ok(chunk)) = stream.next().await {
        seen += chunk.len() as u64;
        if seen > DRAIN {
            break;
        }
    }
}

/// The declared body length, if any.
fn content_length(req: &Request) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Checks access, streams the body in, records it, and wakes the sealer. Shared by the API and
/// the web form.
pub async fn accept(
    state: &AppState,
    cx: &Ctx,
    me: &Identity,
    case_id: i64,
    req: Request,
) -> Result<EvidenceView> {
    let granted = evidence_service::authorize_upload(&cx.db, me, case_id).await?;
    let _slot = Slot::take(
        &state.uploads,
        me.user.id,
        state.config.evidence_uploads_per_user,
    )?;
    let room = evidence_service::room(&cx.db, &state.config, case_id).await?;
    let (fields, received) = receive(state, req, room).await?;
    let received =
        received.ok_or_else(|| AppError::field("file", "error.evidence.file_required"))?;
    // The upload may have taken a while: it is recorded at the instant it completed.
    let cx = cx.renewed();
    let item = evidence_service::record_upload(
        &cx,
        &state.blobs,
        &state.config,
        &granted,
        fields,
        received,
    )
    .await?;
    state.seal.notify_one();
    Ok(item)
}

/// Streams the upload in `req` into a temp file. `room` is what the case may still take.
/// Refuses early (413) when the declared length is already too large. A form sent without a
/// file (an empty file part) has none.
pub async fn receive(
    state: &AppState,
    req: Request,
    room: u64,
) -> Result<(UploadFields, Option<Received>)> {
    let limit = state.config.evidence_max_file_bytes.min(room);
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(AppError::UnsupportedMediaType);
    }
    if content_length(&req).is_some_and(|n| n > limit.saturating_add(OVERHEAD)) {
        let small = content_length(&req).is_some_and(|n| n <= DRAIN);
        if small {
            drain(req.into_body()).await;
        }
        return Err(AppError::PayloadTooLarge);
    }
    let csrf = req.extensions().get::<StreamedCsrf>().cloned();
    let cut = Arc::new(AtomicBool::new(false));
    let cfg = &state.config;
    let window = Duration::from_secs(cfg.evidence_upload_rate_window_secs);
    let req = req.map(|b| {
        paced(
            b,
            cfg.evidence_upload_min_bytes_per_sec,
            window,
            cut.clone(),
        )
    });
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?;
    let too_slow = |e: AppError| {
        if cut.load(Ordering::Relaxed) {
            tracing::warn!("upload cut off: below the minimum rate");
            AppError::RequestTimeout(Msg::new("error.evidence.too_slow"))
        } else {
            e
        }
    };
    let mut fields = UploadFields::default();
    let mut file: Option<Received> = None;
    let mut parts = 0;
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|e| too_slow(multipart_error(e)))?
    {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::BadRequest("too many parts".into()));
        }
        let name = field.name().unwrap_or("").to_string();
        if parts == 1
            && let Some(StreamedCsrf(expected)) = &csrf
        {
            // A plain form post: its token is the first field (the middleware did not buffer).
            let mut token = Vec::new();
            while let Some(c) = field
                .chunk()
                .await
                .map_err(|e| too_slow(multipart_error(e)))?
            {
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
        if name == "file" && field.file_name() == Some("") {
            // No file chosen: browsers send an empty part with an empty file name.
            while let Some(c) = field
                .chunk()
                .await
                .map_err(|e| too_slow(multipart_error(e)))?
            {
                if !c.is_empty() {
                    return Err(AppError::field("file", "error.evidence.file_required"));
                }
            }
            continue;
        }
        if name == "file" {
            if file.is_some() {
                return Err(AppError::field("file", "error.evidence.one_file"));
            }
            fields.file_name = field.file_name().map(str::to_string);
            fields.claimed_type = field.content_type().map(str::to_string);
            let mut up = Upload::create(state.blobs.tmp_dir(), limit)
                .await
                .map_err(AppError::storage)?;
            let mut sniffed = false;
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| too_slow(multipart_error(e)))?
            {
                let refused = match up.write(&chunk).await {
                    Ok(()) if !sniffed && up.head().len() >= HEAD_LEN => {
                        // The type is known from the first bytes: refuse a wrong one now, not
                        // after two gigabytes.
                        sniffed = true;
                        evidence_service::check_type(&fields, up.head(), false).err()
                    }
                    Ok(()) => None,
                    Err(WriteError::TooLarge) => Some(AppError::PayloadTooLarge),
                    Err(WriteError::Io(e)) => return Err(AppError::storage(e)),
                };
                if let Some(err) = refused {
                    drop(up);
                    let mut seen = 0u64;
                    while let Ok(Some(c)) = field.chunk().await {
                        seen += c.len() as u64;
                        if seen > DRAIN {
                            break;
                        }
                    }
                    return Err(err);
                }
            }
            file = Some(up.finish().await.map_err(AppError::storage)?);
            continue;
        }
        let mut text = Vec::new();
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|e| too_slow(multipart_error(e)))?
        {
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
        match name.as_str() {
            "kind" => fields.kind = Some(value),
            "description" => fields.description = Some(value),
            "obtained_at" => fields.obtained_at = Some(value),
            _ => fields.other.push((name, value)),
        }
    }
    Ok((fields, file))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(e.body_text())
    }
}
