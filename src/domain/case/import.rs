//! Leads from a CSV file (`weiquan import leads FILE`, the import page): one lead per row, each
//! validated like a lead entered by hand; a bad row is reported with its line number and reason
//! while the good rows go on.

use super::intake::{
    self, CaseInput, ExhibitionInput, OverseasInput, PartyInput, RightInput, Submitter, ValidCase,
};
use crate::error::FieldError;

/// The columns, in any order; a header row names them. `*` marks the required ones.
pub const COLUMNS: [(&str, bool); 24] = [
    ("source", true),
    ("received_at", false),
    ("channel", true),
    ("region_code", true),
    ("title", false),
    ("description", true),
    ("complainant_name", false),
    ("complainant_uscc", false),
    ("right_kind", true),
    ("right_number", false),
    ("right_title", true),
    ("respondent_name", true),
    ("respondent_uscc", false),
    ("respondent_address", false),
    ("listing_url", false),
    // Where the channel asks for them (`exhibition`; `overseas` and `cross_border_e_commerce`).
    ("exhibition_name", false),
    ("exhibition_venue", false),
    ("exhibition_booth", false),
    ("exhibition_opens_at", false),
    ("exhibition_closes_at", false),
    ("overseas_country", false),
    ("overseas_category", false),
    ("overseas_foreign_deadline", false),
    ("overseas_time_zone", false),
];

/// The columns of an exhibition's and a request abroad's facts.
const EXHIBITION: std::ops::Range<usize> = 15..20;
const OVERSEAS: std::ops::Range<usize> = 20..24;

/// A bad row: line number (the header is line 1), field and catalogue key of the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub key: &'static str,
}

/// A file read: good leads with their line numbers, bad rows, and whether the header was usable.
#[derive(Debug, Default)]
pub struct Parsed {
    pub leads: Vec<(u64, ValidCase)>,
    pub errors: Vec<RowError>,
}

/// What the CSV reader has read of the file and not yet counted: the bytes from `base` on.
#[derive(Default)]
struct Window {
    bytes: Vec<u8>,
    /// The offset of `bytes[0]` in the file.
    base: usize,
}

/// A reader that keeps what passes through it in a [`Window`], for [`Lines`] to count.
struct Tap<R> {
    inner: R,
    window: std::rc::Rc<std::cell::RefCell<Window>>,
}

impl<R: std::io::Read> std::io::Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.window.borrow_mut().bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Counts lines up to a byte offset, moving forward only, over the bytes the reader has read:
/// a file of any length costs one pass and holds no more than the rows being read.
struct Lines {
    window: std::rc::Rc<std::cell::RefCell<Window>>,
    line: u64,
}

impl Lines {
    /// The line of the first byte at or after `start` that is not a line break.
    fn at(&mut self, start: usize) -> u64 {
        let mut w = self.window.borrow_mut();
        let end = w.base + w.bytes.len();
        let byte = |w: &Window, i: usize| w.bytes[i - w.base];
        let mut start = start.clamp(w.base, end);
        while start < end && matches!(byte(&w, start), b'\r' | b'\n') {
            start += 1;
        }
        for i in w.base..start {
            match byte(&w, i) {
                b'\n' => self.line += 1,
                b'\r' if i + 1 >= end || byte(&w, i + 1) != b'\n' => self.line += 1,
                _ => {}
            }
        }
        let counted = start - w.base;
        w.bytes.drain(..counted);
        w.base = start;
        self.line
    }
}

/// Reads and validates a lead file.
pub fn parse(bytes: &[u8]) -> Parsed {
    let mut leads = Vec::new();
    let errors = parse_each(bytes, |line, v| leads.push((line, v)));
    Parsed { leads, errors }
}

