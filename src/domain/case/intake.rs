//! Validation of a lead or complaint into a case ready to be stored. Every problem becomes a field
//! error with the request's field path (`rights[0].number`), so a form can show it beside the
//! field and come back filled in.

use super::{Channel, OverseasCategory, RightKind, Source, Standing};
use crate::domain::contact::{has_control_multiline, normalise_multiline};
use crate::domain::region::RegionCode;
use crate::domain::rights::{PatentNumber, PatentType, TrademarkNumber};
use crate::domain::time::beijing;
use crate::domain::uscc::Uscc;
use crate::error::FieldError;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};

/// At most this many rights and respondents per case.
pub const MAX_ITEMS: usize = 10;

/// A complaint (`POST /api/v1/complaints`) or a lead (`POST /api/v1/cases`) as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// Made from the right and the respondent when not given.
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// What happened, in the complainant's words.
    #[schema(required = true, min_length = 10, max_length = 5000)]
    pub description: String,
    /// Where the infringement was found.
    #[schema(required = true, value_type = crate::domain::case::Channel)]
    pub channel: String,
    /// A region code in force (行政区划代码).
    #[schema(required = true, pattern = "^[0-9]{6}$")]
    pub region_code: String,
    #[schema(value_type = Option<crate::domain::case::Standing>)]
    pub complainant_standing: Option<String>,
    /// For leads: who complains (a complaint's complainant is the filing enterprise).
    pub complainant: Option<PartyInput>,
    #[schema(required = true, min_items = 1, max_items = 10)]
    pub rights: Vec<RightInput>,
    #[schema(required = true, min_items = 1, max_items = 10)]
    pub respondents: Vec<PartyInput>,
    pub exhibition: Option<ExhibitionInput>,
    /// A complaint made at an exhibition's complaint station (2006 Measures Art. 11): the
    /// exhibition's facts come from its record (`exhibition.booth` may still say where), and the
    /// case goes to the exhibition's office at once instead of waiting in triage.
    pub exhibition_id: Option<i64>,
    pub overseas: Option<OverseasInput>,
    /// For leads: `officer`, `shared` or `hotline_12330`.
    #[schema(pattern = "^(officer|shared|hotline_12330)$")]
    pub source: Option<String>,
    /// For leads: when the lead was received (defaults to now): RFC 3339 or a Beijing local
    /// time `YYYY-MM-DDTHH:MM`, never in the future.
    pub received_at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct RightInput {
    #[schema(value_type = crate::domain::case::RightKind)]
    pub kind: String,
    pub number: Option<String>,
    pub title: String,
    pub holder: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    pub name: String,
    pub uscc: Option<String>,
    pub address: Option<String>,
    pub listing_url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct ExhibitionInput {
    pub name: String,
    pub venue: String,
    pub booth: Option<String>,
    pub organiser: Option<String>,
    pub opens_at: String,
    pub closes_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct OverseasInput {
    pub country: String,
    pub category: String,
    pub foreign_deadline: Option<String>,
    pub time_zone: Option<String>,
}

/// A validated right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Right {
    pub kind: RightKind,
    pub number: Option<String>,
    pub title: String,
    pub holder: Option<String>,
}

/// A validated party.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    pub name: String,
    pub uscc: Option<String>,
    pub address: Option<String>,
    pub listing_url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// Channel facts, stored with the case as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exhibition: Option<Exhibition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overseas: Option<Overseas>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exhibition {
    pub name: String,
    pub venue: String,
    pub booth: Option<String>,
    pub organiser: Option<String>,
    pub opens_at: DateTime<FixedOffset>,
    pub closes_at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overseas {
    pub country: String,
    pub category: String,
    /// The foreign hard deadline in its own time zone.
    pub foreign_deadline: Option<DateTime<FixedOffset>>,
    pub time_zone: Option<String>,
}

/// A case ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCase {
    pub title: String,
    pub description: String,
    pub channel: Channel,
    pub region: RegionCode,
    pub standing: Option<Standing>,
    pub complainant: Option<Party>,
    pub rights: Vec<Right>,
    pub respondents: Vec<Party>,
    pub facts: Facts,
    pub source: Source,
    pub received_at: Option<DateTime<FixedOffset>>,
}

/// Who is submitting, which decides the required fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitter {
    /// An enterprise filing its own complaint: standing required, it is the complainant.
    Enterprise,
    /// An office entering a lead: source required; the complainant is optional.
    Office,
}

struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    fn err(&mut self, field: impl Into<String>, key: &'static str) {
        self.errors.push(FieldError::new(field, key));
    }

    /// A required single-line text of `min..=max` characters.
    fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let v = value.trim();
        let n = v.chars().count();
        if v.chars().any(char::is_control) {
            self.err(field, "error.text.control");
        } else if n < min {
            self.err(field, "error.required");
        } else if n > max {
            self.err(field, "error.text.too_long");
        }
        v.to_string()
    }

    /// An optional single-line text of at most `max` characters.
    fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        if v.chars().any(char::is_control) {
            self.err(field, "error.text.control");
        } else if v.chars().count() > max {
            self.err(field, "error.text.too_long");
        }
        Some(v.to_string())
    }
}

/// Validates `input`; all problems are reported together.
pub fn validate(input: &CaseInput, who: Submitter) -> Result<ValidCase, Vec<FieldError>> {
    let mut c = Check { errors: Vec::new() };

    let description = normalise_multiline(&input.description);
    let len = description.chars().count();
    if has_control_multiline(&description) {
        c.err("description", "error.text.control");
    } else if len < 10 {
        c.err("description", "error.case.description_short");
    } else if len > 5000 {
        c.err("description", "error.text.too_long");
    }
    let title = c.opt_text("title", input.title.as_deref(), 100);
    let channel = Channel::parse(input.channel.trim());
    if channel.is_none() {
        c.err("channel", "error.case.channel");
    }
    let region = RegionCode::parse(&input.region_code).ok();
    if region.is_none() {
        c.err("region_code", "error.region");
    }
    let standing = match (who, input.complainant_standing.as_deref().map(str::trim)) {
        (_, Some(s)) if !s.is_empty() => {
            let st = Standing::parse(s);
            if st.is_none() {
                c.err("complainant_standing", "error.case.standing");
            }
            st
        }
        (Submitter::Enterprise, _) => {
            c.err("complainant_standing", "error.case.standing");
            None
        }
        (Submitter::Office, _) => None,
    };
    let source = match who {
        Submitter::Enterprise => Some(Source::Complaint),
        Submitter::Office => {
            let s = input
                .source
                .as_deref()
                .map(str::trim)
                .and_then(Source::parse)
                .filter(|s| *s != Source::Complaint);
            if s.is_none() {
                c.err("source", "error.case.source");
            }
            s
        }
    };
    let received_at = match (who, input.received_at.as_deref().map(str::trim)) {
        (Submitter::Office, Some(t)) if !t.is_empty() => {
            let at = parse_instant(t, &beijing());
            if at.is_none() {
                c.err("received_at", "error.datetime");
            }
            at
        }
        _ => None,
    };
    let complainant = match (who, &input.complainant) {
        (Submitter::Office, Some(p)) if !p.name.trim().is_empty() => {
            Some(party(&mut c, "complainant", p))
        }
        _ => None,
    };

    if input.rights.is_empty() {
        c.err("rights", "error.case.rights_required");
    } else if input.rights.len() > MAX_ITEMS {
        c.err("rights", "error.case.too_many");
    }
    let rights: Vec<Right> = input
        .rights
        .iter()
        .take(MAX_ITEMS)
        .enumerate()
        .map(|(i, r)| right(&mut c, &format!("rights[{i}]"), r))
        .collect();

    if input.respondents.is_empty() {
        c.err("respondents", "error.case.respondents_required");
    } else if input.respondents.len() > MAX_ITEMS {
        c.err("respondents", "error.case.too_many");
    }
    let respondents: Vec<Party> = input
        .respondents
        .iter()
        .take(MAX_ITEMS)
        .enumerate()
        .map(|(i, p)| party(&mut c, &format!("respondents[{i}]"), p))
        .collect();

    let mut facts = Facts::default();
    match channel {
        Some(Channel::Exhibition) => match &input.exhibition {
            Some(e) => facts.exhibition = exhibition(&mut c, e),
            None => c.err("exhibition.name", "error.required"),
        },
        Some(Channel::Overseas | Channel::CrossBorderECommerce) => match &input.overseas {
            Some(o) => facts.overseas = overseas(&mut c, o),
            None => c.err("overseas.country", "error.required"),
        },
        _ => {}
    }

    let (Some(channel), Some(region), Some(source), true) =
        (channel, region, source, c.errors.is_empty())
    else {
        return Err(c.errors);
    };
    let title = title.unwrap_or_else(|| generated_title(&respondents, &rights));
    Ok(ValidCase {
        title,
        description,
        channel,
        region,
        standing,
        complainant,
        rights,
        respondents,
        facts,
        source,
        received_at,
    })
}

