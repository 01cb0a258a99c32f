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
        ("org", &q.org),
        ("org_role", &q.org_role),
        ("received_from", &q.received_from),
        ("received_to", &q.received_to),
        ("closed_from", &q.closed_from),
        ("closed_to", &q.closed_to),
        ("source", &q.source),
        ("channel", &q.channel),
        ("region", &q.region),
        ("right_kind", &q.right_kind),
        ("srdi_level", &q.srdi_level),
        ("clock", &q.clock),
        ("clock_state", &q.clock_state),
        ("event", &q.event),
        ("extension_tier", &q.extension_tier),
        ("overseas_country", &q.overseas_country),
        ("overseas_category", &q.overseas_category),
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
    for (k, v) in [
        ("closed", q.closed),
        ("routed", q.routed),
        ("shared", q.shared),
        ("cross_region", q.cross_region),
        ("decided_at_fair", q.decided_at_fair),
    ] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    parts
}

/// The filters a dashboard link sets that the filter form does not show, in words.
fn narrowed(
    q: &ListQuery,
    lang: crate::i18n::Lang,
    org_name: Option<String>,
    rule_name: Option<String>,
) -> Vec<String> {
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
    if let Some(name) = org_name {
        let key = match q.org_role.as_deref().map(str::trim) {
            Some("referred_to") => "cases.filter.org_referred_to",
            Some("triaged") => "cases.filter.org_triaged",
            _ => "cases.filter.org",
        };
        out.push(crate::i18n::t_args(lang, key, &[("name", &name)]));
    }
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    for (key, from, to) in [
        ("cases.filter.received", &q.received_from, &q.received_to),
        ("cases.filter.closed_in", &q.closed_from, &q.closed_to),
    ] {
        if given(from).is_some() || given(to).is_some() {
            let (f, t) = (
                given(from).unwrap_or_default(),
                given(to).unwrap_or_default(),
            );
            out.push(crate::i18n::t_args(lang, key, &[("from", &f), ("to", &t)]));
        }
    }
    for (prefix, v) in [
        ("source", &q.source),
        ("channel", &q.channel),
        ("right_kind", &q.right_kind),
        ("srdi", &q.srdi_level),
        ("event", &q.event),
        ("extension_tier", &q.extension_tier),
        ("overseas_category", &q.overseas_category),
    ] {
        if let Some(v) = given(v) {
            out.push(t(&format!("{prefix}.{v}")));
        }
    }
    if let Some(c) = given(&q.overseas_country) {
        out.push(crate::i18n::t_args(
            lang,
            "cases.filter.overseas_country",
            &[("country", &c.to_ascii_uppercase())],
        ));
    }
    if let Some(r) = given(&q.region) {
        out.push(crate::domain::region::full_name(&r).unwrap_or(r));
    }
    if let Some(rule) = given(&q.clock) {
        let state = given(&q.clock_state)
            .map(|s| t(&format!("clock_state.{s}")))
            .unwrap_or_default();
        out.push(crate::i18n::t_args(
            lang,
            "cases.filter.clock",
            &[("rule", &rule_name.unwrap_or(rule)), ("state", &state)],
        ));
    }
    for (key, v) in [
        ("cases.filter.closed", q.closed),
        ("cases.filter.routed", q.routed),
        ("cases.filter.shared", q.shared),
        ("cases.filter.cross_region", q.cross_region),
        ("cases.filter.decided_at_fair", q.decided_at_fair),
    ] {
        match v {
            Some(true) => out.push(t(key)),
            Some(false) => out.push(crate::i18n::t_args(
                lang,
                "cases.filter.not",
                &[("what", &t(key))],
            )),
            None => {}
        }
    }
    out
}

/// `GET /cases`: the visible cases, most urgent first, with the user's drafts.
pub async fn list(page: Page, Query(q): Query<ListQuery>) -> Result<Response> {
    match q.format.as_deref() {
        Some("csv") => {
            let lang = page.lang();
            return crate::http::export::cases_csv(page.cx.clone(), page.me.clone(), q, lang).await;
        }
        Some("xlsx") => {
            let lang = page.lang();
            return crate::http::export::cases_xlsx(page.cx.clone(), page.me.clone(), q, lang)
                .await;
        }
        _ => {}
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
    // The names behind a report's filters, for the words above the list.
    let org_name = match q.org.as_deref().and_then(|o| o.trim().parse::<i64>().ok()) {
        Some(id) => crate::service::reports::org_name(cx, id).await?,
        None => None,
    };
    let rule_name = q
        .clock
        .as_deref()
        .and_then(|r| cx.time.rules().get(r.trim()).map(|r| r.name.clone()));
    // The download of the same list, with the same filters.
    let params = filter_params(&q);
    let with_format = |f: &str| {
        let mut p = params.clone();
        p.push(format!("format={f}"));
        format!("/cases?{}", p.join("&"))
    };
    let (export, export_xlsx) = (with_format("csv"), with_format("xlsx"));
    let data = json!({
        "cases": found.items.iter().map(|c| row(c, cx.now)).collect::<Vec<_>>(),
        "next": found.next_cursor.as_deref().map(|c| next_link(&q, c)),
        "drafts": drafts,
        "filter_error": filter_error,
        "queue_options": Queue::ALL.iter().map(|x| json!({"value": x.as_str(), "key": format!("queue.{x}"), "selected": x.as_str() == queue})).collect::<Vec<_>>(),
        "overdue": q.overdue == Some(true),
        "narrowed": narrowed(&q, page.lang(), org_name, rule_name),
        "export": export,
        "export_xlsx": export_xlsx,
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
