//! 企业核验: the self-registered enterprises a centre or IP office of their region (or an
//! administrator) may confirm, each with its filers' positions and proof documents; the document
//! download (an attachment, served like evidence) and the confirmation.

use crate::domain::evidence::content_disposition;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::api::evidence::file_response;
use crate::http::extract::WebForm;
use crate::http::page::Page;
use crate::http::present::local;
use crate::service::enterprises::{self as service, DocumentView, Pending};
use axum::Router;
use axum::extract::Path;
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enterprises", get(list))
        .route("/enterprises/{id}/verify", post(verify))
        .route("/enterprises/documents/{id}", get(document))
}

/// A size as people read it (`820 KB`, `2.4 MB`).
fn size_text(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn document_row(d: &DocumentView) -> Value {
    json!({
        "id": d.id, "kind_key": d.kind.map(|k| k.key()), "original_name": d.original_name,
        "size": size_text(d.size), "media_type": d.media_type, "sha256": d.sha256,
        "uploaded": local(d.uploaded_at),
    })
}

fn row(p: &Pending) -> Value {
    json!({
        "id": p.id, "name": p.name, "uscc": p.uscc, "region_code": p.region_code,
        "contact_name": p.contact_name, "contact_phone": p.contact_phone,
        "registered": local(p.registered_at),
        "filers": p.filers.iter().map(|f| json!({
            "username": f.username, "display_name": f.display_name, "position": f.position,
            "phone": f.phone,
        })).collect::<Vec<_>>(),
        "documents": p.documents.iter().map(document_row).collect::<Vec<_>>(),
    })
}

/// `GET /enterprises`: the enterprises waiting to be confirmed.
async fn list(page: Page) -> Result<Response> {
    let pending = service::pending(&page.cx.db, &page.me).await?;
    let data = json!({"enterprises": pending.iter().map(row).collect::<Vec<_>>()});
    page.render("enterprises/index", "/enterprises", data)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VerifyForm {
    confirm: Option<String>,
}

/// `POST /enterprises/{id}/verify`, with the box ticked that the documents were checked.
async fn verify(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<VerifyForm>,
) -> Result<Response> {
    if form.confirm.as_deref() != Some("yes") {
        // The policy first: an enterprise user learns nothing from an unticked box.
        crate::domain::policy::authorize(
            &page.me.actor,
            crate::domain::policy::Action::VerifyEnterprises,
        )?;
        return Ok(page.redirect("/enterprises", "flash.enterprise_confirm_required"));
    }
    match service::confirm(&page.cx, &page.me, id).await {
        Ok(()) => Ok(page.redirect("/enterprises", "flash.enterprise_verified")),
        Err(AppError::Conflict(_)) => {
            Ok(page.redirect("/enterprises", "flash.enterprise_already_verified"))
        }
        Err(e) => Err(e),
    }
}

/// `GET /enterprises/documents/{id}`: the proof document as an attachment.
async fn document(page: Page, Path(id): Path<i64>, method: Method) -> Result<Response> {
    let state = &page.state;
    let opened =
        service::open_document(&page.cx, &state.blobs, &page.me, id, method == Method::HEAD)
            .await?;
    let d = &opened.document;
    let disposition = content_disposition(false, &opened.served_name, d.original_name.as_deref());
    Ok(file_response(
        opened.body,
        &d.media_type,
        d.size,
        &disposition,
        &d.sha256,
    ))
}

#[cfg(test)]
mod tests {
    use super::size_text;

    #[test]
    fn sizes_read_in_kilobytes_then_megabytes() {
        assert_eq!(size_text(1), "1 KB");
        assert_eq!(size_text(820 * 1024), "820 KB");
        assert_eq!(size_text(5 * 1024 * 1024 / 2), "2.5 MB");
    }
}
