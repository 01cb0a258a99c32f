//! The statistics' rollups: which counters a case adds one to, from its facts alone.
//!
//! A figure is the length of a case list (see the module above). Counting a list over a million
//! cases for every figure is too slow for a province, so each figure whose filters depend only on
//! the case's own facts is also kept as counters: per owning office, per month of the figure's
//! anchor (receipt or closing; none for figures of the present) and per value of at most one
//! breakdown dimension. A case's [`Facts`] decide which counters it adds one to ([`keys`]); a
//! write takes the old case's keys out and puts the new one's in. The figures that depend on the
//! time of asking (overdue, due soon) are never rolled up: they are counted from the list.
//!
//! Pure: the store reads the facts and applies the differences; a test compares the counters
//! with the lists.

use super::{Distinct, Measure, Period, Section};
use crate::domain::srdi::SrdiLevel;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Which date a figure's period applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Received,
    Closed,
    /// A figure of the present (open cases, suspended now): no period.
    Now,
}

/// What a counter's `item` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// Nothing (0).
    None,
    /// The case's exhibition (a distinct figure).
    Exhibition,
    /// The filing enterprise (a distinct figure).
    Filer,
    /// Whole days from receipt to closing (a figure percentiles are taken over).
    Days,
}

/// A figure as counters: its anchor, the conditions on a case's facts, and its item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Def {
    pub figure: &'static str,
    pub anchor: Anchor,
    pub conditions: Vec<(&'static str, String)>,
    pub item: Item,
}

/// The breakdown dimensions a counter may carry (besides none).
pub const DIMS: [&str; 8] = [
    "queue",
    "channel",
    "source",
    "right_kind",
    "srdi_level",
    "region",
    "overseas_category",
    "overseas_country",
];

/// Filters a counter can decide from a case's facts.
const KNOWN: [&str; 16] = [
    "cross_region",
    "decided_at_fair",
    "extension_tier",
    "queue",
    "state",
    "source",
    "channel",
    "closed",
    "open",
    "routed",
    "event",
    "clock",
    "clock_state",
    "shared",
    "srdi",
    "srdi_level",
];

/// The figures of `sections` that can be rolled up, as counters.
pub fn definitions(sections: &[Section]) -> Vec<Def> {
    let days_of: Vec<&str> = sections
        .iter()
        .flat_map(|s| s.figures.iter())
        .filter_map(|f| match &f.measure {
            Measure::Days { of, .. } => Some(*of),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for f in sections.iter().flat_map(|s| s.figures.iter()) {
        let (filters, item) = match &f.measure {
            Measure::Count(filters) => (
                filters,
                if days_of.contains(&f.key) {
                    Item::Days
                } else {
                    Item::None
                },
            ),
            Measure::Distinct(Distinct::Exhibition, filters) => (filters, Item::Exhibition),
            Measure::Distinct(Distinct::FilerEnterprise, filters) => (filters, Item::Filer),
            _ => continue,
        };
        let has = |k: &str| filters.iter().any(|(fk, _)| *fk == k);
        let anchor = match (has("received_from"), has("closed_from")) {
            (true, false) => Anchor::Received,
            (false, true) => Anchor::Closed,
            (false, false) => Anchor::Now,
            (true, true) => continue,
        };
        let conditions: Vec<(&'static str, String)> = filters
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    *k,
                    "received_from" | "received_to" | "closed_from" | "closed_to"
                )
            })
            .cloned()
            .collect();
        if conditions.iter().any(|(k, _)| !KNOWN.contains(k)) {
            continue;
        }
        out.push(Def {
            figure: f.key,
            anchor,
            conditions,
            item,
        });
    }
    out
}

/// The counters of the statistics' own figures.
pub fn standard() -> &'static [Def] {
    static DEFS: std::sync::LazyLock<Vec<Def>> = std::sync::LazyLock::new(|| {
        let any = Period::year(2000).expect("a valid year");
        definitions(&super::sections(&any, any.to))
    });
    &DEFS
}

