//! The case page's model: everything the page shows one reader, and what that reader may do, read
//! in one call. Each panel of the page is drawn from it; every "may" here comes from the access
//! policy, none from the page.

use super::case::view::{CaseSummary, CaseView, EventView, OrgRef};
use super::case::visible;
use super::deadlines::{Requested, requests};
use super::documents::Available;
use super::evidence::Panel;
use super::workflow::Options;
use super::{Ctx, Identity, cases, documents, evidence, triage, workflow};
use crate::domain::case::triage::request_receipt;
use crate::domain::case::{CaseState, EventKind, Queue};
use crate::domain::deadline::{self, Event};
use crate::domain::deadline::{ExtensionTier, State as ClockState, Unit};
use crate::domain::identity::OrgKind;
use crate::domain::identity::Role;
use crate::domain::policy::CaseAction;
use crate::domain::time::{day_of, in_beijing, last_day};
use crate::error::Result;
use crate::store;
use chrono::{DateTime, Utc};

/// What the reader may do on the case page, beyond the workflow's own actions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct May {
    pub triage: bool,
    pub share: bool,
    pub answer_referral: bool,
    pub extend: bool,
}

/// The extensions of one clock: what may be asked for, and what is pending or granted.
#[derive(Debug, Clone)]
pub struct ClockExtensions {
    pub rule_id: String,
    pub unit: Unit,
    pub tiers: Vec<ExtensionTier>,
    pub pending: Vec<Requested>,
    pub granted: Vec<Requested>,
    /// The clock is open, has tiers, and the reader may ask.
    pub can_request: bool,
    /// The page offers the decision buttons (who decides is checked when they are used).
    pub can_decide: bool,
}

/// Everything the case page shows.
pub struct Screen {
    pub case: CaseView,
    /// Newest first.
    pub timeline: Vec<EventView>,
    pub may: May,
    /// Offices a case may be referred to or shared with (when the reader may do either).
    pub offices: Vec<OrgRef>,
    /// Open cases that look like the same matter (when the reader may triage).
    pub duplicates: Vec<CaseSummary>,
    /// Per clock, in the order of `case.clocks` (none for the filing enterprise).
    pub extensions: Vec<Option<ClockExtensions>>,
    pub work: Options,
    pub documents: Available,
    pub evidence: Panel,
    /// For a patent complaint waiting for triage: its docketing window, were it a ruling request.
    pub docket_window: Option<DocketWindow>,
    /// A lead an exhibition's close handed on: it waits for the complainant's ruling request.
    pub invited: bool,
    /// An open jurisdiction dispute (Order 81 Art. 8) and what this reader may do about it.
    pub dispute: Option<DisputeView>,
}

/// A jurisdiction dispute as the case page shows it.
#[derive(Debug, Clone)]
pub struct DisputeView {
    /// The referring office (the owner) and the office that returned the referral.
    pub offices: Vec<OrgRef>,
    /// The common superior it was taken to, if it was.
    pub taken_to: Option<String>,
    pub may_escalate: bool,
    pub may_designate: bool,
}

/// Order 81 Art. 20 counts docketing from the office's receipt of a request, so the days a ruling
/// request waits in triage are days of its docketing window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocketWindow {
    pub due_at: DateTime<Utc>,
    /// Working days after today up to and including the last day.
    pub working_days_left: u32,
    /// Two working days or fewer are left: triage should decide now.
    pub tight: bool,
}

/// The docketing window of a request received at `received_at` with `events`, were it routed to
/// the ruling queue at `now`.
fn docket_window(
    cx: &Ctx,
    received_at: DateTime<Utc>,
    events: &[(EventKind, DateTime<Utc>)],
) -> Option<DocketWindow> {
    let rule = cx.time.rules().get("ar.docket")?;
    let cal = cx.time.calendar();
    let mut routed = Event::new(EventKind::RequestReceived, in_beijing(cx.now));
    routed.counts_from = Some(in_beijing(request_receipt(received_at, events)));
    let clock = deadline::compute_due(rule, &[routed], &cal, cx.now)?;
    let due_at = clock.due_at.to_utc();
    let working_days_left = cal.working_days_between(day_of(cx.now), last_day(due_at));
    Some(DocketWindow {
        due_at,
        working_days_left,
        tight: working_days_left <= 2,
    })
}

