//! Overseas mutual-aid funds (海外维权互助基金; Order 801 Art. 9, 宁夏 measures §10, 吉林 opinions
//! 七(三)), pure: a fund's rules, what an enterprise may claim from its overseas case, how the
//! reviewers' votes become a decision (one supervisor for ordinary amounts, a panel above the
//! fund's threshold), and the two limits no payout may pass: what was decided, and what is left
//! of the year's budget. Amounts are whole fen (分); forms take yuan (元).

use crate::domain::case::OverseasCategory;
use crate::error::FieldError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The largest amount anything here holds: 100 亿元, in fen (far from `i64`'s end, so that sums
/// of a year's payouts cannot overflow).
pub const MAX_FEN: i64 = 1_000_000_000_000;
/// The most members a panel may have.
pub const MAX_PANEL: i32 = 9;
/// The longest name of a fund, in characters.
pub const NAME_CHARS: usize = 100;
/// The longest text (rules, costs, reasons), in characters.
pub const TEXT_CHARS: usize = 4000;
/// The most evidence items one application names.
pub const MAX_EVIDENCE: usize = 50;

names! {
    /// Where an application stands.
    FundState {
        /// Waiting for the decision of a supervisor of the managing office.
        Submitted = "submitted",
        /// Above the fund's threshold: waiting for the panel's votes.
        Panel = "panel",
        Approved = "approved",
        Declined = "declined",
    }
}

impl FundState {
    /// Waiting for votes.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Submitted | Self::Panel)
    }
}

/// The label key of an application's standing: its state, or `paid` once an approved grant is
/// paid in full.
pub fn standing_key(state: FundState, approved: Option<i64>, paid: i64) -> String {
    let name = match (state, approved) {
        (FundState::Approved, Some(a)) if paid >= a => "paid",
        _ => state.as_str(),
    };
    format!("fund_state.{name}")
}

/// Fen as yuan for people: `1234567` → `12,345.67`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// Yuan as typed (`12345`, `12,345.6`, `12345.67`, full-width digits not accepted) to fen;
/// `None` for anything else, a third decimal, a negative or an amount above [`MAX_FEN`].
pub fn parse_yuan(typed: &str) -> Option<i64> {
    let t: String = typed
        .trim()
        .trim_end_matches('元')
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t.as_str(), ""),
    };
    if whole.is_empty()
        || whole.len() > 13
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (t.contains('.') && frac.is_empty())
    {
        return None;
    }
    let cents = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse::<i64>().ok()?,
    };
    let fen = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)?;
    (fen <= MAX_FEN).then_some(fen)
}

/// A fund's rules, as the decisions and payouts apply them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub max_per_case_fen: i64,
    pub self_share_percent: i32,
    pub panel_threshold_fen: i64,
    pub panel_size: i32,
}

impl Rules {
    /// The most the fund grants on a claim: the claim less the enterprise's own share, and never
    /// more than the fund's maximum per case.
    pub fn cap(&self, claimed_fen: i64) -> i64 {
        let share = 100 - i128::from(self.self_share_percent.clamp(0, 100));
        let covered = i128::from(claimed_fen.max(0)) * share / 100;
        (covered.min(i128::from(self.max_per_case_fen))) as i64
    }

    /// The most the fund may still grant on a claim from a case that was granted
    /// `granted_before` on its earlier applications: the maximum is per case, not per claim.
    pub fn cap_left(&self, claimed_fen: i64, granted_before: i64) -> i64 {
        self.cap(claimed_fen)
            .min(self.max_per_case_fen.saturating_sub(granted_before))
            .max(0)
    }

    /// Whether the decision on this claim is a panel's: the most it could be granted is above
    /// the threshold.
    pub fn needs_panel(&self, claimed_fen: i64) -> bool {
        self.cap(claimed_fen) > self.panel_threshold_fen
    }
}

