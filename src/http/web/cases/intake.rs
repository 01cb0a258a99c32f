//! Intake pages: the complaint wizard with its drafts and the receipt a filing enterprise keeps,
//! and an office's lead entry. A refused form comes back filled in with its messages.

use super::form_input::{self, Flat};
use crate::domain::policy::{self, Action};
use crate::error::{AppError, FieldError, Result};
use crate::http::extract::WebForm;
use crate::http::page::Page;
use crate::http::present::{day, key, local};
use crate::service::{cases, consultations, drafts, exhibitions, intake};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// The complaint wizard (`cases/complaint`) or the lead form (`cases/lead`).
#[derive(Clone, Copy)]
enum Form {
    Complaint,
    Lead,
}

impl Form {
    fn template(self) -> &'static str {
        match self {
            Self::Complaint => "cases/complaint",
            Self::Lead => "cases/lead",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Self::Complaint => "/complaints/new",
            Self::Lead => "/leads/new",
        }
    }
}

/// The form with `flat`'s values and `errors`, in `status`, offering the complaint stations of
/// the exhibitions on now.
async fn render(
    page: &Page,
    form: Form,
    flat: &Flat,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let mut data = form_input::form_json(flat, errors);
    data["draft_id"] = json!(flat.get("draft_id"));
    data["consultation_id"] = json!(flat.get("consultation_id"));
    let chosen = flat.get("ex_id").map(String::as_str);
    data["stations"] = exhibitions::stations(&page.cx, &page.me)
        .await?
        .into_iter()
        .map(|e| {
            let id = e.id.to_string();
            json!({"id": id, "name": e.name, "venue": e.venue, "closes": local(e.closes_at),
                   "selected": chosen == Some(id.as_str())})
        })
        .collect();
    page.render_status(status, form.template(), form.path(), data)
}

