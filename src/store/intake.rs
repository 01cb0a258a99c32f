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
#[derive(Debug, Clone)]
pub struct Reserved(HashMap<i32, i64>);

/// Reserves the case numbers of filings received in `years` (one year per filing), one
/// statement per year. In a write transaction the year's counter stays locked until it commits;
/// on a pool (`db`), each statement commits at once, and numbers reserved for filings that are
/// then not stored are never used (a gap in the year's numbers).
pub async fn reserve_for<C: ConnectionTrait>(db: &C, years: &[i32]) -> Result<Reserved, DbErr> {
    let mut per_year: Vec<(i32, i64)> = Vec::new();
    for year in years {
        match per_year.iter_mut().find(|(y, _)| y == year) {
            Some((_, n)) => *n += 1,
            None => per_year.push((*year, 1)),
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

/// What [`insert_built`] stored: the cases, and what they count in the rollups.
#[derive(Debug)]
pub struct Inserted {
    pub stored: Vec<Stored>,
    /// `report_case_facts` rows: each case's id and the text of its facts.
    facts: Vec<Value>,
    deltas: HashMap<rollup::Key, i64>,
}

/// Stores new cases in `txn` with few statements whatever their number, and counts them in the
/// rollups: their rows built ([`Built::new`], with the owning offices' regions read in `txn`),
/// numbers reserved per year of receipt in one step each (inside `txn`), then stored and
/// counted ([`count_inserted`]).
pub async fn insert<W: Bulk>(txn: &W, filings: Vec<NewFiling>) -> Result<Vec<Stored>, DbErr> {
    let owners = owners_of(filings.iter().map(|f| f.case.owner_org_id));
    let regions = super::orgs::regions(txn, &owners).await?;
    let built = Built::new(filings, &regions);
    let numbers = reserve_for(txn, &built.years()).await?;
    let inserted = store_built(txn, built, numbers, Some(regions)).await?;
    count_inserted(txn, inserted).await
}

/// The distinct offices of `ids`, in order.
fn owners_of(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut owners: Vec<i64> = ids.collect();
    owners.sort_unstable();
    owners.dedup();
    owners
}

/// Counts cases just stored by [`insert_built`] in the rollups (in the same transaction).
pub async fn count_inserted<W: Bulk>(txn: &W, inserted: Inserted) -> Result<Vec<Stored>, DbErr> {
    super::rollup::count_stored(txn, inserted.facts, inserted.deltas).await?;
    Ok(inserted.stored)
}

const CASE_COLS: [&str; 28] = [
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
/// Where a case row holds its id, number and SRDI rank (filled in when it is stored).
const CASE_ID: usize = 0;
const CASE_NUMBER: usize = 1;
const CASE_SRDI_RANK: usize = 16;

const PARTY_COLS: [&str; 9] = [
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
const RIGHT_COLS: [&str; 6] = ["case_id", "position", "kind", "number", "title", "holder"];
const EVENT_COLS: [&str; 9] = [
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

/// A batch of new cases as the rows that store them, built from their filings without the
/// database: an import builds the next batch's rows on its preparing thread while the batch
/// before it is stored. What only the write transaction knows is filled in when they are stored
/// ([`insert_built`]): the cases' ids (until then every row names its case by the filing's place
/// in the batch), numbers and SRDI ranks. Their rollup facts are counted assuming no SRDI rank
/// and the owning offices' regions given to [`Built::new`]; a case found otherwise when stored
/// is counted again.
#[derive(Debug)]
pub struct Built {
    cases: Vec<Pending>,
    case_rows: Vec<Value>,
    parties: Vec<Value>,
    rights: Vec<Value>,
    events: Vec<Value>,
    outbox: Vec<Value>,
    clocks: Vec<Value>,
    /// Each case's facts as text, and the facts of each distinct text.
    facts: Vec<String>,
    alike: HashMap<String, rollup::Facts>,
    deltas: HashMap<rollup::Key, i64>,
}

/// What storing a built case still needs of its filing.
#[derive(Debug)]
struct Pending {
    year: i32,
    complainant_uscc: Option<String>,
    owner_org_id: i64,
    consultation_id: Option<i64>,
    taken_in_by: Option<(i64, i64)>,
    now: DateTime<Utc>,
}

impl Built {
    /// Builds the rows of `filings`; `regions` are the owning offices' (for the rollup's
    /// cross-region figure; checked again when stored). Pure computation.
    pub fn new(filings: Vec<NewFiling>, regions: &HashMap<i64, String>) -> Self {
        let n = filings.len();
        let mut b = Built {
            cases: Vec::with_capacity(n),
            case_rows: Vec::with_capacity(n * CASE_COLS.len()),
            parties: Vec::with_capacity(n * 2 * PARTY_COLS.len()),
            rights: Vec::with_capacity(n * RIGHT_COLS.len()),
            events: Vec::with_capacity(n * EVENT_COLS.len()),
            outbox: Vec::with_capacity(n * outbox::COLUMNS.len()),
            clocks: Vec::with_capacity(n * CLOCK_COLUMNS.len()),
            facts: Vec::with_capacity(n),
            alike: HashMap::new(),
            deltas: HashMap::new(),
        };
        let mut alike_n: HashMap<String, i64> = HashMap::new();
        for (place, f) in filings.into_iter().enumerate() {
            let place = place as i64;
            let region = regions.get(&f.case.owner_org_id).map(String::as_str);
            let facts = counted_facts(&f, 0, region);
            // Strings, numbers and flags: serializing them cannot fail.
            let text = serde_json::to_string(&facts).expect("rollup facts serialize");
            // Cases of the same facts (an import's leads of one day and right, say) are counted
            // once, as many times over.
            match alike_n.get_mut(&text) {
                Some(k) => *k += 1,
                None => {
                    alike_n.insert(text.clone(), 1);
                    b.alike.insert(text.clone(), facts);
                }
            }
            b.facts.push(text);
            b.push_case(place, &f);
            let NewFiling {
                case,
                parties,
                rights,
                received,
                clocks,
                consultation_id,
                taken_in_by,
                now,
            } = f;
            let mut position: HashMap<PartyRole, i32> = HashMap::new();
            for p in parties {
                let pos = position.entry(p.role).or_default();
                b.parties.extend([
                    Value::from(place),
                    p.role.as_str().into(),
                    (*pos).into(),
                    p.name.into(),
                    p.uscc.into(),
                    p.address.into(),
                    p.listing_url.into(),
                    p.contact_name.into(),
                    p.contact_phone.into(),
                ]);
                *pos += 1;
            }
            for (pos, r) in rights.into_iter().enumerate() {
                b.rights.extend([
                    Value::from(place),
                    (pos as i32).into(),
                    r.kind.as_str().into(),
                    r.number.into(),
                    r.title.into(),
                    r.holder.into(),
                ]);
            }
            b.events.extend([
                Value::from(place),
                1i64.into(),
                received.kind.as_str().into(),
                received.at.into(),
                now.into(),
                received.actor_user_id.into(),
                received.actor_org_id.into(),
                received.public.into(),
                received.payload.to_string().into(),
            ]);
            // A new case is searchable like every later change.
            b.outbox.extend(outbox::values(vec![(place, now)]));
            for c in clocks {
                b.clocks.extend(clock_values(place, c, now));
            }
            b.cases.push(Pending {
                year: day_of(case.received_at).year(),
                complainant_uscc: case.complainant_uscc,
                owner_org_id: case.owner_org_id,
                consultation_id,
                taken_in_by,
                now,
            });
        }
        for (text, k) in alike_n {
            if let Some(facts) = b.alike.get(&text) {
                rollup::count(rollup::standard(), facts, k, &mut b.deltas);
            }
        }
        b
    }

    /// The case row of filing `f`, the `place`-th: its number and SRDI rank still to come.
    fn push_case(&mut self, place: i64, f: &NewFiling) {
        let c = &f.case;
        self.case_rows.extend([
            Value::from(place),
            Option::<String>::None.into(),
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
            0i16.into(),
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

    /// The year of receipt of each case (its case number's year), for [`reserve_for`].
    pub fn years(&self) -> Vec<i32> {
        self.cases.iter().map(|c| c.year).collect()
    }
}

/// Puts each row's case id (column `at` of rows `width` wide) in place of the filing's place
/// in its batch.
fn name_cases(rows: &mut [Value], width: usize, at: usize, ids: &[i64]) -> Result<(), DbErr> {
    for row in rows.chunks_exact_mut(width) {
        let id = match &row[at] {
            Value::BigInt(Some(place)) => usize::try_from(*place).ok().and_then(|p| ids.get(p)),
            _ => None,
        };
        let id = *id.ok_or_else(|| DbErr::Custom("a built row names no case".into()))?;
        row[at] = Value::from(id);
    }
    Ok(())
}

/// Stores a built batch under the `numbers` reserved for it, with few statements whatever its
/// size: SRDI ranks looked up once per credit code, and cases, parties, rights, `received`
/// events (with their outbox rows) and clocks written in bulk (`Bulk`). Not yet counted in the
/// rollups (see [`count_inserted`]). For a batch of imported leads (no consultation, no
/// workstation) nothing here locks a row another writer takes.
pub async fn insert_built<W: Bulk>(
    txn: &W,
    built: Built,
    numbers: Reserved,
) -> Result<Inserted, DbErr> {
    store_built(txn, built, numbers, None).await
}

/// [`insert_built`], with the owning offices' regions as `txn` reads them when the caller has
/// just read them (`None`: read here).
async fn store_built<W: Bulk>(
    txn: &W,
    built: Built,
    numbers: Reserved,
    regions: Option<HashMap<i64, String>>,
) -> Result<Inserted, DbErr> {
    let Built {
        cases,
        mut case_rows,
        mut parties,
        mut rights,
        mut events,
        mut outbox,
        mut clocks,
        facts,
        alike,
        mut deltas,
    } = built;
    let width = CASE_COLS.len();
    let mut next = numbers.0;
    let mut numbers = Vec::with_capacity(cases.len());
    let mut ranks = Vec::with_capacity(cases.len());
    let mut srdi_by_uscc: HashMap<&str, i16> = HashMap::new();
    for (c, row) in cases.iter().zip(case_rows.chunks_exact_mut(width)) {
        let slot = next
            .get_mut(&c.year)
            .ok_or_else(|| DbErr::Custom(format!("no case number reserved for {}", c.year)))?;
        let number = case::case_number(c.year, *slot);
        *slot += 1;
        let rank = match c.complainant_uscc.as_deref() {
            None => 0,
            Some(u) => match srdi_by_uscc.get(u) {
                Some(r) => *r,
                None => {
                    let r = super::srdi::best_rank_for_uscc(txn, u).await?;
                    srdi_by_uscc.insert(u, r);
                    r
                }
            },
        };
        row[CASE_NUMBER] = Value::from(number.clone());
        row[CASE_SRDI_RANK] = Value::from(rank);
        numbers.push(number);
        ranks.push(rank);
    }
    let ids = insert_cases(txn, case_rows, &numbers).await?;
    // The facts were counted assuming no SRDI rank and the owners' regions as they were: cases
    // found otherwise now are counted again.
    let regions = match regions {
        Some(r) => r,
        None => super::orgs::regions(txn, &owners_of(cases.iter().map(|c| c.owner_org_id))).await?,
    };
    let mut facts_rows = Vec::with_capacity(cases.len() * 2);
    for (((c, id), rank), text) in cases.iter().zip(&ids).zip(&ranks).zip(facts) {
        let assumed = alike
            .get(&text)
            .ok_or_else(|| DbErr::Custom("built facts lost".into()))?;
        let region = regions.get(&c.owner_org_id).map(String::as_str);
        let xr = crate::domain::region::cross_region(&assumed.rg, region);
        let text = if *rank == assumed.k && xr == assumed.xr {
            text
        } else {
            let mut actual = assumed.clone();
            actual.k = *rank;
            actual.xr = xr;
            rollup::count(rollup::standard(), assumed, -1, &mut deltas);
            rollup::count(rollup::standard(), &actual, 1, &mut deltas);
            serde_json::to_string(&actual).map_err(|e| DbErr::Custom(e.to_string()))?
        };
        facts_rows.extend([Value::from(*id), Value::from(text)]);
    }
    name_cases(&mut parties, PARTY_COLS.len(), 0, &ids)?;
    txn.insert_values("case_parties", &PARTY_COLS, parties)
        .await?;
    name_cases(&mut rights, RIGHT_COLS.len(), 0, &ids)?;
    txn.insert_values("case_rights", &RIGHT_COLS, rights)
        .await?;
    name_cases(&mut events, EVENT_COLS.len(), 0, &ids)?;
    txn.insert_values("case_events", &EVENT_COLS, events)
        .await?;
    name_cases(&mut outbox, outbox::COLUMNS.len(), 0, &ids)?;
    txn.insert_values("search_outbox", &outbox::COLUMNS, outbox)
        .await?;
    name_cases(&mut clocks, CLOCK_COLUMNS.len(), 0, &ids)?;
    txn.insert_values("case_clocks", &CLOCK_COLUMNS, clocks)
        .await?;
    for (c, id) in cases.iter().zip(&ids) {
        if let Some((station, by)) = c.taken_in_by {
            super::case_parts::insert_share(
                txn,
                *id,
                station,
                ShareAccess::Read,
                ShareOrigin::Procedure,
                by,
                c.now,
            )
            .await?;
        }
    }
    for (c, id) in cases.iter().zip(&ids) {
        if let Some(consultation) = c.consultation_id {
            // Checked just before by the service; of two conversions at the same moment, the
            // first keeps the link and the second is an ordinary case (triage merges it as a
            // duplicate).
            super::consultations::link_case(txn, consultation, *id, c.now).await?;
        }
    }
    let stored = ids
        .into_iter()
        .zip(numbers)
        .map(|(id, number)| Stored { id, number })
        .collect();
    Ok(Inserted {
        stored,
        facts: facts_rows,
        deltas,
    })
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

    /// Stores a built batch of leads with its audit entry, numbers reserved in the transaction.
    pub async fn store<F>(&self, built: Built, audit: F) -> Result<Vec<Stored>, DbErr>
    where
        F: FnOnce(&[Stored]) -> NewEntry + Send,
    {
        async fn store_in<W: Bulk>(
            txn: &W,
            built: Built,
            audit: impl FnOnce(&[Stored]) -> NewEntry,
        ) -> Result<Vec<Stored>, DbErr> {
            let numbers = reserve_for(txn, &built.years()).await?;
            let inserted = insert_built(txn, built, numbers).await?;
            let stored = count_inserted(txn, inserted).await?;
            super::audit::append(txn, audit(&stored)).await?;
            Ok(stored)
        }
        match self {
            Self::Postgres(txn) => store_in(txn, built, audit).await,
            Self::Sqlite(txn) => store_in(txn, built, audit).await,
        }
    }

    /// Writes a batch's rows under `numbers` (see [`reserve_for`]), not yet counted or
    /// audited.
    pub async fn stage(&self, built: Built, numbers: Reserved) -> Result<Inserted, DbErr> {
        match self {
            Self::Postgres(txn) => insert_built(txn, built, numbers).await,
            Self::Sqlite(txn) => insert_built(txn, built, numbers).await,
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

/// Inserts the case rows (their numbers in place); returns their ids in the order given: taken
/// before (a `COPY`, a prepared statement), or read back with `RETURNING` and matched by case
/// number, so the order in which the database returns them does not matter.
async fn insert_cases<W: Bulk>(
    db: &W,
    mut rows: Vec<Value>,
    numbers: &[String],
) -> Result<Vec<i64>, DbErr> {
    let width = CASE_COLS.len();
    if let Some(ids) = db.take_ids("cases", numbers.len()).await? {
        name_cases(&mut rows, width, CASE_ID, &ids)?;
        db.insert_values("cases", &CASE_COLS, rows).await?;
        return Ok(ids);
    }
    let without_ids: Vec<Value> = rows
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % width != CASE_ID)
        .map(|(_, v)| v)
        .collect();
    let found = insert_rows(
        db,
        "cases",
        &CASE_COLS[1..],
        without_ids,
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
