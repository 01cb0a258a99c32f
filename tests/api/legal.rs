//! Clocks that start, run and end as the law says (Order 81, 民事诉讼法 Art. 85), through the API:
//! docketing counted from the office's receipt of the request, the evidence period set on the
//! notice and lengthened by a party's extension, the panel's extension of the answer period, the
//! closing extension tiers in their order, a party's posting date, and the service standards
//! labelled as such.

use crate::fixtures::{Case, NewCase, clock, kinds, last_day};
use crate::helpers::TestApp;
use chrono::{NaiveDate, TimeDelta, Utc};
use serde_json::{Value, json};
use weiquan::domain::time::beijing;

fn today() -> NaiveDate {
    Utc::now().with_timezone(&beijing()).date_naive()
}

/// `case` routed to the ruling queue and docketed by demo-officer with a panel of the three
/// officers (claim 1).
async fn docketed<'a>(app: &'a TestApp, case: NewCase<'a>) -> NewCase<'a> {
    let panel = app
        .user_ids(&["demo-officer", "demo-officer2", "demo-officer3"])
        .await;
    case.routed("administrative_ruling").step(
        "docket",
        json!({"panel_user_ids": panel, "asserted_claims": "1"}),
        "docketed",
    )
}

/// A complaint routed to the ruling queue, docketed, served, received by the respondent, and
/// answered: in its evidence stage.
async fn in_evidence(app: &TestApp) -> Case {
    docketed(app, app.complaint())
        .await
        .step("serve_respondent", json!({"method": "post"}), "served")
        .step("record_receipt", json!({}), "answer_period")
        .step("receive_answer", json!({}), "evidence")
        .file()
        .await
}

/// A case in its evidence stage reviewed in writing, voted on unanimously and ruled infringing
/// by `officer` (a panel member).
async fn decide_infringement(case: &mut Case, officer: &crate::fixtures::Api) {
    for (action, fields, state) in [
        (
            "written_review",
            json!({"reason": "事实清楚"}),
            "deliberation",
        ),
        (
            "record_deliberation",
            json!({"votes_for": 3, "votes_against": 0, "opinion": "侵权成立"}),
            "deliberation",
        ),
        (
            "decide",
            json!({"outcome": "infringement", "findings": "落入保护范围", "order": "停止销售"}),
            "decided",
        ),
    ] {
        case.step(officer, action, fields, state).await;
    }
}

/// The due day of clock `rule` among `clocks`.
fn due(clocks: &Value, rule: &str) -> NaiveDate {
    last_day(&clock(clocks, rule)["due_at"])
}

#[tokio::test]
async fn a_ruling_request_is_due_for_docketing_five_working_days_after_it_was_received_not_routed()
{
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    // A lead the office received five days ago, routed only today.
    let received = today() - TimeDelta::days(5);
    let case = app
        .lead("demo-officer", "officer")
        .set("received_at", json!(format!("{received}T09:30")))
        .right("invention_patent", "ZL202310123456.6", "一种锂电池隔膜")
        .routed("administrative_ruling")
        .file()
        .await;
    let shown = officer.case(case.id).await;
    let docket = clock(&shown["deadlines"], "ar.docket");
    assert_eq!(
        last_day(&docket["due_at"]),
        officer.working_days(received, 5).await,
        "{docket}"
    );
    assert!(
        docket["start_at"]
            .as_str()
            .unwrap()
            .starts_with(&received.to_string()),
        "{docket}"
    );
    assert_eq!(docket["basis"], "law");
    // Triage is the centre's own service standard, and says so.
    let triage = clock(&shown["deadlines"], "triage.decision");
    assert_eq!(triage["basis"], "service_standard");
    assert!(
        triage["explanation"].as_str().unwrap().contains("服务承诺"),
        "{triage}"
    );
    // The case page labels it.
    let browser = app.browser_as("demo-officer").await;
    let page = browser.html(&case.page()).await;
    assert!(
        page.contains("服务承诺"),
        "the page labels the service standard"
    );
}

#[tokio::test]
async fn the_evidence_period_is_the_twenty_days_the_notice_sets_and_a_party_extension_adds_days() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let mut case = in_evidence(&app).await;
    let closing_before = due(&case.clocks(&officer).await, "ar.closing");
    // Less than the 15 days of Art. 54 is refused.
    let (s, b) = case
        .act(&officer, "send_evidence_notice", json!({"period_days": 14}))
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "period_days");
    let clocks = case
        .step(
            &officer,
            "send_evidence_notice",
            json!({"period_days": 20}),
            "evidence",
        )
        .await;
    let day = today();
    assert_eq!(
        due(&clocks, "ar.evidence"),
        officer.rolled(day + TimeDelta::days(20)).await
    );
    // A party's extension is a number of days: the evidence period grows by them, the
    // closing clock leaves them out, and nothing is paused.
    let clocks = case
        .step(
            &officer,
            "extend_evidence_period",
            json!({"period_days": 10, "reason": "被请求人申请，需调取境外证据"}),
            "evidence",
        )
        .await;
    let evidence = clock(&clocks, "ar.evidence");
    assert_eq!(
        last_day(&evidence["due_at"]),
        officer.rolled(day + TimeDelta::days(30)).await,
        "{evidence}"
    );
    assert_eq!(evidence["state"], "running");
    assert!(evidence["paused_segments"].as_array().unwrap().is_empty());
    // The closing day before was rolled forward over days off: its unrolled day is one of them
    // or the day itself, and ten days later (rolled again) is the new closing day.
    let closing_after = due(&clocks, "ar.closing");
    let mut unrolled = vec![closing_before];
    loop {
        let earlier = *unrolled.last().unwrap() - TimeDelta::days(1);
        let (_, b) = officer.get(&format!("/api/v1/calendar/{earlier}")).await;
        if b["working_day"] == true {
            break;
        }
        unrolled.push(earlier);
    }
    let mut expected = Vec::new();
    for d in &unrolled {
        expected.push(officer.rolled(*d + TimeDelta::days(10)).await);
    }
    assert!(
        expected.contains(&closing_after),
        "{closing_before} → {closing_after}, expected one of {expected:?}"
    );
    assert_eq!(clock(&clocks, "ar.closing")["state"], "running");
    // The old open-pause step is not offered.
    let actions = case.actions(&officer).await;
    assert!(actions.contains(&"extend_evidence_period".to_string()));
    assert!(
        !actions
            .iter()
            .any(|a| a == "start_evidence_extension" || a == "end_evidence_extension")
    );
}

