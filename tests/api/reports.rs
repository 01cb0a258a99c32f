//! Statistics and the 考核 sheet (issue 17): every figure equals a count computed here in plain
//! SQL, independently of the list code, and the length of the case list it links to; who may see
//! which organisation's figures; CSV and Excel downloads opened with a real reader.

use crate::fixtures::Api;
use crate::helpers::TestApp;
use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value as DbValue};
use serde_json::{Value, json};
use std::collections::HashMap;
use weiquan::domain::time::start_of_day_utc;

/// 48 leads received from January 2025 to November 2026, of three sources, three channels,
/// three kinds of right and three districts, imported for the office of `officer`.
async fn import_leads(app: &TestApp, officer: &Api) {
    let org = officer.org_id().await;
    let mut file = String::from(
        "source,received_at,channel,region_code,description,right_kind,right_number,right_title,respondent_name\n",
    );
    let sources = ["officer", "shared", "hotline_12330"];
    let channels = ["e_commerce", "offline_market", "other"];
    let regions = ["320600", "320612", "320681"];
    let rights = [
        ("trademark", "第12345678号"),
        ("invention_patent", "ZL202310123456.6"),
        ("design_patent", "ZL202330123456.7"),
    ];
    for i in 0..48usize {
        let month = i % 23;
        let (year, m) = (2025 + (month / 12) as i32, month % 12 + 1);
        let (kind, number) = rights[(i / 2) % 3];
        file.push_str(&format!(
            "{},{year}-{m:02}-{:02} 10:00,{},{},线索第{i}号：销售侵权产品。,{kind},{number},产品{i},某某商行{i}\n",
            sources[i % 3],
            1 + i % 27,
            channels[(i / 3) % 3],
            regions[(i / 5) % 3],
        ));
    }
    let path = app.dir.path().join("leads.csv");
    std::fs::write(&path, file).unwrap();
    let out = app.import_leads(&path, org).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// How many of the imported leads were received in 2025 (months 0–11 of `i % 23`).
const LEADS_2025: u64 = 26;

#[test]
fn the_data_set_has_the_leads_the_tests_expect() {
    assert_eq!((0..48).filter(|i| i % 23 < 12).count() as u64, LEADS_2025);
}

/// The count of a figure's cases in plain SQL, from its list filters: the oracle the figures are
/// checked against. `owners` are the organisation and the offices below it.
async fn sql_count(app: &TestApp, query: &str, owners: &[i64], distinct: Option<&str>) -> u64 {
    let backend = app.db.conn().get_database_backend();
    let mut values: Vec<DbValue> = Vec::new();
    let mut arg = |v: DbValue| {
        values.push(v);
        match backend {
            DbBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_string(),
        }
    };
    let day = |d: &str| d.parse::<NaiveDate>().unwrap();
    let next = |d: &str| start_of_day_utc(day(d).succ_opt().unwrap());
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    let mut clauses: Vec<String> = Vec::new();
    let exists = |table: &str, cond: String| {
        format!("EXISTS (SELECT 1 FROM {table} x WHERE x.case_id = cases.id AND {cond})")
    };
    let clock_state = pairs
        .iter()
        .find(|(k, _)| k == "clock_state")
        .map(|(_, v)| v.clone());
    let org_role = pairs
        .iter()
        .find(|(k, _)| k == "org_role")
        .map(|(_, v)| v.clone());
    let owner_list = owners
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    for (k, v) in &pairs {
        let c = match k.as_str() {
            "org" => match org_role.as_deref() {
                None | Some("owner") => format!("owner_org_id IN ({owner_list})"),
                Some("referred_to") => format!("referred_to_org_id IN ({owner_list})"),
                Some("triaged") => exists(
                    "case_events",
                    format!(
                        "x.kind IN ('routed', 'referred', 'rejected', 'merged') \
                         AND x.actor_org_id IN ({owner_list})"
                    ),
                ),
                Some(other) => panic!("org_role {other}"),
            },
            "org_role" => continue,
            "received_from" => format!("received_at >= {}", arg(start_of_day_utc(day(v)).into())),
            "received_to" => format!("received_at < {}", arg(next(v).into())),
            "closed_from" => format!("closed_at >= {}", arg(start_of_day_utc(day(v)).into())),
            "closed_to" => format!("closed_at < {}", arg(next(v).into())),
            "due_before" => format!("next_due_at < {}", arg(next(v).into())),
            "queue" | "state" | "source" | "channel" => {
                format!("{k} = {}", arg(v.clone().into()))
            }
            "closed" if v == "true" => "closed_at IS NOT NULL".into(),
            "open" if v == "true" => "closed_at IS NULL".into(),
            "overdue" if v == "true" => format!("next_due_at < {}", arg(Utc::now().into())),
            "routed" if v == "true" => "queue <> 'triage'".into(),
            "srdi" if v == "true" => "srdi_rank > 0".into(),
            "srdi_level" => {
                let rank = match v.as_str() {
                    "none" => 0,
                    "provincial_srdi" => 1,
                    "national_little_giant" => 2,
                    other => panic!("srdi level {other}"),
                };
                format!("srdi_rank = {rank}")
            }
            "region" => format!(
                "region_code LIKE {}",
                arg(format!("{}%", v.trim_end_matches('0')).into())
            ),
            "right_kind" => exists("case_rights", format!("x.kind = {}", arg(v.clone().into()))),
            "event" => exists("case_events", format!("x.kind = {}", arg(v.clone().into()))),
            "extension_tier" => {
                let tier = match backend {
                    DbBackend::Postgres => "(x.payload::jsonb ->> 'tier')",
                    _ => "json_extract(x.payload, '$.tier')",
                };
                exists(
                    "case_events",
                    format!(
                        "x.kind = 'extension_approved' AND {tier} = {}",
                        arg(v.clone().into())
                    ),
                )
            }
            "cross_region" if v == "true" => {
                let ids = cross_region_ids(app).await;
                if ids.is_empty() {
                    "1 = 0".into()
                } else {
                    format!(
                        "id IN ({})",
                        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                    )
                }
            }
            "shared" if v == "true" => exists(
                "case_shares",
                "x.revoked_at IS NULL AND x.origin = 'granted'".into(),
            ),
            "decided_at_fair" if v == "true" => exists(
                "case_events",
                "x.kind IN ('measures_ordered', 'no_infringement_found') AND x.at <= \
                 (SELECT f.closes_at FROM exhibitions f WHERE f.id = cases.exhibition_id)"
                    .into(),
            ),
            "clock" => {
                let mut cond = format!("x.rule_id = {}", arg(v.clone().into()));
                if let Some(s) = &clock_state {
                    cond.push_str(&format!(" AND x.state = {}", arg(s.clone().into())));
                }
                exists("case_clocks", cond)
            }
            "clock_state" => continue,
            "overseas_country" | "overseas_category" => {
                let field = k.trim_start_matches("overseas_");
                let path = match backend {
                    DbBackend::Postgres => format!("(facts::jsonb #>> '{{overseas,{field}}}')"),
                    _ => format!("json_extract(facts, '$.overseas.{field}')"),
                };
                format!("{path} = {}", arg(v.clone().into()))
            }
            other => panic!("the oracle does not know the filter {other}={v}"),
        };
        clauses.push(c);
    }
    let what = match distinct {
        Some(col) => format!("COUNT(DISTINCT {col})"),
        None => "COUNT(*)".into(),
    };
    let sql = format!(
        "SELECT {what} AS n FROM cases WHERE {}",
        if clauses.is_empty() {
            "1 = 1".to_string()
        } else {
            clauses.join(" AND ")
        }
    );
    let row = app
        .db
        .conn()
        .query_one_raw(Statement::from_sql_and_values(backend, &sql, values))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() as u64
}

/// The cases worked by an office of another region, worked out here from every case, share and
/// organisation read whole (the list's filter is SQL; the rollups use the same rule in Rust).
async fn cross_region_ids(app: &TestApp) -> Vec<i64> {
    let db = app.db.conn();
    let backend = db.get_database_backend();
    let rows = |sql: &str| Statement::from_string(backend, sql.to_string());
    let regions: HashMap<i64, String> = db
        .query_all_raw(rows("SELECT id, region_code FROM organizations"))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get::<i64>("", "id").unwrap(),
                r.try_get::<String>("", "region_code").unwrap(),
            )
        })
        .collect();
    let mut offices: HashMap<i64, (String, Vec<i64>)> = HashMap::new();
    for r in db
        .query_all_raw(rows(
            "SELECT id, region_code, owner_org_id, referred_to_org_id FROM cases",
        ))
        .await
        .unwrap()
    {
        let mut orgs = vec![r.try_get::<i64>("", "owner_org_id").unwrap()];
        orgs.extend(r.try_get::<Option<i64>>("", "referred_to_org_id").unwrap());
        offices.insert(
            r.try_get::<i64>("", "id").unwrap(),
            (r.try_get::<String>("", "region_code").unwrap(), orgs),
        );
    }
    for r in db
        .query_all_raw(rows(
            "SELECT case_id, org_id FROM case_shares WHERE revoked_at IS NULL AND origin = 'granted'",
        ))
        .await
        .unwrap()
    {
        let case = r.try_get::<i64>("", "case_id").unwrap();
        let org = r.try_get::<i64>("", "org_id").unwrap();
        offices.get_mut(&case).unwrap().1.push(org);
    }
    let mut ids: Vec<i64> = offices
        .into_iter()
        .filter(|(_, (region, orgs))| {
            weiquan::domain::region::cross_region(region, orgs.iter().map(|o| regions[o].as_str()))
        })
        .map(|(id, _)| id)
        .collect();
    ids.sort_unstable();
    ids
}

