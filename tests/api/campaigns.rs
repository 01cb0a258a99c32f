//! Special campaigns and joint enforcement (专项行动 / 联合执法): the IP office starts a campaign
//! with customs and public security; its officer links cases, records a joint inspection and
//! refers a case to public security, which reads it, hears of it and acknowledges it; the
//! report's counts equal the linked records, also in its CSV; who sees what; refused input.

use crate::fixtures::Api;
use crate::helpers::TestApp;
use chrono::{Duration, FixedOffset, Utc};
use serde_json::{Value, json};

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
}

/// An organisation of `kind` in 南通 with an officer `user`: its id.
async fn body(app: &TestApp, name: &str, kind: &str, user: &str) -> i64 {
    let org = weiquan::service::admin::OrgInput {
        name: name.into(),
        kind: kind.into(),
        region_code: "320600".into(),
        ..Default::default()
    };
    app.operator_adds(org, user, "执法人员", "officer").await
}

fn fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default()
}

async fn report(by: &Api, id: i64) -> Value {
    let (status, r) = by.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, 200, "{r}");
    r
}

#[tokio::test]
async fn a_campaign_links_cases_records_an_inspection_and_refers_a_case_that_is_acknowledged() {
    let app = TestApp::spawn().await;
    let customs = body(&app, "南通海关", "customs", "nt-customs").await;
    let police = body(&app, "南通市公安局", "public_security", "nt-police").await;
    let sup = app.api_as("demo-supervisor").await;
    let (status, c) = sup
        .post(
            "/api/v1/campaigns",
            &json!({
                "name": "2026年知识产权保护“龙腾”专项行动",
                "starts_on": (today() - Duration::days(30)).to_string(),
                "ends_on": (today() + Duration::days(60)).to_string(),
                "description": "会同海关、公安查处进出口环节和展会侵权。",
                "member_org_ids": [customs, police],
            }),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    let lead = c["lead"]["id"].as_i64().unwrap();
    assert_eq!(c["members"].as_array().unwrap().len(), 2);

    // Who sees it: the lead office and the bodies taking part; not the centre, not enterprises.
    let police_api = app.api_as("nt-police").await;
    let (_, seen) = police_api.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(seen["campaign"]["can_work"], false);
    let triager = app.api_as("demo-triager").await;
    assert_eq!(triager.get(&format!("/api/v1/campaigns/{id}")).await.0, 404);
    let (_, none) = triager.get("/api/v1/campaigns").await;
    assert_eq!(none["items"], json!([]));
    let ent = app.api_as("demo-enterprise").await;
    assert_eq!(ent.get("/api/v1/campaigns").await.0, 403);

    // The office's officer links two of its leads; once each.
    let officer = app.api_as("demo-officer").await;
    let a = app
        .lead("demo-officer", "officer")
        .title("进口侵权轴承")
        .file()
        .await;
    let b = app
        .lead("demo-officer", "officer")
        .title("展会仿冒轴承")
        .file()
        .await;
    for case in [a.id, b.id] {
        let (status, r) = officer
            .post(
                &format!("/api/v1/campaigns/{id}/cases"),
                &json!({"case_id": case}),
            )
            .await;
        assert_eq!(status, 200, "{r}");
    }
    let (status, _) = officer
        .post(
            &format!("/api/v1/campaigns/{id}/cases"),
            &json!({"case_id": a.id}),
        )
        .await;
    assert_eq!(status, 409);
    let (status, unknown) = officer
        .post(
            &format!("/api/v1/campaigns/{id}/cases"),
            &json!({"case_id": 999_999}),
        )
        .await;
    assert_eq!(status, 422, "{unknown}");
    // A participating body reads the campaign but does not work it.
    let (status, _) = police_api
        .post(
            &format!("/api/v1/campaigns/{id}/cases"),
            &json!({"case_id": a.id}),
        )
        .await;
    assert_eq!(status, 403);

    // A joint inspection with customs at the port, about the first case.
    let inspection = json!({
        "held_on": today().to_string(), "place": "南通港集装箱码头",
        "body_org_ids": [lead, customs],
        "findings": "查验出口货柜一个，发现涉嫌侵犯商标权的轴承2000套。",
        "evidence": "现场照片36张，扣留货物清单1份", "case_id": a.id,
    });
    let (status, r) = officer
        .post(&format!("/api/v1/campaigns/{id}/inspections"), &inspection)
        .await;
    assert_eq!(status, 201, "{r}");
    let mut bad = inspection.clone();
    bad["body_org_ids"] = json!([app.org_id("南通市知识产权保护中心").await]);
    bad["held_on"] = json!((today() + Duration::days(1)).to_string());
    let (status, refused) = officer
        .post(&format!("/api/v1/campaigns/{id}/inspections"), &bad)
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), ["held_on"]);
    bad["held_on"] = json!(today().to_string());
    let (_, refused) = officer
        .post(&format!("/api/v1/campaigns/{id}/inspections"), &bad)
        .await;
    assert_eq!(fields(&refused), ["body_org_ids"]);

    // Public security cannot open the case before it is referred, and can after.
    assert_eq!(
        police_api.get(&format!("/api/v1/cases/{}", a.id)).await.0,
        404
    );
    let refer = json!({"case_id": a.id, "to_org_id": police, "note": "涉案金额较大，涉嫌假冒注册商标罪，依法移送。"});
    let (status, r) = officer
        .post(&format!("/api/v1/campaigns/{id}/referrals"), &refer)
        .await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(
        officer
            .post(&format!("/api/v1/campaigns/{id}/referrals"), &refer)
            .await
            .0,
        409
    );
    let (status, _) = officer
        .post(
            &format!("/api/v1/campaigns/{id}/referrals"),
            &json!({"case_id": b.id, "to_org_id": lead, "note": "自己"}),
        )
        .await;
    assert_eq!(status, 422, "only a participating body receives a referral");
    assert_eq!(
        police_api.get(&format!("/api/v1/cases/{}", a.id)).await.0,
        200
    );
    let (_, notes) = police_api.get("/api/v1/notifications").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["case_id"] == a.id && n["event"] == "campaign_referred"),
        "{notes}"
    );

    // Public security acknowledges it, once; customs cannot.
    let referral = report(&officer, id).await["referrals"][0]["id"]
        .as_i64()
        .unwrap();
    let ack = format!("/api/v1/campaign-referrals/{referral}/acknowledge");
    let customs_api = app.api_as("nt-customs").await;
    assert_eq!(customs_api.post(&ack, &json!({})).await.0, 403);
    let (status, r) = police_api
        .post(
            &ack,
            &json!({"note": "已立案侦查，案号 通公（经）立字〔2026〕118号"}),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(police_api.post(&ack, &json!({})).await.0, 409);
    let (_, events) = officer.get(&format!("/api/v1/cases/{}/events", a.id)).await;
    let kinds = crate::fixtures::kinds(&events);
    for k in [
        "campaign_linked",
        "campaign_referred",
        "campaign_referral_acknowledged",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }

    // The report's counts are the linked records.
    let r = report(&sup, id).await;
    let f = &r["figures"];
    assert_eq!(f["cases"], r["cases"].as_array().unwrap().len());
    assert_eq!(f["cases"], 2);
    assert_eq!(f["inspections"], r["inspections"].as_array().unwrap().len());
    assert_eq!(f["inspections"], 1);
    assert_eq!(f["referrals"], 1);
    assert_eq!(f["referrals_acknowledged"], 1);
    assert_eq!(
        r["inspections"][0]["bodies"],
        json!(["南通市知识产权局", "南通海关"])
    );
    // Customs sees the numbers of the cases, not the titles of those it cannot open.
    let theirs = report(&customs_api, id).await;
    assert!(theirs["cases"][0].get("title").is_none(), "{theirs}");
    assert_eq!(r["cases"][0]["title"], "进口侵权轴承");

    // The page shows the same: each case with its own title, the inspection, the referral.
    let html = app
        .browser_as("demo-supervisor")
        .await
        .html(&format!("/campaigns/{id}"))
        .await;
    for text in ["进口侵权轴承", "展会仿冒轴承", "南通港集装箱码头", "已于"] {
        assert!(html.contains(text), "{text} on the page");
    }
    let police_page = app
        .browser_as("nt-police")
        .await
        .html(&format!("/campaigns/{id}"))
        .await;
    assert!(police_page.contains("（无权查看）") || police_page.contains("进口侵权轴承"));

    // Its CSV: a header and one line per case, inspection and referral.
    let res = sup
        .get_response(&format!("/api/v1/campaigns/{id}?format=csv"))
        .await;
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 + 1 + 1, "{csv}");
    assert!(
        csv.contains("南通港集装箱码头") && csv.contains("已签收"),
        "{csv}"
    );
    let xlsx = sup
        .get_response(&format!("/api/v1/campaigns/{id}?format=xlsx"))
        .await;
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"), "a workbook");
}

#[tokio::test]
async fn a_campaign_refuses_what_it_cannot_hold_and_who_may_not_start_one() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let (status, _) = officer
        .post("/api/v1/campaigns", &json!({"name": "x"}))
        .await;
    assert_eq!(status, 403);
    let sup = app.api_as("demo-supervisor").await;
    let enterprise = app.org_id("南通华信精密机械有限公司").await;
    let (status, bad) = sup
        .post(
            "/api/v1/campaigns",
            &json!({"name": "行", "starts_on": "2026-05-01", "ends_on": "2026-04-01",
                    "member_org_ids": [enterprise]}),
        )
        .await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(fields(&bad), ["name", "ends_on"]);
    let (status, bad) = sup
        .post(
            "/api/v1/campaigns",
            &json!({"name": "电商平台专项整治", "starts_on": "2026-05-01", "ends_on": "2026-09-30",
                    "member_org_ids": [enterprise]}),
        )
        .await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(fields(&bad), ["member_org_ids"]);
    let (_, list) = sup.get("/api/v1/campaigns").await;
    assert_eq!(list["items"], json!([]), "nothing half-written");
    assert_eq!(sup.get("/api/v1/campaigns/1?format=pdf").await.0, 404);
}
