//! Self-service password reset by e-mail, offered only when SMTP is configured: a request by
//! username or e-mail address gets the same answer whether or not it found an account; an
//! account that can receive e-mail is sent a single-use link (only the token's SHA-256 is kept)
//! that works for [`RESET_TOKEN_MINUTES`]; setting the new password ends every session and token
//! of the account. Requests are throttled per account and per client address.

use super::auth::{hash_password, random_token, token_hash};
use super::{Ctx, UserSummary, audit_entry};
use crate::domain::password::{
    self, RESET_TOKEN_MINUTES, RESET_WINDOW_MINUTES, check_new_password,
};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::i18n::{self, Lang};
use crate::store;
use chrono::Duration;
use entity::users;
use serde_json::json;

/// Whether reset by e-mail is offered (SMTP is configured); the routes answer 404 otherwise.
pub fn offered(cx: &Ctx) -> bool {
    cx.outbound.mail
}

fn require_offered(cx: &Ctx) -> Result<()> {
    if offered(cx) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The link of the reset form for a token. The token goes in the query, which the request log
/// leaves out (it records the path).
pub fn reset_path(token: &str) -> String {
    format!("/password/reset?token={token}")
}

/// Asks for a reset of the account named by `identifier` (username or e-mail address). Answers
/// the same whether or not an account was found; only a client address asking too often is
/// refused (429). Each matching active account with an e-mail address is sent a link, at most
/// [`password::RESET_MAX_PER_ACCOUNT`] per hour.
pub async fn request(cx: &Ctx, identifier: &str) -> Result<()> {
    require_offered(cx)?;
    let Some(ident) = password::reset_identifier(identifier) else {
        return Err(AppError::field("identifier", "error.required"));
    };
    let (now, addr) = (cx.now, cx.meta.client_addr.clone());
    let since = now - Duration::minutes(RESET_WINDOW_MINUTES);
    let txn = cx.db.begin_write().await?;
    store::auth::lock_attempts(&txn, &format!("reset:{ident}"), &addr).await?;
    let asked = store::password_resets::count_from_addr(&txn, &addr, since).await?;
    if !password::address_may_ask(asked) {
        txn.rollback().await?;
        tracing::warn!(client = %addr, "password reset requests throttled");
        return Err(AppError::TooManyRequests {
            retry_after_secs: (RESET_WINDOW_MINUTES * 60) as u64,
            message: Msg::new("password_reset.throttled").arg("minutes", RESET_WINDOW_MINUTES),
        });
    }
    let accounts: Vec<users::Model> = store::password_resets::accounts_named(&txn, &ident)
        .await?
        .into_iter()
        .filter(|u| u.email.as_deref().is_some_and(|e| !e.trim().is_empty()))
        .collect();
    let mut sent = 0;
    for user in &accounts {
        let already = store::password_resets::count_sent_to(&txn, user.id, since).await?;
        let may = password::account_may_receive(already);
        let token = may.then(|| random_token(32));
        let expires_at = now + Duration::minutes(RESET_TOKEN_MINUTES);
        let new = store::password_resets::NewRequest {
            user_id: Some(user.id),
            token_hash: token.as_deref().map(token_hash),
            client_addr: addr.clone(),
            expires_at: token.as_ref().map(|_| expires_at),
        };
        store::password_resets::insert(&txn, new, now).await?;
        if let (Some(token), Some(to)) = (token, user.email.as_deref()) {
            let (subject, body) = mail(cx, user, &token);
            store::notifications::insert_account_mail(&txn, to.trim(), &subject, &body, now)
                .await?;
            sent += 1;
        }
        let entry = audit_entry(
            UserSummary::of(user).as_ref(),
            &cx.meta,
            "auth.password_reset_requested",
            ("user", user.id.to_string()),
            &json!({"mailed": may}),
        );
        store::audit::append(&txn, entry).await?;
    }
    if accounts.is_empty() {
        let none = store::password_resets::NewRequest {
            user_id: None,
            token_hash: None,
            client_addr: addr.clone(),
            expires_at: None,
        };
        store::password_resets::insert(&txn, none, now).await?;
    }
    txn.commit().await?;
    tracing::info!(found = accounts.len(), sent, "password reset requested");
    Ok(())
}

/// The reset e-mail: subject and plain-text body, Chinese then English.
fn mail(cx: &Ctx, user: &users::Model, token: &str) -> (String, String) {
    let path = reset_path(token);
    let link = match &cx.outbound.public_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        // Without a public address the link is the path on the site the user signs in at.
        None => path,
    };
    let minutes = RESET_TOKEN_MINUTES.to_string();
    let args = [
        ("username", user.username.as_str()),
        ("link", link.as_str()),
        ("minutes", minutes.as_str()),
    ];
    let zh = i18n::t_args(Lang::Zh, "password_reset.mail.body", &args);
    let en = i18n::t_args(Lang::En, "password_reset.mail.body", &args);
    let subject = format!(
        "【{}】{}",
        i18n::t(Lang::Zh, "password_reset.mail.subject"),
        i18n::t(Lang::En, "password_reset.mail.subject")
    );
    (subject, format!("{zh}\n\n{en}\n"))
}

