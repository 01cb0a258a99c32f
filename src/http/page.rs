//! The page boilerplate in one place: the [`Page`] extractor (the signed-in user, the services'
//! context, the CSRF token and the flash message of the last redirect), the data every template
//! receives (language, navigation, user), rendering, and [`Refused`], a form shown again with its
//! messages.

use super::extract::{Csrf, Ctx, CurrentUser};
use super::{AppState, RequestCtx};
use crate::domain::identity::Role;
use crate::domain::policy::{self, Action};
use crate::error::{AppError, Result};
use crate::i18n::Lang;
use crate::service::Identity;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, Response};
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

/// A signed-in user's page request: the services' context, the request's facts, the user, the
/// CSRF token for its forms, and the flash message a redirect left for it (taken, so that it
/// shows once). Without a signed-in user it is a 401, which pages answer with the sign-in page.
pub struct Page {
    pub state: AppState,
    pub cx: crate::service::Ctx,
    pub req: RequestCtx,
    pub me: Identity,
    pub csrf: String,
    flash: Option<String>,
    clear_flash: Option<HeaderValue>,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let CurrentUser(me) = CurrentUser::from_request_parts(parts, state).await?;
        let Ok(Ctx(req)) = Ctx::from_request_parts(parts, state).await;
        let Ok(Csrf(csrf)) = Csrf::from_request_parts(parts, state).await;
        let (flash, clear_flash) =
            super::web::take_flash(&parts.headers, state.config.cookie_secure);
        Ok(Self {
            cx: state.service(&req),
            state: state.clone(),
            req,
            me,
            csrf,
            flash,
            clear_flash,
        })
    }
}

impl Page {
    pub fn lang(&self) -> Lang {
        self.req.lang
    }

    /// `template` rendered with `data` over the base context (its navigation marks `path`), 200.
    pub fn render(&self, template: &str, path: &str, data: Value) -> Result<Response> {
        self.render_status(StatusCode::OK, template, path, data)
    }

    /// [`Page::render`] with another status (a form shown again with its messages).
    pub fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        path: &str,
        data: Value,
    ) -> Result<Response> {
        let mut base = base(&self.req, Some(&self.me), &self.csrf, path);
        base["flash"] = json!(self.flash);
        let html = render(&self.state, template, base, data)?;
        Ok(super::web::page_response(
            status,
            html,
            self.clear_flash.clone(),
        ))
    }

    /// A redirect to `to` after a successful post, with a one-shot message.
    pub fn redirect(&self, to: &str, flash_key: &str) -> Response {
        super::web::redirect_with_flash(to, flash_key, self.state.config.cookie_secure)
    }
}

/// A form submission that was refused, as the form shows it again: the status and the messages
/// by field (`_form` for the form as a whole).
#[derive(Debug, Clone)]
pub struct Refused {
    pub status: StatusCode,
    pub errors: Value,
}

impl Refused {
    /// The messages a form shows for `err` in `lang`: field messages (422), a conflict with the
    /// case's state or version (409), a service that is down (503), a file that is too large,
    /// of a type not taken, or cut short (413, 415, 400). Any other error is the page's (404,
    /// 403, 500) and comes back as it is.
    pub fn of(err: AppError, lang: Lang) -> Result<Self> {
        let t = |k: &str| crate::i18n::t(lang, k);
        let (status, errors) = match err {
            AppError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                field_errors(&errors, lang),
            ),
            AppError::Conflict(m) => (StatusCode::CONFLICT, json!({"_form": m.render(lang)})),
            AppError::Unavailable(m) => (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"_form": m.render(lang)}),
            ),
            AppError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"file": t("error.evidence.too_large")}),
            ),
            AppError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({"file": t("error.evidence.type")}),
            ),
            AppError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                json!({"file": t("error.evidence.incomplete")}),
            ),
            other => return Err(other),
        };
        Ok(Self { status, errors })
    }
}
