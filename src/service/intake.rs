//! Intake: filing a complaint, entering a lead, and preparing imported leads. A validated case
//! becomes its rows and first clocks here; storing them (together with concurrent filings, one
//! commit for many) is `store::intake`.

use super::{Ctx, Identity, audit_entry};
use crate::domain::case::intake::{self, CaseInput, ExhibitionInput, Submitter, ValidCase};
use crate::domain::case::{CaseState, EventKind, PartyRole, Queue};
use crate::domain::deadline::Event;
use crate::domain::identity::{OrgKind, lead_triage_days};
use crate::domain::policy;
use crate::domain::time::{beijing, in_beijing};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::case_log::{ClockRow, NewEvent};
use crate::store::intake::{NewCase, NewFiling, NewParty, NewRight, Stored};
use crate::store::{self};
use chrono::{DateTime, Utc};
use entity::exhibitions;
use serde_json::json;
use std::collections::HashMap;

/// What a filing returns (API.md: `{id, number, version, queue, state, triage_due}`).
#[derive(Debug, Clone)]
pub struct Filed {
    pub id: i64,
    pub number: String,
    pub version: i64,
    /// Triage, or exhibition enforcement for a complaint at an exhibition's station.
    pub queue: Queue,
    pub state: CaseState,
    pub received_at: DateTime<Utc>,
    /// When triage must have answered (24:00 Beijing time of the 7th working day).
    pub triage_due: Option<DateTime<Utc>>,
    /// When the station must have transferred an exhibition complaint (24 hours).
    pub transfer_due: Option<DateTime<Utc>>,
    /// The due date depends on a year without an official schedule.
    pub provisional: bool,
}

