//! Special campaigns and joint enforcement (专项行动 / 联合执法; city plan 四.6, 吉林 opinions
//! 六(二), MIIT plan 三(四)), pure: what a campaign, a joint inspection and a referral hold, and
//! the report's figures from the linked records.

use crate::error::FieldError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest a campaign may run, in days (three years).
pub const MAX_DAYS: i64 = 3 * 366;
/// The most bodies besides the lead office.
pub const MAX_MEMBERS: usize = 50;
/// The longest text (description, findings, evidence, notes), in characters.
pub const TEXT_CHARS: usize = 4000;

/// A campaign as sent (`POST /api/v1/campaigns`); the lead office is the caller's.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CampaignInput {
    #[schema(required = true, min_length = 2, max_length = 100)]
    pub name: String,
    /// First day (`YYYY-MM-DD`).
    #[schema(required = true, format = Date)]
    pub starts_on: String,
    /// Last day (`YYYY-MM-DD`), at most three years after the first.
    #[schema(required = true, format = Date)]
    pub ends_on: String,
    #[schema(max_length = 4000)]
    pub description: String,
    /// The participating bodies: organisations (market regulators, customs, public security,
    /// other offices).
    #[schema(max_items = 50)]
    pub member_org_ids: Vec<i64>,
}

/// A campaign ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCampaign {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub description: String,
    pub member_org_ids: Vec<i64>,
}

fn date(errors: &mut Vec<FieldError>, field: &'static str, v: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
        Ok(d) if (2000..=2100).contains(&chrono::Datelike::year(&d)) => Some(d),
        _ => {
            errors.push(FieldError::new(field, "error.date"));
            None
        }
    }
}

fn block(errors: &mut Vec<FieldError>, field: &'static str, v: &str, min: usize) -> String {
    super::text::block(errors, field, v, min, TEXT_CHARS)
}

use super::text::line;

fn ids(v: &[i64]) -> Vec<i64> {
    let mut v: Vec<i64> = v.iter().copied().filter(|i| *i > 0).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Validates a campaign; every problem at once.
pub fn validate_campaign(input: &CampaignInput) -> Result<ValidCampaign, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = line(&mut errors, "name", &input.name, 2, 100);
    let starts = date(&mut errors, "starts_on", &input.starts_on);
    let ends = date(&mut errors, "ends_on", &input.ends_on);
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            errors.push(FieldError::new("ends_on", "error.campaign.ends_before"));
        } else if (e - s).num_days() > MAX_DAYS {
            errors.push(FieldError::new("ends_on", "error.campaign.too_long"));
        }
    }
    let description = block(&mut errors, "description", &input.description, 0);
    let member_org_ids = ids(&input.member_org_ids);
    if member_org_ids.len() > MAX_MEMBERS {
        errors.push(FieldError::new("member_org_ids", "error.campaign.members"));
    }
    match (starts, ends) {
        (Some(starts_on), Some(ends_on)) if errors.is_empty() => Ok(ValidCampaign {
            name,
            starts_on,
            ends_on,
            description,
            member_org_ids,
        }),
        _ => Err(errors),
    }
}

/// A joint inspection as sent (`POST /api/v1/campaigns/{id}/inspections`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InspectionInput {
    /// The day it was held (`YYYY-MM-DD`), not after today.
    #[schema(required = true, format = Date)]
    pub held_on: String,
    #[schema(required = true, min_length = 2, max_length = 200)]
    pub place: String,
    /// The bodies that took part: the lead office and participating bodies of the campaign.
    #[schema(required = true, min_items = 1)]
    pub body_org_ids: Vec<i64>,
    #[schema(required = true, min_length = 2, max_length = 4000)]
    pub findings: String,
    /// The evidence gathered, in words (items seized, photographs, records).
    #[schema(max_length = 4000)]
    pub evidence: String,
    /// A case of the campaign it concerns, if any.
    pub case_id: Option<i64>,
}

/// An inspection ready to be checked against its campaign and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInspection {
    pub held_on: NaiveDate,
    pub place: String,
    pub body_org_ids: Vec<i64>,
    pub findings: String,
    pub evidence: String,
    pub case_id: Option<i64>,
}

