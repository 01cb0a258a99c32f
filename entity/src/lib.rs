//! sea-orm entities of weiquan: table shapes only, no logic. Migrations (not these) define the
//! schema; these mirror it.

pub mod api_tokens;
pub mod audit_log;
pub mod calendar_years;
pub mod case_approvals;
pub mod case_clocks;
pub mod case_events;
pub mod case_numbers;
pub mod case_parties;
pub mod case_rights;
pub mod case_shares;
pub mod cases;
pub mod complaint_drafts;
pub mod consultations;
pub mod email_outbox;
pub mod enterprise_documents;
pub mod enterprise_needs;
pub mod evidence;
pub mod evidence_quarantine;
pub mod exhibitions;
pub mod experts;
pub mod fund_applications;
pub mod fund_budgets;
pub mod fund_payouts;
pub mod fund_votes;
pub mod funds;
pub mod login_attempts;
pub mod notice_preferences;
pub mod notifications;
pub mod organizations;
pub mod password_reset_requests;
pub mod search_outbox;
pub mod sessions;
pub mod sms_outbox;
pub mod srdi_registry;
pub mod users;
