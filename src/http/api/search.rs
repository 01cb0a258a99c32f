//! `GET /api/v1/search`: full-text search over the cases the caller may see.

use crate::error::Result;
use crate::http::AppState;
use crate::http::extract::{Ctx, CurrentUser, Svc};
use crate::search::Results;
use crate::service::search::{self, Params};
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search_cases))
}

/// The JSON of a result page.
pub fn results_json(r: &Results, next_cursor: Option<String>) -> Value {
    let facets: Map<String, Value> = r
        .facets
        .iter()
        .map(|(group, values)| {
            let counts: Map<String, Value> =
                values.iter().map(|(v, n)| (v.clone(), json!(n))).collect();
            (group.clone(), Value::Object(counts))
        })
        .collect();
    json!({
        "total": r.total,
        "overdue": r.overdue,
        "items": r.hits.iter().map(|h| json!({
            "id": h.id,
            "number": h.number,
            "title": h.title,
            "queue": h.queue,
            "state": h.state,
            "snippet": h.snippet,
        })).collect::<Vec<_>>(),
        "facets": facets,
        "next_cursor": next_cursor,
    })
}

/// `GET /search?q=…&queue=…&state=…&kind=…&channel=…&region=…&srdi=true&overdue=true&assignee=me&sort=relevance|urgency&limit=&cursor=`.
async fn search_cases(
    State(state): State<AppState>,
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Ctx(ctx): Ctx,
    Query(p): Query<Params>,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    if p.format
        .as_deref()
        .is_some_and(|f| !f.is_empty() && f != "json")
    {
        return crate::http::export::search_download(&cx, &state.search, &me, &p, ctx.lang).await;
    }
    let req = search::request(&me, &p)?;
    let r = search::search(&cx.db, &state.search, &me, req.clone(), cx.now).await?;
    Ok(Json(results_json(&r, search::next_cursor(&req, r.total))).into_response())
}
