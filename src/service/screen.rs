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
use crate::domain::case::triage::{self as triage_rules, request_receipt};
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
    /// Offices a case may still be shared with (when the reader may share).
    pub offices: Vec<OrgRef>,
    /// Competent bodies a lead may be referred to (when the reader may triage).
    pub referral_targets: Vec<OrgRef>,
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
    /// The 沟通 card: messages between the office and the filer.
    pub messages: super::messages::Card,
    /// Who works the case: its assignee, its panel, and whom the filer may call.
    pub people: People,
    /// The complainant's protection needs (保护需求), for a reader who sees the case as an office.
    pub needs: Option<entity::enterprise_needs::Model>,
    /// The complainant's credit code, when the reader may record its protection needs.
    pub needs_uscc: Option<String>,
    /// The mutual-aid fund applications made from the case that the reader may see.
    pub funds: Vec<super::funds::ApplicationView>,
    /// The reader may apply to a fund from it (the filing enterprise, on an overseas case).
    pub may_apply_fund: bool,
}

/// Who works a case, as 基本情况 shows it.
#[derive(Debug, Clone, Default)]
pub struct People {
    /// The assigned officer (承办人).
    pub assignee: Option<String>,
    /// The panel (合议组) named at docketing, after any recusal.
    pub panel: Vec<String>,
    /// The owning office's contact person and phone.
    pub contact: Option<(String, String)>,
}

/// The assignee, the panel and the office's contact of a case.
async fn people(db: &store::Db, case: &CaseView) -> Result<People> {
    let conn = db.conn();
    let events = store::case_log::events(conn, case.summary.id, false).await?;
    let seen: Vec<crate::domain::workflow::progress::Seen> = events
        .iter()
        .map(|e| crate::domain::workflow::progress::Seen {
            kind: e.kind,
            payload: &e.payload,
        })
        .collect();
    let panel_ids = crate::domain::workflow::progress::Progress::of(&seen).panel;
    let mut ids = panel_ids.clone();
    ids.extend(case.summary.assignee_user_id);
    let names = store::users::names(conn, ids).await?;
    let owner = store::orgs::get(conn, case.summary.owner_org_id).await?;
    let contact = owner.and_then(|o| {
        let phone = o.contact_phone.filter(|p| !p.trim().is_empty())?;
        Some((o.contact_name.unwrap_or_default(), phone))
    });
    Ok(People {
        assignee: case
            .summary
            .assignee_user_id
            .and_then(|u| names.get(&u).cloned()),
        panel: panel_ids
            .iter()
            .filter_map(|u| names.get(u).cloned())
            .collect(),
        contact,
    })
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
    // Where a lead may be referred, and whom the case may still be shared with.
    let (referral_targets, offices) = if may.triage || may.share {
        let owner = case.summary.owner_org_id;
        let all = cases::other_offices(db, owner).await?;
        let shared: Vec<i64> = case.shares.iter().map(|s| s.org_id).collect();
        let me_org = me.actor.org_id;
        (
            all.iter()
                .filter(|o| triage_rules::may_refer_to(o.kind, o.id, owner, me_org))
                .cloned()
                .collect(),
            all.into_iter()
                .filter(|o| triage_rules::may_share_with(o.kind, o.id, owner, me_org, &shared))
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
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
    let messages = super::messages::card(db, me, &v).await?;
    let people = people(db, &case).await?;
    let complainant_uscc = case
        .parties
        .iter()
        .find(|p| p.role == crate::domain::case::PartyRole::Complainant)
        .and_then(|p| p.uscc.clone());
    let office_reader = !case.is_filer() && me.actor.org_kind != OrgKind::Enterprise;
    let needs = super::needs::for_case(db, office_reader, complainant_uscc.as_deref()).await?;
    let needs_uscc = complainant_uscc.filter(|u| office_reader && super::needs::may_record(me, u));
    let funds = super::funds::of_case(db, me, id).await?;
    let may_apply_fund = v.case().queue == crate::domain::case::Queue::OverseasAssistance
        && crate::domain::policy::may_apply_to_fund(&me.actor, v.access());
    Ok(Screen {
        needs,
        needs_uscc,
        funds,
        may_apply_fund,
        referral_targets,
        messages,
        people,
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
