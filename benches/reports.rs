//! Statistics and list benchmarks (issue 17): `cargo bench --bench reports`.
//!
//! Builds a database with `REPORTS_BENCH_CASES` cases (default 200,000; the issue's target size
//! is 1,000,000) of a province with thirteen city offices, spread over January 2025 to November
//! 2026 across the four queues, with their receipt events, triage and closing clocks and
//! outcomes — written with plain multi-row `INSERT`s. SQLite by default, kept in
//! `target/reports-bench/` for later runs of the same size; PostgreSQL when
//! `REPORTS_BENCH_DATABASE_URL` names a server (`postgres://postgres@127.0.0.1:5432`): the
//! database `weiquan_reports_bench_{n}` is made there and kept. Then times, through the services
//! behind the pages and the API:
//!
//! - the statistics of the province (its administrator) and of one city (its head) for 2026;
//! - the 考核 sheet of the province for 2026;
//! - the case list's first and twentieth pages, the overdue filter, the triage workbench and a
//!   queue board, for the province (which sees every case) and for one city:
//!   median and 95th percentile of `REPORTS_BENCH_LIST_RUNS` runs (default 40);
//! - the XLSX export of the province's closed cases (about 100,000 at the default size): time
//!   and the process's peak RSS.
//!
//! Each statistics timing is the median of `REPORTS_BENCH_RUNS` runs (default 3).

use chrono::{Duration, TimeZone, Utc};
use sea_orm::ConnectionTrait;
use std::sync::Arc;
use std::time::Instant;
use weiquan::service::cases::ListQuery;
use weiquan::service::reports::{self, SummaryQuery};
use weiquan::service::{Ctx, Identity, RequestMeta, Via};
use weiquan::store::{self, Db};

mod common;
use common::{Rng, env, percentile, timings};

fn ts(t: chrono::DateTime<Utc>) -> String {
    // As sqlx writes them (whole seconds without a fraction), so that comparisons agree.
    format!(
        "'{}'",
        t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
    )
}

const CITIES: [(&str, &str); 12] = [
    ("苏州市知识产权局", "320500"),
    ("无锡市知识产权局", "320200"),
    ("常州市知识产权局", "320400"),
    ("南京市知识产权局", "320100"),
    ("扬州市知识产权局", "321000"),
    ("泰州市知识产权局", "321200"),
    ("盐城市知识产权局", "320900"),
    ("徐州市知识产权局", "320300"),
    ("镇江市知识产权局", "321100"),
    ("淮安市知识产权局", "320800"),
    ("宿迁市知识产权局", "321300"),
    ("连云港市知识产权局", "320700"),
];

