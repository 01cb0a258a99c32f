//! `/api/v1` workflow endpoints: `GET /cases/{id}/actions` (what this user may do now, with the
//! fields each action needs) and `POST /cases/{id}/actions` (take one).

use super::AppState;
use super::cases_api::detail_json;
use super::extract::{ApiJson, Ctx, CurrentUser};
use crate::domain::workflow::{Kind, Spec};
use crate::error::Result;
use crate::i18n::{Lang, t};
use crate::service::cases as cases_service;
use crate::service::workflow::{self, ActionRequest, Options};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/actions", get(list).post(act))
        .route("/cases/{id}/documents", get(documents).post(issue))
}

/// One action as the API describes it, with its fields' labels in `lang` and their choices.
pub fn action_json(lang: Lang, spec: &Spec, o: &Options) -> Value {
    let fields: Vec<Value> = spec
        .fields
        .iter()
        .map(|f| {
            let options: Vec<Value> = match f.kind {
                Kind::Users => o
                    .staff
                    .iter()
                    .map(|u| json!({"value": u.id, "label": u.display_name}))
                    .collect(),
                Kind::Office => o
                    .offices
                    .iter()
                    .map(|x| json!({"value": x.id, "label": x.name}))
                    .collect(),
                Kind::Id => o
                    .experts
                    .iter()
                    .map(|e| json!({"value": e.id, "label": format!("{}（{}；{}；{}）", e.name, e.organization, e.fields, e.languages)}))
                    .collect(),
                k => k
                    .options()
                    .iter()
                    .map(|v| json!({"value": v, "label": t(lang, &format!("workflow.option.{v}"))}))
                    .collect(),
            };
            let max = match f.kind {
                Kind::Line(n) | Kind::Text(n) => Some(n),
                _ => None,
            };
            let range = match f.kind {
                Kind::Int(a, b) => Some(json!([a, b])),
                _ => None,
            };
            json!({
                "name": f.name,
                "label": t(lang, &format!("workflow.field.{}", f.name)),
                "kind": f.kind.as_str(),
                "required": f.required,
                "options": options,
                "max_chars": max,
                "range": range,
            })
        })
        .collect();
    json!({
        "name": spec.name,
        "label": t(lang, &format!("workflow.action.{}", spec.name)),
        "irreversible": spec.irreversible,
        "document": spec.document.map(|d| d.as_str()),
        "fields": fields,
    })
}

/// `GET /cases/{id}/actions` → `{id, version, queue, state, actions: [...]}`.
async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let o = workflow::options(&state.db, &me, id).await?;
    let c = &o.situation.visible.case;
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
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionRequest>,
) -> Result<Json<Value>> {
    let m = workflow::act(&state.db, &state.calendars, &me, id, body, &ctx.meta()).await?;
    let d = cases_service::detail(&state.db, &me, id).await?;
    Ok(Json(json!({
        "id": m.id,
        "version": m.version,
        "queue": m.queue,
        "state": m.state,
        "deadlines": detail_json(&d)["deadlines"].clone(),
    })))
}

/// `GET /cases/{id}/documents` → `{can_issue: [kind], issued: [{seq, kind, issued_at, url}]}`.
async fn documents(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let a = crate::service::documents::available(&state.db, &me, id).await?;
    Ok(Json(json!({
        "can_issue": a.can_issue.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
        "issued": a.issued.iter().map(|(seq, d, at)| json!({
            "seq": seq, "kind": d.as_str(), "issued_at": super::cases_api::ts(*at),
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
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IssueRequest>,
) -> Result<(StatusCode, Json<Value>)> {
    let kind = crate::domain::workflow::Document::parse(body.kind.trim())
        .ok_or_else(|| crate::error::AppError::field("kind", "error.document.kind"))?;
    let (moved, issued) = crate::service::documents::issue(
        &state.db,
        &me,
        id,
        kind,
        body.expected_version,
        &ctx.meta(),
    )
    .await?;
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
