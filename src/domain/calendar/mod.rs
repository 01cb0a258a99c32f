//! China's official working-day calendar: Monday–Friday, minus the State Council's scheduled days
//! off, plus its make-up working days (调休上班). Pure: the schedule is data, dates are parameters.
//! Years without a published schedule count weekends only and mark results `provisional`.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The festival a day off or make-up working day belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Festival {
    NewYear,
    SpringFestival,
    Qingming,
    LabourDay,
    DragonBoat,
    MidAutumn,
    NationalDay,
    /// 2015's one-off day for the 70th anniversary of the victory in the War of Resistance.
    #[serde(rename = "victory_day_70")]
    VictoryDay70,
}

impl Festival {
    /// Catalogue key of the festival's name (元旦, 春节 …).
    pub fn message_key(self) -> &'static str {
        match self {
            Self::NewYear => "holiday.new_year",
            Self::SpringFestival => "holiday.spring_festival",
            Self::Qingming => "holiday.qingming",
            Self::LabourDay => "holiday.labour_day",
            Self::DragonBoat => "holiday.dragon_boat",
            Self::MidAutumn => "holiday.mid_autumn",
            Self::NationalDay => "holiday.national_day",
            Self::VictoryDay70 => "holiday.victory_day_70",
        }
    }

    /// The festival's Chinese name, as the API reports it.
    pub fn chinese(self) -> &'static str {
        match self {
            Self::NewYear => "元旦",
            Self::SpringFestival => "春节",
            Self::Qingming => "清明节",
            Self::LabourDay => "劳动节",
            Self::DragonBoat => "端午节",
            Self::MidAutumn => "中秋节",
            Self::NationalDay => "国庆节",
            Self::VictoryDay70 => "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
        }
    }
}

/// One year's official schedule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct YearSchedule {
    /// Identifies this schedule (e.g. `2026-official`), recorded with every deadline computed from it.
    pub version: String,
    /// Scheduled days off (including the weekend days inside a break).
    pub off: BTreeMap<NaiveDate, Festival>,
    /// Weekend days that are working days (调休上班).
    pub makeup: BTreeMap<NaiveDate, Festival>,
}

/// The schedules of all loaded years. Build it with [`Calendar::from_json`] or
/// [`Calendar::with_years`], which also build the day index used for counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub source: String,
    pub years: BTreeMap<i32, YearSchedule>,
    index: DayIndex,
}

/// Whether each day is worked, one bit per day, from 1 January of the first loaded year to
/// 31 December of the last (years in between without a schedule count weekends only), so that
/// counting working days is a bit test per day instead of map lookups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct DayIndex {
    /// `num_days_from_ce` of the first indexed day.
    first: i32,
    days: u32,
    working: Vec<u64>,
    first_year: i32,
    /// Published years as bits from `first_year`.
    published: Vec<bool>,
}

impl DayIndex {
    fn build(years: &BTreeMap<i32, YearSchedule>) -> Self {
        let (Some(lo), Some(hi)) = (years.keys().next(), years.keys().next_back()) else {
            return Self::default();
        };
        let (Some(start), Some(end)) = (
            NaiveDate::from_ymd_opt(*lo, 1, 1),
            NaiveDate::from_ymd_opt(*hi, 12, 31),
        ) else {
            return Self::default();
        };
        let days = (end - start).num_days() as u32 + 1;
        let mut working = vec![0u64; days.div_ceil(64) as usize];
        for (i, d) in start.iter_days().take(days as usize).enumerate() {
            let schedule = years.get(&d.year());
            let off = schedule.is_some_and(|s| s.off.contains_key(&d));
            let makeup = schedule.is_some_and(|s| s.makeup.contains_key(&d));
            if makeup || (!off && !is_weekend(d)) {
                working[i / 64] |= 1 << (i % 64);
            }
        }
        Self {
            first: start.num_days_from_ce(),
            days,
            working,
            first_year: *lo,
            published: (*lo..=*hi).map(|y| years.contains_key(&y)).collect(),
        }
    }