/// A stable text naming the definitions: a rollup built for other definitions is rebuilt.
pub fn fingerprint(defs: &[Def]) -> String {
    // FNV-1a over the definitions' debug text: stable across builds of the same definitions.
    // v2: the overseas category and country dimensions, cross-region cases, decided at the
    // fair, "shared" meaning the shares an office granted.
    let text = format!("v2 {defs:?}");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// What the counters need to know of a case (kept with the rollup as what the case last
/// contributed; short names keep the stored text small).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Owning office.
    pub o: i64,
    /// Beijing day of receipt.
    pub r: NaiveDate,
    /// Beijing day of closing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c: Option<NaiveDate>,
    /// Queue, state, source, channel, region code.
    pub q: String,
    pub s: String,
    pub src: String,
    pub ch: String,
    pub rg: String,
    /// SRDI rank (0 none).
    #[serde(default)]
    pub k: i16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f: Option<i64>,
    /// Kinds of its events, sorted, once each.
    #[serde(default)]
    pub e: Vec<String>,
    /// Its clocks: (rule, state), sorted.
    #[serde(default)]
    pub cl: Vec<(String, String)>,
    /// Kinds of its rights, sorted, once each.
    #[serde(default)]
    pub rt: Vec<String>,
    /// Shared by an office with another now (a share it granted, not one a procedure made).
    #[serde(default)]
    pub sh: bool,
    /// Tiers of the extensions it was granted, sorted, once each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub et: Vec<String>,
    /// An exhibition complaint decided (measures ordered, or no infringement found) no later
    /// than its exhibition closed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub df: bool,
    /// Worked by an office of another region (see `crate::domain::region::cross_region`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub xr: bool,
    /// An overseas request's category and country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub og: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oc: Option<String>,
}

/// One counter: office, dimension (empty: none) and its value, month bucket (`YYYY-MM`; empty
/// for figures of the present), figure and item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub org: i64,
    pub dim: &'static str,
    pub bucket: String,
    pub figure: &'static str,
    pub value: String,
    pub item: i64,
}

/// `YYYY-MM` of a day.
pub fn month(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The level name of an SRDI rank (`none` for 0), as the `srdi_level` filter takes it.
pub fn level_name(rank: i16) -> &'static str {
    SrdiLevel::from_rank(rank).map_or("none", SrdiLevel::as_str)
}

