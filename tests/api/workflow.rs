//! The three queue workflows end to end through the API: a case routed by triage is worked
//! through its statutory stages to its end, checking state, clocks and due dates at each step.

use crate::fixtures::{Case, NewCase, clock, kinds, last_day};
use crate::helpers::TestApp;
use chrono::{DateTime, NaiveDate, TimeDelta};
use serde_json::json;
use weiquan::domain::time::beijing;

fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&beijing()).date_naive()
}

/// A complaint routed to the ruling queue and docketed by demo-officer with the panel of
/// `members` (claim 1).
async fn docketed<'a>(app: &'a TestApp, members: [&str; 3]) -> NewCase<'a> {
    let panel = app.user_ids(&members).await;
    app.complaint().routed("administrative_ruling").step(
        "docket",
        json!({"panel_user_ids": panel, "asserted_claims": "1"}),
        "docketed",
    )
}

/// A docketed ruling case in its answer period: served by post and the receipt recorded.
async fn answer_period(app: &TestApp, members: [&str; 3]) -> Case {
    docketed(app, members)
        .await
        .step("serve_respondent", json!({"method": "post"}), "served")
        .step("record_receipt", json!({}), "answer_period")
        .file()
        .await
}

/// A complaint of a design patent at the fair, routed to the exhibition queue.
fn at_the_fair(app: &TestApp) -> NewCase<'_> {
    app.complaint()
        .at_fair()
        .design_patent()
        .routed("exhibition_enforcement")
}

