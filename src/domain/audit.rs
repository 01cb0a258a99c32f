//! The tamper-evident audit chain: each entry's hash covers its fields and the previous entry's
//! hash, so editing, deleting, reordering or inserting an entry breaks the chain at that point.

use sha2::{Digest, Sha256};
use std::fmt;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as hashed. `at_micros` is microseconds since the Unix epoch (UTC), the
/// precision every supported database keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at_micros: i64,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub client_addr: String,
    pub request_id: String,
    pub payload_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    /// The hash this entry must carry, computed from its fields and `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"weiquan-audit-v1");
        let actor_id = self
            .actor_user_id
            .map(|id| id.to_string())
            .unwrap_or_default();
        for field in [
            self.seq.to_string().as_str(),
            self.at_micros.to_string().as_str(),
            actor_id.as_str(),
            &self.actor,
            &self.action,
            &self.target_type,
            &self.target_id,
            &self.client_addr,
            &self.request_id,
            &self.payload_digest,
            &self.prev_hash,
        ] {
            // Length-prefix every field so that no two field lists hash alike.
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// SHA-256 of a request payload, hex-encoded: what the chain records instead of the payload.
pub fn payload_digest(payload: &[u8]) -> String {
    hex::encode(Sha256::digest(payload))
}

/// A chain position kept outside the server: `seq:hash` of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

impl Checkpoint {
    pub fn parse(s: &str) -> Option<Self> {
        let (seq, hash) = s.trim().split_once(':')?;
        let seq: i64 = seq.parse().ok()?;
        let hash = hash.to_ascii_lowercase();
        (seq >= 0 && hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
            .then_some(Self { seq, hash })
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// The first thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The entry's fields no longer produce its hash: it was edited.
    Edited { seq: i64 },
    /// Entries are missing before this one: deleted (or the sequence was renumbered).
    Missing { expected_seq: i64, found_seq: i64 },
    /// The entry does not follow the one before it: reordered or inserted.
    Unlinked { seq: i64 },
    /// The entry at the checkpoint's position has another hash: history was rewritten.
    CheckpointDiffers { seq: i64 },
    /// The chain ends before the checkpoint's position: entries were removed from the end.
    Truncated { head_seq: i64, checkpoint_seq: i64 },
    /// The log is empty but the database holds cases, whose filing wrote entries: it was emptied.
    Emptied { cases: u64 },
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Edited { seq } => write!(
                f,
                "entry {seq} was altered (its hash does not match its content)"
            ),
            Self::Missing {
                expected_seq,
                found_seq,
            } => write!(
                f,
                "entries {expected_seq}..{} are missing (deleted) before entry {found_seq}",
                found_seq - 1
            ),
            Self::Unlinked { seq } => write!(
                f,
                "entry {seq} does not link to the entry before it (reordered or inserted)"
            ),
            Self::CheckpointDiffers { seq } => write!(
                f,
                "entry {seq} differs from the checkpoint (history rewritten)"
            ),
            Self::Truncated {
                head_seq,
                checkpoint_seq,
            } => write!(
                f,
                "the chain ends at entry {head_seq}, before the checkpoint at entry {checkpoint_seq} (entries removed)"
            ),
            Self::Emptied { cases } => write!(
                f,
                "the log is empty, but the database holds {cases} case(s) whose filing was logged (entries removed)"
            ),
        }
    }
}

/// Walks entries in `seq` order, checking every link; stops at the first break.
#[derive(Debug)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    checkpoint: Option<Checkpoint>,
    checkpoint_seen: bool,
    broken: Option<Break>,
}

/// The result of a whole walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub entries: i64,
    /// The head as a checkpoint (`None` when the chain is broken).
    pub head: Option<Checkpoint>,
    pub broken: Option<Break>,
    /// Whether a given checkpoint was found intact in the chain.
    pub extends_checkpoint: Option<bool>,
}

