use super::*;
use chrono::NaiveDate;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn lead() -> Facts {
    Facts {
        o: 7,
        r: day("2026-03-10"),
        q: "triage".into(),
        s: "new".into(),
        src: "complaint".into(),
        ch: "e_commerce".into(),
        rg: "320612".into(),
        rt: vec!["design_patent".into(), "trademark".into()],
        ..Facts::default()
    }
}

fn def<'a>(defs: &'a [Def], figure: &str) -> Option<&'a Def> {
    defs.iter().find(|d| d.figure == figure)
}

#[test]
fn figures_of_the_present_that_depend_on_the_clock_are_not_rolled_up() {
    let defs = standard();
    assert_eq!(def(defs, "received").unwrap().anchor, Anchor::Received);
    assert_eq!(def(defs, "ar_closed").unwrap().anchor, Anchor::Closed);
    // Percentiles are taken over the closed rulings: their counters hold the days to close.
    assert_eq!(def(defs, "ar_closed").unwrap().item, Item::Days);
    assert_eq!(def(defs, "ex_exhibitions").unwrap().item, Item::Exhibition);
    assert_eq!(def(defs, "srdi_enterprises").unwrap().item, Item::Filer);
    assert_eq!(def(defs, "open").unwrap().anchor, Anchor::Now);
    assert!(def(defs, "overdue").is_none());
    assert!(def(defs, "due_soon").is_none());
    // Cases related to an office otherwise than by ownership (referred to it, triaged by it)
    // are counted from their lists: the counters are kept per owning office.
    assert!(def(defs, "referred_in").is_none());
    assert!(def(defs, "triaged_here").is_none());
    // Decided at the fair is a fact of the case's own events and exhibition: kept.
    assert_eq!(
        def(defs, "ex_decided_at_fair").unwrap().conditions,
        [
            ("queue", "exhibition_enforcement".to_string()),
            ("decided_at_fair", "true".to_string())
        ]
    );
    // Rates and percentiles are computed from counted figures, not kept.
    assert!(def(defs, "ar_on_time_rate").is_none());
    assert!(def(defs, "ar_days_median").is_none());
    assert_eq!(fingerprint(defs), fingerprint(standard()));
    assert_ne!(fingerprint(defs), fingerprint(&defs[1..]));
}

#[test]
fn a_new_lead_adds_one_to_each_of_its_counters_once_per_dimension() {
    let defs = standard();
    let keys = keys(defs, &lead());
    let received: Vec<&Key> = keys.iter().filter(|k| k.figure == "received").collect();
    // None, queue, channel, source, SRDI level, region, and each of its two kinds of right.
    assert_eq!(received.len(), 8);
    assert!(received.iter().all(|k| k.bucket == "2026-03" && k.org == 7));
    assert!(
        received
            .iter()
            .any(|k| k.dim == "srdi_level" && k.value == "none")
    );
    assert!(
        received
            .iter()
            .any(|k| k.dim == "right_kind" && k.value == "trademark")
    );
    let figures: std::collections::BTreeSet<&str> = keys.iter().map(|k| k.figure).collect();
    assert_eq!(
        figures.into_iter().collect::<Vec<_>>(),
        [
            "awaiting_triage",
            "open",
            "received",
            "received_complaint",
            "received_ecommerce"
        ]
    );
    assert!(
        keys.iter()
            .filter(|k| k.figure == "open")
            .all(|k| k.bucket.is_empty())
    );
}

#[test]
fn a_write_moves_a_case_from_its_old_counters_to_its_new_ones() {
    let defs = standard();
    let before = lead();
    let mut after = before.clone();
    after.q = "administrative_ruling".into();
    after.s = "closed".into();
    after.c = Some(day("2026-05-04"));
    after.e = vec!["docketed".into(), "received".into()];
    after.cl = vec![("ar.closing".into(), "met".into())];
    let mut d = HashMap::new();
    diff(defs, Some(&before), Some(&after), &mut d);
    let of = |figure: &str, dim: &str| -> Vec<(String, i64, i64)> {
        let mut v: Vec<_> = d
            .iter()
            .filter(|(k, _)| k.figure == figure && k.dim == dim)
            .map(|(k, n)| (k.bucket.clone(), k.item, *n))
            .collect();
        v.sort();
        v
    };
    // Closed 55 days after receipt, in May.
    assert_eq!(of("ar_closed", ""), [("2026-05".to_string(), 55, 1)]);
    assert_eq!(of("ar_on_time", ""), [("2026-05".to_string(), 0, 1)]);
    assert_eq!(of("ar_docketed", ""), [("2026-03".to_string(), 0, 1)]);
    assert_eq!(of("open", ""), [(String::new(), 0, -1)]);
    assert_eq!(of("awaiting_triage", ""), [("2026-03".to_string(), 0, -1)]);
    // Unchanged counters are not touched; the queue dimension moves.
    assert!(of("received", "").is_empty());
    assert_eq!(
        of("received", "queue").len(),
        2,
        "out of triage, into rulings"
    );
    // Taking the case out entirely undoes putting it in.
    let mut back = HashMap::new();
    diff(defs, None, Some(&after), &mut back);
    diff(defs, Some(&after), None, &mut back);
    assert!(back.is_empty());
}