/// Who creates a case, which decides its owner, filer and source checks.
#[derive(Debug, Clone, Copy)]
pub enum Creator<'a> {
    /// An enterprise filing its own complaint.
    Enterprise(&'a Identity),
    /// An office user entering a lead for their office.
    Office(&'a Identity),
    /// The operator importing leads for an office from the command line.
    Operator { owner_org_id: i64 },
}

/// Files a complaint for the signed-in enterprise: a case in triage with its receipt.
pub async fn file_complaint(cx: &Ctx, me: &Identity, input: CaseInput) -> Result<Filed> {
    if !policy::can_file_complaint(&me.actor) {
        return Err(AppError::forbidden());
    }
    let creator = Creator::Enterprise(me);
    let (valid, station) = validate(cx, creator, input.clone(), Submitter::Enterprise).await?;
    create(cx, creator, valid, station, &input, None).await
}

/// Enters a lead (source officer, shared or 12330 hotline) for the user's office.
pub async fn enter_lead(cx: &Ctx, me: &Identity, input: CaseInput) -> Result<Filed> {
    if !policy::can_enter_lead(&me.actor) {
        return Err(AppError::forbidden());
    }
    let creator = Creator::Office(me);
    let (valid, station) = validate(cx, creator, input.clone(), Submitter::Office).await?;
    create(cx, creator, valid, station, &input, None).await
}

/// Files consultation `consultation_id` as a case: the asking enterprise's complaint, or the
/// answering office's lead. The caller has checked that `me` may ([`super::consultations`]);
/// the consultation is linked to the case in the case's own write transaction.
pub(crate) async fn file_consultation(
    cx: &Ctx,
    me: &Identity,
    input: CaseInput,
    consultation_id: i64,
) -> Result<Filed> {
    let (creator, who) = if policy::can_file_complaint(&me.actor) {
        (Creator::Enterprise(me), Submitter::Enterprise)
    } else if policy::can_enter_lead(&me.actor) {
        (Creator::Office(me), Submitter::Office)
    } else {
        return Err(AppError::forbidden());
    };
    let (valid, station) = validate(cx, creator, input.clone(), who).await?;
    create(cx, creator, valid, station, &input, Some(consultation_id)).await
}

/// Validates a filing, with the exhibition whose complaint station it was made at, if any: its
/// facts then come from the exhibition's record. Every problem is reported at once.
async fn validate(
    cx: &Ctx,
    creator: Creator<'_>,
    mut input: CaseInput,
    who: Submitter,
) -> Result<(ValidCase, Option<exhibitions::Model>)> {
    let (station, problem) = match station(cx, creator, &mut input).await? {
        Ok(found) => (found, None),
        Err(e) => (None, Some(e)),
    };
    match (intake::validate(&input, who), problem) {
        (Ok(valid), None) => Ok((valid, station)),
        (Ok(_), Some(p)) => Err(AppError::Invalid(vec![p])),
        (Err(mut errors), p) => {
            errors.extend(p);
            Err(AppError::Invalid(errors))
        }
    }
}

/// The exhibition named by `exhibition_id`, whose station takes the complaint (2006 Measures
/// Art. 11): one that has not closed, and for an office user one of their office. Fills the
/// filing's exhibition facts from its record, keeping the booth the filer gave.
async fn station(
    cx: &Ctx,
    creator: Creator<'_>,
    input: &mut CaseInput,
) -> Result<std::result::Result<Option<exhibitions::Model>, FieldError>> {
    let Some(id) = input.exhibition_id else {
        return Ok(Ok(None));
    };
    let refuse = |key| Ok(Err(FieldError::new("exhibition_id", key)));
    let Some(e) = store::workflow::exhibition(cx.db.conn(), id).await? else {
        return refuse("error.exhibition.unknown");
    };
    if e.closes_at <= cx.now || e.swept_at.is_some() {
        return refuse("error.exhibition.closed");
    }
    if let Creator::Office(me) = creator
        && e.owner_org_id != me.org.id
    {
        return refuse("error.exhibition.not_yours");
    }
    let booth = input.exhibition.as_ref().and_then(|x| x.booth.clone());
    input.channel = "exhibition".into();
    input.exhibition = Some(ExhibitionInput {
        name: e.name.clone(),
        venue: e.venue.clone(),
        booth,
        organiser: Some(e.organiser.clone()).filter(|o| !o.is_empty()),
        opens_at: e.opens_at.with_timezone(&beijing()).to_rfc3339(),
        closes_at: e.closes_at.with_timezone(&beijing()).to_rfc3339(),
    });
    Ok(Ok(Some(e)))
}

/// Stores one filing with its audit entry and answers when it is on disk (shared with the
/// filings made at the same time: `store::intake::submit`).
async fn create(
    cx: &Ctx,
    creator: Creator<'_>,
    valid: ValidCase,
    station: Option<exhibitions::Model>,
    input: &CaseInput,
    consultation: Option<i64>,
) -> Result<Filed> {
    let now = cx.now;
    let mut draft = match creator {
        Creator::Enterprise(me) => complaint(cx, me, valid).await?,
        _ => lead(creator, valid, now),
    };
    draft.consultation = consultation;
    if let Some(e) = station {
        // The station's office handles it at once: no wait in triage (2006 Measures Art. 11).
        draft.owner_org_id = e.owner_org_id;
        draft.station = Some(e.id);
    } else {
        if let Creator::Office(_) = creator {
            // (An enterprise's complaint has it from the office serving its region.)
            draft.triage_days = triage_standard(cx, draft.owner_org_id).await?;
        }
        fast_track(cx, &mut draft).await?;
    }
    let clocks = first_clocks(&cx.time, &draft, now);
    let filing = rows(draft, clocks, now);
    let (actor, action) = match creator {
        Creator::Enterprise(me) => (Some(&me.user), "complaint.file"),
        Creator::Office(me) => (Some(&me.user), "lead.enter"),
        Creator::Operator { .. } => (None, "lead.enter"),
    };
    // The target (the case number) is filled in when the number is reserved.
    let mut payload = json!(input);
    if let Some(id) = consultation {
        payload["consultation_id"] = json!(id);
    }
    let audit = audit_entry(actor, &cx.meta, action, ("case", String::new()), &payload);
    let filed = filed_of(&filing);
    let stored = store::intake::submit(&cx.db, filing, audit).await?;
    Ok(filed(stored))
}

/// A validated case with its owner, filer and complainant, before its clocks are computed.
struct Draft {
    valid: ValidCase,
    owner_org_id: i64,
    filer: Option<(i64, i64)>,
    created_by: Option<i64>,
    complainant: Option<NewParty>,
    received_at: DateTime<Utc>,
    is_demo: bool,
    /// The exhibition at whose complaint station the case was made.
    station: Option<i64>,
    /// The owning office's own triage standard in working days, if it set one.
    triage_days: Option<u32>,
    /// The consultation it was made from (咨询转案件).
    consultation: Option<i64>,
    /// The workstation whose staff took it in for their centre (it reads the case).
    taken_in_by: Option<i64>,
    /// A 专精特新 enterprise's lead on the office's fast track.
    fast_track: bool,
}

impl Draft {
    /// The case's first queue and state, and the event that starts its clocks.
    fn entry(&self) -> (Queue, CaseState, EventKind) {
        let queue = if self.station.is_some() {
            Queue::ExhibitionEnforcement
        } else {
            Queue::Triage
        };
        let (state, event) = crate::domain::case::triage::entry(queue);
        (queue, state, event)
    }
}

/// An enterprise's own complaint: owned by the office serving its region, received now.
async fn complaint(cx: &Ctx, me: &Identity, valid: ValidCase) -> Result<Draft> {
    let owner = store::orgs::serving_office(cx.db.conn(), valid.region.as_str())
        .await?
        .ok_or(AppError::Conflict(Msg::new("error.case.no_office")))?;
    let complainant = NewParty {
        role: PartyRole::Complainant,
        name: me.org.name.clone(),
        uscc: me.org.uscc.clone(),
        address: None,
        listing_url: None,
        contact_name: me.org.contact_name.clone(),
        contact_phone: me.org.contact_phone.clone().or(me.user.phone.clone()),
    };
    Ok(Draft {
        valid,
        owner_org_id: owner.id,
        filer: Some((me.org.id, me.user.id)),
        created_by: Some(me.user.id),
        complainant: Some(complainant),
        received_at: cx.now,
        is_demo: me.user.is_demo,
        station: None,
        consultation: None,
        taken_in_by: None,
        fast_track: false,
        triage_days: owner
            .triage_working_days
            .and_then(|d| u32::try_from(d).ok()),
    })
}

/// A lead entered or imported by an office: owned by that office, received when it says (never
/// in the future).
fn lead(creator: Creator<'_>, valid: ValidCase, now: DateTime<Utc>) -> Draft {
    let received_at = valid
        .received_at
        .map(|t| t.to_utc())
        .filter(|t| *t <= now)
        .unwrap_or(now);
    let (owner_org_id, created_by, is_demo) = match creator {
        Creator::Office(me) | Creator::Enterprise(me) => {
            (intake_owner(me), Some(me.user.id), me.user.is_demo)
        }
        Creator::Operator { owner_org_id } => (owner_org_id, None, false),
    };
    let taken_in_by = match creator {
        Creator::Office(me) if me.org.kind == OrgKind::Workstation => Some(me.org.id),
        _ => None,
    };
    let complainant = valid
        .complainant
        .clone()
        .map(|p| party(PartyRole::Complainant, p));
    Draft {
        valid,
        owner_org_id,
        filer: None,
        created_by,
        complainant,
        received_at,
        is_demo,
        station: None,
        triage_days: None,
        consultation: None,
        taken_in_by,
        fast_track: false,
    }
}

/// Puts a lead of a 专精特新 enterprise (its complainant's credit code is in the registry) on the
/// owning office's fast track: a shorter triage standard, and `fast_track` in its first event.
async fn fast_track(cx: &Ctx, draft: &mut Draft) -> Result<()> {
    let Some(uscc) = draft.complainant.as_ref().and_then(|c| c.uscc.as_deref()) else {
        return Ok(());
    };
    if store::srdi::best_rank_for_uscc(cx.db.conn(), uscc).await? == 0 {
        return Ok(());
    }
    let fast = store::orgs::get(cx.db.conn(), draft.owner_org_id)
        .await?
        .and_then(|o| o.srdi_triage_working_days)
        .and_then(|d| u32::try_from(d).ok());
    // The ordinary standard: the office's own, else the rules' (so the fast track is never the
    // slower one, whatever the office set for it).
    let ordinary = draft
        .triage_days
        .or_else(|| cx.time.rules().get("triage.decision").map(|r| r.amount));
    draft.triage_days = lead_triage_days(true, ordinary, fast);
    draft.fast_track = true;
    Ok(())
}

/// The office that owns what `me` enters: their own, or for a workstation its centre, which
/// triages what the workstation takes in (a workstation without a centre keeps it).
fn intake_owner(me: &Identity) -> i64 {
    match (me.org.kind, me.org.parent_id) {
        (OrgKind::Workstation, Some(centre)) => centre,
        _ => me.org.id,
    }
}

/// The triage standard office `org_id` set for itself (分诊服务承诺), if any.
pub(crate) async fn triage_standard(cx: &Ctx, org_id: i64) -> Result<Option<u32>> {
    Ok(store::orgs::get(cx.db.conn(), org_id)
        .await?
        .and_then(|o| o.triage_working_days)
        .and_then(|d| u32::try_from(d).ok()))
}

fn party(role: PartyRole, p: intake::Party) -> NewParty {
    NewParty {
        role,
        name: p.name,
        uscc: p.uscc,
        address: p.address,
        listing_url: p.listing_url,
        contact_name: p.contact_name,
        contact_phone: p.contact_phone,
    }
}

/// The rows of a draft with its first clocks, as of `now`.
fn rows(d: Draft, clocks: Vec<ClockRow>, now: DateTime<Utc>) -> NewFiling {
    let (queue, state, first) = d.entry();
    let mut payload =
        json!({"source": d.valid.source.as_str(), "channel": d.valid.channel.as_str()});
    if let Some(id) = d.station {
        payload["exhibition_id"] = json!(id);
    }
    if let Some(id) = d.consultation {
        payload["consultation_id"] = json!(id);
    }
    if let Some(id) = d.taken_in_by {
        payload["taken_in_by_org_id"] = json!(id);
    }
    if d.fast_track {
        payload["fast_track"] = json!(true);
    }
    // The office's own triage standard counts this lead's triage clock.
    if let (Queue::Triage, Some(days)) = (queue, d.triage_days) {
        payload["period_days"] = json!(days);
    }
    let v = d.valid;
    let mut parties: Vec<NewParty> = d.complainant.into_iter().collect();
    parties.extend(
        v.respondents
            .into_iter()
            .map(|r| party(PartyRole::Respondent, r)),
    );
    NewFiling {
        received: NewEvent {
            kind: first,
            at: d.received_at,
            actor_user_id: d.created_by,
            actor_org_id: d.filer.map(|f| f.0).or(Some(d.owner_org_id)),
            public: true,
            payload,
        },
        case: NewCase {
            title: v.title,
            description: v.description,
            source: v.source,
            channel: v.channel,
            region_code: v.region.as_str().into(),
            queue,
            state,
            exhibition_id: d.station,
            owner_org_id: d.owner_org_id,
            filer_org_id: d.filer.map(|f| f.0),
            filer_user_id: d.filer.map(|f| f.1),
            created_by_user_id: d.created_by,
            standing: v.standing,
            complainant_uscc: parties
                .iter()
                .find(|p| p.role == PartyRole::Complainant)
                .and_then(|c| c.uscc.clone()),
            facts: v.facts,
            received_at: d.received_at,
            is_demo: d.is_demo,
        },
        parties,
        rights: v
            .rights
            .into_iter()
            .map(|r| NewRight {
                kind: r.kind,
                number: r.number,
                title: r.title,
                holder: r.holder,
            })
            .collect(),
        clocks,
        consultation_id: d.consultation,
        taken_in_by: d.taken_in_by.zip(d.created_by),
        now,
    }
}

/// The clocks a case starts with: from its first event at its receipt, with the owning office's
/// own triage standard.
fn first_clocks(time: &super::case::Timekeeper, d: &Draft, now: DateTime<Utc>) -> Vec<ClockRow> {
    let (queue, _, kind) = d.entry();
    let mut event = Event::new(kind, in_beijing(d.received_at));
    if queue == Queue::Triage {
        event.period_days = d.triage_days;
    }
    time.compute(&[event], now)
}

/// The receipt of a filing about to be stored, once it has its id and number.
fn filed_of(f: &NewFiling) -> impl FnOnce(Stored) -> Filed + use<> {
    let clock = |id: &str| f.clocks.iter().find(|c| c.rule_id == id);
    let triage = clock("triage.decision");
    let triage_due = triage.map(|c| c.due_at);
    let transfer_due = clock("ex.transfer").map(|c| c.due_at);
    let provisional = triage.is_some_and(|c| c.provisional);
    let received_at = f.case.received_at;
    let (queue, state) = (f.case.queue, f.case.state);
    move |s: Stored| Filed {
        id: s.id,
        number: s.number,
        version: 1,
        queue,
        state,
        received_at,
        triage_due,
        transfer_due,
        provisional,
    }
}

/// A batch of leads of one office, ready to store: everything that needs no database, computed
/// before the write transaction (on the import path, while the previous batch is being stored).
pub(crate) struct Batch(store::intake::Built);

/// Prepares many leads of one office as of `now` (pure computation, no database): their clocks
/// and the rows that store them (`store::intake::Built`; `regions` are the owning offices').
/// Leads received at the same instant have the same first clocks, computed once.
pub(crate) fn prepare_batch(
    time: &super::case::Timekeeper,
    creator: Creator<'_>,
    triage_days: Option<u32>,
    valid: Vec<ValidCase>,
    now: DateTime<Utc>,
    regions: &HashMap<i64, String>,
) -> Batch {
    let mut by_instant: HashMap<DateTime<Utc>, Vec<ClockRow>> = HashMap::new();
    let filings = valid
        .into_iter()
        .map(|v| {
            let mut d = lead(creator, v, now);
            d.triage_days = triage_days;
            let clocks = by_instant
                .entry(d.received_at)
                .or_insert_with(|| first_clocks(time, &d, now))
                .clone();
            rows(d, clocks, now)
        })
        .collect();
    Batch(store::intake::Built::new(filings, regions))
}

impl Batch {
    /// Reserves the batch's case numbers, each year's in a statement that commits at once (see
    /// `store::intake::reserve_for`).
    pub(crate) async fn reserve_numbers(&self, db: &store::Db) -> Result<store::intake::Reserved> {
        Ok(store::intake::reserve_for(db.conn(), &self.0.years()).await?)
    }

    /// Writes the batch's rows in an import's transaction under numbers reserved before, to be
    /// finished by [`finish_batch`].
    pub(crate) async fn stage(
        self,
        txn: &store::intake::ImportTxn,
        numbers: store::intake::Reserved,
    ) -> Result<store::intake::Inserted> {
        Ok(txn.stage(self.0, numbers).await?)
    }
}

/// Counts a staged batch, appends its audit entry and commits its transaction.
pub(crate) async fn finish_batch(
    txn: store::intake::ImportTxn,
    staged: store::intake::Inserted,
    audit: impl FnOnce(&[Stored]) -> store::audit::NewEntry + Send,
) -> Result<Vec<Stored>> {
    Ok(txn.finish(staged, audit).await?)
}

/// Stores a prepared batch of leads with its audit entry in an import's write transaction.
pub(crate) async fn store_batch(
    txn: &store::intake::ImportTxn,
    batch: Batch,
    audit: impl FnOnce(&[Stored]) -> store::audit::NewEntry + Send,
) -> Result<Vec<Stored>> {
    Ok(txn.store(batch.0, audit).await?)
}