/// A fund as sent (`POST /api/v1/funds`): its rules and the budget of its first year.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FundInput {
    #[schema(required = true, min_length = 2, max_length = 100)]
    pub name: String,
    /// The overseas dispute categories it pays for (at least one).
    #[schema(required = true, value_type = Vec<String>, min_items = 1)]
    pub categories: Vec<String>,
    /// The most one case may be granted, in fen.
    #[schema(required = true, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub max_per_case_fen: i64,
    /// The share of the costs the enterprise pays itself (0–90 %).
    #[schema(minimum = 0, maximum = 90)]
    pub self_share_percent: i32,
    /// Grants that may exceed this (in fen) are decided by a panel.
    #[schema(required = true, minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub panel_threshold_fen: i64,
    /// How many reviewers vote on a panel's decision (2–9; 3 when left out).
    #[schema(minimum = 2, maximum = 9)]
    pub panel_size: Option<i32>,
    /// The rules in words (eligibility, documents required).
    #[schema(max_length = 4000)]
    pub rules: String,
    /// The first budget year and its budget in fen.
    #[schema(required = true, minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[schema(required = true, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub budget_fen: i64,
}

/// A fund ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFund {
    pub name: String,
    pub categories: Vec<OverseasCategory>,
    pub rules: Rules,
    pub text: String,
    pub year: i32,
    pub budget_fen: i64,
}

fn amount(errors: &mut Vec<FieldError>, field: &'static str, v: i64, min: i64) {
    if v < min || v > MAX_FEN {
        errors.push(FieldError::new(field, "error.fund.amount"));
    }
}

fn year(errors: &mut Vec<FieldError>, v: i32) {
    if !(2000..=2100).contains(&v) {
        errors.push(FieldError::new("year", "error.fund.year"));
    }
}

/// A block of text of `min`..=[`TEXT_CHARS`] characters (0: optional).
fn block(errors: &mut Vec<FieldError>, field: &'static str, v: &str, min: usize) -> String {
    super::text::block(errors, field, v, min, TEXT_CHARS)
}

/// Validates a fund; every problem at once.
pub fn validate_fund(input: &FundInput) -> Result<ValidFund, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = super::text::line(&mut errors, "name", &input.name, 2, NAME_CHARS);
    let mut categories = Vec::new();
    for c in &input.categories {
        match OverseasCategory::parse(c.trim()) {
            Some(c) if !categories.contains(&c) => categories.push(c),
            Some(_) => {}
            None => {
                errors.push(FieldError::new("categories", "error.fund.category"));
                break;
            }
        }
    }
    if categories.is_empty() && !errors.iter().any(|e| e.field == "categories") {
        errors.push(FieldError::new("categories", "error.fund.categories"));
    }
    amount(&mut errors, "max_per_case_fen", input.max_per_case_fen, 1);
    if !(0..=90).contains(&input.self_share_percent) {
        errors.push(FieldError::new("self_share_percent", "error.fund.share"));
    }
    amount(
        &mut errors,
        "panel_threshold_fen",
        input.panel_threshold_fen,
        0,
    );
    let panel_size = input.panel_size.unwrap_or(3);
    if !(2..=MAX_PANEL).contains(&panel_size) {
        errors.push(FieldError::new("panel_size", "error.fund.panel_size"));
    }
    let text = block(&mut errors, "rules", &input.rules, 0);
    year(&mut errors, input.year);
    amount(&mut errors, "budget_fen", input.budget_fen, 1);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidFund {
        name,
        categories,
        rules: Rules {
            max_per_case_fen: input.max_per_case_fen,
            self_share_percent: input.self_share_percent,
            panel_threshold_fen: input.panel_threshold_fen,
            panel_size,
        },
        text,
        year: input.year,
        budget_fen: input.budget_fen,
    })
}

/// A year's budget as sent (`POST /api/v1/funds/{id}/budgets`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetInput {
    #[schema(required = true, minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[schema(required = true, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount_fen: i64,
}

