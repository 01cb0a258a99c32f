//! Downloads of lists: a case list as CSV (UTF-8 with a byte-order mark, so that Excel reads the
//! Chinese right), streamed from one query as it is read so that a list of any length is sent in flat memory,
//! with the same filters and the same access as the page or API list it comes from.

use crate::domain::identity::OrgKind;
use crate::error::{AppError, Result};
use crate::http::present::local;
use crate::http::xlsx::{Book, Cell};
use crate::i18n::{self, Lang};
use crate::service::case::view::CaseSummary;
use crate::service::cases::{self as cases_service, ListQuery};
use crate::service::{Ctx, Identity};
use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;

/// The columns: catalogue key of the header, and whether an enterprise sees it.
const COLUMNS: [(&str, bool); 10] = [
    ("case.col.number", true),
    ("case.col.title", true),
    ("case.col.queue", true),
    ("case.col.state", true),
    ("region.label", true),
    ("case.field.source", true),
    ("case.field.channel", true),
    ("case.col.received", true),
    ("case.col.deadline", false),
    ("export.col.srdi", false),
];

fn csv_line(fields: &[String]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(fields);
    w.into_inner().unwrap_or_default()
}

/// A cell as CSV text (times in Beijing time, per cents with their sign).
fn text(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
        Cell::Number(n) => n.to_string(),
        Cell::Percent(n) => format!("{n:.1}%"),
        Cell::Date(d) => d.to_string(),
        Cell::Time(t) => local(*t),
        Cell::Empty => String::new(),
    }
}

/// A CSV line of cells.
pub fn csv_cells(cells: &[Cell]) -> Vec<u8> {
    csv_line(&cells.iter().map(text).collect::<Vec<_>>())
}

/// A whole small table (a report) as a CSV download: UTF-8 with a byte-order mark.
pub fn csv_table(header: &[String], rows: &[Vec<Cell>], filename: &str) -> Response {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend(csv_line(header));
    for r in rows {
        out.extend(csv_cells(r));
    }
    crate::http::xlsx::attachment(Body::from(out), "text/csv; charset=utf-8", filename)
}

/// A whole small table (a report) as an XLSX download.
pub fn xlsx_table(
    sheet: &str,
    header: &[String],
    rows: &[Vec<Cell>],
    filename: &str,
) -> Result<Response> {
    let mut book = Book::new(sheet, header)?;
    for r in rows {
        book.push(r)?;
    }
    Ok(book.into_response(filename))
}

fn row(lang: Lang, c: &CaseSummary, filer: bool) -> Vec<Cell> {
    let t = |k: String| Cell::Text(i18n::t(lang, &k));
    let mut out = vec![
        Cell::Text(c.number.clone()),
        Cell::Text(c.title.clone()),
        t(format!("queue.{}", c.queue.as_str())),
        t(c.state.key()),
        Cell::Text(
            crate::domain::region::full_name(&c.region_code)
                .unwrap_or_else(|| c.region_code.clone()),
        ),
        t(format!("source.{}", c.source.as_str())),
        t(format!("channel.{}", c.channel.as_str())),
        Cell::Time(c.received_at),
    ];
    if !filer {
        out.push(c.next_due_at.map_or(Cell::Empty, Cell::Time));
        out.push(
            c.srdi
                .map_or(Cell::Empty, |l| t(format!("srdi.{}", l.as_str()))),
        );
    }
    out
}

fn header(lang: Lang, filer: bool) -> Vec<String> {
    COLUMNS
        .iter()
        .filter(|(_, public)| *public || !filer)
        .map(|(k, _)| i18n::t(lang, k))
        .collect()
}

/// The case list of `q` as an XLSX download: read batch by batch into a constant-memory sheet.
/// Bad filters answer 422 before anything is sent.
pub async fn cases_xlsx(cx: Ctx, me: Identity, q: ListQuery, lang: Lang) -> Result<Response> {
    let filer = me.actor.org_kind == OrgKind::Enterprise;
    use futures::StreamExt;
    let mut book = Book::new(&i18n::t(lang, "nav.cases"), &header(lang, filer))?;
    let mut rows = cases_service::stream(&cx, &me, &q).await?;
    while let Some(c) = rows.next().await {
        book.push(&row(lang, &c?, filer))?;
    }
    Ok(book.into_response("weiquan-cases.xlsx"))
}

