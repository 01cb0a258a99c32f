//! Exhibitions: a routed complaint finds (or makes) its exhibition; a complaint at a station goes
//! to its office at once; at the closing instant the worker closes what was decided at the fair
//! and hands the rest on (patent cases to the office as leads, others to the market regulator),
//! keeping their events, exactly once; the exhibition view flags repeat infringers; the queue boards
//! assign cases in bulk.

use crate::fixtures::{NewCase, csrf_in, kinds};
use crate::helpers::TestApp;
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use weiquan::config::Config;
use weiquan::domain::time::beijing;
use weiquan::worker;

/// A complaint of a design patent about `respondent` at the fair closing at `closes`, routed to
/// the exhibition queue.
fn at_the_fair<'a>(app: &'a TestApp, respondent: &str, closes: DateTime<Utc>) -> NewCase<'a> {
    app.complaint()
        .at_fair_closing(closes)
        .design_patent()
        .respondent(respondent)
        .routed("exhibition_enforcement")
}

#[tokio::test]
async fn at_the_closing_instant_decided_cases_close_and_open_ones_are_handed_on_as_leads() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    // Minute precision: the closing instant as the form gives it.
    let closes = (Utc::now() + TimeDelta::hours(30))
        .with_timezone(&beijing())
        .format("%Y-%m-%dT%H:%M:00+08:00")
        .to_string()
        .parse::<DateTime<FixedOffset>>()
        .unwrap()
        .with_timezone(&Utc);
    let decided = at_the_fair(&app, "苏州某精密设备有限公司", closes)
        .step("transfer", json!({}), "transferred")
        .step("notify_respondent", json!({}), "respondent_notified")
        .step("record_no_answer", json!({}), "no_answer")
        .step(
            "order_measures",
            json!({"measures": ["withdraw_exhibit"], "findings": "展品与外观设计相同"}),
            "measures_ordered",
        )
        .file()
        .await
        .id;
    let open = at_the_fair(&app, "无锡某机床配件厂", closes)
        .step("transfer", json!({}), "transferred")
        .file()
        .await
        .id;
    // A trademark complaint at the same fair: not a patent dispute.
    let trademark = app
        .complaint()
        .at_fair_closing(closes)
        .right("trademark", "第12345678号", "华信")
        .respondent("常州某贸易有限公司")
        .routed("exhibition_enforcement")
        .file()
        .await
        .id;
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
        .api_as("demo-enterprise")
        .await
        .request(Method::POST, &format!("/api/v1/cases/{open}/evidence"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let uploaded: Value = res.json().await.unwrap();

    // The cases belong to one exhibition record, made from the complaint's facts.
    let (_, list) = officer
        .get("/api/v1/cases?queue=exhibition_enforcement")
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3, "{list}");
    let stored: Vec<entity::cases::Model> = {
        use sea_orm::EntityTrait;
        entity::cases::Entity::find()
            .all(app.db.conn())
            .await
            .unwrap()
    };
    let exhibition_of = |id: i64| stored.iter().find(|c| c.id == id).unwrap().exhibition_id;
    assert!(exhibition_of(decided).is_some());
    assert_eq!(exhibition_of(open), exhibition_of(decided));
    assert_eq!(exhibition_of(trademark), exhibition_of(decided));

    // A minute before the close nothing happens.
    let config = Config::default();
    let o = worker::tick(&app.db, &config, &app.time, closes - TimeDelta::minutes(1))
        .await
        .unwrap();
    assert_eq!(o.exhibitions_swept, 0);
    // At the closing instant: one closed, one handed to the office, one to the regulator.
    let o = worker::tick(&app.db, &config, &app.time, closes)
        .await
        .unwrap();
    assert_eq!(
        (
            o.exhibitions_swept,
            o.exhibition_cases_closed,
            o.exhibition_cases_transferred,
            o.exhibition_cases_to_regulator
        ),
        (1, 1, 1, 1),
        "{o:?}"
    );
    let closed = officer.case(decided).await;
    assert_eq!(
        (closed["queue"].as_str(), closed["state"].as_str()),
        (Some("exhibition_enforcement"), Some("closed"))
    );
    // Not a ruling case by itself (Order 81 needs a request): a lead of the office again,
    // with its triage clock from the close and no docketing clock.
    let lead = officer.case(open).await;
    assert_eq!(
        (lead["queue"].as_str(), lead["state"].as_str()),
        (Some("triage"), Some("new"))
    );
    let clocks = lead["deadlines"].as_array().unwrap();
    assert!(
        !clocks.iter().any(|c| c["rule_id"] == "ar.docket"),
        "{lead}"
    );
    let triage = clocks
        .iter()
        .find(|c| c["rule_id"] == "triage.decision" && c["state"] == "running")
        .expect("the triage clock runs again from the close");
    assert_eq!(
        DateTime::parse_from_rfc3339(triage["start_at"].as_str().unwrap()).unwrap(),
        closes
    );
    // Its events are kept: the transfer at the fair, the close, the handing on …
    let (_, events) = officer.get(&format!("/api/v1/cases/{open}/events")).await;
    let seen = kinds(&events);
    for k in [
        "received",
        "routed",
        "transferred",
        "exhibition_closed",
        "transferred_at_close",
    ] {
        assert!(seen.contains(&k), "{k} in {seen:?}");
    }
    // … and its evidence.
    let (_, evidence) = officer.get(&format!("/api/v1/cases/{open}/evidence")).await;
    let items = evidence["items"].as_array().expect("an evidence list");
    assert!(
        items.iter().any(|e| e["sha256"] == uploaded["sha256"]),
        "{evidence}"
    );
    // The office invites the complainant to request a ruling, who reads the invitation.
    let (status, doc) = officer
        .post(
            &format!("/api/v1/cases/{open}/documents"),
            &json!({"kind": "ruling_invitation", "expected_version": lead["version"]}),
        )
        .await;
    assert_eq!(status, 201, "{doc}");
    let seq = doc["seq"].as_i64().unwrap();
    let ent = app.browser_as("demo-enterprise").await;
    let letter = ent.html(&format!("/cases/{open}/documents/{seq}")).await;
    assert!(
        letter.contains("提出行政裁决请求告知书")
            && letter.contains("第十二条、第十四条")
            && letter.contains("2026南通国际工业博览会"),
        "{letter}"
    );

    // The trademark complaint goes to the market regulator: with none kept here, it closes
    // with a letter of transfer.
    let sent = officer.case(trademark).await;
    assert_eq!(sent["state"], "closed", "{sent}");
    let (_, events) = officer
        .get(&format!("/api/v1/cases/{trademark}/events"))
        .await;
    assert!(kinds(&events).contains(&"transferred_to_regulator"));
    let (status, doc) = officer
        .post(
            &format!("/api/v1/cases/{trademark}/documents"),
            &json!({"kind": "transfer_letter", "expected_version": sent["version"]}),
        )
        .await;
    assert_eq!(status, 201, "{doc}");

    // The report to the organiser is now due on each case.
    for id in [decided, open, trademark] {
        let c = officer.case(id).await;
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
    let again = officer.case(open).await;
    assert_eq!(again["version"], lead["version"].as_i64().unwrap() + 1);

    // The lead still owes the organiser its report (2006 Measures Art. 15), once.
    let mut case = crate::fixtures::Case {
        id: open,
        number: again["number"].as_str().unwrap().to_string(),
        version: again["version"].as_i64().unwrap(),
        filed: again.clone(),
        last: again.clone(),
    };
    let clocks = case
        .step(
            &officer,
            "report_to_organiser",
            json!({"report": "闭幕时尚未处理完毕，已移交本局作为线索处理，并告知投诉人可提出行政裁决请求"}),
            "new",
        )
        .await;
    let report = clocks
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["rule_id"] == "ex.report")
        .unwrap()
        .clone();
    assert_eq!(report["state"], "met", "{report}");
    assert!(
        !case
            .actions(&officer)
            .await
            .contains(&"report_to_organiser".to_string())
    );

    // Routing the lead into the ruling queue needs the receipt of the complainant's request;
    // docketing counts from that receipt.
    let desk = app.browser_as("demo-triager").await;
    let page = desk.html(&format!("/cases/{open}")).await;
    assert!(page.contains("本线索由展会闭幕时移交"), "{page}");
    let triager = app.api_as("demo-triager").await;
    let (status, refused) = triager
        .post(
            &format!("/api/v1/cases/{open}/triage"),
            &json!({"action": "route", "queue": "administrative_ruling", "expected_version": case.version}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused.to_string().contains("request_received_at"),
        "{refused}"
    );
    let asked = Utc::now();
    let (status, routed) = triager
        .post(
            &format!("/api/v1/cases/{open}/triage"),
            &json!({"action": "route", "queue": "administrative_ruling",
                    "request_received_at": asked.with_timezone(&beijing()).to_rfc3339(),
                    "expected_version": case.version}),
        )
        .await;
    assert_eq!(status, 200, "{routed}");
    let ruling = officer.case(open).await;
    let docket = ruling["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == "ar.docket")
        .expect("the docketing clock")
        .clone();
    assert_eq!(
        DateTime::parse_from_rfc3339(docket["start_at"].as_str().unwrap())
            .unwrap()
            .timestamp(),
        asked.timestamp()
    );
}

#[tokio::test]
async fn at_the_close_a_non_patent_complaint_is_referred_to_the_market_regulator_kept_here() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let res = admin
        .post_form(
            "/admin/orgs/new",
            "/admin/orgs",
            &[
                ("name", "南通市市场监督管理局"),
                ("kind", "market_regulator"),
                ("region_code", "320600"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let regulator = app.org_id("南通市市场监督管理局").await;
    let closes = Utc::now() + TimeDelta::hours(3);
    let id = app
        .complaint()
        .at_fair_closing(closes)
        .right("trademark", "第12345678号", "华信")
        .respondent("常州某贸易有限公司")
        .routed("exhibition_enforcement")
        .file()
        .await
        .id;
    let o = worker::tick(&app.db, &Config::default(), &app.time, closes)
        .await
        .unwrap();
    assert_eq!(o.exhibition_cases_to_regulator, 1, "{o:?}");
    let officer = app.api_as("demo-officer").await;
    let c = officer.case(id).await;
    assert_eq!(
        (
            c["queue"].as_str(),
            c["state"].as_str(),
            c["referred_to"]["id"].as_i64()
        ),
        (Some("triage"), Some("referred"), Some(regulator)),
        "{c}"
    );
    // The requester is told where the case went (Order 81 Art. 9).
    let (status, doc) = officer
        .post(
            &format!("/api/v1/cases/{id}/documents"),
            &json!({"kind": "referral_notice", "expected_version": c["version"]}),
        )
        .await;
    assert_eq!(status, 201, "{doc}");
    let seq = doc["seq"].as_i64().unwrap();
    let page = app.browser_as("demo-enterprise").await;
    let notice = page.html(&format!("/cases/{id}/documents/{seq}")).await;
    assert!(
        notice.contains("案件移送告知书") && notice.contains("南通市市场监督管理局"),
        "{notice}"
    );
}

#[tokio::test]
async fn the_exhibition_view_shows_hours_left_and_flags_an_exhibitor_infringing_at_consecutive_sessions()
 {
    let app = TestApp::spawn().await;
    let closes = Utc::now() + TimeDelta::hours(50);
    let code = weiquan::domain::uscc::complete("91320412MA1R8XK2L")
        .unwrap()
        .as_str()
        .to_string();
    // Found infringing at the fair: measures ordered against its respondent.
    fn infringing(case: NewCase<'_>) -> NewCase<'_> {
        case.step("transfer", json!({}), "transferred")
            .step("notify_respondent", json!({}), "respondent_notified")
            .step(
                "receive_statement",
                json!({"statement": "不侵权"}),
                "answered",
            )
            .step(
                "order_measures",
                json!({"measures": ["cover_display"], "findings": "相同设计"}),
                "measures_ordered",
            )
    }
    // The previous session of the same fair, opened three days ago.
    let officer = app.browser_as("demo-officer").await;
    let opened = crate::fixtures::local_minute(Utc::now() - TimeDelta::days(3));
    let last = crate::fixtures::local_minute(Utc::now() + TimeDelta::hours(2));
    let res = officer
        .post_form(
            "/exhibitions",
            "/exhibitions",
            &[
                ("name", "2025南通国际工业博览会"),
                ("venue", "南通国际会展中心"),
                ("organiser", "南通市贸促会"),
                ("opens_at", &opened),
                ("closes_at", &last),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let before = app.exhibition_id("2025南通国际工业博览会").await;
    infringing(
        app.complaint()
            .design_patent()
            .at_station(before)
            .respondents(json!([{"name": "常州某模具有限公司", "uscc": code}])),
    )
    .file()
    .await;
    // This session: the same exhibitor (renamed since, same credit code) found infringing
    // again, and twice here another exhibitor, who was not there before.
    infringing(
        at_the_fair(&app, "", closes)
            .respondents(json!([{"name": "常州某精密模具有限公司", "uscc": code}])),
    )
    .file()
    .await;
    for _ in 0..2 {
        infringing(at_the_fair(&app, "无锡某五金有限公司", closes))
            .file()
            .await;
    }
    let clean = at_the_fair(&app, "南京某科技有限公司", closes)
        .file()
        .await
        .id;
    let index = officer.html("/exhibitions").await;
    assert!(
        index.contains("2026南通国际工业博览会") && index.contains("距闭幕 49 小时"),
        "{index}"
    );
    let this = app.exhibition_id("2026南通国际工业博览会").await;
    let href = format!("/exhibitions/{this}");
    let page = officer.html(&href).await;
    assert_eq!(
        page.matches("连续两次侵权").count(),
        1,
        "only the exhibitor found infringing at the previous session too"
    );
    assert!(page.contains(&format!("/cases/{clean}")));
    // Another office's officer does not see the exhibition.
    let other = app.browser_as("demo-industry").await;
    assert_eq!(other.get(&href).await.status(), 404);
    // An enterprise has no exhibitions page.
    let ent = app.browser_as("demo-enterprise").await;
    assert_eq!(ent.get("/exhibitions").await.status(), 403);
    // A new exhibition with its times the wrong way round comes back with the message.
    let csrf = csrf_in(&index).unwrap();
    let res = officer
        .form(
            "/exhibitions",
            &[
                ("_csrf", &csrf),
                ("name", "2027长三角专利技术交易会"),
                ("venue", "南通"),
                ("organiser", "南通市贸促会"),
                ("opens_at", "2027-05-10T09:00"),
                ("closes_at", "2027-05-09T17:00"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("闭幕时间应晚于开幕时间") && body.contains("2027长三角专利技术交易会"));
}

#[tokio::test]
async fn the_queue_board_groups_cases_by_state_and_assigns_the_ticked_ones() {
    let app = TestApp::spawn().await;
    let closes = Utc::now() + TimeDelta::hours(40);
    let a = at_the_fair(&app, "甲公司", closes).file().await.id;
    let b = at_the_fair(&app, "乙公司", closes).file().await.id;
    let supervisor = app.browser_as("demo-supervisor").await;
    let board = supervisor.html("/queues/exhibition_enforcement").await;
    assert!(board.contains("办案队列"));
    assert!(board.contains(&format!("/cases/{a}\"")) && board.contains(&format!("/cases/{b}\"")));
    let officer = app.api_as("demo-officer2").await;
    let officer_id = app.user_id("demo-officer2").await.to_string();
    let csrf = csrf_in(&board).unwrap();
    let (supervisor, csrf, officer_id) = (&supervisor, &csrf, &officer_id);
    // Ticks `case` (id:version) on the board and assigns it to demo-officer2.
    let assign = |case: String| async move {
        let form = [
            ("_csrf", csrf.as_str()),
            ("case", &case),
            ("assignee_user_id", officer_id),
        ];
        supervisor
            .form("/queues/exhibition_enforcement/assign", &form)
            .await
    };
    let version_a = officer.case(a).await["version"].as_i64().unwrap();
    let res = assign(format!("{a}:{version_a}")).await;
    assert_eq!(res.status(), 303);
    let (_, mine) = officer.get("/api/v1/cases?assignee=me").await;
    let ids: Vec<i64> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a]);
    // A stale version assigns nothing.
    let version_b = officer.case(b).await["version"].clone();
    let res = assign(format!("{b}:999")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(officer.case(b).await["version"], version_b);
    // The board is for officers: the triager has none.
    let triager = app.browser_as("demo-triager").await;
    assert_eq!(
        triager.get("/queues/administrative_ruling").await.status(),
        403
    );
}

#[tokio::test]
async fn a_supervisor_adds_an_expert_whom_an_officer_can_then_assign() {
    let app = TestApp::spawn().await;
    let sup = app.browser_as("demo-supervisor").await;
    let page = sup.html("/experts").await;
    assert!(page.contains("周律师（演示）") && page.contains("添加专家"));
    let csrf = csrf_in(&page).unwrap();
    // A missing field comes back with its message and what was typed.
    let res = sup
        .form(
            "/experts",
            &[
                ("_csrf", &csrf),
                ("name", "钱律师"),
                ("organization", "某律师事务所"),
                ("fields", ""),
                ("languages", "英语，法语"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("钱律师") && body.contains("field-error"));
    let res = sup
        .form(
            "/experts",
            &[
                ("_csrf", &csrf),
                ("name", "钱律师"),
                ("organization", "某律师事务所"),
                ("fields", "欧盟商标异议"),
                ("languages", "英语，法语"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = sup.html("/experts").await;
    assert!(page.contains("欧盟商标异议") && page.contains("英语, 法语"));
    // An officer browses but does not keep the directory; an enterprise has none.
    let officer = app.browser_as("demo-officer").await;
    let page = officer.html("/experts").await;
    assert!(page.contains("钱律师") && !page.contains("添加专家"));
    let res = officer
        .form(
            "/experts",
            &[
                ("_csrf", &csrf_in(&page).unwrap()),
                ("name", "x"),
                ("organization", "x"),
                ("fields", "x"),
                ("languages", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    let ent = app.browser_as("demo-enterprise").await;
    assert_eq!(ent.get("/experts").await.status(), 403);
}

#[tokio::test]
async fn a_complaint_at_the_station_goes_to_the_office_at_once_with_its_24_hour_transfer_clock() {
    let app = TestApp::spawn().await;
    let closes = Utc::now() + TimeDelta::hours(50);
    let fair = app.new_exhibition("2026南通新材料博览会", closes).await;

    // The enterprise sees the station on its complaint form.
    let ent = app.browser_as("demo-enterprise").await;
    let form = ent.html("/complaints/new").await;
    assert!(
        form.contains(&format!("<option value=\"{fair}\""))
            && form.contains("2026南通新材料博览会"),
        "{form}"
    );

    // Filed there: no triage, the exhibition's office holds it, transfer due in 24 hours.
    let (status, filed) = app
        .complaint()
        .design_patent()
        .at_station(fair)
        .submit()
        .await;
    assert_eq!(status, 201, "{filed}");
    assert_eq!(
        (filed["queue"].as_str(), filed["state"].as_str()),
        (Some("exhibition_enforcement"), Some("complaint_received"))
    );
    assert!(filed["triage_due"].is_null(), "{filed}");
    let received = DateTime::parse_from_rfc3339(filed["received_at"].as_str().unwrap()).unwrap();
    let transfer = DateTime::parse_from_rfc3339(filed["transfer_due"].as_str().unwrap()).unwrap();
    assert_eq!(transfer - received, TimeDelta::hours(24));
    let id = filed["id"].as_i64().unwrap();
    let officer = app.api_as("demo-officer").await;
    let case = officer.case(id).await;
    let rules: Vec<&str> = case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["ex.transfer"], "{case}");
    assert_eq!(case["exhibition"]["name"], "2026南通新材料博览会");
    assert_eq!(case["exhibition"]["booth"], "B7");
    // It is one of the exhibition's cases, and the receipt names the transfer limit.
    let page = app.browser_as("demo-officer").await;
    let view = page.html(&format!("/exhibitions/{fair}")).await;
    assert!(view.contains(&format!("/cases/{id}")), "{view}");
    let receipt = ent.html(&format!("/cases/{id}/receipt")).await;
    assert!(
        receipt.contains("移交期限") && receipt.contains("24 小时"),
        "{receipt}"
    );
    // The station's officer takes the steps at once.
    let (status, moved) = officer
        .post(
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "transfer", "expected_version": case["version"]}),
        )
        .await;
    assert_eq!(
        (status, moved["state"].as_str()),
        (200, Some("transferred")),
        "{moved}"
    );

    // An office enters a complaint only at its own stations; nobody at a closed one.
    let (status, refused) = app
        .lead("demo-industry", "officer")
        .design_patent()
        .at_station(fair)
        .submit()
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("exhibition_id"), "{refused}");
    let past = app
        .new_exhibition("2026南通春季五金展", Utc::now() - TimeDelta::hours(1))
        .await;
    let (status, refused) = app.complaint().at_station(past).submit().await;
    assert_eq!(status, 422, "{refused}");
    let body = ent
        .post_form(
            "/complaints/new",
            "/complaints/new",
            &[
                (
                    "description",
                    "被请求人在展位上展出与涉案外观设计相同的防护罩。",
                ),
                ("channel", "exhibition"),
                ("region_code", "320600"),
                ("complainant_standing", "patentee"),
                ("right0_kind", "design_patent"),
                ("right0_number", "ZL202330123456.7"),
                ("right0_title", "数控机床防护罩"),
                ("resp0_name", "某某机床有限公司"),
                ("ex_id", &past.to_string()),
            ],
        )
        .await;
    assert_eq!(body.status(), 422);
    let html = body.text().await.unwrap();
    assert!(
        html.contains("该展会已闭幕") && html.contains("某某机床有限公司"),
        "{html}"
    );
}
