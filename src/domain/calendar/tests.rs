use super::*;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn cal() -> &'static Calendar {
    Calendar::builtin()
}

#[test]
fn the_shipped_file_covers_2004_to_2026() {
    assert_eq!(cal().years.keys().next(), Some(&2004));
    assert_eq!(cal().years.keys().last(), Some(&2026));
    assert_eq!(cal().years.len(), 23);
}

#[test]
fn worked_example_five_working_days_over_national_day_2025() {
    // 09-28 (Sunday) is a make-up working day; 10-01 … 10-08 are off.
    let r = cal().add_working_days(d("2025-09-26"), 5).unwrap();
    assert_eq!(
        r,
        Counted {
            date: d("2025-10-10"),
            provisional: false
        }
    );
    assert!(cal().day(d("2025-09-28")).working_day);
    assert_eq!(
        cal().day(d("2025-09-28")).makeup_workday,
        Some(Festival::NationalDay)
    );
}

#[test]
fn worked_example_fifteen_calendar_days_rolls_past_spring_festival_2026() {
    let r = cal().add_calendar_days(d("2026-02-01"), 15).unwrap();
    assert_eq!(r.date, d("2026-02-24"));
    assert!(!r.provisional);
}

#[test]
fn months_keep_the_day_or_take_the_last_day_of_the_month() {
    // 2025-11-30 + 3 months → 2026-02-28: a Saturday, but a make-up working day after the 2026
    // Spring Festival break (02-15 … 02-23), so no roll-forward.
    let r = cal().add_months(d("2025-11-30"), 3).unwrap();
    assert_eq!(r.date, d("2026-02-28"));
    assert!(cal().day(d("2026-02-28")).makeup_workday.is_some());
    // 2023-11-30 + 3 months → 2024-02-29 (leap year, a Thursday in no break).
    assert_eq!(
        cal().add_months(d("2023-11-30"), 3).unwrap().date,
        d("2024-02-29")
    );
    // 2024-01-31 + 1 month → 2024-02-29.
    assert_eq!(
        cal().add_months(d("2024-01-31"), 1).unwrap().date,
        d("2024-02-29")
    );
}

#[test]
fn days_off_and_make_up_days_are_named() {
    let day = cal().day(d("2026-02-17"));
    assert_eq!(
        (day.working_day, day.holiday, day.published),
        (false, Some(Festival::SpringFestival), true)
    );
    let day = cal().day(d("2026-01-01"));
    assert_eq!(day.holiday.map(Festival::chinese), Some("元旦"));
    let ordinary = cal().day(d("2026-03-04"));
    assert!(
        ordinary.working_day && ordinary.holiday.is_none() && ordinary.makeup_workday.is_none()
    );
    assert!(
        !cal().day(d("2026-03-07")).working_day,
        "an ordinary Saturday"
    );
}

#[test]
fn unpublished_years_count_weekends_only_and_say_so() {
    let day = cal().day(d("2027-01-01"));
    assert!(!day.published);
    assert!(
        day.working_day,
        "2027-01-01 is a Friday; without a schedule it counts as working"
    );
    let r = cal().add_working_days(d("2026-12-30"), 3).unwrap();
    assert_eq!(
        r,
        Counted {
            date: d("2027-01-04"),
            provisional: true
        }
    );
    let r = cal().add_working_days(d("2026-12-01"), 3).unwrap();
    assert!(!r.provisional);
}

#[test]
fn counting_between_matches_adding() {
    assert_eq!(
        cal().working_days_between(d("2025-09-26"), d("2025-10-10")),
        5
    );
    assert_eq!(
        cal().working_days_between(d("2025-10-10"), d("2025-09-26")),
        0
    );
}

#[test]
fn a_bad_file_is_refused_with_a_reason() {
    let bad_makeup = r#"{"format":"weiquan-calendar-v1","source":"x","years":{"2027":{"version":"v","off":{},"makeup":{"2027-01-04":"new_year"}}}}"#;
    assert!(
        Calendar::from_json(bad_makeup)
            .unwrap_err()
            .to_string()
            .contains("not a weekend")
    );
    let wrong_year = r#"{"format":"weiquan-calendar-v1","source":"x","years":{"2027":{"version":"v","off":{"2028-01-01":"new_year"},"makeup":{}}}}"#;
    assert!(
        Calendar::from_json(wrong_year)
            .unwrap_err()
            .to_string()
            .contains("listed under")
    );
    assert!(Calendar::from_json("{}").is_err());
}

#[test]
fn every_official_day_off_is_off_and_every_make_up_day_is_worked() {
    for s in cal().years.values() {
        for date in s.off.keys() {
            assert!(!cal().is_working_day(*date), "{date}");
        }
        for date in s.makeup.keys() {
            assert!(cal().is_working_day(*date), "{date}");
        }
    }
}

