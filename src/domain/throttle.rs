//! Sign-in throttling: who must wait before the next password is checked, and for how long.
//!
//! Failures are counted three ways, and each count has its own allowance:
//!
//! - **this account from this address** (since this address last signed in to it): the guesser
//!   at one machine. Past the allowance, each further failure doubles the wait, from one minute
//!   up to the longest wait.
//! - **this account from every address** (since its last successful sign-in): guessing spread
//!   over many machines. Past the allowance, addresses that have failed for the account wait;
//!   an address that has not failed for it is never refused on that account's count, so the
//!   owner at their own desk still signs in while someone elsewhere guesses.
//! - **this address for every account**: one machine trying many accounts. The allowance is
//!   sized for an office behind one NAT address, and accounts that have signed in from the address
//!   before (within the remembered period) are exempt: a colleague's typing does not lock them out.
//!
//! The answer is the latest "not before" of the three. Pure: the counts come from the store.

use chrono::{DateTime, Duration, Utc};

/// How long failures are remembered (a success of the same kind forgets them sooner).
pub const MEMORY_HOURS: i64 = 24;
/// Accounts that signed in from an address within this many days are known there.
pub const KNOWN_DAYS: i64 = 30;

/// The allowances, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures of one account from one address before it waits.
    pub per_account_address: u64,
    /// Failures of one account from all addresses before the addresses that failed wait.
    pub per_account: u64,
    /// Failures from one address (all accounts) before unknown accounts there wait.
    pub per_address: u64,
    /// The longest wait.
    pub longest: Duration,
}

/// How many failures, and the latest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub failures: u64,
    pub last: Option<DateTime<Utc>>,
}

/// The counts behind one sign-in attempt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// This account from this address.
    pub pair: Tally,
    /// This account from every address.
    pub account: Tally,
    /// This address, every account.
    pub address: Tally,
    /// The account signed in from this address within [`KNOWN_DAYS`].
    pub known_here: bool,
}

/// Which count made a caller wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    AccountAtAddress,
    Account,
    Address,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::AccountAtAddress => "account_address",
            Reason::Account => "account",
            Reason::Address => "address",
        }
    }
}

/// The wait after `failures` with `allowance` free: none within it, then one minute doubling
/// with each further failure, at most `longest`.
pub fn wait_after(failures: u64, allowance: u64, longest: Duration) -> Option<Duration> {
    let over = failures.checked_sub(allowance)?;
    let minutes = 1i64.checked_shl(over.min(30) as u32).unwrap_or(i64::MAX);
    Some(Duration::minutes(minutes).min(longest))
}

/// The moment one tally lets the next attempt through, if it is later than never.
fn not_before(t: Tally, allowance: u64, longest: Duration) -> Option<DateTime<Utc>> {
    Some(t.last? + wait_after(t.failures, allowance, longest)?)
}

/// Whether an attempt at `now` must wait: until when, and why.
pub fn must_wait(p: &Policy, c: &Counts, now: DateTime<Utc>) -> Option<(DateTime<Utc>, Reason)> {
    let mut checks = vec![(
        not_before(c.pair, p.per_account_address, p.longest),
        Reason::AccountAtAddress,
    )];
    if c.pair.failures > 0 {
        checks.push((
            not_before(c.account, p.per_account, p.longest),
            Reason::Account,
        ));
    }
    if !c.known_here {
        checks.push((
            not_before(c.address, p.per_address, p.longest),
            Reason::Address,
        ));
    }
    checks
        .into_iter()
        .filter_map(|(until, why)| until.filter(|u| *u > now).map(|u| (u, why)))
        .max_by_key(|(u, _)| *u)
}

/// Whether a tally of one kind is locked at `now` (for the administrators' list), and until when.
pub fn locked_until(
    p: &Policy,
    reason: Reason,
    t: Tally,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let allowance = match reason {
        Reason::AccountAtAddress => p.per_account_address,
        Reason::Account => p.per_account,
        Reason::Address => p.per_address,
    };
    not_before(t, allowance, p.longest).filter(|u| *u > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            per_account_address: 5,
            per_account: 20,
            per_address: 200,
            longest: Duration::minutes(15),
        }
    }

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(min)
    }

    fn tally(failures: u64, last_min: i64) -> Tally {
        Tally {
            failures,
            last: Some(at(last_min)),
        }
    }

    #[test]
    fn waits_double_from_a_minute_up_to_the_longest() {
        let l = Duration::minutes(15);
        let waits: Vec<_> = (4..=11)
            .map(|n| wait_after(n, 5, l).map(|d| d.num_minutes()))
            .collect();
        assert_eq!(
            waits,
            [
                None,
                Some(1),
                Some(2),
                Some(4),
                Some(8),
                Some(15),
                Some(15),
                Some(15)
            ]
        );
        assert_eq!(wait_after(u64::MAX, 0, l), Some(l), "no overflow");
    }

    #[test]
    fn a_guesser_at_one_address_waits_and_the_wait_runs_out() {
        let p = policy();
        let c = Counts {
            pair: tally(5, 0),
            account: tally(5, 0),
            address: tally(5, 0),
            known_here: true,
        };
        assert_eq!(
            must_wait(&p, &c, at(0)),
            Some((at(1), Reason::AccountAtAddress))
        );
        assert_eq!(must_wait(&p, &c, at(1)), None);
        let c = Counts {
            pair: tally(7, 10),
            ..c
        };
        assert_eq!(
            must_wait(&p, &c, at(13)),
            Some((at(14), Reason::AccountAtAddress))
        );
        let under = Counts {
            pair: tally(4, 0),
            ..c
        };
        assert_eq!(must_wait(&p, &under, at(0)), None);
    }

    #[test]
    fn the_owner_at_a_clean_address_is_not_refused_for_others_guessing() {
        let p = policy();
        // 300 failures on the account from elsewhere; none from here.
        let owner = Counts {
            pair: Tally::default(),
            account: tally(300, 0),
            address: Tally::default(),
            known_here: false,
        };
        assert_eq!(must_wait(&p, &owner, at(0)), None);
        // An address that failed once for it waits on the account's count.
        let guesser = Counts {
            pair: tally(1, 0),
            ..owner
        };
        assert_eq!(
            must_wait(&p, &guesser, at(0)),
            Some((at(15), Reason::Account))
        );
    }

    #[test]
    fn a_busy_office_address_locks_only_accounts_new_to_it() {
        let p = policy();
        let colleague = Counts {
            address: tally(250, 0),
            known_here: true,
            ..Counts::default()
        };
        assert_eq!(must_wait(&p, &colleague, at(0)), None);
        let stranger = Counts {
            known_here: false,
            ..colleague
        };
        assert_eq!(
            must_wait(&p, &stranger, at(0)),
            Some((at(15), Reason::Address))
        );
        let quiet = Counts {
            address: tally(199, 0),
            ..stranger
        };
        assert_eq!(must_wait(&p, &quiet, at(0)), None);
    }

    #[test]
    fn the_latest_wait_wins() {
        let p = policy();
        let c = Counts {
            pair: tally(5, 0),
            account: tally(22, 0),
            address: tally(10, 0),
            known_here: false,
        };
        assert_eq!(must_wait(&p, &c, at(0)), Some((at(4), Reason::Account)));
        assert_eq!(
            locked_until(&p, Reason::AccountAtAddress, c.pair, at(0)),
            Some(at(1))
        );
        assert_eq!(locked_until(&p, Reason::Address, c.address, at(0)), None);
    }
}