/// The current year in Beijing: what `period` must name for cases filed now.
fn this_year() -> i32 {
    use chrono::Datelike;
    weiquan::domain::time::in_beijing(Utc::now()).year()
}

fn figures(summary: &Value) -> HashMap<String, Value> {
    summary["sections"]
        .as_array()
        .unwrap()
        .iter()
        // The assistance services are not case counts (their own test checks them).
        .filter(|s| s["key"] != "services")
        .flat_map(|s| s["figures"].as_array().unwrap().iter())
        .map(|f| (f["key"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}

fn query_of(f: &Value) -> &str {
    f["list"]
        .as_str()
        .unwrap()
        .strip_prefix("/api/v1/cases?")
        .unwrap()
}

/// Every count in `summary` against the oracle and its list, every rate against its counts.
async fn check_summary(app: &TestApp, api: &Api, summary: &Value, owners: &[i64]) {
    let figs = figures(summary);
    assert!(figs.len() > 40, "{summary}");
    for (key, f) in &figs {
        let value = &f["value"];
        if f["applicable"] == false {
            assert!(value.is_null() && f["list"].is_null(), "{key}");
            continue;
        }
        match f["unit"].as_str().unwrap() {
            "cases" => {
                let q = query_of(f);
                let want = sql_count(app, q, owners, None).await;
                assert_eq!(value.as_u64(), Some(want), "{key}: {q}");
                assert_eq!(
                    api.list_len(f["list"].as_str().unwrap()).await,
                    want,
                    "{key}: the list behind it"
                );
                assert_eq!(
                    f["page"].as_str().unwrap(),
                    f["list"]
                        .as_str()
                        .unwrap()
                        .replace("/api/v1/cases", "/cases")
                );
            }
            "count" => {
                let col = if key == "ex_exhibitions" {
                    "exhibition_id"
                } else {
                    "filer_org_id"
                };
                let want = sql_count(app, query_of(f), owners, Some(col)).await;
                assert_eq!(value.as_u64(), Some(want), "{key}");
            }
            "percent" => {
                let (num, other) = match key.as_str() {
                    "triage_on_time_rate" => ("triage_on_time", "triage_late"),
                    "ar_on_time_rate" => ("ar_on_time", "ar_late"),
                    "triaged_here_rate" => ("triaged_here_on_time", "triaged_here_late"),
                    k => panic!("unknown rate {k}"),
                };
                let n = figs[num]["value"].as_u64().unwrap();
                let o = figs[other]["value"].as_u64().unwrap();
                if n + o == 0 {
                    assert!(value.is_null(), "{key}");
                } else {
                    let want = (1000.0 * n as f64 / (n + o) as f64).round() / 10.0;
                    assert_eq!(value.as_f64(), Some(want), "{key}");
                }
            }
            "days" => {
                if figs["ar_closed"]["value"].as_u64() == Some(0) {
                    assert!(value.is_null(), "{key}");
                }
            }
            u => panic!("unit {u}"),
        }
    }
}

#[tokio::test]
async fn every_figure_equals_a_count_of_its_own_and_the_list_behind_it() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    import_leads(&app, &officer).await;
    let supervisor = app.api_as("demo-supervisor").await;
    let office = supervisor.org_id().await;
    let centre = app.api_as("demo-triager").await.org_id().await;
    let owners = [office, centre];
    // A ruling request whose docketing period the head of department extended, and one whose
    // extension was refused: the figures by tier count the first only.
    for approve in [true, false] {
        let filed = app.complaint().routed("administrative_ruling").file().await;
        let path = filed.path("/deadlines/ar.docket/extension");
        let ask = json!({"action": "request", "tier": "department_head", "amount": 2,
                         "reason": "需补充调查", "expected_version": filed.last["version"]});
        let (s, asked) = officer.post(&path, &ask).await;
        assert_eq!(s, 200, "{asked}");
        let (_, events) = officer.get(&filed.path("/events")).await;
        let seq = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "extension_requested")
            .unwrap()["seq"]
            .clone();
        let decide = json!({"action": if approve { "approve" } else { "refuse" },
                            "request_seq": seq, "reason": "不予延长",
                            "expected_version": asked["version"]});
        let (s, decided) = supervisor.post(&path, &decide).await;
        assert_eq!(s, 200, "{decided}");
    }
    // Two complaints at a fair closing tomorrow: measures ordered at the fair for one, the
    // other still waiting.
    let closes = Utc::now() + chrono::TimeDelta::hours(30);
    for (respondent, decide) in [
        ("苏州某精密设备有限公司", true),
        ("无锡某机床配件厂", false),
    ] {
        let mut at_fair = app
            .complaint()
            .at_fair_closing(closes)
            .design_patent()
            .respondent(respondent)
            .routed("exhibition_enforcement")
            .step("transfer", json!({}), "transferred");
        if decide {
            at_fair = at_fair
                .step("notify_respondent", json!({}), "respondent_notified")
                .step("record_no_answer", json!({}), "no_answer")
                .step(
                    "order_measures",
                    json!({"measures": ["withdraw_exhibit"], "findings": "展品与外观设计相同"}),
                    "measures_ordered",
                );
        }
        at_fair.file().await;
    }
    let year = this_year();
    let (_, now) = supervisor
        .get(&format!("/api/v1/reports/summary?period={year}"))
        .await;
    let now = figures(&now);
    assert_eq!(now["ex_decided_at_fair"]["value"], 1);
    // The complaint still waiting is among the exhibition cases not decided at the fair.
    let (s, undecided) = supervisor
        .get("/api/v1/cases?queue=exhibition_enforcement&decided_at_fair=false")
        .await;
    assert_eq!(s, 200, "{undecided}");
    let states: Vec<&str> = undecided["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert!(states.contains(&"transferred") && !states.contains(&"measures_ordered"));
    // A tier no rule has is refused, not answered with an empty list.
    let (s, b) = supervisor
        .get("/api/v1/cases?extension_tier=minister")
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "extension_tier");
    assert_eq!(now["ar_extended_department_head"]["value"], 1);
    assert_eq!(now["ar_extended_higher_department"]["value"], 0);
    assert_eq!(now["ar_extended"]["value"], 1);
    for query in [
        "period=2026",
        "period=2025-Q2",
        "from=2025-03-15&to=2026-02-10&channel=e_commerce",
        "period=2025&source=hotline_12330&right_kind=trademark",
        "period=2026&region=320612&srdi_level=none",
    ] {
        let (s, summary) = supervisor
            .get(&format!("/api/v1/reports/summary?{query}"))
            .await;
        assert_eq!(s, 200, "{query}: {summary}");
        assert_eq!(summary["org"]["id"], office);
        check_summary(&app, &supervisor, &summary, &owners).await;
    }
    // The year's intake is not zero: the data set is really counted.
    let (_, year) = supervisor.get("/api/v1/reports/summary?period=2025").await;
    let figs = figures(&year);
    assert_eq!(figs["received"]["value"], LEADS_2025, "leads of 2025");
    let hotline = (0..48).filter(|i| i % 23 < 12 && i % 3 == 2).count();
    assert_eq!(figs["received_hotline"]["value"], hotline);

    // A breakdown's rows add up to the whole when the grouping covers every case.
    let (_, by) = supervisor
        .get("/api/v1/reports/summary?period=2025&group_by=channel")
        .await;
    let total: u64 = by["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["figures"][0]["value"].as_u64().unwrap())
        .sum();
    assert_eq!(total, LEADS_2025);
    for g in by["groups"].as_array().unwrap() {
        let f = &g["figures"][0];
        assert_eq!(f["key"], "received");
        assert_eq!(
            supervisor.list_len(f["list"].as_str().unwrap()).await,
            f["value"].as_u64().unwrap(),
            "{g}"
        );
    }
    // A figure whose own filter contradicts the report's is not applicable, not zero.
    let (_, ex) = supervisor
        .get("/api/v1/reports/summary?period=2026&queue=exhibition_enforcement")
        .await;
    let figs = figures(&ex);
    assert!(figs["ar_requests"]["value"].is_null());
    assert_eq!(figs["ar_requests"]["applicable"], false);
    assert!(figs["ex_complaints"]["value"].as_u64().is_some());
}

#[tokio::test]
async fn a_province_sees_its_cities_and_nobody_sees_beyond_their_reach() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    import_leads(&app, &officer).await;
    let supervisor = app.api_as("demo-supervisor").await;
    let admin = app.api_as("demo-admin").await;
    let filer = app.api_as("demo-enterprise").await;
    let city = supervisor.org_id().await;
    let province = admin.org_id().await;
    let centre = app.api_as("demo-triager").await.org_id().await;

    // The provincial office's figures cover the city office and the centre below it.
    let (s, prov) = admin.get("/api/v1/reports/summary?period=2026").await;
    assert_eq!(s, 200, "{prov}");
    check_summary(&app, &admin, &prov, &[province, city, centre]).await;
    let (_, of_city) = admin
        .get(&format!(
            "/api/v1/reports/summary?period=2026&org_id={city}"
        ))
        .await;
    let (_, own) = supervisor.get("/api/v1/reports/summary?period=2026").await;
    assert_eq!(figures(&of_city)["received"], figures(&own)["received"]);
    // …and its head reads the city's cases (but works none of them).
    let (_, list) = supervisor.get("/api/v1/cases?owner=mine&limit=1").await;
    let case_id = list["items"][0]["id"].as_i64().unwrap();
    let (s, _) = admin.get(&format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(s, 200);
    let (_, actions) = admin.get(&format!("/api/v1/cases/{case_id}/actions")).await;
    assert!(
        actions["actions"].as_array().is_none_or(|a| a.is_empty()),
        "{actions}"
    );

    // Outside one's reach: 404, whoever asks.
    for (who, org) in [
        (&supervisor, province),
        (&officer, province),
        (&filer, city),
    ] {
        let (s, b) = who
            .get(&format!("/api/v1/reports/summary?org_id={org}"))
            .await;
        assert_eq!(s, 404, "{b}");
        let (s, _) = who.get(&format!("/api/v1/cases?org={org}")).await;
        assert_eq!(s, 404);
    }
    let (s, _) = supervisor
        .get("/api/v1/reports/summary?org_id=999999")
        .await;
    assert_eq!(s, 404);

    // An enterprise sees the figures of its own filings only.
    let (s, mine) = filer.get("/api/v1/reports/summary?period=2026").await;
    assert_eq!(s, 200, "{mine}");
    let (_, filed) = filer.get("/api/v1/cases?limit=200").await;
    let received_2026 = filed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["received_at"].as_str().unwrap().starts_with("2026"))
        .count() as u64;
    assert_eq!(
        figures(&mine)["received"]["value"].as_u64(),
        Some(received_2026)
    );
    // Which offices work its filings is not the filer's to see: no cooperation figures, and
    // the list refuses the filters that would tell.
    assert!(
        mine["sections"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["key"] != "cooperation"),
        "{mine}"
    );
    for q in ["shared=true", "cross_region=false", "org_role=owner"] {
        let (s, b) = filer.get(&format!("/api/v1/cases?{q}")).await;
        assert_eq!(s, 422, "{q}: {b}");
        assert_eq!(b["errors"][0]["field"], q.split('=').next().unwrap());
    }

    // The 考核 sheet is for heads of office and administrators.
    let (s, _) = officer.get("/api/v1/reports/assessment").await;
    assert_eq!(s, 403);
    let (s, _) = filer.get("/api/v1/reports/assessment").await;
    assert_eq!(s, 403);
    let (s, _) = supervisor
        .get(&format!("/api/v1/reports/assessment?org_id={province}"))
        .await;
    assert_eq!(s, 404);
    // Bad input is a field error.
    for (q, field) in [
        ("period=2026-13", "period"),
        ("from=2026-05-01&to=2026-04-01", "to"),
        ("group_by=colour", "group_by"),
        ("channel=carrier_pigeon", "channel"),
    ] {
        let (s, b) = supervisor
            .get(&format!("/api/v1/reports/summary?{q}"))
            .await;
        assert_eq!(s, 422, "{q}: {b}");
        assert_eq!(b["errors"][0]["field"], field, "{q}");
    }
    let (s, b) = supervisor.get("/api/v1/reports/assessment?year=1999").await;
    assert_eq!((s, b["errors"][0]["field"].as_str()), (422, Some("year")));
}

#[tokio::test]
async fn the_assessment_sheet_counts_the_year_against_the_one_before() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    import_leads(&app, &officer).await;
    let supervisor = app.api_as("demo-supervisor").await;
    let owners = [
        supervisor.org_id().await,
        app.api_as("demo-triager").await.org_id().await,
    ];
    let (s, sheet) = supervisor.get("/api/v1/reports/assessment?year=2026").await;
    assert_eq!(s, 200, "{sheet}");
    let items = sheet["items"].as_array().unwrap();
    assert_eq!(items.len(), 8);
    let weight: f64 = items.iter().map(|i| i["weight"].as_f64().unwrap()).sum();
    assert_eq!(weight, 100.0);
    let total: f64 = items.iter().filter_map(|i| i["score"].as_f64()).sum();
    assert!((sheet["total"].as_f64().unwrap() - total).abs() < 0.05);
    for i in items {
        let lists = i["lists"].as_array().unwrap();
        assert!(!lists.is_empty(), "{i}");
        assert_eq!(i["cases"], lists[0]["list"]);
        if i["unit"] == "cases" {
            // The item adds up its figures; each is counted independently.
            let mut want = 0;
            let mut before = 0;
            for l in lists {
                let q = l["list"]
                    .as_str()
                    .unwrap()
                    .strip_prefix("/api/v1/cases?")
                    .unwrap();
                want += sql_count(&app, q, &owners, None).await;
                let q2025 = q.replace("2026-", "2025-");
                before += sql_count(&app, &q2025, &owners, None).await;
            }
            assert_eq!(i["value"].as_u64(), Some(want), "{i}");
            assert_eq!(i["previous"].as_u64(), Some(before), "{i}");
            match (want, before) {
                (_, 0) => assert!(i["growth"].is_null()),
                (w, b) => {
                    let g = ((w as f64 - b as f64) / b as f64 * 1000.0).round() / 10.0;
                    assert_eq!(i["growth"].as_f64(), Some(g), "{i}");
                }
            }
        }
    }
    // The exhibition and e-commerce item grew: 2025 had e-commerce leads, 2026 has them and the
    // demo's exhibition complaint.
    let ex = items
        .iter()
        .find(|i| i["key"] == "exhibition_ecommerce")
        .unwrap();
    assert!(ex["value"].as_u64().unwrap() > 0 && ex["previous"].as_u64().unwrap() > 0);
}