    fn working(&self, date: NaiveDate) -> Option<bool> {
        let i = date.num_days_from_ce() - self.first;
        (i >= 0 && (i as u32) < self.days)
            .then(|| self.working[i as usize / 64] >> (i % 64) & 1 == 1)
    }

    fn published(&self, year: i32) -> Option<bool> {
        let i = year - self.first_year;
        (i >= 0)
            .then(|| self.published.get(i as usize).copied())
            .flatten()
    }
}

/// What the calendar says about one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub working_day: bool,
    /// The festival this day off belongs to.
    pub holiday: Option<Festival>,
    /// A weekend day that is a working day.
    pub makeup_workday: Option<Festival>,
    /// Whether the year's official schedule is loaded (otherwise weekends only).
    pub published: bool,
}

/// A computed date and whether it rests on a year without a published schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub date: NaiveDate,
    pub provisional: bool,
}

/// A calendar file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("calendar data: {0}")]
pub struct CalendarError(String);

/// Counting that would leave the range of dates chrono supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the date is out of range")]
pub struct OutOfRange;

const BUILTIN_JSON: &str = include_str!("cn-calendar.json");

static BUILTIN: LazyLock<Calendar> = LazyLock::new(|| {
    Calendar::from_json(BUILTIN_JSON).expect("the shipped calendar file is valid")
});

impl Calendar {
    /// The schedules the project ships (2004–2026, from the State Council's notices).
    pub fn builtin() -> &'static Calendar {
        &BUILTIN
    }

    /// Reads a calendar file (`weiquan-calendar-v1`) and checks it: days off are not make-up days,
    /// make-up days fall on weekends, and every date lies in its year.
    pub fn from_json(text: &str) -> Result<Self, CalendarError> {
        #[derive(Deserialize)]
        struct File {
            format: String,
            source: String,
            years: BTreeMap<String, YearSchedule>,
        }
        let file: File = serde_json::from_str(text).map_err(|e| CalendarError(e.to_string()))?;
        if file.format != "weiquan-calendar-v1" {
            return Err(CalendarError(format!("unknown format {:?}", file.format)));
        }
        let mut years = BTreeMap::new();
        for (y, schedule) in file.years {
            let year: i32 = y
                .parse()
                .map_err(|_| CalendarError(format!("{y:?} is not a year")))?;
            for d in schedule.off.keys().chain(schedule.makeup.keys()) {
                if d.year() != year {
                    return Err(CalendarError(format!("{d} is listed under {year}")));
                }
            }
            if let Some(d) = schedule
                .off
                .keys()
                .find(|d| schedule.makeup.contains_key(d))
            {
                return Err(CalendarError(format!(
                    "{d} is both a day off and a make-up working day"
                )));
            }
            if let Some(d) = schedule.makeup.keys().find(|d| !is_weekend(**d)) {
                return Err(CalendarError(format!(
                    "make-up working day {d} is not a weekend day"
                )));
            }
            years.insert(year, schedule);
        }
        Ok(Self {
            source: file.source,
            index: DayIndex::build(&years),
            years,
        })
    }

    /// This calendar with `years` added or replacing the ones it has (loaded years override the
    /// shipped ones).
    pub fn with_years(&self, years: impl IntoIterator<Item = (i32, YearSchedule)>) -> Calendar {
        let mut merged = self.clone();
        merged.years.extend(years);
        merged.index = DayIndex::build(&merged.years);
        merged
    }

    /// Whether `year`'s official schedule is loaded.
    pub fn published(&self, year: i32) -> bool {
        self.index
            .published(year)
            .unwrap_or_else(|| self.years.contains_key(&year))
    }

    /// Everything known about `date`.
    pub fn day(&self, date: NaiveDate) -> DayInfo {
        let schedule = self.years.get(&date.year());
        let holiday = schedule.and_then(|s| s.off.get(&date).copied());
        let makeup = schedule.and_then(|s| s.makeup.get(&date).copied());
        let working_day = match (holiday, makeup) {
            (Some(_), _) => false,
            (None, Some(_)) => true,
            (None, None) => !is_weekend(date),
        };
        DayInfo {
            date,
            working_day,
            holiday,
            makeup_workday: makeup,
            published: schedule.is_some(),
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.index
            .working(date)
            .unwrap_or_else(|| self.day(date).working_day)
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> Result<Counted, OutOfRange> {
        self.add_working_days(date, 1)
    }

    /// The `n`-th working day after `from` (the start day is not counted). `n = 0` is `from`.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<Counted, OutOfRange> {
        let mut date = from;
        let mut provisional = false;
        let mut left = n;
        let mut year = None;
        while left > 0 {
            date = date.succ_opt().ok_or(OutOfRange)?;
            if year != Some(date.year()) {
                year = Some(date.year());
                provisional |= !self.published(date.year());
            }
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        Ok(Counted { date, provisional })
    }

    /// `n` calendar days after `from`, rolled forward to a working day when it ends on a day off.
    pub fn add_calendar_days(&self, from: NaiveDate, n: u32) -> Result<Counted, OutOfRange> {
        let end = from
            .checked_add_days(Days::new(n.into()))
            .ok_or(OutOfRange)?;
        self.roll_forward(end)
    }

    /// `n` calendar months after `from` (the same day of the month, or the month's last day when
    /// it has none), rolled forward to a working day.
    pub fn add_months(&self, from: NaiveDate, n: u32) -> Result<Counted, OutOfRange> {
        let end = from.checked_add_months(Months::new(n)).ok_or(OutOfRange)?;
        self.roll_forward(end)
    }

    /// `date` itself when it is a working day, otherwise the next working day.
    pub fn roll_forward(&self, date: NaiveDate) -> Result<Counted, OutOfRange> {
        let provisional = !self.published(date.year());
        if self.is_working_day(date) {
            Ok(Counted { date, provisional })
        } else {
            let next = self.next_working_day(date)?;
            Ok(Counted {
                date: next.date,
                provisional: provisional || next.provisional,
            })
        }
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }
}

/// What loading a year's schedule would change, shown before it is applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearDiff {
    pub year: i32,
    pub new_year: bool,
    pub old_version: Option<String>,
    pub new_version: String,
    pub off_added: Vec<NaiveDate>,
    pub off_removed: Vec<NaiveDate>,
    pub makeup_added: Vec<NaiveDate>,
    pub makeup_removed: Vec<NaiveDate>,
}