/// Reads and validates a lead file, handing each good lead with its line number to `lead` as
/// soon as it is read (so that storing can start before the whole file is read); returns the
/// bad rows, in file order.
pub fn parse_each(file: impl std::io::Read, mut lead: impl FnMut(u64, ValidCase)) -> Vec<RowError> {
    use std::io::Read;
    let mut out = Parsed::default();
    let mut file = file;
    // A byte order mark (Excel writes one) is not part of the header.
    let mut head = [0u8; 3];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let kept = if head[..got] == *b"\xEF\xBB\xBF" {
        Vec::new()
    } else {
        head[..got].to_vec()
    };
    let file = std::io::Cursor::new(kept).chain(file);
    let window = std::rc::Rc::new(std::cell::RefCell::new(Window::default()));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(Tap {
            inner: file,
            window: window.clone(),
        });
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(_) => {
            out.errors.push(RowError {
                line: 1,
                field: "header".into(),
                key: "error.import.header",
            });
            return out.errors;
        }
    };
    let missing: Vec<&str> = COLUMNS
        .iter()
        .filter(|(c, required)| *required && !header.iter().any(|h| h == c))
        .map(|(c, _)| *c)
        .collect();
    if let Some(c) = missing.first() {
        out.errors.push(RowError {
            line: 1,
            field: (*c).into(),
            key: "error.import.missing_column",
        });
        return out.errors;
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let idx: Vec<Option<usize>> = COLUMNS.iter().map(|(c, _)| col(c)).collect();
    let mut lines = Lines { window, line: 1 };
    let mut record = csv::StringRecord::new();
    loop {
        let line_of = |r: &csv::StringRecord, lines: &mut Lines| {
            r.position().map_or(0, |p| lines.at(p.byte() as usize))
        };
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = line_of(&record, &mut lines);
                if record.iter().all(str::is_empty) {
                    continue;
                }
                // Format characters (bidi controls) never reach a stored text.
                let get = |i: usize| -> String {
                    crate::domain::text::without_format(
                        idx[i].and_then(|j| record.get(j)).unwrap_or(""),
                    )
                    .into_owned()
                };
                let opt = |i: usize| Some(get(i)).filter(|v| !v.is_empty());
                let input = CaseInput {
                    source: opt(0),
                    received_at: opt(1),
                    channel: get(2),
                    region_code: get(3),
                    title: opt(4),
                    description: get(5),
                    complainant: opt(6).map(|name| PartyInput {
                        name,
                        uscc: opt(7),
                        ..Default::default()
                    }),
                    rights: vec![RightInput {
                        kind: get(8),
                        number: opt(9),
                        title: get(10),
                        holder: None,
                    }],
                    respondents: vec![PartyInput {
                        name: get(11),
                        uscc: opt(12),
                        address: opt(13),
                        listing_url: opt(14),
                        ..Default::default()
                    }],
                    // The facts a channel needs, when the row gives any of them.
                    exhibition: EXHIBITION.clone().any(|i| opt(i).is_some()).then(|| {
                        ExhibitionInput {
                            name: get(15),
                            venue: get(16),
                            booth: opt(17),
                            organiser: None,
                            opens_at: get(18),
                            closes_at: get(19),
                        }
                    }),
                    overseas: OVERSEAS
                        .clone()
                        .any(|i| opt(i).is_some())
                        .then(|| OverseasInput {
                            country: get(20),
                            category: get(21),
                            foreign_deadline: opt(22),
                            time_zone: opt(23),
                        }),
                    ..Default::default()
                };
                match intake::validate(&input, Submitter::Office) {
                    Ok(v) => lead(line, v),
                    Err(errors) => out
                        .errors
                        .extend(errors.into_iter().map(|e| row_error(line, e))),
                }
            }
            Err(e) => {
                let line = e
                    .position()
                    .map_or(lines.line + 1, |p| lines.at(p.byte() as usize));
                out.errors.push(RowError {
                    line,
                    field: "row".into(),
                    key: "error.import.row",
                });
                // A broken row (bad UTF-8, unbalanced quotes) is skipped; reading goes on.
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) {
                    break;
                }
            }
        }
    }
    out.errors
}

/// A field error of the lead, named by the file's column.
fn row_error(line: u64, e: FieldError) -> RowError {
    let field = match e.field.as_str() {
        "rights[0].kind" => "right_kind",
        "rights[0].number" => "right_number",
        "rights[0].title" | "rights" => "right_title",
        "respondents[0].name" | "respondents" => "respondent_name",
        "respondents[0].uscc" => "respondent_uscc",
        "respondents[0].address" => "respondent_address",
        "respondents[0].listing_url" => "listing_url",
        "complainant.name" => "complainant_name",
        "complainant.uscc" => "complainant_uscc",
        other => {
            // `exhibition.name` is the column `exhibition_name`, and so on.
            if let Some(rest) = other.strip_prefix("exhibition.") {
                return RowError {
                    line,
                    field: format!("exhibition_{rest}"),
                    key: e.message.key,
                };
            }
            if let Some(rest) = other.strip_prefix("overseas.") {
                return RowError {
                    line,
                    field: format!("overseas_{rest}"),
                    key: e.message.key,
                };
            }
            other
        }
    };
    RowError {
        line,
        field: field.to_string(),
        key: e.message.key,
    }
}

