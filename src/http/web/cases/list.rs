//! Case lists: every case the user may see, with filters and drafts, and the triage workbench.

use crate::domain::case::Queue;
use crate::domain::identity::OrgKind;
use crate::domain::policy::{self, Action};
use crate::error::{AppError, Result};
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::{case::row, local};
use crate::service::cases::{self as cases_service, ListQuery};
use crate::service::drafts;
use axum::extract::Query;
use axum::response::Response;
use serde_json::{Value, json};

/// The link to a further page of the list, keeping its filters.
fn next_link(q: &ListQuery, cursor: &str) -> String {
    let mut parts = vec![format!("cursor={cursor}")];
    parts.extend(filter_params(q));
    format!("/cases?{}", parts.join("&"))
}

/// The filters of a list query as URL parameters (a further page keeps them).
fn filter_params(q: &ListQuery) -> Vec<String> {
    let mut parts = Vec::new();
    for (k, v) in [
        ("queue", &q.queue),
        ("state", &q.state),
        ("due_before", &q.due_before),
        ("assignee", &q.assignee),
        ("owner", &q.owner),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!(
                "{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ));
        }
    }
    if q.overdue == Some(true) {
        parts.push("overdue=true".into());
    }
    if q.srdi == Some(true) {
        parts.push("srdi=true".into());
    }
    if q.open == Some(true) {
        parts.push("open=true".into());
    }
    parts
}

/// The filters a dashboard link sets that the filter form does not show, in words.
fn narrowed(q: &ListQuery, lang: crate::i18n::Lang) -> Vec<String> {
    let t = |k: &str| crate::i18n::t(lang, k);
    let mut out = Vec::new();
    if let Some(s) = q.state.as_deref().filter(|s| !s.is_empty()) {
        out.push(t(&format!("case_state.{s}")));
    }
    if q.assignee.as_deref() == Some("me") {
        out.push(t("cases.filter.mine"));
    }
    if q.owner.as_deref() == Some("mine") {
        out.push(t("cases.filter.my_office"));
    }
    if q.open == Some(true) {
        out.push(t("cases.filter.open"));
    }
    if let Some(d) = q.due_before.as_deref().filter(|s| !s.is_empty()) {
        out.push(crate::i18n::t_args(
            lang,
            "cases.filter.due_before",
            &[("date", d)],
        ));
    }
    out
}

/// `GET /cases`: the visible cases, most urgent first, with the user's drafts.
pub async fn list(page: Page, Query(q): Query<ListQuery>) -> Result<Response> {
    if q.format.as_deref() == Some("csv") {
        let lang = page.lang();
        return crate::http::export::cases_csv(page.cx.clone(), page.me.clone(), q, lang).await;
    }
    let (cx, me) = (&page.cx, &page.me);
    let (found, filter_error) = match cases_service::list(cx, me, &q).await {
        Ok(p) => (p, None),
        Err(AppError::Invalid(e)) => (
            cases_service::list(cx, me, &ListQuery::default()).await?,
            Some(field_errors(&e, page.lang())),
        ),
        Err(e) => return Err(e),
    };
    let drafts: Vec<Value> = drafts::list(&cx.db, me)
        .await?
        .into_iter()
        .map(|d| {
            let title = d
                .input
                .title
                .clone()
                .unwrap_or_else(|| d.input.description.chars().take(30).collect());
            json!({"id": d.id, "draft_title": title, "updated": local(d.updated_at)})
        })
        .collect();
    let queue = q.queue.clone().unwrap_or_default();
    // The download of the same list, with the same filters.
    let mut export = filter_params(&q);
    export.push("format=csv".into());
    let export = format!("/cases?{}", export.join("&"));
    let data = json!({
        "cases": found.items.iter().map(|c| row(c, cx.now)).collect::<Vec<_>>(),
        "next": found.next_cursor.as_deref().map(|c| next_link(&q, c)),
        "drafts": drafts,
        "filter_error": filter_error,
        "queue_options": Queue::ALL.iter().map(|x| json!({"value": x.as_str(), "key": format!("queue.{x}"), "selected": x.as_str() == queue})).collect::<Vec<_>>(),
        "overdue": q.overdue == Some(true),
        "narrowed": narrowed(&q, page.lang()),
        "export": export,
        "srdi": q.srdi == Some(true),
        "can_file": policy::can(&me.actor, Action::FileComplaint),
        "can_enter": policy::can(&me.actor, Action::EnterLead),
        "is_enterprise": me.actor.org_kind == OrgKind::Enterprise,
    });
    page.render("cases/index", "/cases", data)
}

/// The workbench lists at most this many leads.
pub const WORKBENCH_LIMIT: u64 = 200;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct WorkbenchQuery {
    /// Only the leads that look like another open matter.
    duplicates: Option<bool>,
}

/// `GET /triage`: the leads waiting for triage that the user may see, by triage deadline.
pub async fn workbench(page: Page, Query(q): Query<WorkbenchQuery>) -> Result<Response> {
    if !policy::can(&page.me.actor, Action::TriageWorkbench) {
        return Err(AppError::forbidden());
    }
    let duplicates_only = q.duplicates == Some(true);
    let items = if duplicates_only {
        crate::service::triage::leads_with_duplicates(&page.cx.db, &page.me, WORKBENCH_LIMIT)
            .await?
    } else {
        cases_service::awaiting_triage(&page.cx.db, &page.me, WORKBENCH_LIMIT).await?
    };
    let now = page.cx.now;
    let ids: Vec<i64> = items.iter().map(|c| c.id).collect();
    // Leads of self-registered enterprises not yet confirmed carry the "企业未核验" flag.
    let unverified = crate::service::enterprises::filed_unverified(&page.cx.db, &ids).await?;
    let data = json!({
        "cases": items.iter().map(|c| {
            let mut r = row(c, now);
            r["unverified_filer"] = json!(unverified.contains(&c.id));
            r
        }).collect::<Vec<_>>(),
        "duplicates_only": duplicates_only,
    });
    page.render("cases/workbench", "/triage", data)
}
