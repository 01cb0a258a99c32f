//! Cases: filing a complaint, entering and importing leads, reading and listing what one may see.

use super::calendar::Calendars;
use super::{Identity, RequestMeta, audit_entry};
use crate::domain::calendar::Calendar;
use crate::domain::case::intake::{self, CaseInput, Submitter, ValidCase};
use crate::domain::case::{self as case_domain, PartyRole, Queue};
use crate::domain::deadline::{Event, beijing};
use crate::domain::policy::{self, CaseAccess, CaseAction, CaseFacts};
use crate::error::{AppError, Msg, Result};
use crate::store::audit::NewEntry;
use crate::store::cases::{ClockRow, NewCase, NewEvent, NewParty, NewRight};
use crate::store::{self, Db};
use chrono::{DateTime, Datelike, Utc};
use entity::{
    case_clocks, case_events, case_parties, case_rights, case_shares, cases, organizations,
};
use sea_orm::DatabaseTransaction;
use serde_json::json;
use std::collections::HashMap;
use tokio::sync::oneshot;

/// What a filing returns (API.md: `{id, number, version, queue, state, triage_due}`).
#[derive(Debug, Clone)]
pub struct Filed {
    pub id: i64,
    pub number: String,
    pub version: i64,
    pub received_at: DateTime<Utc>,
    /// When triage must have answered (24:00 Beijing time of the 7th working day).
    pub triage_due: Option<DateTime<Utc>>,
    /// The due date depends on a year without an official schedule.
    pub provisional: bool,
}

