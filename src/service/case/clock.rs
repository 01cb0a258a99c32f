//! The timekeeper: the working-day calendar in force (the shipped schedules plus the years an
//! administrator loaded, kept in the database and re-read by every process) and the deadline
//! rules (the shipped table with the province's file laid over it), in one value held by the
//! application. It computes a case's clocks from its events and keeps the stored clocks current.

use crate::config::Config;
use crate::domain::calendar::Calendar;
use crate::domain::case::EventKind;
use crate::domain::deadline::{self, Basis, Event, Grant, Rules};
use crate::domain::time::in_beijing;
use crate::error::Result;
use crate::store::case_log::{ClockDetail, ClockRow, EventRow, Granted, Segment};
use crate::store::{self, Db};
use anyhow::Context;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;
use std::sync::{Arc, RwLock};

/// The calendars and deadline rules every clock is counted with.
#[derive(Debug)]
pub struct Timekeeper {
    calendar: RwLock<Arc<Calendar>>,
    rules: Rules,
}

impl Timekeeper {
    /// The calendar stored in `db` (shipped years plus loaded ones) and `rules`.
    pub async fn load(db: &Db, rules: Rules) -> Result<Self> {
        Ok(Self {
            calendar: RwLock::new(Arc::new(merged(db).await?)),
            rules,
        })
    }