/// Validates a year's budget.
pub fn validate_budget(input: &BudgetInput) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    year(&mut errors, input.year);
    amount(&mut errors, "amount_fen", input.amount_fen, 1);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// An application as sent (`POST /api/v1/funds/{id}/applications`), by the enterprise that filed
/// the overseas case.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationInput {
    /// The enterprise's overseas case the costs arose in.
    #[schema(required = true)]
    pub case_id: i64,
    /// The costs claimed, in fen.
    #[schema(required = true, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub claimed_fen: i64,
    /// What the costs were (lawyers, court fees, translation …).
    #[schema(required = true, min_length = 5, max_length = 4000)]
    pub costs: String,
    /// The case's evidence items that prove them: invoices, contracts (at least one).
    #[schema(required = true, min_items = 1, max_items = 50)]
    pub evidence_ids: Vec<i64>,
}

/// An application ready to be checked against its case and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApplication {
    pub claimed_fen: i64,
    pub costs: String,
    pub evidence_ids: Vec<i64>,
}

/// Validates an application's own fields (its case, fund and evidence are the service's to check).
pub fn validate_application(input: &ApplicationInput) -> Result<ValidApplication, Vec<FieldError>> {
    let mut errors = Vec::new();
    amount(&mut errors, "claimed_fen", input.claimed_fen, 1);
    let costs = block(&mut errors, "costs", &input.costs, 5);
    let mut evidence_ids = input.evidence_ids.clone();
    evidence_ids.sort_unstable();
    evidence_ids.dedup();
    if evidence_ids.is_empty() {
        errors.push(FieldError::new("evidence_ids", "error.fund.evidence"));
    } else if evidence_ids.len() > MAX_EVIDENCE {
        errors.push(FieldError::new("evidence_ids", "error.fund.evidence_many"));
    }
    if errors.is_empty() {
        Ok(ValidApplication {
            claimed_fen: input.claimed_fen,
            costs,
            evidence_ids,
        })
    } else {
        Err(errors)
    }
}

/// A reviewer's decision or panel vote as sent (`POST /api/v1/fund-applications/{id}/decision`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionInput {
    /// `approve` or `decline`.
    #[schema(required = true, pattern = "^(approve|decline)$")]
    pub outcome: String,
    /// Approving: the amount granted in fen (at most the claim less the enterprise's share, and
    /// the fund's maximum per case).
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount_fen: Option<i64>,
    /// The reasons, which the enterprise reads.
    #[schema(required = true, min_length = 2, max_length = 4000)]
    pub reasons: String,
}

/// One vote, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    /// The amount granted, or `None` to decline.
    pub amount_fen: Option<i64>,
    pub reasons: String,
    /// Whether a supervisor cast it.
    pub by_supervisor: bool,
}

/// Validates a vote on a claim the fund may grant at most `cap` on ([`Rules::cap_left`]).
pub fn validate_vote(
    input: &DecisionInput,
    cap: i64,
) -> Result<(Option<i64>, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let reasons = block(&mut errors, "reasons", &input.reasons, 2);
    let amount = match input.outcome.trim() {
        "approve" => match input.amount_fen {
            Some(a) if a >= 1 && a <= cap => Some(a),
            Some(a) if (1..=MAX_FEN).contains(&a) => {
                errors.push(FieldError::new("amount_fen", "error.fund.over_cap"));
                None
            }
            _ => {
                errors.push(FieldError::new("amount_fen", "error.fund.amount"));
                None
            }
        },
        "decline" => None,
        _ => {
            errors.push(FieldError::new("outcome", "error.fund.outcome"));
            None
        }
    };
    if errors.is_empty() {
        Ok((amount, reasons))
    } else {
        Err(errors)
    }
}

