//! What a file is, from its first bytes, and whether it may be evidence. The magic numbers come
//! from the `infer` crate; OFD (GB/T 33190), e-mail (RFC 5322) and plain text are our own checks.
//! A file is accepted only when its sniffed type is on [`ALLOWED`] and what the client claimed (the
//! part's `Content-Type`, the name's extension) does not contradict it.

/// How many leading bytes the sniffer looks at.
pub const HEAD_LEN: usize = 64 * 1024;

/// Allowed media types with the extension the server serves them under.
pub const ALLOWED: &[(&str, &str)] = &[
    ("application/pdf", "pdf"),
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
    ("image/bmp", "bmp"),
    ("image/tiff", "tif"),
    ("image/heif", "heif"),
    ("image/heic", "heic"),
    ("video/mp4", "mp4"),
    ("video/x-m4v", "m4v"),
    ("video/quicktime", "mov"),
    ("video/x-msvideo", "avi"),
    ("video/x-matroska", "mkv"),
    ("video/webm", "webm"),
    ("video/mpeg", "mpg"),
    ("video/x-ms-wmv", "wmv"),
    ("video/x-flv", "flv"),
    ("application/msword", "doc"),
    ("application/vnd.ms-excel", "xls"),
    ("application/vnd.ms-powerpoint", "ppt"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    ("application/ofd", "ofd"),
    ("text/plain", "txt"),
    ("message/rfc822", "eml"),
];

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No bytes at all.
    Empty,
    /// The sniffed type (or "unknown") is not on the allowlist.
    NotAllowed(String),
    /// The client's claim (type or extension) contradicts the sniffed type.
    Mismatch { sniffed: String, claimed: String },
}

/// The extension the server uses for an allowed type (`bin` otherwise).
pub fn extension_for(media_type: &str) -> &'static str {
    ALLOWED
        .iter()
        .find(|(m, _)| *m == media_type)
        .map_or("bin", |(_, e)| e)
}

/// Whether a type may be shown in the page (raster images and PDF; never SVG, HTML, text).
pub fn previewable(media_type: &str) -> bool {
    matches!(
        media_type,
        "application/pdf" | "image/jpeg" | "image/png" | "image/gif" | "image/webp" | "image/bmp"
    )
}

/// The sniffed media type of a file starting with `head` (`complete`: `head` is the whole file),
/// or a description of what it is when that is not allowed.
pub fn sniff(head: &[u8], complete: bool) -> Result<&'static str, String> {
    if is_ofd(head) {
        return Ok("application/ofd");
    }
    // Markup first: no allowed type starts with `<`, and XML-based formats (SVG) are active content.
    if let Some(markup) = markup(head) {
        return Err(markup.to_string());
    }
    if let Some(t) = infer::get(head) {
        let m = match t.mime_type() {
            "image/vnd.microsoft.icon" => "image/x-icon",
            "application/x-ole-storage" => "application/x-ole-storage",
            other => other,
        };
        return ALLOWED
            .iter()
            .find(|(a, _)| *a == m)
            .map(|(a, _)| *a)
            .ok_or_else(|| m.to_string());
    }
    if is_text(head, complete) {
        return Ok(if is_email(head) {
            "message/rfc822"
        } else {
            "text/plain"
        });
    }
    Err("application/octet-stream".to_string())
}

/// The whole decision: sniff, then compare with what the client claimed.
pub fn decide(
    head: &[u8],
    complete: bool,
    claimed_type: Option<&str>,
    extension: Option<&str>,
) -> Result<&'static str, Refusal> {
    if head.is_empty() {
        return Err(Refusal::Empty);
    }
    let sniffed = sniff(head, complete).map_err(Refusal::NotAllowed)?;
    let claimed = claimed_type
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|c| !c.is_empty() && c != "application/octet-stream" && c != "binary/octet-stream");
    if let Some(c) = claimed
        && !claim_fits(sniffed, &c)
    {
        return Err(Refusal::Mismatch {
            sniffed: sniffed.into(),
            claimed: c,
        });
    }
    if let Some(ext) = extension
        && let Some(types) = extension_types(ext)
        && !types.contains(&sniffed)
    {
        return Err(Refusal::Mismatch {
            sniffed: sniffed.into(),
            claimed: format!(".{ext}"),
        });
    }
    Ok(sniffed)
}

