//! The deadline scheduler (issue 4, item 6) and the notification centre: every warning and
//! escalation exactly once over 10,000 open clocks, across repeated ticks, a restart and two
//! processes; notices in `/notifications`, the unread badge and the API; "my deadlines"; e-mail
//! through the outbox to an SMTP listener.

use crate::fixtures::{csrf_in, smtp_listener};
use crate::helpers::TestApp;
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use weiquan::config::Config;
use weiquan::domain::calendar::Calendar;
use weiquan::domain::case::intake::Facts;
use weiquan::domain::case::{CaseState, Channel, EventKind, Queue, Source};
use weiquan::domain::deadline::{Rules, State, Unit};
use weiquan::domain::identity::{OrgKind, Role};
use weiquan::domain::notice::{self, CaseInfo, ClockInfo, Kind, Settings, Staff};
use weiquan::domain::time::{beijing, end_of_day};
use weiquan::service::case::Timekeeper;
use weiquan::store::case_log::{ClockDetail, ClockRow, NewEvent};
use weiquan::store::intake::{NewCase, NewFiling};
use weiquan::store::orgs::OrgFields;
use weiquan::store::users::NewUser;
use weiquan::store::{self, Db};
use weiquan::worker;

fn bj(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// A small deterministic generator (the test must be the same on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn clock_row(
    rule_id: &str,
    start_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    state: State,
) -> ClockRow {
    let rule = Rules::builtin().get(rule_id).unwrap();
    ClockRow {
        rule_id: rule_id.into(),
        name: rule.name.clone(),
        unit: rule.unit,
        source: rule.source.clone(),
        start_at,
        due_at,
        state,
        provisional: false,
        explanation: String::new(),
        detail: ClockDetail {
            informational: rule.informational,
            ..Default::default()
        },
    }
}

/// A case of an office, stored as an import stores it, with the given clocks.
fn new_case(
    i: usize,
    owner: i64,
    region: &str,
    clocks: Vec<ClockRow>,
    now: DateTime<Utc>,
) -> NewFiling {
    NewFiling {
        case: NewCase {
            title: format!("测试案件 {i}"),
            description: "scheduler test".into(),
            source: Source::Officer,
            channel: Channel::ECommerce,
            region_code: region.into(),
            queue: Queue::Triage,
            state: CaseState::New,
            exhibition_id: None,
            owner_org_id: owner,
            filer_org_id: None,
            filer_user_id: None,
            created_by_user_id: None,
            standing: None,
            complainant_uscc: None,
            facts: Facts::default(),
            received_at: now,
            is_demo: false,
        },
        parties: Vec::new(),
        rights: Vec::new(),
        received: NewEvent {
            kind: EventKind::Received,
            at: now,
            actor_user_id: None,
            actor_org_id: Some(owner),
            public: true,
            payload: json!({}),
        },
        clocks,
        consultation_id: None,
        taken_in_by: None,
        now,
    }
}

async fn org(db: &Db, name: &str, kind: &str, region: &str) -> i64 {
    store::orgs::insert(
        db.conn(),
        OrgFields {
            name: name.into(),
            kind: kind.into(),
            uscc: None,
            region_code: region.into(),
            parent_id: None,
            contact_name: None,
            contact_phone: None,
            triage_working_days: None,
            park: None,
            srdi_triage_working_days: None,
        },
        false,
        weiquan::service::now(),
    )
    .await
    .unwrap()
    .id
}

async fn user(db: &Db, username: &str, org_id: i64, role: &str, email: Option<&str>) -> i64 {
    store::users::insert(
        db.conn(),
        NewUser {
            username: username.into(),
            display_name: username.into(),
            org_id,
            role: role.into(),
            password_hash: "not-a-hash".into(),
            phone: None,
            email: email.map(str::to_string),
        },
        false,
        weiquan::service::now(),
    )
    .await
    .unwrap()
    .id
}

/// One clock as the test models it.
struct ModelClock {
    case_id: i64,
    rule_id: String,
    info: ClockInfo,
    closed: bool,
}

type Key = (i64, i64, String, String, DateTime<Utc>);

