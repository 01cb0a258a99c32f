//! Queue workflows: the statutory stages of each work queue as data. For every queue, which
//! actions a case may take in which state, who may take them, the fields each needs, the events
//! it appends (the start, stop and pause events of the deadline rules) and where it leads.
//! Pure: no database, no clock; the service validates the fields and appends the events.

pub mod exhibition;
pub mod fields;
pub mod overseas;
pub mod progress;
pub mod ruling;
mod spec_macro;
mod step;

use spec_macro::spec;

use super::case::{CaseState, EventKind, Queue, RightKind, Standing};
pub use fields::{Field, Kind, Values};
pub use progress::Progress;
pub use step::Step;

/// Who may take an action, among the users of an office that may contribute to the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// An officer or a supervisor.
    Worker,
    /// A supervisor (负责人): approvals.
    Supervisor,
    /// A member of the case's panel (合议组), or a supervisor.
    Panel,
}

/// Where an action leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The state does not change (a step recorded within a stage).
    Stay,
    To(CaseState),
    /// Back to the state the case had before it was suspended.
    Resume,
    /// Into the administrative-ruling queue, keeping events and evidence (exhibition cases).
    ConvertToRuling,
}

/// A notice the action produces (printable, from `templates/documents/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// 受理通知书
    Acceptance,
    /// 不予受理通知书
    Refusal,
    /// 答辩通知书
    AnswerNotice,
    /// 口头审理通知书
    HearingNotice,
    /// 中止通知书
    Suspension,
    /// 恢复通知书
    Resumption,
    /// 行政裁决书
    Ruling,
    /// 展会处理通知
    ExhibitionDecision,
    /// 补正通知书 (Art. 16)
    CorrectionNotice,
    /// 公告 (service by public notice, Art. 10)
    PublicNotice,
    /// 回避决定书 (Art. 5)
    RecusalDecision,
    /// 撤销案件决定书 (Art. 36)
    RevocationDecision,
    /// 调解协议书
    MediationAgreement,
    /// 案件移送告知书: the requester is told the case went to another office (Order 81 Art. 9).
    ReferralNotice,
    /// 提出行政裁决请求告知书: at an exhibition's close, the complainant is invited to request a
    /// ruling (Order 81 Arts. 12, 14: a ruling case needs a request).
    RulingInvitation,
    /// 案件移送函: a non-patent complaint goes to the market regulator at the close.
    TransferLetter,
}

