//! Background work as loops around testable steps that take `now`:
//! - [`deadlines`], every `deadline_tick_secs` (default a minute): exhibitions that have closed
//!   close or convert their open cases; running clocks past due are
//!   marked missed, due-soon / overdue / escalation notices are created exactly once, and queued
//!   e-mails are delivered;
//! - [`housekeeping`], every five minutes: expired sessions and old sign-in attempts go, and the
//!   calendar is re-read in case another process loaded a year;
//! - the audit chain's head is appended to the checkpoint file at start and every day after
//!   (and at shutdown, by the server), so that `weiquan audit verify` can prove the log's tail.
//!
//! [`tick`] runs both, in that order (housekeeping first, so a freshly loaded year counts).

use crate::config::Config;
use crate::service::case::Timekeeper;
use crate::service::notifications;
use crate::service::{Ctx, RequestMeta};
use crate::store::Db;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often housekeeping runs.
const HOUSEKEEPING_SECS: u64 = 300;

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub sessions_removed: u64,
    pub attempts_removed: u64,
    /// Running clocks past their due instant, marked `missed`.
    pub clocks_missed: u64,
    /// Notices created (one per recipient).
    pub due_soon: u64,
    pub overdue: u64,
    pub escalations: u64,
    /// E-mails queued for new notices, sent, and failed (to be retried).
    pub mails_queued: u64,
    pub mails_sent: u64,
    pub mails_failed: u64,
    /// Text messages sent and failed (to be retried).
    pub sms_sent: u64,
    pub sms_failed: u64,
    /// Exhibitions that closed, and their cases closed, handed to the office as leads, or sent to
    /// the market regulator.
    pub exhibitions_swept: u64,
    pub exhibition_cases_closed: u64,
    pub exhibition_cases_transferred: u64,
    pub exhibition_cases_to_regulator: u64,
}

impl Outcome {
    /// Notices created, of every kind.
    pub fn notices(&self) -> u64 {
        self.due_soon + self.overdue + self.escalations
    }
}

/// Housekeeping and the deadline pass at `now`.
pub async fn tick(
    db: &Db,
    config: &Config,
    time: &Arc<Timekeeper>,
    now: DateTime<Utc>,
) -> crate::error::Result<Outcome> {
    let h = housekeeping(db, config, time, now).await?;
    let d = deadlines(db, config, time, now).await?;
    Ok(Outcome {
        sessions_removed: h.sessions_removed,
        attempts_removed: h.attempts_removed,
        ..d
    })
}

/// Expired sessions and old attempts go, and the calendar is re-read.
pub async fn housekeeping(
    db: &Db,
    config: &Config,
    time: &Arc<Timekeeper>,
    now: DateTime<Utc>,
) -> crate::error::Result<Outcome> {
    let (sessions_removed, attempts_removed) =
        crate::service::auth::purge_expired(db, config, now).await?;
    time.reload(db).await?;
    Ok(Outcome {
        sessions_removed,
        attempts_removed,
        ..Default::default()
    })
}

/// The deadline pass (see `service::notifications::deadline_pass`), then e-mail delivery.
pub async fn deadlines(
    db: &Db,
    config: &Config,
    time: &Arc<Timekeeper>,
    now: DateTime<Utc>,
) -> crate::error::Result<Outcome> {
    // Exhibitions first: a case handed on at the closing instant gets its new clocks before
    // the deadline pass looks at them.
    let cx = Ctx::new(db.clone(), time.clone(), RequestMeta::cli("worker"))
        .with_outbound(Arc::new(crate::service::Outbound::of(config)))
        .at(now);
    let x = crate::service::exhibitions::sweep(&cx).await?;
    let p = notifications::deadline_pass(db, config, time, now).await?;
    let m = notifications::deliver_mail(db, config, now).await?;
    let t = crate::service::sms::deliver(db, config, now).await?;
    Ok(Outcome {
        clocks_missed: p.clocks_missed,
        due_soon: p.due_soon,
        overdue: p.overdue,
        escalations: p.escalations,
        mails_queued: p.mails_queued,
        mails_sent: m.sent,
        mails_failed: m.failed,
        sms_sent: t.sent,
        sms_failed: t.failed,
        exhibitions_swept: x.exhibitions,
        exhibition_cases_closed: x.closed,
        exhibition_cases_transferred: x.transferred,
        exhibition_cases_to_regulator: x.to_regulator,
        ..Default::default()
    })
}

/// Runs [`deadlines`] every `deadline_tick_secs` and [`housekeeping`] every five minutes until
/// `stop` changes. A failed step is logged and tried again on its next round.
pub async fn run(
    db: Db,
    config: Arc<Config>,
    time: Arc<Timekeeper>,
    mut stop: watch::Receiver<bool>,
) {
    let mut house = tokio::time::interval(Duration::from_secs(HOUSEKEEPING_SECS));
    // The first deadline pass comes one period after start-up (tests set a long period and
    // drive `deadlines` themselves).
    let period = Duration::from_secs(config.deadline_tick_secs.max(1));
    let mut dead = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    // A slow round (a large backlog, an unreachable mail server) does not cause a burst after.
    house.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut daily = tokio::time::interval(Duration::from_secs(24 * 3600));
    daily.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    dead.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = house.tick() => {
                match housekeeping(&db, &config, &time, crate::service::now()).await {
                    Ok(o) if o != Outcome::default() => tracing::info!(?o, "housekeeping"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
                }
            }
            _ = dead.tick() => {
                let started = std::time::Instant::now();
                match deadlines(&db, &config, &time, crate::service::now()).await {
                    Ok(o) if o != Outcome::default() => tracing::info!(
                        ?o, elapsed_ms = started.elapsed().as_millis() as u64, "deadline notices"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "deadline pass failed"),
                }
            }
            _ = daily.tick() => checkpoint(&db, &config).await,
            _ = stop.changed() => break,
        }
    }
}

/// Appends the audit chain's head to the checkpoint file; a failure is logged (and the next
/// round tries again).
pub async fn checkpoint(db: &Db, config: &Config) {
    let path = config.audit_checkpoint_path();
    match crate::service::audit::write_checkpoint(db, &path, crate::service::now()).await {
        Ok(Some(cp)) => {
            tracing::info!(checkpoint = %cp, file = %path.display(), "audit checkpoint")
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, file = %path.display(), "audit checkpoint failed"),
    }
}
