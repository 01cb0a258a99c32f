//! Cases: the case row with its names typed, the lists of what an actor may see (the SQL twin of
//! `domain::policy::case_access`) and moving a case to its next version. Its parties, rights and
//! shares are `store::case_parts`, its log (events, clocks) `store::case_log`; storing new cases
//! is `store::intake`.

use super::case_log::unknown;
use crate::domain::case::intake::Facts;
use crate::domain::case::{
    CaseState, Channel, EventKind, PartyRole, Queue, ShareAccess, ShareOrigin, Source, Standing,
};
use crate::domain::identity::{OrgKind, Role};
use crate::domain::policy::{Actor, CaseFacts};
use chrono::{DateTime, Utc};
use entity::{
    case_clocks, case_events, case_parties, case_rights, case_shares, cases, exhibitions, users,
};
use sea_orm::sea_query::{Expr, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// A case as stored, its names typed and its channel facts parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: i64,
    /// `WQ-2026-000123`; never reused.
    pub number: String,
    pub title: String,
    pub description: String,
    pub source: Source,
    pub channel: Channel,
    pub region_code: String,
    pub queue: Queue,
    pub state: CaseState,
    pub owner_org_id: i64,
    pub filer_org_id: Option<i64>,
    pub filer_user_id: Option<i64>,
    pub created_by_user_id: Option<i64>,
    pub assignee_user_id: Option<i64>,
    pub standing: Option<Standing>,
    pub complainant_uscc: Option<String>,
    /// 0 none, 1 省级专精特新, 2 国家级小巨人.
    pub srdi_rank: i16,
    pub facts: Facts,
    pub referred_to_org_id: Option<i64>,
    pub merged_into_case_id: Option<i64>,
    pub exhibition_id: Option<i64>,
    /// The earliest due instant of a clock that makes the case urgent.
    pub next_due_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The number of events; writes name the version they expect.
    pub version: i64,
    pub is_demo: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CaseRow {
    /// Waiting for triage (queue `triage`, state `new`).
    pub fn awaiting_triage(&self) -> bool {
        self.queue == Queue::Triage && self.state == CaseState::New
    }
}

impl TryFrom<cases::Model> for CaseRow {
    type Error = DbErr;
    fn try_from(m: cases::Model) -> Result<Self, DbErr> {
        Ok(Self {
            source: Source::parse(&m.source).ok_or_else(|| unknown("source", &m.source))?,
            channel: Channel::parse(&m.channel).ok_or_else(|| unknown("channel", &m.channel))?,
            queue: Queue::parse(&m.queue).ok_or_else(|| unknown("queue", &m.queue))?,
            state: CaseState::parse(&m.state).ok_or_else(|| unknown("case state", &m.state))?,
            standing: match m.complainant_standing.as_deref() {
                Some(s) => Some(Standing::parse(s).ok_or_else(|| unknown("standing", s))?),
                None => None,
            },
            facts: serde_json::from_str(&m.facts).unwrap_or_default(),
            id: m.id,
            number: m.number,
            title: m.title,
            description: m.description,
            region_code: m.region_code,
            owner_org_id: m.owner_org_id,
            filer_org_id: m.filer_org_id,
            filer_user_id: m.filer_user_id,
            created_by_user_id: m.created_by_user_id,
            assignee_user_id: m.assignee_user_id,
            complainant_uscc: m.complainant_uscc,
            srdi_rank: m.srdi_rank,
            referred_to_org_id: m.referred_to_org_id,
            merged_into_case_id: m.merged_into_case_id,
            exhibition_id: m.exhibition_id,
            next_due_at: m.next_due_at,
            received_at: m.received_at,
            closed_at: m.closed_at,
            version: m.version,
            is_demo: m.is_demo,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn rows(models: Vec<cases::Model>) -> Result<Vec<CaseRow>, DbErr> {
    models.into_iter().map(CaseRow::try_from).collect()
}

/// New values of a case's state columns; `None` leaves a column alone.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub owner_org_id: Option<i64>,
    pub queue: Option<Queue>,
    pub state: Option<CaseState>,
    pub referred_to_org_id: Option<Option<i64>>,
    pub merged_into_case_id: Option<Option<i64>>,
    pub assignee_user_id: Option<Option<i64>>,
    pub closed_at: Option<Option<DateTime<Utc>>>,
    pub facts: Option<Facts>,
    pub exhibition_id: Option<Option<i64>>,
}

/// Moves a case from `expected` to `version` with `change`, only if nobody moved it first.
/// Returns false when the stored version is not `expected` (a stale write).
pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: i64,
    expected: i64,
    version: i64,
    change: Change,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut q = cases::Entity::update_many()
        .col_expr(cases::Column::Version, Expr::value(version))
        .col_expr(cases::Column::UpdatedAt, Expr::value(now));
    if let Some(v) = change.owner_org_id {
        q = q.col_expr(cases::Column::OwnerOrgId, Expr::value(v));
    }
    if let Some(v) = change.queue {
        q = q.col_expr(cases::Column::Queue, Expr::value(v.as_str()));
    }
    if let Some(v) = change.state {
        q = q.col_expr(cases::Column::State, Expr::value(v.as_str()));
    }
    if let Some(v) = change.referred_to_org_id {
        q = q.col_expr(cases::Column::ReferredToOrgId, Expr::value(v));
    }
    if let Some(v) = change.merged_into_case_id {
        q = q.col_expr(cases::Column::MergedIntoCaseId, Expr::value(v));
    }
    if let Some(v) = change.assignee_user_id {
        q = q.col_expr(cases::Column::AssigneeUserId, Expr::value(v));
    }
    if let Some(v) = change.closed_at {
        q = q.col_expr(cases::Column::ClosedAt, Expr::value(v));
    }
    if let Some(v) = change.facts {
        let text = serde_json::to_string(&v).unwrap_or_else(|_| "{}".into());
        q = q.col_expr(cases::Column::Facts, Expr::value(text));
    }
    if let Some(v) = change.exhibition_id {
        q = q.col_expr(cases::Column::ExhibitionId, Expr::value(v));
    }
    let res = q
        .filter(cases::Column::Id.eq(id))
        .filter(cases::Column::Version.eq(expected))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<CaseRow>, DbErr> {
    cases::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(CaseRow::try_from)
        .transpose()
}

pub async fn find_by_number<C: ConnectionTrait>(
    db: &C,
    number: &str,
) -> Result<Option<CaseRow>, DbErr> {
    cases::Entity::find()
        .filter(cases::Column::Number.eq(number))
        .one(db)
        .await?
        .map(CaseRow::try_from)
        .transpose()
}

/// What the access policy needs about `case`.
pub async fn policy_facts<C: ConnectionTrait>(db: &C, case: &CaseRow) -> Result<CaseFacts, DbErr> {
    let shares = super::case_parts::active_shares(db, case.id).await?;
    let assignee_org_id = match case.assignee_user_id {
        Some(u) => users::Entity::find_by_id(u)
            .one(db)
            .await?
            .map(|u| u.org_id),
        None => None,
    };
    Ok(CaseFacts {
        owner_org_id: case.owner_org_id,
        filer_org_id: case.filer_org_id,
        awaiting_triage: case.awaiting_triage(),
        region_code: case.region_code.clone(),
        assignee_org_id,
        referred_to_org_id: case.referred_to_org_id,
        shares: shares
            .into_iter()
            .map(|s| (s.org_id, s.access == ShareAccess::Contribute))
            .collect(),
    })
}

/// The cases `actor` may see, as a SQL condition: the same rules as
/// `domain::policy::case_access` (compared by a test).
pub fn visible(actor: &Actor) -> Condition {
    let branches = visible_branches(actor);
    if branches.is_empty() {
        return Condition::all().add(Expr::val(1).eq(0));
    }
    branches
        .into_iter()
        .fold(Condition::any(), |any, b| any.add(b.cases))
}

/// One relation through which an actor sees cases.
#[derive(Clone)]
struct Branch {
    cases: Condition,
    /// Many cases, read in the list's order from an index (an office's cases, a region's leads
    /// awaiting triage); otherwise few (shares, referrals, a filer's own), read by their own index
    /// and sorted.
    ordered: bool,
}

impl Branch {
    fn ordered(cases: Condition) -> Self {
        Self {
            cases,
            ordered: true,
        }
    }

    fn few(cases: Condition) -> Self {
        Self {
            cases,
            ordered: false,
        }
    }
}

/// The cases `actor` may see as a union of branches (an office's own cases, each office it
/// oversees, shares, referrals, a centre's region and staff); empty when it sees no case.
fn visible_branches(actor: &Actor) -> Vec<Branch> {
    if actor.org_kind == OrgKind::Enterprise {
        return if actor.role == Role::EnterpriseFiler {
            vec![Branch::few(
                Condition::all().add(cases::Column::FilerOrgId.eq(actor.org_id)),
            )]
        } else {
            Vec::new()
        };
    }
    let shared = Query::select()
        .column(case_shares::Column::CaseId)
        .from(case_shares::Entity)
        .and_where(case_shares::Column::OrgId.eq(actor.org_id))
        .and_where(case_shares::Column::RevokedAt.is_null())
        .to_owned();
    let mut out =
        owner_branches(std::iter::once(actor.org_id).chain(actor.oversees.iter().copied()));
    out.push(Branch::few(
        Condition::all().add(cases::Column::Id.in_subquery(shared)),
    ));
    out.push(Branch::few(
        Condition::all().add(cases::Column::ReferredToOrgId.eq(actor.org_id)),
    ));
    if actor.org_kind == OrgKind::AssistanceCenter {
        let staff = Query::select()
            .column(users::Column::Id)
            .from(users::Entity)
            .and_where(users::Column::OrgId.eq(actor.org_id))
            .to_owned();
        out.push(Branch::ordered(
            Condition::all()
                .add(cases::Column::Queue.eq(Queue::Triage.as_str()))
                .add(cases::Column::State.eq(CaseState::New.as_str()))
                .add(
                    match crate::domain::region::covered_prefix(&actor.region_code) {
                        Some(prefix) => cases::Column::RegionCode.starts_with(prefix),
                        None => Expr::val(1).eq(0),
                    },
                ),
        ));
        out.push(Branch::few(
            Condition::all().add(cases::Column::AssigneeUserId.in_subquery(staff)),
        ));
    }
    out
}

/// One branch per owning office, as far as `OWNER_BRANCHES`; the offices beyond share branches
/// (a national administrator's hundreds of offices stay within a statement's limits).
fn owner_branches(owners: impl Iterator<Item = i64>) -> Vec<Branch> {
    let mut owners: Vec<i64> = owners.collect();
    owners.sort_unstable();
    owners.dedup();
    let alone = owners.len().min(OWNER_BRANCHES);
    let mut out: Vec<Branch> = owners[..alone]
        .iter()
        .map(|o| Branch::ordered(Condition::all().add(cases::Column::OwnerOrgId.eq(*o))))
        .collect();
    for chunk in owners[alone..].chunks(500) {
        out.push(Branch::ordered(
            Condition::all().add(cases::Column::OwnerOrgId.is_in(chunk.iter().copied())),
        ));
    }
    out
}

/// How many offices a list reads one by one in its order before the rest are read together.
const OWNER_BRANCHES: usize = 64;

/// A half-open range of instants `[from, to)`, either end open.
pub type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Filters of a case list (API.md `GET /api/v1/cases`).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub queue: Option<Queue>,
    pub state: Option<CaseState>,
    pub due_before: Option<DateTime<Utc>>,
    pub overdue_at: Option<DateTime<Utc>>,
    pub assignee: Option<i64>,
    pub srdi: bool,
    pub open_only: bool,
    pub owner_org: Option<i64>,
    pub awaiting_triage: bool,
    /// Cases of any of these offices (a report's organisation and those below it), related to
    /// them as `org_role` says.
    pub owners: Option<Vec<i64>>,
    pub org_role: OrgRole,
    /// Received in `[from, to)`.
    pub received: Span,
    /// Closed in `[from, to)`.
    pub closed_in: Span,
    /// `Some(true)` closed cases only, `Some(false)` open ones only.
    pub closed: Option<bool>,
    pub source: Option<Source>,
    pub channel: Option<Channel>,
    /// A region code prefix (a province's two digits, a city's four, a district's six).
    pub region_prefix: Option<String>,
    /// Cases with a right of this kind.
    pub right_kind: Option<String>,
    /// The SRDI rank exactly (0 none, 1 provincial, 2 national).
    pub srdi_rank: Option<i16>,
    /// Cases whose clock of this rule is in this state (`met`, `missed`, `running`, `paused`).
    pub clock: Option<(String, Option<String>)>,
    /// Cases with at least one event of this kind.
    pub event: Option<String>,
    /// Cases granted an extension of this tier (`department_head`, `higher_department`,
    /// `panel`): an `extension_approved` event naming it.
    pub extension_tier: Option<String>,
    /// `true`: exhibition complaints decided (measures ordered or no infringement found) no
    /// later than their exhibition closed; `false`: the cases that were not.
    pub decided_at_fair: Option<bool>,
    /// Routed out of triage into a queue (`Some(false)`: still in triage).
    pub routed: Option<bool>,
    /// Cases an office shared with another to work on them together (an active share it
    /// granted, not one a procedure made: see `ShareOrigin`); `Some(false)`: the others.
    pub shared: Option<bool>,
    /// Cases worked by an office of another region (`domain::region::cross_region`);
    /// `Some(false)`: the others.
    pub cross_region: Option<bool>,
    /// Overseas requests about this country (two capital letters) and of this category.
    pub overseas_country: Option<String>,
    pub overseas_category: Option<String>,
}

/// How the cases of a list relate to the offices of its `owners` filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OrgRole {
    /// Owned by one of them.
    #[default]
    Owner,
    /// Referred or transferred to one of them (`referred_to_org_id`).
    ReferredTo,
    /// Triaged by one of them: it recorded a triage decision on the case (routed, referred,
    /// rejected or merged it).
    Triaged,
}

/// The visible cases matching `f`, as a query (the counts and the export share it).
fn matching(actor: &Actor, f: &Filter) -> sea_orm::Select<cases::Entity> {
    if keeps_to_owners_in_reach(actor, f) {
        cases::Entity::find().filter(filters(f))
    } else {
        cases::Entity::find()
            .filter(visible(actor))
            .filter(filters(f))
    }
}

/// Cases owned by the actor's office or by one it oversees are all visible to it: when a list
/// keeps to such owners (a report of one's own organisation), the visibility condition adds
/// nothing but work.
fn keeps_to_owners_in_reach(actor: &Actor, f: &Filter) -> bool {
    actor.org_kind != OrgKind::Enterprise
        && f.org_role == OrgRole::Owner
        && f.owners.as_ref().is_some_and(|owners| {
            owners
                .iter()
                .all(|o| *o == actor.org_id || actor.oversees.contains(o))
        })
}

/// "Open": `closed_at IS NULL`. SQLite's statistics know nothing of nulls and take that for a
/// handful of rows per office, so it would read every open case by `ix_cases_owner_closed` and
/// sort or filter them all; where the cases are read by due date instead (a page of a list, the
/// overdue and due-soon counts) the condition is `unindexed`: said so that no index serves it,
/// and checked on `ix_cases_owner_urgency`'s own `closed_at`.
fn open_condition(unindexed: bool) -> sea_orm::sea_query::SimpleExpr {
    let is_open = Expr::col((cases::Entity, cases::Column::ClosedAt)).is_null();
    if unindexed {
        Expr::expr(is_open).eq(true)
    } else {
        is_open
    }
}

/// The filters of `f` as one condition (visibility apart).
fn filters(f: &Filter) -> Condition {
    let mut q = Condition::all();
    if let Some(v) = f.queue {
        q = q.add(cases::Column::Queue.eq(v.as_str()));
    }
    if let Some(v) = f.state {
        q = q.add(cases::Column::State.eq(v.as_str()));
    }
    if let Some(t) = f.due_before {
        q = q.add(cases::Column::NextDueAt.lt(t));
    }
    if let Some(t) = f.overdue_at {
        q = q.add(cases::Column::NextDueAt.lt(t));
    }
    if let Some(u) = f.assignee {
        q = q.add(cases::Column::AssigneeUserId.eq(u));
    }
    if f.srdi {
        q = q.add(cases::Column::SrdiRank.gt(0));
    }
    // Limited by due date, the open cases are read by due date (see `open_condition`).
    let by_due = f.due_before.is_some() || f.overdue_at.is_some();
    if f.open_only {
        q = q.add(open_condition(by_due));
    }
    if let Some(o) = f.owner_org {
        q = q.add(cases::Column::OwnerOrgId.eq(o));
    }
    if f.awaiting_triage {
        q = q
            .add(cases::Column::Queue.eq(Queue::Triage.as_str()))
            .add(cases::Column::State.eq(CaseState::New.as_str()));
    }
    match &f.owners {
        None => {}
        // No office at all: no case.
        Some(owners) if owners.is_empty() => q = q.add(Expr::val(1).eq(0)),
        Some(owners) => q = q.add(owners_condition(f.org_role, owners)),
    }
    if let Some(t) = f.received.0 {
        q = q.add(cases::Column::ReceivedAt.gte(t));
    }
    if let Some(t) = f.received.1 {
        q = q.add(cases::Column::ReceivedAt.lt(t));
    }
    if let Some(t) = f.closed_in.0 {
        q = q.add(cases::Column::ClosedAt.gte(t));
    }
    if let Some(t) = f.closed_in.1 {
        q = q.add(cases::Column::ClosedAt.lt(t));
    }
    match f.closed {
        Some(true) => q = q.add(cases::Column::ClosedAt.is_not_null()),
        Some(false) => q = q.add(open_condition(by_due)),
        None => {}
    }
    if let Some(v) = f.source {
        q = q.add(cases::Column::Source.eq(v.as_str()));
    }
    if let Some(v) = f.channel {
        q = q.add(cases::Column::Channel.eq(v.as_str()));
    }
    if let Some(prefix) = &f.region_prefix {
        q = q.add(cases::Column::RegionCode.starts_with(prefix));
    }
    if let Some(kind) = &f.right_kind {
        let with = Query::select()
            .expr(Expr::val(1))
            .from(case_rights::Entity)
            .and_where(
                Expr::col((case_rights::Entity, case_rights::Column::CaseId))
                    .equals((cases::Entity, cases::Column::Id)),
            )
            .and_where(case_rights::Column::Kind.eq(kind.as_str()))
            .to_owned();
        q = q.add(Expr::exists(with));
    }
    if let Some(rank) = f.srdi_rank {
        q = q.add(cases::Column::SrdiRank.eq(rank));
    }
    if let Some((rule, state)) = &f.clock {
        // Correlated: the outer filters (organisation, period) narrow the cases first, then each
        // is looked up by its primary key (case_id, rule_id).
        let mut with = Query::select()
            .expr(Expr::val(1))
            .from(case_clocks::Entity)
            .and_where(
                Expr::col((case_clocks::Entity, case_clocks::Column::CaseId))
                    .equals((cases::Entity, cases::Column::Id)),
            )
            .and_where(case_clocks::Column::RuleId.eq(rule.as_str()))
            .to_owned();
        if let Some(state) = state {
            with.and_where(case_clocks::Column::State.eq(state.as_str()));
        }
        q = q.add(Expr::exists(with));
    }
    if let Some(kind) = &f.event {
        let with = Query::select()
            .expr(Expr::val(1))
            .from(case_events::Entity)
            .and_where(
                Expr::col((case_events::Entity, case_events::Column::CaseId))
                    .equals((cases::Entity, cases::Column::Id)),
            )
            .and_where(case_events::Column::Kind.eq(kind.as_str()))
            .to_owned();
        q = q.add(Expr::exists(with));
    }
    if let Some(tier) = &f.extension_tier {
        // The tier is in the event's payload, which serde_json writes compactly
        // (`"tier":"department_head"`); tiers are names of letters and underscores, and the
        // underscore is escaped so that it matches itself only.
        let pattern = format!("%\"tier\":\"{}\"%", tier.replace('_', "\\_"));
        let with = Query::select()
            .expr(Expr::val(1))
            .from(case_events::Entity)
            .and_where(
                Expr::col((case_events::Entity, case_events::Column::CaseId))
                    .equals((cases::Entity, cases::Column::Id)),
            )
            .and_where(case_events::Column::Kind.eq(EventKind::ExtensionApproved.as_str()))
            .and_where(
                Expr::col((case_events::Entity, case_events::Column::Payload))
                    .like(LikeExpr::new(pattern).escape('\\')),
            )
            .to_owned();
        q = q.add(Expr::exists(with));
    }
    if let Some(decided) = f.decided_at_fair {
        let with = Query::select()
            .expr(Expr::val(1))
            .from(case_events::Entity)
            .inner_join(
                exhibitions::Entity,
                Expr::col((exhibitions::Entity, exhibitions::Column::Id))
                    .equals((cases::Entity, cases::Column::ExhibitionId)),
            )
            .and_where(
                Expr::col((case_events::Entity, case_events::Column::CaseId))
                    .equals((cases::Entity, cases::Column::Id)),
            )
            .and_where(
                Expr::col((case_events::Entity, case_events::Column::Kind)).is_in([
                    EventKind::MeasuresOrdered.as_str(),
                    EventKind::NoInfringementFound.as_str(),
                ]),
            )
            .and_where(
                Expr::col((case_events::Entity, case_events::Column::At)).lte(Expr::col((
                    exhibitions::Entity,
                    exhibitions::Column::ClosesAt,
                ))),
            )
            .to_owned();
        let exists = Expr::exists(with);
        q = q.add(if decided { exists } else { exists.not() });
    }
    match f.routed {
        Some(true) => q = q.add(cases::Column::Queue.ne(Queue::Triage.as_str())),
        Some(false) => q = q.add(cases::Column::Queue.eq(Queue::Triage.as_str())),
        None => {}
    }
    match f.cross_region {
        Some(true) => q = q.add(cross_region()),
        Some(false) => q = q.add(cross_region().not()),
        None => {}
    }
    if f.overseas_country.is_some() || f.overseas_category.is_some() {
        q = q.add(
            Expr::col((cases::Entity, cases::Column::Facts)).like(
                LikeExpr::new(overseas_pattern(
                    f.overseas_country.as_deref(),
                    f.overseas_category.as_deref(),
                ))
                .escape('\\'),
            ),
        );
    }
    if let Some(shared) = f.shared {
        let with = Query::select()
            .expr(Expr::val(1))
            .from(case_shares::Entity)
            .and_where(
                Expr::col((case_shares::Entity, case_shares::Column::CaseId))
                    .equals((cases::Entity, cases::Column::Id)),
            )
            .and_where(case_shares::Column::RevokedAt.is_null())
            .and_where(case_shares::Column::Origin.eq(ShareOrigin::Granted.as_str()))
            .to_owned();
        let exists = Expr::exists(with);
        q = q.add(if shared { exists } else { exists.not() });
    }
    q
}

/// The cases of `owners` in the role `role`.
fn owners_condition(role: OrgRole, owners: &[i64]) -> sea_orm::sea_query::SimpleExpr {
    let owners = owners.iter().copied();
    match role {
        OrgRole::Owner => cases::Column::OwnerOrgId.is_in(owners),
        OrgRole::ReferredTo => cases::Column::ReferredToOrgId.is_in(owners),
        OrgRole::Triaged => {
            let decisions = Query::select()
                .column(case_events::Column::CaseId)
                .from(case_events::Entity)
                .and_where(case_events::Column::ActorOrgId.is_in(owners))
                .and_where(triage_decision())
                .to_owned();
            cases::Column::Id.in_subquery(decisions)
        }
    }
}

/// "The event is a triage decision", written with the kinds as literals: SQLite reads the
/// partial index of triage decisions (`ix_case_events_triaged_by`) only for a condition it can
/// see implies the index's own, which bound parameters never do (a unit test reads the plan).
fn triage_decision() -> sea_orm::sea_query::SimpleExpr {
    let kinds: Vec<String> = EventKind::TRIAGE_DECISIONS
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    Expr::cust(format!("case_events.kind IN ({})", kinds.join(", ")))
}

/// Cases worked by an office of another region: an office owning the case, referred it or
/// granted a share of it (in force; not a share a procedure made) whose region does not cover
/// the case's — the SQL twin of
/// `domain::region::cross_region`. An office's region covers the codes that begin with its own
/// without its trailing zero pairs (`320000` → `32`, `320600` → `3206`), as
/// `region::covered_prefix` cuts it.
fn cross_region() -> sea_orm::sea_query::SimpleExpr {
    // Three tests rather than one over `id = owner OR id = referred OR id IN (shares)`: with a
    // null `referred_to_org_id`, SQLite 3.51 answered that OR wrongly (3.40 did not).
    const OUTSIDE: &str = "cases.region_code NOT LIKE \
        (CASE WHEN xo.region_code LIKE '__0000' THEN substr(xo.region_code, 1, 2) \
              WHEN xo.region_code LIKE '____00' THEN substr(xo.region_code, 1, 4) \
              ELSE xo.region_code END) || '%'";
    Expr::cust(format!(
        "(EXISTS (SELECT 1 FROM organizations xo \
                  WHERE xo.id = cases.owner_org_id AND {OUTSIDE}) \
          OR EXISTS (SELECT 1 FROM organizations xo \
                     WHERE xo.id = cases.referred_to_org_id AND {OUTSIDE}) \
          OR EXISTS (SELECT 1 FROM case_shares xs JOIN organizations xo ON xo.id = xs.org_id \
                     WHERE xs.case_id = cases.id AND xs.revoked_at IS NULL \
                       AND xs.origin = 'granted' AND {OUTSIDE}))"
    ))
}

/// The `LIKE` pattern of the channel facts of an overseas request about `country` (two capital
/// letters) of `category` (a name of letters and underscores), either open: the facts are
/// written by serde_json, compactly and in the order of `intake::Overseas`'s fields
/// (`{"overseas":{"country":"US","category":"us_337",…}}`; a unit test there keeps to it).
/// Quotes inside text are escaped in JSON, so the pattern cannot match inside a text value.
fn overseas_pattern(country: Option<&str>, category: Option<&str>) -> String {
    let country = country.unwrap_or("__");
    match category {
        Some(c) => format!(
            "%\"overseas\":{{\"country\":\"{country}\",\"category\":\"{}\",%",
            c.replace('_', "\\_")
        ),
        None => format!("%\"overseas\":{{\"country\":\"{country}\",%"),
    }
}

/// One page of visible cases, most urgent first, SRDI first among equally urgent, then oldest.
///
/// Read as a union: each branch of what the actor may see (`visible_branches`) gives its first
/// `offset + limit` cases in the list's order — an office's cases in two halves (due, no due
/// date) read in order from `ix_cases_owner_urgency`, a region's leads from
/// `ix_cases_queue_state_urgency`, the few cases of a share or referral by their own index —
/// and the page is cut from their union. The
/// cost follows the page, not the number of cases an office holds (an OR of the branches would
/// sort all of them).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &Filter,
    offset: u64,
    limit: u64,
) -> Result<Vec<CaseRow>, DbErr> {
    let branches = if keeps_to_owners_in_reach(actor, f) {
        owner_branches(f.owners.iter().flatten().copied())
    } else {
        visible_branches(actor)
    };
    if branches.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    // Read in the list's order, open cases are picked out as they come (see `open_condition`).
    let open = f.open_only || f.closed == Some(false);
    let f = &Filter {
        open_only: false,
        closed: f.closed.filter(|c| *c),
        ..f.clone()
    };
    // The cases without a due date come after every case with one: while the cases with one
    // fill the page, the halves without are not read (an office's closed cases, for a list of
    // those awaiting triage, would be read only to be left out).
    let first = page_of_union(db, &branches, f, open, false, offset, limit).await?;
    if first.len() as u64 == limit && first.last().is_some_and(|c| c.next_due_at.is_some()) {
        return Ok(first);
    }
    page_of_union(db, &branches, f, open, true, offset, limit).await
}

/// The page `offset..offset + limit` of the union of `branches` (see [`list`]); with `undated`,
/// the office branches' cases without a due date are read too.
async fn page_of_union<C: ConnectionTrait>(
    db: &C,
    branches: &[Branch],
    f: &Filter,
    open: bool,
    undated: bool,
    offset: u64,
    limit: u64,
) -> Result<Vec<CaseRow>, DbErr> {
    let wanted = offset.saturating_add(limit);
    let mut union: Option<sea_orm::sea_query::SelectStatement> = None;
    for (i, branch) in branches.iter().enumerate() {
        // An ordered branch in two halves, each read in order from its index: the cases with a
        // due date, then those without. A branch of few cases is read by its own index and
        // sorted: a condition on the due date would invite SQLite to read the million cases
        // without one instead (its statistics know nothing of nulls).
        let halves: &[Option<bool>] = match (branch.ordered, undated) {
            (true, true) => &[Some(true), Some(false)],
            (true, false) => &[Some(true)],
            (false, _) => &[None],
        };
        for (half, due) in halves.iter().enumerate() {
            let mut inner = Query::select();
            inner
                .column((cases::Entity, cases::Column::Id))
                .column((cases::Entity, cases::Column::NextDueAt))
                .column((cases::Entity, cases::Column::SrdiRank))
                .from(cases::Entity)
                .cond_where(branch.cases.clone())
                .cond_where(filters(f));
            if open {
                inner.and_where(open_condition(true));
            }
            match due {
                Some(true) => {
                    inner
                        .and_where(cases::Column::NextDueAt.is_not_null())
                        .order_by(cases::Column::NextDueAt, sea_orm::Order::Asc);
                }
                Some(false) => {
                    inner.and_where(cases::Column::NextDueAt.is_null());
                }
                None => {
                    inner
                        .order_by_expr(
                            Expr::col(cases::Column::NextDueAt).is_null(),
                            sea_orm::Order::Asc,
                        )
                        .order_by(cases::Column::NextDueAt, sea_orm::Order::Asc);
                }
            }
            inner
                .order_by(cases::Column::SrdiRank, sea_orm::Order::Desc)
                .order_by(cases::Column::Id, sea_orm::Order::Asc)
                .limit(wanted);
            let arm = Query::select()
                .columns([
                    cases::Column::Id,
                    cases::Column::NextDueAt,
                    cases::Column::SrdiRank,
                ])
                .from_subquery(
                    inner,
                    sea_orm::sea_query::Alias::new(format!("b{i}_{half}")),
                )
                .to_owned();
            union = Some(match union {
                None => arm,
                Some(mut u) => {
                    // Distinct: a case seen through two relations takes one place on the page.
                    u.union(sea_orm::sea_query::UnionType::Distinct, arm);
                    u
                }
            });
        }
    }
    let Some(union) = union else {
        return Ok(Vec::new());
    };
    // The page is cut from the narrow rows of the union; only its own cases are read whole.
    let u = sea_orm::sea_query::Alias::new("u");
    let page = Query::select()
        .column((u.clone(), cases::Column::Id))
        .from_subquery(union, u.clone())
        .order_by_expr(
            Expr::col((u.clone(), cases::Column::NextDueAt)).is_null(),
            sea_orm::Order::Asc,
        )
        .order_by((u.clone(), cases::Column::NextDueAt), sea_orm::Order::Asc)
        .order_by((u.clone(), cases::Column::SrdiRank), sea_orm::Order::Desc)
        .order_by((u, cases::Column::Id), sea_orm::Order::Asc)
        .limit(limit)
        .offset(offset)
        .to_owned();
    rows(
        cases::Entity::find()
            .filter(cases::Column::Id.in_subquery(page))
            .order_by_asc(Expr::col(cases::Column::NextDueAt).is_null())
            .order_by_asc(cases::Column::NextDueAt)
            .order_by_desc(cases::Column::SrdiRank)
            .order_by_asc(cases::Column::Id)
            .all(db)
            .await?,
    )
}

/// Every visible case matching `f`, in the list's order, as one query whose rows arrive as they
/// are read: an export of any length holds one row at a time.
pub async fn stream<'a>(
    db: &'a sea_orm::DatabaseConnection,
    actor: &Actor,
    f: &Filter,
) -> Result<std::pin::Pin<Box<dyn futures::Stream<Item = Result<CaseRow, DbErr>> + Send + 'a>>, DbErr>
{
    use futures::StreamExt;
    let s = matching(actor, f)
        .order_by_asc(Expr::col(cases::Column::NextDueAt).is_null())
        .order_by_asc(cases::Column::NextDueAt)
        .order_by_desc(cases::Column::SrdiRank)
        .order_by_asc(cases::Column::Id)
        .stream(db)
        .await?;
    Ok(Box::pin(s.map(|m| m.and_then(CaseRow::try_from))))
}

