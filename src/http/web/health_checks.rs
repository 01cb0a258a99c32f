//! IP health check pages (知识产权体检): the list with the count per status, the request form of an
//! enterprise, and one check with the serving staff's forms — accept (naming who does it),
//! decline with reasons, complete with the summary and the result report — and the report's
//! download.

use crate::domain::health_check::{AcceptInput, CheckArea, CheckRequestInput, DeclineInput, Step};
use crate::domain::policy::{self, Action};
use crate::error::{AppError, FieldError, Result};
use crate::http::AppState;
use crate::http::api::health_checks::report_response;
use crate::http::extract::{WebForm, gathered};
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::{key, local};
use crate::http::proof::{self, REPORT};
use crate::http::upload::Slot;
use crate::service::health_checks::{self as service, CheckView, ListQuery};
use crate::service::registration::Upload;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, Request};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health-checks", get(index))
        .route("/health-checks/new", get(new).post(create))
        .route("/health-checks/{id}", get(show))
        .route("/health-checks/{id}/accept", post(accept))
        .route("/health-checks/{id}/decline", post(decline))
        .route(
            "/health-checks/{id}/complete",
            post(complete).layer(DefaultBodyLimit::max(REPORT.body_limit())),
        )
        .route("/health-checks/{id}/report", get(report))
}

fn row_json(c: &CheckView) -> Value {
    let r = &c.row;
    json!({
        "id": r.id, "status": c.status.as_str(),
        "status_key": key("health_check_status", c.status.as_str()),
        "area_keys": c.areas.iter().map(|a| key("health_check_area", a)).collect::<Vec<_>>(),
        "products": r.products, "note": r.note,
        "contact_name": r.contact_name, "contact_phone": r.contact_phone,
        "enterprise": c.enterprise_name, "uscc": c.enterprise_uscc, "org": c.org_name,
        "requested": local(r.requested_at), "accepted": r.accepted_at.map(local),
        "closed": r.closed_at.map(local), "assignee": c.assignee_name,
        "summary": r.summary, "declined": c.status.as_str() == "declined",
        "report": r.report_sha256.as_ref().map(|sha| json!({
            "sha256": sha, "size": r.report_size,
            "name": crate::domain::health_check::report_name(
                c.enterprise_uscc.as_deref(), r.id, r.report_media_type.as_deref().unwrap_or("")),
        })),
    })
}

/// The list's filters as in the query string (text, so that a wrong value comes back to the
/// form with its message instead of failing the page).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct Filters {
    status: String,
    from: String,
    to: String,
    before: String,
}

impl Filters {
    fn query(&self) -> ListQuery {
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        ListQuery {
            status: some(&self.status),
            from: some(&self.from),
            to: some(&self.to),
            before: self.before.trim().parse().ok(),
        }
    }

    /// The query string of these filters with another status, from the first page.
    fn with_status(&self, status: &str) -> String {
        let f = Filters {
            status: status.to_string(),
            before: String::new(),
            ..self.clone()
        };
        serde_urlencoded::to_string(f).unwrap_or_default()
    }
}

/// `GET /health-checks`.
async fn index(page: Page, Query(f): Query<Filters>) -> Result<Response> {
    let (listing, errors) = match service::list(&page.cx.db, &page.me, &f.query()).await {
        Ok(l) => (Some(l), json!({})),
        Err(AppError::Invalid(e)) => (None, field_errors(&e, page.lang())),
        Err(e) => return Err(e),
    };
    let enterprise = policy::can(&page.me.actor, Action::RequestHealthCheck);
    let mut next = f.clone();
    let data = json!({
        "f": f, "errors": errors, "enterprise": enterprise,
        "all_href": f.with_status(""),
        "statuses": listing.as_ref().map(|l| l.counts.iter().map(|(s, n)| json!({
            "href": f.with_status(s.as_str()), "key": key("health_check_status", s), "count": n,
            "selected": s.as_str() == f.status})).collect::<Vec<_>>()),
        "rows": listing.as_ref().map(|l| l.items.iter().map(row_json).collect::<Vec<_>>()),
        "total": listing.as_ref().map(|l| l.total),
        "next": listing.as_ref().and_then(|l| l.next_before).map(|b| {
            next.before = b.to_string();
            serde_urlencoded::to_string(&next).unwrap_or_default()
        }),
    });
    page.render("health_checks/index", "/health-checks", data)
}

/// The request form as posted (`areas` repeats).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct NewForm {
    areas: Vec<String>,
    products: String,
    note: String,
    contact_name: String,
    contact_phone: String,
}

async fn render_new(
    page: &Page,
    form: &NewForm,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let open = service::open_request(&page.cx.db, &page.me).await?;
    let areas: Vec<Value> = CheckArea::ALL
        .iter()
        .map(|a| {
            json!({"value": a.as_str(), "key": key("health_check_area", a),
                        "hint": key("health_check_area_hint", a),
                        "checked": form.areas.iter().any(|x| x == a.as_str())})
        })
        .collect();
    let data = json!({
        "form": form, "errors": errors, "areas": areas, "open": open,
        "has_errors": errors.as_object().is_some_and(|e| !e.is_empty()),
    });
    page.render_status(status, "health_checks/new", "/health-checks/new", data)
}

