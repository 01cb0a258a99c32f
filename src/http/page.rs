//! The data every page template receives: language, the user and their navigation, the CSRF
//! token, and a flash message carried over a redirect.

use super::{AppState, RequestCtx};
use crate::domain::identity::Role;
use crate::domain::policy::{self, Action};
use crate::error::{AppError, Result};
use crate::i18n::Lang;
use crate::service::Identity;
use axum::response::Html;
use serde_json::{Value, json};

/// Name of the one-shot flash cookie.
pub const FLASH_COOKIE: &str = "wq_flash";

/// Navigation entries: path, catalogue key, and the action that must be allowed to see it.
const NAV: &[(&str, &str, Option<Action>)] = &[
    ("/", "nav.dashboard", None),
    ("/cases", "nav.cases", Some(Action::ViewCases)),
    ("/search", "nav.search", Some(Action::ViewCases)),
    ("/deadlines", "nav.deadlines", Some(Action::ViewCases)),
    ("/triage", "nav.triage", Some(Action::TriageWorkbench)),
    ("/queues", "nav.queues", Some(Action::WorkQueues)),
    ("/exhibitions", "nav.exhibitions", Some(Action::WorkQueues)),
    ("/experts", "nav.experts", Some(Action::ViewExperts)),
    (
        "/complaints/new",
        "nav.file_complaint",
        Some(Action::FileComplaint),
    ),
    ("/leads/new", "nav.enter_lead", Some(Action::EnterLead)),
    (
        "/leads/import",
        "nav.import_leads",
        Some(Action::ImportLeads),
    ),
    ("/admin/orgs", "nav.orgs", Some(Action::ListOrganizations)),
    ("/admin/users", "nav.users", Some(Action::ListUsers)),
    ("/admin/audit", "nav.audit", Some(Action::ViewAuditLog)),
    (
        "/admin/calendar",
        "nav.calendar",
        Some(Action::ManageCalendar),
    ),
    ("/srdi", "srdi_registry.nav", Some(Action::ViewSrdiRegistry)),
    ("/notifications", "nav.notifications", None),
    ("/account", "nav.account", Some(Action::ManageOwnAccount)),
];

tokio::task_local! {
    /// The signed-in user's unread notices, counted once per page request by [`unread_badge`].
    static UNREAD: u64;
}

/// Middleware: counts the signed-in user's unread notices (a COUNT on the `(user_id, read_at)`
/// index) for the navigation badge of the page this request renders. API and asset requests
/// skip it.
pub async fn unread_badge(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    let user = req
        .extensions()
        .get::<super::middleware::Authenticated>()
        .filter(|_| !path.starts_with("/api/") && !path.starts_with("/static/"))
        .map(|a| a.0.user.id);
    let Some(user_id) = user else {
        return next.run(req).await;
    };
    match crate::service::notifications::unread(&state.db, user_id).await {
        Ok(n) => UNREAD.scope(n, next.run(req)).await,
        Err(e) => {
            tracing::warn!(error = %e, "unread count failed");
            next.run(req).await
        }
    }
}

/// Catalogue key of a role's name.
pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::EnterpriseFiler => "role.enterprise_filer",
        Role::Triager => "role.triager",
        Role::Officer => "role.officer",
        Role::Supervisor => "role.supervisor",
        Role::Admin => "role.admin",
    }
}

/// The context shared by every page.
pub fn base(ctx: &RequestCtx, user: Option<&Identity>, csrf: &str, path: &str) -> Value {
    let lang = ctx.lang;
    let nav: Vec<Value> = match user {
        Some(u) => NAV
            .iter()
            .filter(|(_, _, action)| action.is_none_or(|a| policy::can(&u.actor, a)))
            .map(|(href, key, _)| {
                let active = if *href == "/" {
                    path == "/"
                } else {
                    path.starts_with(href)
                };
                let badge = (*href == "/notifications")
                    .then(|| UNREAD.try_with(|n| *n).ok())
                    .flatten()
                    .filter(|n| *n > 0);
                json!({"href": href, "key": key, "active": active, "badge": badge})
            })
            .collect(),
        None => Vec::new(),
    };
    json!({
        "lang": lang.code(),
        "lang_other": match lang { Lang::Zh => "en", Lang::En => "zh" },
        "lang_other_label": match lang { Lang::Zh => "English", Lang::En => "中文" },
        // URL-encoded: it goes into `?next=` links.
        "path": url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>(),
        "csrf": csrf,
        "request_id": ctx.request_id,
        "nav": nav,
        "user": user.map(|u| json!({
            "id": u.user.id,
            "username": u.user.username,
            "display_name": u.user.display_name,
            "role": u.role().as_str(),
            "role_key": role_key(u.role()),
            "org_name": u.org.name,
            "org_kind": u.org.kind,
        })),
    })
}

/// Renders a template with `data` merged over the base context.
pub fn render(
    state: &AppState,
    template: &str,
    mut base: Value,
    data: Value,
) -> Result<Html<String>> {
    if let (Some(b), Value::Object(d)) = (base.as_object_mut(), data) {
        b.extend(d);
    }
    state
        .views
        .render(template, &base)
        .map(Html)
        .map_err(AppError::Internal)
}

/// Turns field errors into `{field: message}` for templates, in `lang`.
pub fn field_errors(errors: &[crate::error::FieldError], lang: Lang) -> Value {
    let mut map = serde_json::Map::new();
    for e in errors {
        map.entry(e.field.clone())
            .or_insert_with(|| json!(e.message.render(lang)));
    }
    Value::Object(map)
}