fn read_xlsx(bytes: &[u8]) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    book.worksheet_range_at(0).unwrap().unwrap()
}

#[tokio::test]
async fn reports_and_lists_download_as_csv_and_excel_with_the_same_rows() {
    use calamine::Data;
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    import_leads(&app, &officer).await;
    let supervisor = app.api_as("demo-supervisor").await;

    // The case list as a workbook: the list's rows, in order, with typed receipt times.
    let query = "received_from=2025-01-01&received_to=2025-12-31&org=";
    let org = supervisor.org_id().await;
    let (_, page) = supervisor
        .get(&format!("/api/v1/cases?{query}{org}&limit=200"))
        .await;
    let numbers: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len() as u64, LEADS_2025);
    let res = supervisor
        .get_response(&format!("/api/v1/cases?{query}{org}&format=xlsx"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let sheet = read_xlsx(&res.bytes().await.unwrap());
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows[0][0], Data::String("案件编号".into()));
    let listed: Vec<String> = rows[1..].iter().map(|r| r[0].to_string()).collect();
    assert_eq!(listed, numbers);
    assert!(
        matches!(rows[1][7], Data::DateTime(_)),
        "receipt time is a date cell: {:?}",
        rows[1][7]
    );

    // The statistics as CSV and as a workbook hold the JSON's figures.
    let (_, summary) = supervisor.get("/api/v1/reports/summary?period=2025").await;
    let sections = summary["sections"].as_array().unwrap();
    // The sections' figures, then the cells of the breakdowns under them (overseas requests by
    // category: a row per category even in a year without any).
    let cells = sections
        .iter()
        .flat_map(|s| s["tables"].as_array().unwrap().iter())
        .flat_map(|t| t["rows"].as_array().unwrap().iter())
        .flat_map(|r| r["figures"].as_array().unwrap().iter());
    let figs: Vec<(String, Value)> = sections
        .iter()
        .flat_map(|s| s["figures"].as_array().unwrap().iter())
        .chain(cells)
        .map(|f| (f["label"].as_str().unwrap().to_string(), f["value"].clone()))
        .collect();
    assert!(figs.len() > 60, "{} figures and cells", figs.len());
    let res = supervisor
        .get_response("/api/v1/reports/summary?period=2025&format=xlsx")
        .await;
    assert_eq!(res.status(), 200);
    let sheet = read_xlsx(&res.bytes().await.unwrap());
    let rows: Vec<&[Data]> = sheet.rows().skip(1).collect();
    assert_eq!(rows.len(), figs.len());
    for (row, (label, value)) in rows.iter().zip(&figs) {
        assert_eq!(row[1].to_string(), *label);
        match value.as_f64() {
            Some(v) => assert_eq!(row[2], Data::Float(v), "{label}"),
            None => assert_eq!(row[2], Data::Empty, "{label}"),
        }
    }
    let res = supervisor
        .get_response("/api/v1/reports/summary?period=2025&format=csv")
        .await;
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let csv_rows = csv::Reader::from_reader(&bytes[3..]).records().count();
    assert_eq!(csv_rows, figs.len());

    // The 考核 sheet as a workbook: one row per item and the total.
    let (_, a) = supervisor.get("/api/v1/reports/assessment?year=2026").await;
    let res = supervisor
        .get_response("/api/v1/reports/assessment?year=2026&format=xlsx")
        .await;
    let sheet = read_xlsx(&res.bytes().await.unwrap());
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 1 + a["items"].as_array().unwrap().len() + 1);
    assert_eq!(
        rows.last().unwrap()[5],
        Data::Float(a["total"].as_f64().unwrap())
    );
    // An enterprise downloads its own list only; a bad format is a field error.
    let filer = app.api_as("demo-enterprise").await;
    let res = filer.get_response("/api/v1/cases?format=xlsx").await;
    let sheet = read_xlsx(&res.bytes().await.unwrap());
    let (_, own) = filer.get("/api/v1/cases?limit=200").await;
    assert_eq!(
        sheet.rows().count() - 1,
        own["items"].as_array().unwrap().len()
    );
    let (s, _) = supervisor.get("/api/v1/reports/summary?format=pdf").await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn the_statistics_page_links_each_figure_to_its_list_and_draws_accessible_charts() {
    let app = TestApp::spawn().await;
    let supervisor = app.browser_as("demo-supervisor").await;
    let html = supervisor.html("/reports?period=2026&group_by=queue").await;
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("<title id=\"chart-received-t\">每月收到线索</title>"));
    assert!(html.contains("<desc id=\"chart-received-d\">"));
    assert!(html.contains("class=\"dense chart-data\""));
    // The first figure links to the list; the list page says what it holds.
    let start = html.find("data-figure=\"received\"").unwrap();
    let href_at = html[start..].find("href=\"").unwrap() + start + 6;
    let href = &html[href_at..href_at + html[href_at..].find('"').unwrap()];
    let href = href.replace("&amp;", "&").replace("&#x3D;", "=");
    assert!(href.starts_with("/cases?org="), "{href}");
    let list = supervisor.html(&href).await;
    assert!(list.contains("收到于 2026-01-01 至 2026-12-31"), "{list}");
    // Overseas requests by category, each cell a link to the requests of that category.
    let table = html
        .find("data-table=\"ov_by_category\"")
        .expect("the overseas table");
    assert!(html[table..].contains("<caption>海外维权援助 · 按类别</caption>"));
    assert!(html[table..].contains("<th scope=\"row\">美国 337 调查</th>"));
    let cell = html[table..].find("data-figure=\"ov_requests\"").unwrap() + table;
    let href_at = html[cell..].find("href=\"").unwrap() + cell + 6;
    let href = &html[href_at..href_at + html[href_at..].find('"').unwrap()];
    let href = href.replace("&amp;", "&").replace("&#x3D;", "=");
    assert!(href.contains("overseas_category=us_337"), "{href}");
    let list = supervisor.html(&href).await;
    assert!(list.contains("美国 337 调查"), "{list}");
    // A bad period comes back in the form with its message, not as an error page.
    let (s, page) = supervisor.page("/reports?period=2026-13").await;
    assert_eq!(s, 200);
    assert!(page.contains("期间的格式为"), "{page}");
    assert!(page.contains("value=\"2026-13\""));
    // The 考核 sheet prints; an officer may not open it.
    let (s, sheet) = supervisor.page("/reports/assessment").await;
    assert_eq!(s, 200);
    assert!(sheet.contains("data-print"));
    let officer = app.browser_as("demo-officer").await;
    let (s, _) = officer.page("/reports/assessment").await;
    assert_eq!(s, 403);
    let (s, _) = officer.page("/reports").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn the_audit_log_the_registry_search_hits_and_queue_boards_download_whole() {
    use calamine::Data;
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    import_leads(&app, &officer).await;

    // The audit log, for administrators: every entry, newest first.
    let admin = app.browser_as("demo-admin").await;
    let res = admin.get("/admin/audit?format=csv").await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(&bytes[3..])
        .records()
        .map(Result::unwrap)
        .collect();
    let logged = sql_scalar(&app, "SELECT COUNT(*) AS n FROM audit_log").await;
    assert_eq!(rows.len() as u64, logged);
    let seqs: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first");
    let res = officer.get_response("/admin/audit?format=csv").await;
    assert_ne!(res.status(), 200, "not for an officer");
    let page = app.browser_as("demo-officer").await;
    assert_eq!(page.get("/admin/audit?format=xlsx").await.status(), 403);

    // The 专精特新 registry as a workbook.
    let res = admin.get("/srdi?format=xlsx").await;
    assert_eq!(res.status(), 200);
    let sheet = read_xlsx(&res.bytes().await.unwrap());
    let entries = sql_scalar(
        &app,
        "SELECT COUNT(*) AS n FROM srdi_registry WHERE withdrawn_at IS NULL",
    )
    .await;
    assert_eq!(sheet.rows().count() as u64 - 1, entries);
    assert!(
        matches!(sheet.rows().nth(1).unwrap()[3], Data::Float(_)),
        "the year is a number"
    );

    // Search hits: every hit, across pages (once the indexer has taken in the import).
    let mut total = 0;
    for _ in 0..200 {
        let (_, found) = officer.get("/api/v1/search?q=销售侵权产品&limit=5").await;
        total = found["total"].as_u64().unwrap();
        if total >= 48 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(total >= 48, "{total} hits");
    let res = officer
        .get_response("/api/v1/search?q=销售侵权产品&format=xlsx")
        .await;
    assert_eq!(res.status(), 200);
    let sheet = read_xlsx(&res.bytes().await.unwrap());
    assert_eq!(sheet.rows().count() as u64 - 1, total);
    assert!(
        !sheet.rows().nth(1).unwrap()[4]
            .to_string()
            .contains("<mark>"),
        "snippets as plain text"
    );
    let (s, _) = officer.get("/api/v1/search?q=侵权&format=pdf").await;
    assert_eq!(s, 422);

    // A queue board links to its cases as a download with the board's filters.
    let html = page
        .html("/queues/administrative_ruling")
        .await
        .replace("&amp;", "&")
        .replace("&#x3D;", "=");
    let at = html.find("format=xlsx").expect("the board's Excel link");
    let start = html[..at].rfind("href=\"").unwrap() + 6;
    let href = html[start..at + "format=xlsx".len()].to_string();
    let res = page.get(&href).await;
    assert_eq!(res.status(), 200, "{href}");
    let sheet = read_xlsx(&res.bytes().await.unwrap());
    let (_, list) = officer
        .get("/api/v1/cases?queue=administrative_ruling&limit=200")
        .await;
    assert_eq!(
        sheet.rows().count() - 1,
        list["items"].as_array().unwrap().len()
    );
}

async fn sql_scalar(app: &TestApp, sql: &str) -> u64 {
    let backend = app.db.conn().get_database_backend();
    let row = app
        .db
        .conn()
        .query_one_raw(Statement::from_string(backend, sql.to_string()))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() as u64
}

/// The `received` figure of a year's statistics.
async fn received_in(api: &Api, period: &str) -> u64 {
    let (s, summary) = api
        .get(&format!("/api/v1/reports/summary?period={period}"))
        .await;
    assert_eq!(s, 200, "{summary}");
    figures(&summary)["received"]["value"].as_u64().unwrap()
}

async fn cli_ok(app: &TestApp, args: &[&str]) -> (Option<i32>, String) {
    let out = app.cli(args).await;
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn the_rollups_equal_a_count_of_the_cases_after_writes_and_are_what_the_figures_read() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    import_leads(&app, &officer).await;
    // Writes of several kinds on top of the imported leads: routed, rejected, shared, a lead
    // entered by an office and routed, an exhibition complaint.
    app.complaint().routed("administrative_ruling").file().await;
    app.complaint()
        .triage(json!({"action": "reject", "reason_code": "court_action_pending", "reason": "已向南通中院起诉"}))
        .file()
        .await;
    app.lead("demo-officer", "officer")
        .design_patent()
        .routed("administrative_ruling")
        .file()
        .await;
    app.complaint().at_fair().file().await;
    let (code, out) = cli_ok(&app, &["reports", "check"]).await;
    assert_eq!(code, Some(0), "{out}");

    let supervisor = app.api_as("demo-supervisor").await;
    let office = supervisor.org_id().await;
    let centre = app.api_as("demo-triager").await.org_id().await;
    let year = chrono::Datelike::year(&Utc::now());
    for query in [
        format!("period={year}"),
        format!("period={year}&group_by=queue"),
    ] {
        let (s, summary) = supervisor
            .get(&format!("/api/v1/reports/summary?{query}"))
            .await;
        assert_eq!(s, 200, "{summary}");
        check_summary(&app, &supervisor, &summary, &[office, centre]).await;
    }

    // The figures are read from the counters: a counter changed behind the service's back
    // shows, the check names it, and a rebuild puts it right.
    let honest = received_in(&supervisor, &year.to_string()).await;
    assert!(honest >= 4, "{honest}");
    app.db
        .conn()
        .execute_unprepared(&format!(
            "UPDATE report_rollup SET n = n + 1000 WHERE figure = 'received' AND dim = '' \
             AND org_id = {office} AND bucket LIKE '{year}-%'"
        ))
        .await
        .unwrap();
    assert!(received_in(&supervisor, &year.to_string()).await >= honest + 1000);
    let (code, out) = cli_ok(&app, &["reports", "check"]).await;
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("\"received\""), "{out}");
    let (code, out) = cli_ok(&app, &["reports", "rebuild"]).await;
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = cli_ok(&app, &["reports", "check"]).await;
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(received_in(&supervisor, &year.to_string()).await, honest);
}