/// What the scheduler must have announced after ticking at `t`, given what it announced before:
/// the model of the pure rules applied to every clock, the way a tick sees them.
fn expect_tick(
    clocks: &mut [ModelClock],
    cases: &HashMap<i64, CaseInfo>,
    staff: &[Staff],
    t: DateTime<Utc>,
    cal: &Calendar,
    out: &mut BTreeSet<Key>,
) -> u64 {
    let s = Settings::default();
    let lookback = TimeDelta::days(Config::default().notice_lookback_days);
    let before = out.len();
    for c in clocks.iter_mut() {
        if c.closed {
            if c.info.state == State::Running && c.info.due_at <= t {
                c.info.state = State::Missed;
            }
            continue;
        }
        let kinds: Vec<Kind> = notice::due_notices(&c.info, t, &s, cal)
            .into_iter()
            .filter(|k| *k == Kind::DueSoon || c.info.due_at > t - lookback)
            .collect();
        for k in kinds {
            for u in notice::recipients(k, &c.rule_id, &cases[&c.case_id], staff) {
                out.insert((
                    u,
                    c.case_id,
                    c.rule_id.clone(),
                    k.as_str().into(),
                    c.info.due_at,
                ));
            }
        }
        if c.info.state == State::Running && c.info.due_at <= t {
            c.info.state = State::Missed;
        }
    }
    (out.len() - before) as u64
}

async fn stored_notices(db: &Db) -> Vec<Key> {
    store::notifications::all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.user_id, n.case_id, n.rule_id, n.kind, n.due_at))
        .collect()
}

async fn second_process(app: &TestApp) -> (Db, Arc<Timekeeper>) {
    let db = Db::connect(&app.database_url, 4).await.unwrap();
    let time = Arc::new(
        Timekeeper::load(&db, Rules::builtin().clone())
            .await
            .unwrap(),
    );
    (db, time)
}

