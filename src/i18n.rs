//! The message catalogue: every piece of UI text, Simplified Chinese first, English second.
//! Templates use `{{t "key"}}`; Rust code uses [`t`]. Placeholders are written `{name}`.

use std::collections::HashMap;
use std::sync::LazyLock;

/// A language the UI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// Parses a cookie value or language tag; anything not English is Chinese.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Self::Zh)
        } else if tag.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// Picks the first supported language from an `Accept-Language` header (default Chinese).
    pub fn from_accept_language(header: &str) -> Self {
        header
            .split(',')
            .filter_map(|part| Self::from_tag(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or_default()
    }
}

const CATALOGUE_TOML: &str = include_str!("i18n/catalogue.toml");

/// Key → (zh, en).
static CATALOGUE: LazyLock<HashMap<String, (String, String)>> = LazyLock::new(|| {
    let table: toml::Table = CATALOGUE_TOML
        .parse()
        .expect("catalogue.toml is valid TOML");
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    out
});

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, (String, String)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if let toml::Value::Table(t) = v {
            match (t.get("zh"), t.get("en")) {
                (Some(toml::Value::String(zh)), Some(toml::Value::String(en))) => {
                    out.insert(key, (zh.clone(), en.clone()));
                }
                _ => flatten(&key, t, out),
            }
        }
    }
}

/// The text for `key` in `lang`; an unknown key is returned as itself so it shows up in review.
pub fn t(lang: Lang, key: &str) -> String {
    match CATALOGUE.get(key) {
        Some((zh, en)) => match lang {
            Lang::Zh => zh.clone(),
            Lang::En => en.clone(),
        },
        None => key.to_string(),
    }
}

/// [`t`] with `{name}` placeholders filled from `args`.
pub fn t_args(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut text = t(lang, key);
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    CATALOGUE.contains_key(key)
}

/// All keys (for tests that check templates against the catalogue).
pub fn keys() -> Vec<String> {
    CATALOGUE.keys().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_both_languages_and_no_empty_text() {
        assert!(CATALOGUE.len() > 50);
        for (key, (zh, en)) in CATALOGUE.iter() {
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{key}");
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                    || zh == en
                    || key.starts_with("app."),
                "{key} has no Chinese text: {zh}"
            );
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr, zh-CN;q=0.5"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        let text = t_args(Lang::En, "login.throttled", &[("minutes", "15")]);
        assert!(text.contains("15"), "{text}");
    }

    #[test]
    fn unknown_keys_show_themselves() {
        assert_eq!(t(Lang::Zh, "no.such.key"), "no.such.key");
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        for dir in ["templates", "src"] {
            for path in walk(&root.join(dir)) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for key in used_keys(&text) {
                    if !has(&key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue:\n{}",
            missing.join("\n")
        );
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.extend(walk(&p));
                } else if p.extension().is_some_and(|x| x == "hbs" || x == "rs") {
                    out.push(p);
                }
            }
        }
        out
    }

    /// Finds `{{t "key"}}` in templates, and in Rust code every string literal that looks like a
    /// catalogue key (a dotted path whose first part is one of the catalogue's sections).
    fn used_keys(text: &str) -> Vec<String> {
        let sections: std::collections::HashSet<String> = keys()
            .iter()
            .filter_map(|k| k.split('.').next().map(str::to_string))
            .collect();
        let mut found = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find("{{t \"") {
            rest = &rest[i + 5..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].to_string());
            }
        }
        for (i, literal) in text.split('"').enumerate() {
            let looks_like_key = i % 2 == 1
                && literal.contains('.')
                && !literal.ends_with('.')
                && literal.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_'
                })
                && literal
                    .split('.')
                    .next()
                    .is_some_and(|s| sections.contains(s));
            if looks_like_key {
                found.push(literal.to_string());
            }
        }
        found.retain(|k| k.contains('.'));
        found
    }
}
