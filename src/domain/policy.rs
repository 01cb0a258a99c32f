//! The access policy: one pure function decides what an actor may do. Handlers and services ask it;
//! nothing else decides access. Later features add actions here and rows to the matrix test.

use super::identity::{OrgKind, Role};

/// Who is asking: the signed-in user with their role and organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub org_id: i64,
    pub org_kind: OrgKind,
    pub role: Role,
}

/// What they want to do, with the resource it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See one's own dashboard and profile.
    ViewDashboard,
    /// Change one's own password, create and revoke one's own API tokens.
    ManageOwnAccount,
    /// Browse organisations.
    ListOrganizations,
    /// Create an organisation.
    CreateOrganization,
    /// Edit an organisation.
    EditOrganization { org_id: i64 },
    /// Browse user accounts.
    ListUsers,
    /// Create a user account.
    CreateUser,
    /// Edit a user's profile, role or password.
    EditUser { user_id: i64 },
    /// Disable (or re-enable) a user's account, ending their sessions and tokens.
    DisableUser { user_id: i64 },
    /// Browse and filter the audit trail.
    ViewAuditLog,
    /// Load a year of the official working-day calendar.
    ManageCalendar,
}

/// The answer when the policy says no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denied;

/// Decides whether `actor` may perform `action`.
pub fn can(actor: &Actor, action: Action) -> bool {
    use Action::*;
    let admin = actor.role == Role::Admin;
    match action {
        ViewDashboard | ManageOwnAccount => true,
        ListOrganizations | CreateOrganization | EditOrganization { .. } => admin,
        ListUsers | CreateUser | EditUser { .. } => admin,
        // An administrator may not lock themselves out.
        DisableUser { user_id } => admin && user_id != actor.user_id,
        ViewAuditLog | ManageCalendar => admin,
    }
}

/// [`can`] as a `Result`, for `?` in services.
pub fn authorize(actor: &Actor, action: Action) -> Result<(), Denied> {
    if can(actor, action) {
        Ok(())
    } else {
        Err(Denied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    fn actor(role: Role, kind: OrgKind) -> Actor {
        Actor {
            user_id: 1,
            org_id: 10,
            org_kind: kind,
            role,
        }
    }

    /// Every role against every action; `Y` means allowed. Columns follow `ACTIONS`.
    #[test]
    fn access_matrix() {
        const ACTIONS: [Action; 11] = [
            ViewDashboard,
            ManageOwnAccount,
            ListOrganizations,
            CreateOrganization,
            EditOrganization { org_id: 10 },
            ListUsers,
            CreateUser,
            EditUser { user_id: 2 },
            DisableUser { user_id: 2 },
            ViewAuditLog,
            ManageCalendar,
        ];
        let matrix = [
            (Role::EnterpriseFiler, OrgKind::Enterprise, "YY........."),
            (Role::Triager, OrgKind::AssistanceCenter, "YY........."),
            (Role::Officer, OrgKind::IpOffice, "YY........."),
            (Role::Officer, OrgKind::IndustryOffice, "YY........."),
            (Role::Supervisor, OrgKind::IpOffice, "YY........."),
            (Role::Admin, OrgKind::IpOffice, "YYYYYYYYYYY"),
        ];
        for (role, kind, row) in matrix {
            let a = actor(role, kind);
            for (action, expected) in ACTIONS.iter().zip(row.chars()) {
                assert_eq!(
                    can(&a, *action),
                    expected == 'Y',
                    "{role:?} at {kind:?} doing {action:?}"
                );
            }
        }
    }

    #[test]
    fn an_admin_cannot_disable_themselves() {
        let a = actor(Role::Admin, OrgKind::IpOffice);
        assert!(!can(&a, DisableUser { user_id: a.user_id }));
        assert_eq!(authorize(&a, DisableUser { user_id: 1 }), Err(Denied));
        assert_eq!(authorize(&a, DisableUser { user_id: 7 }), Ok(()));
    }
}