#[tokio::test]
async fn ten_thousand_clocks_get_every_warning_and_escalation_exactly_once() {
    let app = TestApp::spawn_with(|c| c.deadline_tick_secs = 86_400, false).await;
    let db = &app.db;
    let cal = app.time.calendar();
    let t0 = bj("2026-11-23T09:00:00+08:00");

    // Two offices, two assistance centres, and their people.
    let a = org(db, "测试市知识产权局", "ip_office", "320600").await;
    let b = org(db, "另一市知识产权局", "ip_office", "320500").await;
    let c = org(db, "测试市保护中心", "assistance_center", "320600").await;
    let d = org(db, "另一市保护中心", "assistance_center", "320500").await;
    let a1 = user(db, "t-a1", a, "officer", Some("a1@example.gov.cn")).await;
    let a2 = user(db, "t-a2", a, "officer", None).await;
    let as1 = user(db, "t-as1", a, "supervisor", Some("as1@example.gov.cn")).await;
    user(db, "t-aa", a, "admin", None).await;
    let b1 = user(db, "t-b1", b, "officer", None).await;
    let bs1 = user(db, "t-bs1", b, "supervisor", None).await;
    let b2 = user(db, "t-b2", b, "officer", None).await;
    store::users::set_disabled(db.conn(), b2, true, weiquan::service::now())
        .await
        .unwrap();
    let c1 = user(db, "t-c1", c, "triager", None).await;
    let d1 = user(db, "t-d1", d, "triager", None).await;
    let st = |id, org, kind, role, region: &str| Staff {
        user_id: id,
        org_id: org,
        org_kind: kind,
        role,
        region_code: region.into(),
    };
    let staff = vec![
        st(a1, a, OrgKind::IpOffice, Role::Officer, "320600"),
        st(a2, a, OrgKind::IpOffice, Role::Officer, "320600"),
        st(as1, a, OrgKind::IpOffice, Role::Supervisor, "320600"),
        st(b1, b, OrgKind::IpOffice, Role::Officer, "320500"),
        st(bs1, b, OrgKind::IpOffice, Role::Supervisor, "320500"),
        st(c1, c, OrgKind::AssistanceCenter, Role::Triager, "320600"),
        st(d1, d, OrgKind::AssistanceCenter, Role::Triager, "320500"),
    ];

    // 2,500 cases with four clocks each: a triage clock, a working-day clock, an informational
    // calendar-day clock and an hour clock, due from eight days ago to sixteen days ahead.
    const CASES: usize = 2_500;
    let mut rng = Lcg(42);
    let mut filings = Vec::new();
    let mut facts = Vec::new();
    let mut model = Vec::new();
    let first_day = (t0 - TimeDelta::days(8))
        .with_timezone(&beijing())
        .date_naive();
    for i in 0..CASES {
        let owner_a = i % 2 == 0;
        let (owner, region) = if owner_a {
            (a, "320612")
        } else {
            (b, "320506")
        };
        let assignee = match i % 7 {
            1 => Some(if owner_a { a2 } else { b1 }),
            3 => Some(b2), // disabled: the office hears instead
            _ => None,
        };
        let closed = i % 50 == 7;
        facts.push((owner, region, assignee, i % 4 == 0, closed, (i % 3) as i16));
        let mut clocks = Vec::new();
        for rule_id in ["triage.decision", "ar.docket", "ar.may_sue", "ex.transfer"] {
            let rule = Rules::builtin().get(rule_id).unwrap();
            let (start_at, due_at) = if rule.unit == Unit::Hours {
                let due =
                    t0 - TimeDelta::days(8) + TimeDelta::minutes(rng.next(24 * 60 * 24) as i64);
                let window = [4, 24, 48][rng.next(3) as usize];
                (due - TimeDelta::hours(window), due)
            } else {
                let last = first_day + Days::new(rng.next(24));
                let due = end_of_day(last).to_utc();
                (due - TimeDelta::days(12) - TimeDelta::hours(5), due)
            };
            let state = match rng.next(100) {
                0..=2 => State::Met,
                3..=4 => State::Paused,
                5..=7 if due_at <= t0 => State::Missed,
                _ => State::Running,
            };
            clocks.push(clock_row(rule_id, start_at, due_at, state));
            model.push(ModelClock {
                // The case's index until it is stored.
                case_id: i as i64,
                rule_id: rule_id.into(),
                info: ClockInfo {
                    unit: rule.unit,
                    start_at,
                    due_at,
                    state,
                    informational: rule.informational,
                },
                closed,
            });
        }
        filings.push(new_case(i, owner, region, clocks, t0));
    }
    assert_eq!(model.len(), 10_000);
    let txn = db.begin_write().await.unwrap();
    let ids: Vec<i64> = store::intake::insert(&txn, filings)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    txn.commit().await.unwrap();
    for m in &mut model {
        m.case_id = ids[m.case_id as usize];
    }
    let mut cases = HashMap::new();
    for (id, (owner, region, assignee, triage, closed, srdi)) in ids.iter().zip(&facts) {
        let mut q = entity::cases::Entity::update_many()
            .col_expr(
                entity::cases::Column::AssigneeUserId,
                Expr::value(*assignee),
            )
            .col_expr(entity::cases::Column::SrdiRank, Expr::value(*srdi))
            .filter(entity::cases::Column::Id.eq(*id));
        if !triage {
            q = q
                .col_expr(
                    entity::cases::Column::Queue,
                    Expr::value("administrative_ruling"),
                )
                .col_expr(entity::cases::Column::State, Expr::value("docketed"));
        }
        if *closed {
            q = q.col_expr(entity::cases::Column::ClosedAt, Expr::value(Some(t0)));
        }
        q.exec(db.conn()).await.unwrap();
        cases.insert(
            *id,
            CaseInfo {
                owner_org_id: *owner,
                assignee_user_id: *assignee,
                awaiting_triage: *triage,
                region_code: region.to_string(),
            },
        );
    }

    let config = Config::default();
    let mut expected = BTreeSet::new();

    // The first tick announces everything due at t0.
    let want = expect_tick(&mut model, &cases, &staff, t0, &cal, &mut expected);
    let started = std::time::Instant::now();
    let o = worker::tick(db, &config, &app.time, t0).await.unwrap();
    eprintln!(
        "first tick over 10,000 clocks: {:?}, {o:?}",
        started.elapsed()
    );
    assert!(want > 1_000, "the scenario announces plenty ({want})");
    assert_eq!(o.notices(), want);
    assert!(
        o.clocks_missed > 0 && o.due_soon > 0 && o.overdue > 0 && o.escalations > 0,
        "{o:?}"
    );

    // Again at the same instant, and after a "restart" (a new pool and calendar): nothing new.
    let o = worker::tick(db, &config, &app.time, t0).await.unwrap();
    assert_eq!((o.notices(), o.clocks_missed), (0, 0), "{o:?}");
    {
        let (db2, cal2) = second_process(&app).await;
        let o = worker::tick(&db2, &config, &cal2, t0).await.unwrap();
        assert_eq!(o.notices(), 0, "after a restart: {o:?}");
        db2.close().await;
    }

    // Later instants, each ticked by two processes at once.
    let (p1, cal1) = second_process(&app).await;
    let (p2, cal2) = second_process(&app).await;
    for (i, t) in [
        t0 + TimeDelta::hours(1),
        t0 + TimeDelta::hours(26),
        t0 + TimeDelta::days(3) + TimeDelta::hours(5),
        t0 + TimeDelta::days(9),
    ]
    .into_iter()
    .enumerate()
    {
        let want = expect_tick(&mut model, &cases, &staff, t, &cal, &mut expected);
        let (r1, r2) = tokio::join!(
            worker::tick(&p1, &config, &cal1, t),
            worker::tick(&p2, &config, &cal2, t)
        );
        let (o1, o2) = (r1.unwrap(), r2.unwrap());
        assert_eq!(
            o1.notices() + o2.notices(),
            want,
            "tick {i} at {t}: {o1:?} {o2:?}"
        );
        // And once more by the first process: nothing left.
        let o = worker::tick(db, &config, &app.time, t).await.unwrap();
        assert_eq!(o.notices(), 0, "repeat of tick {i}");
    }
    p1.close().await;
    p2.close().await;

    // Exactly the expected notices, each once.
    let stored = stored_notices(db).await;
    let unique: BTreeSet<Key> = stored.iter().cloned().collect();
    assert_eq!(unique.len(), stored.len(), "no duplicates");
    assert_eq!(unique, expected, "exactly the notices the rules call for");
    let count = |k: &str| expected.iter().filter(|x| x.3 == k).count();
    eprintln!(
        "notices: {} due soon, {} overdue, {} escalations",
        count("due_soon"),
        count("overdue"),
        count("escalation")
    );
    assert!(count("due_soon") > 0 && count("overdue") > 0 && count("escalation") > 0);
    // The unique index is what holds: offering every stored notice again inserts none.
    let again: Vec<store::notifications::NewNotice> = stored
        .iter()
        .map(|(u, c, r, k, d)| store::notifications::NewNotice {
            user_id: *u,
            case_id: *c,
            rule_id: r.clone(),
            kind: k.clone(),
            due_at: *d,
            data: "{}".into(),
        })
        .collect();
    let inserted = store::notifications::insert_notices(db.conn(), again, t0)
        .await
        .unwrap();
    assert!(inserted.is_empty());
    // Escalations reach supervisors only, and never concern informational clocks.
    for (u, _, rule, kind, _) in &expected {
        if kind == "escalation" {
            assert!([as1, bs1].contains(u));
            assert_ne!(rule, "ar.may_sue");
        }
    }
    // Every clock past due that was running is now marked missed.
    let missed = entity::case_clocks::Entity::find()
        .filter(entity::case_clocks::Column::State.eq("missed"))
        .all(db.conn())
        .await
        .unwrap()
        .len();
    let model_missed = model
        .iter()
        .filter(|c| c.info.state == State::Missed)
        .count();
    assert_eq!(missed, model_missed);
    // No e-mail without SMTP.
    assert!(
        store::notifications::mails(db.conn())
            .await
            .unwrap()
            .is_empty()
    );
}

