//! The dashboard each role lands on after signing in, with the user's own numbers; each number
//! links to the case list behind it (the same filters, so the list holds exactly that many).
//!
//! - enterprise: its cases by state, and the next date something is due;
//! - triager: the leads waiting, those overdue, those with a likely duplicate;
//! - officer: their open cases by state, overdue, due this week, and approvals waiting;
//! - supervisor: the office's open cases per queue, overdue, and the inbox count;
//! - administrator: organisations, users, audit entries.

use crate::domain::identity::{OrgKind, Role};
use crate::error::Result;
use crate::http::AppState;
use crate::http::page::Page;
use crate::http::present::due_local;
use crate::service::admin::{self, Caller};
use crate::service::cases::{self as cases_service, CountBy, ListQuery};
use crate::service::{approvals, notifications, triage};
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, Days};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(dashboard))
}

/// The list link of a query: `/cases?…` with its filters.
fn href(q: &ListQuery) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("queue", &q.queue),
        ("state", &q.state),
        ("due_before", &q.due_before),
        ("assignee", &q.assignee),
        ("owner", &q.owner),
    ] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    for (k, v) in [("overdue", q.overdue), ("open", q.open)] {
        if v == Some(true) {
            parts.push(format!("{k}=true"));
        }
    }
    format!("/cases?{}", parts.join("&"))
}

fn tile(key: &str, count: u64, href: String, class: &str) -> Value {
    json!({"key": key, "count": count, "href": href, "class": class})
}

async fn count_tile(page: &Page, key: &str, q: ListQuery, class: &str) -> Result<Value> {
    let n = cases_service::count(&page.cx, &page.me, &q).await?;
    Ok(tile(key, n, href(&q), class))
}

/// One tile per state (or queue) that has cases, in the vocabulary's order.
async fn by(page: &Page, q: ListQuery, by: CountBy) -> Result<Vec<Value>> {
    let counts = cases_service::count_by(&page.cx, &page.me, &q, by).await?;
    let mut out = Vec::new();
    let keys: Vec<&str> = match by {
        CountBy::State => crate::domain::case::CaseState::ALL
            .iter()
            .map(|s| s.as_str())
            .collect(),
        CountBy::Queue => crate::domain::case::Queue::ALL
            .iter()
            .map(|q| q.as_str())
            .collect(),
    };
    for k in keys {
        if let Some((_, n)) = counts.iter().find(|(c, _)| c == k) {
            let mut one = q.clone();
            let label = match by {
                CountBy::State => {
                    one.state = Some(k.to_string());
                    format!("case_state.{k}")
                }
                CountBy::Queue => {
                    one.queue = Some(k.to_string());
                    format!("queue.{k}")
                }
            };
            out.push(tile(&label, *n, href(&one), ""));
        }
    }
    Ok(out)
}

