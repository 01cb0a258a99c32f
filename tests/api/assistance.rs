//! The assistance services of issue 19 beside consultations (`consultations.rs`):
//! - workstations (维权援助工作站): a workstation's staff take a complaint in for their centre,
//!   the centre triages it, and the workstation reads what the centre decided — and nothing it
//!   did not take in; the centre answers what its workstations were asked; workstations are
//!   organisations under a centre with a park; the centre's page counts what each took in;
//! - the 专精特新 fast track: a 3-working-day triage clock and the 快速通道 label;
//! - an enterprise's protection needs, recorded by an office and seen on its cases.

use crate::helpers::TestApp;
use serde_json::{Value, json};

/// A lead as the workstation's staff take it in from a park enterprise.
fn walk_in(respondent: &str) -> Value {
    json!({
        "description": "园区企业来工作站反映：其发明专利保护的刀具被仿制销售。",
        "channel": "offline_market",
        "region_code": "320600",
        "source": "officer",
        "complainant": {"name": "南通高新区某精工有限公司"},
        "rights": [{"kind": "invention_patent", "number": "ZL202310123456.6", "title": "一种刀具"}],
        "respondents": [{"name": respondent}]
    })
}

/// A second workstation under the same centre, with an officer `user` (the demo password).
async fn second_station(app: &TestApp, user: &str) {
    let centre = app.org_id("南通市知识产权保护中心").await;
    let station = weiquan::service::admin::OrgInput {
        name: "海安开发区维权援助工作站".into(),
        kind: "workstation".into(),
        region_code: "320685".into(),
        parent_id: Some(centre.to_string()),
        park: Some("海安经济技术开发区".into()),
        ..Default::default()
    };
    app.operator_adds(station, user, "吴工（海安工作站）", "officer")
        .await;
}

#[tokio::test]
async fn a_workstation_takes_a_complaint_in_the_centre_triages_it_and_the_workstation_reads_the_decision()
 {
    let app = TestApp::spawn().await;
    let station = app.api_as("demo-station").await;
    let triager = app.api_as("demo-triager").await;
    let (status, filed) = station
        .post("/api/v1/cases", &walk_in("南通某刀具经营部"))
        .await;
    assert_eq!(status, 201, "{filed}");
    let id = filed["id"].as_i64().unwrap();
    assert_eq!(
        (filed["queue"].as_str(), filed["state"].as_str()),
        (Some("triage"), Some("new"))
    );

    // The centre owns it and finds it waiting in its triage.
    let case = triager.case(id).await;
    assert_eq!(case["owner"]["name"], "南通市知识产权保护中心");
    let (_, waiting) = triager.get("/api/v1/cases?queue=triage&limit=200").await;
    assert!(
        waiting["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id)
    );
    // The workstation reads it (shared for reading) and may not decide it.
    let seen = station.case(id).await;
    assert_eq!(seen["access"], "read");
    let (status, _) = station
        .post(
            &format!("/api/v1/cases/{id}/triage"),
            &json!({"action": "reject", "reason_code": "not_ip_dispute", "reason": "x", "expected_version": 1}),
        )
        .await;
    assert_eq!(status, 403);
    let (_, events) = station.get(&format!("/api/v1/cases/{id}/events")).await;
    assert_eq!(
        events["items"][0]["payload"]["taken_in_by_org_id"],
        station.org_id().await
    );

    // The centre rejects it; the workstation sees the decision with its reason.
    let version = case["version"].as_i64().unwrap();
    let (status, decided) = triager
        .post(
            &format!("/api/v1/cases/{id}/triage"),
            &json!({"action": "reject", "reason_code": "not_ip_dispute",
                    "reason": "属合同纠纷，请向法院起诉。", "expected_version": version}),
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    let (_, events) = station.get(&format!("/api/v1/cases/{id}/events")).await;
    let rejected = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "rejected")
        .cloned()
        .unwrap_or_else(|| panic!("no rejection in {events}"));
    assert_eq!(rejected["payload"]["reason"], "属合同纠纷，请向法院起诉。");

    // Another workstation of the same centre does not see it; the first one's list holds it.
    second_station(&app, "haian-station").await;
    let other = app.api_as("haian-station").await;
    assert_eq!(other.get(&format!("/api/v1/cases/{id}")).await.0, 404);
    let (_, theirs) = other.get("/api/v1/cases?limit=200").await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0, "{theirs}");
    let (_, mine) = station.get("/api/v1/cases?limit=200").await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id)
    );
    // Nor does it find it in search.
    let (_, found) = other.get("/api/v1/search?q=南通某刀具经营部").await;
    assert_eq!(found["total"], 0, "{found}");
}