#[tokio::test]
async fn the_panel_extends_the_answer_period_without_a_fixed_cap() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let case = docketed(&app, app.complaint())
        .await
        .step("serve_respondent", json!({"method": "post"}), "served")
        .step("record_receipt", json!({"abroad": true}), "answer_period")
        .file()
        .await;
    let before = due(&case.clocks(&officer).await, "ar.answer_abroad");
    let path = case.path("/deadlines/ar.answer_abroad/extension");
    // Thirty days, more than the fifteen once invented as a cap.
    let ask = json!({"action": "request", "tier": "panel", "amount": 30, "reason": "被请求人在境外，需公证认证", "expected_version": case.version});
    let (s, asked) = officer.post(&path, &ask).await;
    assert_eq!(s, 200, "{asked}");
    let (_, events) = officer.get(&case.path("/events")).await;
    let seq = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "extension_requested")
        .unwrap()["seq"]
        .clone();
    let approve =
        json!({"action": "approve", "request_seq": seq, "expected_version": asked["version"]});
    let (s, approved) = officer.post(&path, &approve).await;
    assert_eq!(s, 200, "{approved}");
    // Thirty days and thirty more from the receipt, rolled past a day off.
    assert_eq!(before, officer.rolled(today() + TimeDelta::days(30)).await);
    assert_eq!(
        due(&approved["deadlines"], "ar.answer_abroad"),
        officer.rolled(today() + TimeDelta::days(60)).await
    );
}

#[tokio::test]
async fn the_higher_department_extends_the_closing_limit_only_after_the_department_head() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let case = in_evidence(&app).await;
    let path = case.path("/deadlines/ar.closing/extension");
    let ask = |tier: &str, amount: u32, version: &Value| json!({"action": "request", "tier": tier, "amount": amount, "reason": "案情特别复杂", "expected_version": version});
    let (s, b) = officer
        .post(&path, &ask("higher_department", 2, &json!(case.version)))
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "tier");
    assert!(
        b["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("部门负责人"),
        "{b}"
    );
    // The department head's month first; then the higher department may be asked.
    let supervisor = app.api_as("demo-supervisor").await;
    let (s, asked) = officer
        .post(&path, &ask("department_head", 1, &json!(case.version)))
        .await;
    assert_eq!(s, 200, "{asked}");
    let (_, events) = officer.get(&case.path("/events")).await;
    let seq = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "extension_requested")
        .unwrap()["seq"]
        .clone();
    let (s, approved) = supervisor
        .post(
            &path,
            &json!({"action": "approve", "request_seq": seq, "expected_version": asked["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{approved}");
    let (s, b) = officer
        .post(&path, &ask("higher_department", 2, &approved["version"]))
        .await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn an_answer_records_when_it_was_posted_and_never_after_it_arrived() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let mut case = docketed(&app, app.complaint())
        .await
        .step("serve_respondent", json!({"method": "post"}), "served")
        .step("record_receipt", json!({}), "answer_period")
        .file()
        .await;
    let tomorrow = format!("{}T10:00", today() + TimeDelta::days(1));
    let (s, b) = case
        .act(&officer, "receive_answer", json!({"posted_at": tomorrow}))
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "posted_at");
    let posted = Utc::now().with_timezone(&beijing()) - TimeDelta::minutes(30);
    let clocks = case
        .step(
            &officer,
            "receive_answer",
            json!({"posted_at": posted.format("%Y-%m-%dT%H:%M").to_string()}),
            "evidence",
        )
        .await;
    assert_eq!(clock(&clocks, "ar.answer")["state"], "met");
    let (_, events) = officer.get(&case.path("/events")).await;
    let answer = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "answer_received")
        .unwrap()
        .clone();
    assert!(
        answer["payload"]["posted_at"]
            .as_str()
            .unwrap()
            .starts_with(&posted.format("%Y-%m-%dT%H:%M").to_string()),
        "{answer}"
    );
}

