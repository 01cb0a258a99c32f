//! The API's answers about every demo case, as every demo user, held against a committed
//! snapshot (`tests/api/snapshots/demo_cases.json`): the structure behind the case endpoints may
//! change, what they answer may not.
//!
//! For each demo user and each case: `GET /api/v1/cases/{id}`, `/events`, `/deadlines`,
//! `/actions` and `/evidence`, with the status and the body. Values that depend on the day the
//! test runs are masked: instants and dates (the demo data is dated relative to now), the year in
//! case numbers, clock explanations and the provisional flag (they follow the calendar of the
//! days counted), and the SM3 digest (sealed in the background, a moment after an upload).
//!
//! `UPDATE_SNAPSHOTS=1 cargo test --test api snapshot` rewrites the file; review the diff.

use crate::helpers::TestApp;
use serde_json::{Map, Value, json};

const USERS: [&str; 10] = [
    "demo-admin",
    "demo-triager",
    "demo-officer",
    "demo-supervisor",
    "demo-officer2",
    "demo-officer3",
    "demo-industry",
    "demo-station",
    "demo-enterprise",
    "demo-enterprise2",
];

const ENDPOINTS: [&str; 5] = ["", "/events", "/deadlines", "/actions", "/evidence"];

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/api/snapshots/demo_cases.json"
);

#[tokio::test]
async fn every_demo_case_reads_the_same_as_the_snapshot_for_every_demo_user() {
    let app = TestApp::spawn().await;
    weiquan::service::demo::load_cases(&app.db, &app.time)
        .await
        .unwrap();
    let ids = weiquan::store::cases::all_ids(app.db.conn()).await.unwrap();
    assert!(ids.len() >= 8, "the demo has cases in every queue");
    let mut by_user = Map::new();
    for user in USERS {
        let caller = app.api_as(user).await;
        let mut cases = Map::new();
        for id in &ids {
            let mut answers = Map::new();
            for end in ENDPOINTS {
                let path = format!("/api/v1/cases/{id}{end}");
                let (status, body) = caller.get(&path).await;
                let name = if end.is_empty() { "case" } else { &end[1..] };
                answers.insert(name.into(), json!({"status": status, "body": mask(body)}));
            }
            cases.insert(id.to_string(), Value::Object(answers));
        }
        by_user.insert(user.into(), Value::Object(cases));
    }
    let now = Value::Object(by_user);
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        let text = serde_json::to_string_pretty(&now).unwrap();
        std::fs::create_dir_all(std::path::Path::new(FILE).parent().unwrap()).unwrap();
        std::fs::write(FILE, text + "\n").unwrap();
        return;
    }
    let text =
        std::fs::read_to_string(FILE).expect("the snapshot exists (UPDATE_SNAPSHOTS=1 writes it)");
    let before: Value = serde_json::from_str(&text).unwrap();
    let mut diffs = Vec::new();
    differences("", &before, &now, &mut diffs);
    assert!(
        diffs.is_empty(),
        "{} difference(s) from the snapshot, the first ones:\n{}",
        diffs.len(),
        diffs
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Where `b` differs from `a`, as JSON paths with both values.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{path}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => differences(&p, u, v, out),
                    (Some(u), None) => out.push(format!("{p}: gone (was {u})")),
                    (None, Some(v)) => out.push(format!("{p}: new ({v})")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}/{i}"), u, v, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} → {b}")),
        _ => {}
    }
}

/// The body with the values that depend on the day of the run replaced by placeholders.
fn mask(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = match k.as_str() {
                        "explanation" if v.is_string() => json!("<explanation>"),
                        "provisional" | "triage_due_provisional" => json!("<provisional>"),
                        "sm3" | "sm3_at" => json!("<sm3>"),
                        _ => mask(v),
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(mask).collect()),
        Value::String(s) => Value::String(mask_text(&s)),
        other => other,
    }
}

/// Dates and times in a string become `<date>` / `<time>`; `WQ-2026-` becomes `WQ-<year>-`.
fn mask_text(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let digits = |from: usize, n: usize| {
        from + n <= c.len() && c[from..from + n].iter().all(|d| d.is_ascii_digit())
    };
    let at = |i: usize, ch: char| c.get(i) == Some(&ch);
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < c.len() {
        // WQ-2026-000123
        if at(i, 'W') && at(i + 1, 'Q') && at(i + 2, '-') && digits(i + 3, 4) && at(i + 7, '-') {
            out.push_str("WQ-<year>-");
            i += 8;
            continue;
        }
        // 2026-03-02, optionally with a time: T09:30:00(.123)(+08:00|Z) or " 09:30"
        if digits(i, 4) && at(i + 4, '-') && digits(i + 5, 2) && at(i + 7, '-') && digits(i + 8, 2)
        {
            out.push_str("<date>");
            i += 10;
            if (at(i, 'T') || at(i, ' ')) && digits(i + 1, 2) && at(i + 3, ':') && digits(i + 4, 2)
            {
                out.push_str("<time>");
                i += 6;
                if at(i, ':') && digits(i + 1, 2) {
                    i += 3;
                }
                if at(i, '.') {
                    i += 1;
                    while i < c.len() && c[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                if at(i, 'Z') {
                    i += 1;
                } else if (at(i, '+') || at(i, '-')) && digits(i + 1, 2) && at(i + 3, ':') {
                    i += 6;
                }
            }
            continue;
        }
        // 2026年3月2日
        if digits(i, 4) && at(i + 4, '年') {
            let mut j = i + 5;
            while j < c.len() && c[j].is_ascii_digit() {
                j += 1;
            }
            if at(j, '月') {
                let mut k = j + 1;
                while k < c.len() && c[k].is_ascii_digit() {
                    k += 1;
                }
                if at(k, '日') {
                    out.push_str("<date>");
                    i = k + 1;
                    continue;
                }
            }
        }
        out.push(c[i]);
        i += 1;
    }
    out
}

#[test]
fn dates_times_and_case_years_are_masked() {
    assert_eq!(
        mask_text("WQ-2026-000123 on 2026-03-02T09:30:00.123+08:00, due 2026-03-09 24:00"),
        "WQ-<year>-000123 on <date><time>, due <date><time>"
    );
    assert_eq!(mask_text("2026年3月2日起"), "<date>起");
    assert_eq!(mask_text("ZL202310123456.6"), "ZL202310123456.6");
    assert_eq!(mask_text("2026-12-04T01:02:03Z!"), "<date><time>!");
}
