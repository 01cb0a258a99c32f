//! The case pages: the complaint wizard and lead entry ([`intake`]), the lists ([`list`]), the
//! case page ([`show`], drawn panel by panel from one screen model in [`panels`]), its forms
//! ([`forms`], [`work`], [`evidence`], [`documents`]).

mod documents;
mod evidence;
mod form_input;
mod forms;
mod intake;
mod list;
mod messages;
mod panels;
mod show;
mod work;

pub use list::WORKBENCH_LIMIT;

use crate::http::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/complaints/new",
            get(intake::complaint_form).post(intake::complaint_submit),
        )
        .route("/complaints/drafts/{id}/delete", post(intake::draft_delete))
        .route(
            "/leads/new",
            get(intake::lead_form).post(intake::lead_submit),
        )
        .route("/cases", get(list::list))
        .route("/triage", get(list::workbench))
        .route("/cases/{id}", get(show::show))
        .route("/cases/{id}/receipt", get(intake::receipt))
        .route("/cases/{id}/triage", post(forms::triage))
        .route("/cases/{id}/actions", post(work::submit))
        .route(
            "/cases/{id}/documents/{doc}",
            post(documents::issue).get(documents::show),
        )
        .route("/cases/{id}/referral", post(forms::referral))
        .route("/cases/{id}/jurisdiction", post(forms::jurisdiction))
        .route("/cases/{id}/messages", post(messages::post))
        .route("/cases/{id}/shares", post(forms::share))
        .route("/cases/{id}/shares/{org_id}/revoke", post(forms::revoke))
        .route(
            "/cases/{id}/deadlines/{rule_id}/extension",
            post(forms::extension),
        )
        .merge(evidence::router())
}
