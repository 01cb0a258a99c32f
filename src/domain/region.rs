//! 行政区划代码 (GB/T 2260 administrative division code): six digits, province / prefecture / county,
//! and the shipped table that names every code the product accepts.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

/// Code → name, from the shipped table (`region/gbt2260.tsv`: the 民政部 list plus the grouping
/// rows of GB/T 2260).
static NAMES: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| table(include_str!("region/gbt2260.tsv")));

/// The `code<TAB>name` lines of `text`; `#` starts a comment line.
fn table(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(code, name)| (code.trim(), name.trim()))
        .collect()
}

/// The name of a division in the table (`320612` → `通州区`), `None` for a code it lacks (one
/// that never existed or was abolished, e.g. `320602`).
pub fn name(code: &str) -> Option<&'static str> {
    NAMES.get(code).copied()
}

/// The name with its province and prefecture (`320612` → `江苏省南通市通州区`), without
/// repeating a municipality or naming a grouping row (`110105` → `北京市朝阳区`, `429004` →
/// `湖北省仙桃市`); `None` for a code the table lacks.
pub fn full_name(code: &str) -> Option<String> {
    let own = name(code)?;
    let province = name(&format!("{}0000", code.get(..2)?))?;
    // The name of a province, or of a grouping row, begins with the province's own.
    let stands_alone = |n: &str| n.starts_with(province);
    let mut out = String::new();
    if !stands_alone(own) {
        out.push_str(province);
        if !code.ends_with("00")
            && let Some(p) = name(&format!("{}00", &code[..4])).filter(|p| !stands_alone(p))
        {
            out.push_str(p);
        }
    }
    out.push_str(own);
    Some(out)
}

/// A region code from the table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionCode(String);

/// Why a string is not a region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionCodeError;

impl RegionCode {
    /// Parses a code the shipped table names: a current division (or a grouping row).
    pub fn parse(input: &str) -> Result<Self, RegionCodeError> {
        let code = input.trim();
        match name(code) {
            Some(_) => Ok(Self(code.to_string())),
            None => Err(RegionCodeError),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its name in the table (`320600` → `南通市`).
    pub fn name(&self) -> &'static str {
        name(&self.0).unwrap_or_default()
    }

    /// The level this code names.
    pub fn level(&self) -> RegionLevel {
        if self.0.ends_with("0000") {
            RegionLevel::Province
        } else if self.0.ends_with("00") {
            RegionLevel::Prefecture
        } else {
            RegionLevel::County
        }
    }

    /// Whether `other` lies within this region (a region contains itself).
    pub fn contains(&self, other: &RegionCode) -> bool {
        match self.level() {
            RegionLevel::Province => self.0[..2] == other.0[..2],
            RegionLevel::Prefecture => self.0[..4] == other.0[..4],
            RegionLevel::County => self.0 == other.0,
        }
    }
}

/// The leading digits a region shares with every code inside it: two for a province (`320000`),
/// four for a prefecture (`320600`), all six for a county; `None` for anything but six ASCII
/// digits. The one statement of the region-prefix rule: the access policy, its SQL twin and the
/// search index all ask it.
pub fn covered_prefix(code: &str) -> Option<&str> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = if code.ends_with("0000") {
        2
    } else if code.ends_with("00") {
        4
    } else {
        6
    };
    code.get(..n)
}

/// Whether `region` (an organisation's) covers `case_region` (province, prefecture or county).
pub fn covers(region: &str, case_region: &str) -> bool {
    covered_prefix(region).is_some_and(|p| {
        case_region.len() == 6 && case_region.is_ascii() && case_region.starts_with(p)
    })
}

/// Whether a case of `case_region` is worked across regions: some office working it (owning it,
/// referred it, granted a share of it), of the regions `offices`, does not cover the case's region (a
/// neighbouring city's office, another province's). The case list's `cross_region` filter
/// (`store::cases`) says the same in SQL.
pub fn cross_region<'a>(case_region: &str, offices: impl IntoIterator<Item = &'a str>) -> bool {
    offices.into_iter().any(|o| !covers(o, case_region))
}

/// Every prefix a region covering `code` could have (province, prefecture, county), for index
/// terms; empty for anything but six ASCII digits.
pub fn prefixes(code: &str) -> Vec<&str> {
    if covered_prefix(code).is_none() {
        return Vec::new();
    }
    vec![&code[..2], &code[..4], code]
}

