//! The core vocabulary of a case's life: the states it passes through in every queue and the kinds
//! of event its log records. Stored and sent as the same snake_case strings; everything from the
//! store up compares these enums, never strings.

names! {
    /// Where a case stands in its queue (DOMAIN.md lists them per queue).
    CaseState {
        // Triage and its outcomes.
        New = "new",
        Referred = "referred",
        Rejected = "rejected",
        Merged = "merged",
        // Administrative ruling (Order 81).
        Received = "received",
        CorrectionRequested = "correction_requested",
        Docketed = "docketed",
        Refused = "refused",
        Served = "served",
        AnswerPeriod = "answer_period",
        Evidence = "evidence",
        HearingScheduled = "hearing_scheduled",
        Deliberation = "deliberation",
        Suspended = "suspended",
        Decided = "decided",
        Published = "published",
        Withdrawn = "withdrawn",
        Revoked = "revoked",
        Mediated = "mediated",
        // Exhibition enforcement.
        ComplaintReceived = "complaint_received",
        Transferred = "transferred",
        RespondentNotified = "respondent_notified",
        Answered = "answered",
        NoAnswer = "no_answer",
        MeasuresOrdered = "measures_ordered",
        NoInfringement = "no_infringement",
        // Overseas assistance.
        Requested = "requested",
        Accepted = "accepted",
        Declined = "declined",
        ExpertAssigned = "expert_assigned",
        GuidanceGiven = "guidance_given",
        FollowUp = "follow_up",
        // Every queue ends here.
        Closed = "closed",
    }
}

impl CaseState {
    /// Nothing more happens to a case in this state: its work (or its triage) is over.
    pub fn is_final(self) -> bool {
        use CaseState::*;
        matches!(
            self,
            Closed | Refused | Withdrawn | Revoked | Mediated | Declined | Rejected | Merged
        )
    }

    /// The catalogue key of its label.
    pub fn key(self) -> String {
        format!("case_state.{}", self.as_str())
    }
}

