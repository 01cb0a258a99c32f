//! Administration pages: organisations (`orgs`) and user accounts (`users`), with the pickers
//! their forms share.

mod locks;
mod orgs;
mod users;

use crate::http::AppState;
use crate::service::admin::OrgView;
use axum::Router;
use axum::routing::{get, post};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/orgs", get(orgs::list).post(orgs::create))
        .route("/admin/orgs/new", get(orgs::new))
        .route("/admin/orgs/{id}", post(orgs::update))
        .route("/admin/orgs/{id}/edit", get(orgs::edit))
        .route("/admin/sign-in-locks", get(locks::list))
        .route("/admin/sign-in-locks/lift", post(locks::lift))
        .route("/admin/users", get(users::list).post(users::create))
        .route("/admin/users/new", get(users::new))
        .route("/admin/users/{id}", post(users::update))
        .route("/admin/users/{id}/edit", get(users::edit))
        .route("/admin/users/{id}/password", post(users::reset_password))
        .route("/admin/users/{id}/status", post(users::set_status))
}

/// The organisations of a picker, `selected` marked, `except` left out (an organisation cannot be
/// its own parent).
fn org_options(orgs: &[OrgView], selected: Option<&str>, except: Option<i64>) -> Vec<Value> {
    orgs.iter()
        .filter(|o| Some(o.id) != except)
        .map(|o| json!({"value": o.id.to_string(), "name": o.name, "selected": Some(o.id.to_string().as_str()) == selected}))
        .collect()
}
