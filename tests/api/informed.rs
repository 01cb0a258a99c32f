//! Issue 16: everyone informed. Notices of the steps that matter to someone else reach exactly
//! the right people once (never an enterprise that may not see the case, and only public facts
//! to a filer); the approvals inbox lists what waits for a decision and drops it once decided;
//! messages on the case go to the other side, with attachments and a due date that is a clock.

use crate::fixtures::{Api, clock};
use crate::helpers::TestApp;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

/// The notices `api`'s user has, newest first.
async fn notices(api: &Api) -> Vec<Value> {
    let (s, b) = api.get("/api/v1/notifications?limit=200").await;
    assert_eq!(s, 200, "{b}");
    b["items"].as_array().unwrap().clone()
}

/// The notices of `api`'s user about case `id`.
async fn about(api: &Api, id: i64) -> Vec<Value> {
    notices(api)
        .await
        .into_iter()
        .filter(|n| n["case_id"] == id)
        .collect()
}

fn events(ns: &[Value]) -> Vec<String> {
    ns.iter()
        .map(|n| n["event"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn the_filer_hears_of_routing_and_rejection_once_and_no_one_else_does() {
    let app = TestApp::spawn().await;
    let filer = app.api_as("demo-enterprise").await;
    let other = app.api_as("demo-enterprise2").await;
    let triager = app.api_as("demo-triager").await;
    let case = app.complaint().routed("administrative_ruling").file().await;

    let mine = about(&filer, case.id).await;
    assert_eq!(events(&mine), vec!["routed"], "{mine:?}");
    let n = &mine[0];
    assert_eq!(n["topic"], "progress");
    let text = n["text"].as_str().unwrap();
    assert!(text.contains(&case.number), "{text}");
    assert!(text.contains("行政裁决"), "{text}");
    // Another enterprise never hears of it; the triager took the step and is not told of it.
    assert!(about(&other, case.id).await.is_empty());
    assert!(about(&triager, case.id).await.is_empty());

    // A rejection carries its public reason to the filer, and nothing internal.
    let rejected = app.complaint().file().await;
    let (s, b) = triager
        .post(
            &rejected.path("/triage"),
            &json!({"action": "reject", "reason": "不属于专利侵权纠纷受理范围", "reason_code": "not_ip_dispute", "expected_version": rejected.version}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let mine = about(&filer, rejected.id).await;
    assert_eq!(events(&mine), vec!["rejected"], "{mine:?}");
    let text = mine[0]["text"].as_str().unwrap();
    assert!(text.contains("不属于专利侵权纠纷受理范围"), "{text}");
    assert!(!text.contains("not_ip_dispute"), "{text}");
    // Reading the notices again adds nothing: exactly once.
    assert_eq!(about(&filer, rejected.id).await.len(), 1);
}

#[tokio::test]
async fn a_referred_office_hears_of_it_and_finds_it_in_its_inbox_until_acknowledged() {
    let app = TestApp::spawn().await;
    let receiver = app.api_as("demo-industry").await;
    let industry = receiver.org_id().await;
    let case = app
        .complaint()
        .referred(industry, "涉及工业产品，属工信部门职责")
        .file()
        .await;
    let told = about(&receiver, case.id).await;
    assert_eq!(events(&told), vec!["referred"], "{told:?}");
    assert_eq!(told[0]["approval"], "referral");
    let (s, inbox) = receiver.get("/api/v1/approvals").await;
    assert_eq!(s, 200, "{inbox}");
    let item = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_id"] == case.id)
        .expect("the referral waits in the receiving office's inbox")
        .clone();
    assert_eq!(item["kind"], "referral");
    assert_eq!(item["clock"]["rule_id"], "referral.acknowledge");
    assert!(item["clock"]["due_at"].is_string(), "{item}");
    // The referring office's officers have nothing to decide about it.
    let (_, nothing) = app
        .api_as("demo-officer")
        .await
        .get("/api/v1/approvals")
        .await;
    assert!(
        !nothing["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["case_id"] == case.id && i["kind"] == "referral")
    );
    let (s, b) = receiver
        .post(
            &case.path("/referral"),
            &json!({"action": "acknowledge", "expected_version": item["case_version"]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (_, inbox) = receiver.get("/api/v1/approvals").await;
    assert!(
        !inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["case_id"] == case.id),
        "{inbox}"
    );
    // An enterprise has no inbox.
    let (s, _) = app
        .api_as("demo-enterprise")
        .await
        .get("/api/v1/approvals")
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn an_extension_request_waits_for_the_supervisor_and_leaves_the_inbox_once_decided() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let supervisor = app.api_as("demo-supervisor").await;
    let panel = app
        .user_ids(&["demo-officer", "demo-officer2", "demo-officer3"])
        .await;
    let case = app
        .complaint()
        .routed("administrative_ruling")
        .step(
            "docket",
            json!({"panel_user_ids": panel, "asserted_claims": "1"}),
            "docketed",
        )
        .file()
        .await;
    // The panel's other members hear that they sit on it; the officer who docketed does not.
    let officer2 = app.api_as("demo-officer2").await;
    assert!(
        about(&officer2, case.id)
            .await
            .iter()
            .any(|n| n["event"] == "docketed" && n["topic"] == "assignment")
    );
    assert!(
        !about(&officer, case.id)
            .await
            .iter()
            .any(|n| n["event"] == "docketed")
    );
    let (s, asked) = officer
        .post(
            &case.path("/deadlines/ar.closing/extension"),
            &json!({"action": "request", "tier": "department_head", "amount": 1, "reason": "案情复杂，需现场勘验", "expected_version": case.version}),
        )
        .await;
    assert_eq!(s, 200, "{asked}");
    let told = about(&supervisor, case.id).await;
    assert_eq!(told[0]["event"], "extension_requested", "{told:?}");
    assert_eq!(told[0]["topic"], "approval");
    let (_, inbox) = supervisor.get("/api/v1/approvals").await;
    let item = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_id"] == case.id)
        .expect("the request waits for the supervisor")
        .clone();
    assert_eq!(item["kind"], "extension");
    assert_eq!(item["data"]["amount"], 1);
    assert_eq!(item["clock"]["rule_id"], "ar.closing");
    // The officer does not decide a supervisor's tier: not in their inbox.
    let (_, theirs) = officer.get("/api/v1/approvals").await;
    assert!(
        !theirs["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "extension")
    );
    let (s, b) = supervisor
        .post(
            &case.path("/deadlines/ar.closing/extension"),
            &json!({"action": "approve", "request_seq": item["opened_seq"], "expected_version": asked["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (_, inbox) = supervisor.get("/api/v1/approvals").await;
    assert_eq!(inbox["count"], 0, "{inbox}");
}

#[tokio::test]
async fn a_request_for_material_reaches_the_filer_and_the_answer_with_evidence_reaches_the_office()
{
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let filer = app.api_as("demo-enterprise").await;
    let case = app.complaint().routed("administrative_ruling").file().await;
    let due = (chrono::Utc::now().with_timezone(&weiquan::domain::time::beijing())
        + chrono::TimeDelta::days(10))
    .format("%Y-%m-%d")
    .to_string();
    // A filer may not set a due date; an empty message is refused with the field named.
    let (s, b) = filer
        .post(
            &case.path("/messages"),
            &json!({"body": "请尽快处理", "material_due": due}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "material_due");
    let (s, b) = officer
        .post(&case.path("/messages"), &json!({"body": "  "}))
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "body");

    let (s, b) = officer
        .post(
            &case.path("/messages"),
            &json!({"body": "请补充被请求人网店的公证购买凭证。", "material_due": due}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let told = about(&filer, case.id).await;
    assert_eq!(told[0]["event"], "material_requested", "{told:?}");
    assert_eq!(told[0]["topic"], "message");
    assert!(told[0]["text"].as_str().unwrap().contains(&due), "{told:?}");
    // The request is a clock the filer sees, due on the day set (24:00).
    let (_, clocks) = filer.get(&case.path("/deadlines")).await;
    let c = clock(&clocks["items"], "msg.material");
    assert_eq!(c["state"], "running", "{c}");

    // The filer uploads the material and answers with it attached.
    let form = reqwest::multipart::Form::new()
        .text("kind", "notarized_purchase")
        .text("description", "公证购买凭证")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n% receipt\n".to_vec())
                .file_name("receipt.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let res = filer
        .request(reqwest::Method::POST, &case.path("/evidence"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let up: Value = res.json().await.unwrap();
    let (s, b) = filer
        .post(
            &case.path("/messages"),
            &json!({"body": "已上传公证购买凭证，请查收。", "evidence_ids": [up["id"]]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["message"]["from"], "filer");
    let told = about(&officer, case.id).await;
    assert_eq!(told[0]["event"], "material_submitted", "{told:?}");
    let (_, clocks) = officer.get(&case.path("/deadlines")).await;
    assert_eq!(clock(&clocks["items"], "msg.material")["state"], "met");
    let (_, msgs) = officer.get(&case.path("/messages")).await;
    let items = msgs["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{msgs}");
    assert_eq!(items[1]["evidence"][0]["id"], up["id"]);
    assert!(msgs["open_request"].is_null());
    // Another enterprise can neither read nor write them.
    let other = app.api_as("demo-enterprise2").await;
    assert_eq!(other.get(&case.path("/messages")).await.0, 404);
    // The filer may not attach the office's items, nor items of another case.
    let (s, b) = filer
        .post(
            &case.path("/messages"),
            &json!({"body": "再补一份", "evidence_ids": [up["id"].as_i64().unwrap() + 1000]}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "evidence_ids");
}

#[tokio::test]
async fn notice_channels_follow_each_users_choice() {
    let app = TestApp::spawn_with(
        |c| {
            c.smtp_url = weiquan::config::Secret("smtp://127.0.0.1:9".into());
        },
        true,
    )
    .await;
    // The filer gives an e-mail address.
    let user = app.user("demo-enterprise").await;
    let mut active: entity::users::ActiveModel = user.into();
    active.email = sea_orm::ActiveValue::Set(Some("wangmin@huaxin.example.cn".into()));
    sea_orm::ActiveModelTrait::update(active, app.db.conn())
        .await
        .unwrap();
    let filer = app.api_as("demo-enterprise").await;
    let (s, p) = filer.get("/api/v1/account/notices").await;
    assert_eq!(s, 200, "{p}");
    let progress = p["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["topic"] == "progress")
        .unwrap()
        .clone();
    assert_eq!(progress["email"], true);
    assert_eq!(p["mail_enabled"], true);

    let mails = |case_id: i64| {
        let db = app.db.clone();
        async move {
            let ids: Vec<i64> = entity::notifications::Entity::find()
                .filter(entity::notifications::Column::CaseId.eq(case_id))
                .all(db.conn())
                .await
                .unwrap()
                .into_iter()
                .map(|n| n.id)
                .collect();
            entity::email_outbox::Entity::find()
                .filter(entity::email_outbox::Column::NotificationId.is_in(ids))
                .all(db.conn())
                .await
                .unwrap()
        }
    };
    let first = app.complaint().routed("administrative_ruling").file().await;
    let queued = mails(first.id).await;
    let user = app.user("demo-enterprise").await;
    let to_filer: Vec<_> = queued
        .iter()
        .filter(|m| Some(&m.to_address) == user.email.as_ref())
        .collect();
    assert_eq!(to_filer.len(), 1, "{queued:?}");
    assert!(to_filer[0].body.contains(&first.number));

    // The filer turns e-mail off for progress notices: the next routing is only in the centre.
    let (s, b) = app
        .api_as("demo-enterprise")
        .await
        .call(
            reqwest::Method::PUT,
            "/api/v1/account/notices",
            Some(&json!({"topics": [{"topic": "progress", "email": false, "sms": false}]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let second = app.complaint().routed("administrative_ruling").file().await;
    assert!(
        mails(second.id)
            .await
            .iter()
            .all(|m| Some(&m.to_address) != user.email.as_ref())
    );
    assert_eq!(about(&filer, second.id).await.len(), 1);
}
