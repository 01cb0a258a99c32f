//! The index on disk, in generations: `<root>/CURRENT` names the folder (`g-…`) searches read.
//! `weiquan reindex` builds a new generation in a `tmp-…` folder beside it, renames it and
//! points `CURRENT` at it; a running server notices, switches over and removes the old one.
//! Until then the old generation keeps serving.
//!
//! Each commit carries a [`Mark`] as its payload: the schema version and the last outbox row
//! whose change the index contains, so that a restart resumes exactly there.

use super::schema::{self, Fields, SCHEMA_VERSION};
use super::tokenize::{BIGRAM, BigramTokenizer, EXACT, ExactTokenizer, ZH, ZhTokenizer};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, TantivyDocument};

/// What a commit records: where in the outbox the index stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub schema: u32,
    /// Every outbox row with an id up to this one is in the index.
    pub outbox: i64,
}

/// Memory of one indexing thread.
const BUDGET_PER_THREAD: usize = 24 * 1024 * 1024;

/// Decompressed stored-document blocks each segment's reader keeps (tantivy's default is 100).
///
/// A search reads the stored fields of one page of hits (a few dozen documents scattered over
/// the segments), so a large cache is rarely hit again, while 100 blocks of 16 KiB for each of a
/// few dozen segments is tens of megabytes that fill slowly as the index grows: the long soak's
/// heap growth (docs/benchmarks.md). A handful per segment keeps paging through one query's hits
/// cheap and bounds the whole at well under a megabyte per segment.
const DOC_STORE_CACHE_BLOCKS: usize = 8;

/// Registers the tokenizers the schema names (tantivy keeps them per opened index).
pub fn register_tokenizers(index: &Index) {
    let m = index.tokenizers();
    m.register(ZH, ZhTokenizer::index());
    m.register(BIGRAM, BigramTokenizer);
    m.register(EXACT, ExactTokenizer);
}

/// An empty index in memory (tests and benchmarks).
pub fn in_ram() -> (Index, Fields) {
    let (schema, fields) = schema::build();
    let index = Index::create_in_ram(schema);
    register_tokenizers(&index);
    (index, fields)
}

fn create_in(dir: &Path) -> anyhow::Result<(Index, Fields, MmapDirectory)> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (schema, fields) = schema::build();
    let files = MmapDirectory::open(dir)
        .with_context(|| format!("opening the search index folder {}", dir.display()))?;
    anyhow::ensure!(
        !Index::exists(&files)?,
        "a search index is already in {}",
        dir.display()
    );
    let index = Index::create(files.clone(), schema, IndexSettings::default())
        .with_context(|| format!("creating a search index in {}", dir.display()))?;
    register_tokenizers(&index);
    Ok((index, fields, files))
}

/// Opens a generation if it has this build's schema.
fn open_in(dir: &Path) -> anyhow::Result<(Index, Fields, MmapDirectory)> {
    let files = MmapDirectory::open(dir)
        .with_context(|| format!("opening the search index folder {}", dir.display()))?;
    let index = Index::open(files.clone())
        .with_context(|| format!("opening the search index in {}", dir.display()))?;
    let (schema, fields) = schema::build();
    anyhow::ensure!(index.schema() == schema, "the index has another schema");
    if let Some(m) = mark_of(&index) {
        anyhow::ensure!(
            m.schema == SCHEMA_VERSION,
            "the index has schema version {}",
            m.schema
        );
    }
    register_tokenizers(&index);
    Ok((index, fields, files))
}

/// The mark of the last commit (none: never built).
pub fn mark_of(index: &Index) -> Option<Mark> {
    let metas = index.load_metas().ok()?;
    serde_json::from_str(metas.payload.as_deref()?).ok()
}

/// A writer with `threads` indexing threads.
///
/// Files a killed process wrote after its last commit are removed first. Tantivy names a
/// segment's deletes after the commit's operation stamp, and a writer resumes the stamps from
/// the last commit: without this, the first commit after a crash that struck mid-commit would
/// try to create a file that is already there, and fail every time it was retried.
pub fn writer(index: &Index, threads: usize) -> anyhow::Result<IndexWriter<TantivyDocument>> {
    let threads = threads.clamp(1, 8);
    let writer = index
        .writer_with_num_threads(threads, threads * BUDGET_PER_THREAD)
        .context("the search index is locked by another weiquan process using the same folder")?;
    let swept = writer
        .garbage_collect_files()
        .wait()
        .context("removing what an interrupted commit left in the search index")?;
    if !swept.deleted_files.is_empty() {
        tracing::info!(
            files = swept.deleted_files.len(),
            "removed search index files an interrupted commit left behind"
        );
    }
    Ok(writer)
}

