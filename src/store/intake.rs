//! Storing new cases: many at once in few statements (filings stored together, lead imports), and
//! the queue through which concurrent filings share one write transaction (group commit).

use super::audit::NewEntry;
use super::bulk::{Bulk, insert_rows};
use super::case_log::{CLOCK_COLUMNS, ClockRow, NewEvent, clock_values};
use super::{Db, outbox};
use crate::domain::case::intake::Facts;
use crate::domain::case::{
    self, CaseState, Channel, PartyRole, Queue, RightKind, ShareAccess, ShareOrigin, Source,
    Standing,
};
use crate::domain::report::rollup;
use crate::domain::time::day_of;
use chrono::{DateTime, Datelike, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement, Value};
use std::collections::HashMap;
use tokio::sync::oneshot;

/// A case as first stored: in `triage`/`new`, at version 1 (its `received` event).
#[derive(Debug, Clone)]
pub struct NewCase {
    pub title: String,
    pub description: String,
    pub source: Source,
    pub channel: Channel,
    pub region_code: String,
    /// Where the case starts: triage, or an exhibition's queue for a complaint at its station.
    pub queue: Queue,
    pub state: CaseState,
    pub exhibition_id: Option<i64>,
    pub owner_org_id: i64,
    pub filer_org_id: Option<i64>,
    pub filer_user_id: Option<i64>,
    pub created_by_user_id: Option<i64>,
    pub standing: Option<Standing>,
    pub complainant_uscc: Option<String>,
    pub facts: Facts,
    pub received_at: DateTime<Utc>,
    pub is_demo: bool,
}

/// A party as stored.
#[derive(Debug, Clone)]
pub struct NewParty {
    pub role: PartyRole,
    pub name: String,
    pub uscc: Option<String>,
    pub address: Option<String>,
    pub listing_url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// A right as stored.
#[derive(Debug, Clone)]
pub struct NewRight {
    pub kind: RightKind,
    pub number: Option<String>,
    pub title: String,
    pub holder: Option<String>,
}

/// A new case with everything stored with it; its number (see [`reserve_for`]) and SRDI rank
/// are found when it is stored.
#[derive(Debug, Clone)]
pub struct NewFiling {
    pub case: NewCase,
    pub parties: Vec<NewParty>,
    pub rights: Vec<NewRight>,
    /// Its first event (`received`).
    pub received: NewEvent,
    pub clocks: Vec<ClockRow>,
    /// The consultation it was made from, linked to the case in the same transaction.
    pub consultation_id: Option<i64>,
    /// The workstation that took it in for its centre and who did: the case is shared with the
    /// workstation for reading in the same transaction.
    pub taken_in_by: Option<(i64, i64)>,
    /// When it was computed: the case's `created_at`, the event's `recorded_at`, the clocks'
    /// `updated_at`. Filings stored together keep their own.
    pub now: DateTime<Utc>,
}

/// A stored case: its id and number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub number: String,
}

/// Reserves `n` case numbers of `year`; returns the last one (the block is `last-n+1 ..= last`).
/// Concurrent writers queue on the counter row and never share a number: a filing takes its
/// number inside its write transaction (no gaps), an import batch in a statement of its own
/// before its transaction (see [`reserve_for`]).
pub async fn reserve_numbers<C: ConnectionTrait>(db: &C, year: i32, n: i64) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let sql = "INSERT INTO case_numbers (year, last) VALUES ($1, $2) \
               ON CONFLICT (year) DO UPDATE SET last = case_numbers.last + $2 RETURNING last";
    let (sql, values) = match backend {
        DbBackend::Postgres => (sql.to_string(), vec![year.into(), n.into()]),
        _ => (
            sql.replacen("$1", "?", 1)
                .replacen("$2", "?", 1)
                .replacen("$2", "?", 1),
            vec![year.into(), n.into(), n.into()],
        ),
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .ok_or_else(|| DbErr::Custom("case number counter returned nothing".into()))?;
    row.try_get_by_index::<i64>(0)
}