#[tokio::test]
async fn an_administrative_ruling_case_goes_from_triage_to_closing() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let supervisor = app.api_as("demo-supervisor").await;
    let ent = app.api_as("demo-enterprise").await;
    let mut case = app.complaint().routed("administrative_ruling").file().await;
    let (_, shown) = officer.get(&case.path("")).await;
    assert_eq!(shown["state"], "received");
    let day = today();
    assert_eq!(
        last_day(&clock(&shown["deadlines"], "ar.docket")["due_at"]),
        officer.working_days(day, 5).await
    );

    // What the officer may do now, with the panel to choose from; the filer may do nothing.
    let (_, listed) = officer.get(&case.path("/actions")).await;
    let docket = listed["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "docket")
        .expect("docket offered")
        .clone();
    let panel_field = docket["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "panel_user_ids")
        .unwrap();
    assert_eq!(
        panel_field["options"].as_array().unwrap().len(),
        4,
        "{panel_field}"
    );
    assert!(case.actions(&ent).await.is_empty());
    let panel = app
        .user_ids(&["demo-officer", "demo-officer2", "demo-officer3"])
        .await;

    // Bad input changes nothing: a panel of two, a missing claim, an unknown action.
    let (s, b) = case
        .act(&officer, "docket", json!({"panel_user_ids": &panel[..2]}))
        .await;
    assert_eq!(s, 422, "{b}");
    let fields: Vec<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["panel_user_ids", "asserted_claims"], "{b}");
    assert_eq!(case.act(&officer, "dance", json!({})).await.0, 422);
    assert_eq!(case.act(&ent, "docket", json!({})).await.0, 403);
    // Serving before docketing is not a step the law has.
    let (s, b) = case
        .act(&officer, "serve_respondent", json!({"method": "post"}))
        .await;
    assert_eq!(s, 409, "{b}");

    let clocks = case
        .step(
            &officer,
            "docket",
            json!({"panel_user_ids": panel, "asserted_claims": "权利要求1-3"}),
            "docketed",
        )
        .await;
    assert_eq!(clock(&clocks, "ar.docket")["state"], "met");
    assert_eq!(
        last_day(&clock(&clocks, "ar.serve")["due_at"]),
        officer.working_days(day, 5).await
    );
    let three_months = day.checked_add_months(chrono::Months::new(3)).unwrap();
    assert_eq!(
        last_day(&clock(&clocks, "ar.closing")["due_at"]),
        officer.rolled(three_months).await
    );

    case.step(
        &officer,
        "serve_respondent",
        json!({"method": "post"}),
        "served",
    )
    .await;
    let clocks = case
        .step(&officer, "record_receipt", json!({}), "answer_period")
        .await;
    assert_eq!(
        last_day(&clock(&clocks, "ar.answer")["due_at"]),
        officer.rolled(day + TimeDelta::days(15)).await
    );
    let clocks = case
        .step(
            &officer,
            "receive_answer",
            json!({"summary": "不构成侵权"}),
            "evidence",
        )
        .await;
    assert_eq!(clock(&clocks, "ar.answer")["state"], "met");
    assert_eq!(
        last_day(&clock(&clocks, "ar.forward_answer")["due_at"]),
        officer.working_days(day, 5).await
    );
    case.step(&officer, "forward_answer", json!({}), "evidence")
        .await;
    // Forwarding twice has nothing to forward.
    assert_eq!(case.act(&officer, "forward_answer", json!({})).await.0, 409);
    let clocks = case
        .step(
            &officer,
            "send_evidence_notice",
            json!({"period_days": 15}),
            "evidence",
        )
        .await;
    assert_eq!(clock(&clocks, "ar.evidence")["state"], "running");
    // No hearing while the evidence period runs.
    let hearing_day = officer.working_days(day, 5).await;
    let hearing = format!("{hearing_day}T09:30");
    let (s, _) = case
        .act(
            &officer,
            "schedule_hearing",
            json!({"hearing_at": hearing, "place": "第一审理庭"}),
        )
        .await;
    assert_eq!(s, 409);
    case.step(&officer, "close_evidence_period", json!({}), "evidence")
        .await;
    // A hearing notice shorter than three working days is refused.
    let too_soon = format!("{}T09:30", officer.working_days(day, 2).await);
    let (s, b) = case
        .act(
            &officer,
            "schedule_hearing",
            json!({"hearing_at": too_soon, "place": "第一审理庭"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "hearing_at");
    case.step(
        &officer,
        "schedule_hearing",
        json!({"hearing_at": hearing, "place": "第一审理庭", "public": true}),
        "hearing_scheduled",
    )
    .await;
    case.step(
        &officer,
        "hold_hearing",
        json!({"record": "双方到庭陈述意见"}),
        "deliberation",
    )
    .await;
    // No ruling before the panel has a majority.
    let ruling = json!({"outcome": "infringement", "findings": "被控产品落入权利要求1的保护范围", "order": "立即停止销售被控侵权产品"});
    assert_eq!(case.act(&officer, "decide", ruling.clone()).await.0, 409);
    let (s, b) = case
        .act(
            &officer,
            "record_deliberation",
            json!({"votes_for": 2, "votes_against": 0, "opinion": "构成侵权"}),
        )
        .await;
    assert_eq!(s, 422, "every member votes: {b}");
    case.step(
        &officer,
        "record_deliberation",
        json!({"votes_for": 2, "votes_against": 1, "opinion": "构成侵权", "dissent": "一名成员认为证据不足"}),
        "deliberation",
    )
    .await;
    let clocks = case.step(&supervisor, "decide", ruling, "decided").await;
    assert_eq!(clock(&clocks, "ar.closing")["state"], "met");
    assert_eq!(
        last_day(&clock(&clocks, "ar.publish")["due_at"]),
        officer.working_days(day, 20).await
    );
    let clocks = case
        .step(&officer, "record_ruling_received", json!({}), "decided")
        .await;
    assert_eq!(
        last_day(&clock(&clocks, "ar.may_sue")["due_at"]),
        officer.rolled(day + TimeDelta::days(15)).await
    );
    let clocks = case
        .step(
            &officer,
            "publish",
            json!({"where": "https://ipo.example.gov.cn/rulings/1"}),
            "published",
        )
        .await;
    assert_eq!(clock(&clocks, "ar.publish")["state"], "met");
    case.step(&officer, "close", json!({}), "closed").await;
    assert_eq!(
        case.act(&officer, "publish", json!({"where": "x"})).await.0,
        409
    );

    // The filer sees the outcome and the public steps, not the internal ones.
    let (_, seen) = ent.get(&case.path("")).await;
    assert_eq!(seen["state"], "closed");
    assert!(seen["closed_at"].is_string());
    let (_, events) = ent.get(&case.path("/events")).await;
    let kinds = kinds(&events);
    assert!(
        kinds.contains(&"docketed") && kinds.contains(&"decided"),
        "{kinds:?}"
    );
    assert!(
        !kinds.contains(&"deliberated") && !kinds.contains(&"answer_received"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_suspension_pauses_the_closing_clock_and_resumes_where_it_was() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let mut case = docketed(&app, ["demo-officer", "demo-officer2", "demo-supervisor"])
        .await
        .step("serve_respondent", json!({"method": "direct"}), "served")
        .file()
        .await;
    // An invention patent: an accepted invalidation request does not force a suspension …
    case.step(
        &officer,
        "refuse_suspension",
        json!({"applied_ground": "invalidation_accepted", "refusal_ground": "invention_patent", "reason": "发明专利，不中止"}),
        "served",
    )
    .await;
    // … but a party's death does.
    let (s, b) = case
        .act(
            &officer,
            "refuse_suspension",
            json!({"applied_ground": "party_died", "refusal_ground": "other", "reason": "x"}),
        )
        .await;
    assert_eq!(s, 409, "{b}");
    let clocks = case
        .step(
            &officer,
            "suspend",
            json!({"ground": "depends_on_other_case", "reason": "等待关联诉讼结果"}),
            "suspended",
        )
        .await;
    assert_eq!(clock(&clocks, "ar.closing")["state"], "paused");
    assert_eq!(case.act(&officer, "record_receipt", json!({})).await.0, 409);
    let clocks = case.step(&officer, "resume", json!({}), "served").await;
    let closing = clock(&clocks, "ar.closing");
    assert_eq!(closing["state"], "running");
    assert_eq!(closing["paused_segments"].as_array().unwrap().len(), 1);
    // Withdrawal ends it, whatever the stage.
    case.step(
        &officer,
        "withdraw",
        json!({"reason": "双方已和解"}),
        "withdrawn",
    )
    .await;
    assert_eq!(
        clock(&case.clocks(&officer).await, "ar.closing")["state"],
        "met"
    );
}

#[tokio::test]
async fn an_exhibition_case_is_handled_in_hours_or_converted_into_a_ruling_case() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let mut case = at_the_fair(&app).file().await;
    let (_, shown) = officer.get(&case.path("")).await;
    assert_eq!(shown["state"], "complaint_received");
    let transfer = clock(&shown["deadlines"], "ex.transfer");
    let start = DateTime::parse_from_rfc3339(transfer["start_at"].as_str().unwrap()).unwrap();
    let due = DateTime::parse_from_rfc3339(transfer["due_at"].as_str().unwrap()).unwrap();
    assert_eq!(due - start, TimeDelta::hours(24));

    case.step(&officer, "transfer", json!({}), "transferred")
        .await;
    let clocks = case
        .step(
            &officer,
            "notify_respondent",
            json!({}),
            "respondent_notified",
        )
        .await;
    let statement = clock(&clocks, "ex.statement");
    let start = DateTime::parse_from_rfc3339(statement["start_at"].as_str().unwrap()).unwrap();
    let due = DateTime::parse_from_rfc3339(statement["due_at"].as_str().unwrap()).unwrap();
    assert_eq!(due - start, TimeDelta::hours(24));
    case.step(
        &officer,
        "receive_statement",
        json!({"statement": "产品为自主设计"}),
        "answered",
    )
    .await;
    let (s, b) = case
        .act(
            &officer,
            "order_measures",
            json!({"measures": ["withdraw_exhibit", "set_fire"], "findings": "x"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    case.step(
        &officer,
        "order_measures",
        json!({"measures": ["withdraw_exhibit", "cover_display"], "findings": "展品与外观设计专利相同"}),
        "measures_ordered",
    )
    .await;
    case.step(&officer, "close", json!({}), "closed").await;

    // A second complaint cannot be settled at the fair: it becomes a ruling case, keeping its
    // events, and the docketing clock starts.
    let mut second = at_the_fair(&app)
        .step("transfer", json!({}), "transferred")
        .file()
        .await;
    let (s, b) = second
        .act(
            &officer,
            "convert",
            json!({"request_received_at": chrono::Utc::now().to_rfc3339(), "reason": "投诉人当场提交行政裁决请求书，展会期间无法处理完毕"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["queue"], "administrative_ruling");
    assert_eq!(b["state"], "received");
    assert_eq!(clock(&b["deadlines"], "ar.docket")["state"], "running");
    assert!(
        second
            .actions(&officer)
            .await
            .contains(&"docket".to_string())
    );
    let (_, events) = officer.get(&second.path("/events")).await;
    let kinds = kinds(&events);
    assert!(
        kinds.contains(&"transferred") && kinds.contains(&"converted"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn an_overseas_case_is_accepted_guided_and_closed_behind_the_export_gate() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let supervisor = app.api_as("demo-supervisor").await;
    let mut case = app
        .complaint()
        .overseas(json!({"country": "US", "category": "us_337",
                         "foreign_deadline": "2027-01-15T17:00", "time_zone": "America/New_York"}))
        .routed("overseas_assistance")
        .file()
        .await;
    let (_, shown) = officer.get(&case.path("")).await;
    assert_eq!(shown["state"], "requested");
    let day = today();
    assert_eq!(
        last_day(&clock(&shown["deadlines"], "os.accept")["due_at"]),
        officer.working_days(day, 3).await
    );
    case.step(
        &officer,
        "record_eligibility",
        json!({"eligible": ["mutual_aid_fund", "overseas_ip_insurance"]}),
        "requested",
    )
    .await;
    case.step(&officer, "accept", json!({}), "accepted").await;
    let (_, listed) = officer.get(&case.path("/actions")).await;
    let assign = listed["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "assign_expert")
        .unwrap()
        .clone();
    let experts = assign["fields"][0]["options"].as_array().unwrap();
    assert_eq!(experts.len(), 3, "{assign}");
    assert_eq!(
        case.act(&officer, "assign_expert", json!({"expert_id": 9999}))
            .await
            .0,
        422
    );
    let clocks = case
        .step(
            &officer,
            "assign_expert",
            json!({"expert_id": experts[0]["value"]}),
            "expert_assigned",
        )
        .await;
    assert_eq!(
        last_day(&clock(&clocks, "os.guidance")["due_at"]),
        officer.working_days(day, 10).await
    );
    // The export gate is a supervisor's, and every check must be confirmed.
    let all = json!([
        "state_secrets",
        "data_security",
        "personal_information",
        "technology_export",
        "judicial_assistance"
    ]);
    assert_eq!(
        case.act(
            &officer,
            "approve_evidence_export",
            json!({"checks": all, "destination": "US"})
        )
        .await
        .0,
        403
    );
    let (s, b) = case
        .act(
            &supervisor,
            "approve_evidence_export",
            json!({"checks": ["state_secrets"], "destination": "US"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    case.step(
        &supervisor,
        "approve_evidence_export",
        json!({"checks": all, "destination": "US"}),
        "expert_assigned",
    )
    .await;
    assert!(
        !case
            .actions(&supervisor)
            .await
            .contains(&"approve_evidence_export".to_string())
    );
    let clocks = case
        .step(
            &officer,
            "give_guidance",
            json!({"guidance": "建议在20日内委托美国律师应诉"}),
            "guidance_given",
        )
        .await;
    assert_eq!(clock(&clocks, "os.guidance")["state"], "met");
    case.step(
        &officer,
        "follow_up",
        json!({"note": "企业已应诉"}),
        "follow_up",
    )
    .await;
    case.step(
        &officer,
        "close",
        json!({"outcome": "双方和解，ITC调查终止"}),
        "closed",
    )
    .await;
}

#[tokio::test]
async fn two_officers_taking_the_same_step_at_once_one_wins() {
    let app = TestApp::spawn().await;
    let a = app.api_as("demo-officer").await;
    let b = app.api_as("demo-officer2").await;
    let case = app
        .complaint()
        .routed_with(
            "overseas_assistance",
            json!({"overseas": {"country": "DE", "category": "overseas_exhibition_or_customs"}}),
        )
        .file()
        .await;
    let body = json!({"action": "accept", "expected_version": case.version});
    let path = case.path("/actions");
    let (r1, r2) = tokio::join!(a.post(&path, &body), b.post(&path, &body));
    let mut codes = [r1.0, r2.0];
    codes.sort_unstable();
    assert_eq!(codes, [200, 409], "{} {}", r1.1, r2.1);
    // A past instant before the case's last step, or one in the future, is refused.
    let (s, e) = a.post(&path, &json!({"action": "assign_expert", "expected_version": case.version + 2, "at": "2001-01-01T00:00", "expert_id": 1}))
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["field"], "at");
}

#[tokio::test]
async fn only_the_panel_or_a_supervisor_votes_and_rules() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let outsider = app.api_as("demo-officer3").await;
    let supervisor = app.api_as("demo-supervisor").await;
    let mut case = docketed(&app, ["demo-officer", "demo-officer2", "demo-supervisor"])
        .await
        .file()
        .await;
    // Any officer of the office may take the ordinary steps …
    case.step(
        &outsider,
        "serve_respondent",
        json!({"method": "post"}),
        "served",
    )
    .await;
    case.step(&outsider, "record_receipt", json!({}), "answer_period")
        .await;
    case.step(&officer, "close_answer_period", json!({}), "evidence")
        .await;
    case.step(
        &officer,
        "written_review",
        json!({"reason": "书面审理"}),
        "deliberation",
    )
    .await;
    // … but an officer outside the panel neither votes nor rules, and is not offered to.
    let vote = json!({"votes_for": 3, "votes_against": 0, "opinion": "侵权成立"});
    assert_eq!(
        case.act(&outsider, "record_deliberation", vote.clone())
            .await
            .0,
        403
    );
    assert!(
        !case
            .actions(&outsider)
            .await
            .contains(&"record_deliberation".to_string())
    );
    case.step(&officer, "record_deliberation", vote, "deliberation")
        .await;
    let ruling =
        json!({"outcome": "no_infringement", "findings": "被控产品缺少权利要求1的技术特征"});
    assert_eq!(case.act(&outsider, "decide", ruling.clone()).await.0, 403);
    case.step(&supervisor, "decide", ruling, "decided").await;
}

#[tokio::test]
async fn the_respondents_answer_stays_internal_until_the_ruling_states_it() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let ent = app.api_as("demo-enterprise").await;
    let mut case = answer_period(&app, ["demo-officer", "demo-officer2", "demo-officer3"]).await;
    case.step(
        &officer,
        "receive_answer",
        json!({"summary": "答辩要点甲乙丙"}),
        "evidence",
    )
    .await;
    case.step(
        &officer,
        "suspend",
        json!({"ground": "force_majeure", "reason": "台风"}),
        "suspended",
    )
    .await;
    let (s, issued) = officer
        .post(
            &case.path("/documents"),
            &json!({"kind": "suspension_notice", "expected_version": case.version}),
        )
        .await;
    assert_eq!(s, 201, "{issued}");
    // The enterprise may open the notice, and its events say nothing of the answer.
    let (_, events) = ent.get(&case.path("/events")).await;
    assert!(events.to_string().contains("suspension_notice"));
    assert!(!events.to_string().contains("答辩要点甲乙丙"), "{events}");
    // The filer and a triager cannot issue documents.
    let (s, _) = ent
        .post(
            &case.path("/documents"),
            &json!({"kind": "suspension_notice", "expected_version": issued["version"]}),
        )
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn an_upheld_jurisdiction_objection_transfers_the_lead_to_the_competent_office() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let industry = app.api_as("demo-industry").await;
    let mut case = answer_period(&app, ["demo-officer", "demo-officer2", "demo-officer3"]).await;
    case.step(
        &officer,
        "raise_jurisdiction_objection",
        json!({"summary": "被请求人住所地不在本市"}),
        "answer_period",
    )
    .await;
    let to = industry.org_id().await;
    // Upheld, but to nowhere: the form asks where the lead goes.
    let (s, b) = case
        .act(
            &officer,
            "decide_jurisdiction_objection",
            json!({"outcome": "upheld", "reason": "不属本局管辖"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "to_org_id");
    let (s, b) = case
        .act(
            &officer,
            "decide_jurisdiction_objection",
            json!({"outcome": "upheld", "reason": "不属本局管辖", "to_org_id": to}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["queue"].as_str(), b["state"].as_str()),
        (Some("triage"), Some("referred"))
    );
    assert_eq!(clock(&b["deadlines"], "ar.closing")["state"], "met");
    assert_eq!(
        clock(&b["deadlines"], "referral.acknowledge")["state"],
        "running"
    );
    // The competent office sees the lead and acknowledges it.
    let (s, _) = industry.get(&case.path("")).await;
    assert_eq!(s, 200);
    let (s, ack) = industry
        .post(
            &case.path("/referral"),
            &json!({"action": "acknowledge", "expected_version": case.version}),
        )
        .await;
    assert_eq!(s, 200, "{ack}");
}