/// Commits what `writer` holds with `mark` as the payload.
pub fn commit(writer: &mut IndexWriter<TantivyDocument>, mark: Mark) -> anyhow::Result<()> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(&mark)?);
    prepared.commit()?;
    Ok(())
}

/// One opened generation.
pub struct Live {
    pub generation: String,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// The folder the index reads (none in memory): see [`Live::reload`].
    files: Option<MmapDirectory>,
}

impl Live {
    /// A generation read from `files` (none: an index in memory).
    pub fn new(
        generation: String,
        index: Index,
        fields: Fields,
        files: Option<MmapDirectory>,
    ) -> anyhow::Result<Self> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(DOC_STORE_CACHE_BLOCKS)
            .try_into()?;
        Ok(Self {
            generation,
            index,
            reader,
            fields,
            files,
        })
    }

    /// Searches see what was committed since the last reload.
    ///
    /// Tantivy's folder keeps a map from every file it ever mapped to a weak handle of the
    /// mapping, and forgets the entries of files that are gone only when asked for its cache
    /// information. Every commit adds segment files and merges remove others, so without this
    /// the map grows by a few entries per commit for as long as the server runs (the soak's heap
    /// growth, docs/benchmarks.md).
    pub fn reload(&self) -> tantivy::Result<()> {
        self.reader.reload()?;
        if let Some(files) = &self.files {
            let _ = files.get_cache_info();
        }
        Ok(())
    }
}

/// The search index of this node.
pub struct SearchIndex {
    root: PathBuf,
    live: RwLock<Arc<Live>>,
}

const CURRENT: &str = "CURRENT";

fn fresh_name(prefix: &str) -> String {
    format!(
        "{prefix}{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%3f"),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

impl SearchIndex {
    /// Opens the current generation under `root`, or starts an empty one (which the indexer
    /// then fills from the database) when there is none or it is of another schema.
    pub fn open(root: &Path) -> anyhow::Result<Arc<Self>> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("creating the search index folder {}", root.display()))?;
        let current = Self::read_current(root);
        let opened = current.as_ref().and_then(|g| match open_in(&root.join(g)) {
            Ok(x) => Some((g.clone(), x)),
            Err(e) => {
                tracing::warn!(generation = %g, error = %format!("{e:#}"), "search index not usable; starting a new one");
                None
            }
        });
        let (generation, (index, fields, files)) = match opened {
            Some(x) => x,
            None => {
                let g = fresh_name("g-");
                let x = create_in(&root.join(&g))?;
                write_current(root, &g)?;
                (g, x)
            }
        };
        let me = Arc::new(Self {
            root: root.to_path_buf(),
            live: RwLock::new(Arc::new(Live::new(generation, index, fields, Some(files))?)),
        });
        me.remove_old_generations();
        Ok(me)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn read_current(root: &Path) -> Option<String> {
        let s = std::fs::read_to_string(root.join(CURRENT)).ok()?;
        let g = s.trim();
        (g.starts_with("g-") && !g.contains(['/', '\\', '.'])).then(|| g.to_string())
    }

    /// The generation `CURRENT` names now (another process may have changed it).
    pub fn on_disk(&self) -> Option<String> {
        Self::read_current(&self.root)
    }

    /// The generation being searched.
    pub fn live(&self) -> Arc<Live> {
        self.live.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Searches go to `generation` from now on (the indexer removes the previous one once it has
    /// let go of its writer).
    pub fn switch(&self, generation: &str) -> anyhow::Result<Arc<Live>> {
        let (index, fields, files) = open_in(&self.root.join(generation))?;
        let next = Arc::new(Live::new(
            generation.to_string(),
            index,
            fields,
            Some(files),
        )?);
        *self.live.write().unwrap_or_else(|e| e.into_inner()) = next.clone();
        Ok(next)
    }

    /// Removes finished generations older than the current one (names start with their
    /// creation time; a newer one or an unfinished `tmp-` folder belongs to a rebuild that may be
    /// publishing right now).
    fn remove_old_generations(&self) {
        let keep = self.live().generation.clone();
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with("g-")
                && name.as_str() < keep.as_str()
                && let Err(err) = std::fs::remove_dir_all(e.path())
            {
                tracing::warn!(generation = %name, error = %err, "cannot remove an old search index");
            }
        }
    }
}

impl SearchIndex {
    /// Removes the folder of `generation` unless it is the one in use.
    pub fn remove_generation(&self, generation: &str) {
        if generation == self.live().generation || !generation.starts_with("g-") {
            return;
        }
        if let Err(err) = std::fs::remove_dir_all(self.root.join(generation)) {
            tracing::warn!(%generation, error = %err, "cannot remove an old search index");
        }
    }
}

/// A generation being built beside the current one.
pub struct Building {
    root: PathBuf,
    tmp: String,
    pub index: Index,
    pub fields: Fields,
}

impl Building {
    pub fn start(root: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root)?;
        let tmp = fresh_name("tmp-");
        let (index, fields, _) = create_in(&root.join(&tmp))?;
        Ok(Self {
            root: root.to_path_buf(),
            tmp,
            index,
            fields,
        })
    }

    /// Makes the built generation the current one; returns its name.
    pub fn publish(self) -> anyhow::Result<String> {
        let name = format!("g-{}", self.tmp.trim_start_matches("tmp-"));
        drop(self.index);
        std::fs::rename(self.root.join(&self.tmp), self.root.join(&name))
            .context("publishing the new search index")?;
        write_current(&self.root, &name)?;
        Ok(name)
    }
}

