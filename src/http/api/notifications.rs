//! The notification centre in the JSON API: `GET /notifications` (the caller's notices, newest
//! first, with the unread count) and `POST /notifications/{id}/read`.

use crate::error::Result;
use crate::http::AppState;
use crate::http::extract::{Ctx, CurrentUser, Svc};
use crate::http::present::ts;
use crate::service::notifications::{self as service, NotificationView};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/{id}/read", post(read))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    /// An id from `next_before`: older notices.
    before: Option<i64>,
    /// 1–200, default 50.
    limit: Option<u64>,
}

/// One notice; `title` and `text` in the request's language.
pub fn notice_json(lang: crate::i18n::Lang, n: &NotificationView) -> Value {
    let data = &n.data;
    let (title, text) = service::text(lang, n);
    json!({
        "id": n.id,
        "kind": n.kind,
        "topic": crate::domain::notice::event::Topic::of_kind(&n.kind),
        "event": data.get("event"),
        "approval": data.get("approval"),
        "case_id": n.case_id,
        "case_number": data.get("number"),
        "case_title": data.get("title"),
        "rule_id": n.rule_id,
        "clock": data.get("clock"),
        "due_at": ts(n.due_at),
        "created_at": ts(n.created_at),
        "read_at": n.read_at.map(ts),
        "title": title,
        "text": text,
    })
}

/// `GET /notifications` → `{items, unread, next_before}`.
async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>> {
    let page = service::list(&state.db, &me, q.before, q.limit.unwrap_or(50)).await?;
    Ok(Json(json!({
        "items": page.items.iter().map(|n| notice_json(ctx.lang, n)).collect::<Vec<_>>(),
        "unread": page.unread,
        "next_before": page.next_before,
    })))
}

/// `POST /notifications/{id}/read` → `{id, read: true, unread}`; 404 for another user's notice.
async fn read(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let unread = service::mark_read(&cx, &me, id).await?;
    Ok(Json(json!({"id": id, "read": true, "unread": unread})))
}
