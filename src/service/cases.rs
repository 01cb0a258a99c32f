//! Reading cases: one case as its reader may see it, its timeline, and the lists of what one may
//! see (most urgent first).

use super::case::view::{
    CaseRef, CaseSummary, CaseView, ClockView, EventView, OrgRef, PartyView, RightView, ShareView,
};
use super::case::visible;
use super::{Ctx, Identity};
use crate::domain::case::{CaseState, Queue};
use crate::domain::identity::OrgKind;
use crate::domain::time::end_of_day_utc;
use crate::error::{AppError, Result};
use crate::store::{self, Db};
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

/// Filters of a case list, as asked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub queue: Option<String>,
    pub state: Option<String>,
    /// `YYYY-MM-DD`: cases with a clock due before the end of that day (Beijing time).
    pub due_before: Option<String>,
    pub overdue: Option<bool>,
    /// `me`: cases assigned to the caller.
    pub assignee: Option<String>,
    /// `mine`: cases the caller's organisation owns.
    pub owner: Option<String>,
    /// Open cases only.
    pub open: Option<bool>,
    /// `csv`: the whole list as a download instead of a page (the other filters apply).
    pub format: Option<String>,
    pub srdi: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A page of cases.
pub struct Page {
    pub items: Vec<CaseSummary>,
    pub next_cursor: Option<String>,
}

/// The store's filter of a list query (422 for a value it does not know).
fn filter_of(cx: &Ctx, me: &Identity, q: &ListQuery) -> Result<store::cases::Filter> {
    let mut f = store::cases::Filter::default();
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
    Ok(f)
}

/// `limit` visible cases matching `q` from `offset`, in the list's order (an export reads the
/// whole list this way, batch by batch).
pub async fn batch(
    cx: &Ctx,
    me: &Identity,
    q: &ListQuery,
    offset: u64,
    limit: u64,
) -> Result<Vec<CaseSummary>> {
    let f = filter_of(cx, me, q)?;
    let rows = store::cases::list(cx.db.conn(), &me.actor, &f, offset, limit).await?;
    Ok(rows.iter().map(CaseSummary::from).collect())
}

/// How many visible cases match `q` (what its list holds, across every page).
pub async fn count(cx: &Ctx, me: &Identity, q: &ListQuery) -> Result<u64> {
    let f = filter_of(cx, me, q)?;
    Ok(store::cases::count_matching(cx.db.conn(), &me.actor, &f).await?)
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
    let f = filter_of(cx, me, q)?;
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
    let f = filter_of(cx, me, q)?;
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

fn encode_cursor(offset: u64) -> String {
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
