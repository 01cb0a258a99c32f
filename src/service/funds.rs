//! Overseas mutual-aid funds (海外维权互助基金): a managing office sets a fund up with its rules
//! and a yearly budget; an enterprise applies from its overseas case, naming the case's invoices
//! and contracts; the managing office's supervisors decide (a panel of its officers and
//! supervisors above the fund's threshold); payouts are recorded against the decision and the
//! year's budget. Every step on an application is also a step on its case — an event in the
//! case's history, the notices it calls for, the audit entry — in one transaction.

use super::case::access::visible;
use super::case::write::{CaseWrite, retry};
use super::{Ctx, Identity, audit_entry};
use crate::domain::case::{EventKind, OverseasCategory, Queue, ShareAccess, ShareOrigin};
use crate::domain::fund::{
    self, ApplicationInput, BudgetInput, DecisionInput, FundInput, FundState, PayoutInput, Rules,
    Vote, yuan,
};
use crate::domain::identity::Role;
use crate::domain::policy::{self, Action, FundAccess, fund_access, sees_fund_application};
use crate::domain::time::{day_of, in_beijing};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::funds::{BudgetSet, NewApplication, NewFund, NewPayout, Refused, YearFigures};
use crate::store::{self, Db};
use chrono::Datelike;
use entity::{fund_applications, fund_budgets, fund_payouts, fund_votes, funds};
use sea_orm::{DbErr, SqlErr};
use serde_json::json;
use std::collections::HashMap;

/// At most this many applications per page, and ledger lines on a fund's page.
pub const PAGE: u64 = 50;

/// A fund as its reader may see it.
#[derive(Debug, Clone)]
pub struct FundView {
    pub row: funds::Model,
    pub org_name: String,
    pub access: FundAccess,
    pub categories: Vec<OverseasCategory>,
    /// This year's budget (Beijing time), if set.
    pub this_year: Option<fund_budgets::Model>,
}

impl FundView {
    pub fn rules(&self) -> Rules {
        rules_of(&self.row)
    }
}

fn rules_of(f: &funds::Model) -> Rules {
    Rules {
        max_per_case_fen: f.max_per_case_fen,
        self_share_percent: f.self_share_percent,
        panel_threshold_fen: f.panel_threshold_fen,
        panel_size: f.panel_size,
    }
}

fn categories_of(f: &funds::Model) -> Vec<OverseasCategory> {
    f.categories
        .split(',')
        .filter_map(|c| OverseasCategory::parse(c.trim()))
        .collect()
}

