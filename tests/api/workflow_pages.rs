//! The workflow through the case page's forms, as an officer works it in the browser: each open
//! action is a form; a refused step comes back filled in with its messages; irreversible steps
//! need the confirmation box.

use crate::helpers::{PASSWORD, TestApp, csrf_in};
use reqwest::Client;
use serde_json::json;

async fn signed_in(app: &TestApp, user: &str) -> Client {
    let c = TestApp::new_client();
    assert_eq!(app.login_with(&c, user, PASSWORD).await.status(), 303);
    c
}

/// The version the case page's forms carry.
fn version_in(html: &str) -> String {
    let at = html
        .find("name=\"expected_version\" value=\"")
        .expect("a form with the version");
    let rest = &html[at + "name=\"expected_version\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Submits one action form from the case page as it is now; returns the status and the page
/// (after the redirect when it succeeded).
async fn submit(
    app: &TestApp,
    client: &Client,
    id: i64,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let page = client
        .get(app.url(&format!("/cases/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("data-action=\"{action}\"")),
        "{action} is not offered"
    );
    let csrf = csrf_in(&page).unwrap();
    let version = version_in(&page);
    let mut form: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("action", action),
        ("expected_version", &version),
    ];
    form.extend_from_slice(fields);
    let res = client
        .post(app.url(&format!("/cases/{id}/actions")))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    if status == 303 {
        let to = res.headers()["location"].to_str().unwrap().to_string();
        let html = client
            .get(app.url(&to))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        return (status, html);
    }
    (status, res.text().await.unwrap())
}

#[tokio::test]
async fn an_officer_works_a_ruling_case_to_its_end_through_the_case_page() {
    let app = TestApp::spawn().await;
    let ent = app.token("demo-enterprise").await;
    let triager = app.token("demo-triager").await;
    let (_, filed) = app
        .post_api("/api/v1/complaints", &ent, &crate::cases::complaint())
        .await;
    let id = filed["id"].as_i64().unwrap();
    let (s, _) = app
        .post_api(
            &format!("/api/v1/cases/{id}/triage"),
            &triager,
            &json!({"action": "route", "queue": "administrative_ruling", "expected_version": 1}),
        )
        .await;
    assert_eq!(s, 200);
    let officer = signed_in(&app, "demo-officer").await;
    let page = officer
        .get(app.url(&format!("/cases/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("案件办理") && page.contains("立案（组成合议组）"));
    assert!(page.contains("王芳（执法人员）") && page.contains("孙伟（执法人员）"));
    // The filer's page has no forms to work the case.
    let filer = signed_in(&app, "demo-enterprise").await;
    let seen = filer
        .get(app.url(&format!("/cases/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!seen.contains("data-action="));

    let (ids, names): (Vec<String>, Vec<String>) = {
        let (_, o) = app
            .get_json(
                &format!("/api/v1/cases/{id}/actions"),
                &app.token("demo-officer").await,
            )
            .await;
        let docket = o["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "docket")
            .unwrap()
            .clone();
        docket["fields"][0]["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["value"].to_string(),
                    u["label"].as_str().unwrap().to_string(),
                )
            })
            .unzip()
    };
    // Two panel members: the page comes back with the message, the claims typed still there
    // and the two members still ticked.
    let (s, html) = submit(
        &app,
        &officer,
        id,
        "docket",
        &[
            ("panel_user_ids", &ids[0]),
            ("panel_user_ids", &ids[1]),
            ("asserted_claims", "权利要求1、2"),
        ],
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        html.contains("合议组应由三名以上单数办案人员组成"),
        "{html}"
    );
    assert!(html.contains("value=\"权利要求1、2\""));
    assert_eq!(
        html.matches("checked>").count(),
        2,
        "the two ticked stay ticked"
    );
    let (s, html) = submit(
        &app,
        &officer,
        id,
        "docket",
        &[
            ("panel_user_ids", &ids[0]),
            ("panel_user_ids", &ids[1]),
            ("panel_user_ids", &ids[2]),
            ("asserted_claims", "权利要求1、2"),
        ],
    )
    .await;
    assert_eq!(s, 303, "{html}");
    assert!(html.contains("已立案"));
    // The notice of acceptance, issued from the docketing step and printed.
    let notice = issue(&app, &officer, id, "acceptance_notice").await;
    assert!(notice.contains("受理通知书") && notice.contains("南通华信精密机械有限公司"));
    assert!(notice.contains("权利要求1、2"), "{notice}");
    assert!(
        notice.contains(&format!("{}、{}、{}", names[0], names[1], names[2])),
        "{notice}"
    );
    assert!(notice.contains("南通市知识产权局") && notice.contains("（印章）"));
    for (action, fields) in [
        ("serve_respondent", vec![("method", "post")]),
        ("record_receipt", vec![]),
        ("close_answer_period", vec![]),
        ("written_review", vec![("reason", "事实清楚，书面审理")]),
        (
            "record_deliberation",
            vec![
                ("votes_for", "3"),
                ("votes_against", "0"),
                ("opinion", "侵权成立"),
            ],
        ),
    ] {
        let (s, html) = submit(&app, &officer, id, action, &fields).await;
        assert_eq!(s, 303, "{action}: {html}");
    }
    // The ruling is irreversible: without the confirmation box nothing happens.
    let ruling = [
        ("outcome", "infringement"),
        ("findings", "被控产品落入权利要求1的保护范围"),
        ("order", "停止销售"),
    ];
    let (s, html) = submit(&app, &officer, id, "decide", &ruling).await;
    assert_eq!(s, 422);
    assert!(html.contains("被控产品落入权利要求1的保护范围"));
    let mut confirmed = ruling.to_vec();
    confirmed.push(("confirm", "yes"));
    let (s, html) = submit(&app, &officer, id, "decide", &confirmed).await;
    assert_eq!(s, 303, "{html}");
    assert!(html.contains("已裁决"));
    // The ruling has the parts Order 81 Art. 31 asks for.
    let ruling = issue(&app, &officer, id, "ruling").await;
    for part in [
        "专利侵权纠纷行政裁决书",
        "被请求人的答辩",
        "本局认定的事实、理由和依据",
        "被控产品落入权利要求1的保护范围",
        "责令被请求人立即停止侵权行为：停止销售",
        "十五日内",
    ] {
        assert!(ruling.contains(part), "{part}");
    }
    let (s, _) = submit(&app, &officer, id, "publish", &[("where", "本局网站")]).await;
    assert_eq!(s, 303);
    let (s, html) = submit(&app, &officer, id, "close", &[("confirm", "yes")]).await;
    assert_eq!(s, 303);
    assert!(html.contains("已结案") && html.contains("当前没有可办理的操作"));
    // The filer sees the outcome.
    let seen = filer
        .get(app.url(&format!("/cases/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(seen.contains("作出行政裁决") && seen.contains("已结案"));
    // … and can open the ruling issued to it, but issue nothing.
    assert!(seen.contains("专利侵权纠纷行政裁决书") && !seen.contains("/documents/ruling\""));
    let (_, docs) = app
        .get_json(
            &format!("/api/v1/cases/{id}/documents"),
            &app.token("demo-enterprise").await,
        )
        .await;
    let seq = docs["issued"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "ruling")
        .unwrap()["seq"]
        .clone();
    let res = filer
        .get(app.url(&format!("/cases/{id}/documents/{seq}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(docs["can_issue"], json!([]));
}

/// Issues a document from the case page and returns the printable page.
async fn issue(app: &TestApp, client: &Client, id: i64, kind: &str) -> String {
    let page = client
        .get(app.url(&format!("/cases/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("/documents/{kind}\"")),
        "{kind} offered"
    );
    let csrf = csrf_in(&page).unwrap();
    let version = version_in(&page);
    let res = client
        .post(app.url(&format!("/cases/{id}/documents/{kind}")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("expected_version", version.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    client
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Files a complaint with `extra` fields and routes it to `queue` through the API.
pub async fn routed(app: &TestApp, extra: serde_json::Value, queue: &str) -> i64 {
    let ent = app.token("demo-enterprise").await;
    let triager = app.token("demo-triager").await;
    let mut c = crate::cases::complaint();
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    let (s, filed) = app.post_api("/api/v1/complaints", &ent, &c).await;
    assert_eq!(s, 201, "{filed}");
    let id = filed["id"].as_i64().unwrap();
    let (s, b) = app
        .post_api(
            &format!("/api/v1/cases/{id}/triage"),
            &triager,
            &json!({"action": "route", "queue": queue, "expected_version": filed["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    id
}

#[tokio::test]
async fn exhibition_and_overseas_cases_are_worked_through_the_case_page() {
    let app = TestApp::spawn().await;
    let officer = signed_in(&app, "demo-officer").await;
    let supervisor = signed_in(&app, "demo-supervisor").await;
    let now = chrono::Utc::now() + chrono::TimeDelta::hours(8);
    let fair = json!({"name": "2026南通国际工业博览会", "venue": "南通国际会展中心", "booth": "C3",
        "opens_at": (now - chrono::TimeDelta::days(1)).format("%Y-%m-%dT%H:%M").to_string(),
        "closes_at": (now + chrono::TimeDelta::days(2)).format("%Y-%m-%dT%H:%M").to_string()});
    let ex = routed(
        &app,
        json!({"channel": "exhibition", "region_code": "320600", "exhibition": fair}),
        "exhibition_enforcement",
    )
    .await;
    for (action, fields) in [
        ("transfer", vec![]),
        ("notify_respondent", vec![]),
        ("record_no_answer", vec![]),
        (
            "order_measures",
            vec![
                ("measures", "withdraw_exhibit"),
                ("measures", "remove_link"),
                ("findings", "展品与专利相同"),
                ("confirm", "yes"),
            ],
        ),
        ("close", vec![("confirm", "yes")]),
    ] {
        let (s, html) = submit(&app, &officer, ex, action, &fields).await;
        assert_eq!(s, 303, "{action}: {html}");
    }
    let api = app.token("demo-officer").await;
    let (_, events) = app
        .get_json(&format!("/api/v1/cases/{ex}/events"), &api)
        .await;
    let measures = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "measures_ordered")
        .unwrap()["payload"]["measures"]
        .clone();
    assert_eq!(measures, json!(["withdraw_exhibit", "remove_link"]));

    let os = routed(
        &app,
        json!({"channel": "overseas", "overseas": {"country": "US", "category": "us_337",
               "foreign_deadline": "2027-01-15T17:00", "time_zone": "America/New_York"}}),
        "overseas_assistance",
    )
    .await;
    // The foreign deadline is shown in its own zone and in Beijing time.
    let page = officer
        .get(app.url(&format!("/cases/{os}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("America/New_York") && page.contains("2027-01-16 06:00"),
        "{page}"
    );
    let (s, _) = submit(&app, &officer, os, "accept", &[]).await;
    assert_eq!(s, 303);
    let (_, o) = app
        .get_json(&format!("/api/v1/cases/{os}/actions"), &api)
        .await;
    let expert = o["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "assign_expert")
        .unwrap()["fields"][0]["options"][0]["value"]
        .to_string();
    let (s, html) = submit(
        &app,
        &officer,
        os,
        "assign_expert",
        &[("expert_id", &expert)],
    )
    .await;
    assert_eq!(s, 303, "{html}");
    // Three of the four export checks: the form comes back with the boxes still ticked.
    let three = [
        ("checks", "state_secrets"),
        ("checks", "data_security"),
        ("checks", "personal_information"),
        ("destination", "美国"),
    ];
    let (s, html) = submit(&app, &supervisor, os, "approve_evidence_export", &three).await;
    assert_eq!(s, 422);
    assert!(html.contains("四项合规审查均需确认"));
    assert_eq!(html.matches("value=\"state_secrets\" checked").count(), 1);
    let mut four = three.to_vec();
    four.push(("checks", "technology_export"));
    let (s, _) = submit(&app, &supervisor, os, "approve_evidence_export", &four).await;
    assert_eq!(s, 303);
    for (action, fields) in [
        ("give_guidance", vec![("guidance", "尽快委托美国律师应诉")]),
        (
            "close",
            vec![("outcome", "企业已应诉并和解"), ("confirm", "yes")],
        ),
    ] {
        let (s, html) = submit(&app, &officer, os, action, &fields).await;
        assert_eq!(s, 303, "{action}: {html}");
    }
    let (_, c) = app.get_json(&format!("/api/v1/cases/{os}"), &api).await;
    assert_eq!(c["state"], "closed");
}