names! {
    /// What a case event records. The deadline rules start, stop and pause clocks on these; a
    /// rules file that names anything else is refused.
    EventKind {
        // Intake and triage.
        Received = "received",
        Routed = "routed",
        Referred = "referred",
        Rejected = "rejected",
        Merged = "merged",
        DuplicateMerged = "duplicate_merged",
        // A jurisdiction dispute taken to the common superior, which designates (Order 81 Art. 8).
        JurisdictionEscalated = "jurisdiction_escalated",
        JurisdictionDesignated = "jurisdiction_designated",
        FilerNotified = "filer_notified",
        ReferralAcknowledged = "referral_acknowledged",
        ReferralReturned = "referral_returned",
        Shared = "shared",
        ShareRevoked = "share_revoked",
        /// The office a case was shared with has taken note of it (the approvals inbox).
        ShareAcknowledged = "share_acknowledged",
        Assigned = "assigned",
        // Administrative ruling.
        RequestReceived = "request_received",
        CorrectionRequested = "correction_requested",
        CorrectionReceived = "correction_received",
        Docketed = "docketed",
        DocketRefused = "docket_refused",
        RespondentServed = "respondent_served",
        /// Served by public notice (公告送达): deemed served when the notice period ends.
        PublicNoticeServed = "public_notice_served",
        RespondentReceived = "respondent_received",
        RespondentReceivedAbroad = "respondent_received_abroad",
        AnswerReceived = "answer_received",
        AnswerPeriodClosed = "answer_period_closed",
        AnswerForwarded = "answer_forwarded",
        JurisdictionObjectionReceived = "jurisdiction_objection_received",
        JurisdictionObjectionDecided = "jurisdiction_objection_decided",
        EvidenceNoticeReceived = "evidence_notice_received",
        EvidencePeriodExtended = "evidence_period_extended",
        /// A party's evidence extension as an open pause (cases recorded before extensions
        /// became a number of days); nothing starts one now.
        EvidenceExtensionStarted = "evidence_extension_started",
        EvidenceExtensionEnded = "evidence_extension_ended",
        EvidencePeriodClosed = "evidence_period_closed",
        HearingScheduled = "hearing_scheduled",
        HearingPostponed = "hearing_postponed",
        HearingHeld = "hearing_held",
        WrittenReview = "written_review",
        Deliberated = "deliberated",
        Decided = "decided",
        Mediated = "mediated",
        Revoked = "revoked",
        Withdrawn = "withdrawn",
        PartyAdded = "party_added",
        RecusalApplied = "recusal_applied",
        RecusalDecided = "recusal_decided",
        AppraisalStarted = "appraisal_started",
        AppraisalEnded = "appraisal_ended",
        SettlementStarted = "settlement_started",
        SettlementEnded = "settlement_ended",
        Suspended = "suspended",
        SuspensionRefused = "suspension_refused",
        Resumed = "resumed",
        Published = "published",
        /// A ruling changed or revoked after it was made (Art. 33).
        RulingChanged = "ruling_changed",
        // Related cases heard together (Art. 21), recorded on both.
        HeardTogether = "heard_together",
        // Investigation (Arts. 47–49, 52).
        InvestigationRecorded = "investigation_recorded",
        EvidencePreserved = "evidence_preserved",
        PreservationDecided = "preservation_decided",
        TechnicalInvestigatorAppointed = "technical_investigator_appointed",
        // After the ruling (Art. 32, 34; Patent Law Art. 65).
        RulingNotifiedTo = "ruling_notified_to",
        EnforcementApplied = "enforcement_applied",
        RepeatInfringementRuled = "repeat_infringement_ruled",
        RulingReceived = "ruling_received",
        // Exhibition enforcement.
        ComplaintReceived = "complaint_received",
        Transferred = "transferred",
        RespondentNotified = "respondent_notified",
        Answered = "answered",
        NoAnswerRecorded = "no_answer_recorded",
        MeasuresOrdered = "measures_ordered",
        NoInfringementFound = "no_infringement_found",
        ExhibitionClosed = "exhibition_closed",
        OrganiserReported = "organiser_reported",
        Converted = "converted",
        // At the close, an open patent complaint goes to the office as a lead, with an
        // invitation to request a ruling; a non-patent one to the market regulator.
        TransferredAtClose = "transferred_at_close",
        TransferredToRegulator = "transferred_to_regulator",
        // Overseas assistance.
        Requested = "requested",
        Accepted = "accepted",
        Declined = "declined",
        ExpertAssigned = "expert_assigned",
        GuidanceGiven = "guidance_given",
        FollowedUp = "followed_up",
        EligibilityRecorded = "eligibility_recorded",
        // The case's mutual-aid fund application: filed, a panel member's vote, the decision,
        // each payout.
        FundApplied = "fund_applied",
        FundVoted = "fund_voted",
        FundDecided = "fund_decided",
        FundPaid = "fund_paid",
        // Special campaigns: the case linked to one, referred to a participating body, and the
        // body's acknowledgement.
        CampaignLinked = "campaign_linked",
        CampaignReferred = "campaign_referred",
        CampaignReferralAcknowledged = "campaign_referral_acknowledged",
        /// Who works an overseas case asks the supervisor to pass the export gate.
        EvidenceExportRequested = "evidence_export_requested",
        EvidenceExportApproved = "evidence_export_approved",
        // Deadlines, documents and the end of every queue.
        ExtensionRequested = "extension_requested",
        ExtensionApproved = "extension_approved",
        ExtensionRefused = "extension_refused",
        DocumentGenerated = "document_generated",
        // Messages between the office and the filer (public): a message, a request for material
        // with a due date (a clock), and the filer's answer to it.
        MessagePosted = "message_posted",
        MaterialRequested = "material_requested",
        MaterialSubmitted = "material_submitted",
        Closed = "closed",
        // The custody log of evidence.
        EvidenceUploaded = "evidence_uploaded",
        EvidenceViewed = "evidence_viewed",
        EvidenceDownloaded = "evidence_downloaded",
        EvidenceExported = "evidence_exported",
        EvidenceWithdrawn = "evidence_withdrawn",
        EvidenceApprovedAbroad = "evidence_approved_abroad",
    }
}

impl EventKind {
    /// The events of a triage decision: what an office that triaged a lead recorded (the
    /// migration `triage_decision_index` indexes exactly these kinds by the recording office).
    pub const TRIAGE_DECISIONS: [EventKind; 4] =
        [Self::Routed, Self::Referred, Self::Rejected, Self::Merged];

    /// A step of the custody log of an evidence item.
    pub fn is_custody(self) -> bool {
        use EventKind::*;
        matches!(
            self,
            EvidenceUploaded
                | EvidenceViewed
                | EvidenceDownloaded
                | EvidenceExported
                | EvidenceWithdrawn
                | EvidenceApprovedAbroad
        )
    }

    /// Someone only read evidence: such an event does not make an open form stale.
    pub fn only_reads_evidence(self) -> bool {
        matches!(
            self,
            Self::EvidenceViewed | Self::EvidenceDownloaded | Self::EvidenceExported
        )
    }

    /// The catalogue key of its label.
    pub fn key(self) -> String {
        format!("event.{}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_event_has_a_label_in_both_languages_and_round_trips() {
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Some(*s));
            assert!(crate::i18n::has(&s.key()), "{}", s.key());
        }
        for e in EventKind::ALL {
            assert_eq!(EventKind::parse(e.as_str()), Some(*e));
            assert!(crate::i18n::has(&e.key()), "{}", e.key());
        }
        assert_eq!(EventKind::parse("docketd"), None);
        let err = serde_json::from_str::<EventKind>("\"docketd\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown EventKind `docketd`"),
            "{err}"
        );
    }
}
