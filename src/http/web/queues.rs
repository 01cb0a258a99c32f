//! Queue boards: one page per work queue for officers — its cases by state, the most urgent
//! clock first and 专精特新 first among equals, with filters, the assignee and bulk assignment.

use crate::domain::case::Queue;
use crate::domain::policy::{self, Action};
use crate::domain::workflow;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::WebForm;
use crate::http::page::Page;
use crate::http::present::{case::row, local};
use crate::service::cases::{self as cases_service, ListQuery};
use crate::service::workflow as wf;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/queues",
            get(|| async { Redirect::to("/queues/administrative_ruling") }),
        )
        .route("/queues/{queue}", get(board))
        .route("/queues/{queue}/assign", post(assign))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BoardQuery {
    state: Option<String>,
    mine: Option<String>,
    srdi: Option<String>,
    overdue: Option<String>,
}

fn work_queue(name: &str) -> Result<Queue> {
    Queue::parse(name)
        .filter(|q| *q != Queue::Triage)
        .ok_or(AppError::NotFound)
}

async fn board(
    page: Page,
    Path(queue): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response> {
    let me = &page.me;
    policy::authorize(&me.actor, Action::WorkQueues).map_err(|_| AppError::forbidden())?;
    let queue = work_queue(&queue)?;
    let on = |v: &Option<String>| v.as_deref().is_some_and(|v| v == "true" || v == "on");
    let list = ListQuery {
        queue: Some(queue.as_str().into()),
        state: q.state.clone().filter(|s| !s.is_empty()),
        assignee: on(&q.mine).then(|| "me".to_string()),
        srdi: on(&q.srdi).then_some(true),
        overdue: on(&q.overdue).then_some(true),
        limit: Some(200),
        ..Default::default()
    };
    let page_of = cases_service::list(&page.cx, me, &list).await?;
    let now = page.cx.now;
    let staff = wf::staff(&page.cx.db, me.org.id).await?;
    let groups: Vec<Value> = workflow::states(queue)
        .iter()
        .filter_map(|s| {
            let rows: Vec<Value> = page_of
                .items
                .iter()
                .filter(|c| c.state == *s)
                .map(|c| {
                    let mut r = row(c, now);
                    r["version"] = json!(c.version);
                    r["assignee"] = json!(
                        c.assignee_user_id
                            .and_then(|u| staff.iter().find(|x| x.id == u))
                            .map(|u| u.name.clone())
                    );
                    r["updated"] = json!(local(c.updated_at));
                    r
                })
                .collect();
            (!rows.is_empty())
                .then(|| json!({"state_key": s.key(), "count": rows.len(), "cases": rows}))
        })
        .collect();
    // The board's cases as a download: the case list with the board's filters.
    let mut filters: Vec<(&str, String)> = vec![("queue", queue.as_str().to_string())];
    for (k, v) in [
        ("state", list.state.clone()),
        ("assignee", list.assignee.clone()),
        ("srdi", list.srdi.map(|_| "true".to_string())),
        ("overdue", list.overdue.map(|_| "true".to_string())),
    ] {
        if let Some(v) = v {
            filters.push((k, v));
        }
    }
    let export = serde_urlencoded::to_string(&filters).unwrap_or_default();
    let data = json!({
        "export_csv": format!("/cases?{export}&format=csv"),
        "export_xlsx": format!("/cases?{export}&format=xlsx"),
        "queue": queue.as_str(),
        "queue_key": format!("queue.{queue}"),
        "queues": Queue::WORK.iter().map(|x| json!({"value": x.as_str(), "key": format!("queue.{x}"), "current": *x == queue})).collect::<Vec<_>>(),
        "states": workflow::states(queue).iter().map(|s| json!({"value": s, "key": s.key(), "selected": q.state.as_deref() == Some(s.as_str())})).collect::<Vec<_>>(),
        "mine": on(&q.mine), "srdi": on(&q.srdi), "overdue": on(&q.overdue),
        "groups": groups,
        "total": page_of.items.len(),
        "more": page_of.next_cursor.is_some(),
        "staff": staff.iter().map(|u| json!({"id": u.id, "name": u.name})).collect::<Vec<_>>(),
    });
    page.render("queues/board", "/queues", data)
}

/// `POST /queues/{queue}/assign`: the ticked cases (`case` = `id:version`) to one officer.
async fn assign(
    page: Page,
    Path(queue): Path<String>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response> {
    let me = &page.me;
    policy::authorize(&me.actor, Action::WorkQueues).map_err(|_| AppError::forbidden())?;
    let queue = work_queue(&queue)?;
    let assignee = pairs
        .iter()
        .find(|(k, _)| k == "assignee_user_id")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok());
    let picked: Vec<(i64, i64)> = pairs
        .iter()
        .filter(|(k, _)| k == "case")
        .filter_map(|(_, v)| {
            let (id, version) = v.split_once(':')?;
            Some((id.parse().ok()?, version.parse().ok()?))
        })
        .collect();
    let back = format!("/queues/{queue}");
    if picked.is_empty() || assignee.is_none() {
        return Ok(page.redirect(&back, "flash.assign.nothing"));
    }
    let mut failed = 0;
    for (id, version) in &picked {
        let r = wf::assign(&page.cx, me, *id, assignee, Some(*version)).await;
        match r {
            Ok(_) => {}
            Err(
                AppError::Conflict(_)
                | AppError::Invalid(_)
                | AppError::Forbidden(_)
                | AppError::NotFound,
            ) => failed += 1,
            Err(e) => return Err(e),
        }
    }
    let key = if failed == 0 {
        "flash.assign.done"
    } else {
        "flash.assign.partly"
    };
    Ok(page.redirect(&back, key))
}
