//! Cases, their parties, rights, events, shares and clocks.

use crate::domain::case::{Queue, STATE_NEW};
use crate::domain::identity::{OrgKind, Role};
use crate::domain::policy::{Actor, CaseFacts};
use chrono::{DateTime, Utc};
use entity::{case_clocks, case_events, case_parties, case_rights, case_shares, cases, users};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QueryResult, QuerySelect, Set, Statement,
    Value,
};
use std::collections::HashMap;

/// Reserves `n` case numbers of `year`; returns the last one (the block is `last-n+1 ..= last`).
/// Numbers are taken inside the case's write transaction, so concurrent filings queue on the
/// counter row and never share a number.
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

/// A case as first stored: in `triage`/`new`, at version 1 (its `received` event).
#[derive(Debug, Clone)]
pub struct NewCase {
    pub number: String,
    pub title: String,
    pub description: String,
    pub source: String,
    pub channel: String,
    pub region_code: String,
    pub owner_org_id: i64,
    pub filer_org_id: Option<i64>,
    pub filer_user_id: Option<i64>,
    pub created_by_user_id: Option<i64>,
    pub complainant_standing: Option<String>,
    pub complainant_uscc: Option<String>,
    pub srdi_rank: i16,
    pub facts: String,
    pub received_at: DateTime<Utc>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub is_demo: bool,
    /// When the row is written (`created_at` and `updated_at`).
    pub created_at: DateTime<Utc>,
}

/// The most rows one multi-row insert takes: as many as the backend's bound-value limit allows
/// (SQLite 32,766, PostgreSQL 65,535), at most 2,048.
fn max_rows(backend: DbBackend, width: usize) -> usize {
    let limit = match backend {
        DbBackend::Postgres => 65_535,
        _ => 32_766,
    };
    (limit / width).clamp(1, 2048)
}

/// How `n` rows are split into statements: full statements of `max` rows, then the rest in
/// one statement when it is large (an import batch) or in power-of-two pieces when it is small
/// (a few filings stored together), so that statements are few and each connection needs only a
/// handful of distinct ones (it keeps them prepared).
fn statement_sizes(mut n: usize, max: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    while n >= max {
        sizes.push(max);
        n -= max;
    }
    if n >= 256 {
        sizes.push(n);
    } else {
        for bit in (0..8).rev() {
            if n & (1 << bit) != 0 {
                sizes.push(1 << bit);
            }
        }
    }
    sizes
}

/// `INSERT INTO "table" ("a", "b") VALUES (?, ?), (?, ?) …` for `rows` rows, with the backend's
/// placeholders, then `tail` (a `RETURNING` clause or nothing).
fn insert_sql(backend: DbBackend, table: &str, cols: &[&str], rows: usize, tail: &str) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(64 + cols.len() * (12 + rows * 7) + tail.len());
    let _ = write!(sql, "INSERT INTO \"{table}\" (");
    for (i, c) in cols.iter().enumerate() {
        let _ = write!(sql, "{}\"{c}\"", if i == 0 { "" } else { ", " });
    }
    sql.push_str(") VALUES ");
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for i in 0..cols.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                DbBackend::Postgres => {
                    let _ = write!(sql, "${n}");
                }
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql.push_str(tail);
    sql
}

/// Inserts rows given as their values one row after another (`cols.len()` values each), in as
/// few multi-row statements as `statement_sizes` allows; returns the rows of `returning` (a
/// `RETURNING …` clause), or none when it is empty.
async fn insert_rows<C: ConnectionTrait>(
    db: &C,
    table: &str,
    cols: &[&str],
    values: Vec<Value>,
    returning: &str,
) -> Result<Vec<QueryResult>, DbErr> {
    let backend = db.get_database_backend();
    let width = cols.len();
    debug_assert_eq!(values.len() % width, 0);
    let rows = values.len() / width;
    let mut values = values.into_iter();
    let mut out = Vec::new();
    for size in statement_sizes(rows, max_rows(backend, width)) {
        let chunk: Vec<Value> = values.by_ref().take(size * width).collect();
        let stmt = Statement::from_sql_and_values(
            backend,
            insert_sql(backend, table, cols, size, returning),
            chunk,
        );
        if returning.is_empty() {
            db.execute_raw(stmt).await?;
        } else {
            out.extend(db.query_all_raw(stmt).await?);
        }
    }
    Ok(out)
}

