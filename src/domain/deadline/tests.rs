use super::*;
use crate::domain::case::EventKind;

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    at(s).to_utc()
}

fn rule(id: &str) -> &'static Rule {
    Rules::builtin().get(id).unwrap()
}

fn cal() -> &'static Calendar {
    Calendar::builtin()
}

#[test]
fn the_shipped_table_holds_every_clock_of_the_three_queues_triage_and_referral() {
    for id in [
        "triage.decision",
        "triage.notify_filer",
        "referral.acknowledge",
        "referral.jurisdiction",
        "ar.docket",
        "ar.serve",
        "ar.answer",
        "ar.answer_abroad",
        "ar.forward_answer",
        "ar.jurisdiction_objection",
        "ar.evidence",
        "ar.closing",
        "ar.publish",
        "ar.may_sue",
        "ex.transfer",
        "ex.statement",
        "ex.report",
        "os.accept",
        "os.guidance",
        "ar.correction",
    ] {
        let r = rule(id);
        assert!(!r.source.is_empty() && !r.name.is_empty(), "{id}");
    }
    assert_eq!(rule("ar.closing").extensions.len(), 2);
}

#[test]
fn docketing_counts_working_days_across_national_day() {
    let events = [Event::new(
        EventKind::RequestReceived,
        at("2025-09-26T10:00:00+08:00"),
    )];
    let c = compute(
        rule("ar.docket"),
        &events,
        cal(),
        utc("2025-09-29T09:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(
        c.due_at,
        at("2025-10-11T00:00:00+08:00"),
        "24:00 on 2025-10-10"
    );
    assert_eq!(c.state, State::Running);
    assert!(!c.provisional);
    assert!(
        c.explanation.contains("国庆节") && c.explanation.contains("调休上班日：09-28"),
        "{}",
        c.explanation
    );
    assert!(
        c.explanation.contains("截止 2025-10-10 24:00"),
        "{}",
        c.explanation
    );
}

#[test]
fn a_stop_before_the_due_instant_is_met_and_after_it_missed() {
    let mut events = vec![Event::new(
        EventKind::RequestReceived,
        at("2025-09-26T10:00:00+08:00"),
    )];
    events.push(Event::new(
        EventKind::Docketed,
        at("2025-10-10T23:59:00+08:00"),
    ));
    let c = compute(
        rule("ar.docket"),
        &events,
        cal(),
        utc("2025-12-01T00:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(c.state, State::Met);
    events[1].at = at("2025-10-11T00:00:01+08:00");
    let c = compute(
        rule("ar.docket"),
        &events,
        cal(),
        utc("2025-12-01T00:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(c.state, State::Missed);
    let open = [Event::new(
        EventKind::RequestReceived,
        at("2025-09-26T10:00:00+08:00"),
    )];
    assert_eq!(
        compute(
            rule("ar.docket"),
            &open,
            cal(),
            utc("2025-10-11T00:00:00+08:00")
        )
        .unwrap()
        .state,
        State::Missed
    );
}

#[test]
fn calendar_day_periods_roll_forward_past_days_off() {
    // 15 days from 2026-02-01 end on 02-16, inside the Spring Festival break → 2026-02-24.
    let events = [Event::new(
        EventKind::RespondentReceived,
        at("2026-02-01T15:00:00+08:00"),
    )];
    let c = compute(
        rule("ar.answer"),
        &events,
        cal(),
        utc("2026-02-02T00:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(c.due_at, end_of_day("2026-02-24".parse().unwrap()));
}

#[test]
fn hour_clocks_end_at_the_exact_instant_whatever_the_holiday() {
    let events = [Event::new(
        EventKind::ComplaintReceived,
        at("2026-04-03T14:05:00+08:00"),
    )];
    let c = compute(
        rule("ex.transfer"),
        &events,
        cal(),
        utc("2026-04-03T15:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(c.due_at, at("2026-04-04T14:05:00+08:00"));
}

#[test]
fn suspension_moves_the_closing_date_and_shows_as_paused_while_it_lasts() {
    let mut events = vec![Event::new(
        EventKind::Docketed,
        at("2025-03-03T09:00:00+08:00"),
    )];
    events.push(Event::new(
        EventKind::Suspended,
        at("2025-04-01T09:00:00+08:00"),
    ));
    let c = compute(
        rule("ar.closing"),
        &events,
        cal(),
        utc("2025-04-10T09:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(c.state, State::Paused);
    events.push(Event::new(
        EventKind::Resumed,
        at("2025-04-21T09:00:00+08:00"),
    ));
    let c = compute(
        rule("ar.closing"),
        &events,
        cal(),
        utc("2025-05-01T09:00:00+08:00"),
    )
    .unwrap();
    // 3 months → 2025-06-03, plus 20 paused days → 2025-06-23 (a Monday).
    assert_eq!(c.due_at, end_of_day("2025-06-23".parse().unwrap()));
    assert_eq!(c.paused.len(), 1);
    assert!(c.explanation.contains("中止计算"), "{}", c.explanation);
}

#[test]
fn extensions_add_within_their_tier_caps() {
    let events = vec![
        Event::new(EventKind::Docketed, at("2025-03-03T09:00:00+08:00")),
        Event {
            kind: EventKind::ExtensionApproved,
            at: at("2025-05-20T09:00:00+08:00"),
            counts_from: None,
            period_days: None,
            hard_stop: None,
            extension: Some(Grant {
                rule_id: "ar.closing".into(),
                tier: "department_head".into(),
                amount: 5,
            }),
        },
    ];
    let c = compute(
        rule("ar.closing"),
        &events,
        cal(),
        utc("2025-05-21T09:00:00+08:00"),
    )
    .unwrap();
    // 2025-06-03 + 1 month (capped from 5) → 2025-07-03.
    assert_eq!(c.due_at, end_of_day("2025-07-03".parse().unwrap()));
    assert_eq!(c.extensions.len(), 1);
}

#[test]
fn a_restart_counts_again_from_the_restarting_event() {
    let events = [
        Event::new(EventKind::RequestReceived, at("2025-03-03T09:00:00+08:00")),
        Event::new(
            EventKind::CorrectionRequested,
            at("2025-03-04T09:00:00+08:00"),
        ),
        Event::new(
            EventKind::CorrectionReceived,
            at("2025-03-14T09:00:00+08:00"),
        ),
    ];
    let c = compute(
        rule("ar.docket"),
        &events,
        cal(),
        utc("2025-03-14T10:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(c.start_at, at("2025-03-14T09:00:00+08:00"));
    assert_eq!(c.due_at, end_of_day("2025-03-21".parse().unwrap()));
}

#[test]
fn clocks_into_an_unpublished_year_are_provisional() {
    let events = [Event::new(
        EventKind::Docketed,
        at("2026-11-20T09:00:00+08:00"),
    )];
    let c = compute(
        rule("ar.closing"),
        &events,
        cal(),
        utc("2026-11-21T00:00:00+08:00"),
    )
    .unwrap();
    assert!(c.provisional);
    assert!(c.explanation.contains("尚未公布"));
}

#[test]
fn no_start_event_means_no_clock() {
    let events = [Event::new(
        EventKind::Docketed,
        at("2025-03-03T09:00:00+08:00"),
    )];
    assert!(
        compute(
            rule("os.accept"),
            &events,
            cal(),
            utc("2025-03-04T00:00:00+08:00")
        )
        .is_none()
    );
}

#[test]
fn a_province_overrides_and_adds_rules_from_a_file() {
    let file = r#"
[[rule]]
id = "ex.statement"
name = "被投诉人陈述（厦门）"
queue = "exhibition_enforcement"
unit = "hours"
amount = 12
start = ["respondent_notified"]
stop = ["answered"]
basis = "law"
source = "厦门市展会知识产权保护办法"
"#;
    let rules = Rules::builtin().overlay(file).unwrap();
    assert_eq!(rules.get("ex.statement").unwrap().amount, 12);
    assert_eq!(rules.rules.len(), Rules::builtin().rules.len());
    assert!(Rules::builtin().overlay("[[rule]]\nid = 1").is_err());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_working_day_clock_ends_after_exactly_its_working_days(offset in 0u64..8000, hour in 0u32..24) {
            let day = "2004-01-01".parse::<NaiveDate>().unwrap() + Days::new(offset);
            let start = day.and_hms_opt(hour, 0, 0).unwrap().and_local_timezone(beijing()).unwrap();
            let events = [Event::new(EventKind::RequestReceived, start)];
            let c = compute(rule("ar.docket"), &events, cal(), start.to_utc()).unwrap();
            let last = c.due_at.date_naive() - Days::new(1);
            prop_assert!(cal().is_working_day(last));
            prop_assert_eq!(cal().working_days_between(day, last), 5);
        }

        #[test]
        fn pausing_never_brings_a_due_date_forward(offset in 0u64..8000, pause_at in 1u64..60, pause_for in 0u64..60) {
            let day = "2004-01-01".parse::<NaiveDate>().unwrap() + Days::new(offset);
            let t = |d: NaiveDate| d.and_hms_opt(9, 0, 0).unwrap().and_local_timezone(beijing()).unwrap();
            let plain = [Event::new(EventKind::Docketed, t(day))];
            let paused = [
                Event::new(EventKind::Docketed, t(day)),
                Event::new(EventKind::Suspended, t(day + Days::new(pause_at))),
                Event::new(EventKind::Resumed, t(day + Days::new(pause_at + pause_for))),
            ];
            let now = t(day + Days::new(200)).to_utc();
            let a = compute(rule("ar.closing"), &plain, cal(), now).unwrap();
            let b = compute(rule("ar.closing"), &paused, cal(), now).unwrap();
            prop_assert!(b.due_at >= a.due_at);
            prop_assert!(cal().is_working_day(b.due_at.date_naive() - Days::new(1)));
        }
    }
}

#[test]
fn the_quick_computation_agrees_with_the_explained_one() {
    let now = utc("2026-06-01T00:00:00Z");
    for rule in Rules::builtin().rules.values() {
        let events: Vec<Event> = rule
            .start
            .iter()
            .take(1)
            .map(|k| {
                let mut e = Event::new(*k, at("2025-09-26T10:00:00+08:00"));
                // A clock due at an instant set outside the case needs one.
                e.hard_stop = Some(at("2025-10-20T17:00:00-04:00"));
                e
            })
            .collect();
        let full = compute(rule, &events, cal(), now).expect("started");
        let quick = compute_due(rule, &events, cal(), now).expect("started");
        assert!(!full.explanation.is_empty());
        assert_eq!(
            Clock {
                explanation: String::new(),
                ..full
            },
            quick,
            "{}",
            rule.id
        );
    }
}

/// A rules file (the shipped table or a province's overlay) that names an event no action
/// records is refused, with the name: a clock on it would never start, stop or pause.
#[test]
fn a_rules_file_naming_an_event_no_action_records_is_refused_with_the_name() {
    let misspelt = r#"
[[rule]]
id = "ar.docket"
name = "立案或不予立案"
queue = "administrative_ruling"
unit = "working_days"
amount = 5
start = ["request_recieved"]
stop = ["docketed"]
basis = "law"
source = "第20条"
"#;
    let err = Rules::builtin().overlay(misspelt).unwrap_err().to_string();
    assert!(err.contains("request_recieved"), "{err}");
    assert!(err.contains("not an event any action records"), "{err}");
    let in_a_pause = misspelt
        .replace("request_recieved", "request_received")
        .replace("source", "pauses = [[\"suspended\", \"resumd\"]]\nsource");
    let err = Rules::builtin()
        .overlay(&in_a_pause)
        .unwrap_err()
        .to_string();
    assert!(err.contains("resumd"), "{err}");
    // Spelt right, the same file loads and replaces the shipped rule.
    let right = misspelt.replace("request_recieved", "request_received");
    let rules = Rules::builtin().overlay(&right).unwrap();
    assert_eq!(
        rules.get("ar.docket").unwrap().start,
        [EventKind::RequestReceived]
    );
    // Only an informational clock may go without a stop event.
    let no_stop = right.replace("stop = [\"docketed\"]", "stop = []");
    assert!(Rules::builtin().overlay(&no_stop).is_err());
    let informational = no_stop.replace("source", "informational = true\nsource");
    assert!(Rules::builtin().overlay(&informational).is_ok());
}

/// Every clock rests on an article of the law or says that it is the office's own service
/// standard (服务承诺), and where its figure comes from.
#[test]
fn every_clock_cites_its_article_or_is_labelled_a_service_standard() {
    for r in Rules::builtin().rules.values() {
        match r.basis {
            Basis::Law => assert!(
                r.source.contains('第') && r.source.contains('条'),
                "{}: a legal clock cites its article: {}",
                r.id,
                r.source
            ),
            Basis::ServiceStandard => assert!(
                r.source.contains("服务承诺"),
                "{}: a service standard says so: {}",
                r.id,
                r.source
            ),
        }
    }
    let without_basis = r#"
[[rule]]
id = "x.y"
name = "无依据"
queue = "triage"
unit = "hours"
amount = 1
start = ["received"]
stop = ["routed"]
source = "某条"
"#;
    let e = Rules::builtin().overlay(without_basis).unwrap_err();
    assert!(e.to_string().contains("basis"), "{e}");
    let without_source =
        without_basis.replace("source = \"某条\"", "basis = \"law\"\nsource = \" \"");
    let e = Rules::builtin().overlay(&without_source).unwrap_err();
    assert!(e.to_string().contains("names no source"), "{e}");
    let triage = rule("triage.decision");
    assert_eq!(triage.basis, Basis::ServiceStandard);
    let c = compute(
        triage,
        &[Event::new(
            EventKind::Received,
            at("2026-03-02T10:00:00+08:00"),
        )],
        cal(),
        utc("2026-03-02T10:00:00+08:00"),
    )
    .unwrap();
    assert!(c.explanation.contains("服务承诺"), "{}", c.explanation);
}

/// Art. 20: docketing counts from the office's receipt of the request — a request filed online
/// to that office is received when it is filed — not from the day triage routed it. Filed on
/// Friday 2025-09-26 and routed on 2025-09-30: 5 working days across National Day (09-28 is a
/// make-up working day, 10-01…10-08 off) end on 2025-10-10.
#[test]
fn docketing_counts_from_the_filing_not_from_the_routing() {
    let mut received = Event::new(EventKind::RequestReceived, at("2025-09-30T16:00:00+08:00"));
    received.counts_from = Some(at("2025-09-26T11:00:00+08:00"));
    let c = compute(
        rule("ar.docket"),
        &[received],
        cal(),
        utc("2025-09-30T16:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(c.start_at, at("2025-09-26T11:00:00+08:00"));
    assert_eq!(c.due_at, end_of_day("2025-10-10".parse().unwrap()));
    assert!(
        c.explanation.contains("2025-09-26 11:00"),
        "{}",
        c.explanation
    );
}

/// Art. 54: the evidence period is what the notice sets (not less than 15 days). 20 days from
/// 2026-02-01 end on 02-21, inside the Spring Festival break: rolled to Tuesday 02-24.
#[test]
fn the_evidence_period_is_the_days_set_on_the_notice() {
    let mut notice = Event::new(
        EventKind::EvidenceNoticeReceived,
        at("2026-02-01T09:00:00+08:00"),
    );
    notice.period_days = Some(20);
    let now = utc("2026-02-02T09:00:00+08:00");
    let c = compute(rule("ar.evidence"), &[notice.clone()], cal(), now).unwrap();
    assert_eq!(c.due_at, end_of_day("2026-02-24".parse().unwrap()));
    assert!(c.explanation.contains("20 日"), "{}", c.explanation);
    // A notice recorded before the period was entered counts the least the law allows.
    notice.period_days = None;
    let c = compute(rule("ar.evidence"), &[notice], cal(), now).unwrap();
    assert_eq!(c.due_at, end_of_day("2026-02-24".parse().unwrap()));
}

/// A party's evidence extension is a number of days: the evidence period grows by them, and the
/// closing clock leaves them out (Art. 37 ¶2) — not an open pause.
#[test]
fn an_evidence_extension_adds_its_days_to_the_evidence_and_closing_clocks() {
    let mut notice = Event::new(
        EventKind::EvidenceNoticeReceived,
        at("2025-04-01T09:00:00+08:00"),
    );
    notice.period_days = Some(15);
    let mut extended = Event::new(
        EventKind::EvidencePeriodExtended,
        at("2025-04-10T09:00:00+08:00"),
    );
    extended.period_days = Some(10);
    let docketed = Event::new(EventKind::Docketed, at("2025-03-03T09:00:00+08:00"));
    let events = [docketed, notice, extended];
    let now = utc("2025-04-11T09:00:00+08:00");
    let evidence = compute(rule("ar.evidence"), &events[1..], cal(), now).unwrap();
    // 15 days from 04-01 → 04-16, plus 10 → Saturday 04-26, a day off: rolled to Sunday 04-27,
    // a make-up working day before Labour Day.
    assert_eq!(evidence.due_at, end_of_day("2025-04-27".parse().unwrap()));
    assert_eq!(evidence.state, State::Running);
    assert!(evidence.paused.is_empty());
    let closing = compute(rule("ar.closing"), &events, cal(), now).unwrap();
    // 3 months from 03-03 → 06-03, plus 10 days → 06-13 (a Friday).
    assert_eq!(closing.due_at, end_of_day("2025-06-13".parse().unwrap()));
    assert!(
        closing.explanation.contains("举证期限 10 日"),
        "{}",
        closing.explanation
    );
}

/// 民事诉讼法 Art. 85: an answer posted before the period ends is on time, though it arrives
/// after.
#[test]
fn a_filing_posted_before_the_period_ends_is_on_time() {
    let received = Event::new(
        EventKind::RespondentReceived,
        at("2025-03-03T09:00:00+08:00"),
    );
    // 15 days → 2025-03-18.
    let mut answer = Event::new(EventKind::AnswerReceived, at("2025-03-21T10:00:00+08:00"));
    let now = utc("2025-03-21T10:00:00+08:00");
    let late = compute(
        rule("ar.answer"),
        &[received.clone(), answer.clone()],
        cal(),
        now,
    )
    .unwrap();
    assert_eq!(late.state, State::Missed);
    answer.counts_from = Some(at("2025-03-18T17:30:00+08:00"));
    let posted = compute(
        rule("ar.answer"),
        &[received.clone(), answer.clone()],
        cal(),
        now,
    )
    .unwrap();
    assert_eq!(posted.state, State::Met);
    answer.counts_from = Some(at("2025-03-19T08:00:00+08:00"));
    let posted_late = compute(rule("ar.answer"), &[received, answer], cal(), now).unwrap();
    assert_eq!(posted_late.state, State::Missed);
}

/// The exhibitor's statement is due 24 hours after the notice, but never after the fair closes.
#[test]
fn the_statement_is_due_before_the_exhibition_closes() {
    let mut notified = Event::new(
        EventKind::RespondentNotified,
        at("2026-04-03T14:00:00+08:00"),
    );
    let now = utc("2026-04-03T15:00:00+08:00");
    let open = compute(rule("ex.statement"), &[notified.clone()], cal(), now).unwrap();
    assert_eq!(open.due_at, at("2026-04-04T14:00:00+08:00"));
    notified.hard_stop = Some(at("2026-04-04T10:00:00+08:00"));
    let closing = compute(rule("ex.statement"), &[notified.clone()], cal(), now).unwrap();
    assert_eq!(closing.due_at, at("2026-04-04T10:00:00+08:00"));
    assert!(
        closing.explanation.contains("展会闭幕"),
        "{}",
        closing.explanation
    );
    // A close later than the 24 hours changes nothing.
    notified.hard_stop = Some(at("2026-04-06T17:00:00+08:00"));
    let later = compute(rule("ex.statement"), &[notified], cal(), now).unwrap();
    assert_eq!(later.due_at, at("2026-04-04T14:00:00+08:00"));
}

/// Served by public notice: the closing clock leaves the 30-day notice period out, and the
/// answer period runs from the deemed service 30 days after the notice.
#[test]
fn a_public_notice_leaves_its_thirty_days_out_of_the_closing_clock() {
    let docketed = Event::new(EventKind::Docketed, at("2025-03-03T09:00:00+08:00"));
    let mut notice = Event::new(
        EventKind::PublicNoticeServed,
        at("2025-03-05T09:00:00+08:00"),
    );
    notice.period_days = Some(30);
    let mut deemed = Event::new(
        EventKind::RespondentReceived,
        at("2025-03-05T09:00:00+08:00"),
    );
    deemed.counts_from = Some(at("2025-04-04T09:00:00+08:00"));
    let events = [docketed, notice, deemed];
    let now = utc("2025-03-06T09:00:00+08:00");
    let closing = compute(rule("ar.closing"), &events, cal(), now).unwrap();
    // 3 months from 03-03 → 06-03, plus 30 days → 07-03 (a Thursday).
    assert_eq!(closing.due_at, end_of_day("2025-07-03".parse().unwrap()));
    assert!(
        closing.explanation.contains("公告送达期间 30 日"),
        "{}",
        closing.explanation
    );
    let serve = compute(rule("ar.serve"), &events, cal(), now).unwrap();
    assert_eq!(serve.state, State::Met);
    let answer = compute(rule("ar.answer"), &events, cal(), now).unwrap();
    // 15 days from the deemed service on 04-04 → 04-19, a Saturday: rolled to Monday 04-21.
    assert_eq!(answer.due_at, end_of_day("2025-04-21".parse().unwrap()));
}

/// Appraisal and settlement talks pause the closing clock (Art. 37 ¶2).
#[test]
fn appraisal_and_settlement_pause_the_closing_clock() {
    let events = [
        Event::new(EventKind::Docketed, at("2025-03-03T09:00:00+08:00")),
        Event::new(EventKind::AppraisalStarted, at("2025-03-10T09:00:00+08:00")),
        Event::new(EventKind::AppraisalEnded, at("2025-03-20T09:00:00+08:00")),
        Event::new(
            EventKind::SettlementStarted,
            at("2025-04-01T09:00:00+08:00"),
        ),
        Event::new(EventKind::SettlementEnded, at("2025-04-06T09:00:00+08:00")),
    ];
    let c = compute(
        rule("ar.closing"),
        &events,
        cal(),
        utc("2025-04-07T09:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(c.paused.len(), 2);
    // 06-03 plus 10 and 5 paused days → 06-18 (a Wednesday).
    assert_eq!(c.due_at, end_of_day("2025-06-18".parse().unwrap()));
}

/// Art. 83: a ruling changed or revoked is published within 20 working days of the change.
#[test]
fn a_changed_ruling_restarts_the_publication_clock() {
    let events = [
        Event::new(EventKind::Decided, at("2025-09-01T09:00:00+08:00")),
        Event::new(EventKind::Published, at("2025-09-10T09:00:00+08:00")),
        Event::new(EventKind::RulingChanged, at("2025-09-26T09:00:00+08:00")),
    ];
    let c = compute(
        rule("ar.publish"),
        &events,
        cal(),
        utc("2025-09-27T09:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(c.state, State::Running);
    // 20 working days from Friday 09-26 across National Day (09-28 and 10-11 are make-up
    // working days; 10-01…10-08 off) end on 10-30.
    let last = cal()
        .add_working_days("2025-09-26".parse().unwrap(), 20)
        .unwrap()
        .date;
    assert_eq!(c.due_at, end_of_day(last));
    assert_eq!(last, "2025-10-30".parse::<NaiveDate>().unwrap());
}

/// The triage standard is the centre's own: 5 working days set by the office count from the
/// receipt across the 2026 National Day break; none set, the default 7.
#[test]
fn a_centre_sets_its_own_triage_standard() {
    let mut received = Event::new(EventKind::Received, at("2026-09-29T10:00:00+08:00"));
    let now = utc("2026-09-29T11:00:00+08:00");
    let c = compute(rule("triage.decision"), &[received.clone()], cal(), now).unwrap();
    // Working days after Tue 09-29: 09-30, (10-01..10-07 off), 10-08, 10-09, Sat 10-10 (make-up),
    // 10-12, 10-13, 10-14: the 7th is 10-14.
    assert_eq!(c.due_at, end_of_day("2026-10-14".parse().unwrap()));
    received.period_days = Some(5);
    let c = compute(rule("triage.decision"), &[received], cal(), now).unwrap();
    assert_eq!(c.due_at, end_of_day("2026-10-12".parse().unwrap()));
    assert!(c.explanation.contains("5 个工作日"), "{}", c.explanation);
}
