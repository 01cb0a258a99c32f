//! Soak (issue 18): the release server under a steady mixed load — case lists and case pages,
//! searches, complaints filed and evidence uploaded — at a fixed rate for `SOAK_SECS`, with the
//! server's resident memory and each interval's latency percentiles sampled as it goes. It shows
//! whether memory grows and whether anything fails (a 5xx, a refused connection).
//!
//!   cargo build --release && cargo bench --bench soak
//!   env: SOAK_SECS=600 SOAK_RATE=40 (requests per second) SOAK_SAMPLE_SECS=30
//!        SOAK_BIN=target/release/weiquan SOAK_DATABASE_URL=postgres://… (default: SQLite in a
//!        temporary folder)
//!
//! Requests are started on a fixed schedule whatever the answers take (an open-loop load, so a
//! slow server meets the same rate rather than fewer requests); the mix is 45 % lists and case
//! reads, 20 % searches, 25 % complaints filed, 10 % uploads of 256 KiB.

mod common;

use common::{env, percentile};
use serde_json::{Value, json};
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    List,
    Read,
    Search,
    File,
    Upload,
}

/// One answer: what, when it finished (seconds since start), how long, the status (0: no answer).
type Sample = (Kind, f64, f64, u16);

fn complaint() -> Value {
    json!({"description": "被请求人未经许可，在其网店许诺销售与涉案专利相同的锂电池隔膜。",
           "channel": "e_commerce", "region_code": "320612", "complainant_standing": "patentee",
           "rights": [{"kind": "invention_patent", "number": "ZL202310123456.6", "title": "一种锂电池隔膜"}],
           "respondents": [{"name": "某某科技有限公司", "address": "江苏省南通市通州区",
                            "listing_url": "https://shop.example.com/item/1"}]})
}

/// A PDF-looking body of 256 KiB, different each time (so every upload stores a new object).
fn pdf(n: u64) -> Vec<u8> {
    let mut b = b"%PDF-1.7\n".to_vec();
    b.extend(format!("{n:020}\n").as_bytes());
    b.resize(256 * 1024, b'x');
    b
}

/// Resident memory of `pid` in KiB: (all, anonymous = heap and stacks, file-backed = mapped
/// files such as the search index's segments).
fn rss_kib(pid: u32) -> (u64, u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("RssAnon:"), field("RssFile:"))
}

/// Bytes of the files under `dir`.
fn du(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.flatten()
            .map(|e| {
                let p = e.path();
                if p.is_dir() {
                    du(&p)
                } else {
                    e.metadata().map_or(0, |m| m.len())
                }
            })
            .sum()
    })
}

/// The server's own heap figures from `/metrics`: (in use, held by the allocator, of it held by
/// SQLite), in bytes.
async fn heap(c: &reqwest::Client, base: &str) -> (f64, f64, f64) {
    let text = match c.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let gauge = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (
        gauge("weiquan_heap_in_use_bytes "),
        gauge("weiquan_heap_held_bytes "),
        gauge("weiquan_sqlite_memory_bytes "),
    )
}

/// One sampled interval: end (s), answers, 5xx, no answer, p50, p99, anonymous MB, heap in use
/// MB, heap not SQLite's MB.
type Row = (u64, usize, usize, usize, f64, f64, f64, f64, f64);

/// The least-squares slope of `points` (x, y); 0 for fewer than two points.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (num, den) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        (a + (x - mx) * (y - my), b + (x - mx) * (x - mx))
    });
    if den == 0.0 { 0.0 } else { num / den }
}

async fn token(c: &reqwest::Client, base: &str, user: &str) -> String {
    let r: Value = c
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": user, "password": "demo12345"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("a token").to_string()
}

