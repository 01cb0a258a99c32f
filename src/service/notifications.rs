//! Deadline notices: the scheduler's pass (missed clocks, due-soon, overdue and escalation
//! notices, their e-mails), e-mail delivery from the outbox, the notification centre and
//! "my deadlines".
//!
//! Exactly once: a notice is keyed by (user, case, rule, kind, due instant) under a unique index
//! and inserted with `ON CONFLICT DO NOTHING`, so a second tick, a restart or a second server
//! process finds it there and adds nothing; the e-mail of a notice is queued in the same
//! transaction, only for notices this pass actually inserted.

use super::case::Timekeeper;
use super::{Ctx, Identity};
use crate::config::Config;
use crate::domain::case::EventKind;
use crate::domain::deadline::Rules;
use crate::domain::deadline::{State, Unit};
use crate::domain::identity::{OrgKind, Role};
use crate::domain::notice::event::Topic;
use crate::domain::notice::{self, CaseInfo, ClockInfo, Kind, Settings, Staff};
use crate::domain::time::beijing;
use crate::error::{AppError, Result};
use crate::i18n::{self, Lang};
use crate::store::notifications::{self as store, Candidate, NewMail, NewNotice, Window};
use crate::store::{self as db_store, Db};
use chrono::{DateTime, Datelike, Days, TimeDelta, Utc};
use entity::notifications;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// How far ahead hour clocks are read for their warning: the lead of the longest hour rule
/// (its period plus every extension), doubled to leave room for paused time. A clock whose
/// window grew longer still is warned at least this long before it is due.
pub fn hour_lookahead(rules: &Rules, s: &Settings) -> TimeDelta {
    let longest = rules
        .rules
        .values()
        .filter(|r| r.unit == Unit::Hours)
        .map(|r| {
            i64::from(r.amount)
                + r.extensions
                    .iter()
                    .filter(|t| t.unit == Unit::Hours)
                    .map(|t| i64::from(t.limit()))
                    .sum::<i64>()
        })
        .max()
        .unwrap_or(0);
    let share = TimeDelta::minutes(longest * 2 * 60 * i64::from(s.hour_percent) / 100);
    share.max(TimeDelta::hours(i64::from(s.hours)))
}
/// An e-mail is tried this many times, then left with its last error.
pub const MAIL_MAX_ATTEMPTS: i32 = 10;
/// A claimed e-mail is hidden from other senders this long.
const MAIL_LEASE_MINUTES: i64 = 10;
/// E-mails claimed at once, and sent per pass at most.
const MAIL_BATCH: u64 = 20;
const MAIL_PER_PASS: usize = 500;

/// The warning settings in force.
pub fn settings(config: &Config) -> Settings {
    Settings {
        working_days: config.due_soon_working_days,
        hours: config.due_soon_hours,
        hour_percent: config.due_soon_hour_percent,
    }
}

/// What one deadline pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassOutcome {
    /// Running clocks past their due instant, now marked `missed`.
    pub clocks_missed: u64,
    pub due_soon: u64,
    pub overdue: u64,
    pub escalations: u64,
    pub mails_queued: u64,
}

fn unit_of(s: &str) -> Unit {
    Unit::parse(s).unwrap_or(Unit::WorkingDays)
}

fn state_of(s: &str) -> State {
    State::parse(s).unwrap_or(State::Running)
}

fn informational(rules: &Rules, rule_id: &str) -> bool {
    rules.get(rule_id).is_some_and(|r| r.informational)
}

/// Whether the clock `rule_id` of a case whose events have `kinds` has stopped (a stop event
/// after its latest start), as the engine decides: a missed clock that stopped late is no
/// longer overdue. An unknown rule counts as running.
pub fn stopped(rules: &Rules, rule_id: &str, kinds: &[EventKind]) -> bool {
    let Some(rule) = rules.get(rule_id) else {
        return false;
    };
    let Some(start) = kinds
        .iter()
        .rposition(|k| rule.start.contains(k) || rule.restart.contains(k))
    else {
        return false;
    };
    kinds[start + 1..].iter().any(|k| rule.stop.contains(k))
}