    /// The shipped rules with the file `config.deadline_rules` (if set) laid over them; a file
    /// naming an event no action records is refused with the name.
    pub fn rules_of(config: &Config) -> anyhow::Result<Rules> {
        let Some(path) = config
            .deadline_rules
            .as_ref()
            .filter(|p| !p.as_os_str().is_empty())
        else {
            return Ok(Rules::builtin().clone());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the deadline rules file {}", path.display()))?;
        let rules = Rules::builtin()
            .overlay(&text)
            .with_context(|| format!("deadline rules file {}", path.display()))?;
        let overridden = rules
            .rules
            .iter()
            .filter(|(id, r)| Rules::builtin().get(id) != Some(*r))
            .count();
        tracing::info!(file = %path.display(), rules = overridden, "province deadline rules laid over the shipped table");
        Ok(rules)
    }

    /// The timekeeper of `config` over `db`.
    pub async fn of(config: &Config, db: &Db) -> anyhow::Result<Self> {
        let rules = Self::rules_of(config)?;
        Self::load(db, rules)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// The calendar for this call (a cheap clone of an `Arc`).
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The deadline rules in force.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Re-reads the loaded years (another process may have imported one).
    pub async fn reload(&self, db: &Db) -> Result<()> {
        let fresh = Arc::new(merged(db).await?);
        match self.calendar.write() {
            Ok(mut w) => *w = fresh,
            Err(p) => *p.into_inner() = fresh,
        }
        Ok(())
    }

    /// Every started clock of a case whose events (in order) are `events`, as of `now`.
    pub fn compute(&self, events: &[Event], now: DateTime<Utc>) -> Vec<ClockRow> {
        let cal = self.calendar();
        self.rules
            .rules
            .values()
            .filter_map(|rule| {
                let c = deadline::compute(rule, events, &cal, now)?;
                Some(ClockRow {
                    rule_id: rule.id.clone(),
                    name: rule.name.clone(),
                    unit: rule.unit,
                    source: rule.source.clone(),
                    start_at: c.start_at.to_utc(),
                    due_at: c.due_at.to_utc(),
                    state: c.state,
                    provisional: c.provisional,
                    explanation: c.explanation,
                    detail: ClockDetail {
                        informational: rule.informational,
                        service_standard: rule.basis == Basis::ServiceStandard,
                        paused_segments: c
                            .paused
                            .iter()
                            .map(|p| Segment {
                                from: p.from,
                                until: p.until,
                            })
                            .collect(),
                        extensions: c
                            .extensions
                            .iter()
                            .map(|g| Granted {
                                tier: g.tier.clone(),
                                amount: g.amount,
                            })
                            .collect(),
                    },
                })
            })
            .collect()
    }

    /// Recomputes and stores the clocks of a case from its events (in the caller's
    /// transaction); returns whether its next due instant moved.
    pub async fn refresh(
        &self,
        txn: &DatabaseTransaction,
        case_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let rows = store::case_log::events(txn, case_id, false).await?;
        let clocks = self.compute(&engine_events(&rows), now);
        Ok(store::case_log::replace_clocks(txn, case_id, clocks, now).await?)
    }

    /// Recomputes the clocks of every open case as of `now` (`weiquan deadlines rebuild`);
    /// `progress(done, total)` after each batch. Returns the count.
    pub async fn rebuild_open(
        &self,
        db: &Db,
        now: DateTime<Utc>,
        progress: impl FnMut(usize, usize),
    ) -> Result<usize> {
        let ids = store::cases::open_ids(db.conn()).await?;
        self.rebuild(db, ids, now, progress).await
    }

    /// Recomputes, as of `now`, the clocks that depended on a year without an official schedule
    /// (after a year is loaded).
    pub async fn rebuild_provisional(&self, db: &Db, now: DateTime<Utc>) -> Result<usize> {
        let ids = store::case_log::ids_with_provisional_clocks(db.conn()).await?;
        self.rebuild(db, ids, now, |_, _| {}).await
    }

    async fn rebuild(
        &self,
        db: &Db,
        ids: Vec<i64>,
        now: DateTime<Utc>,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<usize> {
        let total = ids.len();
        let mut done = 0;
        for chunk in ids.chunks(500) {
            let txn = db.begin_write().await?;
            for id in chunk {
                if self.refresh(&txn, *id, now).await? {
                    store::outbox::enqueue(&txn, &[*id], now).await?;
                }
            }
            // A clock's state may change without its due instant moving.
            store::rollup::refresh(&txn, crate::domain::report::rollup::standard(), chunk).await?;
            txn.commit().await?;
            done += chunk.len();
            progress(done, total);
        }
        Ok(done)
    }
}

/// The shipped calendar merged with every year loaded into the database.
async fn merged(db: &Db) -> Result<Calendar> {
    let mut years = Vec::new();
    for row in store::calendar::all(db.conn()).await? {
        let schedule = serde_json::from_str(&row.schedule)
            .map_err(|e| anyhow::anyhow!("stored calendar year {} is unreadable: {e}", row.year))?;
        years.push((row.year, schedule));
    }
    Ok(Calendar::builtin().with_years(years))
}

/// The engine's view of stored events: an approved extension carries its grant; an event
/// carries the instant the law counts (`counts_from`, or a party's `posted_at`) and the period
/// set on a notice (`period_days`) when its payload names them.
pub fn engine_events(rows: &[EventRow]) -> Vec<Event> {
    rows.iter()
        .map(|e| {
            let mut ev = Event::new(e.kind, in_beijing(e.at));
            if e.kind == EventKind::ExtensionApproved {
                ev.extension = grant_of(&e.payload);
            }
            let instant = |key: &str| {
                e.payload
                    .get(key)
                    .and_then(|v| v.as_str())
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            };
            ev.counts_from = instant("counts_from").or_else(|| instant("posted_at"));
            ev.hard_stop = instant("hard_stop");
            ev.period_days = e
                .payload
                .get("period_days")
                .and_then(|v| v.as_u64())
                .and_then(|n| u32::try_from(n).ok());
            ev
        })
        .collect()
}

/// The grant recorded in an `extension_approved` payload.
fn grant_of(v: &serde_json::Value) -> Option<Grant> {
    Some(Grant {
        rule_id: v.get("rule_id")?.as_str()?.to_string(),
        tier: v.get("tier")?.as_str()?.to_string(),
        amount: u32::try_from(v.get("amount")?.as_u64()?).ok()?,
    })
}