/// Whether `f` meets the conditions of a counter.
pub fn holds(conditions: &[(&'static str, String)], f: &Facts) -> bool {
    let is = |v: &str| v == "true";
    for (k, v) in conditions {
        let ok = match *k {
            "queue" => f.q == *v,
            "state" => f.s == *v,
            "source" => f.src == *v,
            "channel" => f.ch == *v,
            "closed" => f.c.is_some() == is(v),
            // `open=true` keeps open cases; `open=false` is no filter at all.
            "open" => !is(v) || f.c.is_none(),
            "routed" => (f.q != "triage") == is(v),
            "event" => f.e.iter().any(|e| e == v),
            "extension_tier" => f.et.iter().any(|t| t == v),
            "clock" => {
                let state = conditions
                    .iter()
                    .find(|(k, _)| *k == "clock_state")
                    .map(|(_, s)| s.as_str());
                f.cl.iter()
                    .any(|(rule, st)| rule == v && state.is_none_or(|s| s == st))
            }
            "clock_state" => true,
            // `srdi=false` is no filter (as on the list).
            "shared" => f.sh == is(v),
            "srdi" => !is(v) || f.k > 0,
            "srdi_level" => level_name(f.k) == v,
            "cross_region" => f.xr == is(v),
            "decided_at_fair" => f.df == is(v),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Whole days from receipt to closing (as `report::days_to_close` counts them).
fn days(f: &Facts) -> i64 {
    f.c.map_or(0, |c| c.signed_duration_since(f.r).num_days().max(0))
}

/// The counters `f` adds one to under `defs`.
pub fn keys(defs: &[Def], f: &Facts) -> Vec<Key> {
    let mut out = Vec::new();
    let mut dims: Vec<(&'static str, &str)> = vec![
        ("", ""),
        ("queue", &f.q),
        ("channel", &f.ch),
        ("source", &f.src),
        ("srdi_level", level_name(f.k)),
        ("region", &f.rg),
    ];
    for kind in &f.rt {
        dims.push(("right_kind", kind));
    }
    if let Some(v) = &f.og {
        dims.push(("overseas_category", v));
    }
    if let Some(v) = &f.oc {
        dims.push(("overseas_country", v));
    }
    for d in defs {
        let bucket = match d.anchor {
            Anchor::Received => month(f.r),
            Anchor::Closed => match f.c {
                Some(c) => month(c),
                None => continue,
            },
            Anchor::Now => String::new(),
        };
        let item = match d.item {
            Item::None => 0,
            Item::Exhibition => match f.x {
                Some(x) => x,
                None => continue,
            },
            Item::Filer => match f.f {
                Some(x) => x,
                None => continue,
            },
            Item::Days => days(f),
        };
        if !holds(&d.conditions, f) {
            continue;
        }
        for (dim, value) in &dims {
            out.push(Key {
                org: f.o,
                dim,
                bucket: bucket.clone(),
                figure: d.figure,
                value: value.to_string(),
                item,
            });
        }
    }
    out
}

/// What changes when a case's facts go from `before` to `after`: +1 for each counter it enters,
/// -1 for each it leaves, summed into `into` (many cases' changes are applied together).
pub fn diff(
    defs: &[Def],
    before: Option<&Facts>,
    after: Option<&Facts>,
    into: &mut HashMap<Key, i64>,
) {
    if before == after {
        return;
    }
    if let Some(b) = before {
        count(defs, b, -1, into);
    }
    if let Some(a) = after {
        count(defs, a, 1, into);
    }
}

/// Adds `n` to every counter `f` is in (`n` cases of the same facts at once), summed into
/// `into`. Counters that come back to zero are dropped as they do, so `into` holds only changes
/// whatever the number of cases summed into it (a counter a case leaves and enters again,
/// unchanged, is dropped the same way).
pub fn count(defs: &[Def], f: &Facts, n: i64, into: &mut HashMap<Key, i64>) {
    use std::collections::hash_map::Entry;
    for k in keys(defs, f) {
        match into.entry(k) {
            Entry::Occupied(mut e) => {
                *e.get_mut() += n;
                if *e.get() == 0 {
                    e.remove();
                }
            }
            Entry::Vacant(e) => {
                e.insert(n);
            }
        }
    }
}

/// A stored counter as read back for a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub org: i64,
    pub dim: String,
    pub bucket: String,
    pub figure: String,
    pub value: String,
    pub item: i64,
    pub n: i64,
}

/// A test of a dimension's value (equal to a queue; within a region).
pub type ValueTest = dyn Fn(&str) -> bool;

/// Which counters a figure is read from: offices, a range of months (both ends `YYYY-MM`,
/// inclusive; ignored for figures of the present) and at most one dimension with a test of its
/// value.
pub struct Selection<'a> {
    pub owners: &'a [i64],
    pub months: (String, String),
    pub dim: Option<(&'a str, &'a ValueTest)>,
}

/// Counters of a report, read once and looked up figure by figure.
#[derive(Debug, Default)]
pub struct Counters {
    /// By figure and dimension: a figure is read from one dimension's rows.
    rows: HashMap<(String, String), Vec<Counter>>,
    defs: HashMap<&'static str, Anchor>,
}

impl Counters {
    pub fn new(defs: &[Def], rows: Vec<Counter>) -> Self {
        Self {
            rows: rows.into_iter().fold(HashMap::new(), |mut by, c| {
                by.entry((c.figure.clone(), c.dim.clone()))
                    .or_insert_with(Vec::new)
                    .push(c);
                by
            }),
            defs: defs.iter().map(|d| (d.figure, d.anchor)).collect(),
        }
    }

    /// Whether `figure` is kept as counters.
    pub fn has(&self, figure: &str) -> bool {
        self.defs.contains_key(figure)
    }

    /// The rows of `figure` in dimension `dim` (empty: none).
    fn of(&self, figure: &str, dim: &str) -> &[Counter] {
        self.rows
            .get(&(figure.to_string(), dim.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    fn selected<'s>(
        &'s self,
        figure: &'s str,
        sel: &'s Selection<'s>,
    ) -> impl Iterator<Item = &'s Counter> + 's {
        let anchor = self.defs.get(figure).copied();
        let dim = sel.dim.as_ref().map_or("", |(d, _)| *d);
        self.of(figure, dim).iter().filter(move |c| {
            sel.owners.contains(&c.org)
                && match anchor {
                    Some(Anchor::Now) => c.bucket.is_empty(),
                    Some(_) => {
                        !c.bucket.is_empty()
                            && c.bucket.as_str() >= sel.months.0.as_str()
                            && c.bucket.as_str() <= sel.months.1.as_str()
                    }
                    None => false,
                }
                && sel.dim.as_ref().is_none_or(|(_, test)| test(&c.value))
        })
    }

    /// The values of dimension `dim` that any of `figures` counts a case for, over `owners` and
    /// the months `months` (both ends inclusive), sorted.
    pub fn values(
        &self,
        dim: &str,
        figures: &[&str],
        owners: &[i64],
        months: &(String, String),
    ) -> Vec<String> {
        let mut per: BTreeMap<&str, i64> = BTreeMap::new();
        for c in figures.iter().flat_map(|f| self.of(f, dim)) {
            let in_months = !c.bucket.is_empty()
                && c.bucket.as_str() >= months.0.as_str()
                && c.bucket.as_str() <= months.1.as_str();
            if in_months && owners.contains(&c.org) {
                *per.entry(c.value.as_str()).or_default() += c.n;
            }
        }
        per.into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(v, _)| v.to_string())
            .collect()
    }

    /// How many cases `figure` counts.
    pub fn count(&self, figure: &str, sel: &Selection<'_>) -> u64 {
        let n: i64 = self.selected(figure, sel).map(|c| c.n).sum();
        n.max(0) as u64
    }

    /// How many distinct items (exhibitions, enterprises) the cases of `figure` have.
    pub fn distinct(&self, figure: &str, sel: &Selection<'_>) -> u64 {
        let mut per: HashMap<i64, i64> = HashMap::new();
        for c in self.selected(figure, sel) {
            *per.entry(c.item).or_default() += c.n;
        }
        per.values().filter(|n| **n > 0).count() as u64
    }

    /// The days to close of the cases of `figure`, each repeated as often as it occurs.
    pub fn days(&self, figure: &str, sel: &Selection<'_>) -> Vec<i64> {
        let mut per: BTreeMap<i64, i64> = BTreeMap::new();
        for c in self.selected(figure, sel) {
            *per.entry(c.item).or_default() += c.n;
        }
        per.into_iter()
            .flat_map(|(d, n)| std::iter::repeat_n(d, n.max(0) as usize))
            .collect()
    }
}

/// Whether `p` is made of whole months as far as the counters can tell: it starts on the first
/// of a month and ends on the last day of one, or on or after `today` (nothing is received or
/// closed later than today).
pub fn whole_months(p: &Period, today: NaiveDate) -> bool {
    let last_of_month =
        p.to.checked_add_days(chrono::Days::new(1))
            .is_none_or(|next| next.day() == 1);
    p.from.day() == 1 && (last_of_month || p.to >= today)
}

#[cfg(test)]
mod tests;
