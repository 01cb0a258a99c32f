use super::*;
use crate::domain::case::{CaseState, triage};
use crate::domain::deadline::Rules;
use serde_json::{Value, json};

fn one_patent() -> Shape {
    Shape {
        rights: vec![RightKind::InventionPatent],
        respondents: 1,
        standing: Some(Standing::Patentee),
        past_close: false,
        correction_lapsed: false,
    }
}

#[test]
fn a_request_is_treated_as_withdrawn_only_once_its_correction_period_has_run_out() {
    let q = Queue::AdministrativeRuling;
    let lapse = spec(q, "lapse_correction").unwrap();
    let none = Progress::default();
    assert_eq!(
        allowed(
            q,
            lapse,
            CaseState::CorrectionRequested,
            &none,
            &one_patent()
        ),
        Err("error.workflow.correction_not_lapsed")
    );
    let lapsed = Shape {
        correction_lapsed: true,
        ..one_patent()
    };
    assert_eq!(
        allowed(q, lapse, CaseState::CorrectionRequested, &none, &lapsed),
        Ok(())
    );
    assert_eq!(
        apply(
            q,
            lapse,
            CaseState::CorrectionRequested,
            &none,
            &Values::default()
        )
        .state,
        CaseState::Withdrawn
    );
}

fn values(pairs: Value) -> Values {
    let Value::Object(map) = pairs else {
        panic!("an object")
    };
    Values(
        map.into_iter()
            .map(|(k, v)| (&*Box::leak(k.into_boxed_str()), v))
            .collect(),
    )
}

/// Drives `steps` from the queue's entry state, checking each step is allowed, and returns the
/// states passed through with the events appended.
fn drive(queue: Queue, steps: &[(&str, Value)], shape: &Shape) -> (Vec<String>, Vec<String>) {
    let mut state = states(queue)[0];
    let mut events: Vec<(EventKind, Value)> = Vec::new();
    let mut seen_states = vec![state.to_string()];
    for (name, v) in steps {
        let spec = spec(queue, name).unwrap_or_else(|| panic!("no action {name}"));
        let seen: Vec<progress::Seen> = events
            .iter()
            .map(|(k, p)| progress::Seen {
                kind: *k,
                payload: p,
            })
            .collect();
        let p = Progress::of(&seen);
        allowed(queue, spec, state, &p, shape).unwrap_or_else(|e| panic!("{name} in {state}: {e}"));
        let vals = values(v.clone());
        assert!(
            check_values(queue, spec, &vals, &p, shape).is_empty(),
            "{name}"
        );
        let mut payload = vals.to_json();
        if *name == "suspend" {
            payload["from_state"] = json!(state);
        }
        let t = apply(queue, spec, state, &p, &vals);
        for e in &t.events {
            events.push((*e, payload.clone()));
        }
        state = t.state;
        seen_states.push(state.to_string());
    }
    (
        seen_states,
        events.into_iter().map(|(k, _)| k.to_string()).collect(),
    )
}

#[test]
fn a_ruling_case_goes_from_request_to_closing_with_a_suspension_on_the_way() {
    let panel = json!({"panel_user_ids": [1, 2, 3], "asserted_claims": "权利要求1-3"});
    let (states, events) = drive(
        Queue::AdministrativeRuling,
        &[
            (
                "request_correction",
                json!({"items": "补充专利登记簿副本", "period_days": 10}),
            ),
            ("receive_correction", json!({})),
            ("docket", panel),
            ("serve_respondent", json!({"method": "post"})),
            ("record_receipt", json!({})),
            ("raise_jurisdiction_objection", json!({})),
            (
                "decide_jurisdiction_objection",
                json!({"outcome": "dismissed", "reason": "本局有管辖权"}),
            ),
            ("receive_answer", json!({})),
            ("forward_answer", json!({})),
            (
                "suspend",
                json!({"ground": "depends_on_other_case", "reason": "等待关联案件"}),
            ),
            ("resume", json!({})),
            ("send_evidence_notice", json!({"period_days": 15})),
            ("close_evidence_period", json!({})),
            (
                "schedule_hearing",
                json!({"hearing_at": "2026-03-20T09:30:00+08:00", "place": "第一审理庭"}),
            ),
            ("hold_hearing", json!({"record": "双方到庭"})),
            (
                "record_deliberation",
                json!({"votes_for": 3, "votes_against": 0, "opinion": "构成侵权"}),
            ),
            (
                "decide",
                json!({"outcome": "infringement", "findings": "落入保护范围", "order": "停止销售"}),
            ),
            ("publish", json!({"where": "本局网站"})),
            ("close", json!({})),
        ],
        &one_patent(),
    );
    assert_eq!(
        states,
        [
            "received",
            "correction_requested",
            "received",
            "docketed",
            "served",
            "answer_period",
            "answer_period",
            "answer_period",
            "evidence",
            "evidence",
            "suspended",
            "evidence",
            "evidence",
            "evidence",
            "hearing_scheduled",
            "deliberation",
            "deliberation",
            "decided",
            "published",
            "closed"
        ]
    );
    assert!(events.contains(&"respondent_received".to_string()));
    assert_eq!(events.last().map(String::as_str), Some("closed"));
}

