//! One pass over the matching documents that counts them, their facet values (from fast fields)
//! and the overdue ones — instead of a facet collector plus a second query for overdue.

use std::collections::BTreeMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The counted groups: fast string fields of the schema.
pub const GROUPS: [&str; 6] = ["queue", "state", "kind", "channel", "region", "srdi"];

/// What [`Counts`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub total: usize,
    pub overdue: u64,
    /// Per group, value → count.
    pub groups: BTreeMap<&'static str, BTreeMap<String, u64>>,
}

/// Counts matches; `now` (seconds) decides what is overdue (open and due before it).
pub struct Counts {
    pub now: i64,
}

pub struct SegmentCounts {
    now: i64,
    columns: Vec<(&'static str, Option<StrColumn>, Vec<u64>)>,
    due: Column<i64>,
    open: Column<u64>,
    total: usize,
    overdue: u64,
}

impl Collector for Counts {
    type Fruit = Tally;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentCounts> {
        let ff = segment.fast_fields();
        let mut columns = Vec::with_capacity(GROUPS.len());
        for g in GROUPS {
            let col = ff.str(g)?;
            let n = col.as_ref().map(|c| c.num_terms()).unwrap_or(0);
            columns.push((g, col, vec![0u64; n]));
        }
        Ok(SegmentCounts {
            now: self.now,
            columns,
            due: ff.i64("due")?,
            open: ff.u64("open")?,
            total: 0,
            overdue: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Tally>) -> tantivy::Result<Tally> {
        let mut out = Tally::default();
        for f in fruits {
            out.total += f.total;
            out.overdue += f.overdue;
            for (g, values) in f.groups {
                let into = out.groups.entry(g).or_default();
                for (v, n) in values {
                    *into.entry(v).or_default() += n;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Tally;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.total += 1;
        for (g, col, counts) in &mut self.columns {
            let Some(c) = col else { continue };
            if *g == "kind" {
                // A case may assert rights of several kinds.
                for ord in c.term_ords(doc) {
                    if let Some(n) = counts.get_mut(ord as usize) {
                        *n += 1;
                    }
                }
            } else if let Some(ord) = c.ords().first(doc)
                && let Some(n) = counts.get_mut(ord as usize)
            {
                *n += 1;
            }
        }
        if self.open.first(doc) == Some(1) && self.due.first(doc).is_some_and(|d| d < self.now) {
            self.overdue += 1;
        }
    }

    fn harvest(self) -> Tally {
        let mut groups = BTreeMap::new();
        for (g, col, counts) in self.columns {
            let mut values = BTreeMap::new();
            if let Some(c) = col {
                let mut s = String::new();
                for (ord, n) in counts.into_iter().enumerate() {
                    if n > 0 && c.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                        values.insert(s.clone(), n);
                    }
                }
            }
            groups.insert(g, values);
        }
        Tally {
            total: self.total,
            overdue: self.overdue,
            groups,
        }
    }
}
