//! Evidence blob storage behind `object_store`: a local folder by default, any S3-compatible store
//! by configuration. Objects are content-addressed (`objects/ab/abcdef…` by SHA-256), so identical
//! bytes are stored once, and nothing here overwrites or deletes an object. Uploads are first
//! streamed into `tmp/` ([`upload`]); refused uploads go to `quarantine/`.

pub mod clamd;
pub mod export;
pub mod s3_uploads;
pub mod upload;

use crate::config::Config;
use anyhow::{Context, Result};
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// Loose temp files of the layout before node folders, older than this, are removed at start.
const STALE_TEMP_SECS: u64 = 3600;
/// A node folder without its lock file is being created if it is younger than this.
const NEW_NODE_SECS: u64 = 60;
const LOCK_FILE: &str = ".lock";

/// This process's own temp folder under the temp root (`tmp/n-…`), held by a lock on its
/// `.lock` file while the process lives and removed when the store is dropped. Nodes sharing a
/// storage folder each write into their own; a folder whose lock nobody holds belonged to a node
/// that died, and the next node to start removes it.
#[derive(Debug)]
struct NodeTemp {
    dir: PathBuf,
    _lock: std::fs::File,
}

impl NodeTemp {
    /// Removes what dead nodes left under `root`, then claims a new folder there; returns it
    /// and how many files were removed.
    fn claim(root: &Path) -> Result<(Self, usize)> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create {}", root.display()))?;
        let mut removed = 0;
        for e in std::fs::read_dir(root)?.flatten() {
            let path = e.path();
            let age = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .map_or(0, |a| a.as_secs());
            if path.is_dir() {
                let dead = match std::fs::File::open(path.join(LOCK_FILE)) {
                    Ok(f) => f.try_lock().is_ok(),
                    Err(_) => age > NEW_NODE_SECS,
                };
                if dead {
                    removed += count_files(&path);
                    if let Err(err) = std::fs::remove_dir_all(&path) {
                        tracing::warn!(path = %path.display(), error = %err, "cannot remove a dead node's temp folder");
                    }
                }
            } else if age > STALE_TEMP_SECS && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        let dir = root.join(format!("n-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let lock = std::fs::File::create(dir.join(LOCK_FILE))?;
        lock.try_lock()
            .map_err(|e| anyhow::anyhow!("cannot lock {}: {e}", dir.display()))?;
        Ok((Self { dir, _lock: lock }, removed))
    }
}

impl Drop for NodeTemp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.file_name() != LOCK_FILE && e.path().is_file())
            .count()
    })
}

/// Where evidence bytes live.
#[derive(Clone)]
pub struct Store {
    objects: Arc<dyn ObjectStore>,
    /// The folder, when the store is the local disk (objects are then linked into place).
    local: Option<PathBuf>,
    tmp: Arc<NodeTemp>,
    /// Files dead nodes had left in the temp root, removed when this store was opened.
    pub stale_removed: usize,
    label: String,
    /// The S3 bucket and key prefix, when the store is S3 (for its unfinished uploads).
    s3: Option<(String, String)>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.label)
    }
}

/// A stored object could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("object {0} is missing")]
    Missing(String),
    #[error("object store: {0}")]
    Other(#[from] object_store::Error),
}

/// The key of the object holding bytes with this SHA-256.
pub fn object_key(sha256: &str) -> String {
    format!("objects/{}/{sha256}", &sha256[..2.min(sha256.len())])
}

