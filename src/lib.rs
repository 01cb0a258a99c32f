//! weiquan (维权): IP rights-protection case work for Chinese IP offices, industry offices,
//! assistance centres and the enterprises they protect.

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod files;
pub mod http;
pub mod i18n;
pub mod search;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod worker;

pub use app::App;