#[test]
fn loading_a_year_shows_what_changes_and_then_counts_with_it() {
    let text = r#"{"format":"weiquan-calendar-v1","source":"国办发明电〔2026〕X号（测试）","years":{"2027":{"version":"2027-official",
        "off":{"2027-01-01":"new_year","2027-02-05":"spring_festival","2027-02-08":"spring_festival"},
        "makeup":{"2027-02-13":"spring_festival"}}}}"#;
    let loaded = Calendar::from_json(text).unwrap();
    let schedule = &loaded.years[&2027];
    let d27 = diff(2027, cal().years.get(&2027), schedule);
    assert!(d27.new_year && d27.changes_days());
    assert_eq!(d27.off_added.len(), 3);
    let merged = cal().with_years(loaded.years.clone());
    assert!(merged.day(d("2027-02-13")).working_day && merged.day(d("2027-02-13")).published);
    assert!(!merged.day(d("2027-01-01")).working_day);
    // Re-loading the same schedule changes nothing.
    assert!(!diff(2027, merged.years.get(&2027), schedule).changes_days());
    // Replacing a shipped year reports removals.
    let mut fewer = cal().years[&2026].clone();
    let first = *fewer.off.keys().next().unwrap();
    fewer.off.remove(&first);
    fewer.version = "2026-corrected".into();
    let d26 = diff(2026, cal().years.get(&2026), &fewer);
    assert_eq!((d26.off_removed, d26.new_year), (vec![first], false));
}

proptest! {
    #[test]
    fn adding_working_days_lands_on_a_working_day_and_counts_back(
        offset in 0u64..9000, n in 1u32..40
    ) {
        let from = d("2004-01-01") + Days::new(offset);
        let r = cal().add_working_days(from, n).unwrap();
        prop_assert!(cal().is_working_day(r.date));
        prop_assert!(r.date > from);
        prop_assert_eq!(cal().working_days_between(from, r.date), n);
    }

    #[test]
    fn rolled_dates_are_working_days_not_before_the_plain_date(offset in 0u64..9000, n in 0u32..400) {
        let from = d("2004-01-01") + Days::new(offset);
        let r = cal().add_calendar_days(from, n).unwrap();
        prop_assert!(cal().is_working_day(r.date));
        prop_assert!(r.date >= from + Days::new(n.into()));
        // Nothing between the plain end and the result is a working day.
        let plain = from + Days::new(n.into());
        prop_assert_eq!(cal().working_days_between(plain, r.date), if r.date == plain { 0 } else { 1 });
    }
}

/// The straightforward model: a day is worked when it is Monday–Friday and not an official day
/// off, or when it is an official make-up day; step one day at a time.
fn reference_add(from: NaiveDate, n: u32) -> NaiveDate {
    use chrono::{Datelike, Weekday};
    let c = cal();
    let worked = |day: NaiveDate| {
        let y = c.years.get(&day.year());
        let off = y.is_some_and(|s| s.off.contains_key(&day));
        let makeup = y.is_some_and(|s| s.makeup.contains_key(&day));
        makeup || (!off && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
    };
    let (mut day, mut left) = (from, n);
    while left > 0 {
        day = day.succ_opt().unwrap();
        if worked(day) {
            left -= 1;
        }
    }
    day
}

#[test]
fn adding_working_days_agrees_with_the_reference_model_on_every_day_2004_to_2026() {
    let mut day = d("2004-01-01");
    let last = d("2026-12-31");
    let mut checked = 0;
    while day <= last {
        for n in 1..=30 {
            let got = cal().add_working_days(day, n).unwrap().date;
            assert_eq!(got, reference_add(day, n), "{day} + {n}");
            checked += 1;
        }
        day = day.succ_opt().unwrap();
    }
    assert_eq!(checked, 8401 * 30);
}

#[test]
fn every_2026_make_up_day_is_a_working_day() {
    for day in [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ] {
        let info = cal().day(d(day));
        assert!(info.working_day, "{day}");
        assert!(info.makeup_workday.is_some(), "{day}");
        // Each is a weekend day by the week alone.
        use chrono::Datelike;
        assert!(d(day).weekday().number_from_monday() >= 6, "{day}");
    }
}

proptest! {
    #[test]
    fn calendar_day_periods_roll_forward_exactly_when_the_last_day_is_off(offset in 0u64..8300, n in 1u32..120) {
        let from = d("2004-01-01") + Days::new(offset);
        let plain = from + Days::new(n.into());
        let r = cal().add_calendar_days(from, n).unwrap();
        prop_assert_eq!(r.date == plain, cal().is_working_day(plain));
    }
}
