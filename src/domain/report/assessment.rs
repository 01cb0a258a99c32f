//! The 考核 sheet: the annual assessment items of an enforcement office, as data (a shipped
//! TOML table and a province overlay), and how an item scores. Values come from the figures of
//! the statistics ([`super::sections`]), so each item links to the cases behind it.

use super::{Measure, Section, find};
use serde::Deserialize;

/// The shipped items.
pub const SHIPPED: &str = include_str!("assessment-items.toml");

/// One assessment item.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub key: String,
    pub name: String,
    pub name_en: String,
    /// Count figures added up (empty for a rate item).
    #[serde(default)]
    pub figures: Vec<String>,
    /// A rate figure (instead of `figures`).
    #[serde(default)]
    pub rate: Option<String>,
    pub weight: f64,
    /// The value that earns the whole weight (count items scored linearly).
    #[serde(default)]
    pub target: Option<f64>,
    /// `[at least, share of the weight]`, highest first.
    #[serde(default)]
    pub bands: Vec<(f64, f64)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    item: Vec<Item>,
}

/// A refused items file, with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemsError(pub String);

impl std::fmt::Display for ItemsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The items of the shipped table with `overlay` (a province's file) laid over it, checked
/// against the statistics' figures.
pub fn load(overlay: Option<&str>, sections: &[Section]) -> Result<Vec<Item>, ItemsError> {
    let parse = |text: &str, what: &str| {
        toml::from_str::<File>(text)
            .map(|f| f.item)
            .map_err(|e| ItemsError(format!("{what}: {e}")))
    };
    let mut items = parse(SHIPPED, "shipped assessment items")?;
    if let Some(text) = overlay {
        for item in parse(text, "assessment overlay")? {
            match items.iter_mut().find(|i| i.key == item.key) {
                Some(slot) => *slot = item,
                None => items.push(item),
            }
        }
    }
    items.retain(|i| i.weight > 0.0);
    for i in &items {
        check(i, sections)?;
    }
    Ok(items)
}

fn check(i: &Item, sections: &[Section]) -> Result<(), ItemsError> {
    let err = |m: &str| Err(ItemsError(format!("item {}: {m}", i.key)));
    if !(0.0..=100.0).contains(&i.weight) {
        return err("weight must be between 0 and 100");
    }
    match (&i.rate, i.figures.is_empty()) {
        (Some(rate), true) => {
            if !matches!(
                find(sections, rate).map(|f| &f.measure),
                Some(Measure::Rate { .. })
            ) {
                return err(&format!("{rate} is not a rate of the statistics"));
            }
        }
        (None, false) => {
            for f in &i.figures {
                if !matches!(
                    find(sections, f).map(|f| &f.measure),
                    Some(Measure::Count(_))
                ) {
                    return err(&format!("{f} is not a count of the statistics"));
                }
            }
        }
        _ => return err("give either figures or one rate"),
    }
    if i.target.is_none() && i.bands.is_empty() {
        return err("give a target or score bands");
    }
    if i.target.is_some_and(|t| t <= 0.0) {
        return err("the target must be above zero");
    }
    if i.bands
        .iter()
        .any(|(_, share)| !(0.0..=1.0).contains(share))
        || i.bands.windows(2).any(|w| w[0].0 < w[1].0)
    {
        return err("bands go from the highest threshold down, with shares between 0 and 1");
    }
    Ok(())
}

/// The score an item earns for `value` (none when there is nothing to score, e.g. a rate of no
/// cases), to one decimal.
pub fn score(item: &Item, value: Option<f64>) -> Option<f64> {
    let v = value?;
    let share = if !item.bands.is_empty() {
        item.bands
            .iter()
            .find(|(at_least, _)| v >= *at_least)
            .map_or(0.0, |(_, share)| *share)
    } else {
        (v / item.target.unwrap_or(1.0)).clamp(0.0, 1.0)
    };
    Some((item.weight * share * 10.0).round() / 10.0)
}

/// Growth against the previous year's value, in per cent, one decimal (none from zero).
pub fn growth(value: Option<f64>, previous: Option<f64>) -> Option<f64> {
    match (value, previous) {
        (Some(v), Some(p)) if p > 0.0 => Some(((v - p) / p * 1000.0).round() / 10.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::{Period, sections};

    fn figs() -> Vec<Section> {
        sections(
            &Period::parse("2026").unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
        )
    }

    #[test]
    fn the_shipped_items_load_and_weigh_one_hundred() {
        let items = load(None, &figs()).unwrap();
        assert_eq!(items.iter().map(|i| i.weight).sum::<f64>(), 100.0);
        assert!(items.iter().any(|i| i.key == "on_time"));
    }

    #[test]
    fn an_overlay_replaces_adds_and_drops_items() {
        let overlay = r#"
[[item]]
key = "disputes"
name = "纠纷案件受理量"
name_en = "Disputes"
figures = ["ar_requests"]
weight = 25
target = 50

[[item]]
key = "cooperation"
name = "x"
name_en = "x"
figures = ["shared"]
weight = 0
target = 1

[[item]]
key = "srdi"
name = "服务专精特新企业案件"
name_en = "Cases of SRDI enterprises"
figures = ["srdi_cases"]
weight = 5
target = 10
"#;
        let items = load(Some(overlay), &figs()).unwrap();
        let d = items.iter().find(|i| i.key == "disputes").unwrap();
        assert_eq!((d.weight, d.target), (25.0, Some(50.0)));
        assert!(items.iter().all(|i| i.key != "cooperation"));
        assert!(items.iter().any(|i| i.key == "srdi"));
    }

    #[test]
    fn an_item_naming_what_the_statistics_do_not_have_is_refused() {
        let bad = r#"
[[item]]
key = "x"
name = "x"
name_en = "x"
figures = ["ar_on_time_rate"]
weight = 5
target = 1
"#;
        let e = load(Some(bad), &figs()).unwrap_err();
        assert!(e.0.contains("not a count"), "{e}");
        assert!(load(Some("[[item]]\nkey = 1"), &figs()).is_err());
    }

    #[test]
    fn items_score_by_target_or_by_band() {
        let items = load(None, &figs()).unwrap();
        let disputes = items.iter().find(|i| i.key == "disputes").unwrap();
        assert_eq!(score(disputes, Some(15.0)), Some(10.0));
        assert_eq!(score(disputes, Some(300.0)), Some(20.0));
        let on_time = items.iter().find(|i| i.key == "on_time").unwrap();
        assert_eq!(score(on_time, Some(96.0)), Some(20.0));
        assert_eq!(score(on_time, Some(92.5)), Some(16.0));
        assert_eq!(score(on_time, Some(50.0)), Some(0.0));
        assert_eq!(score(on_time, None), None);
        assert_eq!(growth(Some(12.0), Some(10.0)), Some(20.0));
        assert_eq!(growth(Some(3.0), Some(0.0)), None);
    }
}