/// The header line of a lead file, for templates and documentation.
pub fn header_line() -> String {
    COLUMNS
        .iter()
        .map(|(c, _)| *c)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rows: &[&str]) -> Vec<u8> {
        let mut s = header_line();
        for r in rows {
            s.push('\n');
            s.push_str(r);
        }
        s.into_bytes()
    }

    const GOOD: &str = "hotline_12330,2026-03-02 09:30,e_commerce,320600,,网店销售假冒商标商品，来电人提供了链接。,南通启明电子科技有限公司,,trademark,第12345678号,启明,某某商行,,,https://shop.example.com/1";

    #[test]
    fn exhibition_and_overseas_leads_carry_their_facts_in_their_own_columns() {
        let base = GOOD.replace("hotline_12330,", "officer,");
        let with = |channel: &str, facts: &str| {
            format!(
                "{},{facts}",
                base.replacen(",e_commerce,", &format!(",{channel},"), 1)
            )
        };
        let fair = with(
            "exhibition",
            "2026中国（南通）国际工业博览会,南通国际会展中心,B8,2026-05-10 09:00,2026-05-13 17:00,,,,",
        );
        let abroad = with(
            "overseas",
            ",,,,,US,us_337,2026-06-01 17:00,America/New_York",
        );
        let parsed = parse(&file(&[&fair, &abroad]));
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.leads.len(), 2);
        let fair = parsed.leads[0].1.facts.exhibition.as_ref().unwrap();
        assert_eq!(fair.booth.as_deref(), Some("B8"));
        let abroad = parsed.leads[1].1.facts.overseas.as_ref().unwrap();
        assert_eq!(abroad.country, "US");
        assert!(abroad.foreign_deadline.is_some());
        // Without the facts, or with a bad one, the row is named by its column.
        let bare = with("exhibition", ",,,,,,,,");
        let late = with(
            "exhibition",
            "某展会,某会展中心,,2026-05-13 17:00,2026-05-10 09:00,,,,",
        );
        let zone = with("overseas", ",,,,,US,us_337,2026-06-01 17:00,Mars/Base");
        let errors = parse(&file(&[&bare, &late, &zone])).errors;
        let named: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(
            named,
            vec![
                (2, "exhibition_name"),
                (3, "exhibition_closes_at"),
                (4, "overseas_time_zone")
            ]
        );
    }

    #[test]
    fn good_rows_are_read_and_bad_rows_named_by_line_and_column() {
        let bad_patent = GOOD.replace(
            "trademark,第12345678号",
            "invention_patent,ZL202310123456.5",
        );
        // Six digits of a real prefecture, but no county of 南通市 has this code.
        let bad_region = GOOD.replace(",320600,", ",320699,");
        let parsed = parse(&file(&[GOOD, &bad_patent, "", GOOD, &bad_region]));
        let lines: Vec<u64> = parsed.leads.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 5]);
        assert_eq!(
            parsed.errors,
            [
                RowError {
                    line: 3,
                    field: "right_number".into(),
                    key: "error.patent.check"
                },
                RowError {
                    line: 6,
                    field: "region_code".into(),
                    key: "error.region"
                },
            ]
        );
        assert_eq!(
            parsed.leads[0].1.rights[0].number.as_deref(),
            Some("12345678")
        );
    }

    #[test]
    fn a_file_without_the_required_columns_is_refused_at_the_header() {
        let parsed = parse(b"source,channel\nofficer,e_commerce\n");
        assert_eq!(parsed.leads.len(), 0);
        assert_eq!(parsed.errors[0].line, 1);
        assert_eq!(parsed.errors[0].key, "error.import.missing_column");
    }

    #[test]
    fn crlf_bom_and_quoted_newlines_keep_line_numbers_right() {
        let quoted = GOOD.replace(
            "网店销售假冒商标商品，来电人提供了链接。",
            "\"第一行\n第二行：网店销售假冒商品\"",
        );
        let bad = GOOD.replace("hotline_12330", "complaint");
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(file(&[&quoted, &bad, GOOD]).iter().flat_map(|b| {
            if *b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![*b]
            }
        }));
        let parsed = parse(&bytes);
        assert_eq!(
            parsed.leads.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [2, 5],
            "{:?}",
            parsed.errors
        );
        assert_eq!(parsed.errors[0].line, 4);
        assert_eq!(parsed.errors[0].field, "source");
    }

    /// Hands out at most `piece` bytes a read, so that records and line breaks straddle reads.
    struct Trickle<'a> {
        bytes: &'a [u8],
        piece: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.piece.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_long_file_read_in_pieces_gives_every_lead_and_bad_row_its_line() {
        // 3,000 rows, CRLF, a BOM, quoted descriptions over two lines, a blank line and bad
        // rows at known lines, far beyond any reader's buffer.
        let quoted = GOOD.replace(
            "网店销售假冒商标商品，来电人提供了链接。",
            "\"第一行\r\n第二行：网店销售假冒商品\"",
        );
        let bad = GOOD.replace("hotline_12330", "complaint");
        let mut text = format!("\u{feff}{}\r\n", header_line());
        let (mut line, mut good, mut wrong) = (2u64, Vec::new(), Vec::new());
        for i in 0..3000 {
            match i % 7 {
                0 => {
                    text.push_str(&quoted);
                    good.push(line);
                    line += 2;
                }
                3 => {
                    text.push_str(&bad);
                    wrong.push(line);
                    line += 1;
                }
                5 => {
                    // A blank line, then the row.
                    text.push_str("\r\n");
                    text.push_str(GOOD);
                    good.push(line + 1);
                    line += 2;
                }
                _ => {
                    text.push_str(GOOD);
                    good.push(line);
                    line += 1;
                }
            }
            text.push_str("\r\n");
        }
        let whole = parse(text.as_bytes());
        assert_eq!(whole.leads.len(), good.len());
        for piece in [1, 7, 4096, 1 << 20] {
            let mut leads = Vec::new();
            let errors = parse_each(
                Trickle {
                    bytes: text.as_bytes(),
                    piece,
                },
                |l, _| leads.push(l),
            );
            let errors: Vec<u64> = errors.iter().map(|e| e.line).collect();
            // Compared whole, reported by the first difference.
            let first_diff = |a: &[u64], b: &[u64]| {
                a.iter()
                    .zip(b)
                    .position(|(x, y)| x != y)
                    .map(|i| (i, a[i], b[i]))
            };
            assert!(
                leads == good,
                "pieces of {piece} bytes: {} leads, {} expected, first difference {:?}",
                leads.len(),
                good.len(),
                first_diff(&leads, &good)
            );
            assert!(
                errors == wrong,
                "pieces of {piece} bytes: {} bad rows, {} expected, first difference {:?}",
                errors.len(),
                wrong.len(),
                first_diff(&errors, &wrong)
            );
        }
    }

    #[test]
    fn a_row_with_broken_text_is_reported_and_reading_goes_on() {
        let mut bytes = file(&[GOOD]);
        bytes.extend(
            b"\nofficer,,e_commerce,320600,,\xff\xfe bad bytes here and more,,,other,,x,y\n",
        );
        bytes.extend(GOOD.as_bytes());
        let parsed = parse(&bytes);
        assert_eq!(parsed.leads.len(), 2);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].line, 3);
    }
}

