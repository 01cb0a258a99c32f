//! The office's figures (统计): what each figure counts, as the case-list filters behind it.
//!
//! A figure is never computed on its own: it *is* the number of cases in the list its filters
//! select (`/cases?…`), so that clicking it lands on exactly the cases it counts. Rates divide
//! two such figures; days-to-close figures are percentiles over one such list. All of it is data
//! here, pure and unit-tested; the service counts, the pages draw.

pub mod assessment;
pub mod period;
pub mod rollup;

pub use period::Period;

use chrono::{DateTime, Utc};

/// How a figure is measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// The number of cases in the list of these filters.
    Count(Vec<(&'static str, String)>),
    /// Distinct values of a column (exhibitions, enterprises) among the cases of these filters.
    Distinct(Distinct, Vec<(&'static str, String)>),
    /// `num / (num + other)`, in per cent (none when both are zero): on-time rates.
    Rate {
        num: &'static str,
        other: &'static str,
    },
    /// The `pct`-th percentile of whole days from receipt to closing over the cases of a count
    /// figure.
    Days { of: &'static str, pct: u8 },
}

/// What a distinct figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distinct {
    Exhibition,
    FilerEnterprise,
}

/// One figure: its key (its label is `report.figure.<key>`) and its measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub key: &'static str,
    pub measure: Measure,
}

/// A group of figures (its label is `report.section.<key>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub key: &'static str,
    pub figures: Vec<Figure>,
}

fn count(key: &'static str, filters: &[(&'static str, &str)]) -> Figure {
    Figure {
        key,
        measure: Measure::Count(filters.iter().map(|(k, v)| (*k, v.to_string())).collect()),
    }
}

/// The filters of "received in the period" and of "closed in the period", with `more`.
fn received(p: &Period, more: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("received_from", p.from.to_string()),
        ("received_to", p.to.to_string()),
    ];
    v.extend(more.iter().map(|(k, s)| (*k, s.to_string())));
    v
}

fn closed(p: &Period, more: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("closed_from", p.from.to_string()),
        ("closed_to", p.to.to_string()),
    ];
    v.extend(more.iter().map(|(k, s)| (*k, s.to_string())));
    v
}

fn fig(key: &'static str, filters: Vec<(&'static str, String)>) -> Figure {
    Figure {
        key,
        measure: Measure::Count(filters),
    }
}

const AR: (&str, &str) = ("queue", "administrative_ruling");
const EX: (&str, &str) = ("queue", "exhibition_enforcement");
const OV: (&str, &str) = ("queue", "overseas_assistance");
/// The cases the report's organisation triaged, rather than owns.
const TRIAGED: (&str, &str) = ("org_role", "triaged");

/// The figures of an organisation's own triage work, whoever owns the leads now: shown for
/// assistance centres, which triage the complaints the IP offices of their region own. An IP
/// office's (and a province's) intake figures already count the leads it owns, whoever triaged
/// them.
pub const TRIAGE_WORK: [&str; 4] = [
    "triaged_here",
    "triaged_here_on_time",
    "triaged_here_late",
    "triaged_here_rate",
];

/// Leaves out the figures of triage work (see [`TRIAGE_WORK`]).
pub fn without_triage_work(sections: &mut [Section]) {
    for s in sections {
        s.figures.retain(|f| !TRIAGE_WORK.contains(&f.key));
    }
}

