//! Campaign pages (专项行动): the campaigns of one's office, the form that starts one, and a
//! campaign's report (printable, with CSV and Excel downloads) with the forms that link a case,
//! record a joint inspection, refer a case and acknowledge a referral.

use crate::domain::campaign::{AckInput, CampaignInput, InspectionInput, LinkInput, ReferralInput};
use crate::domain::policy::{self, Action, CampaignAccess};
use crate::error::{AppError, FieldError, Result};
use crate::http::AppState;
use crate::http::extract::{WebForm, gathered};
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::{key, local};
use crate::service::campaigns::{self, Report};
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(index))
        .route("/campaigns/new", get(new).post(create))
        .route("/campaigns/{id}", get(show))
        .route("/campaigns/{id}/cases", post(link))
        .route("/campaigns/{id}/inspections", post(inspect))
        .route("/campaigns/{id}/referrals", post(refer))
        .route("/campaign-referrals/{id}/acknowledge", post(acknowledge))
}

fn ids(v: &[String]) -> Vec<i64> {
    v.iter().filter_map(|s| s.trim().parse().ok()).collect()
}

/// `GET /campaigns`.
async fn index(page: Page) -> Result<Response> {
    let list = campaigns::list(&page.cx.db, &page.me).await?;
    let awaiting = campaigns::awaiting(&page.cx.db, &page.me).await?;
    let data = json!({
        "campaigns": list.iter().map(|c| json!({
            "id": c.row.id, "name": c.row.name, "lead": c.lead.name,
            "starts_on": c.row.starts_on.to_string(), "ends_on": c.row.ends_on.to_string(),
            "members": c.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join("、"),
            "lead_here": c.access == CampaignAccess::Lead,
        })).collect::<Vec<_>>(),
        "awaiting": awaiting.len(),
        "can_create": policy::can(&page.me.actor, Action::CreateCampaign),
    });
    page.render("campaigns/index", "/campaigns", data)
}

/// The start form as posted (all text; the bodies are checkboxes).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct NewForm {
    name: String,
    starts_on: String,
    ends_on: String,
    description: String,
    members: Vec<String>,
}

async fn render_new(
    page: &Page,
    form: &NewForm,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    policy::authorize(&page.me.actor, Action::CreateCampaign)?;
    let bodies = campaigns::candidates(&page.cx.db, &page.me).await?;
    let data = json!({
        "form": form, "errors": errors,
        "has_errors": errors.as_object().is_some_and(|e| !e.is_empty()),
        "bodies": bodies.iter().map(|b| json!({
            "id": b.id, "name": b.name, "kind_key": key("org_kind", &b.kind),
            "checked": form.members.iter().any(|m| *m == b.id.to_string()),
        })).collect::<Vec<_>>(),
    });
    page.render_status(status, "campaigns/new", "/campaigns/new", data)
}

/// `GET /campaigns/new`.
async fn new(page: Page) -> Result<Response> {
    let today = crate::domain::time::day_of(page.cx.now);
    let form = NewForm {
        starts_on: today.to_string(),
        ..Default::default()
    };
    render_new(&page, &form, json!({}), StatusCode::OK).await
}

