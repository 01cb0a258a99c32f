//! Extensions of a clock: requested by an officer, decided by the right approver, capped; the
//! clock moves by the granted amount.

use crate::fixtures::{clock, last_day};
use crate::helpers::TestApp;
use serde_json::json;

#[tokio::test]
async fn an_extension_is_requested_approved_by_the_supervisor_and_capped() {
    let app = TestApp::spawn().await;
    let filed = app.complaint().routed("administrative_ruling").file().await;
    let moved = &filed.last;
    let ent = app.api_as("demo-enterprise").await;
    let officer = app.api_as("demo-officer").await;
    let supervisor = app.api_as("demo-supervisor").await;
    let case = officer.case(filed.id).await;
    let before = clock(&case["deadlines"], "ar.docket")["due_at"]
        .as_str()
        .unwrap()
        .to_string();
    let path = filed.path("/deadlines/ar.docket/extension");

    // Bad requests change nothing.
    for (body, field) in [
        (
            json!({"action": "request", "tier": "panel", "amount": 3, "reason": "x", "expected_version": moved["version"]}),
            "tier",
        ),
        (
            json!({"action": "request", "tier": "department_head", "amount": 6, "reason": "x", "expected_version": moved["version"]}),
            "amount",
        ),
        (
            json!({"action": "request", "tier": "department_head", "amount": 3, "expected_version": moved["version"]}),
            "reason",
        ),
    ] {
        let (s, b) = officer.post(&path, &body).await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(b["errors"][0]["field"], field);
    }
    // The filer may not ask; the request by the officer.
    let ask = json!({"action": "request", "tier": "department_head", "amount": 3, "reason": "案情复杂，需补充调查", "expected_version": moved["version"]});
    assert_eq!(ent.post(&path, &ask).await.0, 403);
    let (s, asked) = officer.post(&path, &ask).await;
    assert_eq!(s, 200, "{asked}");
    // A second request while one is pending is a conflict.
    let mut again = ask.clone();
    again["expected_version"] = asked["version"].clone();
    assert_eq!(officer.post(&path, &again).await.0, 409);

    let (_, events) = officer.get(&filed.path("/events")).await;
    let seq = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "extension_requested")
        .unwrap()["seq"]
        .clone();
    let approve =
        json!({"action": "approve", "request_seq": seq, "expected_version": asked["version"]});
    // The officer is not the department head.
    assert_eq!(officer.post(&path, &approve).await.0, 403);
    let (s, approved) = supervisor.post(&path, &approve).await;
    assert_eq!(s, 200, "{approved}");
    let after = clock(&approved["deadlines"], "ar.docket");
    assert_ne!(after["due_at"].as_str().unwrap(), before);
    assert_eq!(after["extensions"][0]["amount"], 3);
    // Three more would pass the cap of five working days; two are fine.
    let mut more = ask.clone();
    more["expected_version"] = approved["version"].clone();
    let (s, b) = officer.post(&path, &more).await;
    assert_eq!(s, 422, "{b}");
    more["amount"] = json!(2);
    let (s, _) = officer.post(&path, &more).await;
    assert_eq!(s, 200);
    // An unknown clock is not found.
    let (s, _) = officer
        .post(&filed.path("/deadlines/ar.nope/extension"), &ask)
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn weiquan_deadlines_rebuild_recomputes_every_open_case() {
    let app = TestApp::spawn().await;
    let filed = app.complaint().file().await;
    // Derived data lost (e.g. a bad manual fix): the rebuild restores it from the events.
    use sea_orm::EntityTrait;
    entity::case_clocks::Entity::delete_many()
        .exec(app.db.conn())
        .await
        .unwrap();
    let out = app.cli(&["deadlines", "rebuild"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let case = app.api_as("demo-enterprise").await.case(filed.id).await;
    assert_eq!(
        clock(&case["deadlines"], "triage.decision")["due_at"],
        filed.filed["triage_due"]
    );
}

#[tokio::test]
async fn loading_a_calendar_year_recomputes_the_provisional_clocks() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::spawn().await;
    let filed = app.complaint().file().await;
    // Pretend the clock had been counted without an official schedule (as for a case received in
    // late December before the next year's notice): provisional, and a day off.
    let id = filed.id;
    let wrong = chrono::Utc::now() + chrono::TimeDelta::days(40);
    entity::case_clocks::Entity::update_many()
        .col_expr(
            entity::case_clocks::Column::Provisional,
            sea_orm::sea_query::Expr::value(true),
        )
        .col_expr(
            entity::case_clocks::Column::DueAt,
            sea_orm::sea_query::Expr::value(wrong),
        )
        .filter(entity::case_clocks::Column::CaseId.eq(id))
        .exec(app.db.conn())
        .await
        .unwrap();
    let file = r#"{"format":"weiquan-calendar-v1","source":"国务院办公厅关于2027年部分节假日安排的通知（测试）","years":{"2027":{"version":"2027-official","off":{"2027-01-01":"new_year"},"makeup":{}}}}"#;
    let meta = weiquan::service::RequestMeta::cli("test");
    let cx = weiquan::service::Ctx::new(app.db.clone(), app.time.clone(), meta);
    weiquan::service::calendar::import(&cx, weiquan::service::admin::Caller::Operator, file)
        .await
        .unwrap();
    let case = app.api_as("demo-enterprise").await.case(id).await;
    let c = clock(&case["deadlines"], "triage.decision");
    assert_eq!(c["provisional"], false);
    assert_eq!(c["due_at"], filed.filed["triage_due"]);
}

#[tokio::test]
async fn a_province_rules_file_changes_and_adds_clocks_after_a_rebuild() {
    let app = TestApp::spawn().await;
    let filed = app.complaint().file().await;
    let officer = app.api_as("demo-officer").await;
    let file = app.dir.path().join("province-rules.toml");
    std::fs::write(
        &file,
        r#"
[[rule]]
id = "triage.decision"
name = "分诊处理（本省：5个工作日）"
queue = "triage"
unit = "working_days"
amount = 5
start = ["received"]
restart = ["referral_returned"]
stop = ["routed", "referred", "rejected", "merged"]
basis = "law"
source = "某省知识产权保护条例 第12条"

[[rule]]
id = "province.acknowledge"
name = "线索登记确认"
queue = "triage"
unit = "working_days"
amount = 1
start = ["received"]
stop = ["routed", "referred", "rejected", "merged"]
informational = true
basis = "service_standard"
source = "某省知识产权局服务承诺；工作规程 第3条"
"#,
    )
    .unwrap();
    let rules = file.to_str().unwrap();
    let out = app
        .cli_with(
            &["deadlines", "rebuild"],
            &[("WEIQUAN_DEADLINE_RULES", rules)],
        )
        .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let case = officer.case(filed.id).await;
    let received =
        chrono::DateTime::parse_from_rfc3339(filed.filed["received_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&weiquan::domain::time::beijing())
            .date_naive();
    for (rule, n, source) in [
        ("triage.decision", 5, "某省知识产权保护条例 第12条"),
        (
            "province.acknowledge",
            1,
            "某省知识产权局服务承诺；工作规程 第3条",
        ),
    ] {
        let day = officer.working_days(received, n).await;
        let c = clock(&case["deadlines"], rule);
        assert_eq!(last_day(&c["due_at"]), day, "{c}");
        assert_eq!(c["source"], source);
    }

    // A broken file is refused with its name and the reason, and changes nothing.
    std::fs::write(&file, "[[rule]]\nid = \"x\"\nunit = \"weeks\"\n").unwrap();
    let out = app
        .cli_with(
            &["deadlines", "rebuild"],
            &[("WEIQUAN_DEADLINE_RULES", rules)],
        )
        .await;
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("province-rules.toml"), "{err}");
    let again = officer.case(filed.id).await;
    assert_eq!(again["deadlines"], case["deadlines"]);
}