/// Validates an inspection's own fields; `today` bounds its day.
pub fn validate_inspection(
    input: &InspectionInput,
    today: NaiveDate,
) -> Result<ValidInspection, Vec<FieldError>> {
    let mut errors = Vec::new();
    let held_on = date(&mut errors, "held_on", &input.held_on);
    if held_on.is_some_and(|d| d > today) {
        errors.push(FieldError::new("held_on", "error.campaign.future"));
    }
    let place = line(&mut errors, "place", &input.place, 2, 200);
    let body_org_ids = ids(&input.body_org_ids);
    if body_org_ids.is_empty() {
        errors.push(FieldError::new("body_org_ids", "error.campaign.bodies"));
    }
    let findings = block(&mut errors, "findings", &input.findings, 2);
    let evidence = block(&mut errors, "evidence", &input.evidence, 0);
    match held_on {
        Some(held_on) if errors.is_empty() => Ok(ValidInspection {
            held_on,
            place,
            body_org_ids,
            findings,
            evidence,
            case_id: input.case_id,
        }),
        _ => Err(errors),
    }
}

/// A referral as sent (`POST /api/v1/campaigns/{id}/referrals`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReferralInput {
    /// A case linked to the campaign.
    #[schema(required = true)]
    pub case_id: i64,
    /// A participating body of the campaign.
    #[schema(required = true)]
    pub to_org_id: i64,
    /// What it is referred for (e.g. suspected crime: 涉嫌犯罪移送).
    #[schema(required = true, min_length = 2, max_length = 4000)]
    pub note: String,
}

/// Validates a referral's note.
pub fn validate_note(note: &str, min: usize) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = block(&mut errors, "note", note, min);
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(errors)
    }
}

/// The body of a case link (`POST /api/v1/campaigns/{id}/cases`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LinkInput {
    #[schema(required = true)]
    pub case_id: i64,
}

/// An acknowledgement as sent (`POST /api/v1/campaign-referrals/{id}/acknowledge`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AckInput {
    /// The receiving body's note (its own file number, who handles it).
    #[schema(max_length = 4000)]
    pub note: String,
}

/// The report's figures, counted from the linked records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub cases: usize,
    /// Of which closed, referred, rejected or merged.
    pub cases_ended: usize,
    pub inspections: usize,
    pub referrals: usize,
    pub referrals_acknowledged: usize,
}

/// Counts the report's figures: `ended` per linked case, `acknowledged` per referral.
pub fn figures(ended: &[bool], inspections: usize, acknowledged: &[bool]) -> Figures {
    Figures {
        cases: ended.len(),
        cases_ended: ended.iter().filter(|e| **e).count(),
        inspections,
        referrals: acknowledged.len(),
        referrals_acknowledged: acknowledged.iter().filter(|a| **a).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_campaign_has_a_name_and_a_period_of_at_most_three_years() {
        let ok = CampaignInput {
            name: "2026年“铁拳”知识产权保护专项行动".into(),
            starts_on: "2026-03-01".into(),
            ends_on: "2026-12-31".into(),
            description: "".into(),
            member_org_ids: vec![5, 3, 5, 0],
        };
        let c = validate_campaign(&ok).unwrap();
        assert_eq!(c.member_org_ids, [3, 5]);
        let fields = |i: &CampaignInput| -> Vec<String> {
            validate_campaign(i)
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        let backwards = CampaignInput {
            ends_on: "2026-02-28".into(),
            ..ok.clone()
        };
        assert_eq!(fields(&backwards), ["ends_on"]);
        let long = CampaignInput {
            ends_on: "2030-01-01".into(),
            ..ok.clone()
        };
        assert_eq!(fields(&long), ["ends_on"]);
        let bad = CampaignInput {
            name: "x".into(),
            starts_on: "3月".into(),
            ends_on: "9999-01-01".into(),
            ..ok
        };
        assert_eq!(fields(&bad), ["name", "starts_on", "ends_on"]);
    }

    #[test]
    fn an_inspection_names_its_day_place_bodies_and_findings() {
        let today = day("2026-12-05");
        let ok = InspectionInput {
            held_on: "2026-12-05".into(),
            place: "南通国际家纺城".into(),
            body_org_ids: vec![2, 9],
            findings: "查获涉嫌侵犯外观设计专利的床品300件。".into(),
            evidence: "现场照片12张".into(),
            case_id: None,
        };
        assert!(validate_inspection(&ok, today).is_ok());
        let later = InspectionInput {
            held_on: "2026-12-06".into(),
            ..ok.clone()
        };
        assert_eq!(
            validate_inspection(&later, today).unwrap_err()[0]
                .message
                .key,
            "error.campaign.future"
        );
        let empty = InspectionInput {
            body_org_ids: vec![],
            findings: " ".into(),
            ..ok
        };
        let fields: Vec<String> = validate_inspection(&empty, today)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["body_org_ids", "findings"]);
    }

    #[test]
    fn the_report_counts_what_is_linked() {
        let f = figures(&[true, false, false], 2, &[true, false]);
        assert_eq!(
            f,
            Figures {
                cases: 3,
                cases_ended: 1,
                inspections: 2,
                referrals: 2,
                referrals_acknowledged: 1
            }
        );
    }
}