/// Fills an empty database: the demo province, twelve more city offices, `n` cases.
async fn seed(db: &Db, n: usize) {
    weiquan::service::demo::load(db).await.unwrap();
    let conn = db.conn();
    let now = Utc::now();
    for (name, region) in CITIES {
        conn.execute_unprepared(&format!(
            "INSERT INTO organizations (name, kind, region_code, parent_id, is_demo, verified_at, created_at, updated_at) \
             VALUES ('{name}', 'ip_office', '{region}', 1, TRUE, {t}, {t}, {t})",
            t = ts(now)
        ))
        .await
        .unwrap();
    }
    let owners: Vec<(i64, String)> = {
        let rows = conn
            .query_all_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                "SELECT id, region_code FROM organizations WHERE kind = 'ip_office' AND parent_id IS NOT NULL".to_string(),
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| {
                (
                    r.try_get::<i64>("", "id").unwrap(),
                    r.try_get::<String>("", "region_code").unwrap(),
                )
            })
            .collect()
    };
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 1, 0, 0).unwrap();
    let span =
        (Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap() - start).num_minutes() as usize;
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let started = Instant::now();
    let batch = 500;
    let mut id = 0i64;
    let mut event_id = 0i64;
    while (id as usize) < n {
        let mut cases = Vec::with_capacity(batch);
        let mut events = Vec::new();
        let mut clocks = Vec::new();
        for _ in 0..batch.min(n - id as usize) {
            id += 1;
            let (owner, region) = &owners[rng.below(owners.len())];
            let received = start + Duration::minutes(rng.below(span) as i64);
            let roll = rng.below(100);
            let (queue, state, closed) = match roll {
                0..=9 => ("triage", "new", None),
                10..=14 => ("triage", "rejected", Some(2)),
                15..=17 => ("triage", "merged", Some(1)),
                18..=57 => {
                    if rng.below(100) < 65 {
                        (
                            "administrative_ruling",
                            "closed",
                            Some(40 + rng.below(120) as i64),
                        )
                    } else {
                        ("administrative_ruling", "evidence", None)
                    }
                }
                58..=79 => {
                    if rng.below(100) < 80 {
                        (
                            "exhibition_enforcement",
                            "closed",
                            Some(1 + rng.below(5) as i64),
                        )
                    } else {
                        ("exhibition_enforcement", "respondent_notified", None)
                    }
                }
                _ => {
                    if rng.below(100) < 60 {
                        (
                            "overseas_assistance",
                            "closed",
                            Some(20 + rng.below(90) as i64),
                        )
                    } else {
                        ("overseas_assistance", "accepted", None)
                    }
                }
            };
            let closed_at = closed.map(|d| received + Duration::days(d));
            let next_due = if closed.is_none() {
                Some(received + Duration::days(7 + rng.below(120) as i64))
            } else {
                None
            };
            let source = ["complaint", "officer", "shared", "hotline_12330"][rng.below(4)];
            let channel = ["exhibition", "e_commerce", "offline_market", "other"][rng.below(4)];
            let srdi = [0, 0, 0, 1, 2][rng.below(5)];
            let facts = if queue == "overseas_assistance" {
                let country = ["US", "DE", "JP", "GB", "FR", "KR", "IN", "BR"][rng.below(8)];
                let category = [
                    "us_337",
                    "foreign_litigation",
                    "overseas_exhibition_or_customs",
                    "trademark_squatting",
                    "cross_border_platform_takedown",
                    "other",
                ][rng.below(6)];
                format!(
                    r#"{{"overseas":{{"country":"{country}","category":"{category}","foreign_deadline":null,"time_zone":null}}}}"#
                )
            } else {
                "{}".to_string()
            };
            cases.push(format!(
                "({id}, 'WB-{id:08}', '案件{id}', '被请求人销售侵权产品。', '{source}', '{channel}', '{region}', '{queue}', '{state}', {owner}, {srdi}, '{facts}', {due}, {recv}, {closed}, 2, FALSE, {recv}, {recv})",
                due = next_due.map_or("NULL".to_string(), ts),
                recv = ts(received),
                closed = closed_at.map_or("NULL".to_string(), ts),
            ));
            event_id += 1;
            events.push(format!(
                "({event_id}, {id}, 1, 'received', {r}, {r}, NULL, NULL, TRUE, '{{}}')",
                r = ts(received)
            ));
            if queue != "triage" {
                event_id += 1;
                events.push(format!(
                    "({event_id}, {id}, 2, 'routed', {r}, {r}, NULL, {owner}, TRUE, '{{}}')",
                    r = ts(received + Duration::days(2))
                ));
            }
            let triage_state = if rng.below(100) < 92 { "met" } else { "missed" };
            clocks.push(format!(
                "({id}, 'triage.decision', '分诊处理', 'working_days', 'bench', {r}, {d}, '{s}', FALSE, '', '{{}}', {r})",
                r = ts(received),
                d = ts(received + Duration::days(9)),
                s = if queue == "triage" && state == "new" { "running" } else { triage_state },
            ));
            if queue == "administrative_ruling" {
                let s = match closed {
                    Some(days) if days <= 92 => "met",
                    Some(_) => "missed",
                    None => "running",
                };
                clocks.push(format!(
                    "({id}, 'ar.closing', '结案期限', 'calendar_months', 'bench', {r}, {d}, '{s}', FALSE, '', '{{}}', {r})",
                    r = ts(received),
                    d = ts(received + Duration::days(92)),
                ));
                if let Some(c) = closed_at {
                    event_id += 1;
                    events.push(format!(
                        "({event_id}, {id}, 3, 'decided', {c}, {c}, NULL, NULL, TRUE, '{{}}')",
                        c = ts(c)
                    ));
                }
            }
        }
        let txn = conn;
        txn.execute_unprepared(&format!(
            "INSERT INTO cases (id, number, title, description, source, channel, region_code, queue, state, owner_org_id, srdi_rank, facts, next_due_at, received_at, closed_at, version, is_demo, created_at, updated_at) VALUES {}",
            cases.join(",")
        ))
        .await
        .unwrap();
        txn.execute_unprepared(&format!(
            "INSERT INTO case_events (id, case_id, seq, kind, at, recorded_at, actor_user_id, actor_org_id, public, payload) VALUES {}",
            events.join(",")
        ))
        .await
        .unwrap();
        txn.execute_unprepared(&format!(
            "INSERT INTO case_clocks (case_id, rule_id, name, unit, source, start_at, due_at, state, provisional, explanation, detail, updated_at) VALUES {}",
            clocks.join(",")
        ))
        .await
        .unwrap();
    }
    // As a database in use would be: statistics gathered, and on PostgreSQL the visibility map
    // set (autovacuum's work), so that index-only scans need not visit the table.
    let settle = match conn.get_database_backend() {
        sea_orm::DbBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    conn.execute_unprepared(settle).await.unwrap();
    eprintln!(
        "seeded {n} cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

async fn identity(db: &Db, username: &str) -> Identity {
    let user = store::users::by_username(db.conn(), username)
        .await
        .unwrap()
        .unwrap();
    let org = store::orgs::get(db.conn(), user.org_id)
        .await
        .unwrap()
        .unwrap();
    Identity::from_rows(user, org, Via::Cli)
        .unwrap()
        .with_oversight(db.conn())
        .await
        .unwrap()
}

/// Median milliseconds of `runs` runs of `f`.
async fn time<F, Fut, T>(runs: usize, f: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    percentile(&timings(runs, f).await, 50.0)
}

/// The process's peak resident set (VmHWM), in MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Names the data a kept bench database holds (v2: triage decisions recorded by the office,
/// overseas requests with their country and category).
const SEED_VERSION: &str = "v2";

/// The bench database of `n` cases: SQLite in `target/reports-bench/`, or PostgreSQL when
/// `REPORTS_BENCH_DATABASE_URL` is set; with whether it is new and the backend's name.
async fn open(n: usize) -> (Db, bool, &'static str) {
    let (url, backend) = match std::env::var("REPORTS_BENCH_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let server = server.trim_end_matches('/').to_string();
            let name = format!("weiquan_reports_bench_{SEED_VERSION}_{n}");
            let admin = sea_orm::Database::connect(format!("{server}/postgres"))
                .await
                .unwrap();
            let exists = admin
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
                ))
                .await
                .unwrap()
                .is_some();
            if !exists {
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
            }
            (format!("{server}/{name}"), "PostgreSQL")
        }
        _ => {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/reports-bench");
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("{SEED_VERSION}-{n}.db"));
            (format!("sqlite://{}?mode=rwc", path.display()), "SQLite")
        }
    };
    let db = Db::connect(&url, 4).await.unwrap();
    <migration::Migrator as migration::MigratorTrait>::up(db.conn(), None)
        .await
        .unwrap();
    let fresh = store::cases::count(db.conn()).await.unwrap() == 0;
    (db, fresh, backend)
}

