//! The search page: a query box, hits with highlighted snippets, facet counts that narrow the
//! search, paging. The same service as `GET /api/v1/search`.

use crate::domain::region;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::i18n::{self, Lang};
use crate::search::FACETS;
use crate::service::search::{self, Params};
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(index))
}

/// The catalogue key of a facet value's label (regions are data, not catalogue text).
fn label_key(group: &str, value: &str) -> Option<String> {
    let key = match group {
        "queue" => format!("queue.{value}"),
        "state" => format!("case_state.{value}"),
        "kind" => format!("right_kind.{value}"),
        "channel" => format!("channel.{value}"),
        "srdi" => format!("srdi.{value}"),
        _ => return None,
    };
    i18n::has(&key).then_some(key)
}

/// A facet value as the page shows it: catalogue text, a region by its name (`320600` → 南通市);
/// an unknown value as it is.
fn label(lang: Lang, group: &str, value: &str) -> String {
    if group == "region"
        && let Some(name) = region::name(value)
    {
        return name.to_string();
    }
    label_key(group, value)
        .map(|k| i18n::t(lang, &k))
        .unwrap_or_else(|| value.to_string())
}

/// `p` as a query string, with `set` values replaced (None: removed) and paging reset.
fn link(p: &Params, set: &[(&str, Option<&str>)]) -> String {
    let mut pairs: Vec<(&str, String)> = [
        ("q", &p.q),
        ("queue", &p.queue),
        ("state", &p.state),
        ("kind", &p.kind),
        ("channel", &p.channel),
        ("region", &p.region),
        ("srdi", &p.srdi),
        ("overdue", &p.overdue),
        ("assignee", &p.assignee),
        ("sort", &p.sort),
        ("limit", &p.limit),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        v.as_deref()
            .filter(|s| !s.is_empty())
            .map(|v| (k, v.to_string()))
    })
    .collect();
    for (k, v) in set {
        pairs.retain(|(name, _)| name != k);
        if let Some(v) = v {
            pairs.push((k, v.to_string()));
        }
    }
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, &v);
    }
    format!("/search?{}", s.finish())
}

fn chosen(p: &Params, group: &str) -> Option<String> {
    match group {
        "queue" => p.queue.clone(),
        "state" => p.state.clone(),
        "kind" => p.kind.clone(),
        "channel" => p.channel.clone(),
        "region" => p.region.clone(),
        "srdi" => p
            .srdi
            .clone()
            .filter(|s| s == "true")
            .map(|_| "true".into()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

async fn index(page: Page, Query(p): Query<Params>) -> Result<Response> {
    if p.format.as_deref().is_some_and(|f| !f.is_empty()) {
        return crate::http::export::search_download(
            &page.cx,
            &page.state.search,
            &page.me,
            &p,
            page.lang(),
        )
        .await;
    }
    let lang = page.lang();
    let me = &page.me;
    let asked = p.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let mut data = json!({
        "form": {"q": p.q, "sort": p.sort.as_deref().unwrap_or("relevance")},
        "asked": asked,
        "errors": {},
    });
    let mut status = StatusCode::OK;
    // Filters chosen so far, each with a link that drops it.
    let mut filters = Vec::new();
    for g in FACETS {
        if let Some(v) = chosen(&p, g) {
            let text = if g == "srdi" {
                i18n::t(lang, "search.facet.srdi_only")
            } else {
                label(lang, g, &v)
            };
            filters.push(
                json!({"group": i18n::t(lang, &format!("search.facet.{g}")), "label": text,
                "remove": link(&p, &[(g, None)])}),
            );
        }
    }
    if p.overdue.as_deref() == Some("true") {
        filters.push(json!({"group": i18n::t(lang, "search.overdue"), "label": i18n::t(lang, "search.overdue_only"),
            "remove": link(&p, &[("overdue", None)])}));
    }
    data["filters"] = json!(filters);
    if asked {
        // Pages show 20 hits unless the link asks for more.
        let mut asked_for = p.clone();
        asked_for.limit.get_or_insert_with(|| "20".into());
        match search::request(me, &asked_for) {
            Ok(req) => {
                let cx = &page.cx;
                let r = search::search(&cx.db, &page.state.search, me, req.clone(), cx.now).await?;
                let hits: Vec<Value> = r
                    .hits
                    .iter()
                    .map(|h| {
                        json!({"id": h.id, "number": h.number, "case_title": h.title, "snippet": h.snippet,
                            "queue": label(lang, "queue", &h.queue), "state": label(lang, "state", &h.state),
                            "srdi": h.srdi_rank > 0,
                            "srdi_key": format!("srdi.{}", crate::search::doc::srdi_level(h.srdi_rank))})
                    })
                    .collect();
                let facets: Vec<Value> = FACETS
                    .iter()
                    .filter(|g| r.facets.get(**g).is_some_and(|v| !v.is_empty()))
                    .map(|g| {
                        let values: Vec<Value> = r.facets[*g]
                            .iter()
                            .map(|(v, n)| {
                                // SRDI narrows to "SRDI enterprises only"; "not SRDI" is a count.
                                let href = match (*g, v.as_str()) {
                                    ("srdi", "none") => None,
                                    ("srdi", _) => Some(link(&p, &[("srdi", Some("true"))])),
                                    _ => Some(link(&p, &[(g, Some(v.as_str()))])),
                                };
                                json!({"label": label(lang, g, v), "count": n, "href": href,
                                    "active": chosen(&p, g).as_deref() == Some(v.as_str())})
                            })
                            .collect();
                        json!({"heading": i18n::t(lang, &format!("search.facet.{g}")), "values": values})
                    })
                    .collect();
                let next =
                    search::next_cursor(&req, r.total).map(|c| link(&p, &[("cursor", Some(&c))]));
                let prev = (req.offset > 0).then(|| {
                    let c = req.offset.saturating_sub(req.limit).to_string();
                    link(&p, &[("cursor", Some(&c))])
                });
                data["results"] = json!({
                    "total": r.total,
                    "from": if r.total == 0 { 0 } else { req.offset + 1 },
                    "to": req.offset + r.hits.len(),
                    "hits": hits,
                    "facets": facets,
                    "overdue": r.overdue,
                    "overdue_href": link(&p, &[("overdue", Some("true"))]),
                    "next": next,
                    "prev": prev,
                    "sort_relevance": link(&p, &[("sort", Some("relevance"))]),
                    "sort_urgency": link(&p, &[("sort", Some("urgency"))]),
                    "export_csv": link(&p, &[("format", Some("csv")), ("limit", None)]),
                    "export_xlsx": link(&p, &[("format", Some("xlsx")), ("limit", None)]),
                    "urgency": req.sort == crate::search::Sort::Urgency,
                });
            }
            Err(AppError::Invalid(errors)) => {
                data["errors"] = field_errors(&errors, lang);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(e) => return Err(e),
        }
    }
    page.render_status(status, "search/index", "/search", data)
}
