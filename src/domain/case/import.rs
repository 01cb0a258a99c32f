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

/// Counts lines up to a byte offset, moving forward only (so a whole file costs one pass).
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    /// The line of the first byte at or after `start` that is not a line break.
    fn at(&mut self, start: usize) -> u64 {
        let mut start = start.min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        while self.pos < start {
            match self.bytes[self.pos] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(self.pos + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            self.pos += 1;
        }
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
pub fn parse_each(bytes: &[u8], mut lead: impl FnMut(u64, ValidCase)) -> Vec<RowError> {
    let mut out = Parsed::default();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
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
    let mut lines = Lines {
        bytes,
        pos: 0,
        line: 1,
    };
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
                let get = |i: usize| -> String {
                    idx[i].and_then(|j| record.get(j)).unwrap_or("").to_string()
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

/// The first sheet of an XLSX workbook as the CSV text [`parse_each`] reads: the same header and
/// columns, one row per lead. Numbers are written as typed (a region code typed as a number
/// stays `320600`), dates and times as `YYYY-MM-DD HH:MM`; `Err` names why the workbook cannot
/// be read.
pub fn xlsx_to_csv(bytes: &[u8]) -> Result<Vec<u8>, String> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable workbook: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "the workbook has no sheet".to_string())?
        .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in range.rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => d
                    .as_datetime()
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            })
            .collect();
        w.write_record(&cells).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod xlsx_tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused_with_a_reason() {
        assert!(!is_xlsx(b"source,channel\n"));
        assert!(is_xlsx(b"PK\x03\x04garbage"));
        assert!(xlsx_to_csv(b"PK\x03\x04garbage").is_err());
    }
}