/// The assistance services are counted in the statistics of the office that gives them, each
/// figure linking to the list behind it, and the consultation figures equal that list's count.
#[tokio::test]
async fn the_statistics_count_consultations_and_health_checks_with_the_lists_behind_them() {
    let app = TestApp::spawn().await;
    let enterprise = app.api_as("demo-enterprise").await;
    let triager = app.api_as("demo-triager").await;
    for q in [
        "申请发明专利前需要做哪些检索？",
        "展会上发现仿冒产品应如何取证？",
    ] {
        let (s, _) = enterprise
            .post(
                "/api/v1/consultations",
                &json!({"topic": "enforcement", "question": q}),
            )
            .await;
        assert_eq!(s, 201);
    }
    let (_, c) = triager.get("/api/v1/consultations").await;
    let first = c["items"][0]["id"].as_i64().unwrap();
    triager
        .post(
            &format!("/api/v1/consultations/{first}/answer"),
            &json!({"answer": "建议先做查新检索。", "minutes_spent": 15}),
        )
        .await;
    let (s, _) = enterprise
        .post(
            "/api/v1/health-checks",
            &json!({"areas": ["trademark"], "products": "精密减速器", "contact_name": "周华",
                    "contact_phone": "13800001111"}),
        )
        .await;
    assert_eq!(s, 201);

    let (s, report) = triager
        .get(&format!("/api/v1/reports/summary?period={}", this_year()))
        .await;
    assert_eq!(s, 200, "{report}");
    let services = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "services")
        .expect("the services section")
        .clone();
    let figure = |k: &str| {
        services["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == k)
            .unwrap_or_else(|| panic!("{k} in {services}"))
            .clone()
    };
    let asked = figure("consultations");
    let (_, listed) = triager.get(asked["list"].as_str().unwrap()).await;
    assert_eq!(asked["value"], listed["total"], "{asked}");
    assert!(asked["value"].as_i64().unwrap() >= 2);
    let answered = figure("consultations_answered");
    let (_, listed) = triager.get(answered["list"].as_str().unwrap()).await;
    assert_eq!(answered["value"], listed["total"], "{answered}");
    assert!(figure("consultation_minutes")["value"].as_i64().unwrap() >= 15);
    for key in ["checks_requested", "checks_completed"] {
        let f = figure(key);
        let (_, listed) = triager.get(f["list"].as_str().unwrap()).await;
        assert_eq!(f["value"], listed["total"], "{f}");
    }
    assert_eq!(figure("checks_requested")["value"], 1);
    assert_eq!(figure("checks_completed")["value"], 0);
    // An officer of the city office, who does not oversee the centre, counts only what his own
    // office was asked — as his lists show.
    let officer = app.api_as("demo-officer").await;
    let (_, theirs) = officer
        .get(&format!("/api/v1/reports/summary?period={}", this_year()))
        .await;
    let theirs = theirs["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "services")
        .expect("the services section")
        .clone();
    for f in theirs["figures"].as_array().unwrap() {
        if f["unit"] == "count" && f["page"].as_str().unwrap().starts_with("/consultations") {
            let (_, listed) = officer.get(f["list"].as_str().unwrap()).await;
            assert_eq!(f["value"], listed["total"], "{f}");
        }
    }
    // Narrowed to a queue, the figures about cases only.
    let (_, narrowed) = triager
        .get(&format!(
            "/api/v1/reports/summary?period={}&queue=overseas_assistance",
            this_year()
        ))
        .await;
    assert!(
        narrowed["sections"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["key"] != "services")
    );
    // The page shows the section.
    let page = app
        .browser_as("demo-triager")
        .await
        .html(&format!("/reports?period={}", this_year()))
        .await;
    assert!(
        page.contains("援助服务") && page.contains("href=\"/health-checks\""),
        "services on the page"
    );
}

/// The section `key` of a summary.
fn section<'a>(summary: &'a Value, key: &str) -> &'a Value {
    summary["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no section {key}: {summary}"))
}

