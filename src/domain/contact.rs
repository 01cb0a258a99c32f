//! Contact details and free text as people type them: telephone numbers, email addresses, and
//! the rule that no text field may hold control characters.

/// A telephone number as written in China: 7–20 characters of digits, `+`, `-` and spaces
/// (`13800000000`, `0513-85000000`, `+86 513 8500 0000`).
pub fn is_phone(s: &str) -> bool {
    (7..=20).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c))
        && s.chars().filter(char::is_ascii_digit).count() >= 7
}

/// A plausible email address: something `@` a domain with a dot, at most 254 characters, no
/// spaces.
pub fn is_email(s: &str) -> bool {
    s.len() <= 254
        && !s.contains(char::is_whitespace)
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        })
}

/// Whether a text holds control characters (NUL, escape, tab …), which no name or contact needs.
pub fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// Whether a multi-line text (a description, a reason) holds control characters other than
/// line breaks and tabs.
pub fn has_control_multiline(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// A multi-line text as stored: CRLF and lone CR become LF, outer whitespace trimmed.
pub fn normalise_multiline(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_text_keeps_its_line_breaks_but_no_other_controls() {
        assert!(!has_control_multiline("第一行\r\n第二行\t完"));
        assert!(has_control_multiline("a\u{0}b"));
        assert!(has_control_multiline("a\u{1b}[31m"));
        assert_eq!(normalise_multiline(" 一\r\n二\r三\n "), "一\n二\n三");
    }

    #[test]
    fn phones() {
        for ok in ["13800000000", "0513-85000000", "+86 513 8500 0000"] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in [
            "",
            "123",
            "call me",
            "138000000001380000000",
            "+-+- - -+-",
            "1380000000０",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert!(is_email("wang.min@huaxin.example.cn"));
        for bad in [
            "",
            "wang",
            "@example.cn",
            "wang@localhost",
            "wang@.cn",
            "a b@c.cn",
            "a@b@c.cn",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn control_characters() {
        assert!(has_control("a\0b") && has_control("a\u{1b}[31m") && has_control("a\tb"));
        assert!(!has_control("南通华信精密机械有限公司"));
    }
}