fn main() {
    let n = env("REPORTS_BENCH_CASES", 200_000);
    let runs = env("REPORTS_BENCH_RUNS", 3);
    let list_runs = env("REPORTS_BENCH_LIST_RUNS", 40);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (db, fresh, backend) = open(n).await;
        if fresh {
            seed(&db, n).await;
        }
        // The rollups the statistics read (kept by every write; the seed writes plain rows).
        if !reports::rollup_ready(&db).await.unwrap() {
            let t = Instant::now();
            reports::rebuild_rollup(&db, Utc::now(), |_, _| {}).await.unwrap();
            println!(
                "rebuilt the statistics' rollups ({n} cases) in {:.1} s",
                t.elapsed().as_secs_f64()
            );
        }
        let time_keeper = Arc::new(
            weiquan::service::case::Timekeeper::load(
                &db,
                weiquan::domain::deadline::Rules::builtin().clone(),
            )
            .await
            .unwrap(),
        );
        let cx = Ctx::new(db.clone(), time_keeper, RequestMeta::cli("bench"));
        let admin = identity(&db, "demo-admin").await;
        let head = identity(&db, "demo-supervisor").await;
        let year = SummaryQuery {
            period: Some("2026".into()),
            ..Default::default()
        };
        println!("\n| {n} cases, {backend} | median ms ({runs} runs) |\n|---|---:|");
        let ms = time(runs, || reports::summary(&cx, &admin, &year)).await;
        println!("| statistics of the province for 2026 (`/reports`) | {ms:.0} |");
        let ms = time(runs, || reports::summary(&cx, &head, &year)).await;
        println!("| statistics of one city for 2026 | {ms:.0} |");
        let items = weiquan::domain::report::assessment::load(
            None,
            &weiquan::domain::report::sections(
                &weiquan::domain::report::Period::parse("2026").unwrap(),
                chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            ),
        )
        .unwrap();
        let ms = time(runs, || {
            reports::assessment(&cx, &admin, &items, Some("2026"), None)
        })
        .await;
        println!("| 考核 sheet of the province for 2026 | {ms:.0} |");
        // The lists: each a page of 50 as the API and the pages ask for it (the workbench
        // lists up to 200 leads), for the province's administrator, who sees every case, and
        // for a city's head.
        let page = |q: ListQuery| ListQuery {
            limit: Some(50),
            ..q
        };
        let lists: Vec<(&str, ListQuery)> = vec![
            ("case list, first page (`GET /api/v1/cases?limit=50`, `/cases`)", page(ListQuery::default())),
            (
                "case list, twentieth page (`cursor` at 950)",
                page(ListQuery {
                    cursor: Some(weiquan::service::cases::encode_cursor(950)),
                    ..Default::default()
                }),
            ),
            (
                "overdue filter (`?overdue=true`)",
                page(ListQuery {
                    overdue: Some(true),
                    ..Default::default()
                }),
            ),
            (
                "triage queue (`?queue=triage&state=new`)",
                page(ListQuery {
                    queue: Some("triage".into()),
                    state: Some("new".into()),
                    ..Default::default()
                }),
            ),
            (
                "queue board, administrative rulings (`/queues/administrative_ruling`)",
                page(ListQuery {
                    queue: Some("administrative_ruling".into()),
                    open: Some(true),
                    ..Default::default()
                }),
            ),
        ];
        println!(
            "\n| {n} cases, {backend} | province: median / p95 ms | one city: median / p95 ms |\n|---|---:|---:|"
        );
        for (what, q) in &lists {
            let mut cells = Vec::new();
            for who in [&admin, &head] {
                let ms = timings(list_runs, || weiquan::service::cases::list(&cx, who, q)).await;
                cells.push(format!(
                    "{:.1} / {:.1}",
                    percentile(&ms, 50.0),
                    percentile(&ms, 95.0)
                ));
            }
            println!("| {what} | {} | {} |", cells[0], cells[1]);
        }
        let mut cells = Vec::new();
        for who in [&admin, &head] {
            let ms = timings(list_runs, || {
                weiquan::service::cases::awaiting_triage(
                    &cx.db,
                    who,
                    200,
                )
            })
            .await;
            cells.push(format!(
                "{:.1} / {:.1}",
                percentile(&ms, 50.0),
                percentile(&ms, 95.0)
            ));
        }
        println!(
            "| triage workbench (`/triage`, up to 200 leads) | {} | {} |",
            cells[0], cells[1]
        );
        // XLSX export of 100,000 cases (or all when fewer): the province's closed cases.
        let q = ListQuery {
            closed: Some(true),
            ..Default::default()
        };
        let rows = weiquan::service::cases::count(&cx, &admin, &q).await.unwrap();
        let before = peak_rss_mb();
        let t = Instant::now();
        // The real download: the workbook built from the streamed list, then zipped and sent.
        let res = weiquan::http::export::cases_xlsx(cx.clone(), admin.clone(), q, weiquan::i18n::Lang::Zh)
            .await
            .unwrap();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().len();
        println!(
            "| XLSX export of the province's {rows} closed cases ({:.1} MB) | {:.0} (peak RSS {:.0} MB, {:.0} MB before) |",
            bytes as f64 / 1e6,
            t.elapsed().as_secs_f64() * 1000.0,
            peak_rss_mb(),
            before
        );
    });
}
