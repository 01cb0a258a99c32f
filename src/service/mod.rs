//! Use cases. Each public function checks access through `domain::policy`, validates input into
//! domain values, and performs one intention in one transaction with its audit entry.

pub mod admin;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod campaigns;
pub mod case;
pub mod cases;
pub mod consultations;
mod context;
pub mod deadlines;
pub mod demo;
pub mod demo_work;
pub mod documents;
pub mod drafts;
pub mod enterprises;
pub mod evidence;
pub mod exhibitions;
pub mod experts;
pub mod funds;
pub mod health_checks;
pub mod import;
pub mod intake;
pub mod jurisdiction;
pub mod messages;
pub mod needs;
pub mod notifications;
pub mod password_reset;
pub mod registration;
pub mod reports;
pub mod screen;
pub mod search;
pub mod sms;
pub mod srdi;
pub mod triage;
pub mod workflow;
pub mod workstations;

/// The database handle the services run on; the layers above hold it without reaching the store.
pub use crate::store::Db;
pub use context::{Ctx, Outbound, now};

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

/// A user as the services and the pages name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub is_demo: bool,
}

impl UserSummary {
    /// The summary of a stored user; `None` if its stored role is unknown.
    pub fn of(u: &users::Model) -> Option<Self> {
        Some(Self {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.parse().ok()?,
            phone: u.phone.clone(),
            email: u.email.clone(),
            is_demo: u.is_demo,
        })
    }
}

/// An organisation as the services and the pages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSummary {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub uscc: Option<String>,
    pub region_code: String,
    pub parent_id: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

impl OrgSummary {
    /// The summary of a stored organisation; `None` if its stored kind is unknown.
    pub fn of(o: &organizations::Model) -> Option<Self> {
        Some(Self {
            id: o.id,
            name: o.name.clone(),
            kind: o.kind.parse().ok()?,
            uscc: o.uscc.clone(),
            region_code: o.region_code.clone(),
            parent_id: o.parent_id,
            contact_name: o.contact_name.clone(),
            contact_phone: o.contact_phone.clone(),
        })
    }
}

/// A signed-in user as the services see them: who they are for the access policy, and the
/// summaries pages show.
#[derive(Debug, Clone)]
pub struct Identity {
    pub actor: Actor,
    pub user: UserSummary,
    pub org: OrgSummary,
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
        let user = UserSummary::of(&user)?;
        let org = OrgSummary::of(&org)?;
        let actor = Actor {
            user_id: user.id,
            org_id: org.id,
            org_kind: org.kind,
            role: user.role,
            region_code: org.region_code.clone(),
            oversees: Vec::new(),
        };
        Some(Self {
            actor,
            user,
            org,
            via,
        })
    }

    /// The identity with the offices it oversees filled in (heads of office and administrators
    /// read the cases of the offices below theirs; one small query, only for them).
    pub async fn with_oversight<C: sea_orm::ConnectionTrait>(
        mut self,
        db: &C,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        if crate::domain::policy::oversees(self.actor.org_kind, self.actor.role) {
            self.actor.oversees = crate::store::orgs::below(db, self.actor.org_id).await?;
        }
        Ok(self)
    }

    pub fn role(&self) -> Role {
        self.actor.role
    }
}

/// Builds an audit entry for `actor` (None = anonymous) doing `action` on a target.
pub fn audit_entry(
    actor: Option<&UserSummary>,
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