/// Ids of every case `actor` may see (for tests and checks; not for pages).
pub async fn visible_ids<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<Vec<i64>, DbErr> {
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(visible(actor))
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// Every case id, in order.
pub async fn all_ids<C: ConnectionTrait>(db: &C) -> Result<Vec<i64>, DbErr> {
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// How many visible cases match `f`.
pub async fn count_matching<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &Filter,
) -> Result<u64, DbErr> {
    matching(actor, f).count(db).await
}

/// How many visible cases match `f`, by `column` (queue or state).
pub async fn count_by<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &Filter,
    column: cases::Column,
) -> Result<Vec<(String, i64)>, DbErr> {
    matching(actor, f)
        .select_only()
        .column(column)
        .column_as(cases::Column::Id.count(), "n")
        .group_by(column)
        .into_tuple()
        .all(db)
        .await
}

/// How many distinct non-null values of `column` the visible cases matching `f` have.
pub async fn count_distinct<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &Filter,
    column: cases::Column,
) -> Result<u64, DbErr> {
    let n: Option<i64> = matching(actor, f)
        .select_only()
        .column_as(Expr::col(column).count_distinct(), "n")
        .into_tuple()
        .one(db)
        .await?;
    Ok(Ord::max(n.unwrap_or(0), 0) as u64)
}