/// Order 81 Art. 23: co-respondents are parties of one case; the acceptance and answer notices
/// name both.
#[tokio::test]
async fn a_request_against_two_respondents_is_docketed_and_both_are_named_in_the_notices() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let case = docketed(
        &app,
        app.complaint().respondents(json!([
            {"name": "某某科技有限公司", "address": "江苏省南通市通州区"},
            {"name": "某某电子商务有限公司", "address": "江苏省南通市崇川区"}
        ])),
    )
    .await
    .step("serve_respondent", json!({"method": "direct"}), "served")
    .file()
    .await;
    let shown = officer.case(case.id).await;
    assert_eq!(shown["state"], "served");
    let browser = app.browser_as("demo-officer").await;
    let notice = browser.issue(case.id, "answer_notice").await;
    for name in ["某某科技有限公司", "某某电子商务有限公司"] {
        assert!(notice.contains(name), "the answer notice names {name}");
    }
}

/// The exhibitor's statement is due 24 hours after the notice, but never after the fair closes.
#[tokio::test]
async fn the_exhibitors_statement_is_due_at_the_close_when_the_fair_ends_sooner() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let closes = (Utc::now() + TimeDelta::hours(10))
        .with_timezone(&beijing())
        .format("%Y-%m-%dT%H:%M:00+08:00")
        .to_string();
    let case = app
        .complaint()
        .at_fair_closing(
            chrono::DateTime::parse_from_rfc3339(&closes)
                .unwrap()
                .to_utc(),
        )
        .design_patent()
        .routed("exhibition_enforcement")
        .step("transfer", json!({}), "transferred")
        .step("notify_respondent", json!({}), "respondent_notified")
        .file()
        .await;
    let clocks = case.clocks(&officer).await;
    let statement = clock(&clocks, "ex.statement");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(statement["due_at"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&closes).unwrap(),
        "{statement}"
    );
    assert!(
        statement["explanation"]
            .as_str()
            .unwrap()
            .contains("展会闭幕"),
        "{statement}"
    );
}

/// A patent complaint waiting for triage shows its docketing window: Art. 20 counts from the
/// receipt, so the days in triage are used up.
#[tokio::test]
async fn the_triage_card_shows_how_much_of_the_docketing_window_is_left() {
    let app = TestApp::spawn().await;
    // Received a week ago at the office: at most two working days remain.
    let received = today() - TimeDelta::days(7);
    let late = app
        .lead("demo-officer", "officer")
        .set("received_at", json!(format!("{received}T09:30")))
        .right("invention_patent", "ZL202310123456.6", "一种锂电池隔膜")
        .file()
        .await;
    let fresh = app.complaint().file().await;
    let trademark = app.lead("demo-officer", "officer").file().await;
    let browser = app.browser_as("demo-triager").await;
    let page = browser.html(&late.page()).await;
    assert!(
        page.contains("id=\"docket-window\""),
        "shown on a patent request"
    );
    assert!(
        page.contains("立案期限即将届满"),
        "and marked tight after a week"
    );
    let page = browser.html(&fresh.page()).await;
    assert!(page.contains("id=\"docket-window\""));
    assert!(
        !page.contains("立案期限即将届满"),
        "a fresh complaint has time"
    );
    let page = browser.html(&trademark.page()).await;
    assert!(
        !page.contains("id=\"docket-window\""),
        "not for a trademark lead"
    );
}

/// Service by public notice (民事诉讼法 Art. 95: deemed served 30 days after the notice): the
/// closing clock leaves exactly those 30 days out, and the answer period runs from the deemed
/// service. Electronic service needs the recipient's consent.
#[tokio::test]
async fn service_by_public_notice_leaves_the_notice_period_out_of_the_closing_clock() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let mut case = docketed(&app, app.complaint()).await.file().await;
    let (s, b) = case
        .act(
            &officer,
            "serve_respondent",
            json!({"method": "electronic"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "consent_recorded");
    let day = today();
    let three_months = day.checked_add_months(chrono::Months::new(3)).unwrap();
    assert_eq!(
        due(&case.clocks(&officer).await, "ar.closing"),
        officer.rolled(three_months).await
    );
    let clocks = case
        .step(
            &officer,
            "serve_by_public_notice",
            json!({"where": "人民法院报 2026年12月4日", "reason": "被请求人下落不明"}),
            "answer_period",
        )
        .await;
    assert_eq!(
        due(&clocks, "ar.closing"),
        officer.rolled(three_months + TimeDelta::days(30)).await
    );
    assert_eq!(clock(&clocks, "ar.serve")["state"], "met");
    assert_eq!(
        due(&clocks, "ar.answer"),
        officer.rolled(day + TimeDelta::days(45)).await
    );
    // Appraisal and settlement talks pause the closing clock while they last.
    case.step(
        &officer,
        "start_appraisal",
        json!({"matter": "被控产品技术特征比对", "appraiser": "某司法鉴定中心"}),
        "answer_period",
    )
    .await;
    let clocks = case.clocks(&officer).await;
    assert_eq!(clock(&clocks, "ar.closing")["state"], "paused");
    case.step(
        &officer,
        "end_appraisal",
        json!({"result": "落入专利权保护范围"}),
        "answer_period",
    )
    .await;
    let clocks = case.clocks(&officer).await;
    assert_eq!(clock(&clocks, "ar.closing")["state"], "running");
}

/// Art. 5: a party's recusal application is recorded with its clock, decided by the department
/// head only, and an upheld one against a panel member names the replacement.
#[tokio::test]
async fn a_recusal_application_is_decided_by_the_department_head_and_replaces_the_member() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let supervisor = app.api_as("demo-supervisor").await;
    let mut case = docketed(&app, app.complaint()).await.file().await;
    let challenged = app.user_id("demo-officer2").await;
    let clocks = case
        .step(
            &officer,
            "apply_recusal",
            json!({"member_user_id": [challenged], "applicant": "respondent", "grounds": "该合议组成员曾担任请求人的顾问"}),
            "docketed",
        )
        .await;
    let recusal = clock(&clocks, "ar.recusal");
    assert_eq!(recusal["basis"], "service_standard");
    assert_eq!(
        last_day(&recusal["due_at"]),
        officer.rolled(today() + TimeDelta::days(3)).await
    );
    // A second application while one waits is a conflict; the officer may not decide.
    let (s, _) = case
        .act(
            &officer,
            "apply_recusal",
            json!({"member_user_id": [challenged], "applicant": "respondent", "grounds": "x"}),
        )
        .await;
    assert_eq!(s, 409);
    let upheld = json!({"outcome": "upheld", "reason": "申请理由成立"});
    assert_eq!(
        case.act(&officer, "decide_recusal", upheld.clone()).await.0,
        403
    );
    // Upheld against a panel member without a replacement: refused with the field named.
    let (s, b) = case
        .act(&supervisor, "decide_recusal", upheld.clone())
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "replacement_user_id");
    let mut with = upheld;
    with["replacement_user_id"] = json!([app.user_id("demo-supervisor").await]);
    let clocks = case
        .step(&supervisor, "decide_recusal", with, "docketed")
        .await;
    assert_eq!(clock(&clocks, "ar.recusal")["state"], "met");
    // The filer sees the decision.
    let ent = app.api_as("demo-enterprise").await;
    let (_, events) = ent.get(&case.path("/events")).await;
    assert!(kinds(&events).contains(&"recusal_decided"), "{events}");
}

