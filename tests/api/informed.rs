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

/// A complaint of the demo enterprise routed to the ruling queue and docketed with a panel of the
/// three demo officers.
async fn docketed(app: &TestApp) -> crate::fixtures::Case {
    let panel = app
        .user_ids(&["demo-officer", "demo-officer2", "demo-officer3"])
        .await;
    app.complaint()
        .routed("administrative_ruling")
        .step(
            "docket",
            json!({"panel_user_ids": panel, "asserted_claims": "1"}),
            "docketed",
        )
        .file()
        .await
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
    assert!(
        text.contains("不属于知识产权纠纷"),
        "the reason label: {text}"
    );
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
    let case = docketed(&app).await;
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
    // The next-higher department decides its own tier: asking it shares the case with it to
    // read (its heads read the city's cases anyway, decision D21; its officers need the share).
    let admin = app.api_as("demo-admin").await;
    let province = admin.org_id().await;
    let shared_with_province = |c: &serde_json::Value| {
        c["shares"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x["org_id"] == province))
    };
    assert!(!shared_with_province(&officer.case(case.id).await));
    let version = officer.get(&case.path("")).await.1["version"].clone();
    let (s, b) = officer
        .post(
            &case.path("/deadlines/ar.closing/extension"),
            &json!({"action": "request", "tier": "higher_department", "amount": 1, "reason": "重大复杂", "expected_version": version}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(shared_with_province(&officer.case(case.id).await));
    assert_eq!(admin.get(&case.path("")).await.0, 200);
    // Not the owning office's supervisor's to decide.
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

/// A web form post with a file: the token first, as the page's form sends it.
async fn post_message(
    browser: &crate::fixtures::Browser,
    case_id: i64,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> reqwest::Response {
    let token = browser.csrf(&format!("/cases/{case_id}")).await;
    let mut form = reqwest::multipart::Form::new().text("_csrf", token);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = match file {
        Some((name, bytes)) => form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name(name.to_string())
                .mime_str("application/pdf")
                .unwrap(),
        ),
        // No file chosen: what a browser sends.
        None => form.part(
            "file",
            reqwest::multipart::Part::bytes(Vec::new())
                .file_name("")
                .mime_str("application/octet-stream")
                .unwrap(),
        ),
    };
    browser
        .client
        .post(browser.url(&format!("/cases/{case_id}/messages")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_messages_card_asks_for_material_and_takes_the_answer_with_a_file() {
    let app = TestApp::spawn().await;
    let case = app.complaint().routed("administrative_ruling").file().await;
    let office = app.browser_as("demo-officer").await;
    let due = (chrono::Utc::now().with_timezone(&weiquan::domain::time::beijing())
        + chrono::TimeDelta::days(7))
    .format("%Y-%m-%d")
    .to_string();
    // A date in the past comes back as a field message with the text kept.
    let res = post_message(
        &office,
        case.id,
        &[
            ("body", "请补充公证购买凭证"),
            ("material_due", "2020-01-01"),
        ],
        None,
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("补充材料期限须在今天之后"), "{html}");
    assert!(html.contains(">请补充公证购买凭证</textarea>"), "{html}");
    let res = post_message(
        &office,
        case.id,
        &[("body", "请补充公证购买凭证"), ("material_due", &due)],
        None,
    )
    .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());

    let filer = app.browser_as("demo-enterprise").await;
    let page = filer.html(&format!("/cases/{}", case.id)).await;
    assert!(page.contains("办案部门要求您补充材料"), "{page}");
    assert!(page.contains("请补充公证购买凭证"));
    let res = post_message(
        &filer,
        case.id,
        &[("body", "凭证已附上"), ("kind", "notarized_purchase")],
        Some(("凭证.pdf", b"%PDF-1.4\n% receipt\n")),
    )
    .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let page = filer.html(&format!("/cases/{}", case.id)).await;
    assert!(page.contains("凭证已附上"));
    assert!(page.contains("<code>E1</code> 凭证.pdf"), "{page}");
    assert!(!page.contains("办案部门要求您补充材料"));

    // The officer's badge and notice centre show the answer.
    let notices = office.html("/notifications").await;
    assert!(notices.contains("提交补充材料"), "{notices}");
}

#[tokio::test]
async fn the_approvals_page_lists_a_request_with_its_clock_and_decides_it_there() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let case = docketed(&app).await;
    let (s, _) = officer
        .post(
            &case.path("/deadlines/ar.closing/extension"),
            &json!({"action": "request", "tier": "department_head", "amount": 1, "reason": "需要现场勘验", "expected_version": case.version}),
        )
        .await;
    assert_eq!(s, 200);
    let sup = app.browser_as("demo-supervisor").await;
    let html = sup.html("/approvals").await;
    assert!(html.contains("延长期限申请"), "{html}");
    assert!(html.contains("需要现场勘验"));
    assert!(html.contains("1 项待处理"), "the navigation badge: {html}");
    let seq = html
        .split("name=\"request_seq\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let version = html
        .split("name=\"expected_version\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let res = sup
        .post_form(
            "/approvals",
            &format!("/cases/{}/deadlines/ar.closing/extension", case.id),
            &[
                ("action", "approve"),
                ("request_seq", &seq),
                ("expected_version", &version),
                ("next", "/approvals"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(crate::fixtures::location(&res), "/approvals");
    let html = sup.html("/approvals").await;
    assert!(html.contains("目前没有待您处理的事项"), "{html}");
    // An enterprise has no inbox page.
    let filer = app.browser_as("demo-enterprise").await;
    assert_eq!(filer.page("/approvals").await.0, 403);
}

#[tokio::test]
async fn an_approval_goes_out_by_sms_through_the_gateway_once() {
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A gateway that records what it is sent and answers 200.
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gateway = format!("http://{}/send", listener.local_addr().unwrap());
    let seen = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = vec![0u8; 64 * 1024];
            let mut n = 0;
            // Read the head and the body (its length is declared).
            loop {
                let k = sock.read(&mut buf[n..]).await.unwrap_or(0);
                if k == 0 {
                    break;
                }
                n += k;
                let text = String::from_utf8_lossy(&buf[..n]).to_string();
                if let Some(h) = text.find("\r\n\r\n") {
                    let len = text[..h]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if n >= h + 4 + len {
                        seen.lock().unwrap().push(text);
                        break;
                    }
                }
            }
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .await;
        }
    });
    let url = gateway.clone();
    let app = TestApp::spawn_with(
        move |c| {
            c.sms_sender = "http".into();
            c.sms_http_url = weiquan::config::Secret(url);
            c.sms_http_token = weiquan::config::Secret("s3cret".into());
        },
        true,
    )
    .await;
    // The supervisor has a phone; approvals go out by SMS unless they say otherwise.
    let sup = app.user("demo-supervisor").await;
    let mut active: entity::users::ActiveModel = sup.into();
    active.phone = sea_orm::ActiveValue::Set(Some("13800138000".into()));
    sea_orm::ActiveModelTrait::update(active, app.db.conn())
        .await
        .unwrap();
    let case = docketed(&app).await;
    let (s, _) = app
        .api_as("demo-officer")
        .await
        .post(
            &case.path("/deadlines/ar.closing/extension"),
            &json!({"action": "request", "tier": "department_head", "amount": 1, "reason": "需要现场勘验", "expected_version": case.version}),
        )
        .await;
    assert_eq!(s, 200);
    let config = weiquan::config::Config {
        sms_sender: "http".into(),
        sms_http_url: weiquan::config::Secret(gateway),
        sms_http_token: weiquan::config::Secret("s3cret".into()),
        ..Default::default()
    };
    let now = chrono::Utc::now();
    let o = weiquan::worker::deadlines(&app.db, &config, &app.time, now)
        .await
        .unwrap();
    assert_eq!(o.sms_sent, 1, "{o:?}");
    let o = weiquan::worker::deadlines(&app.db, &config, &app.time, now)
        .await
        .unwrap();
    assert_eq!(o.sms_sent, 0, "sent once: {o:?}");
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let req = &got[0];
    assert!(req.starts_with("POST /send "), "{req}");
    assert!(
        req.to_ascii_lowercase()
            .contains("authorization: bearer s3cret"),
        "{req}"
    );
    assert!(req.contains("\"to\":\"13800138000\""), "{req}");
    assert!(req.contains("延长期限申请"), "{req}");
    assert!(req.contains(&case.number), "{req}");
}

/// The ASCII codes (`received`, `auth.login`, `expert_assigned` …) in parentheses right after
/// Chinese text in a page's visible text.
fn codes_in_chinese(html: &str) -> Vec<String> {
    // The visible text: tags, scripts and styles removed.
    let mut text = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        text.push_str(&rest[..i]);
        let tag = &rest[i..];
        let skip_to = if tag.starts_with("<script") {
            tag.find("</script>").map(|e| e + 9)
        } else if tag.starts_with("<style") {
            tag.find("</style>").map(|e| e + 8)
        } else {
            tag.find('>').map(|e| e + 1)
        };
        let Some(n) = skip_to else { break };
        text.push(' ');
        rest = &tag[n..];
    }
    text.push_str(rest);
    let chars: Vec<char> = text.chars().collect();
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let mut found = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if *c != '(' && *c != '（' {
            continue;
        }
        let inner: String = chars[i + 1..]
            .iter()
            .take_while(|c| **c != ')' && **c != '）')
            .collect();
        // Inside Chinese text: Chinese shortly before the parenthesis or right after it.
        let after = i + 2 + inner.chars().count();
        let before = chars[..i].iter().rev().take(12).any(|c| cjk(*c))
            || chars.iter().skip(after).take(2).any(|c| cjk(*c));
        let code = inner.trim();
        let looks_like_code = code.len() >= 3
            && code.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if before && looks_like_code {
            found.push(format!(
                "…{}({code})",
                chars[i.saturating_sub(12)..i].iter().collect::<String>()
            ));
        }
    }
    found
}

#[test]
fn the_code_finder_finds_codes_and_nothing_else() {
    assert_eq!(
        codes_in_chinese("<p>自 2026-12-05 04:30（received）起算</p>").len(),
        1
    );
    assert_eq!(codes_in_chinese("<td>登录 (auth.login)</td>").len(), 1);
    assert!(
        codes_in_chinese("<p>南通市（320600）</p><p>截止 (北京时间)</p><p>Case (WQ-2026-1)</p>")
            .is_empty()
    );
}

#[tokio::test]
async fn no_page_of_the_demo_shows_a_code_in_parentheses_inside_chinese_text() {
    let app = TestApp::spawn().await;
    let mut problems = Vec::new();
    for user in [
        "demo-enterprise",
        "demo-triager",
        "demo-officer",
        "demo-supervisor",
        "demo-admin",
        "demo-industry",
    ] {
        let b = app.browser_as(user).await;
        let mut paths: Vec<String> = [
            "/",
            "/cases",
            "/deadlines",
            "/notifications",
            "/approvals",
            "/account",
            "/triage",
            "/queues",
            "/search?q=专利",
            "/admin/audit",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        // Every case this user can see on the first page of the list.
        let list = b.html("/cases").await;
        for part in list.split("href=\"/cases/").skip(1) {
            let id: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !id.is_empty() && !paths.contains(&format!("/cases/{id}")) {
                paths.push(format!("/cases/{id}"));
            }
        }
        for p in paths {
            let (status, html) = b.page(&p).await;
            if status != 200 {
                continue;
            }
            for code in codes_in_chinese(&html) {
                problems.push(format!("{user} {p}: {code}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The numbers of a dashboard with their links: (link, number).
fn dashboard_numbers(html: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let Some((link, rest)) = part.split_once('"') else {
            continue;
        };
        let Some(num) = rest
            .split_once("<span class=\"num\">")
            .filter(|(between, _)| !between.contains("href="))
            .and_then(|(_, r)| r.split_once("</span>"))
            .and_then(|(n, _)| n.trim().parse().ok())
        else {
            continue;
        };
        out.push((link.replace("&#x3D;", "=").replace("&amp;", "&"), num));
    }
    out
}

#[tokio::test]
async fn every_dashboard_number_is_the_count_of_the_list_behind_it() {
    let app = TestApp::spawn().await;
    // Some work of the officer's own: an assigned, docketed case.
    let officer_id = app.user_id("demo-officer").await;
    let mut case = docketed(&app).await;
    let officer = app.api_as("demo-officer").await;
    case.refresh(&officer).await;
    // The supervisor assigns it to the officer on the queue board; the officer hears of it.
    let sup = app.browser_as("demo-supervisor").await;
    let res = sup
        .post_form(
            "/queues/administrative_ruling",
            "/queues/administrative_ruling/assign",
            &[
                ("assignee_user_id", &officer_id.to_string()),
                ("case", &format!("{}:{}", case.id, case.version)),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        about(&officer, case.id)
            .await
            .iter()
            .any(|n| n["event"] == "assigned" && n["topic"] == "assignment")
    );
    for user in [
        "demo-enterprise",
        "demo-triager",
        "demo-officer",
        "demo-supervisor",
    ] {
        let b = app.browser_as(user).await;
        let api = app.api_as(user).await;
        let html = b.html("/").await;
        let numbers = dashboard_numbers(&html);
        assert!(!numbers.is_empty(), "{user} has numbers: {html}");
        let mut lists = 0;
        for (link, n) in numbers {
            if link.starts_with("/triage?") {
                // The workbench's view: one row per lead, each with its case number.
                let page = b.html(&link).await;
                let rows = page
                    .matches("<td class=\"nowrap\"><a href=\"/cases/")
                    .count() as u64;
                assert_eq!(
                    rows, n,
                    "{user}: {link} says {n}, the workbench shows {rows}"
                );
                lists += 1;
                continue;
            }
            let Some(query) = link.strip_prefix("/cases?") else {
                continue;
            };
            lists += 1;
            let (s, page) = api.get(&format!("/api/v1/cases?{query}&limit=200")).await;
            assert_eq!(s, 200, "{user} {link}: {page}");
            let listed = page["items"].as_array().unwrap().len() as u64;
            assert_eq!(
                listed, n,
                "{user}: {link} says {n}, the list holds {listed}"
            );
            // The page behind the link opens and names its filters.
            let (s, _) = b.page(&link).await;
            assert_eq!(s, 200, "{user} {link}");
        }
        assert!(lists > 0, "{user}: no number links to a list");
    }
}

#[tokio::test]
async fn a_document_addressed_to_the_filer_reaches_it_and_one_to_the_respondent_does_not() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let filer = app.api_as("demo-enterprise").await;
    let panel = app
        .user_ids(&["demo-officer", "demo-officer2", "demo-officer3"])
        .await;
    let mut case = app
        .complaint()
        .routed("administrative_ruling")
        .step(
            "docket",
            json!({"panel_user_ids": panel, "asserted_claims": "1"}),
            "docketed",
        )
        .step("serve_respondent", json!({"method": "post"}), "served")
        .file()
        .await;
    let before = about(&filer, case.id).await.len();
    for kind in ["acceptance_notice", "answer_notice"] {
        case.refresh(&officer).await;
        let (s, b) = officer
            .post(
                &case.path("/documents"),
                &json!({"kind": kind, "expected_version": case.version}),
            )
            .await;
        assert_eq!(s, 201, "{kind}: {b}");
    }
    let told: Vec<Value> = about(&filer, case.id)
        .await
        .into_iter()
        .filter(|n| n["event"] == "document_generated")
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0]["text"].as_str().unwrap().contains("受理通知书"),
        "{told:?}"
    );
    assert_eq!(about(&filer, case.id).await.len(), before + 1);
}

#[tokio::test]
async fn a_panel_extension_waits_for_the_other_officers_and_leaves_when_its_clock_stops() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let officer2 = app.api_as("demo-officer2").await;
    let triager = app.api_as("demo-triager").await;
    let panel = app
        .user_ids(&["demo-officer", "demo-officer2", "demo-officer3"])
        .await;
    let mut case = app
        .complaint()
        .routed("administrative_ruling")
        .step(
            "docket",
            json!({"panel_user_ids": panel, "asserted_claims": "1"}),
            "docketed",
        )
        .step("serve_respondent", json!({"method": "post"}), "served")
        .step("record_receipt", json!({}), "answer_period")
        .file()
        .await;
    let (s, b) = officer
        .post(
            &case.path("/deadlines/ar.answer/extension"),
            &json!({"action": "request", "tier": "panel", "amount": 10, "reason": "被请求人申请延期答辩", "expected_version": case.version}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let id = case.id;
    let waiting = |api: &Api| {
        let api = api.clone();
        async move {
            let (s, inbox) = api.get("/api/v1/approvals").await;
            assert!(s == 200 || s == 403, "{inbox}");
            inbox["items"]
                .as_array()
                .map(|a| a.iter().filter(|i| i["case_id"] == id).count())
                .unwrap_or(0)
        }
    };
    assert_eq!(waiting(&officer2).await, 1, "another officer decides it");
    assert_eq!(waiting(&officer).await, 0, "not the officer who asked");
    assert_eq!(waiting(&triager).await, 0, "not a triager");
    // The answer arrives: the clock stops and nothing is left to decide.
    case.refresh(&officer).await;
    case.step(&officer, "receive_answer", json!({}), "evidence")
        .await;
    assert_eq!(waiting(&officer2).await, 0);
}

#[tokio::test]
async fn a_refused_message_stores_no_file_and_the_office_attaches_no_evidence() {
    let app = TestApp::spawn().await;
    let case = app.complaint().routed("administrative_ruling").file().await;
    let filer = app.browser_as("demo-enterprise").await;
    let evidence = |api: Api, path: String| async move {
        let (s, b) = api.get(&path).await;
        assert_eq!(s, 200, "{b}");
        b["items"].as_array().unwrap().len()
    };
    let officer = app.api_as("demo-officer").await;
    let before = evidence(officer.clone(), case.path("/evidence")).await;
    // An attachment that is not the filer's: the message is refused before its file is stored.
    let res = post_message(
        &filer,
        case.id,
        &[("body", "补充材料"), ("evidence_ids", "999999")],
        Some(("凭证.pdf", b"%PDF-1.4\n% receipt\n")),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains(">补充材料</textarea>"));
    assert_eq!(
        evidence(officer.clone(), case.path("/evidence")).await,
        before
    );
    // The office writes to the filer without attaching its own evidence.
    let (s, b) = officer
        .post(
            &case.path("/messages"),
            &json!({"body": "请见附件", "evidence_ids": [1]}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "evidence_ids");
}
