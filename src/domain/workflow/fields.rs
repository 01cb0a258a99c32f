//! The fields a workflow action takes, and their checking: a JSON object (the API body, or a web
//! form turned into one) becomes checked `Values`, or every bad field gets its message at once.

use crate::domain::case::intake::parse_instant;
use crate::domain::contact::{has_control, has_control_multiline, normalise_multiline};
use crate::domain::time::beijing;
use crate::error::FieldError;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line of text, at most this many characters.
    Line(usize),
    /// Free text over several lines, at most this many characters.
    Text(usize),
    /// One of these values.
    Choice(&'static [&'static str]),
    /// Some of these values (a list).
    Choices(&'static [&'static str]),
    /// A whole number in this range.
    Int(i64, i64),
    Bool,
    /// An instant: RFC 3339, or a local Beijing time `YYYY-MM-DDTHH:MM`.
    Instant,
    /// User ids (a list), e.g. the panel.
    Users,
    /// The id of a record (an expert).
    Id,
    /// Another office (an organisation id), e.g. where a lead is transferred.
    Office,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Line(_) => "line",
            Self::Text(_) => "text",
            Self::Choice(_) => "choice",
            Self::Choices(_) => "choices",
            Self::Int(..) => "integer",
            Self::Bool => "boolean",
            Self::Instant => "instant",
            Self::Users => "users",
            Self::Id => "id",
            Self::Office => "office",
        }
    }

    /// The values a choice offers.
    pub fn options(self) -> &'static [&'static str] {
        match self {
            Self::Choice(o) | Self::Choices(o) => o,
            _ => &[],
        }
    }
}

/// A field of an action; its label is `workflow.field.<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

/// A required field.
pub const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

/// An optional field.
pub const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// Checked values by field name, in canonical JSON form (an instant as RFC 3339 in Beijing time,
/// text normalised, numbers as numbers); absent optional fields are missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values(pub BTreeMap<&'static str, Value>);

impl Values {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.0.get(name).and_then(Value::as_bool).unwrap_or(false)
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(Value::as_i64)
    }

    pub fn ints(&self, name: &str) -> Vec<i64> {
        self.list(name).iter().filter_map(Value::as_i64).collect()
    }

    pub fn strings(&self, name: &str) -> Vec<&str> {
        self.list(name).iter().filter_map(Value::as_str).collect()
    }

    fn list(&self, name: &str) -> &[Value] {
        self.0
            .get(name)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn instant(&self, name: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.text(name)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    }

    /// The values as one JSON object (the event payload).
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }
}

/// Checks `input` against `fields`. Unknown keys are ignored (the API adds `action`, `at`,
/// `expected_version`).
pub fn check(fields: &[Field], input: &Map<String, Value>) -> Result<Values, Vec<FieldError>> {
    let (values, errors) = check_all(fields, input);
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// Like `check`, but also returns the values of the fields that were fine, so that checks across
/// fields can still report on them.
pub fn check_all(fields: &[Field], input: &Map<String, Value>) -> (Values, Vec<FieldError>) {
    let mut values = Values::default();
    let mut errors = Vec::new();
    for f in fields {
        let raw = input.get(f.name).filter(|v| !is_blank(v));
        let Some(raw) = raw else {
            // A checkbox left unticked is `false`, not missing.
            if f.kind == Kind::Bool {
                values.0.insert(f.name, json!(false));
            } else if f.required {
                errors.push(FieldError::new(f.name, "error.required"));
            }
            continue;
        };
        match one(f.kind, raw) {
            Ok(v) => {
                values.0.insert(f.name, v);
            }
            Err(key) => errors.push(FieldError::new(f.name, key)),
        }
    }
    (values, errors)
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(is_blank),
        _ => false,
    }
}

/// A string or a number given as either.
fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().filter(|x| !is_blank(x)).collect(),
        other => vec![other],
    }
}

fn one(kind: Kind, raw: &Value) -> Result<Value, &'static str> {
    match kind {
        Kind::Line(max) => {
            let s = raw.as_str().ok_or("error.workflow.field_type")?.trim();
            if has_control(s) {
                Err("error.text.control")
            } else if s.chars().count() > max {
                Err("error.text.too_long")
            } else {
                Ok(json!(s))
            }
        }
        Kind::Text(max) => {
            let s = normalise_multiline(raw.as_str().ok_or("error.workflow.field_type")?);
            let s = s.trim();
            if has_control_multiline(s) {
                Err("error.text.control")
            } else if s.chars().count() > max {
                Err("error.text.too_long")
            } else {
                Ok(json!(s))
            }
        }
        Kind::Choice(options) => {
            let s = raw.as_str().ok_or("error.workflow.choice")?.trim();
            options
                .iter()
                .find(|o| **o == s)
                .map(|o| json!(o))
                .ok_or("error.workflow.choice")
        }
        Kind::Choices(options) => {
            let mut picked: Vec<&str> = Vec::new();
            for v in as_list(raw) {
                let s = v.as_str().ok_or("error.workflow.choice")?.trim();
                let o = options
                    .iter()
                    .find(|o| **o == s)
                    .ok_or("error.workflow.choice")?;
                if !picked.contains(o) {
                    picked.push(o);
                }
            }
            Ok(json!(picked))
        }
        Kind::Int(min, max) => match int_of(raw) {
            Some(n) if (min..=max).contains(&n) => Ok(json!(n)),
            _ => Err("error.workflow.int_range"),
        },
        Kind::Bool => match raw {
            Value::Bool(b) => Ok(json!(b)),
            Value::String(s) => match s.trim() {
                "true" | "on" | "1" | "yes" => Ok(json!(true)),
                "false" | "off" | "0" | "no" => Ok(json!(false)),
                _ => Err("error.workflow.field_type"),
            },
            _ => Err("error.workflow.field_type"),
        },
        Kind::Instant => {
            let s = raw.as_str().ok_or("error.workflow.instant")?;
            parse_instant(s, &beijing())
                .map(|t| json!(t.with_timezone(&beijing()).to_rfc3339()))
                .ok_or("error.workflow.instant")
        }
        Kind::Users => {
            let mut ids: Vec<i64> = Vec::new();
            for v in as_list(raw) {
                let id = int_of(v).filter(|n| *n > 0).ok_or("error.workflow.users")?;
                if ids.contains(&id) {
                    return Err("error.workflow.users_repeated");
                }
                ids.push(id);
            }
            Ok(json!(ids))
        }
        Kind::Id | Kind::Office => int_of(raw)
            .filter(|n| *n > 0)
            .map(|n| json!(n))
            .ok_or("error.workflow.id"),
    }
}
