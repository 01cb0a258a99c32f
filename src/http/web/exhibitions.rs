//! Exhibitions: the office's exhibitions with a form for a new one, and the exhibition view —
//! every case of the exhibition with its state and clocks, the hours left until it closes, and
//! exhibitors found infringing twice in a row.

use crate::domain::case::CaseState;
use crate::domain::identity::OrgKind;
use crate::domain::policy::{self, Action};
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::WebForm;
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::{case::row, local};
use crate::service::exhibitions::{self, ExhibitionForm, ExhibitionView};
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/exhibitions", get(index).post(create))
        .route("/exhibitions/{id}", get(show))
}

fn summary(e: &ExhibitionView, now: DateTime<Utc>) -> Value {
    let open = e.opens_at <= now && now < e.closes_at;
    json!({
        "id": e.id, "name": e.name, "venue": e.venue, "organiser": e.organiser, "station": e.station,
        "opens": local(e.opens_at), "closes": local(e.closes_at),
        "open": open, "upcoming": now < e.opens_at, "closed": now >= e.closes_at,
        "hours_left": exhibitions::hours_left(e.closes_at, now).max(0),
        "swept": e.swept_at.map(local),
    })
}

/// The list with the form for a new exhibition (its values and messages when refused).
async fn render_index(
    page: &Page,
    status: StatusCode,
    form: Value,
    errors: Value,
) -> Result<Response> {
    let now = page.cx.now;
    let list = exhibitions::list(&page.cx.db, &page.me).await?;
    let data = json!({
        "exhibitions": list.iter().map(|e| summary(e, now)).collect::<Vec<_>>(),
        "can_create": page.me.actor.org_kind == OrgKind::IpOffice,
        "form": form,
        "errors": errors,
    });
    page.render_status(status, "exhibitions/index", "/exhibitions", data)
}

async fn index(page: Page) -> Result<Response> {
    policy::authorize(&page.me.actor, Action::WorkQueues).map_err(|_| AppError::forbidden())?;
    render_index(
        &page,
        StatusCode::OK,
        json!(ExhibitionForm::default()),
        json!({}),
    )
    .await
}

async fn create(page: Page, WebForm(form): WebForm<ExhibitionForm>) -> Result<Response> {
    match exhibitions::create(&page.cx, &page.me, form.clone()).await {
        Ok(e) => Ok(page.redirect(
            &format!("/exhibitions/{}", e.id),
            "flash.exhibition.created",
        )),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            render_index(&page, StatusCode::UNPROCESSABLE_ENTITY, json!(form), errors).await
        }
        Err(e) => Err(e),
    }
}

async fn show(page: Page, Path(id): Path<i64>) -> Result<Response> {
    policy::authorize(&page.me.actor, Action::WorkQueues).map_err(|_| AppError::forbidden())?;
    let v = exhibitions::show(&page.cx.db, &page.me, id).await?;
    let now = page.cx.now;
    let mut counts: BTreeMap<CaseState, usize> = BTreeMap::new();
    for c in &v.cases {
        *counts.entry(c.state).or_default() += 1;
    }
    let data = json!({
        "exhibition": summary(&v.exhibition, now),
        "cases": v.cases.iter().map(|c| {
            let mut r = row(c, now);
            r["repeat"] = json!(v.repeat.contains(&c.id));
            // Exhibition clocks are counted in hours.
            r["hours"] = json!(c.next_due_at.map(|d| exhibitions::hours_left(d, now)).filter(|h| (0..48).contains(h)));
            r
        }).collect::<Vec<_>>(),
        "counts": counts.iter().map(|(s, n)| json!({"key": s.key(), "n": n})).collect::<Vec<_>>(),
    });
    page.render("exhibitions/show", "/exhibitions", data)
}