/// Drops the missed clocks among `clocks` that have stopped (late); running ones stay.
async fn still_open<C: sea_orm::ConnectionTrait, T>(
    db: &C,
    rules: &Rules,
    clocks: Vec<T>,
    key: impl Fn(&T) -> (i64, &str, &str),
) -> Result<Vec<T>> {
    let mut ids: Vec<i64> = clocks
        .iter()
        .filter(|c| key(c).2 == State::Missed.as_str())
        .map(|c| key(c).0)
        .collect();
    if ids.is_empty() {
        return Ok(clocks);
    }
    ids.sort_unstable();
    ids.dedup();
    let mut kinds: HashMap<i64, Vec<EventKind>> = HashMap::new();
    for (case_id, kind) in store::event_kinds(db, &ids).await? {
        if let Some(k) = EventKind::parse(&kind) {
            kinds.entry(case_id).or_default().push(k);
        }
    }
    Ok(clocks
        .into_iter()
        .filter(|c| {
            let (case_id, rule_id, state) = key(c);
            state != State::Missed.as_str()
                || !stopped(
                    rules,
                    rule_id,
                    kinds.get(&case_id).map(Vec::as_slice).unwrap_or_default(),
                )
        })
        .collect())
}

/// A notice of the notification centre.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationView {
    pub id: i64,
    /// `due_soon`, `overdue`, `escalation` (`domain::notice::Kind`).
    pub kind: String,
    pub case_id: i64,
    pub rule_id: String,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    /// What the notice names: the case's number and title, the clock (`number`, `title`,
    /// `clock`, `unit`, `srdi_rank`).
    pub data: Value,
}

