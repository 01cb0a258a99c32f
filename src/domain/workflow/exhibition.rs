//! Exhibition enforcement (展会知识产权保护): complaint at the station, transfer to the IP office
//! within 24 hours, notice to the exhibitor, its statement within 24 hours (or none), measures or
//! no infringement, closing; at the exhibition's close, an open case is closed or converted into
//! an administrative-ruling case that keeps its events and evidence.

use super::fields::{Kind, opt, req};
use super::ruling::spec;
use super::{Document, Next, Progress, Shape, Spec, Who};

/// Measures an exhibition office may order (Order 81 Art. 32).
pub const MEASURES: &[&str] = &[
    "withdraw_exhibit",
    "cover_display",
    "seal_materials",
    "remove_link",
];

/// Every state of the queue, the entry state first.
pub const STATES: &[&str] = &[
    "complaint_received",
    "transferred",
    "respondent_notified",
    "answered",
    "no_answer",
    "measures_ordered",
    "no_infringement",
    "closed",
];

/// States in which a case is still being handled at the exhibition.
pub const OPEN: &[&str] = &[
    "complaint_received",
    "transferred",
    "respondent_notified",
    "answered",
    "no_answer",
];

pub static SPECS: &[Spec] = &[
    spec!(
        "transfer",
        &["complaint_received"],
        Next::To("transferred"),
        ["transferred"],
        [opt("note", Kind::Text(2000))],
        Worker,
        public = true
    ),
    spec!(
        "notify_respondent",
        &["transferred"],
        Next::To("respondent_notified"),
        ["respondent_notified"],
        [opt("note", Kind::Text(2000))],
        Worker,
        public = true
    ),
    spec!(
        "receive_statement",
        &["respondent_notified"],
        Next::To("answered"),
        ["answered"],
        [req("statement", Kind::Text(8000))],
        Worker
    ),
    spec!(
        "record_no_answer",
        &["respondent_notified"],
        Next::To("no_answer"),
        ["no_answer_recorded"],
        [],
        Worker
    ),
    spec!(
        "order_measures",
        &["answered", "no_answer"],
        Next::To("measures_ordered"),
        ["measures_ordered"],
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
        "find_no_infringement",
        &["answered", "no_answer"],
        Next::To("no_infringement"),
        ["no_infringement_found"],
        [req("findings", Kind::Text(8000))],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        "close",
        &["measures_ordered", "no_infringement"],
        Next::To("closed"),
        ["closed"],
        [opt("note", Kind::Text(2000))],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        "convert",
        OPEN,
        Next::ConvertToRuling,
        ["converted", "request_received"],
        [req("reason", Kind::Text(2000))],
        Worker,
        irreversible = true,
        public = true
    ),
    spec!(
        "report_to_organiser",
        &[
            "complaint_received",
            "transferred",
            "respondent_notified",
            "answered",
            "no_answer",
            "measures_ordered",
            "no_infringement",
            "closed"
        ],
        Next::Stay,
        ["organiser_reported"],
        [req("report", Kind::Text(4000))],
        Worker
    ),
];

/// The state-independent conditions of an action (409 keys).
pub fn guard(name: &str, p: &Progress, shape: &Shape) -> Result<(), &'static str> {
    const AT_THE_FAIR: [&str; 6] = [
        "transfer",
        "notify_respondent",
        "receive_statement",
        "record_no_answer",
        "order_measures",
        "find_no_infringement",
    ];
    match name {
        // Decisions are taken while the exhibition is open (2006 Measures Arts. 7, 14); after
        // its close a case is closed or converted.
        n if (p.exhibition_closed || shape.past_close) && AT_THE_FAIR.contains(&n) => {
            Err("error.workflow.exhibition_closed")
        }
        "report_to_organiser" if !p.exhibition_closed => Err("error.workflow.exhibition_open"),
        "report_to_organiser" if p.organiser_reported => Err("error.workflow.already_recorded"),
        _ => Ok(()),
    }
}