#[test]
fn a_respondent_abroad_starts_the_thirty_day_answer_clock() {
    let (_, events) = drive(
        Queue::AdministrativeRuling,
        &[
            (
                "docket",
                json!({"panel_user_ids": [1, 2, 3], "asserted_claims": "1"}),
            ),
            (
                "serve_respondent",
                json!({"method": "electronic", "consent_recorded": true}),
            ),
            ("record_receipt", json!({"abroad": true})),
        ],
        &one_patent(),
    );
    assert_eq!(events.last().unwrap(), "respondent_received_abroad");
}

#[test]
fn an_upheld_jurisdiction_objection_ends_the_case() {
    let (states, events) = drive(
        Queue::AdministrativeRuling,
        &[
            (
                "docket",
                json!({"panel_user_ids": [1, 2, 3], "asserted_claims": "1"}),
            ),
            ("serve_respondent", json!({"method": "direct"})),
            ("record_receipt", json!({})),
            ("raise_jurisdiction_objection", json!({})),
            (
                "decide_jurisdiction_objection",
                json!({"outcome": "upheld", "reason": "应由他局管辖", "to_org_id": 7}),
            ),
        ],
        &one_patent(),
    );
    // The ruling ends and the lead waits, referred, for the competent office.
    assert_eq!(states.last().unwrap(), "referred");
    assert_eq!(
        events[events.len() - 3..],
        ["jurisdiction_objection_decided", "revoked", "referred"]
    );
}

#[test]
fn exhibition_and_overseas_cases_reach_their_end() {
    let (states, _) = drive(
        Queue::ExhibitionEnforcement,
        &[
            ("transfer", json!({})),
            ("notify_respondent", json!({})),
            ("receive_statement", json!({"statement": "产品系自行研发"})),
            (
                "order_measures",
                json!({"measures": ["withdraw_exhibit", "cover_display"], "findings": "构成侵权"}),
            ),
            ("close", json!({})),
        ],
        &one_patent(),
    );
    assert_eq!(states.last().unwrap(), "closed");
    let (states, events) = drive(
        Queue::ExhibitionEnforcement,
        &[
            ("transfer", json!({})),
            ("convert", json!({"reason": "展会结束，转行政裁决"})),
        ],
        &one_patent(),
    );
    assert_eq!(states.last().unwrap(), "received");
    // The ruling queue's docketing clock starts on conversion.
    assert_eq!(events.last().unwrap(), "request_received");
    let (states, _) = drive(
        Queue::OverseasAssistance,
        &[
            (
                "record_eligibility",
                json!({"eligible": ["mutual_aid_fund"]}),
            ),
            ("accept", json!({})),
            ("assign_expert", json!({"expert_id": 1})),
            (
                "approve_evidence_export",
                json!({"checks": EXPORT_ALL, "destination": "US"}),
            ),
            ("give_guidance", json!({"guidance": "尽快委托美国律师应诉"})),
            ("follow_up", json!({"note": "已应诉"})),
            ("close", json!({"outcome": "和解"})),
        ],
        &one_patent(),
    );
    assert_eq!(states.last().unwrap(), "closed");
}

