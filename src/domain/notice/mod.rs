//! Deadline notices, pure: which notices a clock calls for at `now` (due soon, overdue,
//! escalation) and who receives them. The scheduler (`worker::tick`) stores each notice once per
//! recipient, clock, kind and due instant; nothing here touches the database or the clock.
//!
//! - **Due soon** while the clock runs and `now` has reached its warning instant:
//!   - day and month clocks (due 24:00 on their last day): from 00:00 Beijing time of the
//!     N-th working day before the last day (default N = 2; N = 0 means the last day itself);
//!   - hour clocks: 25 % of the window or 6 h before the due instant, whichever is earlier
//!     (a 24 h clock is warned 6 h before, a 48 h clock 12 h before, a 4 h clock at its start);
//!   - never before the clock starts.
//! - **Overdue** once `now` reaches the due instant of a clock that is running or already marked
//!   missed. A paused clock's time stands still: it gets no notice until it runs again.
//! - **Escalation** to the supervisors of the owning office with every overdue notice, except
//!   for informational clocks (a party's own time limit).

pub mod event;

use super::calendar::Calendar;
use super::deadline::{State, Unit};
use super::identity::{OrgKind, Role};
use super::region::covers as region_covers;
use super::time::{beijing, end_of_day};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// What a notice says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    DueSoon,
    Overdue,
    Escalation,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::DueSoon, Kind::Overdue, Kind::Escalation];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
            Self::Escalation => "escalation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// When to warn (configuration: `due_soon_working_days`, `due_soon_hours`,
/// `due_soon_hour_percent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Day and month clocks: warn this many working days before the last day.
    pub working_days: u32,
    /// Hour clocks: warn at least this many hours before the due instant …
    pub hours: u32,
    /// … or this percentage of the window before it, whichever is earlier.
    pub hour_percent: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            working_days: 2,
            hours: 6,
            hour_percent: 25,
        }
    }
}

/// The facts of a stored clock the rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockInfo {
    pub unit: Unit,
    pub start_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub state: State,
    pub informational: bool,
}

/// The last day of a day or month clock: its due instant is 24:00 Beijing time of this day.
pub fn last_day(due_at: DateTime<Utc>) -> NaiveDate {
    (due_at - TimeDelta::seconds(1))
        .with_timezone(&beijing())
        .date_naive()
}

/// The `n`-th working day before `day` (`day` itself when `n` is 0).
fn working_days_before(cal: &Calendar, day: NaiveDate, n: u32) -> NaiveDate {
    let mut d = day;
    let mut left = n;
    while left > 0 {
        match d.pred_opt() {
            Some(p) => d = p,
            None => return d,
        }
        if cal.is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// 00:00 Beijing time at the start of `day`.
fn start_of_day(day: NaiveDate) -> DateTime<Utc> {
    end_of_day(day.pred_opt().unwrap_or(day)).to_utc()
}

/// The instant from which the clock's due-soon warning is due.
pub fn warning_at(c: &ClockInfo, s: &Settings, cal: &Calendar) -> DateTime<Utc> {
    let warn = if c.unit == Unit::Hours {
        let window = (c.due_at - c.start_at).max(TimeDelta::zero());
        let share = TimeDelta::seconds(window.num_seconds() * i64::from(s.hour_percent) / 100);
        let lead = share.max(TimeDelta::hours(i64::from(s.hours))).min(window);
        c.due_at - lead
    } else {
        start_of_day(working_days_before(cal, last_day(c.due_at), s.working_days))
    };
    warn.max(c.start_at).min(c.due_at)
}

/// The latest due instant of a day or month clock whose warning is due on `now`'s day: the
/// scheduler reads only clocks due by then (an exact bound: see the tests).
pub fn day_horizon(now: DateTime<Utc>, s: &Settings, cal: &Calendar) -> DateTime<Utc> {
    let today = now.with_timezone(&beijing()).date_naive();
    let d = cal
        .add_working_days(today, s.working_days)
        .map(|c| c.date)
        .unwrap_or(today);
    end_of_day(d).to_utc()
}

/// The notices a clock calls for at `now`, in [`Kind`] order.
pub fn due_notices(c: &ClockInfo, now: DateTime<Utc>, s: &Settings, cal: &Calendar) -> Vec<Kind> {
    match c.state {
        State::Met | State::Paused => Vec::new(),
        State::Running | State::Missed if now >= c.due_at => {
            if c.informational {
                vec![Kind::Overdue]
            } else {
                vec![Kind::Overdue, Kind::Escalation]
            }
        }
        State::Running if now >= warning_at(c, s, cal) => vec![Kind::DueSoon],
        State::Running | State::Missed => Vec::new(),
    }
}

/// An active user who may receive notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub user_id: i64,
    pub org_id: i64,
    pub org_kind: OrgKind,
    pub role: Role,
    pub region_code: String,
}

/// The facts of a case that decide who hears about its clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInfo {
    pub owner_org_id: i64,
    pub assignee_user_id: Option<i64>,
    /// Queue `triage`, state `new`.
    pub awaiting_triage: bool,
    pub region_code: String,
}

