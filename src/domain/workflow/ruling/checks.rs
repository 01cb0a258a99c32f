//! The conditions Order 81 puts on the ruling queue's actions beyond their states: guards (409),
//! conflicts with the law (409) and checks across fields (422).

use super::super::{Progress, Shape, Step, Values};
use crate::domain::case::{PartyKey, RightKind, Standing};
use crate::error::FieldError;
use chrono::{DateTime, FixedOffset, Months, Utc};

/// The state-independent conditions of an action (409 keys).
pub fn guard(step: Step, p: &Progress, shape: &Shape) -> Result<(), &'static str> {
    let patents = shape.rights.iter().filter(|k| k.is_patent()).count();
    match step {
        // Order 81 Art. 15 and the 2019 Guide: one patent per case; co-respondents and
        // co-requesters may be parties of one case (Art. 23).
        Step::Docket if patents != 1 || shape.rights.len() != 1 || shape.respondents == 0 => {
            Err("error.workflow.one_patent")
        }
        Step::ForwardAnswer if !p.answer_to_forward => Err("error.workflow.no_answer_to_forward"),
        Step::RaiseJurisdictionObjection if p.objection_raised => {
            Err("error.workflow.objection_already")
        }
        Step::DecideJurisdictionObjection if !p.objection_pending => {
            Err("error.workflow.no_objection")
        }
        Step::SendEvidenceNotice if p.evidence_period_open => Err("error.workflow.evidence_open"),
        Step::ExtendEvidencePeriod if !p.evidence_period_open => {
            Err("error.workflow.no_evidence_period")
        }
        Step::EndEvidenceExtension if !p.evidence_extension_open => {
            Err("error.workflow.no_evidence_extension")
        }
        Step::CloseEvidencePeriod if !p.evidence_period_open => {
            Err("error.workflow.no_evidence_period")
        }
        Step::ScheduleHearing | Step::WrittenReview if p.evidence_period_open => {
            Err("error.workflow.evidence_open")
        }
        Step::Decide if p.objection_pending => Err("error.workflow.objection_pending"),
        Step::Decide if p.vote.is_none_or(|(yes, no)| yes <= no) => {
            Err("error.workflow.no_majority")
        }
        Step::RecordRulingReceived if p.ruling_received => Err("error.workflow.already_recorded"),
        Step::ApplyRecusal if p.recusal_pending.is_some() => Err("error.workflow.recusal_pending"),
        Step::DecideRecusal if p.recusal_pending.is_none() => Err("error.workflow.no_recusal"),
        // The challenged member stops work until the application is decided.
        Step::RecordDeliberation | Step::Decide if p.recusal_pending.is_some() => {
            Err("error.workflow.recusal_pending")
        }
        Step::StartAppraisal if p.appraisal_open => Err("error.workflow.appraisal_open"),
        Step::LapseCorrection if !shape.correction_lapsed => {
            Err("error.workflow.correction_not_lapsed")
        }
        Step::DecidePreservation if p.preservations_pending == 0 => {
            Err("error.workflow.no_preservation")
        }
        // Art. 34 ¶1 answers repeat infringement of a ruling that found infringement.
        Step::RuleRepeatInfringement | Step::RecordEnforcementApplication
            if !p.infringement_ruled =>
        {
            Err("error.workflow.no_infringement_ruled")
        }
        Step::EndAppraisal if !p.appraisal_open => Err("error.workflow.no_appraisal"),
        Step::StartSettlement if p.settlement_open => Err("error.workflow.settlement_open"),
        Step::EndSettlement if !p.settlement_open => Err("error.workflow.no_settlement"),
        // A ruling waits for the appraisal and the settlement talks to end.
        Step::Decide if p.appraisal_open || p.settlement_open => Err("error.workflow.pause_open"),
        Step::ReportToOrganiser if !p.exhibition_closed => Err("error.workflow.exhibition_open"),
        Step::ReportToOrganiser if p.organiser_reported => Err("error.workflow.already_recorded"),
        _ => Ok(()),
    }
}

/// Whether the office may refuse a suspension applied for on `applied`, on the ground `refusal`
/// (Arts. 28–29). Every ground of Art. 28 obliges suspension except an accepted invalidation
/// request, which the office may refuse on a ground of Art. 29: for an invention patent always,
/// for a utility model or design on one of the others (the evaluation report, a refiled
/// request, a decision upholding the patent, or another stated ground).
pub fn may_refuse_suspension(
    applied: &str,
    refusal: &str,
    shape: &Shape,
) -> Result<(), &'static str> {
    if applied != "invalidation_accepted" {
        return Err("error.workflow.suspension_mandatory");
    }
    let invention = shape.rights.contains(&RightKind::InventionPatent);
    if refusal == "invention_patent" && !invention {
        return Err("error.workflow.not_an_invention");
    }
    let evaluated = shape
        .rights
        .iter()
        .any(|k| matches!(k, RightKind::UtilityModel | RightKind::DesignPatent));
    if refusal == "evaluation_no_defect" && !evaluated {
        return Err("error.workflow.no_evaluation_report");
    }
    Ok(())
}

/// What Art. 21 compares between two cases to hear them together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Related {
    /// The patent numbers asserted.
    pub patents: Vec<String>,
    pub respondents: Vec<PartyKey>,
}

