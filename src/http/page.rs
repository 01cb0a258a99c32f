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
    ("/triage", "nav.triage", Some(Action::TriageWorkbench)),
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
    ("/account", "nav.account", Some(Action::ManageOwnAccount)),
];

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
                json!({"href": href, "key": key, "active": active})
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
