//! One integration-test binary: the real server on port 0, a fresh database per test.
//! Runs on SQLite always, and on PostgreSQL when `WEIQUAN_TEST_DATABASE_URL` names a server.

mod admin;
mod api;
mod assistance;
mod audit;
mod auth;
mod campaigns;
mod case_matrix;
mod case_pages;
mod cases;
mod consultations;
mod deadlines;
mod evidence;
mod exhibitions;
mod fixtures;
mod funds;
mod health_checks;
mod helpers;
mod http_basics;
mod informed;
mod legal;
mod notifications;
mod pages;
mod password_reset;
mod registration;
mod reports;
mod search;
mod service_matrix;
mod snapshot;
mod srdi;
mod workflow;
mod workflow_pages;
mod workflow_roles;
