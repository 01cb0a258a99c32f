//! The office's figures (`/reports`) and its annual 考核 sheet (`/reports/assessment`).
//!
//! Every count is the size of a case list: the figure's filters are turned into the list's own
//! query ([`ListQuery`]) and counted by the list's own code, with the caller's access. A figure
//! and the list it links to therefore always agree. Rates divide two counts; days-to-close are
//! percentiles over one list.

use super::cases::{self as cases_service, ListQuery};
use super::{Ctx, Identity};
use crate::domain::identity::OrgKind;
use crate::domain::report::assessment::{self, Item};
use crate::domain::report::rollup::{self, Counters, Selection};
use crate::domain::report::{self as report, GroupBy, Measure, Period};
use crate::domain::time::{day_of, start_of_day_utc};
use crate::error::{AppError, Result};
use crate::store;
use anyhow::Context as _;
use chrono::Days;
use std::collections::HashMap;

fn groupings() -> utoipa::openapi::schema::Object {
    let names: Vec<&str> = GroupBy::ALL.iter().map(|g| g.as_str()).collect();
    crate::domain::names::names_schema(&names, false)
}

/// What a statistics request asks for.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SummaryQuery {
    /// `2026`, `2026-Q3` or `2026-07`; or `from` and `to` (`YYYY-MM-DD`); default: this year so far.
    #[param(pattern = "^20[0-9]{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")]
    pub period: Option<String>,
    #[param(format = Date)]
    pub from: Option<String>,
    #[param(format = Date)]
    pub to: Option<String>,
    /// The organisation (with the offices below it); default: the caller's own.
    #[param(value_type = Option<i64>)]
    pub org_id: Option<String>,
    /// `org` | `queue` | `channel` | `source` | `right_kind` | `srdi_level`.
    #[param(schema_with = groupings)]
    pub group_by: Option<String>,
    // Filters laid over every figure (the list filters of the same names).
    #[param(value_type = Option<crate::domain::case::Queue>)]
    pub queue: Option<String>,
    /// A region code: cases from it and the places within it.
    #[param(pattern = "^[0-9]{2,6}$")]
    pub region: Option<String>,
    #[param(value_type = Option<crate::domain::case::Channel>)]
    pub channel: Option<String>,
    #[param(value_type = Option<crate::domain::case::RightKind>)]
    pub right_kind: Option<String>,
    #[param(value_type = Option<crate::domain::case::Source>)]
    pub source: Option<String>,
    #[param(schema_with = crate::service::cases::srdi_levels)]
    pub srdi_level: Option<String>,
    /// `csv` | `xlsx`: a download instead of the page.
    #[param(schema_with = crate::service::cases::formats)]
    pub format: Option<String>,
}

/// The filters of [`SummaryQuery`] that narrow every figure.
const NARROWING: [&str; 6] = [
    "queue",
    "region",
    "channel",
    "right_kind",
    "source",
    "srdi_level",
];

impl SummaryQuery {
    fn narrowing(&self) -> Vec<(&'static str, String)> {
        let values = [
            &self.queue,
            &self.region,
            &self.channel,
            &self.right_kind,
            &self.source,
            &self.srdi_level,
        ];
        NARROWING
            .iter()
            .zip(values)
            .filter_map(|(k, v)| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| (*k, s.to_string()))
            })
            .collect()
    }
}

/// One figure as measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FigureValue {
    pub key: &'static str,
    /// `cases` (a list's size), `count` (distinct exhibitions or enterprises), `percent` or `days`.
    pub unit: &'static str,
    /// None: nothing to measure (a rate of no cases, a median of none), or not applicable under
    /// the report's filters.
    pub value: Option<f64>,
    /// The case-list query behind it (`queue=…&received_from=…`), for `/cases?` and
    /// `/api/v1/cases?`.
    pub query: Option<String>,
    /// A figure that is not a case list: the page behind it (`/consultations?from=…`); the
    /// API's list is the same path under `/api/v1`.
    pub link: Option<String>,
}

/// A section of figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SectionValue {
    pub key: &'static str,
    pub figures: Vec<FigureValue>,
}

/// A row of a breakdown table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupRow {
    pub value: String,
    /// Catalogue key of its label, or the organisation's name.
    pub label_key: Option<String>,
    pub name: Option<String>,
    pub figures: Vec<FigureValue>,
}

/// One month of the trend charts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MonthValue {
    pub month: String,
    pub received: u64,
    /// Received per queue (`triage` … `overseas_assistance`).
    pub by_queue: Vec<(String, u64)>,
    pub ar_on_time_rate: Option<f64>,
}

/// The statistics of an organisation for a period.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub org_id: i64,
    pub org_name: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub filters: Vec<(&'static str, String)>,
    pub sections: Vec<SectionValue>,
    pub group_by: Option<&'static str>,
    pub groups: Vec<GroupRow>,
    /// The breakdowns drawn under their sections (`report::TABLES`).
    pub tables: Vec<TableValue>,
    pub months: Vec<MonthValue>,
}

