//! Signing in and out, web sessions, API tokens, password hashing and sign-in throttling.

use super::{Ctx, Identity, RequestMeta, UserSummary, Via, audit_entry};
use crate::config::Config;
use crate::domain::throttle;
use crate::error::{AppError, Msg, Result};
use crate::store::{self, Db};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use entity::{organizations, users};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Hashes a password with Argon2id (OWASP parameters) on the blocking pool.
pub async fn hash_password(password: String) -> Result<String> {
    let _slot = hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await
    .map_err(|e| anyhow::anyhow!("hashing task failed: {e}"))?
    .map_err(AppError::Internal)
}

/// Checks a password against a stored PHC string on the blocking pool.
pub async fn verify_password(stored: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A real Argon2id hash of a random password: verifying against it for unknown users makes their
/// answer take as long as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(random_token(16).as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Warms the dummy hash so the first unknown-user sign-in is not slower than the rest.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

/// `n` random bytes, base64url without padding.
pub fn random_token(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::fill(&mut buf[..]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256 of a token, hex: what the database keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// At most this many Argon2 computations run at once (each takes ~19 MiB and a core for ~20 ms);
/// a burst of sign-ins queues here instead of exhausting memory.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    tokio::sync::Semaphore::new(cores.max(2))
});

/// Waits (up to 10 s) for a hashing slot; a server that is that busy answers 429.
async fn hashing_slot() -> Result<tokio::sync::SemaphorePermit<'static>> {
    match tokio::time::timeout(std::time::Duration::from_secs(10), HASHING.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(AppError::TooManyRequests {
            retry_after_secs: 5,
            message: Msg::new("error.busy"),
        }),
    }
}

/// The sign-in throttle's allowances, from the configuration.
pub fn throttle_policy(cfg: &Config) -> throttle::Policy {
    throttle::Policy {
        per_account_address: cfg.login_max_failures_per_account,
        per_account: cfg.login_max_failures_per_account_all_addresses,
        per_address: cfg.login_max_failures_per_address,
        longest: Duration::minutes(cfg.login_window_minutes),
    }
}

/// Checks a username and password with throttling (see [`throttle`]). The attempt is recorded as a failure
/// *before* the password is checked (in the same transaction as the count), so a burst of
/// parallel guesses cannot all slip under the limit; a success then flips it. Unknown users and
/// wrong passwords get the same answer after the same work.
async fn check_credentials(
    db: &Db,
    cfg: &Config,
    username: &str,
    password: &str,
    meta: &RequestMeta,
    now: DateTime<Utc>,
) -> Result<(users::Model, organizations::Model)> {
    // Control characters can be no part of a username (and PostgreSQL refuses NUL in text).
    let name: String = username
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let txn = db.begin_write().await?;
    store::auth::lock_attempts(&txn, &name, &meta.client_addr).await?;
    let counts = store::auth::attempt_counts(&txn, &name, &meta.client_addr, now).await?;
    if let Some((until, why)) = throttle::must_wait(&throttle_policy(cfg), &counts, now) {
        txn.rollback().await?;
        tracing::warn!(username = %name, client = %meta.client_addr, reason = why.as_str(), %until, "sign-in throttled");
        let minutes = ((until - now).num_seconds() + 59) / 60;
        return Err(AppError::TooManyRequests {
            retry_after_secs: (until - now).num_seconds().max(1) as u64,
            message: Msg::new("login.throttled").arg("minutes", minutes.max(1)),
        });
    }
    let attempt = store::auth::record_attempt(&txn, &name, &meta.client_addr, false, now).await?;
    let found = store::users::by_username(&txn, &name).await?;
    txn.commit().await?;

    let stored = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    let password_ok = {
        let _slot = hashing_slot().await?;
        verify_password(stored, password.chars().take(1024).collect()).await
    };
    let user = found.filter(|_| password_ok);
    let refused = user.as_ref().is_some_and(|u| u.disabled);

    let txn = db.begin_write().await?;
    match &user {
        Some(u) if !refused => store::auth::mark_succeeded(&txn, attempt).await?,
        Some(u) => {
            let entry = audit_entry(
                UserSummary::of(u).as_ref(),
                meta,
                "auth.login_refused",
                ("user", u.id.to_string()),
                &json!({"reason": "disabled"}),
            );
            store::audit::append(&txn, entry).await?;
        }
        None => {
            let entry = audit_entry(
                None,
                meta,
                "auth.login_failed",
                ("user", name.clone()),
                &json!({"username": name}),
            );
            store::audit::append(&txn, entry).await?;
        }
    }
    txn.commit().await?;

    let user = user.ok_or_else(|| AppError::Unauthorized(Msg::new("login.failed")))?;
    if refused {
        return Err(AppError::Unauthorized(Msg::new("login.disabled")));
    }
    let (user, org) = store::users::with_org(db.conn(), user.id)
        .await?
        .ok_or_else(|| AppError::Unauthorized(Msg::new("login.failed")))?;
    Ok((user, org))
}