/// Inserts one case of `owner` with `clocks` (rule, due instant, state); returns its id.
async fn case_with_clocks(
    app: &TestApp,
    number: &str,
    owner: i64,
    srdi: i16,
    clocks: &[(&str, DateTime<Utc>, &str)],
) -> i64 {
    let now = weiquan::service::now();
    let clocks = clocks
        .iter()
        .map(|(rule, due, state)| {
            let state = State::parse(state).unwrap();
            clock_row(rule, *due - TimeDelta::days(10), *due, state)
        })
        .collect();
    let txn = app.db.begin_write().await.unwrap();
    let id = store::intake::insert(&txn, vec![new_case(0, owner, "320612", clocks, now)])
        .await
        .unwrap()[0]
        .id;
    txn.commit().await.unwrap();
    // The number and the SRDI flag the test names (numbers are otherwise counted per year).
    entity::cases::Entity::update_many()
        .col_expr(entity::cases::Column::Number, Expr::value(number))
        .col_expr(entity::cases::Column::SrdiRank, Expr::value(srdi))
        .filter(entity::cases::Column::Id.eq(id))
        .exec(app.db.conn())
        .await
        .unwrap();
    id
}

/// The unread badge of a page, if any.
fn badge(html: &str) -> Option<u64> {
    let i = html.find("class=\"count\"")?;
    let rest = &html[i..];
    let j = rest.find("aria-hidden=\"true\">")? + "aria-hidden=\"true\">".len();
    rest[j..].split('<').next()?.parse().ok()
}

