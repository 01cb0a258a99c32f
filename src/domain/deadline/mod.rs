//! Deadline rules as data and the pure engine that turns a rule and a case's events into a clock:
//! start, due instant, paused segments, extensions, state, and a Chinese explanation of why.
//! Day periods end at 24:00 Beijing time on their last day; hour periods at the exact instant.

mod explain;
pub mod extension;

use super::calendar::{Calendar, Counted};
use super::case::EventKind;
use super::time::{beijing, end_of_day};
use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, TimeDelta, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

names! {
    /// The unit a period is counted in.
    Unit {
        Hours = "hours",
        WorkingDays = "working_days",
        CalendarDays = "calendar_days",
        CalendarMonths = "calendar_months",
    }
}

/// One level of extension a rule allows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExtensionTier {
    /// `department_head`, `higher_department`, `panel` …
    pub tier: String,
    /// The role that approves it.
    pub approver: String,
    pub unit: Unit,
    /// The most this tier may add; none when the law sets no figure (the panel decides, Order 81
    /// Art. 22), bounded only by [`UNCAPPED_MAX`].
    #[serde(default)]
    pub cap: Option<u32>,
    /// A tier that must have granted an extension first (Art. 37: the next-higher department
    /// extends only a clock its department head has already extended).
    #[serde(default)]
    pub after: Option<String>,
}

/// The most one uncapped extension may add (a typing error, not a decision, beyond it).
pub const UNCAPPED_MAX: u32 = 365;

impl ExtensionTier {
    /// The most this tier may add in all.
    pub fn limit(&self) -> u32 {
        self.cap.unwrap_or(UNCAPPED_MAX)
    }
}

names! {
    /// What a clock rests on: the law (an article is cited), or a service standard the office
    /// sets itself (服务承诺) where no law sets a limit.
    Basis {
        Law = "law",
        ServiceStandard = "service_standard",
    }
}

/// A deadline rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Rule {
    pub id: String,
    /// Chinese name shown to officers.
    pub name: String,
    pub queue: String,
    pub unit: Unit,
    pub amount: u32,
    /// Events that start the clock.
    pub start: Vec<EventKind>,
    /// Events that start it again from scratch.
    #[serde(default)]
    pub restart: Vec<EventKind>,
    /// Events that end it.
    pub stop: Vec<EventKind>,
    /// `[pause, resume]` event pairs whose time does not count.
    #[serde(default)]
    pub pauses: Vec<[EventKind; 2]>,
    #[serde(default)]
    pub extensions: Vec<ExtensionTier>,
    /// A clock shown for information (a party's time limit), never escalated.
    #[serde(default)]
    pub informational: bool,
    /// Where the period is set on the notice that starts the clock (the start event's
    /// `period_days`, Order 81 Arts. 16 and 54), `amount` is the least it may be and the period
    /// when the notice names none.
    #[serde(default)]
    pub set_in_notice: bool,
    /// A service standard each office sets for itself: the period is the start event's
    /// `period_days` (the owning office's own figure, recorded when the clock starts), `amount`
    /// when the office sets none.
    #[serde(default)]
    pub set_by_office: bool,
    /// Events whose `period_days` lengthen the clock by that many days (a party's evidence period
    /// extended by a number of days: longer evidence period, and the same days left out of the
    /// closing clock, Art. 37).
    #[serde(default)]
    pub lengthened_by: Vec<EventKind>,
    /// The start event may carry an instant the clock never runs past (an exhibition's close:
    /// the exhibitor's statement is due before the fair ends, whatever is left of its 24 hours).
    #[serde(default)]
    pub hard_stop: bool,
    /// The clock is due at the start event's hard stop itself, an instant set outside the case
    /// (a foreign court's or agency's deadline); without one there is no clock. `amount` is
    /// unused (0).
    #[serde(default)]
    pub until_hard_stop: bool,
    /// Law or service standard; the source says which article, or where the figure comes from.
    pub basis: Basis,
    /// Legal source with article, or the origin of a service standard.
    pub source: String,
}

/// The rule table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub rules: BTreeMap<String, Rule>,
}

#[derive(Deserialize)]
struct RulesFile {
    rule: Vec<Rule>,
}

/// A rules file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("deadline rules: {0}")]
pub struct RulesError(String);

static BUILTIN: LazyLock<Rules> = LazyLock::new(|| {
    Rules::builtin_from(include_str!("rules.toml")).expect("the shipped rules are valid")
});

