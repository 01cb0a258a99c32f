//! Malware scan through a clamd daemon (`WEIQUAN_CLAMD=host:port`), INSTREAM protocol: the
//! command `zINSTREAM\0`, then chunks each prefixed with its length (4 bytes, big-endian), then a
//! zero length; clamd answers `stream: OK` or `stream: <signature> FOUND`, ended by NUL.

use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the scanner said about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// Refused, with the signature name.
    Found(String),
}

const CHUNK: usize = 256 * 1024;

/// Scans the file at `path` with the clamd at `addr`. Errors (daemon down, size limit, protocol)
/// are errors: the caller refuses the upload rather than accepting it unscanned.
pub async fn scan(addr: &str, path: &Path, timeout: Duration) -> anyhow::Result<Verdict> {
    tokio::time::timeout(timeout, scan_inner(addr, path))
        .await
        .map_err(|_| anyhow::anyhow!("clamd at {addr} did not answer in time"))?
}

async fn scan_inner(addr: &str, path: &Path) -> anyhow::Result<Verdict> {
    let mut conn = tokio::net::TcpStream::connect(addr).await?;
    conn.write_all(b"zINSTREAM\0").await?;
    let mut file = tokio::fs::File::open(path).await?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        conn.write_all(&(n as u32).to_be_bytes()).await?;
        conn.write_all(&buf[..n]).await?;
    }
    conn.write_all(&0u32.to_be_bytes()).await?;
    conn.flush().await?;
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    while reply.len() < 4096 {
        match conn.read(&mut byte).await? {
            0 => break,
            _ if byte[0] == 0 => break,
            _ => reply.push(byte[0]),
        }
    }
    parse_reply(&String::from_utf8_lossy(&reply))
}

/// Reads clamd's answer.
pub fn parse_reply(reply: &str) -> anyhow::Result<Verdict> {
    let body = reply.trim().trim_start_matches("stream:").trim();
    if body == "OK" {
        Ok(Verdict::Clean)
    } else if let Some(sig) = body.strip_suffix("FOUND") {
        Ok(Verdict::Found(sig.trim().to_string()))
    } else {
        anyhow::bail!("clamd answered {reply:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        assert_eq!(parse_reply("stream: OK").unwrap(), Verdict::Clean);
        assert_eq!(
            parse_reply("stream: Eicar-Test-Signature FOUND").unwrap(),
            Verdict::Found("Eicar-Test-Signature".into())
        );
        assert!(parse_reply("INSTREAM size limit exceeded. ERROR").is_err());
    }
}
