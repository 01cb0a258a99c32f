//! Search benchmarks (issue 7), on generated realistic Chinese cases. `cargo bench --bench search`
//!
//! 1. Indexing throughput through the outbox, against raw tantivy + jieba on the same documents
//!    in the same run (target ≥ 50 %): `SEARCH_BENCH_OUTBOX_CASES` leads (default 20,000) are
//!    imported into an SQLite file with `weiquan import`'s service, which writes their outbox
//!    rows; the indexer then applies them (reading every case from the database, committing each
//!    batch with its mark). The raw run indexes the very same documents with the same writer
//!    settings, straight from memory.
//! 2. Query latency at `SEARCH_BENCH_CASES` cases (default 1,000,000) with permission filtering:
//!    the index is built once into `target/search-bench/` (kept for later runs of the same size),
//!    then a mix of queries runs through `search::run` — the function behind the API — for users
//!    of four kinds (a large office, a small office, an assistance centre, an enterprise), with
//!    counts, facets and snippets. Prints p50/p90/p99.
//!
//! `SEARCH_BENCH_THREADS` (default 1, the server's default) sets the indexing threads.

use chrono::{TimeZone, Utc};
use std::collections::BTreeMap;
use std::time::Instant;
use weiquan::domain::identity::{OrgKind, Role};
use weiquan::domain::policy::Actor;
use weiquan::domain::rights::check_digit;
use weiquan::search::doc::{CaseDoc, Party, Right};
use weiquan::search::{self, Request, Sort, index, query};

mod common;
use common::{Rng, env};

const PLACES: [&str; 16] = [
    "南通", "苏州", "无锡", "常州", "南京", "扬州", "泰州", "盐城", "徐州", "深圳", "东莞", "宁波",
    "温州", "杭州", "佛山", "合肥",
];
const NAME_CHARS: [&str; 40] = [
    "华", "信", "海", "晟", "澜", "拓", "启", "明", "恒", "远", "博", "科", "瑞", "丰", "金", "源",
    "新", "宏", "达", "天", "合", "凯", "盛", "中", "鼎", "峰", "润", "泽", "嘉", "禾", "卓", "越",
    "beta", "联", "创", "睿", "智", "元", "通", "安",
];
const TRADES: [&str; 12] = [
    "精密机械",
    "新能源科技",
    "电子科技",
    "光电科技",
    "新材料科技",
    "智能装备",
    "生物科技",
    "纺织",
    "医疗器械",
    "汽车零部件",
    "照明电器",
    "家居用品",
];
const SUFFIX: [&str; 4] = ["有限公司", "股份有限公司", "贸易有限公司", "商行"];
const PRODUCTS: [&str; 20] = [
    "锂电池隔膜",
    "激光测距仪",
    "蓝牙耳机",
    "数控机床",
    "光伏组件",
    "电动自行车控制器",
    "空气净化器",
    "扫地机器人",
    "无人机云台",
    "智能门锁",
    "LED灯具",
    "医用口罩",
    "太阳能电池片",
    "齿轮箱",
    "液压阀",
    "充电桩",
    "电热水壶",
    "儿童安全座椅",
    "保温杯",
    "智能手表",
];
const WHERE: [&str; 7] = [
    "在其网店",
    "在电商平台店铺",
    "在展会上",
    "在线下批发市场",
    "通过跨境电商平台 Amazon 美国站",
    "在第二十届中国国际工业博览会展会上",
    "在其官方网站",
];
const ACTS: [&str; 5] = ["许诺销售", "销售", "制造并销售", "进口", "使用"];
const EXTRA: [&str; 8] = [
    "经比对落入涉案专利权利要求1至3的保护范围。",
    "请求责令被请求人立即停止侵权行为。",
    "侵权产品已在多个省份销售，影响恶劣。",
    "请求人为国家级专精特新“小巨人”企业。",
    "已公证购买侵权产品并保存网页截图。",
    "被请求人曾因同类行为被处理，属重复侵权。",
    "侵权产品外包装标注的生产厂家与实际不符。",
    "该产品同时在展会现场展出并接受订单。",
];
const KINDS: [(&str, char, &str); 3] = [
    ("invention_patent", '1', "发明专利"),
    ("utility_model", '2', "实用新型专利"),
    ("design_patent", '3', "外观设计专利"),
];
const QUEUES: [(&str, &[&str]); 4] = [
    ("triage", &["new"]),
    (
        "administrative_ruling",
        &[
            "received",
            "docketed",
            "answer_period",
            "evidence",
            "deliberation",
            "published",
        ],
    ),
    ("exhibition_enforcement", &["complaint_received", "decided"]),
    ("overseas_assistance", &["requested", "intake", "advising"]),
];
const OFFICES: i64 = 30;

