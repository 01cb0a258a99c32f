//! Deadline computations per second on one core (issue 4: target ≥ 1,000,000/s).
//! `cargo bench --bench deadlines` — prints the rate for a few typical clocks.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use std::hint::black_box;
use std::time::Instant;
use weiquan::domain::calendar::Calendar;
use weiquan::domain::case::EventKind;
use weiquan::domain::deadline::{Event, Rules, compute, compute_due};
use weiquan::domain::time::beijing;

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<FixedOffset> {
    beijing().with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn main() {
    let cal = Calendar::builtin();
    let rules = Rules::builtin();
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let cases: Vec<(&str, Vec<Event>)> = vec![
        (
            "triage.decision (7 WD)",
            vec![Event::new(EventKind::Received, at(2025, 9, 26, 10))],
        ),
        (
            "ar.docket (5 WD)",
            vec![Event::new(EventKind::RequestReceived, at(2025, 9, 26, 10))],
        ),
        (
            "ar.answer (15 CD, roll forward)",
            vec![Event::new(EventKind::RespondentReceived, at(2026, 2, 1, 9))],
        ),
        (
            "ar.closing (3 months, suspended)",
            vec![
                Event::new(EventKind::Docketed, at(2026, 1, 5, 9)),
                Event::new(EventKind::Suspended, at(2026, 2, 2, 9)),
                Event::new(EventKind::Resumed, at(2026, 3, 2, 9)),
            ],
        ),
        (
            "ex.transfer (24 h)",
            vec![Event::new(EventKind::ComplaintReceived, at(2026, 5, 1, 9))],
        ),
    ];
    println!("deadline computations on one core (release build), 2004–2026 calendar");
    for (name, events) in &cases {
        let rule_id = name.split(' ').next().unwrap();
        let rule = rules.get(rule_id).expect("rule");
        let rate = |explained: bool| {
            let run = |n: u32| {
                for _ in 0..n {
                    if explained {
                        black_box(compute(rule, black_box(events), cal, now));
                    } else {
                        black_box(compute_due(rule, black_box(events), cal, now));
                    }
                }
            };
            run(10_000);
            let n = if explained { 200_000 } else { 2_000_000 };
            let started = Instant::now();
            run(n);
            f64::from(n) / started.elapsed().as_secs_f64()
        };
        println!(
            "  {name:<36} {:>12.0} /s due and state   {:>10.0} /s with the explanation",
            rate(false),
            rate(true)
        );
    }
}
