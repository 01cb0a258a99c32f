//! `weiquan evidence verify`: every stored object is read and hashed again (SHA-256 and SM3) and
//! compared with the records that point at it (a row not yet sealed has only its SHA-256 and size
//! to compare). Objects shared by identical uploads are read once.

use crate::files::s3_uploads::Unfinished;
use crate::files::{ReadError, Store};
use crate::service::{RequestMeta, audit_entry};
use crate::store::{self, Db};
use anyhow::Context;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde_json::json;
use std::collections::HashMap;

/// One record whose object is not what it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The bytes hash to something else (or have another size) than recorded.
    Mismatch {
        label: String,
        evidence_id: i64,
        key: String,
        recorded: String,
        found: String,
    },
    /// No object under the recorded key.
    Missing {
        label: String,
        evidence_id: i64,
        key: String,
    },
}

/// What a verification found.
#[derive(Debug, Default)]
pub struct Report {
    pub checked: usize,
    /// Rows whose SM3 the sealing worker has not computed yet (their SHA-256 and size are checked).
    pub unsealed: usize,
    pub problems: Vec<Problem>,
}

/// Checks every evidence row against its object.
pub async fn run(db: &Db, blobs: &Store) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let mut seen: HashMap<String, Option<(String, String, u64)>> = HashMap::new();
    let mut numbers: HashMap<i64, String> = HashMap::new();
    let mut after = 0;
    loop {
        let rows = store::evidence::page(db.conn(), after, 500).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for e in rows {
            report.checked += 1;
            if let std::collections::hash_map::Entry::Vacant(slot) = numbers.entry(e.case_id) {
                let n = store::cases::find(db.conn(), e.case_id)
                    .await?
                    .map_or_else(|| format!("case {}", e.case_id), |c| c.number);
                slot.insert(n);
            }
            let label = format!("{}-E{}", numbers[&e.case_id], e.no);
            let found = match seen.get(&e.object_key) {
                Some(f) => f.clone(),
                None => {
                    let f = match blobs.rehash(&e.object_key).await {
                        Ok(h) => Some(h),
                        Err(ReadError::Missing(_)) => None,
                        Err(other) => return Err(other.into()),
                    };
                    seen.insert(e.object_key.clone(), f.clone());
                    f
                }
            };
            match found {
                None => report.problems.push(Problem::Missing {
                    label,
                    evidence_id: e.id,
                    key: e.object_key,
                }),
                Some((sha, sm3, size))
                    if sha != e.sha256
                        || e.sm3.as_ref().is_some_and(|s| *s != sm3)
                        || size != e.size as u64 =>
                {
                    let recorded_sm3 = e.sm3.as_deref().unwrap_or("(not yet computed)");
                    report.problems.push(Problem::Mismatch {
                        label,
                        evidence_id: e.id,
                        key: e.object_key,
                        recorded: format!("sha256={} sm3={recorded_sm3} size={}", e.sha256, e.size),
                        found: format!("sha256={sha} sm3={sm3} size={size}"),
                    })
                }
                Some(_) => {
                    if e.sm3.is_none() {
                        report.unsealed += 1;
                    }
                }
            }
        }
    }
    Ok(report)
}

/// A stored object that no row names: left by a crash between storing the object and
/// committing its row (or a row's transaction that failed after the object was stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    pub key: String,
    pub size: u64,
    pub written: DateTime<Utc>,
}

