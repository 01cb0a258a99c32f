//! One write to a case, in one transaction: begun from the policy's yes ([`Granted`]) at the
//! version the caller saw, it appends the events, changes the state columns, recomputes the clocks,
//! writes the search-outbox row and the audit entry, and commits — or nothing happens. A writer
//! that moved the case first makes it stale (409). "Event + audit + outbox in one transaction"
//! lives here and nowhere else.

use super::access::{Granted, settle_version};
use super::tell::Recorded;
use crate::domain::case::{CaseState, EventKind, Queue};
use crate::domain::report::rollup;
use crate::error::{AppError, Msg, Result};
use crate::service::{Ctx, audit_entry};
use crate::store::case_log::NewEvent;
use crate::store::cases::{CaseRow, Change};
use crate::store::{self};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, DbErr, SqlErr};
use serde_json::Value;
use std::future::Future;

/// A case after a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub id: i64,
    pub version: i64,
    pub queue: Queue,
    pub state: CaseState,
}

/// The answer when another writer moved the case first.
pub fn stale() -> AppError {
    AppError::Conflict(Msg::new(STALE))
}

const STALE: &str = "error.case.stale";

/// A unique violation on the event numbers (a concurrent writer took them) is a stale write.
fn stale_on_unique(e: DbErr) -> AppError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => stale(),
        _ => AppError::from(e),
    }
}

/// The version the caller saw, which a write must be built on.
pub fn expected(v: Option<i64>) -> Result<i64> {
    v.ok_or_else(|| AppError::field("expected_version", "error.case.expected_version"))
}

/// A write in progress.
pub struct CaseWrite<'a> {
    cx: &'a Ctx,
    granted: &'a Granted,
    /// The case as the write builds on it (read before, or inside the transaction).
    base: CaseRow,
    txn: DatabaseTransaction,
    events: Vec<NewEvent>,
    change: Change,
    others: Vec<i64>,
}

impl<'a> CaseWrite<'a> {
    /// Begins a write on the case as the caller saw it at `expected` (a version that is behind
    /// only by reads of evidence still counts as current); 409 when another writer moved it.
    pub async fn begin(cx: &'a Ctx, granted: &'a Granted, expected: i64) -> Result<Self> {
        let case = granted.case();
        if settle_version(&cx.db, case, expected).await? != case.version {
            return Err(stale());
        }
        let txn = cx.db.begin_write().await?;
        Ok(Self::new(cx, granted, case.clone(), txn))
    }

    /// Begins a write at whatever version the case has when the transaction starts: for steps
    /// that answer no form (custody records of evidence). Run it under [`retry`].
    pub async fn begin_current(cx: &'a Ctx, granted: &'a Granted) -> Result<Self> {
        let txn = cx.db.begin_write().await?;
        // Take the case row's write lock before reading it: two such writes on one case then
        // follow each other instead of locking each other's rows in opposite orders (PostgreSQL
        // detected deadlocks between two fund applications sent at once).
        store::cases::lock_row(&txn, granted.case().id).await?;
        let base = store::cases::find(&txn, granted.case().id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Self::new(cx, granted, base, txn))
    }

    fn new(cx: &'a Ctx, granted: &'a Granted, base: CaseRow, txn: DatabaseTransaction) -> Self {
        Self {
            cx,
            granted,
            base,
            txn,
            events: Vec::new(),
            change: Change::default(),
            others: Vec::new(),
        }
    }

    /// The case the write builds on.
    pub fn case(&self) -> &CaseRow {
        &self.base
    }

    /// The transaction, for the rows a step keeps besides the case (shares, evidence, an
    /// exhibition record).
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The state columns this write changes.
    pub fn change(&mut self) -> &mut Change {
        &mut self.change
    }

    /// Records an event that happens now.
    pub fn record(&mut self, kind: EventKind, public: bool, payload: Value) {
        let at = self.cx.now;
        self.record_at(kind, at, public, payload);
    }

    /// Records an event that happened at `at` (a step recorded after the fact, the closing
    /// instant of an exhibition).
    pub fn record_at(&mut self, kind: EventKind, at: DateTime<Utc>, public: bool, payload: Value) {
        self.events.push(NewEvent {
            kind,
            at,
            actor_user_id: Some(self.granted.user().id),
            actor_org_id: Some(self.granted.org_id()),
            public,
            payload,
        });
    }

    /// Records an internal event on another case in the same transaction, at its current version
    /// (the surviving case of a merge notes what was merged into it).
    pub async fn note_on(&mut self, other: i64, kind: EventKind, payload: Value) -> Result<()> {
        let fresh = store::cases::find(&self.txn, other)
            .await?
            .ok_or(AppError::NotFound)?;
        let event = NewEvent {
            kind,
            at: self.cx.now,
            actor_user_id: Some(self.granted.user().id),
            actor_org_id: Some(self.granted.org_id()),
            public: false,
            payload,
        };
        let now = self.cx.now;
        let version =
            store::case_log::append_events(&self.txn, fresh.id, fresh.version, vec![event], now)
                .await
                .map_err(stale_on_unique)?;
        if !store::cases::update(
            &self.txn,
            fresh.id,
            fresh.version,
            version,
            Change::default(),
            now,
        )
        .await?
        {
            return Err(stale());
        }
        self.others.push(fresh.id);
        Ok(())
    }