/// Whether `bytes` look like an XLSX workbook (a zip package) rather than a CSV file.
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Writes the first sheet of an XLSX workbook as the CSV text [`parse_each`] reads: the same
/// header and columns, one row per lead. The sheet is read cell by cell as it is unzipped, so a
/// workbook of any length holds one row (and the workbook's shared strings) at a time. Numbers
/// are written as typed (a region code typed as a number stays `320600`), dates and times as
/// `YYYY-MM-DD HH:MM`; `Err` names why the workbook cannot be read.
pub fn xlsx_to_csv<R, W>(workbook: R, out: W) -> Result<(), String>
where
    R: std::io::Read + std::io::Seek,
    W: std::io::Write,
{
    use calamine::{DataRef, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(workbook)
        .map_err(|e| format!("not a readable workbook: {e}"))?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| "the workbook has no sheet".to_string())?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let mut row: Vec<String> = Vec::new();
    // The row being gathered (cells arrive row by row, left to right; empty ones are absent).
    let mut at: Option<u32> = None;
    let write = |w: &mut csv::Writer<W>, row: &mut Vec<String>| {
        let r = w.write_record(row.iter()).map_err(|e| e.to_string());
        row.clear();
        r
    };
    loop {
        let cell = cells
            .next_cell()
            .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        if at != Some(r) {
            if let Some(prev) = at {
                write(&mut w, &mut row)?;
                // Rows with no cell at all are empty lines (the reader skips them).
                for _ in prev + 1..r {
                    w.write_record([""]).map_err(|e| e.to_string())?;
                }
            }
            at = Some(r);
        }
        let text = match cell.get_value() {
            DataRef::Empty => String::new(),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::SharedString(s) => (*s).to_string(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            DataRef::Float(f) => f.to_string(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(d) => d
                .as_datetime()
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
            DataRef::Error(e) => format!("#{e:?}"),
        };
        let c = c as usize;
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
    }
    if at.is_some() {
        write(&mut w, &mut row)?;
    }
    w.flush().map_err(|e| e.to_string())
}

#[cfg(test)]
mod xlsx_tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused_with_a_reason() {
        assert!(!is_xlsx(b"source,channel\n"));
        assert!(is_xlsx(b"PK\x03\x04garbage"));
        assert!(xlsx_to_csv(std::io::Cursor::new(b"PK\x03\x04garbage"), Vec::new()).is_err());
    }
}
