//! IP health checks (知识产权体检): an enterprise asks the centre serving its region (the nearest
//! organisation that answers consultations); staff there accept it and name who does it, or
//! decline with reasons, and complete it with a summary and the result report, which the
//! enterprise downloads. Every step is audited; the requester hears of the outcome by e-mail when
//! mail is configured, and the enterprise's pages show it.

use super::registration::{Upload, keep_document};
use super::{Ctx, Identity, audit_entry};
use crate::config::Config;
use crate::domain::evidence::{self as evidence_rules, sniff};
use crate::domain::health_check::{
    self, AcceptInput, CheckArea, CheckRequestInput, CheckStatus, DeclineInput, Step,
};
use crate::domain::identity::{OrgKind, Role};
use crate::domain::policy::{self, Action, ConsultationAccess, ConsultationFacts};
use crate::domain::time::start_of_day_utc;
use crate::error::{AppError, FieldError, Msg, OnConstraint, Result};
use crate::files::{self, Store};
use crate::store::consultations::Scope;
use crate::store::health_checks::{Change, Filter, NewCheck, Report};
use crate::store::{self, Db};
use bytes::Bytes;
use chrono::NaiveDate;
use entity::health_checks;
use futures::stream::BoxStream;
use serde_json::json;
use std::collections::HashMap;

/// At most this many checks per page.
pub const PAGE: u64 = 50;

/// A health check as pages and the API show it.
#[derive(Debug, Clone)]
pub struct CheckView {
    pub row: health_checks::Model,
    pub status: CheckStatus,
    pub areas: Vec<CheckArea>,
    /// The serving organisation's name.
    pub org_name: String,
    pub enterprise_name: String,
    pub enterprise_uscc: Option<String>,
    pub assignee_name: Option<String>,
    pub access: ConsultationAccess,
}

impl CheckView {
    /// Whether the caller is staff of the serving organisation (or its centre) and may act.
    pub fn serves(&self) -> bool {
        self.access == ConsultationAccess::Answer
    }

    /// Whether the caller may take `step` now.
    pub fn may(&self, step: Step) -> bool {
        self.serves() && self.status.allows(step)
    }
}

/// A page of checks with the counts per status of all the caller sees.
#[derive(Debug, Clone)]
pub struct Listing {
    pub items: Vec<CheckView>,
    pub total: u64,
    pub next_before: Option<i64>,
    pub counts: Vec<(CheckStatus, i64)>,
}

async fn scope(db: &Db, me: &Identity) -> Result<Scope> {
    policy::authorize(&me.actor, Action::ViewHealthChecks)?;
    super::consultations::scope(db, me).await
}

/// The list's filters as sent (`GET /api/v1/health-checks`, the page's links).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    #[param(value_type = Option<CheckStatus>)]
    pub status: Option<String>,
    /// Requested on or after (`YYYY-MM-DD`, Beijing time).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Requested on or before (`YYYY-MM-DD`, Beijing time).
    #[param(format = Date)]
    pub to: Option<String>,
    /// An id from `next_before`: older checks.
    pub before: Option<i64>,
}

