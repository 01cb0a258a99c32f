//! What every use case runs with: the database, the timekeeper (calendars and deadline rules),
//! where the call came from, and the one instant it happens at. Services read the time from here
//! and nowhere else.

use super::RequestMeta;
use super::case::clock::Timekeeper;
use crate::store::Db;
use chrono::{DateTime, SubsecRound, Utc};
use std::sync::Arc;

/// The context of one call into the services (a request, a command, a worker round).
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub time: Arc<Timekeeper>,
    pub meta: RequestMeta,
    /// The instant the call happens at (microseconds, as every backend stores them).
    pub now: DateTime<Utc>,
}

impl Ctx {
    /// A context at the current instant.
    pub fn new(db: Db, time: Arc<Timekeeper>, meta: RequestMeta) -> Self {
        Self {
            db,
            time,
            meta,
            now: now(),
        }
    }

    /// This context at another instant (a worker round at a chosen `now`, a test).
    pub fn at(&self, now: DateTime<Utc>) -> Self {
        Self {
            now,
            ..self.clone()
        }
    }

    /// This context at the current instant again: for the step that follows a long wait, such as
    /// recording an upload once its body has arrived.
    pub fn renewed(&self) -> Self {
        self.at(now())
    }
}

/// The current instant, truncated to the microseconds every backend stores. The only place the
/// services read the wall clock.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
