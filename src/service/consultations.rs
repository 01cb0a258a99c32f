//! Consultations (咨询): an enterprise asks online, or staff of a centre or office record a
//! question taken by phone, at a visit or by e-mail; the answering organisation answers it, and a
//! question that turns out to be a case becomes the enterprise's complaint or the office's lead
//! in one step, keeping the link.

use super::intake::{self, Filed};
use super::{Ctx, Identity, audit_entry};
use crate::domain::case::intake::{CaseInput, PartyInput};
use crate::domain::consultation::{
    self, AnswerInput, Asker, ConsultTopic, ConsultationInput, Status,
};
use crate::domain::identity::OrgKind;
use crate::domain::policy::{
    self, Action, ConsultationAccess, ConsultationFacts, consultation_access,
};
use crate::domain::time::start_of_day_utc;
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::consultations::{Filter, NewConsultation, Scope};
use crate::store::{self, Db};
use chrono::NaiveDate;
use entity::consultations;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// At most this many consultations per page.
pub const PAGE: u64 = 50;

/// A consultation as pages and the API show it.
#[derive(Debug, Clone)]
pub struct ConsultationView {
    pub row: consultations::Model,
    pub status: Status,
    /// The answering organisation's name.
    pub org_name: String,
    /// The number of the case it became.
    pub case_number: Option<String>,
    pub access: ConsultationAccess,
}

impl ConsultationView {
    pub fn topic(&self) -> ConsultTopic {
        ConsultTopic::parse(&self.row.topic).unwrap_or(ConsultTopic::Other)
    }
}

/// What the policy needs to know about `c`; `centres` maps workstations to their centres.
fn facts(c: &consultations::Model, centres: &HashMap<i64, i64>) -> ConsultationFacts {
    ConsultationFacts {
        org_id: c.org_id,
        enterprise_org_id: c.enterprise_org_id,
        centre_org_id: centres.get(&c.org_id).copied(),
    }
}

/// The list's filters as sent (`GET /api/v1/consultations`, the page's form).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    #[param(value_type = Option<ConsultTopic>)]
    pub topic: Option<String>,
    /// `open`, `answered` or `converted`.
    #[param(pattern = "^(open|answered|converted)$")]
    pub status: Option<String>,
    /// Part of the question, the answer or the asker's name.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Asked on or after (`YYYY-MM-DD`, Beijing time).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Asked on or before (`YYYY-MM-DD`, Beijing time).
    #[param(format = Date)]
    pub to: Option<String>,
    /// An id from `next_before`: older consultations.
    pub before: Option<i64>,
}

/// A page of consultations.
#[derive(Debug, Clone)]
pub struct Listing {
    pub items: Vec<ConsultationView>,
    /// How many match the filters in all.
    pub total: u64,
    pub next_before: Option<i64>,
    /// Per topic: (topic, open, answered, converted, minutes), over every match.
    pub figures: Vec<(ConsultTopic, i64, i64, i64, i64)>,
}

/// Whose consultations `me` sees: an enterprise its own; staff their organisation's (a centre
/// also its workstations'); heads of office also those of the offices below.
pub(super) async fn scope(db: &Db, me: &Identity) -> Result<Scope> {
    policy::authorize(&me.actor, Action::ViewConsultations)?;
    if policy::can(&me.actor, Action::AskConsultation) {
        return Ok(Scope::Enterprise(me.org.id));
    }
    let mut orgs = vec![me.org.id];
    orgs.extend(me.actor.oversees.iter().copied());
    if me.org.kind == OrgKind::AssistanceCenter {
        orgs.extend(
            store::orgs::workstations_of(db.conn(), me.org.id)
                .await?
                .into_iter()
                .map(|w| w.id),
        );
    }
    orgs.sort_unstable();
    orgs.dedup();
    Ok(Scope::Orgs(orgs))
}

