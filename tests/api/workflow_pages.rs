//! The workflow through the case page's forms, as an officer works it in the browser: each open
//! action is a form; a refused step comes back filled in with its messages; irreversible steps
//! need the confirmation box.

use crate::helpers::TestApp;
use serde_json::json;

#[tokio::test]
async fn an_officer_works_a_ruling_case_to_its_end_through_the_case_page() {
    let app = TestApp::spawn().await;
    let id = app
        .complaint()
        .routed("administrative_ruling")
        .file()
        .await
        .id;
    let officer = app.browser_as("demo-officer").await;
    let page = officer.html(&format!("/cases/{id}")).await;
    assert!(page.contains("案件办理") && page.contains("立案（组成合议组）"));
    assert!(page.contains("王芳（执法人员）") && page.contains("孙伟（执法人员）"));
    // The filer's page has no forms to work the case.
    let filer = app.browser_as("demo-enterprise").await;
    let seen = filer.html(&format!("/cases/{id}")).await;
    assert!(!seen.contains("data-action="));

    let (ids, names): (Vec<String>, Vec<String>) = {
        let (_, o) = app
            .api_as("demo-officer")
            .await
            .get(&format!("/api/v1/cases/{id}/actions"))
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
    let two = [
        ("panel_user_ids", ids[0].as_str()),
        ("panel_user_ids", &ids[1]),
        ("asserted_claims", "权利要求1、2"),
    ];
    let (s, html) = officer.submit(id, "docket", &two).await;
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
    let mut three = two.to_vec();
    three.push(("panel_user_ids", &ids[2]));
    let (s, html) = officer.submit(id, "docket", &three).await;
    assert_eq!(s, 303, "{html}");
    assert!(html.contains("已立案"));
    // The notice of acceptance, issued from the docketing step and printed.
    let notice = officer.issue(id, "acceptance_notice").await;
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
        let (s, html) = officer.submit(id, action, &fields).await;
        assert_eq!(s, 303, "{action}: {html}");
    }
    // The ruling is irreversible: without the confirmation box nothing happens.
    let ruling = [
        ("outcome", "infringement"),
        ("findings", "被控产品落入权利要求1的保护范围"),
        ("order", "停止销售"),
    ];
    let (s, html) = officer.submit(id, "decide", &ruling).await;
    assert_eq!(s, 422);
    assert!(html.contains("被控产品落入权利要求1的保护范围"));
    let mut confirmed = ruling.to_vec();
    confirmed.push(("confirm", "yes"));
    let (s, html) = officer.submit(id, "decide", &confirmed).await;
    assert_eq!(s, 303, "{html}");
    assert!(html.contains("已裁决"));
    // The ruling has the parts Order 81 Art. 31 asks for.
    let ruling = officer.issue(id, "ruling").await;
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
    let (s, _) = officer
        .submit(id, "publish", &[("where", "本局网站")])
        .await;
    assert_eq!(s, 303);
    let (s, html) = officer.submit(id, "close", &[("confirm", "yes")]).await;
    assert_eq!(s, 303);
    // Closed: only what follows a ruling is left to offer: its change or revocation (Art. 33),
    // telling a platform or customs (Art. 32), a repeat infringement (Art. 34).
    assert!(html.contains("已结案"));
    let offered: Vec<&str> = html
        .split("data-action=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(
        offered,
        [
            "change_ruling",
            "notify_ruling_to",
            "rule_repeat_infringement"
        ],
        "the steps after a ruling"
    );
    // The filer sees the outcome.
    let seen = filer.html(&format!("/cases/{id}")).await;
    assert!(seen.contains("作出行政裁决") && seen.contains("已结案"));
    // … and can open the ruling issued to it, but issue nothing.
    assert!(seen.contains("专利侵权纠纷行政裁决书") && !seen.contains("/documents/ruling\""));
    let (_, docs) = app
        .api_as("demo-enterprise")
        .await
        .get(&format!("/api/v1/cases/{id}/documents"))
        .await;
    let seq = docs["issued"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "ruling")
        .unwrap()["seq"]
        .clone();
    let res = filer.get(&format!("/cases/{id}/documents/{seq}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(docs["can_issue"], json!([]));
}

#[tokio::test]
async fn exhibition_and_overseas_cases_are_worked_through_the_case_page() {
    let app = TestApp::spawn().await;
    let officer = app.browser_as("demo-officer").await;
    let supervisor = app.browser_as("demo-supervisor").await;
    let ex = app
        .complaint()
        .at_fair()
        .routed("exhibition_enforcement")
        .file()
        .await
        .id;
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
        let (s, html) = officer.submit(ex, action, &fields).await;
        assert_eq!(s, 303, "{action}: {html}");
    }
    let api = app.api_as("demo-officer").await;
    let (_, events) = api.get(&format!("/api/v1/cases/{ex}/events")).await;
    let measures = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "measures_ordered")
        .unwrap()["payload"]["measures"]
        .clone();
    assert_eq!(measures, json!(["withdraw_exhibit", "remove_link"]));

    let os = app
        .complaint()
        .overseas(json!({"country": "US", "category": "us_337",
                         "foreign_deadline": "2027-01-15T17:00", "time_zone": "America/New_York"}))
        .routed("overseas_assistance")
        .file()
        .await
        .id;
    // The foreign deadline is shown in its own zone and in Beijing time.
    let page = officer.html(&format!("/cases/{os}")).await;
    assert!(
        page.contains("America/New_York") && page.contains("2027-01-16 06:00"),
        "{page}"
    );
    let (s, _) = officer.submit(os, "accept", &[]).await;
    assert_eq!(s, 303);
    let (_, o) = api.get(&format!("/api/v1/cases/{os}/actions")).await;
    let expert = o["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "assign_expert")
        .unwrap()["fields"][0]["options"][0]["value"]
        .to_string();
    let (s, html) = officer
        .submit(os, "assign_expert", &[("expert_id", &expert)])
        .await;
    assert_eq!(s, 303, "{html}");
    // Three of the five export checks: the form comes back with the boxes still ticked.
    let three = [
        ("checks", "state_secrets"),
        ("checks", "data_security"),
        ("checks", "personal_information"),
        ("destination", "美国"),
    ];
    let (s, html) = supervisor
        .submit(os, "approve_evidence_export", &three)
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("五项合规审查均需确认"));
    assert_eq!(html.matches("value=\"state_secrets\" checked").count(), 1);
    let mut five = three.to_vec();
    five.push(("checks", "technology_export"));
    five.push(("checks", "judicial_assistance"));
    five.push(("approved_by", "司法部"));
    let (s, _) = supervisor
        .submit(os, "approve_evidence_export", &five)
        .await;
    assert_eq!(s, 303);
    for (action, fields) in [
        ("give_guidance", vec![("guidance", "尽快委托美国律师应诉")]),
        (
            "close",
            vec![("outcome", "企业已应诉并和解"), ("confirm", "yes")],
        ),
    ] {
        let (s, html) = officer.submit(os, action, &fields).await;
        assert_eq!(s, 303, "{action}: {html}");
    }
    let (_, c) = api.get(&format!("/api/v1/cases/{os}")).await;
    assert_eq!(c["state"], "closed");
}