/// Receipt and closing instants of the closed visible cases matching `f`.
pub async fn spans<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &Filter,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>, DbErr> {
    matching(actor, f)
        .filter(cases::Column::ClosedAt.is_not_null())
        .select_only()
        .column(cases::Column::ReceivedAt)
        .column(cases::Column::ClosedAt)
        .into_tuple()
        .all(db)
        .await
}

/// The countries of the visible overseas requests matching `f` (those whose facts name one),
/// sorted, once each.
pub async fn overseas_countries<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &Filter,
) -> Result<Vec<String>, DbErr> {
    let texts: Vec<String> = matching(actor, f)
        .filter(
            Expr::col((cases::Entity, cases::Column::Facts))
                .like(LikeExpr::new(overseas_pattern(None, None)).escape('\\')),
        )
        .select_only()
        .column(cases::Column::Facts)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let mut out: Vec<String> = texts
        .iter()
        .filter_map(|t| serde_json::from_str::<Facts>(t).ok()?.overseas)
        .map(|o| o.country)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    cases::Entity::find().count(db).await
}

/// Open cases other than `except` with a respondent name or credit code, a right number or a
/// listing URL in common with the given values: candidates the duplicate rule then checks.
pub async fn duplicate_candidates<C: ConnectionTrait>(
    db: &C,
    except: i64,
    names: Vec<String>,
    numbers: Vec<String>,
    urls: Vec<String>,
) -> Result<Vec<i64>, DbErr> {
    let mut ids: Vec<i64> = case_parties::Entity::find()
        .select_only()
        .column(case_parties::Column::CaseId)
        .filter(
            Condition::any()
                .add(case_parties::Column::Name.is_in(names.clone()))
                .add(case_parties::Column::Uscc.is_in(names))
                .add(case_parties::Column::ListingUrl.is_in(urls)),
        )
        .filter(case_parties::Column::Role.eq(PartyRole::Respondent.as_str()))
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    let by_right: Vec<i64> = case_rights::Entity::find()
        .select_only()
        .column(case_rights::Column::CaseId)
        .filter(case_rights::Column::Number.is_in(numbers))
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    ids.extend(by_right);
    ids.sort_unstable();
    ids.dedup();
    ids.retain(|id| *id != except);
    if ids.is_empty() {
        return Ok(ids);
    }
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(cases::Column::Id.is_in(ids))
        .filter(cases::Column::ClosedAt.is_null())
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// Those of `ids` that `actor` may see.
pub async fn visible_ids_among<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    ids: Vec<i64>,
) -> Result<Vec<i64>, DbErr> {
    if ids.is_empty() {
        return Ok(ids);
    }
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(cases::Column::Id.is_in(ids))
        .filter(visible(actor))
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// Takes the write lock on case `id`'s row until the transaction ends (an update that changes
/// nothing; SQLite's write transaction holds the database's lock already).
pub async fn lock_row<C: ConnectionTrait>(db: &C, id: i64) -> Result<(), DbErr> {
    cases::Entity::update_many()
        .col_expr(cases::Column::Version, Expr::col(cases::Column::Version))
        .filter(cases::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Of cases `ids`, those `actor` may see, each with its 专精特新 rank.
pub async fn visible_ranks_among<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    ids: Vec<i64>,
) -> Result<Vec<(i64, i16)>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .column(cases::Column::SrdiRank)
        .filter(cases::Column::Id.is_in(ids))
        .filter(visible(actor))
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// The numbers of cases `ids`, by id.
pub async fn numbers<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, DbErr> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .column(cases::Column::Number)
        .filter(cases::Column::Id.is_in(ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: Vec<i64>) -> Result<Vec<CaseRow>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    rows(
        cases::Entity::find()
            .filter(cases::Column::Id.is_in(ids))
            .order_by_asc(cases::Column::Id)
            .all(db)
            .await?,
    )
}

/// Ids of the cases still open (not closed), in order.
pub async fn open_ids<C: ConnectionTrait>(db: &C) -> Result<Vec<i64>, DbErr> {
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(cases::Column::ClosedAt.is_null())
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    use crate::store::Db;
    use sea_orm::{QueryTrait, Statement};

    /// The cases an office triaged are found through the partial index of triage decisions.
    #[tokio::test]
    async fn the_triaged_cases_are_read_from_the_partial_index_of_decisions() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url, 2).await.unwrap();
        <migration::Migrator as migration::MigratorTrait>::up(db.conn(), None)
            .await
            .unwrap();
        let f = Filter {
            owners: Some(vec![4, 5]),
            org_role: OrgRole::Triaged,
            ..Default::default()
        };
        let query = cases::Entity::find()
            .filter(filters(&f))
            .select_only()
            .column(cases::Column::Id)
            .build(sea_orm::DbBackend::Sqlite);
        let plan = db
            .conn()
            .query_all_raw(Statement::from_sql_and_values(
                sea_orm::DbBackend::Sqlite,
                format!("EXPLAIN QUERY PLAN {}", query.sql),
                query.values.map(|v| v.0).unwrap_or_default(),
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "detail").unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(plan.contains("ix_case_events_triaged_by"), "{plan}");
    }
}
