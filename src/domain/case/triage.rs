//! The triage state machine: what route, refer, reject and merge do to a case waiting for triage,
//! and how the receiving office answers a referral. Pure; the service appends the events.

use super::{CaseState, EventKind, Queue};

/// Reasons offered when rejecting (不予受理); `other` needs free text.
pub const REJECT_REASONS: [&str; 6] = [
    "not_ip_dispute",
    "no_jurisdiction",
    "incomplete_after_correction",
    "court_action_pending",
    "already_handled",
    "other",
];

/// Whether a lead may be referred to the organisation `id` of `kind`: a competent body — an IP
/// office, the market regulator, an industry-and-IT office or another agency (customs, public
/// security for a crime) — never an assistance centre or an enterprise, and never the owning
/// office or the sender's own organisation.
pub fn may_refer_to(
    kind: crate::domain::identity::OrgKind,
    id: i64,
    owner: i64,
    sender: i64,
) -> bool {
    use crate::domain::identity::OrgKind::*;
    matches!(
        kind,
        IpOffice | MarketRegulator | IndustryOffice | OtherAgency
    ) && id != owner
        && id != sender
}

/// Whether a case may be shared with the organisation `id` of `kind`: any government body but
/// the owner, the sender and those it is already shared with.
pub fn may_share_with(
    kind: crate::domain::identity::OrgKind,
    id: i64,
    owner: i64,
    sender: i64,
    shared: &[i64],
) -> bool {
    kind.is_office() && id != owner && id != sender && !shared.contains(&id)
}

/// A triage decision or a referral answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Route(Queue),
    Refer,
    Reject,
    Merge,
    AcknowledgeReferral,
    ReturnReferral,
}

/// What a decision does: the case's new queue and state and the events to append, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub queue: Queue,
    pub state: CaseState,
    pub events: Vec<EventKind>,
    /// The case leaves the system's work (rejected, merged).
    pub closes: bool,
}

/// The first state of a queue and the event that starts its clocks (rules.toml).
pub fn entry(queue: Queue) -> (CaseState, EventKind) {
    match queue {
        Queue::Triage => (CaseState::New, EventKind::Received),
        Queue::AdministrativeRuling => (CaseState::Received, EventKind::RequestReceived),
        Queue::ExhibitionEnforcement => {
            (CaseState::ComplaintReceived, EventKind::ComplaintReceived)
        }
        Queue::OverseasAssistance => (CaseState::Requested, EventKind::Requested),
    }
}

/// When the competent office received a request (Order 81 Art. 20 counts docketing from it):
/// the acknowledgement of the referral that brought the case, or else its filing. `events` are
/// the case's events in order, as (kind, instant).
pub fn request_receipt<T: Copy>(received_at: T, events: &[(EventKind, T)]) -> T {
    events
        .iter()
        .rev()
        .take_while(|(k, _)| *k != EventKind::ReferralReturned)
        .find(|(k, _)| *k == EventKind::ReferralAcknowledged)
        .map_or(received_at, |(_, at)| *at)
}

/// When the competent office received the ruling request of a lead routed into the ruling queue,
/// with the instant the router gives (`given`, e.g. a request that came by post) checked: not
/// before the lead, not after `now`. A lead that an exhibition's close handed on became a ruling
/// case only on the complainant's request (Order 81 Arts. 12, 14), so its receipt must be given.
pub fn ruling_request_receipt<T: Copy + Ord>(
    received_at: T,
    events: &[(EventKind, T)],
    given: Option<T>,
    now: T,
) -> Result<T, &'static str> {
    match given {
        Some(t) if t > now => Err("error.triage.request_in_future"),
        Some(t) if t < received_at => Err("error.triage.request_before_lead"),
        Some(t) => Ok(t),
        None if events
            .iter()
            .any(|(k, _)| *k == EventKind::TransferredAtClose) =>
        {
            Err("error.triage.request_needed")
        }
        None => Ok(request_receipt(received_at, events)),
    }
}

/// A jurisdiction dispute (Order 81 Art. 8): the office a referral was returned by, and the
/// common superior it was taken to, if it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dispute {
    pub returned_by: i64,
    pub taken_to: Option<i64>,
}

/// The open jurisdiction dispute of a lead, read from its events in order (each with the office
/// a referral or an escalation names): its last referral was returned, and since then no office
/// was designated nor was the lead decided otherwise.
pub fn open_dispute(events: &[(EventKind, Option<i64>)]) -> Option<Dispute> {
    let mut referred_to = None;
    let mut dispute = None;
    for (kind, org) in events {
        match kind {
            EventKind::Referred => {
                referred_to = *org;
                dispute = None;
            }
            EventKind::ReferralReturned => {
                dispute = referred_to.map(|r| Dispute {
                    returned_by: r,
                    taken_to: None,
                })
            }
            EventKind::JurisdictionEscalated => {
                if let Some(d) = dispute.as_mut() {
                    d.taken_to = *org;
                }
            }
            EventKind::JurisdictionDesignated
            | EventKind::Routed
            | EventKind::Rejected
            | EventKind::Merged => dispute = None,
            _ => {}
        }
    }
    dispute
}