fn company(r: &mut Rng) -> String {
    format!(
        "{}{}{}{}{}",
        r.pick(&PLACES),
        r.pick(&NAME_CHARS),
        r.pick(&NAME_CHARS),
        r.pick(&TRADES),
        r.pick(&SUFFIX)
    )
}

/// The `i`-th generated case (fields as the index sees them).
fn case(i: usize) -> CaseDoc {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1).wrapping_mul(0x1000_0000_01B3));
    let (kind, digit, kind_name) = KINDS[r.below(3)];
    let digits = format!("{}{}{:07}", 2019 + r.below(7), digit, r.below(10_000_000));
    let number = format!("ZL{digits}.{}", check_digit(&digits));
    let product = r.pick(&PRODUCTS);
    let respondent = company(&mut r);
    let complainant = company(&mut r);
    let mut description = format!(
        "被请求人{respondent}未经许可，{}{}与涉案{kind_name}相同的{product}。",
        r.pick(&WHERE),
        r.pick(&ACTS)
    );
    for _ in 0..1 + r.below(3) {
        description.push_str(r.pick(&EXTRA));
    }
    // Few cases wait for triage (it answers within 7 working days); most are being worked.
    let (queue, states) = QUEUES[match r.below(100) {
        0..5 => 0,
        5..55 => 1,
        55..75 => 2,
        _ => 3,
    }];
    let owner = 1 + r.below(OFFICES as usize) as i64;
    let triage = queue == "triage";
    CaseDoc {
        id: i as i64 + 1,
        number: format!("WQ-2026-{:07}", i + 1),
        title: format!("{respondent} 涉嫌侵犯 {number}"),
        description,
        queue: queue.into(),
        state: states[r.below(states.len())].into(),
        channel: [
            "e_commerce",
            "exhibition",
            "offline_market",
            "cross_border_e_commerce",
        ][r.below(4)]
        .into(),
        region_code: format!("32{:02}{:02}", 1 + r.below(13), r.below(12)),
        srdi_rank: [0, 0, 0, 1, 2][r.below(5)],
        next_due_at: Some(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
                + chrono::Duration::hours(r.below(24 * 400) as i64),
        ),
        open: r.below(10) > 1,
        owner_org_id: owner,
        filer_org_id: Some(1000 + r.below(20_000) as i64),
        share_org_ids: if r.below(10) == 0 {
            vec![1 + r.below(OFFICES as usize) as i64]
        } else {
            vec![]
        },
        referred_to_org_id: None,
        // Triage cases with one of three centres' triagers (or nobody yet); the rest with an
        // officer of the owning office.
        assignee_user_id: Some(r.below(300) as i64),
        assignee_org_id: if triage {
            (r.below(2) == 0).then(|| 500 + r.below(3) as i64)
        } else {
            Some(owner)
        },
        awaiting_triage: triage,
        parties: vec![
            Party {
                name: complainant,
                ..Default::default()
            },
            Party {
                name: respondent,
                address: Some(format!("江苏省{}市", r.pick(&PLACES))),
                listing_url: Some(format!("https://shop.example.com/item/{i}")),
                ..Default::default()
            },
        ],
        rights: vec![Right {
            kind: kind.into(),
            number: Some(number),
            title: format!("一种{product}"),
            holder: None,
        }],
        facts: vec![],
        complainant_uscc: None,
        evidence: vec![("公证购买的侵权产品照片及购买凭证".into(), true)],
        notes: if r.below(4) == 0 {
            vec!["已电话联系被请求人，其表示将下架产品".into()]
        } else {
            vec![]
        },
    }
}