#[tokio::test]
async fn notices_reach_the_notification_centre_the_badge_and_the_api() {
    let app = TestApp::spawn_with(|c| c.deadline_tick_secs = 86_400, true).await;
    let officer = app.user("demo-officer").await;
    let now = weiquan::service::now();
    // A docketing clock due in an hour and one overdue since yesterday.
    let id = case_with_clocks(
        &app,
        "WQ-2026-900001",
        officer.org_id,
        0,
        &[
            ("ex.transfer", now + TimeDelta::hours(1), "running"),
            ("ar.docket", now - TimeDelta::days(1), "running"),
        ],
    )
    .await;
    let o = worker::tick(&app.db, &Config::default(), &app.time, now)
        .await
        .unwrap();
    // The three officers and the supervisor of the office: due soon and overdue; the
    // supervisor an escalation.
    assert_eq!((o.due_soon, o.overdue, o.escalations), (4, 4, 1), "{o:?}");

    let client = app.browser_as("demo-officer").await;
    let home = client.html("/").await;
    assert_eq!(badge(&home), Some(2), "the badge counts unread notices");
    assert!(home.contains("href=\"/notifications\""));
    assert!(home.contains("href=\"/deadlines\""));

    let page = client.html("/notifications").await;
    assert_eq!(page.matches("<li class=\"unread\">").count(), 2, "{page}");
    assert!(page.contains("期限即将届满") && page.contains("期限已超期"));
    assert!(page.contains("WQ-2026-900001"));
    assert!(page.contains(&format!("href=\"/cases/{id}\"")));

    // The API agrees; newest first.
    let officer = app.api_as("demo-officer").await;
    let (status, body) = officer.get("/api/v1/notifications").await;
    assert_eq!(status, 200);
    assert_eq!(body["unread"], 2);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0]["id"].as_i64() > items[1]["id"].as_i64());
    assert_eq!(items[0]["case_number"], "WQ-2026-900001");
    let kinds: BTreeSet<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, BTreeSet::from(["due_soon", "overdue"]));

    // Mark one read through the API; another user's notice is not found.
    let first = items[0]["id"].as_i64().unwrap();
    let (status, body) = officer
        .post(&format!("/api/v1/notifications/{first}/read"), &json!({}))
        .await;
    assert_eq!((status, body["unread"].as_u64()), (200, Some(1)));
    let supervisor = app.api_as("demo-supervisor").await;
    let (status, sup) = supervisor.get("/api/v1/notifications").await;
    assert_eq!((status, sup["unread"].as_u64()), (200, Some(3)));
    let theirs = sup["items"][0]["id"].as_i64().unwrap();
    let (status, _) = officer
        .post(&format!("/api/v1/notifications/{theirs}/read"), &json!({}))
        .await;
    assert_eq!(status, 404);

    // Mark the other read with the page's form (CSRF-protected).
    let page = client.html("/notifications").await;
    assert_eq!(badge(&page), Some(1));
    assert_eq!(page.matches("<li class=\"unread\">").count(), 1);
    let second = items[1]["id"].as_i64().unwrap();
    let read = format!("/notifications/{second}/read");
    let res = client.form(&read, &[("next", "/notifications")]).await;
    assert_eq!(res.status(), 403, "no CSRF token, no change");
    let csrf = csrf_in(&page).unwrap();
    let res = client
        .form(&read, &[("_csrf", &csrf), ("next", "/notifications")])
        .await;
    assert_eq!(res.status(), 303);
    let home = client.html("/").await;
    assert_eq!(badge(&home), None, "nothing unread, no badge");

    // The supervisor marks all read at once.
    let sup_client = app.browser_as("demo-supervisor").await;
    let res = sup_client
        .post_form("/notifications", "/notifications/read-all", &[])
        .await;
    assert_eq!(res.status(), 303);
    let (_, sup) = supervisor.get("/api/v1/notifications").await;
    assert_eq!(sup["unread"], 0);
    assert!(
        sup["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !i["read_at"].is_null())
    );

    // Someone else's view of the list: the filing enterprise has none.
    let ent = app.api_as("demo-enterprise").await;
    let (status, body) = ent.get("/api/v1/notifications").await;
    assert_eq!((status, body["unread"].as_u64()), (200, Some(0)));
    let (status, _) = app
        .api_with_token("nonsense")
        .get("/api/v1/notifications")
        .await;
    assert_eq!(status, 401);
}

