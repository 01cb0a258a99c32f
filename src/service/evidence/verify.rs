//! `weiquan evidence verify`: every stored object is read and hashed again (SHA-256 and SM3) and
//! compared with the records that point at it (a row not yet sealed has only its SHA-256 and size
//! to compare). Objects shared by identical uploads are read once.

use crate::files::{ReadError, Store};
use crate::store::{self, Db};
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
