//! The case page's workflow forms: every action this user may take now, as a form built from the
//! action's fields (the same list `GET /api/v1/cases/{id}/actions` gives), and their submission.
//! A refused step comes back as the same page with the form open, filled in, and its messages.

use super::cases::{Refill, after_form};
use crate::domain::workflow::{Kind, Spec};
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::i18n::{Lang, t};
use crate::service::Identity;
use crate::service::workflow::{self, ActionRequest, Options};
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

/// The form section name used in `Refill`.
pub const SECTION: &str = "work";

/// The "办理" panel of the case page: the open actions as forms.
pub async fn view(
    state: &AppState,
    lang: Lang,
    me: &Identity,
    id: i64,
    refill: &Refill,
) -> Result<Value> {
    let o = workflow::options(&state.db, me, id).await?;
    let refilled = refill.section == SECTION;
    let chosen = refilled
        .then(|| refill.values.get("action").and_then(Value::as_str))
        .flatten();
    let actions: Vec<Value> = o
        .actions
        .iter()
        .map(|spec| {
            let mine = chosen == Some(spec.name);
            let values = if mine { Some(&refill.values) } else { None };
            let errors = if mine { Some(&refill.errors) } else { None };
            form_json(lang, spec, &o, values, errors)
        })
        .collect();
    Ok(json!({
        "may_work": o.situation.may_work && o.situation.queue != crate::domain::case::Queue::Triage,
        "actions": actions,
        "form_error": refilled.then(|| refill.errors.get("_form").cloned()).flatten(),
    }))
}

fn form_json(
    lang: Lang,
    spec: &Spec,
    o: &Options,
    values: Option<&Value>,
    errors: Option<&Value>,
) -> Value {
    let value_of = |name: &str| values.and_then(|v| v.get(name)).cloned();
    let error_of = |name: &str| errors.and_then(|e| e.get(name)).cloned();
    let picked = |name: &str, candidate: &str| -> bool {
        match value_of(name) {
            Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(candidate)),
            Some(Value::String(s)) => s == candidate,
            _ => false,
        }
    };
    let fields: Vec<Value> = spec
        .fields
        .iter()
        .map(|f| {
            let options: Vec<(String, String)> = match f.kind {
                Kind::Users => o
                    .staff
                    .iter()
                    .map(|u| (u.id.to_string(), u.display_name.clone()))
                    .collect(),
                Kind::Office => o
                    .offices
                    .iter()
                    .map(|x| (x.id.to_string(), x.name.clone()))
                    .collect(),
                Kind::Id => o
                    .experts
                    .iter()
                    .map(|e| {
                        (
                            e.id.to_string(),
                            format!("{}（{}；{}；{}）", e.name, e.organization, e.fields, e.languages),
                        )
                    })
                    .collect(),
                k => k
                    .options()
                    .iter()
                    .map(|v| (v.to_string(), t(lang, &format!("workflow.option.{v}"))))
                    .collect(),
            };
            let (min, max) = match f.kind {
                Kind::Int(a, b) => (Some(a), Some(b)),
                _ => (None, None),
            };
            let maxlength = match f.kind {
                Kind::Line(n) | Kind::Text(n) => Some(n),
                _ => None,
            };
            json!({
                "id": format!("wf-{}-{}", spec.name, f.name),
                "name": f.name,
                "label": t(lang, &format!("workflow.field.{}", f.name)),
                "required": f.required,
                "line": matches!(f.kind, Kind::Line(_)),
                "text": matches!(f.kind, Kind::Text(_)),
                "select": matches!(f.kind, Kind::Choice(_) | Kind::Id | Kind::Office),
                "checks": matches!(f.kind, Kind::Choices(_) | Kind::Users),
                "number": matches!(f.kind, Kind::Int(..)),
                "flag": f.kind == Kind::Bool,
                "instant": f.kind == Kind::Instant,
                "min": min, "max": max, "maxlength": maxlength,
                "value": value_of(f.name).and_then(|v| v.as_str().map(str::to_string)),
                "checked": value_of(f.name).is_some_and(|v| v.as_str().is_some_and(|s| s == "true" || s == "on")),
                "options": options.iter().map(|(v, l)| json!({
                    "value": v, "label": l, "picked": picked(f.name, v),
                })).collect::<Vec<_>>(),
                "error": error_of(f.name),
            })
        })
        .collect();
    json!({
        "name": spec.name,
        "label": t(lang, &format!("workflow.action.{}", spec.name)),
        "irreversible": spec.irreversible,
        "open": values.is_some(),
        "fields": fields,
        "at": value_of("at").and_then(|v| v.as_str().map(str::to_string)),
        "at_error": error_of("at"),
        "confirm_error": error_of("confirm"),
    })
}

/// The submitted form as the JSON object the service reads: fields that may hold several values
/// (checkbox groups) become lists; `_csrf` and `confirm` are dropped.
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

/// `POST /cases/{id}/actions`: one workflow step from the case page.
pub async fn submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
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
    let queue = crate::service::cases::visible(&state.db, &me, id)
        .await
        .ok()
        .and_then(|v| crate::domain::case::Queue::parse(&v.case.queue));
    let spec = queue.and_then(|q| crate::domain::workflow::spec(q, &action));
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
        workflow::act(&state.db, &state.calendars, &me, id, req, &ctx.meta()).await
    };
    after_form(
        &state,
        &ctx,
        &csrf,
        &me,
        id,
        SECTION,
        &shown,
        result,
        "flash.workflow.done",
    )
    .await
}
