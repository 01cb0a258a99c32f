//! Background work as loops around one testable step, `tick(state, now)`. For now: removing
//! expired sessions and old sign-in attempts. Later: deadline reminders, the search outbox.

use crate::config::Config;
use crate::service::calendar::Calendars;
use crate::store::Db;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub sessions_removed: u64,
    pub attempts_removed: u64,
}

/// One round of housekeeping at `now`: expired sessions and old attempts go, and the calendar is
/// re-read in case another process loaded a year.
pub async fn tick(
    db: &Db,
    config: &Config,
    calendars: &Calendars,
    now: DateTime<Utc>,
) -> crate::error::Result<Outcome> {
    let (sessions_removed, attempts_removed) =
        crate::service::auth::purge_expired(db, config, now).await?;
    calendars.reload(db).await?;
    Ok(Outcome {
        sessions_removed,
        attempts_removed,
    })
}

/// Runs [`tick`] every few minutes until `stop` changes.
pub async fn run(
    db: Db,
    config: Arc<Config>,
    calendars: Arc<Calendars>,
    mut stop: watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(Duration::from_secs(300));
    loop {
        tokio::select! {
            _ = interval.tick() => {
                match tick(&db, &config, &calendars, crate::store::now()).await {
                    Ok(o) if o != Outcome::default() => tracing::info!(?o, "housekeeping"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
                }
            }
            _ = stop.changed() => break,
        }
    }
}