const EXPORT_ALL: [&str; 5] = overseas_checks();
const fn overseas_checks() -> [&'static str; 5] {
    [
        "state_secrets",
        "data_security",
        "personal_information",
        "technology_export",
        "judicial_assistance",
    ]
}

/// Every action in every state it does not list is refused, in every queue; terminal states
/// refuse everything with the "finished" reason.
#[test]
fn every_illegal_transition_is_refused() {
    let mut refused = 0;
    for queue in Queue::WORK {
        for spec in specs(queue) {
            for state in states(queue) {
                let r = allowed(queue, spec, *state, &Progress::default(), &one_patent());
                if spec.from.contains(state) {
                    continue;
                }
                let expected = if state.is_final() {
                    "error.workflow.finished"
                } else {
                    "error.workflow.not_now"
                };
                assert_eq!(r, Err(expected), "{queue} {} in {state}", spec.name);
                refused += 1;
            }
        }
    }
    assert!(refused > 400, "{refused}");
}

#[test]
fn guards_refuse_steps_the_law_does_not_allow_yet() {
    let q = Queue::AdministrativeRuling;
    let two = Shape {
        rights: vec![RightKind::InventionPatent, RightKind::UtilityModel],
        respondents: 1,
        ..one_patent()
    };
    let s = |n| spec(q, n).unwrap();
    let none = Progress::default();
    assert_eq!(
        allowed(q, s("docket"), CaseState::Received, &none, &two),
        Err("error.workflow.one_patent")
    );
    let trademark = Shape {
        rights: vec![RightKind::Trademark],
        respondents: 1,
        ..one_patent()
    };
    assert!(allowed(q, s("docket"), CaseState::Received, &none, &trademark).is_err());
    // Art. 23: co-respondents are parties of one case.
    let co_respondents = Shape {
        respondents: 2,
        ..one_patent()
    };
    assert_eq!(
        allowed(q, s("docket"), CaseState::Received, &none, &co_respondents),
        Ok(())
    );
    assert_eq!(
        allowed(
            q,
            s("decide"),
            CaseState::Deliberation,
            &none,
            &one_patent()
        ),
        Err("error.workflow.no_majority")
    );
    let split = Progress {
        vote: Some((1, 2)),
        ..Progress::default()
    };
    assert!(
        allowed(
            q,
            s("decide"),
            CaseState::Deliberation,
            &split,
            &one_patent()
        )
        .is_err()
    );
    let pending = Progress {
        vote: Some((3, 0)),
        objection_pending: true,
        ..Progress::default()
    };
    assert_eq!(
        allowed(
            q,
            s("decide"),
            CaseState::Deliberation,
            &pending,
            &one_patent()
        ),
        Err("error.workflow.objection_pending")
    );
    assert_eq!(
        allowed(
            q,
            s("forward_answer"),
            CaseState::Evidence,
            &none,
            &one_patent()
        ),
        Err("error.workflow.no_answer_to_forward")
    );
    let open = Progress {
        evidence_period_open: true,
        ..Progress::default()
    };
    assert_eq!(
        allowed(
            q,
            s("schedule_hearing"),
            CaseState::Evidence,
            &open,
            &one_patent()
        ),
        Err("error.workflow.evidence_open")
    );
    let ex = Queue::ExhibitionEnforcement;
    assert_eq!(
        allowed(
            ex,
            spec(ex, "report_to_organiser").unwrap(),
            CaseState::Closed,
            &none,
            &one_patent()
        ),
        Err("error.workflow.exhibition_open")
    );
}