/// Why a reviewer may not cast the next vote on a panel of `panel_size` that holds `votes`: the
/// last seat goes to a supervisor when none has voted, so that a panel always has one.
pub fn panel_refuses(votes: &[Vote], panel_size: i32, by_supervisor: bool) -> Option<&'static str> {
    let last_seat = votes.len() as i64 + 1 >= i64::from(panel_size);
    (last_seat && !by_supervisor && !votes.iter().any(|v| v.by_supervisor))
        .then_some("error.fund.panel_needs_supervisor")
}

/// What the votes decide, once they do: a single decision decides at once; a panel decides when
/// all its seats voted — a grant when most approve, of the smallest amount they approved (what
/// every approving member agreed to), else a refusal with the majority's reasons.
pub fn tally(votes: &[Vote], panel: Option<i32>) -> Option<(Option<i64>, String)> {
    let first = votes.first()?;
    let Some(size) = panel else {
        return Some((first.amount_fen, first.reasons.clone()));
    };
    if (votes.len() as i64) < i64::from(size) {
        return None;
    }
    let approving: Vec<&Vote> = votes.iter().filter(|v| v.amount_fen.is_some()).collect();
    let reasons = |vs: Vec<&Vote>| {
        vs.iter()
            .map(|v| v.reasons.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    if approving.len() * 2 > votes.len() {
        let amount = approving.iter().filter_map(|v| v.amount_fen).min();
        Some((amount, reasons(approving)))
    } else {
        let declining = votes.iter().filter(|v| v.amount_fen.is_none()).collect();
        Some((None, reasons(declining)))
    }
}

/// A payout as sent (`POST /api/v1/fund-applications/{id}/payouts`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PayoutInput {
    #[schema(required = true, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount_fen: i64,
    /// The day it was paid (`YYYY-MM-DD`).
    #[schema(required = true, format = Date)]
    pub paid_on: String,
    /// The payment voucher's number.
    #[schema(required = true, min_length = 1, max_length = 100)]
    pub reference: String,
}

/// A payout ready to be checked against the decision and the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPayout {
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    pub reference: String,
}

/// Validates a payout's own fields; `today` bounds the day it was paid.
pub fn validate_payout(
    input: &PayoutInput,
    today: NaiveDate,
) -> Result<ValidPayout, Vec<FieldError>> {
    let mut errors = Vec::new();
    amount(&mut errors, "amount_fen", input.amount_fen, 1);
    let paid_on = match NaiveDate::parse_from_str(input.paid_on.trim(), "%Y-%m-%d") {
        Ok(d) if d > today => {
            errors.push(FieldError::new("paid_on", "error.fund.paid_on_future"));
            None
        }
        Ok(d) if d.year() < 2000 => {
            errors.push(FieldError::new("paid_on", "error.date"));
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new("paid_on", "error.date"));
            None
        }
    };
    let reference = super::text::line(&mut errors, "reference", &input.reference, 1, 100);
    match paid_on {
        Some(paid_on) if errors.is_empty() => Ok(ValidPayout {
            amount_fen: input.amount_fen,
            paid_on,
            reference,
        }),
        _ => Err(errors),
    }
}

