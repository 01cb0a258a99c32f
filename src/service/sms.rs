//! Text messages for notices: the queued `sms_outbox` rows go out through the configured sender,
//! claimed in short transactions like e-mails (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so two
//! nodes never send one message twice), with retries and backoff.
//!
//! Senders (`sms_sender`): `log` writes to the log that a message went out — the last four digits
//! of the number and its length, never its text — and counts it sent (nothing leaves the server:
//! the default, and what a test or a demo uses); `http` POSTs
//! `{"to": "<phone>", "text": "<message>"}` as JSON to `sms_http_url` (a provincial SMS gateway),
//! with `Authorization: Bearer <sms_http_token>` when a token is set, and counts any 2xx answer
//! as taken; `off` queues nothing.

use super::notifications::{MAIL_MAX_ATTEMPTS, backoff};
use crate::config::Config;
use crate::error::Result;
use crate::store::{Db, channels};
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;

/// How messages leave the server.
#[derive(Debug, Clone)]
pub enum Sender {
    Log,
    Http {
        client: reqwest::Client,
        url: String,
        token: Option<String>,
    },
}

impl Sender {
    /// The sender `config` names, if any.
    pub fn of(config: &Config) -> Result<Option<Self>> {
        Ok(match config.sms_sender.as_str() {
            "log" => Some(Sender::Log),
            "http" => Some(Sender::Http {
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(15))
                    .build()
                    .map_err(|e| anyhow::anyhow!("sms http client: {e}"))?,
                url: config.sms_http_url.0.clone(),
                token: Some(config.sms_http_token.0.clone()).filter(|t| !t.is_empty()),
            }),
            _ => None,
        })
    }

    /// Sends one message; the error in words.
    pub async fn send(&self, to: &str, text: &str) -> std::result::Result<(), String> {
        match self {
            Sender::Log => {
                // The text names a case and its parties: only its length is logged.
                tracing::info!(to = %mask(to), chars = text.chars().count(), "sms (log sender)");
                Ok(())
            }
            Sender::Http { client, url, token } => {
                let mut req = client
                    .post(url)
                    .json(&serde_json::json!({"to": to, "text": text}));
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                // Without the URL: a gateway key may be part of it.
                let res = req.send().await.map_err(|e| e.without_url().to_string())?;
                if res.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("gateway answered {}", res.status()))
                }
            }
        }
    }
}

/// A phone number as the log shows it: the last four digits only.
fn mask(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    let keep = digits.len().saturating_sub(4);
    digits
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep { '*' } else { *c })
        .collect()
}

/// What one delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SmsOutcome {
    pub sent: u64,
    pub failed: u64,
}

const LEASE_MINUTES: i64 = 10;
const BATCH: u64 = 20;
const PER_PASS: usize = 500;

/// Sends the queued messages that are due.
pub async fn deliver(db: &Db, config: &Config, now: DateTime<Utc>) -> Result<SmsOutcome> {
    let mut out = SmsOutcome::default();
    let Some(sender) = Sender::of(config)? else {
        return Ok(out);
    };
    let mut handled = 0usize;
    while handled < PER_PASS {
        let txn = db.begin_write().await?;
        let batch = channels::claim_sms(
            &txn,
            now,
            now + TimeDelta::minutes(LEASE_MINUTES),
            MAIL_MAX_ATTEMPTS,
            BATCH,
        )
        .await?;
        txn.commit().await?;
        if batch.is_empty() {
            break;
        }
        handled += batch.len();
        for m in batch {
            match sender.send(&m.to_phone, &m.body).await {
                Ok(()) => {
                    channels::sms_sent(db.conn(), m.id, super::now()).await?;
                    out.sent += 1;
                }
                Err(e) => {
                    tracing::warn!(sms = m.id, attempts = m.attempts, error = %e, "sms not sent");
                    channels::sms_failed(db.conn(), m.id, &e, now + backoff(m.attempts)).await?;
                    out.failed += 1;
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_shows_only_the_last_four_digits() {
        assert_eq!(mask("13800138000"), "*******8000");
        assert_eq!(mask("123"), "123");
    }
}
