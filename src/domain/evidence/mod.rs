//! Evidence (证据) rules: the kinds of evidence, the sanitiser for file names as the client sent
//! them, the names the server gives files it serves, and the `Content-Disposition` header. The
//! type sniffer and its allowlist are in [`sniff`]. Pure: no files, no database, no clock.

pub mod sniff;

use super::case::EventKind;

/// The kinds of evidence an enforcement case works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 公证购买: a notarised test purchase.
    NotarizedPurchase,
    /// 截图/网页取证: screenshots, web captures.
    WebCapture,
    /// 展会照片: photographs taken at an exhibition.
    ExhibitionPhoto,
    /// 合同: contracts.
    Contract,
    /// 专利证书/登记簿副本: patent certificate or register extract.
    PatentCertificate,
    /// 评价报告: patent evaluation report.
    EvaluationReport,
    /// 发票/费用凭证: invoices and receipts (a mutual-aid fund application's proof of costs).
    Invoice,
    /// 其他.
    Other,
}

impl Kind {
    /// Every kind, in the order forms list them.
    pub const ALL: [Kind; 8] = [
        Kind::NotarizedPurchase,
        Kind::WebCapture,
        Kind::ExhibitionPhoto,
        Kind::Contract,
        Kind::PatentCertificate,
        Kind::EvaluationReport,
        Kind::Invoice,
        Kind::Other,
    ];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NotarizedPurchase => "notarized_purchase",
            Kind::WebCapture => "web_capture",
            Kind::ExhibitionPhoto => "exhibition_photo",
            Kind::Contract => "contract",
            Kind::PatentCertificate => "patent_certificate",
            Kind::EvaluationReport => "evaluation_report",
            Kind::Invoice => "invoice",
            Kind::Other => "other",
        }
    }

    /// Parses an API name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

// The API's document lists the names.
impl utoipa::PartialSchema for Kind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Kind::ALL.map(Kind::as_str)))
            .into()
    }
}

impl utoipa::ToSchema for Kind {
    fn name() -> std::borrow::Cow<'static, str> {
        "EvidenceKind".into()
    }
}

/// Longest original file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

/// The original file name as metadata: the last path component only (both `/` and `\`, and the
/// full-width solidus), no control or format characters (NUL, CR/LF, bidi overrides, zero-width),
/// no leading dots or trailing dots/spaces, at most [`MAX_NAME_CHARS`] characters keeping the
/// extension. `None` when nothing usable is left. It is never used as a path.
pub fn sanitize_file_name(raw: &str) -> Option<String> {
    let last = raw
        .rsplit(['/', '\\', '／', '＼'])
        .next()
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_format_char(*c))
        .map(|c| {
            if matches!(c, '"' | '<' | '>' | '|' | '*' | '?') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches(['.', '．'])
        .trim_end_matches(['.', ' ', '．'])
        .trim();
    if trimmed.is_empty() {
        return None;
    }
    if trimmed.chars().count() <= MAX_NAME_CHARS {
        return Some(trimmed.to_string());
    }
    // Keep a short extension, shorten the stem.
    let (stem, ext) = match trimmed.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.chars().count() <= 10 => (s, Some(e)),
        _ => (trimmed, None),
    };
    let room = MAX_NAME_CHARS - ext.map_or(0, |e| e.chars().count() + 1);
    let mut out: String = stem.chars().take(room).collect();
    if let Some(e) = ext {
        out.push('.');
        out.push_str(e);
    }
    Some(out)
}

/// Unicode format characters that change how a name looks (bidi overrides, zero-width joiners).
fn is_format_char(c: char) -> bool {
    crate::domain::text::is_format(c)
}

/// The extension (lower case, without the dot) of a sanitised name, if it has one.
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty() && ext.len() <= 10).then(|| ext.to_ascii_lowercase())
}

/// The name the server gives a file it serves: case number, `E` and the evidence number, and the
/// extension of the sniffed type, e.g. `WQ-2026-000001-E3.pdf`.
pub fn served_name(case_number: &str, no: i64, media_type: &str) -> String {
    format!("{case_number}-E{no}.{}", sniff::extension_for(media_type))
}

