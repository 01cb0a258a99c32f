//! The case page's own forms: triage, the answer to a referral, sharing and revoking, deadline
//! extensions. Each goes to the service and comes back through `show::after_form`.

use super::form_input::Flat;
use super::show::after_form;
use crate::error::{AppError, Result};
use crate::http::extract::WebForm;
use crate::http::page::Page;
use crate::service::cases as cases_service;
use crate::service::deadlines::{self, ExtensionRequest};
use crate::service::jurisdiction::{self, JurisdictionRequest};
use crate::service::triage::{self, ReferralAnswer, ShareRequest, TriageRequest};
use axum::extract::Path;
use axum::response::Response;
use serde_json::json;

fn num(f: &Flat, k: &str) -> Option<i64> {
    f.get(k).and_then(|v| v.trim().parse().ok())
}

fn text(f: &Flat, k: &str) -> Option<String> {
    f.get(k)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn confirmed(flat: &Flat) -> bool {
    flat.get("confirm").is_some_and(|v| v == "yes")
}

/// `POST /cases/{id}/triage`: route, refer, reject or merge (the last two confirmed first).
pub async fn triage(
    page: Page,
    Path(id): Path<i64>,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let action = text(&flat, "action").unwrap_or_default();
    let result = if matches!(action.as_str(), "reject" | "merge") && !confirmed(&flat) {
        Err(AppError::field("confirm", "error.confirm_required"))
    } else {
        let req = TriageRequest {
            action: action.clone(),
            queue: text(&flat, "queue"),
            to_org_id: num(&flat, "to_org_id"),
            reason_code: text(&flat, "reason_code"),
            reason: text(&flat, "reason"),
            into_case_id: num(&flat, "into_case_id"),
            into_number: text(&flat, "into_number"),
            request_received_at: text(&flat, "request_received_at"),
            expected_version: num(&flat, "expected_version"),
            ..Default::default()
        };
        triage::decide(&page.cx, &page.me, id, req).await
    };
    let flash = format!("flash.triage.{action}");
    let flash = if crate::i18n::has(&flash) {
        flash
    } else {
        "flash.saved".into()
    };
    // A centre keeps reading a lead it decided but has nothing more to do on it: back to the
    // workbench for the next one.
    if result.is_ok() && !cases_service::works_on(&page.cx.db, &page.me, id).await? {
        return Ok(page.redirect("/triage", &flash));
    }
    after_form(&page, id, "triage", &json!(flat), result, &flash).await
}

/// `POST /cases/{id}/jurisdiction`: a returned referral taken to the common superior, or the
/// office it designates (Order 81 Art. 8).
pub async fn jurisdiction(
    page: Page,
    Path(id): Path<i64>,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let req = JurisdictionRequest {
        action: text(&flat, "action").unwrap_or_default(),
        to_org_id: num(&flat, "to_org_id"),
        reason: text(&flat, "reason"),
        expected_version: num(&flat, "expected_version"),
    };
    let result = jurisdiction::decide(&page.cx, &page.me, id, req).await;
    after_form(
        &page,
        id,
        "jurisdiction",
        &json!(flat),
        result,
        "flash.saved",
    )
    .await
}

/// `POST /cases/{id}/referral`: the receiving office acknowledges or returns a referral.
pub async fn referral(
    page: Page,
    Path(id): Path<i64>,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let req = ReferralAnswer {
        action: text(&flat, "action").unwrap_or_default(),
        reason: text(&flat, "reason"),
        expected_version: num(&flat, "expected_version"),
    };
    let result = triage::answer_referral(&page.cx, &page.me, id, req).await;
    let values = json!(flat);
    after_form(
        &page,
        id,
        "referral",
        &values,
        result,
        "flash.referral_answered",
    )
    .await
}

/// `POST /cases/{id}/shares`: shares the case with another office.
pub async fn share(
    page: Page,
    Path(id): Path<i64>,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let req = ShareRequest {
        org_id: num(&flat, "org_id"),
        access: text(&flat, "access").unwrap_or_default(),
        expected_version: None,
    };
    let result = triage::share(&page.cx, &page.me, id, req).await;
    after_form(&page, id, "share", &json!(flat), result, "flash.shared").await
}

/// `POST /cases/{id}/shares/{org_id}/revoke`.
pub async fn revoke(
    page: Page,
    Path((id, org_id)): Path<(i64, i64)>,
    WebForm(_): WebForm<Flat>,
) -> Result<Response> {
    triage::revoke_share(&page.cx, &page.me, id, org_id, None).await?;
    Ok(page.redirect(&format!("/cases/{id}"), "flash.share_revoked"))
}

/// `POST /cases/{id}/deadlines/{rule_id}/extension`: request, approve or refuse an extension.
pub async fn extension(
    page: Page,
    Path((id, rule_id)): Path<(i64, String)>,
    WebForm(flat): WebForm<Flat>,
) -> Result<Response> {
    let req = ExtensionRequest {
        action: text(&flat, "action").unwrap_or_default(),
        tier: text(&flat, "tier"),
        amount: text(&flat, "amount")
            .and_then(|a| a.parse().ok())
            .or(Some(0)),
        reason: text(&flat, "reason"),
        request_seq: num(&flat, "request_seq"),
        expected_version: num(&flat, "expected_version"),
    };
    let flash = match req.action.as_str() {
        "approve" => "flash.extension_approved",
        "refuse" => "flash.extension_refused",
        _ => "flash.extension_requested",
    };
    let result = deadlines::extension(&page.cx, &page.me, id, &rule_id, req).await;
    after_form(&page, id, "extension", &json!(flat), result, flash).await
}
