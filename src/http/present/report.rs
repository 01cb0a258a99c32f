//! The statistics and the 考核 sheet as JSON, as page data and as table rows for CSV and Excel.

use crate::http::api::model;
use crate::http::xlsx::Cell;
use crate::i18n::{self, Lang};
use crate::service::reports::{Assessment, FigureValue, Summary};
use serde_json::{Value, json};

fn label(lang: Lang, key: &str) -> String {
    i18n::t(lang, &format!("report.figure.{key}"))
}

/// A figure's value as JSON: whole numbers for counts and days, one decimal for per cents.
fn number(unit: &str, v: Option<f64>) -> Value {
    match v {
        None => Value::Null,
        Some(v) if unit == "percent" => json!(v),
        Some(v) if unit == "yuan" => json!((v * 100.0).round() / 100.0),
        Some(v) => json!(v.round() as i64),
    }
}

/// A figure's value in words (`92.5%`, `12`, `—`).
pub fn shown(lang: Lang, unit: &str, v: Option<f64>) -> String {
    match v {
        None => i18n::t(lang, "report.none"),
        Some(v) if unit == "percent" => format!("{v:.1}%"),
        // Amounts to the fen, minutes as counted: with their unit.
        Some(v) if unit == "yuan" => format!("{v:.2} {}", i18n::t(lang, "report.unit.yuan")),
        Some(v) if unit == "minutes" => {
            format!("{:.0} {}", v.round(), i18n::t(lang, "report.unit.minutes"))
        }
        Some(v) => format!("{:.0}", v.round()),
    }
}

fn figure_json(lang: Lang, f: &FigureValue) -> model::ReportFigure {
    model::ReportFigure {
        key: f.key.to_string(),
        label: label(lang, f.key),
        unit: f.unit.to_string(),
        value: number(f.unit, f.value),
        applicable: f.query.is_some() || f.link.is_some(),
        list: match (&f.query, &f.link) {
            (Some(q), _) => Some(format!("/api/v1/cases?{q}")),
            (None, l) => l.as_ref().map(|l| format!("/api/v1{l}")),
        },
        page: match (&f.query, &f.link) {
            (Some(q), _) => Some(format!("/cases?{q}")),
            (None, l) => l.clone(),
        },
        shown: shown(lang, f.unit, f.value),
        days: f.unit == "days" && f.value.is_some(),
    }
}

fn group_label(lang: Lang, g: &crate::service::reports::GroupRow) -> String {
    match (&g.name, &g.label_key) {
        (Some(n), _) => n.clone(),
        (None, Some(k)) => i18n::t(lang, k),
        (None, None) => g.value.clone(),
    }
}

fn columns(lang: Lang, figures: &[&str]) -> Vec<model::ReportColumn> {
    figures
        .iter()
        .map(|k| model::ReportColumn {
            key: k.to_string(),
            label: label(lang, k),
        })
        .collect()
}

fn group_json(lang: Lang, g: &crate::service::reports::GroupRow) -> model::ReportGroup {
    model::ReportGroup {
        value: g.value.clone(),
        label: group_label(lang, g),
        figures: g.figures.iter().map(|f| figure_json(lang, f)).collect(),
    }
}

/// `GET /api/v1/reports/summary` (and the page's data).
pub fn summary_json(lang: Lang, s: &Summary) -> model::ReportSummary {
    model::ReportSummary {
        org: model::ReportOrg {
            id: s.org_id,
            name: s.org_name.clone(),
        },
        from: s.from.to_string(),
        to: s.to.to_string(),
        filters: Value::Object(
            s.filters
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect(),
        ),
        sections: s
            .sections
            .iter()
            .map(|sec| model::ReportSection {
                key: sec.key.to_string(),
                label: i18n::t(lang, &format!("report.section.{}", sec.key)),
                figures: sec.figures.iter().map(|f| figure_json(lang, f)).collect(),
                tables: s
                    .tables
                    .iter()
                    .filter(|t| t.section == sec.key)
                    .map(|t| model::ReportTable {
                        key: t.key.to_string(),
                        label: i18n::t(lang, &format!("report.table.{}", t.key)),
                        group_by: t.group_by.to_string(),
                        columns: columns(lang, t.figures),
                        rows: t.rows.iter().map(|g| group_json(lang, g)).collect(),
                    })
                    .collect(),
            })
            .collect(),
        group_by: s.group_by.map(str::to_string),
        group_columns: columns(lang, &crate::domain::report::GROUP_FIGURES),
        groups: s.groups.iter().map(|g| group_json(lang, g)).collect(),
        months: s
            .months
            .iter()
            .map(|m| model::ReportMonth {
                month: m.month.clone(),
                received: m.received,
                by_queue: Value::Object(
                    m.by_queue
                        .iter()
                        .map(|(q, n)| (q.clone(), json!(n)))
                        .collect(),
                ),
                ar_on_time_rate: m.ar_on_time_rate,
            })
            .collect(),
    }
}

