//! Consultation pages (咨询): the list with its filters and figures per topic, the form to ask
//! (an enterprise) or record (staff) a question, and one consultation with its answer form and
//! the step that files it as a complaint or lead.

use crate::domain::consultation::{AnswerInput, ConsultChannel, ConsultTopic, ConsultationInput};
use crate::domain::policy::{self, Action};
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::WebForm;
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::{key, local};
use crate::service::consultations::{self, ConsultationView, ListQuery};
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/consultations", get(index))
        .route("/consultations/new", get(new).post(create))
        .route("/consultations/{id}", get(show))
        .route("/consultations/{id}/answer", post(answer))
}

/// The list's filters as in the query string (all text, so that a wrong value comes back to
/// the form with its message instead of failing the page).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct Filters {
    topic: String,
    status: String,
    q: String,
    from: String,
    to: String,
    before: String,
}

impl Filters {
    fn query(&self) -> ListQuery {
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        ListQuery {
            topic: some(&self.topic),
            status: some(&self.status),
            q: some(&self.q),
            from: some(&self.from),
            to: some(&self.to),
            before: self.before.trim().parse().ok(),
        }
    }
}

fn options(names: &[(&str, String)], selected: &str) -> Vec<Value> {
    names
        .iter()
        .map(|(v, k)| json!({"value": v, "key": k, "selected": *v == selected}))
        .collect()
}

fn topics(selected: &str) -> Vec<Value> {
    let names: Vec<(&str, String)> = ConsultTopic::ALL
        .iter()
        .map(|t| (t.as_str(), key("consultation_topic", t)))
        .collect();
    options(&names, selected)
}

fn row_json(c: &ConsultationView) -> Value {
    let r = &c.row;
    json!({
        "id": r.id, "topic_key": key("consultation_topic", c.topic()),
        "channel_key": key("consultation_channel", &r.channel),
        "status": c.status.as_str(), "status_key": key("consultation_status", c.status.as_str()),
        "question": r.question, "answer": r.answer, "minutes": r.minutes_spent,
        "asker": r.asker_name, "contact": r.asker_contact, "org": c.org_name,
        "asked": local(r.asked_at), "answered": r.answered_at.map(local),
        "case_id": r.case_id, "case_number": c.case_number,
    })
}

/// `GET /consultations`.
async fn index(page: Page, Query(f): Query<Filters>) -> Result<Response> {
    let (listing, errors) = match consultations::list(&page.cx.db, &page.me, &f.query()).await {
        Ok(l) => (Some(l), json!({})),
        Err(AppError::Invalid(e)) => (None, field_errors(&e, page.lang())),
        Err(e) => return Err(e),
    };
    let statuses: Vec<(&str, String)> = ["open", "answered", "converted"]
        .iter()
        .map(|s| (*s, key("consultation_status", s)))
        .collect();
    let mut next = f.clone();
    let data = json!({
        "q": f,
        "errors": errors,
        "topics": topics(&f.topic),
        "statuses": options(&statuses, &f.status),
        "rows": listing.as_ref().map(|l| l.items.iter().map(row_json).collect::<Vec<_>>()),
        "total": listing.as_ref().map(|l| l.total),
        "figures": listing.as_ref().map(|l| l.figures.iter().map(|(t, o, a, c, m)| json!({
            "topic_key": key("consultation_topic", t), "open": o, "answered": a, "converted": c,
            "all": o + a + c, "minutes": m})).collect::<Vec<_>>()),
        "next": listing.as_ref().and_then(|l| l.next_before).map(|b| {
            next.before = b.to_string();
            serde_urlencoded::to_string(&next).unwrap_or_default()
        }),
        "can_ask": policy::can(&page.me.actor, Action::AskConsultation)
            || policy::can(&page.me.actor, Action::RecordConsultation),
        "enterprise": policy::can(&page.me.actor, Action::AskConsultation),
    });
    page.render("consultations/index", "/consultations", data)
}

/// The ask/record form as posted (all text; see [`Filters`]).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct NewForm {
    topic: String,
    question: String,
    asker_name: String,
    asker_contact: String,
    channel: String,
    enterprise_uscc: String,
    answer: String,
    minutes_spent: String,
}