/// Who creates a case, which decides its owner, filer and source checks.
#[derive(Debug, Clone, Copy)]
pub enum Creator<'a> {
    /// An enterprise filing its own complaint.
    Enterprise(&'a Identity),
    /// An office user entering a lead for their office.
    Office(&'a Identity),
    /// The operator importing leads for an office from the command line.
    Operator { owner_org_id: i64 },
}

/// A validated case with everything needed to store it.
#[derive(Clone)]
struct Prepared {
    valid: ValidCase,
    owner_org_id: i64,
    filer: Option<(i64, i64)>,
    created_by: Option<i64>,
    complainant: Option<NewParty>,
    received_at: DateTime<Utc>,
    is_demo: bool,
}

/// Files a complaint for the signed-in enterprise: a case in triage with its receipt.
pub async fn file_complaint(
    db: &Db,
    calendars: &Calendars,
    me: &Identity,
    input: CaseInput,
    meta: &RequestMeta,
) -> Result<Filed> {
    if !policy::can_file_complaint(&me.actor) {
        return Err(AppError::forbidden());
    }
    let valid = intake::validate(&input, Submitter::Enterprise).map_err(AppError::Invalid)?;
    create(db, calendars, Creator::Enterprise(me), valid, &input, meta).await
}

/// Enters a lead (source officer, shared or 12330 hotline) for the user's office.
pub async fn enter_lead(
    db: &Db,
    calendars: &Calendars,
    me: &Identity,
    input: CaseInput,
    meta: &RequestMeta,
) -> Result<Filed> {
    if !policy::can_enter_lead(&me.actor) {
        return Err(AppError::forbidden());
    }
    let valid = intake::validate(&input, Submitter::Office).map_err(AppError::Invalid)?;
    create(db, calendars, Creator::Office(me), valid, &input, meta).await
}

/// Stores one filing with its audit entry and answers when it is on disk.
///
/// Filings share write transactions (group commit): each request computes its rows and clocks,
/// queues them and waits; a flusher task takes every filing queued by the time it holds the
/// write transaction, stores them together (numbers, rows, one audit entry each, in queue
/// order), commits once and answers each. Under load one commit (one fsync on SQLite) serves
/// many filings; alone, a filing is stored at once in a transaction of its own. If a shared
/// transaction fails, its filings are stored again one by one, so one filing's error never
/// becomes another's.
async fn create(
    db: &Db,
    calendars: &Calendars,
    creator: Creator<'_>,
    valid: ValidCase,
    input: &CaseInput,
    meta: &RequestMeta,
) -> Result<Filed> {
    let now = store::now();
    let prepared = prepare(db, creator, valid, now).await?;
    let actor = match creator {
        Creator::Enterprise(me) | Creator::Office(me) => Some(me.user.clone()),
        Creator::Operator { .. } => None,
    };
    let cal = calendars.current();
    let built = build(vec![prepared], &cal, now);
    let action = match creator {
        Creator::Enterprise(_) => "complaint.file",
        _ => "lead.enter",
    };
    // The target (the case number) is filled in when the number is reserved.
    let audit = audit_entry(
        actor.as_ref(),
        meta,
        action,
        ("case", String::new()),
        &json!(input),
    );
    let intake = db.write_queue::<Intake>();
    let (done, answer) = oneshot::channel();
    let (id, start_flusher) = intake.push(built, audit, done);
    if start_flusher {
        tokio::spawn(flush(db.clone()));
    }
    // A request given up while its filing still waits takes the filing out of the queue.
    let _unqueue = Unqueue { intake, id };
    answer.await.unwrap_or_else(|_| {
        Err(AppError::Internal(anyhow::anyhow!(
            "the filing was not stored"
        )))
    })
}

/// Filings waiting for a write transaction, one queue per database (see `create`).
#[derive(Default)]
struct Intake {
    state: std::sync::Mutex<IntakeState>,
}

#[derive(Default)]
struct IntakeState {
    waiting: Vec<Filing>,
    next_id: u64,
    /// A flusher task is running; it stops when it finds the queue empty.
    flushing: bool,
}

/// A filing with everything computed, its audit entry and where to send the outcome.
struct Filing {
    id: u64,
    built: Built,
    audit: NewEntry,
    done: oneshot::Sender<Result<Filed>>,
}

impl Intake {
    fn lock(&self) -> std::sync::MutexGuard<'_, IntakeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a filing; returns its id and whether a flusher must be started.
    fn push(
        &self,
        built: Built,
        audit: NewEntry,
        done: oneshot::Sender<Result<Filed>>,
    ) -> (u64, bool) {
        let mut st = self.lock();
        st.next_id += 1;
        let id = st.next_id;
        st.waiting.push(Filing {
            id,
            built,
            audit,
            done,
        });
        let start = !st.flushing;
        st.flushing = true;
        (id, start)
    }

    /// Every waiting filing, or `None` (and the flusher stops) when there is none.
    fn take(&self) -> Option<Vec<Filing>> {
        let mut st = self.lock();
        if st.waiting.is_empty() {
            st.flushing = false;
            return None;
        }
        Some(std::mem::take(&mut st.waiting))
    }
}

/// Takes a filing out of the queue when its request is dropped before it was taken.
struct Unqueue<'a> {
    intake: &'a Intake,
    id: u64,
}

impl Drop for Unqueue<'_> {
    fn drop(&mut self) {
        self.intake.lock().waiting.retain(|f| f.id != self.id);
    }
}

/// Stores queued filings until the queue is empty: all those waiting when the write
/// transaction is obtained go into it.
async fn flush(db: Db) {
    use futures::FutureExt;
    let intake = db.write_queue::<Intake>();
    loop {
        let txn = db.begin_write().await;
        let Some(filings) = intake.take() else {
            return;
        };
        // A panic fails the filings taken (their requests get an error), not the queue.
        let _ = std::panic::AssertUnwindSafe(store_filings(&db, txn.ok(), filings))
            .catch_unwind()
            .await;
    }
}

/// Stores `filings` together in `txn`, or one by one when that fails (or there is no `txn`),
/// and answers each.
async fn store_filings(db: &Db, mut txn: Option<DatabaseTransaction>, filings: Vec<Filing>) {
    if filings.len() > 1
        && let Some(shared) = txn.take()
    {
        let mut built = Built::default();
        let mut audits = Vec::with_capacity(filings.len());
        for f in &filings {
            built.extend(f.built.clone());
            audits.push(f.audit.clone());
        }
        if let Ok(filed) = store_with_audit(db, Some(shared), built, audits).await {
            for (f, filed) in filings.into_iter().zip(filed) {
                let _ = f.done.send(Ok(filed));
            }
            return;
        }
        // The shared transaction was rolled back; each filing is stored on its own below.
    }
    for f in filings {
        let r = store_with_audit(db, txn.take(), f.built, vec![f.audit])
            .await
            .and_then(|mut filed| {
                filed
                    .pop()
                    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no case stored")))
            });
        let _ = f.done.send(r);
    }
}

