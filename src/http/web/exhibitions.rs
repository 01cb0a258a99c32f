//! Exhibitions: the office's exhibitions with a form for a new one, and the exhibition view —
//! every case of the exhibition with its state and clocks, the hours left until it closes, and
//! exhibitors found infringing twice in a row.

use super::cases::{local, row_json};
use super::{page_response, redirect_with_flash, take_flash};
use crate::domain::policy::{self, Action};
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::http::page;
use crate::service::exhibitions::{self, ExhibitionForm};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/exhibitions", get(index).post(create))
        .route("/exhibitions/{id}", get(show))
}

fn summary(e: &entity::exhibitions::Model, now: chrono::DateTime<chrono::Utc>) -> Value {
    let open = e.opens_at <= now && now < e.closes_at;
    json!({
        "id": e.id, "name": e.name, "venue": e.venue, "organiser": e.organiser, "station": e.station,
        "opens": local(e.opens_at), "closes": local(e.closes_at),
        "open": open, "upcoming": now < e.opens_at, "closed": now >= e.closes_at,
        "hours_left": exhibitions::hours_left(e.closes_at, now).max(0),
        "swept": e.swept_at.map(local),
    })
}

async fn render_index(
    state: &AppState,
    ctx: &crate::http::RequestCtx,
    csrf: &str,
    me: &crate::service::Identity,
    flash: Option<String>,
    form: Value,
    errors: Value,
) -> Result<axum::response::Html<String>> {
    let now = crate::store::now();
    let list = exhibitions::list(&state.db, me).await?;
    let data = json!({
        "flash": flash,
        "exhibitions": list.iter().map(|e| summary(e, now)).collect::<Vec<_>>(),
        "can_create": me.actor.org_kind == crate::domain::identity::OrgKind::IpOffice,
        "form": form,
        "errors": errors,
    });
    page::render(
        state,
        "exhibitions/index",
        page::base(ctx, Some(me), csrf, "/exhibitions"),
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
    policy::authorize(&me.actor, Action::WorkQueues).map_err(|_| AppError::forbidden())?;
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let html = render_index(&state, &ctx, &csrf, &me, flash, json!({}), json!({})).await?;
    Ok(page_response(StatusCode::OK, html, clear))
}

async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    WebForm(form): WebForm<ExhibitionForm>,
) -> Result<Response> {
    match exhibitions::create(&state.db, &me, form.clone(), &ctx.meta()).await {
        Ok(e) => Ok(redirect_with_flash(
            &format!("/exhibitions/{}", e.id),
            "flash.exhibition.created",
            state.config.cookie_secure,
        )),
        Err(AppError::Invalid(errors)) => {
            let errors = page::field_errors(&errors, ctx.lang);
            let html = render_index(&state, &ctx, &csrf, &me, None, json!(form), errors).await?;
            Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, html, None))
        }
        Err(e) => Err(e),
    }
}

async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response> {
    policy::authorize(&me.actor, Action::WorkQueues).map_err(|_| AppError::forbidden())?;
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let v = exhibitions::show(&state.db, &me, id).await?;
    let now = crate::store::now();
    let counts = exhibitions::by_state(&v.cases);
    let data = json!({
        "flash": flash,
        "exhibition": summary(&v.exhibition, now),
        "cases": v.cases.iter().map(|c| {
            let mut r = row_json(c, now);
            r["repeat"] = json!(v.repeat.contains(&c.id));
            // Exhibition clocks are counted in hours.
            r["hours"] = json!(c.next_due_at.map(|d| exhibitions::hours_left(d, now)).filter(|h| (0..48).contains(h)));
            r
        }).collect::<Vec<_>>(),
        "counts": counts.iter().map(|(s, n)| json!({"key": format!("case_state.{s}"), "n": n})).collect::<Vec<_>>(),
    });
    let html = page::render(
        &state,
        "exhibitions/show",
        page::base(&ctx, Some(&me), &csrf, "/exhibitions"),
        data,
    )?;
    Ok(page_response(StatusCode::OK, html, clear))
}