/// `GET /health-checks/new`: contact filled in from the account.
async fn new(page: Page) -> Result<Response> {
    let form = NewForm {
        contact_name: page.me.user.display_name.clone(),
        contact_phone: page.me.user.phone.clone().unwrap_or_default(),
        ..Default::default()
    };
    render_new(&page, &form, json!({}), StatusCode::OK).await
}

/// `POST /health-checks/new`.
async fn create(page: Page, WebForm(pairs): WebForm<Vec<(String, String)>>) -> Result<Response> {
    let form: NewForm = gathered(pairs, &["areas"])?;
    let input = CheckRequestInput {
        areas: form.areas.clone(),
        products: form.products.clone(),
        note: form.note.clone(),
        contact_name: form.contact_name.clone(),
        contact_phone: form.contact_phone.clone(),
    };
    match service::request(&page.cx, &page.me, input).await {
        Ok(c) => Ok(page.redirect(
            &format!("/health-checks/{}", c.row.id),
            "flash.health_check_requested",
        )),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            render_new(&page, &form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// What the staff's forms hold when one comes back with messages.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct Forms {
    assignee_user_id: String,
    reasons: String,
    summary: String,
}

async fn render_show(
    page: &Page,
    id: i64,
    forms: &Forms,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let c = service::get(&page.cx.db, &page.me, id).await?;
    let staff = if c.may(Step::Accept) {
        service::staff(&page.cx.db, &c).await?
    } else {
        Vec::new()
    };
    let chosen = forms
        .assignee_user_id
        .parse::<i64>()
        .unwrap_or(page.me.user.id);
    let data = json!({
        "c": row_json(&c), "forms": forms, "errors": errors,
        "enterprise": policy::can(&page.me.actor, Action::RequestHealthCheck),
        "can_accept": c.may(Step::Accept),
        "can_decline": c.may(Step::Decline),
        "can_complete": c.may(Step::Complete),
        "staff": staff.iter().map(|(id, name)| json!({
            "id": id, "name": name, "selected": *id == chosen})).collect::<Vec<_>>(),
        "report_max_mb": REPORT.limit / (1024 * 1024),
    });
    page.render_status(
        status,
        "health_checks/show",
        &format!("/health-checks/{id}"),
        data,
    )
}

/// `GET /health-checks/{id}`.
async fn show(page: Page, Path(id): Path<i64>) -> Result<Response> {
    render_show(&page, id, &Forms::default(), json!({}), StatusCode::OK).await
}

/// A step's answer: back to the check with a message, or the form again with its fields.
async fn after(
    page: Page,
    id: i64,
    forms: Forms,
    result: Result<CheckView>,
    flash: &str,
) -> Result<Response> {
    match result {
        Ok(_) => Ok(page.redirect(&format!("/health-checks/{id}"), flash)),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            render_show(&page, id, &forms, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /health-checks/{id}/accept`.
async fn accept(
    page: Page,
    Path(id): Path<i64>,
    WebForm(forms): WebForm<Forms>,
) -> Result<Response> {
    let input = AcceptInput {
        assignee_user_id: forms.assignee_user_id.trim().parse().ok(),
    };
    let result = service::accept(&page.cx, &page.me, id, input).await;
    after(page, id, forms, result, "flash.health_check_accepted").await
}

/// `POST /health-checks/{id}/decline`.
async fn decline(
    page: Page,
    Path(id): Path<i64>,
    WebForm(forms): WebForm<Forms>,
) -> Result<Response> {
    let input = DeclineInput {
        reasons: forms.reasons.clone(),
    };
    let result = service::decline(&page.cx, &page.me, id, input).await;
    after(page, id, forms, result, "flash.health_check_declined").await
}

/// `POST /health-checks/{id}/complete` (multipart: the summary, then the report).
async fn complete(page: Page, Path(id): Path<i64>, req: Request) -> Result<Response> {
    // Who may complete it, before a byte of the report is read; one upload slot of the user's.
    service::may_complete(&page.cx.db, &page.me, id).await?;
    let _slot = Slot::take(
        &page.state.uploads,
        page.me.user.id,
        page.state.config.evidence_uploads_per_user,
    )?;
    let mut forms = Forms::default();
    let upload = if proof::is_multipart(&req) {
        match proof::receive_form(&page.state, req, REPORT, |name, value| {
            if name == "summary" {
                forms.summary = value;
            }
        })
        .await
        {
            Ok(u) => u,
            Err(AppError::Invalid(mut fields)) => Upload::Refused(fields.remove(0)),
            Err(AppError::BadRequest(_)) => {
                Upload::Refused(FieldError::new("report", "error.evidence.incomplete"))
            }
            Err(e) => return Err(e),
        }
    } else {
        Upload::None
    };
    let state = page.state.clone();
    // The report may have taken a while: the check is completed at the instant it arrived.
    let cx = page.cx.renewed();
    let result = service::complete(
        &cx,
        &state.blobs,
        &state.config,
        &page.me,
        id,
        &forms.summary,
        upload,
    )
    .await;
    after(page, id, forms, result, "flash.health_check_completed").await
}

/// `GET /health-checks/{id}/report`: the result report as an attachment.
async fn report(page: Page, Path(id): Path<i64>, method: Method) -> Result<Response> {
    let opened = service::open_report(
        &page.cx,
        &page.state.blobs,
        &page.me,
        id,
        method == Method::HEAD,
    )
    .await?;
    Ok(report_response(opened))
}
