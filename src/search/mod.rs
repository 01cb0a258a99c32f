//! Full-text search over Chinese case text (tantivy, jieba), permission-aware.
//!
//! - [`tokenize`]: the `zh` (jieba) and `bi` (CJK bigram) tokenizers, and exact identifiers;
//! - [`schema`] and [`doc`]: one document per case;
//! - [`access`]: who may see a case, as an index filter (the policy's rules);
//! - [`query`]: what the user typed, as words and as an index query;
//! - [`index`]: generations on disk, the commit mark (the last applied outbox row).
//!
//! The database stays the truth: `service::search` feeds the index from the `search_outbox`
//! and rebuilds it (`weiquan reindex`).

pub mod access;
pub mod doc;
pub mod index;
pub mod outbox;
pub mod query;
pub mod schema;
pub mod tokenize;

use crate::domain::policy::Actor;
use chrono::{DateTime, Utc};
use index::Live;
use query::Word;
use schema::Fields;
use std::collections::BTreeMap;
use std::ops::Bound;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    /// Most urgent first (next due instant), SRDI first among equals.
    Urgency,
}

/// Facet groups, in the order pages show them.
pub const FACETS: [&str; 6] = ["queue", "state", "kind", "channel", "region", "srdi"];

/// A search: words and filters (values are the API's names).
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub words: Vec<Word>,
    pub queue: Option<String>,
    pub state: Option<String>,
    pub kind: Option<String>,
    pub channel: Option<String>,
    /// Prefecture-level region code (`320600`).
    pub region: Option<String>,
    pub srdi: bool,
    pub overdue: bool,
    pub assignee: Option<i64>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub queue: String,
    pub state: String,
    /// HTML: the text escaped, matches in `<mark>`.
    pub snippet: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Per group, (value, count), largest first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
    /// Matching cases that are open and past their next due instant.
    pub overdue: u64,
}

/// A condition that filters without changing the score.
fn filter(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

fn facet_term(f: &Fields, group: &str, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_facet(f.facets, &Facet::from_path([group, value])),
        IndexRecordOption::Basic,
    ))
}

fn overdue_query(f: &Fields, now: DateTime<Utc>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Excluded(Term::from_field_i64(f.due, now.timestamp())),
            )) as Box<dyn Query>,
        ),
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_u64(f.open, 1),
                IndexRecordOption::Basic,
            )),
        ),
    ]))
}

/// The query of `req` for `actor`: the words over the fields they may search, the filters, and
/// the visibility filter.
pub fn build_query(actor: &Actor, req: &Request, f: &Fields, now: DateTime<Utc>) -> Box<dyn Query> {
    let internal = access::reads_internal(actor);
    let mut all: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, query::text_query(&req.words, f, internal)),
        (Occur::Must, filter(access::visible(actor, f))),
    ];
    for (group, value) in [
        ("queue", &req.queue),
        ("state", &req.state),
        ("kind", &req.kind),
        ("channel", &req.channel),
        ("region", &req.region),
    ] {
        if let Some(v) = value {
            all.push((Occur::Must, filter(facet_term(f, group, v))));
        }
    }
    if req.srdi {
        all.push((
            Occur::Must,
            filter(Box::new(BooleanQuery::new(vec![
                (Occur::Should, facet_term(f, "srdi", "provincial_srdi")),
                (
                    Occur::Should,
                    facet_term(f, "srdi", "national_little_giant"),
                ),
            ]))),
        ));
    }
    if req.overdue {
        all.push((Occur::Must, filter(overdue_query(f, now))));
    }
    if let Some(u) = req.assignee {
        all.push((
            Occur::Must,
            filter(Box::new(TermQuery::new(
                Term::from_field_u64(f.assignee, u as u64),
                IndexRecordOption::Basic,
            ))),
        ));
    }
    Box::new(BooleanQuery::new(all))
}