/// The figures of the statistics page for period `p`, as of day `today` (the "now" section:
/// open, overdue, due within seven days).
pub fn sections(p: &Period, due_within: chrono::NaiveDate) -> Vec<Section> {
    vec![
        Section {
            key: "intake",
            figures: vec![
                fig("received", received(p, &[])),
                fig(
                    "received_complaint",
                    received(p, &[("source", "complaint")]),
                ),
                fig("received_officer", received(p, &[("source", "officer")])),
                fig("received_shared", received(p, &[("source", "shared")])),
                fig(
                    "received_ecommerce",
                    received(p, &[("channel", "e_commerce")]),
                ),
                fig(
                    "received_hotline",
                    received(p, &[("source", "hotline_12330")]),
                ),
                fig(
                    "triage_on_time",
                    received(p, &[("clock", "triage.decision"), ("clock_state", "met")]),
                ),
                fig(
                    "triage_late",
                    received(
                        p,
                        &[("clock", "triage.decision"), ("clock_state", "missed")],
                    ),
                ),
                Figure {
                    key: "triage_on_time_rate",
                    measure: Measure::Rate {
                        num: "triage_on_time",
                        other: "triage_late",
                    },
                },
                fig("routed", received(p, &[("routed", "true")])),
                fig("referred", received(p, &[("event", "referred")])),
                fig("rejected", received(p, &[("state", "rejected")])),
                fig("merged", received(p, &[("state", "merged")])),
                fig(
                    "awaiting_triage",
                    received(p, &[("queue", "triage"), ("state", "new")]),
                ),
                // The office's own triage work (a centre's leads move to the IP office they are
                // routed to): the leads it triaged, whoever owns them now.
                fig("triaged_here", received(p, &[TRIAGED])),
                fig(
                    "triaged_here_on_time",
                    received(
                        p,
                        &[
                            TRIAGED,
                            ("clock", "triage.decision"),
                            ("clock_state", "met"),
                        ],
                    ),
                ),
                fig(
                    "triaged_here_late",
                    received(
                        p,
                        &[
                            TRIAGED,
                            ("clock", "triage.decision"),
                            ("clock_state", "missed"),
                        ],
                    ),
                ),
                Figure {
                    key: "triaged_here_rate",
                    measure: Measure::Rate {
                        num: "triaged_here_on_time",
                        other: "triaged_here_late",
                    },
                },
            ],
        },
        Section {
            key: "ruling",
            figures: vec![
                fig("ar_requests", received(p, &[AR])),
                fig("ar_docketed", received(p, &[AR, ("event", "docketed")])),
                fig(
                    "ar_refused",
                    received(p, &[AR, ("event", "docket_refused")]),
                ),
                fig("ar_closed", closed(p, &[AR, ("closed", "true")])),
                fig("ar_ruled", closed(p, &[AR, ("event", "decided")])),
                fig("ar_mediated", closed(p, &[AR, ("state", "mediated")])),
                fig("ar_withdrawn", closed(p, &[AR, ("state", "withdrawn")])),
                fig("ar_revoked", closed(p, &[AR, ("state", "revoked")])),
                fig(
                    "ar_on_time",
                    closed(p, &[AR, ("clock", "ar.closing"), ("clock_state", "met")]),
                ),
                fig(
                    "ar_late",
                    closed(p, &[AR, ("clock", "ar.closing"), ("clock_state", "missed")]),
                ),
                Figure {
                    key: "ar_on_time_rate",
                    measure: Measure::Rate {
                        num: "ar_on_time",
                        other: "ar_late",
                    },
                },
                fig(
                    "ar_extended",
                    received(p, &[AR, ("event", "extension_approved")]),
                ),
                fig(
                    "ar_extended_department_head",
                    received(p, &[AR, ("extension_tier", "department_head")]),
                ),
                fig(
                    "ar_extended_higher_department",
                    received(p, &[AR, ("extension_tier", "higher_department")]),
                ),
                fig(
                    "ar_extended_panel",
                    received(p, &[AR, ("extension_tier", "panel")]),
                ),
                count("ar_suspended_now", &[AR, ("state", "suspended")]),
                fig(
                    "ar_published_on_time",
                    closed(p, &[AR, ("clock", "ar.publish"), ("clock_state", "met")]),
                ),
                fig(
                    "ar_published_late",
                    closed(p, &[AR, ("clock", "ar.publish"), ("clock_state", "missed")]),
                ),
                Figure {
                    key: "ar_days_median",
                    measure: Measure::Days {
                        of: "ar_closed",
                        pct: 50,
                    },
                },
                Figure {
                    key: "ar_days_p90",
                    measure: Measure::Days {
                        of: "ar_closed",
                        pct: 90,
                    },
                },
            ],
        },
        Section {
            key: "exhibition",
            figures: vec![
                fig("ex_complaints", received(p, &[EX])),
                Figure {
                    key: "ex_exhibitions",
                    measure: Measure::Distinct(Distinct::Exhibition, received(p, &[EX])),
                },
                fig(
                    "ex_measures",
                    received(p, &[EX, ("event", "measures_ordered")]),
                ),
                fig(
                    "ex_no_infringement",
                    received(p, &[EX, ("event", "no_infringement_found")]),
                ),
                fig(
                    "ex_decided_at_fair",
                    received(p, &[EX, ("decided_at_fair", "true")]),
                ),
                fig(
                    "ex_transferred",
                    received(p, &[EX, ("event", "transferred_at_close")]),
                ),
                fig("ex_closed", closed(p, &[EX, ("closed", "true")])),
            ],
        },
        Section {
            key: "overseas",
            figures: vec![
                fig("ov_requests", received(p, &[OV])),
                fig("ov_accepted", received(p, &[OV, ("event", "accepted")])),
                fig("ov_declined", received(p, &[OV, ("event", "declined")])),
                fig(
                    "ov_experts",
                    received(p, &[OV, ("event", "expert_assigned")]),
                ),
                fig("ov_closed", closed(p, &[OV, ("closed", "true")])),
            ],
        },
        Section {
            key: "cooperation",
            figures: vec![
                fig("shared", received(p, &[("shared", "true")])),
                fig("referred_out", received(p, &[("event", "referred")])),
                fig("referred_in", received(p, &[("org_role", "referred_to")])),
                fig(
                    "referral_returned",
                    received(p, &[("event", "referral_returned")]),
                ),
                fig(
                    "designated",
                    received(p, &[("event", "jurisdiction_designated")]),
                ),
                fig("cross_region", received(p, &[("cross_region", "true")])),
            ],
        },
        Section {
            key: "srdi",
            figures: vec![
                fig("srdi_cases", received(p, &[("srdi", "true")])),
                Figure {
                    key: "srdi_enterprises",
                    measure: Measure::Distinct(
                        Distinct::FilerEnterprise,
                        received(p, &[("srdi", "true")]),
                    ),
                },
                fig(
                    "srdi_national",
                    received(p, &[("srdi_level", "national_little_giant")]),
                ),
                fig(
                    "srdi_closed",
                    closed(p, &[("srdi", "true"), ("closed", "true")]),
                ),
            ],
        },
        Section {
            key: "now",
            figures: vec![
                count("open", &[("open", "true")]),
                count("overdue", &[("open", "true"), ("overdue", "true")]),
                fig(
                    "due_soon",
                    vec![
                        ("open", "true".into()),
                        ("due_before", due_within.to_string()),
                    ],
                ),
            ],
        },
    ]
}

