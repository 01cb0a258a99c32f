//! The IP health check (知识产权体检) of a 专精特新 enterprise (宁夏 measures §9): the enterprise
//! asks the centre serving its region to look over its IP position; the centre accepts it and
//! names who does it (or declines with reasons), and completes it with a summary and the result
//! report (a PDF or picture), which the enterprise downloads. A service request, not a case.

use crate::domain::contact::is_phone;
use crate::domain::text::{block, line};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

names! {
    /// What the enterprise wants looked at.
    CheckArea {
        /// 专利布局: the patents it holds against its products.
        PatentPortfolio = "patent_portfolio",
        /// 商标: registrations against the marks it uses.
        Trademark = "trademark",
        /// 侵权风险: whether its products may infringe others' rights (FTO).
        InfringementRisk = "infringement_risk",
        /// 商业秘密: how it keeps its secrets.
        TradeSecrets = "trade_secrets",
        /// 海外: its rights in the markets it exports to.
        Overseas = "overseas",
        /// 管理制度: its IP management (contracts, employees, records).
        Management = "management",
    }
}

names! {
    /// Where a health check stands.
    CheckStatus {
        /// Asked, waiting for the centre.
        Requested = "requested",
        /// Accepted; someone of the centre is doing it.
        Accepted = "accepted",
        /// Done: the summary and the result report are there.
        Completed = "completed",
        /// Declined with reasons.
        Declined = "declined",
    }
}

/// A step of the centre on a health check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Accept,
    Decline,
    Complete,
}

impl CheckStatus {
    /// Whether `step` may be taken from this status: a request is accepted or declined; an
    /// accepted one is completed or declined; nothing follows completion or a refusal.
    pub fn allows(self, step: Step) -> bool {
        matches!(
            (self, step),
            (Self::Requested, Step::Accept | Step::Decline)
                | (Self::Accepted, Step::Complete | Step::Decline)
        )
    }

    /// The statuses a step may start from (the store's conditional update).
    pub fn before(step: Step) -> Vec<Self> {
        Self::ALL
            .iter()
            .copied()
            .filter(|s| s.allows(step))
            .collect()
    }

    /// Whether the centre has finished with it.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Completed | Self::Declined)
    }
}

/// The longest note and summary, in characters.
pub const NOTE_CHARS: usize = 2000;
pub const SUMMARY_CHARS: usize = 8000;
/// The longest product description, in characters.
pub const PRODUCTS_CHARS: usize = 1000;

/// The largest result report, in bytes.
pub const REPORT_MAX_BYTES: u64 = 30 * 1024 * 1024;
/// The media types a result report may have (sniffed from its bytes).
pub const REPORT_TYPES: [&str; 3] = super::enterprise::DOCUMENT_TYPES;

/// A request as sent (`POST /api/v1/health-checks`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CheckRequestInput {
    /// What to look at (at least one).
    #[schema(required = true, value_type = Vec<CheckArea>, min_items = 1)]
    pub areas: Vec<String>,
    /// The products or technologies concerned.
    #[schema(required = true, min_length = 2, max_length = 1000)]
    pub products: String,
    /// Anything the centre should know (markets, a dispute in view, a deadline).
    #[schema(max_length = 2000)]
    pub note: String,
    /// Who the centre talks to.
    #[schema(required = true, min_length = 1, max_length = 50)]
    pub contact_name: String,
    #[schema(required = true, min_length = 5, max_length = 30)]
    pub contact_phone: String,
}

/// A request ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    pub areas: Vec<CheckArea>,
    pub products: String,
    pub note: String,
    pub contact_name: String,
    pub contact_phone: String,
}

/// Validates a request: known areas (at least one, each once), products, contact.
pub fn validate_request(input: &CheckRequestInput) -> Result<ValidRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut areas = Vec::new();
    for a in &input.areas {
        match CheckArea::parse(a.trim()) {
            Some(a) if !areas.contains(&a) => areas.push(a),
            Some(_) => {}
            None => {
                errors.push(FieldError::new("areas", "error.health_check.area"));
                break;
            }
        }
    }
    if areas.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("areas", "error.health_check.areas"));
    }
    areas.sort_unstable();
    let products = block(&mut errors, "products", &input.products, 2, PRODUCTS_CHARS);
    let note = block(&mut errors, "note", &input.note, 0, NOTE_CHARS);
    let contact_name = line(&mut errors, "contact_name", &input.contact_name, 1, 50);
    let contact_phone = line(&mut errors, "contact_phone", &input.contact_phone, 5, 30);
    if !contact_phone.is_empty()
        && !is_phone(&contact_phone)
        && !errors.iter().any(|e| e.field == "contact_phone")
    {
        errors.push(FieldError::new("contact_phone", "error.phone"));
    }
    if errors.is_empty() {
        Ok(ValidRequest {
            areas,
            products,
            note,
            contact_name,
            contact_phone,
        })
    } else {
        Err(errors)
    }
}