    /// Appends the events, moves the case to its new version with the changes, recomputes its
    /// clocks (unless the write only records evidence custody or a document), writes the outbox
    /// row and the audit entry `action` (its target the case number), and commits.
    pub async fn commit(self, action: &str, audit_payload: &Value) -> Result<Moved> {
        let target = ("case", self.base.number.clone());
        self.commit_on(target, action, audit_payload).await
    }

    /// [`CaseWrite::commit`] with an audit entry about another target (an evidence item).
    pub async fn commit_on(
        self,
        target: (&str, String),
        action: &str,
        audit_payload: &Value,
    ) -> Result<Moved> {
        let now = self.cx.now;
        let id = self.base.id;
        let queue = self.change.queue.unwrap_or(self.base.queue);
        let state = self.change.state.unwrap_or(self.base.state);
        let version = apply(self.cx, &self.txn, &self.base, self.events, self.change).await?;
        if !self.others.is_empty() {
            store::outbox::enqueue(&self.txn, &self.others, now).await?;
            store::rollup::refresh(&self.txn, rollup::standard(), &self.others).await?;
        }
        let entry = audit_entry(
            Some(self.granted.user()),
            &self.cx.meta,
            action,
            target,
            audit_payload,
        );
        store::audit::append(&self.txn, entry).await?;
        self.txn.commit().await?;
        Ok(Moved {
            id,
            version,
            queue,
            state,
        })
    }
}

/// Appends `events` to `base` at its version, moves it with `change`, recomputes its clocks
/// (unless the events only record evidence custody or a document) and writes its outbox row, in
/// `txn`; returns the new version.
async fn apply(
    cx: &Ctx,
    txn: &DatabaseTransaction,
    base: &CaseRow,
    events: Vec<NewEvent>,
    change: Change,
) -> Result<i64> {
    let now = cx.now;
    let clocked = events
        .iter()
        .any(|e| !e.kind.is_custody() && e.kind != EventKind::DocumentGenerated);
    // This write ends the case: whatever still waited for a decision on it is moot.
    let ends = !base.state.is_final() && change.state.is_some_and(|s| s.is_final());
    // The events someone must hear of, with the numbers they are about to get.
    let first_seq = base.version + 1;
    let told: Vec<_> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| super::tell::concerns(cx, e.kind, e.public, &e.payload, ends))
        .map(|(i, e)| {
            (
                first_seq + i as i64,
                e.kind,
                e.at,
                e.public,
                e.payload.clone(),
            )
        })
        .collect();
    let actor = events.first().and_then(|e| e.actor_user_id);
    let version = store::case_log::append_events(txn, base.id, base.version, events, now)
        .await
        .map_err(stale_on_unique)?;
    if !store::cases::update(txn, base.id, base.version, version, change, now).await? {
        return Err(stale());
    }
    if clocked {
        cx.time.refresh(txn, base.id, now).await?;
    }
    if !told.is_empty() {
        let recorded: Vec<Recorded> = told
            .iter()
            .map(|(seq, kind, at, public, payload)| Recorded {
                seq: *seq,
                kind: *kind,
                at: *at,
                public: *public,
                payload,
            })
            .collect();
        super::tell::after_events(cx, txn, base.id, &recorded, actor).await?;
    }
    store::outbox::enqueue(txn, &[base.id], now).await?;
    store::rollup::refresh(txn, rollup::standard(), &[base.id]).await?;
    Ok(version)
}

/// The system's own step on one of several cases changed in one transaction (the closing sweep
/// of an exhibition, which writes one audit entry for all of them and commits): its events at
/// `at`, in the owning office's name, and its changes, clocks and outbox row.
pub async fn system_step(
    cx: &Ctx,
    txn: &DatabaseTransaction,
    case: &CaseRow,
    events: Vec<(EventKind, bool, Value)>,
    at: DateTime<Utc>,
    change: Change,
) -> Result<i64> {
    let events = events
        .into_iter()
        .map(|(kind, public, payload)| NewEvent {
            kind,
            at,
            actor_user_id: None,
            actor_org_id: Some(case.owner_org_id),
            public,
            payload,
        })
        .collect();
    apply(cx, txn, case, events, change).await
}

/// Runs `f` again (a few times) when another writer moved the case first: for writes begun with
/// [`CaseWrite::begin_current`], which have no version of their own to expect.
pub async fn retry<T, F, Fut>(mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    const ATTEMPTS: usize = 5;
    let mut attempt = 1;
    loop {
        match f().await {
            Err(AppError::Conflict(m)) if m.key == STALE && attempt < ATTEMPTS => attempt += 1,
            other => return other,
        }
    }
}