fn day(field: &'static str, v: Option<&str>) -> Result<Option<NaiveDate>> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::Invalid(vec![FieldError::new(field, "error.date")])),
    }
}

/// The store's filter from the sent one; a bad value is a 422 naming its field.
fn filter(q: &ListQuery) -> Result<Filter> {
    let mut errors = Vec::new();
    let topic = match q.topic.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => match ConsultTopic::parse(t) {
            Some(t) => Some(t.as_str()),
            None => {
                errors.push(FieldError::new("topic", "error.consultation.topic"));
                None
            }
        },
    };
    let status = match q.status.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(s) => match Status::parse(s) {
            Some(s) => Some(s.as_str()),
            None => {
                errors.push(FieldError::new("status", "error.consultation.status"));
                None
            }
        },
    };
    let text =
        q.q.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
    if text.as_ref().is_some_and(|t| t.chars().count() > 100) {
        errors.push(FieldError::new("q", "error.text.too_long"));
    }
    let from = day("from", q.from.as_deref());
    let to = day("to", q.to.as_deref());
    for r in [&from, &to] {
        if let Err(AppError::Invalid(e)) = r {
            errors.extend(e.iter().cloned());
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(Filter {
        topic,
        status,
        text,
        from: from.ok().flatten().map(start_of_day_utc),
        to: to
            .ok()
            .flatten()
            .and_then(|d| d.succ_opt())
            .map(start_of_day_utc),
        before: q.before,
    })
}

/// The consultations `me` may see that match `q`, newest first, with their figures.
pub async fn list(db: &Db, me: &Identity, q: &ListQuery) -> Result<Listing> {
    let scope = scope(db, me).await?;
    let f = filter(q)?;
    let (rows, total) = store::consultations::list(db.conn(), &scope, &f, PAGE).await?;
    let next_before = (rows.len() as u64 == PAGE)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let mut by_topic: HashMap<&str, (i64, i64, i64, i64)> = HashMap::new();
    for (topic, status, n, minutes) in
        store::consultations::figures(db.conn(), &scope, &Filter { before: None, ..f }).await?
    {
        let t = ConsultTopic::parse(&topic)
            .unwrap_or(ConsultTopic::Other)
            .as_str();
        let e = by_topic.entry(t).or_default();
        match status.as_str() {
            "open" => e.0 += n,
            "answered" => e.1 += n,
            _ => e.2 += n,
        }
        e.3 += minutes;
    }
    let figures = ConsultTopic::ALL
        .iter()
        .filter_map(|t| {
            by_topic
                .get(t.as_str())
                .map(|(o, a, c, m)| (*t, *o, *a, *c, *m))
        })
        .collect();
    Ok(Listing {
        items: views(db, me, rows).await?,
        total,
        next_before,
        figures,
    })
}

async fn views(
    db: &Db,
    me: &Identity,
    rows: Vec<consultations::Model>,
) -> Result<Vec<ConsultationView>> {
    let (orgs, centres) = orgs_and_centres(db, rows.iter().map(|r| r.org_id)).await?;
    let names: HashMap<i64, String> = orgs.into_values().map(|o| (o.id, o.name)).collect();
    let case_ids: Vec<i64> = rows.iter().filter_map(|r| r.case_id).collect();
    let numbers = store::cases::numbers(db.conn(), &case_ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| ConsultationView {
            status: Status::of(row.answered_at.is_some(), row.case_id.is_some()),
            org_name: names.get(&row.org_id).cloned().unwrap_or_default(),
            case_number: row.case_id.and_then(|id| numbers.get(&id).cloned()),
            access: consultation_access(&me.actor, &facts(&row, &centres)),
            row,
        })
        .collect())
}