/// Stores `built` with one audit entry per case (in order, naming its number) in `txn`, or in
/// a new write transaction, and commits.
async fn store_with_audit(
    db: &Db,
    txn: Option<DatabaseTransaction>,
    built: Built,
    audits: Vec<NewEntry>,
) -> Result<Vec<Filed>> {
    let txn = match txn {
        Some(t) => t,
        None => db.begin_write().await?,
    };
    let filed = store_built(&txn, built).await?;
    for (f, mut entry) in filed.iter().zip(audits) {
        entry.target_id = f.number.clone();
        store::audit::append(&txn, entry).await?;
    }
    txn.commit().await?;
    Ok(filed)
}

/// Resolves owner, filer and complainant for a validated case.
async fn prepare(
    db: &Db,
    creator: Creator<'_>,
    valid: ValidCase,
    now: DateTime<Utc>,
) -> Result<Prepared> {
    let Creator::Enterprise(me) = creator else {
        return Ok(prepare_lead(creator, valid, now));
    };
    let received_at = now;
    let owner = store::orgs::serving_office(db.conn(), valid.region.as_str())
        .await?
        .ok_or(AppError::Conflict(Msg::new("error.case.no_office")))?;
    let complainant = NewParty {
        role: PartyRole::Complainant.as_str(),
        name: me.org.name.clone(),
        uscc: me.org.uscc.clone(),
        address: None,
        listing_url: None,
        contact_name: me.org.contact_name.clone(),
        contact_phone: me.org.contact_phone.clone().or(me.user.phone.clone()),
    };
    Ok(Prepared {
        valid,
        owner_org_id: owner.id,
        filer: Some((me.org.id, me.user.id)),
        created_by: Some(me.user.id),
        complainant: Some(complainant),
        received_at,
        is_demo: me.user.is_demo,
    })
}

/// A lead entered or imported by an office: owned by that office, received when it says (never
/// in the future).
fn prepare_lead(creator: Creator<'_>, valid: ValidCase, now: DateTime<Utc>) -> Prepared {
    let received_at = valid
        .received_at
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| *t <= now)
        .unwrap_or(now);
    let (owner_org_id, created_by, is_demo) = match creator {
        Creator::Office(me) | Creator::Enterprise(me) => {
            (me.org.id, Some(me.user.id), me.user.is_demo)
        }
        Creator::Operator { owner_org_id } => (owner_org_id, None, false),
    };
    let complainant = valid
        .complainant
        .clone()
        .map(|p| party(PartyRole::Complainant, p));
    Prepared {
        valid,
        owner_org_id,
        filer: None,
        created_by,
        complainant,
        received_at,
        is_demo,
    }
}

/// A batch of leads of one office, ready to store: everything that needs no database, computed
/// before the write transaction (on the import path, while the previous batch is being stored).
pub(crate) struct Batch(Built);

/// Prepares many leads of one office as of `now` (pure computation, no database).
pub(crate) fn prepare_batch(
    creator: Creator<'_>,
    valid: Vec<ValidCase>,
    cal: &Calendar,
    now: DateTime<Utc>,
) -> Batch {
    let prepared = valid
        .into_iter()
        .map(|v| prepare_lead(creator, v, now))
        .collect();
    Batch(build(prepared, cal, now))
}

/// Stores a prepared batch of leads in `txn` (the import path).
pub(crate) async fn store_batch(txn: &DatabaseTransaction, batch: Batch) -> Result<Vec<Filed>> {
    store_built(txn, batch.0).await
}

fn party(role: PartyRole, p: intake::Party) -> NewParty {
    NewParty {
        role: role.as_str(),
        name: p.name,
        uscc: p.uscc,
        address: p.address,
        listing_url: p.listing_url,
        contact_name: p.contact_name,
        contact_phone: p.contact_phone,
    }
}

