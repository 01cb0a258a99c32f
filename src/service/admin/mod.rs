//! Administration of organisations (`orgs`) and user accounts (`users`): who may change them
//! ([`Caller`]), and the counts on the administrator's dashboard.

mod locks;
mod orgs;
mod users;

pub use locks::{REASONS, SignInLock, lift_sign_in_lock, reason_of, sign_in_locks};
pub use orgs::{OrgInput, OrgView, create_org, get_org, list_orgs, srdi_by_uscc, update_org};
pub use users::{
    UserInput, UserView, change_own_password, create_user, get_user, list_users, set_disabled,
    set_password, update_user, user_id_by_name,
};

use super::{Identity, RequestMeta};
use crate::domain::contact;
use crate::domain::policy::{self, Action};
use crate::error::{AppError, FieldError, Result};
use crate::store::{self, Db};

/// Who is making a change: a signed-in user, or the operator at the server's command line.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    User(&'a Identity),
    /// A user changing their own account (password) after proving who they are.
    Own(&'a Identity),
    Operator,
}

impl Caller<'_> {
    /// Asks the access policy whether this caller may perform `action`.
    pub fn authorize(&self, action: Action) -> Result<()> {
        match self {
            Caller::User(id) => Ok(policy::authorize(&id.actor, action)?),
            Caller::Own(id) => match action {
                Action::EditUser { user_id } if user_id == id.user.id => {
                    Ok(policy::authorize(&id.actor, Action::ManageOwnAccount)?)
                }
                _ => Err(AppError::forbidden()),
            },
            Caller::Operator => Ok(()),
        }
    }

    fn user(&self) -> Option<&super::UserSummary> {
        match self {
            Caller::User(id) | Caller::Own(id) => Some(&id.user),
            Caller::Operator => None,
        }
    }

    /// The audit entry of this caller doing `action` (the operator is recorded as `operator`).
    pub(super) fn entry(
        &self,
        meta: &RequestMeta,
        action: &str,
        target: (&str, String),
        payload: &serde_json::Value,
    ) -> store::audit::NewEntry {
        let mut e = super::audit_entry(self.user(), meta, action, target, payload);
        if matches!(self, Caller::Operator) {
            e.actor = "operator".into();
        }
        e
    }
}

/// Refuses control characters (NUL, escapes …) in any text field: they are never meaningful in a
/// name or contact, and PostgreSQL rejects NUL outright.
fn no_control(errors: &mut Vec<FieldError>, fields: &[(&str, Option<&str>)]) {
    for (field, value) in fields {
        if value.is_some_and(contact::has_control) {
            errors.push(FieldError::new(*field, "error.text.control"));
        }
    }
}

/// A stored name (an organisation's kind, a user's role) that this version does not know.
fn unknown(what: &str, name: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!(
        "stored {what} `{name}` is not known to this version"
    ))
}

/// Counts for the administrator's dashboard.
pub struct Summary {
    pub organizations: u64,
    pub users: u64,
    pub audit_entries: u64,
}

pub async fn summary(db: &Db, caller: Caller<'_>) -> Result<Summary> {
    caller.authorize(Action::ListOrganizations)?;
    let conn = db.conn();
    let audit_entries = store::audit::count(conn).await?;
    Ok(Summary {
        organizations: store::orgs::count(conn).await?,
        users: store::users::count(conn).await?,
        audit_entries,
    })
}