/// Beijing's date of `t`.
fn day_of(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&beijing()).date_naive()
}

#[tokio::test]
async fn my_deadlines_groups_overdue_today_and_this_week() {
    let app = TestApp::spawn_with(|c| c.deadline_tick_secs = 86_400, true).await;
    let officer = app.user("demo-officer").await;
    let other = store::orgs::list(app.db.conn())
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.kind == "industry_office")
        .unwrap();
    let now = weiquan::service::now();
    let today = day_of(now);
    let end_today = end_of_day(today).to_utc();
    let sunday = today + Days::new(6 - u64::from(today.weekday().num_days_from_monday()));
    let end_week = end_of_day(sunday).to_utc();
    let next_monday = end_of_day(sunday + Days::new(1)).to_utc();

    let late = case_with_clocks(
        &app,
        "WQ-2026-910001",
        officer.org_id,
        0,
        &[("ar.docket", now - TimeDelta::hours(3), "missed")],
    )
    .await;
    let plain = case_with_clocks(
        &app,
        "WQ-2026-910002",
        officer.org_id,
        0,
        &[
            ("ar.serve", end_today, "running"),
            ("ar.publish", next_monday, "running"),
            ("ar.evidence", now + TimeDelta::hours(1), "met"),
        ],
    )
    .await;
    let giant = case_with_clocks(
        &app,
        "WQ-2026-910003",
        officer.org_id,
        2,
        &[
            ("ar.serve", end_today, "running"),
            ("ar.closing", end_week, "running"),
        ],
    )
    .await;
    // Not the officer's: another office's case, and a closed one.
    case_with_clocks(
        &app,
        "WQ-2026-910004",
        other.id,
        0,
        &[("ar.serve", end_today, "running")],
    )
    .await;
    let closed = case_with_clocks(
        &app,
        "WQ-2026-910005",
        officer.org_id,
        0,
        &[("ar.serve", end_today, "running")],
    )
    .await;
    entity::cases::Entity::update_many()
        .col_expr(entity::cases::Column::ClosedAt, Expr::value(Some(now)))
        .filter(entity::cases::Column::Id.eq(closed))
        .exec(app.db.conn())
        .await
        .unwrap();
    // A missed clock that was stopped (late) is not overdue any more.
    let stopped = case_with_clocks(
        &app,
        "WQ-2026-910006",
        officer.org_id,
        0,
        &[("ar.docket", now - TimeDelta::hours(2), "missed")],
    )
    .await;
    let ev = |kind: EventKind| NewEvent {
        kind,
        at: now - TimeDelta::days(3),
        actor_user_id: None,
        actor_org_id: None,
        public: false,
        payload: json!({}),
    };
    // After the case's first event (`received`).
    store::case_log::append_events(
        app.db.conn(),
        stopped,
        1,
        vec![ev(EventKind::RequestReceived), ev(EventKind::Docketed)],
        now,
    )
    .await
    .unwrap();

    let client = app.browser_as("demo-officer").await;
    let res = client.get("/deadlines").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let section = |id: &str| -> String {
        let start = html.find(&format!("id=\"{id}\"")).unwrap();
        let rest = &html[start..];
        rest[..rest.find("</section>").unwrap()].to_string()
    };
    let (overdue, today_s, week) = (section("overdue"), section("today"), section("week"));
    let link = |id: i64| format!("href=\"/cases/{id}\"");
    assert!(overdue.contains(&link(late)), "{overdue}");
    assert!(!overdue.contains(&link(stopped)));
    // Due today: the 小巨人 case before the plain one at the same instant.
    let (g, p) = (
        today_s.find(&link(giant)).unwrap(),
        today_s.find(&link(plain)).unwrap(),
    );
    assert!(g < p, "SRDI first among equals");
    if sunday == today {
        // On a Sunday the week ends today.
        assert!(today_s.matches(&link(giant)).count() == 2);
    } else {
        assert!(week.contains(&link(giant)), "{week}");
    }
    // Not listed: next week's clock, met clocks, other offices' and closed cases.
    assert_eq!(html.matches(&link(plain)).count(), 1);
    assert!(!html.contains("WQ-2026-910004") && !html.contains("WQ-2026-910005"));

    // The enterprise sees only the triage clocks of its own filings: none of these.
    let ent = app.browser_as("demo-enterprise").await;
    let html = ent.html("/deadlines").await;
    assert!(!html.contains("WQ-2026-9100"));
}

