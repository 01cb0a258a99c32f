//! Reading cases: one case as its reader may see it, its timeline, and the lists of what one may
//! see (most urgent first).

use super::case::view::{
    CaseRef, CaseSummary, CaseView, ClockView, EventView, OrgRef, PartyView, RightView, ShareView,
};
use super::case::visible;
use super::{Ctx, Identity};
use crate::domain::case::{
    CaseState, Channel, EventKind, OverseasCategory, Queue, RightKind, Source,
};
use crate::domain::identity::OrgKind;
use crate::domain::srdi::SrdiLevel;
use crate::domain::time::{end_of_day_utc, start_of_day_utc};
use crate::error::{AppError, Result};
use crate::store::{self, Db};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A case with its parties, rights, shares and clocks, as `me` may see it.
pub async fn detail(db: &Db, me: &Identity, id: i64) -> Result<CaseView> {
    let v = visible(db, me, id).await?;
    let conn = db.conn();
    let c = v.case();
    let filer = v.is_filer();
    let parties = store::case_parts::parties(conn, id).await?;
    let rights = store::case_parts::rights(conn, id).await?;
    let shares = if filer {
        Vec::new()
    } else {
        store::case_parts::active_shares(conn, id).await?
    };
    let clocks = store::case_log::clocks(conn, id).await?;
    let mut org_ids: Vec<i64> = shares.iter().map(|s| s.org_id).collect();
    org_ids.push(c.owner_org_id);
    org_ids.extend(c.referred_to_org_id);
    let orgs = store::orgs::by_ids(conn, org_ids).await?;
    let org = |id: i64| {
        orgs.iter().find(|o| o.id == id).map(|o| OrgRef {
            id: o.id,
            name: o.name.clone(),
            kind: o.kind.parse().unwrap_or(OrgKind::OtherAgency),
        })
    };
    let merged_into = match c.merged_into_case_id {
        Some(m) => store::cases::find(conn, m).await?.map(|m| CaseRef {
            id: m.id,
            number: m.number,
        }),
        None => None,
    };
    Ok(CaseView {
        summary: CaseSummary::from(c),
        access: v.access(),
        description: c.description.clone(),
        standing: c.standing,
        exhibition: c.facts.exhibition.clone(),
        overseas: c.facts.overseas.clone(),
        owner: org(c.owner_org_id),
        referred_to: c.referred_to_org_id.and_then(org),
        merged_into,
        parties: parties.into_iter().map(PartyView::from).collect(),
        rights: rights.into_iter().map(RightView::from).collect(),
        shares: shares
            .into_iter()
            .map(|s| ShareView {
                org: org(s.org_id).map(|o| o.name),
                org_id: s.org_id,
                access: s.access,
                origin: s.origin,
                granted_at: s.granted_at,
            })
            .collect(),
        clocks: clocks
            .into_iter()
            .map(ClockView::from)
            .filter(|k| !filer || k.public())
            .collect(),
    })
}

/// Whether `me` may still see case `id` (after a step that may have moved it out of sight).
pub async fn is_visible(db: &Db, me: &Identity, id: i64) -> Result<bool> {
    match visible(db, me, id).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether `me` may work on case `id` (not only read it).
pub async fn works_on(db: &Db, me: &Identity, id: i64) -> Result<bool> {
    match visible(db, me, id).await {
        Ok(v) => Ok(v.access() >= crate::domain::policy::CaseAccess::Contribute),
        Err(AppError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The timeline, with the names of who recorded each event; the filing enterprise sees the
/// public events only.
pub async fn events(db: &Db, me: &Identity, id: i64) -> Result<Vec<EventView>> {
    let v = visible(db, me, id).await?;
    let rows = store::case_log::events(db.conn(), id, v.is_filer()).await?;
    let mut ids: Vec<i64> = rows.iter().filter_map(|e| e.actor_user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = store::users::names(db.conn(), ids).await?;
    Ok(rows.into_iter().map(|e| EventView::of(e, &names)).collect())
}

/// `json`, `csv` or `xlsx`: the download formats of lists and reports.
pub fn formats() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&["json", "csv", "xlsx"], false)
}

/// `owner`, `referred_to`, `triaged`.
pub fn org_roles() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&ORG_ROLES.map(|(n, _)| n), false)
}

/// The names of the `org_role` filter.
const ORG_ROLES: [(&str, store::cases::OrgRole); 3] = [
    ("owner", store::cases::OrgRole::Owner),
    ("referred_to", store::cases::OrgRole::ReferredTo),
    ("triaged", store::cases::OrgRole::Triaged),
];

/// `none`, `provincial_srdi`, `national_little_giant`.
pub fn srdi_levels() -> utoipa::openapi::schema::Object {
    let mut names = vec!["none"];
    names.extend(crate::domain::srdi::SrdiLevel::ALL.map(|l| l.as_str()));
    crate::domain::names::names_schema(&names, false)
}

/// `me`.
pub fn me() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&["me"], false)
}