/// Checks the signed-in user's own password (before a password change), with the same
/// throttling and audit as signing in.
pub async fn recheck_password(
    cx: &Ctx,
    cfg: &Config,
    identity: &Identity,
    password: &str,
) -> Result<()> {
    let username = &identity.user.username;
    check_credentials(&cx.db, cfg, username, password, &cx.meta, cx.now)
        .await
        .map(|_| ())
}

/// A new web session: the cookie token (shown once) and the identity.
pub struct NewSession {
    pub token: String,
    pub identity: Identity,
}

/// Signs in to the web: ends the session the browser presented (if any) and starts a new one
/// with a fresh id, so a planted session id is never promoted.
pub async fn login(
    cx: &Ctx,
    cfg: &Config,
    username: &str,
    password: &str,
    previous_token: Option<&str>,
) -> Result<NewSession> {
    let (db, meta, now) = (&cx.db, &cx.meta, cx.now);
    let (user, org) = check_credentials(db, cfg, username, password, meta, now).await?;
    let token = random_token(32);
    let csrf_token = random_token(32);
    let txn = db.begin_write().await?;
    if let Some(prev) = previous_token {
        store::auth::delete_session_by_hash(&txn, &token_hash(prev)).await?;
    }
    let session = store::auth::insert_session(
        &txn,
        store::auth::NewSession {
            token_hash: token_hash(&token),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            client_addr: meta.client_addr.clone(),
            user_agent: meta.user_agent.chars().take(256).collect(),
            expires_at: now + Duration::hours(cfg.session_max_hours),
        },
        now,
    )
    .await?;
    let entry = audit_entry(
        UserSummary::of(&user).as_ref(),
        meta,
        "auth.login",
        ("session", session.id.to_string()),
        &json!({}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    let identity = Identity::from_rows(
        user,
        org,
        Via::Session {
            id: session.id,
            csrf_token,
        },
    )
    .ok_or_else(|| anyhow::anyhow!("stored role or organisation kind is unknown"))?
    .with_oversight(db.conn())
    .await?;
    Ok(NewSession { token, identity })
}

/// What a request's credentials being used (or found ended) writes.
enum Use {
    SessionSeen(i64, DateTime<Utc>),
    SessionEnded(i64),
    TokenUsed(i64, DateTime<Utc>),
}

/// Writes `what` through the writer, as every write goes (on SQLite the one writer connection:
/// a write from a reading connection could wait out its busy timeout behind a long run of
/// background transactions, such as a rollup rebuild at start-up). Best effort: the request
/// that used the credentials goes on whether or not this is written — an expired session is
/// refused either way, and a last-used time is tried again a minute later.
async fn note_use(db: &Db, what: Use) {
    let written = async {
        let txn = db.begin_write().await?;
        match what {
            Use::SessionSeen(id, now) => store::auth::touch_session(&txn, id, now).await?,
            Use::SessionEnded(id) => store::auth::delete_session(&txn, id).await?,
            Use::TokenUsed(id, now) => store::auth::touch_token(&txn, id, now).await?,
        }
        txn.commit().await
    }
    .await;
    if let Err(e) = written {
        tracing::warn!(error = %e, "could not record the use of a session or token");
    }
}

/// Resolves a session cookie to its live identity, ending it if it has expired or gone idle.
pub async fn session_identity(db: &Db, cfg: &Config, token: &str) -> Result<Option<Identity>> {
    let Some((session, user, org)) =
        store::auth::session_by_hash(db.conn(), &token_hash(token)).await?
    else {
        return Ok(None);
    };
    let now = super::now();
    let idle_limit = session.last_seen_at + Duration::minutes(cfg.session_idle_minutes);
    if user.disabled || now >= session.expires_at || now >= idle_limit {
        note_use(db, Use::SessionEnded(session.id)).await;
        return Ok(None);
    }
    // Refresh the idle clock at most once a minute to keep reads cheap.
    if now - session.last_seen_at > Duration::seconds(60) {
        note_use(db, Use::SessionSeen(session.id, now)).await;
    }
    match Identity::from_rows(
        user,
        org,
        Via::Session {
            id: session.id,
            csrf_token: session.csrf_token,
        },
    ) {
        Some(identity) => Ok(Some(identity.with_oversight(db.conn()).await?)),
        None => Ok(None),
    }
}

/// Ends a web session.
pub async fn logout(cx: &Ctx, identity: &Identity) -> Result<()> {
    let Via::Session { id, .. } = identity.via else {
        return Ok(());
    };
    let txn = cx.db.begin_write().await?;
    store::auth::delete_session(&txn, id).await?;
    let entry = audit_entry(
        Some(&identity.user),
        &cx.meta,
        "auth.logout",
        ("session", id.to_string()),
        &json!({}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

/// "Sign out everywhere": ends every session and revokes every API token of the caller.
pub async fn logout_everywhere(cx: &Ctx, identity: &Identity) -> Result<(u64, u64)> {
    let now = cx.now;
    let txn = cx.db.begin_write().await?;
    let sessions = store::auth::delete_sessions_of(&txn, identity.user.id).await?;
    let tokens = store::auth::revoke_tokens_of(&txn, identity.user.id, now).await?;
    let payload = json!({"sessions_ended": sessions, "tokens_revoked": tokens});
    let entry = audit_entry(
        Some(&identity.user),
        &cx.meta,
        "auth.logout_everywhere",
        ("user", identity.user.id.to_string()),
        &payload,
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok((sessions, tokens))
}

/// A new API token (shown once) and when it expires.
pub struct IssuedToken {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Issues an API bearer token for a username and password.
pub async fn issue_token(
    db: &Db,
    cfg: &Config,
    username: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<IssuedToken> {
    let (user, _org) = check_credentials(db, cfg, username, password, meta, super::now()).await?;
    let now = super::now();
    let token = format!("wq_{}", random_token(32));
    let expires_at = now + Duration::hours(cfg.token_ttl_hours);
    let txn = db.begin_write().await?;
    let row = store::auth::insert_token(&txn, token_hash(&token), user.id, expires_at, now).await?;
    let entry = audit_entry(
        UserSummary::of(&user).as_ref(),
        meta,
        "auth.token_issued",
        ("api_token", row.id.to_string()),
        &json!({}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(IssuedToken { token, expires_at })
}

/// Resolves a bearer token to its live identity.
pub async fn token_identity(db: &Db, token: &str) -> Result<Option<Identity>> {
    if !token.starts_with("wq_") || token.len() > 100 {
        return Ok(None);
    }
    let Some((row, user, org)) = store::auth::token_by_hash(db.conn(), &token_hash(token)).await?
    else {
        return Ok(None);
    };
    let now = super::now();
    if user.disabled || row.revoked_at.is_some() || now >= row.expires_at {
        return Ok(None);
    }
    if row
        .last_used_at
        .is_none_or(|t| now - t > Duration::seconds(60))
    {
        note_use(db, Use::TokenUsed(row.id, now)).await;
    }
    match Identity::from_rows(user, org, Via::Token { id: row.id }) {
        Some(identity) => Ok(Some(identity.with_oversight(db.conn()).await?)),
        None => Ok(None),
    }
}

/// Revokes the token the request was made with.
pub async fn revoke_token(db: &Db, identity: &Identity, meta: &RequestMeta) -> Result<()> {
    let Via::Token { id } = identity.via else {
        return Err(AppError::BadRequest("not signed in with a token".into()));
    };
    let now = super::now();
    let txn = db.begin_write().await?;
    store::auth::revoke_token(&txn, id, now).await?;
    let entry = audit_entry(
        Some(&identity.user),
        meta,
        "auth.token_revoked",
        ("api_token", id.to_string()),
        &json!({}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

/// Removes expired sessions and old sign-in attempts and password reset requests (run by the
/// worker); returns how many sessions and how many attempts and requests.
pub async fn purge_expired(
    db: &Db,
    cfg: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(u64, u64)> {
    let idle_cutoff = now - Duration::minutes(cfg.session_idle_minutes);
    let sessions = store::auth::purge_sessions(db.conn(), now, idle_cutoff).await?;
    let month_ago = now - Duration::days(30);
    let attempts = store::auth::purge_attempts(db.conn(), month_ago).await?
        + store::password_resets::purge(db.conn(), month_ago).await?;
    Ok((sessions, attempts))
}
