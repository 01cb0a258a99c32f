//! Evidence on the web pages (issue 6): the panel on the case page, the upload form (a progress
//! bar from `static/evidence.js`; without scripts the form still posts, streamed, its CSRF token
//! checked as the first field),
//! download and preview, withdraw with a confirmation, approval for sending abroad, the export
//! and the printable evidence list (证据清单).

use super::cases::{Refill, case_page};
use super::{page_response, redirect_with_flash};
use crate::domain::evidence::Kind;
use crate::domain::policy::{CaseAccess, EvidenceAction, can_on_evidence};
use crate::error::{AppError, Result};
use crate::http::api::shanghai;
use crate::http::evidence_api::{self, item_json, names};
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::http::{AppState, RequestCtx, page};
use crate::service::Identity;
use crate::service::cases::Visible;
use crate::service::evidence as evidence_service;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/evidence",
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/cases/{id}/evidence/export", get(export))
        .route("/cases/{id}/evidence/list", get(print_list))
        .route("/evidence/{id}/download", get(download))
        .route("/evidence/{id}/preview", get(preview))
        .route("/evidence/{id}/withdraw", post(withdraw))
        .route("/evidence/{id}/approve-abroad", post(approve_abroad))
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The evidence panel of a case page.
pub(super) async fn panel(
    state: &AppState,
    me: &Identity,
    v: &Visible,
    _now: DateTime<Utc>,
) -> Result<Value> {
    let (_, items) = evidence_service::list(&state.db, me, v.case.id).await?;
    let names = names(state, &items).await?;
    let overseas = v.case.queue == "overseas_assistance";
    let rows: Vec<Value> = items
        .iter()
        .map(|i| {
            let mut j = item_json(i, &names);
            let e = &i.evidence;
            let open = e.withdrawn_at.is_none();
            let withdraw = EvidenceAction::Withdraw {
                uploader_org_id: e.uploader_org_id,
            };
            j["can_withdraw"] = json!(open && can_on_evidence(&me.actor, v.access, withdraw));
            j["can_approve_abroad"] = json!(
                open && overseas
                    && can_on_evidence(&me.actor, v.access, EvidenceAction::ApproveAbroad)
            );
            j["uploaded_local"] = json!(local(e.uploaded_at));
            for (c, ev) in j["custody"]
                .as_array_mut()
                .into_iter()
                .flatten()
                .zip(&i.custody)
            {
                c["at_local"] = json!(local(ev.at));
            }
            j
        })
        .collect();
    let office = v.access > CaseAccess::Filer;
    let quarantined: Vec<Value> = if office {
        crate::store::evidence::quarantined(state.db.conn(), v.case.id)
            .await?
            .iter()
            .map(|q| json!({"name": q.original_name, "sha256": q.sha256, "size": q.size, "finding": q.finding, "at_local": local(q.created_at)}))
            .collect()
    } else {
        Vec::new()
    };
    Ok(json!({
        "items": rows,
        "quarantined": quarantined,
        "can_upload": v.case.closed_at.is_none()
            && can_on_evidence(&me.actor, v.access, EvidenceAction::Upload),
        "can_export": can_on_evidence(&me.actor, v.access, EvidenceAction::Export),
        "filer": v.access == CaseAccess::Filer,
        "kinds": Kind::ALL.iter().map(|k| json!({"value": k.as_str(), "key": format!("evidence_kind.{}", k.as_str())})).collect::<Vec<_>>(),
        "max_file_bytes": state.config.evidence_max_file_bytes,
    }))
}

/// The case page again with the evidence panel's error, in the status the error calls for.
async fn again(
    state: &AppState,
    ctx: &RequestCtx,
    csrf: &str,
    me: &Identity,
    id: i64,
    err: AppError,
) -> Result<Response> {
    let (status, errors) = match err {
        AppError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page::field_errors(&errors, ctx.lang),
        ),
        AppError::Conflict(m) => (StatusCode::CONFLICT, json!({"_form": m.render(ctx.lang)})),
        AppError::Unavailable(m) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"_form": m.render(ctx.lang)}),
        ),
        AppError::PayloadTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"file": crate::i18n::t(ctx.lang, "error.evidence.too_large")}),
        ),
        AppError::UnsupportedMediaType => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({"file": crate::i18n::t(ctx.lang, "error.evidence.type")}),
        ),
        AppError::BadRequest(_) => (
            StatusCode::BAD_REQUEST,
            json!({"file": crate::i18n::t(ctx.lang, "error.evidence.incomplete")}),
        ),
        other => return Err(other),
    };
    let refill = Refill {
        section: "evidence",
        values: json!({}),
        errors,
    };
    let html = case_page(state, ctx, csrf, me, id, None, refill).await?;
    Ok(page_response(status, html, None))
}

async fn upload(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Response> {
    match evidence_api::accept_upload(&state, &ctx, &me, id, req).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/cases/{id}#evidence"),
            "flash.evidence.uploaded",
            state.config.cookie_secure,
        )),
        Err(e) => again(&state, &ctx, &csrf, &me, id, e).await,
    }
}

async fn download(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    method: Method,
) -> Result<Response> {
    evidence_api::serve(&state, &ctx, &me, id, false, method == Method::HEAD).await
}

async fn preview(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    method: Method,
) -> Result<Response> {
    evidence_api::serve(&state, &ctx, &me, id, true, method == Method::HEAD).await
}

async fn export(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    crate::http::evidence_export::export(&state, &ctx, &me, id).await
}

/// `/cases/{id}/evidence/list`: the printable evidence list.
async fn print_list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (v, items) = evidence_service::list(&state.db, &me, id).await?;
    let items: Vec<_> = items
        .into_iter()
        .filter(|i| i.evidence.withdrawn_at.is_none())
        .collect();
    let names = names(&state, &items).await?;
    let mut data = evidence_api::list_data(&v.case.number, &v.case.title, &items, &names);
    data["lang"] = json!(ctx.lang.code());
    data["web"] = json!(true);
    data["case_id"] = json!(v.case.id);
    let html = state
        .views
        .render("evidence/list", &data)
        .map_err(AppError::Internal)?;
    Ok(page_response(StatusCode::OK, Html(html), None))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WithdrawForm {
    reason: Option<String>,
    confirm: Option<String>,
}

async fn withdraw(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(form): WebForm<WithdrawForm>,
) -> Result<Response> {
    let (_, item) = evidence_service::visible_item(&state.db, &me, id).await?;
    let result = if form.confirm.as_deref() != Some("yes") {
        Err(AppError::field("_form", "error.confirm_required"))
    } else {
        evidence_service::withdraw(&state.db, &me, id, form.reason.as_deref(), &ctx.meta())
            .await
            .map(|_| ())
    };
    finish(
        &state,
        &ctx,
        &csrf,
        &me,
        item.case_id,
        result,
        "flash.evidence.withdrawn",
    )
    .await
}

async fn approve_abroad(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (_, item) = evidence_service::visible_item(&state.db, &me, id).await?;
    let result = evidence_service::approve_abroad(&state.db, &me, id, &ctx.meta()).await;
    finish(
        &state,
        &ctx,
        &csrf,
        &me,
        item.case_id,
        result,
        "flash.evidence.approved_abroad",
    )
    .await
}

async fn finish(
    state: &AppState,
    ctx: &RequestCtx,
    csrf: &str,
    me: &Identity,
    case_id: i64,
    result: Result<()>,
    flash: &str,
) -> Result<Response> {
    match result {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/cases/{case_id}#evidence"),
            flash,
            state.config.cookie_secure,
        )),
        Err(e) => again(state, ctx, csrf, me, case_id, e).await,
    }
}
