//! Append-only schema migrations. Never edit a migration that has landed; add a new one.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_identity;
mod m20261122_000002_create_audit_log;
mod m20261122_000003_create_srdi_designations;
mod m20261122_000004_create_calendar_years;
mod m20261122_000005_create_cases;
mod m20261122_000006_srdi_registry;
mod m20261122_000007_create_notifications;
mod m20261201_000008_create_evidence;
mod m20261201_000009_create_workflow;
mod m20261201_000010_create_search_outbox;
mod m20261201_000011_evidence_sm3_sealed_later;
mod m20261204_000012_org_triage_standard;
mod m20261204_000013_event_notices;
mod m20261204_000014_enterprise_verification;
mod m20261205_000015_report_indexes;
mod m20261206_000016_report_rollup;
mod m20261207_000017_list_order_indexes;
mod m20261208_000018_object_key_indexes;
mod m20261209_000019_create_consultations;
mod m20261209_000020_org_service_fields;
mod m20261210_000021_enterprise_needs;
mod m20261211_000022_create_funds;
mod m20261212_000023_create_campaigns;
mod m20261213_000024_create_health_checks;
mod m20261214_000025_triage_figures;
mod m20261215_000026_share_origins;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_identity::Migration),
            Box::new(m20261122_000002_create_audit_log::Migration),
            Box::new(m20261122_000003_create_srdi_designations::Migration),
            Box::new(m20261122_000004_create_calendar_years::Migration),
            Box::new(m20261122_000005_create_cases::Migration),
            Box::new(m20261122_000006_srdi_registry::Migration),
            Box::new(m20261122_000007_create_notifications::Migration),
            Box::new(m20261201_000008_create_evidence::Migration),
            Box::new(m20261201_000009_create_workflow::Migration),
            Box::new(m20261201_000010_create_search_outbox::Migration),
            Box::new(m20261201_000011_evidence_sm3_sealed_later::Migration),
            Box::new(m20261204_000012_org_triage_standard::Migration),
            Box::new(m20261204_000013_event_notices::Migration),
            Box::new(m20261204_000014_enterprise_verification::Migration),
            Box::new(m20261205_000015_report_indexes::Migration),
            Box::new(m20261206_000016_report_rollup::Migration),
            Box::new(m20261207_000017_list_order_indexes::Migration),
            Box::new(m20261208_000018_object_key_indexes::Migration),
            Box::new(m20261209_000019_create_consultations::Migration),
            Box::new(m20261209_000020_org_service_fields::Migration),
            Box::new(m20261210_000021_enterprise_needs::Migration),
            Box::new(m20261211_000022_create_funds::Migration),
            Box::new(m20261212_000023_create_campaigns::Migration),
            Box::new(m20261213_000024_create_health_checks::Migration),
            Box::new(m20261214_000025_triage_figures::Migration),
            Box::new(m20261215_000026_share_origins::Migration),
        ]
    }
}