#[test]
fn a_suspension_may_be_refused_only_on_an_invalidation_request_and_a_ground_of_art_29() {
    let refuse = spec(Queue::AdministrativeRuling, "refuse_suspension").unwrap();
    let design = Shape {
        rights: vec![RightKind::DesignPatent],
        respondents: 1,
        ..one_patent()
    };
    let q = Queue::AdministrativeRuling;
    let on = |refusal: &str| {
        values(
            json!({"applied_ground": "invalidation_accepted", "refusal_ground": refusal, "reason": "x"}),
        )
    };
    // An invention patent: refused because it is one.
    assert_eq!(
        conflict(q, refuse, &on("invention_patent"), &one_patent()),
        Ok(())
    );
    // A design: not on that ground, but on its evaluation report or a decision upholding it.
    assert_eq!(
        conflict(q, refuse, &on("invention_patent"), &design),
        Err("error.workflow.not_an_invention")
    );
    assert_eq!(
        conflict(q, refuse, &on("evaluation_no_defect"), &design),
        Ok(())
    );
    assert_eq!(conflict(q, refuse, &on("patent_upheld"), &design), Ok(()));
    assert_eq!(
        conflict(q, refuse, &on("evaluation_no_defect"), &one_patent()),
        Err("error.workflow.no_evaluation_report")
    );
    // Every other ground of Art. 28 obliges suspension.
    let death =
        values(json!({"applied_ground": "party_died", "refusal_ground": "other", "reason": "x"}));
    assert_eq!(
        conflict(q, refuse, &death, &one_patent()),
        Err("error.workflow.suspension_mandatory")
    );
}

#[test]
fn panels_votes_orders_and_the_export_gate_are_checked() {
    let q = Queue::AdministrativeRuling;
    let docket = spec(q, "docket").unwrap();
    let none = Progress::default();
    for (panel, ok) in [
        (json!([1, 2]), false),
        (json!([1, 2, 3, 4]), false),
        (json!([1, 2, 3]), true),
        (json!([1, 2, 3, 4, 5]), true),
    ] {
        let v = values(json!({"panel_user_ids": panel, "asserted_claims": "1"}));
        assert_eq!(
            check_values(q, docket, &v, &none, &one_patent()).is_empty(),
            ok,
            "{panel}"
        );
    }
    let panel = Progress {
        panel: vec![1, 2, 3],
        ..Progress::default()
    };
    let vote = spec(q, "record_deliberation").unwrap();
    let short = values(json!({"votes_for": 2, "votes_against": 0, "opinion": "x"}));
    assert_eq!(
        check_values(q, vote, &short, &panel, &one_patent())[0].field,
        "votes_for"
    );
    let decide = spec(q, "decide").unwrap();
    let no_order = values(json!({"outcome": "infringement", "findings": "x"}));
    assert_eq!(
        check_values(q, decide, &no_order, &panel, &one_patent())[0].field,
        "order"
    );
    // A licensee's standing needs the officer's confirmation of the proof (Art. 12).
    let licensee = Shape {
        standing: Some(Standing::OrdinaryLicensee),
        ..one_patent()
    };
    let v = values(json!({"panel_user_ids": [1, 2, 3], "asserted_claims": "1"}));
    assert_eq!(
        check_values(q, docket, &v, &none, &licensee)[0].field,
        "standing_checked"
    );
    let v = values(
        json!({"panel_user_ids": [1, 2, 3], "asserted_claims": "1", "standing_checked": true}),
    );
    assert!(check_values(q, docket, &v, &none, &licensee).is_empty());
    let os = Queue::OverseasAssistance;
    let gate = spec(os, "approve_evidence_export").unwrap();
    let partial = values(json!({"checks": ["state_secrets"], "destination": "US"}));
    assert_eq!(
        check_values(os, gate, &partial, &none, &one_patent())[0].field,
        "checks"
    );
}

#[test]
fn fields_are_checked_and_normalised() {
    let spec = spec(Queue::AdministrativeRuling, "schedule_hearing").unwrap();
    let input = json!({"hearing_at": "2026-03-20T09:30", "place": " 第一审理庭 ", "closed_reason": "trade_secret"});
    let v = fields::check(spec.fields, input.as_object().unwrap()).unwrap();
    assert_eq!(v.text("hearing_at"), Some("2026-03-20T09:30:00+08:00"));
    assert_eq!(v.text("place"), Some("第一审理庭"));
    assert_eq!(v.text("closed_reason"), Some("trade_secret"));
    // Left empty on the form: a public hearing.
    let public =
        json!({"hearing_at": "2026-03-20T09:30", "place": "第一审理庭", "closed_reason": ""});
    let v = fields::check(spec.fields, public.as_object().unwrap()).unwrap();
    assert_eq!(v.text("closed_reason"), None);
    let bad = json!({"hearing_at": "next tuesday", "place": "a\u{0}b"});
    let errors = fields::check(spec.fields, bad.as_object().unwrap()).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["hearing_at", "place"]);
    let docket = super::spec(Queue::AdministrativeRuling, "docket").unwrap();
    let repeated = json!({"panel_user_ids": [4, 4, 5], "asserted_claims": "1"});
    let e = fields::check(docket.fields, repeated.as_object().unwrap()).unwrap_err();
    assert_eq!(e[0].message.key, "error.workflow.users_repeated");
    let missing = json!({});
    let e = fields::check(docket.fields, missing.as_object().unwrap()).unwrap_err();
    assert_eq!(e.len(), 2);
    let measures = super::spec(Queue::ExhibitionEnforcement, "order_measures").unwrap();
    let unknown = json!({"measures": ["withdraw_exhibit", "burn_booth"], "findings": "x"});
    let e = fields::check(measures.fields, unknown.as_object().unwrap()).unwrap_err();
    assert_eq!(e[0].field, "measures");
}

