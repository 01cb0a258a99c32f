//! The workflow panel's forms: every action this user may take now, as a form built from the
//! action's fields (the same list `GET /api/v1/cases/{id}/actions` gives), and their submission.
//! A refused step comes back as the same page with the form open, filled in, with its messages.

use super::panels::WORK;
use super::show::after_form;
use crate::domain::workflow::{Kind, Spec};
use crate::error::{AppError, Result};
use crate::http::extract::WebForm;
use crate::http::page::Page;
use crate::service::workflow::{self, ActionRequest};
use axum::extract::Path;
use axum::response::Response;
use serde_json::{Map, Value, json};

/// The submitted form as the JSON object the service reads: fields that may hold several values
/// (checkbox groups) become lists; `_csrf`, `confirm` and the step's own keys are dropped.
fn to_fields(spec: Option<&Spec>, pairs: &[(String, String)]) -> Map<String, Value> {
    let mut map = Map::new();
    let many = |name: &str| {
        spec.is_some_and(|s| {
            s.fields
                .iter()
                .any(|f| f.name == name && matches!(f.kind, Kind::Choices(_) | Kind::Users))
        })
    };
    for (k, v) in pairs {
        if matches!(
            k.as_str(),
            "_csrf" | "confirm" | "action" | "at" | "expected_version"
        ) {
            continue;
        }
        if many(k) {
            let entry = map.entry(k.clone()).or_insert_with(|| json!([]));
            if let Value::Array(a) = entry {
                a.push(json!(v));
            }
        } else {
            map.insert(k.clone(), json!(v));
        }
    }
    map
}

/// `POST /cases/{id}/actions`: one workflow step from the case page (an irreversible one only
/// when confirmed).
pub async fn submit(
    page: Page,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
    };
    let action = get("action").unwrap_or_default();
    let spec = workflow::spec_of(&page.cx, &page.me, id, &action).await;
    let fields = to_fields(spec, &pairs);
    // What the form shows again: the raw values, lists where the form has several.
    let mut shown = Value::Object(fields.clone());
    shown["action"] = json!(action);
    shown["at"] = json!(get("at"));
    let result = if spec.is_some_and(|s| s.irreversible) && get("confirm").as_deref() != Some("yes")
    {
        Err(AppError::field("confirm", "error.confirm_required"))
    } else {
        let req = ActionRequest {
            action: action.clone(),
            at: get("at").filter(|s| !s.is_empty()),
            expected_version: get("expected_version").and_then(|v| v.parse().ok()),
            fields,
        };
        workflow::act(&page.cx, &page.me, id, req).await
    };
    after_form(&page, id, WORK, &shown, result, "flash.workflow.done").await
}