/// Prepared cases with their rows and clocks computed; the case numbers and SRDI flags are
/// filled in inside the write transaction. Cases of several filings may be stored together,
/// each keeping the instant it was computed at.
#[derive(Clone, Default)]
struct Built {
    prepared: Vec<Prepared>,
    /// One per case, in order; `number` is blank and `srdi_rank` 0 until stored.
    rows: Vec<NewCase>,
    clocks: Vec<Vec<ClockRow>>,
    /// When each case was computed: its `created_at`, event `recorded_at`, clock `updated_at`.
    nows: Vec<DateTime<Utc>>,
}

impl Built {
    fn extend(&mut self, other: Built) {
        self.prepared.extend(other.prepared);
        self.rows.extend(other.rows);
        self.clocks.extend(other.clocks);
        self.nows.extend(other.nows);
    }
}

/// The case rows and clocks of `prepared` as of `now`. Cases received at the same instant have
/// the same clocks, so each distinct instant is computed once.
fn build(mut prepared: Vec<Prepared>, cal: &Calendar, now: DateTime<Utc>) -> Built {
    let mut rows = Vec::with_capacity(prepared.len());
    let mut clocks = Vec::with_capacity(prepared.len());
    let mut by_instant: HashMap<DateTime<Utc>, Vec<ClockRow>> = HashMap::new();
    for p in &mut prepared {
        let computed = by_instant
            .entry(p.received_at)
            .or_insert_with(|| {
                let event = Event::new("received", p.received_at.with_timezone(&beijing()));
                super::clocks::compute(&[event], cal, now)
            })
            .clone();
        let v = &mut p.valid;
        rows.push(NewCase {
            number: String::new(),
            // Only the case row needs these two (taken rather than copied).
            title: std::mem::take(&mut v.title),
            description: std::mem::take(&mut v.description),
            source: v.source.as_str().into(),
            channel: v.channel.as_str().into(),
            region_code: v.region.as_str().into(),
            owner_org_id: p.owner_org_id,
            filer_org_id: p.filer.map(|f| f.0),
            filer_user_id: p.filer.map(|f| f.1),
            created_by_user_id: p.created_by,
            complainant_standing: v.standing.map(|s| s.as_str().to_string()),
            complainant_uscc: p.complainant.as_ref().and_then(|c| c.uscc.clone()),
            srdi_rank: 0,
            facts: serde_json::to_string(&v.facts).unwrap_or_else(|_| "{}".into()),
            received_at: p.received_at,
            next_due_at: computed
                .iter()
                .filter(|c| store::cases::counts_for_urgency(c))
                .map(|c| c.due_at)
                .min(),
            is_demo: p.is_demo,
            created_at: now,
        });
        clocks.push(computed);
    }
    Built {
        nows: vec![now; prepared.len()],
        prepared,
        rows,
        clocks,
    }
}