/// The workflow and the deadline rules speak the same events: every start, stop and pause event
/// of a queue's rules is appended by one of its actions, by triage, or by the system.
#[test]
fn every_clock_event_of_a_queue_is_appended_by_some_action() {
    let system = [
        EventKind::ExhibitionClosed,
        EventKind::TransferredAtClose,
        EventKind::TransferredToRegulator,
        EventKind::Referred,
    ];
    // Counted for cases recorded before extensions became a number of days.
    let legacy = [EventKind::EvidenceExtensionStarted];
    for queue in Queue::WORK {
        let mut emitted: Vec<EventKind> = specs(queue)
            .iter()
            .flat_map(|s| s.events.iter().copied())
            .collect();
        emitted.extend([EventKind::RespondentReceivedAbroad, triage::entry(queue).1]);
        for rule in Rules::builtin().rules.values() {
            if rule.queue != queue.as_str() {
                continue;
            }
            let mut events: Vec<EventKind> = rule.start.clone();
            events.extend(rule.stop.iter().copied());
            events.extend(rule.pauses.iter().flat_map(|p| p.iter().copied()));
            events.extend(rule.lengthened_by.iter().copied());
            for e in events {
                assert!(
                    emitted.contains(&e) || system.contains(&e) || legacy.contains(&e),
                    "{}: {e} is never appended",
                    rule.id
                );
            }
        }
    }
}

#[test]
fn every_document_comes_from_an_action_that_produces_it() {
    for d in Document::ALL {
        assert_eq!(Document::parse(d.as_str()), Some(d));
        // A lead's documents come from triage and the exhibition's close, not from a step.
        let Some(action) = d.action() else {
            assert!(d.of_a_lead(), "{}", d.as_str());
            continue;
        };
        let found = Queue::WORK
            .iter()
            .flat_map(|q| specs(*q))
            .any(|s| s.name == action && s.document == Some(d));
        assert!(found, "{}", d.as_str());
        let spec = Queue::WORK
            .iter()
            .find_map(|q| spec(*q, action.as_str()))
            .unwrap();
        assert!(spec.events.contains(&d.event()), "{}", d.as_str());
    }
}

/// Every action, field, option, state and event of the workflows has its words in the catalogue.
#[test]
fn every_workflow_name_has_a_label() {
    let mut missing = Vec::new();
    for queue in Queue::WORK {
        for state in states(queue) {
            missing.push(format!("case_state.{state}"));
        }
        for s in specs(queue) {
            missing.push(format!("workflow.action.{}", s.name));
            for e in s.events {
                missing.push(format!("event.{e}"));
            }
            for f in s.fields {
                missing.push(format!("workflow.field.{}", f.name));
                for o in f.kind.options() {
                    missing.push(format!("workflow.option.{o}"));
                }
            }
        }
    }
    missing.retain(|k| !crate::i18n::has(k));
    assert!(missing.is_empty(), "{missing:?}");
}

