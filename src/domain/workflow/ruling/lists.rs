//! The lists the ruling queue is made of: its states and the groups of states its actions start
//! from, the choices its fields offer, and the fixed periods the law sets, each with its article
//! of Order 81 (or of the law it borrows from).

use crate::domain::case::{CaseState, CaseState as S};

/// 中止 grounds (Art. 28): all are mandatory, the first only for utility models and designs.
pub const SUSPENSION_GROUNDS: &[&str] = &[
    "invalidation_accepted",
    "party_died",
    "party_incapacitated",
    "entity_terminated",
    "force_majeure",
    "depends_on_other_case",
    "awaiting_instruction",
];

/// Why the office refuses to suspend on an accepted invalidation request (Art. 29): the patent is
/// an invention patent; the evaluation report (专利权评价报告) found no defect making it invalid;
/// the respondent withdrew an invalidation request and filed it again; an effective decision
/// upheld the patent in invalidation proceedings; or another ground stated in the reasons.
pub const SUSPENSION_REFUSAL_GROUNDS: &[&str] = &[
    "invention_patent",
    "evaluation_no_defect",
    "refiled_after_withdrawal",
    "patent_upheld",
    "other",
];

/// How evidence is investigated (Arts. 47–48): questioning, on-site inspection, photographs and
/// video, a demonstration, or sampling (抽样取证, with its record and list).
pub const INVESTIGATION_METHODS: &[&str] = &[
    "questioning",
    "on_site_inspection",
    "photo_video",
    "demonstration",
    "sampling",
];

/// What becomes of evidence registered and preserved (登记保存), decided within 7 days (Art. 49).
pub const PRESERVATION_DECISIONS: &[&str] = &[
    "copied_and_released",
    "sent_for_appraisal",
    "released",
    "other",
];

/// Who is told of a ruling so that the infringement stops (Art. 32): an e-commerce platform
/// (delete, block, disconnect the links) or customs (goods not yet imported).
pub const RULING_RECIPIENTS: &[&str] = &["e_commerce_platform", "customs"];

/// 撤销案件 grounds (Art. 36).
pub const REVOCATION_GROUNDS: &[&str] = &[
    "conditions_not_met",
    "requester_gone",
    "respondent_gone",
    "claims_unspecified",
    // Art. 19: the respondent's limitation defence, with no ground for tolling.
    "limitation_defence",
    "other",
];

/// How a document is served (Art. 10); public notice is its own step (`serve_by_public_notice`).
pub const SERVICE_METHODS: &[&str] = &["direct", "post", "electronic", "left_at_address"];

/// 民事诉讼法 Art. 95 (as amended in 2021): a party served by public notice is deemed served 30
/// days after the notice.
pub const PUBLIC_NOTICE_DAYS: i64 = 30;

/// What Art. 33 does to a ruling after it was made: a change, or its revocation (after the patent
/// was declared invalid, or a court changed it).
pub const RULING_CHANGES: &[&str] = &["changed", "revoked"];

/// Why a hearing is held in private (Art. 27); public otherwise.
pub const CLOSED_HEARING_REASONS: &[&str] = &["state_secret", "trade_secret", "privacy"];

/// Who may be added to a case after docketing (Arts. 23–24).
pub const ADDED_PARTY_ROLES: &[&str] = &["complainant", "respondent", "third_party"];

/// Who applies for recusal (Art. 5).
pub const RECUSAL_APPLICANTS: &[&str] = &["requester", "respondent"];

/// How settlement talks end (Art. 37).
pub const SETTLEMENT_OUTCOMES: &[&str] = &["settled", "failed"];
pub const OUTCOMES: &[&str] = &["infringement", "no_infringement"];
pub const OBJECTION_OUTCOMES: &[&str] = &["dismissed", "upheld"];

/// Every state of the queue (DOMAIN.md), the entry state first.
pub const STATES: &[CaseState] = &[
    S::Received,
    S::CorrectionRequested,
    S::Docketed,
    S::Refused,
    S::Served,
    S::AnswerPeriod,
    S::Evidence,
    S::HearingScheduled,
    S::Deliberation,
    S::Suspended,
    S::Decided,
    S::Published,
    S::Closed,
    S::Withdrawn,
    S::Revoked,
    S::Mediated,
];

pub(super) const WORKING: &[CaseState] = &[
    S::Docketed,
    S::Served,
    S::AnswerPeriod,
    S::Evidence,
    S::HearingScheduled,
    S::Deliberation,
];
pub(super) const OPEN: &[CaseState] = &[
    S::Received,
    S::CorrectionRequested,
    S::Docketed,
    S::Served,
    S::AnswerPeriod,
    S::Evidence,
    S::HearingScheduled,
    S::Deliberation,
    S::Suspended,
];
pub(super) const RECUSAL_FROM: &[CaseState] = &[
    S::Docketed,
    S::Served,
    S::AnswerPeriod,
    S::Evidence,
    S::HearingScheduled,
    S::Deliberation,
    S::Suspended,
];
pub(super) const AFTER_SERVICE: &[CaseState] = &[
    S::Served,
    S::AnswerPeriod,
    S::Evidence,
    S::HearingScheduled,
    S::Deliberation,
];
