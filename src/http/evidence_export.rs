//! The evidence export (issue 6): a zip of a case's evidence with `manifest.json` and the
//! printable `证据清单.html`, built on the blocking pool into a temp file and streamed from it.

use super::RequestCtx;
use super::cases_api::ts;
use super::evidence_api::{list_data, names, safe_headers};
use crate::domain::evidence::served_name;
use crate::error::{AppError, Msg, Result};
use crate::files::export::{self, ExportError};
use crate::http::AppState;
use crate::service::Identity;
use crate::service::evidence::{Item, custody};
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::json;

/// `GET /cases/{id}/evidence/export`: a zip of the case's evidence (withdrawn items left out)
/// with `manifest.json` and `证据清单.html`. Shared with the web route.
pub async fn export(
    state: &AppState,
    ctx: &RequestCtx,
    me: &Identity,
    case_id: i64,
) -> Result<Response> {
    let (v, items) = custody::authorize_export(&state.db, &state.blobs, me, case_id).await?;
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
