//! One scheduler tick over 100,000 open clocks on SQLite (issue 4: target under 1 s).
//! `cargo bench --bench scheduler` — builds a fresh database in a temporary folder (20 offices
//! with four officers and a supervisor each, 25,000 open cases with four clocks each, due from
//! 30 days ago to 90 days ahead), then times deadline passes at chosen instants:
//! the first pass (the whole backlog: every overdue and due-soon notice at once), the next
//! minute (the steady state), and the next day. `--clocks N` changes the size.

use chrono::{DateTime, Days, TimeDelta, Utc};
use serde_json::json;
use std::time::Instant;
use weiquan::config::Config;
use weiquan::domain::case::intake::Facts;
use weiquan::domain::case::{CaseState, Channel, EventKind, Queue, Source};
use weiquan::domain::deadline::State;
use weiquan::domain::deadline::{Rules, Unit};
use weiquan::domain::time::{beijing, end_of_day};
use weiquan::service::case::Timekeeper;
use weiquan::store::case_log::{ClockDetail, ClockRow, NewEvent};
use weiquan::store::intake::{NewCase, NewFiling};
use weiquan::store::orgs::OrgFields;
use weiquan::store::users::NewUser;
use weiquan::store::{self, Db};
use weiquan::worker;

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

const RULES: [&str; 4] = ["triage.decision", "ar.docket", "ar.may_sue", "ex.transfer"];

async fn seed(db: &Db, clocks: usize, t0: DateTime<Utc>) -> anyhow::Result<()> {
    let conn = db.conn();
    let mut offices = Vec::new();
    for i in 0..20 {
        let org = store::orgs::insert(
            conn,
            OrgFields {
                name: format!("第{i}知识产权局"),
                kind: "ip_office".into(),
                uscc: None,
                region_code: format!("32{:02}00", i + 1),
                parent_id: None,
                contact_name: None,
                contact_phone: None,
                triage_working_days: None,
                park: None,
                srdi_triage_working_days: None,
            },
            false,
            t0,
        )
        .await?;
        for (j, role) in ["officer", "officer", "officer", "officer", "supervisor"]
            .iter()
            .enumerate()
        {
            store::users::insert(
                conn,
                NewUser {
                    username: format!("u{i}-{j}"),
                    display_name: format!("用户{i}-{j}"),
                    org_id: org.id,
                    role: (*role).into(),
                    password_hash: "x".into(),
                    phone: None,
                    email: Some(format!("u{i}-{j}@example.gov.cn")),
                },
                false,
                t0,
            )
            .await?;
        }
        offices.push((org.id, org.region_code));
    }
    let n_cases = clocks.div_ceil(RULES.len());
    let mut rng = Lcg(7);
    let first_day = (t0 - TimeDelta::days(30))
        .with_timezone(&beijing())
        .date_naive();
    let mut left = clocks;
    let mut filings = Vec::with_capacity(n_cases);
    for i in 0..n_cases {
        let (owner, region) = &offices[i % offices.len()];
        let mut rows = Vec::new();
        for rule_id in RULES {
            if left == 0 {
                break;
            }
            left -= 1;
            let rule = Rules::builtin().get(rule_id).expect("rule");
            let (start_at, due_at) = if rule.unit == Unit::Hours {
                let due =
                    t0 - TimeDelta::days(30) + TimeDelta::minutes(rng.next(120 * 24 * 60) as i64);
                (due - TimeDelta::hours(24), due)
            } else {
                let due = end_of_day(first_day + Days::new(rng.next(120))).to_utc();
                (due - TimeDelta::days(14), due)
            };
            rows.push(ClockRow {
                rule_id: rule_id.into(),
                name: rule.name.clone(),
                unit: rule.unit,
                source: rule.source.clone(),
                start_at,
                due_at,
                state: State::Running,
                provisional: false,
                explanation: String::new(),
                detail: ClockDetail {
                    informational: rule.informational,
                    ..Default::default()
                },
            });
        }
        filings.push(NewFiling {
            case: NewCase {
                title: format!("基准案件 {i}"),
                description: String::new(),
                source: Source::Officer,
                channel: Channel::ECommerce,
                region_code: region.clone(),
                queue: Queue::Triage,
                state: CaseState::New,
                exhibition_id: None,
                owner_org_id: *owner,
                filer_org_id: None,
                filer_user_id: None,
                created_by_user_id: None,
                standing: None,
                complainant_uscc: None,
                facts: Facts::default(),
                received_at: t0,
                is_demo: false,
            },
            parties: Vec::new(),
            rights: Vec::new(),
            received: NewEvent {
                kind: EventKind::Received,
                at: t0,
                actor_user_id: None,
                actor_org_id: Some(*owner),
                public: true,
                payload: json!({}),
            },
            clocks: rows,
            consultation_id: None,
            taken_in_by: None,
            now: t0,
        });
    }
    let txn = db.begin_write().await?;
    store::intake::insert(&txn, filings).await?;
    txn.commit().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let clocks = args
        .iter()
        .position(|a| a == "--clocks")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000usize);
    let dir = tempfile::tempdir()?;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let db = weiquan::app::connect_and_migrate(&config).await?;
    let t0 = DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00")?.to_utc();
    let started = Instant::now();
    seed(&db, clocks, t0).await?;
    println!(
        "seeded {clocks} running clocks of open cases in {:.1} s (SQLite, {})",
        started.elapsed().as_secs_f64(),
        config.database_url()
    );
    let time = std::sync::Arc::new(Timekeeper::load(&db, Rules::builtin().clone()).await?);
    println!("| pass | at | ms | clocks marked missed | notices created |");
    println!("|---|---|---:|---:|---:|");
    for (label, t) in [
        ("first (whole backlog)", t0),
        ("same instant again", t0),
        ("next minute (steady state)", t0 + TimeDelta::minutes(1)),
        ("next minute", t0 + TimeDelta::minutes(2)),
        ("next day, 09:00", t0 + TimeDelta::days(1)),
        (
            "next day, 09:01",
            t0 + TimeDelta::days(1) + TimeDelta::minutes(1),
        ),
    ] {
        let started = Instant::now();
        let o = worker::deadlines(&db, &config, &time, t).await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        println!(
            "| {label} | {} | {ms:.0} | {} | {} |",
            t.with_timezone(&beijing()).format("%m-%d %H:%M"),
            o.clocks_missed,
            o.notices()
        );
    }
    db.close().await;
    Ok(())
}
