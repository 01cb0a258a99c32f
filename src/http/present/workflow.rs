//! Workflow actions as the API describes them (`GET /cases/{id}/actions`) and as the case page's
//! forms show them, with their fields' labels in the reader's language and their choices.

use crate::domain::workflow::{Field, Kind, Spec};
use crate::http::api::model;
use crate::i18n::{Lang, t};
use crate::service::workflow::Options;
use serde_json::{Value, json};

/// The choices of a field: (value, label).
fn choices(lang: Lang, f: &Field, o: &Options) -> Vec<(String, String)> {
    match f.kind {
        Kind::Users => o
            .staff
            .iter()
            .map(|u| (u.id.to_string(), u.name.clone()))
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
                    format!(
                        "{}（{}；{}；{}）",
                        e.name, e.organization, e.fields, e.languages
                    ),
                )
            })
            .collect(),
        k => k
            .options()
            .iter()
            .map(|v| (v.to_string(), t(lang, &format!("workflow.option.{v}"))))
            .collect(),
    }
}

/// One action as the API describes it.
pub fn action_json(lang: Lang, spec: &Spec, o: &Options) -> model::WorkflowAction {
    let fields = spec
        .fields
        .iter()
        .map(|f| {
            // Ids are numbers in the API, other choices their names.
            let numeric = matches!(f.kind, Kind::Users | Kind::Office | Kind::Id);
            let options = choices(lang, f, o)
                .into_iter()
                .map(|(v, label)| {
                    let value = match v.parse::<i64>() {
                        Ok(n) if numeric => model::ChoiceValue::Id(n),
                        _ => model::ChoiceValue::Name(v),
                    };
                    model::Choice { value, label }
                })
                .collect();
            let max_chars = match f.kind {
                Kind::Line(n) | Kind::Text(n) => Some(n),
                _ => None,
            };
            let range = match f.kind {
                Kind::Int(a, b) => Some(vec![a, b]),
                _ => None,
            };
            model::ActionField {
                name: f.name.to_string(),
                label: t(lang, &format!("workflow.field.{}", f.name)),
                kind: f.kind.as_str().to_string(),
                required: f.required,
                options,
                max_chars,
                range,
            }
        })
        .collect();
    model::WorkflowAction {
        name: spec.name.to_string(),
        label: t(lang, &spec.name.key()),
        irreversible: spec.irreversible,
        document: spec.document.map(|d| d.as_str().to_string()),
        fields,
    }
}

/// One action as a form of the case page; `values` and `errors` when it came back refused.
pub fn form_json(
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
                "options": choices(lang, f, o).iter().map(|(v, l)| json!({
                    "value": v, "label": l, "picked": picked(f.name, v),
                })).collect::<Vec<_>>(),
                "error": error_of(f.name),
            })
        })
        .collect();
    json!({
        "name": spec.name,
        "label": t(lang, &spec.name.key()),
        "irreversible": spec.irreversible,
        "open": values.is_some(),
        "fields": fields,
        "at": value_of("at").and_then(|v| v.as_str().map(str::to_string)),
        "at_error": error_of("at"),
        "confirm_error": error_of("confirm"),
    })
}
