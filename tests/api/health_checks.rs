//! IP health checks (知识产权体检): an enterprise asks the centre of its region, the centre accepts
//! and names who does it, completes it with a summary and the result report, and the enterprise
//! downloads the report (an attachment, the bytes it was given); one unfinished request at a
//! time; refusals leave nothing behind; who sees what; the pages.

use crate::fixtures::{Api, csrf_in, location};
use crate::helpers::TestApp;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

fn request() -> Value {
    json!({
        "areas": ["patent_portfolio", "overseas"],
        "products": "数控机床主轴与精密减速器，拟出口德国、越南",
        "note": "明年计划参加汉诺威工业博览会。",
        "contact_name": "王经理",
        "contact_phone": "0513-85550101"
    })
}

fn pdf() -> Vec<u8> {
    let mut v = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    v.extend(std::iter::repeat_n(b'r', 20_000));
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Completes check `id` through the API with `summary` and the report (`None`: no file).
async fn complete(
    by: &Api,
    id: i64,
    summary: &str,
    report: Option<(&str, Vec<u8>)>,
) -> (u16, Value) {
    let mut form = Form::new().text("summary", summary.to_string());
    if let Some((name, bytes)) = report {
        form = form.part("report", Part::bytes(bytes).file_name(name.to_string()));
    }
    let res = by
        .request(
            Method::POST,
            &format!("/api/v1/health-checks/{id}/complete"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn count(by: &Api) -> u64 {
    by.get("/api/v1/health-checks").await.1["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn an_enterprise_asks_the_centre_completes_it_and_the_enterprise_downloads_the_report() {
    let app = TestApp::spawn().await;
    let enterprise = app.api_as("demo-enterprise").await;
    let triager = app.api_as("demo-triager").await;
    let before = count(&enterprise).await;

    // Refused input: no area, no products, a phone that is not one. Nothing is stored.
    let mut bad = request();
    bad["areas"] = json!([]);
    bad["products"] = json!("");
    bad["contact_phone"] = json!("call me");
    let (status, problem) = enterprise.post("/api/v1/health-checks", &bad).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["areas", "products", "contact_phone"], "{problem}");
    assert_eq!(count(&enterprise).await, before);

    let (status, asked) = enterprise.post("/api/v1/health-checks", &request()).await;
    assert_eq!(status, 201, "{asked}");
    let id = asked["id"].as_i64().unwrap();
    assert_eq!(asked["org_name"], "南通市知识产权保护中心");
    assert_eq!(asked["enterprise_name"], "南通华信精密机械有限公司");
    assert_eq!(asked["status"], "requested");
    assert_eq!(asked["areas"], json!(["patent_portfolio", "overseas"]));
    assert_eq!(asked["can_accept"], false);
    // One unfinished request at a time.
    let (status, _) = enterprise.post("/api/v1/health-checks", &request()).await;
    assert_eq!(status, 409);
    assert_eq!(count(&enterprise).await, before + 1);

    // Another enterprise, and a workstation of the centre, do not see it.
    for who in ["demo-enterprise2", "demo-station"] {
        let other = app.api_as(who).await;
        assert_eq!(
            other.get(&format!("/api/v1/health-checks/{id}")).await.0,
            404,
            "{who}"
        );
    }
    // The enterprise does not act on its own request; the centre cannot complete before it accepts.
    let path = |step: &str| format!("/api/v1/health-checks/{id}/{step}");
    assert_eq!(enterprise.post(&path("accept"), &json!({})).await.0, 403);
    let (status, _) = complete(
        &triager,
        id,
        "专利布局已覆盖主要产品。",
        Some(("r.pdf", pdf())),
    )
    .await;
    assert_eq!(status, 409);

    // One who may not complete it is refused before the report is read.
    let outsider = app.api_as("demo-enterprise2").await;
    let (status, _) = complete(
        &outsider,
        id,
        "专利布局已覆盖主要产品。",
        Some(("r.pdf", pdf())),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = complete(
        &enterprise,
        id,
        "专利布局已覆盖主要产品。",
        Some(("r.pdf", pdf())),
    )
    .await;
    assert_eq!(status, 403);

    // Only the centre's staff can be named to do it.
    let enterprise_user = enterprise.me().await["id"].as_i64().unwrap();
    let (status, problem) = triager
        .post(
            &path("accept"),
            &json!({"assignee_user_id": enterprise_user}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let (status, accepted) = triager.post(&path("accept"), &json!({})).await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["assignee_name"], "陈静（保护中心分诊）");
    assert_eq!(accepted["can_complete"], true);
    assert_eq!(triager.post(&path("accept"), &json!({})).await.0, 409);

    // A completion needs a summary and a report that is a PDF or a picture.
    let (status, problem) = complete(&triager, id, "好", None).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["summary", "report"], "{problem}");
    let (status, _) = complete(
        &triager,
        id,
        "专利布局已覆盖主要产品。",
        Some((
            "report.pdf",
            b"MZ\x90\x00 not a report at all, an executable".to_vec(),
        )),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        enterprise
            .get(&format!("/api/v1/health-checks/{id}"))
            .await
            .1["status"],
        "accepted"
    );

    let report = pdf();
    let summary =
        "主轴结构有 3 件发明专利覆盖，减速器仅有实用新型；建议补充方法专利，并在德国提前布局。";
    let (status, done) = complete(
        &triager,
        id,
        summary,
        Some(("体检报告.pdf", report.clone())),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "completed");
    assert_eq!(done["summary"], summary);
    assert_eq!(done["report"]["sha256"], sha256(&report));
    assert_eq!(done["report"]["media_type"], "application/pdf");
    assert_eq!(done["can_decline"], false);
    assert_eq!(
        triager
            .post(&path("decline"), &json!({"reasons": "太晚了"}))
            .await
            .0,
        409
    );

    // The enterprise downloads the report: an attachment with the bytes it was given.
    let res = enterprise
        .request(Method::GET, &path("report"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().to_vec(), report);
    let other = app.api_as("demo-enterprise2").await;
    assert_eq!(
        other
            .request(Method::GET, &path("report"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // Completed, the enterprise may ask again; a refusal carries its reasons.
    let (status, again) = enterprise.post("/api/v1/health-checks", &request()).await;
    assert_eq!(status, 201, "{again}");
    let again = again["id"].as_i64().unwrap();
    let decline = format!("/api/v1/health-checks/{again}/decline");
    assert_eq!(triager.post(&decline, &json!({"reasons": ""})).await.0, 422);
    let (status, declined) = triager
        .post(
            &decline,
            &json!({"reasons": "本年度已为贵企业完成体检，请明年再申请。"}),
        )
        .await;
    assert_eq!(status, 200, "{declined}");
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["report"], Value::Null);
    assert_eq!(
        enterprise
            .get(&format!("/api/v1/health-checks/{again}"))
            .await
            .1["summary"],
        "本年度已为贵企业完成体检，请明年再申请。"
    );
    assert_eq!(
        enterprise
            .request(
                Method::GET,
                &format!("/api/v1/health-checks/{again}/report")
            )
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // The centre's list counts them by status; the enterprise's list holds only its own.
    let (_, list) = triager.get("/api/v1/health-checks?status=completed").await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id)
    );
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "completed")
    );
    let counts = &list["counts"];
    let n = |s: &str| {
        counts
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == s)
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(n("completed") as u64, list["total"].as_u64().unwrap());
    assert!(n("declined") >= 1);
    let me = enterprise.org_id().await;
    let (_, mine) = enterprise.get("/api/v1/health-checks").await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["enterprise_id"] == me)
    );
    assert_eq!(
        triager.get("/api/v1/health-checks?status=lost").await.0,
        422
    );
}

#[tokio::test]
async fn the_pages_take_a_request_and_a_report_and_give_the_report_back() {
    let app = TestApp::spawn().await;
    let enterprise = app.browser_as("demo-enterprise").await;
    // A form without an area comes back filled in with the message.
    let token = enterprise.csrf("/health-checks/new").await;
    let res = enterprise
        .form(
            "/health-checks/new",
            &[
                ("_csrf", &token),
                ("products", "工业机器人减速器"),
                ("contact_name", "王经理"),
                ("contact_phone", "13800001111"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("请至少选择一项体检内容"), "{html}");
    assert!(html.contains("工业机器人减速器"));
    let res = enterprise
        .form(
            "/health-checks/new",
            &[
                ("_csrf", &token),
                ("areas", "trademark"),
                ("areas", "trade_secrets"),
                ("products", "工业机器人减速器"),
                ("contact_name", "王经理"),
                ("contact_phone", "13800001111"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let at = location(&res);
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let html = enterprise.html(&at).await;
    assert!(
        html.contains("待受理") && html.contains("商业秘密保护"),
        "{html}"
    );
    // While it is open, the form says so instead of taking another.
    assert!(
        enterprise
            .html("/health-checks/new")
            .await
            .contains("尚未完成的体检申请")
    );

    let centre = app.browser_as("demo-triager").await;
    let page = centre.html(&at).await;
    assert!(
        page.contains("action=\"/health-checks/") && page.contains("/accept\""),
        "{page}"
    );
    let res = centre.post_form(&at, &format!("{at}/accept"), &[]).await;
    assert_eq!(res.status(), 303);
    // The report form is multipart, its CSRF token first; a missing file comes back with the summary.
    let csrf = csrf_in(&centre.html(&at).await).unwrap();
    let post = |form: Form| {
        centre
            .client
            .post(centre.url(&format!("{at}/complete")))
            .multipart(form)
            .send()
    };
    let res = post(
        Form::new()
            .text("_csrf", csrf.clone())
            .text("summary", "商标注册类别不全，建议补充第 7 类。"),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("请上传体检报告") && html.contains("建议补充第 7 类"),
        "{html}"
    );
    let report = pdf();
    let res = post(
        Form::new()
            .text("_csrf", csrf)
            .text("summary", "商标注册类别不全，建议补充第 7 类。")
            .part(
                "report",
                Part::bytes(report.clone()).file_name("report.pdf"),
            ),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 303);

    let html = enterprise.html(&at).await;
    assert!(
        html.contains("已出具报告") && html.contains(&format!("/health-checks/{id}/report")),
        "{html}"
    );
    let res = enterprise.get(&format!("/health-checks/{id}/report")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().to_vec(), report);
    // The list shows it with its status.
    let list = enterprise.html("/health-checks").await;
    assert!(list.contains(&format!("/health-checks/{id}")) && list.contains("已出具报告"));
}

#[tokio::test]
async fn the_enterprise_hears_by_mail_when_its_check_ends_and_its_question_is_answered() {
    let app = TestApp::spawn_with(
        |c| c.smtp_url = weiquan::config::Secret("smtp://127.0.0.1:9".into()),
        true,
    )
    .await;
    let user = app.user("demo-enterprise").await;
    let mut active: entity::users::ActiveModel = user.into();
    active.email = sea_orm::ActiveValue::Set(Some("wangmin@huaxin.example.cn".into()));
    sea_orm::ActiveModelTrait::update(active, app.db.conn())
        .await
        .unwrap();
    let enterprise = app.api_as("demo-enterprise").await;
    let triager = app.api_as("demo-triager").await;
    let (_, asked) = enterprise.post("/api/v1/health-checks", &request()).await;
    let id = asked["id"].as_i64().unwrap();
    triager
        .post(&format!("/api/v1/health-checks/{id}/accept"), &json!({}))
        .await;
    let mails = || async {
        weiquan::store::notifications::mails(app.db.conn())
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.to_address == "wangmin@huaxin.example.cn")
            .collect::<Vec<_>>()
    };
    // Accepting tells no one by mail; declining does, with the page to read the reasons on.
    assert!(mails().await.is_empty());
    let (status, _) = triager
        .post(
            &format!("/api/v1/health-checks/{id}/decline"),
            &json!({"reasons": "请先完成企业核验。"}),
        )
        .await;
    assert_eq!(status, 200);
    let sent = mails().await;
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].subject.contains("知识产权体检"),
        "{}",
        sent[0].subject
    );
    assert!(
        sent[0].body.contains("未受理") && sent[0].body.contains(&format!("/health-checks/{id}"))
    );

    let (_, q) = enterprise
        .post(
            "/api/v1/consultations",
            &json!({"topic": "overseas", "question": "参加德国展会前需要做哪些专利检索？"}),
        )
        .await;
    let q = q["id"].as_i64().unwrap();
    let (status, _) = triager
        .post(
            &format!("/api/v1/consultations/{q}/answer"),
            &json!({"answer": "建议委托检索机构做FTO分析。"}),
        )
        .await;
    assert_eq!(status, 200);
    let sent = mails().await;
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter()
            .any(|m| m.subject.contains("咨询答复")
                && m.body.contains(&format!("/consultations/{q}")))
    );
}