/// Order 81 Art. 19: docketing checks the three-year limit when the officer enters when the
/// requester knew of the infringement; a continuing infringement is not out of time.
#[tokio::test]
async fn docketing_refuses_a_request_more_than_three_years_late_unless_the_infringement_goes_on() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let panel = app
        .user_ids(&["demo-officer", "demo-officer2", "demo-officer3"])
        .await;
    let mut case = app.complaint().routed("administrative_ruling").file().await;
    let long_ago = format!("{}T09:00", today() - TimeDelta::days(3 * 366));
    let docket =
        json!({"panel_user_ids": panel, "asserted_claims": "1", "infringement_known_at": long_ago});
    let (s, b) = case.act(&officer, "docket", docket.clone()).await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "infringement_known_at");
    assert!(
        b["errors"][0]["message"].as_str().unwrap().contains("三年"),
        "{b}"
    );
    let mut continuing = docket;
    continuing["continuing"] = json!(true);
    case.step(&officer, "docket", continuing, "docketed").await;
}

/// Order 81 Art. 33 and 83: a ruling changed or revoked, even after the case closed, opens the
/// case again and is published within 20 working days of the change.
#[tokio::test]
async fn a_ruling_changed_after_closing_is_published_again_within_twenty_working_days() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let mut case = in_evidence(&app).await;
    decide_infringement(&mut case, &officer).await;
    for (action, fields, state) in [
        (
            "publish",
            json!({"where": "南通市知识产权局网站"}),
            "published",
        ),
        ("close", json!({}), "closed"),
    ] {
        case.step(&officer, action, fields, state).await;
    }
    assert!(officer.case(case.id).await["closed_at"].is_string());
    // The patent is declared invalid: the ruling is revoked.
    let clocks = case
        .step(
            &officer,
            "change_ruling",
            json!({"change": "revoked", "findings": "涉案专利已被宣告全部无效", "reason": "专利权被宣告无效"}),
            "decided",
        )
        .await;
    let publish = clock(&clocks, "ar.publish");
    assert_eq!(publish["state"], "running", "{publish}");
    assert_eq!(
        last_day(&publish["due_at"]),
        officer.working_days(today(), 20).await
    );
    let shown = officer.case(case.id).await;
    assert!(shown["closed_at"].is_null(), "{shown}");
    case.step(
        &officer,
        "publish",
        json!({"where": "南通市知识产权局网站（撤销决定）"}),
        "published",
    )
    .await;
}