/// Looks a figure up by key among sections.
pub fn find<'a>(sections: &'a [Section], key: &str) -> Option<&'a Figure> {
    sections
        .iter()
        .flat_map(|s| s.figures.iter())
        .find(|f| f.key == key)
}

/// `num / (num + other)` in per cent, one decimal; none when nothing was measured.
pub fn rate(num: u64, other: u64) -> Option<f64> {
    let den = num + other;
    (den > 0).then(|| (1000.0 * num as f64 / den as f64).round() / 10.0)
}

/// Whole days from receipt to closing of each case.
pub fn days_to_close(spans: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<i64> {
    spans
        .iter()
        .map(|(from, to)| {
            crate::domain::time::day_of(*to)
                .signed_duration_since(crate::domain::time::day_of(*from))
                .num_days()
                .max(0)
        })
        .collect()
}

/// The `pct`-th percentile (nearest rank) of `values`; none of an empty list.
pub fn percentile(mut values: Vec<i64>, pct: u8) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (f64::from(pct.min(100)) / 100.0 * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}

/// What a statistics table may be broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The offices directly below the report's organisation (a province's cities).
    Org,
    Queue,
    Channel,
    Source,
    RightKind,
    SrdiLevel,
    /// The category of an overseas request (US 337, foreign litigation …).
    OverseasCategory,
    /// The country of an overseas request (its rows are the countries of the period's
    /// requests, read by the service).
    OverseasCountry,
}