#[test]
fn conditions_read_like_the_list_filters() {
    let mut f = lead();
    let c = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    };
    assert!(holds(&c(&[("open", "true"), ("routed", "false")]), &f));
    assert!(holds(&c(&[("open", "false"), ("shared", "false")]), &f));
    assert!(!holds(&c(&[("shared", "true")]), &f));
    assert!(holds(&c(&[("cross_region", "false")]), &f));
    f.xr = true;
    assert!(holds(&c(&[("cross_region", "true")]), &f));
    assert!(!holds(&c(&[("cross_region", "false")]), &f));
    f.xr = false;
    assert!(!holds(&c(&[("decided_at_fair", "true")]), &f));
    f.df = true;
    assert!(holds(&c(&[("decided_at_fair", "true")]), &f));
    f.df = false;
    assert!(!holds(&c(&[("closed", "true")]), &f));
    assert!(!holds(&c(&[("srdi", "true")]), &f));
    f.k = 2;
    assert!(holds(
        &c(&[("srdi", "true"), ("srdi_level", "national_little_giant")]),
        &f
    ));
    f.cl = vec![("triage.decision".into(), "missed".into())];
    assert!(holds(
        &c(&[("clock", "triage.decision"), ("clock_state", "missed")]),
        &f
    ));
    assert!(!holds(
        &c(&[("clock", "triage.decision"), ("clock_state", "met")]),
        &f
    ));
    assert!(holds(&c(&[("clock", "triage.decision")]), &f));
}

#[test]
fn counters_are_read_by_office_months_and_one_dimension() {
    let defs = standard();
    let mut rows = Vec::new();
    let mut add = |org: i64, dim: &str, value: &str, bucket: &str, figure: &str, item, n| {
        rows.push(Counter {
            org,
            dim: dim.into(),
            bucket: bucket.into(),
            figure: figure.into(),
            value: value.into(),
            item,
            n,
        })
    };
    add(1, "", "", "2026-01", "received", 0, 3);
    add(2, "", "", "2026-02", "received", 0, 4);
    add(2, "", "", "2025-12", "received", 0, 100);
    add(2, "region", "320612", "2026-02", "received", 0, 4);
    add(2, "region", "320500", "2026-02", "received", 0, 1);
    add(1, "", "", "", "open", 0, 9);
    add(1, "", "", "2026-01", "ex_exhibitions", 41, 2);
    add(2, "", "", "2026-02", "ex_exhibitions", 41, 1);
    add(2, "", "", "2026-02", "ex_exhibitions", 42, 0);
    add(1, "", "", "2026-03", "ar_closed", 10, 2);
    add(1, "", "", "2026-03", "ar_closed", 3, 1);
    let c = Counters::new(defs, rows);
    let year = ("2026-01".to_string(), "2026-12".to_string());
    let all = Selection {
        owners: &[1, 2],
        months: year.clone(),
        dim: None,
    };
    assert_eq!(c.count("received", &all), 7);
    assert_eq!(c.count("open", &all), 9);
    assert_eq!(c.distinct("ex_exhibitions", &all), 1);
    assert_eq!(c.days("ar_closed", &all), [3, 10, 10]);
    let city = |v: &str| v.starts_with("3206");
    let narrowed = Selection {
        owners: &[1, 2],
        months: year,
        dim: Some(("region", &city)),
    };
    assert_eq!(c.count("received", &narrowed), 4);
    assert!(!c.has("overdue"));
}

#[test]
fn only_periods_of_whole_months_are_read_from_counters() {
    let today = day("2026-12-05");
    let p = |a: &str, b: &str| Period {
        from: day(a),
        to: day(b),
    };
    assert!(whole_months(&p("2026-01-01", "2026-12-31"), today));
    assert!(whole_months(&p("2026-02-01", "2026-02-28"), today));
    assert!(whole_months(&p("2026-01-01", "2026-12-05"), today));
    assert!(!whole_months(&p("2026-01-01", "2026-11-29"), today));
    assert!(!whole_months(&p("2026-01-02", "2026-12-31"), today));
}

#[test]
fn dimension_names_fit_the_rollup_table() {
    // `report_rollup.dim` is 32 characters (PostgreSQL checks it).
    for d in DIMS {
        assert!(d.len() <= 32, "{d}");
    }
}