/// The case list of `q` as a CSV download, streamed from one query as it is read. Bad filters
/// answer 422 before anything is sent.
pub async fn cases_csv(cx: Ctx, me: Identity, q: ListQuery, lang: Lang) -> Result<Response> {
    use futures::StreamExt;
    cases_service::check(&cx, &me, &q).await?;
    let filer = me.actor.org_kind == OrgKind::Enterprise;
    let (tx, rx) = tokio::sync::mpsc::channel::<std::result::Result<Bytes, std::io::Error>>(8);
    tokio::spawn(async move {
        let mut buf = b"\xEF\xBB\xBF".to_vec();
        buf.extend(csv_line(&header(lang, filer)));
        let mut rows = match cases_service::stream(&cx, &me, &q).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "case export stopped");
                let _ = tx.send(Err(std::io::Error::other("export stopped"))).await;
                return;
            }
        };
        while let Some(r) = rows.next().await {
            match r {
                Ok(c) => {
                    buf.extend(csv_cells(&row(lang, &c, filer)));
                    if buf.len() >= 64 * 1024
                        && tx
                            .send(Ok(Bytes::from(std::mem::take(&mut buf))))
                            .await
                            .is_err()
                    {
                        // The download was abandoned.
                        return;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "case export stopped");
                    let _ = tx.send(Err(std::io::Error::other("export stopped"))).await;
                    return;
                }
            }
        }
        if !buf.is_empty() {
            let _ = tx.send(Ok(Bytes::from(buf))).await;
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok(crate::http::xlsx::attachment(
        Body::from_stream(stream),
        "text/csv; charset=utf-8",
        "weiquan-cases.csv",
    ))
}

/// A download being written row by row, as CSV or as XLSX, in flat memory: CSV lines go to an
/// unnamed temporary file that is then streamed; XLSX rows to a constant-memory sheet.
pub enum Sink {
    Csv(std::io::BufWriter<std::fs::File>),
    Xlsx(Box<Book>),
}

impl Sink {
    /// A download of `format` (`csv` or `xlsx`; anything else is a field error).
    pub fn new(format: &str, sheet: &str, header: &[String]) -> Result<Self> {
        match format {
            "csv" => {
                let file = tempfile::tempfile()
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("export file: {e}")))?;
                let mut w = std::io::BufWriter::new(file);
                let mut head = b"\xEF\xBB\xBF".to_vec();
                head.extend(csv_line(header));
                std::io::Write::write_all(&mut w, &head)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("export file: {e}")))?;
                Ok(Self::Csv(w))
            }
            "xlsx" => Ok(Self::Xlsx(Box::new(Book::new(sheet, header)?))),
            _ => Err(AppError::field("format", "error.format")),
        }
    }

    pub fn push(&mut self, cells: &[Cell]) -> Result<()> {
        match self {
            Self::Csv(w) => std::io::Write::write_all(w, &csv_cells(cells))
                .map_err(|e| AppError::Internal(anyhow::anyhow!("export file: {e}"))),
            Self::Xlsx(b) => b.push(cells),
        }
    }

    /// The download, named `stem` plus the format's extension.
    pub fn finish(self, stem: &str) -> Result<Response> {
        match self {
            Self::Csv(w) => {
                let mut file = w
                    .into_inner()
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("export file: {e}")))?;
                std::io::Seek::rewind(&mut file)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("export file: {e}")))?;
                let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
                Ok(crate::http::xlsx::attachment(
                    Body::from_stream(stream),
                    "text/csv; charset=utf-8",
                    &format!("{stem}.csv"),
                ))
            }
            Self::Xlsx(b) => Ok(b.into_response(&format!("{stem}.xlsx"))),
        }
    }
}

/// A hit's snippet as plain text (its matches unmarked, its entities decoded).
fn snippet_text(html: &str) -> String {
    html.replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The hits of a search as CSV or XLSX, in the order asked for, page by page (at most the
/// deepest page a search serves, [`crate::service::search::MAX_OFFSET`] hits on).
pub async fn search_download(
    cx: &Ctx,
    index: &std::sync::Arc<crate::search::index::SearchIndex>,
    me: &Identity,
    params: &crate::service::search::Params,
    lang: Lang,
) -> Result<Response> {
    use crate::service::search;
    let format = params.format.clone().unwrap_or_default();
    let header: Vec<String> = [
        "case.col.number",
        "case.col.title",
        "case.col.queue",
        "case.col.state",
        "search.snippet",
    ]
    .iter()
    .map(|k| i18n::t(lang, k))
    .collect();
    let mut p = params.clone();
    p.limit = Some("100".into());
    p.cursor = None;
    // The first page checks the request before anything is written.
    let mut req = search::request(me, &p)?;
    let mut sink = Sink::new(&format, &i18n::t(lang, "nav.search"), &header)?;
    loop {
        let r = search::search(&cx.db, index, me, req.clone(), cx.now).await?;
        for h in &r.hits {
            sink.push(&[
                Cell::Text(h.number.clone()),
                Cell::Text(h.title.clone()),
                Cell::Text(i18n::t(lang, &format!("queue.{}", h.queue))),
                Cell::Text(i18n::t(lang, &format!("case_state.{}", h.state))),
                Cell::Text(snippet_text(&h.snippet)),
            ])?;
        }
        match search::next_cursor(&req, r.total) {
            Some(c) if !r.hits.is_empty() => {
                p.cursor = Some(c);
                match search::request(me, &p) {
                    Ok(next) => req = next,
                    // Past the deepest page a search serves.
                    Err(_) => break,
                }
            }
            _ => break,
        }
    }
    sink.finish("weiquan-search")
}