/// The statistics as a table: section, figure, value, unit (then the breakdown, one row per
/// group and figure).
pub fn summary_table(lang: Lang, s: &Summary) -> (Vec<String>, Vec<Vec<Cell>>) {
    let header = [
        "report.col.section",
        "report.col.figure",
        "report.col.value",
        "report.col.unit",
    ]
    .iter()
    .map(|k| i18n::t(lang, k))
    .collect();
    let value = |f: &FigureValue| match (f.unit, f.value) {
        (_, None) => Cell::Empty,
        ("percent", Some(v)) => Cell::Percent(v),
        ("yuan", Some(v)) => Cell::Number((v * 100.0).round() / 100.0),
        (_, Some(v)) => Cell::Number(v.round()),
    };
    let unit = |f: &FigureValue| Cell::Text(i18n::t(lang, &format!("report.unit.{}", f.unit)));
    let mut rows = Vec::new();
    // A row per figure, named by where it stands.
    let mut add = |name: &str, figures: &[FigureValue]| {
        for f in figures {
            rows.push(vec![
                Cell::Text(name.to_string()),
                Cell::Text(label(lang, f.key)),
                value(f),
                unit(f),
            ]);
        }
    };
    for sec in &s.sections {
        add(
            &i18n::t(lang, &format!("report.section.{}", sec.key)),
            &sec.figures,
        );
    }
    for t in &s.tables {
        let section = i18n::t(lang, &format!("report.section.{}", t.section));
        let table = i18n::t(lang, &format!("report.table.{}", t.key));
        for g in &t.rows {
            add(
                &format!("{section} · {table} · {}", group_label(lang, g)),
                &g.figures,
            );
        }
    }
    for g in &s.groups {
        let breakdown = i18n::t(lang, "report.breakdown");
        add(
            &format!("{breakdown} · {}", group_label(lang, g)),
            &g.figures,
        );
    }
    (header, rows)
}

fn item_name(lang: Lang, name: &str, name_en: &str) -> String {
    match lang {
        Lang::Zh => name.to_string(),
        Lang::En => name_en.to_string(),
    }
}

/// `GET /api/v1/reports/assessment` (and the page's data).
pub fn assessment_json(lang: Lang, a: &Assessment) -> model::AssessmentSheet {
    model::AssessmentSheet {
        org: model::ReportOrg {
            id: a.org_id,
            name: a.org_name.clone(),
        },
        year: a.year,
        items: a
            .rows
            .iter()
            .map(|r| model::AssessmentItem {
                key: r.key.clone(),
                label: item_name(lang, &r.name, &r.name_en),
                unit: r.unit.to_string(),
                value: number(r.unit, r.value),
                previous: number(r.unit, r.previous),
                growth: r.growth,
                score: r.score,
                weight: r.weight,
                cases: r.queries.first().map(|q| format!("/api/v1/cases?{q}")),
                lists: r
                    .queries
                    .iter()
                    .map(|q| model::CaseLists {
                        list: format!("/api/v1/cases?{q}"),
                        page: format!("/cases?{q}"),
                    })
                    .collect(),
                shown: shown(lang, r.unit, r.value),
                previous_shown: shown(lang, r.unit, r.previous),
                growth_shown: r.growth.map(|g| format!("{g:+.1}%")),
                score_shown: r
                    .score
                    .map_or_else(|| i18n::t(lang, "report.none"), |s| format!("{s}")),
            })
            .collect(),
        total: a.total,
        weight: a.weight,
    }
}

/// The 考核 sheet as a table.
pub fn assessment_table(lang: Lang, a: &Assessment) -> (Vec<String>, Vec<Vec<Cell>>) {
    let header = [
        "assessment.col.item",
        "assessment.col.value",
        "assessment.col.previous",
        "assessment.col.growth",
        "assessment.col.weight",
        "assessment.col.score",
    ]
    .iter()
    .map(|k| i18n::t(lang, k))
    .collect();
    let v = |unit: &str, x: Option<f64>| match x {
        None => Cell::Empty,
        Some(x) if unit == "percent" => Cell::Percent(x),
        Some(x) => Cell::Number(x.round()),
    };
    let mut rows: Vec<Vec<Cell>> = a
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(item_name(lang, &r.name, &r.name_en)),
                v(r.unit, r.value),
                v(r.unit, r.previous),
                r.growth.map_or(Cell::Empty, Cell::Percent),
                Cell::Number(r.weight),
                r.score.map_or(Cell::Empty, Cell::Number),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::Text(i18n::t(lang, "assessment.total")),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Number(a.weight),
        Cell::Number(a.total),
    ]);
    (header, rows)
}
