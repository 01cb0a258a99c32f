//! The evidence export zip, built on the blocking pool into a temp file (never in memory):
//! every file under `evidence/`, `manifest.json` and the printable list (证据清单). Each object is
//! hashed again while it is copied, so a zip is never made from bytes that do not match their record.

use super::Store;
use super::upload::{Hashes, TempPath};
use futures::StreamExt;
use std::io::Write;
use std::path::Path;

/// One file of the export.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path inside the zip.
    pub path: String,
    pub object_key: String,
    /// What the record says the bytes hash to.
    pub sha256: String,
}

/// Why no zip was made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A stored object is missing or does not match its recorded hash.
    #[error("{0} does not match its record")]
    Integrity(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Builds the zip in `dir`; call from the blocking pool (`handle` runs the store reads).
pub fn build(
    store: &Store,
    handle: &tokio::runtime::Handle,
    dir: &Path,
    entries: &[Entry],
    manifest: &[u8],
    list_html: &str,
) -> Result<TempPath, ExportError> {
    let temp = TempPath::new(dir.join(format!("{}.zip.part", uuid::Uuid::now_v7().simple())));
    let file = std::fs::File::create(temp.path()).map_err(anyhow::Error::from)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::with_capacity(1 << 20, file));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    let io = |e: std::io::Error| ExportError::Other(e.into());
    let zerr = |e: zip::result::ZipError| ExportError::Other(e.into());
    for entry in entries {
        zip.start_file(entry.path.as_str(), opts).map_err(zerr)?;
        let mut stream = handle
            .block_on(store.get(&entry.object_key))
            .map_err(|_| ExportError::Integrity(entry.path.clone()))?;
        let mut h = Hashes::default();
        while let Some(chunk) = handle.block_on(stream.next()) {
            let chunk = chunk.map_err(io)?;
            h.update(&chunk);
            zip.write_all(&chunk).map_err(io)?;
        }
        if h.finish().0 != entry.sha256 {
            return Err(ExportError::Integrity(entry.path.clone()));
        }
    }
    zip.start_file("manifest.json", opts).map_err(zerr)?;
    zip.write_all(manifest).map_err(io)?;
    zip.start_file("证据清单.html", opts).map_err(zerr)?;
    zip.write_all(list_html.as_bytes()).map_err(io)?;
    let mut inner = zip.finish().map_err(zerr)?;
    inner.flush().map_err(io)?;
    Ok(temp)
}
