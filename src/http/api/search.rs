//! `GET /api/v1/search`: full-text search over the cases the caller may see.

use crate::error::Result;
use crate::http::AppState;
use crate::http::api::model;
use crate::http::extract::{ApiQuery, Ctx, CurrentUser, Svc};
use crate::search::Results;
use crate::service::search::{self, Params};
use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_cases))
}

/// The JSON of a result page.
pub fn results_json(r: &Results, next_cursor: Option<String>) -> model::SearchResults {
    let facets: Map<String, Value> = r
        .facets
        .iter()
        .map(|(group, values)| {
            let counts: Map<String, Value> =
                values.iter().map(|(v, n)| (v.clone(), json!(n))).collect();
            (group.clone(), Value::Object(counts))
        })
        .collect();
    model::SearchResults {
        total: r.total,
        overdue: r.overdue,
        items: r
            .hits
            .iter()
            .map(|h| model::SearchHit {
                id: h.id,
                number: h.number.clone(),
                title: h.title.clone(),
                queue: h.queue.to_string(),
                state: h.state.to_string(),
                snippet: h.snippet.clone(),
                fast_track: h.srdi_rank > 0,
            })
            .collect(),
        facets: Value::Object(facets),
        next_cursor,
    }
}

/// Full-text search over the cases the caller may see, with facets; `format=csv|xlsx` downloads
/// the hits.
#[utoipa::path(get, path = "/search", tag = "search", params(Params),
    responses(
        (status = 200, description = "A page of hits", content(
            (model::SearchResults = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 422, description = "A filter is refused"),
    ))]
async fn search_cases(
    State(state): State<AppState>,
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Ctx(ctx): Ctx,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    // The request as given is checked first: a download pages on its own.
    let req = search::request(&me, &p)?;
    if p.format
        .as_deref()
        .is_some_and(|f| !f.is_empty() && f != "json")
    {
        return crate::http::export::search_download(&cx, &state.search, &me, &p, ctx.lang).await;
    }
    let r = search::search(&cx.db, &state.search, &me, req.clone(), cx.now).await?;
    Ok(Json(results_json(&r, search::next_cursor(&req, r.total))).into_response())
}