/// Reads the case page of case `id` for `me`.
pub async fn case_page(cx: &Ctx, me: &Identity, id: i64) -> Result<Screen> {
    let db = &cx.db;
    let v = visible(db, me, id).await?;
    let case = cases::detail(db, me, id).await?;
    let mut timeline = cases::events(db, me, id).await?;
    timeline.reverse();
    let may = May {
        triage: v.can(me, CaseAction::Triage),
        share: v.can(me, CaseAction::Share),
        answer_referral: v.can(me, CaseAction::AnswerReferral)
            && case.summary.state == CaseState::Referred,
        extend: !v.is_filer() && v.can(me, CaseAction::Extend),
    };
    let offices = if may.triage || may.share {
        cases::other_offices(db, case.summary.owner_org_id).await?
    } else {
        Vec::new()
    };
    let duplicates = if may.triage {
        triage::duplicates(db, me, id).await?
    } else {
        Vec::new()
    };
    let waiting_patent = may.triage
        && case.summary.queue == Queue::Triage
        && case.summary.state == CaseState::New
        && case.rights.iter().any(|r| r.kind.is_patent());
    // The timeline is newest first.
    let dispute = match super::jurisdiction::dispute_in(
        timeline.iter().rev().map(|e| (e.kind, &e.payload)),
    ) {
        Some(d) => {
            let names = store::orgs::by_ids(
                db.conn(),
                [
                    Some(case.summary.owner_org_id),
                    Some(d.returned_by),
                    d.taken_to,
                ]
                .into_iter()
                .flatten()
                .collect(),
            )
            .await?;
            let org = |id: i64| {
                names.iter().find(|o| o.id == id).map(|o| OrgRef {
                    id,
                    name: o.name.clone(),
                    kind: o.kind.parse().unwrap_or(OrgKind::OtherAgency),
                })
            };
            Some(DisputeView {
                offices: [case.summary.owner_org_id, d.returned_by]
                    .into_iter()
                    .filter_map(org)
                    .collect(),
                taken_to: d.taken_to.and_then(org).map(|o| o.name),
                may_escalate: may.triage && d.taken_to.is_none(),
                may_designate: crate::domain::policy::may_designate(&me.actor, d.taken_to),
            })
        }
        None => None,
    };
    let invited = timeline
        .iter()
        .any(|e| e.kind == EventKind::TransferredAtClose);
    let docket_window = if waiting_patent && !invited {
        let events: Vec<(EventKind, DateTime<Utc>)> = store::case_log::events(db.conn(), id, false)
            .await?
            .iter()
            .map(|e| (e.kind, e.at))
            .collect();
        docket_window(cx, case.summary.received_at, &events)
    } else {
        None
    };
    let extensions = if v.is_filer() {
        Vec::new()
    } else {
        let events = store::case_log::events(db.conn(), id, false).await?;
        let all = requests(&events);
        let supervisor = me.role() == Role::Supervisor;
        case.clocks
            .iter()
            .map(|k| {
                let rule = cx.time.rules().get(&k.rule_id)?;
                let of_rule = |decided: Option<bool>| -> Vec<Requested> {
                    all.iter()
                        .filter(|r| r.rule_id == k.rule_id && r.decided == decided)
                        .cloned()
                        .collect()
                };
                let officer_tier = rule.extensions.iter().any(|t| t.approver == "officer");
                Some(ClockExtensions {
                    rule_id: k.rule_id.clone(),
                    unit: rule.unit,
                    tiers: rule.extensions.clone(),
                    pending: of_rule(None),
                    granted: of_rule(Some(true)),
                    can_request: may.extend
                        && matches!(k.state, ClockState::Running | ClockState::Paused)
                        && !rule.extensions.is_empty(),
                    can_decide: may.extend && (supervisor || officer_tier),
                })
            })
            .collect()
    };
    let work = workflow::options(cx, me, id).await?;
    let documents = documents::available(db, me, id).await?;
    let evidence = evidence::panel(db, me, &v).await?;
    Ok(Screen {
        case,
        timeline,
        may,
        offices,
        duplicates,
        extensions,
        work,
        documents,
        evidence,
        docket_window,
        invited,
        dispute,
    })
}
