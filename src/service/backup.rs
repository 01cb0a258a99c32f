//! `weiquan backup DIR`: a consistent copy of an SQLite installation that a server can be
//! started on as it is (`WEIQUAN_DATA_DIR=DIR weiquan serve`). The order makes it consistent
//! while the server runs: the database snapshot first (one read transaction), then the evidence
//! objects (never changed once stored, so every object a row of the snapshot names is already
//! there; objects stored after the snapshot are copied too and show as "no record" in a verify of
//! the copy), then the audit checkpoint of the snapshot's head, so that `audit verify` on the copy
//! proves its chain to the end.

use crate::domain::audit::Checkpoint;
use crate::files::Store;
use crate::service::audit::read_checkpoint_file;
use crate::store::{self, Db};
use anyhow::{Context, Result, bail};
use futures::StreamExt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a backup copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub database_bytes: u64,
    pub objects: usize,
    pub object_bytes: u64,
    /// The audit chain's head in the snapshot (none: an empty log).
    pub head: Option<Checkpoint>,
    pub dir: PathBuf,
}

/// Copies the installation of `db` (SQLite) and `blobs` into `dir`, which must not exist or be
/// empty. `checkpoints` is the server's checkpoint file: its lines up to the snapshot's head are
/// kept in the copy, then the head itself.
pub async fn run(db: &Db, blobs: &Store, checkpoints: &Path, dir: &Path) -> Result<Report> {
    if db.backend() != sea_orm::DbBackend::Sqlite {
        bail!(
            "weiquan backup copies SQLite installations; for PostgreSQL use pg_dump and copy the \
             evidence bucket as docs/operations.md describes"
        );
    }
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{} is not empty: a backup goes into a new folder",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize()?;

    // 1. The database, as of one instant.
    let db_path = dir.join("weiquan.db");
    store::snapshot_into(db, &db_path)
        .await
        .context("snapshot of the database")?;
    sync_file(&db_path)?;
    let database_bytes = std::fs::metadata(&db_path)?.len();

    // 2. The evidence objects (and quarantined uploads), streamed; each file synced.
    let mut objects = 0;
    let mut object_bytes = 0;
    for prefix in ["objects", "quarantine"] {
        let mut listing = blobs.list(prefix);
        while let Some(item) = listing.next().await {
            let (key, _, _) = item.with_context(|| format!("listing {prefix}"))?;
            let target = dir.join("evidence").join(&key);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut out = std::fs::File::create(&target)
                .with_context(|| format!("creating {}", target.display()))?;
            let mut stream = blobs
                .get(&key)
                .await
                .with_context(|| format!("reading {key}"))?;
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.with_context(|| format!("reading {key}"))?;
                out.write_all(&chunk)?;
                object_bytes += chunk.len() as u64;
            }
            out.sync_all()?;
            objects += 1;
        }
    }
    for sub in ["tmp", "quarantine", "objects"] {
        std::fs::create_dir_all(dir.join("evidence").join(sub))?;
    }

    // 3. The audit checkpoint of the snapshot's head.
    let copy = Db::connect(&format!("sqlite://{}", db_path.display()), 1)
        .await
        .context("opening the snapshot")?;
    let head = store::audit::last(copy.conn()).await?.map(|e| Checkpoint {
        seq: e.seq,
        hash: e.hash,
    });
    copy.close().await;
    write_checkpoints(checkpoints, &dir.join("audit-checkpoints"), head.as_ref())?;
    sync_file(&dir)?;
    Ok(Report {
        database_bytes,
        objects,
        object_bytes,
        head,
        dir,
    })
}

/// Writes the lines of `from` whose checkpoint is not past `head`, then `head`, into `to`.
fn write_checkpoints(from: &Path, to: &Path, head: Option<&Checkpoint>) -> Result<()> {
    let mut text = String::new();
    if let Ok(old) = std::fs::read_to_string(from) {
        for line in old.lines() {
            let seq = line
                .trim()
                .split_once(' ')
                .and_then(|(_, cp)| Checkpoint::parse(cp))
                .map(|cp| cp.seq);
            if seq.is_some_and(|s| head.is_some_and(|h| s <= h.seq)) {
                text.push_str(line.trim());
                text.push('\n');
            }
        }
    }
    if let Some(h) = head {
        let now = crate::service::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        text.push_str(&format!("{now} {h}\n"));
    }
    let mut f = std::fs::File::create(to)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    debug_assert!(head.is_none() || read_checkpoint_file(to)?.is_some());
    Ok(())
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_keeps_the_checkpoints_up_to_the_snapshot_then_its_head() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("from"), dir.path().join("to"));
        let h = |n: i64| format!("{n}:{}", &format!("{n:x}").repeat(64)[..64]);
        std::fs::write(
            &from,
            format!(
                "2026-12-01T00:00:00Z {}\n2026-12-02T00:00:00Z {}\n2026-12-03T00:00:00Z {}\n",
                h(3),
                h(9),
                h(12)
            ),
        )
        .unwrap();
        let head = Checkpoint::parse(&h(10)).unwrap();
        write_checkpoints(&from, &to, Some(&head)).unwrap();
        let text = std::fs::read_to_string(&to).unwrap();
        let seqs: Vec<i64> = text
            .lines()
            .map(|l| Checkpoint::parse(l.split_once(' ').unwrap().1).unwrap().seq)
            .collect();
        assert_eq!(seqs, [3, 9, 10], "{text}");
        assert_eq!(read_checkpoint_file(&to).unwrap().unwrap().0, head);
        write_checkpoints(&dir.path().join("none"), &to, None).unwrap();
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "");
    }
}