/// Order 81 Arts. 26–27: a hearing is public unless a reason for privacy is recorded; it may be
/// postponed with the same three working days' notice; a requester who stays away is deemed to
/// withdraw.
#[tokio::test]
async fn a_hearing_is_public_by_default_postponed_with_notice_and_an_absent_requester_withdraws() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let mut case = in_evidence(&app).await;
    let on = |n: u32| {
        let officer = &officer;
        async move { format!("{}T09:30", officer.working_days(today(), n).await) }
    };
    let (s, b) = case
        .act(
            &officer,
            "schedule_hearing",
            json!({"hearing_at": on(5).await, "place": "第一审理庭", "closed_reason": "gossip"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "closed_reason");
    case.step(
        &officer,
        "schedule_hearing",
        json!({"hearing_at": on(5).await, "place": "第一审理庭"}),
        "hearing_scheduled",
    )
    .await;
    let (_, events) = officer.get(&case.path("/events")).await;
    let scheduled = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "hearing_scheduled")
        .unwrap()
        .clone();
    assert_eq!(scheduled["payload"]["public"], true, "{scheduled}");
    // Postponed to a day too soon: refused; with notice: recorded.
    let (s, b) = case
        .act(
            &officer,
            "postpone_hearing",
            json!({"hearing_at": on(1).await, "reason": "被请求人申请延期"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "hearing_at");
    case.step(
        &officer,
        "postpone_hearing",
        json!({"hearing_at": on(8).await, "reason": "被请求人申请延期"}),
        "hearing_scheduled",
    )
    .await;
    let clocks = case
        .step(
            &officer,
            "record_requester_absence",
            json!({"reason": "请求人经两次传唤无正当理由拒不到庭", "confirm": true}),
            "withdrawn",
        )
        .await;
    assert_eq!(clock(&clocks, "ar.closing")["state"], "met");
}

/// The foreign hard deadline entered on an overseas case is a clock of its own, due at that
/// instant in its own time zone (17:00 in New York is 06:00 the next morning in Beijing).
#[tokio::test]
async fn an_overseas_cases_foreign_deadline_is_a_clock_of_its_own() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let case = app
        .complaint()
        .overseas(json!({"country": "US", "category": "us_337",
                         "foreign_deadline": "2027-01-15T17:00", "time_zone": "America/New_York"}))
        .routed("overseas_assistance")
        .file()
        .await;
    let clocks = case.clocks(&officer).await;
    let foreign = clock(&clocks, "os.foreign_deadline");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(foreign["due_at"].as_str().unwrap())
            .unwrap()
            .to_utc(),
        chrono::DateTime::parse_from_rfc3339("2027-01-16T06:00:00+08:00")
            .unwrap()
            .to_utc(),
        "{foreign}"
    );
    assert_eq!(foreign["state"], "running");
    let why = foreign["explanation"].as_str().unwrap();
    assert!(
        why.contains("当地时间 2027-01-15 17:00") && why.contains("北京时间 2027-01-16 06:00"),
        "{why}"
    );
    // Without a foreign deadline there is no such clock.
    let plain = app
        .complaint()
        .overseas(json!({"country": "DE", "category": "foreign_litigation"}))
        .routed("overseas_assistance")
        .file()
        .await;
    let clocks = plain.clocks(&officer).await;
    assert!(
        !clocks
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["rule_id"] == "os.foreign_deadline"),
        "{clocks}"
    );
}

/// The notices of the new steps are issued from the step's data: 补正通知书 with its items and
/// period, 公告 with the 30 days, 回避决定书, 调解协议书 and 撤销案件决定书.
#[tokio::test]
async fn the_new_steps_issue_their_documents() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let supervisor = app.api_as("demo-supervisor").await;
    let browser = app.browser_as("demo-officer").await;

    let corrected = app
        .complaint()
        .routed("administrative_ruling")
        .step(
            "request_correction",
            json!({"items": "补充专利登记簿副本", "period_days": 10}),
            "correction_requested",
        )
        .file()
        .await;
    let notice = browser.issue(corrected.id, "correction_notice").await;
    assert!(notice.contains("补正通知书") && notice.contains("补充专利登记簿副本"));
    assert!(notice.contains("10 日内补正"), "the period of the notice");

    let mut case = docketed(&app, app.complaint())
        .await
        .step(
            "serve_by_public_notice",
            json!({"where": "人民法院报"}),
            "answer_period",
        )
        .file()
        .await;
    let notice = browser.issue(case.id, "public_notice").await;
    assert!(notice.contains("三十日") && notice.contains("人民法院报"));
    // Issuing a document is a step of the case: the worker reads its new version.
    case.refresh(&officer).await;
    let member = app.user_id("demo-officer3").await;
    case.step(
        &officer,
        "apply_recusal",
        json!({"member_user_id": [member], "applicant": "requester", "grounds": "曾参与相关诉讼"}),
        "answer_period",
    )
    .await;
    case.step(
        &supervisor,
        "decide_recusal",
        json!({"outcome": "dismissed", "reason": "申请理由不成立"}),
        "answer_period",
    )
    .await;
    let decision = browser.issue(case.id, "recusal_decision").await;
    assert!(decision.contains("回避决定书") && decision.contains("驳回回避申请"));
    case.refresh(&officer).await;
    case.step(
        &officer,
        "mediate",
        json!({"agreement": "被请求人停止销售并赔偿五万元", "confirm": true}),
        "mediated",
    )
    .await;
    let agreement = browser.issue(case.id, "mediation_agreement").await;
    assert!(agreement.contains("调解协议书") && agreement.contains("被请求人停止销售并赔偿五万元"));

    let mut revoked = docketed(&app, app.complaint()).await.file().await;
    revoked
        .step(
            &officer,
            "revoke",
            json!({"ground": "limitation_defence", "reason": "被请求人提出时效抗辩成立", "confirm": true}),
            "revoked",
        )
        .await;
    let decision = browser.issue(revoked.id, "revocation_decision").await;
    assert!(decision.contains("撤销案件决定书") && decision.contains("时效抗辩"));
}

