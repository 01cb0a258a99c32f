//! The case page: its screen model read in one call, drawn panel by panel (`panels`), and shown
//! again with a refused form open, filled in, with its messages.

use super::panels::{self, Refill};
use crate::error::Result;
use crate::http::page::{Page, Refused};
use crate::http::present::local;
use crate::service::{cases as cases_service, screen};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

/// `GET /cases/{id}`.
pub async fn show(page: Page, Path(id): Path<i64>) -> Result<Response> {
    render(&page, id, StatusCode::OK, &Refill::default()).await
}

/// The case page in `status`, with the form of `refill` (if any) shown again.
pub async fn render(page: &Page, id: i64, status: StatusCode, refill: &Refill) -> Result<Response> {
    let s = screen::case_page(&page.cx, &page.me, id).await?;
    let now = page.cx.now;
    let (parties, rights) = panels::parties_and_rights(&s);
    let refill_json = refill.sections();
    let filer = s.case.is_filer();
    let filer_org = crate::service::enterprises::case_filer(&page.cx.db, &page.me, id).await?;
    let mut data = json!({
        "case": panels::case(&s),
        "filer": filer,
        "filer_org": filer_org.map(|f| json!({"name": f.name, "unverified": !f.verified})),
        "owner": s.case.owner.as_ref().map(|o| o.name.clone()),
        "referred_to": s.case.referred_to.as_ref().map(|o| o.name.clone()),
        "merged_into": s.case.merged_into.as_ref().map(|m| json!({"id": m.id, "number": m.number})),
        "parties": parties,
        "rights": rights,
        "clocks": panels::clocks(&s, now),
        "shares": panels::shares(&s),
        "timeline": panels::timeline(&s),
        "can_triage": s.may.triage,
        "can_share": s.may.share,
        "can_answer": s.may.answer_referral,
        "dispute": s.dispute.as_ref().map(|d| json!({
            "offices": d.offices.iter().map(|o| json!({"id": o.id, "name": o.name})).collect::<Vec<_>>(),
            "taken_to": d.taken_to, "may_escalate": d.may_escalate, "may_designate": d.may_designate,
        })),
        "refill": refill_json,
        "work": panels::work(&s, page.lang(), refill),
        "documents": panels::documents(&s),
        "show_receipt": filer,
        "evidence": panels::evidence(&s, page.state.config.evidence_max_file_bytes),
        "messages": panels::messages(&s),
        "needs": s.needs.as_ref().map(|n| json!({
            "enterprise_name": n.enterprise_name, "products": n.products, "markets": n.markets,
            "known_infringers": n.known_infringers, "overseas_plans": n.overseas_plans,
            "updated": local(n.updated_at),
        })),
        "needs_uscc": s.needs_uscc,
        "funds": {
            "items": s.funds.iter().map(crate::http::web::funds::brief).collect::<Vec<_>>(),
            "may_apply": s.may_apply_fund,
            "show": s.may_apply_fund || !s.funds.is_empty(),
        },
        "people": {
            "assignee": s.people.assignee,
            "panel": s.people.panel.join("、"),
            "contact": s.people.contact.as_ref().map(|(name, phone)| json!({"name": name, "phone": phone})),
        },
    });
    if let (Some(d), Value::Object(choices)) =
        (data.as_object_mut(), panels::triage_choices(&s, now))
    {
        d.extend(choices);
    }
    page.render_status(status, "cases/show", &format!("/cases/{id}"), data)
}

/// After a form on the case page: to the case again with `flash` when it went through (or to the
/// workbench when the case has left the user's sight, routed out of their triage region), or
/// the page with the form open again, its values and messages, when it was refused.
pub async fn after_form<T>(
    page: &Page,
    id: i64,
    section: &'static str,
    values: &Value,
    result: Result<T>,
    flash: &str,
) -> Result<Response> {
    let err = match result {
        Ok(_) => {
            // A form sent from the approvals inbox goes back there.
            if values.get("next").and_then(Value::as_str) == Some("/approvals") {
                return Ok(page.redirect("/approvals", flash));
            }
            let target = if cases_service::is_visible(&page.cx.db, &page.me, id).await? {
                format!("/cases/{id}")
            } else {
                "/triage".to_string()
            };
            return Ok(page.redirect(&target, flash));
        }
        Err(e) => e,
    };
    let refused = Refused::of(err, page.lang())?;
    // The page shows the case as it is now with the form open again: a form that went stale is
    // answered like one refused for its values.
    let status = match refused.status {
        StatusCode::CONFLICT => StatusCode::UNPROCESSABLE_ENTITY,
        s => s,
    };
    let refill = Refill {
        section,
        values: values.clone(),
        errors: refused.errors,
    };
    render(page, id, status, &refill).await
}
