//! Appending to and reading the hash-chained audit trail.

use crate::domain::audit::{Entry, GENESIS};
use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

/// What happened, by whom, from where: the fields of a new audit entry before chaining.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub client_addr: String,
    pub request_id: String,
    pub payload_digest: String,
}

/// Appends an entry inside `txn`, linking it to the current head. Concurrent writers are
/// serialised: by `BEGIN IMMEDIATE` on SQLite and a transaction-scoped advisory lock on PostgreSQL.
pub async fn append<C: ConnectionTrait>(txn: &C, new: NewEntry) -> Result<audit_log::Model, DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        super::exec_raw(txn, "SELECT pg_advisory_xact_lock(4242001)").await?;
    }
    let head = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Seq)
        .limit(1)
        .one(txn)
        .await?;
    // Taken here, after the lock, so that time never runs backwards along the chain (an entry's
    // instant is the store's, not the caller's).
    let at = {
        use chrono::SubsecRound;
        chrono::Utc::now().trunc_subsecs(6)
    };
    let (seq, prev_hash) = match head {
        Some(h) => (h.seq + 1, h.hash),
        None => (1, GENESIS.to_string()),
    };
    let mut entry = Entry {
        seq,
        at_micros: at.timestamp_micros(),
        actor_user_id: new.actor_user_id,
        actor: new.actor,
        action: new.action,
        target_type: new.target_type,
        target_id: new.target_id,
        client_addr: new.client_addr,
        request_id: new.request_id,
        payload_digest: new.payload_digest,
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    audit_log::ActiveModel {
        seq: Set(entry.seq),
        at: Set(at),
        actor_user_id: Set(entry.actor_user_id),
        actor: Set(entry.actor),
        action: Set(entry.action),
        target_type: Set(entry.target_type),
        target_id: Set(entry.target_id),
        client_addr: Set(entry.client_addr),
        request_id: Set(entry.request_id),
        payload_digest: Set(entry.payload_digest),
        prev_hash: Set(entry.prev_hash),
        hash: Set(entry.hash),
        ..Default::default()
    }
    .insert(txn)
    .await
}

/// Converts a stored row into the chain's view of it.
pub fn to_entry(m: &audit_log::Model) -> Entry {
    Entry {
        seq: m.seq,
        at_micros: m.at.timestamp_micros(),
        actor_user_id: m.actor_user_id,
        actor: m.actor.clone(),
        action: m.action.clone(),
        target_type: m.target_type.clone(),
        target_id: m.target_id.clone(),
        client_addr: m.client_addr.clone(),
        request_id: m.request_id.clone(),
        payload_digest: m.payload_digest.clone(),
        prev_hash: m.prev_hash.clone(),
        hash: m.hash.clone(),
    }
}

/// One page of the chain in `seq` order, starting after `after_seq` (for walking it in batches).
pub async fn page_after<C: ConnectionTrait>(
    db: &C,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<audit_log::Model>, DbErr> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Seq.gt(after_seq))
        .order_by_asc(audit_log::Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

/// The newest entry of the chain (its head), if any.
pub async fn last<C: ConnectionTrait>(db: &C) -> Result<Option<audit_log::Model>, DbErr> {
    audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Seq)
        .one(db)
        .await
}

/// How many entries the chain holds.
pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    audit_log::Entity::find().count(db).await
}

/// Filters for browsing the audit log.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The newest entries matching `filter`, newest first, before `before_seq` when given.
pub async fn browse<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    before_seq: Option<i64>,
    limit: u64,
) -> Result<(Vec<audit_log::Model>, u64), DbErr> {
    let mut q = audit_log::Entity::find();
    if let Some(a) = &filter.actor {
        q = q.filter(audit_log::Column::Actor.eq(a.as_str()));
    }
    if let Some(a) = &filter.action {
        q = q.filter(audit_log::Column::Action.starts_with(a.as_str()));
    }
    if let Some(t) = &filter.target_type {
        q = q.filter(audit_log::Column::TargetType.eq(t.as_str()));
    }
    if let Some(t) = &filter.target_id {
        q = q.filter(audit_log::Column::TargetId.eq(t.as_str()));
    }
    if let Some(f) = filter.from {
        q = q.filter(audit_log::Column::At.gte(f));
    }
    if let Some(u) = filter.until {
        q = q.filter(audit_log::Column::At.lt(u));
    }
    let total = q.clone().count(db).await?;
    if let Some(b) = before_seq {
        q = q.filter(audit_log::Column::Seq.lt(b));
    }
    let rows = q
        .order_by_desc(audit_log::Column::Seq)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}