/// The form again with the messages of `errors`, everything typed kept (422).
async fn refused(page: &Page, form: Form, flat: &Flat, errors: &[FieldError]) -> Result<Response> {
    let errs = form_input::errors_json(flat, errors, page.lang());
    render(page, form, flat, errs, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[derive(Deserialize, Default)]
pub struct DraftQuery {
    draft: Option<i64>,
    /// A consultation to file as this case (咨询转投诉 / 转线索).
    consultation: Option<i64>,
}

/// Fills `flat` from consultation `id` (the question, the region, for a lead the asker) and
/// names it in the form, so that the filing links it.
async fn from_consultation(page: &Page, flat: &mut Flat, id: i64) -> Result<()> {
    let (_, p) = consultations::convertible(&page.cx.db, &page.me, id).await?;
    flat.insert("consultation_id".into(), id.to_string());
    flat.insert("description".into(), p.description);
    flat.insert("region_code".into(), p.region_code);
    if let Some(name) = p.complainant_name {
        flat.insert("complainant_name".into(), name);
    }
    if let Some(contact) = p.complainant_contact {
        flat.insert("complainant_phone".into(), contact);
    }
    if let Some(uscc) = p.complainant_uscc {
        flat.insert("complainant_uscc".into(), uscc);
    }
    Ok(())
}

/// Files the form: through the consultation it names, if any, else as `file`.
async fn file_from(
    page: &Page,
    flat: &Flat,
    input: crate::domain::case::intake::CaseInput,
    file: impl std::future::Future<Output = Result<intake::Filed>>,
) -> Result<intake::Filed> {
    match flat.get("consultation_id").map(|c| c.parse::<i64>()) {
        None => file.await,
        Some(Ok(id)) => consultations::convert(&page.cx, &page.me, id, input).await,
        Some(Err(_)) => Err(AppError::NotFound),
    }
}

/// `GET /complaints/new[?draft=]`: the wizard, empty or from a saved draft.
pub async fn complaint_form(page: Page, Query(q): Query<DraftQuery>) -> Result<Response> {
    if !policy::can(&page.me.actor, Action::FileComplaint) {
        return Err(AppError::forbidden());
    }
    let mut flat = match q.draft {
        Some(id) => form_input::from_input(&drafts::get(&page.cx.db, &page.me, id).await?.input),
        None => Flat::new(),
    };
    flat.entry("region_code".into())
        .or_insert_with(|| page.me.org.region_code.clone());
    flat.entry("channel".into())
        .or_insert_with(|| "e_commerce".into());
    if let Some(id) = q.draft {
        flat.insert("draft_id".into(), id.to_string());
    }
    if let Some(id) = q.consultation {
        from_consultation(&page, &mut flat, id).await?;
    }
    render(&page, Form::Complaint, &flat, json!({}), StatusCode::OK).await
}

/// `POST /complaints/new`: files the complaint (then its receipt), or saves it as a draft.
pub async fn complaint_submit(page: Page, WebForm(flat): WebForm<Flat>) -> Result<Response> {
    let input = form_input::to_input(&flat);
    let draft_id = flat.get("draft_id").and_then(|d| d.parse::<i64>().ok());
    if flat.get("intent").map(String::as_str) == Some("draft") {
        let id = drafts::save(&page.cx, &page.me, draft_id, &input).await?;
        return Ok(page.redirect(&format!("/complaints/new?draft={id}"), "flash.draft_saved"));
    }
    let filing = intake::file_complaint(&page.cx, &page.me, input.clone());
    match file_from(&page, &flat, input, filing).await {
        Ok(filed) => {
            if let Some(d) = draft_id {
                // The draft became a case; a missing draft is no reason to fail the filing.
                let _ = drafts::delete(&page.cx.db, &page.me, d).await;
            }
            Ok(Redirect::to(&format!("/cases/{}/receipt", filed.id)).into_response())
        }
        Err(AppError::Invalid(errors)) => refused(&page, Form::Complaint, &flat, &errors).await,
        Err(e) => Err(e),
    }
}

/// `POST /complaints/drafts/{id}/delete`.
pub async fn draft_delete(
    page: Page,
    Path(id): Path<i64>,
    WebForm(_): WebForm<Flat>,
) -> Result<Response> {
    drafts::delete(&page.cx.db, &page.me, id).await?;
    Ok(page.redirect("/cases", "flash.draft_deleted"))
}

/// `GET /leads/new[?consultation=]`: an office enters a lead, empty or from a consultation.
pub async fn lead_form(page: Page, Query(q): Query<DraftQuery>) -> Result<Response> {
    if !policy::can(&page.me.actor, Action::EnterLead) {
        return Err(AppError::forbidden());
    }
    let mut flat = Flat::new();
    flat.insert("region_code".into(), page.me.org.region_code.clone());
    flat.insert("channel".into(), "e_commerce".into());
    flat.insert("source".into(), "officer".into());
    if let Some(id) = q.consultation {
        from_consultation(&page, &mut flat, id).await?;
    }
    render(&page, Form::Lead, &flat, json!({}), StatusCode::OK).await
}

/// `POST /leads/new`.
pub async fn lead_submit(page: Page, WebForm(flat): WebForm<Flat>) -> Result<Response> {
    let input = form_input::to_input(&flat);
    let filing = intake::enter_lead(&page.cx, &page.me, input.clone());
    match file_from(&page, &flat, input, filing).await {
        Ok(filed) => Ok(page.redirect(&format!("/cases/{}", filed.id), "flash.lead_entered")),
        Err(AppError::Invalid(errors)) => refused(&page, Form::Lead, &flat, &errors).await,
        Err(e) => Err(e),
    }
}

/// `GET /cases/{id}/receipt`: what the filing enterprise keeps of its complaint.
pub async fn receipt(page: Page, Path(id): Path<i64>) -> Result<Response> {
    let d = cases::detail(&page.cx.db, &page.me, id).await?;
    let c = &d.summary;
    let triage = d.clocks.iter().find(|k| k.rule_id == "triage.decision");
    let transfer = d.clocks.iter().find(|k| k.rule_id == "ex.transfer");
    let data = json!({
        "case": {"id": c.id, "number": c.number, "title": c.title, "received": local(c.received_at),
                 "state_key": c.state.key(), "queue_key": key("queue", c.queue)},
        "owner": d.owner.as_ref().map(|o| o.name.clone()),
        "triage_due": triage.map(|k| day(k.due_at - chrono::TimeDelta::seconds(1))),
        "provisional": triage.is_some_and(|k| k.provisional),
        "transfer_due": transfer.map(|k| local(k.due_at)),
        "exhibition": d.exhibition.as_ref().map(|e| e.name.clone()),
        "rights": d.rights.iter().map(|r| json!({"kind_key": key("right_kind", r.kind), "number": r.number, "right_title": r.title})).collect::<Vec<_>>(),
        "respondents": d.parties.iter().filter(|p| p.role == crate::domain::case::PartyRole::Respondent).map(|p| p.name.clone()).collect::<Vec<_>>(),
    });
    page.render("cases/receipt", &format!("/cases/{id}/receipt"), data)
}
