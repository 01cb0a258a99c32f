//! Reading a registry file: UTF-8 CSV with a header row, one enterprise per row; good rows become
//! entries and each bad row is reported with its line number.

use super::{Entry, RawEntry, validate};

/// One bad row of an imported file: its line number (the header is line 1), the field, and the
/// catalogue key of the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub field: &'static str,
    pub key: &'static str,
}

/// A file read row by row: the good entries with their line numbers, and every bad row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFile {
    pub entries: Vec<(u64, Entry)>,
    pub errors: Vec<RowError>,
}

/// The columns, in the order of the template file, with the Chinese headers also accepted.
const COLUMNS: [(&str, &[&str]); 5] = [
    ("uscc", &["统一社会信用代码", "信用代码"]),
    ("name", &["企业名称", "名称"]),
    ("level", &["级别"]),
    ("year", &["年度", "年份"]),
    ("source", &["来源", "名单"]),
];

/// The line number (from 1) of a record that starts at byte `start`. The reader's own line count
/// is off after blank lines and CRLF endings, so lines are counted here: a record starts at its
/// first byte that is not a line break, and a line break is LF, CRLF or a lone CR.
fn line_at(bytes: &[u8], start: usize) -> u64 {
    let mut start = start.min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    let before = &bytes[..start];
    let breaks = before
        .iter()
        .enumerate()
        .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && before.get(i + 1) != Some(&b'\n')))
        .count();
    breaks as u64 + 1
}

/// Finds each column's position from the header row.
fn header_positions(header: &[String]) -> Option<[usize; 5]> {
    let mut positions = [0usize; 5];
    for (slot, (name, aliases)) in positions.iter_mut().zip(COLUMNS) {
        *slot = header.iter().position(|h| {
            let h = h.trim();
            h.eq_ignore_ascii_case(name) || aliases.contains(&h)
        })?;
    }
    Some(positions)
}

