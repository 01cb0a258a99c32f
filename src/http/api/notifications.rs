//! The notification centre in the JSON API: `GET /notifications` (the caller's notices, newest
//! first, with the unread count) and `POST /notifications/{id}/read`.

use crate::error::Result;
use crate::http::AppState;
use crate::http::api::model;
use crate::http::extract::{ApiQuery, Ctx, CurrentUser, Svc};
use crate::http::present::ts;
use crate::service::notifications::{self as service, NotificationView};
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(read))
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
struct ListQuery {
    /// An id from `next_before`: older notices.
    before: Option<i64>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// One notice; `title` and `text` in the request's language.
pub fn notice_json(lang: crate::i18n::Lang, n: &NotificationView) -> model::Notice {
    let data = &n.data;
    let (title, text) = service::text(lang, n);
    let field = |k: &str| data.get(k).cloned().unwrap_or_default();
    model::Notice {
        id: n.id,
        kind: n.kind.to_string(),
        topic: crate::domain::notice::event::Topic::of_kind(&n.kind),
        event: field("event"),
        approval: field("approval"),
        case_id: n.case_id,
        case_number: field("number"),
        case_title: field("title"),
        rule_id: n.rule_id.clone(),
        clock: field("clock"),
        due_at: ts(n.due_at),
        created_at: ts(n.created_at),
        read_at: n.read_at.map(ts),
        title,
        text,
    }
}

/// The caller's notices, newest first, with the unread count.
#[utoipa::path(get, path = "/notifications", tag = "inbox", params(ListQuery),
    responses(
        (status = 200, description = "A page of notices", body = model::Notices),
        (status = 422, description = "`limit` is not 1–200"),
    ))]
async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<model::Notices>> {
    let page = service::list(&state.db, &me, q.before, q.limit.unwrap_or(50)).await?;
    Ok(Json(model::Notices {
        items: page
            .items
            .iter()
            .map(|n| notice_json(ctx.lang, n))
            .collect(),
        unread: page.unread,
        next_before: page.next_before,
    }))
}

/// Marks a notice read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "inbox",
    params(("id" = i64, Path, description = "The notice's id")),
    responses(
        (status = 200, description = "Read; the unread count after", body = model::NoticeRead),
        (status = 404, description = "No such notice of the caller's"),
    ))]
async fn read(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::NoticeRead>> {
    let unread = service::mark_read(&cx, &me, id).await?;
    Ok(Json(model::NoticeRead {
        id,
        read: true,
        unread,
    }))
}