impl Store {
    /// Opens the configured store, creating the local folders on first use.
    pub fn open(config: &Config) -> Result<Self> {
        match config.evidence_dir() {
            Some(root) => {
                for sub in ["", "tmp", "objects", "quarantine"] {
                    std::fs::create_dir_all(root.join(sub))
                        .with_context(|| format!("cannot create {}", root.join(sub).display()))?;
                }
                let root = root.canonicalize()?;
                let fs = object_store::local::LocalFileSystem::new_with_prefix(&root)?;
                let (tmp, stale_removed) = NodeTemp::claim(&root.join("tmp"))?;
                Ok(Self {
                    objects: Arc::new(fs),
                    tmp: Arc::new(tmp),
                    stale_removed,
                    label: root.display().to_string(),
                    local: Some(root),
                    s3: None,
                })
            }
            None => {
                let rest = config.storage.trim_start_matches("s3://");
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                let s3 = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .context("S3 storage")?;
                let objects: Arc<dyn ObjectStore> = if prefix.trim_matches('/').is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(
                        s3,
                        prefix.trim_matches('/'),
                    ))
                };
                let (tmp, stale_removed) = NodeTemp::claim(&config.data_dir.join("evidence-tmp"))?;
                Ok(Self {
                    objects,
                    tmp: Arc::new(tmp),
                    stale_removed,
                    local: None,
                    label: config.storage.clone(),
                    s3: Some((bucket.to_string(), prefix.to_string())),
                })
            }
        }
    }

    /// The multipart uploads left unfinished in the S3 bucket under the store's prefix
    /// (`None` for a local store, which has none).
    pub async fn unfinished_uploads(&self) -> Result<Option<Vec<s3_uploads::Unfinished>>> {
        let Some((bucket, prefix)) = &self.s3 else {
            return Ok(None);
        };
        let b = s3_uploads::Bucket::from_env(bucket, prefix)?;
        Ok(Some(b.unfinished().await?))
    }

    /// Aborts an unfinished upload (its parts are deleted).
    pub async fn abort_upload(&self, u: &s3_uploads::Unfinished) -> Result<()> {
        let Some((bucket, prefix)) = &self.s3 else {
            return Ok(());
        };
        s3_uploads::Bucket::from_env(bucket, prefix)?.abort(u).await
    }

    /// Where uploads are streamed before they are put into place (this node's own folder, on
    /// the same disk as local objects).
    pub fn tmp_dir(&self) -> &Path {
        &self.tmp.dir
    }

    /// Removes the files in this node's temp folder that no upload or export of this process
    /// holds (left by a task that died without cleaning up); returns how many.
    pub fn sweep_temp(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.tmp.dir) else {
            return 0;
        };
        let mut removed = 0;
        for e in entries.flatten() {
            let path = e.path();
            if e.file_name() == LOCK_FILE || upload::in_flight(&path) || !path.is_file() {
                continue;
            }
            if std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Puts a finished temp file into place under `key`, unless an object is already there
    /// (identical bytes: content addressing). Never overwrites.
    pub async fn put_file(&self, temp: &Path, key: &str) -> Result<()> {
        if let Some(root) = &self.local {
            let target = root.join(key);
            let temp = temp.to_path_buf();
            return tokio::task::spawn_blocking(move || link_into_place(&temp, &target)).await?;
        }
        let path = ObjectPath::from(key);
        if self.objects.head(&path).await.is_ok() {
            return Ok(());
        }
        let upload = self.objects.put_multipart(&path).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, 8 * 1024 * 1024);
        let mut file = tokio::fs::File::open(temp).await?;
        let mut buf = vec![0u8; 1024 * 1024];
        loop {
            let n = file.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            writer.wait_for_capacity(4).await?;
            writer.write(&buf[..n]);
        }
        writer.finish().await?;
        Ok(())
    }

    /// Streams the bytes of an object.
    pub async fn get(
        &self,
        key: &str,
    ) -> Result<BoxStream<'static, std::io::Result<Bytes>>, ReadError> {
        match self.objects.get(&ObjectPath::from(key)).await {
            Ok(r) => Ok(r.into_stream().map_err(std::io::Error::other).boxed()),
            Err(object_store::Error::NotFound { .. }) => match &self.local {
                // The whole folder gone is the disk failing (not mounted), not one lost object.
                Some(root) if !root.join("objects").is_dir() => Err(ReadError::Other(generic(
                    std::io::Error::other(format!("{} is missing", root.join("objects").display())),
                ))),
                _ => Err(ReadError::Missing(key.to_string())),
            },
            Err(e) => Err(ReadError::Other(e)),
        }
    }

    /// Hashes a stored object again: (SHA-256, SM3, size) in hex. The bytes are hashed on a
    /// blocking thread (SM3 takes about 3 s per GiB), fed through a short queue, so neither a
    /// runtime thread nor memory is held by a large object.
    pub async fn rehash(&self, key: &str) -> Result<(String, String, u64), ReadError> {
        if let Some(path) = self.local_path(key) {
            let key = key.to_string();
            return tokio::task::spawn_blocking(move || hash_file(&path, &key))
                .await
                .map_err(|e| ReadError::Other(generic(std::io::Error::other(e))))?;
        }
        let mut stream = self.get(key).await?;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(4);
        let hasher = tokio::task::spawn_blocking(move || {
            let mut h = upload::Hashes::default();
            while let Some(chunk) = rx.blocking_recv() {
                h.update(&chunk);
            }
            h.finish()
        });
        let failed = |e: std::io::Error| ReadError::Other(generic(e));
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(failed)?;
            if tx.send(chunk).await.is_err() {
                break;
            }
        }
        drop(tx);
        hasher.await.map_err(|e| failed(std::io::Error::other(e)))
    }

    /// Whether the store can take and serve evidence now: the temp folder takes a file (written,
    /// synced and removed), and the objects are there — the local objects folder, or an S3
    /// bucket that answers a lookup within `timeout`. The error names what failed.
    pub async fn check(&self, timeout: std::time::Duration) -> Result<(), String> {
        let tmp = self.tmp.dir.clone();
        let probe = tokio::task::spawn_blocking(move || write_probe(&tmp));
        match tokio::time::timeout(timeout, probe).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => return Err(format!("temp folder {}: {e}", self.tmp.dir.display())),
            Ok(Err(e)) => return Err(format!("temp folder check: {e}")),
            Err(_) => {
                return Err(format!(
                    "temp folder {}: no answer in time",
                    self.tmp.dir.display()
                ));
            }
        }
        if let Some(root) = &self.local {
            let objects = root.join("objects");
            return match tokio::fs::metadata(&objects).await {
                Ok(m) if m.is_dir() => Ok(()),
                Ok(_) => Err(format!("{} is not a folder", objects.display())),
                Err(e) => Err(format!("{}: {e}", objects.display())),
            };
        }
        // A listing, not a lookup: a lookup in a bucket that is gone answers "not found" too.
        let objects = ObjectPath::from("objects");
        let listing = self.objects.list_with_delimiter(Some(&objects));
        match tokio::time::timeout(timeout, listing).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("{}: {e}", self.label)),
            Err(_) => Err(format!(
                "{}: no answer within {} ms",
                self.label,
                timeout.as_millis()
            )),
        }
    }

    /// The stored objects under `prefix` (`objects/`, `quarantine/`): key, size and when each
    /// was last written.
    pub fn list(
        &self,
        prefix: &str,
    ) -> BoxStream<'static, object_store::Result<(String, u64, chrono::DateTime<chrono::Utc>)>>
    {
        self.objects
            .list(Some(&ObjectPath::from(prefix)))
            .map_ok(|m| (m.location.to_string(), m.size, m.last_modified))
            .boxed()
    }

    /// Deletes an object that no row names (`evidence verify --clean`; the caller checks).
    pub async fn remove_unnamed(&self, key: &str) -> object_store::Result<()> {
        match self.objects.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The local file of an object, when the store is the local disk.
    pub fn local_path(&self, key: &str) -> Option<PathBuf> {
        self.local.as_ref().map(|r| r.join(key))
    }
}

