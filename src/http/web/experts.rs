//! The experts directory page: the active experts, and a form to add one for those who keep it.

use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::http::layout as page;
use crate::http::layout::{page_response, redirect_with_flash, take_flash};
use crate::service::experts::{self, ExpertForm};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/experts", get(index).post(add))
}

async fn render(
    state: &AppState,
    ctx: &crate::http::RequestCtx,
    csrf: &str,
    me: &crate::service::Identity,
    flash: Option<String>,
    form: Value,
    errors: Value,
) -> Result<axum::response::Html<String>> {
    let list = experts::list(&state.db, me).await?;
    let data = json!({
        "flash": flash,
        "experts": list.iter().map(|e| json!({"name": e.name, "organization": e.organization,
            "fields": e.fields, "languages": e.languages, "contact": e.contact})).collect::<Vec<_>>(),
        "can_add": experts::may_keep(me),
        "form": form,
        "errors": errors,
    });
    page::render(
        state,
        "experts/index",
        page::base(ctx, Some(me), csrf, "/experts"),
        data,
    )
}

async fn index(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    headers: HeaderMap,
) -> Result<Response> {
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let blank = json!(crate::service::experts::ExpertForm::default());
    let html = render(&state, &ctx, &csrf, &me, flash, blank, json!({})).await?;
    Ok(page_response(StatusCode::OK, html, clear))
}

async fn add(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    WebForm(form): WebForm<ExpertForm>,
) -> Result<Response> {
    match experts::add(&state.db, &me, form.clone(), &ctx.meta()).await {
        Ok(_) => Ok(redirect_with_flash(
            "/experts",
            "flash.saved",
            state.config.cookie_secure,
        )),
        Err(AppError::Invalid(errors)) => {
            let errors = page::field_errors(&errors, ctx.lang);
            let html = render(&state, &ctx, &csrf, &me, None, json!(form), errors).await?;
            Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, html, None))
        }
        Err(e) => Err(e),
    }
}
