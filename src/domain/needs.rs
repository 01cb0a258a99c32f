//! An enterprise's protection needs (保护需求): the form an industry office or a centre fills in
//! with a 专精特新 enterprise (its products, markets, known infringers and overseas plans), which
//! triage and officers then see on the enterprise's cases.

use crate::domain::contact::{has_control_multiline, normalise_multiline};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// The longest answer to one question of the form, in characters.
pub const MAX_CHARS: usize = 2000;

/// The form as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct NeedsInput {
    pub enterprise_name: String,
    pub products: String,
    pub markets: String,
    pub known_infringers: String,
    pub overseas_plans: String,
}

/// The form ready to be stored: trimmed, lines kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    pub enterprise_name: String,
    pub products: String,
    pub markets: String,
    pub known_infringers: String,
    pub overseas_plans: String,
}

/// Validates the form: the enterprise's name, and at least one need; every problem at once.
pub fn validate(input: &NeedsInput) -> Result<Needs, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.enterprise_name.trim().to_string();
    let n = name.chars().count();
    if name.chars().any(char::is_control) {
        errors.push(FieldError::new("enterprise_name", "error.text.control"));
    } else if n < 2 {
        errors.push(FieldError::new("enterprise_name", "error.required"));
    } else if n > 100 {
        errors.push(FieldError::new("enterprise_name", "error.text.too_long"));
    }
    let mut block = |field: &'static str, v: &str| {
        let text = normalise_multiline(v);
        if has_control_multiline(&text) {
            errors.push(FieldError::new(field, "error.text.control"));
        } else if text.chars().count() > MAX_CHARS {
            errors.push(FieldError::new(field, "error.text.too_long"));
        }
        text
    };
    let needs = Needs {
        enterprise_name: name,
        products: block("products", &input.products),
        markets: block("markets", &input.markets),
        known_infringers: block("known_infringers", &input.known_infringers),
        overseas_plans: block("overseas_plans", &input.overseas_plans),
    };
    if [
        &needs.products,
        &needs.markets,
        &needs.known_infringers,
        &needs.overseas_plans,
    ]
    .iter()
    .all(|t| t.is_empty())
    {
        errors.push(FieldError::new("products", "error.needs.empty"));
    }
    if errors.is_empty() {
        Ok(needs)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(input: &NeedsInput) -> Vec<String> {
        validate(input)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|e| format!("{}={}", e.field, e.message.key))
            .collect()
    }

    #[test]
    fn the_form_needs_a_name_and_one_need() {
        let ok = NeedsInput {
            enterprise_name: " 南通华信精密机械有限公司 ".into(),
            products: "谐波减速器（发明专利3件）\n".into(),
            ..Default::default()
        };
        let v = validate(&ok).unwrap();
        assert_eq!(v.enterprise_name, "南通华信精密机械有限公司");
        assert_eq!(v.products, "谐波减速器（发明专利3件）");
        assert_eq!(
            keys(&NeedsInput::default()),
            [
                "enterprise_name=error.required",
                "products=error.needs.empty"
            ]
        );
        let long = NeedsInput {
            markets: "长".repeat(MAX_CHARS + 1),
            ..ok
        };
        assert_eq!(keys(&long), ["markets=error.text.too_long"]);
    }
}
