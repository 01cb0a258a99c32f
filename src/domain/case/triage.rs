//! The triage state machine: what route, refer, reject and merge do to a case waiting for triage,
//! and how the receiving office answers a referral. Pure; the service appends the events.

use super::{Queue, STATE_MERGED, STATE_NEW, STATE_REFERRED, STATE_REJECTED};

/// Reasons offered when rejecting (不予受理); `other` needs free text.
pub const REJECT_REASONS: [&str; 6] = [
    "not_ip_dispute",
    "no_jurisdiction",
    "incomplete_after_correction",
    "court_action_pending",
    "already_handled",
    "other",
];

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
    pub state: &'static str,
    pub events: Vec<&'static str>,
    /// The case leaves the system's work (rejected, merged).
    pub closes: bool,
}

/// The first state of a queue and the event that starts its clocks (rules.toml).
pub fn entry(queue: Queue) -> (&'static str, &'static str) {
    match queue {
        Queue::Triage => (STATE_NEW, "received"),
        Queue::AdministrativeRuling => ("received", "request_received"),
        Queue::ExhibitionEnforcement => ("complaint_received", "complaint_received"),
        Queue::OverseasAssistance => ("requested", "requested"),
    }
}

/// Applies `decision` to a case in `queue`/`state`; `acknowledged` tells whether a pending referral
/// was already acknowledged. Errors are catalogue keys explaining why not (409).
pub fn apply(
    queue: &str,
    state: &str,
    acknowledged: bool,
    decision: &Decision,
) -> Result<Transition, &'static str> {
    let pending = queue == Queue::Triage.as_str() && state == STATE_NEW;
    let referred = queue == Queue::Triage.as_str() && state == STATE_REFERRED;
    match decision {
        Decision::Route(Queue::Triage) => Err("error.triage.route_target"),
        Decision::Route(q) if pending => {
            let (state, start) = entry(*q);
            Ok(Transition {
                queue: *q,
                state,
                events: vec!["routed", start],
                closes: false,
            })
        }
        Decision::Refer if pending => Ok(Transition {
            queue: Queue::Triage,
            state: STATE_REFERRED,
            events: vec!["referred"],
            closes: false,
        }),
        Decision::Reject if pending => Ok(Transition {
            queue: Queue::Triage,
            state: STATE_REJECTED,
            events: vec!["rejected"],
            closes: true,
        }),
        Decision::Merge if pending => Ok(Transition {
            queue: Queue::Triage,
            state: STATE_MERGED,
            events: vec!["merged"],
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
            state: STATE_REFERRED,
            events: vec!["referral_acknowledged"],
            closes: false,
        }),
        Decision::ReturnReferral => Ok(Transition {
            queue: Queue::Triage,
            state: STATE_NEW,
            events: vec!["referral_returned"],
            closes: false,
        }),
        _ => Err("error.triage.not_pending"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_enters_the_queue_with_its_clock_start() {
        let t = apply(
            "triage",
            "new",
            false,
            &Decision::Route(Queue::AdministrativeRuling),
        )
        .unwrap();
        assert_eq!(t.queue, Queue::AdministrativeRuling);
        assert_eq!(t.state, "received");
        assert_eq!(t.events, ["routed", "request_received"]);
        let t = apply(
            "triage",
            "new",
            false,
            &Decision::Route(Queue::ExhibitionEnforcement),
        )
        .unwrap();
        assert_eq!(t.events, ["routed", "complaint_received"]);
        assert_eq!(
            apply("triage", "new", false, &Decision::Route(Queue::Triage)),
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
            assert!(apply("triage", "new", false, &d).is_ok(), "{d:?}");
            for (q, s) in [
                ("triage", "referred"),
                ("triage", "rejected"),
                ("triage", "merged"),
                ("administrative_ruling", "received"),
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
        let ack = apply("triage", "referred", false, &Decision::AcknowledgeReferral).unwrap();
        assert_eq!(ack.state, "referred");
        let back = apply("triage", "referred", false, &Decision::ReturnReferral).unwrap();
        assert_eq!(
            (back.state, back.events.as_slice()),
            ("new", &["referral_returned"][..])
        );
        assert_eq!(
            apply("triage", "referred", true, &Decision::ReturnReferral),
            Err("error.referral.already_acknowledged")
        );
        assert_eq!(
            apply("triage", "new", false, &Decision::AcknowledgeReferral),
            Err("error.referral.not_pending")
        );
    }

    #[test]
    fn rejection_and_merge_close_the_case() {
        assert!(
            apply("triage", "new", false, &Decision::Reject)
                .unwrap()
                .closes
        );
        assert!(
            apply("triage", "new", false, &Decision::Merge)
                .unwrap()
                .closes
        );
        assert!(
            !apply("triage", "new", false, &Decision::Refer)
                .unwrap()
                .closes
        );
    }
}