/// Stores built cases in `txn` with few statements whatever their number: case numbers are
/// reserved per year in one step, SRDI flags looked up once per credit code, and cases, parties,
/// rights, `received` events and clocks go in as multi-row inserts.
async fn store_built(txn: &DatabaseTransaction, built: Built) -> Result<Vec<Filed>> {
    let Built {
        prepared,
        mut rows,
        clocks,
        nows,
    } = built;
    // Reserve numbers: one counter update per year present.
    let years: Vec<i32> = prepared
        .iter()
        .map(|p| p.received_at.with_timezone(&beijing()).year())
        .collect();
    let mut per_year: HashMap<i32, i64> = HashMap::new();
    for year in &years {
        *per_year.entry(*year).or_default() += 1;
    }
    let mut next: HashMap<i32, i64> = HashMap::new();
    for (year, n) in per_year {
        let last = store::cases::reserve_numbers(txn, year, n).await?;
        next.insert(year, last - n + 1);
    }
    let mut srdi_by_uscc: HashMap<String, i16> = HashMap::new();
    for (row, year) in rows.iter_mut().zip(&years) {
        let slot = next.get_mut(year).expect("reserved above");
        row.number = case_domain::case_number(*year, *slot);
        *slot += 1;
        if let Some(u) = &row.complainant_uscc {
            row.srdi_rank = match srdi_by_uscc.get(u) {
                Some(r) => *r,
                None => {
                    let r = store::srdi::best_rank_for_uscc(txn, u).await?;
                    srdi_by_uscc.insert(u.clone(), r);
                    r
                }
            };
        }
    }
    let numbers: Vec<String> = rows.iter().map(|r| r.number.clone()).collect();
    let ids = store::cases::insert_many(txn, rows).await?;
    let mut parties = Vec::new();
    let mut rights = Vec::new();
    let mut events = Vec::with_capacity(prepared.len());
    let mut clock_rows = Vec::with_capacity(prepared.len());
    let mut filed = Vec::with_capacity(prepared.len());
    for (((p, id), (number, computed)), now) in prepared
        .into_iter()
        .zip(ids)
        .zip(numbers.into_iter().zip(clocks))
        .zip(nows)
    {
        if let Some(c) = p.complainant {
            parties.push((id, c));
        }
        for r in p.valid.respondents {
            parties.push((id, party(PartyRole::Respondent, r)));
        }
        for r in p.valid.rights {
            rights.push((
                id,
                NewRight {
                    kind: r.kind.as_str().into(),
                    number: r.number,
                    title: r.title,
                    holder: r.holder,
                },
            ));
        }
        events.push((
            id,
            NewEvent {
                kind: "received".into(),
                at: p.received_at,
                actor_user_id: p.created_by,
                actor_org_id: p.filer.map(|f| f.0).or(Some(p.owner_org_id)),
                public: true,
                payload: json!({"source": p.valid.source.as_str(), "channel": p.valid.channel.as_str()}),
            },
            now,
        ));
        let triage = computed.iter().find(|c| c.rule_id == "triage.decision");
        filed.push(Filed {
            id,
            number,
            version: 1,
            received_at: p.received_at,
            triage_due: triage.map(|c| c.due_at),
            provisional: triage.is_some_and(|c| c.provisional),
        });
        clock_rows.extend(computed.into_iter().map(|c| (id, c, now)));
    }
    store::cases::insert_parties_many(txn, parties).await?;
    store::cases::insert_rights_many(txn, rights).await?;
    store::cases::insert_first_events(txn, events).await?;
    store::cases::insert_clocks_many(txn, clock_rows).await?;
    Ok(filed)
}

/// A case with what the reader may know of it.
pub struct Visible {
    pub case: cases::Model,
    pub facts: CaseFacts,
    pub access: CaseAccess,
}

impl Visible {
    /// Whether `me` may do a workflow `action` (`Work`, `Decide`) on cases like this one, whatever
    /// their triage state: a case still in triage has no workflow steps yet, which the workflow
    /// answers with 409, not 403.
    pub fn works(&self, me: &Identity, action: CaseAction) -> bool {
        let mut worked = self.facts.clone();
        worked.awaiting_triage = false;
        policy::can_on_case(&me.actor, self.access, &worked, action)
    }

    pub fn can(&self, me: &Identity, action: CaseAction) -> bool {
        policy::can_on_case(&me.actor, self.access, &self.facts, action)
    }
}