impl GroupBy {
    pub const ALL: [GroupBy; 8] = [
        Self::Org,
        Self::Queue,
        Self::Channel,
        Self::Source,
        Self::RightKind,
        Self::SrdiLevel,
        Self::OverseasCategory,
        Self::OverseasCountry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Org => "org",
            Self::Queue => "queue",
            Self::Channel => "channel",
            Self::Source => "source",
            Self::RightKind => "right_kind",
            Self::SrdiLevel => "srdi_level",
            Self::OverseasCategory => "overseas_category",
            Self::OverseasCountry => "overseas_country",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The list filter a row of this grouping sets.
    pub fn filter(self) -> &'static str {
        self.as_str()
    }

    /// The rows of an enumerated grouping: value and catalogue key of its label (the `Org`
    /// grouping's rows are the organisations, read by the service).
    pub fn values(self) -> Vec<(String, String)> {
        use crate::domain::case::{Channel, OverseasCategory, Queue, RightKind, Source};
        fn of<T: Copy>(
            all: &[T],
            name: impl Fn(T) -> &'static str,
            prefix: &str,
        ) -> Vec<(String, String)> {
            all.iter()
                .map(|v| (name(*v).to_string(), format!("{prefix}.{}", name(*v))))
                .collect()
        }
        match self {
            Self::Org | Self::OverseasCountry => Vec::new(),
            Self::OverseasCategory => {
                of(OverseasCategory::ALL, |v| v.as_str(), "overseas_category")
            }
            Self::Queue => of(Queue::ALL, |v| v.as_str(), "queue"),
            Self::Channel => of(Channel::ALL, |v| v.as_str(), "channel"),
            Self::Source => of(Source::ALL, |v| v.as_str(), "source"),
            Self::RightKind => of(RightKind::ALL, |v| v.as_str(), "right_kind"),
            Self::SrdiLevel => {
                let mut v = vec![("none".to_string(), "srdi.none".to_string())];
                v.extend(of(
                    &crate::domain::srdi::SrdiLevel::ALL,
                    |l| l.as_str(),
                    "srdi",
                ));
                v
            }
        }
    }
}

/// A breakdown drawn under a section of the statistics: a row per value of a grouping, a column
/// per figure of the section (each cell the figure under the row's filter, linking to its list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub section: &'static str,
    /// Its label is `report.table.<key>`.
    pub key: &'static str,
    pub by: GroupBy,
    pub figures: &'static [&'static str],
}

const OV_TABLE: [&str; 4] = ["ov_requests", "ov_accepted", "ov_experts", "ov_closed"];

/// The breakdowns the statistics always show: overseas requests by category and by country.
pub const TABLES: [Table; 2] = [
    Table {
        section: "overseas",
        key: "ov_by_category",
        by: GroupBy::OverseasCategory,
        figures: &OV_TABLE,
    },
    Table {
        section: "overseas",
        key: "ov_by_country",
        by: GroupBy::OverseasCountry,
        figures: &OV_TABLE,
    },
];

/// The figures a breakdown table shows for each row.
pub const GROUP_FIGURES: [&str; 6] = [
    "received",
    "routed",
    "ar_closed",
    "ar_on_time_rate",
    "open",
    "overdue",
];

#[cfg(test)]
mod tests;
