//! Read models of cases: what the services hand to the pages and the API, typed, never table rows.
//! The presentation layer (`http::present`) turns them into JSON and template context.

use crate::domain::case::intake::{Exhibition, Overseas};
use crate::domain::case::{
    CaseState, Channel, EventKind, PartyRole, Queue, RightKind, ShareAccess, Source, Standing,
};
use crate::domain::deadline::{State as ClockState, Unit};
use crate::domain::identity::OrgKind;
use crate::domain::policy::CaseAccess;
use crate::domain::srdi::SrdiLevel;
use crate::store::case_log::{ClockRow, EventRow};
use crate::store::case_parts::{PartyRow, RightRow};
use crate::store::cases::CaseRow;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;

/// One case in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSummary {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub queue: Queue,
    pub state: CaseState,
    pub channel: Channel,
    pub source: Source,
    pub region_code: String,
    pub srdi: Option<SrdiLevel>,
    pub received_at: DateTime<Utc>,
    /// The earliest due instant of a clock that makes the case urgent.
    pub next_due_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub owner_org_id: i64,
    pub assignee_user_id: Option<i64>,
}

impl From<&CaseRow> for CaseSummary {
    fn from(c: &CaseRow) -> Self {
        Self {
            id: c.id,
            number: c.number.clone(),
            title: c.title.clone(),
            queue: c.queue,
            state: c.state,
            channel: c.channel,
            source: c.source,
            region_code: c.region_code.clone(),
            srdi: SrdiLevel::from_rank(c.srdi_rank),
            received_at: c.received_at,
            next_due_at: c.next_due_at,
            closed_at: c.closed_at,
            updated_at: c.updated_at,
            version: c.version,
            owner_org_id: c.owner_org_id,
            assignee_user_id: c.assignee_user_id,
        }
    }
}

/// An organisation as a case names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
}

/// A user as a case names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef {
    pub id: i64,
    pub name: String,
}

/// Another case a case points to (the one it was merged into).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRef {
    pub id: i64,
    pub number: String,
}

/// A party as its reader may see it (the filing enterprise does not see contact phones on the
/// pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyView {
    pub role: PartyRole,
    pub name: String,
    pub uscc: Option<String>,
    pub address: Option<String>,
    pub listing_url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

impl From<PartyRow> for PartyView {
    fn from(p: PartyRow) -> Self {
        Self {
            role: p.role,
            name: p.name,
            uscc: p.uscc,
            address: p.address,
            listing_url: p.listing_url,
            contact_name: p.contact_name,
            contact_phone: p.contact_phone,
        }
    }
}

/// A right asserted in a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightView {
    pub kind: RightKind,
    pub number: Option<String>,
    pub title: String,
    pub holder: Option<String>,
}

impl From<RightRow> for RightView {
    fn from(r: RightRow) -> Self {
        Self {
            kind: r.kind,
            number: r.number,
            title: r.title,
            holder: r.holder,
        }
    }
}

/// A share of the case with another office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareView {
    pub org_id: i64,
    pub org: Option<String>,
    pub access: ShareAccess,
    pub origin: crate::domain::case::ShareOrigin,
    pub granted_at: DateTime<Utc>,
}

/// A deadline clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockView {
    pub rule_id: String,
    pub name: String,
    pub unit: Unit,
    pub source: String,
    pub start_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub state: ClockState,
    pub provisional: bool,
    pub explanation: String,
    /// A party's time limit shown for information.
    pub informational: bool,
    /// The office's own service standard (服务承诺), not a limit set by law.
    pub service_standard: bool,
    pub paused: Vec<(DateTime<FixedOffset>, Option<DateTime<FixedOffset>>)>,
    /// Extensions granted: tier and amount.
    pub extensions: Vec<(String, u32)>,
}

impl From<ClockRow> for ClockView {
    fn from(c: ClockRow) -> Self {
        Self {
            rule_id: c.rule_id,
            name: c.name,
            unit: c.unit,
            source: c.source,
            start_at: c.start_at,
            due_at: c.due_at,
            state: c.state,
            provisional: c.provisional,
            explanation: c.explanation,
            informational: c.detail.informational,
            service_standard: c.detail.service_standard,
            paused: c
                .detail
                .paused_segments
                .into_iter()
                .map(|s| (s.from, s.until))
                .collect(),
            extensions: c
                .detail
                .extensions
                .into_iter()
                .map(|g| (g.tier, g.amount))
                .collect(),
        }
    }
}

impl ClockView {
    /// The filing enterprise sees it (`domain::deadline::public_to_filer`).
    pub fn public(&self) -> bool {
        crate::domain::deadline::public_to_filer(&self.rule_id)
    }
}

/// An event of a case's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct EventView {
    pub seq: i64,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    /// The display name of the user who recorded it.
    pub actor: Option<String>,
    pub public: bool,
    pub payload: Value,
}

impl EventView {
    /// An event with the name of its actor, when known.
    pub fn of(e: EventRow, names: &std::collections::HashMap<i64, String>) -> Self {
        Self {
            actor: e.actor_user_id.and_then(|u| names.get(&u).cloned()),
            seq: e.seq,
            kind: e.kind,
            at: e.at,
            recorded_at: e.recorded_at,
            actor_user_id: e.actor_user_id,
            public: e.public,
            payload: e.payload,
        }
    }
}

/// A case with what its reader may see of it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    pub summary: CaseSummary,
    pub access: CaseAccess,
    pub description: String,
    pub standing: Option<Standing>,
    pub exhibition: Option<Exhibition>,
    pub overseas: Option<Overseas>,
    pub owner: Option<OrgRef>,
    pub referred_to: Option<OrgRef>,
    pub merged_into: Option<CaseRef>,
    pub parties: Vec<PartyView>,
    pub rights: Vec<RightView>,
    /// Empty for the filing enterprise.
    pub shares: Vec<ShareView>,
    /// For the filing enterprise, the public clocks only.
    pub clocks: Vec<ClockView>,
}

impl CaseView {
    pub fn is_filer(&self) -> bool {
        self.access == CaseAccess::Filer
    }
}
