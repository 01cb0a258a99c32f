//! The frame every page shares: the data each template receives (language, navigation with its
//! badge, the user, the CSRF token), rendering, field messages, and the page responses (no-store,
//! flash messages carried over a redirect, safe redirect targets).

use super::cookies::{FLASH_COOKIE, cookie, set_cookie};
use super::{AppState, RequestCtx};
use crate::domain::identity::Role;
use crate::domain::policy::{self, Action};
use crate::error::{AppError, Result};
use crate::i18n::Lang;
use crate::service::Identity;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::{Value, json};

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
        "/consultations",
        "nav.consultations",
        Some(Action::ViewConsultations),
    ),
    (
        "/health-checks",
        "nav.health_checks",
        Some(Action::ViewHealthChecks),
    ),
    (
        "/workstations",
        "nav.workstations",
        Some(Action::ViewWorkstations),
    ),
    ("/funds", "nav.funds", Some(Action::ViewFunds)),
    ("/campaigns", "nav.campaigns", Some(Action::ViewCampaigns)),
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
    (
        "/enterprises",
        "enterprises.nav",
        Some(Action::VerifyEnterprises),
    ),
    ("/approvals", "nav.approvals", Some(Action::ViewApprovals)),
    ("/reports", "nav.reports", Some(Action::ViewReports)),
    ("/notifications", "nav.notifications", None),
    ("/account", "nav.account", Some(Action::ManageOwnAccount)),
];

/// The navigation's counts of the signed-in user.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Badges {
    /// Unread notices.
    pub unread: u64,
    /// Items waiting in the approvals inbox.
    pub approvals: u64,
}

tokio::task_local! {
    /// The signed-in user's badges, counted once per page request by `middleware::unread_badge`.
    pub(crate) static BADGES: Badges;
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
                let badges = BADGES.try_with(|b| *b).unwrap_or_default();
                let (badge, badge_key) = match *href {
                    "/notifications" => (badges.unread, "nav.unread"),
                    "/approvals" => (badges.approvals, "nav.waiting"),
                    _ => (0, ""),
                };
                let badge = (badge > 0).then_some(badge);
                json!({"href": href, "key": key, "active": active, "badge": badge, "badge_key": badge_key})
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
            "org_kind": u.org.kind.as_str(),
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

/// Redirects after a successful post with a one-shot message shown on the next page.
pub fn redirect_with_flash(to: &str, flash_key: &str, secure: bool) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(FLASH_COOKIE, flash_key, Some(60), secure),
    );
    res
}

/// The pending flash message key (only catalogue keys are honoured), and a header that clears it.
pub fn take_flash(headers: &HeaderMap, secure: bool) -> (Option<String>, Option<HeaderValue>) {
    match cookie(headers, FLASH_COOKIE) {
        Some(k) if crate::i18n::has(&k) && k.starts_with("flash.") => {
            (Some(k), Some(set_cookie(FLASH_COOKIE, "", Some(0), secure)))
        }
        Some(_) => (None, Some(set_cookie(FLASH_COOKIE, "", Some(0), secure))),
        None => (None, None),
    }
}

/// A page with an optional cookie-clearing header, status 200 or the given status.
pub fn page_response(
    status: StatusCode,
    html: axum::response::Html<String>,
    clear: Option<HeaderValue>,
) -> Response {
    let mut res = (status, html).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(c) = clear {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// A safe local redirect target: a path on this site, never `//host` or a scheme.
pub fn local_target(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.contains(['\r', '\n']) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_target;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert_eq!(local_target(Some("/admin/users?x=1")), "/admin/users?x=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(local_target(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_target(None), "/");
    }
}
