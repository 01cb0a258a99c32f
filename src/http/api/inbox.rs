//! What waits for the caller and what is said on a case, in the JSON API:
//! `GET /approvals` (the approvals inbox), `POST /cases/{id}/shares/acknowledge`,
//! `GET/POST /cases/{id}/messages` (沟通) and `GET/PUT /account/notices` (channels per topic).

use crate::error::Result;
use crate::http::AppState;
use crate::http::api::cases::CaseId;
use crate::http::api::model;
use crate::http::extract::{ApiJson, Ctx, CurrentUser, Svc};
use crate::http::present::case::moved_json;
use crate::http::present::ts;
use crate::i18n::{self, Lang};
use crate::service::approvals::{self, Item};
use crate::service::messages::{self, Message, NewMessage};
use crate::service::notifications as notices;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(approvals_list))
        .routes(routes!(acknowledge_share))
        .routes(routes!(messages_list, message_post))
        .routes(routes!(preferences_get, preferences_put))
}

/// One inbox item; `label` in the request's language.
pub fn item_json(lang: Lang, i: &Item) -> model::Approval {
    model::Approval {
        id: i.id,
        kind: i.kind,
        label: i18n::t(lang, &i.kind.key()),
        case_id: i.case_id,
        case_number: i.number.clone(),
        case_title: i.title.clone(),
        case_version: i.version,
        srdi_rank: i.srdi_rank,
        opened_seq: i.opened_seq,
        opened_at: ts(i.opened_at),
        clock: i.rule_id.as_ref().map(|r| model::ApprovalClock {
            rule_id: r.clone(),
            name: i.clock.clone(),
            due_at: i.due_at.map(ts),
        }),
        data: i.data.clone(),
    }
}

/// What waits for the caller's decision (extensions, recusals, shares …), oldest first.
#[utoipa::path(get, path = "/approvals", tag = "inbox",
    responses(
        (status = 200, description = "The inbox", body = model::Approvals),
        (status = 403, description = "An enterprise or an administrator: no inbox"),
    ))]
async fn approvals_list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
) -> Result<Json<model::Approvals>> {
    let items = approvals::list(&state.db, &me).await?;
    Ok(Json(model::Approvals {
        count: items.len(),
        items: items.iter().map(|i| item_json(ctx.lang, i)).collect(),
    }))
}

/// The caller's office takes note of a case shared with it.
#[utoipa::path(post, path = "/cases/{id}/shares/acknowledge", tag = "triage", params(CaseId),
    responses(
        (status = 200, description = "Taken note of", body = model::Moved),
        (status = 403, description = "The caller's role does not take note of shares"),
        (status = 404, description = "No share of this case waits for the caller's office"),
        (status = 409, description = "The case changed meanwhile"),
    ))]
async fn acknowledge_share(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::Moved>> {
    let m = approvals::acknowledge_share(&cx, &me, id).await?;
    Ok(Json(moved_json(&m)))
}

pub fn message_json(m: &Message) -> model::Message {
    model::Message {
        seq: m.seq,
        at: ts(m.at),
        from: m.from.clone(),
        author: m.author.clone(),
        org: m.org.clone(),
        body: m.body.clone(),
        material_due: m.material_due.clone(),
        answers: m.answers,
        evidence: m
            .evidence
            .iter()
            .map(|e| model::AttachedEvidence {
                id: e["id"].as_i64().unwrap_or_default(),
                label: e["label"].as_str().unwrap_or_default().to_string(),
                name: e["name"].as_str().map(str::to_string),
            })
            .collect(),
    }
}

/// The messages on a case (沟通) between the office and the filing enterprise.
#[utoipa::path(get, path = "/cases/{id}/messages", tag = "inbox", params(CaseId),
    responses(
        (status = 200, description = "The messages, oldest first", body = model::Messages),
        (status = 404, description = "No such case, or not visible to the caller"),
    ))]
async fn messages_list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::Messages>> {
    let (items, open) = messages::list(&state.db, &me, id).await?;
    Ok(Json(model::Messages {
        items: items.iter().map(message_json).collect(),
        open_request: open,
    }))
}

/// Posts a message on a case; an office may ask for material by a day, the filer may hand in
/// its own evidence items.
#[utoipa::path(post, path = "/cases/{id}/messages", tag = "inbox", params(CaseId),
    request_body = NewMessage,
    responses(
        (status = 201, description = "Posted", body = model::MessagePosted),
        (status = 403, description = "The caller may not write on this case"),
        (status = 404, description = "No such case, or not visible to the caller"),
        (status = 422, description = "A field is refused"),
    ))]
async fn message_post(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewMessage>,
) -> Result<impl IntoResponse> {
    let (m, msg) = messages::post(&cx, &me, id, body).await?;
    Ok((
        StatusCode::CREATED,
        Json(model::MessagePosted {
            case: moved_json(&m),
            message: message_json(&msg),
        }),
    ))
}

/// The channels (e-mail, SMS) that carry each topic's notices for the caller.
#[utoipa::path(get, path = "/account/notices", tag = "inbox",
    responses((status = 200, description = "The channels", body = model::NoticePreferences)))]
async fn preferences_get(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
) -> Result<Json<model::NoticePreferences>> {
    let p = notices::preferences(&cx, &me).await?;
    Ok(Json(preferences_json(ctx.lang, &p)))
}

pub fn preferences_json(lang: Lang, p: &notices::Preferences) -> model::NoticePreferences {
    model::NoticePreferences {
        topics: p
            .topics
            .iter()
            .map(|t| model::TopicChannels {
                topic: t.topic,
                label: i18n::t(lang, &t.topic.key()),
                email: t.email,
                sms: t.sms,
            })
            .collect(),
        email: p.email.clone(),
        phone: p.phone.clone(),
        mail_enabled: p.mail_enabled,
        sms_enabled: p.sms_enabled,
    }
}

/// Sets the channels of the topics given (the others stay as they are).
#[utoipa::path(put, path = "/account/notices", tag = "inbox",
    request_body = notices::PreferencesInput,
    responses(
        (status = 200, description = "The channels after", body = model::NoticePreferences),
        (status = 422, description = "A channel the server does not send, or no address for it"),
    ))]
async fn preferences_put(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<notices::PreferencesInput>,
) -> Result<Json<model::NoticePreferences>> {
    notices::set_preferences(&cx, &me, &body).await?;
    let p = notices::preferences(&cx, &me).await?;
    Ok(Json(preferences_json(ctx.lang, &p)))
}
