//! Search use cases: the query with its filters (validated here, run on the node's index with
//! the user's visibility), and the indexer that keeps the index in step with the database
//! through the `search_outbox`, or rebuilds it.

use super::Identity;
use crate::domain::case::{CaseState, Channel, Queue, RightKind};
use crate::error::{AppError, FieldError, Result};
use crate::search::index::{self, Building, Mark, SearchIndex};
use crate::search::outbox::Cursor;
use crate::search::schema::{Fields, SCHEMA_VERSION};
use crate::search::{self, Request, Results, Sort, query};
use crate::store::{self, Db};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use tantivy::{IndexWriter, TantivyDocument, Term};

/// Hits per page unless asked otherwise, and at most.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 200;
/// Deepest hit a page may start at (a deeper page costs more than it helps).
pub const MAX_OFFSET: usize = 10_000;

fn sorts() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&["relevance", "urgency"], false)
}

/// A search as received (query string of the API or the page).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Params {
    /// Words to find in the number, title, description, parties and rights (Chinese is
    /// segmented into words).
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(value_type = Option<crate::domain::case::Queue>)]
    pub queue: Option<String>,
    #[param(value_type = Option<crate::domain::case::CaseState>)]
    pub state: Option<String>,
    /// The right's kind.
    #[param(value_type = Option<crate::domain::case::RightKind>)]
    pub kind: Option<String>,
    #[param(value_type = Option<crate::domain::case::Channel>)]
    pub channel: Option<String>,
    /// A region code: cases from it and the places within it.
    #[param(pattern = "^[0-9]{2,6}$")]
    pub region: Option<String>,
    /// 专精特新 enterprises' cases only.
    #[param(value_type = Option<bool>)]
    pub srdi: Option<String>,
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// `me`: cases assigned to the caller.
    #[param(schema_with = crate::service::cases::me)]
    pub assignee: Option<String>,
    /// `relevance` (default with words) or `urgency`.
    #[param(schema_with = sorts)]
    pub sort: Option<String>,
    /// Hits per page, 1–100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// `csv` | `xlsx`: the hits (up to the deepest page) as a download.
    #[param(schema_with = crate::service::cases::formats)]
    pub format: Option<String>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn flag(v: &Option<String>, field: &str, errors: &mut Vec<FieldError>) -> bool {
    match blank(v) {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") | Some("on") => true,
        Some(_) => {
            errors.push(FieldError::new(field, "error.search.flag"));
            false
        }
    }
}

fn one_of(
    v: &Option<String>,
    field: &str,
    allowed: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let s = blank(v)?;
    if allowed.contains(&s) {
        Some(s.to_string())
    } else {
        errors.push(FieldError::new(field, "error.search.value"));
        None
    }
}

/// The request `p` asks for, or every field that is wrong.
pub fn request(me: &Identity, p: &Params) -> Result<Request> {
    let mut errors = Vec::new();
    let words = match query::parse(p.q.as_deref().unwrap_or("")) {
        Ok(w) => w,
        Err(e) => {
            errors.push(FieldError::new("q", e.message_key()));
            Vec::new()
        }
    };
    let queues: Vec<&str> = Queue::ALL.iter().map(|q| q.as_str()).collect();
    let queue = one_of(&p.queue, "queue", &queues, &mut errors);
    // One of the states the document names (a word that is no state is an error, not an empty
    // result).
    let states: Vec<&str> = CaseState::ALL.iter().map(|s| s.as_str()).collect();
    let state = one_of(&p.state, "state", &states, &mut errors);
    let kinds: Vec<&str> = RightKind::ALL.iter().map(|k| k.as_str()).collect();
    let kind = one_of(&p.kind, "kind", &kinds, &mut errors);
    let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
    let channel = one_of(&p.channel, "channel", &channels, &mut errors);
    let region = blank(&p.region).and_then(|r| {
        if r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()) {
            Some(r.to_string())
        } else {
            errors.push(FieldError::new("region", "error.search.value"));
            None
        }
    });
    let srdi = flag(&p.srdi, "srdi", &mut errors);
    let overdue = flag(&p.overdue, "overdue", &mut errors);
    let assignee = match blank(&p.assignee) {
        None => None,
        Some("me") => Some(me.user.id),
        Some(_) => {
            errors.push(FieldError::new("assignee", "error.search.value"));
            None
        }
    };
    let sort = match blank(&p.sort) {
        None | Some("relevance") => Sort::Relevance,
        Some("urgency") => Sort::Urgency,
        Some(_) => {
            errors.push(FieldError::new("sort", "error.search.value"));
            Sort::Relevance
        }
    };
    let limit = match blank(&p.limit).map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            errors.push(FieldError::new("limit", "error.search.limit"));
            DEFAULT_LIMIT
        }
    };
    let offset = match blank(&p.cursor).map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) if n <= MAX_OFFSET => n,
        Some(_) => {
            errors.push(FieldError::new("cursor", "error.search.cursor"));
            0
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(Request {
        words,
        queue,
        state,
        kind,
        channel,
        region,
        srdi,
        overdue,
        assignee,
        sort,
        offset,
        limit,
    })
}