fn csv_cell(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Part 1.
fn outbox_vs_raw(rt: &tokio::runtime::Runtime, n: usize, threads: usize) {
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let config = weiquan::config::Config { data_dir: dir.path().to_path_buf(), ..Default::default() };
        let db = weiquan::app::connect_and_migrate(&config).await.unwrap();
        weiquan::service::demo::load(&db).await.unwrap();
        let time = std::sync::Arc::new(weiquan::service::case::Timekeeper::of(&config, &db).await.unwrap());
        let office = weiquan::store::orgs::list(db.conn()).await.unwrap().into_iter().find(|o| o.kind == "ip_office").unwrap().id;
        // The index exists (and is current) before the leads arrive.
        let search_index = index::SearchIndex::open(&config.search_index_dir()).unwrap();
        let mut indexer = weiquan::service::search::Indexer::new(search_index.clone(), threads);
        indexer.round(&db).await.unwrap();
        let mut csv = String::from("source,channel,region_code,title,description,complainant_name,right_kind,right_number,right_title,respondent_name,respondent_address,listing_url\n");
        for i in 0..n {
            let c = case(i);
            let (resp, comp, right) = (&c.parties[1], &c.parties[0], &c.rights[0]);
            csv.push_str(&format!(
                "hotline_12330,e_commerce,{},{},{},{},{},{},{},{},{},{}\n",
                c.region_code, csv_cell(&c.title), csv_cell(&c.description), csv_cell(&comp.name), right.kind,
                right.number.as_deref().unwrap(), csv_cell(&right.title), csv_cell(&resp.name),
                csv_cell(resp.address.as_deref().unwrap()), resp.listing_url.as_deref().unwrap()
            ));
        }
        let started = Instant::now();
        let cx = weiquan::service::Ctx::new(db.clone(), time.clone(), weiquan::service::RequestMeta::cli("bench"));
        let report = weiquan::service::import::leads(&cx, weiquan::service::import::Importer::Operator { owner_org_id: office },
            weiquan::service::import::Source::Bytes(csv.into_bytes()), |_, _| {}).await.unwrap();
        assert_eq!(report.imported, n, "every generated lead imports");
        eprintln!("imported {n} leads in {:.1} s (not counted)", started.elapsed().as_secs_f64());

        let started = Instant::now();
        let mut applied = 0;
        while applied < n {
            let r = indexer.round(&db).await.unwrap();
            assert!(r.cases > 0, "the indexer stalled at {applied}");
            applied += r.cases;
        }
        let outbox = started.elapsed().as_secs_f64();
        let live = search_index.live();
        assert_eq!(live.reader.searcher().num_docs() as usize, n);

        // The same documents, read back from the database once (not counted), indexed raw.
        let ids = weiquan::store::cases::all_ids(db.conn()).await.unwrap();
        let mut docs = Vec::with_capacity(n);
        for chunk in ids.chunks(500) {
            docs.extend(weiquan::store::search::docs(db.conn(), chunk).await.unwrap());
        }
        let bytes: usize = docs.iter().map(|d| d.title.len() + d.description.len()).sum();
        let raw_dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let (schema, fields) = weiquan::search::schema::build();
        let raw = tantivy::Index::create_in_dir(raw_dir.path(), schema).unwrap();
        index::register_tokenizers(&raw);
        let mut w = index::writer(&raw, threads).unwrap();
        for d in &docs {
            w.add_document(d.to_document(&fields)).unwrap();
        }
        w.commit().unwrap();
        let raw_secs = started.elapsed().as_secs_f64();
        println!("\n## Indexing {n} cases ({:.1} MB of title and description), {threads} indexing thread(s)", bytes as f64 / 1e6);
        println!("| path | seconds | cases/s |\n|---|---|---|");
        println!("| raw tantivy + jieba, documents in memory | {raw_secs:.2} | {:.0} |", n as f64 / raw_secs);
        println!("| through the outbox (cases read back from SQLite in batches of 1,000, one commit per round) | {outbox:.2} | {:.0} |", n as f64 / outbox);
        println!("| outbox / raw | | **{:.0} %** (target ≥ 50 %) |", 100.0 * raw_secs / outbox);
    });
}

fn actor(org_id: i64, kind: OrgKind, role: Role, region: &str) -> Actor {
    Actor {
        user_id: 1,
        org_id,
        org_kind: kind,
        role,
        region_code: region.into(),
        oversees: Vec::new(),
    }
}

