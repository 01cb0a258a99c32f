//! The OpenAPI 3.1 document of the API, generated from the handlers' `#[utoipa::path]`
//! annotations and the types they take and answer (`model`). `complete` adds what every
//! operation shares: the problem+json body of every error answer, the 400 of a request that
//! cannot be read, the 401 of a missing or bad token, the 413 and 415 of a body.

use super::model::Problem;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, PartialSchema, ToSchema};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "weiquan API",
        version = "1",
        description = "JSON API of weiquan (维权): intake, triage, the three queues' workflows, \
                       deadlines on the official working-day calendar, evidence, search and \
                       statistics. Errors are RFC 9457 `application/problem+json` in the \
                       request's language (`Accept-Language: zh` or `en`). Instants are RFC \
                       3339 in Beijing time. Generated from the server's code."
    ),
    servers((url = "/api/v1")),
    security(("bearer" = [])),
    modifiers(&Security),
    // The names query parameters take (request and answer bodies bring their own schemas).
    components(schemas(
        Problem,
        super::model::FieldProblem,
        crate::domain::case::Queue,
        crate::domain::case::CaseState,
        crate::domain::case::Source,
        crate::domain::case::Channel,
        crate::domain::case::RightKind,
        crate::domain::case::Standing,
        crate::domain::case::OverseasCategory,
        crate::domain::case::ShareOrigin,
        crate::domain::workflow::Step,
        crate::domain::consultation::ConsultTopic,
        crate::domain::fund::FundState,
    )),
    tags(
        (name = "auth", description = "Tokens and the caller"),
        (name = "enterprises", description = "Enterprise registration"),
        (name = "cases", description = "Complaints, leads, case lists and details"),
        (name = "triage", description = "Routing, referral, rejection, merging, shares"),
        (name = "workflow", description = "Workflow steps, deadlines and documents"),
        (name = "evidence", description = "Evidence items: upload, download, custody"),
        (name = "funds", description = "Overseas mutual-aid funds (海外维权互助基金): rules, yearly budgets, applications from overseas cases, decisions, payouts and the ledger; amounts in fen"),
        (name = "campaigns", description = "Special campaigns and joint enforcement (专项行动 / 联合执法): the bodies taking part, linked cases, joint inspections, referrals with acknowledgement, the report"),
        (name = "consultations", description = "Questions asked of centres and offices (咨询), their answers, and the cases they became"),
        (name = "health-checks", description = "IP health checks (知识产权体检) enterprises ask of centres: acceptance, refusal, the summary and the result report"),
        (name = "inbox", description = "Notices, approvals and messages"),
        (name = "search", description = "Full-text search"),
        (name = "reports", description = "Statistics and the annual assessment (考核)"),
        (name = "calendar", description = "The official working-day calendar"),
        (name = "admin", description = "Administration"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `POST /auth/token`"))
                    .build(),
            ),
        );
    }
}

/// What an error status means when an operation does not say more.
fn default_description(status: &str) -> &'static str {
    match status {
        "400" => {
            "The request cannot be read: a path or query value of the wrong type, or a body that is not JSON"
        }
        "401" => "No token, or a token that is expired or revoked",
        "403" => "The caller's role may not do this",
        "404" => "No such thing, or not visible to the caller",
        "408" => "The request body came too slowly",
        "409" => "The case changed meanwhile (`expected_version`), or the step no longer applies",
        "413" => "The request body is too large",
        "415" => "The request body is not of a type this operation takes",
        "422" => {
            "A field or query value is refused (a control character, a value out of range …): `errors` names each one"
        }
        "429" => "Too many requests: wait `Retry-After` seconds",
        "503" => {
            "A dependency (the evidence storage) is unavailable: retry after `Retry-After` seconds"
        }
        _ => "Error",
    }
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(Problem::name())))
                .build(),
        )
        .build()
}

