//! Mutual-aid fund pages (互助基金): the funds with this year's budget, the form that sets one up,
//! a fund with its books (budgets, figures per year, ledger) and applications, the enterprise's
//! application form from its overseas case, and an application with the decision and payout
//! forms. Amounts are typed and shown in yuan; the service counts fen.

use crate::domain::case::OverseasCategory;
use crate::domain::fund::{
    ApplicationInput, BudgetInput, DecisionInput, FundInput, PayoutInput, parse_yuan, yuan,
};
use crate::domain::policy::{self, Action, FundAccess};
use crate::error::{AppError, FieldError, Result};
use crate::http::AppState;
use crate::http::extract::{WebForm, gathered};
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::{key, local};
use crate::service::funds::{self, ApplicationView, FundView};
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/funds", get(index))
        .route("/funds/new", get(new).post(create))
        .route("/funds/{id}", get(show))
        .route("/funds/{id}/budgets", post(budget))
        .route("/fund-applications/new", get(apply_form).post(apply))
        .route("/fund-applications/{id}", get(application))
        .route("/fund-applications/{id}/decision", post(decide))
        .route("/fund-applications/{id}/payouts", post(pay))
}

/// Yuan as typed, for the service: fen, or -1 (refused by the amount rule, so that every
/// problem of the form comes back at once).
fn fen(typed: &str) -> i64 {
    parse_yuan(typed).unwrap_or(-1)
}

/// The service names amounts `…_fen`; the forms type them in yuan as `…_yuan`.
fn in_yuan(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            if let Some(stem) = e.field.strip_suffix("_fen") {
                e.field = format!("{stem}_yuan");
            }
            e
        })
        .collect()
}

fn this_year(page: &Page) -> i32 {
    crate::domain::time::in_beijing(page.cx.now).year()
}

fn fund_json(f: &FundView) -> Value {
    let r = &f.row;
    json!({
        "id": r.id, "name": r.name, "org": f.org_name,
        "categories": f.categories.iter().map(|c| key("overseas_category", c)).collect::<Vec<_>>(),
        "max": yuan(r.max_per_case_fen), "share": r.self_share_percent,
        "threshold": yuan(r.panel_threshold_fen), "panel_size": r.panel_size, "rules": r.rules,
        "budget": f.this_year.as_ref().filter(|_| f.access >= FundAccess::Read).map(|b| json!({
            "year": b.year, "amount": yuan(b.amount_fen), "paid": yuan(b.paid_fen),
            "left": yuan(b.amount_fen - b.paid_fen),
        })),
        "reviewer": f.access == FundAccess::Reviewer,
    })
}

/// An application in a list (also the case page's card).
pub fn brief(a: &ApplicationView) -> Value {
    let r = &a.row;
    json!({
        "id": r.id, "fund": a.fund_name, "case_id": r.case_id, "case_number": a.case_number,
        "applicant": a.applicant, "year": r.year, "state": a.state.as_str(),
        "standing_key": a.standing_key(), "claimed": yuan(r.claimed_fen),
        "approved": r.approved_fen.map(yuan), "paid": yuan(r.paid_fen),
        "filed": local(r.created_at), "panel": a.panel,
    })
}

/// `GET /funds`.
async fn index(page: Page) -> Result<Response> {
    let list = funds::list(&page.cx.db, &page.me).await?;
    let data = json!({
        "funds": list.iter().map(fund_json).collect::<Vec<_>>(),
        "can_create": policy::can(&page.me.actor, Action::CreateFund),
        "enterprise": policy::can(&page.me.actor, Action::FileComplaint),
    });
    page.render("funds/index", "/funds", data)
}

/// The set-up form as posted (all text: a wrong value comes back to the form).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct NewForm {
    name: String,
    #[serde(default)]
    categories: Vec<String>,
    max_per_case_yuan: String,
    self_share_percent: String,
    panel_threshold_yuan: String,
    panel_size: String,
    rules: String,
    year: String,
    budget_yuan: String,
}

impl NewForm {
    fn input(&self) -> FundInput {
        FundInput {
            name: self.name.clone(),
            categories: self.categories.clone(),
            max_per_case_fen: fen(&self.max_per_case_yuan),
            self_share_percent: self.self_share_percent.trim().parse().unwrap_or(-1),
            panel_threshold_fen: fen(&self.panel_threshold_yuan),
            panel_size: Some(self.panel_size.trim().parse().unwrap_or(0)),
            rules: self.rules.clone(),
            year: self.year.trim().parse().unwrap_or(0),
            budget_fen: fen(&self.budget_yuan),
        }
    }
}

fn render_new(page: &Page, form: &NewForm, errors: Value, status: StatusCode) -> Result<Response> {
    policy::authorize(&page.me.actor, Action::CreateFund)?;
    let categories: Vec<Value> = OverseasCategory::ALL
        .iter()
        .map(|c| {
            json!({"value": c.as_str(), "key": key("overseas_category", c),
                   "checked": form.categories.iter().any(|f| f == c.as_str())})
        })
        .collect();
    let data = json!({
        "form": form, "errors": errors,
        "has_errors": errors.as_object().is_some_and(|e| !e.is_empty()),
        "categories": categories,
    });
    page.render_status(status, "funds/new", "/funds/new", data)
}