/// The first case number of each year of receipt reserved for a set of filings, in the order
/// they are given.
#[derive(Debug, Clone, Default)]
pub struct Reserved(HashMap<i32, i64>);

/// The year of receipt of each filing (its case number's year).
fn years_of(filings: &[NewFiling]) -> Vec<i32> {
    filings
        .iter()
        .map(|f| day_of(f.case.received_at).year())
        .collect()
}

/// Reserves the case numbers `filings` need, one statement per year of receipt. In a write
/// transaction the year's counter stays locked until it commits; on a pool (`db`), each
/// statement commits at once, and numbers reserved for filings that are then not stored are
/// never used (a gap in the year's numbers).
pub async fn reserve_for<C: ConnectionTrait>(
    db: &C,
    filings: &[NewFiling],
) -> Result<Reserved, DbErr> {
    let mut per_year: Vec<(i32, i64)> = Vec::new();
    for year in years_of(filings) {
        match per_year.iter_mut().find(|(y, _)| *y == year) {
            Some((_, n)) => *n += 1,
            None => per_year.push((year, 1)),
        }
    }
    // Years in order, so that two writers reserving for the same years never wait for each
    // other in a circle.
    per_year.sort_unstable();
    let mut first = HashMap::new();
    for (year, n) in per_year {
        let last = reserve_numbers(db, year, n).await?;
        first.insert(year, last - n + 1);
    }
    Ok(Reserved(first))
}

/// What [`insert_filed`] stored: the cases, and what each counts in the rollups.
#[derive(Debug, Default)]
pub struct Inserted {
    pub stored: Vec<Stored>,
    facts: Vec<(i64, rollup::Facts)>,
}

/// Stores new cases in `txn` with few statements whatever their number, and counts them in the
/// rollups: numbers reserved per year of receipt in one step each (inside `txn`), then
/// [`insert_filed`] and [`count_inserted`].
pub async fn insert<W: Bulk>(txn: &W, filings: Vec<NewFiling>) -> Result<Vec<Stored>, DbErr> {
    let numbers = reserve_for(txn, &filings).await?;
    let inserted = insert_filed(txn, filings, numbers).await?;
    count_inserted(txn, inserted).await
}

/// Counts cases just stored by [`insert_filed`] in the rollups (in the same transaction).
pub async fn count_inserted<W: Bulk>(txn: &W, inserted: Inserted) -> Result<Vec<Stored>, DbErr> {
    super::rollup::count_new(txn, rollup::standard(), inserted.facts).await?;
    Ok(inserted.stored)
}