/// The version a write that expects `expected` builds on: the case's current version when it is
/// `expected`, or when only reads of evidence (views, downloads, exports) were recorded since, so
/// that an officer's open form does not go stale because someone downloaded a file. Otherwise
/// `expected` itself, which the write then finds stale.
pub async fn settle_version(db: &Db, case: &cases::Model, expected: i64) -> Result<i64> {
    if expected >= case.version {
        return Ok(expected);
    }
    let kinds = store::cases::event_kinds_after(db.conn(), case.id, expected).await?;
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    let settles = crate::domain::evidence::version_settles(expected, case.version, &kinds);
    Ok(if settles { case.version } else { expected })
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

/// Everything on a case page.
pub struct Detail {
    pub visible: Visible,
    pub parties: Vec<case_parties::Model>,
    pub rights: Vec<case_rights::Model>,
    pub shares: Vec<(case_shares::Model, Option<organizations::Model>)>,
    pub clocks: Vec<case_clocks::Model>,
    pub owner: Option<organizations::Model>,
    pub referred_to: Option<organizations::Model>,
    pub merged_into: Option<cases::Model>,
}

pub async fn detail(db: &Db, me: &Identity, id: i64) -> Result<Detail> {
    let visible = visible(db, me, id).await?;
    let conn = db.conn();
    let c = &visible.case;
    let parties = store::cases::parties(conn, id).await?;
    let rights = store::cases::rights(conn, id).await?;
    let filer = visible.access == CaseAccess::Filer;
    let shares = if filer {
        Vec::new()
    } else {
        store::cases::active_shares(conn, id).await?
    };
    let clocks = store::cases::clocks(conn, id).await?;
    let mut org_ids: Vec<i64> = shares.iter().map(|s| s.org_id).collect();
    org_ids.push(c.owner_org_id);
    org_ids.extend(c.referred_to_org_id);
    let orgs = store::orgs::by_ids(conn, org_ids).await?;
    let org = |id: i64| orgs.iter().find(|o| o.id == id).cloned();
    let merged_into = match c.merged_into_case_id {
        Some(m) => store::cases::find(conn, m).await?,
        None => None,
    };
    Ok(Detail {
        owner: org(c.owner_org_id),
        referred_to: c.referred_to_org_id.and_then(org),
        shares: shares
            .into_iter()
            .map(|s| {
                let o = org(s.org_id);
                (s, o)
            })
            .collect(),
        parties,
        rights,
        clocks,
        merged_into,
        visible,
    })
}

/// The timeline; the filing enterprise sees the public events only.
pub async fn events(db: &Db, me: &Identity, id: i64) -> Result<Vec<case_events::Model>> {
    let v = visible(db, me, id).await?;
    Ok(store::cases::events(db.conn(), id, v.access == CaseAccess::Filer).await?)
}

/// Filters of a case list, as asked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub queue: Option<String>,
    pub state: Option<String>,
    /// `YYYY-MM-DD`: cases with a clock due before the end of that day (Beijing time).
    pub due_before: Option<String>,
    pub overdue: Option<bool>,
    /// `me`: cases assigned to the caller.
    pub assignee: Option<String>,
    pub srdi: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A page of cases.
pub struct Page {
    pub items: Vec<cases::Model>,
    pub next_cursor: Option<String>,
}

/// The visible cases matching `q`, most urgent first, SRDI first among equally urgent.
pub async fn list(db: &Db, me: &Identity, q: &ListQuery) -> Result<Page> {
    let mut f = store::cases::Filter::default();
    if let Some(queue) = q.queue.as_deref().filter(|s| !s.is_empty()) {
        Queue::parse(queue).ok_or_else(|| AppError::field("queue", "error.case.queue"))?;
        f.queue = Some(queue.to_string());
    }
    if let Some(state) = q.state.as_deref().filter(|s| !s.is_empty()) {
        if state.len() > 32 || !state.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(AppError::field("state", "error.case.state"));
        }
        f.state = Some(state.to_string());
    }
    if let Some(d) = q.due_before.as_deref().filter(|s| !s.is_empty()) {
        let date = super::calendar::parse_date("due_before", d)?;
        f.due_before = Some(crate::domain::deadline::end_of_day(date).with_timezone(&Utc));
    }
    if q.overdue == Some(true) {
        f.overdue_at = Some(store::now());
    }
    match q.assignee.as_deref() {
        None | Some("") => {}
        Some("me") => f.assignee = Some(me.user.id),
        Some(_) => return Err(AppError::field("assignee", "error.case.assignee")),
    }
    f.srdi = q.srdi == Some(true);
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "error.limit"));
    }
    let offset = match q.cursor.as_deref().filter(|s| !s.is_empty()) {
        Some(c) => decode_cursor(c).ok_or_else(|| AppError::field("cursor", "error.cursor"))?,
        None => 0,
    };
    let mut items = store::cases::list(db.conn(), &me.actor, &f, offset, limit + 1).await?;
    let next_cursor = (items.len() as u64 > limit).then(|| encode_cursor(offset + limit));
    items.truncate(limit as usize);
    Ok(Page { items, next_cursor })
}

/// The triage workbench: cases waiting for triage that `me` may see, by triage deadline.
pub async fn awaiting_triage(db: &Db, me: &Identity, limit: u64) -> Result<Vec<cases::Model>> {
    let f = store::cases::Filter {
        awaiting_triage: true,
        ..Default::default()
    };
    Ok(store::cases::list(db.conn(), &me.actor, &f, 0, limit).await?)
}

