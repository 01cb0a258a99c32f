//! Charts drawn on the server as SVG: no JavaScript, printable, and readable by a screen reader
//! (each chart is an image named by its `<title>` and described by its `<desc>`; the page puts
//! its data beside it as a table). Every text that goes into the SVG is escaped here.

use crate::search::escape as esc;
use std::fmt::Write as _;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 56.0;

/// Colours of the series, in order (distinguishable in grey too).
const PALETTE: [&str; 6] = [
    "#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#7f8c8d", "#c0392b",
];

/// A round maximum for the axis at or above `max` (1, 2, 5 × 10ⁿ).
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 5.0, 10.0] {
        if step * mag >= max {
            return step * mag;
        }
    }
    10.0 * mag
}

fn open(id: &str, title: &str, desc: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    s
}

fn axes(s: &mut String, max: f64, labels: &[String], suffix: &str) {
    let plot_h = HEIGHT - TOP - BOTTOM;
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = TOP + plot_h - plot_h * f64::from(i) / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#555">{}{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 4.0,
            y + 3.0,
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            },
            esc(suffix)
        );
    }
    let n = labels.len().max(1) as f64;
    let slot = (WIDTH - LEFT - RIGHT) / n;
    // At most twelve labels fit; thin them out beyond that.
    let every = (labels.len() / 12).max(1);
    for (i, l) in labels.iter().enumerate() {
        if i % every != 0 {
            continue;
        }
        let x = LEFT + slot * (i as f64 + 0.5);
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#333">{}</text>"##,
            HEIGHT - BOTTOM + 14.0,
            esc(l)
        );
    }
}

fn legend(s: &mut String, names: &[&str]) {
    let mut x = LEFT;
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#333">{}</text>"##,
            HEIGHT - 22.0,
            PALETTE[i % PALETTE.len()],
            x + 14.0,
            HEIGHT - 13.0,
            esc(name)
        );
        x += 18.0 + 11.0 * name.chars().count() as f64;
    }
}

/// Stacked bars: one bar per label, one segment per series.
pub fn stacked_bars(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    series: &[(String, Vec<f64>)],
) -> String {
    let mut s = open(id, title, desc);
    let totals: Vec<f64> = (0..labels.len())
        .map(|i| {
            series
                .iter()
                .map(|(_, v)| v.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    axes(&mut s, max, labels, "");
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    let bar = (slot * 0.6).max(2.0);
    for i in 0..labels.len() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut base = TOP + plot_h;
        for (k, (_, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let h = plot_h * v / max;
            base -= h;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{base:.1}" width="{bar:.1}" height="{h:.1}" fill="{}"/>"#,
                PALETTE[k % PALETTE.len()]
            );
        }
    }
    let names: Vec<&str> = series.iter().map(|(n, _)| n.as_str()).collect();
    legend(&mut s, &names);
    s.push_str("</svg>");
    s
}

/// A line of per-cent values (0–100); a month without a value leaves a gap.
pub fn percent_line(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    values: &[Option<f64>],
) -> String {
    let mut s = open(id, title, desc);
    axes(&mut s, 100.0, labels, "%");
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    let mut path = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        let x = LEFT + slot * (i as f64 + 0.5);
        match v {
            Some(v) => {
                let y = TOP + plot_h - plot_h * v.clamp(0.0, 100.0) / 100.0;
                let _ = write!(path, "{}{x:.1} {y:.1} ", if pen_down { "L" } else { "M" });
                let _ = write!(
                    s,
                    r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{}"/>"#,
                    PALETTE[0]
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !path.is_empty() {
        let _ = write!(
            s,
            r#"<path d="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            path.trim_end(),
            PALETTE[0]
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_a_named_described_image_with_its_text_escaped() {
        let svg = stacked_bars(
            "c1",
            "每月收到线索 <b>",
            "按案件类型",
            &["2026-01".into(), "2026-02".into()],
            &[
                ("行政裁决".into(), vec![3.0, 0.0]),
                ("展会".into(), vec![1.0, 2.0]),
            ],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-labelledby="c1-t c1-d""#));
        assert!(svg.contains("<title id=\"c1-t\">每月收到线索 &lt;b&gt;</title>"));
        assert!(!svg.contains("<b>"));
        // Three non-empty segments: 3 and 1 in January, 2 in February.
        assert_eq!(svg.matches("<rect x=").count() - 2, 3);
    }

    #[test]
    fn a_month_without_a_rate_breaks_the_line() {
        let svg = percent_line(
            "c2",
            "按时率",
            "d",
            &["1".into(), "2".into(), "3".into()],
            &[Some(100.0), None, Some(50.0)],
        );
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches('M').count(), 2);
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(13.0), 20.0);
        assert_eq!(nice_max(420.0), 500.0);
    }
}