impl From<notifications::Model> for NotificationView {
    fn from(n: notifications::Model) -> Self {
        Self {
            data: serde_json::from_str(&n.data).unwrap_or(Value::Null),
            id: n.id,
            kind: n.kind,
            case_id: n.case_id,
            rule_id: n.rule_id,
            due_at: n.due_at,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// The title and text of a notice in `lang`: a deadline notice names its clock and due instant;
/// a notice of an event names the step (or the item waiting for a decision) and its public
/// details.
pub fn text(lang: Lang, n: &NotificationView) -> (String, String) {
    let data = &n.data;
    let s = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if Kind::parse(&n.kind).is_none() {
        return event_text(lang, n);
    }
    let due = crate::domain::time::due_text(n.due_at);
    let args = [
        ("number", s("number")),
        ("title", s("title")),
        ("clock", s("clock")),
        ("due", due),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (
        i18n::t(lang, &format!("notice.kind.{}", n.kind)),
        i18n::t_args(lang, &format!("notice.text.{}", n.kind), &args),
    )
}

/// The title and text of a notice of an event.
fn event_text(lang: Lang, n: &NotificationView) -> (String, String) {
    let data = &n.data;
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let event = s(data, "event");
    let what = match data.get("approval").and_then(Value::as_str) {
        Some(kind) => i18n::t_args(
            lang,
            "notice.text.waiting",
            &[("item", &i18n::t(lang, &format!("approval.kind.{kind}")))],
        ),
        None => i18n::t(lang, &format!("event.{event}")),
    };
    let d = data.get("detail").cloned().unwrap_or(Value::Null);
    let mut details = String::new();
    let mut add = |key: &str, name: &str, value: String| {
        if !value.is_empty() {
            details.push_str(&i18n::t_args(lang, key, &[(name, &value)]));
        }
    };
    add(
        "notice.detail.queue",
        "queue",
        match d.get("queue").and_then(Value::as_str) {
            Some(q) => i18n::t(lang, &format!("queue.{q}")),
            None => String::new(),
        },
    );
    add("notice.detail.to_org", "org", s(&d, "to_org"));
    add("notice.detail.fund", "fund", s(&d, "fund"));
    add("notice.detail.amount", "amount", s(&d, "amount_yuan"));
    add(
        "notice.detail.document",
        "document",
        match d.get("kind").and_then(Value::as_str) {
            Some(k) => i18n::t(lang, &format!("doc.kind.{k}")),
            None => String::new(),
        },
    );
    // A rejection names its reason from the list, and the words given with it.
    let reason = match (
        d.get("reason_code").and_then(Value::as_str),
        s(&d, "reason"),
    ) {
        (Some(code), words) if code != "other" || words.is_empty() => {
            let label = i18n::t(lang, &format!("reject_reason.{code}"));
            if words.is_empty() {
                label
            } else {
                format!("{label}（{words}）")
            }
        }
        (_, words) => words,
    };
    add("notice.detail.reason", "reason", reason);
    add("notice.detail.material_due", "date", s(&d, "material_due"));
    add("notice.detail.body", "body", s(&d, "body"));
    let title = match data.get("approval").and_then(Value::as_str) {
        Some(kind) => i18n::t(lang, &format!("approval.kind.{kind}")),
        None => i18n::t(lang, &format!("notice.topic.{}", n.kind)),
    };
    (
        title,
        i18n::t_args(
            lang,
            "notice.text.event",
            &[
                ("number", &s(data, "number")),
                ("title", &s(data, "title")),
                ("what", &what),
                ("details", &details),
            ],
        ),
    )
}

/// The e-mail of a notice to `to`, in Chinese then English, with a link to the case when the
/// public address is known.
pub fn mail_of(public_url: Option<&str>, n: &NotificationView, to: &str) -> NewMail {
    let (title_zh, text_zh) = text(Lang::Zh, n);
    let (title_en, text_en) = text(Lang::En, n);
    let number = n
        .data
        .get("number")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut body = format!("{title_zh}\n{text_zh}\n\n{title_en}\n{text_en}\n");
    if let Some(base) = public_url {
        let link = format!("{}/cases/{}", base.trim_end_matches('/'), n.case_id);
        body.push('\n');
        body.push_str(&i18n::t_args(
            Lang::Zh,
            "notice.mail.open",
            &[("link", &link)],
        ));
        body.push('\n');
    }
    NewMail {
        notification_id: n.id,
        to_address: to.to_string(),
        subject: format!("【{title_zh}】{number} {title_en}"),
        body,
    }
}

/// Queues an e-mail (Chinese, then English) to user `user_id` about something that is not a
/// case — a consultation answered, a health check ended — when mail is configured and the user
/// has an address. `path` is the page it is about; `args` fill the body's placeholders besides
/// `{link}`. Inside the caller's write transaction.
pub(super) async fn mail_user<C: sea_orm::ConnectionTrait>(
    cx: &Ctx,
    txn: &C,
    user_id: i64,
    (subject_key, body_key): (&str, &str),
    path: &str,
    args: &[(&str, &str)],
) -> Result<()> {
    if !cx.outbound.mail {
        return Ok(());
    }
    // A disabled account hears nothing.
    let Some(user) = db_store::users::get(txn, user_id)
        .await?
        .filter(|u| !u.disabled)
    else {
        return Ok(());
    };
    let Some(to) = user
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    else {
        return Ok(());
    };
    let link = match &cx.outbound.public_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => path.to_string(),
    };
    let mut all = args.to_vec();
    all.push(("link", &link));
    let subject = format!(
        "【{}】{}",
        i18n::t(Lang::Zh, subject_key),
        i18n::t(Lang::En, subject_key)
    );
    let body = format!(
        "{}\n\n{}\n",
        i18n::t_args(Lang::Zh, body_key, &all),
        i18n::t_args(Lang::En, body_key, &all)
    );
    store::insert_account_mail(txn, to, &subject, &body, cx.now).await?;
    Ok(())
}

/// The text message of a notice: its Chinese title and text, at most 300 characters.
pub fn sms_of(n: &NotificationView) -> String {
    let (title, text) = text(Lang::Zh, n);
    let full = format!("【{title}】{text}");
    if full.chars().count() <= 300 {
        full
    } else {
        let mut cut: String = full.chars().take(299).collect();
        cut.push('…');
        cut
    }
}

/// One deadline pass at `now`, in one write transaction: running clocks past due become
/// `missed`; every clock of an open case that calls for a notice (see `domain::notice`) gets
/// one per recipient, unless it has it already; an e-mail is queued per new notice for
/// recipients with an address when SMTP is configured.
pub async fn deadline_pass(
    db: &Db,
    config: &Config,
    time: &Timekeeper,
    now: DateTime<Utc>,
) -> Result<PassOutcome> {
    let s = settings(config);
    let cal = &*time.calendar();
    let rules = time.rules();
    let txn = db.begin_write().await?;
    let overdue = store::candidates(
        &txn,
        Window::Overdue {
            from: now - TimeDelta::days(config.notice_lookback_days),
            now,
        },
    )
    .await?;
    let clocks_missed = store::mark_missed(&txn, now).await?;
    let overdue = still_open(&txn, rules, overdue, |c: &Candidate| {
        (c.case_id, c.rule_id.as_str(), c.state.as_str())
    })
    .await?;
    let horizon = notice::day_horizon(now, &s, cal);
    let mut soon = store::candidates(
        &txn,
        Window::DueSoon {
            after: now,
            until: horizon,
            unit: None,
        },
    )
    .await?;
    let hour_until = now + hour_lookahead(rules, &s);
    if hour_until > horizon {
        soon.extend(
            store::candidates(
                &txn,
                Window::DueSoon {
                    after: horizon,
                    until: hour_until,
                    unit: Some("hours"),
                },
            )
            .await?,
        );
    }

    // Which notices each clock calls for now.
    let mut wanted: Vec<(&Candidate, Kind)> = Vec::new();
    for (c, allowed) in overdue
        .iter()
        .map(|c| (c, [Kind::Overdue, Kind::Escalation].as_slice()))
        .chain(soon.iter().map(|c| (c, [Kind::DueSoon].as_slice())))
    {
        let info = ClockInfo {
            unit: unit_of(&c.unit),
            start_at: c.start_at,
            due_at: c.due_at,
            state: state_of(&c.state),
            informational: informational(rules, &c.rule_id),
        };
        for k in notice::due_notices(&info, now, &s, cal) {
            if allowed.contains(&k) {
                wanted.push((c, k));
            }
        }
    }

    let mut out = PassOutcome {
        clocks_missed,
        ..Default::default()
    };
    if !wanted.is_empty() {
        let rows = crate::store::channels::staff(&txn).await?;
        let contacts: HashMap<i64, (Option<String>, Option<String>)> = rows
            .iter()
            .map(|r| (r.user_id, (r.email.clone(), r.phone.clone())))
            .collect();
        let staff: Vec<Staff> = rows
            .into_iter()
            .filter_map(|r| {
                Some(Staff {
                    user_id: r.user_id,
                    org_id: r.org_id,
                    org_kind: r.org_kind.parse::<OrgKind>().ok()?,
                    role: r.role.parse::<Role>().ok()?,
                    region_code: r.region_code,
                })
            })
            .collect();
        let mut notices = Vec::new();
        for (c, k) in &wanted {
            let case = CaseInfo {
                owner_org_id: c.owner_org_id,
                assignee_user_id: c.assignee_user_id,
                awaiting_triage: c.queue == crate::domain::case::Queue::Triage.as_str()
                    && c.case_state == crate::domain::case::CaseState::New.as_str(),
                region_code: c.region_code.clone(),
            };
            let data = json!({
                "number": c.number,
                "title": c.title,
                "clock": c.name,
                "unit": c.unit,
                "srdi_rank": c.srdi_rank,
            })
            .to_string();
            for user_id in notice::recipients(*k, &c.rule_id, &case, &staff) {
                notices.push(NewNotice {
                    user_id,
                    case_id: c.case_id,
                    rule_id: c.rule_id.clone(),
                    kind: k.as_str().to_string(),
                    due_at: c.due_at,
                    data: data.clone(),
                });
            }
        }
        let inserted = store::insert_notices(&txn, notices, now).await?;
        for n in &inserted {
            match Kind::parse(&n.kind) {
                Some(Kind::DueSoon) => out.due_soon += 1,
                Some(Kind::Overdue) => out.overdue += 1,
                Some(Kind::Escalation) => out.escalations += 1,
                None => {}
            }
        }
        let outbound = super::Outbound::of(config);
        out.mails_queued = queue_channels(&outbound, now, &txn, &inserted, |u| {
            contacts.get(&u).cloned()
        })
        .await?;
    }
    txn.commit().await?;
    Ok(out)
}

/// Queues the e-mail and SMS of new notices by each recipient's choices for the notice's topic,
/// for recipients with an address, when the channel is configured.
/// Returns how many e-mails it queued.
pub async fn queue_channels(
    out: &super::Outbound,
    now: DateTime<Utc>,
    txn: &sea_orm::DatabaseTransaction,
    inserted: &[entity::notifications::Model],
    contact: impl Fn(i64) -> Option<(Option<String>, Option<String>)>,
) -> Result<u64> {
    if inserted.is_empty() || !(out.mail || out.sms) {
        return Ok(0);
    }
    let mut users: Vec<i64> = inserted.iter().map(|n| n.user_id).collect();
    users.sort_unstable();
    users.dedup();
    let chosen: HashMap<(i64, String), (bool, bool)> =
        crate::store::channels::preferences(txn, &users)
            .await?
            .into_iter()
            .map(|(u, t, e, s)| ((u, t), (e, s)))
            .collect();
    let mut mails = Vec::new();
    let mut texts = Vec::new();
    for n in inserted {
        let topic = Topic::of_kind(&n.kind);
        let (email_on, sms_on) = chosen
            .get(&(n.user_id, topic.as_str().to_string()))
            .copied()
            .unwrap_or((topic.email_by_default(), topic.sms_by_default()));
        let Some((email, phone)) = contact(n.user_id) else {
            continue;
        };
        let view = NotificationView::from(n.clone());
        if out.mail
            && email_on
            && let Some(to) = email.filter(|e| !e.trim().is_empty())
        {
            mails.push(mail_of(out.public_url.as_deref(), &view, &to));
        }
        if out.sms
            && sms_on
            && let Some(to) = phone.filter(|p| !p.trim().is_empty())
        {
            texts.push(crate::store::channels::NewSms {
                notification_id: n.id,
                to_phone: to,
                body: sms_of(&view),
            });
        }
    }
    let queued = mails.len() as u64;
    store::insert_mails(txn, mails, now).await?;
    crate::store::channels::insert_sms(txn, texts, now).await?;
    Ok(queued)
}

// ---------------------------------------------------------------- e-mail delivery

/// What one delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MailOutcome {
    pub sent: u64,
    pub failed: u64,
}

/// How long to wait after the `attempts`-th failure: 1, 2, 4 … minutes, at most 6 hours.
pub fn backoff(attempts: i32) -> TimeDelta {
    let exp = attempts.clamp(1, 20) - 1;
    TimeDelta::minutes((1i64 << exp).min(360))
}

/// Sends the queued e-mails that are due, when SMTP is configured. Each batch is claimed in its
/// own short transaction (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so two processes never
/// take the same row), then sent outside it; a failure is recorded with its error and retried
/// with backoff up to [`MAIL_MAX_ATTEMPTS`] times.
pub async fn deliver_mail(db: &Db, config: &Config, now: DateTime<Utc>) -> Result<MailOutcome> {
    use lettre::{
        AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::header::ContentType,
    };
    let mut out = MailOutcome::default();
    if config.smtp_url.0.is_empty() {
        return Ok(out);
    }
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url.0)
        .map_err(|e| anyhow::anyhow!("smtp_url: {e}"))?
        .timeout(Some(std::time::Duration::from_secs(30)))
        .build();
    let from: lettre::message::Mailbox = config
        .mail_from
        .parse()
        .map_err(|e| anyhow::anyhow!("mail_from: {e}"))?;
    let mut handled = 0usize;
    while handled < MAIL_PER_PASS {
        let txn = db.begin_write().await?;
        let batch = store::claim_mails(
            &txn,
            now,
            now + TimeDelta::minutes(MAIL_LEASE_MINUTES),
            MAIL_MAX_ATTEMPTS,
            MAIL_BATCH,
        )
        .await?;
        txn.commit().await?;
        if batch.is_empty() {
            break;
        }
        handled += batch.len();
        for m in batch {
            let message = m
                .to_address
                .parse::<lettre::message::Mailbox>()
                .map_err(|e| e.to_string())
                .and_then(|to| {
                    Message::builder()
                        .from(from.clone())
                        .to(to)
                        .subject(m.subject.clone())
                        .header(ContentType::TEXT_PLAIN)
                        .body(m.body.clone())
                        .map_err(|e| e.to_string())
                });
            let result = match message {
                Ok(msg) => transport
                    .send(msg)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    store::mail_sent(db.conn(), m.id, super::now()).await?;
                    out.sent += 1;
                }
                Err(e) => {
                    tracing::warn!(mail = m.id, attempts = m.attempts, error = %e, "e-mail not sent");
                    store::mail_failed(db.conn(), m.id, &e, now + backoff(m.attempts)).await?;
                    out.failed += 1;
                }
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- the notification centre

/// A page of the caller's notices, newest first, and their unread count.
pub struct Page {
    pub items: Vec<NotificationView>,
    pub unread: u64,
    /// Pass as `before` for the next page.
    pub next_before: Option<i64>,
}

pub async fn list(db: &Db, me: &Identity, before: Option<i64>, limit: u64) -> Result<Page> {
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "error.limit"));
    }
    let items: Vec<NotificationView> =
        crate::store::inbox::list(db.conn(), me.user.id, before, limit)
            .await?
            .into_iter()
            .map(NotificationView::from)
            .collect();
    let unread = crate::store::inbox::unread_count(db.conn(), me.user.id).await?;
    let next_before = (items.len() as u64 == limit)
        .then(|| items.last().map(|n| n.id))
        .flatten();
    Ok(Page {
        items,
        unread,
        next_before,
    })
}

/// The caller's unread count (the navigation badge).
pub async fn unread(db: &Db, user_id: i64) -> Result<u64> {
    Ok(crate::store::inbox::unread_count(db.conn(), user_id).await?)
}

/// Marks one of the caller's notices read (404 when it is not theirs); returns the unread count.
pub async fn mark_read(cx: &Ctx, me: &Identity, id: i64) -> Result<u64> {
    if !crate::store::inbox::mark_read(cx.db.conn(), me.user.id, id, cx.now).await? {
        return Err(AppError::NotFound);
    }
    unread(&cx.db, me.user.id).await
}

/// Marks all the caller's notices read; returns how many were unread.
pub async fn mark_all_read(cx: &Ctx, me: &Identity) -> Result<u64> {
    Ok(crate::store::inbox::mark_all_read(cx.db.conn(), me.user.id, cx.now).await?)
}

// ---------------------------------------------------------------- channels per topic

/// A user's choice for one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicChoice {
    pub topic: Topic,
    pub email: bool,
    pub sms: bool,
}