/// Inserts rows without reading anything back (for other store modules).
pub(crate) async fn insert_values<C: ConnectionTrait>(
    db: &C,
    table: &str,
    cols: &[&str],
    values: Vec<Value>,
) -> Result<(), DbErr> {
    insert_rows(db, table, cols, values, "").await.map(|_| ())
}

/// Inserts cases; returns their ids in the order given (read back with `RETURNING`, matched by
/// case number, so the order in which the database returns them does not matter).
pub async fn insert_many<C: ConnectionTrait>(
    db: &C,
    rows: Vec<NewCase>,
) -> Result<Vec<i64>, DbErr> {
    const COLS: [&str; 26] = [
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
        "next_due_at",
        "received_at",
        "closed_at",
        "version",
        "is_demo",
        "created_at",
        "updated_at",
    ];
    let numbers: Vec<String> = rows.iter().map(|r| r.number.clone()).collect();
    let mut values = Vec::with_capacity(rows.len() * COLS.len());
    for c in rows {
        values.extend([
            Value::from(c.number),
            c.title.into(),
            c.description.into(),
            c.source.into(),
            c.channel.into(),
            c.region_code.into(),
            Queue::Triage.as_str().into(),
            STATE_NEW.into(),
            c.owner_org_id.into(),
            c.filer_org_id.into(),
            c.filer_user_id.into(),
            c.created_by_user_id.into(),
            Option::<i64>::None.into(),
            c.complainant_standing.into(),
            c.complainant_uscc.into(),
            c.srdi_rank.into(),
            c.facts.into(),
            Option::<i64>::None.into(),
            Option::<i64>::None.into(),
            c.next_due_at.into(),
            c.received_at.into(),
            Option::<DateTime<Utc>>::None.into(),
            1i64.into(),
            c.is_demo.into(),
            c.created_at.into(),
            c.created_at.into(),
        ]);
    }
    let found = insert_rows(db, "cases", &COLS, values, " RETURNING \"id\", \"number\"").await?;
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

/// A party as stored.
#[derive(Debug, Clone)]
pub struct NewParty {
    pub role: &'static str,
    pub name: String,
    pub uscc: Option<String>,
    pub address: Option<String>,
    pub listing_url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// Inserts parties of many cases; positions count per case and role.
pub async fn insert_parties_many<C: ConnectionTrait>(
    db: &C,
    parties: Vec<(i64, NewParty)>,
) -> Result<(), DbErr> {
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
    let mut position: HashMap<(i64, &'static str), i32> = HashMap::new();
    let mut values = Vec::with_capacity(parties.len() * COLS.len());
    for (case_id, p) in parties {
        let pos = position.entry((case_id, p.role)).or_default();
        *pos += 1;
        values.extend([
            Value::from(case_id),
            p.role.into(),
            (*pos - 1).into(),
            p.name.into(),
            p.uscc.into(),
            p.address.into(),
            p.listing_url.into(),
            p.contact_name.into(),
            p.contact_phone.into(),
        ]);
    }
    insert_rows(db, "case_parties", &COLS, values, "").await?;
    Ok(())
}

/// A right as stored.
#[derive(Debug, Clone)]
pub struct NewRight {
    pub kind: String,
    pub number: Option<String>,
    pub title: String,
    pub holder: Option<String>,
}

/// Inserts rights of many cases.
pub async fn insert_rights_many<C: ConnectionTrait>(
    db: &C,
    rights: Vec<(i64, NewRight)>,
) -> Result<(), DbErr> {
    const COLS: [&str; 6] = ["case_id", "position", "kind", "number", "title", "holder"];
    let mut position: HashMap<i64, i32> = HashMap::new();
    let mut values = Vec::with_capacity(rights.len() * COLS.len());
    for (case_id, r) in rights {
        let pos = position.entry(case_id).or_default();
        *pos += 1;
        values.extend([
            Value::from(case_id),
            (*pos - 1).into(),
            r.kind.into(),
            r.number.into(),
            r.title.into(),
            r.holder.into(),
        ]);
    }
    insert_rows(db, "case_rights", &COLS, values, "").await?;
    Ok(())
}

/// Inserts the first event (seq 1) of many new cases, each with when it is recorded.
pub async fn insert_first_events<C: ConnectionTrait>(
    db: &C,
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
    let mut outbox = Vec::with_capacity(events.len() * 2);
    for (case_id, e, recorded_at) in events {
        outbox.extend([Value::from(case_id), recorded_at.into()]);
        values.extend([
            Value::from(case_id),
            1i64.into(),
            e.kind.into(),
            e.at.into(),
            recorded_at.into(),
            e.actor_user_id.into(),
            e.actor_org_id.into(),
            e.public.into(),
            e.payload.to_string().into(),
        ]);
    }
    insert_rows(db, "case_events", &COLS, values, "").await?;
    // New cases are searchable through the outbox, like every later change.
    insert_rows(db, "search_outbox", &["case_id", "recorded_at"], outbox, "").await?;
    Ok(())
}

fn event_row(case_id: i64, seq: i64, e: NewEvent, now: DateTime<Utc>) -> case_events::ActiveModel {
    case_events::ActiveModel {
        case_id: Set(case_id),
        seq: Set(seq),
        kind: Set(e.kind),
        at: Set(e.at),
        recorded_at: Set(now),
        actor_user_id: Set(e.actor_user_id),
        actor_org_id: Set(e.actor_org_id),
        public: Set(e.public),
        payload: Set(e.payload.to_string()),
        ..Default::default()
    }
}

/// Inserts the clocks of many new cases, each with when it was computed.
pub async fn insert_clocks_many<C: ConnectionTrait>(
    db: &C,
    clocks: Vec<(i64, ClockRow, DateTime<Utc>)>,
) -> Result<(), DbErr> {
    const COLS: [&str; 12] = [
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
    let mut values = Vec::with_capacity(clocks.len() * COLS.len());
    for (case_id, c, updated_at) in clocks {
        values.extend([
            Value::from(case_id),
            c.rule_id.into(),
            c.name.into(),
            c.unit.into(),
            c.source.into(),
            c.start_at.into(),
            c.due_at.into(),
            c.state.into(),
            c.provisional.into(),
            c.explanation.into(),
            c.detail.to_string().into(),
            updated_at.into(),
        ]);
    }
    insert_rows(db, "case_clocks", &COLS, values, "").await?;
    Ok(())
}

fn clock_row(case_id: i64, c: ClockRow, now: DateTime<Utc>) -> case_clocks::ActiveModel {
    case_clocks::ActiveModel {
        case_id: Set(case_id),
        rule_id: Set(c.rule_id),
        name: Set(c.name),
        unit: Set(c.unit),
        source: Set(c.source),
        start_at: Set(c.start_at),
        due_at: Set(c.due_at),
        state: Set(c.state),
        provisional: Set(c.provisional),
        explanation: Set(c.explanation),
        detail: Set(c.detail.to_string()),
        updated_at: Set(now),
    }
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: String,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_org_id: Option<i64>,
    pub public: bool,
    pub payload: serde_json::Value,
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
        .map(|(i, e)| event_row(case_id, version + 1 + i as i64, e, now));
    case_events::Entity::insert_many(rows).exec(db).await?;
    super::search::enqueue(db, &[case_id], now).await?;
    Ok(version + n)
}

/// New values of a case's state columns; `None` leaves a column alone.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub owner_org_id: Option<i64>,
    pub queue: Option<String>,
    pub state: Option<String>,
    pub referred_to_org_id: Option<Option<i64>>,
    pub merged_into_case_id: Option<Option<i64>>,
    pub assignee_user_id: Option<Option<i64>>,
    pub closed_at: Option<Option<DateTime<Utc>>>,
    pub facts: Option<String>,
    pub exhibition_id: Option<Option<i64>>,
}

/// Moves a case from `expected` to `version` with `change`, only if nobody moved it first.
/// Returns false when the stored version is not `expected` (a stale write).
pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: i64,
    expected: i64,
    version: i64,
    change: Change,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut q = cases::Entity::update_many()
        .col_expr(cases::Column::Version, Expr::value(version))
        .col_expr(cases::Column::UpdatedAt, Expr::value(now));
    if let Some(v) = change.owner_org_id {
        q = q.col_expr(cases::Column::OwnerOrgId, Expr::value(v));
    }
    if let Some(v) = change.queue {
        q = q.col_expr(cases::Column::Queue, Expr::value(v));
    }
    if let Some(v) = change.state {
        q = q.col_expr(cases::Column::State, Expr::value(v));
    }
    if let Some(v) = change.referred_to_org_id {
        q = q.col_expr(cases::Column::ReferredToOrgId, Expr::value(v));
    }
    if let Some(v) = change.merged_into_case_id {
        q = q.col_expr(cases::Column::MergedIntoCaseId, Expr::value(v));
    }
    if let Some(v) = change.assignee_user_id {
        q = q.col_expr(cases::Column::AssigneeUserId, Expr::value(v));
    }
    if let Some(v) = change.closed_at {
        q = q.col_expr(cases::Column::ClosedAt, Expr::value(v));
    }
    if let Some(v) = change.facts {
        q = q.col_expr(cases::Column::Facts, Expr::value(v));
    }
    if let Some(v) = change.exhibition_id {
        q = q.col_expr(cases::Column::ExhibitionId, Expr::value(v));
    }
    let res = q
        .filter(cases::Column::Id.eq(id))
        .filter(cases::Column::Version.eq(expected))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<cases::Model>, DbErr> {
    cases::Entity::find_by_id(id).one(db).await
}

pub async fn find_by_number<C: ConnectionTrait>(
    db: &C,
    number: &str,
) -> Result<Option<cases::Model>, DbErr> {
    cases::Entity::find()
        .filter(cases::Column::Number.eq(number))
        .one(db)
        .await
}

pub async fn parties<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
) -> Result<Vec<case_parties::Model>, DbErr> {
    case_parties::Entity::find()
        .filter(case_parties::Column::CaseId.eq(case_id))
        .order_by_asc(case_parties::Column::Role)
        .order_by_asc(case_parties::Column::Position)
        .all(db)
        .await
}

pub async fn rights<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
) -> Result<Vec<case_rights::Model>, DbErr> {
    case_rights::Entity::find()
        .filter(case_rights::Column::CaseId.eq(case_id))
        .order_by_asc(case_rights::Column::Position)
        .all(db)
        .await
}

/// The case's events in order; `public_only` for the filing enterprise.
pub async fn events<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    public_only: bool,
) -> Result<Vec<case_events::Model>, DbErr> {
    let mut q = case_events::Entity::find().filter(case_events::Column::CaseId.eq(case_id));
    if public_only {
        q = q.filter(case_events::Column::Public.eq(true));
    }
    q.order_by_asc(case_events::Column::Seq).all(db).await
}