/// Minutes as typed: empty is none; anything but a whole number is refused by the rule for
/// minutes (0 is out of range).
fn minutes(typed: &str) -> Option<u32> {
    let t = typed.trim();
    (!t.is_empty()).then(|| t.parse().unwrap_or(0))
}

impl NewForm {
    fn input(&self, enterprise: bool) -> ConsultationInput {
        let some = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        if enterprise {
            return ConsultationInput {
                topic: self.topic.clone(),
                question: self.question.clone(),
                ..Default::default()
            };
        }
        ConsultationInput {
            topic: self.topic.clone(),
            question: self.question.clone(),
            asker_name: some(&self.asker_name),
            asker_contact: some(&self.asker_contact),
            channel: some(&self.channel),
            enterprise_uscc: some(&self.enterprise_uscc),
            answer: some(&self.answer),
            minutes_spent: minutes(&self.minutes_spent),
        }
    }
}

async fn render_new(
    page: &Page,
    form: &NewForm,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let enterprise = policy::can(&page.me.actor, Action::AskConsultation);
    if !enterprise && !policy::can(&page.me.actor, Action::RecordConsultation) {
        return Err(AppError::forbidden());
    }
    let channels: Vec<(&str, String)> = ConsultChannel::ALL
        .iter()
        .filter(|c| **c != ConsultChannel::Online)
        .map(|c| (c.as_str(), key("consultation_channel", c)))
        .collect();
    let data = json!({
        "form": form, "errors": errors, "has_errors": errors.as_object().is_some_and(|e| !e.is_empty()),
        "enterprise": enterprise,
        "topics": topics(&form.topic),
        "channels": options(&channels, &form.channel),
    });
    page.render_status(status, "consultations/new", "/consultations/new", data)
}

/// `GET /consultations/new`.
async fn new(page: Page) -> Result<Response> {
    let form = NewForm {
        channel: ConsultChannel::Phone.as_str().into(),
        ..Default::default()
    };
    render_new(&page, &form, json!({}), StatusCode::OK).await
}

/// `POST /consultations/new`.
async fn create(page: Page, WebForm(form): WebForm<NewForm>) -> Result<Response> {
    let enterprise = policy::can(&page.me.actor, Action::AskConsultation);
    match consultations::create(&page.cx, &page.me, form.input(enterprise)).await {
        Ok(c) => Ok(page.redirect(
            &format!("/consultations/{}", c.row.id),
            if enterprise {
                "flash.consultation_asked"
            } else {
                "flash.saved"
            },
        )),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            render_new(&page, &form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// The answer form as posted.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct AnswerForm {
    answer: String,
    minutes_spent: String,
}

async fn render_show(
    page: &Page,
    id: i64,
    form: &AnswerForm,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let c = consultations::get(&page.cx.db, &page.me, id).await?;
    let m = crate::http::api::model::Consultation::of(&page.me, &c);
    let convert_to = if policy::can(&page.me.actor, Action::AskConsultation) {
        "/complaints/new"
    } else {
        "/leads/new"
    };
    let data = json!({
        "c": row_json(&c),
        "form": form, "errors": errors,
        "can_answer": m.can_answer,
        "can_convert": m.can_convert,
        "convert_href": format!("{convert_to}?consultation={id}"),
        "enterprise": policy::can(&page.me.actor, Action::AskConsultation),
    });
    page.render_status(
        status,
        "consultations/show",
        &format!("/consultations/{id}"),
        data,
    )
}

/// `GET /consultations/{id}`.
async fn show(page: Page, Path(id): Path<i64>) -> Result<Response> {
    render_show(&page, id, &AnswerForm::default(), json!({}), StatusCode::OK).await
}

/// `POST /consultations/{id}/answer`.
async fn answer(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<AnswerForm>,
) -> Result<Response> {
    let input = AnswerInput {
        answer: form.answer.clone(),
        minutes_spent: minutes(&form.minutes_spent),
    };
    match consultations::answer(&page.cx, &page.me, id, input).await {
        Ok(_) => Ok(page.redirect(
            &format!("/consultations/{id}"),
            "flash.consultation_answered",
        )),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            render_show(&page, id, &form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}
