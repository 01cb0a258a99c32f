//! `/api/v1` workflow endpoints: `GET /cases/{id}/actions` (what this user may do now, with the
//! fields each action needs), `POST /cases/{id}/actions` (take one), and the case's documents.

use crate::domain::workflow::Document;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::api::cases::CaseId;
use crate::http::api::model;
use crate::http::extract::{ApiJson, Ctx, CurrentUser, Svc};
use crate::http::present::case::clocks_json;
use crate::http::present::ts;
use crate::http::present::workflow::action_json;
use crate::service::workflow::{self, ActionRequest};
use crate::service::{cases, documents};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, act))
        .routes(routes!(list_documents, issue))
}

/// The workflow actions the caller may take on the case now, with the fields each needs.
///
/// Empty for users who do not work the case (enterprises, triagers, administrators, read-only
/// shares) and for cases still in triage.
#[utoipa::path(get, path = "/cases/{id}/actions", tag = "workflow", params(CaseId),
    responses(
        (status = 200, description = "The actions", body = model::Actions),
        (status = 404, description = "No such case, or not visible to the caller"),
    ))]
async fn list(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::Actions>> {
    let o = workflow::options(&cx, &me, id).await?;
    let c = &o.case;
    Ok(Json(model::Actions {
        id: c.id,
        version: c.version,
        queue: c.queue.to_string(),
        state: c.state.to_string(),
        actions: o
            .actions
            .iter()
            .map(|s| action_json(ctx.lang, s, &o))
            .collect(),
    }))
}

/// Takes one workflow step: one or more case events in one transaction, clocks recomputed.
#[utoipa::path(post, path = "/cases/{id}/actions", tag = "workflow", params(CaseId),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "Done; the case's clocks after it", body = model::Stepped),
        (status = 403, description = "The caller does not work this case, or the step needs a supervisor or a panel member"),
        (status = 404, description = "No such case, or not visible to the caller"),
        (status = 409, description = "The case changed meanwhile (`expected_version`), or the step does not apply in its state"),
        (status = 422, description = "Unknown action, or a field is refused"),
    ))]
async fn act(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionRequest>,
) -> Result<Json<model::Stepped>> {
    let m = workflow::act(&cx, &me, id, body).await?;
    let d = cases::detail(&cx.db, &me, id).await?;
    Ok(Json(model::Stepped::after(&m, clocks_json(&d))))
}

/// The documents (文书) issued on the case, and those the caller may issue now.
#[utoipa::path(get, path = "/cases/{id}/documents", tag = "workflow", params(CaseId),
    responses(
        (status = 200, description = "The documents", body = model::Documents),
        (status = 404, description = "No such case, or not visible to the caller"),
    ))]
async fn list_documents(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::Documents>> {
    let a = documents::available(&cx.db, &me, id).await?;
    Ok(Json(model::Documents {
        can_issue: a.can_issue.iter().map(|d| d.as_str().to_string()).collect(),
        issued: a
            .issued
            .iter()
            .map(|(seq, d, at)| model::IssuedDocument {
                seq: *seq,
                kind: d.as_str().to_string(),
                issued_at: ts(*at),
                url: format!("/cases/{id}/documents/{seq}"),
            })
            .collect(),
    }))
}

#[derive(serde::Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
struct IssueRequest {
    /// The document's kind, as `GET /cases/{id}/documents` lists those the caller may issue.
    #[schema(required = true, schema_with = document_kinds)]
    kind: String,
    expected_version: Option<i64>,
}

fn document_kinds() -> utoipa::openapi::schema::Object {
    let names: Vec<&str> = Document::ALL.iter().map(|d| d.as_str()).collect();
    crate::domain::names::names_schema(&names, false)
}

/// Issues a document (文书) on the case, from its facts.
#[utoipa::path(post, path = "/cases/{id}/documents", tag = "workflow", params(CaseId),
    request_body = IssueRequest,
    responses(
        (status = 201, description = "Issued", body = model::DocumentIssued),
        (status = 403, description = "The caller does not work this case"),
        (status = 404, description = "No such case, or not visible to the caller"),
        (status = 409, description = "The case changed meanwhile, or the document does not apply now"),
        (status = 422, description = "Unknown kind"),
    ))]
async fn issue(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IssueRequest>,
) -> Result<(StatusCode, Json<model::DocumentIssued>)> {
    let kind = Document::parse(body.kind.trim())
        .ok_or_else(|| AppError::field("kind", "error.document.kind"))?;
    let (moved, issued) = documents::issue(&cx, &me, id, kind, body.expected_version).await?;
    Ok((
        StatusCode::CREATED,
        Json(model::DocumentIssued {
            seq: issued.seq,
            kind: issued.kind.as_str().to_string(),
            version: moved.version,
            url: format!("/cases/{id}/documents/{}", issued.seq),
            data: issued.data,
        }),
    ))
}