fn main() {
    let secs = env("SOAK_SECS", 600) as u64;
    let rate = env("SOAK_RATE", 40).max(1) as u64;
    let sample = env("SOAK_SAMPLE_SECS", 30).max(1) as u64;
    let bin = std::env::var("SOAK_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/weiquan").to_string()
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(&bin);
    cmd.args(["serve", "--demo"])
        .env("WEIQUAN_DATA_DIR", dir.path())
        .env("WEIQUAN_BIND", "127.0.0.1:0")
        .env("WEIQUAN_LOG", "warn")
        .stdout(std::process::Stdio::piped());
    match std::env::var("SOAK_DATABASE_URL") {
        Ok(url) => cmd.env("DATABASE_URL", url),
        Err(_) => cmd.env_remove("DATABASE_URL"),
    };
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting {bin}: {e}"));
    let pid = child.id();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the server exited before listening")
            .unwrap();
        if let Some(at) = line.find("http://") {
            break line[at..].trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let data_dir = dir.path().to_path_buf();
    rt.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .unwrap();
        let officer = token(&client, &base, "demo-officer").await;
        let enterprise = token(&client, &base, "demo-enterprise").await;
        let first: Value = client
            .post(format!("{base}/api/v1/complaints"))
            .bearer_auth(&enterprise)
            .json(&complaint())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let case_id = first["id"].as_i64().expect("a complaint");
        println!(
            "soak: {secs} s at {rate} requests/s against {base} (pid {pid}, {}), memory and latency every {sample} s",
            if std::env::var("SOAK_DATABASE_URL").is_ok() { "PostgreSQL" } else { "SQLite" }
        );
        println!(
            "{:>6} {:>7} {:>5} {:>5} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8}",
            "t (s)", "answers", "5xx", "fail", "p50 ms", "p99 ms", "RSS MB", "anon", "file", "heap", "held", "sqlite", "rest", "data MB"
        );
        let samples: Arc<Mutex<Vec<Sample>>> = Arc::default();
        let start = Instant::now();
        let sampler = {
            let samples = samples.clone();
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                let mut rows = Vec::new();
                let mut next = sample;
                while next <= secs + 5 {
                    tokio::time::sleep_until((start + Duration::from_secs(next)).into()).await;
                    let done: Vec<Sample> = std::mem::take(&mut *samples.lock().unwrap());
                    let mut ms: Vec<f64> = done.iter().filter(|s| s.3 != 0).map(|s| s.2).collect();
                    ms.sort_by(f64::total_cmp);
                    let errors = done.iter().filter(|s| s.3 >= 500).count();
                    let failed = done.iter().filter(|s| s.3 == 0).count();
                    let (p50, p99) = if ms.is_empty() {
                        (0.0, 0.0)
                    } else {
                        (percentile(&ms, 50.0), percentile(&ms, 99.0))
                    };
                    let (rss, anon, file) = rss_kib(pid);
                    let (in_use, held, sqlite) = heap(&client, &base).await;
                    let mb = |k: u64| k as f64 / 1024.0;
                    let data = du(&data_dir) as f64 / 1048576.0;
                    println!(
                        "{next:>6} {:>7} {errors:>5} {failed:>5} {p50:>7.1} {p99:>7.1} {:>7.1} {:>7.1} {:>7.1} {:>7.1} {:>7.1} {:>7.1} {:>7.1} {data:>8.1}",
                        done.len(),
                        mb(rss),
                        mb(anon),
                        mb(file),
                        in_use / 1048576.0,
                        held / 1048576.0,
                        sqlite / 1048576.0,
                        (in_use - sqlite) / 1048576.0,
                    );
                    let rest = (in_use - sqlite) / 1048576.0;
                    let row: Row = (next, done.len(), errors, failed, p50, p99, mb(anon), in_use / 1048576.0, rest);
                    rows.push(row);
                    next += sample;
                }
                rows
            })
        };
        let queries = ["锂电池", "隔膜", "某某科技", "ZL202310123456.6", "专利", "展会"];
        let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut n: u64 = 0;
        let mut tasks = tokio::task::JoinSet::new();
        while start.elapsed() < Duration::from_secs(secs) {
            tick.tick().await;
            n += 1;
            let kind = match n % 20 {
                0..=5 => Kind::List,
                6..=8 => Kind::Read,
                9..=12 => Kind::Search,
                13..=17 => Kind::File,
                _ => Kind::Upload,
            };
            let (c, base, samples) = (client.clone(), base.clone(), samples.clone());
            let (officer, enterprise) = (officer.clone(), enterprise.clone());
            let q = queries[(n as usize) % queries.len()];
            tasks.spawn(async move {
                let t = Instant::now();
                let req = match kind {
                    Kind::List => c
                        .get(format!("{base}/api/v1/cases?limit=50"))
                        .bearer_auth(&officer),
                    Kind::Read => c
                        .get(format!("{base}/api/v1/cases/{case_id}"))
                        .bearer_auth(&officer),
                    Kind::Search => c
                        .get(format!("{base}/api/v1/search"))
                        .query(&[("q", q)])
                        .bearer_auth(&officer),
                    Kind::File => c
                        .post(format!("{base}/api/v1/complaints"))
                        .bearer_auth(&enterprise)
                        .json(&complaint()),
                    Kind::Upload => {
                        let part = reqwest::multipart::Part::bytes(pdf(n))
                            .file_name(format!("soak-{n}.pdf"))
                            .mime_str("application/pdf")
                            .unwrap();
                        let form = reqwest::multipart::Form::new()
                            .text("kind", "other")
                            .text("description", "持续负载测试上传")
                            .part("file", part);
                        c.post(format!("{base}/api/v1/cases/{case_id}/evidence"))
                            .bearer_auth(&enterprise)
                            .multipart(form)
                    }
                };
                let status = match req.timeout(Duration::from_secs(30)).send().await {
                    Ok(r) => {
                        let s = r.status().as_u16();
                        let _ = r.bytes().await;
                        s
                    }
                    Err(_) => 0,
                };
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                samples
                    .lock()
                    .unwrap()
                    .push((kind, start.elapsed().as_secs_f64(), ms, status));
            });
            while tasks.try_join_next().is_some() {}
        }
        while tasks.join_next().await.is_some() {}
        let rows = sampler.await.unwrap();
        let total: usize = rows.iter().map(|r| r.1).sum();
        let errors: usize = rows.iter().map(|r| r.2).sum();
        let failed: usize = rows.iter().map(|r| r.3).sum();
        let worst_p99 = rows.iter().map(|r| r.5).fold(0.0, f64::max);
        let warm = rows.iter().find(|r| r.0 >= 120.min(secs / 2));
        let (warm, warm_heap, warm_rest) = warm.map_or((0.0, 0.0, 0.0), |r| (r.6, r.7, r.8));
        let (last, last_heap, last_rest) = rows.last().map_or((0.0, 0.0, 0.0), |r| (r.6, r.7, r.8));
        println!(
            "total {total} answers, {errors} 5xx, {failed} without an answer; worst interval p99 {worst_p99:.1} ms; anonymous RSS after warm-up {warm:.1} MB, at the end {last:.1} MB ({:+.1} MB); heap in use {warm_heap:.1} → {last_heap:.1} MB, of it not SQLite's {warm_rest:.1} → {last_rest:.1} MB",
            last - warm
        );
        // The trend over the second half, where a leak would show as a steady slope rather than
        // the swings of caches being filled and flushed.
        let half: Vec<_> = rows.iter().filter(|r| r.0 * 2 >= secs).collect();
        let per_minute = |value: fn(&Row) -> f64| {
            slope(&half.iter().map(|r| (r.0 as f64 / 60.0, value(r))).collect::<Vec<_>>())
        };
        println!(
            "second half ({} samples): anonymous RSS {:+.2} MB/min, heap in use {:+.2} MB/min, not SQLite's {:+.2} MB/min (least squares)",
            half.len(),
            per_minute(|r| r.6),
            per_minute(|r| r.7),
            per_minute(|r| r.8)
        );
    });
    // The server goes before its folder does.
    let _ = child.kill();
    let _ = child.wait();
    drop(dir);
}