/// Runs `req` for `actor` on the live index.
pub fn run(
    live: &Live,
    actor: &Actor,
    req: &Request,
    now: DateTime<Utc>,
) -> tantivy::Result<Results> {
    let f = &live.fields;
    let searcher = live.reader.searcher();
    let q = build_query(actor, req, f, now);
    let mut facets = FacetCollector::for_field("facets");
    for g in FACETS {
        facets.add_facet(Facet::from_path([g]));
    }
    let limit = req.limit.max(1);
    let (addresses, total, counts): (Vec<DocAddress>, usize, _) = match req.sort {
        Sort::Relevance => {
            let top = TopDocs::with_limit(limit)
                .and_offset(req.offset)
                .order_by_score();
            let (top, total, counts) = searcher.search(&*q, &(top, Count, facets))?;
            (top.into_iter().map(|(_, a)| a).collect(), total, counts)
        }
        Sort::Urgency => {
            let top = TopDocs::with_limit(limit)
                .and_offset(req.offset)
                .order_by_fast_field::<u64>("urgency", Order::Asc);
            let (top, total, counts) = searcher.search(&*q, &(top, Count, facets))?;
            (top.into_iter().map(|(_, a)| a).collect(), total, counts)
        }
    };
    let overdue_q = BooleanQuery::new(vec![
        (Occur::Must, q.box_clone()),
        (Occur::Must, overdue_query(f, now)),
    ]);
    let overdue = searcher.search(&overdue_q, &Count)? as u64;
    let mut groups = BTreeMap::new();
    for g in FACETS {
        let mut values: Vec<(String, u64)> = counts
            .get(&format!("/{g}"))
            .map(|(facet, n)| {
                let name = facet
                    .to_path()
                    .last()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                (name, n)
            })
            .collect();
        values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        groups.insert(g.to_string(), values);
    }
    let snippets = Snippets::new(&searcher, &*q, f, access::reads_internal(actor))?;
    let mut hits = Vec::with_capacity(addresses.len());
    for a in addresses {
        let d: TantivyDocument = searcher.doc(a)?;
        let text = |field| {
            d.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        hits.push(Hit {
            id: d.get_first(f.id).and_then(|v| v.as_u64()).unwrap_or(0) as i64,
            number: text(f.number),
            title: text(f.title),
            queue: text(f.queue),
            state: text(f.state),
            snippet: snippets.of(&d),
        });
    }
    Ok(Results {
        total,
        hits,
        facets: groups,
        overdue,
    })
}

/// Snippet generators for the fields a user may see, tried in order until one highlights.
struct Snippets {
    /// (generator, the stored field whose text it highlights)
    order: Vec<(SnippetGenerator, tantivy::schema::Field)>,
    fallback: tantivy::schema::Field,
}

impl Snippets {
    fn new(
        searcher: &Searcher,
        q: &dyn Query,
        f: &Fields,
        internal: bool,
    ) -> tantivy::Result<Self> {
        let mut pairs = vec![
            (f.description, f.description),
            (f.bi_public, f.description),
            (f.title, f.title),
            (f.bi_public, f.title),
            (f.details, f.details),
            (f.bi_public, f.details),
            (f.filer_evidence, f.filer_evidence),
            (f.bi_public, f.filer_evidence),
        ];
        if internal {
            pairs.extend([
                (f.notes, f.notes),
                (f.bi_notes, f.notes),
                (f.evidence, f.evidence),
                (f.bi_evidence, f.evidence),
            ]);
        }
        let mut order = Vec::with_capacity(pairs.len());
        for (index_field, text_field) in pairs {
            let mut g = SnippetGenerator::create(searcher, q, index_field)?;
            g.set_max_num_chars(120);
            order.push((g, text_field));
        }
        Ok(Self {
            order,
            fallback: f.description,
        })
    }

    fn of(&self, d: &TantivyDocument) -> String {
        let text = |field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
        for (g, field) in &self.order {
            let t = text(*field);
            if t.is_empty() {
                continue;
            }
            let s = g.snippet(t);
            if !s.highlighted().is_empty() {
                return highlight(s.fragment(), s.highlighted()).replace('\n', "；");
            }
        }
        let start: String = text(self.fallback).chars().take(120).collect();
        escape(&start).replace('\n', "；")
    }
}

/// HTML-escapes `s`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `fragment` escaped, with the byte ranges in `marks` wrapped in `<mark>`.
pub fn highlight(fragment: &str, marks: &[std::ops::Range<usize>]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for r in marks {
        if r.start < at
            || r.end > fragment.len()
            || !fragment.is_char_boundary(r.start)
            || !fragment.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&escape(&fragment[at..r.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&fragment[r.clone()]));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape(&fragment[at..]));
    out
}

#[cfg(test)]
mod tests;