/// Channel facts supplied on their own (a triager adding what a queue needs).
pub fn validate_facts(
    exhibition_input: Option<&ExhibitionInput>,
    overseas_input: Option<&OverseasInput>,
) -> Result<Facts, Vec<FieldError>> {
    let mut c = Check { errors: Vec::new() };
    let facts = Facts {
        exhibition: exhibition_input.and_then(|e| exhibition(&mut c, e)),
        overseas: overseas_input.and_then(|o| overseas(&mut c, o)),
    };
    if c.errors.is_empty() {
        Ok(facts)
    } else {
        Err(c.errors)
    }
}

/// `某某科技有限公司 涉嫌侵犯 ZL202310123456.6` when the filer gave no title.
fn generated_title(respondents: &[Party], rights: &[Right]) -> String {
    let who = respondents.first().map(|p| p.name.as_str()).unwrap_or("");
    let what = rights
        .first()
        .map(|r| r.number.clone().unwrap_or_else(|| r.title.clone()))
        .unwrap_or_default();
    let t = format!("{who} 涉嫌侵犯 {what}");
    t.chars().take(100).collect()
}

fn right(c: &mut Check, path: &str, r: &RightInput) -> Right {
    let kind = RightKind::parse(r.kind.trim());
    if kind.is_none() {
        c.err(format!("{path}.kind"), "error.case.right_kind");
    }
    let title = c.text(&format!("{path}.title"), &r.title, 1, 200);
    let holder = c.opt_text(&format!("{path}.holder"), r.holder.as_deref(), 100);
    let raw = r.number.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let field = format!("{path}.number");
    let number = match (kind, raw) {
        (Some(k), None) if k.is_patent() || k == RightKind::Trademark => {
            c.err(field, "error.case.right_number_required");
            None
        }
        (Some(k), Some(n)) if k.is_patent() => match PatentNumber::parse(n) {
            Ok(p) => {
                let expected = match k {
                    RightKind::InventionPatent => PatentType::Invention,
                    RightKind::UtilityModel => PatentType::UtilityModel,
                    _ => PatentType::Design,
                };
                if p.patent_type().is_some_and(|t| t != expected) {
                    c.err(field, "error.case.patent_kind_mismatch");
                }
                Some(p.as_patent_number())
            }
            Err(e) => {
                c.err(field, e.message_key());
                None
            }
        },
        (Some(RightKind::Trademark), Some(n)) => match TrademarkNumber::parse(n) {
            Ok(t) => Some(t.as_str().to_string()),
            Err(k) => {
                c.err(field, k);
                None
            }
        },
        (_, n) => c.opt_text(&field, n, 64),
    };
    Right {
        kind: kind.unwrap_or(RightKind::Other),
        number,
        title,
        holder,
    }
}

fn party(c: &mut Check, path: &str, p: &PartyInput) -> Party {
    let name = c.text(&format!("{path}.name"), &p.name, 2, 100);
    let uscc = match p.uscc.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => match Uscc::parse(u) {
            Ok(u) => Some(u.as_str().to_string()),
            Err(e) => {
                c.err(format!("{path}.uscc"), e.message_key());
                None
            }
        },
        None => None,
    };
    let address = c.opt_text(&format!("{path}.address"), p.address.as_deref(), 200);
    let listing_url = match p
        .listing_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(u) => {
            let ok = u.chars().count() <= 1000
                && url::Url::parse(u)
                    .is_ok_and(|x| matches!(x.scheme(), "http" | "https") && x.host().is_some());
            if !ok {
                c.err(format!("{path}.listing_url"), "error.case.listing_url");
            }
            Some(u.to_string())
        }
        None => None,
    };
    let contact_name = c.opt_text(
        &format!("{path}.contact_name"),
        p.contact_name.as_deref(),
        50,
    );
    let contact_phone = match p
        .contact_phone
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(v) => {
            if !crate::domain::contact::is_phone(v) {
                c.err(format!("{path}.contact_phone"), "error.phone");
            }
            Some(v.to_string())
        }
        None => None,
    };
    Party {
        name,
        uscc,
        address,
        listing_url,
        contact_name,
        contact_phone,
    }
}