impl Rules {
    /// The rules the project ships (every clock of the domain rules).
    pub fn builtin() -> &'static Rules {
        &BUILTIN
    }

    fn builtin_from(text: &str) -> Result<Self, RulesError> {
        Self {
            rules: BTreeMap::new(),
        }
        .overlay(text)
    }

    /// These rules with a province's file laid over them: a rule with a known id replaces it, a
    /// new id adds one.
    pub fn overlay(&self, text: &str) -> Result<Self, RulesError> {
        let file: RulesFile = toml::from_str(text).map_err(|e| {
            let message = e.message();
            // An event name no action records would start or stop a clock that never moves.
            match message.strip_prefix("unknown EventKind ") {
                Some(name) => RulesError(format!(
                    "{name} is not an event any action records; a clock on it would never start or stop{}",
                    e.span()
                        .map(|s| format!(" (line {})", text[..s.start.min(text.len())].lines().count().max(1)))
                        .unwrap_or_default()
                )),
                None if message.contains("missing field `basis`") => RulesError(
                    "a rule says neither basis = \"law\" (its source cites the article) nor basis = \"service_standard\" (服务承诺, a limit the office sets itself)".to_string(),
                ),
                None => RulesError(message.to_string()),
            }
        })?;
        let mut rules = self.rules.clone();
        for r in file.rule {
            if r.amount == 0 && r.unit != Unit::Hours && !r.until_hard_stop {
                return Err(RulesError(format!("rule {} has no period", r.id)));
            }
            if r.start.is_empty() || (r.stop.is_empty() && !r.informational) {
                return Err(RulesError(format!(
                    "rule {} needs start and stop events",
                    r.id
                )));
            }
            if r.source.trim().is_empty() {
                return Err(RulesError(format!(
                    "rule {} names no source: cite the article, or say where the service standard comes from",
                    r.id
                )));
            }
            for t in &r.extensions {
                if let Some(first) = &t.after
                    && !r.extensions.iter().any(|o| &o.tier == first)
                {
                    return Err(RulesError(format!(
                        "rule {}: tier {} comes after {first}, which the rule does not have",
                        r.id, t.tier
                    )));
                }
            }
            rules.insert(r.id.clone(), r);
        }
        Ok(Self { rules })
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.get(id)
    }
}

/// A case event as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    /// When it was recorded (events come in this order).
    pub at: DateTime<FixedOffset>,
    /// The instant the law counts, when it is not `at`: a request's receipt by the competent
    /// office (its filing, or the acknowledgement of a referral), or the posting of a party's
    /// filing (民事诉讼法 Art. 85: what is posted before a period ends is on time).
    pub counts_from: Option<DateTime<FixedOffset>>,
    /// A period set on the notice this event records, in days.
    pub period_days: Option<u32>,
    /// An instant a clock this event starts never runs past (for rules with `hard_stop`).
    pub hard_stop: Option<DateTime<FixedOffset>>,
    /// For `extension_approved`: the rule, tier and amount granted.
    pub extension: Option<Grant>,
}

impl Event {
    pub fn new(kind: EventKind, at: DateTime<FixedOffset>) -> Self {
        Self {
            kind,
            at,
            counts_from: None,
            period_days: None,
            hard_stop: None,
            extension: None,
        }
    }

    /// The instant the law counts for this event.
    pub fn instant(&self) -> DateTime<FixedOffset> {
        self.counts_from.unwrap_or(self.at)
    }
}

/// An approved extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub rule_id: String,
    pub tier: String,
    pub amount: u32,
}

names! {
    /// Where a clock stands.
    State {
        Running = "running",
        Paused = "paused",
        /// Stopped on time.
        Met = "met",
        /// Past due without stopping, or stopped late.
        Missed = "missed",
    }
}

impl State {
    /// The clock has not stopped: running, paused, or already missed and still open.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Running | Self::Paused | Self::Missed)
    }
}

/// A paused stretch; `until` is `None` while it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    pub from: DateTime<FixedOffset>,
    pub until: Option<DateTime<FixedOffset>>,
}

/// A computed clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub rule_id: String,
    pub start_at: DateTime<FixedOffset>,
    pub due_at: DateTime<FixedOffset>,
    pub state: State,
    pub paused: Vec<Pause>,
    pub extensions: Vec<Grant>,
    /// Depends on a year whose official schedule is not loaded.
    pub provisional: bool,
    /// Why this due date, in Chinese.
    pub explanation: String,
}

