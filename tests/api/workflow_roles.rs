//! The role rule of every workflow action, as a matrix: every action of every queue × the demo
//! users who can see the case. The table of who may take what is written here from the rules
//! (ARCHITECTURE.md, Actors; Order 81 on the panel), not read from the code: any officer or
//! supervisor of the owning office takes the ordinary steps; only a supervisor approves and
//! decides a recusal (Art. 5); only a member of the panel or a supervisor votes and rules. A caller the rule lets through gets 409
//! or 422 (a step that is not possible now, or missing fields) and nothing changes.

use crate::helpers::TestApp;
use serde_json::json;

/// The actions restricted beyond "works the case", by queue: (action, only a supervisor).
/// Everything else is for any worker; `record_deliberation` and `decide` are the panel's.
const SUPERVISOR_ONLY: [&str; 3] = [
    "approve_evidence_export",
    "decide_recusal",
    "record_enforcement_application",
];
const PANEL_ONLY: [&str; 6] = [
    "hear_together",
    "record_deliberation",
    "decide",
    "change_ruling",
    "appoint_technical_investigator",
    "rule_repeat_infringement",
];

const ACTIONS: [(&str, &[&str]); 3] = [
    (
        "administrative_ruling",
        &[
            "request_correction",
            "receive_correction",
            "lapse_correction",
            "docket",
            "refuse_docket",
            "serve_respondent",
            "serve_by_public_notice",
            "record_receipt",
            "receive_answer",
            "close_answer_period",
            "forward_answer",
            "raise_jurisdiction_objection",
            "decide_jurisdiction_objection",
            "send_evidence_notice",
            "extend_evidence_period",
            "end_evidence_extension",
            "close_evidence_period",
            "add_party",
            "apply_recusal",
            "decide_recusal",
            "hear_together",
            "record_investigation",
            "preserve_evidence",
            "decide_preservation",
            "appoint_technical_investigator",
            "start_appraisal",
            "end_appraisal",
            "start_settlement",
            "end_settlement",
            "schedule_hearing",
            "postpone_hearing",
            "hold_hearing",
            "record_requester_absence",
            "written_review",
            "record_deliberation",
            "decide",
            "mediate",
            "revoke",
            "withdraw",
            "suspend",
            "refuse_suspension",
            "resume",
            "publish",
            "record_ruling_received",
            "change_ruling",
            "notify_ruling_to",
            "record_enforcement_application",
            "rule_repeat_infringement",
            "report_to_organiser",
            "close",
        ],
    ),
    (
        "exhibition_enforcement",
        &[
            "transfer",
            "notify_respondent",
            "receive_statement",
            "record_no_answer",
            "order_measures",
            "find_no_infringement",
            "close",
            "convert",
            "report_to_organiser",
        ],
    ),
    (
        "overseas_assistance",
        &[
            "accept",
            "decline",
            "assign_expert",
            "give_guidance",
            "follow_up",
            "request_evidence_export",
            "approve_evidence_export",
            "record_eligibility",
            "close",
        ],
    ),
];

/// The users, and whether each works cases of 南通市知识产权局 (officer or supervisor there),
/// is a supervisor, and sits on the panel of the ruling case.
const USERS: [(&str, bool, bool, bool); 6] = [
    ("demo-officer", true, false, true),
    ("demo-officer2", true, false, true),
    ("demo-officer3", true, false, false),
    ("demo-supervisor", true, true, true),
    ("demo-enterprise", false, false, false),
    ("demo-industry", false, false, false),
];

#[tokio::test]
async fn every_workflow_action_answers_every_user_as_its_role_rule_says() {
    let app = TestApp::spawn().await;
    // Every action the domain knows is in the table above, and nothing else.
    for (queue, names) in ACTIONS {
        let q = weiquan::domain::case::Queue::parse(queue).unwrap();
        let known: Vec<&str> = weiquan::domain::workflow::specs(q)
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(known, names.to_vec(), "{queue}");
    }
    // The ruling case gets its panel: two officers and the supervisor, not demo-officer3.
    let panel = app
        .user_ids(&["demo-officer", "demo-officer2", "demo-supervisor"])
        .await;
    let ruling = app
        .complaint()
        .routed("administrative_ruling")
        .step(
            "docket",
            json!({"panel_user_ids": panel, "asserted_claims": "1"}),
            "docketed",
        )
        .file()
        .await;
    let exhibition = app
        .complaint()
        .at_fair()
        .routed("exhibition_enforcement")
        .file()
        .await;
    let overseas = app
        .complaint()
        .overseas(json!({"country": "US", "category": "us_337"}))
        .routed("overseas_assistance")
        .file()
        .await;

    let mut mismatches = Vec::new();
    let mut cells = 0;
    for (user, works, supervisor, panel) in USERS {
        let caller = app.api_as(user).await;
        for (queue, names) in ACTIONS {
            let id = match queue {
                "administrative_ruling" => ruling.id,
                "exhibition_enforcement" => exhibition.id,
                _ => overseas.id,
            };
            let (seen, _) = caller.get(&format!("/api/v1/cases/{id}")).await;
            for action in names {
                let allowed = works
                    && (!SUPERVISOR_ONLY.contains(action) || supervisor)
                    && (!PANEL_ONLY.contains(action) || panel || queue != "administrative_ruling");
                let expected = match (seen, allowed) {
                    (404, _) => "404",
                    (_, false) => "403",
                    (_, true) => "409 or 422",
                };
                let body = json!({"action": action, "expected_version": 999});
                let (s, _) = caller
                    .post(&format!("/api/v1/cases/{id}/actions"), &body)
                    .await;
                let got = match s {
                    409 | 422 => "409 or 422",
                    404 => "404",
                    403 => "403",
                    _ => "other",
                };
                cells += 1;
                if got != expected {
                    mismatches.push(format!(
                        "{user} {queue} {action}: expected {expected}, got {s}"
                    ));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {cells} cells differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(cells, 6 * (50 + 9 + 9));
    // Nothing moved: every request was refused.
    let after = app.api_as("demo-officer").await.case(ruling.id).await;
    assert_eq!(after["state"], "docketed");
}
