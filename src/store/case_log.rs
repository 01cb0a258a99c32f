//! The log of a case: its events (the truth every state and clock is derived from) and the clocks
//! computed from them, stored for querying. Kinds and states are typed on the way out; a stored
//! name the code does not know is a corrupt row, reported as a database error.

use crate::domain::case::EventKind;
use crate::domain::deadline::{State as ClockState, Unit};
use chrono::{DateTime, FixedOffset, Utc};
use entity::{case_clocks, case_events, cases};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A stored event, its kind typed and its payload parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub case_id: i64,
    /// Its place in the case's log; the case's version is the last one.
    pub seq: i64,
    pub kind: EventKind,
    /// When it happened (an officer may record a step after the fact).
    pub at: DateTime<Utc>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_org_id: Option<i64>,
    /// The filing enterprise may see it.
    pub public: bool,
    pub payload: Value,
}

pub(super) fn unknown(what: &str, name: &str) -> DbErr {
    DbErr::Custom(format!(
        "stored {what} `{name}` is not known to this version"
    ))
}

impl TryFrom<case_events::Model> for EventRow {
    type Error = DbErr;
    fn try_from(m: case_events::Model) -> Result<Self, DbErr> {
        Ok(Self {
            kind: EventKind::parse(&m.kind).ok_or_else(|| unknown("event kind", &m.kind))?,
            payload: serde_json::from_str(&m.payload).unwrap_or(Value::Null),
            case_id: m.case_id,
            seq: m.seq,
            at: m.at,
            recorded_at: m.recorded_at,
            actor_user_id: m.actor_user_id,
            actor_org_id: m.actor_org_id,
            public: m.public,
        })
    }
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_org_id: Option<i64>,
    pub public: bool,
    pub payload: Value,
}

pub(super) fn event_values(
    case_id: i64,
    seq: i64,
    e: NewEvent,
    recorded_at: DateTime<Utc>,
) -> case_events::ActiveModel {
    case_events::ActiveModel {
        case_id: Set(case_id),
        seq: Set(seq),
        kind: Set(e.kind.as_str().into()),
        at: Set(e.at),
        recorded_at: Set(recorded_at),
        actor_user_id: Set(e.actor_user_id),
        actor_org_id: Set(e.actor_org_id),
        public: Set(e.public),
        payload: Set(e.payload.to_string()),
        ..Default::default()
    }
}

/// Appends `events` after `version`; returns the new version. The unique (case, seq) index makes
/// a second writer with the same version fail instead of interleaving.
pub async fn append_events<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    version: i64,
    events: Vec<NewEvent>,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let n = events.len() as i64;
    if n == 0 {
        return Ok(version);
    }
    let rows = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| event_values(case_id, version + 1 + i as i64, e, now));
    case_events::Entity::insert_many(rows).exec(db).await?;
    Ok(version + n)
}

/// The case's events in order; `public_only` for the filing enterprise.
pub async fn events<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    public_only: bool,
) -> Result<Vec<EventRow>, DbErr> {
    let mut q = case_events::Entity::find().filter(case_events::Column::CaseId.eq(case_id));
    if public_only {
        q = q.filter(case_events::Column::Public.eq(true));
    }
    q.order_by_asc(case_events::Column::Seq)
        .all(db)
        .await?
        .into_iter()
        .map(EventRow::try_from)
        .collect()
}

/// The kinds of a case's events after `after_seq`, in order.
pub async fn event_kinds_after<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    after_seq: i64,
) -> Result<Vec<EventKind>, DbErr> {
    let names: Vec<String> = case_events::Entity::find()
        .select_only()
        .column(case_events::Column::Kind)
        .filter(case_events::Column::CaseId.eq(case_id))
        .filter(case_events::Column::Seq.gt(after_seq))
        .order_by_asc(case_events::Column::Seq)
        .into_tuple()
        .all(db)
        .await?;
    names
        .iter()
        .map(|n| EventKind::parse(n).ok_or_else(|| unknown("event kind", n)))
        .collect()
}

/// A clock of a case as computed from its events, stored for querying.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockRow {
    pub rule_id: String,
    /// The rule's Chinese name.
    pub name: String,
    pub unit: Unit,
    /// The legal source with its article.
    pub source: String,
    pub start_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub state: ClockState,
    /// It counts a year whose official schedule is not loaded.
    pub provisional: bool,
    pub explanation: String,
    pub detail: ClockDetail,
}

/// What a stored clock keeps besides its columns (the `detail` JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClockDetail {
    /// A party's time limit shown for information, never escalated.
    pub informational: bool,
    /// The clock is the office's own service standard (服务承诺), not a limit set by law.
    pub service_standard: bool,
    pub paused_segments: Vec<Segment>,
    pub extensions: Vec<Granted>,
}

/// A paused stretch of a clock; `until` is `None` while it lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub from: DateTime<FixedOffset>,
    pub until: Option<DateTime<FixedOffset>>,
}

/// An extension granted to a clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Granted {
    pub tier: String,
    pub amount: u32,
}

impl ClockRow {
    /// Whether the clock makes its case urgent: it has not stopped (running, paused or already
    /// missed) and it is not a party's informational clock.
    pub fn counts_for_urgency(&self) -> bool {
        self.state.is_open() && !self.detail.informational
    }

    fn values(self, case_id: i64, now: DateTime<Utc>) -> case_clocks::ActiveModel {
        case_clocks::ActiveModel {
            case_id: Set(case_id),
            rule_id: Set(self.rule_id),
            name: Set(self.name),
            unit: Set(self.unit.as_str().into()),
            source: Set(self.source),
            start_at: Set(self.start_at),
            due_at: Set(self.due_at),
            state: Set(self.state.as_str().into()),
            provisional: Set(self.provisional),
            explanation: Set(self.explanation),
            detail: Set(serde_json::to_string(&self.detail).unwrap_or_else(|_| "{}".into())),
            updated_at: Set(now),
        }
    }
}