/// The organisations `ids` by id, and the centre (the parent) of each workstation among them:
/// what the access rules of consultations and health checks need about who was asked.
pub(super) async fn orgs_and_centres(
    db: &Db,
    ids: impl IntoIterator<Item = i64>,
) -> Result<(
    HashMap<i64, entity::organizations::Model>,
    HashMap<i64, i64>,
)> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let orgs = store::orgs::by_ids(db.conn(), ids).await?;
    let centres = orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Workstation.as_str())
        .filter_map(|o| Some((o.id, o.parent_id?)))
        .collect();
    Ok((orgs.into_iter().map(|o| (o.id, o)).collect(), centres))
}

/// Consultation `id` if `me` may see it (404 otherwise).
pub async fn get(db: &Db, me: &Identity, id: i64) -> Result<ConsultationView> {
    let row = store::consultations::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = views(db, me, vec![row]).await?.remove(0);
    if view.access == ConsultationAccess::None {
        return Err(AppError::NotFound);
    }
    Ok(view)
}

/// Records a consultation: an enterprise's own question (sent to the centre serving its
/// region), or one staff took for their organisation.
pub async fn create(cx: &Ctx, me: &Identity, input: ConsultationInput) -> Result<ConsultationView> {
    let new = if policy::can(&me.actor, Action::AskConsultation) {
        let valid = consultation::validate(&input, Asker::Enterprise).map_err(AppError::Invalid)?;
        let office = store::orgs::consulted_office(cx.db.conn(), &me.org.region_code)
            .await?
            .ok_or(AppError::Conflict(Msg::new("error.consultation.no_office")))?;
        NewConsultation {
            org_id: office.id,
            region_code: me.org.region_code.clone(),
            enterprise_org_id: Some(me.org.id),
            asker_name: me.org.name.clone(),
            asker_contact: me.user.phone.clone().or(me.org.contact_phone.clone()),
            channel: valid.channel.as_str(),
            topic: valid.topic.as_str(),
            question: valid.question,
            asked_by_user_id: Some(me.user.id),
            recorded_by_user_id: None,
            answer: None,
            is_demo: me.user.is_demo,
        }
    } else if policy::can(&me.actor, Action::RecordConsultation) {
        let valid = consultation::validate(&input, Asker::Staff).map_err(AppError::Invalid)?;
        let enterprise = match &valid.enterprise_uscc {
            Some(u) => store::orgs::enterprise_by_uscc(cx.db.conn(), u.as_str()).await?,
            None => None,
        };
        NewConsultation {
            org_id: me.org.id,
            region_code: enterprise
                .as_ref()
                .map_or(me.org.region_code.clone(), |e| e.region_code.clone()),
            enterprise_org_id: enterprise.map(|e| e.id),
            asker_name: valid.asker_name.unwrap_or_default(),
            asker_contact: valid.asker_contact,
            channel: valid.channel.as_str(),
            topic: valid.topic.as_str(),
            question: valid.question,
            asked_by_user_id: None,
            recorded_by_user_id: Some(me.user.id),
            answer: valid.answer.map(|a| (a.text, a.minutes, me.user.id)),
            is_demo: me.user.is_demo,
        }
    } else {
        return Err(AppError::forbidden());
    };
    let txn = cx.db.begin_write().await?;
    let row = store::consultations::insert(&txn, new, cx.now).await?;
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "consult.create",
        ("consultation", row.id.to_string()),
        &json!({"topic": row.topic, "channel": row.channel, "org_id": row.org_id,
                "answered": row.answered_at.is_some()}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(views(&cx.db, me, vec![row]).await?.remove(0))
}

/// Answers a consultation not answered yet (staff of the answering organisation).
pub async fn answer(
    cx: &Ctx,
    me: &Identity,
    id: i64,
    input: AnswerInput,
) -> Result<ConsultationView> {
    let c = get(&cx.db, me, id).await?;
    if c.access != ConsultationAccess::Answer {
        return Err(AppError::forbidden());
    }
    if c.row.answered_at.is_some() {
        return Err(AppError::Conflict(Msg::new("error.consultation.answered")));
    }
    let a = consultation::validate_answer(&input).map_err(AppError::Invalid)?;
    let txn = cx.db.begin_write().await?;
    if !store::consultations::answer(&txn, id, &a.text, a.minutes, me.user.id, cx.now).await? {
        return Err(AppError::Conflict(Msg::new("error.consultation.answered")));
    }
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "consult.answer",
        ("consultation", id.to_string()),
        &json!({"minutes_spent": a.minutes}),
    );
    store::audit::append(&txn, entry).await?;
    if let Some(asker) = c.row.asked_by_user_id {
        // The enterprise that asked online hears of the answer.
        super::notifications::mail_user(
            cx,
            &txn,
            asker,
            ("consultation.mail.subject", "consultation.mail.answered"),
            &format!("/consultations/{id}"),
            &[("org", &c.org_name)],
        )
        .await?;
    }
    txn.commit().await?;
    get(&cx.db, me, id).await
}