/// Stores new cases under the `numbers` reserved for them, with few statements whatever their
/// number: SRDI ranks looked up once per credit code, and cases, parties, rights, `received`
/// events (with their outbox rows) and clocks written in bulk (`Bulk`). Not yet counted in the
/// rollups (see [`count_inserted`]). For a batch of imported leads (no consultation, no
/// workstation) nothing here locks a row another writer takes.
pub async fn insert_filed<W: Bulk>(
    txn: &W,
    filings: Vec<NewFiling>,
    numbers: Reserved,
) -> Result<Inserted, DbErr> {
    let years = years_of(&filings);
    let mut next = numbers.0;
    let mut numbers = Vec::with_capacity(filings.len());
    let mut ranks = Vec::with_capacity(filings.len());
    let mut srdi_by_uscc: HashMap<String, i16> = HashMap::new();
    for (f, year) in filings.iter().zip(&years) {
        let slot = next
            .get_mut(year)
            .ok_or_else(|| DbErr::Custom(format!("no case number reserved for {year}")))?;
        numbers.push(case::case_number(*year, *slot));
        *slot += 1;
        let rank = match &f.case.complainant_uscc {
            None => 0,
            Some(u) => match srdi_by_uscc.get(u) {
                Some(r) => *r,
                None => {
                    let r = super::srdi::best_rank_for_uscc(txn, u).await?;
                    srdi_by_uscc.insert(u.clone(), r);
                    r
                }
            },
        };
        ranks.push(rank);
    }
    let ids = insert_cases(txn, &filings, &numbers, &ranks).await?;
    let mut owners: Vec<i64> = filings.iter().map(|f| f.case.owner_org_id).collect();
    owners.sort_unstable();
    owners.dedup();
    let regions = super::orgs::regions(txn, &owners).await?;
    let facts: Vec<(i64, rollup::Facts)> = filings
        .iter()
        .zip(&ids)
        .zip(&ranks)
        .map(|((f, id), rank)| {
            let region = regions.get(&f.case.owner_org_id).map(String::as_str);
            (*id, counted_facts(f, *rank, region))
        })
        .collect();
    let mut parties = Vec::new();
    let mut rights = Vec::new();
    let mut events = Vec::with_capacity(filings.len());
    let mut clocks = Vec::with_capacity(filings.len());
    let mut stored = Vec::with_capacity(filings.len());
    let mut consulted = Vec::new();
    let mut taken_in = Vec::new();
    for ((f, id), number) in filings.into_iter().zip(ids).zip(numbers) {
        if let Some(c) = f.consultation_id {
            consulted.push((c, id, f.now));
        }
        if let Some((station, by)) = f.taken_in_by {
            taken_in.push((id, station, by, f.now));
        }
        parties.extend(f.parties.into_iter().map(|p| (id, p)));
        rights.extend(f.rights.into_iter().map(|r| (id, r)));
        events.push((id, f.received, f.now));
        clocks.extend(f.clocks.into_iter().map(|c| (id, c, f.now)));
        stored.push(Stored { id, number });
    }
    insert_parties(txn, parties).await?;
    insert_rights(txn, rights).await?;
    insert_first_events(txn, events).await?;
    insert_clocks(txn, clocks).await?;
    for (case_id, station, by, now) in taken_in {
        super::case_parts::insert_share(
            txn,
            case_id,
            station,
            ShareAccess::Read,
            ShareOrigin::Procedure,
            by,
            now,
        )
        .await?;
    }
    for (consultation, case_id, now) in consulted {
        // Checked just before by the service; of two conversions at the same moment, the first
        // keeps the link and the second is an ordinary case (triage merges it as a duplicate).
        super::consultations::link_case(txn, consultation, case_id, now).await?;
    }
    Ok(Inserted { stored, facts })
}

/// What a new case counts in the statistics' rollups: what `rollup::facts_of` reads back once
/// it is stored (its `received` event, its clocks and rights; no shares but those procedures
/// make, no decision), computed from the filing instead. `owner_region` is its owning office's.
fn counted_facts(f: &NewFiling, srdi_rank: i16, owner_region: Option<&str>) -> rollup::Facts {
    let c = &f.case;
    let mut cl: Vec<(String, String)> = f
        .clocks
        .iter()
        .map(|k| (k.rule_id.clone(), k.state.as_str().to_string()))
        .collect();
    cl.sort();
    cl.dedup();
    let mut rt: Vec<String> = f
        .rights
        .iter()
        .map(|r| r.kind.as_str().to_string())
        .collect();
    rt.sort();
    rt.dedup();
    let overseas = c.facts.overseas.as_ref();
    rollup::Facts {
        o: c.owner_org_id,
        r: day_of(c.received_at),
        c: None,
        q: c.queue.as_str().to_string(),
        s: c.state.as_str().to_string(),
        src: c.source.as_str().to_string(),
        ch: c.channel.as_str().to_string(),
        rg: c.region_code.clone(),
        k: srdi_rank,
        x: c.exhibition_id,
        f: c.filer_org_id,
        e: vec![f.received.kind.as_str().to_string()],
        cl,
        rt,
        sh: false,
        et: Vec::new(),
        df: false,
        xr: crate::domain::region::cross_region(&c.region_code, owner_region),
        og: overseas.map(|o| o.category.clone()),
        oc: overseas.map(|o| o.country.clone()),
    }
}

