use super::*;
use chrono::NaiveDate;
use std::collections::HashSet;

fn year() -> Period {
    Period::parse("2026").unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
}

#[test]
fn every_figure_has_one_key_and_derived_figures_name_count_figures() {
    let s = sections(&year(), today());
    let mut seen = HashSet::new();
    for f in s.iter().flat_map(|s| s.figures.iter()) {
        assert!(seen.insert(f.key), "{} twice", f.key);
    }
    for f in s.iter().flat_map(|s| s.figures.iter()) {
        let refs: Vec<&str> = match &f.measure {
            Measure::Rate { num, other } => vec![num, other],
            Measure::Days { of, .. } => vec![of],
            _ => vec![],
        };
        for r in refs {
            assert!(
                matches!(find(&s, r).map(|f| &f.measure), Some(Measure::Count(_))),
                "{} refers to {r}, not a count",
                f.key
            );
        }
    }
    for g in GROUP_FIGURES {
        assert!(find(&s, g).is_some(), "{g}");
    }
    for t in TABLES {
        let section = s.iter().find(|x| x.key == t.section).unwrap();
        for f in t.figures {
            assert!(section.figures.iter().any(|x| x.key == *f), "{} {f}", t.key);
        }
        assert!(
            crate::i18n::has(&format!("report.table.{}", t.key)),
            "{}",
            t.key
        );
    }
}

#[test]
fn period_figures_carry_the_period_and_now_figures_do_not() {
    let s = sections(&year(), today());
    let Some(Measure::Count(f)) = find(&s, "ar_on_time").map(|f| f.measure.clone()) else {
        panic!()
    };
    assert!(f.contains(&("closed_from", "2026-01-01".into())));
    assert!(f.contains(&("closed_to", "2026-12-31".into())));
    assert!(f.contains(&("clock", "ar.closing".into())));
    let Some(Measure::Count(f)) = find(&s, "overdue").map(|f| f.measure.clone()) else {
        panic!()
    };
    assert!(
        f.iter()
            .all(|(k, _)| !k.starts_with("received") && !k.starts_with("closed_"))
    );
}

#[test]
fn rates_round_to_a_tenth_and_stay_empty_without_cases() {
    assert_eq!(rate(0, 0), None);
    assert_eq!(rate(2, 1), Some(66.7));
    assert_eq!(rate(5, 0), Some(100.0));
}

#[test]
fn percentiles_take_the_nearest_rank() {
    assert_eq!(percentile(vec![], 50), None);
    assert_eq!(percentile(vec![7], 90), Some(7));
    assert_eq!(percentile(vec![40, 10, 30, 20], 50), Some(20));
    assert_eq!(percentile((1..=10).collect(), 90), Some(9));
    assert_eq!(percentile((1..=10).collect(), 100), Some(10));
}

#[test]
fn days_to_close_count_beijing_days() {
    let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    // 23:30 UTC is already the next morning in Beijing.
    assert_eq!(
        days_to_close(&[(t("2026-03-01T23:30:00Z"), t("2026-03-05T01:00:00Z"))]),
        vec![3]
    );
}

#[test]
fn groupings_parse_and_list_their_rows() {
    for g in GroupBy::ALL {
        assert_eq!(GroupBy::parse(g.as_str()), Some(g));
    }
    assert_eq!(GroupBy::parse("colour"), None);
    assert_eq!(GroupBy::Queue.values().len(), 4);
    assert_eq!(GroupBy::SrdiLevel.values()[0].0, "none");
}