/// A `Content-Disposition` value (RFC 6266): an ASCII `filename` the server chose and, when an
/// original name is known, `filename*` (RFC 8187) with the server name followed by the original
/// stem. `inline` only for previews.
pub fn content_disposition(inline: bool, served: &str, original: Option<&str>) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let ascii: String = served
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut v = format!("{kind}; filename=\"{ascii}\"");
    if let Some(orig) = original.and_then(sanitize_file_name) {
        let stem = orig.rsplit_once('.').map_or(orig.as_str(), |(s, _)| s);
        let (served_stem, served_ext) = served.rsplit_once('.').unwrap_or((served, "bin"));
        let full = format!("{served_stem}_{stem}.{served_ext}");
        v.push_str("; filename*=UTF-8''");
        v.push_str(&percent_encode(&full));
    }
    v
}

/// RFC 8187 `attr-char` encoding.
fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a write that expected `expected` may go on at the case's version `current`: the same,
/// or only events that record someone reading evidence (viewed, downloaded, exported:
/// `kinds_since`, the kinds of the events after `expected`) came in between. Those are custody
/// facts but change nothing a form shows, so a form opened before them is not stale.
pub fn version_settles(expected: i64, current: i64, kinds_since: &[EventKind]) -> bool {
    expected == current
        || (expected < current
            // (Checked: a version as low as i64::MIN must be refused, not overflow.)
            && current.checked_sub(expected) == Some(kinds_since.len() as i64)
            && kinds_since.iter().all(|k| k.only_reads_evidence()))
}

/// A case's evidence total after adding `size`, checked against the per-case limit.
pub fn within_case_limit(current_total: i64, size: i64, limit: u64) -> bool {
    current_total
        .checked_add(size)
        .is_some_and(|t| t >= 0 && (t as u64) <= limit)
}

/// The checked text fields of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub kind: Kind,
    pub description: String,
    pub obtained_at: Option<chrono::NaiveDate>,
}