/// A write transaction for lead imports: batches of leads go in by `COPY` on PostgreSQL and by
/// prepared single-row statements on SQLite, each with its audit entry (made from the cases
/// stored), and nothing is stored until it commits.
///
/// On SQLite, whose one writer keeps every other writer out, several batches may share a
/// transaction: [`ImportTxn::store`] each, then [`ImportTxn::commit`]. On PostgreSQL each batch
/// has a transaction of its own, so that several can be written at once on their own
/// connections: [`ImportTxn::stage`] writes the rows under numbers reserved beforehand (nothing
/// another writer locks), [`ImportTxn::finish`] counts them, audits and commits — batch after
/// batch in file order, each holding the rollup counters and the audit chain's lock only for
/// that last moment.
pub enum ImportTxn {
    Postgres(super::txn::OwnTxn<sea_orm::sqlx::Postgres>),
    Sqlite(super::txn::OwnTxn<sea_orm::sqlx::Sqlite>),
}

/// How many import transactions may be open at once, each on a connection of its own: on
/// PostgreSQL all but one of the pool's connections (the one left reserves case numbers and
/// serves everything else), at least one; on SQLite one (its one writer).
pub fn import_connections(db: &Db) -> usize {
    if db.backend() == DbBackend::Postgres {
        let pool = db.conn().get_postgres_connection_pool();
        (pool.options().get_max_connections() as usize)
            .saturating_sub(1)
            .max(1)
    } else {
        1
    }
}

impl ImportTxn {
    /// Begins the transaction on a connection of its own (SQLite: the writer's).
    pub async fn begin(db: &Db) -> Result<Self, DbErr> {
        use super::txn::OwnTxn;
        Ok(if db.backend() == DbBackend::Postgres {
            Self::Postgres(
                OwnTxn::<sea_orm::sqlx::Postgres>::begin(db.conn().get_postgres_connection_pool())
                    .await?,
            )
        } else {
            Self::Sqlite(OwnTxn::<sea_orm::sqlx::Sqlite>::begin(db.sqlite_write_pool()).await?)
        })
    }

    /// Stores a batch of leads with its audit entry, numbers reserved in the transaction.
    pub async fn store<F>(&self, filings: Vec<NewFiling>, audit: F) -> Result<Vec<Stored>, DbErr>
    where
        F: FnOnce(&[Stored]) -> NewEntry + Send,
    {
        async fn store_in<W: Bulk>(
            txn: &W,
            filings: Vec<NewFiling>,
            audit: impl FnOnce(&[Stored]) -> NewEntry,
        ) -> Result<Vec<Stored>, DbErr> {
            let stored = insert(txn, filings).await?;
            super::audit::append(txn, audit(&stored)).await?;
            Ok(stored)
        }
        match self {
            Self::Postgres(txn) => store_in(txn, filings, audit).await,
            Self::Sqlite(txn) => store_in(txn, filings, audit).await,
        }
    }

    /// Writes a batch's rows under `numbers` (see [`reserve_for`]), not yet counted or
    /// audited.
    pub async fn stage(
        &self,
        filings: Vec<NewFiling>,
        numbers: Reserved,
    ) -> Result<Inserted, DbErr> {
        match self {
            Self::Postgres(txn) => insert_filed(txn, filings, numbers).await,
            Self::Sqlite(txn) => insert_filed(txn, filings, numbers).await,
        }
    }

    /// Counts a staged batch in the rollups, appends its audit entry and commits.
    pub async fn finish<F>(self, staged: Inserted, audit: F) -> Result<Vec<Stored>, DbErr>
    where
        F: FnOnce(&[Stored]) -> NewEntry + Send,
    {
        async fn finish_in<W: Bulk>(
            txn: &W,
            staged: Inserted,
            audit: impl FnOnce(&[Stored]) -> NewEntry,
        ) -> Result<Vec<Stored>, DbErr> {
            let stored = count_inserted(txn, staged).await?;
            super::audit::append(txn, audit(&stored)).await?;
            Ok(stored)
        }
        let stored = match &self {
            Self::Postgres(txn) => finish_in(txn, staged, audit).await?,
            Self::Sqlite(txn) => finish_in(txn, staged, audit).await?,
        };
        self.commit().await?;
        Ok(stored)
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        match self {
            Self::Postgres(txn) => txn.commit().await,
            Self::Sqlite(txn) => txn.commit().await,
        }
    }
}

