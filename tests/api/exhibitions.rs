//! Exhibitions: a routed complaint finds (or makes) its exhibition; at the closing instant the
//! worker closes what was decided at the fair and converts the rest into ruling cases, keeping
//! their events, exactly once; the exhibition view flags repeat infringers; the queue boards
//! assign cases in bulk.

use crate::cases::complaint;
use crate::helpers::{PASSWORD, TestApp, csrf_in};
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use serde_json::{Value, json};
use weiquan::config::Config;
use weiquan::worker;

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// A complaint about `respondent` at the fair closing at `closes`, routed to the exhibition
/// queue; returns its id and version.
async fn at_the_fair(app: &TestApp, respondent: &str, closes: DateTime<Utc>) -> (i64, i64) {
    let ent = app.token("demo-enterprise").await;
    let triager = app.token("demo-triager").await;
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&beijing())
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let mut c = complaint();
    c["channel"] = json!("exhibition");
    c["region_code"] = json!("320600");
    c["rights"] =
        json!([{"kind": "design_patent", "number": "ZL202330123456.7", "title": "数控机床防护罩"}]);
    c["respondents"] = json!([{"name": respondent}]);
    c["exhibition"] = json!({"name": "2026南通国际工业博览会", "venue": "南通国际会展中心", "booth": "B7",
        "opens_at": local(Utc::now() - TimeDelta::days(1)), "closes_at": local(closes)});
    let (s, filed) = app.post_api("/api/v1/complaints", &ent, &c).await;
    assert_eq!(s, 201, "{filed}");
    let id = filed["id"].as_i64().unwrap();
    let (s, moved) = app
        .post_api(
            &format!("/api/v1/cases/{id}/triage"),
            &triager,
            &json!({"action": "route", "queue": "exhibition_enforcement", "expected_version": filed["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{moved}");
    (id, moved["version"].as_i64().unwrap())
}

async fn act(app: &TestApp, token: &str, id: i64, version: &mut i64, action: &str, fields: Value) {
    let mut body = fields;
    body["action"] = json!(action);
    body["expected_version"] = json!(*version);
    let (s, b) = app
        .post_api(&format!("/api/v1/cases/{id}/actions"), token, &body)
        .await;
    assert_eq!(s, 200, "{action}: {b}");
    *version = b["version"].as_i64().unwrap();
}

async fn case(app: &TestApp, token: &str, id: i64) -> Value {
    app.get_json(&format!("/api/v1/cases/{id}"), token).await.1
}

#[tokio::test]
async fn at_the_closing_instant_decided_cases_close_and_open_ones_become_ruling_cases() {
    let app = TestApp::spawn().await;
    let officer = app.token("demo-officer").await;
    // Minute precision: the closing instant as the form gives it.
    let closes = (Utc::now() + TimeDelta::hours(30))
        .with_timezone(&beijing())
        .format("%Y-%m-%dT%H:%M:00+08:00")
        .to_string()
        .parse::<DateTime<FixedOffset>>()
        .unwrap()
        .with_timezone(&Utc);
    let (decided, mut v1) = at_the_fair(&app, "苏州某精密设备有限公司", closes).await;
    let (open, mut v2) = at_the_fair(&app, "无锡某机床配件厂", closes).await;
    for (action, fields) in [
        ("transfer", json!({})),
        ("notify_respondent", json!({})),
        ("record_no_answer", json!({})),
        (
            "order_measures",
            json!({"measures": ["withdraw_exhibit"], "findings": "展品与外观设计相同"}),
        ),
    ] {
        act(&app, &officer, decided, &mut v1, action, fields).await;
    }
    act(&app, &officer, open, &mut v2, "transfer", json!({})).await;
    // The complainant's photo of the booth, uploaded at the fair.
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("kind", "exhibition_photo")
        .text("description", "B7展位展品照片")
        .text("obtained_at", "2026-11-30")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf)
                .file_name("booth.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let res = app
        .client
        .post(app.url(&format!("/api/v1/cases/{open}/evidence")))
        .bearer_auth(app.token("demo-enterprise").await)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let uploaded: Value = res.json().await.unwrap();

    // Both cases belong to one exhibition record, made from the complaint's facts.
    let ex = case(&app, &officer, decided).await;
    let (_, list) = app
        .get_json("/api/v1/cases?queue=exhibition_enforcement", &officer)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    let stored: Vec<entity::cases::Model> = {
        use sea_orm::EntityTrait;
        entity::cases::Entity::find()
            .all(app.db.conn())
            .await
            .unwrap()
    };
    let exhibition_id = stored
        .iter()
        .find(|c| c.id == decided)
        .unwrap()
        .exhibition_id;
    assert!(exhibition_id.is_some(), "{ex}");
    assert_eq!(
        stored.iter().find(|c| c.id == open).unwrap().exhibition_id,
        exhibition_id
    );

    // A minute before the close nothing happens.
    let config = Config::default();
    let o = worker::tick(&app.db, &config, &app.time, closes - TimeDelta::minutes(1))
        .await
        .unwrap();
    assert_eq!(o.exhibitions_swept, 0);
    // At the closing instant: one closed, one converted.
    let o = worker::tick(&app.db, &config, &app.time, closes)
        .await
        .unwrap();
    assert_eq!(
        (
            o.exhibitions_swept,
            o.exhibition_cases_closed,
            o.exhibition_cases_converted
        ),
        (1, 1, 1),
        "{o:?}"
    );
    let closed = case(&app, &officer, decided).await;
    assert_eq!(
        (closed["queue"].as_str(), closed["state"].as_str()),
        (Some("exhibition_enforcement"), Some("closed"))
    );
    let converted = case(&app, &officer, open).await;
    assert_eq!(converted["queue"], "administrative_ruling");
    assert_eq!(converted["state"], "received");
    let docket = converted["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == "ar.docket")
        .expect("the docketing clock starts at the close")
        .clone();
    assert_eq!(
        DateTime::parse_from_rfc3339(docket["start_at"].as_str().unwrap()).unwrap(),
        closes
    );
    // Its events are kept: the transfer at the fair, the close, the conversion.
    let (_, events) = app
        .get_json(&format!("/api/v1/cases/{open}/events"), &officer)
        .await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "received",
        "routed",
        "transferred",
        "exhibition_closed",
        "converted",
        "request_received",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    // … and its evidence.
    let (_, evidence) = app
        .get_json(&format!("/api/v1/cases/{open}/evidence"), &officer)
        .await;
    let items = evidence["items"].as_array().expect("an evidence list");
    assert!(
        items.iter().any(|e| e["sha256"] == uploaded["sha256"]),
        "{evidence}"
    );
    // The report to the organiser is now due on both cases.
    for id in [decided, open] {
        let c = case(&app, &officer, id).await;
        assert!(
            c["deadlines"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["rule_id"] == "ex.report"),
            "{c}"
        );
    }
    // Exactly once: later ticks find nothing more to sweep.
    for later in [closes, closes + TimeDelta::hours(1)] {
        let o = worker::tick(&app.db, &config, &app.time, later)
            .await
            .unwrap();
        assert_eq!(o.exhibitions_swept, 0);
    }
    let again = case(&app, &officer, open).await;
    assert_eq!(again["version"], converted["version"]);
}

#[tokio::test]
async fn the_exhibition_view_shows_hours_left_and_flags_an_exhibitor_infringing_twice_in_a_row() {
    let app = TestApp::spawn().await;
    let officer = app.token("demo-officer").await;
    let closes = Utc::now() + TimeDelta::hours(50);
    let repeat = "常州某模具有限公司";
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (id, mut v) = at_the_fair(&app, repeat, closes).await;
        for (action, fields) in [
            ("transfer", json!({})),
            ("notify_respondent", json!({})),
            ("receive_statement", json!({"statement": "不侵权"})),
            (
                "order_measures",
                json!({"measures": ["cover_display"], "findings": "相同设计"}),
            ),
        ] {
            act(&app, &officer, id, &mut v, action, fields).await;
        }
        ids.push(id);
    }
    let (clean, _) = at_the_fair(&app, "南京某科技有限公司", closes).await;
    let client = TestApp::new_client();
    assert_eq!(
        app.login_with(&client, "demo-officer", PASSWORD)
            .await
            .status(),
        303
    );
    let index = client
        .get(app.url("/exhibitions"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        index.contains("2026南通国际工业博览会") && index.contains("距闭幕 49 小时"),
        "{index}"
    );
    let at = index.find("/exhibitions/").unwrap();
    let href: String = index[at..].chars().take_while(|c| *c != '"').collect();
    let page = client
        .get(app.url(&href))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("连续两次侵权").count(),
        1,
        "only the second finding is a repeat"
    );
    assert!(page.contains(&format!("/cases/{clean}")));
    // Another office's officer does not see the exhibition.
    let other = TestApp::new_client();
    assert_eq!(
        app.login_with(&other, "demo-industry", PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(
        other.get(app.url(&href)).send().await.unwrap().status(),
        404
    );
    // An enterprise has no exhibitions page.
    let ent = TestApp::new_client();
    assert_eq!(
        app.login_with(&ent, "demo-enterprise", PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(
        ent.get(app.url("/exhibitions"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // A new exhibition with its times the wrong way round comes back with the message.
    let csrf = csrf_in(&index).unwrap();
    let res = client
        .post(app.url("/exhibitions"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "2027长三角专利技术交易会"),
            ("venue", "南通"),
            ("organiser", "南通市贸促会"),
            ("opens_at", "2027-05-10T09:00"),
            ("closes_at", "2027-05-09T17:00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("闭幕时间应晚于开幕时间") && body.contains("2027长三角专利技术交易会"));
}

#[tokio::test]
async fn the_queue_board_groups_cases_by_state_and_assigns_the_ticked_ones() {
    let app = TestApp::spawn().await;
    let closes = Utc::now() + TimeDelta::hours(40);
    let (a, _) = at_the_fair(&app, "甲公司", closes).await;
    let (b, _) = at_the_fair(&app, "乙公司", closes).await;
    let client = TestApp::new_client();
    assert_eq!(
        app.login_with(&client, "demo-supervisor", PASSWORD)
            .await
            .status(),
        303
    );
    let board = client
        .get(app.url("/queues/exhibition_enforcement"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(board.contains("办案队列"));
    assert!(board.contains(&format!("/cases/{a}\"")) && board.contains(&format!("/cases/{b}\"")));
    let officer = app.token("demo-officer2").await;
    let (_, me) = app.get_json("/api/v1/me", &officer).await;
    let officer_id = me["id"]
        .as_i64()
        .or_else(|| me["user"]["id"].as_i64())
        .unwrap();
    let csrf = csrf_in(&board).unwrap();
    let version_a = case(&app, &officer, a).await["version"].as_i64().unwrap();
    let res = client
        .post(app.url("/queues/exhibition_enforcement/assign"))
        .form(&[
            ("_csrf", csrf.clone()),
            ("case", format!("{a}:{version_a}")),
            ("assignee_user_id", officer_id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, mine) = app.get_json("/api/v1/cases?assignee=me", &officer).await;
    let ids: Vec<i64> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a]);
    // A stale version assigns nothing.
    let version_b = case(&app, &officer, b).await["version"].clone();
    let res = client
        .post(app.url("/queues/exhibition_enforcement/assign"))
        .form(&[
            ("_csrf", csrf),
            ("case", format!("{b}:999")),
            ("assignee_user_id", officer_id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(case(&app, &officer, b).await["version"], version_b);
    // The board is for officers: the triager has none.
    let triager = TestApp::new_client();
    assert_eq!(
        app.login_with(&triager, "demo-triager", PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(
        triager
            .get(app.url("/queues/administrative_ruling"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

#[tokio::test]
async fn a_supervisor_adds_an_expert_whom_an_officer_can_then_assign() {
    let app = TestApp::spawn().await;
    let sup = TestApp::new_client();
    assert_eq!(
        app.login_with(&sup, "demo-supervisor", PASSWORD)
            .await
            .status(),
        303
    );
    let page = sup
        .get(app.url("/experts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("周律师（演示）") && page.contains("添加专家"));
    let csrf = csrf_in(&page).unwrap();
    // A missing field comes back with its message and what was typed.
    let res = sup
        .post(app.url("/experts"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "钱律师"),
            ("organization", "某律师事务所"),
            ("fields", ""),
            ("languages", "英语，法语"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("钱律师") && body.contains("field-error"));
    let res = sup
        .post(app.url("/experts"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "钱律师"),
            ("organization", "某律师事务所"),
            ("fields", "欧盟商标异议"),
            ("languages", "英语，法语"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = sup
        .get(app.url("/experts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("欧盟商标异议") && page.contains("英语, 法语"));
    // An officer browses but does not keep the directory; an enterprise has none.
    let officer = TestApp::new_client();
    assert_eq!(
        app.login_with(&officer, "demo-officer", PASSWORD)
            .await
            .status(),
        303
    );
    let page = officer
        .get(app.url("/experts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("钱律师") && !page.contains("添加专家"));
    let res = officer
        .post(app.url("/experts"))
        .form(&[
            ("_csrf", csrf_in(&page).unwrap().as_str()),
            ("name", "x"),
            ("organization", "x"),
            ("fields", "x"),
            ("languages", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let ent = TestApp::new_client();
    assert_eq!(
        app.login_with(&ent, "demo-enterprise", PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(
        ent.get(app.url("/experts")).send().await.unwrap().status(),
        403
    );
}
