//! The period a report covers: a month, a quarter, a year or any range of Beijing days.

use chrono::{Datelike, Months, NaiveDate};

/// Inclusive range of Beijing calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Why a period was refused (the field it came from).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// `period` is not `2026`, `2026-Q3` or `2026-07`.
    Shape,
    /// `to` is before `from`.
    Order,
    /// Longer than ten years, or outside 2000–2100.
    Range,
}

fn month_start(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

fn last_of_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first)
}

impl Period {
    /// A range, checked.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, PeriodError> {
        if to < from {
            return Err(PeriodError::Order);
        }
        if from.year() < 2000 || to.year() > 2100 || (to - from).num_days() > 3660 {
            return Err(PeriodError::Range);
        }
        Ok(Self { from, to })
    }

    /// `2026` (a year), `2026-Q3` (a quarter) or `2026-07` (a month).
    pub fn parse(s: &str) -> Result<Self, PeriodError> {
        let s = s.trim();
        let bad = PeriodError::Shape;
        if let Some((y, rest)) = s.split_once('-') {
            let year: i32 = y.parse().map_err(|_| bad)?;
            if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
                let q: u32 = q.parse().map_err(|_| bad)?;
                if !(1..=4).contains(&q) {
                    return Err(bad);
                }
                let first = month_start(year, 3 * q - 2).ok_or(bad)?;
                let last = last_of_month(month_start(year, 3 * q).ok_or(bad)?);
                return Self::new(first, last);
            }
            if rest.len() != 2 {
                return Err(bad);
            }
            let m: u32 = rest.parse().map_err(|_| bad)?;
            let first = month_start(year, m).ok_or(bad)?;
            return Self::new(first, last_of_month(first));
        }
        if s.len() != 4 {
            return Err(bad);
        }
        let year: i32 = s.parse().map_err(|_| bad)?;
        Self::year(year).ok_or(PeriodError::Range)
    }

    /// A whole calendar year.
    pub fn year(year: i32) -> Option<Self> {
        Self::new(
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 12, 31)?,
        )
        .ok()
    }

    /// The year so far: 1 January to `today`.
    pub fn year_to_date(today: NaiveDate) -> Self {
        Self {
            from: NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
            to: today,
        }
    }

    /// The same days one year earlier (29 February falls back to the 28th).
    pub fn year_before(&self) -> Self {
        let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
        Self {
            from: back(self.from),
            to: back(self.to),
        }
    }

    /// The calendar months the period touches, each clipped to the period, oldest first.
    pub fn months(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut first = month_start(self.from.year(), self.from.month()).unwrap_or(self.from);
        while first <= self.to && out.len() < 130 {
            let last = last_of_month(first);
            out.push(Period {
                from: first.max(self.from),
                to: last.min(self.to),
            });
            first = match first.checked_add_months(Months::new(1)) {
                Some(d) => d,
                None => break,
            };
        }
        out
    }

    /// `2026-07` for a month's first day, else `from–to`.
    pub fn month_label(&self) -> String {
        format!("{}-{:02}", self.from.year(), self.from.month())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn years_quarters_and_months_cover_their_days() {
        assert_eq!(
            Period::parse("2026").unwrap(),
            Period {
                from: d("2026-01-01"),
                to: d("2026-12-31")
            }
        );
        assert_eq!(
            Period::parse("2026-Q1").unwrap(),
            Period {
                from: d("2026-01-01"),
                to: d("2026-03-31")
            }
        );
        assert_eq!(
            Period::parse("2024-02").unwrap(),
            Period {
                from: d("2024-02-01"),
                to: d("2024-02-29")
            }
        );
        for bad in [
            "",
            "26",
            "2026-Q5",
            "2026-13",
            "2026-7",
            "next year",
            "2026-Q",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Period::new(d("2026-02-02"), d("2026-02-01")),
            Err(PeriodError::Order)
        );
        assert_eq!(
            Period::new(d("1990-01-01"), d("2026-01-01")),
            Err(PeriodError::Range)
        );
    }

    #[test]
    fn months_are_clipped_to_the_period_and_the_year_before_keeps_the_days() {
        let p = Period::new(d("2026-01-15"), d("2026-03-10")).unwrap();
        let m = p.months();
        assert_eq!(m.len(), 3);
        assert_eq!(
            m[0],
            Period {
                from: d("2026-01-15"),
                to: d("2026-01-31")
            }
        );
        assert_eq!(
            m[2],
            Period {
                from: d("2026-03-01"),
                to: d("2026-03-10")
            }
        );
        assert_eq!(m[1].month_label(), "2026-02");
        let leap = Period::new(d("2024-02-29"), d("2024-12-31")).unwrap();
        assert_eq!(
            leap.year_before(),
            Period {
                from: d("2023-02-28"),
                to: d("2023-12-31")
            }
        );
    }
}
