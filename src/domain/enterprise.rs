//! What a registering filer shows to prove they act for the enterprise: their position (职务) and
//! a business licence (营业执照) or an authorisation letter (授权委托书) as a PDF, JPEG or PNG of
//! limited size. Until a centre or office covering its region has confirmed it, a self-registered
//! enterprise is unverified (it may still file).

/// The largest proof document, in bytes.
pub const DOCUMENT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// The media types a proof document may have (sniffed from its bytes).
pub const DOCUMENT_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// Longest position, in characters.
pub const POSITION_MAX_CHARS: usize = 50;

/// Which document proves the filer acts for the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// 营业执照 — the filer is the legal representative or otherwise named in it.
    BusinessLicence,
    /// 授权委托书 — the enterprise authorises the filer.
    AuthorisationLetter,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 2] = [Self::BusinessLicence, Self::AuthorisationLetter];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BusinessLicence => "business_licence",
            Self::AuthorisationLetter => "authorisation_letter",
        }
    }

    /// The kind by its name; the error is a catalogue key.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or("error.registration.document_kind")
    }

    /// Catalogue key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Self::BusinessLicence => "enterprises.kind.business_licence",
            Self::AuthorisationLetter => "enterprises.kind.authorisation_letter",
        }
    }
}

/// A position as entered: trimmed, 1–50 characters, no control characters. The error is a
/// catalogue key.
pub fn position(input: &str) -> Result<String, &'static str> {
    let p = input.trim();
    if p.is_empty() {
        return Err("error.registration.position");
    }
    if p.chars().count() > POSITION_MAX_CHARS || super::contact::has_control(p) {
        return Err("error.registration.position_format");
    }
    Ok(p.to_string())
}

/// Whether a sniffed media type may be a proof document.
pub fn document_type_allowed(media_type: &str) -> bool {
    DOCUMENT_TYPES.contains(&media_type)
}

/// The name the server gives a proof document it serves: the credit code, the kind and the
/// extension of the sniffed type, e.g. `91320600MA1N2HX3QX-business_licence.pdf`.
pub fn served_name(uscc: Option<&str>, kind: &str, media_type: &str) -> String {
    let ext = match media_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "bin",
    };
    let who: String = uscc
        .unwrap_or("enterprise")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let kind: String = kind
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    format!("{who}-{kind}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_kinds_round_trip() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.as_str()), Ok(k));
        }
        assert_eq!(
            DocumentKind::parse("passport"),
            Err("error.registration.document_kind")
        );
    }

    #[test]
    fn positions_are_short_lines() {
        assert_eq!(position("  法务经理 ").as_deref(), Ok("法务经理"));
        assert_eq!(position("  "), Err("error.registration.position"));
        assert_eq!(
            position(&"经".repeat(51)),
            Err("error.registration.position_format")
        );
        assert_eq!(
            position("经理\u{0}"),
            Err("error.registration.position_format")
        );
    }

    #[test]
    fn only_pdf_and_pictures_prove() {
        assert!(document_type_allowed("application/pdf"));
        assert!(document_type_allowed("image/png"));
        assert!(!document_type_allowed("application/msword"));
        assert!(!document_type_allowed("text/plain"));
    }

    #[test]
    fn served_names_are_plain_ascii() {
        assert_eq!(
            served_name(
                Some("91320600MA1N2HX3QX"),
                "business_licence",
                "application/pdf"
            ),
            "91320600MA1N2HX3QX-business_licence.pdf"
        );
        assert_eq!(
            served_name(None, "x\"; evil", "image/png"),
            "enterprise-xevil.png"
        );
    }
}
