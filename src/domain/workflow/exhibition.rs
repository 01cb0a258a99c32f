//! Exhibition enforcement (展会知识产权保护): complaint at the station, transfer to the IP office
//! within 24 hours, notice to the exhibitor, its statement within 24 hours (or none), measures or
//! no infringement, closing. At the exhibition's close a decided case closes; an open patent
//! case goes to the office as a lead with an invitation to request a ruling (a ruling case needs
//! a request, Order 81 Arts. 12, 14), keeping its events and evidence; an open non-patent case
//! goes to the market regulator. A complainant's request at the fair converts a case at once.

use super::fields::{Kind, opt, req};
use super::spec;
use super::{Next, Progress, Shape, Spec, Step};
use crate::domain::case::{CaseState, CaseState as S, PartyKey};

/// Measures an exhibition office may order (Order 81 Art. 32).
pub const MEASURES: &[&str] = &[
    "withdraw_exhibit",
    "cover_display",
    "seal_materials",
    "remove_link",
];

/// Every state of the queue, the entry state first.
pub const STATES: &[CaseState] = &[
    S::ComplaintReceived,
    S::Transferred,
    S::RespondentNotified,
    S::Answered,
    S::NoAnswer,
    S::MeasuresOrdered,
    S::NoInfringement,
    S::Closed,
];

/// States in which a case is still being handled at the exhibition.
pub const OPEN: &[CaseState] = &[
    S::ComplaintReceived,
    S::Transferred,
    S::RespondentNotified,
    S::Answered,
    S::NoAnswer,
];

pub static SPECS: &[Spec] = &[
    spec!(
        Transfer,
        &[S::ComplaintReceived],
        Next::To(S::Transferred),
        [Transferred],
        [opt("note", Kind::Text(2000))],
        Worker,
        public = true
    ),
    spec!(
        NotifyRespondent,
        &[S::Transferred],
        Next::To(S::RespondentNotified),
        [RespondentNotified],
        [opt("note", Kind::Text(2000))],
        Worker,
        public = true
    ),
    spec!(
        ReceiveStatement,
        &[S::RespondentNotified],
        Next::To(S::Answered),
        [Answered],
        [req("statement", Kind::Text(8000))],
        Worker
    ),
    spec!(
        RecordNoAnswer,
        &[S::RespondentNotified],
        Next::To(S::NoAnswer),
        [NoAnswerRecorded],
        [],
        Worker
    ),
    spec!(
        OrderMeasures,
        &[S::Answered, S::NoAnswer],
        Next::To(S::MeasuresOrdered),
        [MeasuresOrdered],
        [
            req("measures", Kind::Choices(MEASURES)),
            req("findings", Kind::Text(8000))
        ],
        Worker,
        irreversible = true,
        public = true,
        document = ExhibitionDecision
    ),
    spec!(
        FindNoInfringement,
        &[S::Answered, S::NoAnswer],
        Next::To(S::NoInfringement),
        [NoInfringementFound],
        [req("findings", Kind::Text(8000))],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        Close,
        &[S::MeasuresOrdered, S::NoInfringement],
        Next::To(S::Closed),
        [Closed],
        [opt("note", Kind::Text(2000))],
        Worker,
        irreversible = true,
        public = true
    ),
    // The complainant requests a ruling at the fair (Order 81 Arts. 12, 14): docketing counts
    // from the request's receipt.
    spec!(
        Convert,
        OPEN,
        Next::ConvertToRuling,
        [Converted, RequestReceived],
        [
            req("request_received_at", Kind::Instant),
            req("reason", Kind::Text(2000))
        ],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        ReportToOrganiser,
        &[
            S::ComplaintReceived,
            S::Transferred,
            S::RespondentNotified,
            S::Answered,
            S::NoAnswer,
            S::MeasuresOrdered,
            S::NoInfringement,
            S::Closed
        ],
        Next::Stay,
        [OrganiserReported],
        [req("report", Kind::Text(4000))],
        Worker
    ),
];

/// What a case the exhibition's close transferred as a lead (or to the market regulator) still
/// owes: the report to the organiser (2006 Measures Art. 15), whatever became of the lead.
pub static AFTER_CLOSE: &[Spec] = &[spec!(
    ReportToOrganiser,
    &[S::New, S::Referred, S::Rejected, S::Merged],
    Next::Stay,
    [OrganiserReported],
    [req("report", Kind::Text(4000))],
    Worker
)];