fn encode_cursor(offset: u64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

fn decode_cursor(c: &str) -> Option<u64> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix("o:")?
        .parse()
        .ok()
}

/// Running clocks of the given cases, for deadline badges on lists.
pub async fn clocks_of(db: &Db, ids: Vec<i64>) -> Result<HashMap<i64, Vec<case_clocks::Model>>> {
    let mut map: HashMap<i64, Vec<case_clocks::Model>> = HashMap::new();
    for c in store::cases::clocks_of(db.conn(), ids).await? {
        map.entry(c.case_id).or_default().push(c);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(super::decode_cursor(&super::encode_cursor(150)), Some(150));
        assert_eq!(super::decode_cursor("not-a-cursor"), None);
        assert_eq!(super::decode_cursor(""), None);
    }

    /// Filings made at the same time share write transactions: each still gets its own case,
    /// number, `received` event, clocks and audit entry, and the chain stays intact.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_filings_are_stored_together_each_with_its_own_case() {
        use crate::service::{Identity, RequestMeta, Via, admin::Caller, calendar::Calendars};
        use crate::store::{self, Db};
        use migration::{Migrator, MigratorTrait};
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url, 4).await.unwrap();
        Migrator::up(db.conn(), None).await.unwrap();
        crate::service::demo::load(&db).await.unwrap();
        let calendars = Calendars::load(&db).await.unwrap();
        let user = store::users::by_username(db.conn(), "demo-enterprise")
            .await
            .unwrap()
            .unwrap();
        let (user, org) = store::users::with_org(db.conn(), user.id)
            .await
            .unwrap()
            .unwrap();
        let me = Identity::from_rows(user, org, Via::Cli).unwrap();
        let input: crate::domain::case::intake::CaseInput = serde_json::from_value(serde_json::json!({
            "description": "被请求人未经许可，在其网店许诺销售与涉案专利相同的锂电池隔膜。",
            "channel": "e_commerce",
            "region_code": "320612",
            "complainant_standing": "patentee",
            "rights": [{"kind": "invention_patent", "number": "ZL202310123456.6", "title": "一种锂电池隔膜"}],
            "respondents": [{"name": "某某科技有限公司"}]
        }))
        .unwrap();
        let before = store::cases::count(db.conn()).await.unwrap();
        let meta = RequestMeta::cli("test");
        let filed = futures::future::join_all(
            (0..40).map(|_| super::file_complaint(&db, &calendars, &me, input.clone(), &meta)),
        )
        .await;
        let filed: Vec<super::Filed> = filed.into_iter().map(|f| f.unwrap()).collect();
        let mut numbers: Vec<&str> = filed.iter().map(|f| f.number.as_str()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), 40);
        assert_eq!(store::cases::count(db.conn()).await.unwrap(), before + 40);
        for f in &filed {
            let case = store::cases::find(db.conn(), f.id).await.unwrap().unwrap();
            assert_eq!(case.number, f.number);
            assert_eq!(
                (case.received_at, case.created_at),
                (f.received_at, f.received_at)
            );
            assert_eq!(
                store::cases::events(db.conn(), f.id, false)
                    .await
                    .unwrap()
                    .len(),
                1
            );
            assert_eq!(
                store::cases::parties(db.conn(), f.id).await.unwrap().len(),
                2
            );
            let clocks = store::cases::clocks(db.conn(), f.id).await.unwrap();
            assert_eq!(clocks.len(), 1);
            assert_eq!(Some(clocks[0].due_at), f.triage_due);
        }
        let audit = store::audit::page_after(db.conn(), 0, 10_000)
            .await
            .unwrap();
        let mut targets: Vec<&str> = audit
            .iter()
            .filter(|e| e.action == "complaint.file" && e.actor == "demo-enterprise")
            .map(|e| e.target_id.as_str())
            .collect();
        targets.sort_unstable();
        assert_eq!(targets, numbers);
        let report = crate::service::audit::verify(&db, Caller::Operator, None)
            .await
            .unwrap();
        assert!(report.broken.is_none());
    }
}