/// Who receives a `kind` notice about clock `rule_id` of `case`, from the active `staff` (user
/// ids, sorted, each once):
/// - escalation: the supervisors of the owning organisation;
/// - due soon and overdue: the assignee when the case has one (and they are active), otherwise
///   the officers, supervisors and triagers of the owning organisation, and for a `triage.*`
///   clock of a case awaiting triage also the triagers of every assistance centre whose region
///   covers the case's region.
pub fn recipients(kind: Kind, rule_id: &str, case: &CaseInfo, staff: &[Staff]) -> Vec<i64> {
    let owner = |s: &&Staff| s.org_id == case.owner_org_id;
    let mut out: Vec<i64> = match kind {
        Kind::Escalation => staff
            .iter()
            .filter(owner)
            .filter(|s| s.role == Role::Supervisor)
            .map(|s| s.user_id)
            .collect(),
        Kind::DueSoon | Kind::Overdue => {
            match case
                .assignee_user_id
                .filter(|a| staff.iter().any(|s| s.user_id == *a))
            {
                Some(a) => vec![a],
                None => {
                    let triage = rule_id.starts_with("triage.") && case.awaiting_triage;
                    staff
                        .iter()
                        .filter(|s| {
                            (owner(s)
                                && matches!(
                                    s.role,
                                    Role::Officer | Role::Supervisor | Role::Triager
                                ))
                                || (triage
                                    && s.role == Role::Triager
                                    && s.org_kind == OrgKind::AssistanceCenter
                                    && region_covers(&s.region_code, &case.region_code))
                        })
                        .map(|s| s.user_id)
                        .collect()
                }
            }
        }
    };
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn cal() -> &'static Calendar {
        Calendar::builtin()
    }

    fn day_clock(start: &str, due: &str) -> ClockInfo {
        ClockInfo {
            unit: Unit::WorkingDays,
            start_at: utc(start),
            due_at: utc(due),
            state: State::Running,
            informational: false,
        }
    }

    fn hour_clock(start: &str, hours: i64) -> ClockInfo {
        let start_at = utc(start);
        ClockInfo {
            unit: Unit::Hours,
            start_at,
            due_at: start_at + TimeDelta::hours(hours),
            state: State::Running,
            informational: false,
        }
    }

    #[test]
    fn a_day_clock_is_warned_two_working_days_before_its_last_day() {
        // Due 2025-10-10 (Fri) 24:00; 10-09 is one working day before it and, 10-01…10-08
        // being off, 09-30 is the second.
        let c = day_clock("2025-09-26T10:00:00+08:00", "2025-10-11T00:00:00+08:00");
        let s = Settings::default();
        assert_eq!(warning_at(&c, &s, cal()), utc("2025-09-30T00:00:00+08:00"));
        // An ordinary week: last day Friday 2025-11-14 → Wednesday 00:00.
        let c = day_clock("2025-11-07T10:00:00+08:00", "2025-11-15T00:00:00+08:00");
        assert_eq!(warning_at(&c, &s, cal()), utc("2025-11-12T00:00:00+08:00"));
        let at = |t: &str| due_notices(&c, utc(t), &s, cal());
        assert!(at("2025-11-11T23:59:59+08:00").is_empty());
        assert_eq!(at("2025-11-12T00:00:00+08:00"), vec![Kind::DueSoon]);
        assert_eq!(at("2025-11-14T23:59:59+08:00"), vec![Kind::DueSoon]);
        assert_eq!(
            at("2025-11-15T00:00:00+08:00"),
            vec![Kind::Overdue, Kind::Escalation]
        );
    }

    #[test]
    fn make_up_working_days_count_when_stepping_back() {
        // Last day 2025-09-29 (Mon); 09-28 (Sun) is a make-up working day, so the second working
        // day before Monday is Friday 09-26, not Thursday.
        let c = day_clock("2025-09-20T10:00:00+08:00", "2025-09-30T00:00:00+08:00");
        assert_eq!(
            warning_at(&c, &Settings::default(), cal()),
            utc("2025-09-26T00:00:00+08:00")
        );
    }

    #[test]
    fn a_short_day_clock_is_warned_from_its_start() {
        // One working day from Friday 10:00: due Monday 24:00, warned at once.
        let c = day_clock("2025-11-07T10:00:00+08:00", "2025-11-11T00:00:00+08:00");
        assert_eq!(
            warning_at(&c, &Settings::default(), cal()),
            utc("2025-11-07T10:00:00+08:00")
        );
    }

    #[test]
    fn hour_clocks_take_the_earlier_of_a_quarter_of_the_window_and_six_hours() {
        let s = Settings::default();
        let w = |h: i64| {
            let c = hour_clock("2026-04-03T14:00:00+08:00", h);
            c.due_at - warning_at(&c, &s, cal())
        };
        assert_eq!(w(24), TimeDelta::hours(6));
        assert_eq!(w(48), TimeDelta::hours(12));
        assert_eq!(w(100), TimeDelta::hours(25));
        assert_eq!(w(12), TimeDelta::hours(6));
        // Shorter than six hours: warned at the start.
        assert_eq!(w(4), TimeDelta::hours(4));
    }

    #[test]
    fn settings_change_the_warning() {
        let s = Settings {
            working_days: 0,
            hours: 1,
            hour_percent: 10,
        };
        let c = day_clock("2025-11-07T10:00:00+08:00", "2025-11-15T00:00:00+08:00");
        assert_eq!(warning_at(&c, &s, cal()), utc("2025-11-14T00:00:00+08:00"));
        let c = hour_clock("2026-04-03T14:00:00+08:00", 24);
        assert_eq!(
            c.due_at - warning_at(&c, &s, cal()),
            TimeDelta::minutes(144)
        );
    }

    #[test]
    fn informational_clocks_are_never_escalated_and_paused_or_met_clocks_are_quiet() {
        let mut c = day_clock("2025-11-07T10:00:00+08:00", "2025-11-15T00:00:00+08:00");
        let late = utc("2025-12-01T00:00:00+08:00");
        let s = Settings::default();
        c.informational = true;
        assert_eq!(due_notices(&c, late, &s, cal()), vec![Kind::Overdue]);
        c.informational = false;
        c.state = State::Missed;
        assert_eq!(
            due_notices(&c, late, &s, cal()),
            vec![Kind::Overdue, Kind::Escalation]
        );
        for st in [State::Paused, State::Met] {
            c.state = st;
            assert!(due_notices(&c, late, &s, cal()).is_empty());
            assert!(due_notices(&c, utc("2025-11-14T00:00:00+08:00"), &s, cal()).is_empty());
        }
    }

    fn staff(user_id: i64, org_id: i64, org_kind: OrgKind, role: Role, region: &str) -> Staff {
        Staff {
            user_id,
            org_id,
            org_kind,
            role,
            region_code: region.into(),
        }
    }

    #[test]
    fn recipients_follow_assignee_office_and_triage_region() {
        let people = vec![
            staff(1, 10, OrgKind::IpOffice, Role::Officer, "320600"),
            staff(2, 10, OrgKind::IpOffice, Role::Supervisor, "320600"),
            staff(3, 10, OrgKind::IpOffice, Role::Admin, "320600"),
            staff(4, 20, OrgKind::AssistanceCenter, Role::Triager, "320600"),
            staff(5, 30, OrgKind::AssistanceCenter, Role::Triager, "320500"),
            staff(6, 40, OrgKind::IpOffice, Role::Officer, "320600"),
        ];
        let mut case = CaseInfo {
            owner_org_id: 10,
            assignee_user_id: None,
            awaiting_triage: true,
            region_code: "320612".into(),
        };
        assert_eq!(
            recipients(Kind::DueSoon, "ar.docket", &case, &people),
            vec![1, 2]
        );
        assert_eq!(
            recipients(Kind::Overdue, "triage.decision", &case, &people),
            vec![1, 2, 4]
        );
        assert_eq!(
            recipients(Kind::Escalation, "triage.decision", &case, &people),
            vec![2]
        );
        case.awaiting_triage = false;
        assert_eq!(
            recipients(Kind::Overdue, "triage.decision", &case, &people),
            vec![1, 2]
        );
        case.assignee_user_id = Some(6);
        assert_eq!(
            recipients(Kind::Overdue, "ar.docket", &case, &people),
            vec![6]
        );
        assert_eq!(
            recipients(Kind::Escalation, "ar.docket", &case, &people),
            vec![2]
        );
        // An assignee who is no longer active: the office hears instead.
        case.assignee_user_id = Some(99);
        assert_eq!(
            recipients(Kind::DueSoon, "ar.docket", &case, &people),
            vec![1, 2]
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn units() -> impl Strategy<Value = Unit> {
            prop_oneof![
                Just(Unit::WorkingDays),
                Just(Unit::CalendarDays),
                Just(Unit::CalendarMonths),
            ]
        }

        proptest! {
            #[test]
            fn a_day_warning_leaves_exactly_n_working_days_before_the_last_day(
                offset in 0u64..8000, len in 1u64..120, n in 0u32..6, unit in units(),
            ) {
                let start_day = "2004-01-01".parse::<NaiveDate>().unwrap() + Days::new(offset);
                let last = start_day + Days::new(len);
                let c = ClockInfo {
                    unit,
                    start_at: start_of_day(start_day) + TimeDelta::hours(10),
                    due_at: end_of_day(last).to_utc(),
                    state: State::Running,
                    informational: false,
                };
                let s = Settings { working_days: n, ..Settings::default() };
                let w = warning_at(&c, &s, cal());
                prop_assert!(w >= c.start_at && w <= c.due_at);
                if w > c.start_at {
                    let wd = w.with_timezone(&beijing()).date_naive();
                    prop_assert_eq!(w, start_of_day(wd));
                    // Working days from the warning day up to the day before the last day.
                    let counted = if n == 0 { 0 } else {
                        u32::from(cal().is_working_day(wd))
                            + cal().working_days_between(wd, last.pred_opt().unwrap())
                    };
                    prop_assert_eq!(counted, n);
                    prop_assert!(n == 0 || cal().is_working_day(wd));
                }
            }

            #[test]
            fn the_day_horizon_holds_exactly_the_clocks_warned_by_today(
                offset in 0u64..8000, hour in 0i64..24, ahead in 0u64..40, n in 0u32..6,
            ) {
                let today = "2004-01-01".parse::<NaiveDate>().unwrap() + Days::new(offset);
                let now = start_of_day(today) + TimeDelta::hours(hour);
                let last = today + Days::new(ahead);
                let c = ClockInfo {
                    unit: Unit::WorkingDays,
                    start_at: start_of_day(today) - TimeDelta::days(60),
                    due_at: end_of_day(last).to_utc(),
                    state: State::Running,
                    informational: false,
                };
                let s = Settings { working_days: n, ..Settings::default() };
                let warned = now >= warning_at(&c, &s, cal());
                prop_assert_eq!(warned, c.due_at <= day_horizon(now, &s, cal()));
            }

            #[test]
            fn an_hour_warning_lies_inside_the_window(
                minutes in 0i64..20_000, pct in 0u32..=100, hours in 0u32..48,
            ) {
                let start = utc("2026-04-03T14:05:00+08:00");
                let c = ClockInfo {
                    unit: Unit::Hours,
                    start_at: start,
                    due_at: start + TimeDelta::minutes(minutes),
                    state: State::Running,
                    informational: false,
                };
                let s = Settings { working_days: 2, hours, hour_percent: pct };
                let w = warning_at(&c, &s, cal());
                prop_assert!(w >= c.start_at && w <= c.due_at);
                let lead = c.due_at - w;
                let window = c.due_at - c.start_at;
                prop_assert!(lead >= TimeDelta::hours(hours.into()).min(window));
                prop_assert!(lead.num_seconds() >= window.num_seconds() * i64::from(pct) / 100);
            }

            #[test]
            fn notices_only_grow_until_the_due_instant_and_escalation_follows_overdue(
                offset in 0u64..8000, len in 1u64..60, step in 0i64..(90 * 24), informational: bool,
            ) {
                let start_day = "2004-01-01".parse::<NaiveDate>().unwrap() + Days::new(offset);
                let c = ClockInfo {
                    unit: Unit::CalendarDays,
                    start_at: start_of_day(start_day) + TimeDelta::hours(9),
                    due_at: end_of_day(start_day + Days::new(len)).to_utc(),
                    state: State::Running,
                    informational,
                };
                let s = Settings::default();
                let now = c.start_at + TimeDelta::hours(step);
                let k = due_notices(&c, now, &s, cal());
                let overdue = now >= c.due_at;
                prop_assert_eq!(k.contains(&Kind::Overdue), overdue);
                prop_assert_eq!(k.contains(&Kind::Escalation), overdue && !informational);
                prop_assert_eq!(k.contains(&Kind::DueSoon), !overdue && now >= warning_at(&c, &s, cal()));
                if k.contains(&Kind::DueSoon) {
                    let later = now + TimeDelta::hours(1);
                    let k2 = due_notices(&c, later, &s, cal());
                    prop_assert!(!k2.is_empty());
                }
            }
        }
    }
}
