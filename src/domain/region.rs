//! 行政区划代码 (GB/T 2260 administrative division code): six digits, province / prefecture / county.

use std::fmt;

/// Province-level prefixes in GB/T 2260.
const PROVINCES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

/// A validated six-digit region code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionCode(String);

/// Why a string is not a region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionCodeError;

impl RegionCode {
    /// Parses six digits whose first two name a province-level division.
    pub fn parse(input: &str) -> Result<Self, RegionCodeError> {
        let code = input.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError);
        }
        let province: u8 = code[..2].parse().map_err(|_| RegionCodeError)?;
        if !PROVINCES.contains(&province) {
            return Err(RegionCodeError);
        }
        Ok(Self(code.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad}");
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
        assert_eq!(prefixes("320602"), vec!["32", "3206", "320602"]);
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
