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
pub mod facets;
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
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
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
    /// 0 none, 1 省级专精特新, 2 国家级小巨人 (filled in from the case row by the service).
    pub srdi_rank: i16,
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

fn string_term(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
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
    for (field, value) in [
        (f.queue, &req.queue),
        (f.state, &req.state),
        (f.kind, &req.kind),
        (f.channel, &req.channel),
        (f.region, &req.region),
    ] {
        if let Some(v) = value {
            all.push((Occur::Must, filter(string_term(field, v))));
        }
    }
    if req.srdi {
        all.push((
            Occur::Must,
            filter(Box::new(BooleanQuery::new(
                crate::domain::srdi::SrdiLevel::ALL
                    .iter()
                    .map(|l| (Occur::Should, string_term(f.srdi, l.as_str())))
                    .collect(),
            ))),
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
    let counts = facets::Counts {
        now: now.timestamp(),
    };
    let limit = req.limit.max(1);
    let (addresses, tally): (Vec<DocAddress>, facets::Tally) = match req.sort {
        Sort::Relevance => {
            let top = TopDocs::with_limit(limit)
                .and_offset(req.offset)
                .order_by_score();
            let (top, tally) = searcher.search(&*q, &(top, counts))?;
            (top.into_iter().map(|(_, a)| a).collect(), tally)
        }
        Sort::Urgency => {
            let top = TopDocs::with_limit(limit)
                .and_offset(req.offset)
                .order_by_fast_field::<u64>("urgency", Order::Asc);
            let (top, tally) = searcher.search(&*q, &(top, counts))?;
            (top.into_iter().map(|(_, a)| a).collect(), tally)
        }
    };
    let mut groups = BTreeMap::new();
    for g in FACETS {
        let mut values: Vec<(String, u64)> = tally
            .groups
            .get(g)
            .map(|m| m.iter().map(|(k, n)| (k.clone(), *n)).collect())
            .unwrap_or_default();
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
            srdi_rank: 0,
        });
    }
    Ok(Results {
        total: tally.total,
        hits,
        facets: groups,
        overdue: tally.overdue,
    })
}

/// Snippet generators for the fields a user may see, tried in order until one highlights.
struct Snippets {
    /// For the user's jieba field and its bigram twin.
    generators: [SnippetGenerator; 2],
    /// Stored texts the user may see, in the order they are tried.
    texts: Vec<tantivy::schema::Field>,
    fallback: tantivy::schema::Field,
}

impl Snippets {
    fn new(
        searcher: &Searcher,
        q: &dyn Query,
        f: &Fields,
        internal: bool,
    ) -> tantivy::Result<Self> {
        let (zh, bi) = if internal {
            (f.all, f.bi_all)
        } else {
            (f.public, f.bi_public)
        };
        let mut texts = vec![f.description, f.title, f.details, f.filer_evidence];
        if internal {
            texts.extend([f.notes, f.evidence]);
        }
        let mut zh = SnippetGenerator::create(searcher, q, zh)?;
        zh.set_max_num_chars(120);
        let mut bi = SnippetGenerator::create(searcher, q, bi)?;
        bi.set_max_num_chars(120);
        Ok(Self {
            generators: [zh, bi],
            texts,
            fallback: f.description,
        })
    }

    fn of(&self, d: &TantivyDocument) -> String {
        let text = |field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
        for field in &self.texts {
            let t = text(*field);
            if t.is_empty() {
                continue;
            }
            for g in &self.generators {
                let s = g.snippet(t);
                if !s.highlighted().is_empty() {
                    return highlight(s.fragment(), s.highlighted()).replace('\n', "；");
                }
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
