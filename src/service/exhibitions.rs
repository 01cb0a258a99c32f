//! Exhibitions (展会) as records: created by an IP office or found from a routed complaint's
//! facts; the stations that take complaints now; the exhibition view with its cases and the
//! hours left; and the closing sweep, which at the closing instant closes every case decided at
//! the fair and hands every other open one on, keeping its events and evidence: a patent case to
//! the office as a lead with an invitation to request a ruling, the others to the market
//! regulator.

use super::case::view::CaseSummary;
use super::case::write::system_step;
use super::{Ctx, Identity, audit_entry};
use crate::domain::case::intake::{Facts, parse_instant};
use crate::domain::case::{CaseState, EventKind, PartyKey, PartyRole, Queue, normalise_name};
use crate::domain::identity::{OrgKind, Role};
use crate::domain::time::beijing;
use crate::domain::workflow::exhibition::{self, OPEN};
use crate::error::{AppError, FieldError, Result};
use crate::store::cases::{CaseRow, Change};
use crate::store::workflow::NewExhibition;
use crate::store::{self, Db};
use chrono::{DateTime, Utc};
use entity::exhibitions;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The form and API body of a new exhibition.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ExhibitionForm {
    pub name: String,
    pub venue: String,
    pub organiser: String,
    pub station: String,
    pub opens_at: String,
    pub closes_at: String,
}

/// An exhibition as its office sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExhibitionView {
    pub id: i64,
    pub name: String,
    pub venue: String,
    pub organiser: String,
    pub station: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// When the closing sweep handled its cases.
    pub swept_at: Option<DateTime<Utc>>,
}

impl From<exhibitions::Model> for ExhibitionView {
    fn from(e: exhibitions::Model) -> Self {
        Self {
            id: e.id,
            name: e.name,
            venue: e.venue,
            organiser: e.organiser,
            station: e.station,
            opens_at: e.opens_at,
            closes_at: e.closes_at,
            swept_at: e.swept_at,
        }
    }
}

/// The exhibitions whose complaint stations `me` may file at now (2006 Measures Art. 11): for an
/// enterprise every exhibition on now or opening within a week, for an office user its own
/// office's. A complaint filed at one goes to the exhibition's office without triage.
pub async fn stations(cx: &Ctx, me: &Identity) -> Result<Vec<ExhibitionView>> {
    let own = me.actor.org_kind.is_office().then_some(me.org.id);
    let week = cx.now + chrono::TimeDelta::days(7);
    Ok(store::workflow::accepting(cx.db.conn(), cx.now, week, own)
        .await?
        .into_iter()
        .map(ExhibitionView::from)
        .collect())
}

/// Who keeps exhibitions: officers and supervisors of IP offices.
fn may_keep(me: &Identity) -> bool {
    me.actor.org_kind == OrgKind::IpOffice && matches!(me.role(), Role::Officer | Role::Supervisor)
}

/// Creates an exhibition of the user's office.
pub async fn create(cx: &Ctx, me: &Identity, form: ExhibitionForm) -> Result<ExhibitionView> {
    if !may_keep(me) {
        return Err(AppError::forbidden());
    }
    let mut errors = Vec::new();
    let mut text = |field: &'static str, v: &str, required: bool| {
        super::form_line(&mut errors, field, v, required)
    };
    let name = text("name", &form.name, true);
    let venue = text("venue", &form.venue, true);
    let organiser = text("organiser", &form.organiser, true);
    let station = text("station", &form.station, false);
    let mut instant = |field: &'static str, v: &str| {
        let t = parse_instant(v, &beijing()).map(|t| t.to_utc());
        if t.is_none() {
            errors.push(FieldError::new(field, "error.workflow.instant"));
        }
        t
    };
    let opens = instant("opens_at", &form.opens_at);
    let closes = instant("closes_at", &form.closes_at);
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        errors.push(FieldError::new(
            "closes_at",
            "error.exhibition.closes_before_opens",
        ));
    }
    let (Some(opens_at), Some(closes_at), true) = (opens, closes, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let txn = cx.db.begin_write().await?;
    let e = store::workflow::insert_exhibition(
        &txn,
        NewExhibition {
            name,
            venue,
            organiser,
            station,
            opens_at,
            closes_at,
            owner_org_id: me.org.id,
            created_by_user_id: Some(me.user.id),
        },
        cx.now,
    )
    .await?;
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "exhibition.create",
        ("exhibition", e.id.to_string()),
        &json!(form),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(e.into())
}

