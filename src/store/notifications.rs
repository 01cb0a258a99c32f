//! Notices of the deadline scheduler and their e-mail outbox: finding the clocks that need a
//! notice, inserting notices exactly once (`ON CONFLICT DO NOTHING` on the unique index over
//! user, case, rule, kind and due instant), and claiming e-mails to send (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL). What a user reads of them is `store::inbox`.

use crate::domain::deadline::State;
use chrono::{DateTime, Utc};
use entity::{case_clocks, case_events, cases, email_outbox, notifications};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// Rows per multi-row insert (well under every backend's bound-parameter limit).
const CHUNK: usize = 400;

/// Marks every running clock whose due instant has passed as `missed`; returns how many.
pub async fn mark_missed<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let res = case_clocks::Entity::update_many()
        .col_expr(
            case_clocks::Column::State,
            Expr::value(State::Missed.as_str()),
        )
        .filter(case_clocks::Column::State.eq(State::Running.as_str()))
        .filter(case_clocks::Column::DueAt.lte(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// A clock of an open case that may need a notice, with what the notice needs of its case.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Candidate {
    pub case_id: i64,
    pub rule_id: String,
    pub name: String,
    pub unit: String,
    pub start_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub state: String,
    pub number: String,
    pub title: String,
    pub owner_org_id: i64,
    pub assignee_user_id: Option<i64>,
    pub region_code: String,
    pub queue: String,
    pub case_state: String,
    pub srdi_rank: i16,
}

/// Which clocks to read.
#[derive(Debug, Clone, Copy)]
pub enum Window {
    /// Running or missed clocks due in `(from, now]` with no overdue notice yet.
    Overdue {
        from: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    /// Running clocks (of `unit` when given) due in `(after, until]` with no due-soon notice.
    DueSoon {
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        unit: Option<&'static str>,
    },
}

/// Clocks of open cases in `window` that have not been announced for their due instant. The
/// `(state, due_at)` and `(unit, state, due_at)` indexes find them; the anti-join on the
/// notices' unique `(case_id, rule_id, kind, due_at, user_id)` index skips the ones already
/// announced.
pub async fn candidates<C: ConnectionTrait>(
    db: &C,
    window: Window,
) -> Result<Vec<Candidate>, DbErr> {
    let cc = case_clocks::Entity;
    let n = Alias::new("n");
    let (kind, clock_filter) = match window {
        Window::Overdue { from, now } => (
            "overdue",
            Condition::all()
                .add(
                    Expr::col((cc, case_clocks::Column::State))
                        .is_in([State::Running.as_str(), State::Missed.as_str()]),
                )
                .add(Expr::col((cc, case_clocks::Column::DueAt)).gt(from))
                .add(Expr::col((cc, case_clocks::Column::DueAt)).lte(now)),
        ),
        Window::DueSoon { after, until, unit } => {
            let mut c = Condition::all();
            if let Some(u) = unit {
                c = c.add(Expr::col((cc, case_clocks::Column::Unit)).eq(u));
            }
            (
                "due_soon",
                c.add(Expr::col((cc, case_clocks::Column::State)).eq(State::Running.as_str()))
                    .add(Expr::col((cc, case_clocks::Column::DueAt)).gt(after))
                    .add(Expr::col((cc, case_clocks::Column::DueAt)).lte(until)),
            )
        }
    };
    let announced = Query::select()
        .expr(Expr::val(1))
        .from_as(notifications::Entity, n.clone())
        .and_where(
            Expr::col((n.clone(), notifications::Column::CaseId))
                .equals((cc, case_clocks::Column::CaseId)),
        )
        .and_where(
            Expr::col((n.clone(), notifications::Column::RuleId))
                .equals((cc, case_clocks::Column::RuleId)),
        )
        .and_where(Expr::col((n.clone(), notifications::Column::Kind)).eq(kind))
        .and_where(
            Expr::col((n, notifications::Column::DueAt)).equals((cc, case_clocks::Column::DueAt)),
        )
        .to_owned();
    let stmt = Query::select()
        .columns([
            (cc, case_clocks::Column::CaseId),
            (cc, case_clocks::Column::RuleId),
            (cc, case_clocks::Column::Name),
            (cc, case_clocks::Column::Unit),
            (cc, case_clocks::Column::StartAt),
            (cc, case_clocks::Column::DueAt),
            (cc, case_clocks::Column::State),
        ])
        .columns([
            (cases::Entity, cases::Column::Number),
            (cases::Entity, cases::Column::Title),
            (cases::Entity, cases::Column::OwnerOrgId),
            (cases::Entity, cases::Column::AssigneeUserId),
            (cases::Entity, cases::Column::RegionCode),
            (cases::Entity, cases::Column::Queue),
            (cases::Entity, cases::Column::SrdiRank),
        ])
        .expr_as(
            Expr::col((cases::Entity, cases::Column::State)),
            Alias::new("case_state"),
        )
        .from(cc)
        .inner_join(
            cases::Entity,
            Expr::col((cases::Entity, cases::Column::Id)).equals((cc, case_clocks::Column::CaseId)),
        )
        .cond_where(clock_filter)
        .and_where(Expr::col((cases::Entity, cases::Column::ClosedAt)).is_null())
        .and_where(Expr::not_exists(announced))
        .to_owned();
    let rows = db.query_all(&stmt).await?;
    rows.iter()
        .map(|r| Candidate::from_query_result(r, ""))
        .collect()
}

/// The event kinds of many cases, in order, grouped by case.
pub async fn event_kinds<C: ConnectionTrait>(
    db: &C,
    case_ids: &[i64],
) -> Result<Vec<(i64, String)>, DbErr> {
    let mut out = Vec::new();
    for chunk in case_ids.chunks(CHUNK) {
        let rows: Vec<(i64, String)> = case_events::Entity::find()
            .select_only()
            .column(case_events::Column::CaseId)
            .column(case_events::Column::Kind)
            .filter(case_events::Column::CaseId.is_in(chunk.to_vec()))
            .order_by_asc(case_events::Column::CaseId)
            .order_by_asc(case_events::Column::Seq)
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// A notice to insert. Ordered like the unique index (clock, kind, due instant, user).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NewNotice {
    pub case_id: i64,
    pub rule_id: String,
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub user_id: i64,
    pub data: String,
}

/// Inserts `rows`, skipping any that exists already (same user, case, rule, kind and due
/// instant); returns the rows actually inserted. Rows go in the unique index's order, which
/// keeps the index writes local and makes two processes inserting overlapping sets wait for
/// each other instead of deadlocking.
pub async fn insert_notices<C: ConnectionTrait>(
    db: &C,
    mut rows: Vec<NewNotice>,
    now: DateTime<Utc>,
) -> Result<Vec<notifications::Model>, DbErr> {
    #[derive(FromQueryResult)]
    struct Inserted {
        id: i64,
        user_id: i64,
        case_id: i64,
        rule_id: String,
        kind: String,
        due_at: DateTime<Utc>,
    }
    rows.sort();
    rows.dedup_by(|a, b| {
        (a.user_id, a.case_id, &a.rule_id, &a.kind, a.due_at)
            == (b.user_id, b.case_id, &b.rule_id, &b.kind, b.due_at)
    });
    let backend = db.get_database_backend();
    let mut inserted = Vec::new();
    let mut rest: &[NewNotice] = &rows;
    while !rest.is_empty() {
        // Fixed statement sizes, so each connection keeps a handful of prepared statements.
        let size = [256, 32, 4, 1]
            .into_iter()
            .find(|n| *n <= rest.len())
            .unwrap_or(1);
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(size * 7);
        for r in chunk {
            values.extend([
                r.user_id.into(),
                r.case_id.into(),
                r.rule_id.clone().into(),
                r.kind.clone().into(),
                r.due_at.into(),
                r.data.clone().into(),
                now.into(),
            ]);
        }
        let sql = notice_insert_sql(backend, size);
        let stmt = sea_orm::Statement::from_sql_and_values(backend, sql, values);
        let data: HashMap<(i64, i64, &str, &str, DateTime<Utc>), &str> = chunk
            .iter()
            .map(|r| {
                (
                    (
                        r.user_id,
                        r.case_id,
                        r.rule_id.as_str(),
                        r.kind.as_str(),
                        r.due_at,
                    ),
                    r.data.as_str(),
                )
            })
            .collect();
        for row in db.query_all_raw(stmt).await? {
            let i = Inserted::from_query_result(&row, "")?;
            let d = data
                .get(&(
                    i.user_id,
                    i.case_id,
                    i.rule_id.as_str(),
                    i.kind.as_str(),
                    i.due_at,
                ))
                .map(|d| d.to_string())
                .unwrap_or_default();
            inserted.push(notifications::Model {
                id: i.id,
                user_id: i.user_id,
                case_id: i.case_id,
                rule_id: i.rule_id,
                kind: i.kind,
                due_at: i.due_at,
                data: d,
                created_at: now,
                read_at: None,
            });
        }
    }
    Ok(inserted)
}

/// `INSERT INTO notifications … VALUES (…) × rows ON CONFLICT (…) DO NOTHING RETURNING …`.
fn notice_insert_sql(backend: DbBackend, rows: usize) -> String {
    use std::fmt::Write;
    let mut sql = String::from(
        "INSERT INTO \"notifications\" (\"user_id\", \"case_id\", \"rule_id\", \"kind\", \
         \"due_at\", \"data\", \"created_at\") VALUES ",
    );
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..7 {
            if c > 0 {
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
    sql.push_str(
        " ON CONFLICT (\"case_id\", \"rule_id\", \"kind\", \"due_at\", \"user_id\") DO NOTHING \
         RETURNING \"id\", \"user_id\", \"case_id\", \"rule_id\", \"kind\", \"due_at\"",
    );
    sql
}

/// An e-mail to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub notification_id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

pub async fn insert_mails<C: ConnectionTrait>(
    db: &C,
    rows: Vec<NewMail>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        let models = chunk.iter().map(|m| email_outbox::ActiveModel {
            notification_id: Set(Some(m.notification_id)),
            to_address: Set(m.to_address.clone()),
            subject: Set(m.subject.clone()),
            body: Set(m.body.clone()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            sent_at: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            ..Default::default()
        });
        email_outbox::Entity::insert_many(models).exec(db).await?;
    }
    Ok(())
}

/// Queues an account e-mail (a password reset link): one that tells of no notice.
pub async fn insert_account_mail<C: ConnectionTrait>(
    db: &C,
    to_address: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    email_outbox::Entity::insert(email_outbox::ActiveModel {
        notification_id: Set(None),
        to_address: Set(to_address.to_string()),
        subject: Set(subject.to_string()),
        body: Set(body.to_string()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await
    .map(|_| ())
}

/// Claims up to `limit` e-mails due for an attempt: each gets one more attempt counted and is
/// hidden from other senders until `lease_until`. On PostgreSQL rows another process is
/// claiming are skipped (`FOR UPDATE SKIP LOCKED`); SQLite serialises the claiming
/// transaction. Run inside a write transaction.
pub async fn claim_mails<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    max_attempts: i32,
    limit: u64,
) -> Result<Vec<email_outbox::Model>, DbErr> {
    let mut q = email_outbox::Entity::find()
        .filter(email_outbox::Column::SentAt.is_null())
        .filter(email_outbox::Column::NextAttemptAt.lte(now))
        .filter(email_outbox::Column::Attempts.lt(max_attempts))
        .order_by_asc(email_outbox::Column::Id)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = q.all(db).await?;
    if rows.is_empty() {
        return Ok(rows);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    email_outbox::Entity::update_many()
        .col_expr(
            email_outbox::Column::Attempts,
            Expr::col(email_outbox::Column::Attempts).add(1),
        )
        .col_expr(
            email_outbox::Column::NextAttemptAt,
            Expr::value(lease_until),
        )
        .filter(email_outbox::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            r.attempts += 1;
            r.next_attempt_at = lease_until;
            r
        })
        .collect())
}

pub async fn mail_sent<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    email_outbox::Entity::update_many()
        .col_expr(email_outbox::Column::SentAt, Expr::value(now))
        .col_expr(email_outbox::Column::LastError, Expr::value(None::<String>))
        .filter(email_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn mail_failed<C: ConnectionTrait>(
    db: &C,
    id: i64,
    error: &str,
    next_attempt_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    email_outbox::Entity::update_many()
        .col_expr(email_outbox::Column::LastError, Expr::value(error))
        .col_expr(
            email_outbox::Column::NextAttemptAt,
            Expr::value(next_attempt_at),
        )
        .filter(email_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Every queued e-mail (for tests and the operator).
pub async fn mails<C: ConnectionTrait>(db: &C) -> Result<Vec<email_outbox::Model>, DbErr> {
    email_outbox::Entity::find()
        .order_by_asc(email_outbox::Column::Id)
        .all(db)
        .await
}

/// Every notice (for tests and checks).
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<notifications::Model>, DbErr> {
    notifications::Entity::find()
        .order_by_asc(notifications::Column::Id)
        .all(db)
        .await
}