/// A breakdown table's rows as value → (figure → count), each cell checked against the oracle
/// and the list behind it.
async fn table_of(
    app: &TestApp,
    api: &Api,
    table: &Value,
    owners: &[i64],
) -> Vec<(String, HashMap<String, u64>)> {
    let mut out = Vec::new();
    for row in table["rows"].as_array().unwrap() {
        let mut cells = HashMap::new();
        for f in row["figures"].as_array().unwrap() {
            let n = f["value"].as_u64().unwrap();
            let q = query_of(f);
            assert_eq!(sql_count(app, q, owners, None).await, n, "{q}");
            assert_eq!(api.list_len(f["list"].as_str().unwrap()).await, n, "{q}");
            cells.insert(f["key"].as_str().unwrap().to_string(), n);
        }
        out.push((row["value"].as_str().unwrap().to_string(), cells));
    }
    out
}

#[tokio::test]
async fn overseas_requests_break_down_by_category_and_country_and_referrals_count_where_received() {
    let app = TestApp::spawn().await;
    let supervisor = app.api_as("demo-supervisor").await;
    let office = supervisor.org_id().await;
    let centre = app.api_as("demo-triager").await.org_id().await;
    let industry = app.api_as("demo-industry").await;
    let industry_org = industry.org_id().await;
    for (country, category) in [
        ("US", "us_337"),
        ("US", "trademark_squatting"),
        ("DE", "foreign_litigation"),
    ] {
        app.complaint()
            .overseas(json!({"country": country, "category": category}))
            .routed("overseas_assistance")
            .file()
            .await;
    }
    // Still waiting for triage: not an overseas request yet.
    app.complaint()
        .overseas(json!({"country": "JP", "category": "us_337"}))
        .file()
        .await;
    let referred = app
        .complaint()
        .referred(industry_org, "涉及工业产品质量，属工信部门职责")
        .file()
        .await;

    let year = this_year();
    let today = weiquan::domain::time::day_of(Utc::now());
    // The year in whole months is read from the rollups, a range from a day before it from the
    // lists: both give the same rows.
    for query in [
        format!("period={year}"),
        format!("from={}-12-31&to={today}", year - 1),
    ] {
        let (s, summary) = supervisor
            .get(&format!("/api/v1/reports/summary?{query}"))
            .await;
        assert_eq!(s, 200, "{query}: {summary}");
        check_summary(&app, &supervisor, &summary, &[office, centre]).await;
        let overseas = section(&summary, "overseas");
        let tables = overseas["tables"].as_array().unwrap();
        let by_category = table_of(&app, &supervisor, &tables[0], &[office, centre]).await;
        assert_eq!(tables[0]["group_by"], "overseas_category");
        assert_eq!(by_category.len(), 6, "every category has its row");
        let requests = |rows: &[(String, HashMap<String, u64>)], v: &str| {
            rows.iter()
                .find(|(value, _)| value == v)
                .map(|(_, c)| c["ov_requests"])
        };
        assert_eq!(requests(&by_category, "us_337"), Some(1), "{query}");
        assert_eq!(requests(&by_category, "trademark_squatting"), Some(1));
        assert_eq!(requests(&by_category, "foreign_litigation"), Some(1));
        assert_eq!(requests(&by_category, "other"), Some(0));
        let by_country = table_of(&app, &supervisor, &tables[1], &[office, centre]).await;
        let countries: Vec<&str> = by_country.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(countries, ["DE", "US"], "{query}");
        assert_eq!(
            tables[1]["rows"][1]["label"], "美国 (US)",
            "named in the catalogue"
        );
        assert_eq!(requests(&by_country, "US"), Some(2));
        assert_eq!(requests(&by_country, "DE"), Some(1));
        let figs = figures(&summary);
        assert_eq!(figs["ov_requests"]["value"], 3);
        // An IP office counts the leads it owns, whoever triaged them: no triage-work figures.
        assert!(!figs.contains_key("triaged_here"), "{query}");
        // The centre keeps a read share of each lead it triaged, which is not cooperation.
        assert_eq!(figs["shared"]["value"], 0, "{query}");
        assert_eq!(figs["referred_out"]["value"], 1);
    }

    // The centre's own figures count the leads it triaged, though the office owns them: it
    // keeps reading them, so the list behind the figure holds them all.
    let triager = app.api_as("demo-triager").await;
    let (s, own) = triager
        .get(&format!("/api/v1/reports/summary?period={year}"))
        .await;
    assert_eq!(s, 200, "{own}");
    check_summary(&app, &triager, &own, &[centre]).await;
    let figs = figures(&own);
    assert_eq!(figs["triaged_here"]["value"], 4, "{}", figs["triaged_here"]);
    assert_eq!(figs["received"]["value"], 0, "the centre owns none of them");

    // The industry office counts the lead referred to it, and the list behind it holds it.
    let (s, theirs) = industry
        .get(&format!("/api/v1/reports/summary?period={year}"))
        .await;
    assert_eq!(s, 200, "{theirs}");
    check_summary(&app, &industry, &theirs, &[industry_org]).await;
    let f = &figures(&theirs)["referred_in"];
    assert_eq!(f["value"], 1, "{f}");
    let (_, list) = industry.get(f["list"].as_str().unwrap()).await;
    assert_eq!(list["items"][0]["id"], referred.id);

    // Bad values of the new filters are field errors.
    for (q, field) in [
        ("overseas_country=USA".to_string(), "overseas_country"),
        (
            "overseas_category=moon_landing".to_string(),
            "overseas_category",
        ),
        (format!("org={office}&org_role=boss"), "org_role"),
        ("org_role=triaged".to_string(), "org"),
    ] {
        let (s, b) = supervisor.get(&format!("/api/v1/cases?{q}")).await;
        assert_eq!(s, 422, "{q}: {b}");
        assert_eq!(b["errors"][0]["field"], field, "{q}");
    }
}

