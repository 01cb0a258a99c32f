//! `POST /cases/{id}/messages`: a message from the case page's 沟通 card, with an optional file
//! that becomes an evidence item attached to it. The message is checked before the file is
//! stored, so a refused message leaves nothing behind; the form comes back filled in.

use super::panels::Refill;
use super::show::render;
use crate::error::{AppError, Result};
use crate::http::page::{Page, Refused};
use crate::http::upload;
use crate::service::evidence as evidence_service;
use crate::service::messages::{self, NewMessage};
use axum::extract::{Path, Request};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

pub async fn post(page: Page, Path(id): Path<i64>, req: Request) -> Result<Response> {
    let state = &page.state;
    // A full case still takes text: the room only limits a file, if one is sent.
    let room = match evidence_service::room(&page.cx.db, &state.config, id).await {
        Err(AppError::PayloadTooLarge) => 0,
        other => other?,
    };
    let (mut fields, file) = upload::receive(state, req, room).await?;
    let mut msg = NewMessage::default();
    let mut typed = Map::new();
    for (name, value) in std::mem::take(&mut fields.other) {
        match name.as_str() {
            "body" => msg.body = value.clone(),
            "material_due" => msg.material_due = Some(value.clone()),
            "evidence_ids" => {
                if let Ok(n) = value.parse() {
                    msg.evidence_ids.push(n);
                }
                continue;
            }
            _ => continue,
        }
        typed.insert(name, json!(value));
    }
    let refused = |e: AppError| async {
        let r = Refused::of(e, page.lang())?;
        let status = match r.status {
            StatusCode::CONFLICT => StatusCode::UNPROCESSABLE_ENTITY,
            s => s,
        };
        let refill = Refill {
            section: "messages",
            values: Value::Object(typed.clone()),
            errors: r.errors,
        };
        render(&page, id, status, &refill).await
    };
    if let Err(e) =
        messages::precheck(&page.cx, &page.me, id, &msg, usize::from(file.is_some())).await
    {
        return refused(e).await;
    }
    if let Some(received) = file {
        if fields.kind.is_none() {
            fields.kind = Some("other".into());
        }
        if fields
            .description
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
        {
            fields.description = Some(crate::i18n::t(page.lang(), "case.messages.attachment"));
        }
        let stored = async {
            let granted = evidence_service::authorize_upload(&page.cx.db, &page.me, id).await?;
            let cx = page.cx.renewed();
            evidence_service::record_upload(
                &cx,
                &state.blobs,
                &state.config,
                &granted,
                fields,
                received,
            )
            .await
        }
        .await;
        match stored {
            Ok(item) => {
                state.seal.notify_one();
                msg.evidence_ids.push(item.id);
            }
            Err(e) => return refused(e).await,
        }
    }
    let cx = page.cx.renewed();
    match messages::post(&cx, &page.me, id, msg).await {
        Ok(_) => Ok(page.redirect(&format!("/cases/{id}#messages"), "flash.message_posted")),
        Err(e) => refused(e).await,
    }
}