fn mine() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&["mine"], false)
}

/// Filters of a case list, as asked.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    #[param(value_type = Option<crate::domain::case::Queue>)]
    pub queue: Option<String>,
    #[param(value_type = Option<crate::domain::case::CaseState>)]
    pub state: Option<String>,
    /// `YYYY-MM-DD`: cases with a clock due before the end of that day (Beijing time).
    #[param(format = Date)]
    pub due_before: Option<String>,
    pub overdue: Option<bool>,
    /// `me`: cases assigned to the caller.
    #[param(schema_with = me)]
    pub assignee: Option<String>,
    /// `mine`: cases the caller's organisation owns.
    #[param(schema_with = mine)]
    pub owner: Option<String>,
    /// Open cases only.
    pub open: Option<bool>,
    /// `csv` | `xlsx`: the whole list as a download instead of a page (the other filters apply).
    #[param(schema_with = formats)]
    pub format: Option<String>,
    /// 专精特新 enterprises' cases only.
    pub srdi: Option<bool>,
    /// Cases per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// An organisation's id: the cases of it and of the offices below it (404 outside the
    /// caller's reach). The reports' figures link to lists by the filters below.
    #[param(value_type = Option<i64>)]
    pub org: Option<String>,
    /// How the cases relate to `org`: `owner` (the default: owned by it or an office below
    /// it), `referred_to` (referred or transferred to one of them) or `triaged` (one of them
    /// triaged it: routed, referred, rejected or merged it). Needs `org`.
    #[param(schema_with = org_roles)]
    pub org_role: Option<String>,
    /// `YYYY-MM-DD`, inclusive (Beijing days): received in this period.
    #[param(format = Date)]
    pub received_from: Option<String>,
    #[param(format = Date)]
    pub received_to: Option<String>,
    /// `YYYY-MM-DD`, inclusive: closed in this period.
    #[param(format = Date)]
    pub closed_from: Option<String>,
    #[param(format = Date)]
    pub closed_to: Option<String>,
    /// `true` closed cases only, `false` open ones only.
    pub closed: Option<bool>,
    #[param(value_type = Option<crate::domain::case::Source>)]
    pub source: Option<String>,
    #[param(value_type = Option<crate::domain::case::Channel>)]
    pub channel: Option<String>,
    /// A region code (行政区划代码): cases from it and the places within it.
    #[param(pattern = "^[0-9]{2,6}$")]
    pub region: Option<String>,
    #[param(value_type = Option<crate::domain::case::RightKind>)]
    pub right_kind: Option<String>,
    /// `none` | `provincial_srdi` | `national_little_giant`.
    #[param(schema_with = srdi_levels)]
    pub srdi_level: Option<String>,
    /// A deadline rule id (`ar.closing`), with `clock_state` (`met`, `missed`, `running`, `paused`).
    pub clock: Option<String>,
    pub clock_state: Option<String>,
    /// Cases with at least one event of this kind (`extension_approved`).
    pub event: Option<String>,
    /// Cases granted an extension of this tier: a tier of the deadline rules in force
    /// (`department_head`, `higher_department`, `panel`).
    pub extension_tier: Option<String>,
    /// `true`: exhibition complaints decided (measures ordered or no infringement found) no
    /// later than their exhibition closed; `false`: the cases that were not.
    pub decided_at_fair: Option<bool>,
    /// `true`: routed out of triage into a queue.
    pub routed: Option<bool>,
    /// `true`: shared by an office with another to work on it together (not the shares a
    /// procedure makes: a handover, a triage, an escalation); `false`: the others.
    pub shared: Option<bool>,
    /// `true`: worked by an office of another region — an office owning it, referred it or
    /// granted a share of it does not cover the case's region; `false`: the others.
    pub cross_region: Option<bool>,
    /// Overseas requests about this country (ISO 3166 two letters, `US`).
    #[param(pattern = "^[A-Za-z]{2}$")]
    pub overseas_country: Option<String>,
    /// Overseas requests of this category.
    #[param(value_type = Option<crate::domain::case::OverseasCategory>)]
    pub overseas_category: Option<String>,
}