#[tokio::test]
async fn a_case_worked_with_another_regions_office_is_cross_region_until_that_office_moves() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let supervisor = app.api_as("demo-supervisor").await;
    let office = supervisor.org_id().await;
    let centre = app.api_as("demo-triager").await.org_id().await;
    let admin = app.browser_as("demo-admin").await;
    let name = "苏州市知识产权局（协作测试）";
    let org_form = |region: &'static str| {
        vec![
            ("name", name),
            ("kind", "ip_office"),
            ("region_code", region),
        ]
    };
    let res = admin
        .post_form("/admin/orgs/new", "/admin/orgs", &org_form("320500"))
        .await;
    assert_eq!(res.status(), 303);
    let suzhou = sql_scalar(
        &app,
        &format!("SELECT id AS n FROM organizations WHERE name = '{name}'"),
    )
    .await as i64;
    // A ruling request of Nantong, shared for reading with the Suzhou office; another only
    // triaged by the centre of its own region.
    let filed = app.complaint().routed("administrative_ruling").file().await;
    app.complaint().routed("administrative_ruling").file().await;
    let (s, b) = officer
        .post(
            &filed.path("/shares"),
            &json!({"org_id": suzhou, "access": "read"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");

    let year = this_year();
    let today = weiquan::domain::time::day_of(Utc::now());
    let queries = [
        format!("period={year}"),
        format!("from={}-12-31&to={today}", year - 1),
    ];
    for query in &queries {
        let (s, summary) = supervisor
            .get(&format!("/api/v1/reports/summary?{query}"))
            .await;
        assert_eq!(s, 200, "{summary}");
        check_summary(&app, &supervisor, &summary, &[office, centre]).await;
        let figs = figures(&summary);
        assert_eq!(figs["cross_region"]["value"], 1, "{query}");
        assert_eq!(figs["shared"]["value"], 1, "{query}");
        let (_, list) = supervisor
            .get(figs["cross_region"]["list"].as_str().unwrap())
            .await;
        assert_eq!(list["items"][0]["id"], filed.id);
    }
    // The 考核 sheet scores it as a case worked across regions.
    let (_, sheet) = supervisor
        .get(&format!("/api/v1/reports/assessment?year={year}"))
        .await;
    let item = sheet["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "cross_region")
        .cloned()
        .expect("the cross-region item");
    assert_eq!(item["value"], 1, "{item}");

    // The Suzhou office turns out to be Nantong's: the case is no longer worked across regions,
    // in the rollups (counted again) as in the lists.
    let res = admin
        .post_form(
            &format!("/admin/orgs/{suzhou}/edit"),
            &format!("/admin/orgs/{suzhou}"),
            &org_form("320600"),
        )
        .await;
    assert_eq!(res.status(), 303);
    for query in &queries {
        let (_, summary) = supervisor
            .get(&format!("/api/v1/reports/summary?{query}"))
            .await;
        check_summary(&app, &supervisor, &summary, &[office, centre]).await;
        assert_eq!(figures(&summary)["cross_region"]["value"], 0, "{query}");
    }
    let (code, out) = cli_ok(&app, &["reports", "check"]).await;
    assert_eq!(code, Some(0), "{out}");
}
