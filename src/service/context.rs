//! What every use case runs with: the database, the timekeeper (calendars and deadline rules),
//! where the call came from, and the one instant it happens at. Services read the time from here
//! and nowhere else.

use super::RequestMeta;
use super::case::clock::Timekeeper;
use crate::config::Config;
use crate::store::Db;
use chrono::{DateTime, SubsecRound, Utc};
use std::sync::Arc;

/// Which channels besides the notification centre carry notices, and the address links in them
/// point to (from the configuration; a context without one sends nothing out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbound {
    /// SMTP is configured.
    pub mail: bool,
    /// An SMS sender is configured (`log` or `http`).
    pub sms: bool,
    pub public_url: Option<String>,
}

impl Outbound {
    pub fn of(config: &Config) -> Self {
        Self {
            mail: !config.smtp_url.0.is_empty(),
            sms: config.sms_sender != "off",
            public_url: config.public_url.clone(),
        }
    }
}

/// The context of one call into the services (a request, a command, a worker round).
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub time: Arc<Timekeeper>,
    pub meta: RequestMeta,
    pub outbound: Arc<Outbound>,
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
            outbound: Arc::default(),
            now: now(),
        }
    }

    /// This context with notices going out through `outbound`.
    pub fn with_outbound(self, outbound: Arc<Outbound>) -> Self {
        Self { outbound, ..self }
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