/// The series an exhibition is a session of: its name without the year and the session number,
/// so that `2025中国（南通）国际工业博览会`, `2026 中国(南通)国际工业博览会` and
/// `第十届中国（南通）国际工业博览会` are one series.
pub fn series(name: &str) -> String {
    let chars: Vec<char> = crate::domain::case::normalise_name(name).chars().collect();
    let numeral = |c: char| c.is_ascii_digit() || "〇零一二三四五六七八九十百".contains(c);
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        // 第…届: a session number.
        if chars[i] == '第' {
            let end = (i + 1..chars.len()).find(|&j| !numeral(chars[j]));
            if let Some(j) = end
                && j > i + 1
                && chars[j] == '届'
            {
                i = j + 1;
                continue;
            }
        }
        // A year: four digits (with 年 after it, if written).
        if chars[i].is_ascii_digit() {
            let j = (i..chars.len())
                .find(|&j| !chars[j].is_ascii_digit())
                .unwrap_or(chars.len());
            if j - i == 4 {
                i = if chars.get(j) == Some(&'年') {
                    j + 1
                } else {
                    j
                };
                continue;
            }
            out.extend(&chars[i..j]);
            i = j;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Whether `who`, found infringing at this session, was also found infringing at the session
/// of the same series right before it (`previous`: the exhibitors found infringing there). An
/// exhibitor infringing at consecutive sessions is flagged for the organiser (2006 Measures).
pub fn repeat_infringer(who: &PartyKey, previous: &[PartyKey]) -> bool {
    previous.iter().any(|p| p.same_as(who))
}

/// The state-independent conditions of an action (409 keys).
pub fn guard(step: Step, p: &Progress, shape: &Shape) -> Result<(), &'static str> {
    const AT_THE_FAIR: [Step; 6] = [
        Step::Transfer,
        Step::NotifyRespondent,
        Step::ReceiveStatement,
        Step::RecordNoAnswer,
        Step::OrderMeasures,
        Step::FindNoInfringement,
    ];
    match step {
        // Decisions are taken while the exhibition is open (2006 Measures Arts. 7, 14); after
        // its close a case is closed or converted.
        s if (p.exhibition_closed || shape.past_close) && AT_THE_FAIR.contains(&s) => {
            Err("error.workflow.exhibition_closed")
        }
        Step::ReportToOrganiser if !p.exhibition_closed => Err("error.workflow.exhibition_open"),
        Step::ReportToOrganiser if p.organiser_reported => Err("error.workflow.already_recorded"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_of_one_exhibition_share_a_series_whatever_their_year_or_number() {
        let s = series("2026中国（南通）国际工业博览会");
        assert_eq!(s, series("2025 中国(南通)国际工业博览会"));
        assert_eq!(s, series("第十届中国（南通）国际工业博览会"));
        assert_eq!(s, series("第12届中国（南通）国际工业博览会"));
        assert_eq!(s, series("2026年中国（南通）国际工业博览会"));
        assert_ne!(s, series("2026中国（苏州）国际工业博览会"));
        // Other numbers are part of the name.
        assert_ne!(series("5G通信展"), series("6G通信展"));
    }

    #[test]
    fn an_exhibitor_is_the_same_by_credit_code_when_both_have_one_else_by_name() {
        let named = |n: &str| PartyKey {
            uscc: None,
            name: n.into(),
        };
        let coded = |c: &str, n: &str| PartyKey {
            uscc: Some(c.into()),
            name: n.into(),
        };
        let previous = [coded("91320600MA1XXXXXX1", "常州某模具有限公司")];
        // Renamed since, same credit code.
        assert!(repeat_infringer(
            &coded("91320600MA1XXXXXX1", "常州某精密模具有限公司"),
            &previous
        ));
        // Same name, another credit code: another company.
        assert!(!repeat_infringer(
            &coded("91320600MA1YYYYYY2", "常州某模具有限公司"),
            &previous
        ));
        // A code on one side only: by name.
        assert!(repeat_infringer(&named("常州某模具有限公司 "), &previous));
        assert!(!repeat_infringer(&named("南京某科技有限公司"), &previous));
    }
}