/// Adds the shared error answers to one operation, and the problem+json body to each error
/// answer the operation lists without one.
fn complete_operation(op: &mut Operation, secured: bool) {
    let has_body = op.request_body.is_some();
    let has_query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query));
    let mut shared = vec!["400"];
    if secured {
        shared.push("401");
    }
    if has_body {
        shared.extend(["413", "415"]);
    }
    if has_query {
        shared.push("422");
    }
    for status in shared {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(problem_response(default_description(status))));
    }
    for (status, response) in op.responses.responses.iter_mut() {
        let error = status.starts_with('4') || status.starts_with('5');
        if let RefOr::T(r) = response
            && error
            && r.content.is_empty()
        {
            let description = if r.description.is_empty() {
                default_description(status).to_string()
            } else {
                r.description.clone()
            };
            *r = problem_response(&description);
        }
    }
}

/// Completes the generated document (see the module's comment).
pub fn complete(doc: &mut OpenApi) {
    let global = doc.security.clone().unwrap_or_default();
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            // `security(())` marks a public operation: an empty requirement.
            let requirements = op.security.as_ref().unwrap_or(&global);
            let public = requirements.iter().any(|r| {
                serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
            });
            complete_operation(op, !public);
        }
    }
    // The problem schema is referenced by every error answer.
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .entry(Problem::name().to_string())
        .or_insert_with(Problem::schema);
}

/// Control characters every text field refuses (`domain::text::is_forbidden_control`: the C0
/// and C1 controls but tab, line feed and carriage return).
const CONTROLS: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F";

/// Format characters text fields drop (`domain::text::is_format`): a text of nothing else is
/// blank.
const FORMATS: &str = r"\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF";

/// Whether a schema is a (possibly nullable) string.
fn is_string(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(t) => t == "string",
        Value::Array(ts) => ts.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// Writes the server's rule for text into a free-text string schema: no control characters,
/// and for a required text (`minLength` 1 or more) something besides white space.
fn text_rule(schema: &mut Value) {
    let string = is_string(schema);
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let free = !["enum", "pattern", "format", "$ref"]
        .iter()
        .any(|k| obj.contains_key(*k));
    if free && string {
        let non_blank = obj
            .get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|n| n >= 1);
        let pattern = if non_blank {
            format!("^[^{CONTROLS}]*[^\\s{CONTROLS}{FORMATS}][^{CONTROLS}]*$")
        } else {
            format!("^[^{CONTROLS}]*$")
        };
        obj.insert("pattern".to_string(), Value::String(pattern));
        return;
    }
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        props.values_mut().for_each(text_rule);
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = schema.get_mut(key).filter(|v| v.is_object()) {
            text_rule(inner);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(list) = schema.get_mut(key).and_then(Value::as_array_mut) {
            list.iter_mut().for_each(text_rule);
        }
    }
}

/// The component schemas a value refers to (`$ref`), directly or through others.
fn referenced(value: &Value, components: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("$ref")
                && let Some(name) = r.strip_prefix("#/components/schemas/")
                && found.insert(name.to_string())
            {
                referenced(&components[name], components, found);
            }
            o.values().for_each(|v| referenced(v, components, found));
        }
        Value::Array(a) => a.iter().for_each(|v| referenced(v, components, found)),
        _ => {}
    }
}