/// A filter value given and not blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The organisations whose cases the `org` filter stands for: it and the offices below it, when
/// the caller may see its figures (their own organisation, or one they oversee); `None` for an
/// enterprise's own organisation (its cases are its filings already). 404 outside their reach.
pub async fn reach(cx: &Ctx, me: &Identity, org: i64) -> Result<Option<Vec<i64>>> {
    let own = org == me.actor.org_id;
    if !own && !me.actor.oversees.contains(&org) {
        return Err(AppError::NotFound);
    }
    if me.actor.org_kind == OrgKind::Enterprise {
        return Ok(None);
    }
    let mut ids = vec![org];
    ids.extend(store::orgs::below(cx.db.conn(), org).await?);
    Ok(Some(ids))
}

/// `[from, to)` of two inclusive day fields.
fn period(
    q_from: &Option<String>,
    q_to: &Option<String>,
    fields: (&str, &str),
) -> Result<store::cases::Span> {
    let from = match given(q_from) {
        Some(d) => Some(start_of_day_utc(super::calendar::parse_date(fields.0, d)?)),
        None => None,
    };
    let to = match given(q_to) {
        Some(d) => Some(end_of_day_utc(super::calendar::parse_date(fields.1, d)?)),
        None => None,
    };
    if let (Some(a), Some(b)) = (from, to)
        && b <= a
    {
        return Err(AppError::field(fields.1, "error.period.order"));
    }
    Ok((from, to))
}

/// A page of cases.
pub struct Page {
    pub items: Vec<CaseSummary>,
    pub next_cursor: Option<String>,
}