/// Reads a registry file: UTF-8 CSV (a byte-order mark is allowed), a header row naming the
/// columns `uscc,name,level,year,source` (any order; Chinese headers work too), one enterprise per
/// row. Empty rows are skipped. Each bad row is reported with its first invalid field; the good
/// rows are returned for import.
pub fn parse_csv(bytes: &[u8], current_year: i32) -> ParsedFile {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut out = ParsedFile::default();
    let mut positions: Option<[usize; 5]> = None;
    let mut width = 0;
    for record in reader.byte_records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(0, |p| line_at(bytes, p.byte() as usize));
                out.errors.push(RowError {
                    line,
                    field: "row",
                    key: "srdi_registry.error.unreadable",
                });
                // The reader cannot go on after a broken record.
                break;
            }
        };
        let line = record
            .position()
            .map_or(0, |p| line_at(bytes, p.byte() as usize));
        let Ok(fields) = record
            .iter()
            .map(|f| {
                // Format characters (bidi controls) never reach a stored name.
                std::str::from_utf8(f).map(|t| crate::domain::text::without_format(t).into_owned())
            })
            .collect::<Result<Vec<String>, _>>()
        else {
            out.errors.push(RowError {
                line,
                field: "row",
                key: "srdi_registry.error.encoding",
            });
            if positions.is_none() {
                return out;
            }
            continue;
        };
        if fields.iter().all(String::is_empty) {
            continue;
        }
        let Some(pos) = positions else {
            match header_positions(&fields) {
                Some(p) => {
                    positions = Some(p);
                    width = fields.len();
                    continue;
                }
                None => {
                    out.errors.push(RowError {
                        line,
                        field: "header",
                        key: "srdi_registry.error.header",
                    });
                    return out;
                }
            }
        };
        if fields.len() != width {
            out.errors.push(RowError {
                line,
                field: "row",
                key: "srdi_registry.error.columns",
            });
            continue;
        }
        let raw = RawEntry {
            uscc: &fields[pos[0]],
            name: &fields[pos[1]],
            level: &fields[pos[2]],
            year: &fields[pos[3]],
            source: &fields[pos[4]],
        };
        match validate(&raw, current_year) {
            Ok(entry) => out.entries.push((line, entry)),
            Err(problems) => {
                let first = problems[0];
                out.errors.push(RowError {
                    line,
                    field: first.field,
                    key: first.key,
                });
            }
        }
    }
    if positions.is_none() && out.errors.is_empty() {
        out.errors.push(RowError {
            line: 1,
            field: "header",
            key: "srdi_registry.error.header",
        });
    } else if out.entries.is_empty() && out.errors.is_empty() {
        out.errors.push(RowError {
            line: 2,
            field: "row",
            key: "srdi_registry.error.empty",
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::uscc::complete;

    fn code(body: &str) -> String {
        complete(body).unwrap().as_str().to_string()
    }

    #[test]
    fn a_file_with_one_bad_row_reports_its_line_and_keeps_the_rest() {
        let a = code("91320600MA1N2HX3Q");
        let b = code("91320612MA1P8HE6K");
        let bad = format!("{}0", &a[..17]);
        let bad = if bad == a {
            format!("{}1", &a[..17])
        } else {
            bad
        };
        let text = format!(
            "\u{feff}uscc,name,level,year,source\r\n\
             {a},南通华信精密机械有限公司,国家级小巨人,2024,\"工信部第六批名单, 2024\"\r\n\
             \r\n\
             {bad},坏行公司,省级专精特新,2025,江苏省名单\n\
             {b},江苏海晟新材料科技有限公司,provincial_srdi,2025,江苏省2025年度专精特新中小企业名单\n\
             ,,,,\n\
             {b},海晟,省级专精特新,2025\n"
        );
        let parsed = parse_csv(text.as_bytes(), 2026);
        let lines: Vec<u64> = parsed.entries.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 5]);
        assert_eq!(parsed.entries[0].1.source, "工信部第六批名单, 2024");
        assert_eq!(
            parsed.errors,
            [
                RowError {
                    line: 4,
                    field: "uscc",
                    key: "error.uscc.check"
                },
                RowError {
                    line: 7,
                    field: "row",
                    key: "srdi_registry.error.columns"
                }
            ]
        );
    }

    #[test]
    fn chinese_headers_in_any_order_are_understood() {
        let a = code("91320600MA1N2HX3Q");
        let text = format!(
            "年度,级别,企业名称,统一社会信用代码,来源\n2024,小巨人,华信精密,{a},工信部名单\n"
        );
        let parsed = parse_csv(text.as_bytes(), 2026);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.entries[0].1.name, "华信精密");
        assert_eq!(parsed.entries[0].1.uscc.as_str(), a);
    }

    #[test]
    fn a_missing_header_or_an_empty_file_is_one_error() {
        let a = code("91320600MA1N2HX3Q");
        let no_header = format!("{a},华信精密,小巨人,2024,工信部名单\n");
        for (text, expected) in [
            (no_header.as_str(), ("header", "srdi_registry.error.header")),
            ("", ("header", "srdi_registry.error.header")),
            (
                "uscc,name,level,year,source\n",
                ("row", "srdi_registry.error.empty"),
            ),
        ] {
            let parsed = parse_csv(text.as_bytes(), 2026);
            assert!(parsed.entries.is_empty());
            assert_eq!(parsed.errors.len(), 1, "{text}");
            assert_eq!((parsed.errors[0].field, parsed.errors[0].key), expected);
        }
    }

    #[test]
    fn line_numbers_count_blank_lines_and_every_kind_of_line_break() {
        let text = b"\n\nh\r\na,\"b\nc\"\r\n\r\nd\re\n";
        let starts = [2, 5, 14, 18];
        let lines: Vec<u64> = starts.iter().map(|s| line_at(text, *s)).collect();
        assert_eq!(lines, [3, 4, 7, 8]);
        // A record reported at the line break that ends the previous one still gets its own line.
        assert_eq!(line_at(text, 3), 4);
    }

    #[test]
    fn a_row_that_is_not_utf8_is_reported_on_its_line() {
        let a = code("91320600MA1N2HX3Q");
        let mut bytes = b"uscc,name,level,year,source\n".to_vec();
        // "华信" in GBK, as older spreadsheets save it.
        bytes.extend_from_slice(format!("{a},").as_bytes());
        bytes.extend_from_slice(&[0xBB, 0xAA, 0xD0, 0xC5]);
        bytes.extend_from_slice(",小巨人,2024,工信部名单\n".as_bytes());
        bytes.extend_from_slice(format!("{a},华信精密,省级专精特新,2024,江苏省名单\n").as_bytes());
        let parsed = parse_csv(&bytes, 2026);
        assert_eq!(parsed.entries.len(), 1);
        assert_eq!(
            parsed.errors,
            [RowError {
                line: 2,
                field: "row",
                key: "srdi_registry.error.encoding"
            }]
        );
    }
}