/// Which channels carry each topic's notices for a user, with the addresses they go to. The
/// notification centre always has every notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    pub topics: Vec<TopicChoice>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// E-mail is configured on this server.
    pub mail_enabled: bool,
    /// SMS is configured on this server.
    pub sms_enabled: bool,
}

/// `PUT /api/v1/account/notices`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct PreferencesInput {
    pub topics: Vec<TopicChoice>,
}

pub async fn preferences(cx: &Ctx, me: &Identity) -> Result<Preferences> {
    let stored = crate::store::channels::preferences(cx.db.conn(), &[me.user.id]).await?;
    let topics = Topic::ALL
        .iter()
        .map(|t| {
            let (email, sms) = stored
                .iter()
                .find(|(_, topic, _, _)| topic == t.as_str())
                .map(|(_, _, e, s)| (*e, *s))
                .unwrap_or((t.email_by_default(), t.sms_by_default()));
            TopicChoice {
                topic: *t,
                email,
                sms,
            }
        })
        .collect();
    Ok(Preferences {
        topics,
        email: me.user.email.clone().filter(|e| !e.is_empty()),
        phone: me.user.phone.clone().filter(|p| !p.is_empty()),
        mail_enabled: cx.outbound.mail,
        sms_enabled: cx.outbound.sms,
    })
}