/// `POST /campaigns/new`.
async fn create(page: Page, WebForm(pairs): WebForm<Vec<(String, String)>>) -> Result<Response> {
    let form: NewForm = gathered(pairs, &["members"])?;
    let input = CampaignInput {
        name: form.name.clone(),
        starts_on: form.starts_on.clone(),
        ends_on: form.ends_on.clone(),
        description: form.description.clone(),
        member_org_ids: ids(&form.members),
    };
    match campaigns::create(&page.cx, &page.me, input).await {
        Ok(c) => Ok(page.redirect(&format!("/campaigns/{}", c.row.id), "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            render_new(&page, &form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// The report page's forms as posted (all text; one of them at a time).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct Forms {
    case_number: String,
    held_on: String,
    place: String,
    bodies: Vec<String>,
    findings: String,
    evidence: String,
    inspection_case: String,
    referral_case: String,
    to_org_id: String,
    note: String,
}

fn report_json(r: &Report) -> Value {
    let c = &r.campaign;
    json!({
        "id": c.row.id, "name": c.row.name, "lead": c.lead.name, "lead_id": c.lead.id,
        "starts_on": c.row.starts_on.to_string(), "ends_on": c.row.ends_on.to_string(),
        "description": c.row.description,
        "members": c.members.iter().map(|m| json!({"id": m.id, "name": m.name,
            "kind_key": key("org_kind", &m.kind)})).collect::<Vec<_>>(),
        "figures": r.figures,
        "cases": r.cases.iter().map(|k| json!({
            "id": k.id, "number": k.number, "case_title": k.title,
            "state_key": k.state.key(), "linked": local(k.linked_at),
        })).collect::<Vec<_>>(),
        "inspections": r.inspections.iter().map(|(i, bodies)| json!({
            "held_on": i.held_on.to_string(), "place": i.place, "bodies": bodies.join("、"),
            "findings": i.findings, "evidence": i.evidence,
            "case": i.case_id.and_then(|id| r.cases.iter().find(|k| k.id == id))
                .map(|k| k.number.clone()),
        })).collect::<Vec<_>>(),
        "referrals": r.referrals.iter().map(|(x, number, to, may)| json!({
            "id": x.id, "case_number": number, "case_id": x.case_id, "to": to, "note": x.note,
            "referred": local(x.referred_at), "acknowledged": x.acknowledged_at.map(local),
            "ack_note": x.ack_note, "may_ack": may,
        })).collect::<Vec<_>>(),
        "lead_here": c.access == CampaignAccess::Lead,
    })
}

async fn render_show(
    page: &Page,
    id: i64,
    form: &Forms,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let r = campaigns::report(&page.cx.db, &page.me, id).await?;
    let mut form = form.clone();
    if form.held_on.is_empty() {
        form.held_on = crate::domain::time::day_of(page.cx.now).to_string();
    }
    let data = json!({
        "c": report_json(&r),
        "form": form, "errors": errors,
        "bodies_all": std::iter::once(&r.campaign.lead).chain(r.campaign.members.iter())
            .map(|b| json!({"id": b.id, "name": b.name,
                "checked": form.bodies.iter().any(|x| *x == b.id.to_string())}))
            .collect::<Vec<_>>(),
    });
    page.render_status(status, "campaigns/show", &format!("/campaigns/{id}"), data)
}

/// `GET /campaigns/{id}`; `?format=csv|xlsx` downloads the report.
async fn show(
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Result<Response> {
    if let Some(format) = q.get("format").filter(|f| !f.is_empty()) {
        let r = campaigns::report(&page.cx.db, &page.me, id).await?;
        return crate::http::api::campaigns::report_response(page.lang(), &r, Some(format));
    }
    render_show(&page, id, &Forms::default(), json!({}), StatusCode::OK).await
}

/// What a report form's refusal renders: its field messages on the page, the form filled in.
async fn refused(page: &Page, id: i64, form: &Forms, e: AppError) -> Result<Response> {
    let errors = match e {
        AppError::Invalid(errors) => errors,
        AppError::Conflict(m) => vec![FieldError {
            field: "conflict".into(),
            message: m,
        }],
        e => return Err(e),
    };
    let errors = field_errors(&errors, page.lang());
    render_show(page, id, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

fn done(page: &Page, id: i64) -> Response {
    page.redirect(&format!("/campaigns/{id}"), "flash.saved")
}

/// `POST /campaigns/{id}/cases`: a case by its number.
async fn link(page: Page, Path(id): Path<i64>, WebForm(form): WebForm<Forms>) -> Result<Response> {
    let Some(case_id) = campaigns::case_by_number(&page.cx.db, &form.case_number).await? else {
        let e = AppError::field("case_number", "error.campaign.case_unknown");
        return refused(&page, id, &form, e).await;
    };
    match campaigns::link_case(&page.cx, &page.me, id, LinkInput { case_id }).await {
        Ok(_) => Ok(done(&page, id)),
        Err(AppError::Invalid(_)) => {
            let e = AppError::field("case_number", "error.campaign.case_unknown");
            refused(&page, id, &form, e).await
        }
        Err(e) => refused(&page, id, &form, e).await,
    }
}

/// `POST /campaigns/{id}/inspections`.
async fn inspect(
    page: Page,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response> {
    let form: Forms = gathered(pairs, &["bodies"])?;
    let input = InspectionInput {
        held_on: form.held_on.clone(),
        place: form.place.clone(),
        body_org_ids: ids(&form.bodies),
        findings: form.findings.clone(),
        evidence: form.evidence.clone(),
        case_id: form.inspection_case.trim().parse().ok(),
    };
    match campaigns::add_inspection(&page.cx, &page.me, id, input).await {
        Ok(_) => Ok(done(&page, id)),
        Err(e) => refused(&page, id, &form, e).await,
    }
}

/// `POST /campaigns/{id}/referrals`.
async fn refer(page: Page, Path(id): Path<i64>, WebForm(form): WebForm<Forms>) -> Result<Response> {
    let input = ReferralInput {
        case_id: form.referral_case.trim().parse().unwrap_or(0),
        to_org_id: form.to_org_id.trim().parse().unwrap_or(0),
        note: form.note.clone(),
    };
    match campaigns::refer(&page.cx, &page.me, id, input).await {
        Ok(_) => Ok(done(&page, id)),
        Err(e) => refused(&page, id, &form, e).await,
    }
}

/// The acknowledgement form as posted.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct AckForm {
    campaign: String,
    ack_note: String,
}

/// `POST /campaign-referrals/{id}/acknowledge`.
async fn acknowledge(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<AckForm>,
) -> Result<Response> {
    let r = campaigns::acknowledge(
        &page.cx,
        &page.me,
        id,
        AckInput {
            note: form.ack_note.clone(),
        },
    )
    .await?;
    Ok(done(&page, r.campaign.row.id))
}