/// Part 2.
fn latency(n: usize, threads: usize) {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "search-bench-{n}-v{}-g3",
        weiquan::search::schema::SCHEMA_VERSION
    ));
    let done = dir.join("BUILT");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (schema, fields) = weiquan::search::schema::build();
        let idx = tantivy::Index::create_in_dir(&dir, schema).unwrap();
        index::register_tokenizers(&idx);
        let mut w = index::writer(&idx, threads.max(2)).unwrap();
        let started = Instant::now();
        for i in 0..n {
            w.add_document(case(i).to_document(&fields)).unwrap();
            if (i + 1) % 200_000 == 0 {
                w.commit().unwrap();
                eprintln!(
                    "  {} cases indexed, {:.0} s",
                    i + 1,
                    started.elapsed().as_secs_f64()
                );
            }
        }
        w.commit().unwrap();
        w.wait_merging_threads().unwrap();
        eprintln!(
            "built {n} cases in {:.0} s",
            started.elapsed().as_secs_f64()
        );
        std::fs::write(&done, "").unwrap();
    }
    let idx = tantivy::Index::open_in_dir(&dir).unwrap();
    index::register_tokenizers(&idx);
    let (_, fields) = weiquan::search::schema::build();
    let live = index::Live::new("bench".into(), idx, fields, None).unwrap();
    let size: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    let segments = live.reader.searcher().segment_readers().len();

    let sample = case(4242);
    let patent = sample.rights[0].number.clone().unwrap();
    let company = sample.parties[1].name.clone();
    let compact = patent.trim_start_matches("ZL").replace('.', "");
    let queries: Vec<String> = vec![
        "展会".into(),
        "侵权".into(),
        "锂电池".into(),
        "蓝牙耳机".into(),
        "美国".into(),
        company,
        patent.clone(),
        compact,
        patent.trim_start_matches("ZL").into(),
        "\"许诺销售\"".into(),
        "展会 锂电池".into(),
        "Amazon 耳机".into(),
        "重复侵权 专精特新".into(),
        sample.number.clone(),
        "南通 智能门锁 许诺销售".into(),
    ];
    let actors = [
        (
            "office (1/30 of all cases)",
            actor(7, OrgKind::IpOffice, Role::Officer, "320600"),
        ),
        (
            "assistance centre (triage in 32xx00)",
            actor(500, OrgKind::AssistanceCenter, Role::Triager, "320000"),
        ),
        (
            "enterprise (its own filings)",
            actor(1042, OrgKind::Enterprise, Role::EnterpriseFiler, "320600"),
        ),
        (
            "office, urgency sort + queue filter",
            actor(7, OrgKind::IpOffice, Role::Supervisor, "320600"),
        ),
    ];
    let now = Utc::now();
    let rounds = env("SEARCH_BENCH_ROUNDS", 20);
    let mut all = Vec::new();
    let mut by_actor: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut hits = 0usize;
    let mut per_query: Vec<(f64, String)> = Vec::new();
    for (name, a) in &actors {
        for q in &queries {
            let mut mine = Vec::with_capacity(rounds);
            let mut req = Request {
                words: query::parse(q).unwrap(),
                limit: 20,
                ..Default::default()
            };
            if name.contains("urgency") {
                req.sort = Sort::Urgency;
                req.queue = Some("administrative_ruling".into());
            }
            // Warm once, then measure.
            search::run(&live, a, &req, now).unwrap();
            for _ in 0..rounds {
                let t = Instant::now();
                let r = search::run(&live, a, &req, now).unwrap();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                hits += r.total;
                all.push(ms);
                mine.push(ms);
                by_actor.entry(name).or_default().push(ms);
            }
            mine.sort_by(|a, b| a.partial_cmp(b).unwrap());
            per_query.push((mine[mine.len() / 2], format!("{name}: {q}")));
        }
    }
    per_query.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap());
    eprintln!("slowest (median ms):");
    for (ms, what) in per_query.iter().take(12) {
        eprintln!("  {ms:7.2}  {what}");
    }
    fn pct(v: &mut [f64], p: f64) -> f64 {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    }
    println!(
        "\n## Query latency at {n} cases ({} MB index, {segments} segments), one thread, permission filter, count, facets and snippets",
        size / 1_000_000
    );
    println!("| user | queries | p50 ms | p90 ms | p99 ms |\n|---|---|---|---|---|");
    for (name, v) in by_actor.iter_mut() {
        println!(
            "| {name} | {} | {:.2} | {:.2} | {:.2} |",
            v.len(),
            pct(v, 0.5),
            pct(v, 0.9),
            pct(v, 0.99)
        );
    }
    let total = all.len();
    println!(
        "| **all** | {total} | {:.2} | {:.2} | **{:.2}** (target < 50) |",
        pct(&mut all, 0.5),
        pct(&mut all, 0.9),
        pct(&mut all, 0.99)
    );
    eprintln!("(matched {hits} visible cases in all)");
}

fn main() {
    let threads = env("SEARCH_BENCH_THREADS", 1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let outbox = env("SEARCH_BENCH_OUTBOX_CASES", 20_000);
    if outbox > 0 {
        outbox_vs_raw(&rt, outbox, threads);
    }
    let n = env("SEARCH_BENCH_CASES", 1_000_000);
    if n > 0 {
        latency(n, threads);
    }
}