/// Computes the clock of `rule` from a case's events (in time order) as of `now`. `None` when
/// the clock has not started.
pub fn compute(rule: &Rule, events: &[Event], cal: &Calendar, now: DateTime<Utc>) -> Option<Clock> {
    compute_with(rule, events, cal, now, true)
}

/// [`compute`] without the explanation (left empty): for the scheduler and other callers that
/// need only the due instant and state.
pub fn compute_due(
    rule: &Rule,
    events: &[Event],
    cal: &Calendar,
    now: DateTime<Utc>,
) -> Option<Clock> {
    compute_with(rule, events, cal, now, false)
}

fn compute_with(
    rule: &Rule,
    events: &[Event],
    cal: &Calendar,
    now: DateTime<Utc>,
    with_explanation: bool,
) -> Option<Clock> {
    let now = now.with_timezone(&beijing());
    // The clock runs from the latest start or restart.
    let start_idx = events
        .iter()
        .rposition(|e| rule.start.contains(&e.kind) || rule.restart.contains(&e.kind))?;
    let start = &events[start_idx];
    let later = &events[start_idx + 1..];
    if rule.until_hard_stop && start.hard_stop.is_none() {
        return None;
    }

    let stop = later.iter().find(|e| rule.stop.contains(&e.kind));
    let horizon = stop.map(|s| s.at).unwrap_or(now);
    let paused = pauses(rule, later, horizon);
    let before_stop = |e: &&Event| stop.is_none_or(|s| e.at <= s.at);
    let mut grants: Vec<Grant> = later
        .iter()
        .filter(before_stop)
        .filter_map(|e| e.extension.clone())
        .filter(|g| g.rule_id == rule.id)
        .collect();
    // Days added by events that lengthen this clock count as a grant of no tier.
    grants.extend(
        later
            .iter()
            .filter(before_stop)
            .filter(|e| rule.lengthened_by.contains(&e.kind))
            .filter_map(|e| Some((e.kind, e.period_days?)))
            .map(|(kind, days)| Grant {
                rule_id: rule.id.clone(),
                // The "tier" of days an event adds is the event itself.
                tier: kind.as_str().to_string(),
                amount: days,
            }),
    );
    let amount = match start.period_days {
        Some(days) if rule.set_in_notice => days.max(rule.amount),
        Some(days) if rule.set_by_office && days > 0 => days,
        _ => rule.amount,
    };

    let (mut due_at, provisional) = due(rule, amount, start.instant(), &paused, &grants, cal, now);
    let capped = (rule.hard_stop || rule.until_hard_stop)
        .then_some(start.hard_stop)
        .flatten()
        .filter(|limit| *limit < due_at || rule.until_hard_stop);
    if let Some(limit) = capped {
        due_at = limit;
    }
    let state = match stop {
        Some(s) if s.instant() <= due_at => State::Met,
        Some(_) => State::Missed,
        None if paused.last().is_some_and(|p| p.until.is_none()) => State::Paused,
        None if now >= due_at => State::Missed,
        None => State::Running,
    };
    let explanation = if with_explanation && rule.until_hard_stop {
        // The instant in its own zone as entered, and in Beijing time.
        let limit = start.hard_stop.unwrap_or(due_at);
        format!(
            "境外期限：当地时间 {}（UTC{}），即北京时间 {}；依据：{}。",
            limit.format("%Y-%m-%d %H:%M"),
            limit.format("%:z"),
            limit.with_timezone(&beijing()).format("%Y-%m-%d %H:%M"),
            rule.source
        )
    } else if with_explanation {
        let text = explain::explain(
            rule,
            amount,
            start,
            due_at,
            &paused,
            &grants,
            cal,
            provisional,
        );
        match capped {
            Some(limit) => format!(
                "{}；不得晚于展会闭幕时间 {}。",
                text.trim_end_matches('。'),
                limit.format("%Y-%m-%d %H:%M")
            ),
            None => text,
        }
    } else {
        String::new()
    };
    Some(Clock {
        rule_id: rule.id.clone(),
        start_at: start.instant(),
        due_at,
        state,
        paused,
        extensions: grants,
        provisional,
        explanation,
    })
}

