//! Organisations, roles and account names: the identity vocabulary every other rule speaks.

use std::fmt;
use std::str::FromStr;

/// What kind of body an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgKind {
    /// 企业 — files complaints about its own rights.
    Enterprise,
    /// 知识产权局 — IP office.
    IpOffice,
    /// 工业和信息化部门 — industry-and-IT office.
    IndustryOffice,
    /// 维权援助中心 / 知识产权保护中心.
    AssistanceCenter,
    /// 市场监督管理部门 — takes the non-patent complaints of an exhibition at its close.
    MarketRegulator,
    /// Any other government agency.
    OtherAgency,
    /// 海关 — customs, a body of joint enforcement at the border.
    Customs,
    /// 公安机关 — public security, which takes suspected crimes referred to it.
    PublicSecurity,
    /// 维权援助工作站 — an assistance centre's workstation at an industrial park or a cluster of
    /// 专精特新 enterprises: takes complaints and consultations for its centre (its parent),
    /// which triages them.
    Workstation,
}

impl OrgKind {
    pub const ALL: [OrgKind; 9] = [
        Self::Enterprise,
        Self::IpOffice,
        Self::IndustryOffice,
        Self::AssistanceCenter,
        Self::MarketRegulator,
        Self::Customs,
        Self::PublicSecurity,
        Self::OtherAgency,
        Self::Workstation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enterprise => "enterprise",
            Self::IpOffice => "ip_office",
            Self::IndustryOffice => "industry_office",
            Self::AssistanceCenter => "assistance_center",
            Self::MarketRegulator => "market_regulator",
            Self::OtherAgency => "other_agency",
            Self::Customs => "customs",
            Self::PublicSecurity => "public_security",
            Self::Workstation => "workstation",
        }
    }

    /// Whether this is a government body (everything but an enterprise).
    pub fn is_office(self) -> bool {
        self != Self::Enterprise
    }

    /// Whether this kind of organisation answers consultations (咨询).
    pub fn answers_consultations(self) -> bool {
        matches!(
            self,
            Self::IpOffice | Self::AssistanceCenter | Self::Workstation
        )
    }

    /// Whether this kind of office triages leads, and so sets its own triage standard.
    pub fn triages(self) -> bool {
        matches!(self, Self::IpOffice | Self::AssistanceCenter)
    }
}

/// The longest triage standard an office may set for itself, in working days.
pub const MAX_TRIAGE_WORKING_DAYS: u32 = 30;

/// An office's own triage standard (分诊服务承诺) as entered: empty for the default, else 1 to
/// [`MAX_TRIAGE_WORKING_DAYS`] working days, and only for an office that triages. The error is a
/// catalogue key.
pub fn triage_standard(kind: OrgKind, entered: Option<&str>) -> Result<Option<u32>, &'static str> {
    let Some(text) = entered.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if !kind.triages() {
        return Err("error.org.triage_days_kind");
    }
    match text.parse::<u32>() {
        Ok(days) if (1..=MAX_TRIAGE_WORKING_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err("error.org.triage_days"),
    }
}

/// The fast-track triage standard (专精特新快速通道) of an office that set none, in working days
/// (宁夏 measures §9 ask for a fast track; the figure is the offices' own, so it is data).
pub const SRDI_TRIAGE_WORKING_DAYS: u32 = 3;

/// The triage standard of a lead, in working days (`None`: the deadline rules' default): for a
/// 专精特新 enterprise's, the office's fast-track standard — [`SRDI_TRIAGE_WORKING_DAYS`] unless it
/// set its own — and never longer than the office's ordinary one; otherwise the ordinary one.
pub fn lead_triage_days(srdi: bool, ordinary: Option<u32>, fast: Option<u32>) -> Option<u32> {
    if !srdi {
        return ordinary;
    }
    let fast = fast.unwrap_or(SRDI_TRIAGE_WORKING_DAYS);
    Some(ordinary.map_or(fast, |o| fast.min(o)))
}

