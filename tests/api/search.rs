//! Full-text search (issue 7): Chinese queries, index lag, crash recovery, `weiquan reindex` on
//! a live server, and a permission check of every hit, count, facet and snippet per demo user.

use crate::fixtures::{Api, Case, NewCase, shows_bare};
use crate::helpers::{Node, TestApp};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use weiquan::search::doc::CaseDoc;

/// How long a change may take to become searchable in these tests (see the lag test).
const LAG_BOUND: Duration = Duration::from_secs(3);

/// A complaint with words no demo case has.
fn distinctive(app: &TestApp) -> NewCase<'_> {
    app.complaint()
        .description("被请求人在亚马逊 Amazon 店铺和第二十届中国国际光电博览会展会上许诺销售激光测距仪，落入涉案发明专利保护范围。")
        .right("invention_patent", "ZL202410987654.1", "一种相位式激光测距装置")
        .respondents(json!([{"name": "苏州澜拓光电科技有限公司", "address": "江苏省苏州市工业园区",
                             "listing_url": "https://shop.example.com/item/lantuo-88"}]))
}

fn q(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The hits of `query` (up to 200) as `by` finds them; the search must answer 200.
async fn search(by: &Api, query: &str) -> Value {
    let (status, hits) = by
        .get(&format!("/api/v1/search?q={}&limit=200", q(query)))
        .await;
    assert_eq!(status, 200, "search {query}");
    hits
}

fn hit_ids(v: &Value) -> BTreeSet<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

/// Loads the demo province's cases (the test server starts with users and offices only).
async fn demo_cases(app: &TestApp) {
    weiquan::service::demo::load_cases(&app.db, &app.time)
        .await
        .expect("demo cases load");
}

/// Polls `query` until it has hits; returns the first.
async fn first_hit(by: &Api, query: &str) -> i64 {
    let started = Instant::now();
    loop {
        let v = search(by, query).await;
        if let Some(h) = v["items"].as_array().and_then(|a| a.first()) {
            return h["id"].as_i64().unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "nothing found for {query}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The hits of `query` once they stop changing (the indexer has caught up with every change
/// made so far): two answers a few indexer polls apart that agree.
async fn settled(by: &Api, query: &str) -> Value {
    let started = Instant::now();
    let mut last = search(by, query).await;
    loop {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let now = search(by, query).await;
        if now == last {
            return now;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the hits of {query} never settled"
        );
        last = now;
    }
}

/// Polls `query` until it finds `id` or `limit` passes; returns how long it took.
async fn until_found(by: &Api, query: &str, id: i64, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        let res = by
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/search?q={}", q(query)),
            )
            .send()
            .await;
        if let Ok(r) = res
            && let Ok(v) = r.json::<Value>().await
            && v["items"]
                .as_array()
                .is_some_and(|a| a.iter().any(|h| h["id"] == id))
        {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    None
}

#[tokio::test]
async fn chinese_queries_find_the_expected_cases() {
    let app = TestApp::spawn().await;
    let Case { id, number, .. } = distinctive(&app).file().await;
    let officer = app.api_as("demo-officer").await;
    until_found(&officer, "澜拓", id, Duration::from_secs(10))
        .await
        .expect("the new complaint is indexed");
    for query in [
        // two-character words
        "展会",
        "测距",
        "美国亚马逊 店铺",
        // the full company name, and a part jieba does not know
        "苏州澜拓光电科技有限公司",
        "澜拓光电",
        // product names
        "激光测距仪",
        "相位式激光测距装置",
        // the patent number in every notation
        "ZL202410987654.1",
        "202410987654.1",
        "2024109876541",
        "zl 2024 1098 7654.1",
        "202410987654",
        // mixed Chinese and English, a phrase, the case number, the listing URL
        "Amazon 激光",
        "amazon",
        "\"许诺销售激光测距仪\"",
        &number,
        "https://shop.example.com/item/lantuo-88",
    ] {
        let r = search(&officer, query).await;
        if query == "美国亚马逊 店铺" {
            // 美国 is not in the text: every word must match.
            assert!(!hit_ids(&r).contains(&id), "{query}: {r}");
            continue;
        }
        assert!(hit_ids(&r).contains(&id), "{query} finds {number}: {r}");
    }
    // A wrong check digit is another patent; a phrase in the wrong order is not there.
    for query in ["202410987654.2", "\"测距仪激光\""] {
        assert!(
            !hit_ids(&search(&officer, query).await).contains(&id),
            "{query}"
        );
    }
    // The snippet marks what matched.
    let r = search(&officer, "激光测距仪").await;
    let hit = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == id)
        .unwrap();
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>"), "{hit}");
}

#[tokio::test]
async fn a_change_is_searchable_within_a_second() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let id = distinctive(&app).file().await.id;
    let took = until_found(&officer, "澜拓光电", id, Duration::from_secs(5))
        .await
        .expect("indexed");
    // The target is 1 s in normal running (0.1–0.4 s measured when this test runs alone); CI
    // runs ~140 servers' tests at once on two cores, so the bound here is 3 s.
    eprintln!("new case searchable after {took:?}");
    assert!(took < LAG_BOUND, "new case searchable after {took:?}");
    // A later change (the case is routed) is in the index as quickly: the queue filter sees it.
    let triager = app.api_as("demo-triager").await;
    let (s, _) = triager
        .post(
            &format!("/api/v1/cases/{id}/triage"),
            &json!({"action": "route", "queue": "administrative_ruling", "expected_version": 1}),
        )
        .await;
    assert_eq!(s, 200);
    let started = Instant::now();
    loop {
        let (_, v) = officer
            .get(&format!(
                "/api/v1/search?q={}&queue=administrative_ruling",
                q("澜拓光电")
            ))
            .await;
        if hit_ids(&v).contains(&id) {
            break;
        }
        assert!(
            started.elapsed() < LAG_BOUND,
            "routing not in the index after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A second node with its own index folder, indexing every `poll_ms`.
async fn node(app: &TestApp, index: &std::path::Path, poll_ms: u64) -> Node {
    let index = index.display().to_string();
    let poll = poll_ms.to_string();
    app.node(&[
        ("WEIQUAN_SEARCH_INDEX", &index),
        ("WEIQUAN_SEARCH_POLL_MS", &poll),
    ])
    .await
}

fn current_generation(index: &std::path::Path) -> String {
    std::fs::read_to_string(index.join("CURRENT"))
        .unwrap()
        .trim()
        .to_string()
}

#[tokio::test]
async fn a_change_committed_before_a_crash_is_found_after_restart() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    demo_cases(&app).await;
    let index = app.dir.path().join("node2-index");
    // A node that indexes once at start, then not for a minute.
    let mut n = node(&app, &index, 60_000).await;
    first_hit(&officer.at(&n.base), "锂电池").await;
    let generation = current_generation(&index);
    // The change is committed to the database (through the other server) …
    let id = distinctive(&app).file().await.id;
    let r = search(&officer.at(&n.base), "澜拓光电").await;
    assert!(!hit_ids(&r).contains(&id), "not indexed yet on the node");
    // … and the node dies before indexing it.
    n.child.kill().await.unwrap();
    // After a restart it resumes from its last commit and finds the case (the bound is generous:
    // under a full parallel test run the node's start-up alone can take seconds).
    let n = node(&app, &index, 200).await;
    let took = until_found(
        &officer.at(&n.base),
        "澜拓光电",
        id,
        Duration::from_secs(60),
    )
    .await
    .unwrap_or_else(|| {
        panic!(
            "not found after restart; the node said:\n{}",
            n.log.lock().unwrap().join("\n")
        )
    });
    eprintln!("found {took:?} after the restarted node listened");
    assert_eq!(
        current_generation(&index),
        generation,
        "resumed, not rebuilt"
    );
}

#[tokio::test]
async fn reindex_runs_beside_a_live_server() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    demo_cases(&app).await;
    let index = app.dir.path().join("index");
    first_hit(&officer, "锂电池").await;
    let before = current_generation(&index);
    let expected = hit_ids(&search(&officer, "锂电池").await);
    // Searches keep answering, with the same hits, while the rebuild runs.
    let searcher = officer.clone();
    let want = expected.clone();
    let searching = tokio::spawn(async move {
        let mut n = 0;
        for _ in 0..40 {
            let v = search(&searcher, "锂电池").await;
            assert_eq!(hit_ids(&v), want);
            n += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        n
    });
    let index_env = index.display().to_string();
    let out = app
        .cli_with(&["reindex"], &[("WEIQUAN_SEARCH_INDEX", &index_env)])
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("search index rebuilt"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains('#'),
        "a progress bar"
    );
    assert_eq!(searching.await.unwrap(), 40);
    let after = current_generation(&index);
    assert_ne!(after, before);
    // The server switches to the new generation and keeps it current.
    let id = distinctive(&app).file().await.id;
    until_found(&officer, "澜拓光电", id, Duration::from_secs(10))
        .await
        .expect("indexed after the switch");
    assert_eq!(hit_ids(&search(&officer, "锂电池").await), expected);
    let started = Instant::now();
    while index.join(&before).exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the old generation is removed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The text of `d` that `internal` users (offices) or its filer may search.
fn searchable(d: &CaseDoc, internal: bool) -> String {
    let mut t = vec![d.title.clone(), d.description.clone()];
    for p in &d.parties {
        t.push(p.name.clone());
        t.extend(p.address.clone());
    }
    for r in &d.rights {
        t.push(r.title.clone());
        t.extend(r.holder.clone());
    }
    t.extend(d.facts.clone());
    for (e, by_filer) in &d.evidence {
        if internal || *by_filer {
            t.push(e.clone());
        }
    }
    if internal {
        t.extend(d.notes.clone());
    }
    t.join("\n")
}

fn unmark(s: &str) -> String {
    s.replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn hits_counts_facets_and_snippets_come_only_from_visible_cases() {
    use weiquan::store;
    let app = TestApp::spawn().await;
    demo_cases(&app).await;
    // A complaint of demo-enterprise besides the demo cases; the demo's internal events (an
    // answer summary, notes) are what a filer must not find.
    let id = distinctive(&app).file().await.id;
    let officer = app.api_as("demo-officer").await;
    until_found(&officer, "澜拓光电", id, Duration::from_secs(10))
        .await
        .expect("indexed");
    let all_ids = store::cases::all_ids(app.db.conn()).await.unwrap();
    let docs: BTreeMap<i64, CaseDoc> = store::search::docs(app.db.conn(), &all_ids)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let users = [
        "demo-officer",
        "demo-officer2",
        "demo-supervisor",
        "demo-triager",
        "demo-industry",
        "demo-enterprise",
        "demo-enterprise2",
        "demo-admin",
    ];
    // 技术方案 is only in a respondent's answer (internal); 移交 only in an internal note.
    let queries = [
        "锂电池",
        "展会",
        "有限公司",
        "专利",
        "侵权",
        "澜拓光电",
        "技术方案",
        "移交",
        "隔膜",
    ];
    let mut internal_hits = 0;
    let mut hits_seen = 0;
    for username in users {
        let user = app.user(username).await;
        let org = store::orgs::get(app.db.conn(), user.org_id)
            .await
            .unwrap()
            .unwrap();
        let me = weiquan::service::Identity::from_rows(user, org, weiquan::service::Via::Cli)
            .unwrap()
            .with_oversight(app.db.conn())
            .await
            .unwrap();
        let visible: BTreeSet<i64> = store::cases::visible_ids(app.db.conn(), &me.actor)
            .await
            .unwrap()
            .into_iter()
            .collect();
        let internal = weiquan::search::access::reads_internal(&me.actor);
        let caller = app.api_as(username).await;
        for query in queries {
            let r = search(&caller, query).await;
            let found = hit_ids(&r);
            let expected: BTreeSet<i64> = visible
                .iter()
                .filter(|c| searchable(&docs[c], internal).contains(query))
                .copied()
                .collect();
            assert_eq!(found, expected, "{username} / {query}");
            assert_eq!(
                r["total"].as_u64().unwrap() as usize,
                expected.len(),
                "{username} / {query}"
            );
            // Every facet number counts visible hits only: each group, computed from the
            // database's cases.
            for group in ["queue", "state", "kind", "channel", "region", "srdi"] {
                let mut want: BTreeMap<String, u64> = BTreeMap::new();
                for c in &expected {
                    let d = &docs[c];
                    let values: Vec<String> = match group {
                        "queue" => vec![d.queue.clone()],
                        "state" => vec![d.state.clone()],
                        "channel" => vec![d.channel.clone()],
                        "region" => vec![weiquan::search::doc::prefecture(&d.region_code)],
                        "srdi" => vec![weiquan::search::doc::srdi_level(d.srdi_rank).to_string()],
                        _ => d
                            .rights
                            .iter()
                            .map(|r| r.kind.clone())
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect(),
                    };
                    for v in values {
                        *want.entry(v).or_default() += 1;
                    }
                }
                let got: BTreeMap<String, u64> = r["facets"][group]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
                    .collect();
                assert_eq!(got, want, "{username} / {query} / facet {group}");
            }
            for h in r["items"].as_array().unwrap() {
                let d = &docs[&h["id"].as_i64().unwrap()];
                let text = searchable(d, internal);
                for piece in unmark(h["snippet"].as_str().unwrap()).split('；') {
                    assert!(
                        text.contains(piece.trim()),
                        "{username} / {query}: snippet {piece:?} not in what they may see"
                    );
                }
                hits_seen += 1;
            }
        }
        if internal {
            internal_hits += hit_ids(&search(&caller, "技术方案").await).len();
        } else {
            let r = search(&caller, "技术方案").await;
            assert_eq!(r["total"], 0, "{username} finds a respondent's answer: {r}");
        }
    }
    assert!(hits_seen > 10, "the check looked at {hits_seen} hits");
    assert!(internal_hits > 0, "offices find the internal text");
}

#[tokio::test]
async fn empty_and_absurd_queries_get_a_clear_answer() {
    let app = TestApp::spawn().await;
    let t = app.api_as("demo-officer").await;
    for (path, field) in [
        ("/api/v1/search", "q"),
        ("/api/v1/search?q=", "q"),
        ("/api/v1/search?q=%20%E3%80%80", "q"),
        ("/api/v1/search?q=%EF%BC%8C%E3%80%82%21%21", "q"),
        (
            "/api/v1/search?q=a%20b%20c%20d%20e%20f%20g%20h%20i%20j%20k%20l%20m",
            "q",
        ),
        ("/api/v1/search?q=x&queue=nowhere", "queue"),
        ("/api/v1/search?q=x&limit=0", "limit"),
        ("/api/v1/search?q=x&limit=abc", "limit"),
        ("/api/v1/search?q=x&cursor=999999", "cursor"),
        ("/api/v1/search?q=x&overdue=maybe", "overdue"),
        ("/api/v1/search?q=x&sort=random", "sort"),
        ("/api/v1/search?q=x&region=12", "region"),
    ] {
        let (s, b) = t.get(path).await;
        assert_eq!(s, 422, "{path}: {b}");
        assert_eq!(b["errors"][0]["field"], field, "{path}: {b}");
        assert!(
            !b["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("error."),
            "a message, not a key: {b}"
        );
    }
    let long = "专".repeat(201);
    let (s, b) = t.get(&format!("/api/v1/search?q={}", q(&long))).await;
    assert_eq!(s, 422, "{b}");
    // Query syntax of other engines is plain text here, never an error.
    for odd in [
        "title:锂电池 AND (展会 OR *)",
        "\"",
        "~~~ 隔膜 ^2",
        "<script>alert(1)</script>",
    ] {
        let (s, b) = t.get(&format!("/api/v1/search?q={}", q(odd))).await;
        assert!(s == 200 || s == 422, "{odd}: {s} {b}");
    }
    let (status, _) = app
        .api()
        .get(&format!("/api/v1/search?q={}", q("锂电池")))
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_search_page_shows_marked_hits_and_keeps_the_query() {
    let app = TestApp::spawn().await;
    let browser = app.browser_as("demo-officer").await;
    let officer = app.api_as("demo-officer").await;
    demo_cases(&app).await;
    let first = first_hit(&officer, "锂电池").await;
    let number = weiquan::store::cases::find(app.db.conn(), first)
        .await
        .unwrap()
        .unwrap()
        .number;
    let html = browser.html(&format!("/search?q={}", q("锂电池"))).await;
    assert!(html.contains("<mark>锂电池</mark>"), "{html}");
    assert!(html.contains(&number), "{html}");
    assert!(html.contains("value=\"锂电池\""), "the box keeps the query");
    assert!(html.contains("办理队列"), "facets are shown");
    // Regions are counted by prefecture and named, the code only in the link.
    assert!(html.contains("region&#x3D;320600\">南通市</a>"), "{html}");
    assert!(!shows_bare(&html, "320600"), "{html}");
    let html = browser
        .html(&format!("/search?q={}&region=320600", q("锂电池")))
        .await;
    assert!(html.contains("地区：南通市 ×"), "{html}");
    assert!(!shows_bare(&html, "320600"), "{html}");
    // A filter link narrows the search and can be removed again. (The demo cases are still
    // being indexed after the first hit: compare once the index has caught up.)
    let all = settled(&officer, "锂电池").await;
    let html = browser
        .html(&format!(
            "/search?q={}&queue=administrative_ruling",
            q("锂电池")
        ))
        .await;
    assert!(html.contains("已筛选"), "{html}");
    for h in all["items"].as_array().unwrap() {
        let number = h["number"].as_str().unwrap();
        assert_eq!(
            html.contains(number),
            h["queue"] == "administrative_ruling",
            "{number} in {} on the filtered page",
            h["queue"]
        );
    }
    // Bad input comes back with a message and the query still in the box.
    let res = browser.get(&format!("/search?q={}", q("，，，"))).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("只有标点"), "{html}");
    assert!(html.contains("value=\"，，，\""), "{html}");
    // Script in a query is text, never markup.
    let html = browser
        .html(&format!("/search?q={}", q("<script>x</script>")))
        .await;
    assert!(!html.contains("<script>x</script>"));
}

#[tokio::test]
async fn a_share_makes_a_case_searchable_and_its_revocation_hides_it_at_once() {
    let app = TestApp::spawn().await;
    let industry = app.api_as("demo-industry").await;
    let officer = app.api_as("demo-officer").await;
    let ip_office = officer.org_id().await;
    let filed = app
        .lead("demo-industry", "shared")
        .description("工信部门走访发现某企业仿冒澜拓光电的激光测距仪外观设计。")
        .file()
        .await;
    let id = filed.id;
    until_found(&industry, "澜拓光电", id, Duration::from_secs(10))
        .await
        .expect("the owner finds its lead");
    assert!(!hit_ids(&search(&officer, "澜拓光电").await).contains(&id));
    let (s, b) = industry
        .post(
            &filed.path("/shares"),
            &json!({"org_id": ip_office, "access": "read"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    until_found(&officer, "澜拓光电", id, Duration::from_secs(5))
        .await
        .expect("the IP office finds the shared lead");
    let (s, _) = industry
        .delete(&filed.path(&format!("/shares/{ip_office}")))
        .await;
    assert_eq!(s, 200);
    // At once, before the indexer has caught up: hits are checked against the database.
    let r = search(&officer, "澜拓光电").await;
    assert!(!hit_ids(&r).contains(&id), "{r}");
    assert!(!r.to_string().contains(&filed.number), "{r}");
}

#[tokio::test]
async fn editing_a_user_reindexes_the_cases_assigned_to_them() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = TestApp::spawn().await;
    demo_cases(&app).await;
    // A case assigned to demo-officer (set directly: the fixture, not the behaviour under test).
    let user = app.user("demo-officer").await;
    let user_id = user.id;
    let case = entity::cases::Entity::find()
        .one(app.db.conn())
        .await
        .unwrap()
        .expect("a demo case");
    entity::cases::Entity::update_many()
        .col_expr(
            entity::cases::Column::AssigneeUserId,
            sea_orm::sea_query::Expr::value(user_id),
        )
        .filter(entity::cases::Column::Id.eq(case.id))
        .exec(app.db.conn())
        .await
        .unwrap();
    let rows = || async {
        entity::search_outbox::Entity::find()
            .filter(entity::search_outbox::Column::CaseId.eq(case.id))
            .count(app.db.conn())
            .await
            .unwrap()
    };
    let before = rows().await;
    let admin = app.browser_as("demo-admin").await;
    let org_id = user.org_id.to_string();
    let res = admin
        .post_form(
            &format!("/admin/users/{user_id}/edit"),
            &format!("/admin/users/{user_id}"),
            &[
                ("display_name", "新名字"),
                ("org_id", &org_id),
                ("role", &user.role),
                ("phone", ""),
                ("email", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(
        rows().await,
        before + 1,
        "an outbox row for the assigned case"
    );
}

/// Scale-out (issue 18, item 7): two `serve` processes on one database (PostgreSQL in CI's second
/// run) and one evidence folder. A session made on one node works on the other; a case filed
/// through one is found through the other; the deadline passes of both nodes, ticking every
/// second, announce an overdue clock once per recipient and send each notice's e-mail once, and
/// neither node reports an error.
#[tokio::test]
async fn two_nodes_share_sessions_cases_and_each_deadline_notice() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::spawn_with(|c| c.deadline_tick_secs = 86_400, true).await;
    let evidence = app.dir.path().join("evidence").display().to_string();
    let (port, received) = crate::fixtures::smtp_listener(0).await;
    let smtp = format!("smtp://127.0.0.1:{port}");
    let node = |n: &str| {
        let index = app
            .dir
            .path()
            .join(format!("index-{n}"))
            .display()
            .to_string();
        let data = app
            .dir
            .path()
            .join(format!("data-{n}"))
            .display()
            .to_string();
        let evidence = evidence.clone();
        let smtp = smtp.clone();
        let app = &app;
        async move {
            app.node(&[
                ("WEIQUAN_DATA_DIR", &data),
                ("WEIQUAN_SEARCH_INDEX", &index),
                ("WEIQUAN_STORAGE", &evidence),
                ("WEIQUAN_SEARCH_POLL_MS", "200"),
                ("WEIQUAN_DEADLINE_TICK_SECS", "1"),
                ("WEIQUAN_SMTP_URL", &smtp),
                ("WEIQUAN_MAIL_FROM", "weiquan@example.gov.cn"),
                ("WEIQUAN_PUBLIC_URL", "https://weiquan.example.gov.cn"),
            ])
            .await
        }
    };
    // Both nodes send e-mail through one SMTP listener; every user has an address.
    entity::users::Entity::update_many()
        .col_expr(
            entity::users::Column::Email,
            Expr::cust("username || '@example.gov.cn'"),
        )
        .exec(app.db.conn())
        .await
        .unwrap();
    let (one, two) = (node("one").await, node("two").await);

    // A web session made on node one works on node two.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .get(format!("{}/login", one.base))
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let page = login.text().await.unwrap();
    let csrf = crate::fixtures::csrf_in(&page).expect("a CSRF token on the sign-in page");
    let res = client
        .post(format!("{}/login", one.base))
        .header("cookie", cookies.join("; "))
        .form(&[
            ("username", "demo-officer"),
            ("password", crate::fixtures::PASSWORD),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let session = crate::fixtures::set_cookie(&res, "wq_session")
        .map(crate::fixtures::cookie_value)
        .expect("a session cookie");
    let res = client
        .get(format!("{}/cases", two.base))
        .header("cookie", format!("wq_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "the session of node one on node two: {:?}",
        res.headers().get("location")
    );

    // A case filed through node one is found through node two.
    let officer = app.api_as("demo-officer").await;
    let enterprise = app.api_as("demo-enterprise").await;
    let body = json!({
        "description": "被请求人在亚马逊店铺许诺销售激光测距仪，落入涉案发明专利保护范围。",
        "channel": "e_commerce", "region_code": "320612", "complainant_standing": "patentee",
        "rights": [{"kind": "invention_patent", "number": "ZL202410987654.1", "title": "一种相位式激光测距装置"}],
        "respondents": [{"name": "苏州澜拓光电科技有限公司"}]
    });
    let (status, filed) = enterprise
        .at(&one.base)
        .post("/api/v1/complaints", &body)
        .await;
    assert_eq!(status, 201, "{filed}");
    let id = filed["id"].as_i64().unwrap();
    let found = until_found(
        &officer.at(&two.base),
        "澜拓光电",
        id,
        Duration::from_secs(30),
    )
    .await;
    assert!(found.is_some(), "node two finds what node one filed");

    // Its triage clock falls overdue; both nodes' deadline passes see it.
    entity::case_clocks::Entity::update_many()
        .col_expr(
            entity::case_clocks::Column::DueAt,
            Expr::value(weiquan::service::now() - chrono::TimeDelta::hours(1)),
        )
        .filter(entity::case_clocks::Column::CaseId.eq(id))
        .exec(app.db.conn())
        .await
        .unwrap();
    let notices = || async {
        entity::notifications::Entity::find()
            .filter(entity::notifications::Column::CaseId.eq(id))
            .all(app.db.conn())
            .await
            .unwrap()
    };
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen = notices().await;
        if !seen.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!seen.is_empty(), "the overdue clock is announced");
    // A few more ticks of both nodes add nothing.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = notices().await;
    assert_eq!(after.len(), seen.len(), "{after:?}");
    let mut keys: Vec<_> = after
        .iter()
        .map(|n| (n.user_id, n.rule_id.clone(), n.kind.clone()))
        .collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(
        keys.len(),
        before,
        "one notice per recipient, clock and kind: {after:?}"
    );
    // Each notice's e-mail is sent once, by one of the nodes.
    let mails = || async {
        entity::email_outbox::Entity::find()
            .all(app.db.conn())
            .await
            .unwrap()
    };
    for _ in 0..100 {
        if mails().await.iter().all(|m| m.sent_at.is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let outbox = mails().await;
    assert!(
        outbox.iter().any(|m| m.notification_id.is_some()),
        "the notices are e-mailed"
    );
    assert!(outbox.iter().all(|m| m.sent_at.is_some()), "{outbox:?}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let delivered = received.lock().unwrap().clone();
    assert_eq!(delivered.len(), outbox.len(), "{delivered:?}");
    for m in &outbox {
        let copies = delivered
            .iter()
            .filter(|d| d.contains(&format!("To: {}", m.to_address)))
            .count();
        assert!(copies >= 1, "{} got nothing", m.to_address);
    }
    for n in [&one, &two] {
        let log = n.log.lock().unwrap().join("\n");
        assert!(!log.contains("ERROR") && !log.contains("failed"), "{log}");
    }
}

#[tokio::test]
async fn a_hit_of_a_srdi_enterprises_case_carries_the_fast_track_label() {
    let app = TestApp::spawn().await;
    demo_cases(&app).await;
    let officer = app.api_as("demo-officer").await;
    // 华信 (a national 小巨人) complains about harmonic reducers; 启明's hotline lead is no SRDI.
    let hits = settled(&officer, "减速器").await;
    let items = hits["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{hits}");
    for h in items {
        let case = officer.case(h["id"].as_i64().unwrap()).await;
        assert_eq!(h["fast_track"], case["fast_track"], "{h} / {case}");
    }
    assert!(items.iter().any(|h| h["fast_track"] == true), "{hits}");
    let html = app
        .browser_as("demo-officer")
        .await
        .html(&format!("/search?q={}", q("减速器")))
        .await;
    assert!(html.contains("快速通道"), "the label on the page");
}