/// Whether a claimed `Content-Type` names the sniffed type (or a common alias of it).
fn claim_fits(sniffed: &str, claimed: &str) -> bool {
    if sniffed == claimed {
        return true;
    }
    let aliases: &[&str] = match sniffed {
        "application/pdf" => &["application/x-pdf"],
        "image/jpeg" => &["image/jpg", "image/pjpeg"],
        "image/png" => &["image/x-png"],
        "image/bmp" => &["image/x-ms-bmp", "image/x-bmp"],
        "image/heif" | "image/heic" => &["image/heif", "image/heic"],
        "video/mp4" | "video/x-m4v" => &["video/mp4", "video/x-m4v", "application/mp4"],
        "video/x-msvideo" => &["video/avi", "video/msvideo"],
        "video/x-matroska" => &["video/matroska"],
        "application/ofd" => &["application/x-ofd"],
        "text/plain" => &["text/csv", "text/markdown", "text/x-log"],
        "message/rfc822" => &["text/plain"],
        _ => &[],
    };
    aliases.contains(&claimed)
}

/// The types a known extension stands for; `Some(&[])` for extensions never accepted (markup,
/// scripts, programs); `None` for extensions we do not know (no claim).
fn extension_types(ext: &str) -> Option<&'static [&'static str]> {
    Some(match ext {
        "pdf" => &["application/pdf"],
        "jpg" | "jpeg" | "jpe" | "jfif" => &["image/jpeg"],
        "png" => &["image/png"],
        "gif" => &["image/gif"],
        "webp" => &["image/webp"],
        "bmp" => &["image/bmp"],
        "tif" | "tiff" => &["image/tiff"],
        "heic" | "heif" => &["image/heif", "image/heic"],
        "mp4" | "m4v" => &["video/mp4", "video/x-m4v"],
        "mov" | "qt" => &["video/quicktime"],
        "avi" => &["video/x-msvideo"],
        "mkv" => &["video/x-matroska"],
        "webm" => &["video/webm"],
        "mpg" | "mpeg" => &["video/mpeg"],
        "wmv" => &["video/x-ms-wmv"],
        "flv" => &["video/x-flv"],
        "doc" => &["application/msword"],
        "xls" => &["application/vnd.ms-excel"],
        "ppt" => &["application/vnd.ms-powerpoint"],
        "docx" => &["application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
        "xlsx" => &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
        "pptx" => &["application/vnd.openxmlformats-officedocument.presentationml.presentation"],
        "ofd" => &["application/ofd"],
        "txt" | "log" | "csv" | "md" => &["text/plain"],
        "eml" => &["message/rfc822", "text/plain"],
        "html" | "htm" | "xhtml" | "shtml" | "svg" | "svgz" | "xml" | "xsl" | "js" | "mjs"
        | "css" | "exe" | "dll" | "bat" | "cmd" | "com" | "scr" | "ps1" | "sh" | "php" | "jsp"
        | "asp" | "aspx" | "hta" | "swf" | "jar" | "vbs" => &[],
        _ => return None,
    })
}

/// OFD: a zip whose first entry is `OFD.xml` (GB/T 33190-2016 §7.2).
fn is_ofd(head: &[u8]) -> bool {
    if head.len() < 30 || &head[..4] != b"PK\x03\x04" {
        return false;
    }
    let name_len = u16::from_le_bytes([head[26], head[27]]) as usize;
    head.get(30..30 + name_len)
        .is_some_and(|n| n.eq_ignore_ascii_case(b"OFD.xml"))
}

/// HTML, SVG, XML or script at the start of a text file: what it is, to refuse it.
fn markup(head: &[u8]) -> Option<&'static str> {
    let start: Vec<u8> = head.iter().take(1024).map(u8::to_ascii_lowercase).collect();
    let text = String::from_utf8_lossy(&start);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if !t.starts_with('<') {
        return None;
    }
    if t.contains("<svg") {
        Some("image/svg+xml")
    } else if t.starts_with("<?xml") {
        Some("application/xml")
    } else {
        Some("text/html")
    }
}

