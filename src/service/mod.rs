//! Use cases. Each public function checks access through `domain::policy`, validates input into
//! domain values, and performs one intention in one transaction with its audit entry.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod clocks;
pub mod deadlines;
pub mod demo;
pub mod demo_work;
pub mod documents;
pub mod drafts;
pub mod evidence;
pub mod exhibitions;
pub mod experts;
pub mod import;
pub mod notifications;
pub mod registration;
pub mod rules;
pub mod search;
pub mod srdi;
pub mod triage;
pub mod workflow;

use crate::domain::audit::payload_digest;
use crate::domain::identity::{OrgKind, Role};
use crate::domain::policy::Actor;
use crate::store::audit::NewEntry;
use entity::{organizations, users};

/// Where a request came from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub client_addr: String,
    pub request_id: String,
    pub user_agent: String,
}

impl RequestMeta {
    /// Metadata for work started from the command line.
    pub fn cli(command: &str) -> Self {
        Self {
            client_addr: "cli".into(),
            request_id: format!("cli:{command}"),
            user_agent: String::new(),
        }
    }
}

/// A signed-in user as the services see them.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user: users::Model,
    pub org: organizations::Model,
    pub actor: Actor,
    pub via: Via,
}

/// How the user proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A web session with its row id and CSRF token.
    Session { id: i64, csrf_token: String },
    /// An API bearer token with its row id.
    Token { id: i64 },
    /// The operator's command line.
    Cli,
}

impl Identity {
    /// Builds an identity from stored rows; `None` if a stored role or kind is unknown.
    pub fn from_rows(user: users::Model, org: organizations::Model, via: Via) -> Option<Self> {
        let role: Role = user.role.parse().ok()?;
        let org_kind: OrgKind = org.kind.parse().ok()?;
        let actor = Actor {
            user_id: user.id,
            org_id: org.id,
            org_kind,
            role,
            region_code: org.region_code.clone(),
        };
        Some(Self {
            user,
            org,
            actor,
            via,
        })
    }

    pub fn role(&self) -> Role {
        self.actor.role
    }
}

/// Builds an audit entry for `actor` (None = anonymous) doing `action` on a target.
pub fn audit_entry(
    actor: Option<&users::Model>,
    meta: &RequestMeta,
    action: &str,
    target: (&str, String),
    payload: &serde_json::Value,
) -> NewEntry {
    NewEntry {
        actor_user_id: actor.map(|u| u.id),
        actor: actor
            .map(|u| u.username.clone())
            .unwrap_or_else(|| "anonymous".into()),
        action: action.to_string(),
        target_type: target.0.to_string(),
        target_id: target.1,
        client_addr: meta.client_addr.clone(),
        request_id: meta.request_id.clone(),
        payload_digest: payload_digest(payload.to_string().as_bytes()),
    }
}

/// Trims a text field; empty becomes `None`.
/// One line of text from a form, trimmed; a message goes to `errors` when it is required and
/// empty, longer than 200 characters, or holds control characters.
pub fn form_line(
    errors: &mut Vec<crate::error::FieldError>,
    field: &'static str,
    value: &str,
    required: bool,
) -> String {
    use crate::error::FieldError;
    let v = value.trim().to_string();
    if required && v.is_empty() {
        errors.push(FieldError::new(field, "error.required"));
    } else if v.chars().count() > 200 {
        errors.push(FieldError::new(field, "error.text.too_long"));
    } else if crate::domain::contact::has_control(&v) {
        errors.push(FieldError::new(field, "error.text.control"));
    }
    v
}

pub fn optional(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}