/// The account a reset link is for, while the link works (409 `password_reset.invalid`
/// otherwise: unknown, used, expired, or the account was disabled).
pub async fn account_of(cx: &Ctx, token: &str) -> Result<users::Model> {
    require_offered(cx)?;
    let invalid = || AppError::Conflict(Msg::new("password_reset.invalid"));
    if token.is_empty() || token.len() > 100 {
        return Err(invalid());
    }
    let row = store::password_resets::live(cx.db.conn(), &token_hash(token), cx.now)
        .await?
        .ok_or_else(invalid)?;
    let user = match row.user_id {
        Some(id) => store::users::get(cx.db.conn(), id).await?,
        None => None,
    };
    user.filter(|u| !u.disabled).ok_or_else(invalid)
}

/// Sets a new password with a reset link: checked like every new password and typed twice. The
/// link is used up, every other link of the account made void, every session and API token of
/// the account ended, and the sign-in throttle of the account cleared. Returns the username.
pub async fn complete(cx: &Ctx, token: &str, new: &str, confirm: &str) -> Result<String> {
    let user = account_of(cx, token).await?;
    if let Err(k) = check_new_password(new, &user.username) {
        return Err(AppError::Invalid(vec![FieldError::new("new_password", k)]));
    }
    if new != confirm {
        return Err(AppError::field(
            "confirm_password",
            "error.password.confirmation",
        ));
    }
    let hash = hash_password(new.to_string()).await?;
    let cx = &cx.renewed();
    let now = cx.now;
    let txn = cx.db.begin_write().await?;
    // Used inside the write: of two submissions of one link, one goes through.
    if !store::password_resets::consume(&txn, &token_hash(token), now).await? {
        txn.rollback().await?;
        return Err(AppError::Conflict(Msg::new("password_reset.invalid")));
    }
    store::password_resets::void_tokens_of(&txn, user.id, now).await?;
    store::users::set_password_hash(&txn, user.id, hash, now).await?;
    let sessions = store::auth::delete_sessions_of(&txn, user.id).await?;
    let tokens = store::auth::revoke_tokens_of(&txn, user.id, now).await?;
    // Failed sign-ins before the reset no longer lock the account out.
    store::auth::record_attempt(&txn, &user.username, &cx.meta.client_addr, true, now).await?;
    let entry = audit_entry(
        UserSummary::of(&user).as_ref(),
        &cx.meta,
        "auth.password_reset",
        ("user", user.id.to_string()),
        &json!({"sessions_ended": sessions, "tokens_revoked": tokens}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(user.username)
}
