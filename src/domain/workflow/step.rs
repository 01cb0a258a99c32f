//! The names of workflow actions (API.md: the snake_case English names of the stages), one enum
//! for the three queues; an action of the same name in two queues is the same step.

names! {
    /// A workflow action: what an officer does to move a case through its queue.
    Step {
        RequestCorrection = "request_correction",
        ReceiveCorrection = "receive_correction",
        LapseCorrection = "lapse_correction",
        Docket = "docket",
        RefuseDocket = "refuse_docket",
        ServeRespondent = "serve_respondent",
        ServeByPublicNotice = "serve_by_public_notice",
        RecordReceipt = "record_receipt",
        ReceiveAnswer = "receive_answer",
        CloseAnswerPeriod = "close_answer_period",
        ForwardAnswer = "forward_answer",
        RaiseJurisdictionObjection = "raise_jurisdiction_objection",
        DecideJurisdictionObjection = "decide_jurisdiction_objection",
        SendEvidenceNotice = "send_evidence_notice",
        ExtendEvidencePeriod = "extend_evidence_period",
        /// Ends a party's evidence extension recorded as an open pause before extensions became
        /// a number of days; offered only on such a case.
        EndEvidenceExtension = "end_evidence_extension",
        CloseEvidencePeriod = "close_evidence_period",
        AddParty = "add_party",
        HearTogether = "hear_together",
        ApplyRecusal = "apply_recusal",
        DecideRecusal = "decide_recusal",
        RecordInvestigation = "record_investigation",
        PreserveEvidence = "preserve_evidence",
        DecidePreservation = "decide_preservation",
        AppointTechnicalInvestigator = "appoint_technical_investigator",
        StartAppraisal = "start_appraisal",
        EndAppraisal = "end_appraisal",
        StartSettlement = "start_settlement",
        EndSettlement = "end_settlement",
        ScheduleHearing = "schedule_hearing",
        PostponeHearing = "postpone_hearing",
        HoldHearing = "hold_hearing",
        RecordRequesterAbsence = "record_requester_absence",
        WrittenReview = "written_review",
        RecordDeliberation = "record_deliberation",
        Decide = "decide",
        Mediate = "mediate",
        Revoke = "revoke",
        Withdraw = "withdraw",
        Suspend = "suspend",
        RefuseSuspension = "refuse_suspension",
        Resume = "resume",
        Publish = "publish",
        RecordRulingReceived = "record_ruling_received",
        ChangeRuling = "change_ruling",
        NotifyRulingTo = "notify_ruling_to",
        RecordEnforcementApplication = "record_enforcement_application",
        RuleRepeatInfringement = "rule_repeat_infringement",
        Close = "close",
        Transfer = "transfer",
        NotifyRespondent = "notify_respondent",
        ReceiveStatement = "receive_statement",
        RecordNoAnswer = "record_no_answer",
        OrderMeasures = "order_measures",
        FindNoInfringement = "find_no_infringement",
        Convert = "convert",
        ReportToOrganiser = "report_to_organiser",
        Accept = "accept",
        Decline = "decline",
        AssignExpert = "assign_expert",
        GiveGuidance = "give_guidance",
        FollowUp = "follow_up",
        RequestEvidenceExport = "request_evidence_export",
        ApproveEvidenceExport = "approve_evidence_export",
        RecordEligibility = "record_eligibility",
    }
}

impl Step {
    /// The catalogue key of its label.
    pub fn key(self) -> String {
        format!("workflow.action.{}", self.as_str())
    }
}
