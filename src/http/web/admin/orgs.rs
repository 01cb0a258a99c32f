//! Organisation pages: the list (with each enterprise's 专精特新 designations), and the form to
//! create or edit one.

use super::org_options;
use crate::domain::identity::OrgKind;
use crate::domain::policy::Action;
use crate::error::{AppError, Result};
use crate::http::extract::WebForm;
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::key;
use crate::service::admin::{self, Caller, OrgInput, OrgView};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;

fn org_json(o: &OrgView) -> Value {
    json!({
        "id": o.id, "name": o.name, "kind": o.kind.as_str(), "kind_key": key("org_kind", o.kind.as_str()),
        "uscc": o.uscc, "region_code": o.region_code, "parent_id": o.parent_id,
        "contact_name": o.contact_name, "contact_phone": o.contact_phone, "is_demo": o.is_demo,
    })
}

/// The kinds of the form's picker, `selected` marked.
fn kinds(selected: &str) -> Vec<Value> {
    OrgKind::ALL
        .iter()
        .map(|k| json!({"value": k.as_str(), "key": key("org_kind", k.as_str()), "selected": k.as_str() == selected}))
        .collect()
}

/// `GET /admin/orgs`.
pub(super) async fn list(page: Page) -> Result<Response> {
    let (db, caller) = (&page.cx.db, Caller::User(&page.me));
    let orgs = admin::list_orgs(db, caller).await?;
    let usccs: Vec<String> = orgs.iter().filter_map(|o| o.uscc.clone()).collect();
    let srdi = admin::srdi_by_uscc(db, caller, &usccs).await?;
    let names: HashMap<i64, &str> = orgs.iter().map(|o| (o.id, o.name.as_str())).collect();
    let rows: Vec<Value> = orgs
        .iter()
        .map(|o| {
            let mut v = org_json(o);
            v["parent_name"] = json!(o.parent_id.and_then(|p| names.get(&p)));
            let designations: Vec<Value> = o
                .uscc
                .as_ref()
                .and_then(|u| srdi.get(u))
                .map(|ds| {
                    ds.iter()
                        .map(|d| json!({"key": d.level.message_key(), "year": d.year, "source": d.source}))
                        .collect()
                })
                .unwrap_or_default();
            v["srdi"] = json!(designations);
            v
        })
        .collect();
    page.render("admin/orgs/index", "/admin/orgs", json!({"orgs": rows}))
}

/// The form for a new organisation (`editing` none) or an existing one, with `input`'s values.
async fn form(
    page: &Page,
    editing: Option<i64>,
    input: &OrgInput,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let orgs = admin::list_orgs(&page.cx.db, Caller::User(&page.me)).await?;
    let action = match editing {
        Some(id) => format!("/admin/orgs/{id}"),
        None => "/admin/orgs".into(),
    };
    let data = json!({
        "editing": editing.is_some(),
        "action": action,
        "form": input,
        "kinds": kinds(&input.kind),
        "parents": org_options(&orgs, input.parent_id.as_deref(), editing),
        "has_errors": errors.as_object().is_some_and(|e| !e.is_empty()),
        "errors": errors,
    });
    page.render_status(status, "admin/orgs/form", "/admin/orgs", data)
}

/// `GET /admin/orgs/new`.
pub(super) async fn new(page: Page) -> Result<Response> {
    Caller::User(&page.me).authorize(Action::CreateOrganization)?;
    let input = OrgInput {
        kind: OrgKind::Enterprise.as_str().into(),
        ..Default::default()
    };
    form(&page, None, &input, json!({}), StatusCode::OK).await
}

/// `GET /admin/orgs/{id}/edit`.
pub(super) async fn edit(page: Page, Path(id): Path<i64>) -> Result<Response> {
    let o = admin::get_org(&page.cx.db, Caller::User(&page.me), id).await?;
    let input = OrgInput {
        name: o.name,
        kind: o.kind.as_str().into(),
        uscc: o.uscc,
        region_code: o.region_code,
        parent_id: o.parent_id.map(|p| p.to_string()),
        contact_name: o.contact_name,
        contact_phone: o.contact_phone,
        triage_working_days: o.triage_working_days.map(|d| d.to_string()),
        park: o.park,
        srdi_triage_working_days: o.srdi_triage_working_days.map(|d| d.to_string()),
    };
    form(&page, Some(id), &input, json!({}), StatusCode::OK).await
}

/// `POST /admin/orgs`.
pub(super) async fn create(page: Page, WebForm(input): WebForm<OrgInput>) -> Result<Response> {
    match admin::create_org(&page.cx, Caller::User(&page.me), input.clone()).await {
        Ok(_) => Ok(page.redirect("/admin/orgs", "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            form(
                &page,
                None,
                &input,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/orgs/{id}`.
pub(super) async fn update(
    page: Page,
    Path(id): Path<i64>,
    WebForm(input): WebForm<OrgInput>,
) -> Result<Response> {
    match admin::update_org(&page.cx, Caller::User(&page.me), id, input.clone()).await {
        Ok(_) => Ok(page.redirect("/admin/orgs", "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            form(
                &page,
                Some(id),
                &input,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
