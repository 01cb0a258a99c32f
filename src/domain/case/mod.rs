//! Cases: the names of queues, states, channels and right kinds (API.md "Names"), validated
//! intake, the triage state machine and duplicate matching. Pure: no database, no clock.

pub mod import;
pub mod intake;
pub mod triage;
mod vocab;

pub use vocab::{CaseState, EventKind};

names! {
    /// Where a case is worked.
    Queue {
        Triage = "triage",
        AdministrativeRuling = "administrative_ruling",
        ExhibitionEnforcement = "exhibition_enforcement",
        OverseasAssistance = "overseas_assistance",
    }
}

names! {
    /// How the lead reached weiquan.
    Source {
        Complaint = "complaint",
        Officer = "officer",
        Shared = "shared",
        Hotline12330 = "hotline_12330",
    }
}

names! {
    /// Where the infringement happens.
    Channel {
        Exhibition = "exhibition",
        ECommerce = "e_commerce",
        OfflineMarket = "offline_market",
        Overseas = "overseas",
        CrossBorderECommerce = "cross_border_e_commerce",
        Other = "other",
    }
}

names! {
    /// The kind of right asserted.
    RightKind {
        InventionPatent = "invention_patent",
        UtilityModel = "utility_model",
        DesignPatent = "design_patent",
        Trademark = "trademark",
        Copyright = "copyright",
        TradeSecret = "trade_secret",
        Other = "other",
    }
}

names! {
    /// The complainant's standing (Order 81: the patentee or an interested party).
    Standing {
        Patentee = "patentee",
        ExclusiveLicensee = "exclusive_licensee",
        SoleLicensee = "sole_licensee",
        OrdinaryLicensee = "ordinary_licensee",
    }
}

names! {
    /// Categories of overseas assistance (Order 801).
    OverseasCategory {
        Us337 = "us_337",
        ForeignLitigation = "foreign_litigation",
        OverseasExhibitionOrCustoms = "overseas_exhibition_or_customs",
        TrademarkSquatting = "trademark_squatting",
        CrossBorderPlatformTakedown = "cross_border_platform_takedown",
        Other = "other",
    }
}

names! {
    /// What a share allows the other office to do.
    ShareAccess {
        Read = "read",
        Contribute = "contribute",
    }
}

names! {
    /// Why a case is shared with an office.
    ShareOrigin {
        /// An office shared it to work with another (the statistics' "shared" cases).
        Granted = "granted",
        /// The office that owned it keeps reading it after it moved.
        Handover = "handover",
        /// The office that triaged a lead it does not own keeps reading it.
        Triaged = "triaged",
        /// A procedure needs another office to read it: a superior deciding an escalation or
        /// an extension, a fund's reviewers, the workstation that took the lead in.
        Procedure = "procedure",
    }
}

names! {
    /// A party's part in the case.
    PartyRole {
        Complainant = "complainant",
        Respondent = "respondent",
        Agent = "agent",
        /// A third party with an interest in the outcome (Order 81 Art. 24).
        ThirdParty = "third_party",
    }
}

impl RightKind {
    /// Patents carry a checked application number.
    pub fn is_patent(self) -> bool {
        matches!(
            self,
            Self::InventionPatent | Self::UtilityModel | Self::DesignPatent
        )
    }
}

impl Queue {
    /// The queues triage may route into.
    pub const WORK: [Queue; 3] = [
        Queue::AdministrativeRuling,
        Queue::ExhibitionEnforcement,
        Queue::OverseasAssistance,
    ];
}

/// The human case number, `WQ-2026-000123`.
pub fn case_number(year: i32, n: i64) -> String {
    format!("WQ-{year}-{n:06}")
}

/// SRDI rank for sorting: 0 none, 1 provincial, 2 national.
pub fn srdi_name(rank: i16) -> &'static str {
    match rank {
        2 => "national_little_giant",
        1 => "provincial_srdi",
        _ => "none",
    }
}

/// What makes two cases likely the same matter (DOMAIN.md "Duplicates").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchKeys {
    /// Respondent names (normalised) and credit codes.
    pub respondents: Vec<String>,
    /// Normalised right numbers.
    pub rights: Vec<String>,
    /// Normalised listing URLs.
    pub listing_urls: Vec<String>,
}