fn exhibition(c: &mut Check, e: &ExhibitionInput) -> Option<Exhibition> {
    let name = c.text("exhibition.name", &e.name, 2, 200);
    let venue = c.text("exhibition.venue", &e.venue, 2, 200);
    let booth = c.opt_text("exhibition.booth", e.booth.as_deref(), 50);
    let organiser = c.opt_text("exhibition.organiser", e.organiser.as_deref(), 200);
    let opens = parse_instant(&e.opens_at, &beijing());
    if opens.is_none() {
        c.err("exhibition.opens_at", "error.datetime");
    }
    let closes = parse_instant(&e.closes_at, &beijing());
    if closes.is_none() {
        c.err("exhibition.closes_at", "error.datetime");
    }
    let (opens_at, closes_at) = (opens?, closes?);
    if closes_at <= opens_at {
        c.err("exhibition.closes_at", "error.case.closes_before_opens");
        return None;
    }
    Some(Exhibition {
        name,
        venue,
        booth,
        organiser,
        opens_at,
        closes_at,
    })
}

fn overseas(c: &mut Check, o: &OverseasInput) -> Option<Overseas> {
    let country = o.country.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        c.err("overseas.country", "error.case.country");
    }
    let category = OverseasCategory::parse(o.category.trim());
    if category.is_none() {
        c.err("overseas.category", "error.case.overseas_category");
    }
    let zone_name = o
        .time_zone
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty());
    let zone = zone_name.and_then(|z| z.parse::<chrono_tz::Tz>().ok());
    if zone_name.is_some() && zone.is_none() {
        c.err("overseas.time_zone", "error.case.time_zone");
    }
    let deadline = match o
        .foreign_deadline
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => {
            let at = match zone {
                Some(z) => parse_in_zone(d, z),
                None if zone_name.is_none() => {
                    c.err("overseas.time_zone", "error.case.time_zone_required");
                    None
                }
                None => None,
            };
            if at.is_none() && zone.is_some() {
                c.err("overseas.foreign_deadline", "error.datetime");
            }
            at
        }
        None => None,
    };
    Some(Overseas {
        country,
        category: category?.as_str().to_string(),
        foreign_deadline: deadline,
        time_zone: zone.map(|z| z.name().to_string()),
    })
}

/// An instant: RFC 3339 with an offset, or a local `YYYY-MM-DDTHH:MM[:SS]` (what a
/// `datetime-local` input sends) read in `offset`.
pub fn parse_instant(s: &str, offset: &FixedOffset) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    let local = parse_local(s)?;
    offset.from_local_datetime(&local).single()
}

/// A local time in a named zone, kept with that zone's offset at that instant.
fn parse_in_zone(s: &str, zone: chrono_tz::Tz) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Some(t);
    }
    let local = parse_local(s.trim())?;
    let t = zone.from_local_datetime(&local).earliest()?;
    Some(t.fixed_offset())
}