/// Links a case just routed into exhibition enforcement to its exhibition (in the routing's
/// transaction): the owning office's exhibition of that name, or a new one made from the
/// complaint's facts.
pub async fn link(
    txn: &sea_orm::DatabaseTransaction,
    case_id: i64,
    owner_org_id: i64,
    facts: &Facts,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let Some(ex) = &facts.exhibition else {
        return Ok(None);
    };
    let wanted = normalise_name(&ex.name);
    let found = store::workflow::exhibitions_of(txn, owner_org_id)
        .await?
        .into_iter()
        .find(|e| normalise_name(&e.name) == wanted && e.swept_at.is_none());
    let id = match found {
        Some(e) => e.id,
        None => {
            store::workflow::insert_exhibition(
                txn,
                NewExhibition {
                    name: ex.name.clone(),
                    venue: ex.venue.clone(),
                    organiser: ex.organiser.clone().unwrap_or_default(),
                    station: String::new(),
                    opens_at: ex.opens_at.to_utc(),
                    closes_at: ex.closes_at.to_utc(),
                    owner_org_id,
                    created_by_user_id: None,
                },
                now,
            )
            .await?
            .id
        }
    };
    store::workflow::set_case_exhibition(txn, case_id, id).await?;
    Ok(Some(id))
}

/// An exhibition with its cases as the user may see them.
pub struct View {
    pub exhibition: ExhibitionView,
    pub cases: Vec<CaseSummary>,
    /// Case ids whose respondent was found infringing here and at the previous session of the
    /// same exhibition (by credit code when known).
    pub repeat: Vec<i64>,
}

/// The exhibitions of the user's office, the latest to close first.
pub async fn list(db: &Db, me: &Identity) -> Result<Vec<ExhibitionView>> {
    if !me.actor.org_kind.is_office() {
        return Err(AppError::forbidden());
    }
    Ok(store::workflow::exhibitions_of(db.conn(), me.org.id)
        .await?
        .into_iter()
        .map(ExhibitionView::from)
        .collect())
}

/// One exhibition of the user's office with the cases they may see.
pub async fn show(db: &Db, me: &Identity, id: i64) -> Result<View> {
    let e = store::workflow::exhibition(db.conn(), id)
        .await?
        .filter(|e| e.owner_org_id == me.org.id)
        .ok_or(AppError::NotFound)?;
    // The exhibition is the office's, and so are its cases as long as it owns them (a case
    // referred on after an upheld objection stays the owner's): no per-case lookup needed.
    let cases: Vec<CaseRow> = store::workflow::exhibition_cases(db.conn(), id)
        .await?
        .into_iter()
        .filter(|c| c.owner_org_id == me.org.id)
        .collect();
    let repeat = repeat_infringers(db, &e, &cases).await?;
    Ok(View {
        exhibition: e.into(),
        cases: cases.iter().map(CaseSummary::from).collect(),
        repeat,
    })
}

/// Cases here whose exhibitor had measures ordered against it here and at the previous session
/// of the same exhibition (the office's exhibition of the same series that opened last before
/// this one): an exhibitor found infringing at consecutive sessions is flagged for the organiser.
async fn repeat_infringers(db: &Db, e: &exhibitions::Model, here: &[CaseRow]) -> Result<Vec<i64>> {
    let key = exhibition::series(&e.name);
    let previous = store::workflow::exhibitions_of(db.conn(), e.owner_org_id)
        .await?
        .into_iter()
        .filter(|x| x.opens_at < e.opens_at && exhibition::series(&x.name) == key)
        .max_by_key(|x| x.opens_at);
    let Some(previous) = previous else {
        return Ok(Vec::new());
    };
    let before = store::workflow::exhibition_cases(db.conn(), previous.id).await?;
    let before: Vec<PartyKey> = infringers(db, &before)
        .await?
        .into_iter()
        .map(|(_, who)| who)
        .collect();
    Ok(infringers(db, here)
        .await?
        .into_iter()
        .filter(|(_, who)| exhibition::repeat_infringer(who, &before))
        .map(|(id, _)| id)
        .collect())
}

/// The cases among `cases` with measures ordered, each with its (first) respondent.
async fn infringers(db: &Db, cases: &[CaseRow]) -> Result<Vec<(i64, PartyKey)>> {
    let ordered = store::workflow::with_event(
        db.conn(),
        cases.iter().map(|c| c.id),
        EventKind::MeasuresOrdered,
    )
    .await?;
    let mut out = Vec::new();
    for id in ordered {
        let parties = store::case_parts::parties(db.conn(), id).await?;
        if let Some(p) = parties
            .into_iter()
            .find(|p| p.role == PartyRole::Respondent)
        {
            out.push((
                id,
                PartyKey {
                    uscc: p.uscc,
                    name: p.name,
                },
            ));
        }
    }
    Ok(out)
}

/// What the closing sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    pub exhibitions: u64,
    /// Decided at the fair, now closed.
    pub closed: u64,
    /// Open patent cases handed to the office as leads, with an invitation to request a ruling.
    pub transferred: u64,
    /// Open non-patent cases sent to the market regulator.
    pub to_regulator: u64,
}

