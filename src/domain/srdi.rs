//! 专精特新 (SRDI) designations: 省级专精特新中小企业 and 国家级专精特新"小巨人"企业.

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

/// The highest level among an enterprise's designations (what case lists sort by).
pub fn highest(levels: impl IntoIterator<Item = SrdiLevel>) -> Option<SrdiLevel> {
    levels.into_iter().max()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
