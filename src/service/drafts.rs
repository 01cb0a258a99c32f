//! Complaint drafts: an enterprise user saves a complaint being written and finishes it later.
//! A draft is private to its author and is not a case (no number, no clock, nothing audited
//! until it is filed).

use super::{Ctx, Identity};
use crate::domain::case::intake::CaseInput;
use crate::domain::policy;
use crate::error::{AppError, Result};
use crate::store::{self, Db};
use chrono::{DateTime, Utc};

/// At most this many drafts per user.
pub const MAX_DRAFTS: usize = 20;

/// A saved draft.
pub struct Draft {
    pub id: i64,
    pub input: CaseInput,
    pub updated_at: DateTime<Utc>,
}

fn allowed(me: &Identity) -> Result<()> {
    if policy::can_file_complaint(&me.actor) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// Saves `input` as draft `id` (or a new draft); returns its id.
pub async fn save(cx: &Ctx, me: &Identity, id: Option<i64>, input: &CaseInput) -> Result<i64> {
    let db = &cx.db;
    allowed(me)?;
    let body = serde_json::to_string(input).map_err(|e| AppError::Internal(e.into()))?;
    let now = cx.now;
    if let Some(id) = id
        && store::drafts::update(db.conn(), id, me.user.id, body.clone(), now).await?
    {
        return Ok(id);
    }
    if store::drafts::list(db.conn(), me.user.id).await?.len() >= MAX_DRAFTS {
        return Err(AppError::Conflict(crate::error::Msg::new(
            "error.draft.too_many",
        )));
    }
    Ok(
        store::drafts::insert(db.conn(), me.user.id, me.org.id, body, now)
            .await?
            .id,
    )
}

/// One of the user's drafts; 404 for anyone else's.
pub async fn get(db: &Db, me: &Identity, id: i64) -> Result<Draft> {
    allowed(me)?;
    let d = store::drafts::get(db.conn(), id, me.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Draft {
        id: d.id,
        input: serde_json::from_str(&d.body).unwrap_or_default(),
        updated_at: d.updated_at,
    })
}

pub async fn list(db: &Db, me: &Identity) -> Result<Vec<Draft>> {
    if !policy::can_file_complaint(&me.actor) {
        return Ok(Vec::new());
    }
    Ok(store::drafts::list(db.conn(), me.user.id)
        .await?
        .into_iter()
        .map(|d| Draft {
            id: d.id,
            input: serde_json::from_str(&d.body).unwrap_or_default(),
            updated_at: d.updated_at,
        })
        .collect())
}

/// Deletes a draft (after it was filed, or when the user discards it).
pub async fn delete(db: &Db, me: &Identity, id: i64) -> Result<()> {
    allowed(me)?;
    if store::drafts::delete(db.conn(), id, me.user.id).await? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