/// A breakdown under a section: overseas requests by category, by country.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TableValue {
    pub section: &'static str,
    pub key: &'static str,
    pub group_by: &'static str,
    pub figures: &'static [&'static str],
    pub rows: Vec<GroupRow>,
}

/// The organisation a report is about: the asked one when in reach (404 otherwise), else the
/// caller's own.
async fn report_org(
    cx: &Ctx,
    me: &Identity,
    asked: Option<&str>,
) -> Result<(i64, String, OrgKind)> {
    let id = match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.parse::<i64>().map_err(|_| AppError::NotFound)?,
        None => me.actor.org_id,
    };
    cases_service::reach(cx, me, id).await?;
    let org = store::orgs::get(cx.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = org.kind.parse().unwrap_or(OrgKind::OtherAgency);
    Ok((id, org.name, kind))
}

/// The organisations whose figures the caller may see: their own, then those they oversee.
pub async fn reachable_orgs(cx: &Ctx, me: &Identity) -> Result<Vec<(i64, String)>> {
    let mut ids = vec![me.actor.org_id];
    ids.extend(me.actor.oversees.iter().copied());
    let found = store::orgs::by_ids(cx.db.conn(), ids.clone()).await?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            found
                .iter()
                .find(|o| o.id == *id)
                .map(|o| (o.id, o.name.clone()))
        })
        .collect())
}

/// An organisation's name (for the words above a list a report links to).
pub async fn org_name(cx: &Ctx, id: i64) -> Result<Option<String>> {
    Ok(store::orgs::get(cx.db.conn(), id).await?.map(|o| o.name))
}

