//! Overseas mutual-aid funds in the JSON API: `GET/POST /funds`, `GET /funds/{id}`,
//! `POST /funds/{id}/budgets`, `GET/POST /funds/{id}/applications`,
//! `GET /fund-applications/{id}`, `POST /fund-applications/{id}/decision` and
//! `POST /fund-applications/{id}/payouts`. Amounts are whole fen (分).

use crate::domain::fund::{ApplicationInput, BudgetInput, DecisionInput, FundInput, PayoutInput};
use crate::error::Result;
use crate::http::AppState;
use crate::http::api::model;
use crate::http::extract::{ApiJson, ApiQuery, CurrentUser, Svc};
use crate::service::funds::{self as service, PAGE};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(set_budget))
        .routes(routes!(applications, apply))
        .routes(routes!(application))
        .routes(routes!(decide))
        .routes(routes!(pay))
}

/// Every fund, with this year's budget for those who read the fund's books.
#[utoipa::path(get, path = "/funds", tag = "funds",
    responses((status = 200, description = "The funds", body = model::Funds)))]
async fn list(Svc(cx): Svc, CurrentUser(me): CurrentUser) -> Result<Json<model::Funds>> {
    let funds = service::list(&cx.db, &me).await?;
    Ok(Json(model::Funds {
        items: funds.iter().map(model::Fund::of).collect(),
    }))
}

/// Sets up a fund managed by the caller's office (its supervisors), with its first year's budget.
#[utoipa::path(post, path = "/funds", tag = "funds", request_body = FundInput,
    responses(
        (status = 201, description = "Set up", body = model::Fund),
        (status = 403, description = "Not a supervisor of an IP office or assistance centre"),
        (status = 422, description = "A field is refused"),
    ))]
async fn create(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<FundInput>,
) -> Result<impl IntoResponse> {
    let f = service::create(&cx, &me, body).await?;
    Ok((StatusCode::CREATED, Json(model::Fund::of(&f))))
}

/// One fund: its rules, and for those who read its books the budgets, figures per year and the
/// ledger.
#[utoipa::path(get, path = "/funds/{id}", tag = "funds",
    params(("id" = i64, Path, description = "The fund's id")),
    responses(
        (status = 200, description = "The fund", body = model::FundDetail),
        (status = 404, description = "No such fund"),
    ))]
async fn show(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::FundDetail>> {
    let d = service::get(&cx.db, &me, id).await?;
    Ok(Json(model::FundDetail::of(&d)))
}

/// Sets a year's budget (a supervisor of the managing office): a new year, or a changed amount
/// not below what that year already paid.
#[utoipa::path(post, path = "/funds/{id}/budgets", tag = "funds",
    params(("id" = i64, Path, description = "The fund's id")),
    request_body = BudgetInput,
    responses(
        (status = 200, description = "Set: the fund with its books", body = model::FundDetail),
        (status = 403, description = "Not a reviewer of the fund"),
        (status = 404, description = "No such fund"),
        (status = 422, description = "A field is refused, or the amount is below what was paid"),
    ))]
async fn set_budget(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BudgetInput>,
) -> Result<Json<model::FundDetail>> {
    service::set_budget(&cx, &me, id, body).await?;
    let d = service::get(&cx.db, &me, id).await?;
    Ok(Json(model::FundDetail::of(&d)))
}

/// The page of applications to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
struct Before {
    /// An id from `next_before`: older applications.
    before: Option<i64>,
}

/// A fund's applications (an enterprise sees its own), newest first.
#[utoipa::path(get, path = "/funds/{id}/applications", tag = "funds",
    params(("id" = i64, Path, description = "The fund's id"), Before),
    responses(
        (status = 200, description = "A page of applications", body = model::FundApplications),
        (status = 403, description = "An office that neither manages the fund nor oversees it"),
        (status = 404, description = "No such fund"),
    ))]
async fn applications(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<Before>,
) -> Result<Json<model::FundApplications>> {
    let items = service::applications(&cx.db, &me, id, q.before).await?;
    let next_before = (items.len() as u64 == PAGE)
        .then(|| items.last().map(|a| a.row.id))
        .flatten();
    Ok(Json(model::FundApplications {
        items: items.iter().map(model::FundApplication::of).collect(),
        next_before,
    }))
}

/// Applies to the fund from the enterprise's overseas case, naming the case's evidence items
/// (invoices, contracts) that prove the costs. The case is shared for reading with the fund's
/// managing office, whose supervisors hear of it.
#[utoipa::path(post, path = "/funds/{id}/applications", tag = "funds",
    params(("id" = i64, Path, description = "The fund's id")),
    request_body = ApplicationInput,
    responses(
        (status = 201, description = "Filed", body = model::FundApplication),
        (status = 403, description = "Not the enterprise that filed the case"),
        (status = 404, description = "No such fund"),
        (status = 409, description = "Not an overseas case, no budget this year, or an application of the case still waits"),
        (status = 422, description = "A field is refused"),
    ))]
async fn apply(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ApplicationInput>,
) -> Result<impl IntoResponse> {
    let a = service::apply(&cx, &me, id, body).await?;
    Ok((StatusCode::CREATED, Json(model::FundApplication::of(&a))))
}

/// One application.
#[utoipa::path(get, path = "/fund-applications/{id}", tag = "funds",
    params(("id" = i64, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The application", body = model::FundApplication),
        (status = 404, description = "No such application the caller may see"),
    ))]
async fn application(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::FundApplication>> {
    let a = service::get_application(&cx.db, &me, id).await?;
    Ok(Json(model::FundApplication::of(&a)))
}

/// Decides an application (a supervisor of the managing office), or casts a panel member's vote
/// when the claim is above the fund's threshold: the panel decides with its last vote — a grant
/// when most approve, of the smallest amount approved.
#[utoipa::path(post, path = "/fund-applications/{id}/decision", tag = "funds",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = DecisionInput,
    responses(
        (status = 200, description = "Recorded", body = model::FundApplication),
        (status = 403, description = "Not a reviewer (or, for a panel, a member) of the fund"),
        (status = 404, description = "No such application the caller may see"),
        (status = 409, description = "Already decided, already voted, or the last seat is a supervisor's"),
        (status = 422, description = "A field is refused, or the grant is above the cap or the year's budget"),
    ))]
async fn decide(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DecisionInput>,
) -> Result<Json<model::FundApplication>> {
    let a = service::decide(&cx, &me, id, body).await?;
    Ok(Json(model::FundApplication::of(&a)))
}

/// Records a payout on an approved application (a supervisor of the managing office): never
/// more than is left of the grant or of the year's budget, also when two arrive at once.
#[utoipa::path(post, path = "/fund-applications/{id}/payouts", tag = "funds",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = PayoutInput,
    responses(
        (status = 201, description = "Recorded", body = model::FundApplication),
        (status = 403, description = "Not a reviewer of the fund"),
        (status = 404, description = "No such application the caller may see"),
        (status = 409, description = "The application is not approved"),
        (status = 422, description = "A field is refused, or the amount is above what is left of the grant or the budget"),
    ))]
async fn pay(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PayoutInput>,
) -> Result<impl IntoResponse> {
    let a = service::pay(&cx, &me, id, body).await?;
    Ok((StatusCode::CREATED, Json(model::FundApplication::of(&a))))
}