/// Inserts the case rows; returns their ids in the order given: taken before (a `COPY`), or read
/// back with `RETURNING` and matched by case number, so the order in which the database returns
/// them does not matter.
async fn insert_cases<W: Bulk>(
    db: &W,
    filings: &[NewFiling],
    numbers: &[String],
    ranks: &[i16],
) -> Result<Vec<i64>, DbErr> {
    const COLS: [&str; 28] = [
        "id",
        "number",
        "title",
        "description",
        "source",
        "channel",
        "region_code",
        "queue",
        "state",
        "owner_org_id",
        "filer_org_id",
        "filer_user_id",
        "created_by_user_id",
        "assignee_user_id",
        "complainant_standing",
        "complainant_uscc",
        "srdi_rank",
        "facts",
        "referred_to_org_id",
        "merged_into_case_id",
        "exhibition_id",
        "next_due_at",
        "received_at",
        "closed_at",
        "version",
        "is_demo",
        "created_at",
        "updated_at",
    ];
    let taken = db.take_ids("cases", filings.len()).await?;
    let mut values = Vec::with_capacity(filings.len() * COLS.len());
    for (i, ((f, number), rank)) in filings.iter().zip(numbers).zip(ranks).enumerate() {
        let c = &f.case;
        if let Some(ids) = &taken {
            values.push(Value::from(ids[i]));
        }
        values.extend([
            Value::from(number.clone()),
            c.title.clone().into(),
            c.description.clone().into(),
            c.source.as_str().into(),
            c.channel.as_str().into(),
            c.region_code.clone().into(),
            c.queue.as_str().into(),
            c.state.as_str().into(),
            c.owner_org_id.into(),
            c.filer_org_id.into(),
            c.filer_user_id.into(),
            c.created_by_user_id.into(),
            Option::<i64>::None.into(),
            c.standing.map(|s| s.as_str().to_string()).into(),
            c.complainant_uscc.clone().into(),
            (*rank).into(),
            serde_json::to_string(&c.facts)
                .unwrap_or_else(|_| "{}".into())
                .into(),
            Option::<i64>::None.into(),
            Option::<i64>::None.into(),
            c.exhibition_id.into(),
            super::case_log::next_due(&f.clocks).into(),
            c.received_at.into(),
            Option::<DateTime<Utc>>::None.into(),
            1i64.into(),
            c.is_demo.into(),
            f.now.into(),
            f.now.into(),
        ]);
    }
    if let Some(ids) = taken {
        db.insert_values("cases", &COLS, values).await?;
        return Ok(ids);
    }
    let found = insert_rows(
        db,
        "cases",
        &COLS[1..],
        values,
        " RETURNING \"id\", \"number\"",
    )
    .await?;
    let mut ids = HashMap::with_capacity(found.len());
    for row in found {
        let id: i64 = row.try_get_by_index(0)?;
        let number: String = row.try_get_by_index(1)?;
        ids.insert(number, id);
    }
    numbers
        .iter()
        .map(|n| {
            ids.get(n)
                .copied()
                .ok_or_else(|| DbErr::Custom(format!("case {n} not found after insert")))
        })
        .collect()
}

/// Inserts parties of many cases; positions count per case and role.
async fn insert_parties<W: Bulk>(db: &W, parties: Vec<(i64, NewParty)>) -> Result<(), DbErr> {
    const COLS: [&str; 9] = [
        "case_id",
        "role",
        "position",
        "name",
        "uscc",
        "address",
        "listing_url",
        "contact_name",
        "contact_phone",
    ];
    let mut position: HashMap<(i64, PartyRole), i32> = HashMap::new();
    let mut values = Vec::with_capacity(parties.len() * COLS.len());
    for (case_id, p) in parties {
        let pos = position.entry((case_id, p.role)).or_default();
        *pos += 1;
        values.extend([
            Value::from(case_id),
            p.role.as_str().into(),
            (*pos - 1).into(),
            p.name.into(),
            p.uscc.into(),
            p.address.into(),
            p.listing_url.into(),
            p.contact_name.into(),
            p.contact_phone.into(),
        ]);
    }
    db.insert_values("case_parties", &COLS, values).await
}

