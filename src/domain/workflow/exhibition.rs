//! Exhibition enforcement (展会知识产权保护): complaint at the station, transfer to the IP office
//! within 24 hours, notice to the exhibitor, its statement within 24 hours (or none), measures or
//! no infringement, closing. At the exhibition's close a decided case closes; an open patent
//! case goes to the office as a lead with an invitation to request a ruling (a ruling case needs
//! a request, Order 81 Arts. 12, 14), keeping its events and evidence; an open non-patent case
//! goes to the market regulator. A complainant's request at the fair converts a case at once.

use super::fields::{Kind, opt, req};
use super::ruling::spec;
use super::{Document, Next, Progress, Shape, Spec, Step, Who};
use crate::domain::case::{CaseState, CaseState as S};

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
    spec!(
        Convert,
        OPEN,
        Next::ConvertToRuling,
        [Converted, RequestReceived],
        [req("reason", Kind::Text(2000))],
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
