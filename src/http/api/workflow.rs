//! `/api/v1` workflow endpoints: `GET /cases/{id}/actions` (what this user may do now, with the
//! fields each action needs), `POST /cases/{id}/actions` (take one), and the case's documents.

use crate::domain::workflow::Document;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{ApiJson, Ctx, CurrentUser, Svc};
use crate::http::present::case::clocks_json;
use crate::http::present::ts;
use crate::http::present::workflow::action_json;
use crate::service::workflow::{self, ActionRequest};
use crate::service::{cases, documents};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/actions", get(list).post(act))
        .route("/cases/{id}/documents", get(list_documents).post(issue))
}

/// `GET /cases/{id}/actions` → `{id, version, queue, state, actions: [...]}`.
async fn list(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let o = workflow::options(&cx, &me, id).await?;
    let c = &o.case;
    Ok(Json(json!({
        "id": c.id,
        "version": c.version,
        "queue": c.queue,
        "state": c.state,
        "actions": o.actions.iter().map(|s| action_json(ctx.lang, s, &o)).collect::<Vec<_>>(),
    })))
}

/// `POST /cases/{id}/actions` → `{id, version, queue, state, deadlines}`.
async fn act(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionRequest>,
) -> Result<Json<Value>> {
    let m = workflow::act(&cx, &me, id, body).await?;
    let d = cases::detail(&cx.db, &me, id).await?;
    Ok(Json(json!({
        "id": m.id,
        "version": m.version,
        "queue": m.queue,
        "state": m.state,
        "deadlines": clocks_json(&d),
    })))
}

/// `GET /cases/{id}/documents` → `{can_issue: [kind], issued: [{seq, kind, issued_at, url}]}`.
async fn list_documents(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let a = documents::available(&cx.db, &me, id).await?;
    Ok(Json(json!({
        "can_issue": a.can_issue.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
        "issued": a.issued.iter().map(|(seq, d, at)| json!({
            "seq": seq, "kind": d.as_str(), "issued_at": ts(*at),
            "url": format!("/cases/{id}/documents/{seq}"),
        })).collect::<Vec<_>>(),
    })))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct IssueRequest {
    kind: String,
    expected_version: Option<i64>,
}

/// `POST /cases/{id}/documents {kind, expected_version}` → 201 `{seq, kind, version, url, data}`.
async fn issue(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IssueRequest>,
) -> Result<(StatusCode, Json<Value>)> {
    let kind = Document::parse(body.kind.trim())
        .ok_or_else(|| AppError::field("kind", "error.document.kind"))?;
    let (moved, issued) = documents::issue(&cx, &me, id, kind, body.expected_version).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "seq": issued.seq,
            "kind": issued.kind.as_str(),
            "version": moved.version,
            "url": format!("/cases/{id}/documents/{}", issued.seq),
            "data": issued.data,
        })),
    ))
}