#[tokio::test]
async fn the_centre_answers_what_its_workstation_was_asked_and_counts_what_each_took_in() {
    let app = TestApp::spawn().await;
    let station = app.api_as("demo-station").await;
    let triager = app.api_as("demo-triager").await;
    let (status, asked) = station
        .post(
            "/api/v1/consultations",
            &json!({"topic": "licensing", "question": "园区企业想把专利许可给上游供应商，许可合同要备案吗？",
                    "asker_name": "园区企业", "channel": "visit"}),
        )
        .await;
    assert_eq!(status, 201, "{asked}");
    assert_eq!(asked["org_name"], "南通高新区知识产权维权援助工作站");
    let id = asked["id"].as_i64().unwrap();
    // The centre sees it and may answer it; another workstation does not see it.
    let (_, c) = triager.get(&format!("/api/v1/consultations/{id}")).await;
    assert_eq!(c["can_answer"], true, "{c}");
    second_station(&app, "haian-station").await;
    let other = app.api_as("haian-station").await;
    assert_eq!(
        other.get(&format!("/api/v1/consultations/{id}")).await.0,
        404
    );
    let (status, _) = triager
        .post(
            &format!("/api/v1/consultations/{id}/answer"),
            &json!({"answer": "专利实施许可合同应自生效之日起3个月内备案。", "minutes_spent": 10}),
        )
        .await;
    assert_eq!(status, 200);

    // The workstation takes in two leads; the centre routes one.
    let first = station.post("/api/v1/cases", &walk_in("甲刀具厂")).await.1;
    station.post("/api/v1/cases", &walk_in("乙刀具厂")).await;
    let (status, _) = triager
        .post(
            &format!("/api/v1/cases/{}/triage", first["id"]),
            &json!({"action": "route", "queue": "administrative_ruling", "expected_version": 1}),
        )
        .await;
    assert_eq!(status, 200);
    // The centre's page counts them.
    let html = app
        .browser_as("demo-triager")
        .await
        .html("/workstations")
        .await;
    let row = html
        .split("<tr>")
        .find(|r| r.contains("南通高新区知识产权维权援助工作站"))
        .unwrap_or_else(|| panic!("no row in {html}"));
    let cells: Vec<&str> = row
        .split("<td>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    // Park, staff, leads (all, awaiting triage, routed, not taken), consultations (all, answered).
    assert_eq!(
        cells,
        ["南通高新技术产业开发区", "1", "2", "1", "1", "0", "1", "1"],
        "{row}"
    );
    // The workstation's own staff do not see the centre's page.
    assert_eq!(
        app.browser_as("demo-station")
            .await
            .page("/workstations")
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn a_workstation_is_an_organisation_under_a_centre_with_its_park() {
    let app = TestApp::spawn().await;
    let office = app.org_id("南通市知识产权局").await.to_string();
    let out = app
        .cli(&[
            "org",
            "add",
            "--name",
            "错误工作站",
            "--kind",
            "workstation",
            "--region",
            "320600",
            "--parent",
            &office,
        ])
        .await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("维权援助中心") || err.contains("assistance centre"),
        "{err}"
    );
    assert!(err.contains("园区") || err.contains("park"), "{err}");
    // The administrator's form says the same, filled in.
    let admin = app.browser_as("demo-admin").await;
    let res = admin
        .post_form(
            "/admin/orgs/new",
            "/admin/orgs",
            &[
                ("name", "错误工作站"),
                ("kind", "workstation"),
                ("region_code", "320600"),
                ("parent_id", &office),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("工作站的上级机构须为维权援助中心"), "{html}");
    assert!(html.contains("请填写工作站服务的园区"));
    assert!(html.contains("value=\"错误工作站\""));
}

/// 宁夏 measures §9: a 专精特新 enterprise's complaint is triaged on the fast track — 3 working
/// days unless the office set its own, never slower than its ordinary standard — and labelled
/// 快速通道 wherever it appears; an ordinary lead keeps the 7 days.
#[tokio::test]
async fn an_srdi_complaint_gets_a_three_working_day_triage_clock_and_the_fast_track_label() {
    use crate::fixtures::{clock, last_day};
    let app = TestApp::spawn().await;
    let today = chrono::Utc::now()
        .with_timezone(&weiquan::domain::time::beijing())
        .date_naive();
    let enterprise = app.api_as("demo-enterprise").await;
    // 华信 is a national “小巨人” in the registry.
    let srdi = app.complaint().file().await;
    assert_eq!(
        last_day(&srdi.filed["triage_due"]),
        enterprise.working_days(today, 3).await
    );
    let case = enterprise.case(srdi.id).await;
    assert_eq!(case["fast_track"], true);
    assert_eq!(
        clock(&case["deadlines"], "triage.decision")["basis"],
        "service_standard"
    );
    let (_, events) = enterprise.get(&srdi.path("/events")).await;
    assert_eq!(events["items"][0]["payload"]["fast_track"], true);
    // A lead whose complainant is in no registry: the ordinary 7 days, no label.
    let ordinary = app.lead("demo-officer", "officer").file().await;
    assert_eq!(
        last_day(&ordinary.filed["triage_due"]),
        enterprise.working_days(today, 7).await
    );
    let officer = app.api_as("demo-officer").await;
    assert_eq!(officer.case(ordinary.id).await["fast_track"], false);

    // The office sets its own fast track of 2 days; a bad value is a field message.
    let office = app.org_id("南通市知识产权局").await;
    let admin = app.browser_as("demo-admin").await;
    let edit = format!("/admin/orgs/{office}/edit");
    let path = format!("/admin/orgs/{office}");
    let form = |days: &'static str| {
        [
            ("name", "南通市知识产权局"),
            ("kind", "ip_office"),
            ("region_code", "320600"),
            ("srdi_triage_working_days", days),
        ]
    };
    let refused = admin.post_form(&edit, &path, &form("99")).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("value=\"99\""));
    assert_eq!(
        admin.post_form(&edit, &path, &form("2")).await.status(),
        303
    );
    let faster = app.complaint().file().await;
    assert_eq!(
        last_day(&faster.filed["triage_due"]),
        enterprise.working_days(today, 2).await
    );
    // The label on the case list, the case page and the triage workbench.
    let triager = app.browser_as("demo-triager").await;
    for page in [
        "/cases".to_string(),
        format!("/cases/{}", faster.id),
        "/triage".to_string(),
    ] {
        let html = triager.html(&page).await;
        assert!(html.contains("快速通道"), "{page}");
    }
    let list = triager.html("/cases").await;
    let row = list
        .split("<tr")
        .find(|r| r.contains(&format!("/cases/{}\"", ordinary.id)))
        .unwrap_or_default();
    assert!(!row.is_empty() && !row.contains("快速通道"), "{row}");
}

/// 宁夏 measures §9 / 国知发运字〔2022〕38号: an industry office records a 专精特新 enterprise's
/// protection needs with it; triage and officers see them on the enterprise's cases; the
/// enterprise itself and other enterprises do not.
#[tokio::test]
async fn an_industry_office_records_an_enterprises_protection_needs_and_triage_sees_them_on_its_case()
 {
    let app = TestApp::spawn().await;
    let uscc = app.api_as("demo-enterprise").await.me().await["organization"]["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let filed = app.complaint().file().await;
    let industry = app.browser_as("demo-industry").await;
    let form = format!("/enterprises/{uscc}/needs");
    // The form knows the enterprise's name from the registry.
    assert!(
        industry
            .html(&form)
            .await
            .contains("南通华信精密机械有限公司")
    );
    // An empty form is refused, filled in.
    let res = industry
        .post_form(
            &form,
            &form,
            &[
                ("enterprise_name", "南通华信精密机械有限公司"),
                ("products", "  "),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("请至少填写一项保护需求"));
    let res = industry
        .post_form(
            &form,
            &form,
            &[
                ("enterprise_name", "南通华信精密机械有限公司"),
                ("products", "谐波减速器，发明专利12件"),
                ("overseas_plans", "明年赴德国参展"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    // The triager sees them on the enterprise's case, with a link to the form.
    let page = app
        .browser_as("demo-triager")
        .await
        .html(&format!("/cases/{}", filed.id))
        .await;
    assert!(
        page.contains("企业保护需求") && page.contains("明年赴德国参展"),
        "{page}"
    );
    // The enterprise does not see what offices recorded about it; nor may it open the form.
    let enterprise = app.browser_as("demo-enterprise").await;
    let own = enterprise.html(&format!("/cases/{}", filed.id)).await;
    assert!(!own.contains("明年赴德国参展"));
    assert_eq!(enterprise.page(&form).await.0, 403);
    // A malformed credit code names no enterprise.
    assert_eq!(industry.page("/enterprises/123/needs").await.0, 404);
    // Audited.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("needs.save"))
        .all(app.db.conn())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].target_id, uscc);
}

/// Protection needs stay within the region: an industry office of another city neither reads nor
/// writes a Nantong enterprise's needs (404, as for any enterprise out of reach).
#[tokio::test]
async fn an_office_of_another_region_does_not_reach_an_enterprises_needs() {
    let app = TestApp::spawn().await;
    let suzhou_office = weiquan::service::admin::OrgInput {
        name: "苏州市工业和信息化局".into(),
        kind: "industry_office".into(),
        region_code: "320500".into(),
        ..Default::default()
    };
    app.operator_adds(suzhou_office, "sz-industry", "苏州工信", "officer")
        .await;
    let uscc = app.api_as("demo-enterprise").await.me().await["organization"]["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let suzhou = app.browser_as("sz-industry").await;
    let form = format!("/enterprises/{uscc}/needs");
    assert_eq!(suzhou.page(&form).await.0, 404);
    let nantong = app.browser_as("demo-industry").await;
    let res = suzhou
        .post_form(
            "/srdi",
            &form,
            &[("enterprise_name", "华信"), ("products", "改写")],
        )
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(nantong.page(&form).await.0, 200);
}