/// The store's filter of a list query (422 for a value it does not know).
async fn filter_of(cx: &Ctx, me: &Identity, q: &ListQuery) -> Result<store::cases::Filter> {
    let mut f = store::cases::Filter::default();
    // Who else works a case is the offices' business: a filer does not see the shares of its
    // case, so it may not filter by them either.
    if me.actor.org_kind == OrgKind::Enterprise {
        for (field, asked) in [
            ("shared", q.shared.is_some()),
            ("cross_region", q.cross_region.is_some()),
            ("org_role", given(&q.org_role).is_some()),
        ] {
            if asked {
                return Err(AppError::field(field, "error.case.filter_for_offices"));
            }
        }
    }
    if let Some(queue) = q.queue.as_deref().filter(|s| !s.is_empty()) {
        f.queue =
            Some(Queue::parse(queue).ok_or_else(|| AppError::field("queue", "error.case.queue"))?);
    }
    if let Some(state) = q.state.as_deref().filter(|s| !s.is_empty()) {
        f.state = Some(
            CaseState::parse(state).ok_or_else(|| AppError::field("state", "error.case.state"))?,
        );
    }
    if let Some(d) = q.due_before.as_deref().filter(|s| !s.is_empty()) {
        let date = super::calendar::parse_date("due_before", d)?;
        f.due_before = Some(end_of_day_utc(date));
    }
    if q.overdue == Some(true) {
        f.overdue_at = Some(cx.now);
    }
    match q.assignee.as_deref() {
        None | Some("") => {}
        Some("me") => f.assignee = Some(me.user.id),
        Some(_) => return Err(AppError::field("assignee", "error.case.assignee")),
    }
    match q.owner.as_deref() {
        None | Some("") => {}
        Some("mine") => f.owner_org = Some(me.actor.org_id),
        Some(_) => return Err(AppError::field("owner", "error.case.owner")),
    }
    f.srdi = q.srdi == Some(true);
    f.open_only = q.open == Some(true);
    if let Some(org) = given(&q.org) {
        let id: i64 = org
            .parse()
            .map_err(|_| AppError::field("org", "error.report.org"))?;
        f.owners = reach(cx, me, id).await?;
    }
    if let Some(role) = given(&q.org_role) {
        f.org_role = ORG_ROLES
            .iter()
            .find(|(n, _)| *n == role)
            .map(|(_, r)| *r)
            .ok_or_else(|| AppError::field("org_role", "error.report.org_role"))?;
        if given(&q.org).is_none() {
            return Err(AppError::field("org", "error.report.org_role_without_org"));
        }
        if f.owners.is_none() && f.org_role != store::cases::OrgRole::Owner {
            // An enterprise's own organisation stands for its filings, which it neither is
            // referred nor triages.
            f.owners = Some(Vec::new());
        }
    }
    f.received = period(
        &q.received_from,
        &q.received_to,
        ("received_from", "received_to"),
    )?;
    f.closed_in = period(&q.closed_from, &q.closed_to, ("closed_from", "closed_to"))?;
    f.closed = q.closed;
    if let Some(v) = given(&q.source) {
        f.source =
            Some(Source::parse(v).ok_or_else(|| AppError::field("source", "error.case.source"))?);
    }
    if let Some(v) = given(&q.channel) {
        f.channel = Some(
            Channel::parse(v).ok_or_else(|| AppError::field("channel", "error.case.channel"))?,
        );
    }
    if let Some(v) = given(&q.region) {
        f.region_prefix = Some(
            crate::domain::region::covered_prefix(v)
                .ok_or_else(|| AppError::field("region", "error.region"))?
                .to_string(),
        );
    }
    if let Some(v) = given(&q.right_kind) {
        let kind =
            RightKind::parse(v).ok_or_else(|| AppError::field("right_kind", "error.right.kind"))?;
        f.right_kind = Some(kind.as_str().to_string());
    }
    if let Some(v) = given(&q.srdi_level) {
        f.srdi_rank = Some(match v {
            "none" => 0,
            _ => v
                .parse::<SrdiLevel>()
                .map_err(|_| AppError::field("srdi_level", "error.srdi.level"))?
                .rank(),
        });
    }
    if let Some(rule) = given(&q.clock) {
        let known_shape = rule.len() <= 64
            && rule
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
        if !known_shape {
            return Err(AppError::field("clock", "error.report.clock"));
        }
        let state = match given(&q.clock_state) {
            None => None,
            Some(s @ ("met" | "missed" | "running" | "paused")) => Some(s.to_string()),
            Some(_) => return Err(AppError::field("clock_state", "error.report.clock_state")),
        };
        f.clock = Some((rule.to_string(), state));
    }
    if let Some(kind) = given(&q.event) {
        let kind =
            EventKind::parse(kind).ok_or_else(|| AppError::field("event", "error.report.event"))?;
        f.event = Some(kind.as_str().to_string());
    }
    if let Some(tier) = given(&q.extension_tier) {
        let known = cx
            .time
            .rules()
            .rules
            .values()
            .any(|r| r.extensions.iter().any(|t| t.tier == tier));
        if !known {
            return Err(AppError::field(
                "extension_tier",
                "error.report.extension_tier",
            ));
        }
        f.extension_tier = Some(tier.to_string());
    }
    if let Some(v) = given(&q.overseas_country) {
        if v.len() != 2 || !v.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(AppError::field("overseas_country", "error.case.country"));
        }
        f.overseas_country = Some(v.to_ascii_uppercase());
    }
    if let Some(v) = given(&q.overseas_category) {
        let c = OverseasCategory::parse(v)
            .ok_or_else(|| AppError::field("overseas_category", "error.case.overseas_category"))?;
        f.overseas_category = Some(c.as_str().to_string());
    }
    f.routed = q.routed;
    f.shared = q.shared;
    f.cross_region = q.cross_region;
    f.decided_at_fair = q.decided_at_fair;
    Ok(f)
}

/// Every visible case matching `q`, in the list's order, streamed from one query (an export).
/// Bad filters are refused before the query starts.
pub async fn stream<'a>(
    cx: &'a Ctx,
    me: &Identity,
    q: &ListQuery,
) -> Result<futures::stream::BoxStream<'a, Result<CaseSummary>>> {
    use futures::StreamExt;
    let f = filter_of(cx, me, q).await?;
    let rows = store::cases::stream(cx.db.conn(), &me.actor, &f).await?;
    Ok(rows
        .map(|r| r.map(|c| CaseSummary::from(&c)).map_err(AppError::from))
        .boxed())
}

/// Checks the filters of `q` (422 for a value it does not know, 404 for an organisation out of
/// reach) without reading any case.
pub async fn check(cx: &Ctx, me: &Identity, q: &ListQuery) -> Result<()> {
    filter_of(cx, me, q).await.map(|_| ())
}

/// How many visible cases match `q` (what its list holds, across every page).
pub async fn count(cx: &Ctx, me: &Identity, q: &ListQuery) -> Result<u64> {
    let f = filter_of(cx, me, q).await?;
    Ok(store::cases::count_matching(cx.db.conn(), &me.actor, &f).await?)
}