/// Every kind of event is recorded by something: a workflow action, triage, or one of the
/// services named here. A kind nothing records would be a name a rules file could wait on for
/// ever.
#[test]
fn every_event_kind_is_recorded_by_an_action_triage_or_a_named_service() {
    use EventKind as E;
    let mut recorded: Vec<EventKind> = Queue::WORK
        .iter()
        .flat_map(|q| specs(*q))
        .flat_map(|s| s.events.iter().copied())
        .collect();
    // Steps whose events depend on a field (`events_for`).
    recorded.extend([E::RespondentReceivedAbroad, E::Revoked, E::Referred]);
    // Triage (`domain::case::triage`), and each queue's start event.
    recorded.extend([
        E::Received,
        E::Routed,
        E::Referred,
        E::Rejected,
        E::Merged,
        E::ReferralAcknowledged,
        E::ReferralReturned,
    ]);
    recorded.extend(Queue::ALL.iter().map(|q| triage::entry(*q).1));
    // The services that record the rest.
    recorded.extend([
        E::DuplicateMerged,       // triage: the surviving case of a merge
        E::JurisdictionEscalated, // triage: a dispute taken to the common superior
        E::JurisdictionDesignated,
        E::FilerNotified, // triage: the filer told of the decision
        E::Shared,        // triage: sharing
        E::ShareRevoked,
        E::Assigned,         // workflow: assignment
        E::ExhibitionClosed, // exhibitions: the closing sweep
        E::Converted,
        E::TransferredAtClose,
        E::TransferredToRegulator,
        E::ExtensionRequested, // deadlines: extensions
        E::ExtensionApproved,
        E::ExtensionRefused,
        E::DocumentGenerated, // documents
        E::ShareAcknowledged, // approvals: a share received taken note of
        E::MessagePosted,     // messages (沟通)
        E::MaterialRequested,
        E::MaterialSubmitted,
        E::FundApplied, // funds: an application, a panel vote, the decision, a payout
        E::FundVoted,
        E::FundDecided,
        E::FundPaid,
        E::CampaignLinked, // campaigns: a link, a referral and its acknowledgement
        E::CampaignReferred,
        E::CampaignReferralAcknowledged,
    ]);
    // Kept so that cases recorded before stay readable; ended by `end_evidence_extension`.
    recorded.push(E::EvidenceExtensionStarted);
    recorded.extend(EventKind::ALL.iter().filter(|k| k.is_custody())); // evidence custody
    let never: Vec<&EventKind> = EventKind::ALL
        .iter()
        .filter(|k| !recorded.contains(k))
        .collect();
    assert!(never.is_empty(), "nothing records {never:?}");
}

/// Art. 10: electronic service only with the recipient's recorded consent.
#[test]
fn electronic_service_needs_the_recipients_consent() {
    let q = Queue::AdministrativeRuling;
    let serve = spec(q, "serve_respondent").unwrap();
    let none = Progress::default();
    let without = values(json!({"method": "electronic"}));
    let e = check_values(q, serve, &without, &none, &one_patent());
    assert_eq!(e[0].field, "consent_recorded");
    let with = values(json!({"method": "electronic", "consent_recorded": true}));
    assert!(check_values(q, serve, &with, &none, &one_patent()).is_empty());
    let left = values(json!({"method": "left_at_address"}));
    assert!(check_values(q, serve, &left, &none, &one_patent()).is_empty());
}

/// Appraisal (Art. 53) and settlement talks (Art. 37) are pauses that open and close, and no
/// ruling is made while one is open.
#[test]
fn appraisal_and_settlement_open_and_close_and_hold_back_the_ruling() {
    let (states, events) = drive(
        Queue::AdministrativeRuling,
        &[
            (
                "docket",
                json!({"panel_user_ids": [1, 2, 3], "asserted_claims": "1"}),
            ),
            ("serve_by_public_notice", json!({"where": "人民法院报"})),
            (
                "start_appraisal",
                json!({"matter": "被控产品与专利技术特征比对"}),
            ),
            ("end_appraisal", json!({"result": "落入保护范围"})),
            ("start_settlement", json!({})),
            ("end_settlement", json!({"outcome": "failed"})),
        ],
        &one_patent(),
    );
    assert_eq!(states.last().unwrap(), "answer_period");
    for e in [
        "public_notice_served",
        "respondent_received",
        "appraisal_started",
        "appraisal_ended",
        "settlement_started",
        "settlement_ended",
    ] {
        assert!(events.iter().any(|x| x == e), "{e} in {events:?}");
    }
    let q = Queue::AdministrativeRuling;
    let talks = Progress {
        settlement_open: true,
        vote: Some((3, 0)),
        ..Progress::default()
    };
    assert_eq!(
        allowed(
            q,
            spec(q, "decide").unwrap(),
            CaseState::Deliberation,
            &talks,
            &one_patent()
        ),
        Err("error.workflow.pause_open")
    );
    assert_eq!(
        allowed(
            q,
            spec(q, "start_settlement").unwrap(),
            CaseState::Evidence,
            &talks,
            &one_patent()
        ),
        Err("error.workflow.settlement_open")
    );
}