fn parse_local(s: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complaint() -> CaseInput {
        CaseInput {
            description: "被请求人未经许可，在展会上许诺销售涉案产品。".into(),
            channel: "e_commerce".into(),
            region_code: "320600".into(),
            complainant_standing: Some("patentee".into()),
            rights: vec![RightInput {
                kind: "invention_patent".into(),
                number: Some("ZL202310123456.6".into()),
                title: "一种锂电池隔膜".into(),
                holder: None,
            }],
            respondents: vec![PartyInput {
                name: "某某科技有限公司".into(),
                listing_url: Some("https://item.example.com/1".into()),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn fields(r: Result<ValidCase, Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| format!("{}={}", e.field, e.message.key))
            .collect()
    }

    #[test]
    fn a_complete_complaint_is_valid_and_normalised() {
        let mut input = complaint();
        input.rights[0].number = Some("2023101234566".into());
        let v = validate(&input, Submitter::Enterprise).expect("valid");
        assert_eq!(v.rights[0].number.as_deref(), Some("ZL202310123456.6"));
        assert_eq!(v.source, Source::Complaint);
        assert_eq!(v.title, "某某科技有限公司 涉嫌侵犯 ZL202310123456.6");
        assert_eq!(v.standing, Some(Standing::Patentee));
    }

    #[test]
    fn a_wrong_check_digit_is_a_field_error_on_that_right() {
        let mut input = complaint();
        input.rights[0].number = Some("ZL202310123456.5".into());
        assert_eq!(
            fields(validate(&input, Submitter::Enterprise)),
            ["rights[0].number=error.patent.check"]
        );
    }

    #[test]
    fn patent_kind_must_match_the_number() {
        let mut input = complaint();
        input.rights[0].kind = "design_patent".into();
        assert_eq!(
            fields(validate(&input, Submitter::Enterprise)),
            ["rights[0].number=error.case.patent_kind_mismatch"]
        );
    }

    #[test]
    fn everything_missing_is_reported_at_once() {
        let f = fields(validate(&CaseInput::default(), Submitter::Enterprise));
        for expected in [
            "description=error.case.description_short",
            "channel=error.case.channel",
            "region_code=error.region",
            "complainant_standing=error.case.standing",
            "rights=error.case.rights_required",
            "respondents=error.case.respondents_required",
        ] {
            assert!(f.contains(&expected.to_string()), "{expected} in {f:?}");
        }
        let f = fields(validate(&CaseInput::default(), Submitter::Office));
        assert!(f.contains(&"source=error.case.source".to_string()));
        assert!(!f.iter().any(|e| e.starts_with("complainant_standing")));
    }

    #[test]
    fn exhibition_facts_are_required_and_ordered() {
        let mut input = complaint();
        input.channel = "exhibition".into();
        assert_eq!(
            fields(validate(&input, Submitter::Enterprise)),
            ["exhibition.name=error.required"]
        );
        input.exhibition = Some(ExhibitionInput {
            name: "2026中国国际工业博览会".into(),
            venue: "国家会展中心（上海）".into(),
            booth: Some("A12".into()),
            organiser: None,
            opens_at: "2026-09-22T09:00".into(),
            closes_at: "2026-09-21T17:00:00+08:00".into(),
        });
        assert_eq!(
            fields(validate(&input, Submitter::Enterprise)),
            ["exhibition.closes_at=error.case.closes_before_opens"]
        );
        input.exhibition.as_mut().unwrap().closes_at = "2026-09-26T17:00:00+08:00".into();
        let v = validate(&input, Submitter::Enterprise).unwrap();
        let e = v.facts.exhibition.unwrap();
        assert_eq!(e.opens_at.to_rfc3339(), "2026-09-22T09:00:00+08:00");
    }

    /// The case list's overseas filters match the stored facts' text
    /// (`store::cases::overseas_pattern`): country, then category, first in the object.
    #[test]
    fn overseas_facts_are_written_country_then_category_first() {
        let mut input = complaint();
        input.channel = "overseas".into();
        input.overseas = Some(OverseasInput {
            country: "de".into(),
            category: "foreign_litigation".into(),
            foreign_deadline: None,
            time_zone: None,
        });
        let v = validate(&input, Submitter::Enterprise).unwrap();
        let text = serde_json::to_string(&v.facts).unwrap();
        assert!(
            text.contains(r#""overseas":{"country":"DE","category":"foreign_litigation","#),
            "{text}"
        );
    }

    #[test]
    fn a_foreign_deadline_keeps_its_own_zone() {
        let mut input = complaint();
        input.channel = "overseas".into();
        input.overseas = Some(OverseasInput {
            country: "us".into(),
            category: "us_337".into(),
            foreign_deadline: Some("2026-03-09T17:00".into()),
            time_zone: Some("America/New_York".into()),
        });
        let v = validate(&input, Submitter::Enterprise).unwrap();
        let o = v.facts.overseas.unwrap();
        assert_eq!(o.country, "US");
        // 9 March 2026 is after the US switch to daylight time (8 March): UTC-4.
        assert_eq!(
            o.foreign_deadline.unwrap().to_rfc3339(),
            "2026-03-09T17:00:00-04:00"
        );
        input.overseas.as_mut().unwrap().time_zone = Some("Mars/Olympus".into());
        assert_eq!(
            fields(validate(&input, Submitter::Enterprise)),
            ["overseas.time_zone=error.case.time_zone"]
        );
    }

    #[test]
    fn bad_party_values_name_their_field() {
        let mut input = complaint();
        input.respondents[0].uscc = Some("91320600MA1N2HX3QX".into());
        input.respondents[0].listing_url = Some("javascript:alert(1)".into());
        input.respondents.push(PartyInput {
            name: "a\u{0}b".into(),
            ..Default::default()
        });
        let f = fields(validate(&input, Submitter::Enterprise));
        assert!(
            f.iter().any(|e| e.starts_with("respondents[0].uscc=")),
            "{f:?}"
        );
        assert!(f.contains(&"respondents[0].listing_url=error.case.listing_url".to_string()));
        assert!(f.contains(&"respondents[1].name=error.text.control".to_string()));
    }

    #[test]
    fn leads_name_a_source_and_may_be_backdated() {
        let mut input = complaint();
        input.complainant_standing = None;
        input.source = Some("hotline_12330".into());
        input.received_at = Some("2026-03-02T09:30:00+08:00".into());
        let v = validate(&input, Submitter::Office).unwrap();
        assert_eq!(v.source, Source::Hotline12330);
        assert!(v.received_at.is_some());
        input.source = Some("complaint".into());
        assert_eq!(
            fields(validate(&input, Submitter::Office)),
            ["source=error.case.source"]
        );
    }
}