/// The clock row of a stored clock and the case it belongs to.
fn clock_of(m: case_clocks::Model) -> Result<(i64, ClockRow), DbErr> {
    Ok((
        m.case_id,
        ClockRow {
            unit: Unit::parse(&m.unit).ok_or_else(|| unknown("clock unit", &m.unit))?,
            state: ClockState::parse(&m.state).ok_or_else(|| unknown("clock state", &m.state))?,
            detail: serde_json::from_str(&m.detail).unwrap_or_default(),
            rule_id: m.rule_id,
            name: m.name,
            source: m.source,
            start_at: m.start_at,
            due_at: m.due_at,
            provisional: m.provisional,
            explanation: m.explanation,
        },
    ))
}

/// The values of new clocks of many cases, for a multi-row insert (`store::intake`).
pub(super) fn clock_values(
    case_id: i64,
    c: ClockRow,
    updated_at: DateTime<Utc>,
) -> [sea_orm::Value; 12] {
    [
        case_id.into(),
        c.rule_id.into(),
        c.name.into(),
        c.unit.as_str().into(),
        c.source.into(),
        c.start_at.into(),
        c.due_at.into(),
        c.state.as_str().into(),
        c.provisional.into(),
        c.explanation.into(),
        serde_json::to_string(&c.detail)
            .unwrap_or_else(|_| "{}".into())
            .into(),
        updated_at.into(),
    ]
}

/// The columns of [`clock_values`].
pub(super) const CLOCK_COLUMNS: [&str; 12] = [
    "case_id",
    "rule_id",
    "name",
    "unit",
    "source",
    "start_at",
    "due_at",
    "state",
    "provisional",
    "explanation",
    "detail",
    "updated_at",
];

/// The earliest due instant of the clocks that make a case urgent.
pub fn next_due(clocks: &[ClockRow]) -> Option<DateTime<Utc>> {
    clocks
        .iter()
        .filter(|c| c.counts_for_urgency())
        .map(|c| c.due_at)
        .min()
}

/// Replaces the stored clocks of a case and its next due instant (the earliest open clock).
/// Returns whether the next due instant changed (urgency and the overdue filter of search follow
/// it, so the caller records the change in the outbox).
pub async fn replace_clocks<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    clocks: Vec<ClockRow>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    case_clocks::Entity::delete_many()
        .filter(case_clocks::Column::CaseId.eq(case_id))
        .exec(db)
        .await?;
    let next_due = next_due(&clocks);
    if !clocks.is_empty() {
        let rows = clocks.into_iter().map(|c| c.values(case_id, now));
        case_clocks::Entity::insert_many(rows).exec(db).await?;
    }
    let res = cases::Entity::update_many()
        .col_expr(cases::Column::NextDueAt, Expr::value(next_due))
        .filter(cases::Column::Id.eq(case_id))
        .filter(
            Condition::any()
                .add(cases::Column::NextDueAt.ne(next_due))
                .add(cases::Column::NextDueAt.is_null().ne(next_due.is_none())),
        )
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// The clocks of a case, by start.
pub async fn clocks<C: ConnectionTrait>(db: &C, case_id: i64) -> Result<Vec<ClockRow>, DbErr> {
    case_clocks::Entity::find()
        .filter(case_clocks::Column::CaseId.eq(case_id))
        .order_by_asc(case_clocks::Column::StartAt)
        .order_by_asc(case_clocks::Column::RuleId)
        .all(db)
        .await?
        .into_iter()
        .map(|m| clock_of(m).map(|(_, c)| c))
        .collect()
}

/// The clocks of many cases with the case each belongs to, by due instant (badges on lists).
pub async fn clocks_of<C: ConnectionTrait>(
    db: &C,
    case_ids: Vec<i64>,
) -> Result<Vec<(i64, ClockRow)>, DbErr> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    case_clocks::Entity::find()
        .filter(case_clocks::Column::CaseId.is_in(case_ids))
        .order_by_asc(case_clocks::Column::DueAt)
        .all(db)
        .await?
        .into_iter()
        .map(clock_of)
        .collect()
}

/// Open cases with a provisional clock (one that counted a year without an official schedule).
pub async fn ids_with_provisional_clocks<C: ConnectionTrait>(db: &C) -> Result<Vec<i64>, DbErr> {
    let mut ids: Vec<i64> = case_clocks::Entity::find()
        .select_only()
        .column(case_clocks::Column::CaseId)
        .filter(case_clocks::Column::Provisional.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The detail JSON keeps the shape earlier releases stored (`informational`,
    /// `paused_segments` with RFC 3339 instants in Beijing time, `extensions`), and reads what
    /// they stored without `service_standard` as a clock set by law.
    #[test]
    fn clock_detail_reads_and_writes_the_stored_shape() {
        let stored = r#"{"informational":false,"paused_segments":[{"from":"2026-03-02T09:00:00+08:00","until":null}],"extensions":[{"tier":"department_head","amount":5}]}"#;
        let d: ClockDetail = serde_json::from_str(stored).unwrap();
        assert_eq!(
            d.paused_segments[0].from.to_rfc3339(),
            "2026-03-02T09:00:00+08:00"
        );
        assert!(!d.service_standard);
        let written = serde_json::to_string(&d).unwrap();
        assert_eq!(
            written,
            stored.replace(
                r#""informational":false,"#,
                r#""informational":false,"service_standard":false,"#
            )
        );
        assert_eq!(
            serde_json::from_str::<ClockDetail>("{}").unwrap(),
            ClockDetail::default()
        );
    }
}
