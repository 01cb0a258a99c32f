//! sea-orm entities of weiquan: table shapes only, no logic. Migrations (not these) define the
//! schema; these mirror it.

pub mod api_tokens;
pub mod audit_log;
pub mod calendar_years;
pub mod login_attempts;
pub mod organizations;
pub mod sessions;
pub mod srdi_designations;
pub mod users;