/// Order 81 Arts. 23–24: a co-respondent or a third party joins the case after docketing; a
/// wrong credit code is refused with the field named.
#[tokio::test]
async fn a_party_is_added_after_docketing_and_named_in_the_notices() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let mut case = docketed(&app, app.complaint()).await.file().await;
    let (s, b) = case
        .act(
            &officer,
            "add_party",
            json!({"role": "respondent", "name": "某某电子商务有限公司", "uscc": "91320600MA1N2HX3QX", "reason": "共同销售被控侵权产品"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "uscc");
    case.step(
        &officer,
        "add_party",
        json!({"role": "respondent", "name": "某某电子商务有限公司", "address": "南通市崇川区", "reason": "共同销售被控侵权产品"}),
        "docketed",
    )
    .await;
    case.step(
        &officer,
        "add_party",
        json!({"role": "third_party", "name": "某某材料有限公司", "reason": "被控产品的供货方，与处理结果有利害关系"}),
        "docketed",
    )
    .await;
    let shown = officer.case(case.id).await;
    let roles: Vec<(&str, &str)> = shown["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["role"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    assert!(
        roles.contains(&("respondent", "某某电子商务有限公司")),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("third_party", "某某材料有限公司")),
        "{roles:?}"
    );
    case.step(
        &officer,
        "serve_respondent",
        json!({"method": "post"}),
        "served",
    )
    .await;
    let browser = app.browser_as("demo-officer").await;
    let notice = browser.issue(case.id, "answer_notice").await;
    assert!(
        notice.contains("某某电子商务有限公司"),
        "the added respondent is served too"
    );
}

/// Order 81 Arts. 47–49, 52: the investigation is recorded act by act; evidence registered and
/// preserved is decided on within 7 days; a technical investigator joins the panel's work.
/// After a ruling of infringement (Arts. 32, 34; Patent Law Art. 65): the platform is told,
/// the office applies for enforcement, and a repeat infringement is ruled on at once.
#[tokio::test]
async fn investigation_preservation_and_the_steps_after_a_ruling_of_infringement() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let supervisor = app.api_as("demo-supervisor").await;
    let mut case = in_evidence(&app).await;
    // Nothing preserved yet: nothing to decide.
    let (s, b) = case
        .act(
            &officer,
            "decide_preservation",
            json!({"decision": "released"}),
        )
        .await;
    assert_eq!(s, 409, "{b}");
    case.step(
        &officer,
        "record_investigation",
        json!({"investigation_method": "sampling", "place": "被请求人南通仓库", "findings": "库存隔膜 200 卷",
               "sample_list": "隔膜样品 2 卷，编号 S-1、S-2"}),
        "evidence",
    )
    .await;
    let clocks = case
        .step(
            &officer,
            "preserve_evidence",
            json!({"preserved_items": "隔膜 200 卷", "place": "被请求人南通仓库", "approved_by_head": "张局长"}),
            "evidence",
        )
        .await;
    let preservation = clock(&clocks, "ar.preservation");
    assert_eq!(preservation["state"], "running");
    assert_eq!(preservation["basis"], "law");
    assert!(preservation["source"].as_str().unwrap().contains("第49条"));
    // Seven days, rolled forward when the seventh is a day off.
    let seventh = today() + TimeDelta::days(7);
    assert_eq!(
        last_day(&preservation["due_at"]),
        officer.rolled(seventh).await
    );
    let clocks = case
        .step(
            &officer,
            "decide_preservation",
            json!({"decision": "sent_for_appraisal", "note": "送检测机构比对"}),
            "evidence",
        )
        .await;
    assert_eq!(clock(&clocks, "ar.preservation")["state"], "met");
    case.step(
        &officer,
        "appoint_technical_investigator",
        json!({"investigator": "李工（技术调查官）"}),
        "evidence",
    )
    .await;

    // Before a ruling of infringement there is nothing to enforce.
    let (s, _) = case
        .act(
            &supervisor,
            "record_enforcement_application",
            json!({"court": "南通市中级人民法院"}),
        )
        .await;
    assert_eq!(s, 409);
    decide_infringement(&mut case, &officer).await;
    case.step(
        &officer,
        "notify_ruling_to",
        json!({"recipient": "e_commerce_platform", "name": "某电商平台", "measures": "删除涉案商品链接"}),
        "decided",
    )
    .await;
    // Enforcement is applied for by the head of the office, not an officer.
    let (s, _) = case
        .act(
            &officer,
            "record_enforcement_application",
            json!({"court": "南通市中级人民法院"}),
        )
        .await;
    assert_eq!(s, 403);
    case.step(
        &supervisor,
        "record_enforcement_application",
        json!({"court": "南通市中级人民法院", "note": "被请求人期满未起诉又不停止侵权"}),
        "decided",
    )
    .await;
    case.step(
        &officer,
        "rule_repeat_infringement",
        json!({"findings": "被请求人在裁决生效后再次销售相同产品", "order": "立即停止销售"}),
        "decided",
    )
    .await;
    // The filer sees what was done after the ruling.
    let enterprise = app.api_as("demo-enterprise").await;
    let (_, events) = enterprise.get(&case.path("/events")).await;
    let seen = kinds(&events);
    for k in [
        "ruling_notified_to",
        "enforcement_applied",
        "repeat_infringement_ruled",
    ] {
        assert!(seen.contains(&k), "{k} in {seen:?}");
    }
    assert!(
        !seen.contains(&"evidence_preserved"),
        "internal steps stay internal"
    );
}

