//! Workstations (维权援助工作站): an assistance centre's counters at industrial parks and
//! 专精特新 clusters. Their staff enter leads for the centre (which owns and triages them; the
//! workstation keeps reading them) and answer consultations. This is the page of their figures.

use super::Identity;
use crate::domain::case::{CaseState, Queue};
use crate::domain::identity::OrgKind;
use crate::domain::policy::{self, Action};
use crate::error::Result;
use crate::store::{self, Db};

/// One workstation with what it took in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkstationView {
    pub id: i64,
    pub name: String,
    pub park: Option<String>,
    pub region_code: String,
    pub centre_id: Option<i64>,
    /// Active staff.
    pub staff: u64,
    /// Leads its staff entered: all, still waiting for triage, routed to a queue, and referred,
    /// rejected or merged by the centre.
    pub leads: i64,
    pub awaiting_triage: i64,
    pub routed: i64,
    pub not_taken: i64,
    /// Consultations it answers: all and answered.
    pub consultations: i64,
    pub answered: i64,
}

/// The workstations `me` may see, with their figures: a centre's staff their centre's; a head
/// of office those below; an administrator every one.
pub async fn list(db: &Db, me: &Identity) -> Result<Vec<WorkstationView>> {
    policy::authorize(&me.actor, Action::ViewWorkstations)?;
    let all = store::orgs::list(db.conn()).await?;
    let stations = all.into_iter().filter(|o| {
        o.kind == OrgKind::Workstation.as_str()
            && (me.actor.role == crate::domain::identity::Role::Admin
                || o.parent_id == Some(me.org.id)
                || me.actor.oversees.contains(&o.id))
    });
    let mut out = Vec::new();
    for o in stations {
        let mut v = WorkstationView {
            id: o.id,
            name: o.name,
            park: o.park,
            region_code: o.region_code,
            centre_id: o.parent_id,
            staff: store::workstations::staff(db.conn(), o.id).await?,
            leads: 0,
            awaiting_triage: 0,
            routed: 0,
            not_taken: 0,
            consultations: 0,
            answered: 0,
        };
        for (queue, state, n) in store::workstations::taken_in(db.conn(), o.id).await? {
            v.leads += n;
            let state = CaseState::parse(&state);
            if queue != Queue::Triage.as_str() {
                v.routed += n;
            } else if state == Some(CaseState::New) {
                v.awaiting_triage += n;
            } else {
                v.not_taken += n;
            }
        }
        (v.consultations, v.answered) = store::workstations::consultations(db.conn(), o.id).await?;
        out.push(v);
    }
    Ok(out)
}