/// What a user may do, by job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 企业申报人 — files and follows its enterprise's complaints.
    EnterpriseFiler,
    /// 分诊员 — triages leads at an assistance / protection centre.
    Triager,
    /// 执法人员 — works cases.
    Officer,
    /// 负责人 — approves extensions, assigns panels; can do what an officer does.
    Supervisor,
    /// 系统管理员 — organisations, users, audit log.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::EnterpriseFiler,
        Self::Triager,
        Self::Officer,
        Self::Supervisor,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EnterpriseFiler => "enterprise_filer",
            Self::Triager => "triager",
            Self::Officer => "officer",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    /// Whether a user with this role may belong to an organisation of `kind`.
    pub fn fits(self, kind: OrgKind) -> bool {
        match self {
            Self::EnterpriseFiler => kind == OrgKind::Enterprise,
            Self::Triager => kind == OrgKind::AssistanceCenter,
            Self::Officer | Self::Supervisor => kind.is_office(),
            // A workstation's staff take things in; its centre administers it.
            Self::Admin => kind.is_office() && kind != OrgKind::Workstation,
        }
    }
}

/// An unknown name for an enumerated value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName(pub String);

macro_rules! name_conversions {
    ($ty:ty) => {
        impl FromStr for $ty {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| UnknownName(s.to_string()))
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
name_conversions!(OrgKind);
name_conversions!(Role);

/// A login name: 3–32 characters of a–z, 0–9, `.`, `_`, `-`, starting with a letter or digit;
/// stored lower-case so that `Wang` and `wang` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let name = input.trim().to_ascii_lowercase();
        let len = name.chars().count();
        if !(3..=32).contains(&len) {
            return Err("error.username.length");
        }
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if !name.chars().all(ok_char) || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err("error.username.characters");
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srdi_leads_are_triaged_on_the_fast_track() {
        // Nothing set: 3 working days for SRDI, the rules' default for the others.
        assert_eq!(lead_triage_days(true, None, None), Some(3));
        assert_eq!(lead_triage_days(false, None, None), None);
        // The office's own standards.
        assert_eq!(lead_triage_days(true, Some(5), Some(2)), Some(2));
        assert_eq!(lead_triage_days(false, Some(5), Some(2)), Some(5));
        // Never slower than the ordinary track.
        assert_eq!(lead_triage_days(true, Some(2), None), Some(2));
        assert_eq!(lead_triage_days(true, Some(4), Some(6)), Some(4));
    }

    #[test]
    fn names_round_trip() {
        for kind in OrgKind::ALL {
            assert_eq!(kind.as_str().parse::<OrgKind>().unwrap(), kind);
        }
        for role in Role::ALL {
            assert_eq!(role.to_string().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn an_office_that_triages_sets_its_own_standard_within_bounds() {
        assert_eq!(
            triage_standard(OrgKind::AssistanceCenter, Some(" 5 ")),
            Ok(Some(5))
        );
        assert_eq!(triage_standard(OrgKind::IpOffice, Some("")), Ok(None));
        assert_eq!(triage_standard(OrgKind::IpOffice, None), Ok(None));
        assert_eq!(
            triage_standard(OrgKind::AssistanceCenter, Some("0")),
            Err("error.org.triage_days")
        );
        assert_eq!(
            triage_standard(OrgKind::AssistanceCenter, Some("31")),
            Err("error.org.triage_days")
        );
        assert_eq!(
            triage_standard(OrgKind::Enterprise, Some("5")),
            Err("error.org.triage_days_kind")
        );
    }

    #[test]
    fn roles_fit_only_their_kind_of_organisation() {
        assert!(Role::EnterpriseFiler.fits(OrgKind::Enterprise));
        assert!(!Role::EnterpriseFiler.fits(OrgKind::IpOffice));
        assert!(Role::Triager.fits(OrgKind::AssistanceCenter));
        assert!(!Role::Triager.fits(OrgKind::IpOffice));
        assert!(Role::Officer.fits(OrgKind::IndustryOffice));
        assert!(!Role::Officer.fits(OrgKind::Enterprise));
        assert!(!Role::Admin.fits(OrgKind::Enterprise));
    }

    #[test]
    fn usernames_are_folded_and_checked() {
        assert_eq!(
            Username::parse(" Demo-Admin ").unwrap().as_str(),
            "demo-admin"
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("-abc").is_err());
        assert!(Username::parse("王敏abc").is_err());
        assert!(Username::parse("a b c").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }
}