/// Order 81 Art. 16: a request not corrected within the period its notice set is treated as
/// withdrawn, and not a day before.
#[tokio::test]
async fn a_request_not_corrected_in_time_is_treated_as_withdrawn() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let mut case = app
        .complaint()
        .routed("administrative_ruling")
        .step(
            "request_correction",
            json!({"items": "请提交专利登记簿副本", "period_days": 10}),
            "correction_requested",
        )
        .file()
        .await;
    // Within the period: refused with the reason.
    let (s, b) = case.act(&officer, "lapse_correction", json!({})).await;
    assert_eq!(s, 409, "{b}");
    assert!(b.to_string().contains("补正期限尚未届满"), "{b}");
    // The period runs out (the stored clock's due instant moved into the past).
    entity::case_clocks::Entity::update_many()
        .col_expr(
            entity::case_clocks::Column::DueAt,
            Expr::value(Utc::now() - TimeDelta::hours(1)),
        )
        .filter(entity::case_clocks::Column::CaseId.eq(case.id))
        .filter(entity::case_clocks::Column::RuleId.eq("ar.correction"))
        .exec(app.db.conn())
        .await
        .unwrap();
    case.step(
        &officer,
        "lapse_correction",
        json!({"note": "期满未补正"}),
        "withdrawn",
    )
    .await;
    let shown = app.api_as("demo-enterprise").await.case(case.id).await;
    assert_eq!(shown["state"], "withdrawn");
    assert!(shown["closed_at"].is_string(), "{shown}");
}