/// Runs a search for `me` on the live index (off the async threads: it is CPU work). The hits
/// are checked against the database once more, so that an index that lags behind a revoked
/// share never shows that case's title or snippet.
pub async fn search(
    db: &Db,
    index: &Arc<SearchIndex>,
    me: &Identity,
    req: Request,
    now: DateTime<Utc>,
) -> Result<Results> {
    let live = index.live();
    let actor = me.actor.clone();
    let started = std::time::Instant::now();
    let res = tokio::task::spawn_blocking(move || search::run(&live, &actor, &req, now))
        .await
        .map_err(|e| anyhow::anyhow!("search task: {e}"))?
        .map_err(|e| anyhow::anyhow!("search: {e}"))?;
    let mut res = res;
    if !res.hits.is_empty() {
        let ids: Vec<i64> = res.hits.iter().map(|h| h.id).collect();
        // Each hit's 专精特新 rank comes from the case row (the index keeps it for filtering
        // only), so that the hit carries the 快速通道 label as the case lists do.
        let visible: std::collections::HashMap<i64, i16> =
            store::cases::visible_ranks_among(db.conn(), &me.actor, ids)
                .await?
                .into_iter()
                .collect();
        let before = res.hits.len();
        res.hits.retain(|h| visible.contains_key(&h.id));
        for h in &mut res.hits {
            h.srdi_rank = visible.get(&h.id).copied().unwrap_or(0);
        }
        let hidden = before - res.hits.len();
        if hidden > 0 {
            tracing::info!(hidden, "search hits no longer visible (the index lags)");
            res.total = res.total.saturating_sub(hidden);
        }
    }
    metrics::histogram!("weiquan_search_seconds").record(started.elapsed().as_secs_f64());
    Ok(res)
}

/// The cursor of the next page, if there is one.
pub fn next_cursor(req: &Request, total: usize) -> Option<String> {
    let next = req.offset + req.limit;
    (next < total && next <= MAX_OFFSET).then(|| next.to_string())
}

// ---------------------------------------------------------------------------------------------
// Indexing

/// Outbox rows read per round.
const BATCH: u64 = 1000;
/// Cases read from the database per query while building.
const BUILD_CHUNK: u64 = 500;
/// After a rebuild, rows recorded this long before it started are applied again, so that a
/// transaction that was still running while the cases were read is not missed.
const BUILD_OVERLAP_SECS: i64 = 120;

type Writer = Arc<Mutex<IndexWriter<TantivyDocument>>>;

fn lock(w: &Writer) -> std::sync::MutexGuard<'_, IndexWriter<TantivyDocument>> {
    w.lock().unwrap_or_else(|e| e.into_inner())
}

/// Replaces the documents of `ids` with `docs` (ids without a doc are removed) and commits
/// with `mark` (none: do not commit yet).
async fn put(
    writer: &Writer,
    fields: &Fields,
    ids: Vec<i64>,
    docs: Vec<search::doc::CaseDoc>,
    mark: Option<i64>,
) -> anyhow::Result<()> {
    let writer = writer.clone();
    let fields = fields.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut w = lock(&writer);
        for id in ids {
            w.delete_term(Term::from_field_u64(fields.id, id as u64));
        }
        for d in docs {
            w.add_document(d.to_document(&fields))?;
        }
        if let Some(outbox) = mark {
            index::commit(
                &mut w,
                Mark {
                    schema: SCHEMA_VERSION,
                    outbox,
                },
            )?;
        }
        Ok(())
    })
    .await?
}