/// The kinds of a case's events after `after_seq`, in order.
pub async fn event_kinds_after<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    after_seq: i64,
) -> Result<Vec<String>, DbErr> {
    case_events::Entity::find()
        .select_only()
        .column(case_events::Column::Kind)
        .filter(case_events::Column::CaseId.eq(case_id))
        .filter(case_events::Column::Seq.gt(after_seq))
        .order_by_asc(case_events::Column::Seq)
        .into_tuple()
        .all(db)
        .await
}

/// Shares still in force.
pub async fn active_shares<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
) -> Result<Vec<case_shares::Model>, DbErr> {
    case_shares::Entity::find()
        .filter(case_shares::Column::CaseId.eq(case_id))
        .filter(case_shares::Column::RevokedAt.is_null())
        .order_by_asc(case_shares::Column::Id)
        .all(db)
        .await
}

pub async fn insert_share<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    org_id: i64,
    access: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<case_shares::Model, DbErr> {
    case_shares::ActiveModel {
        case_id: Set(case_id),
        org_id: Set(org_id),
        access: Set(access.into()),
        granted_by_user_id: Set(Some(by)),
        granted_at: Set(now),
        revoked_at: Set(None),
        revoked_by_user_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Ends the active shares of `case_id` with `org_id`; returns how many there were.
pub async fn revoke_shares<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    org_id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let res = case_shares::Entity::update_many()
        .col_expr(case_shares::Column::RevokedAt, Expr::value(now))
        .col_expr(case_shares::Column::RevokedByUserId, Expr::value(by))
        .filter(case_shares::Column::CaseId.eq(case_id))
        .filter(case_shares::Column::OrgId.eq(org_id))
        .filter(case_shares::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// What the access policy needs about `case`.
pub async fn policy_facts<C: ConnectionTrait>(
    db: &C,
    case: &cases::Model,
) -> Result<CaseFacts, DbErr> {
    let shares = active_shares(db, case.id).await?;
    let assignee_org_id = match case.assignee_user_id {
        Some(u) => users::Entity::find_by_id(u)
            .one(db)
            .await?
            .map(|u| u.org_id),
        None => None,
    };
    Ok(CaseFacts {
        owner_org_id: case.owner_org_id,
        filer_org_id: case.filer_org_id,
        awaiting_triage: case.queue == Queue::Triage.as_str() && case.state == STATE_NEW,
        region_code: case.region_code.clone(),
        assignee_org_id,
        referred_to_org_id: case.referred_to_org_id,
        shares: shares
            .into_iter()
            .map(|s| (s.org_id, s.access == "contribute"))
            .collect(),
    })
}

/// The leading digits of a region code that its sub-regions share.
fn region_prefix(code: &str) -> &str {
    if code.ends_with("0000") {
        code.get(..2).unwrap_or(code)
    } else if code.ends_with("00") {
        code.get(..4).unwrap_or(code)
    } else {
        code
    }
}

/// The cases `actor` may see, as a SQL condition: the same rules as
/// `domain::policy::case_access` (compared by a test).
pub fn visible(actor: &Actor) -> Condition {
    if actor.org_kind == OrgKind::Enterprise {
        return if actor.role == Role::EnterpriseFiler {
            Condition::all().add(cases::Column::FilerOrgId.eq(actor.org_id))
        } else {
            Condition::all().add(Expr::val(1).eq(0))
        };
    }
    let shared = Query::select()
        .column(case_shares::Column::CaseId)
        .from(case_shares::Entity)
        .and_where(case_shares::Column::OrgId.eq(actor.org_id))
        .and_where(case_shares::Column::RevokedAt.is_null())
        .to_owned();
    let mut any = Condition::any()
        .add(cases::Column::OwnerOrgId.eq(actor.org_id))
        .add(cases::Column::Id.in_subquery(shared))
        .add(cases::Column::ReferredToOrgId.eq(actor.org_id));
    if actor.org_kind == OrgKind::AssistanceCenter {
        let staff = Query::select()
            .column(users::Column::Id)
            .from(users::Entity)
            .and_where(users::Column::OrgId.eq(actor.org_id))
            .to_owned();
        any = any
            .add(
                Condition::all()
                    .add(cases::Column::Queue.eq(Queue::Triage.as_str()))
                    .add(cases::Column::State.eq(STATE_NEW))
                    .add(cases::Column::RegionCode.starts_with(region_prefix(&actor.region_code))),
            )
            .add(cases::Column::AssigneeUserId.in_subquery(staff));
    }
    any
}

/// Filters of a case list (API.md `GET /api/v1/cases`).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub queue: Option<String>,
    pub state: Option<String>,
    pub due_before: Option<DateTime<Utc>>,
    pub overdue_at: Option<DateTime<Utc>>,
    pub assignee: Option<i64>,
    pub srdi: bool,
    pub open_only: bool,
    pub owner_org: Option<i64>,
    pub awaiting_triage: bool,
}

/// One page of visible cases, most urgent first, SRDI first among equally urgent, then oldest.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &Filter,
    offset: u64,
    limit: u64,
) -> Result<Vec<cases::Model>, DbErr> {
    let mut q = cases::Entity::find().filter(visible(actor));
    if let Some(v) = &f.queue {
        q = q.filter(cases::Column::Queue.eq(v.as_str()));
    }
    if let Some(v) = &f.state {
        q = q.filter(cases::Column::State.eq(v.as_str()));
    }
    if let Some(t) = f.due_before {
        q = q.filter(cases::Column::NextDueAt.lt(t));
    }
    if let Some(t) = f.overdue_at {
        q = q.filter(cases::Column::NextDueAt.lt(t));
    }
    if let Some(u) = f.assignee {
        q = q.filter(cases::Column::AssigneeUserId.eq(u));
    }
    if f.srdi {
        q = q.filter(cases::Column::SrdiRank.gt(0));
    }
    if f.open_only {
        q = q.filter(cases::Column::ClosedAt.is_null());
    }
    if let Some(o) = f.owner_org {
        q = q.filter(cases::Column::OwnerOrgId.eq(o));
    }
    if f.awaiting_triage {
        q = q
            .filter(cases::Column::Queue.eq(Queue::Triage.as_str()))
            .filter(cases::Column::State.eq(STATE_NEW));
    }
    q.order_by_asc(Expr::col(cases::Column::NextDueAt).is_null())
        .order_by_asc(cases::Column::NextDueAt)
        .order_by_desc(cases::Column::SrdiRank)
        .order_by_asc(cases::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await
}

/// Ids of every case `actor` may see (for tests and checks; not for pages).
pub async fn visible_ids<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<Vec<i64>, DbErr> {
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(visible(actor))
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// Every case id, in order.
pub async fn all_ids<C: ConnectionTrait>(db: &C) -> Result<Vec<i64>, DbErr> {
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    cases::Entity::find().count(db).await
}

/// Open cases other than `except` with a respondent name or credit code, a right number or a
/// listing URL in common with the given values: candidates the duplicate rule then checks.
pub async fn duplicate_candidates<C: ConnectionTrait>(
    db: &C,
    except: i64,
    names: Vec<String>,
    numbers: Vec<String>,
    urls: Vec<String>,
) -> Result<Vec<i64>, DbErr> {
    let mut ids: Vec<i64> = case_parties::Entity::find()
        .select_only()
        .column(case_parties::Column::CaseId)
        .filter(
            Condition::any()
                .add(case_parties::Column::Name.is_in(names.clone()))
                .add(case_parties::Column::Uscc.is_in(names))
                .add(case_parties::Column::ListingUrl.is_in(urls)),
        )
        .filter(case_parties::Column::Role.eq("respondent"))
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    let by_right: Vec<i64> = case_rights::Entity::find()
        .select_only()
        .column(case_rights::Column::CaseId)
        .filter(case_rights::Column::Number.is_in(numbers))
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    ids.extend(by_right);
    ids.sort_unstable();
    ids.dedup();
    ids.retain(|id| *id != except);
    if ids.is_empty() {
        return Ok(ids);
    }
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(cases::Column::Id.is_in(ids))
        .filter(cases::Column::ClosedAt.is_null())
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// Parties of many cases.
pub async fn parties_of<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> Result<Vec<case_parties::Model>, DbErr> {
    case_parties::Entity::find()
        .filter(case_parties::Column::CaseId.is_in(ids))
        .all(db)
        .await
}

/// Rights of many cases.
pub async fn rights_of<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> Result<Vec<case_rights::Model>, DbErr> {
    case_rights::Entity::find()
        .filter(case_rights::Column::CaseId.is_in(ids))
        .all(db)
        .await
}

/// Those of `ids` that `actor` may see.
pub async fn visible_ids_among<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    ids: Vec<i64>,
) -> Result<Vec<i64>, DbErr> {
    if ids.is_empty() {
        return Ok(ids);
    }
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(cases::Column::Id.is_in(ids))
        .filter(visible(actor))
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// Many cases by id.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: Vec<i64>) -> Result<Vec<cases::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    cases::Entity::find()
        .filter(cases::Column::Id.is_in(ids))
        .order_by_asc(cases::Column::Id)
        .all(db)
        .await
}

/// A computed clock to store.
#[derive(Debug, Clone)]
pub struct ClockRow {
    pub rule_id: String,
    pub name: String,
    pub unit: String,
    pub source: String,
    pub start_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub state: String,
    pub provisional: bool,
    pub explanation: String,
    pub detail: serde_json::Value,
}

/// Whether a clock makes its case urgent: it has not stopped (running, paused or already missed)
/// and it is not a party's informational clock.
pub fn counts_for_urgency(c: &ClockRow) -> bool {
    matches!(c.state.as_str(), "running" | "paused" | "missed")
        && !c
            .detail
            .get("informational")
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
}

/// Replaces the stored clocks of a case and its next due instant (the earliest open clock).
pub async fn replace_clocks<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    clocks: Vec<ClockRow>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    case_clocks::Entity::delete_many()
        .filter(case_clocks::Column::CaseId.eq(case_id))
        .exec(db)
        .await?;
    let next_due = clocks
        .iter()
        .filter(|c| counts_for_urgency(c))
        .map(|c| c.due_at)
        .min();
    if !clocks.is_empty() {
        let rows = clocks.into_iter().map(|c| clock_row(case_id, c, now));
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
    // Urgency and the overdue filter of search follow the next due instant.
    if res.rows_affected > 0 {
        super::search::enqueue(db, &[case_id], now).await?;
    }
    Ok(())
}

pub async fn clocks<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
) -> Result<Vec<case_clocks::Model>, DbErr> {
    case_clocks::Entity::find()
        .filter(case_clocks::Column::CaseId.eq(case_id))
        .order_by_asc(case_clocks::Column::StartAt)
        .order_by_asc(case_clocks::Column::RuleId)
        .all(db)
        .await
}

/// The running clocks of many cases (for badges on lists).
pub async fn clocks_of<C: ConnectionTrait>(
    db: &C,
    case_ids: Vec<i64>,
) -> Result<Vec<case_clocks::Model>, DbErr> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    case_clocks::Entity::find()
        .filter(case_clocks::Column::CaseId.is_in(case_ids))
        .order_by_asc(case_clocks::Column::DueAt)
        .all(db)
        .await
}

/// Ids of the cases still open (not closed), in order.
pub async fn open_ids<C: ConnectionTrait>(db: &C) -> Result<Vec<i64>, DbErr> {
    cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(cases::Column::ClosedAt.is_null())
        .order_by_asc(cases::Column::Id)
        .into_tuple()
        .all(db)
        .await
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

    #[test]
    fn rows_are_split_into_few_statements_within_the_bound_value_limits() {
        assert_eq!(max_rows(DbBackend::Sqlite, 26), 1260);
        assert_eq!(max_rows(DbBackend::Postgres, 26), 2048);
        assert_eq!(max_rows(DbBackend::Sqlite, 6), 2048);
        assert_eq!(statement_sizes(2000, 1260), [1260, 740]);
        assert_eq!(statement_sizes(2000, 2048), [2000]);
        assert_eq!(statement_sizes(4000, 2048), [2048, 1952]);
        assert_eq!(statement_sizes(13, 2048), [8, 4, 1]);
        assert_eq!(statement_sizes(0, 2048), Vec::<usize>::new());
        for n in 0..3000 {
            for max in [1, 7, 256, 1024, 2048] {
                let sizes = statement_sizes(n, max);
                assert_eq!(sizes.iter().sum::<usize>(), n);
                assert!(
                    sizes.iter().all(|s| (1..=max).contains(s)),
                    "{n} {max} {sizes:?}"
                );
            }
        }
    }
}