/// Province (省), prefecture (市) or county (区县).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionLevel {
    Province,
    Prefecture,
    County,
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_cross_region_when_an_office_working_it_does_not_cover_its_region() {
        // The city's office, its province's, the city's own centre: one region.
        assert!(!cross_region("320612", ["320600", "320000", "320612"]));
        // A neighbouring city's office, another province's.
        assert!(cross_region("320612", ["320600", "320500"]));
        assert!(cross_region("320612", ["330000"]));
        // A district office does not cover the district next door.
        assert!(cross_region("320612", ["320611"]));
        assert!(!cross_region("320612", []));
    }

    #[test]
    fn parses_and_classifies_levels() {
        assert_eq!(
            RegionCode::parse("320000").unwrap().level(),
            RegionLevel::Province
        );
        assert_eq!(
            RegionCode::parse("320600").unwrap().level(),
            RegionLevel::Prefecture
        );
        assert_eq!(
            RegionCode::parse("320612").unwrap().level(),
            RegionLevel::County
        );
    }

    #[test]
    fn rejects_bad_codes() {
        for bad in [
            "",
            "32060",
            "3206000",
            "99 600",
            "990600",
            "3206a0",
            "０２０６００",
            // Six digits with a real province and prefecture, but no such county.
            "320699",
            // 崇川区 and 港闸区 until 2020, when they merged into 崇川区 320613.
            "320602",
            "320611",
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad}");
            assert!(name(bad).is_none() && full_name(bad).is_none(), "{bad}");
        }
        assert_eq!(RegionCode::parse(" 320613 ").unwrap().as_str(), "320613");
    }

    #[test]
    fn names_come_from_the_table_and_full_names_do_not_repeat_a_municipality() {
        let named = |code: &str| {
            let c = RegionCode::parse(code).unwrap();
            (c.name(), full_name(code).unwrap())
        };
        assert_eq!(named("320000"), ("江苏省", "江苏省".into()));
        assert_eq!(named("320600"), ("南通市", "江苏省南通市".into()));
        assert_eq!(named("320612"), ("通州区", "江苏省南通市通州区".into()));
        assert_eq!(named("110000"), ("北京市", "北京市".into()));
        assert_eq!(named("110100"), ("北京市", "北京市".into()));
        assert_eq!(named("110105"), ("朝阳区", "北京市朝阳区".into()));
        assert_eq!(named("500230"), ("丰都县", "重庆市丰都县".into()));
        assert_eq!(named("429004"), ("仙桃市", "湖北省仙桃市".into()));
        assert_eq!(named("441900"), ("东莞市", "广东省东莞市".into()));
        assert_eq!(named("810000").0, "香港特别行政区");
        assert_eq!(named("820000").0, "澳门特别行政区");
        assert_eq!(named("710000").0, "台湾省");
    }

    #[test]
    fn the_table_names_every_level_of_every_division_it_lists() {
        let text = include_str!("region/gbt2260.tsv");
        let rows = text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(rows, NAMES.len(), "no code is listed twice");
        assert!(NAMES.len() > 3000, "{}", NAMES.len());
        for (code, n) in NAMES.iter() {
            assert!(
                code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
                "{code}"
            );
            assert!(!n.is_empty() && !n.contains(char::is_whitespace), "{code}");
            let province = name(&format!("{}0000", &code[..2]));
            assert!(province.is_some(), "{code} has no province");
            if !code.ends_with("00") {
                assert!(name(&format!("{}00", &code[..4])).is_some(), "{code}");
            }
            // Only a province and a grouping row begin with the province's name.
            if !code.ends_with("0000") && n.starts_with(province.unwrap()) {
                assert!(matches!(&code[2..], "0100" | "0200" | "9000"), "{code} {n}");
            }
        }
    }

    #[test]
    fn prefixes_follow_the_level_and_cover_what_lies_within() {
        assert_eq!(covered_prefix("320000"), Some("32"));
        assert_eq!(covered_prefix("320600"), Some("3206"));
        assert_eq!(covered_prefix("320612"), Some("320612"));
        assert_eq!(covered_prefix("32061"), None);
        assert_eq!(covered_prefix("32a600"), None);
        assert!(covers("320000", "320612") && covers("320600", "320612"));
        assert!(covers("320612", "320612") && !covers("320612", "320600"));
        assert!(!covers("320500", "320612") && !covers("3206", "320612"));
        assert!(!covers("320600", "3206"));
        assert_eq!(prefixes("320613"), vec!["32", "3206", "320613"]);
        assert!(prefixes("32").is_empty());
    }

    #[test]
    fn containment_follows_the_hierarchy() {
        let js = RegionCode::parse("320000").unwrap();
        let nt = RegionCode::parse("320600").unwrap();
        let cc = RegionCode::parse("320612").unwrap();
        let sh = RegionCode::parse("310000").unwrap();
        assert!(js.contains(&nt) && js.contains(&cc) && nt.contains(&cc));
        assert!(!nt.contains(&js) && !sh.contains(&nt) && cc.contains(&cc));
    }
}