impl YearDiff {
    /// Whether anything about working days changes.
    pub fn changes_days(&self) -> bool {
        !(self.off_added.is_empty()
            && self.off_removed.is_empty()
            && self.makeup_added.is_empty()
            && self.makeup_removed.is_empty())
    }
}

/// Compares a year's schedule in force (if any) with a new one.
pub fn diff(year: i32, old: Option<&YearSchedule>, new: &YearSchedule) -> YearDiff {
    let keys = |m: Option<&BTreeMap<NaiveDate, Festival>>| -> Vec<NaiveDate> {
        m.map(|m| m.keys().copied().collect()).unwrap_or_default()
    };
    let (old_off, old_makeup) = (keys(old.map(|o| &o.off)), keys(old.map(|o| &o.makeup)));
    let (new_off, new_makeup) = (keys(Some(&new.off)), keys(Some(&new.makeup)));
    let minus = |a: &[NaiveDate], b: &[NaiveDate]| {
        a.iter()
            .filter(|d| !b.contains(d))
            .copied()
            .collect::<Vec<_>>()
    };
    YearDiff {
        year,
        new_year: old.is_none(),
        old_version: old.map(|o| o.version.clone()),
        new_version: new.version.clone(),
        off_added: minus(&new_off, &old_off),
        off_removed: minus(&old_off, &new_off),
        makeup_added: minus(&new_makeup, &old_makeup),
        makeup_removed: minus(&old_makeup, &new_makeup),
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests;
