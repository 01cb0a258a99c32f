//! Who receives an event notice and how: the people of the organisations and users an event's
//! audiences name, each user's channel preferences per topic, and the SMS outbox (claimed like
//! the e-mail outbox: `FOR UPDATE SKIP LOCKED` on PostgreSQL).

use crate::domain::identity::Role;
use chrono::{DateTime, Utc};
use entity::{notice_preferences, organizations, sms_outbox, users};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, LockBehavior, LockType, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

/// An active user an event may concern.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Person {
    pub user_id: i64,
    pub org_id: i64,
    pub role: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub org_kind: String,
    pub region_code: String,
}

/// The active users of the organisations `org_ids` (with the roles that work cases or file) and
/// the users `user_ids`, with their organisation's kind and region.
pub async fn people<C: ConnectionTrait>(
    db: &C,
    org_ids: &[i64],
    user_ids: &[i64],
) -> Result<Vec<Person>, DbErr> {
    if org_ids.is_empty() && user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let who = Condition::any()
        .add(
            Condition::all()
                .add(Expr::col((users::Entity, users::Column::OrgId)).is_in(org_ids.to_vec()))
                .add(Expr::col((users::Entity, users::Column::Role)).is_in([
                    Role::Triager.as_str(),
                    Role::Officer.as_str(),
                    Role::Supervisor.as_str(),
                    Role::EnterpriseFiler.as_str(),
                ])),
        )
        .add(Expr::col((users::Entity, users::Column::Id)).is_in(user_ids.to_vec()));
    active(db, who).await
}

/// Every active triager, officer and supervisor (whom deadline notices may reach).
pub async fn staff<C: ConnectionTrait>(db: &C) -> Result<Vec<Person>, DbErr> {
    let who = Condition::all().add(Expr::col((users::Entity, users::Column::Role)).is_in([
        Role::Triager.as_str(),
        Role::Officer.as_str(),
        Role::Supervisor.as_str(),
    ]));
    active(db, who).await
}

/// The active users matching `who`, with their organisation's kind and region.
async fn active<C: ConnectionTrait>(db: &C, who: Condition) -> Result<Vec<Person>, DbErr> {
    let stmt = Query::select()
        .expr_as(
            Expr::col((users::Entity, users::Column::Id)),
            Alias::new("user_id"),
        )
        .columns([
            (users::Entity, users::Column::OrgId),
            (users::Entity, users::Column::Role),
            (users::Entity, users::Column::Email),
            (users::Entity, users::Column::Phone),
        ])
        .expr_as(
            Expr::col((organizations::Entity, organizations::Column::Kind)),
            Alias::new("org_kind"),
        )
        .column((organizations::Entity, organizations::Column::RegionCode))
        .from(users::Entity)
        .inner_join(
            organizations::Entity,
            Expr::col((organizations::Entity, organizations::Column::Id))
                .equals((users::Entity, users::Column::OrgId)),
        )
        .and_where(Expr::col((users::Entity, users::Column::Disabled)).eq(false))
        .cond_where(who)
        .order_by((users::Entity, users::Column::Id), sea_orm::Order::Asc)
        .to_owned();
    let rows = db.query_all(&stmt).await?;
    rows.iter()
        .map(|r| Person::from_query_result(r, ""))
        .collect()
}

/// The stored choices of `user_ids`: (user, topic, e-mail, SMS).
pub async fn preferences<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
) -> Result<Vec<(i64, String, bool, bool)>, DbErr> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    notice_preferences::Entity::find()
        .select_only()
        .columns([
            notice_preferences::Column::UserId,
            notice_preferences::Column::Topic,
            notice_preferences::Column::Email,
            notice_preferences::Column::Sms,
        ])
        .filter(notice_preferences::Column::UserId.is_in(user_ids.to_vec()))
        .into_tuple()
        .all(db)
        .await
}

/// Stores a user's choice for one topic.
pub async fn set_preference<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    topic: &str,
    email: bool,
    sms: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    notice_preferences::Entity::insert(notice_preferences::ActiveModel {
        user_id: Set(user_id),
        topic: Set(topic.to_string()),
        email: Set(email),
        sms: Set(sms),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            notice_preferences::Column::UserId,
            notice_preferences::Column::Topic,
        ])
        .update_columns([
            notice_preferences::Column::Email,
            notice_preferences::Column::Sms,
            notice_preferences::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A text message to queue.
#[derive(Debug, Clone)]
pub struct NewSms {
    pub notification_id: i64,
    pub to_phone: String,
    pub body: String,
}

pub async fn insert_sms<C: ConnectionTrait>(
    db: &C,
    rows: Vec<NewSms>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(200) {
        let models = chunk.iter().map(|m| sms_outbox::ActiveModel {
            notification_id: Set(m.notification_id),
            to_phone: Set(m.to_phone.clone()),
            body: Set(m.body.clone()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            sent_at: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            ..Default::default()
        });
        sms_outbox::Entity::insert_many(models)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Claims up to `limit` due messages, pushing their next attempt out to `lease_until` and
/// counting the attempt (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
pub async fn claim_sms<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    max_attempts: i32,
    limit: u64,
) -> Result<Vec<sms_outbox::Model>, DbErr> {
    let mut q = sms_outbox::Entity::find()
        .filter(sms_outbox::Column::SentAt.is_null())
        .filter(sms_outbox::Column::NextAttemptAt.lte(now))
        .filter(sms_outbox::Column::Attempts.lt(max_attempts))
        .order_by_asc(sms_outbox::Column::Id)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = q.all(db).await?;
    if rows.is_empty() {
        return Ok(rows);
    }
    sms_outbox::Entity::update_many()
        .col_expr(sms_outbox::Column::NextAttemptAt, Expr::value(lease_until))
        .col_expr(
            sms_outbox::Column::Attempts,
            Expr::col(sms_outbox::Column::Attempts).add(1),
        )
        .filter(sms_outbox::Column::Id.is_in(rows.iter().map(|r| r.id)))
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

pub async fn sms_sent<C: ConnectionTrait>(db: &C, id: i64, at: DateTime<Utc>) -> Result<(), DbErr> {
    sms_outbox::Entity::update_many()
        .col_expr(sms_outbox::Column::SentAt, Expr::value(at))
        .col_expr(sms_outbox::Column::LastError, Expr::value(None::<String>))
        .filter(sms_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn sms_failed<C: ConnectionTrait>(
    db: &C,
    id: i64,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    sms_outbox::Entity::update_many()
        .col_expr(sms_outbox::Column::LastError, Expr::value(error))
        .col_expr(sms_outbox::Column::NextAttemptAt, Expr::value(retry_at))
        .filter(sms_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