impl Document {
    pub const ALL: [Document; 16] = [
        Document::Acceptance,
        Document::Refusal,
        Document::AnswerNotice,
        Document::HearingNotice,
        Document::Suspension,
        Document::Resumption,
        Document::Ruling,
        Document::ExhibitionDecision,
        Document::CorrectionNotice,
        Document::PublicNotice,
        Document::RecusalDecision,
        Document::RevocationDecision,
        Document::MediationAgreement,
        Document::ReferralNotice,
        Document::RulingInvitation,
        Document::TransferLetter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acceptance => "acceptance_notice",
            Self::Refusal => "refusal_notice",
            Self::AnswerNotice => "answer_notice",
            Self::HearingNotice => "hearing_notice",
            Self::Suspension => "suspension_notice",
            Self::Resumption => "resumption_notice",
            Self::Ruling => "ruling",
            Self::ExhibitionDecision => "exhibition_decision",
            Self::CorrectionNotice => "correction_notice",
            Self::PublicNotice => "public_notice",
            Self::RecusalDecision => "recusal_decision",
            Self::RevocationDecision => "revocation_decision",
            Self::MediationAgreement => "mediation_agreement",
            Self::ReferralNotice => "referral_notice",
            Self::RulingInvitation => "ruling_invitation",
            Self::TransferLetter => "transfer_letter",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Whether the document is addressed to the requester (the filing enterprise): they are
    /// told when it is issued. The answer notice and the public notice go to the respondent, the
    /// transfer letter to the market regulator.
    pub fn to_requester(self) -> bool {
        !matches!(
            self,
            Self::AnswerNotice | Self::PublicNotice | Self::TransferLetter
        )
    }

    /// The event the document is generated from (its latest occurrence).
    pub fn event(self) -> EventKind {
        match self {
            Self::Acceptance => EventKind::Docketed,
            Self::Refusal => EventKind::DocketRefused,
            Self::AnswerNotice => EventKind::RespondentServed,
            Self::HearingNotice => EventKind::HearingScheduled,
            Self::Suspension => EventKind::Suspended,
            Self::Resumption => EventKind::Resumed,
            Self::Ruling => EventKind::Decided,
            Self::ExhibitionDecision => EventKind::MeasuresOrdered,
            Self::CorrectionNotice => EventKind::CorrectionRequested,
            Self::PublicNotice => EventKind::PublicNoticeServed,
            Self::RecusalDecision => EventKind::RecusalDecided,
            Self::RevocationDecision => EventKind::Revoked,
            Self::MediationAgreement => EventKind::Mediated,
            Self::ReferralNotice => EventKind::Referred,
            Self::RulingInvitation => EventKind::TransferredAtClose,
            Self::TransferLetter => EventKind::TransferredToRegulator,
        }
    }

    /// The workflow action whose event the document is generated from; none for the documents
    /// of a lead (a triage decision or the exhibition's close, see [`Document::of_a_lead`]).
    pub fn action(self) -> Option<Step> {
        Some(match self {
            Self::Acceptance => Step::Docket,
            Self::Refusal => Step::RefuseDocket,
            Self::AnswerNotice => Step::ServeRespondent,
            Self::HearingNotice => Step::ScheduleHearing,
            Self::Suspension => Step::Suspend,
            Self::Resumption => Step::Resume,
            Self::Ruling => Step::Decide,
            Self::ExhibitionDecision => Step::OrderMeasures,
            Self::CorrectionNotice => Step::RequestCorrection,
            Self::PublicNotice => Step::ServeByPublicNotice,
            Self::RecusalDecision => Step::DecideRecusal,
            Self::RevocationDecision => Step::Revoke,
            Self::MediationAgreement => Step::Mediate,
            Self::ReferralNotice | Self::RulingInvitation | Self::TransferLetter => return None,
        })
    }

    /// Issued while the case is a lead, by the owning office's staff rather than by a panel.
    pub fn of_a_lead(self) -> bool {
        self.action().is_none()
    }
}

/// One workflow action of a queue.
#[derive(Debug)]
pub struct Spec {
    /// The API name (`docket`, `serve_respondent` …); its label is `workflow.action.<name>`.
    pub name: Step,
    /// The states in which it may be taken.
    pub from: &'static [CaseState],
    pub next: Next,
    /// Events appended, in order (see `events_for` for the ones that depend on a field).
    pub events: &'static [EventKind],
    pub fields: &'static [Field],
    pub who: Who,
    /// Cannot be undone: the form asks for a confirmation.
    pub irreversible: bool,
    /// The filer sees the event.
    pub public: bool,
    pub document: Option<Document>,
}

impl Spec {
    /// The case leaves the queue's work (a terminal state).
    pub fn closes(&self) -> bool {
        matches!(self.next, Next::To(s) if s.is_final())
    }
}

/// The ordinary path of each queue's work, in order: the steps a case takes when nothing
/// unusual happens.
const MAIN_PATH: &[Step] = &[
    // Administrative ruling.
    Step::Docket,
    Step::ReceiveCorrection,
    Step::ServeRespondent,
    Step::RecordReceipt,
    Step::ReceiveAnswer,
    Step::ForwardAnswer,
    Step::CloseEvidencePeriod,
    Step::ScheduleHearing,
    Step::HoldHearing,
    Step::RecordDeliberation,
    Step::Decide,
    Step::Publish,
    // Exhibition enforcement.
    Step::Transfer,
    Step::NotifyRespondent,
    Step::ReceiveStatement,
    // Overseas assistance.
    Step::Accept,
    Step::AssignExpert,
    Step::GiveGuidance,
    Step::FollowUp,
];

/// Of the actions offered now, the step most likely taken next: the first of the ordinary path,
/// else the first that moves the case on without ending it. The case page opens its form.
pub fn likely_next(offered: &[&Spec]) -> Option<usize> {
    MAIN_PATH
        .iter()
        .find_map(|step| offered.iter().position(|s| s.name == *step))
        .or_else(|| {
            offered
                .iter()
                .position(|s| !s.irreversible && matches!(s.next, Next::To(to) if !to.is_final()))
        })
}

/// Every action of `queue` (for triage, which has its own decisions, only what a lead that an
/// exhibition's close transferred still owes).
pub fn specs(queue: Queue) -> &'static [Spec] {
    match queue {
        Queue::Triage => exhibition::AFTER_CLOSE,
        Queue::AdministrativeRuling => ruling::SPECS,
        Queue::ExhibitionEnforcement => exhibition::SPECS,
        Queue::OverseasAssistance => overseas::SPECS,
    }
}