/// Points `CURRENT` at `generation`, atomically (write beside, then rename).
fn write_current(root: &Path, generation: &str) -> anyhow::Result<()> {
    let tmp = root.join(format!("{CURRENT}.{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&tmp, format!("{generation}\n"))?;
    std::fs::rename(&tmp, root.join(CURRENT))?;
    if let Ok(d) = std::fs::File::open(root) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::{Term, doc};

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }

    /// Deletes case 1, adds case 2 and commits: the first commit that writes a delete file.
    fn replace_case(index: &Index, fields: &Fields) -> anyhow::Result<()> {
        let mut w = writer(index, 1)?;
        w.delete_term(Term::from_field_u64(fields.id, 1));
        w.add_document(doc!(fields.id => 2u64, fields.title => "第二件"))?;
        commit(
            &mut w,
            Mark {
                schema: SCHEMA_VERSION,
                outbox: 2,
            },
        )
    }

    #[test]
    fn a_commit_cut_short_by_a_crash_does_not_block_the_next_one() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("g");
        let (index, fields, _) = create_in(&dir).unwrap();
        let mut w = writer(&index, 1).unwrap();
        w.add_document(doc!(fields.id => 1u64, fields.title => "第一件"))
            .unwrap();
        w.add_document(doc!(fields.id => 3u64, fields.title => "第三件"))
            .unwrap();
        commit(
            &mut w,
            Mark {
                schema: SCHEMA_VERSION,
                outbox: 1,
            },
        )
        .unwrap();
        drop(w);
        drop(index);
        let committed = tmp.path().join("committed");
        copy_dir(&dir, &committed);

        // The next commit runs to the end; then its meta.json is put back as it was, which is
        // what a kill between writing the delete file and the new meta.json leaves behind.
        let (index, fields, _) = open_in(&dir).unwrap();
        replace_case(&index, &fields).unwrap();
        drop(index);
        let del_files = |d: &Path| {
            std::fs::read_dir(d)
                .unwrap()
                .filter(|e| e.as_ref().unwrap().path().extension() == Some("del".as_ref()))
                .count()
        };
        assert_eq!(del_files(&dir), 1);
        std::fs::copy(committed.join("meta.json"), dir.join("meta.json")).unwrap();

        let (index, fields, _) = open_in(&dir).unwrap();
        assert_eq!(
            mark_of(&index).unwrap().outbox,
            1,
            "back at the earlier commit"
        );
        replace_case(&index, &fields).expect("the commit after the crash goes through");
        assert_eq!(mark_of(&index).unwrap().outbox, 2);
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        let hits = |id: u64| {
            searcher
                .search(
                    &tantivy::query::TermQuery::new(
                        Term::from_field_u64(fields.id, id),
                        tantivy::schema::IndexRecordOption::Basic,
                    ),
                    &tantivy::collector::Count,
                )
                .unwrap()
        };
        assert_eq!((hits(1), hits(2), hits(3)), (0, 1, 1));
    }
}