/// The common superior of two offices: the nearest of `a`'s ancestors (nearest first) that is
/// also an ancestor of `b`.
pub fn common_superior(a_ancestors: &[i64], b_ancestors: &[i64]) -> Option<i64> {
    a_ancestors
        .iter()
        .copied()
        .find(|x| b_ancestors.contains(x))
}

/// Applies `decision` to a case in `queue`/`state`; `acknowledged` tells whether a pending referral
/// was already acknowledged. Errors are catalogue keys explaining why not (409).
pub fn apply(
    queue: Queue,
    state: CaseState,
    acknowledged: bool,
    decision: &Decision,
) -> Result<Transition, &'static str> {
    let pending = queue == Queue::Triage && state == CaseState::New;
    let referred = queue == Queue::Triage && state == CaseState::Referred;
    match decision {
        Decision::Route(Queue::Triage) => Err("error.triage.route_target"),
        Decision::Route(q) if pending => {
            let (state, start) = entry(*q);
            Ok(Transition {
                queue: *q,
                state,
                events: vec![EventKind::Routed, start],
                closes: false,
            })
        }
        Decision::Refer if pending => Ok(Transition {
            queue: Queue::Triage,
            state: CaseState::Referred,
            events: vec![EventKind::Referred],
            closes: false,
        }),
        Decision::Reject if pending => Ok(Transition {
            queue: Queue::Triage,
            state: CaseState::Rejected,
            events: vec![EventKind::Rejected],
            closes: true,
        }),
        Decision::Merge if pending => Ok(Transition {
            queue: Queue::Triage,
            state: CaseState::Merged,
            events: vec![EventKind::Merged],
            closes: true,
        }),
        Decision::AcknowledgeReferral | Decision::ReturnReferral if !referred => {
            Err("error.referral.not_pending")
        }
        Decision::AcknowledgeReferral | Decision::ReturnReferral if acknowledged => {
            Err("error.referral.already_acknowledged")
        }
        Decision::AcknowledgeReferral => Ok(Transition {
            queue: Queue::Triage,
            state: CaseState::Referred,
            events: vec![EventKind::ReferralAcknowledged],
            closes: false,
        }),
        Decision::ReturnReferral => Ok(Transition {
            queue: Queue::Triage,
            state: CaseState::New,
            events: vec![EventKind::ReferralReturned],
            closes: false,
        }),
        _ => Err("error.triage.not_pending"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_received_when_filed_or_when_its_referral_is_acknowledged() {
        use EventKind::*;
        assert_eq!(request_receipt(1, &[(Received, 1)]), 1);
        let referred = [(Received, 1), (Referred, 3), (ReferralAcknowledged, 5)];
        assert_eq!(request_receipt(1, &referred), 5);
        // A referral returned to the sender: the sender has had the request since its filing.
        let returned = [(Received, 1), (Referred, 3), (ReferralReturned, 5)];
        assert_eq!(request_receipt(1, &returned), 1);
    }

    #[test]
    fn a_returned_referral_is_a_dispute_until_the_common_superior_designates() {
        use EventKind::*;
        let mut events = vec![(Received, None), (Referred, Some(7))];
        assert_eq!(open_dispute(&events), None);
        events.push((ReferralReturned, None));
        let open = Some(Dispute {
            returned_by: 7,
            taken_to: None,
        });
        assert_eq!(open_dispute(&events), open);
        events.push((JurisdictionEscalated, Some(2)));
        assert_eq!(
            open_dispute(&events),
            Some(Dispute {
                returned_by: 7,
                taken_to: Some(2)
            })
        );
        events.push((JurisdictionDesignated, Some(7)));
        assert_eq!(open_dispute(&events), None);
        // A lead routed after a return has no dispute left.
        let routed = [
            (Referred, Some(7)),
            (ReferralReturned, None),
            (Routed, None),
        ];
        assert_eq!(open_dispute(&routed), None);
        // The nearest common superior: a city office (5) and a county office under another city
        // (8 → 6) share the province (1).
        assert_eq!(common_superior(&[3, 1], &[6, 1]), Some(1));
        assert_eq!(common_superior(&[3, 1], &[3, 1]), Some(3));
        assert_eq!(common_superior(&[3], &[6]), None);
    }

    #[test]
    fn a_lead_handed_on_at_an_exhibitions_close_needs_the_receipt_of_its_ruling_request() {
        use EventKind::*;
        let plain = [(Received, 1)];
        assert_eq!(ruling_request_receipt(1, &plain, None, 9), Ok(1));
        assert_eq!(ruling_request_receipt(1, &plain, Some(4), 9), Ok(4));
        assert_eq!(
            ruling_request_receipt(1, &plain, Some(10), 9),
            Err("error.triage.request_in_future")
        );
        assert_eq!(
            ruling_request_receipt(3, &plain, Some(2), 9),
            Err("error.triage.request_before_lead")
        );
        let handed_on = [
            (ComplaintReceived, 1),
            (ExhibitionClosed, 5),
            (TransferredAtClose, 5),
        ];
        assert_eq!(
            ruling_request_receipt(1, &handed_on, None, 9),
            Err("error.triage.request_needed")
        );
        assert_eq!(ruling_request_receipt(1, &handed_on, Some(7), 9), Ok(7));
    }

    #[test]
    fn routing_enters_the_queue_with_its_clock_start() {
        let t = apply(
            Queue::Triage,
            CaseState::New,
            false,
            &Decision::Route(Queue::AdministrativeRuling),
        )
        .unwrap();
        assert_eq!(t.queue, Queue::AdministrativeRuling);
        assert_eq!(t.state, CaseState::Received);
        assert_eq!(t.events, [EventKind::Routed, EventKind::RequestReceived]);
        let t = apply(
            Queue::Triage,
            CaseState::New,
            false,
            &Decision::Route(Queue::ExhibitionEnforcement),
        )
        .unwrap();
        assert_eq!(t.events, [EventKind::Routed, EventKind::ComplaintReceived]);
        assert_eq!(
            apply(
                Queue::Triage,
                CaseState::New,
                false,
                &Decision::Route(Queue::Triage)
            ),
            Err("error.triage.route_target")
        );
    }

    #[test]
    fn only_a_pending_case_can_be_triaged() {
        for d in [
            Decision::Route(Queue::OverseasAssistance),
            Decision::Refer,
            Decision::Reject,
            Decision::Merge,
        ] {
            assert!(
                apply(Queue::Triage, CaseState::New, false, &d).is_ok(),
                "{d:?}"
            );
            for (q, s) in [
                (Queue::Triage, CaseState::Referred),
                (Queue::Triage, CaseState::Rejected),
                (Queue::Triage, CaseState::Merged),
                (Queue::AdministrativeRuling, CaseState::Received),
            ] {
                assert_eq!(
                    apply(q, s, false, &d),
                    Err("error.triage.not_pending"),
                    "{d:?} {q} {s}"
                );
            }
        }
    }

    #[test]
    fn a_referral_is_acknowledged_or_returned_once() {
        let ack = apply(
            Queue::Triage,
            CaseState::Referred,
            false,
            &Decision::AcknowledgeReferral,
        )
        .unwrap();
        assert_eq!(ack.state, CaseState::Referred);
        let back = apply(
            Queue::Triage,
            CaseState::Referred,
            false,
            &Decision::ReturnReferral,
        )
        .unwrap();
        assert_eq!(
            (back.state, back.events.as_slice()),
            (CaseState::New, &[EventKind::ReferralReturned][..])
        );
        assert_eq!(
            apply(
                Queue::Triage,
                CaseState::Referred,
                true,
                &Decision::ReturnReferral
            ),
            Err("error.referral.already_acknowledged")
        );
        assert_eq!(
            apply(
                Queue::Triage,
                CaseState::New,
                false,
                &Decision::AcknowledgeReferral
            ),
            Err("error.referral.not_pending")
        );
    }

    #[test]
    fn rejection_and_merge_close_the_case() {
        assert!(
            apply(Queue::Triage, CaseState::New, false, &Decision::Reject)
                .unwrap()
                .closes
        );
        assert!(
            apply(Queue::Triage, CaseState::New, false, &Decision::Merge)
                .unwrap()
                .closes
        );
        assert!(
            !apply(Queue::Triage, CaseState::New, false, &Decision::Refer)
                .unwrap()
                .closes
        );
    }
}

#[cfg(test)]
mod target_tests {
    use super::*;
    use crate::domain::identity::OrgKind;

    #[test]
    fn referrals_go_to_competent_bodies_and_never_back_to_the_sender() {
        assert!(may_refer_to(OrgKind::IpOffice, 3, 1, 2));
        assert!(may_refer_to(OrgKind::MarketRegulator, 3, 1, 2));
        assert!(may_refer_to(OrgKind::OtherAgency, 3, 1, 2));
        assert!(!may_refer_to(OrgKind::AssistanceCenter, 3, 1, 2));
        assert!(!may_refer_to(OrgKind::Enterprise, 3, 1, 2));
        assert!(!may_refer_to(OrgKind::IpOffice, 1, 1, 2), "the owner");
        assert!(!may_refer_to(OrgKind::IpOffice, 2, 1, 2), "the sender");
        assert!(may_share_with(OrgKind::AssistanceCenter, 3, 1, 2, &[4]));
        assert!(
            !may_share_with(OrgKind::IpOffice, 4, 1, 2, &[4]),
            "shared already"
        );
        assert!(
            !may_share_with(OrgKind::IpOffice, 1, 1, 2, &[]),
            "the owner"
        );
        assert!(!may_share_with(OrgKind::Enterprise, 5, 1, 2, &[]));
    }
}