/// Every state of `queue`, its entry state first.
pub fn states(queue: Queue) -> &'static [CaseState] {
    match queue {
        Queue::Triage => &[],
        Queue::AdministrativeRuling => ruling::STATES,
        Queue::ExhibitionEnforcement => exhibition::STATES,
        Queue::OverseasAssistance => overseas::STATES,
    }
}

/// The action `name` of `queue` (an API name).
pub fn spec(queue: Queue, name: &str) -> Option<&'static Spec> {
    let step = Step::parse(name)?;
    specs(queue).iter().find(|s| s.name == step)
}

/// What the workflow needs to know of a case besides its state and events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// The kinds of the rights asserted, in order.
    pub rights: Vec<RightKind>,
    pub respondents: usize,
    /// The requester's standing, when known.
    pub standing: Option<Standing>,
    /// The case's exhibition has reached its closing instant (decisions at the fair are over,
    /// even before the closing sweep has run).
    pub past_close: bool,
    /// The correction period set in the notice has run out without a correction (Art. 16).
    pub correction_lapsed: bool,
}

/// What an action does: the state after it and the events to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub queue: Queue,
    pub state: CaseState,
    pub events: Vec<EventKind>,
    pub closes: bool,
}

/// Whether `spec` may be taken now on a case in `state` with `progress` and `shape`; the error
/// is a catalogue key saying why not (409). Field values are checked separately.
pub fn allowed(
    queue: Queue,
    spec: &Spec,
    state: CaseState,
    progress: &Progress,
    shape: &Shape,
) -> Result<(), &'static str> {
    if !spec.from.contains(&state) {
        return Err(if state.is_final() {
            "error.workflow.finished"
        } else {
            "error.workflow.not_now"
        });
    }
    match queue {
        Queue::AdministrativeRuling => ruling::guard(spec.name, progress, shape),
        Queue::ExhibitionEnforcement => exhibition::guard(spec.name, progress, shape),
        Queue::OverseasAssistance => overseas::guard(spec.name, progress),
        // Only what an exhibition's close left owing, and only then.
        Queue::Triage => exhibition::guard(spec.name, progress, shape),
    }
}

/// Field checks of an action beyond each field on its own (422, field messages).
pub fn check_values(
    queue: Queue,
    spec: &Spec,
    values: &Values,
    progress: &Progress,
    shape: &Shape,
) -> Vec<crate::error::FieldError> {
    match queue {
        Queue::AdministrativeRuling => ruling::check_values(spec.name, values, progress, shape),
        Queue::OverseasAssistance => overseas::check_values(spec.name, values),
        _ => Vec::new(),
    }
}

/// Values the law does not allow in this case (409 with the reason).
pub fn conflict(
    queue: Queue,
    spec: &Spec,
    values: &Values,
    shape: &Shape,
) -> Result<(), &'static str> {
    match queue {
        Queue::AdministrativeRuling => ruling::conflict(spec.name, values, shape),
        _ => Ok(()),
    }
}