/// Art. 5: a party's recusal application stops the challenged member's work until the
/// department head decides; upheld against a panel member, a replacement takes the seat.
#[test]
fn an_upheld_recusal_replaces_the_panel_member() {
    let q = Queue::AdministrativeRuling;
    let docketed = json!({"panel_user_ids": [1, 2, 3], "asserted_claims": "1"});
    let applied =
        json!({"member_user_id": [2], "applicant": "respondent", "grounds": "与请求人有利害关系"});
    let upheld = json!({"outcome": "upheld", "reason": "理由成立", "replacement_user_id": [7]});
    let seen = |events: &[(EventKind, Value)]| {
        let s: Vec<progress::Seen> = events
            .iter()
            .map(|(k, p)| progress::Seen {
                kind: *k,
                payload: p,
            })
            .collect();
        Progress::of(&s)
    };
    let mut events = vec![
        (EventKind::Docketed, docketed),
        (EventKind::RecusalApplied, applied),
    ];
    let pending = seen(&events);
    assert_eq!(pending.recusal_pending, Some(2));
    let vote = spec(q, "record_deliberation").unwrap();
    assert_eq!(
        allowed(q, vote, CaseState::Deliberation, &pending, &one_patent()),
        Err("error.workflow.recusal_pending")
    );
    // Upheld without a replacement for a panel member is refused.
    let decide = spec(q, "decide_recusal").unwrap();
    let bare = values(json!({"outcome": "upheld", "reason": "理由成立"}));
    let e = check_values(q, decide, &bare, &pending, &one_patent());
    assert_eq!(e[0].field, "replacement_user_id");
    let on_panel = values(json!({"outcome": "upheld", "reason": "x", "replacement_user_id": [3]}));
    assert!(!check_values(q, decide, &on_panel, &pending, &one_patent()).is_empty());
    assert!(check_values(q, decide, &values(upheld.clone()), &pending, &one_patent()).is_empty());
    events.push((EventKind::RecusalDecided, upheld));
    let after = seen(&events);
    assert_eq!(after.panel, [1, 7, 3]);
    assert_eq!(after.recusal_pending, None);
    // Dismissed: the panel stays as it was.
    events.push((
        EventKind::RecusalApplied,
        json!({"member_user_id": [1], "applicant": "requester", "grounds": "x"}),
    ));
    events.push((EventKind::RecusalDecided, json!({"outcome": "dismissed"})));
    assert_eq!(seen(&events).panel, [1, 7, 3]);
}

/// Art. 33: a ruling changed or revoked after the case closed takes the case back to decided,
/// to be published again.
#[test]
fn a_closed_case_whose_ruling_is_revoked_is_decided_again() {
    let (states, events) = drive(
        Queue::AdministrativeRuling,
        &[
            (
                "docket",
                json!({"panel_user_ids": [1, 2, 3], "asserted_claims": "1"}),
            ),
            ("serve_respondent", json!({"method": "direct"})),
            ("record_receipt", json!({})),
            ("close_answer_period", json!({})),
            ("written_review", json!({"reason": "书面审理"})),
            (
                "record_deliberation",
                json!({"votes_for": 3, "votes_against": 0, "opinion": "成立"}),
            ),
            (
                "decide",
                json!({"outcome": "no_infringement", "findings": "不落入保护范围"}),
            ),
            ("publish", json!({"where": "网站"})),
            ("close", json!({})),
            (
                "change_ruling",
                json!({"change": "revoked", "findings": "专利权无效", "reason": "无效宣告"}),
            ),
        ],
        &one_patent(),
    );
    assert_eq!(states.last().unwrap(), "decided");
    assert_eq!(events.last().unwrap(), "ruling_changed");
}