/// A respondent name for comparison: without spaces and brackets in either width.
pub fn normalise_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// A party as it is recognised across cases: by its credit code when known, else its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyKey {
    pub uscc: Option<String>,
    pub name: String,
}

impl PartyKey {
    /// The same party: by credit code when both have one, else by name.
    pub fn same_as(&self, other: &PartyKey) -> bool {
        match (&self.uscc, &other.uscc) {
            (Some(a), Some(b)) => a == b,
            _ => normalise_name(&self.name) == normalise_name(&other.name),
        }
    }
}

/// A listing URL for comparison: scheme, `www.`, fragment and trailing slash dropped.
pub fn normalise_url(url: &str) -> String {
    let u = url.trim();
    let u = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(u);
    let u = u.strip_prefix("www.").unwrap_or(u);
    let u = u.split('#').next().unwrap_or(u);
    u.trim_end_matches('/').to_lowercase()
}

/// Same respondent and same right, or the same listing URL.
pub fn is_duplicate(a: &MatchKeys, b: &MatchKeys) -> bool {
    let shared = |x: &[String], y: &[String]| x.iter().any(|v| y.contains(v));
    (shared(&a.respondents, &b.respondents) && shared(&a.rights, &b.rights))
        || shared(&a.listing_urls, &b.listing_urls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for q in Queue::ALL {
            assert_eq!(Queue::parse(q.as_str()), Some(*q));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
        }
        assert_eq!(RightKind::parse("trademark"), Some(RightKind::Trademark));
        assert_eq!(RightKind::parse("Trademark"), None);
        assert_eq!(Source::parse("hotline_12330"), Some(Source::Hotline12330));
    }

    /// Names shown on pages are labelled through the catalogue by `section.name`.
    #[test]
    fn every_name_has_a_label_in_both_languages() {
        let mut keys: Vec<String> = Vec::new();
        keys.extend(Queue::ALL.iter().map(|v| format!("queue.{v}")));
        keys.extend(Channel::ALL.iter().map(|v| format!("channel.{v}")));
        keys.extend(RightKind::ALL.iter().map(|v| format!("right_kind.{v}")));
        keys.extend(Standing::ALL.iter().map(|v| format!("standing.{v}")));
        keys.extend(Source::ALL.iter().map(|v| format!("source.{v}")));
        keys.extend(
            OverseasCategory::ALL
                .iter()
                .map(|v| format!("overseas_category.{v}")),
        );
        keys.extend(ShareAccess::ALL.iter().map(|v| format!("share_access.{v}")));
        keys.extend(PartyRole::ALL.iter().map(|v| format!("party_role.{v}")));
        keys.extend(
            triage::REJECT_REASONS
                .iter()
                .map(|v| format!("reject_reason.{v}")),
        );
        let missing: Vec<&String> = keys.iter().filter(|k| !crate::i18n::has(k)).collect();
        assert!(missing.is_empty(), "missing labels: {missing:?}");
    }

    #[test]
    fn case_numbers_have_six_digits_and_grow() {
        assert_eq!(case_number(2026, 123), "WQ-2026-000123");
        assert_eq!(case_number(2026, 1_234_567), "WQ-2026-1234567");
    }

    #[test]
    fn duplicates_need_respondent_and_right_or_a_listing() {
        let a = MatchKeys {
            respondents: vec![normalise_name("某某科技 有限公司（南通）")],
            rights: vec!["ZL202310123456.6".into()],
            listing_urls: vec![normalise_url("https://item.example.com/123/")],
        };
        let same_pair = MatchKeys {
            respondents: vec![normalise_name("某某科技有限公司(南通)")],
            rights: vec!["ZL202310123456.6".into()],
            listing_urls: vec![],
        };
        let only_respondent = MatchKeys {
            rights: vec!["ZL202410000001.3".into()],
            ..same_pair.clone()
        };
        let same_listing = MatchKeys {
            listing_urls: vec![normalise_url("http://www.item.example.com/123#x")],
            ..Default::default()
        };
        assert!(is_duplicate(&a, &same_pair));
        assert!(!is_duplicate(&a, &only_respondent));
        assert!(is_duplicate(&a, &same_listing));
        assert!(!is_duplicate(&a, &MatchKeys::default()));
    }
}