/// Applies an allowed action with its checked `values`: the next queue, state and events.
pub fn apply(
    queue: Queue,
    spec: &Spec,
    state: CaseState,
    progress: &Progress,
    values: &Values,
) -> Transition {
    let events = events_for(spec, values);
    let (queue, state) = match spec.next {
        Next::Stay => (queue, state),
        Next::To(s) => (queue, s),
        Next::Resume => (
            queue,
            progress.before_suspension.unwrap_or(CaseState::Docketed),
        ),
        Next::ConvertToRuling => (Queue::AdministrativeRuling, CaseState::Received),
    };
    // A jurisdiction objection found well-founded ends the ruling here and transfers the lead to
    // the competent department (Order 81 Art. 9): the case waits, referred, for that office to
    // acknowledge or return it.
    let (queue, state) = if spec.name == Step::DecideJurisdictionObjection
        && values.text("outcome") == Some("upheld")
    {
        (Queue::Triage, CaseState::Referred)
    } else {
        (queue, state)
    };
    Transition {
        closes: state.is_final(),
        queue,
        state,
        events,
    }
}

/// What an action records: each event of `t` with whether the filer sees it and its payload —
/// the checked values and the action's name, and what the law makes of them. `from` is the
/// case's state before the action, `closes_at` its exhibition's closing instant, `at` when the
/// action happened.
pub fn recorded(
    spec: &Spec,
    t: &Transition,
    values: &Values,
    from: CaseState,
    closes_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<(EventKind, bool, serde_json::Value)> {
    use serde_json::json;
    let beijing = crate::domain::time::beijing();
    let mut payload = values.to_json();
    payload["action"] = json!(spec.name);
    match spec.name {
        Step::Suspend => payload["from_state"] = json!(from),
        // Art. 27: a hearing is public unless a reason for privacy is recorded.
        Step::ScheduleHearing => payload["public"] = json!(values.text("closed_reason").is_none()),
        Step::RecordRequesterAbsence => payload["deemed"] = json!(true),
        // The exhibitor's statement is due before the fair closes, whatever is left of its 24
        // hours.
        Step::NotifyRespondent => {
            if let Some(c) = closes_at {
                payload["hard_stop"] = json!(c.to_rfc3339());
            }
        }
        _ => {}
    }
    t.events
        .iter()
        .map(|kind| {
            // The start event of a converted case's ruling clocks is bookkeeping.
            let public = spec.public && *kind != EventKind::RequestReceived;
            let mut p = payload.clone();
            match kind {
                // Served by public notice: the closing clock leaves the notice period out, and
                // the respondent is deemed served when it ends (民事诉讼法 Art. 95).
                EventKind::PublicNoticeServed => {
                    p["period_days"] = json!(ruling::PUBLIC_NOTICE_DAYS)
                }
                EventKind::RespondentReceived if spec.name == Step::ServeByPublicNotice => {
                    let deemed = at + chrono::TimeDelta::days(ruling::PUBLIC_NOTICE_DAYS);
                    p["counts_from"] = json!(deemed.with_timezone(&beijing).to_rfc3339());
                }
                // Converted on the complainant's request: docketing counts from its receipt
                // (Art. 20).
                EventKind::RequestReceived => {
                    if let Some(r) = values.instant("request_received_at") {
                        p["counts_from"] = json!(r.to_rfc3339());
                    }
                }
                _ => {}
            }
            (*kind, public, p)
        })
        .collect()
}

/// The events of an action, some of which depend on a field.
fn events_for(spec: &Spec, values: &Values) -> Vec<EventKind> {
    match spec.name {
        Step::RecordReceipt if values.flag("abroad") => vec![EventKind::RespondentReceivedAbroad],
        Step::DecideJurisdictionObjection if values.text("outcome") == Some("upheld") => vec![
            EventKind::JurisdictionObjectionDecided,
            EventKind::Revoked,
            EventKind::Referred,
        ],
        _ => spec.events.to_vec(),
    }
}

#[cfg(test)]
mod tests;