/// Writes every case into `writer` (which holds nothing, or is emptied first); returns the mark
/// the index then stands at. `progress(done, total)` is called as it goes.
async fn fill(
    db: &Db,
    writer: &Writer,
    fields: &Fields,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<i64> {
    // On PostgreSQL, first let every transaction that is running now end: one of them may hold
    // an outbox id below rows that are already visible, and the mark must not pass it.
    if let Some((_, xmax)) = store::outbox::pg_snapshot(db.conn()).await? {
        let waited = std::time::Instant::now();
        while store::outbox::pg_snapshot(db.conn())
            .await?
            .is_some_and(|(xmin, _)| xmin < xmax)
        {
            if waited.elapsed() > std::time::Duration::from_secs(60) {
                tracing::warn!(
                    "search rebuild: a transaction has been running for over a minute; going on"
                );
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    let started = crate::service::now();
    let since = started - chrono::Duration::seconds(BUILD_OVERLAP_SECS);
    let mark = store::outbox::first_id_since(db.conn(), since)
        .await?
        .map(|id| id - 1)
        .unwrap_or(store::outbox::last_id(db.conn()).await?);
    {
        let w = writer.clone();
        tokio::task::spawn_blocking(move || lock(&w).delete_all_documents()).await??;
    }
    let total = store::cases::count(db.conn()).await? as usize;
    let mut done = 0;
    let mut after = 0;
    progress(0, total);
    loop {
        let ids = store::search::case_ids_after(db.conn(), after, BUILD_CHUNK).await?;
        let Some(&last) = ids.last() else { break };
        after = last;
        let docs = store::search::docs(db.conn(), &ids).await?;
        done += ids.len();
        put(writer, fields, Vec::new(), docs, None).await?;
        progress(done.min(total), total.max(done));
    }
    let w = writer.clone();
    tokio::task::spawn_blocking(move || {
        index::commit(
            &mut lock(&w),
            Mark {
                schema: SCHEMA_VERSION,
                outbox: mark,
            },
        )
    })
    .await??;
    Ok(mark)
}

/// `weiquan reindex`: builds a new generation from the database beside the one in use, then
/// makes it current (a running server switches to it on its next round). Returns the number of
/// cases indexed.
pub async fn rebuild(
    db: &Db,
    root: &std::path::Path,
    threads: usize,
    progress: impl FnMut(usize, usize),
) -> anyhow::Result<(usize, String)> {
    let building = Building::start(root)?;
    let fields = building.fields.clone();
    let writer: Writer = Arc::new(Mutex::new(index::writer(&building.index, threads)?));
    fill(db, &writer, &fields, progress).await?;
    let w = Arc::try_unwrap(writer)
        .map_err(|_| anyhow::anyhow!("index writer still shared"))?
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    tokio::task::spawn_blocking(move || w.wait_merging_threads()).await??;
    let n = {
        let reader = building.index.reader()?;
        reader.searcher().num_docs() as usize
    };
    let name = building.publish()?;
    Ok((n, name))
}

/// What one round of the indexer did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    /// Outbox rows applied.
    pub rows: usize,
    /// Cases written to the index.
    pub cases: usize,
    /// The index was (re)built from the database.
    pub built: bool,
    /// Switched to a generation built by `weiquan reindex`.
    pub switched: bool,
}

struct Open {
    generation: String,
    writer: Writer,
    fields: Fields,
    cursor: Cursor,
}

/// Keeps this node's index in step with the database.
pub struct Indexer {
    index: Arc<SearchIndex>,
    threads: usize,
    open: Option<Open>,
}

impl Indexer {
    pub fn new(index: Arc<SearchIndex>, threads: usize) -> Self {
        Self {
            index,
            threads,
            open: None,
        }
    }

    /// One round: follow a rebuilt generation, build when the index has never been filled (or
    /// the outbox rows it needs are gone), then apply pending outbox rows. After an error the
    /// writer is dropped with what it had not committed, and the next round starts again from
    /// the last commit's mark.
    pub async fn round(&mut self, db: &Db) -> anyhow::Result<Round> {
        let res = self.round_inner(db).await;
        if res.is_err() {
            self.open = None;
        }
        res
    }

    /// Opens the writer of the generation `CURRENT` names, switching to it when a rebuild
    /// published a new one. A generation that cannot be opened leaves the current one in use.
    fn follow(&mut self, out: &mut Round) -> anyhow::Result<()> {
        let on_disk = self.index.on_disk();
        let current = self.open.as_ref().map(|o| o.generation.clone());
        if self.open.is_some() && (on_disk.is_none() || on_disk == current) {
            return Ok(());
        }
        let mut live = self.index.live();
        if let Some(g) = on_disk.filter(|g| *g != live.generation) {
            match self.index.switch(&g) {
                Ok(next) => {
                    out.switched = current.is_some();
                    live = next;
                }
                Err(e) if self.open.is_some() => {
                    tracing::warn!(generation = %g, error = %format!("{e:#}"), "cannot switch to the rebuilt search index; keeping the current one");
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
        if current.as_deref() == Some(live.generation.as_str()) {
            return Ok(());
        }
        // Release the old writer before the old generation is removed.
        self.open = None;
        let writer = index::writer(&live.index, self.threads)?;
        let mark = index::mark_of(&live.index);
        self.open = Some(Open {
            generation: live.generation.clone(),
            writer: Arc::new(Mutex::new(writer)),
            fields: live.fields.clone(),
            cursor: Cursor::new(mark.map(|m| m.outbox).unwrap_or(-1)),
        });
        if let Some(old) = current {
            self.index.remove_generation(&old);
        }
        Ok(())
    }

    async fn round_inner(&mut self, db: &Db) -> anyhow::Result<Round> {
        let mut out = Round::default();
        self.follow(&mut out)?;
        let Some(open) = self.open.as_mut() else {
            return Ok(out);
        };
        let first = store::outbox::first_id(db.conn()).await?;
        // Never filled, or the rows after its mark were pruned (it was offline for longer than
        // the outbox keeps them).
        let lost = open.cursor.mark() < 0 || first.is_some_and(|f| f > open.cursor.mark() + 1);
        if lost {
            let started = std::time::Instant::now();
            let mark = fill(db, &open.writer, &open.fields, |_, _| {}).await?;
            open.cursor = Cursor::new(mark);
            out.built = true;
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "search index built from the database"
            );
            self.index.live().reload()?;
        }
        // Up to 20 batches, then one commit (with the mark) for all of them.
        let mut dirty = false;
        for _ in 0..20 {
            // The snapshot comes before the reads: a hole is final only if every transaction
            // that could fill it had ended before its rows were looked for.
            let snapshot = store::outbox::pg_snapshot(db.conn()).await?;
            let now = crate::service::now().timestamp();
            let mut rows =
                store::outbox::pending(db.conn(), open.cursor.fetch_after(), BATCH).await?;
            if let Some((from, to)) = open.cursor.hole() {
                rows.extend(store::outbox::between(db.conn(), from, to, BATCH).await?);
            }
            if rows.is_empty() {
                dirty |= open.cursor.settle(snapshot, now);
                break;
            }
            let mut ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
            ids.sort_unstable();
            ids.dedup();
            let docs = store::search::docs(db.conn(), &ids).await?;
            out.rows += rows.len();
            out.cases += ids.len();
            put(&open.writer, &open.fields, ids, docs, None).await?;
            // Only what the writer holds counts as applied.
            open.cursor.applied(rows.iter().map(|r| r.0));
            open.cursor.settle(snapshot, now);
            dirty = true;
            if (rows.len() as u64) < BATCH {
                break;
            }
        }
        if dirty {
            let mark = open.cursor.mark();
            put(
                &open.writer,
                &open.fields,
                Vec::new(),
                Vec::new(),
                Some(mark),
            )
            .await?;
            self.index.live().reload()?;
        }
        Ok(out)
    }
}

/// How long applied outbox rows are kept (a node whose index is further behind rebuilds).
pub const OUTBOX_KEEP_DAYS: i64 = 7;

/// Runs the indexer every `poll` until `stop` changes; prunes old outbox rows hourly.
pub async fn run(
    db: Db,
    mut indexer: Indexer,
    poll: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut prune = tokio::time::interval(std::time::Duration::from_secs(3600));
    prune.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match indexer.round(&db).await {
                    Ok(r) if r.rows > 0 || r.built || r.switched => tracing::debug!(?r, "search index updated"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "search indexing failed; retrying"),
                }
            }
            _ = prune.tick() => {
                let before = crate::service::now() - chrono::Duration::days(OUTBOX_KEEP_DAYS);
                if let Err(e) = store::outbox::prune(db.conn(), before).await {
                    tracing::warn!(error = %e, "pruning the search outbox failed");
                }
            }
            _ = stop.changed() => break,
        }
    }
}