/// Inserts rights of many cases.
async fn insert_rights<W: Bulk>(db: &W, rights: Vec<(i64, NewRight)>) -> Result<(), DbErr> {
    const COLS: [&str; 6] = ["case_id", "position", "kind", "number", "title", "holder"];
    let mut position: HashMap<i64, i32> = HashMap::new();
    let mut values = Vec::with_capacity(rights.len() * COLS.len());
    for (case_id, r) in rights {
        let pos = position.entry(case_id).or_default();
        *pos += 1;
        values.extend([
            Value::from(case_id),
            (*pos - 1).into(),
            r.kind.as_str().into(),
            r.number.into(),
            r.title.into(),
            r.holder.into(),
        ]);
    }
    db.insert_values("case_rights", &COLS, values).await
}

/// Inserts the first event (seq 1) of many new cases, each with when it is recorded, and their
/// outbox rows: a new case is searchable like every later change.
async fn insert_first_events<W: Bulk>(
    db: &W,
    events: Vec<(i64, NewEvent, DateTime<Utc>)>,
) -> Result<(), DbErr> {
    const COLS: [&str; 9] = [
        "case_id",
        "seq",
        "kind",
        "at",
        "recorded_at",
        "actor_user_id",
        "actor_org_id",
        "public",
        "payload",
    ];
    let mut values = Vec::with_capacity(events.len() * COLS.len());
    let mut changed = Vec::with_capacity(events.len());
    for (case_id, e, recorded_at) in events {
        changed.push((case_id, recorded_at));
        values.extend([
            Value::from(case_id),
            1i64.into(),
            e.kind.as_str().into(),
            e.at.into(),
            recorded_at.into(),
            e.actor_user_id.into(),
            e.actor_org_id.into(),
            e.public.into(),
            e.payload.to_string().into(),
        ]);
    }
    db.insert_values("case_events", &COLS, values).await?;
    db.insert_values("search_outbox", &outbox::COLUMNS, outbox::values(changed))
        .await
}

/// Inserts the clocks of many new cases, each with when it was computed.
async fn insert_clocks<W: Bulk>(
    db: &W,
    clocks: Vec<(i64, ClockRow, DateTime<Utc>)>,
) -> Result<(), DbErr> {
    let mut values = Vec::with_capacity(clocks.len() * CLOCK_COLUMNS.len());
    for (case_id, c, updated_at) in clocks {
        values.extend(clock_values(case_id, c, updated_at));
    }
    db.insert_values("case_clocks", &CLOCK_COLUMNS, values)
        .await
}

/// Stores one filing with its audit entry and answers when it is on disk.
///
/// Filings share write transactions (group commit): each request queues its filing and waits; a
/// flusher task takes every filing queued by the time it holds the write transaction, stores
/// them together (numbers, rows, one audit entry each naming its case number, in queue order),
/// commits once and answers each. Under load one commit (one fsync on SQLite) serves many
/// filings; alone, a filing is stored at once in a transaction of its own. If a shared
/// transaction fails, its filings are stored again one by one, so one filing's error never
/// becomes another's.
pub async fn submit(db: &Db, filing: NewFiling, audit: NewEntry) -> Result<Stored, DbErr> {
    let queue = db.write_queue::<Waiting>();
    let (done, answer) = oneshot::channel();
    let (id, start_flusher) = queue.push(filing, audit, done);
    if start_flusher {
        tokio::spawn(flush(db.clone()));
    }
    // A request given up while its filing still waits takes the filing out of the queue.
    let _unqueue = Unqueue { queue, id };
    answer
        .await
        .unwrap_or_else(|_| Err(DbErr::Custom("the filing was not stored".into())))
}