/// At the closing instant of every exhibition that has closed by `cx.now`: each of its cases
/// still in the exhibition queue records the close (which starts the report-to-organiser clock);
/// those decided at the fair are closed, open patent cases become leads of the office with an
/// invitation to request a ruling (2006 Measures Art. 14 hands them to the office; Order 81
/// needs a request), open non-patent ones go to the market regulator. Each exhibition is swept
/// once, even with several server processes.
pub async fn sweep(cx: &Ctx) -> Result<Swept> {
    let mut out = Swept::default();
    for e in store::workflow::due_for_sweep(cx.db.conn(), cx.now).await? {
        match sweep_one(cx, &e).await {
            Ok(Some(done)) => {
                out.exhibitions += 1;
                out.closed += done.closed;
                out.transferred += done.transferred;
                out.to_regulator += done.to_regulator;
            }
            Ok(None) => {}
            // One case that moved under us (or any other failure) holds back this exhibition
            // only: it is rolled back whole and tried again on the next tick.
            Err(err) => {
                tracing::warn!(exhibition = e.id, error = %err, "exhibition sweep deferred")
            }
        }
    }
    Ok(out)
}

/// Sweeps one closed exhibition in one transaction; `None` when another process did it.
async fn sweep_one(cx: &Ctx, e: &exhibitions::Model) -> Result<Option<Swept>> {
    let mut out = Swept::default();
    let txn = cx.db.begin_write().await?;
    if !store::workflow::mark_swept(&txn, e.id, cx.now).await? {
        return Ok(None);
    }
    for c in store::workflow::exhibition_cases(&txn, e.id).await? {
        if c.queue != Queue::ExhibitionEnforcement {
            continue;
        }
        // At the closing instant, or after the case's last step if that came later, so that
        // the log stays in time order.
        let last = store::case_log::events(&txn, c.id, false)
            .await?
            .last()
            .map(|ev| ev.at);
        let at = last.map_or(e.closes_at, |l| l.max(e.closes_at));
        let mut events = vec![(
            EventKind::ExhibitionClosed,
            true,
            json!({"exhibition_id": e.id}),
        )];
        let mut change = Change::default();
        let patent = store::case_parts::rights(&txn, c.id)
            .await?
            .iter()
            .any(|r| r.kind.is_patent());
        let decided = matches!(
            c.state,
            CaseState::MeasuresOrdered | CaseState::NoInfringement
        );
        if decided {
            events.push((EventKind::Closed, true, json!({"by": "exhibition_close"})));
            change.state = Some(CaseState::Closed);
            change.closed_at = Some(Some(cx.now));
            out.closed += 1;
        } else if OPEN.contains(&c.state) && patent {
            // A ruling case needs the complainant's request (Order 81 Arts. 12, 14): the office
            // keeps the case as a lead and invites the complainant to request a ruling.
            let mut handed = json!({"from_state": c.state, "exhibition_id": e.id});
            // Its triage clock runs again by the office's own standard.
            if let Some(days) = super::intake::triage_standard(cx, c.owner_org_id).await? {
                handed["period_days"] = json!(days);
            }
            events.push((EventKind::TransferredAtClose, true, handed));
            change.queue = Some(Queue::Triage);
            change.state = Some(CaseState::New);
            out.transferred += 1;
        } else if OPEN.contains(&c.state) {
            // Not a patent dispute: the market regulator's, referred to it when it is kept
            // here (it acknowledges or returns it), else closed with a transfer letter.
            match store::orgs::market_regulator(&txn, &c.region_code).await? {
                Some(r) => {
                    events.push((
                        EventKind::Referred,
                        true,
                        json!({"to_org_id": r.id, "to_org": r.name, "by": "exhibition_close"}),
                    ));
                    change.queue = Some(Queue::Triage);
                    change.state = Some(CaseState::Referred);
                    change.referred_to_org_id = Some(Some(r.id));
                }
                None => {
                    events.push((
                        EventKind::TransferredToRegulator,
                        true,
                        json!({"from_state": c.state}),
                    ));
                    events.push((EventKind::Closed, true, json!({"by": "exhibition_close"})));
                    change.state = Some(CaseState::Closed);
                    change.closed_at = Some(Some(cx.now));
                }
            }
            out.to_regulator += 1;
        }
        system_step(cx, &txn, &c, events, at, change).await?;
    }
    let mut entry = audit_entry(
        None,
        &cx.meta,
        "exhibition.sweep",
        ("exhibition", e.id.to_string()),
        &json!({"closes_at": e.closes_at.to_rfc3339()}),
    );
    entry.actor = "system".into();
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(Some(out))
}

/// Hours (rounded down) from `now` until `t`; negative once past.
pub fn hours_left(t: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (t - now).num_hours()
}
