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
    fn containment_follows_the_hierarchy() {
        let js = RegionCode::parse("320000").unwrap();
        let nt = RegionCode::parse("320600").unwrap();
        let cc = RegionCode::parse("320612").unwrap();
        let sh = RegionCode::parse("310000").unwrap();
        assert!(js.contains(&nt) && js.contains(&cc) && nt.contains(&cc));
        assert!(!nt.contains(&js) && !sh.contains(&nt) && cc.contains(&cc));
    }
}
