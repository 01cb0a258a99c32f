//! 专精特新 (SRDI) designations: 省级专精特新中小企业 and 国家级专精特新"小巨人"企业, and the rules for
//! a registry entry as typed into the form or read from a CSV file (`uscc,name,level,year,source`).

mod file;

pub use file::{ParsedFile, RowError, parse_csv};

use super::contact;
use super::uscc::Uscc;
use std::fmt;
use std::str::FromStr;

/// The level of an enterprise's designation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SrdiLevel {
    /// 省级专精特新中小企业.
    ProvincialSrdi,
    /// 国家级专精特新"小巨人"企业 (ranks above provincial).
    NationalLittleGiant,
}

impl SrdiLevel {
    pub const ALL: [SrdiLevel; 2] = [Self::ProvincialSrdi, Self::NationalLittleGiant];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProvincialSrdi => "provincial_srdi",
            Self::NationalLittleGiant => "national_little_giant",
        }
    }

    /// Catalogue key of the level's name.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::ProvincialSrdi => "srdi.provincial_srdi",
            Self::NationalLittleGiant => "srdi.national_little_giant",
        }
    }

    /// The flag a case carries for this level: 1 provincial, 2 national (0 is "none", see
    /// [`rank_of`]). Case lists sort by it.
    pub fn rank(self) -> i16 {
        match self {
            Self::ProvincialSrdi => 1,
            Self::NationalLittleGiant => 2,
        }
    }

    /// The level of a stored flag; 0 (and anything unknown) is none.
    pub fn from_rank(rank: i16) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.rank() == rank)
    }

    /// Reads a level as a list or a spreadsheet writes it: the stored name, or 省级专精特新,
    /// 国家级小巨人 or 小巨人.
    pub fn from_label(label: &str) -> Option<Self> {
        match label.trim() {
            "provincial_srdi" | "省级专精特新" => Some(Self::ProvincialSrdi),
            "national_little_giant" | "国家级小巨人" | "小巨人" => {
                Some(Self::NationalLittleGiant)
            }
            _ => None,
        }
    }
}

impl FromStr for SrdiLevel {
    type Err = super::identity::UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| super::identity::UnknownName(s.to_string()))
    }
}

impl fmt::Display for SrdiLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The flag of an optional level: 0 none, 1 provincial, 2 national.
pub fn rank_of(level: Option<SrdiLevel>) -> i16 {
    level.map_or(0, SrdiLevel::rank)
}

/// The highest level among an enterprise's designations (what case lists sort by).
pub fn highest(levels: impl IntoIterator<Item = SrdiLevel>) -> Option<SrdiLevel> {
    levels.into_iter().max()
}

/// The first year a list may carry (provincial 专精特新 lists began in 2011).
pub const FIRST_YEAR: i32 = 2011;

/// A registry entry whose every field is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub uscc: Uscc,
    /// The enterprise's name as listed.
    pub name: String,
    pub level: SrdiLevel,
    pub year: i32,
    /// The published list or notice.
    pub source: String,
}

/// An entry as typed or read, before validation.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawEntry<'a> {
    pub uscc: &'a str,
    pub name: &'a str,
    pub level: &'a str,
    pub year: &'a str,
    pub source: &'a str,
}

/// One invalid field: its name and the catalogue key of the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub key: &'static str,
}

fn problem(field: &'static str, key: &'static str) -> Problem {
    Problem { field, key }
}