/// How many distinct exhibitions or filing enterprises the cases of `q` have.
pub async fn count_distinct(
    cx: &Ctx,
    me: &Identity,
    q: &ListQuery,
    what: crate::domain::report::Distinct,
) -> Result<u64> {
    let f = filter_of(cx, me, q).await?;
    let column = match what {
        crate::domain::report::Distinct::Exhibition => entity::cases::Column::ExhibitionId,
        crate::domain::report::Distinct::FilerEnterprise => entity::cases::Column::FilerOrgId,
    };
    Ok(store::cases::count_distinct(cx.db.conn(), &me.actor, &f, column).await?)
}

/// The countries of the overseas requests among the visible cases of `q`.
pub async fn overseas_countries(cx: &Ctx, me: &Identity, q: &ListQuery) -> Result<Vec<String>> {
    let f = filter_of(cx, me, q).await?;
    Ok(store::cases::overseas_countries(cx.db.conn(), &me.actor, &f).await?)
}

/// Receipt and closing instants of the closed cases of `q` (for days-to-close figures).
pub async fn spans(
    cx: &Ctx,
    me: &Identity,
    q: &ListQuery,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let f = filter_of(cx, me, q).await?;
    Ok(store::cases::spans(cx.db.conn(), &me.actor, &f).await?)
}

/// What to count the cases of a list by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountBy {
    Queue,
    State,
}

/// How many visible cases match `q`, by queue or state.
pub async fn count_by(
    cx: &Ctx,
    me: &Identity,
    q: &ListQuery,
    by: CountBy,
) -> Result<Vec<(String, u64)>> {
    let f = filter_of(cx, me, q).await?;
    let column = match by {
        CountBy::Queue => entity::cases::Column::Queue,
        CountBy::State => entity::cases::Column::State,
    };
    Ok(store::cases::count_by(cx.db.conn(), &me.actor, &f, column)
        .await?
        .into_iter()
        .map(|(k, n)| (k, n.max(0) as u64))
        .collect())
}

/// The visible cases matching `q`, most urgent first, SRDI first among equally urgent.
pub async fn list(cx: &Ctx, me: &Identity, q: &ListQuery) -> Result<Page> {
    let f = filter_of(cx, me, q).await?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "error.limit"));
    }
    let offset = match q.cursor.as_deref().filter(|s| !s.is_empty()) {
        Some(c) => decode_cursor(c).ok_or_else(|| AppError::field("cursor", "error.cursor"))?,
        None => 0,
    };
    let mut items = store::cases::list(cx.db.conn(), &me.actor, &f, offset, limit + 1).await?;
    let next_cursor = (items.len() as u64 > limit).then(|| encode_cursor(offset + limit));
    items.truncate(limit as usize);
    Ok(Page {
        items: items.iter().map(CaseSummary::from).collect(),
        next_cursor,
    })
}

/// The triage workbench: cases waiting for triage that `me` may see, by triage deadline.
pub async fn awaiting_triage(db: &Db, me: &Identity, limit: u64) -> Result<Vec<CaseSummary>> {
    let f = store::cases::Filter {
        awaiting_triage: true,
        ..Default::default()
    };
    let rows = store::cases::list(db.conn(), &me.actor, &f, 0, limit).await?;
    Ok(rows.iter().map(CaseSummary::from).collect())
}

/// The offices a case owned by `owner` may be referred, transferred to or shared with: every
/// organisation but the owner and the enterprises, by name.
pub async fn other_offices(db: &Db, owner: i64) -> Result<Vec<OrgRef>> {
    Ok(store::orgs::list(db.conn())
        .await?
        .into_iter()
        .filter_map(|o| {
            let kind: OrgKind = o.kind.parse().ok()?;
            (kind != OrgKind::Enterprise && o.id != owner).then_some(OrgRef {
                id: o.id,
                name: o.name,
                kind,
            })
        })
        .collect())
}

pub fn encode_cursor(offset: u64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

fn decode_cursor(c: &str) -> Option<u64> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix("o:")?
        .parse()
        .ok()
}

/// The clocks of the given cases, for deadline badges on lists.
pub async fn clocks_of(db: &Db, ids: Vec<i64>) -> Result<HashMap<i64, Vec<ClockView>>> {
    let mut map: HashMap<i64, Vec<ClockView>> = HashMap::new();
    for (case_id, c) in store::case_log::clocks_of(db.conn(), ids).await? {
        map.entry(case_id).or_default().push(ClockView::from(c));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(super::decode_cursor(&super::encode_cursor(150)), Some(150));
        assert_eq!(super::decode_cursor("not-a-cursor"), None);
        assert_eq!(super::decode_cursor(""), None);
    }
}