#[test]
fn what_an_action_records_follows_the_law_for_each_event() {
    use chrono::{TimeZone, Utc};
    let at = Utc.with_ymd_and_hms(2026, 9, 1, 2, 0, 0).unwrap();
    let record = |q: Queue, name: &str, v: Value, from: CaseState| {
        let spec = spec(q, name).unwrap();
        let values = values(v);
        let t = apply(q, spec, from, &Progress::default(), &values);
        recorded(spec, &t, &values, from, None, at)
    };
    // Served by public notice: the notice period, and deemed served 30 days later.
    let served = record(
        Queue::AdministrativeRuling,
        "serve_by_public_notice",
        json!({"where": "人民法院公告网"}),
        CaseState::Docketed,
    );
    let deemed = served
        .iter()
        .find(|(k, _, _)| *k == EventKind::RespondentReceived)
        .unwrap();
    assert_eq!(deemed.2["counts_from"], "2026-10-01T10:00:00+08:00");
    assert!(
        served
            .iter()
            .all(|(_, _, p)| p["action"] == "serve_by_public_notice")
    );
    // Converted on the complainant's request: docketing counts from its receipt, and the start
    // of the ruling clocks is not shown to the filer.
    let converted = record(
        Queue::ExhibitionEnforcement,
        "convert",
        json!({"request_received_at": "2026-09-01T09:30:00+08:00", "reason": "x"}),
        CaseState::Transferred,
    );
    let (kind, public, p) = &converted[1];
    assert_eq!(*kind, EventKind::RequestReceived);
    assert!(!public);
    assert_eq!(p["counts_from"], "2026-09-01T09:30:00+08:00");
    // A hearing without a reason for privacy is public.
    let hearing = record(
        Queue::AdministrativeRuling,
        "schedule_hearing",
        json!({"hearing_at": "2026-09-10T09:00:00+08:00", "place": "第一审理庭"}),
        CaseState::Evidence,
    );
    assert_eq!(hearing[0].2["public"], true);
}

#[test]
fn related_cases_are_heard_together_when_they_share_the_patent_or_a_respondent() {
    use crate::domain::case::PartyKey;
    use ruling::{Related, may_hear_together};
    let party = |name: &str, uscc: Option<&str>| PartyKey {
        uscc: uscc.map(str::to_string),
        name: name.into(),
    };
    let a = Related {
        patents: vec!["ZL202310123456.6".into()],
        respondents: vec![party("某某科技有限公司", Some("91320612MA1XXXXXX1"))],
    };
    let same_patent = Related {
        patents: vec!["zl 2023101234566".into()],
        respondents: vec![party("另一家贸易有限公司", None)],
    };
    let same_respondent = Related {
        patents: vec!["ZL202330123456.7".into()],
        respondents: vec![party(
            "某某科技（南通）有限公司",
            Some("91320612MA1XXXXXX1"),
        )],
    };
    let neither = Related {
        patents: vec!["ZL202330123456.7".into()],
        respondents: vec![party("另一家贸易有限公司", None)],
    };
    assert!(may_hear_together(&a, &same_patent));
    assert!(may_hear_together(&a, &same_respondent));
    assert!(!may_hear_together(&a, &neither));
}

/// The case page opens the step that moves the case on: docketing a received request, not
/// refusing it; for an exhibition complaint, transferring it.
#[test]
fn the_likely_next_step_moves_the_case_on_without_ending_it() {
    let offered = |queue: Queue, state: CaseState| -> Vec<&'static Spec> {
        specs(queue)
            .iter()
            .filter(|s| s.from.contains(&state))
            .collect()
    };
    let ruling = offered(Queue::AdministrativeRuling, CaseState::Received);
    let i = likely_next(&ruling).unwrap();
    assert_eq!(ruling[i].name.as_str(), "docket");
    let docketed = offered(Queue::AdministrativeRuling, CaseState::Docketed);
    let i = likely_next(&docketed).unwrap();
    assert_eq!(docketed[i].name.as_str(), "serve_respondent");
    let fair = offered(Queue::ExhibitionEnforcement, CaseState::ComplaintReceived);
    assert_eq!(fair[likely_next(&fair).unwrap()].name.as_str(), "transfer");
    assert_eq!(likely_next(&[]), None);
}