/// Filings waiting for a write transaction, one queue per database.
#[derive(Default)]
struct Waiting {
    state: std::sync::Mutex<WaitingState>,
}

#[derive(Default)]
struct WaitingState {
    filings: Vec<Queued>,
    next_id: u64,
    /// A flusher task is running; it stops when it finds the queue empty.
    flushing: bool,
}

/// A filing, its audit entry and where to send the outcome.
struct Queued {
    id: u64,
    filing: NewFiling,
    audit: NewEntry,
    done: oneshot::Sender<Result<Stored, DbErr>>,
}

impl Waiting {
    fn lock(&self) -> std::sync::MutexGuard<'_, WaitingState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a filing; returns its id and whether a flusher must be started.
    fn push(
        &self,
        filing: NewFiling,
        audit: NewEntry,
        done: oneshot::Sender<Result<Stored, DbErr>>,
    ) -> (u64, bool) {
        let mut st = self.lock();
        st.next_id += 1;
        let id = st.next_id;
        st.filings.push(Queued {
            id,
            filing,
            audit,
            done,
        });
        let start = !st.flushing;
        st.flushing = true;
        (id, start)
    }

    /// Every waiting filing, or `None` (and the flusher stops) when there is none.
    fn take(&self) -> Option<Vec<Queued>> {
        let mut st = self.lock();
        if st.filings.is_empty() {
            st.flushing = false;
            return None;
        }
        Some(std::mem::take(&mut st.filings))
    }
}

/// Takes a filing out of the queue when its request is dropped before it was taken.
struct Unqueue<'a> {
    queue: &'a Waiting,
    id: u64,
}

impl Drop for Unqueue<'_> {
    fn drop(&mut self) {
        self.queue.lock().filings.retain(|f| f.id != self.id);
    }
}

/// Stores queued filings until the queue is empty: all those waiting when the write transaction
/// is obtained go into it.
async fn flush(db: Db) {
    use futures::FutureExt;
    let queue = db.write_queue::<Waiting>();
    loop {
        let txn = db.begin_write().await;
        let Some(filings) = queue.take() else {
            return;
        };
        // A panic fails the filings taken (their requests get an error), not the queue.
        let _ = std::panic::AssertUnwindSafe(store_queued(&db, txn.ok(), filings))
            .catch_unwind()
            .await;
    }
}

/// Stores `queued` together in `txn`, or one by one when that fails (or there is no `txn`), and
/// answers each.
async fn store_queued(db: &Db, mut txn: Option<DatabaseTransaction>, queued: Vec<Queued>) {
    if queued.len() > 1
        && let Some(shared) = txn.take()
    {
        let filings = queued.iter().map(|q| q.filing.clone()).collect();
        let audits = queued.iter().map(|q| q.audit.clone()).collect();
        if let Ok(stored) = store_with_audit(db, Some(shared), filings, audits).await {
            for (q, s) in queued.into_iter().zip(stored) {
                let _ = q.done.send(Ok(s));
            }
            return;
        }
        // The shared transaction was rolled back; each filing is stored on its own below.
    }
    for q in queued {
        let r = store_with_audit(db, txn.take(), vec![q.filing], vec![q.audit])
            .await
            .and_then(|mut s| {
                s.pop()
                    .ok_or_else(|| DbErr::Custom("no case stored".into()))
            });
        let _ = q.done.send(r);
    }
}

/// Stores `filings` with one audit entry each (in order, naming its number) in `txn`, or in a new
/// write transaction, and commits.
async fn store_with_audit(
    db: &Db,
    txn: Option<DatabaseTransaction>,
    filings: Vec<NewFiling>,
    audits: Vec<NewEntry>,
) -> Result<Vec<Stored>, DbErr> {
    let txn = match txn {
        Some(t) => t,
        None => db.begin_write().await?,
    };
    let stored = insert(&txn, filings).await?;
    for (s, mut entry) in stored.iter().zip(audits) {
        entry.target_id = s.number.clone();
        super::audit::append(&txn, entry).await?;
    }
    txn.commit().await?;
    Ok(stored)
}
