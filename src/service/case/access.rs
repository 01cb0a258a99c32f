//! Who may see and act on a case: the case as its reader may know it ([`Visible`], 404 for anyone
//! else), and the proof that the access policy said yes to an action ([`Granted`]), without which
//! no write can begin. Only this file builds either.

use crate::domain::case::EventKind;
use crate::domain::evidence::version_settles;
use crate::domain::policy::{self, CaseAccess, CaseAction, CaseFacts, EvidenceAction, FundAccess};
use crate::error::{AppError, Result};
use crate::service::{Identity, UserSummary};
use crate::store::cases::CaseRow;
use crate::store::{self, Db};

/// A case with what its reader may know of it.
#[derive(Debug, Clone)]
pub struct Visible {
    case: CaseRow,
    facts: CaseFacts,
    access: CaseAccess,
}

/// The case if `me` may see it; 404 otherwise, whether or not it exists.
pub async fn visible(db: &Db, me: &Identity, id: i64) -> Result<Visible> {
    let case = store::cases::find(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let facts = store::cases::policy_facts(db.conn(), &case).await?;
    let access = policy::case_access(&me.actor, &facts);
    if access == CaseAccess::None {
        return Err(AppError::NotFound);
    }
    Ok(Visible {
        case,
        facts,
        access,
    })
}

impl Visible {
    pub fn case(&self) -> &CaseRow {
        &self.case
    }

    pub fn access(&self) -> CaseAccess {
        self.access
    }

    /// The reader is the filing enterprise: public events and its own evidence only.
    pub fn is_filer(&self) -> bool {
        self.access == CaseAccess::Filer
    }

    /// Whether `me` may do `action` now, the case's triage state included (what a page offers).
    pub fn can(&self, me: &Identity, action: CaseAction) -> bool {
        policy::can_on_case(&me.actor, self.access, &self.facts, action)
    }

    /// Whether `me` is someone who may do `action` on this case whatever state it is in: a
    /// triage decision as if the case waited for triage, a workflow step as if it had left
    /// triage. Whether the state allows the step now is for the state machines to say (409).
    pub fn may(&self, me: &Identity, action: CaseAction) -> bool {
        let mut facts = self.facts.clone();
        match action {
            CaseAction::Triage => facts.awaiting_triage = true,
            CaseAction::Work | CaseAction::Decide => facts.awaiting_triage = false,
            _ => {}
        }
        policy::can_on_case(&me.actor, self.access, &facts, action)
    }

    /// The policy's yes to `me` taking `action` on this case (see [`Visible::may`]), or 403.
    pub fn authorize(self, me: &Identity, action: CaseAction) -> Result<Granted> {
        if !self.may(me, action) {
            return Err(AppError::forbidden());
        }
        Ok(Granted::by(self, me))
    }

    /// The policy's yes to `me` designating the office in a jurisdiction dispute taken to
    /// `superior` (a supervisor of that common superior, Order 81 Art. 8), or 403.
    pub fn authorize_designation(self, me: &Identity, superior: Option<i64>) -> Result<Granted> {
        if !policy::may_designate(&me.actor, superior) {
            return Err(AppError::forbidden());
        }
        Ok(Granted::by(self, me))
    }

    /// The policy's yes to `me` applying to a mutual-aid fund from this case (the filing
    /// enterprise's filers), or 403.
    pub fn authorize_fund_application(self, me: &Identity) -> Result<Granted> {
        if !policy::may_apply_to_fund(&me.actor, self.access) {
            return Err(AppError::forbidden());
        }
        Ok(Granted::by(self, me))
    }

    /// The policy's yes to `me` voting on or paying a fund application made from this case: who
    /// sits on the fund's panels or reviews it (`access`, from `policy::fund_access`), or 403.
    pub fn authorize_fund_review(self, me: &Identity, access: FundAccess) -> Result<Granted> {
        if access < FundAccess::Panel {
            return Err(AppError::forbidden());
        }
        Ok(Granted::by(self, me))
    }

    /// Whether `me` may do `action` with this case's evidence.
    pub fn can_on_evidence(&self, me: &Identity, action: EvidenceAction) -> bool {
        policy::can_on_evidence(&me.actor, self.access, action)
    }

    /// The policy's yes to `me` doing `action` with this case's evidence, or 403.
    pub fn authorize_evidence(self, me: &Identity, action: EvidenceAction) -> Result<Granted> {
        if !self.can_on_evidence(me, action) {
            return Err(AppError::forbidden());
        }
        Ok(Granted::by(self, me))
    }
}

/// Proof that the access policy allowed a user's write on a case: what
/// [`super::write::CaseWrite`] begins from. (The system's own steps, such as the closing sweep of
/// an exhibition, go through [`super::write::system_step`].)
#[derive(Debug, Clone)]
pub struct Granted {
    visible: Visible,
    /// Who was allowed: the user and their organisation, in whose names the events are recorded.
    user: UserSummary,
    org_id: i64,
}

impl Granted {
    fn by(visible: Visible, me: &Identity) -> Self {
        Self {
            visible,
            user: me.user.clone(),
            org_id: me.org.id,
        }
    }

    pub fn visible(&self) -> &Visible {
        &self.visible
    }

    pub fn case(&self) -> &CaseRow {
        &self.visible.case
    }

    pub fn user(&self) -> &UserSummary {
        &self.user
    }

    pub fn org_id(&self) -> i64 {
        self.org_id
    }
}

/// The version a write that expects `expected` builds on: the case's current version when it is
/// `expected`, or when only reads of evidence (views, downloads, exports) were recorded since, so
/// that an officer's open form does not go stale because someone downloaded a file. Otherwise
/// `expected` itself, which the write then finds stale.
pub async fn settle_version(db: &Db, case: &CaseRow, expected: i64) -> Result<i64> {
    if expected >= case.version {
        return Ok(expected);
    }
    let kinds: Vec<EventKind> =
        store::case_log::event_kinds_after(db.conn(), case.id, expected).await?;
    let settles = version_settles(expected, case.version, &kinds);
    Ok(if settles { case.version } else { expected })
}