/// Text in UTF-8 or a legacy Chinese encoding (GB 18030): no NUL and no control bytes except
/// tab, line feed, form feed and carriage return; UTF-16 with a byte order mark.
fn is_text(head: &[u8], complete: bool) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return head.len().is_multiple_of(2) || !complete;
    }
    head.iter()
        .all(|&b| (b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) && b != 0x7F)
}

/// An RFC 5322 message: starts with a header field and has `From:` and one of `Date:`,
/// `Subject:`, `Message-ID:` in its first lines.
fn is_email(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(8192)]).to_ascii_lowercase();
    let first = text.lines().next().unwrap_or("");
    let header_like = first.split_once(':').is_some_and(|(name, _)| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    let has = |h: &str| text.starts_with(h) || text.contains(&format!("\n{h}"));
    header_like && has("from:") && (has("date:") || has("subject:") || has("message-id:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

    #[test]
    fn allowed_types_are_recognised() {
        assert_eq!(sniff(PDF, true), Ok("application/pdf"));
        assert_eq!(sniff(PNG, true), Ok("image/png"));
        assert_eq!(
            sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0", true),
            Ok("image/jpeg")
        );
        assert_eq!(
            sniff("证据说明\r\n第二行".as_bytes(), true),
            Ok("text/plain")
        );
        let eml = b"Received: from mx\r\nFrom: a@b.cn\r\nTo: c@d.cn\r\nSubject: hi\r\n\r\nbody";
        assert_eq!(sniff(eml, true), Ok("message/rfc822"));
        let mut ofd =
            b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x07\0\0\0".to_vec();
        ofd.extend_from_slice(b"OFD.xml<ofd:OFD/>");
        assert_eq!(sniff(&ofd, true), Ok("application/ofd"));
    }

    #[test]
    fn markup_programs_and_archives_are_refused() {
        let svg = b"<?xml version=\"1.0\"?><svg onload=\"alert(1)\"><script>x</script></svg>";
        assert_eq!(sniff(svg, true), Err("image/svg+xml".into()));
        assert_eq!(
            sniff(b"  <!DOCTYPE html><script>alert(1)</script>", true),
            Err("text/html".into())
        );
        assert_eq!(
            sniff(b"<?xml version='1.0'?><a/>", true),
            Err("application/xml".into())
        );
        assert!(sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF", true).is_err());
        assert!(sniff(b"PK\x03\x04\x14\0\0\0\x08\0", true).is_err());
        assert_eq!(
            sniff(b"\0\0\0\x01binary", true),
            Err("application/octet-stream".into())
        );
    }

    #[test]
    fn claims_must_agree() {
        assert_eq!(
            decide(PDF, true, Some("application/pdf"), Some("pdf")),
            Ok("application/pdf")
        );
        assert_eq!(
            decide(PDF, true, Some("application/octet-stream"), None),
            Ok("application/pdf")
        );
        assert_eq!(decide(PNG, true, None, Some("dat")), Ok("image/png"));
        assert!(matches!(
            decide(PNG, true, Some("image/jpeg"), None),
            Err(Refusal::Mismatch { .. })
        ));
        assert!(matches!(
            decide(PDF, true, None, Some("jpg")),
            Err(Refusal::Mismatch { .. })
        ));
        // A valid image with an .html name is refused rather than stored under a double meaning.
        assert!(matches!(
            decide(PNG, true, Some("image/png"), Some("html")),
            Err(Refusal::Mismatch { .. })
        ));
        assert!(matches!(
            decide(b"plain words", true, Some("text/html"), None),
            Err(Refusal::Mismatch { .. })
        ));
        assert_eq!(decide(b"", true, None, None), Err(Refusal::Empty));
    }

    #[test]
    fn previews_only_for_images_and_pdf() {
        assert!(previewable("image/png") && previewable("application/pdf"));
        assert!(
            !previewable("text/plain")
                && !previewable("image/svg+xml")
                && !previewable("video/mp4")
        );
        assert_eq!(extension_for("application/pdf"), "pdf");
        assert_eq!(extension_for("text/html"), "bin");
    }
}