/// The text rule on what clients send: the schemas of request bodies and the query parameters.
fn text_rules(doc: &mut Value) {
    let components = doc["components"]["schemas"].clone();
    let mut sent = BTreeSet::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut() {
                if let Some(body) = op.get("requestBody") {
                    referenced(body, &components, &mut sent);
                }
                if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                    for p in params.iter_mut().filter(|p| p["in"] == "query") {
                        let required = p["required"] == true;
                        if let Some(schema) = p.get_mut("schema") {
                            text_rule(schema);
                            if required {
                                continue;
                            }
                            // A blank parameter is as if not given (`extract::ApiQuery`).
                            let given = schema.take();
                            *schema = serde_json::json!({
                                "anyOf": [given, {"type": "string", "pattern": "^\\s*$"}]
                            });
                        }
                    }
                }
                let contents = op
                    .pointer_mut("/requestBody/content")
                    .and_then(Value::as_object_mut);
                for c in contents.into_iter().flat_map(|c| c.values_mut()) {
                    if let Some(schema) = c.get_mut("schema") {
                        text_rule(schema);
                    }
                }
            }
        }
    }
    for name in sent {
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            text_rule(schema);
        }
    }
    // A workflow step's own fields are named like the fields `GET /cases/{id}/actions` lists.
    if let Some(action) = doc
        .pointer_mut("/components/schemas/ActionRequest")
        .and_then(Value::as_object_mut)
    {
        action.insert(
            "propertyNames".to_string(),
            serde_json::json!({"pattern": "^[a-z][a-z0-9_]{0,63}$"}),
        );
    }
}

/// The document as served: the generated one with the text rule written in.
pub fn to_json(doc: &OpenApi) -> Value {
    let mut json = serde_json::to_value(doc).unwrap_or_default();
    text_rules(&mut json);
    json
}

/// The handler of `GET /api/openapi.json`: the document, serialised once.
pub fn serve_document(
    doc: &OpenApi,
) -> impl Fn() -> std::future::Ready<axum::response::Response> + Clone + Send + Sync + 'static {
    let json: Arc<str> = serde_json::to_string_pretty(&to_json(doc))
        .unwrap_or_else(|_| "{}".to_string())
        .into();
    move || {
        std::future::ready(
            (
                [(header::CONTENT_TYPE, "application/json")],
                json.to_string(),
            )
                .into_response(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        let (_, doc) = crate::http::api::router();
        to_json(&doc)
    }

    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("$ref") {
                    out.push(r.clone());
                }
                o.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    fn operations(doc: &Value) -> Vec<(String, String, Value)> {
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                ops.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
        ops
    }

    #[test]
    fn every_reference_in_the_document_resolves() {
        let doc = document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for r in found {
            let pointer = r.strip_prefix('#').unwrap();
            assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
        }
    }

    #[test]
    fn every_operation_answers_errors_as_problems_and_says_who_may_call_it() {
        let doc = document();
        let ops = operations(&doc);
        assert!(ops.len() >= 44, "{} operations", ops.len());
        for (method, path, op) in ops {
            let name = format!("{method} {path}");
            assert!(op["summary"].is_string(), "{name} has no summary");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{name}");
            assert!(responses.contains_key("400"), "{name}");
            for (status, r) in responses {
                if !status.starts_with('2') {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{name} {status} is not problem+json"
                    );
                }
            }
            let public = ["POST /auth/token", "POST /enterprises/register"];
            let secured = op["security"].as_array().is_none_or(|s| {
                s.iter()
                    .all(|r| r.as_object().is_some_and(|r| !r.is_empty()))
            });
            assert_eq!(secured, !public.contains(&name.as_str()), "{name}");
            if secured {
                assert!(responses.contains_key("401"), "{name}");
            }
            if op.get("requestBody").is_some() {
                assert!(responses.contains_key("415"), "{name}");
            }
        }
    }

    #[test]
    fn text_sent_is_documented_free_of_control_characters() {
        let doc = document();
        let description = &doc["components"]["schemas"]["CaseInput"]["properties"]["description"];
        let pattern = description["pattern"].as_str().unwrap();
        assert!(pattern.contains("u0000-"), "{description}");
        assert_eq!(description["minLength"], 10);
        // Answers are not constrained: the rule is the server's on what it is sent.
        assert!(
            doc["components"]["schemas"]["Case"]["properties"]["description"]
                .get("pattern")
                .is_none()
        );
        // Filters may be left blank, as forms send them.
        let list = &doc["paths"]["/cases"]["get"]["parameters"];
        let queue = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "queue")
            .unwrap();
        assert_eq!(queue["schema"]["anyOf"][1]["pattern"], "^\\s*$", "{queue}");
    }
}
