//! Pure domain rules: validated values, identity vocabulary, the access policy and the audit
//! chain. Nothing here touches a database, the network or the clock.

#[macro_use]
pub(crate) mod names;

pub mod approval;
pub mod audit;
pub mod calendar;
pub mod campaign;
pub mod case;
pub mod consultation;
pub mod contact;
pub mod deadline;
pub mod enterprise;
pub mod evidence;
pub mod fund;
pub mod health_check;
pub mod identity;
pub mod needs;
pub mod net;
pub mod notice;
pub mod org_tree;
pub mod password;
pub mod policy;
pub mod region;
pub mod report;
pub mod rights;
pub mod srdi;
pub mod text;
pub mod throttle;
pub mod time;
pub mod uscc;
pub mod workflow;