/// The objects (under `objects/` and `quarantine/`) that no evidence row, quarantine record
/// or enterprise document names, oldest first. Memory stays bounded: keys are checked against
/// the database 500 at a time as the listing goes.
pub async fn orphans(db: &Db, blobs: &Store) -> anyhow::Result<Vec<Orphan>> {
    let mut found = Vec::new();
    for prefix in ["objects", "quarantine"] {
        let mut listing = blobs.list(prefix);
        let mut batch: Vec<(String, u64, DateTime<Utc>)> = Vec::new();
        loop {
            let next = listing.next().await.transpose()?;
            if let Some(item) = next.clone() {
                batch.push(item);
            }
            if batch.len() >= 500 || (next.is_none() && !batch.is_empty()) {
                let keys: Vec<String> = batch.iter().map(|(k, _, _)| k.clone()).collect();
                let named = store::evidence::named_keys(db.conn(), &keys).await?;
                found.extend(
                    batch
                        .drain(..)
                        .filter(|(k, _, _)| !named.contains(k))
                        .map(|(key, size, written)| Orphan { key, size, written }),
                );
            }
            if next.is_none() {
                break;
            }
        }
    }
    found.sort_by(|a, b| a.written.cmp(&b.written).then(a.key.cmp(&b.key)));
    Ok(found)
}

/// The S3 multipart uploads a killed node left unfinished (none for a local store), oldest
/// first.
pub async fn unfinished_uploads(blobs: &Store) -> anyhow::Result<Vec<Unfinished>> {
    Ok(blobs.unfinished_uploads().await?.unwrap_or_default())
}

/// Aborts the unfinished uploads started before `before` (a live node's upload is younger than
/// the grace period), with one audit entry. Returns how many were aborted.
pub async fn abort_uploads(
    db: &Db,
    blobs: &Store,
    uploads: &[Unfinished],
    before: DateTime<Utc>,
) -> anyhow::Result<usize> {
    // Every abort that went through is recorded, even when a later one fails.
    let mut aborted: Vec<&Unfinished> = Vec::new();
    let mut failed = None;
    for u in uploads.iter().filter(|u| u.initiated < before) {
        match blobs.abort_upload(u).await {
            Ok(()) => aborted.push(u),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    if !aborted.is_empty() {
        let keys: Vec<&str> = aborted.iter().map(|u| u.key.as_str()).collect();
        let mut entry = audit_entry(
            None,
            &RequestMeta::cli("evidence verify --clean"),
            "storage.uploads_aborted",
            ("storage", aborted.len().to_string()),
            &json!({"uploads": aborted.len(), "keys": keys}),
        );
        entry.actor = "operator".into();
        let txn = db.begin_write().await.context("starting the audit write")?;
        store::audit::append(&txn, entry)
            .await
            .context("appending the audit entry")?;
        txn.commit().await.context("committing the audit entry")?;
    }
    match failed {
        Some(e) => Err(e.context(format!("{} upload(s) aborted before it", aborted.len()))),
        None => Ok(aborted.len()),
    }
}

/// Removes the orphans written before `before` (never one a row names: each key is checked
/// again just before it goes), with one audit entry for the operator's clean-up. Returns how
/// many objects and bytes were removed.
pub async fn remove_orphans(
    db: &Db,
    blobs: &Store,
    orphans: &[Orphan],
    before: DateTime<Utc>,
) -> anyhow::Result<(usize, u64)> {
    let mut removed: Vec<&Orphan> = Vec::new();
    for o in orphans.iter().filter(|o| o.written < before) {
        let named = store::evidence::named_keys(db.conn(), std::slice::from_ref(&o.key))
            .await
            .context("checking the object's key again")?;
        if named.is_empty() {
            blobs.remove_unnamed(&o.key).await?;
            removed.push(o);
        }
    }
    let bytes = removed.iter().map(|o| o.size).sum();
    if !removed.is_empty() {
        let keys: Vec<&str> = removed.iter().map(|o| o.key.as_str()).collect();
        let entry = audit_entry(
            None,
            &RequestMeta::cli("evidence verify --clean"),
            "storage.orphans_removed",
            ("storage", removed.len().to_string()),
            &json!({"objects": removed.len(), "bytes": bytes, "keys": keys}),
        );
        let mut entry = entry;
        entry.actor = "operator".into();
        let txn = db.begin_write().await.context("starting the audit write")?;
        store::audit::append(&txn, entry)
            .await
            .context("appending the audit entry")?;
        txn.commit().await.context("committing the audit entry")?;
    }
    Ok((removed.len(), bytes))
}