/// Creates, syncs and removes a small file in `dir`.
fn write_probe(dir: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let path = dir.join(format!(".probe-{}", uuid::Uuid::new_v4().simple()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    let written = f.write_all(b"ok").and_then(|()| f.sync_all());
    let removed = std::fs::remove_file(&path);
    written.and(removed)
}

fn generic(e: std::io::Error) -> object_store::Error {
    object_store::Error::Generic {
        store: "evidence",
        source: Box::new(e),
    }
}

/// Hashes a local file through one 1 MiB buffer (object_store's local reader hands out 8 MiB
/// chunks, which a queue of them would multiply).
fn hash_file(path: &Path, key: &str) -> Result<(String, String, u64), ReadError> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReadError::Missing(key.to_string()));
        }
        Err(e) => return Err(ReadError::Other(generic(e))),
    };
    let mut h = upload::Hashes::default();
    let mut buf = vec![0u8; 1024 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(h.finish()),
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Other(generic(e))),
        }
    }
}

/// `fsync(temp)`, hard-link it to `target` (which fails if the target exists: no overwrite),
/// `fsync` the folder. The caller removes the temp name.
fn link_into_place(temp: &Path, target: &Path) -> Result<()> {
    let dir = target.parent().context("object path has a folder")?;
    std::fs::create_dir_all(dir)?;
    let f = std::fs::File::open(temp)?;
    f.sync_all()?;
    let mut perms = f.metadata()?.permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(temp, perms)?;
    match std::fs::hard_link(temp, target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // Identical bytes stored before: mark the object as just written, so that a clean-up
            // of objects without a row, which spares recent ones, cannot take it before this
            // upload's row is committed.
            let _ = std::fs::File::open(target)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
            return Ok(());
        }
        Err(e) => return Err(e).context("linking the object into place"),
    }
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// Moves a refused upload into the quarantine area under a name of its own; returns the key.
pub async fn quarantine(store: &Store, temp: &Path, sha256: &str) -> Result<String> {
    let key = format!("quarantine/{}-{sha256}", uuid::Uuid::now_v7().simple());
    store.put_file(temp, &key).await?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &Path) -> Store {
        let config = Config {
            data_dir: dir.to_path_buf(),
            ..Config::default()
        };
        Store::open(&config).unwrap()
    }

    /// The object-store path taken for S3, here against `object_store`'s in-memory store.
    #[tokio::test]
    async fn remote_stores_get_multipart_puts_and_keep_the_first_copy() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store {
            objects: Arc::new(object_store::memory::InMemory::new()),
            s3: None,
            local: None,
            tmp: Arc::new(NodeTemp::claim(dir.path()).unwrap().0),
            stale_removed: 0,
            label: "memory".into(),
        };
        let big: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        let temp = dir.path().join("big.part");
        std::fs::write(&temp, &big).unwrap();
        let mut h = upload::Hashes::default();
        h.update(&big);
        let (sha, sm3, _) = h.finish();
        let key = object_key(&sha);
        s.put_file(&temp, &key).await.unwrap();
        std::fs::write(&temp, b"other bytes").unwrap();
        s.put_file(&temp, &key).await.unwrap();
        assert_eq!(s.rehash(&key).await.unwrap(), (sha, sm3, big.len() as u64));
        assert!(s.local_path(&key).is_none());
    }

    /// Readiness of an S3 store that does not answer: refused within the timeout, named.
    #[tokio::test]
    async fn an_s3_store_that_does_not_answer_fails_the_check_in_time() {
        let dir = tempfile::tempdir().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // Accepts connections and never answers them.
        let _held = std::thread::spawn(move || {
            let mut conns = Vec::new();
            for c in listener.incoming().take(16) {
                conns.push(c);
            }
        });
        let s3 = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(format!("http://127.0.0.1:{port}"))
            .with_allow_http(true)
            .with_bucket_name("evidence")
            .with_region("us-east-1")
            .with_access_key_id("k")
            .with_secret_access_key("s")
            .build()
            .unwrap();
        let s = Store {
            objects: Arc::new(s3),
            s3: None,
            local: None,
            tmp: Arc::new(NodeTemp::claim(&dir.path().join("s3-tmp")).unwrap().0),
            stale_removed: 0,
            label: "s3://evidence".into(),
        };
        let started = std::time::Instant::now();
        let err = s
            .check(std::time::Duration::from_millis(300))
            .await
            .unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(
            err.contains("s3://evidence") && err.contains("no answer"),
            "{err}"
        );
        // The in-memory store (S3's path) and a local folder pass; a broken temp folder fails.
        let mem = Store {
            objects: Arc::new(object_store::memory::InMemory::new()),
            s3: None,
            ..s.clone()
        };
        mem.check(std::time::Duration::from_secs(1)).await.unwrap();
        let local = store(dir.path());
        local
            .check(std::time::Duration::from_secs(1))
            .await
            .unwrap();
        std::fs::remove_dir_all(dir.path().join("evidence/tmp")).unwrap();
        let err = local
            .check(std::time::Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(err.contains("temp folder"), "{err}");
        drop((s, mem));
        let left = std::fs::read_dir(dir.path().join("s3-tmp"))
            .unwrap()
            .count();
        assert_eq!(left, 0, "no probe nor node folder left behind");
    }

    #[tokio::test]
    async fn objects_are_never_overwritten_and_stale_temp_files_go() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        assert!(dir.path().join("evidence/objects").is_dir());
        let key = object_key("ab12");
        assert_eq!(key, "objects/ab/ab12");
        let first = s.tmp_dir().join("one.part");
        std::fs::write(&first, b"first").unwrap();
        s.put_file(&first, &key).await.unwrap();
        let second = s.tmp_dir().join("two.part");
        std::fs::write(&second, b"second").unwrap();
        s.put_file(&second, &key).await.unwrap();
        let stored = s.local_path(&key).unwrap();
        assert_eq!(std::fs::read(&stored).unwrap(), b"first");
        assert!(std::fs::metadata(&stored).unwrap().permissions().readonly());
        let (sha, _, size) = s.rehash(&key).await.unwrap();
        assert_eq!((sha.len(), size), (64, 5));
        assert!(matches!(
            s.rehash("objects/00/none").await,
            Err(ReadError::Missing(_))
        ));

        std::fs::remove_file(&first).unwrap();
        std::fs::remove_file(&second).unwrap();
    }

    #[tokio::test]
    async fn each_node_has_its_own_temp_folder_and_what_the_dead_left_goes() {
        let dir = tempfile::tempdir().unwrap();
        let tmp_root = dir.path().join("evidence/tmp");
        let live = store(dir.path());
        // A node killed mid-upload: its folder and lock file stay, nobody holds the lock.
        let dead = tmp_root.join("n-dead");
        std::fs::create_dir_all(&dead).unwrap();
        std::fs::write(dead.join(LOCK_FILE), b"").unwrap();
        std::fs::write(dead.join("a.part"), vec![0u8; 4096]).unwrap();
        std::fs::write(dead.join("b.part"), b"x").unwrap();
        // A loose file of the old layout, two hours old, and a fresh one.
        let old = std::fs::File::create(tmp_root.join("old.part")).unwrap();
        old.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
            .unwrap();
        std::fs::write(tmp_root.join("fresh.part"), b"old layout, maybe in flight").unwrap();
        std::fs::write(live.tmp_dir().join("c.part"), b"live node's").unwrap();

        let second = store(dir.path());
        assert_eq!(
            second.stale_removed, 3,
            "two in the dead folder and the old loose file"
        );
        assert!(!dead.exists() && tmp_root.join("fresh.part").exists());
        assert!(
            live.tmp_dir().join("c.part").exists(),
            "a live node's folder is kept"
        );
        assert_ne!(live.tmp_dir(), second.tmp_dir());

        // A running node sweeps what no upload holds, and keeps what one does.
        let held = upload::TempPath::new(live.tmp_dir().join("held.part"));
        std::fs::write(held.path(), b"in flight").unwrap();
        assert_eq!(live.sweep_temp(), 1);
        assert!(held.path().exists() && !live.tmp_dir().join("c.part").exists());
        drop(held);
        assert_eq!(live.sweep_temp(), 0);

        // A store dropped (clean shutdown) removes its folder.
        let gone = second.tmp_dir().to_path_buf();
        drop(second);
        assert!(!gone.exists());
    }
}