/// Validates an entry; every invalid field is reported at once. `current_year` is the year now
/// (Beijing time): lists of next year may be recorded as soon as they are announced.
pub fn validate(raw: &RawEntry<'_>, current_year: i32) -> Result<Entry, Vec<Problem>> {
    let mut problems = Vec::new();
    let fields = [
        ("uscc", raw.uscc),
        ("name", raw.name),
        ("level", raw.level),
        ("year", raw.year),
        ("source", raw.source),
    ];
    for (field, value) in fields {
        if contact::has_control(value) {
            problems.push(problem(field, "error.text.control"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let uscc = if raw.uscc.trim().is_empty() {
        problems.push(problem("uscc", "srdi_registry.error.uscc_missing"));
        None
    } else {
        Uscc::parse(raw.uscc)
            .map_err(|e| problems.push(problem("uscc", e.message_key())))
            .ok()
    };
    let name = raw.name.trim();
    if !(2..=100).contains(&name.chars().count()) {
        problems.push(problem("name", "srdi_registry.error.name"));
    }
    let level = SrdiLevel::from_label(raw.level);
    if level.is_none() {
        problems.push(problem("level", "srdi_registry.error.level"));
    }
    let year = raw
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (FIRST_YEAR..=current_year + 1).contains(y));
    if year.is_none() {
        problems.push(problem("year", "srdi_registry.error.year"));
    }
    let source = raw.source.trim();
    if !(2..=200).contains(&source.chars().count()) {
        problems.push(problem("source", "srdi_registry.error.source"));
    }
    match (uscc, level, year) {
        (Some(uscc), Some(level), Some(year)) if problems.is_empty() => Ok(Entry {
            uscc,
            name: name.to_string(),
            level,
            year,
            source: source.to_string(),
        }),
        _ => Err(problems),
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::uscc::complete;

    fn code(body: &str) -> String {
        complete(body).unwrap().as_str().to_string()
    }

    #[test]
    fn little_giant_ranks_above_provincial() {
        assert_eq!(
            highest([SrdiLevel::ProvincialSrdi, SrdiLevel::NationalLittleGiant]),
            Some(SrdiLevel::NationalLittleGiant)
        );
        assert_eq!(highest([]), None);
        assert_eq!(
            "national_little_giant".parse::<SrdiLevel>().unwrap(),
            SrdiLevel::NationalLittleGiant
        );
        assert!("none".parse::<SrdiLevel>().is_err());
    }

    #[test]
    fn ranks_round_trip_and_zero_is_none() {
        for level in SrdiLevel::ALL {
            assert_eq!(SrdiLevel::from_rank(level.rank()), Some(level));
        }
        assert_eq!(SrdiLevel::ProvincialSrdi.rank(), 1);
        assert_eq!(SrdiLevel::NationalLittleGiant.rank(), 2);
        assert_eq!(SrdiLevel::from_rank(0), None);
        assert_eq!(SrdiLevel::from_rank(3), None);
        assert_eq!(rank_of(None), 0);
        assert_eq!(
            rank_of(highest([SrdiLevel::ProvincialSrdi])),
            SrdiLevel::ProvincialSrdi.rank()
        );
    }

    #[test]
    fn levels_are_read_in_either_language() {
        for (label, level) in [
            ("provincial_srdi", SrdiLevel::ProvincialSrdi),
            (" 省级专精特新 ", SrdiLevel::ProvincialSrdi),
            ("national_little_giant", SrdiLevel::NationalLittleGiant),
            ("国家级小巨人", SrdiLevel::NationalLittleGiant),
            ("小巨人", SrdiLevel::NationalLittleGiant),
        ] {
            assert_eq!(SrdiLevel::from_label(label), Some(level), "{label}");
        }
        for bad in ["", "专精特新", "national", "Provincial_SRDI"] {
            assert_eq!(SrdiLevel::from_label(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_good_entry_is_trimmed_and_upper_cased() {
        let c = code("91320600MA1N2HX3Q");
        let lower = format!(" {} ", c.to_lowercase());
        let raw = RawEntry {
            uscc: &lower,
            name: " 南通华信精密机械有限公司 ",
            level: "小巨人",
            year: " 2024 ",
            source: "工业和信息化部第六批专精特新“小巨人”企业名单",
        };
        let e = validate(&raw, 2026).unwrap();
        assert_eq!(e.uscc.as_str(), c);
        assert_eq!(e.name, "南通华信精密机械有限公司");
        assert_eq!(e.level, SrdiLevel::NationalLittleGiant);
        assert_eq!(e.year, 2024);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let raw = RawEntry {
            uscc: "91320600MA1N2HX3",
            name: "华",
            level: "市级",
            year: "2010",
            source: "",
        };
        let fields: Vec<&str> = validate(&raw, 2026)
            .unwrap_err()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["uscc", "name", "level", "year", "source"]);
        let missing = RawEntry { uscc: " ", ..raw };
        assert_eq!(
            validate(&missing, 2026).unwrap_err()[0].key,
            "srdi_registry.error.uscc_missing"
        );
        let control = RawEntry {
            name: "华信\u{0}精密",
            ..raw
        };
        assert_eq!(
            validate(&control, 2026).unwrap_err(),
            [problem("name", "error.text.control")]
        );
    }

    #[test]
    fn years_run_from_2011_to_next_year() {
        let c = code("91320600MA1N2HX3Q");
        let at = |year: &str| {
            validate(
                &RawEntry {
                    uscc: &c,
                    name: "华信精密",
                    level: "provincial_srdi",
                    year,
                    source: "江苏省名单",
                },
                2026,
            )
            .is_ok()
        };
        assert!(at("2011") && at("2026") && at("2027"));
        assert!(!at("2010") && !at("2028") && !at("二〇二四") && !at("2024.5"));
    }
}
