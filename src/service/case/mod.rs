//! The case core every use case builds on: who may see and act ([`access`]), the one unit of
//! work that changes a case ([`write`]), the timekeeper that counts its clocks ([`clock`]), and
//! the read models handed to the pages and the API ([`view`]).

pub mod access;
pub mod clock;
pub mod tell;
pub mod view;
pub mod write;

pub use access::{Granted, Visible, settle_version, visible};
pub use clock::Timekeeper;
pub use write::{CaseWrite, Moved};
