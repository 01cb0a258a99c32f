//! Streaming an upload into a temp file while hashing it with SHA-256, with a size limit. Memory
//! stays flat: chunks are batched into 1 MiB buffers and handed over a bounded channel to a
//! blocking thread that hashes and writes them. SM3 (GB/T 32905) is computed from the stored
//! object right after the upload (`service::evidence::seal`, decision D15): at about 300 MB/s it
//! would otherwise bound every upload. The temp file is removed when the upload is dropped
//! before it was put into place (client gone, bad input), so an interrupted upload never leaves
//! anything that counts as evidence.

use sha2::Digest;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const BATCH: usize = 1024 * 1024;
const QUEUE: usize = 4;

/// SHA-256 and SM3 of the same bytes, with their count (re-hashing stored objects).
#[derive(Default, Clone)]
pub struct Hashes {
    sha256: sha2::Sha256,
    sm3: sm3::Sm3,
    size: u64,
}

impl Hashes {
    pub fn update(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        self.sm3.update(bytes);
        self.size += bytes.len() as u64;
    }

    /// (SHA-256 hex, SM3 hex, size).
    pub fn finish(self) -> (String, String, u64) {
        (
            hex::encode(self.sha256.finalize()),
            hex::encode(self.sm3.finalize()),
            self.size,
        )
    }
}

/// The temp files of this process that are in use: the sweep of a running node
/// ([`super::Store::sweep_temp`]) removes every other file in its temp folder.
static IN_FLIGHT: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(Default::default);

/// Whether `path` belongs to a live [`TempPath`] of this process.
pub fn in_flight(path: &Path) -> bool {
    IN_FLIGHT.lock().is_ok_and(|s| s.contains(path))
}

/// A temp file that is removed when dropped. It is registered as in flight from before the
/// file exists until it is gone.
#[derive(Debug)]
pub struct TempPath(PathBuf);

impl TempPath {
    /// Takes charge of removing `path` (call it before creating the file).
    pub fn new(path: PathBuf) -> Self {
        if let Ok(mut s) = IN_FLIGHT.lock() {
            s.insert(path.clone());
        }
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        if let Ok(mut s) = IN_FLIGHT.lock() {
            s.remove(&self.0);
        }
    }
}

/// Why writing stopped.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the file is larger than the limit")]
    TooLarge,
    #[error("writing the temp file: {0}")]
    Io(#[from] std::io::Error),
}

/// An upload being received.
pub struct Upload {
    temp: TempPath,
    to_writer: Option<mpsc::Sender<Vec<u8>>>,
    /// Buffers the writer has emptied, to be filled again: an upload allocates at most
    /// `QUEUE + 2` buffers, however large it is.
    spare: mpsc::UnboundedReceiver<Vec<u8>>,
    writer: JoinHandle<std::io::Result<String>>,
    batch: Vec<u8>,
    head: Vec<u8>,
    size: u64,
    limit: u64,
}

/// A completely received upload: its SHA-256, size, first bytes and the temp file.
pub struct Received {
    pub sha256: String,
    pub size: u64,
    pub head: Vec<u8>,
    pub temp: TempPath,
}

impl Upload {
    /// Starts a temp file in `dir` for at most `limit` bytes.
    pub async fn create(dir: &Path, limit: u64) -> std::io::Result<Self> {
        let temp = TempPath::new(dir.join(format!("{}.part", uuid::Uuid::now_v7().simple())));
        let file = tokio::fs::File::create(temp.path()).await?.into_std().await;
        let (to_writer, mut from_async) = mpsc::channel::<Vec<u8>>(QUEUE);
        let (to_spare, spare) = mpsc::unbounded_channel::<Vec<u8>>();
        let writer = tokio::task::spawn_blocking(move || {
            let mut file = file;
            let mut sha = sha2::Sha256::new();
            while let Some(mut b) = from_async.blocking_recv() {
                sha.update(&b);
                file.write_all(&b)?;
                b.clear();
                // The receiving side may be gone already (upload dropped): then the buffer goes.
                let _ = to_spare.send(b);
            }
            file.sync_all()?;
            Ok(hex::encode(sha.finalize()))
        });
        Ok(Self {
            temp,
            to_writer: Some(to_writer),
            spare,
            writer,
            batch: Vec::with_capacity(BATCH),
            head: Vec::new(),
            size: 0,
            limit,
        })
    }

    /// Appends a chunk; refuses to go past the limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), WriteError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(WriteError::TooLarge);
        }
        if self.head.len() < crate::domain::evidence::sniff::HEAD_LEN {
            let room = crate::domain::evidence::sniff::HEAD_LEN - self.head.len();
            self.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        }
        let mut rest = chunk;
        while !rest.is_empty() {
            let take = (BATCH - self.batch.len()).min(rest.len());
            self.batch.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.batch.len() == BATCH {
                self.flush().await?;
            }
        }
        Ok(())
    }

    /// The first bytes received so far (up to the sniffer's look-ahead).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    async fn flush(&mut self) -> Result<(), WriteError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let full = std::mem::take(&mut self.batch);
        let gone = || WriteError::Io(std::io::Error::other("the writer stopped"));
        let w = self.to_writer.as_ref().ok_or_else(gone)?;
        w.send(full).await.map_err(|_| gone())?;
        // Only once the queue had room: at most QUEUE queued, one being written, one filling.
        self.batch = self
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH));
        Ok(())
    }

    /// Writes what is left, syncs the file to disk and returns its SHA-256.
    pub async fn finish(mut self) -> Result<Received, WriteError> {
        self.flush().await?;
        self.to_writer.take();
        let sha256 = self.writer.await.map_err(std::io::Error::other)??;
        Ok(Received {
            sha256,
            size: self.size,
            head: self.head,
            temp: self.temp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_matches_the_gbt_32905_vector() {
        let mut h = Hashes::default();
        h.update(b"abc");
        let (sha, sm3, size) = h.finish();
        assert_eq!(
            sm3,
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(size, 3);
    }

    #[tokio::test]
    async fn uploads_hash_what_they_write_and_vanish_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let mut u = Upload::create(dir.path(), 10 * 1024 * 1024).await.unwrap();
        let chunk = vec![7u8; 300_000];
        for _ in 0..5 {
            u.write(&chunk).await.unwrap();
        }
        let r = u.finish().await.unwrap();
        let bytes = std::fs::read(r.temp.path()).unwrap();
        assert_eq!(bytes.len(), 1_500_000);
        let mut h = Hashes::default();
        h.update(&bytes);
        let (sha, _, _) = h.finish();
        assert_eq!(r.sha256, sha);
        assert_eq!(r.head.len(), crate::domain::evidence::sniff::HEAD_LEN);
        let path = r.temp.path().to_path_buf();
        drop(r);
        assert!(!path.exists());

        let mut u = Upload::create(dir.path(), 10).await.unwrap();
        u.write(b"0123456789").await.unwrap();
        assert!(matches!(u.write(b"x").await, Err(WriteError::TooLarge)));
        drop(u);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