async fn org_names(db: &Db, ids: impl IntoIterator<Item = i64>) -> Result<HashMap<i64, String>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(store::orgs::by_ids(db.conn(), ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

fn this_year(cx_now: chrono::DateTime<chrono::Utc>) -> i32 {
    in_beijing(cx_now).year()
}

async fn view(db: &Db, me: &Identity, row: funds::Model, name: String) -> Result<FundView> {
    let year = this_year(chrono::Utc::now());
    let this_year = store::funds::budget(db.conn(), row.id, year).await?;
    Ok(FundView {
        access: fund_access(&me.actor, row.org_id),
        categories: categories_of(&row),
        org_name: name,
        this_year,
        row,
    })
}

/// Every fund, with this year's budget.
pub async fn list(db: &Db, me: &Identity) -> Result<Vec<FundView>> {
    policy::authorize(&me.actor, Action::ViewFunds)?;
    let rows = store::funds::all_funds(db.conn()).await?;
    let names = org_names(db, rows.iter().map(|f| f.org_id)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let name = names.get(&row.org_id).cloned().unwrap_or_default();
        out.push(view(db, me, row, name).await?);
    }
    Ok(out)
}

async fn fund(db: &Db, me: &Identity, id: i64) -> Result<FundView> {
    policy::authorize(&me.actor, Action::ViewFunds)?;
    let row = store::funds::get_fund(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = store::orgs::get(db.conn(), row.org_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    view(db, me, row, name).await
}

/// Sets up a fund managed by the caller's office, with its first year's budget.
pub async fn create(cx: &Ctx, me: &Identity, input: FundInput) -> Result<FundView> {
    policy::authorize(&me.actor, Action::CreateFund)?;
    let f = fund::validate_fund(&input).map_err(AppError::Invalid)?;
    let txn = cx.db.begin_write().await?;
    let row = store::funds::insert_fund(
        &txn,
        NewFund {
            org_id: me.org.id,
            name: f.name.clone(),
            categories: f
                .categories
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(","),
            max_per_case_fen: f.rules.max_per_case_fen,
            self_share_percent: f.rules.self_share_percent,
            panel_threshold_fen: f.rules.panel_threshold_fen,
            panel_size: f.rules.panel_size,
            rules: f.text.clone(),
            created_by_user_id: me.user.id,
            is_demo: me.user.is_demo,
        },
        cx.now,
    )
    .await?;
    store::funds::set_budget(&txn, row.id, f.year, f.budget_fen, 0, me.user.id, cx.now).await?;
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "aidfund.create",
        ("fund", row.id.to_string()),
        &json!({"name": f.name, "year": f.year, "budget_fen": f.budget_fen}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    fund(&cx.db, me, row.id).await
}

/// A fund with its budgets, figures per year and (for those who read it all) its ledger.
#[derive(Debug, Clone)]
pub struct FundDetail {
    pub fund: FundView,
    pub budgets: Vec<fund_budgets::Model>,
    /// Per year: what was granted and is not paid yet.
    pub unpaid: HashMap<i32, i64>,
    pub figures: Vec<YearFigures>,
    /// The latest payouts, with the case number and applicant of each.
    pub ledger: Vec<LedgerLine>,
}

/// One payout as the ledger shows it.
#[derive(Debug, Clone)]
pub struct LedgerLine {
    pub payout: fund_payouts::Model,
    pub case_number: String,
    pub applicant: String,
    /// What was left of its year's budget after it.
    pub balance_fen: i64,
}

/// One fund; its budgets, figures and ledger only for those who read it all.
pub async fn get(db: &Db, me: &Identity, id: i64) -> Result<FundDetail> {
    let fund = fund(db, me, id).await?;
    if fund.access < FundAccess::Read {
        return Ok(FundDetail {
            fund,
            budgets: Vec::new(),
            unpaid: HashMap::new(),
            figures: Vec::new(),
            ledger: Vec::new(),
        });
    }
    // One snapshot, so that the balances agree with the payouts listed.
    let snap = sea_orm::TransactionTrait::begin(db.conn()).await?;
    let budgets = store::funds::budgets(&snap, id).await?;
    let figures = store::funds::figures(&snap, id).await?;
    let payouts = store::funds::payouts(&snap, id, PAGE).await?;
    let mut unpaid = HashMap::new();
    for b in &budgets {
        unpaid.insert(
            b.year,
            store::funds::outstanding(&snap, id, b.year, 0).await?,
        );
    }
    snap.commit().await?;
    let mut apps = HashMap::new();
    for p in &payouts {
        if let std::collections::hash_map::Entry::Vacant(e) = apps.entry(p.application_id)
            && let Some(a) = store::funds::get_application(db.conn(), p.application_id).await?
        {
            e.insert(a);
        }
    }
    let names = org_names(db, apps.values().map(|a| a.applicant_org_id)).await?;
    let mut numbers = HashMap::new();
    for a in apps.values() {
        if let Some(c) = store::cases::find(db.conn(), a.case_id).await? {
            numbers.insert(a.case_id, c.number);
        }
    }
    // The balance after each payout: the year's budget less every payout up to it (the list is
    // newest first, so walk it from the oldest, starting from what the year paid before them).
    let mut left: HashMap<i32, i64> = budgets
        .iter()
        .map(|b| {
            let listed: i64 = payouts
                .iter()
                .filter(|p| p.year == b.year)
                .map(|p| p.amount_fen)
                .sum();
            (b.year, b.amount_fen - (b.paid_fen - listed))
        })
        .collect();
    let mut ledger: Vec<LedgerLine> = payouts
        .into_iter()
        .rev()
        .map(|p| {
            let bal = left.entry(p.year).or_insert(0);
            *bal -= p.amount_fen;
            let a = apps.get(&p.application_id);
            LedgerLine {
                case_number: a
                    .and_then(|a| numbers.get(&a.case_id).cloned())
                    .unwrap_or_default(),
                applicant: a
                    .and_then(|a| names.get(&a.applicant_org_id).cloned())
                    .unwrap_or_default(),
                balance_fen: *bal,
                payout: p,
            }
        })
        .collect();
    ledger.reverse();
    Ok(FundDetail {
        fund,
        budgets,
        unpaid,
        figures,
        ledger,
    })
}

/// Sets a year's budget (a reviewer): a new year, or a changed amount not below what was paid.
pub async fn set_budget(cx: &Ctx, me: &Identity, id: i64, input: BudgetInput) -> Result<()> {
    let f = fund(&cx.db, me, id).await?;
    if f.access != FundAccess::Reviewer {
        return Err(AppError::forbidden());
    }
    fund::validate_budget(&input).map_err(AppError::Invalid)?;
    let txn = cx.db.begin_write().await?;
    // A budget cut below what was granted and not paid yet is recorded (finance decides the
    // budget); the fund's page then shows the shortfall, and payouts stop at the budget.
    match store::funds::set_budget(
        &txn,
        id,
        input.year,
        input.amount_fen,
        0,
        me.user.id,
        cx.now,
    )
    .await?
    {
        BudgetSet::Set => {}
        BudgetSet::BelowPaid => {
            return Err(AppError::field("amount_fen", "error.fund.below_paid"));
        }
    }
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "aidfund.budget",
        ("fund", id.to_string()),
        &json!({"year": input.year, "amount_fen": input.amount_fen}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

/// An application as its reader may see it.
#[derive(Debug, Clone)]
pub struct ApplicationView {
    pub row: fund_applications::Model,
    pub state: FundState,
    pub fund_name: String,
    pub fund_org_id: i64,
    pub applicant: String,
    pub case_number: String,
    pub access: FundAccess,
    pub rules: Rules,
    /// The most the fund may grant on the claim.
    pub cap_fen: i64,
    /// Decided by a panel.
    pub panel: bool,
    pub evidence_ids: Vec<i64>,
    /// The votes with their reviewers' names (reviewers and the panel only; the enterprise reads
    /// the decision and its reasons).
    pub votes: Vec<(fund_votes::Model, String)>,
    pub payouts: Vec<fund_payouts::Model>,
    /// Whether the reader may vote now, and may record a payout now.
    pub can_vote: bool,
    pub can_pay: bool,
}

impl ApplicationView {
    pub fn standing_key(&self) -> String {
        fund::standing_key(self.state, self.row.approved_fen, self.row.paid_fen)
    }
}

async fn application_view(
    db: &Db,
    me: &Identity,
    row: fund_applications::Model,
    f: &funds::Model,
) -> Result<ApplicationView> {
    let access = fund_access(&me.actor, f.org_id);
    let state = FundState::parse(&row.state).unwrap_or(FundState::Submitted);
    let rules = rules_of(f);
    let votes = if access >= FundAccess::Read {
        let votes = store::funds::votes(db.conn(), row.id).await?;
        let users: Vec<i64> = votes.iter().map(|v| v.reviewer_user_id).collect();
        let names = store::users::names(db.conn(), users).await?;
        votes
            .into_iter()
            .map(|v| {
                let n = names.get(&v.reviewer_user_id).cloned().unwrap_or_default();
                (v, n)
            })
            .collect()
    } else {
        Vec::new()
    };
    let voted = votes.iter().any(|(v, _)| v.reviewer_user_id == me.user.id);
    let supervisor = me.actor.role == Role::Supervisor;
    let cast: Vec<Vote> = votes.iter().map(|(v, _)| vote_of(v)).collect();
    let can_vote = !voted
        && match state {
            FundState::Submitted => access == FundAccess::Reviewer,
            FundState::Panel => {
                access >= FundAccess::Panel
                    && fund::panel_refuses(&cast, rules.panel_size, supervisor).is_none()
            }
            _ => false,
        };
    let granted_before =
        store::funds::granted_to_case(db.conn(), f.id, row.case_id, row.id).await?;
    let can_pay = access == FundAccess::Reviewer
        && state == FundState::Approved
        && row.paid_fen < row.approved_fen.unwrap_or(0);
    let applicant = store::orgs::get(db.conn(), row.applicant_org_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let case_number = store::cases::find(db.conn(), row.case_id)
        .await?
        .map(|c| c.number)
        .unwrap_or_default();
    let payouts = store::funds::payouts_of(db.conn(), row.id).await?;
    Ok(ApplicationView {
        state,
        fund_name: f.name.clone(),
        fund_org_id: f.org_id,
        applicant,
        case_number,
        access,
        cap_fen: rules.cap_left(row.claimed_fen, granted_before),
        panel: rules.needs_panel(row.claimed_fen),
        evidence_ids: serde_json::from_str(&row.evidence_ids).unwrap_or_default(),
        rules,
        votes,
        payouts,
        can_vote,
        can_pay,
        row,
    })
}

/// A fund's applications the caller may see (an enterprise its own), newest first.
pub async fn applications(
    db: &Db,
    me: &Identity,
    fund_id: i64,
    before: Option<i64>,
) -> Result<Vec<ApplicationView>> {
    let f = fund(db, me, fund_id).await?;
    let applicant = match f.access {
        FundAccess::Public => return Err(AppError::forbidden()),
        FundAccess::Applicant => Some(me.org.id),
        _ => None,
    };
    let rows = store::funds::applications(db.conn(), fund_id, applicant, before, PAGE).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(application_view(db, me, r, &f.row).await?);
    }
    Ok(out)
}

/// One application, if the caller may see it (404 otherwise).
pub async fn get_application(db: &Db, me: &Identity, id: i64) -> Result<ApplicationView> {
    let row = store::funds::get_application(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = store::funds::get_fund(db.conn(), row.fund_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let access = fund_access(&me.actor, f.org_id);
    if !sees_fund_application(&me.actor, access, row.applicant_org_id) {
        return Err(AppError::NotFound);
    }
    application_view(db, me, row, &f).await
}

/// The evidence items an application names (its reader was allowed to see it).
pub async fn proof(db: &Db, a: &ApplicationView) -> Result<Vec<entity::evidence::Model>> {
    Ok(store::evidence::of_case(db.conn(), a.row.case_id, None)
        .await?
        .into_iter()
        .filter(|e| a.evidence_ids.contains(&e.id))
        .collect())
}

/// The applications made from a case that the caller may see (its card on the case page).
pub async fn of_case(db: &Db, me: &Identity, case_id: i64) -> Result<Vec<ApplicationView>> {
    let mut out = Vec::new();
    for row in store::funds::applications_of_case(db.conn(), case_id).await? {
        let Some(f) = store::funds::get_fund(db.conn(), row.fund_id).await? else {
            continue;
        };
        let access = fund_access(&me.actor, f.org_id);
        if sees_fund_application(&me.actor, access, row.applicant_org_id) {
            out.push(application_view(db, me, row, &f).await?);
        }
    }
    Ok(out)
}

/// The funds an enterprise may apply to from `case_id`, and the case's evidence it uploaded
/// (what the application form offers). 404 for a case it does not see; 409 when the case is not
/// an overseas one.
pub async fn apply_form(
    db: &Db,
    me: &Identity,
    case_id: i64,
) -> Result<(String, Vec<FundView>, Vec<entity::evidence::Model>)> {
    let v = visible(db, me, case_id).await?;
    if !policy::may_apply_to_fund(&me.actor, v.access()) {
        return Err(AppError::forbidden());
    }
    let case = v.case();
    let category = overseas_category(case)?;
    let funds: Vec<FundView> = list(db, me)
        .await?
        .into_iter()
        .filter(|f| f.categories.contains(&category) && f.this_year.is_some())
        .collect();
    let evidence = store::evidence::of_case(db.conn(), case.id, Some(me.org.id))
        .await?
        .into_iter()
        .filter(|e| e.withdrawn_at.is_none())
        .collect();
    Ok((case.number.clone(), funds, evidence))
}

fn overseas_category(case: &crate::store::cases::CaseRow) -> Result<OverseasCategory> {
    if case.queue != Queue::OverseasAssistance {
        return Err(AppError::Conflict(Msg::new("error.fund.not_overseas")));
    }
    Ok(case
        .facts
        .overseas
        .as_ref()
        .and_then(|o| OverseasCategory::parse(&o.category))
        .unwrap_or(OverseasCategory::Other))
}

/// Applies to fund `fund_id` from the enterprise's overseas case.
pub async fn apply(
    cx: &Ctx,
    me: &Identity,
    fund_id: i64,
    input: ApplicationInput,
) -> Result<ApplicationView> {
    let f = fund(&cx.db, me, fund_id).await?;
    let valid = fund::validate_application(&input).map_err(AppError::Invalid)?;
    let v = visible(&cx.db, me, input.case_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::field("case_id", "error.fund.case_unknown"),
            e => e,
        })?;
    // Who may apply is decided first: the filing enterprise's filers.
    let granted = v.authorize_fund_application(me)?;
    let v = granted.visible();
    let category = overseas_category(v.case())?;
    if !f.categories.contains(&category) {
        return Err(AppError::field(
            "case_id",
            "error.fund.category_not_covered",
        ));
    }
    // The items named must be the enterprise's own, current evidence on this case.
    let own: Vec<i64> = store::evidence::of_case(cx.db.conn(), v.case().id, Some(me.org.id))
        .await?
        .into_iter()
        .filter(|e| e.withdrawn_at.is_none())
        .map(|e| e.id)
        .collect();
    if valid.evidence_ids.iter().any(|id| !own.contains(id)) {
        return Err(AppError::field(
            "evidence_ids",
            "error.fund.evidence_unknown",
        ));
    }
    let year = this_year(cx.now);
    if store::funds::budget(cx.db.conn(), fund_id, year)
        .await?
        .is_none()
    {
        return Err(AppError::Conflict(Msg::new("error.fund.no_budget")));
    }
    let rules = f.rules();
    let state = if rules.needs_panel(valid.claimed_fen) {
        FundState::Panel
    } else {
        FundState::Submitted
    };
    let row = retry(|| async {
        let mut w = CaseWrite::begin_current(cx, &granted).await?;
        let case = w.case().clone();
        // One waiting application per case and fund, checked inside the write (a form sent twice
        // files once: the second write waits for the first and finds it).
        let pending = store::funds::applications_of_case(w.txn(), case.id)
            .await?
            .into_iter()
            .any(|a| {
                a.fund_id == fund_id && FundState::parse(&a.state).is_some_and(FundState::is_open)
            });
        if pending {
            return Err(AppError::Conflict(Msg::new("error.fund.pending")));
        }
        let row = store::funds::insert_application(
            w.txn(),
            NewApplication {
                fund_id,
                case_id: case.id,
                applicant_org_id: me.org.id,
                applicant_user_id: me.user.id,
                year,
                claimed_fen: valid.claimed_fen,
                costs: valid.costs.clone(),
                evidence_ids: valid.evidence_ids.clone(),
                state: state.as_str(),
                is_demo: me.user.is_demo,
            },
            cx.now,
        )
        .await?;
        // The reviewers read the case and its evidence: share it with the managing office for
        // reading, unless that office owns it or already has it.
        let facts = store::cases::policy_facts(w.txn(), &case).await?;
        let shared = f.row.org_id == case.owner_org_id
            || facts.shares.iter().any(|(org, _)| *org == f.row.org_id);
        if !shared {
            store::case_parts::insert_share(
                w.txn(),
                case.id,
                f.row.org_id,
                ShareAccess::Read,
                ShareOrigin::Procedure,
                me.user.id,
                cx.now,
            )
            .await
            .map_err(stale_on_unique)?;
        }
        let payload = json!({
            "fund_id": fund_id, "fund": f.row.name, "fund_org_id": f.row.org_id,
            "application_id": row.id, "claimed_fen": valid.claimed_fen,
            "amount_yuan": yuan(valid.claimed_fen), "panel": state == FundState::Panel,
            "shared_with_org_id": (!shared).then_some(f.row.org_id),
        });
        w.record(EventKind::FundApplied, true, payload.clone());
        w.commit_on(
            ("fund_application", row.id.to_string()),
            "aidfund.apply",
            &payload,
        )
        .await?;
        Ok(row)
    })
    .await?;
    application_view(&cx.db, me, row, &f.row).await
}

/// The application with what deciding or paying it needs, if `me` reviews its fund.
async fn reviewing(
    cx: &Ctx,
    me: &Identity,
    id: i64,
) -> Result<(ApplicationView, funds::Model, super::case::Granted)> {
    let a = get_application(&cx.db, me, id).await?;
    if a.access < FundAccess::Panel {
        return Err(AppError::forbidden());
    }
    let f = store::funds::get_fund(cx.db.conn(), a.row.fund_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let granted = visible(&cx.db, me, a.row.case_id)
        .await?
        .authorize_fund_review(me, a.access)?;
    Ok((a, f, granted))
}

/// A unique violation while the case is written (another write made the same share first, on
/// PostgreSQL where writers do not wait for each other up front) is a stale write: [`retry`]
/// runs the step again on the case as it now is.
fn stale_on_unique(e: DbErr) -> AppError {
    if is_unique(&e) {
        super::case::write::stale()
    } else {
        e.into()
    }
}

fn vote_of(v: &fund_votes::Model) -> Vote {
    Vote {
        amount_fen: v.amount_fen,
        reasons: v.reasons.clone(),
        by_supervisor: v.reviewer_role == Role::Supervisor.as_str(),
    }
}

fn is_unique(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// A reviewer's decision, or a panel member's vote (the panel decides with its last vote).
pub async fn decide(
    cx: &Ctx,
    me: &Identity,
    id: i64,
    input: DecisionInput,
) -> Result<ApplicationView> {
    let (a, f, granted) = reviewing(cx, me, id).await?;
    let (amount, reasons) = fund::validate_vote(&input, a.cap_fen).map_err(AppError::Invalid)?;
    if !a.state.is_open() {
        return Err(AppError::Conflict(Msg::new("error.fund.decided")));
    }
    if a.votes
        .iter()
        .any(|(v, _)| v.reviewer_user_id == me.user.id)
    {
        return Err(AppError::Conflict(Msg::new("error.fund.voted")));
    }
    let supervisor = me.actor.role == Role::Supervisor;
    if a.state == FundState::Submitted && a.access != FundAccess::Reviewer {
        return Err(AppError::forbidden());
    }
    let panel = (a.state == FundState::Panel).then_some(a.rules.panel_size);
    let row = retry(|| async {
        let mut w = CaseWrite::begin_current(cx, &granted).await?;
        let votes: Vec<Vote> = store::funds::votes(w.txn(), id)
            .await?
            .iter()
            .map(vote_of)
            .collect();
        if let Some(size) = panel
            && let Some(key) = fund::panel_refuses(&votes, size, supervisor)
        {
            return Err(AppError::Conflict(Msg::new(key)));
        }
        store::funds::insert_vote(
            w.txn(),
            id,
            me.user.id,
            me.actor.role.as_str(),
            amount,
            &reasons,
            cx.now,
        )
        .await
        .map_err(|e| {
            if is_unique(&e) {
                AppError::Conflict(Msg::new("error.fund.voted"))
            } else {
                e.into()
            }
        })?;
        let mut all = votes;
        all.push(Vote {
            amount_fen: amount,
            reasons: reasons.clone(),
            by_supervisor: supervisor,
        });
        let decided = fund::tally(&all, panel);
        if let Some((granted_fen, why)) = &decided {
            // What the year still has to give: its budget less what was paid and what other
            // grants still wait to be paid.
            if let Some(g) = granted_fen {
                store::funds::lock_budget(w.txn(), f.id, a.row.year).await?;
                // The maximum is per case: what the case was granted since counts too.
                let before =
                    store::funds::granted_to_case(w.txn(), f.id, a.row.case_id, id).await?;
                if *g > a.rules.cap_left(a.row.claimed_fen, before) {
                    return Err(AppError::field("amount_fen", "error.fund.over_cap"));
                }
                let budget = store::funds::budget(w.txn(), f.id, a.row.year)
                    .await?
                    .ok_or_else(|| AppError::Conflict(Msg::new("error.fund.no_budget")))?;
                let owed = store::funds::outstanding(w.txn(), f.id, a.row.year, id).await?;
                if *g > budget.amount_fen - budget.paid_fen - owed {
                    // A panel's last vote cannot fix the budget: say what stops the decision.
                    return Err(if panel.is_some() {
                        AppError::Conflict(Msg::new("error.fund.budget_short"))
                    } else {
                        AppError::field("amount_fen", "error.fund.over_budget")
                    });
                }
            }
            if !store::funds::decide(w.txn(), id, *granted_fen, why, cx.now).await? {
                return Err(AppError::Conflict(Msg::new("error.fund.decided")));
            }
            let payload = json!({
                "fund_id": f.id, "fund": f.name, "application_id": id,
                "approved_fen": granted_fen, "amount_yuan": granted_fen.map(yuan),
                "reason": why, "panel": panel.is_some(),
            });
            w.record(EventKind::FundDecided, true, payload.clone());
            w.commit_on(
                ("fund_application", id.to_string()),
                "aidfund.decide",
                &payload,
            )
            .await?;
        } else {
            // The case's readers see that a vote was cast; how each member voted stays with the
            // fund (its votes, and the audit entry).
            let event = json!({
                "fund_id": f.id, "application_id": id, "votes": all.len(), "panel_size": panel,
            });
            w.record(EventKind::FundVoted, false, event);
            let audit = json!({
                "fund_id": f.id, "application_id": id, "approve": amount.is_some(),
                "amount_fen": amount, "votes": all.len(), "panel_size": panel,
            });
            w.commit_on(("fund_application", id.to_string()), "aidfund.vote", &audit)
                .await?;
        }
        store::funds::get_application(cx.db.conn(), id)
            .await?
            .ok_or(AppError::NotFound)
    })
    .await?;
    application_view(&cx.db, me, row, &f).await
}

/// Records a payout on an approved application (a reviewer): never more than is left of the
/// decision or of the year's budget, checked by the debits themselves.
pub async fn pay(cx: &Ctx, me: &Identity, id: i64, input: PayoutInput) -> Result<ApplicationView> {
    let (a, f, granted) = reviewing(cx, me, id).await?;
    if a.access != FundAccess::Reviewer {
        return Err(AppError::forbidden());
    }
    let p = fund::validate_payout(&input, day_of(cx.now)).map_err(AppError::Invalid)?;
    if a.state != FundState::Approved {
        return Err(AppError::Conflict(Msg::new("error.fund.not_approved")));
    }
    let row = retry(|| async {
        let mut w = CaseWrite::begin_current(cx, &granted).await?;
        let paid = store::funds::pay(
            w.txn(),
            NewPayout {
                application_id: id,
                fund_id: f.id,
                year: a.row.year,
                amount_fen: p.amount_fen,
                paid_on: p.paid_on,
                reference: p.reference.clone(),
                recorded_by_user_id: me.user.id,
            },
            cx.now,
        )
        .await
        .map_err(|e| {
            if is_unique(&e) {
                AppError::field("reference", "error.fund.reference_used")
            } else {
                e.into()
            }
        })?;
        let payout = match paid {
            Ok(payout) => payout,
            Err(Refused::OverDecision) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "amount_fen",
                    "error.fund.over_decision",
                )]));
            }
            Err(Refused::OverBudget) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "amount_fen",
                    "error.fund.over_budget",
                )]));
            }
        };
        let payload = json!({
            "fund_id": f.id, "fund": f.name, "application_id": id, "payout_id": payout.id,
            "amount_fen": p.amount_fen, "amount_yuan": yuan(p.amount_fen),
            "paid_on": p.paid_on.to_string(), "reference": p.reference,
        });
        w.record(EventKind::FundPaid, true, payload.clone());
        w.commit_on(
            ("fund_application", id.to_string()),
            "aidfund.pay",
            &payload,
        )
        .await?;
        store::funds::get_application(cx.db.conn(), id)
            .await?
            .ok_or(AppError::NotFound)
    })
    .await?;
    application_view(&cx.db, me, row, &f).await
}