/// Stores the caller's choices (topics not named keep theirs), with an audit entry.
pub async fn set_preferences(cx: &Ctx, me: &Identity, input: &PreferencesInput) -> Result<()> {
    let txn = cx.db.begin_write().await?;
    for c in &input.topics {
        crate::store::channels::set_preference(
            &txn,
            me.user.id,
            c.topic.as_str(),
            c.email,
            c.sms,
            cx.now,
        )
        .await?;
    }
    let entry = super::audit_entry(
        Some(&me.user),
        &cx.meta,
        "notices.channels",
        ("user", me.user.username.clone()),
        &serde_json::to_value(input).unwrap_or(Value::Null),
    );
    crate::store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- my deadlines

/// One open clock on "my deadlines".
#[derive(Debug, Clone)]
pub struct OpenClock {
    pub case_id: i64,
    pub number: String,
    pub title: String,
    pub srdi_rank: i16,
    pub rule_id: String,
    pub name: String,
    pub unit: String,
    pub due_at: DateTime<Utc>,
    pub provisional: bool,
}

/// The open clocks of the cases the caller may see: overdue, due today and due this week
/// (to Sunday 24:00 Beijing time), each soonest first and 专精特新 first among equals.
#[derive(Debug, Clone, Default)]
pub struct Deadlines {
    pub overdue: Vec<OpenClock>,
    pub today: Vec<OpenClock>,
    pub week: Vec<OpenClock>,
}

/// At most this many clocks are listed.
const DEADLINES_LIMIT: u64 = 1000;

pub async fn my_deadlines(cx: &super::Ctx, me: &Identity) -> Result<Deadlines> {
    let (db, now) = (&cx.db, cx.now);
    let today = now.with_timezone(&beijing()).date_naive();
    let end_today = crate::domain::time::end_of_day(today).to_utc();
    let sunday = today
        .checked_add_days(Days::new(
            6 - u64::from(today.weekday().num_days_from_monday()),
        ))
        .unwrap_or(today);
    let end_week = crate::domain::time::end_of_day(sunday).to_utc();
    let rows = crate::store::inbox::open_clocks(
        db.conn(),
        db_store::cases::visible(&me.actor),
        end_week,
        DEADLINES_LIMIT,
    )
    .await?;
    let filer = me.actor.org_kind == OrgKind::Enterprise;
    // The filing enterprise sees only the triage clocks, as on the case page.
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| !filer || crate::domain::deadline::public_to_filer(&r.rule_id))
        .collect();
    let rows = still_open(
        db.conn(),
        cx.time.rules(),
        rows,
        |r: &crate::store::inbox::OpenClock| (r.case_id, r.rule_id.as_str(), r.state.as_str()),
    )
    .await?;
    let mut out = Deadlines::default();
    let mut seen = HashSet::new();
    for r in rows {
        if !seen.insert((r.case_id, r.rule_id.clone())) {
            continue;
        }
        let c = OpenClock {
            case_id: r.case_id,
            number: r.number,
            title: r.title,
            srdi_rank: r.srdi_rank,
            rule_id: r.rule_id,
            name: r.name,
            unit: r.unit,
            due_at: r.due_at,
            provisional: r.provisional,
        };
        if c.due_at <= now {
            out.overdue.push(c);
        } else if c.due_at <= end_today {
            out.today.push(c);
        } else {
            out.week.push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_stops_only_after_its_latest_start() {
        let rule = crate::domain::deadline::Rules::builtin()
            .get("ar.docket")
            .unwrap();
        let rules = crate::domain::deadline::Rules::builtin();
        let start = rule.start[0];
        let stop = rule.stop[0];
        assert!(stopped(rules, "ar.docket", &[start, stop]));
        assert!(!stopped(rules, "ar.docket", &[start, stop, start]));
        assert!(!stopped(rules, "ar.docket", &[stop]));
        assert!(!stopped(rules, "no.such_rule", &[start, stop]));
    }

    #[test]
    fn hour_clocks_are_read_far_enough_ahead_for_their_warning() {
        // The longest hour rule is 24 h: a quarter of twice that, or the six hours.
        let rules = crate::domain::deadline::Rules::builtin();
        assert_eq!(
            hour_lookahead(rules, &Settings::default()),
            TimeDelta::hours(12)
        );
        let s = Settings {
            hours: 30,
            ..Settings::default()
        };
        assert_eq!(hour_lookahead(rules, &s), TimeDelta::hours(30));
    }

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1), TimeDelta::minutes(1));
        assert_eq!(backoff(2), TimeDelta::minutes(2));
        assert_eq!(backoff(4), TimeDelta::minutes(8));
        assert_eq!(backoff(10), TimeDelta::minutes(360));
    }

    #[test]
    fn due_instants_read_as_officers_say_them() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert_eq!(
            crate::domain::time::due_text(t("2025-10-11T00:00:00+08:00")),
            "2025-10-10 24:00"
        );
        assert_eq!(
            crate::domain::time::due_text(t("2026-04-04T14:05:00+08:00")),
            "2026-04-04 14:05"
        );
    }
}