/// Whether two cases may be heard together (Art. 21): they assert the same patent, or are
/// against the same respondent (by credit code when both are known).
pub fn may_hear_together(a: &Related, b: &Related) -> bool {
    let norm = |n: &String| n.replace([' ', '.'], "").to_uppercase();
    a.patents
        .iter()
        .any(|p| b.patents.iter().any(|q| norm(p) == norm(q)))
        || a.respondents
            .iter()
            .any(|r| b.respondents.iter().any(|s| r.same_as(s)))
}

/// Conditions on the values that are conflicts with the law rather than bad input (409 keys).
pub fn conflict(step: Step, values: &Values, shape: &Shape) -> Result<(), &'static str> {
    match step {
        Step::RefuseSuspension => may_refuse_suspension(
            values.text("applied_ground").unwrap_or(""),
            values.text("refusal_ground").unwrap_or(""),
            shape,
        ),
        _ => Ok(()),
    }
}

/// Field checks that need more than one field, or the panel (422).
pub fn check_values(step: Step, values: &Values, p: &Progress, shape: &Shape) -> Vec<FieldError> {
    let mut errors = Vec::new();
    // Art. 12: a sole licensee may ask only when the patentee does not, an ordinary licensee only
    // with the contract's or the patentee's authorisation; the officer confirms the proof.
    let licensee = matches!(
        shape.standing,
        Some(Standing::SoleLicensee | Standing::OrdinaryLicensee)
    );
    if step == Step::Docket && licensee && !values.flag("standing_checked") {
        errors.push(FieldError::new(
            "standing_checked",
            "error.workflow.standing_proof",
        ));
    }
    match step {
        // Art. 20: a panel of at least three officers, an odd number.
        Step::Docket => {
            let n = values.ints("panel_user_ids").len();
            if n < 3 || n.is_multiple_of(2) {
                errors.push(FieldError::new(
                    "panel_user_ids",
                    "error.workflow.panel_size",
                ));
            }
        }
        // Art. 25: every member votes.
        Step::RecordDeliberation => {
            let cast =
                values.int("votes_for").unwrap_or(0) + values.int("votes_against").unwrap_or(0);
            if !p.panel.is_empty() && cast != p.panel.len() as i64 {
                errors.push(FieldError::new("votes_for", "error.workflow.votes_panel"));
            }
        }
        // Art. 9: a well-founded objection sends the lead to the competent department.
        Step::DecideJurisdictionObjection
            if values.text("outcome") == Some("upheld") && values.int("to_org_id").is_none() =>
        {
            errors.push(FieldError::new("to_org_id", "error.workflow.transfer_to"));
        }
        // Art. 5: one member per application; an upheld one against a panel member names the
        // replacement, who is not on the panel already.
        Step::ApplyRecusal if values.ints("member_user_id").len() != 1 => {
            errors.push(FieldError::new(
                "member_user_id",
                "error.workflow.recusal_one_member",
            ));
        }
        Step::DecideRecusal if values.text("outcome") == Some("upheld") => {
            let on_panel = p.recusal_pending.is_some_and(|m| p.panel.contains(&m));
            let replacement = values.ints("replacement_user_id");
            let fits = replacement.len() == 1
                && !p.panel.contains(&replacement[0])
                && Some(replacement[0]) != p.recusal_pending;
            if (on_panel && !fits) || replacement.len() > 1 {
                errors.push(FieldError::new(
                    "replacement_user_id",
                    "error.workflow.recusal_replacement",
                ));
            }
        }
        // Art. 10: electronic service only with the recipient's recorded consent.
        Step::ServeRespondent
            if values.text("method") == Some("electronic") && !values.flag("consent_recorded") =>
        {
            errors.push(FieldError::new(
                "consent_recorded",
                "error.workflow.electronic_consent",
            ));
        }
        // Art. 31: a finding of infringement states the acts to stop.
        Step::Decide
            if values.text("outcome") == Some("infringement") && values.text("order").is_none() =>
        {
            errors.push(FieldError::new("order", "error.workflow.order_required"));
        }
        _ => {}
    }
    errors
}

/// Order 81 Art. 19: a request made more than three years after the requester knew (or should
/// have known) of the infringement and the infringer is out of time — unless the infringement
/// goes on while the patent is in force. (Tolling follows the Civil Procedure Law and is the
/// officer's to weigh; this is the plain count.)
pub fn limitation_expired(
    known: DateTime<FixedOffset>,
    received: DateTime<Utc>,
    continuing: bool,
) -> bool {
    !continuing
        && known
            .checked_add_months(Months::new(36))
            .is_some_and(|end| end.to_utc() < received)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_three_years_after_knowing_is_out_of_time_unless_the_infringement_goes_on() {
        let known = DateTime::parse_from_rfc3339("2022-03-01T09:00:00+08:00").unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert!(!limitation_expired(
            known,
            at("2025-03-01T08:00:00+08:00"),
            false
        ));
        assert!(limitation_expired(
            known,
            at("2025-03-02T09:00:00+08:00"),
            false
        ));
        assert!(!limitation_expired(
            known,
            at("2025-03-02T09:00:00+08:00"),
            true
        ));
    }
}