/// The store's filter from the sent one; a bad value is a 422 naming its field.
fn filter(q: &ListQuery) -> Result<Filter> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut errors = Vec::new();
    let status = match given(&q.status) {
        None => None,
        Some(s) => match CheckStatus::parse(&s) {
            Some(s) => Some(s.as_str()),
            None => {
                errors.push(FieldError::new("status", "error.health_check.status"));
                None
            }
        },
    };
    let mut day = |field: &'static str, v: Option<String>| {
        v.and_then(|d| match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(field, "error.date"));
                None
            }
        })
    };
    let from = day("from", given(&q.from)).map(start_of_day_utc);
    let to = day("to", given(&q.to)).map(|d| start_of_day_utc(d + chrono::Days::new(1)));
    if errors.is_empty() {
        Ok(Filter { status, from, to })
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// The checks `me` sees matching `q`, newest first, with the count per status in its period.
pub async fn list(db: &Db, me: &Identity, q: &ListQuery) -> Result<Listing> {
    let scope = scope(db, me).await?;
    let f = filter(q)?;
    let (rows, total) = store::health_checks::list(db.conn(), &scope, &f, q.before, PAGE).await?;
    let next_before = (rows.len() as u64 == PAGE)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let counted: HashMap<String, i64> = store::health_checks::counts(db.conn(), &scope, &f)
        .await?
        .into_iter()
        .collect();
    let counts = CheckStatus::ALL
        .iter()
        .map(|s| (*s, counted.get(s.as_str()).copied().unwrap_or(0)))
        .collect();
    Ok(Listing {
        items: views(db, me, rows).await?,
        total,
        next_before,
        counts,
    })
}

async fn views(db: &Db, me: &Identity, rows: Vec<health_checks::Model>) -> Result<Vec<CheckView>> {
    let (orgs, centres) = super::consultations::orgs_and_centres(
        db,
        rows.iter().flat_map(|r| [r.org_id, r.enterprise_org_id]),
    )
    .await?;
    let names = store::users::names(
        db.conn(),
        rows.iter().filter_map(|r| r.assignee_user_id).collect(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let facts = ConsultationFacts {
                org_id: row.org_id,
                enterprise_org_id: Some(row.enterprise_org_id),
                centre_org_id: centres.get(&row.org_id).copied(),
            };
            let enterprise = orgs.get(&row.enterprise_org_id);
            CheckView {
                status: CheckStatus::parse(&row.status).unwrap_or(CheckStatus::Requested),
                areas: health_check::areas_of(&row.areas),
                org_name: orgs
                    .get(&row.org_id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                enterprise_name: enterprise.map(|o| o.name.clone()).unwrap_or_default(),
                enterprise_uscc: enterprise.and_then(|o| o.uscc.clone()),
                assignee_name: row.assignee_user_id.and_then(|u| names.get(&u).cloned()),
                access: policy::consultation_access(&me.actor, &facts),
                row,
            }
        })
        .collect())
}

/// Check `id` if `me` may see it (404 otherwise).
pub async fn get(db: &Db, me: &Identity, id: i64) -> Result<CheckView> {
    let row = store::health_checks::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = views(db, me, vec![row]).await?.remove(0);
    if view.access == ConsultationAccess::None {
        return Err(AppError::NotFound);
    }
    Ok(view)
}

/// The enterprise's check not finished yet, if any (the request form says so).
pub async fn open_request(db: &Db, me: &Identity) -> Result<Option<i64>> {
    policy::authorize(&me.actor, Action::RequestHealthCheck)?;
    Ok(store::health_checks::open_of(db.conn(), me.org.id)
        .await?
        .map(|c| c.id))
}

/// Asks for a health check in the caller's enterprise's name, from the organisation serving its
/// region; one unfinished request per enterprise (409 for a second).
pub async fn request(cx: &Ctx, me: &Identity, input: CheckRequestInput) -> Result<CheckView> {
    policy::authorize(&me.actor, Action::RequestHealthCheck)?;
    let valid = health_check::validate_request(&input).map_err(AppError::Invalid)?;
    let office = store::orgs::consulted_office(cx.db.conn(), &me.org.region_code)
        .await?
        .ok_or(AppError::Conflict(Msg::new("error.health_check.no_office")))?;
    let pending = || AppError::Conflict(Msg::new("error.health_check.pending"));
    let txn = cx.db.begin_write().await?;
    if store::health_checks::open_of(&txn, me.org.id)
        .await?
        .is_some()
    {
        txn.rollback().await?;
        return Err(pending());
    }
    let new = NewCheck {
        org_id: office.id,
        region_code: me.org.region_code.clone(),
        enterprise_org_id: me.org.id,
        areas: health_check::areas_text(&valid.areas),
        products: valid.products,
        note: valid.note,
        contact_name: valid.contact_name,
        contact_phone: valid.contact_phone,
        requested_by_user_id: me.user.id,
        is_demo: me.user.is_demo,
    };
    let row = store::health_checks::insert(&txn, new, cx.now)
        .await
        .on_unique(pending)?;
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "checkup.request",
        ("health_check", row.id.to_string()),
        &json!({"areas": row.areas, "org_id": row.org_id}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(views(&cx.db, me, vec![row]).await?.remove(0))
}

/// The staff who may be named to do check `c`: active users of the serving organisation (and
/// of its centre) who answer consultations, by name.
pub async fn staff(db: &Db, c: &CheckView) -> Result<Vec<(i64, String)>> {
    let mut orgs = vec![c.row.org_id];
    if let Some(o) = store::orgs::get(db.conn(), c.row.org_id).await?
        && let Some(parent) = o.parent_id
        && o.kind == OrgKind::Workstation.as_str()
    {
        orgs.push(parent);
    }
    let mut staff = Vec::new();
    for org in orgs {
        for (u, o) in store::users::list(db.conn(), Some(org)).await? {
            let role = u.role.parse::<Role>().ok();
            let answers = o
                .kind
                .parse::<OrgKind>()
                .is_ok_and(|k| k.answers_consultations())
                && matches!(role, Some(Role::Triager | Role::Officer | Role::Supervisor));
            if answers && !u.disabled {
                staff.push((u.id, u.display_name));
            }
        }
    }
    Ok(staff)
}

/// The check as someone serving it may act on it (403 for one who only reads it).
async fn served(db: &Db, me: &Identity, id: i64) -> Result<CheckView> {
    let c = get(db, me, id).await?;
    if !c.serves() {
        return Err(AppError::forbidden());
    }
    Ok(c)
}

/// The answer to a step its check's status does not allow.
fn not_now(c: &CheckView) -> AppError {
    AppError::Conflict(Msg::new(match c.status {
        CheckStatus::Requested => "error.health_check.not_accepted",
        CheckStatus::Accepted => "error.health_check.already_accepted",
        CheckStatus::Completed | CheckStatus::Declined => "error.health_check.closed",
    }))
}

/// Takes a step in one write: the conditional update (of two steps at once only the first
/// counts), the audit entry, and the e-mail to the requester when the check ends.
async fn take(
    cx: &Ctx,
    me: &Identity,
    c: &CheckView,
    step: Step,
    change: Change,
    audit: serde_json::Value,
) -> Result<CheckView> {
    let from: Vec<&'static str> = CheckStatus::before(step)
        .into_iter()
        .map(CheckStatus::as_str)
        .collect();
    let action = match step {
        Step::Accept => "checkup.accept",
        Step::Decline => "checkup.decline",
        Step::Complete => "checkup.complete",
    };
    let txn = cx.db.begin_write().await?;
    if !store::health_checks::step(&txn, c.row.id, &from, change, me.user.id, cx.now).await? {
        txn.rollback().await?;
        let now = get(&cx.db, me, c.row.id).await?;
        return Err(not_now(&now));
    }
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        action,
        ("health_check", c.row.id.to_string()),
        &audit,
    );
    store::audit::append(&txn, entry).await?;
    if step != Step::Accept {
        // The requester hears that it ended (by e-mail, when there is mail and an address).
        let body = if step == Step::Complete {
            "health_check.mail.completed"
        } else {
            "health_check.mail.declined"
        };
        super::notifications::mail_user(
            cx,
            &txn,
            c.row.requested_by_user_id,
            ("health_check.mail.subject", body),
            &format!("/health-checks/{}", c.row.id),
            &[("org", &c.org_name)],
        )
        .await?;
    }
    txn.commit().await?;
    get(&cx.db, me, c.row.id).await
}

/// Check `id` if `me` may complete it now (before its report is streamed in): 404 out of
/// reach, 403 for one who only reads it, 409 when it is not accepted or already ended.
pub async fn may_complete(db: &Db, me: &Identity, id: i64) -> Result<CheckView> {
    let c = served(db, me, id).await?;
    if !c.status.allows(Step::Complete) {
        return Err(not_now(&c));
    }
    Ok(c)
}

/// Accepts check `id`, naming who does it (the caller when no one is named).
pub async fn accept(cx: &Ctx, me: &Identity, id: i64, input: AcceptInput) -> Result<CheckView> {
    let c = served(&cx.db, me, id).await?;
    if !c.status.allows(Step::Accept) {
        return Err(not_now(&c));
    }
    let assignee = input.assignee_user_id.unwrap_or(me.user.id);
    let staff = staff(&cx.db, &c).await?;
    let Some((_, name)) = staff.iter().find(|(u, _)| *u == assignee) else {
        return Err(AppError::field(
            "assignee_user_id",
            "error.health_check.assignee",
        ));
    };
    let audit = json!({"assignee_user_id": assignee, "assignee": name});
    let change = Change::Accept {
        assignee_user_id: assignee,
    };
    take(cx, me, &c, Step::Accept, change, audit).await
}

/// Declines check `id` with reasons the enterprise reads.
pub async fn decline(cx: &Ctx, me: &Identity, id: i64, input: DeclineInput) -> Result<CheckView> {
    let c = served(&cx.db, me, id).await?;
    let reasons = health_check::validate_reasons(&input).map_err(AppError::Invalid)?;
    if !c.status.allows(Step::Decline) {
        return Err(not_now(&c));
    }
    let audit = json!({"reasons": reasons});
    take(
        cx,
        me,
        &c,
        Step::Decline,
        Change::Decline { reasons },
        audit,
    )
    .await
}

/// Completes check `id` with the summary and the result report (a PDF, JPEG or PNG, required),
/// stored in the blob store before the row names it.
pub async fn complete(
    cx: &Ctx,
    blobs: &Store,
    config: &Config,
    me: &Identity,
    id: i64,
    summary: &str,
    upload: Upload,
) -> Result<CheckView> {
    let c = served(&cx.db, me, id).await?;
    let mut errors = Vec::new();
    let summary = health_check::validate_summary(summary)
        .map_err(|e| errors.extend(e))
        .unwrap_or_default();
    let report = match upload {
        Upload::None => {
            errors.push(FieldError::new("report", "error.health_check.report"));
            None
        }
        Upload::Refused(e) => {
            errors.push(e);
            None
        }
        Upload::Received(d) => {
            let original_name = d
                .file_name
                .as_deref()
                .and_then(evidence_rules::sanitize_file_name);
            let ext = original_name.as_deref().and_then(evidence_rules::extension);
            let r = &d.received;
            let complete = r.size as usize <= r.head.len();
            match sniff::decide(&r.head, complete, d.claimed_type.as_deref(), ext.as_deref()) {
                Ok(t) if health_check::REPORT_TYPES.contains(&t) => Some((d, t, original_name)),
                Err(sniff::Refusal::Empty) => {
                    errors.push(FieldError::new("report", "error.evidence.empty"));
                    None
                }
                _ => {
                    errors.push(FieldError::new("report", "error.health_check.report_type"));
                    None
                }
            }
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let Some((d, media_type, original_name)) = report else {
        return Err(AppError::field("report", "error.health_check.report"));
    };
    if !c.status.allows(Step::Complete) {
        return Err(not_now(&c));
    }
    keep_document(blobs, config, &d.received, "report").await?;
    let report = Report {
        object_key: files::object_key(&d.received.sha256),
        sha256: d.received.sha256.clone(),
        size: d.received.size as i64,
        media_type: media_type.to_string(),
        original_name,
    };
    let audit = json!({"sha256": report.sha256, "size": report.size,
                       "media_type": report.media_type, "summary": summary});
    take(
        cx,
        me,
        &c,
        Step::Complete,
        Change::Complete { summary, report },
        audit,
    )
    .await
}

/// A result report opened for download.
pub struct OpenedReport {
    pub served_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size: i64,
    /// The bytes; none for a `HEAD` request.
    pub body: Option<BoxStream<'static, std::io::Result<Bytes>>>,
}

/// Opens the result report of check `id` for one who may see the check (404 when there is none
/// yet). A download (not a `HEAD`) is audited.
pub async fn open_report(
    cx: &Ctx,
    blobs: &Store,
    me: &Identity,
    id: i64,
    head: bool,
) -> Result<OpenedReport> {
    let c = get(&cx.db, me, id).await?;
    let r = &c.row;
    let (Some(key), Some(sha256), Some(size), Some(media_type)) = (
        r.report_object_key.clone(),
        r.report_sha256.clone(),
        r.report_size,
        r.report_media_type.clone(),
    ) else {
        return Err(AppError::NotFound);
    };
    let body = if head {
        None
    } else {
        let stream = blobs
            .get(&key)
            .await
            .map_err(super::evidence::read_failed)?;
        let entry = audit_entry(
            Some(&me.user),
            &cx.meta,
            "checkup.report_download",
            ("health_check", r.id.to_string()),
            &json!({"sha256": sha256}),
        );
        let txn = cx.db.begin_write().await?;
        store::audit::append(&txn, entry).await?;
        txn.commit().await?;
        Some(stream)
    };
    Ok(OpenedReport {
        served_name: health_check::report_name(c.enterprise_uscc.as_deref(), r.id, &media_type),
        media_type,
        sha256,
        size,
        body,
    })
}