#[tokio::test]
async fn notice_emails_go_through_the_outbox_with_retries() {
    let (port, received) = smtp_listener(1).await;
    let app = TestApp::spawn_with(
        |c| {
            c.deadline_tick_secs = 86_400;
            c.smtp_url = weiquan::config::Secret(format!("smtp://127.0.0.1:{port}"));
            c.mail_from = "weiquan@example.gov.cn".into();
            c.public_url = Some("https://weiquan.example.gov.cn".into());
        },
        true,
    )
    .await;
    let officer = app.user("demo-officer").await;
    entity::users::Entity::update_many()
        .col_expr(
            entity::users::Column::Email,
            Expr::value(Some("officer@example.gov.cn")),
        )
        .filter(entity::users::Column::Id.eq(officer.id))
        .exec(app.db.conn())
        .await
        .unwrap();
    let now = weiquan::service::now();
    let id = case_with_clocks(
        &app,
        "WQ-2026-920001",
        officer.org_id,
        0,
        &[
            ("ar.docket", now - TimeDelta::hours(1), "running"),
            ("ex.transfer", now + TimeDelta::hours(2), "running"),
        ],
    )
    .await;
    let mut config = Config::default();
    config.smtp_url = weiquan::config::Secret(format!("smtp://127.0.0.1:{port}"));
    config.mail_from = "weiquan@example.gov.cn".into();
    config.public_url = Some("https://weiquan.example.gov.cn".into());

    // Two notices for the officer (who has an address): two e-mails queued; the listener
    // refuses the first, takes the second.
    let o = worker::tick(&app.db, &config, &app.time, now)
        .await
        .unwrap();
    assert_eq!(
        (o.mails_queued, o.mails_sent, o.mails_failed),
        (2, 1, 1),
        "{o:?}"
    );
    let mails = store::notifications::mails(app.db.conn()).await.unwrap();
    assert_eq!(mails.len(), 2);
    assert!(
        mails
            .iter()
            .all(|m| m.to_address == "officer@example.gov.cn")
    );
    let failed = mails.iter().find(|m| m.sent_at.is_none()).unwrap();
    assert_eq!(failed.attempts, 1);
    assert!(failed.last_error.as_deref().is_some_and(|e| !e.is_empty()));
    assert_eq!(failed.next_attempt_at, now + TimeDelta::minutes(1));

    // Not retried before its time; retried after, and nothing is sent twice.
    let o = worker::tick(&app.db, &config, &app.time, now)
        .await
        .unwrap();
    assert_eq!(
        (o.mails_sent, o.mails_failed, o.notices()),
        (0, 0, 0),
        "{o:?}"
    );
    let o = worker::tick(&app.db, &config, &app.time, now + TimeDelta::minutes(2))
        .await
        .unwrap();
    assert_eq!((o.mails_sent, o.mails_failed), (1, 0), "{o:?}");
    let o = worker::tick(&app.db, &config, &app.time, now + TimeDelta::minutes(30))
        .await
        .unwrap();
    assert_eq!((o.mails_sent, o.mails_failed), (0, 0));
    let mails = store::notifications::mails(app.db.conn()).await.unwrap();
    assert!(
        mails
            .iter()
            .all(|m| m.sent_at.is_some() && m.last_error.is_none())
    );

    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    for msg in &got {
        assert!(msg.contains("To: officer@example.gov.cn"), "{msg}");
        assert!(msg.contains("From: weiquan@example.gov.cn"), "{msg}");
        let body = body_of(msg);
        assert!(body.contains("WQ-2026-920001"), "{body}");
        assert!(
            body.contains(&format!("https://weiquan.example.gov.cn/cases/{id}")),
            "{body}"
        );
    }
    let bodies: String = got.iter().map(|m| body_of(m)).collect();
    assert!(bodies.contains("期限即将届满") && bodies.contains("期限已超期"));

    // Two processes deliver one queue at once: every e-mail goes out once.
    let notice = mails[0]
        .notification_id
        .expect("a notice e-mail names its notice");
    let queue = (0..40)
        .map(|i| store::notifications::NewMail {
            notification_id: notice,
            to_address: "officer@example.gov.cn".into(),
            subject: format!("queued-{i:02}"),
            body: "test".into(),
        })
        .collect();
    let later = now + TimeDelta::hours(1);
    store::notifications::insert_mails(app.db.conn(), queue, later)
        .await
        .unwrap();
    let (p1, c1) = second_process(&app).await;
    let (p2, c2) = second_process(&app).await;
    let (r1, r2) = tokio::join!(
        worker::deadlines(&p1, &config, &c1, later),
        worker::deadlines(&p2, &config, &c2, later)
    );
    let (o1, o2) = (r1.unwrap(), r2.unwrap());
    assert_eq!(o1.mails_sent + o2.mails_sent, 40, "{o1:?} {o2:?}");
    let got = received.lock().unwrap().clone();
    let mut subjects: Vec<&str> = got
        .iter()
        .filter_map(|m| m.lines().find_map(|l| l.strip_prefix("Subject: queued-")))
        .collect();
    subjects.sort_unstable();
    let n = subjects.len();
    subjects.dedup();
    assert_eq!(
        (n, subjects.len()),
        (40, 40),
        "each queued e-mail sent once"
    );
    p1.close().await;
    p2.close().await;
}

/// The text of a received message, decoded from base64 or quoted-printable as sent.
fn body_of(msg: &str) -> String {
    use base64::Engine;
    let (head, body) = msg.split_once("\n\n").unwrap_or((msg, ""));
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(clean)
                .unwrap(),
        )
        .unwrap()
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\n", "");
        let mut bytes = Vec::new();
        let b = joined.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'='
                && let Some(v) = joined
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                bytes.push(v);
                i += 3;
                continue;
            }
            bytes.push(b[i]);
            i += 1;
        }
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        body.to_string()
    }
}
