//! Excel workbooks (XLSX) of lists and reports: typed cells (numbers, dates and times in Beijing
//! time), a bold frozen header row with a filter. The sheet is kept in rust_xlsxwriter's
//! constant-memory mode (each row goes to a temporary file as it is written), and the finished
//! file is sent through a channel while it is zipped, so a workbook of any length is built and
//! sent in flat memory.

use crate::domain::time::in_beijing;
use crate::error::{AppError, Result};
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One typed cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// Shown with one decimal and a per-cent sign (the value is in per cent, e.g. 92.5).
    Percent(f64),
    Date(NaiveDate),
    /// Written in Beijing time.
    Time(DateTime<Utc>),
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

fn failed(e: XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("workbook: {e}"))
}

/// A workbook of one sheet being filled.
pub struct Book {
    wb: Workbook,
    row: u32,
    columns: u16,
    date: Format,
    time: Format,
    percent: Format,
}

impl Book {
    /// A workbook whose sheet is `name` with the header row `header`.
    pub fn new(name: &str, header: &[String]) -> Result<Self> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        {
            let sheet = wb.add_worksheet_with_constant_memory().map_err(failed)?;
            // Sheet names hold at most 31 characters and none of []:*?/\ .
            let safe: String = name
                .chars()
                .filter(|c| !"[]:*?/\\".contains(*c))
                .take(31)
                .collect();
            sheet.set_name(safe).map_err(failed)?;
            for (i, h) in header.iter().enumerate() {
                sheet
                    .write_string_with_format(0, i as u16, h, &bold)
                    .map_err(failed)?;
                sheet
                    .set_column_width(i as u16, (h.chars().count() as f64 * 2.2).max(12.0))
                    .map_err(failed)?;
            }
            sheet.set_freeze_panes(1, 0).map_err(failed)?;
        }
        Ok(Self {
            wb,
            row: 1,
            columns: header.len() as u16,
            date: Format::new().set_num_format("yyyy-mm-dd"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            percent: Format::new().set_num_format("0.0\"%\""),
        })
    }

    /// Appends a row.
    pub fn push(&mut self, cells: &[Cell]) -> Result<()> {
        let row = self.row;
        let sheet = self.wb.worksheet_from_index(0).map_err(failed)?;
        for (i, c) in cells.iter().enumerate() {
            let col = i as u16;
            match c {
                Cell::Text(s) => {
                    // A formula-looking text stays text (no formula injection in Excel).
                    sheet.write_string(row, col, s).map_err(failed)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(row, col, *n).map_err(failed)?;
                }
                Cell::Percent(n) => {
                    sheet
                        .write_number_with_format(row, col, *n, &self.percent)
                        .map_err(failed)?;
                }
                Cell::Date(d) => {
                    sheet
                        .write_datetime_with_format(row, col, *d, &self.date)
                        .map_err(failed)?;
                }
                Cell::Time(t) => {
                    sheet
                        .write_datetime_with_format(
                            row,
                            col,
                            in_beijing(*t).naive_local(),
                            &self.time,
                        )
                        .map_err(failed)?;
                }
                Cell::Empty => {}
            }
        }
        self.row += 1;
        Ok(())
    }

    /// Rows written so far (the header excluded).
    pub fn rows(&self) -> u32 {
        self.row - 1
    }

    /// Finishes the sheet (a filter on the header row) and zips the workbook into `out`.
    pub fn save<W: std::io::Write + Send>(mut self, out: W) -> Result<()> {
        if self.columns > 0 {
            let last = self.row.saturating_sub(1).max(1);
            let sheet = self.wb.worksheet_from_index(0).map_err(failed)?;
            sheet
                .autofilter(0, 0, last, self.columns - 1)
                .map_err(failed)?;
        }
        self.wb.save_to_writer(out).map_err(failed)
    }

    /// The workbook as a download named `filename`, zipped on a blocking thread while it is
    /// sent.
    pub fn into_response(self, filename: &str) -> Response {
        let (tx, rx) = tokio::sync::mpsc::channel::<std::result::Result<Bytes, std::io::Error>>(8);
        tokio::task::spawn_blocking(move || {
            let writer = ChannelWriter { tx: tx.clone() };
            if let Err(e) = self.save(writer) {
                tracing::warn!(error = %e, "workbook export stopped");
                let _ = tx.blocking_send(Err(std::io::Error::other("workbook export stopped")));
            }
        });
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        attachment(
            Body::from_stream(stream),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename,
        )
    }
}

/// A download response.
pub fn attachment(body: Body, content_type: &'static str, filename: &str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let ascii: String = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Bytes written to it go to the response body, in chunks of 64 KiB.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<std::result::Result<Bytes, std::io::Error>>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(64 * 1024);
        self.tx
            .blocking_send(Ok(Bytes::copy_from_slice(&buf[..n])))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "download closed"))?;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_holds_its_header_and_typed_rows() {
        let mut b = Book::new("案件/列表", &["编号".into(), "数量".into(), "收到".into()]).unwrap();
        b.push(&[
            Cell::Text("=HYPERLINK(\"x\")".into()),
            Cell::Number(3.0),
            Cell::Date(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()),
        ])
        .unwrap();
        assert_eq!(b.rows(), 1);
        let mut out = Vec::new();
        b.save(&mut out).unwrap();
        // A zip (the OOXML package) that a reader opens is checked in the API tests.
        assert_eq!(&out[..2], b"PK");
    }
}