/// `GET /funds/new`.
async fn new(page: Page) -> Result<Response> {
    let form = NewForm {
        self_share_percent: "30".into(),
        panel_size: "3".into(),
        year: this_year(&page).to_string(),
        ..Default::default()
    };
    render_new(&page, &form, json!({}), StatusCode::OK)
}

/// `POST /funds/new`.
async fn create(page: Page, WebForm(pairs): WebForm<Vec<(String, String)>>) -> Result<Response> {
    let form: NewForm = gathered(pairs, &["categories"])?;
    match funds::create(&page.cx, &page.me, form.input()).await {
        Ok(f) => Ok(page.redirect(&format!("/funds/{}", f.row.id), "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&in_yuan(errors), page.lang());
            render_new(&page, &form, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

/// The budget form as posted.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct BudgetForm {
    year: String,
    amount_yuan: String,
}

async fn render_show(
    page: &Page,
    id: i64,
    form: &BudgetForm,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let d = funds::get(&page.cx.db, &page.me, id).await?;
    let apps = if d.fund.access >= FundAccess::Applicant && d.fund.access != FundAccess::Public {
        funds::applications(&page.cx.db, &page.me, id, None).await?
    } else {
        Vec::new()
    };
    let data = json!({
        "fund": fund_json(&d.fund),
        "books": d.fund.access >= FundAccess::Read,
        "budgets": d.budgets.iter().map(|b| {
            let unpaid = d.unpaid.get(&b.year).copied().unwrap_or(0);
            json!({
                "year": b.year, "amount": yuan(b.amount_fen), "paid": yuan(b.paid_fen),
                "left": yuan(b.amount_fen - b.paid_fen), "unpaid": yuan(unpaid),
                "short": (unpaid > b.amount_fen - b.paid_fen)
                    .then(|| yuan(unpaid - (b.amount_fen - b.paid_fen))),
            })
        }).collect::<Vec<_>>(),
        "figures": d.figures.iter().map(|f| json!({
            "year": f.year, "applications": f.applications, "open": f.open,
            "approved": f.approved, "declined": f.declined, "claimed": yuan(f.claimed_fen),
            "granted": yuan(f.approved_fen), "paid": yuan(f.paid_fen),
        })).collect::<Vec<_>>(),
        "ledger": d.ledger.iter().map(|l| json!({
            "paid_on": l.payout.paid_on.to_string(), "amount": yuan(l.payout.amount_fen),
            "balance": yuan(l.balance_fen), "reference": l.payout.reference,
            "case_number": l.case_number, "applicant": l.applicant,
            "application_id": l.payout.application_id, "year": l.payout.year,
        })).collect::<Vec<_>>(),
        "applications": apps.iter().map(brief).collect::<Vec<_>>(),
        "enterprise": d.fund.access == FundAccess::Applicant,
        "form": form, "errors": errors,
    });
    page.render_status(status, "funds/show", &format!("/funds/{id}"), data)
}

/// `GET /funds/{id}`.
async fn show(page: Page, Path(id): Path<i64>) -> Result<Response> {
    let form = BudgetForm {
        year: (this_year(&page) + 1).to_string(),
        ..Default::default()
    };
    render_show(&page, id, &form, json!({}), StatusCode::OK).await
}

/// `POST /funds/{id}/budgets`.
async fn budget(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<BudgetForm>,
) -> Result<Response> {
    let input = BudgetInput {
        year: form.year.trim().parse().unwrap_or(0),
        amount_fen: fen(&form.amount_yuan),
    };
    match funds::set_budget(&page.cx, &page.me, id, input).await {
        Ok(()) => Ok(page.redirect(&format!("/funds/{id}"), "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&in_yuan(errors), page.lang());
            render_show(&page, id, &form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// The application form as posted (and `?case=` when it opens).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct ApplyForm {
    case: String,
    fund: String,
    claimed_yuan: String,
    costs: String,
    #[serde(default)]
    evidence: Vec<String>,
}

async fn render_apply(
    page: &Page,
    form: &ApplyForm,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let case_id: i64 = form.case.trim().parse().map_err(|_| AppError::NotFound)?;
    let (number, funds, evidence) = funds::apply_form(&page.cx.db, &page.me, case_id).await?;
    let data = json!({
        "form": form, "errors": errors,
        "has_errors": errors.as_object().is_some_and(|e| !e.is_empty()),
        "case_id": case_id, "case_number": number,
        "funds": funds.iter().map(|f| {
            let mut j = fund_json(f);
            j["selected"] = json!(form.fund == f.row.id.to_string() || funds.len() == 1);
            j
        }).collect::<Vec<_>>(),
        "evidence": evidence.iter().map(|e| json!({
            "id": e.id, "no": e.no, "kind_key": key("evidence_kind", &e.kind),
            "name": e.original_name, "description": e.description,
            "checked": form.evidence.iter().any(|x| *x == e.id.to_string()),
        })).collect::<Vec<_>>(),
    });
    page.render_status(status, "funds/apply", "/fund-applications/new", data)
}

/// `GET /fund-applications/new?case=ID`.
async fn apply_form(page: Page, Query(form): Query<ApplyForm>) -> Result<Response> {
    render_apply(&page, &form, json!({}), StatusCode::OK).await
}

/// `POST /fund-applications/new`.
async fn apply(page: Page, WebForm(pairs): WebForm<Vec<(String, String)>>) -> Result<Response> {
    let form: ApplyForm = gathered(pairs, &["evidence"])?;
    let Ok(fund_id) = form.fund.trim().parse::<i64>() else {
        let errors = field_errors(&[FieldError::new("fund", "error.required")], page.lang());
        return render_apply(&page, &form, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let input = ApplicationInput {
        case_id: form.case.trim().parse().unwrap_or(0),
        claimed_fen: fen(&form.claimed_yuan),
        costs: form.costs.clone(),
        evidence_ids: form
            .evidence
            .iter()
            .filter_map(|e| e.parse().ok())
            .collect(),
    };
    match funds::apply(&page.cx, &page.me, fund_id, input).await {
        Ok(a) => Ok(page.redirect(
            &format!("/fund-applications/{}", a.row.id),
            "flash.fund_applied",
        )),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&in_yuan(errors), page.lang());
            render_apply(&page, &form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        // No budget this year, an application still waiting: said on the form, nothing lost.
        Err(AppError::Conflict(message)) => {
            let errors = field_errors(
                &[FieldError {
                    field: "fund".into(),
                    message,
                }],
                page.lang(),
            );
            render_apply(&page, &form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// The decision and payout forms as posted.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct DecisionForm {
    outcome: String,
    amount_yuan: String,
    reasons: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct PayoutForm {
    amount_yuan: String,
    paid_on: String,
    reference: String,
}

async fn render_application(
    page: &Page,
    id: i64,
    decision: &DecisionForm,
    payout: &PayoutForm,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let a = funds::get_application(&page.cx.db, &page.me, id).await?;
    let r = &a.row;
    let evidence = funds::proof(&page.cx.db, &a)
        .await?
        .into_iter()
        .map(|e| {
            json!({"id": e.id, "no": e.no, "kind_key": key("evidence_kind", &e.kind),
                   "name": e.original_name, "description": e.description})
        })
        .collect::<Vec<_>>();
    let data = json!({
        "a": brief(&a),
        "costs": r.costs, "reasons": r.reasons, "decided": r.decided_at.map(local),
        "cap": yuan(a.cap_fen), "share": a.rules.self_share_percent,
        "panel_size": a.rules.panel_size, "left": r.approved_fen.map(|g| yuan(g - r.paid_fen)),
        "evidence": evidence,
        "votes": a.votes.iter().map(|(v, name)| json!({
            "reviewer": name, "approve": v.approve, "amount": v.amount_fen.map(yuan),
            "reasons": v.reasons, "at": local(v.created_at),
        })).collect::<Vec<_>>(),
        "payouts": a.payouts.iter().map(|p| json!({
            "amount": yuan(p.amount_fen), "paid_on": p.paid_on.to_string(), "reference": p.reference,
        })).collect::<Vec<_>>(),
        "can_vote": a.can_vote, "can_pay": a.can_pay,
        "decision": decision, "payout": payout, "errors": errors,
    });
    page.render_status(
        status,
        "funds/application",
        &format!("/fund-applications/{id}"),
        data,
    )
}

/// `GET /fund-applications/{id}`.
async fn application(page: Page, Path(id): Path<i64>) -> Result<Response> {
    let payout = PayoutForm {
        paid_on: crate::domain::time::day_of(page.cx.now).to_string(),
        ..Default::default()
    };
    let decision = DecisionForm {
        outcome: "approve".into(),
        ..Default::default()
    };
    render_application(&page, id, &decision, &payout, json!({}), StatusCode::OK).await
}

/// `POST /fund-applications/{id}/decision`.
async fn decide(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<DecisionForm>,
) -> Result<Response> {
    let input = DecisionInput {
        outcome: form.outcome.clone(),
        amount_fen: (form.outcome == "approve").then(|| fen(&form.amount_yuan)),
        reasons: form.reasons.clone(),
    };
    match funds::decide(&page.cx, &page.me, id, input).await {
        Ok(_) => Ok(page.redirect(&format!("/fund-applications/{id}"), "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&in_yuan(errors), page.lang());
            let payout = PayoutForm::default();
            render_application(
                &page,
                id,
                &form,
                &payout,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /fund-applications/{id}/payouts`.
async fn pay(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<PayoutForm>,
) -> Result<Response> {
    let input = PayoutInput {
        amount_fen: fen(&form.amount_yuan),
        paid_on: form.paid_on.clone(),
        reference: form.reference.clone(),
    };
    match funds::pay(&page.cx, &page.me, id, input).await {
        Ok(_) => Ok(page.redirect(&format!("/fund-applications/{id}"), "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&in_yuan(errors), page.lang());
            let decision = DecisionForm::default();
            render_application(
                &page,
                id,
                &decision,
                &form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