/// What a consultation gives the complaint or lead made from it: the question as the
/// description, the region, and (for a lead) the asker as the complainant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefill {
    pub description: String,
    pub region_code: String,
    pub complainant_name: Option<String>,
    /// Who asked, when the complainant is their enterprise.
    pub complainant_contact_name: Option<String>,
    pub complainant_contact: Option<String>,
    /// The asking enterprise's credit code, when it is one kept here (a lead for a 专精特新
    /// enterprise goes on the fast track).
    pub complainant_uscc: Option<String>,
}

/// Consultation `id` if `me` may turn it into a case now, with what it gives the case.
pub async fn convertible(db: &Db, me: &Identity, id: i64) -> Result<(ConsultationView, Prefill)> {
    let c = get(db, me, id).await?;
    if !policy::may_convert_consultation(&me.actor, c.access) {
        return Err(AppError::forbidden());
    }
    if c.row.case_id.is_some() {
        return Err(AppError::Conflict(Msg::new("error.consultation.converted")));
    }
    let lead = c.access == ConsultationAccess::Answer;
    // A lead's complainant: the enterprise that asked when it is kept here (the asker is its
    // contact), else the asker.
    let enterprise = match (lead, c.row.enterprise_org_id) {
        (true, Some(id)) => store::orgs::get(db.conn(), id).await?,
        _ => None,
    };
    let prefill = Prefill {
        description: c.row.question.clone(),
        region_code: c.row.region_code.clone(),
        complainant_name: lead.then(|| {
            enterprise
                .as_ref()
                .map_or(c.row.asker_name.clone(), |e| e.name.clone())
        }),
        complainant_contact_name: enterprise.as_ref().map(|_| c.row.asker_name.clone()),
        complainant_contact: c.row.asker_contact.clone().filter(|_| lead),
        complainant_uscc: enterprise.and_then(|e| e.uscc),
    };
    Ok((c, prefill))
}

/// Turns consultation `id` into the asking enterprise's complaint or the answering office's
/// lead. What `input` leaves empty comes from the consultation ([`Prefill`]); a lead's source
/// defaults to the office's own.
pub async fn convert(cx: &Ctx, me: &Identity, id: i64, mut input: CaseInput) -> Result<Filed> {
    let (_, prefill) = convertible(&cx.db, me, id).await?;
    if input.description.trim().is_empty() {
        input.description = prefill.description;
    }
    if input.region_code.trim().is_empty() {
        input.region_code = prefill.region_code;
    }
    if let (None, Some(name)) = (&input.complainant, prefill.complainant_name) {
        input.complainant = Some(PartyInput {
            name,
            contact_name: prefill.complainant_contact_name,
            contact_phone: prefill.complainant_contact,
            uscc: prefill.complainant_uscc,
            ..Default::default()
        });
    }
    if policy::can_enter_lead(&me.actor) && input.source.is_none() {
        input.source = Some("officer".into());
    }
    intake::file_consultation(cx, me, input, id).await
}