/// The stored form of the areas: their names, comma-separated.
pub fn areas_text(areas: &[CheckArea]) -> String {
    areas
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The areas of a stored row (unknown names are skipped).
pub fn areas_of(text: &str) -> Vec<CheckArea> {
    text.split(',').filter_map(CheckArea::parse).collect()
}

/// Accepting (`POST /api/v1/health-checks/{id}/accept`): who of the centre does it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AcceptInput {
    /// A user of the serving organisation (or of its centre); the caller when absent.
    pub assignee_user_id: Option<i64>,
}

/// Declining (`POST /api/v1/health-checks/{id}/decline`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeclineInput {
    /// The reasons, which the enterprise reads.
    #[schema(required = true, min_length = 2, max_length = 2000)]
    pub reasons: String,
}

/// Validates a refusal's reasons.
pub fn validate_reasons(input: &DeclineInput) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    let reasons = block(&mut errors, "reasons", &input.reasons, 2, NOTE_CHARS);
    if errors.is_empty() {
        Ok(reasons)
    } else {
        Err(errors)
    }
}

/// Validates a completion's summary (the report itself is checked as it streams in).
pub fn validate_summary(summary: &str) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    let summary = block(&mut errors, "summary", summary, 5, SUMMARY_CHARS);
    if errors.is_empty() {
        Ok(summary)
    } else {
        Err(errors)
    }
}

/// The name the result report is served under: `体检报告-<credit code or id>.<ext>`.
pub fn report_name(uscc: Option<&str>, id: i64, media_type: &str) -> String {
    let ext = match media_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "bin",
    };
    match uscc {
        Some(u) => format!("体检报告-{u}.{ext}"),
        None => format!("体检报告-{id}.{ext}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CheckRequestInput {
        CheckRequestInput {
            areas: vec!["overseas".into(), "patent_portfolio".into()],
            products: "工业机器人减速器".into(),
            note: String::new(),
            contact_name: "王经理".into(),
            contact_phone: "0513-8555 0101".into(),
        }
    }

    fn fields(e: Vec<FieldError>) -> Vec<String> {
        e.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_request_names_areas_products_and_a_contact() {
        let v = validate_request(&input()).unwrap();
        assert_eq!(v.areas, [CheckArea::PatentPortfolio, CheckArea::Overseas]);
        assert_eq!(areas_of(&areas_text(&v.areas)), v.areas);
        let mut i = input();
        i.areas = vec!["overseas".into(), "overseas".into()];
        assert_eq!(validate_request(&i).unwrap().areas, [CheckArea::Overseas]);
    }

    #[test]
    fn a_request_without_areas_or_with_an_unknown_one_is_refused() {
        let mut i = input();
        i.areas.clear();
        i.products = " ".into();
        i.contact_phone = "call me".into();
        assert_eq!(
            fields(validate_request(&i).unwrap_err()),
            ["areas", "products", "contact_phone"]
        );
        i = input();
        i.areas.push("astrology".into());
        assert_eq!(fields(validate_request(&i).unwrap_err()), ["areas"]);
    }

    #[test]
    fn the_centre_accepts_then_completes_or_declines_and_nothing_follows() {
        use CheckStatus::*;
        assert!(Requested.allows(Step::Accept) && Requested.allows(Step::Decline));
        assert!(!Requested.allows(Step::Complete));
        assert!(Accepted.allows(Step::Complete) && Accepted.allows(Step::Decline));
        assert!(!Accepted.allows(Step::Accept));
        for closed in [Completed, Declined] {
            assert!(closed.is_closed());
            for step in [Step::Accept, Step::Decline, Step::Complete] {
                assert!(!closed.allows(step));
            }
        }
        assert_eq!(CheckStatus::before(Step::Decline), [Requested, Accepted]);
    }

    #[test]
    fn reasons_and_summary_are_required_text() {
        assert!(
            validate_reasons(&DeclineInput {
                reasons: "x".into()
            })
            .is_err()
        );
        assert_eq!(
            validate_reasons(&DeclineInput {
                reasons: "不属于本中心服务范围".into()
            })
            .unwrap(),
            "不属于本中心服务范围"
        );
        assert!(validate_summary("好").is_err());
        assert!(validate_summary("专利布局集中于减速器结构，建议补充方法专利。").is_ok());
    }

    #[test]
    fn the_report_is_served_under_the_enterprise_code() {
        assert_eq!(
            report_name(Some("91320600MA1XXXXX0A"), 3, "application/pdf"),
            "体检报告-91320600MA1XXXXX0A.pdf"
        );
        assert_eq!(report_name(None, 3, "image/png"), "体检报告-3.png");
    }
}