/// Validates the fields sent with a file; errors are (field, catalogue key) pairs. `obtained_at`
/// is a date (`YYYY-MM-DD`) or an RFC 3339 instant (its Beijing date), not after `today`.
pub fn validate_fields(
    kind: Option<&str>,
    description: Option<&str>,
    obtained_at: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<Fields, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => {
            errors.push(("kind", "error.required"));
            None
        }
        Some(k) => Kind::parse(k).or_else(|| {
            errors.push(("kind", "error.evidence.kind"));
            None
        }),
    };
    let description = super::contact::normalise_multiline(description.unwrap_or(""));
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.push(("description", "error.text.too_long"));
    } else if super::contact::has_control_multiline(&description) {
        errors.push(("description", "error.text.control"));
    }
    let obtained = match obtained_at.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .or_else(|| {
                    chrono::DateTime::parse_from_rfc3339(s)
                        .ok()
                        .map(|t| super::time::day_of(t.to_utc()))
                });
            match date {
                Some(d) if d <= today => Some(d),
                Some(_) => {
                    errors.push(("obtained_at", "error.evidence.obtained_future"));
                    None
                }
                None => {
                    errors.push(("obtained_at", "error.evidence.obtained_at"));
                    None
                }
            }
        }
    };
    match kind {
        Some(kind) if errors.is_empty() => Ok(Fields {
            kind,
            description,
            obtained_at: obtained,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_of_evidence_leave_a_form_current() {
        use EventKind as E;
        assert!(version_settles(4, 4, &[]));
        assert!(version_settles(
            4,
            6,
            &[E::EvidenceDownloaded, E::EvidenceViewed]
        ));
        assert!(version_settles(4, 5, &[E::EvidenceExported]));
        // Anything else in between, or a version from the future, is stale.
        assert!(!version_settles(4, 6, &[E::EvidenceDownloaded, E::Routed]));
        assert!(!version_settles(4, 5, &[E::EvidenceUploaded]));
        assert!(!version_settles(4, 5, &[E::EvidenceWithdrawn]));
        assert!(!version_settles(6, 5, &[]));
        // The kinds must account for every version in between.
        assert!(!version_settles(3, 6, &[E::EvidenceViewed]));
        // A version no case has is refused, not an overflow.
        assert!(!version_settles(i64::MIN, 5, &[E::EvidenceViewed]));
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("selfie"), None);
    }

    #[test]
    fn names_lose_their_paths_and_control_characters() {
        let cases = [
            ("../../etc/passwd", Some("passwd")),
            ("..\\..\\win.ini", Some("win.ini")),
            ("/abs/path/合同.pdf", Some("合同.pdf")),
            ("C:\\x\\报告.docx", Some("报告.docx")),
            ("．．／．．／a.png", Some("a.png")),
            ("a.pdf\0.html", Some("a.pdf.html")),
            ("a\r\nSet-Cookie: x=1.txt", Some("aSet-Cookie")),
            ("\u{202E}gpj.exe", Some("gpj.exe")),
            ("x.txt::$DATA", Some("x.txt")),
            ("....//", None),
            (".", None),
            ("..", None),
            ("", None),
            ("   ", None),
            ("evidence. ", Some("evidence")),
            ("\"quoted\".pdf", Some("_quoted_.pdf")),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitize_file_name(raw).as_deref(), want, "{raw:?}");
        }
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.pdf", "证".repeat(300));
        let s = sanitize_file_name(&long).unwrap();
        assert_eq!(s.chars().count(), MAX_NAME_CHARS);
        assert!(s.ends_with(".pdf"));
    }

    proptest::proptest! {
        #[test]
        fn sanitised_names_are_never_paths(raw in "\\PC{0,300}") {
            if let Some(s) = sanitize_file_name(&raw) {
                proptest::prop_assert!(!s.contains(['/', '\\', '\0', '\r', '\n']));
                proptest::prop_assert!(s != "." && s != ".." && !s.starts_with('.'));
                proptest::prop_assert!(s.chars().count() <= MAX_NAME_CHARS);
                proptest::prop_assert!(!s.chars().any(|c| c.is_control()));
            }
        }
    }

    #[test]
    fn served_names_and_dispositions() {
        assert_eq!(
            served_name("WQ-2026-000001", 3, "application/pdf"),
            "WQ-2026-000001-E3.pdf"
        );
        let d = content_disposition(false, "WQ-2026-000001-E3.pdf", Some("公证书\r\n.html"));
        assert!(
            d.starts_with("attachment; filename=\"WQ-2026-000001-E3.pdf\""),
            "{d}"
        );
        assert!(
            d.contains("filename*=UTF-8''WQ-2026-000001-E3_%E5%85%AC"),
            "{d}"
        );
        assert!(d.ends_with(".pdf"), "{d}");
        assert!(!d.contains(['\r', '\n']));
        assert_eq!(
            content_disposition(true, "WQ-1-E1.png", None),
            "inline; filename=\"WQ-1-E1.png\""
        );
    }

    #[test]
    fn case_limits() {
        assert!(within_case_limit(0, 10, 10));
        assert!(!within_case_limit(5, 6, 10));
        assert!(!within_case_limit(i64::MAX, 1, u64::MAX));
    }

    #[test]
    fn fields_are_checked() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let f = validate_fields(
            Some("contract"),
            Some(" 合同\r\n第二页 "),
            Some("2026-11-30"),
            today,
        )
        .unwrap();
        assert_eq!(f.kind, Kind::Contract);
        assert_eq!(f.description, "合同\n第二页");
        assert_eq!(f.obtained_at, chrono::NaiveDate::from_ymd_opt(2026, 11, 30));
        let f = validate_fields(Some("other"), None, Some("2026-11-30T20:00:00Z"), today).unwrap();
        assert_eq!(f.obtained_at, chrono::NaiveDate::from_ymd_opt(2026, 12, 1));
        let errs = validate_fields(None, Some("a\u{0}b"), Some("2027-01-01"), today).unwrap_err();
        assert_eq!(
            errs,
            vec![
                ("kind", "error.required"),
                ("description", "error.text.control"),
                ("obtained_at", "error.evidence.obtained_future")
            ]
        );
        let errs = validate_fields(Some("selfie"), None, Some("yesterday"), today).unwrap_err();
        assert_eq!(
            errs,
            vec![
                ("kind", "error.evidence.kind"),
                ("obtained_at", "error.evidence.obtained_at")
            ]
        );
    }

    #[test]
    fn extensions() {
        assert_eq!(extension("a.PDF").as_deref(), Some("pdf"));
        assert_eq!(extension("noext"), None);
        assert_eq!(extension(".hidden"), None);
    }
}