/// Paused stretches after the start, up to `horizon` (the stop, or now).
fn pauses(rule: &Rule, later: &[Event], horizon: DateTime<FixedOffset>) -> Vec<Pause> {
    let mut out: Vec<Pause> = Vec::new();
    let mut open: Option<(usize, DateTime<FixedOffset>)> = None;
    for e in later.iter().filter(|e| e.at <= horizon) {
        match open {
            None => {
                if let Some(i) = rule.pauses.iter().position(|[p, _]| *p == e.kind) {
                    open = Some((i, e.at));
                }
            }
            Some((i, from)) => {
                if rule.pauses[i][1] == e.kind {
                    out.push(Pause {
                        from,
                        until: Some(e.at),
                    });
                    open = None;
                }
            }
        }
    }
    if let Some((_, from)) = open {
        out.push(Pause { from, until: None });
    }
    out
}

/// The due instant: the period from the start, moved by the paused time, plus extensions.
#[allow(clippy::too_many_arguments)]
fn due(
    rule: &Rule,
    amount: u32,
    start: DateTime<FixedOffset>,
    paused: &[Pause],
    grants: &[Grant],
    cal: &Calendar,
    now: DateTime<FixedOffset>,
) -> (DateTime<FixedOffset>, bool) {
    let pause_end = |p: &Pause| p.until.unwrap_or(now).max(p.from);
    if rule.unit == Unit::Hours {
        let paused_time: TimeDelta = paused.iter().map(|p| pause_end(p) - p.from).sum();
        let extra: i64 = grants.iter().map(|g| i64::from(granted(rule, g))).sum();
        let due = start + TimeDelta::hours(i64::from(amount) + extra) + paused_time;
        return (due, false);
    }
    let start_day = start.date_naive();
    let mut provisional = false;
    let mut add = |from: NaiveDate, unit: Unit, n: u32| -> NaiveDate {
        let r: Counted = match unit {
            Unit::WorkingDays => cal.add_working_days(from, n),
            Unit::CalendarDays | Unit::Hours => cal.add_calendar_days(from, n).map(|c| Counted {
                date: from + Days::new(n.into()),
                provisional: c.provisional,
            }),
            Unit::CalendarMonths => from
                .checked_add_months(chrono::Months::new(n))
                .map(|d| Counted {
                    date: d,
                    provisional: !cal.published(d.year()),
                })
                .ok_or(super::calendar::OutOfRange),
        }
        .unwrap_or(Counted {
            date: from,
            provisional: true,
        });
        provisional |= r.provisional;
        r.date
    };
    let mut last = add(start_day, rule.unit, amount);
    // Paused time moves the last day: by the working days it covered for working-day periods,
    // by its calendar days otherwise.
    for p in paused {
        let (a, b) = (p.from.date_naive(), pause_end(p).date_naive());
        let days = match rule.unit {
            Unit::WorkingDays => cal.working_days_between(a, b),
            _ => (b - a).num_days().max(0) as u32,
        };
        if days > 0 {
            last = add(
                last,
                if rule.unit == Unit::WorkingDays {
                    Unit::WorkingDays
                } else {
                    Unit::CalendarDays
                },
                days,
            );
        }
    }
    for g in grants {
        let tier_unit = match rule.extensions.iter().find(|t| t.tier == g.tier) {
            Some(t) => t.unit,
            // Lengthening days are calendar days on a month clock.
            None if rule.unit == Unit::CalendarMonths => Unit::CalendarDays,
            None => rule.unit,
        };
        last = add(last, tier_unit, granted(rule, g));
    }
    if rule.unit != Unit::WorkingDays {
        let rolled = cal.roll_forward(last).unwrap_or(Counted {
            date: last,
            provisional: true,
        });
        provisional |= rolled.provisional;
        last = rolled.date;
    }
    (end_of_day(last), provisional)
}

/// The amount a grant may add: what was granted, but no more than its tier's cap (a grant for a
/// tier the rule does not have adds nothing); lengthening days add what the event says.
fn granted(rule: &Rule, g: &Grant) -> u32 {
    if rule.lengthened_by.iter().any(|k| k.as_str() == g.tier) {
        return g.amount.min(UNCAPPED_MAX);
    }
    rule.extensions
        .iter()
        .find(|t| t.tier == g.tier)
        .map(|t| g.amount.min(t.limit()))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;

/// Whether the filing enterprise sees the clock `rule_id`: those that say when it will hear back
/// (triage's, an exhibition station's transfer of its complaint) and its own time to send the
/// material the office asked for.
pub fn public_to_filer(rule_id: &str) -> bool {
    rule_id.starts_with("triage.") || rule_id == "ex.transfer" || rule_id == "msg.material"
}
