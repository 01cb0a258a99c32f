//! Text as people type it: what may be stored in a text field and how it is shown.
//!
//! Two kinds of invisible characters are handled differently:
//!
//! - **Format characters** that change how text looks without being seen — bidirectional
//!   embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), marks and zero-width
//!   characters — can make a party's name read as another (`ACME` shown as `EMCA`). They are
//!   removed wherever text enters (as file names already are) and again wherever it is shown, so
//!   that rows stored before cannot lie either.
//! - **Control characters** (C0 but tab, line feed and carriage return; DEL; C1) have no place
//!   in a name, a title or a description: an API request carrying one is refused with the field
//!   it is in; a form posted from a browser, whose user can neither type nor see them (a paste
//!   from a word processor can carry them), has them removed.

use std::borrow::Cow;

/// A format character that changes how text looks: bidi controls, zero-width characters, the
/// soft hyphen and the byte order mark.
pub fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// A control character that text fields refuse (tab, line feed and carriage return are text).
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// `s` without its format characters; borrowed when it has none.
pub fn without_format(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_format) {
        Cow::Owned(s.chars().filter(|c| !is_format(*c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// What a text field may hold: `s` without its format characters, or `Err` with the first
/// forbidden control character.
pub fn clean(s: &str) -> Result<Cow<'_, str>, char> {
    match s.chars().find(|c| is_forbidden_control(*c)) {
        Some(c) => Err(c),
        None => Ok(without_format(s)),
    }
}

/// `s` without format and control characters (text from a browser form).
pub fn scrub(s: &str) -> Cow<'_, str> {
    if s.chars().any(|c| is_format(c) || is_forbidden_control(c)) {
        Cow::Owned(
            s.chars()
                .filter(|c| !is_format(*c) && !is_forbidden_control(*c))
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// Cleans every string of a JSON value in place (keys too); `Err` names the first field (as a
/// path: `respondents[0].name`) holding a forbidden control character.
pub fn clean_json(v: &mut serde_json::Value) -> Result<(), String> {
    fn walk(v: &mut serde_json::Value, path: &mut String) -> Result<(), String> {
        use serde_json::Value;
        match v {
            Value::String(s) => match clean(s) {
                Err(_) => Err(if path.is_empty() {
                    "body".into()
                } else {
                    path.clone()
                }),
                Ok(Cow::Owned(c)) => {
                    *s = c;
                    Ok(())
                }
                Ok(Cow::Borrowed(_)) => Ok(()),
            },
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(map) => {
                let entries = std::mem::take(map);
                let mut result = Ok(());
                for (k, mut item) in entries {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&k);
                    if result.is_ok() {
                        result = match clean(&k) {
                            Err(_) => Err(path.clone()),
                            Ok(_) => walk(&mut item, path),
                        };
                    }
                    path.truncate(len);
                    map.insert(without_format(&k).into_owned(), item);
                }
                result
            }
            _ => Ok(()),
        }
    }
    walk(v, &mut String::new())
}

/// A block of text as a form field holds it: lines kept, trimmed, no control characters,
/// `min..=max` characters (`min` 0: optional). A problem is pushed to `errors` under `field`.
pub fn block(
    errors: &mut Vec<crate::error::FieldError>,
    field: &'static str,
    v: &str,
    min: usize,
    max: usize,
) -> String {
    use crate::domain::contact::{has_control_multiline, normalise_multiline};
    let text = normalise_multiline(v);
    let n = text.chars().count();
    if has_control_multiline(&text) {
        errors.push(crate::error::FieldError::new(field, "error.text.control"));
    } else if n < min {
        errors.push(crate::error::FieldError::new(field, "error.required"));
    } else if n > max {
        errors.push(crate::error::FieldError::new(field, "error.text.too_long"));
    }
    text
}

/// One line of text (a name, a place): trimmed, no control characters, `min..=max` characters.
pub fn line(
    errors: &mut Vec<crate::error::FieldError>,
    field: &'static str,
    v: &str,
    min: usize,
    max: usize,
) -> String {
    let text = v.trim().to_string();
    let n = text.chars().count();
    if text.chars().any(char::is_control) {
        errors.push(crate::error::FieldError::new(field, "error.text.control"));
    } else if n < min {
        errors.push(crate::error::FieldError::new(field, "error.required"));
    } else if n > max {
        errors.push(crate::error::FieldError::new(field, "error.text.too_long"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bidi_controls_are_removed_and_the_name_reads_as_typed() {
        let spoofed = "\u{202E}司公限有技科明启\u{202C}";
        assert_eq!(clean(spoofed).unwrap(), "司公限有技科明启");
        assert_eq!(
            without_format("南通\u{2066}华信\u{2069}\u{200B}科技"),
            "南通华信科技"
        );
        assert!(matches!(without_format("南通华信"), Cow::Borrowed(_)));
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_and_tabs_are_text() {
        assert_eq!(
            clean("第一行\r\n第二行\t完"),
            Ok(Cow::Borrowed("第一行\r\n第二行\t完"))
        );
        assert_eq!(clean("名称\u{0}"), Err('\u{0}'));
        assert_eq!(clean("bell\u{7}"), Err('\u{7}'));
        assert_eq!(clean("del\u{7f}"), Err('\u{7f}'));
        assert_eq!(clean("c1\u{85}"), Err('\u{85}'));
        assert_eq!(scrub("表格\u{7}单元\u{b}换行\u{202E}"), "表格单元换行");
    }

    #[test]
    fn a_json_body_is_cleaned_and_a_control_character_is_named_by_its_path() {
        let mut v =
            json!({"title": "\u{202E}标题", "respondents": [{"name": "甲"}, {"name": "乙"}]});
        clean_json(&mut v).unwrap();
        assert_eq!(v["title"], "标题");
        let mut v = json!({"respondents": [{"name": "甲"}, {"name": "乙\u{1b}[31m"}]});
        assert_eq!(clean_json(&mut v), Err("respondents[1].name".to_string()));
        let mut v = json!("\u{0}");
        assert_eq!(clean_json(&mut v), Err("body".to_string()));
    }
}