/// The period asked for (422 on a bad one), default this year so far.
pub fn period_of(
    cx: &Ctx,
    q_period: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Period> {
    fn blank(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    let refused = |field: &str, e: report::period::PeriodError| {
        let key = match e {
            report::period::PeriodError::Shape => "error.report.period",
            report::period::PeriodError::Order => "error.period.order",
            report::period::PeriodError::Range => "error.report.range",
        };
        AppError::field(field, key)
    };
    if let Some(p) = blank(q_period) {
        return Period::parse(p).map_err(|e| refused("period", e));
    }
    let today = day_of(cx.now);
    match (blank(from), blank(to)) {
        (None, None) => Ok(Period::year_to_date(today)),
        (f, t) => {
            let from = match f {
                Some(d) => super::calendar::parse_date("from", d)?,
                None => Period::year_to_date(today).from,
            };
            let to = match t {
                Some(d) => super::calendar::parse_date("to", d)?,
                None => today,
            };
            Period::new(from, to).map_err(|e| refused("to", e))
        }
    }
}

/// `base` with `more` laid over it; `None` when both set a key to different values (the figure
/// does not apply under the report's filters).
fn merged(
    base: &[(&'static str, String)],
    more: &[(&'static str, String)],
) -> Option<Vec<(&'static str, String)>> {
    let mut out = base.to_vec();
    for (k, v) in more {
        match out.iter().find(|(bk, _)| bk == k) {
            Some((_, bv)) if bv != v => return None,
            Some(_) => {}
            None => out.push((k, v.clone())),
        }
    }
    Some(out)
}

fn encode(pairs: &[(&'static str, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The list query of `pairs` (the same text the link carries).
fn list_query(pairs: &[(&'static str, String)]) -> Result<ListQuery> {
    serde_urlencoded::from_str(&encode(pairs))
        .map_err(|e| AppError::BadRequest(format!("report filter: {e}")))
}

/// The rollup counters a report reads its figures from, when it can (see [`counters_for`]).
struct Loaded {
    counters: Counters,
    /// The report's organisation and the offices below it.
    owners: Vec<i64>,
    /// The narrowing filter, if any (one at most): its counters' dimension and value.
    dim: Option<(&'static str, String)>,
}

/// Where one measurement reads its counters: which offices, months and dimension value.
struct Rolled<'a> {
    counters: &'a Counters,
    owners: &'a [i64],
    months: (String, String),
    dim: Option<(&'static str, String)>,
}

impl Rolled<'_> {
    fn select<T>(&self, f: impl FnOnce(&Selection<'_>) -> T) -> T {
        let value = self
            .dim
            .as_ref()
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let region = crate::domain::region::covered_prefix(&value)
            .unwrap_or(&value)
            .to_string();
        let is_region = self.dim.as_ref().is_some_and(|(d, _)| *d == "region");
        let test = move |v: &str| {
            if is_region {
                v.starts_with(region.as_str())
            } else {
                v == value
            }
        };
        let sel = Selection {
            owners: self.owners,
            months: self.months.clone(),
            dim: self
                .dim
                .as_ref()
                .map(|(d, _)| (*d, &test as &dyn Fn(&str) -> bool)),
        };
        f(&sel)
    }
}

fn months_of(p: &Period) -> (String, String) {
    (rollup::month(p.from), rollup::month(p.to))
}

/// The counters for a report of `org_id` over `span`, narrowed by `narrowing`, with the extra
/// dimensions `more` (a breakdown): none when the figures must be counted from the lists — the
/// caller does not see every case of the offices (an enterprise, an officer of an office with
/// offices below), the period is not made of whole months, more than one filter narrows, or
/// the rollups are still being built.
async fn counters_for(
    cx: &Ctx,
    me: &Identity,
    org_id: i64,
    narrowing: &[(&'static str, String)],
    more: &[&'static str],
    span: &Period,
) -> Result<Option<Loaded>> {
    let Some(owners) = cases_service::reach(cx, me, org_id).await? else {
        return Ok(None);
    };
    let all_seen = owners
        .iter()
        .all(|o| *o == me.actor.org_id || me.actor.oversees.contains(o));
    if !all_seen
        || narrowing.len() > 1
        || !rollup::whole_months(span, day_of(cx.now))
        || !rollup_ready(&cx.db).await?
    {
        return Ok(None);
    }
    let dim = narrowing.first().cloned();
    let mut dims: Vec<&str> = vec![dim.as_ref().map_or("", |(d, _)| *d)];
    dims.extend(more.iter().copied());
    dims.sort_unstable();
    dims.dedup();
    let (from, to) = months_of(span);
    let rows = store::rollup::read(cx.db.conn(), &owners, &dims, (&from, &to)).await?;
    Ok(Some(Loaded {
        counters: Counters::new(rollup::standard(), rows),
        owners,
        dim,
    }))
}

/// Measures one section list of figures under `base`, from `rolled` counters where they hold
/// the figure, else from the lists.
async fn measure(
    cx: &Ctx,
    me: &Identity,
    base: &[(&'static str, String)],
    sections: &[report::Section],
    only: Option<&[&str]>,
    rolled: Option<&Rolled<'_>>,
) -> Result<HashMap<&'static str, FigureValue>> {
    let kept = |k: &str| rolled.filter(|r| r.counters.has(k));
    let mut out: HashMap<&'static str, FigureValue> = HashMap::new();
    let wanted = |k: &str| only.is_none_or(|o| o.contains(&k));
    // Rates and days need their counts, even when only the rate is asked for.
    let mut needed: Vec<&str> = Vec::new();
    for f in sections.iter().flat_map(|s| s.figures.iter()) {
        if !wanted(f.key) {
            continue;
        }
        match &f.measure {
            Measure::Rate { num, other } => needed.extend([*num, *other]),
            Measure::Days { of, .. } => needed.push(of),
            _ => {}
        }
    }
    for f in sections.iter().flat_map(|s| s.figures.iter()) {
        if !wanted(f.key) && !needed.contains(&f.key) {
            continue;
        }
        let v = match &f.measure {
            Measure::Count(filters) => match merged(base, filters) {
                Some(pairs) => {
                    let n = match kept(f.key) {
                        Some(r) => r.select(|s| r.counters.count(f.key, s)),
                        None => cases_service::count(cx, me, &list_query(&pairs)?).await?,
                    };
                    FigureValue {
                        key: f.key,
                        unit: "cases",
                        value: Some(n as f64),
                        query: Some(encode(&pairs)),
                        link: None,
                    }
                }
                None => FigureValue {
                    key: f.key,
                    unit: "cases",
                    value: None,
                    query: None,
                    link: None,
                },
            },
            Measure::Distinct(what, filters) => match merged(base, filters) {
                Some(pairs) => {
                    let n = match kept(f.key) {
                        Some(r) => r.select(|s| r.counters.distinct(f.key, s)),
                        None => {
                            let q = list_query(&pairs)?;
                            cases_service::count_distinct(cx, me, &q, *what).await?
                        }
                    };
                    FigureValue {
                        key: f.key,
                        unit: "count",
                        value: Some(n as f64),
                        query: Some(encode(&pairs)),
                        link: None,
                    }
                }
                None => FigureValue {
                    key: f.key,
                    unit: "count",
                    value: None,
                    query: None,
                    link: None,
                },
            },
            _ => continue,
        };
        out.insert(f.key, v);
    }
    for f in sections.iter().flat_map(|s| s.figures.iter()) {
        if !wanted(f.key) {
            continue;
        }
        let v = match &f.measure {
            Measure::Rate { num, other } => {
                let (n, o) = (out.get(num), out.get(other));
                let value = match (n.and_then(|n| n.value), o.and_then(|o| o.value)) {
                    (Some(n), Some(o)) => report::rate(n as u64, o as u64),
                    _ => None,
                };
                FigureValue {
                    key: f.key,
                    unit: "percent",
                    value,
                    query: n.and_then(|n| n.query.clone()),
                    link: None,
                }
            }
            Measure::Days { of, pct } => {
                let of = out.get(of).cloned();
                let value = match of.as_ref().and_then(|o| o.query.as_deref()) {
                    Some(_) if kept(of.as_ref().map_or("", |o| o.key)).is_some() => {
                        let r = kept(of.as_ref().map_or("", |o| o.key)).expect("checked");
                        let days =
                            r.select(|s| r.counters.days(of.as_ref().map_or("", |o| o.key), s));
                        report::percentile(days, *pct).map(|d| d as f64)
                    }
                    Some(query) => {
                        let q: ListQuery = serde_urlencoded::from_str(query)
                            .map_err(|e| AppError::BadRequest(e.to_string()))?;
                        let spans = cases_service::spans(cx, me, &q).await?;
                        report::percentile(report::days_to_close(&spans), *pct).map(|d| d as f64)
                    }
                    None => None,
                };
                FigureValue {
                    key: f.key,
                    unit: "days",
                    value,
                    query: of.and_then(|o| o.query),
                    link: None,
                }
            }
            _ => continue,
        };
        out.insert(f.key, v);
    }
    out.retain(|k, _| wanted(k));
    Ok(out)
}

/// The statistics of `q`.
pub async fn summary(cx: &Ctx, me: &Identity, q: &SummaryQuery) -> Result<Summary> {
    let (org_id, org_name, org_kind) = report_org(cx, me, q.org_id.as_deref()).await?;
    let period = period_of(cx, q.period.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let group_by = match q
        .group_by
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(g) => Some(
            GroupBy::parse(g)
                .ok_or_else(|| AppError::field("group_by", "error.report.group_by"))?,
        ),
        None => None,
    };
    let filters = q.narrowing();
    let mut base = vec![("org", org_id.to_string())];
    base.extend(filters.iter().cloned());
    // A bad filter is refused once, up front, by the list's own checks.
    cases_service::check(cx, me, &list_query(&base)?).await?;
    let today = day_of(cx.now);
    let mut sections = report::sections(&period, today + Days::new(7));
    if org_kind != OrgKind::AssistanceCenter {
        report::without_triage_work(&mut sections);
    }
    if me.actor.org_kind == OrgKind::Enterprise {
        // Which offices work a filing with which is theirs to know (a filer sees no shares).
        sections.retain(|s| s.key != "cooperation");
    }
    let mut more = vec![""];
    if filters.is_empty() {
        // The trend's months by queue.
        more.push("queue");
    }
    if let Some(g) = group_by.filter(|g| *g != GroupBy::Org) {
        more.push(g.filter());
    }
    for t in report::TABLES {
        more.push(t.by.filter());
    }
    // The trend reaches back at most a year before the period's end.
    let span = Period {
        from: period.from.min(
            trend_months(&period)
                .first()
                .map_or(period.from, |m| m.from),
        ),
        to: period.to,
    };
    let loaded = counters_for(cx, me, org_id, &filters, &more, &span).await?;
    let rolled = loaded.as_ref().map(|l| Rolled {
        counters: &l.counters,
        owners: &l.owners,
        months: months_of(&period),
        dim: l.dim.clone(),
    });
    let mut values = measure(cx, me, &base, &sections, None, rolled.as_ref()).await?;
    let sections_out = sections
        .iter()
        .map(|s| SectionValue {
            key: s.key,
            figures: s
                .figures
                .iter()
                .filter_map(|f| values.remove(f.key))
                .collect(),
        })
        .collect();
    let at = Breakdown {
        base: &base,
        org_id,
        period: &period,
        sections: &sections,
        loaded: loaded.as_ref(),
    };
    let groups = match group_by {
        Some(g) => breakdown(cx, me, &at, g, &report::GROUP_FIGURES).await?,
        None => Vec::new(),
    };
    let mut tables = Vec::new();
    for t in report::TABLES {
        let rows = breakdown(cx, me, &at, t.by, t.figures).await?;
        tables.push(TableValue {
            section: t.section,
            key: t.key,
            group_by: t.by.as_str(),
            figures: t.figures,
            rows,
        });
    }
    let mut sections_out: Vec<SectionValue> = sections_out;
    if filters.is_empty()
        && org_id == me.actor.org_id
        && let Some(section) = services(cx, me, &period).await?
    {
        sections_out.push(section);
    }
    let months = trend(cx, me, &base, &period, loaded.as_ref()).await?;
    Ok(Summary {
        org_id,
        org_name,
        from: period.from,
        to: period.to,
        filters,
        sections: sections_out,
        group_by: group_by.map(|g| g.as_str()),
        groups,
        tables,
        months,
    })
}

/// What a breakdown is taken under: the report's filters, organisation, period, figures and
/// counters.
struct Breakdown<'a> {
    base: &'a [(&'static str, String)],
    org_id: i64,
    period: &'a Period,
    sections: &'a [report::Section],
    loaded: Option<&'a Loaded>,
}

/// The rows of a breakdown by `g` with `figures` in each: from the counters where a row's can be
/// read from them (an office below, or the grouping's value when no other filter narrows), else
/// from the lists.
async fn breakdown(
    cx: &Ctx,
    me: &Identity,
    at: &Breakdown<'_>,
    g: GroupBy,
    figures: &[&'static str],
) -> Result<Vec<GroupRow>> {
    let (base, period, loaded) = (at.base, at.period, at.loaded);
    let rows: Vec<(String, Option<String>, Option<String>)> = match g {
        GroupBy::Org => store::orgs::children(cx.db.conn(), at.org_id)
            .await?
            .into_iter()
            .filter(|o| o.kind != OrgKind::Enterprise.as_str())
            .map(|o| (o.id.to_string(), None, Some(o.name)))
            .collect(),
        GroupBy::OverseasCountry => countries(cx, me, at, figures)
            .await?
            .into_iter()
            .map(|c| {
                // The countries the catalogue names by name, the others by their code.
                let key = format!("country.{c}");
                (c, crate::i18n::has(&key).then_some(key), None)
            })
            .collect(),
        _ => g
            .values()
            .into_iter()
            .map(|(v, k)| (v, Some(k), None))
            .collect(),
    };
    let mut out = Vec::new();
    for (value, label_key, name) in rows {
        let mut row_base: Vec<(&'static str, String)> = base
            .iter()
            .filter(|(k, _)| *k != g.filter())
            .cloned()
            .collect();
        row_base.push((g.filter(), value.clone()));
        if let Some((_, v)) = base.iter().find(|(k, _)| *k == g.filter())
            && *v != value
        {
            continue;
        }
        let row_owners = match (g, loaded) {
            (GroupBy::Org, Some(_)) => match value.parse::<i64>() {
                Ok(child) => cases_service::reach(cx, me, child).await?,
                Err(_) => None,
            },
            _ => None,
        };
        let row_rolled = match loaded {
            Some(l) if g == GroupBy::Org => row_owners.as_deref().map(|owners| Rolled {
                counters: &l.counters,
                owners,
                months: months_of(period),
                dim: l.dim.clone(),
            }),
            Some(l) if l.dim.as_ref().is_none_or(|(d, _)| *d == g.filter()) => Some(Rolled {
                counters: &l.counters,
                owners: &l.owners,
                months: months_of(period),
                dim: Some((g.filter(), value.clone())),
            }),
            _ => None,
        };
        let mut m = measure(
            cx,
            me,
            &row_base,
            at.sections,
            Some(figures),
            row_rolled.as_ref(),
        )
        .await?;
        out.push(GroupRow {
            value,
            label_key,
            name,
            figures: figures.iter().filter_map(|k| m.remove(k)).collect(),
        });
    }
    if g == GroupBy::OverseasCountry {
        // The countries of the period's figures, not every country a case named (which of them
        // a row is read for differs between the counters and the lists).
        out.retain(|r| r.figures.iter().any(|f| f.value.is_some_and(|v| v > 0.0)));
    }
    Ok(out)
}

/// The countries of the overseas requests a breakdown by country has rows for: those with a
/// count in the report's counters, or those of the requests received or closed in the period
/// in the lists.
async fn countries(
    cx: &Ctx,
    me: &Identity,
    at: &Breakdown<'_>,
    figures: &[&str],
) -> Result<Vec<String>> {
    if let Some(l) = at.loaded {
        return Ok(l.counters.values(
            "overseas_country",
            figures,
            &l.owners,
            &months_of(at.period),
        ));
    }
    let mut found = std::collections::BTreeSet::new();
    for (from, to) in [
        ("received_from", "received_to"),
        ("closed_from", "closed_to"),
    ] {
        let Some(pairs) = merged(
            at.base,
            &[
                (from, at.period.from.to_string()),
                (to, at.period.to.to_string()),
            ],
        ) else {
            continue;
        };
        found.extend(cases_service::overseas_countries(cx, me, &list_query(&pairs)?).await?);
    }
    Ok(found.into_iter().collect())
}

/// The assistance services the caller's own organisation gives over the period (with the
/// workstations of a centre and the offices a head oversees: the scope of the consultation and
/// health-check lists, so that each count equals the list it links to), each figure shown to
/// those who may open its page; none for an enterprise.
async fn services(cx: &Ctx, me: &Identity, period: &Period) -> Result<Option<SectionValue>> {
    use crate::domain::policy::{self, Action};
    use crate::store::consultations::Scope;
    if !policy::can(&me.actor, Action::ViewConsultations) {
        // Nor health checks: the same audience. Funds and campaigns alone are not worth a section.
        return Ok(None);
    }
    let Scope::Orgs(orgs) = super::consultations::scope(&cx.db, me).await? else {
        return Ok(None);
    };
    let c = store::assistance::counts(
        cx.db.conn(),
        &orgs,
        (
            start_of_day_utc(period.from),
            start_of_day_utc(period.to + Days::new(1)),
        ),
        (period.from, period.to),
    )
    .await?;
    let days = format!("from={}&to={}", period.from, period.to);
    let fig = |key: &'static str, unit: &'static str, value: f64, link: String| FigureValue {
        key,
        unit,
        value: Some(value),
        query: None,
        link: Some(link),
    };
    let mut figures = vec![
        fig(
            "consultations",
            "count",
            c.consultations as f64,
            format!("/consultations?{days}"),
        ),
        fig(
            "consultations_answered",
            "count",
            c.consultations_answered as f64,
            format!("/consultations?{days}&status=answered"),
        ),
        fig(
            "consultations_converted",
            "count",
            c.consultations_converted as f64,
            format!("/consultations?{days}&status=converted"),
        ),
        fig(
            "consultation_minutes",
            "minutes",
            c.consultation_minutes as f64,
            format!("/consultations?{days}"),
        ),
        fig(
            "checks_requested",
            "count",
            c.checks_requested as f64,
            format!("/health-checks?{days}"),
        ),
        fig(
            "checks_completed",
            "count",
            c.checks_completed as f64,
            format!("/health-checks?{days}&status=completed"),
        ),
    ];
    if policy::can(&me.actor, Action::ViewFunds) {
        // The fund's books show its figures per year.
        figures.extend([
            fig(
                "fund_applications",
                "count",
                c.fund_applications as f64,
                "/funds".into(),
            ),
            fig(
                "fund_granted",
                "yuan",
                c.fund_granted_fen as f64 / 100.0,
                "/funds".into(),
            ),
            fig(
                "fund_paid",
                "yuan",
                c.fund_paid_fen as f64 / 100.0,
                "/funds".into(),
            ),
        ]);
    }
    if policy::can(&me.actor, Action::ViewCampaigns) {
        figures.push(fig(
            "inspections",
            "count",
            c.inspections as f64,
            "/campaigns".into(),
        ));
    }
    Ok(Some(SectionValue {
        key: "services",
        figures,
    }))
}

/// The months a trend shows: the last twelve of the period at most.
fn trend_months(period: &Period) -> Vec<Period> {
    let months = period.months();
    let skip = months.len().saturating_sub(12);
    months.into_iter().skip(skip).collect()
}

/// Received per month (in all and per queue) and the on-time closing rate per month, over the
/// last twelve months of the period at most: from `loaded` counters when they were read without
/// a narrowing filter and with the queue dimension, else from the lists.
async fn trend(
    cx: &Ctx,
    me: &Identity,
    base: &[(&'static str, String)],
    period: &Period,
    loaded: Option<&Loaded>,
) -> Result<Vec<MonthValue>> {
    let loaded = loaded.filter(|l| l.dim.is_none());
    let mut out = Vec::new();
    for m in trend_months(period) {
        if let Some(l) = loaded {
            let at = |dim: Option<(&'static str, String)>| Rolled {
                counters: &l.counters,
                owners: &l.owners,
                months: months_of(&m),
                dim,
            };
            let by_queue: Vec<(String, u64)> = crate::domain::case::Queue::ALL
                .iter()
                .map(|q| {
                    let r = at(Some(("queue", q.as_str().to_string())));
                    (
                        q.as_str().to_string(),
                        r.select(|s| l.counters.count("received", s)),
                    )
                })
                .filter(|(_, n)| *n > 0)
                .collect();
            let whole = at(None);
            let rate = report::rate(
                whole.select(|s| l.counters.count("ar_on_time", s)),
                whole.select(|s| l.counters.count("ar_late", s)),
            );
            out.push(MonthValue {
                month: m.month_label(),
                received: by_queue.iter().map(|(_, n)| n).sum(),
                by_queue,
                ar_on_time_rate: rate,
            });
            continue;
        }
        let Some(pairs) = merged(
            base,
            &[
                ("received_from", m.from.to_string()),
                ("received_to", m.to.to_string()),
            ],
        ) else {
            continue;
        };
        let by_queue =
            cases_service::count_by(cx, me, &list_query(&pairs)?, cases_service::CountBy::Queue)
                .await?;
        let received = by_queue.iter().map(|(_, n)| n).sum();
        let s = report::sections(&m, m.to);
        let rate = measure(cx, me, base, &s, Some(&["ar_on_time_rate"]), None)
            .await?
            .remove("ar_on_time_rate")
            .and_then(|f| f.value);
        out.push(MonthValue {
            month: m.month_label(),
            received,
            by_queue,
            ar_on_time_rate: rate,
        });
    }
    Ok(out)
}

/// The last `n` months (this one included) of the caller's organisation, for the dashboard's
/// trend chart: received per month by queue, and the on-time closing rate.
pub async fn recent_months(cx: &Ctx, me: &Identity, n: u32) -> Result<Vec<MonthValue>> {
    let today = day_of(cx.now);
    let first = chrono::NaiveDate::from_ymd_opt(
        chrono::Datelike::year(&today),
        chrono::Datelike::month(&today),
        1,
    )
    .and_then(|d| d.checked_sub_months(chrono::Months::new(n.saturating_sub(1))))
    .unwrap_or(today);
    let period = Period {
        from: first,
        to: today,
    };
    let base = vec![("org", me.actor.org_id.to_string())];
    let loaded = counters_for(cx, me, me.actor.org_id, &[], &["", "queue"], &period).await?;
    trend(cx, me, &base, &period, loaded.as_ref()).await
}

/// One row of the 考核 sheet.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AssessmentRow {
    pub key: String,
    pub name: String,
    pub name_en: String,
    pub unit: &'static str,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub growth: Option<f64>,
    pub weight: f64,
    pub score: Option<f64>,
    /// The case-list queries behind the value.
    pub queries: Vec<String>,
}

/// The 考核 sheet of an organisation for a year.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Assessment {
    pub org_id: i64,
    pub org_name: String,
    pub year: i32,
    pub rows: Vec<AssessmentRow>,
    pub total: f64,
    pub weight: f64,
}

/// The assessment items of `config` (the shipped table with the province's overlay).
pub fn assessment_items(config: &crate::config::Config) -> anyhow::Result<Vec<Item>> {
    let overlay = match config
        .assessment_rules
        .as_ref()
        .filter(|p| !p.as_os_str().is_empty())
    {
        Some(path) => Some(std::fs::read_to_string(path).with_context(|| {
            format!("cannot read the assessment items file {}", path.display())
        })?),
        None => None,
    };
    let today = day_of(super::now());
    let sections = report::sections(&Period::year_to_date(today), today);
    assessment::load(overlay.as_deref(), &sections).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The 考核 sheet of `year` (default: this year) for an organisation in reach.
pub async fn assessment(
    cx: &Ctx,
    me: &Identity,
    items: &[Item],
    year: Option<&str>,
    org: Option<&str>,
) -> Result<Assessment> {
    let (org_id, org_name, _) = report_org(cx, me, org).await?;
    let this_year = chrono::Datelike::year(&day_of(cx.now));
    let year = match year.map(str::trim).filter(|s| !s.is_empty()) {
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=this_year).contains(y))
            .ok_or_else(|| AppError::field("year", "error.report.year"))?,
        None => this_year,
    };
    let period = Period::year(year).ok_or_else(|| AppError::field("year", "error.report.year"))?;
    let base = vec![("org", org_id.to_string())];
    let wanted: Vec<&str> = items
        .iter()
        .flat_map(|i| {
            i.figures
                .iter()
                .map(String::as_str)
                .chain(i.rate.as_deref())
        })
        .collect();
    let now_sections = report::sections(&period, period.to);
    let before_sections = report::sections(&period.year_before(), period.to);
    let previous = period.year_before();
    let span = Period {
        from: previous.from,
        to: period.to,
    };
    let loaded = counters_for(cx, me, org_id, &[], &[""], &span).await?;
    let at = |p: &Period| {
        loaded.as_ref().map(|l| Rolled {
            counters: &l.counters,
            owners: &l.owners,
            months: months_of(p),
            dim: None,
        })
    };
    let now = measure(
        cx,
        me,
        &base,
        &now_sections,
        Some(&wanted),
        at(&period).as_ref(),
    )
    .await?;
    let before = measure(
        cx,
        me,
        &base,
        &before_sections,
        Some(&wanted),
        at(&previous).as_ref(),
    )
    .await?;
    let value_of = |m: &HashMap<&'static str, FigureValue>, i: &Item| -> Option<f64> {
        match &i.rate {
            Some(r) => m.get(r.as_str()).and_then(|f| f.value),
            None => i
                .figures
                .iter()
                .map(|f| m.get(f.as_str()).and_then(|f| f.value))
                .sum::<Option<f64>>(),
        }
    };
    let mut rows = Vec::new();
    for i in items {
        let value = value_of(&now, i);
        let previous = value_of(&before, i);
        let keys: Vec<&str> = match &i.rate {
            Some(r) => vec![r.as_str()],
            None => i.figures.iter().map(String::as_str).collect(),
        };
        rows.push(AssessmentRow {
            key: i.key.clone(),
            name: i.name.clone(),
            name_en: i.name_en.clone(),
            unit: if i.rate.is_some() { "percent" } else { "cases" },
            value,
            previous,
            growth: assessment::growth(value, previous),
            weight: i.weight,
            score: assessment::score(i, value),
            queries: keys
                .iter()
                .filter_map(|k| now.get(k).and_then(|f| f.query.clone()))
                .collect(),
        });
    }
    let total = (rows.iter().filter_map(|r| r.score).sum::<f64>() * 10.0).round() / 10.0;
    let weight = items.iter().map(|i| i.weight).sum();
    Ok(Assessment {
        org_id,
        org_name,
        year,
        rows,
        total,
        weight,
    })
}

/// Rebuilds the statistics' rollups from the cases (`weiquan reports rebuild`, and at start-up
/// when the figures' definitions changed): empties them, counts every case again in batches,
/// then marks them complete. Writes meanwhile keep them right; reports count from the lists
/// until the rebuild is done. `progress(done, total)` after each batch.
pub async fn rebuild_rollup(
    db: &store::Db,
    now: chrono::DateTime<chrono::Utc>,
    mut progress: impl FnMut(usize, usize),
) -> Result<usize> {
    // One rebuild at a time in this process: a second one (another region changed meanwhile)
    // waits, then counts everything again; it never empties the counters under a rebuild that
    // would then mark them built.
    static REBUILDING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one = REBUILDING.lock().await;
    let defs = rollup::standard();
    let txn = db.begin_write().await?;
    store::rollup::clear(&txn).await?;
    txn.commit().await?;
    let ids = store::cases::all_ids(db.conn()).await?;
    let total = ids.len();
    let mut done = 0;
    for chunk in ids.chunks(1000) {
        let txn = db.begin_write().await?;
        store::rollup::refresh(&txn, defs, chunk).await?;
        txn.commit().await?;
        done += chunk.len();
        progress(done, total);
    }
    let txn = db.begin_write().await?;
    store::rollup::mark_built(&txn, &rollup::fingerprint(defs), now).await?;
    txn.commit().await?;
    Ok(total)
}

/// Whether the rollups are complete for this version's figures.
pub async fn rollup_ready(db: &store::Db) -> Result<bool> {
    let want = rollup::fingerprint(rollup::standard());
    Ok(store::rollup::built_for(db.conn()).await?.as_deref() == Some(want.as_str()))
}

/// Up to how many cases the rollups are rebuilt at once at start-up rather than in the
/// background.
pub const INLINE_REBUILD: u64 = 50_000;

/// Up to how many cases the rollups are rebuilt within an administrator's request (a few
/// seconds at most) rather than in the background.
pub const INLINE_REBUILD_IN_REQUEST: u64 = 5_000;

/// Rebuilds the rollups at start-up when they were built for other figures (or never): at once
/// for up to `inline` cases, otherwise in the background while the service answers (reports
/// count from the lists until it is done).
pub async fn ensure_rollup(db: &store::Db, inline: u64) -> Result<()> {
    if rollup_ready(db).await? {
        return Ok(());
    }
    if store::cases::count(db.conn()).await? <= inline {
        rebuild_rollup(db, super::now(), |_, _| {}).await?;
        return Ok(());
    }
    let db = db.clone();
    tokio::spawn(async move {
        tracing::info!("rebuilding the statistics' rollups in the background");
        match rebuild_rollup(&db, super::now(), |_, _| {}).await {
            Ok(n) => tracing::info!(cases = n, "statistics' rollups rebuilt"),
            Err(e) => tracing::error!(error = %e, "rebuilding the statistics' rollups failed"),
        }
    });
    Ok(())
}

/// Compares every stored counter with a count made now from the cases (`weiquan reports
/// check`), and what each case was last counted as with its facts now; returns how many
/// counters were compared and the differences, in words.
pub async fn check_rollup(db: &store::Db) -> Result<(usize, Vec<String>)> {
    let defs = rollup::standard();
    let mut want: HashMap<(i64, String, String, String, String, i64), i64> = HashMap::new();
    let mut differences = Vec::new();
    // Cases counted otherwise than their facts now say: the first few in words.
    const NAMED: usize = 20;
    let mut cases_differ = 0;
    for chunk in store::cases::all_ids(db.conn()).await?.chunks(500) {
        let now = store::rollup::facts_of(db.conn(), chunk).await?;
        let remembered = store::rollup::remembered(db.conn(), chunk).await?;
        for id in chunk {
            if now.get(id) != remembered.get(id) {
                cases_differ += 1;
                if cases_differ <= NAMED {
                    differences.push(format!(
                        "case {id}: counted as {:?}, its facts now {:?}",
                        remembered.get(id),
                        now.get(id)
                    ));
                }
            }
        }
        for f in now.values() {
            for k in rollup::keys(defs, f) {
                *want
                    .entry((
                        k.org,
                        k.dim.to_string(),
                        k.bucket,
                        k.figure.to_string(),
                        k.value,
                        k.item,
                    ))
                    .or_default() += 1;
            }
        }
    }
    let stored = store::rollup::all(db.conn()).await?;
    let compared = stored.len().max(want.len());
    for c in stored {
        let key = (c.org, c.dim, c.bucket, c.figure, c.value, c.item);
        let expected = want.remove(&key).unwrap_or(0);
        if expected != c.n {
            differences.push(format!("{key:?}: stored {}, counted {expected}", c.n));
        }
    }
    for (key, n) in want {
        differences.push(format!("{key:?}: stored 0, counted {n}"));
    }
    differences.sort();
    if cases_differ > NAMED {
        differences.push(format!(
            "… {} more cases counted otherwise than their facts now",
            cases_differ - NAMED
        ));
    }
    Ok((compared, differences))
}
