//! Sign-in locks as administrators see them, and lifting one (audited).

use super::Caller;
use crate::config::Config;
use crate::domain::policy::Action;
use crate::domain::throttle::{self, Reason, Tally};
use crate::error::{AppError, Result};
use crate::service::Ctx;
use crate::service::auth::throttle_policy;
use crate::store;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::collections::HashMap;

/// A count that makes sign-ins wait now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInLock {
    pub reason: Reason,
    /// The account (none for an address lock).
    pub username: Option<String>,
    /// The client address (none for an account lock).
    pub client_addr: Option<String>,
    pub failures: u64,
    pub last_failure: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// Parses the reason of a lock as the list and the API name it.
/// The locks an administrator may lift, by what they count.
pub const REASONS: [Reason; 3] = [Reason::AccountAtAddress, Reason::Account, Reason::Address];

pub fn reason_of(s: &str) -> Option<Reason> {
    REASONS.into_iter().find(|r| r.as_str() == s)
}

fn add(t: &mut Tally, n: u64, last: DateTime<Utc>) {
    t.failures += n;
    t.last = Some(t.last.map_or(last, |l| l.max(last)));
}

/// Every lock in force, latest first. Candidates come from the failures of the remembered
/// period grouped three ways; each is then weighed exactly as a sign-in would weigh it (counts
/// from the last success), so the list shows what a user would meet.
pub async fn sign_in_locks(cx: &Ctx, caller: Caller<'_>, cfg: &Config) -> Result<Vec<SignInLock>> {
    caller.authorize(Action::ManageSignInLocks)?;
    let (db, now) = (cx.db.conn(), cx.now);
    let policy = throttle_policy(cfg);
    let since = now - Duration::hours(throttle::MEMORY_HOURS);
    let rows = store::auth::failures_by_pair(db, since).await?;
    let mut accounts: HashMap<&str, (Tally, &str)> = HashMap::new();
    let mut addresses: HashMap<&str, (Tally, &str)> = HashMap::new();
    let mut candidates = Vec::new();
    for (user, addr, n, last) in &rows {
        let n = *n as u64;
        add(
            &mut accounts.entry(user).or_insert((Tally::default(), addr)).0,
            n,
            *last,
        );
        add(
            &mut addresses.entry(addr).or_insert((Tally::default(), user)).0,
            n,
            *last,
        );
        let t = Tally {
            failures: n,
            last: Some(*last),
        };
        if throttle::locked_until(&policy, Reason::AccountAtAddress, t, now).is_some() {
            candidates.push((Reason::AccountAtAddress, user.as_str(), addr.as_str()));
        }
    }
    for (user, (t, addr)) in &accounts {
        if throttle::locked_until(&policy, Reason::Account, *t, now).is_some() {
            candidates.push((Reason::Account, user, addr));
        }
    }
    for (addr, (t, user)) in &addresses {
        if throttle::locked_until(&policy, Reason::Address, *t, now).is_some() {
            candidates.push((Reason::Address, user, addr));
        }
    }
    let mut locks = Vec::new();
    for (reason, user, addr) in candidates {
        let counts = store::auth::attempt_counts(db, user, addr, now).await?;
        let tally = match reason {
            Reason::AccountAtAddress => counts.pair,
            Reason::Account => counts.account,
            Reason::Address => counts.address,
        };
        let Some(until) = throttle::locked_until(&policy, reason, tally, now) else {
            continue;
        };
        locks.push(SignInLock {
            reason,
            username: (reason != Reason::Address).then(|| user.to_string()),
            client_addr: (reason != Reason::Account).then(|| addr.to_string()),
            failures: tally.failures,
            last_failure: tally.last.unwrap_or(now),
            until,
        });
    }
    locks.sort_by(|a, b| b.until.cmp(&a.until).then(a.username.cmp(&b.username)));
    Ok(locks)
}

/// Lifts a lock: forgets the failures it counts (of the account at the address, of the account,
/// or of the address), with an audit entry. Returns how many failures were forgotten.
pub async fn lift_sign_in_lock(
    cx: &Ctx,
    caller: Caller<'_>,
    reason: Reason,
    username: Option<&str>,
    client_addr: Option<&str>,
) -> Result<u64> {
    caller.authorize(Action::ManageSignInLocks)?;
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    let (user, addr) = match reason {
        Reason::AccountAtAddress => (given(username), given(client_addr)),
        Reason::Account => (given(username), None),
        Reason::Address => (None, given(client_addr)),
    };
    if reason != Reason::Address && user.is_none() {
        return Err(AppError::field("username", "error.required"));
    }
    if reason != Reason::Account && addr.is_none() {
        return Err(AppError::field("client_addr", "error.required"));
    }
    let user = user.map(str::to_lowercase);
    let txn = cx.db.begin_write().await?;
    let forgotten = store::auth::forget_failures(&txn, user.as_deref(), addr).await?;
    let payload = json!({"reason": reason.as_str(), "username": user, "client_addr": addr,
                         "failures_forgotten": forgotten});
    let target = user
        .clone()
        .or(addr.map(str::to_string))
        .unwrap_or_default();
    let entry = caller.entry(&cx.meta, "auth.lock_lifted", ("sign_in", target), &payload);
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    tracing::info!(
        reason = reason.as_str(),
        ?user,
        ?addr,
        forgotten,
        "sign-in lock lifted"
    );
    Ok(forgotten)
}
