//! Where the indexer stands in the outbox (pure).
//!
//! Outbox ids are handed out when a row is inserted, but transactions commit in their own order:
//! on PostgreSQL a reader can see row 11 before row 10 commits, and a rolled-back transaction
//! leaves a hole for ever. The cursor therefore keeps a *mark* (every row up to it is applied)
//! and the rows applied above it. A hole below them is waited for until every transaction that
//! was running when the hole was first seen has ended (then nobody can fill it); on SQLite,
//! where writers commit one after another in id order, a hole is never filled later.

use std::collections::BTreeSet;

/// (oldest running transaction, next transaction id) of a PostgreSQL snapshot.
pub type Snapshot = (i64, i64);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    mark: i64,
    above: BTreeSet<i64>,
    /// The hole being waited for: its first id, the next transaction id when it was seen, and
    /// when (seconds).
    waiting: Option<(i64, i64, i64)>,
}

/// Longest wait for a hole, in seconds: a transaction left open (or prepared) somewhere on the
/// server holds the oldest running transaction back; after this the hole is passed with a
/// warning rather than stalling the index.
pub const MAX_HOLE_WAIT_SECS: i64 = 600;

impl Cursor {
    pub fn new(mark: i64) -> Self {
        Self {
            mark,
            ..Default::default()
        }
    }

    /// Every row up to this id is applied.
    pub fn mark(&self) -> i64 {
        self.mark
    }

    /// New rows are those after this id.
    pub fn fetch_after(&self) -> i64 {
        self.above.last().copied().unwrap_or(self.mark)
    }

    /// The open hole, as the ids strictly between these two.
    pub fn hole(&self) -> Option<(i64, i64)> {
        self.above.first().map(|first| (self.mark, *first))
    }

    /// Rows with these ids are now in the index.
    pub fn applied(&mut self, ids: impl IntoIterator<Item = i64>) {
        for id in ids {
            if id > self.mark {
                self.above.insert(id);
            }
        }
        self.close_up();
    }

    fn close_up(&mut self) {
        while self.above.first() == Some(&(self.mark + 1)) {
            self.mark += 1;
            self.above.remove(&self.mark);
        }
        if self.waiting.is_some_and(|(start, _, _)| start <= self.mark) {
            self.waiting = None;
        }
    }

    /// Decides about the open hole with the database's `snapshot`, taken *before* the rows
    /// were read (None: SQLite, where holes are final), at `now` (seconds). Returns true when
    /// the mark moved past a hole.
    pub fn settle(&mut self, snapshot: Option<Snapshot>, now: i64) -> bool {
        let Some(&first) = self.above.first() else {
            return false;
        };
        let start = self.mark + 1;
        let final_hole = match (snapshot, self.waiting) {
            (None, _) => true,
            (Some((xmin, _)), Some((s, seen_xmax, since))) if s == start => {
                if xmin < seen_xmax && now - since >= MAX_HOLE_WAIT_SECS {
                    tracing::warn!(
                        hole = start,
                        "search outbox: a transaction has held a row back for {MAX_HOLE_WAIT_SECS} s; going on without it"
                    );
                }
                xmin >= seen_xmax || now - since >= MAX_HOLE_WAIT_SECS
            }
            (Some((_, xmax)), _) => {
                self.waiting = Some((start, xmax, now));
                false
            }
        };
        if final_hole {
            self.mark = first - 1;
            self.waiting = None;
            self.close_up();
        }
        final_hole
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_rows_move_the_mark() {
        let mut c = Cursor::new(10);
        c.applied([11, 12, 13]);
        assert_eq!(c.mark(), 13);
        assert_eq!(c.hole(), None);
        assert_eq!(c.fetch_after(), 13);
    }

    #[test]
    fn a_hole_holds_the_mark_until_it_is_filled() {
        let mut c = Cursor::new(10);
        c.applied([12, 13]);
        assert_eq!(c.mark(), 10);
        assert_eq!(c.hole(), Some((10, 12)));
        assert_eq!(c.fetch_after(), 13);
        // PostgreSQL: transaction 500 may still fill it.
        assert!(!c.settle(Some((490, 500)), 0));
        assert!(!c.settle(Some((499, 505)), 1));
        c.applied([11]);
        assert_eq!(c.mark(), 13);
        assert_eq!(c.hole(), None);
    }

    #[test]
    fn a_hole_nobody_can_fill_is_passed() {
        let mut c = Cursor::new(10);
        c.applied([12]);
        assert!(!c.settle(Some((490, 500)), 0));
        // Every transaction running when the hole was seen has ended: it was a rollback.
        assert!(c.settle(Some((500, 520)), 1));
        assert_eq!(c.mark(), 12);
    }

    #[test]
    fn on_sqlite_holes_are_final() {
        let mut c = Cursor::new(0);
        c.applied([3, 4]);
        assert!(c.settle(None, 0));
        assert_eq!(c.mark(), 4);
        assert!(!c.settle(None, 0));
    }

    #[test]
    fn a_hole_held_too_long_is_passed() {
        let mut c = Cursor::new(10);
        c.applied([12]);
        assert!(!c.settle(Some((490, 500)), 1_000));
        assert!(!c.settle(Some((495, 530)), 1_000 + MAX_HOLE_WAIT_SECS - 1));
        assert!(c.settle(Some((495, 540)), 1_000 + MAX_HOLE_WAIT_SECS));
        assert_eq!(c.mark(), 12);
    }

    #[test]
    fn old_rows_do_not_move_it_back() {
        let mut c = Cursor::new(10);
        c.applied([5, 10]);
        assert_eq!(c.mark(), 10);
        assert_eq!(c.hole(), None);
    }
}