async fn dashboard(page: Page) -> Result<Response> {
    let me = &page.me;
    let today = page
        .cx
        .now
        .with_timezone(&crate::domain::time::beijing())
        .date_naive();
    let sunday = today
        .checked_add_days(Days::new(
            6 - u64::from(today.weekday().num_days_from_monday()),
        ))
        .unwrap_or(today);
    let week = Some(sunday.format("%Y-%m-%d").to_string());
    let mut tiles: Vec<Value> = Vec::new();
    let mut breakdown: Vec<Value> = Vec::new();
    let mut breakdown_key = "";
    let mut next_due: Value = Value::Null;
    let stats = if me.role() == Role::Admin {
        let s = admin::summary(&page.cx.db, Caller::User(me)).await?;
        json!({"organizations": s.organizations, "users": s.users, "audit_entries": s.audit_entries})
    } else {
        Value::Null
    };
    match me.role() {
        Role::EnterpriseFiler => {
            breakdown_key = "dashboard.mine_by_state";
            breakdown = by(&page, ListQuery::default(), CountBy::State).await?;
            let d = notifications::my_deadlines(&page.cx, me).await?;
            if let Some(c) = d.overdue.iter().chain(&d.today).chain(&d.week).next() {
                next_due = json!({"due": due_local(c.due_at), "clock": c.name, "case_id": c.case_id, "number": c.number});
            }
        }
        Role::Triager => {
            let waiting = ListQuery {
                queue: Some("triage".into()),
                state: Some("new".into()),
                ..Default::default()
            };
            tiles.push(count_tile(&page, "dashboard.tile.waiting", waiting.clone(), "").await?);
            tiles.push(
                count_tile(
                    &page,
                    "dashboard.tile.overdue",
                    ListQuery {
                        overdue: Some(true),
                        ..waiting
                    },
                    "overdue",
                )
                .await?,
            );
            // Leads that look like another open matter: the workbench's duplicates view.
            let with_duplicates = triage::leads_with_duplicates(
                &page.cx.db,
                me,
                crate::http::web::cases::WORKBENCH_LIMIT,
            )
            .await?
            .len() as u64;
            tiles.push(tile(
                "dashboard.tile.duplicates",
                with_duplicates,
                "/triage?duplicates=true".into(),
                "",
            ));
        }
        Role::Officer => {
            let mine = ListQuery {
                assignee: Some("me".into()),
                open: Some(true),
                ..Default::default()
            };
            breakdown_key = "dashboard.mine_by_state";
            breakdown = by(&page, mine.clone(), CountBy::State).await?;
            tiles.push(
                count_tile(
                    &page,
                    "dashboard.tile.my_overdue",
                    ListQuery {
                        overdue: Some(true),
                        ..mine.clone()
                    },
                    "overdue",
                )
                .await?,
            );
            tiles.push(
                count_tile(
                    &page,
                    "dashboard.tile.my_week",
                    ListQuery {
                        due_before: week.clone(),
                        ..mine
                    },
                    "soon",
                )
                .await?,
            );
        }
        Role::Supervisor => {
            let office = ListQuery {
                owner: Some("mine".into()),
                open: Some(true),
                ..Default::default()
            };
            breakdown_key = "dashboard.office_by_queue";
            breakdown = by(&page, office.clone(), CountBy::Queue).await?;
            tiles.push(
                count_tile(
                    &page,
                    "dashboard.tile.office_overdue",
                    ListQuery {
                        overdue: Some(true),
                        ..office.clone()
                    },
                    "overdue",
                )
                .await?,
            );
            tiles.push(
                count_tile(
                    &page,
                    "dashboard.tile.office_week",
                    ListQuery {
                        due_before: week.clone(),
                        ..office
                    },
                    "soon",
                )
                .await?,
            );
        }
        Role::Admin => {}
    }
    if matches!(me.role(), Role::Officer | Role::Supervisor | Role::Triager)
        && me.actor.org_kind != OrgKind::Enterprise
    {
        let n = approvals::count(&page.cx.db, me).await?;
        tiles.push(tile("dashboard.tile.approvals", n, "/approvals".into(), ""));
    }
    // The office's trend: received per month by queue over the last six months.
    let trend = if matches!(me.role(), Role::Officer | Role::Supervisor | Role::Admin)
        && me.actor.org_kind != OrgKind::Enterprise
    {
        let months = crate::service::reports::recent_months(&page.cx, me, 6).await?;
        let lang = page.lang();
        let labels: Vec<String> = months.iter().map(|m| m.month.clone()).collect();
        let series: Vec<(String, Vec<f64>)> = crate::domain::case::Queue::ALL
            .iter()
            .map(|q| {
                (
                    crate::i18n::t(lang, &format!("queue.{q}")),
                    months
                        .iter()
                        .map(|m| {
                            m.by_queue
                                .iter()
                                .find(|(k, _)| k == q.as_str())
                                .map_or(0.0, |(_, n)| *n as f64)
                        })
                        .collect(),
                )
            })
            .collect();
        json!({
            "svg": crate::http::present::chart::stacked_bars(
                "dash-trend",
                &crate::i18n::t(lang, "dashboard.trend"),
                &crate::i18n::t(lang, "report.chart.received_desc"),
                &labels,
                &series,
            ),
            "rows": months.iter().map(|m| json!({"month": m.month, "received": m.received})).collect::<Vec<_>>(),
        })
    } else {
        Value::Null
    };
    let data = json!({
        "trend": trend,
        "stats": stats,
        "role_intro_key": format!("dashboard.intro.{}", me.role().as_str()),
        "is_admin": me.role() == Role::Admin,
        "tiles": tiles,
        "breakdown": breakdown,
        "breakdown_key": breakdown_key,
        "next_due": next_due,
        "is_filer": me.role() == Role::EnterpriseFiler,
    });
    page.render("dashboard/index", "/", data)
}