impl Verifier {
    pub fn new(checkpoint: Option<Checkpoint>) -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            checkpoint,
            checkpoint_seen: false,
            broken: None,
        }
    }

    /// Checks the next entry; returns `false` once the chain is broken (the walk may stop).
    pub fn push(&mut self, e: &Entry) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let broken = if e.seq != self.expected_seq {
            Some(if e.seq > self.expected_seq {
                Break::Missing {
                    expected_seq: self.expected_seq,
                    found_seq: e.seq,
                }
            } else {
                Break::Unlinked { seq: e.seq }
            })
        } else if e.compute_hash() != e.hash {
            Some(Break::Edited { seq: e.seq })
        } else if e.prev_hash != self.prev_hash {
            Some(Break::Unlinked { seq: e.seq })
        } else {
            None
        };
        if broken.is_none()
            && let Some(cp) = &self.checkpoint
            && cp.seq == e.seq
        {
            self.checkpoint_seen = true;
            if cp.hash != e.hash {
                self.broken = Some(Break::CheckpointDiffers { seq: e.seq });
                return false;
            }
        }
        if broken.is_some() {
            self.broken = broken;
            return false;
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        true
    }

    /// Ends the walk.
    pub fn finish(mut self) -> Report {
        let entries = self.expected_seq - 1;
        if self.broken.is_none()
            && let Some(cp) = &self.checkpoint
        {
            if !self.checkpoint_seen && cp.seq > entries {
                self.broken = Some(Break::Truncated {
                    head_seq: entries,
                    checkpoint_seq: cp.seq,
                });
            } else if !self.checkpoint_seen && cp.seq == 0 && cp.hash != GENESIS {
                self.broken = Some(Break::CheckpointDiffers { seq: 0 });
            }
        }
        let extends = self.checkpoint.as_ref().map(|_| self.broken.is_none());
        // An empty chain's checkpoint is `0:<genesis>`, which later walks accept too.
        let head = self.broken.is_none().then(|| Checkpoint {
            seq: entries,
            hash: self.prev_hash.clone(),
        });
        Report {
            entries,
            head,
            broken: self.broken,
            extends_checkpoint: extends,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = Entry {
                    seq,
                    at_micros: 1_780_000_000_000_000 + seq,
                    actor_user_id: Some(seq % 3),
                    actor: "demo-admin".into(),
                    action: "user.create".into(),
                    target_type: "user".into(),
                    target_id: seq.to_string(),
                    client_addr: "127.0.0.1".into(),
                    request_id: format!("req-{seq}"),
                    payload_digest: payload_digest(b"{}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[Entry], cp: Option<Checkpoint>) -> Report {
        let mut v = Verifier::new(cp);
        for e in entries {
            if !v.push(e) {
                break;
            }
        }
        v.finish()
    }

    #[test]
    fn an_intact_chain_verifies_and_yields_its_head() {
        let c = chain(5);
        let r = verify(&c, None);
        assert_eq!(r.broken, None);
        assert_eq!(r.entries, 5);
        assert_eq!(
            r.head,
            Some(Checkpoint {
                seq: 5,
                hash: c[4].hash.clone()
            })
        );
    }

    #[test]
    fn an_edit_is_caught_at_the_edited_entry() {
        let mut c = chain(5);
        c[2].actor = "someone-else".into();
        assert_eq!(verify(&c, None).broken, Some(Break::Edited { seq: 3 }));
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_is_caught_at_the_next_entry() {
        let mut c = chain(5);
        c[2].action = "user.disable".into();
        c[2].hash = c[2].compute_hash();
        assert_eq!(verify(&c, None).broken, Some(Break::Unlinked { seq: 4 }));
    }

    #[test]
    fn a_deletion_is_caught() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify(&c, None).broken,
            Some(Break::Missing {
                expected_seq: 2,
                found_seq: 3
            })
        );
    }

    #[test]
    fn a_reordering_is_caught() {
        let mut c = chain(5);
        c.swap(1, 2);
        assert!(verify(&c, None).broken.is_some());
        // Swapping the sequence numbers too still breaks the hashes.
        let mut c = chain(5);
        c.swap(1, 2);
        c[1].seq = 2;
        c[2].seq = 3;
        assert_eq!(verify(&c, None).broken, Some(Break::Edited { seq: 2 }));
    }

    #[test]
    fn an_insertion_is_caught() {
        let mut c = chain(5);
        let mut forged = c[1].clone();
        forged.action = "user.forged".into();
        forged.hash = forged.compute_hash();
        c.insert(2, forged);
        for (i, e) in c.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert!(matches!(
            verify(&c, None).broken,
            Some(Break::Edited { .. } | Break::Unlinked { .. })
        ));
    }

    #[test]
    fn a_checkpoint_proves_the_chain_extends_it() {
        let mut c = chain(3);
        let cp = verify(&c, None).head.unwrap();
        c.extend(chain(6).into_iter().skip(3));
        // chain(6) shares its first three entries with chain(3), so this is an extension.
        let r = verify(&c, Some(cp.clone()));
        assert_eq!(r.broken, None);
        assert_eq!(r.extends_checkpoint, Some(true));
    }

    #[test]
    fn a_rewritten_or_truncated_history_fails_the_checkpoint() {
        let c = chain(6);
        let cp = Checkpoint {
            seq: 4,
            hash: c[3].hash.clone(),
        };
        // A fully re-hashed chain with different content at entry 2.
        let mut rewritten = chain(6);
        rewritten[1].actor = "x".into();
        let mut prev = GENESIS.to_string();
        for e in rewritten.iter_mut() {
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash();
            prev = e.hash.clone();
        }
        let r = verify(&rewritten, Some(cp.clone()));
        assert_eq!(r.broken, Some(Break::CheckpointDiffers { seq: 4 }));
        assert_eq!(r.extends_checkpoint, Some(false));
        let r = verify(&c[..3], Some(cp));
        assert_eq!(
            r.broken,
            Some(Break::Truncated {
                head_seq: 3,
                checkpoint_seq: 4
            })
        );
    }

    #[test]
    fn an_empty_chain_yields_a_genesis_checkpoint_that_later_chains_extend() {
        let empty = verify(&[], None);
        let cp = empty.head.clone().unwrap();
        assert_eq!(cp.to_string(), format!("0:{GENESIS}"));
        let r = verify(&chain(2), Checkpoint::parse(&cp.to_string()));
        assert_eq!((r.broken, r.extends_checkpoint), (None, Some(true)));
    }

    #[test]
    fn checkpoints_parse_and_print() {
        let cp = Checkpoint::parse(&format!("12:{}", "A".repeat(64))).unwrap();
        assert_eq!(cp.to_string(), format!("12:{}", "a".repeat(64)));
        assert!(Checkpoint::parse("12:abc").is_none());
        assert!(Checkpoint::parse("x:0").is_none());
    }
}