/// Order 81 Art. 21: two requests about the same patent are heard together, noted on both; a
/// case about another patent and another respondent is not.
#[tokio::test]
async fn related_cases_about_the_same_patent_are_heard_together() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let mut first = docketed(&app, app.complaint()).await.file().await;
    let second = docketed(&app, app.complaint().respondent("另一家电子有限公司"))
        .await
        .file()
        .await;
    let other = docketed(
        &app,
        app.complaint()
            .design_patent()
            .respondent("无关的机械有限公司"),
    )
    .await
    .file()
    .await;
    let (s, b) = first
        .act(
            &officer,
            "hear_together",
            json!({"related_number": other.number, "reason": "合并审理"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert!(b.to_string().contains("第81号令第21条"), "{b}");
    let (s, b) = first
        .act(
            &officer,
            "hear_together",
            json!({"related_number": "WQ-2026-999999", "reason": "x"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    first
        .step(
            &officer,
            "hear_together",
            json!({"related_number": second.number, "reason": "同一专利，被控产品相同"}),
            "docketed",
        )
        .await;
    // Noted on both, each naming the other.
    let (_, mine) = officer.get(&first.path("/events")).await;
    let (_, theirs) = officer.get(&second.path("/events")).await;
    let joined = |events: &Value| {
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "heard_together")
            .cloned()
            .expect("a heard_together event")
    };
    assert_eq!(
        joined(&mine)["payload"]["related_case_id"],
        second.id,
        "{mine}"
    );
    assert_eq!(joined(&theirs)["payload"]["related_case_id"], first.id);
    assert_eq!(joined(&theirs)["payload"]["related_number"], first.number);
    // Not twice.
    let (s, b) = first
        .act(
            &officer,
            "hear_together",
            json!({"related_number": second.number, "reason": "x"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
}

/// The triage standard is each centre's own (a service standard, not law): an office that sets
/// 5 working days gets its leads' triage clocks at 5; a field error for 0; the default is 7.
#[tokio::test]
async fn an_office_sets_its_own_triage_standard_and_its_new_leads_follow_it() {
    let app = TestApp::spawn().await;
    let enterprise = app.api_as("demo-enterprise").await;
    // A lead whose complainant is not a 专精特新 enterprise: the ordinary track.
    let before = app.lead("demo-officer", "officer").file().await;
    assert_eq!(
        last_day(&before.filed["triage_due"]),
        enterprise.working_days(today(), 7).await
    );
    let office = app.org_id("南通市知识产权局").await;
    let admin = app.browser_as("demo-admin").await;
    let edit = format!("/admin/orgs/{office}/edit");
    let form = |days: &'static str| {
        [
            ("name", "南通市知识产权局"),
            ("kind", "ip_office"),
            ("region_code", "320600"),
            ("triage_working_days", days),
        ]
    };
    let path = format!("/admin/orgs/{office}");
    let refused = admin.post_form(&edit, &path, &form("0")).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("1 至 30 之间的整数"), "{html}");
    let saved = admin.post_form(&edit, &path, &form("5")).await;
    assert_eq!(saved.status(), 303);
    assert!(admin.html(&edit).await.contains("value=\"5\""));

    // A lead it enters: 5 working days, labelled a service standard; the complaint of 华信, a
    // 专精特新 “小巨人”, stays on the fast track (3 working days, never slower than the ordinary).
    let (status, filed) = app.complaint().submit().await;
    assert_eq!(status, 201, "{filed}");
    let five = enterprise.working_days(today(), 5).await;
    assert_eq!(
        last_day(&filed["triage_due"]),
        enterprise.working_days(today(), 3).await
    );
    let lead = app.lead("demo-officer", "officer").file().await;
    let c = app.api_as("demo-officer").await.case(lead.id).await;
    let triage = clock(&c["deadlines"], "triage.decision");
    assert_eq!(last_day(&triage["due_at"]), five);
    assert_eq!(triage["basis"], "service_standard");
    // Cases already received keep the standard they were received under.
    let earlier = app.api_as("demo-officer").await.case(before.id).await;
    assert_eq!(
        last_day(&clock(&earlier["deadlines"], "triage.decision")["due_at"]),
        enterprise.working_days(today(), 7).await
    );
}

/// Order 81 Art. 8: a referral returned by the receiving office is a jurisdiction dispute; the
/// referring office takes it to the common superior, whose supervisor designates the office,
/// which then owns the lead and decides it anew.
#[tokio::test]
async fn a_returned_referral_goes_to_the_common_superior_which_designates_the_office() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let province = app.org_id("江苏省知识产权局").await.to_string();
    let res = admin
        .post_form(
            "/admin/orgs/new",
            "/admin/orgs",
            &[
                ("name", "苏州市知识产权局"),
                ("kind", "ip_office"),
                ("region_code", "320500"),
                ("parent_id", &province),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let suzhou = app.org_id("苏州市知识产权局").await;
    for (username, org, role) in [
        ("sz.officer", suzhou.to_string(), "officer"),
        ("js.head", province.clone(), "supervisor"),
    ] {
        let res = admin
            .post_form(
                "/admin/users/new",
                "/admin/users",
                &[
                    ("username", username),
                    ("display_name", username),
                    ("org_id", &org),
                    ("role", role),
                    ("password", crate::fixtures::PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "{username}");
    }
    let mut case = app
        .complaint()
        .referred(suzhou, "侵权行为地在苏州")
        .file()
        .await;
    let sz = app.api_as("sz.officer").await;
    let head = app.api_as("js.head").await;
    let nantong = app.api_as("demo-officer").await;
    let jurisdiction = |action: &str, extra: Value, version: i64| {
        let mut body = extra;
        body["action"] = json!(action);
        body["expected_version"] = json!(version);
        body
    };
    // No dispute yet: nothing to take anywhere.
    let (s, b) = nantong
        .post(
            &case.path("/jurisdiction"),
            &jurisdiction("escalate", json!({"reason": "x"}), case.version),
        )
        .await;
    assert_eq!(s, 409, "{b}");
    let (s, b) = sz
        .post(
            &case.path("/referral"),
            &json!({"action": "return", "reason": "被请求人住所地和侵权行为地均在南通", "expected_version": case.version}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    case.version = b["version"].as_i64().unwrap();
    // The province's head reads the lead as the office above Nantong (decision D21), but has
    // nothing to decide before the matter is taken to it.
    assert_eq!(head.get(&case.path("")).await.0, 200);
    let (_, inbox) = head.get("/api/v1/approvals").await;
    assert_eq!(inbox["count"], 0, "{inbox}");
    let (s, b) = nantong
        .post(
            &case.path("/jurisdiction"),
            &jurisdiction(
                "escalate",
                json!({"reason": "协商不成，报请省局指定管辖"}),
                case.version,
            ),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    case.version = b["version"].as_i64().unwrap();
    let shown = nantong.case(case.id).await;
    assert_eq!(
        clock(&shown["deadlines"], "referral.jurisdiction")["state"],
        "met"
    );
    let (s, _) = nantong
        .post(
            &case.path("/jurisdiction"),
            &jurisdiction("escalate", json!({"reason": "再次"}), case.version),
        )
        .await;
    assert_eq!(s, 409);
    // Only the superior's supervisor designates, and only one of the two offices.
    let (s, _) = nantong
        .post(
            &case.path("/jurisdiction"),
            &jurisdiction(
                "designate",
                json!({"to_org_id": suzhou, "reason": "x"}),
                case.version,
            ),
        )
        .await;
    assert_eq!(s, 403);
    let page = app.browser_as("js.head").await.html(&case.page()).await;
    assert!(
        page.contains("指定管辖") && page.contains("苏州市知识产权局"),
        "{page}"
    );
    let (s, b) = head
        .post(
            &case.path("/jurisdiction"),
            &jurisdiction(
                "designate",
                json!({"to_org_id": province, "reason": "x"}),
                case.version,
            ),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    let (s, b) = head
        .post(
            &case.path("/jurisdiction"),
            &jurisdiction(
                "designate",
                json!({"to_org_id": suzhou, "reason": "涉案产品制造地在苏州，由苏州市局处理"}),
                case.version,
            ),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    // Suzhou owns the lead and decides it anew; Nantong still reads it.
    let owned = sz.case(case.id).await;
    assert_eq!(owned["owner"]["id"], suzhou);
    assert_eq!(owned["state"], "new");
    let triage = owned["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == "triage.decision" && c["state"] == "running")
        .cloned()
        .expect("the triage clock runs again");
    assert_eq!(
        last_day(&triage["due_at"]),
        sz.working_days(today(), 7).await
    );
    assert_eq!(nantong.get(&case.path("")).await.0, 200);
    let (_, events) = app
        .api_as("demo-enterprise")
        .await
        .get(&case.path("/events"))
        .await;
    assert!(kinds(&events).contains(&"jurisdiction_designated"));
}
