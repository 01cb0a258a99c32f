//! The approvals inbox (`/approvals`, 待我处理): what waits for the user's decision, oldest first,
//! with the clock it affects. An extension is approved or refused right here; a share received
//! is taken note of here; the other items open the case at the form that decides them.

use crate::domain::approval::ApprovalKind;
use crate::error::Result;
use crate::http::AppState;
use crate::http::extract::WebForm;
use crate::http::page::Page;
use crate::http::present::{due_local, local};
use crate::i18n;
use crate::service::approvals::{self as service, Item};
use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new().route("/approvals", get(index)).route(
        "/approvals/shares/{case_id}/acknowledge",
        post(acknowledge_share),
    )
}

fn s(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// What was asked, in words.
fn summary(lang: i18n::Lang, i: &Item) -> String {
    let d = &i.data;
    let t = |k: &str| i18n::t(lang, k);
    match i.kind {
        ApprovalKind::Extension => {
            let mut out = format!(
                "{} {}{}",
                t(&format!("extension_tier.{}", s(d, "tier"))),
                s(d, "amount"),
                t(&format!("unit.{}", s(d, "unit")))
            );
            let reason = s(d, "reason");
            if !reason.is_empty() {
                out.push_str(&i18n::t_args(
                    lang,
                    "notice.detail.reason",
                    &[("reason", &reason)],
                ));
            }
            out
        }
        ApprovalKind::Share => t(&format!("share_access.{}", s(d, "access"))),
        ApprovalKind::ExportAbroad => s(d, "destination"),
        ApprovalKind::Recusal => s(d, "grounds"),
        ApprovalKind::Referral | ApprovalKind::Jurisdiction => s(d, "reason"),
    }
}

/// Where on the case page the item is decided.
fn anchor(kind: ApprovalKind) -> &'static str {
    match kind {
        ApprovalKind::Extension => "#deadlines",
        ApprovalKind::Referral => "#referral",
        ApprovalKind::Jurisdiction => "#jurisdiction",
        ApprovalKind::Share => "",
        ApprovalKind::Recusal | ApprovalKind::ExportAbroad => "#work",
    }
}

async fn index(page: Page) -> Result<Response> {
    let items = service::list(&page.cx.db, &page.me).await?;
    let lang = page.lang();
    let now = page.cx.now;
    let mut counts: HashMap<ApprovalKind, usize> = HashMap::new();
    let rows: Vec<Value> = items
        .iter()
        .map(|i| {
            *counts.entry(i.kind).or_default() += 1;
            json!({
                "id": i.id,
                "kind": i.kind.as_str(),
                "kind_key": i.kind.key(),
                "case_id": i.case_id,
                "number": i.number,
                "case_title": i.title,
                "srdi": i.srdi_rank > 0,
                "srdi_key": format!("srdi.{}", crate::domain::case::srdi_name(i.srdi_rank)),
                "version": i.version,
                "seq": i.opened_seq,
                "opened": local(i.opened_at),
                "summary": summary(lang, i),
                "clock": i.clock,
                "rule_id": i.rule_id,
                "due": i.due_at.map(due_local),
                "overdue": i.due_at.is_some_and(|d| d <= now),
                "extension": i.kind == ApprovalKind::Extension,
                "share": i.kind == ApprovalKind::Share,
                "href": format!("/cases/{}{}", i.case_id, anchor(i.kind)),
            })
        })
        .collect();
    let by_kind: Vec<Value> = ApprovalKind::ALL
        .iter()
        .filter_map(|k| counts.get(k).map(|n| json!({"key": k.key(), "count": n})))
        .collect();
    page.render(
        "approvals/index",
        "/approvals",
        json!({"items": rows, "count": items.len(), "by_kind": by_kind}),
    )
}

async fn acknowledge_share(
    page: Page,
    Path(case_id): Path<i64>,
    WebForm(_): WebForm<HashMap<String, String>>,
) -> Result<Response> {
    service::acknowledge_share(&page.cx, &page.me, case_id).await?;
    Ok(page.redirect("/approvals", "flash.share_acknowledged"))
}