/// Why a payout of `amount` cannot be made: more than is left of the decision (`approved` less
/// `paid`), or more than is left of the year's budget. (The store makes the same two checks again
/// in the update that debits them, so that two payouts at once cannot pass them together.)
pub fn payout_refuses(
    amount: i64,
    approved: i64,
    paid: i64,
    budget: i64,
    budget_paid: i64,
) -> Option<&'static str> {
    if amount > approved - paid {
        Some("error.fund.over_decision")
    } else if amount > budget - budget_paid {
        Some("error.fund.over_budget")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules {
            max_per_case_fen: 50_000_000,
            self_share_percent: 30,
            panel_threshold_fen: 20_000_000,
            panel_size: 3,
        }
    }

    #[test]
    fn yuan_round_trips_and_refuses_what_is_not_an_amount() {
        assert_eq!(yuan(1_234_567), "12,345.67");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(100_000_000), "1,000,000.00");
        assert_eq!(parse_yuan("12,345.67"), Some(1_234_567));
        assert_eq!(parse_yuan(" 12345.6 元"), Some(1_234_560));
        assert_eq!(parse_yuan("80000"), Some(8_000_000));
        for bad in [
            "",
            "-5",
            "1.234",
            "1.",
            "abc",
            "1e5",
            "99999999999999",
            "１２",
        ] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_cap_takes_the_enterprises_share_and_the_maximum_per_case() {
        let r = rules();
        // 120,000 claimed, 30 % own share: 84,000.
        assert_eq!(r.cap(12_000_000), 8_400_000);
        // A claim of 2,000,000 is capped at 500,000.
        assert_eq!(r.cap(200_000_000), 50_000_000);
        assert!(!r.needs_panel(12_000_000));
        // The maximum is per case: 450,000 granted before leaves 50,000.
        assert_eq!(r.cap_left(200_000_000, 45_000_000), 5_000_000);
        assert_eq!(r.cap_left(12_000_000, 50_000_000), 0);
        assert_eq!(r.cap_left(12_000_000, 0), 8_400_000);
        // 300,000 claimed → 210,000 possible: above the 200,000 threshold.
        assert!(r.needs_panel(30_000_000));
    }

    #[test]
    fn a_vote_is_refused_above_the_cap_and_without_reasons() {
        let r = rules();
        let vote = |outcome: &str, amount, reasons: &str| DecisionInput {
            outcome: outcome.into(),
            amount_fen: amount,
            reasons: reasons.into(),
        };
        assert_eq!(
            validate_vote(
                &vote("approve", Some(8_000_000), "符合规定"),
                r.cap(12_000_000)
            ),
            Ok((Some(8_000_000), "符合规定".into()))
        );
        let over = validate_vote(&vote("approve", Some(9_000_000), "符合"), r.cap(12_000_000));
        assert_eq!(over.unwrap_err()[0].message.key, "error.fund.over_cap");
        let none = validate_vote(&vote("approve", None, "符合"), r.cap(12_000_000));
        assert_eq!(none.unwrap_err()[0].field, "amount_fen");
        let fields: Vec<String> = validate_vote(&vote("maybe", None, ""), r.cap(1))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["reasons", "outcome"]);
        assert_eq!(
            validate_vote(&vote("decline", Some(5), "不属于资助范围"), r.cap(1)),
            Ok((None, "不属于资助范围".into()))
        );
    }

    fn v(amount: Option<i64>, sup: bool, reasons: &str) -> Vote {
        Vote {
            amount_fen: amount,
            reasons: reasons.into(),
            by_supervisor: sup,
        }
    }

    #[test]
    fn one_supervisor_decides_an_ordinary_claim_and_a_panel_a_large_one() {
        assert_eq!(
            tally(&[v(Some(100), true, "a")], None),
            Some((Some(100), "a".into()))
        );
        assert_eq!(tally(&[], None), None);
        let two = [v(Some(300), true, "a"), v(Some(200), false, "b")];
        assert_eq!(tally(&two, Some(3)), None, "a seat is still empty");
        let three = [two[0].clone(), two[1].clone(), v(None, false, "c")];
        assert_eq!(
            tally(&three, Some(3)),
            Some((Some(200), "a\nb".into())),
            "two of three approve: the smaller amount"
        );
        let no = [
            v(Some(300), true, "a"),
            v(None, false, "b"),
            v(None, false, "c"),
        ];
        assert_eq!(tally(&no, Some(3)), Some((None, "b\nc".into())));
        // Two of four is no majority.
        let tie = [
            v(Some(300), true, "a"),
            v(Some(300), false, "b"),
            v(None, false, "c"),
            v(None, false, "d"),
        ];
        assert_eq!(tally(&tie, Some(4)).unwrap().0, None);
    }

    #[test]
    fn the_last_seat_of_a_panel_without_a_supervisor_is_a_supervisors() {
        let officers = [v(Some(1), false, "a"), v(Some(1), false, "b")];
        assert_eq!(
            panel_refuses(&officers, 3, false),
            Some("error.fund.panel_needs_supervisor")
        );
        assert_eq!(panel_refuses(&officers, 3, true), None);
        assert_eq!(panel_refuses(&officers[..1], 3, false), None);
        let with = [v(Some(1), true, "a"), v(Some(1), false, "b")];
        assert_eq!(panel_refuses(&with, 3, false), None);
    }

    #[test]
    fn a_payout_stays_within_the_decision_and_the_budget() {
        // 80,000 decided, 50,000 paid: 30,000 left.
        assert_eq!(
            payout_refuses(3_000_000, 8_000_000, 5_000_000, 1_000_000_000, 0),
            None
        );
        assert_eq!(
            payout_refuses(3_000_001, 8_000_000, 5_000_000, 1_000_000_000, 0),
            Some("error.fund.over_decision")
        );
        assert_eq!(
            payout_refuses(3_000_000, 8_000_000, 5_000_000, 10_000_000, 7_500_000),
            Some("error.fund.over_budget")
        );
    }

    #[test]
    fn a_fund_needs_its_rules_and_a_first_budget() {
        let ok = FundInput {
            name: "南通市海外知识产权维权互助基金".into(),
            categories: vec![
                "us_337".into(),
                "foreign_litigation".into(),
                "us_337".into(),
            ],
            max_per_case_fen: 50_000_000,
            self_share_percent: 30,
            panel_threshold_fen: 20_000_000,
            panel_size: None,
            rules: "".into(),
            year: 2026,
            budget_fen: 200_000_000,
        };
        let f = validate_fund(&ok).unwrap();
        assert_eq!(f.categories.len(), 2);
        assert_eq!(f.rules.panel_size, 3);
        let bad = FundInput {
            name: "x".into(),
            categories: vec!["moon".into()],
            max_per_case_fen: 0,
            self_share_percent: 95,
            panel_threshold_fen: -1,
            panel_size: Some(1),
            rules: "ok".into(),
            year: 1999,
            budget_fen: i64::MAX,
        };
        let fields: Vec<String> = validate_fund(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "categories",
                "max_per_case_fen",
                "self_share_percent",
                "panel_threshold_fen",
                "panel_size",
                "year",
                "budget_fen"
            ]
        );
    }

    #[test]
    fn an_application_names_its_evidence_and_a_payout_its_day() {
        let a = validate_application(&ApplicationInput {
            case_id: 1,
            claimed_fen: 12_000_000,
            costs: "美国律师费、翻译费".into(),
            evidence_ids: vec![3, 2, 3],
        })
        .unwrap();
        assert_eq!(a.evidence_ids, [2, 3]);
        let e = validate_application(&ApplicationInput {
            case_id: 1,
            claimed_fen: -1,
            costs: "费".into(),
            evidence_ids: vec![],
        })
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["claimed_fen", "costs", "evidence_ids"]);
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let p = |day: &str| PayoutInput {
            amount_fen: 100,
            paid_on: day.into(),
            reference: "记账凭证 2026-118".into(),
        };
        assert!(validate_payout(&p("2026-12-05"), today).is_ok());
        let future = validate_payout(&p("2026-12-06"), today).unwrap_err();
        assert_eq!(future[0].message.key, "error.fund.paid_on_future");
        assert_eq!(
            validate_payout(&p("5.12"), today).unwrap_err()[0].field,
            "paid_on"
        );
    }

    #[test]
    fn paid_in_full_is_its_own_standing() {
        assert_eq!(
            standing_key(FundState::Approved, Some(100), 100),
            "fund_state.paid"
        );
        assert_eq!(
            standing_key(FundState::Approved, Some(100), 40),
            "fund_state.approved"
        );
        assert_eq!(standing_key(FundState::Panel, None, 0), "fund_state.panel");
    }
}
