//! Enterprise self-registration: an enterprise and its first filer account in one step, with the
//! filer's position and a business licence or authorisation letter. The enterprise is unverified
//! until a centre or office of its region confirms it (`service::enterprises`); it may file
//! meanwhile.

use super::{Ctx, audit_entry, optional};
use crate::config::Config;
use crate::domain::contact;
use crate::domain::enterprise::{self, DocumentKind};
use crate::domain::evidence::{self as evidence_rules, sniff};
use crate::domain::identity::Username;
use crate::domain::password::check_new_password;
use crate::domain::region::RegionCode;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, FieldError, Msg, OnConstraint, Result};
use crate::files::upload::Received;
use crate::files::{self, Store, clamd};
use crate::store;
use sea_orm::SqlErr;
use serde::Deserialize;
use serde_json::json;

/// The registration form / request body (API.md field names, and more).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Registration {
    pub name: String,
    pub uscc: String,
    pub region_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// The filer's e-mail address (optional): notices and password-reset links go there.
    pub email: String,
    pub username: String,
    #[serde(skip_serializing)]
    pub password: String,
    /// The password again (required on the form; checked over the API when sent).
    #[serde(skip_serializing)]
    pub confirm_password: String,
    /// The filer's position (职务).
    pub position: String,
    /// `business_licence` | `authorisation_letter`: what the uploaded document is.
    pub document_kind: String,
}

/// Where a registration comes from: the web form asks for everything (password twice, position,
/// document); the JSON API keeps its v1 contract, checking what is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Form,
    Api,
}

/// The proof document of a registration, as received.
pub enum Upload {
    /// No file was sent.
    None,
    /// The file was refused while it streamed in (too large, not a PDF or picture).
    Refused(FieldError),
    Received(Document),
}

/// A received proof document with what the client said about it.
pub struct Document {
    pub file_name: Option<String>,
    pub claimed_type: Option<String>,
    pub received: Received,
}

/// What registration created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub organization_id: i64,
    pub user_id: i64,
    /// The new account's username as stored (lower case).
    pub username: String,
}

/// A checked proof document: its kind, sniffed type and sanitised name.
struct Proof {
    kind: DocumentKind,
    media_type: &'static str,
    original_name: Option<String>,
    received: Received,
}

/// Checks the position and the document; messages go to `errors`.
fn check_proof(
    r: &Registration,
    upload: Upload,
    channel: Channel,
    errors: &mut Vec<FieldError>,
) -> (Option<String>, Option<Proof>) {
    let position = if r.position.trim().is_empty() && channel == Channel::Api {
        None
    } else {
        enterprise::position(&r.position)
            .map_err(|k| errors.push(FieldError::new("position", k)))
            .ok()
    };
    let document = match upload {
        Upload::None => {
            if channel == Channel::Form {
                errors.push(FieldError::new(
                    "document",
                    "error.registration.document_required",
                ));
            }
            None
        }
        Upload::Refused(e) => {
            errors.push(e);
            None
        }
        Upload::Received(d) => Some(d),
    };
    let kind = if document.is_none() && r.document_kind.trim().is_empty() {
        if channel == Channel::Form {
            errors.push(FieldError::new(
                "document_kind",
                "error.registration.document_kind",
            ));
        }
        None
    } else {
        DocumentKind::parse(&r.document_kind)
            .map_err(|k| errors.push(FieldError::new("document_kind", k)))
            .ok()
    };
    let Some(d) = document else {
        return (position, None);
    };
    let original_name = d
        .file_name
        .as_deref()
        .and_then(evidence_rules::sanitize_file_name);
    let ext = original_name.as_deref().and_then(evidence_rules::extension);
    let r = &d.received;
    let complete = r.size as usize <= r.head.len();
    let sniffed = sniff::decide(&r.head, complete, d.claimed_type.as_deref(), ext.as_deref());
    let media_type = match sniffed {
        Ok(t) if enterprise::document_type_allowed(t) => Some(t),
        Err(sniff::Refusal::Empty) => {
            errors.push(FieldError::new("document", "error.evidence.empty"));
            None
        }
        _ => {
            errors.push(FieldError::new(
                "document",
                "error.registration.document_type",
            ));
            None
        }
    };
    if r.size > enterprise::DOCUMENT_MAX_BYTES {
        errors.push(FieldError::new(
            "document",
            "error.registration.document_large",
        ));
    }
    match (kind, media_type) {
        (Some(kind), Some(media_type)) => (
            position,
            Some(Proof {
                kind,
                media_type,
                original_name,
                received: d.received,
            }),
        ),
        _ => (position, None),
    }
}

/// Registers an enterprise with its first user, unverified. A credit code that is already
/// registered is a conflict (409), not a second enterprise. Every bad field is reported at once.
pub async fn register(
    cx: &Ctx,
    blobs: &Store,
    config: &Config,
    r: Registration,
    upload: Upload,
    channel: Channel,
) -> Result<Registered> {
    let mut errors = Vec::new();
    for (field, value) in [
        ("name", &r.name),
        ("contact_name", &r.contact_name),
        ("contact_phone", &r.contact_phone),
    ] {
        if contact::has_control(value) {
            errors.push(FieldError::new(field, "error.text.control"));
        }
    }
    let name = r.name.trim().to_string();
    if !(2..=100).contains(&name.chars().count()) {
        errors.push(FieldError::new("name", "error.org.name"));
    }
    let uscc = Uscc::parse(&r.uscc)
        .map_err(|e| errors.push(FieldError::new("uscc", e.message_key())))
        .ok();
    let region = RegionCode::parse(&r.region_code)
        .map_err(|_| errors.push(FieldError::new("region_code", "error.region")))
        .ok();
    let contact_name = optional(Some(&r.contact_name));
    if contact_name.as_ref().is_none_or(|c| c.chars().count() > 50) {
        errors.push(FieldError::new(
            "contact_name",
            "error.registration.contact_name",
        ));
    }
    let phone = r.contact_phone.trim().to_string();
    if !contact::is_phone(&phone) {
        errors.push(FieldError::new("contact_phone", "error.phone"));
    }
    let email = optional(Some(&r.email));
    if email.as_deref().is_some_and(|e| !contact::is_email(e)) {
        errors.push(FieldError::new("email", "error.email"));
    }
    let username = Username::parse(&r.username)
        .map_err(|k| errors.push(FieldError::new("username", k)))
        .ok();
    let typed_name = username
        .as_ref()
        .map_or(r.username.as_str(), |u| u.as_str());
    if let Err(k) = check_new_password(&r.password, typed_name) {
        errors.push(FieldError::new("password", k));
    } else if r.confirm_password != r.password
        && (channel == Channel::Form || !r.confirm_password.is_empty())
    {
        errors.push(FieldError::new(
            "confirm_password",
            "error.password.confirmation",
        ));
    }
    let (position, proof) = check_proof(&r, upload, channel, &mut errors);
    let (Some(uscc), Some(region), Some(username), true) =
        (uscc, region, username, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    // What would refuse the registration is checked before its document is stored, so that a
    // refused form leaves no file behind (the database's unique indexes still decide a race).
    if store::orgs::uscc_taken(cx.db.conn(), uscc.as_str()).await? {
        return Err(AppError::Conflict(Msg::new(
            "error.registration.uscc_registered",
        )));
    }
    if store::users::by_username(cx.db.conn(), username.as_str())
        .await?
        .is_some()
    {
        return Err(AppError::field("username", "error.username.taken"));
    }
    if let Some(p) = &proof {
        store_document(blobs, config, p).await?;
    }
    let hash = super::auth::hash_password(r.password.clone()).await?;
    // The upload may have taken a while: recorded at the instant it completed.
    let cx = &cx.renewed();
    let now = cx.now;
    let txn = cx.db.begin_write().await?;
    let org = store::orgs::insert_unverified(
        &txn,
        store::orgs::OrgFields {
            name: name.clone(),
            kind: "enterprise".into(),
            uscc: Some(uscc.as_str().to_string()),
            region_code: region.as_str().to_string(),
            parent_id: None,
            contact_name: contact_name.clone(),
            contact_phone: Some(phone.clone()),
            triage_working_days: None,
            park: None,
            srdi_triage_working_days: None,
        },
        false,
        now,
    )
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict(Msg::new("error.registration.uscc_registered"))
        }
        _ => AppError::from(e),
    })?;
    let user = store::users::insert(
        &txn,
        store::users::NewUser {
            username: username.as_str().to_string(),
            display_name: contact_name.unwrap_or_default(),
            org_id: org.id,
            role: "enterprise_filer".into(),
            password_hash: hash,
            phone: Some(phone),
            email,
        },
        false,
        now,
    )
    .await
    .on_unique(|| AppError::field("username", "error.username.taken"))?;
    if position.is_some() {
        store::enterprises::set_position(&txn, user.id, position).await?;
    }
    let document = match proof {
        Some(p) => {
            let d = store::enterprises::insert_document(
                &txn,
                store::enterprises::NewDocument {
                    org_id: org.id,
                    kind: p.kind.as_str().into(),
                    original_name: p.original_name,
                    sha256: p.received.sha256.clone(),
                    size: p.received.size as i64,
                    media_type: p.media_type.into(),
                    object_key: files::object_key(&p.received.sha256),
                    uploaded_by_user_id: user.id,
                },
                now,
            )
            .await?;
            Some(json!({"kind": d.kind, "sha256": d.sha256, "size": d.size}))
        }
        None => None,
    };
    let entry = audit_entry(
        super::UserSummary::of(&user).as_ref(),
        &cx.meta,
        "enterprise.register",
        ("organization", org.id.to_string()),
        &json!({"registration": r, "document": document}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(Registered {
        organization_id: org.id,
        user_id: user.id,
        username: user.username,
    })
}

/// Scans the document (when a scanner is configured) and puts its bytes into the blob store,
/// content-addressed like evidence. A finding refuses the registration; the bytes are not kept.
async fn store_document(blobs: &Store, config: &Config, p: &Proof) -> Result<()> {
    keep_document(blobs, config, &p.received, "document").await
}

/// Scans a received document (when a scanner is configured) and puts its bytes into the blob
/// store, content-addressed like evidence. A finding is an error on `field`; the bytes are not
/// kept.
pub(super) async fn keep_document(
    blobs: &Store,
    config: &Config,
    received: &Received,
    field: &'static str,
) -> Result<()> {
    let temp = received.temp.path();
    if !config.clamd.is_empty() {
        let timeout = std::time::Duration::from_secs(config.evidence_upload_timeout_secs);
        let verdict = clamd::scan(&config.clamd, temp, timeout)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "malware scan failed");
                AppError::Unavailable(Msg::new("error.evidence.scan_unavailable"))
            })?;
        if let clamd::Verdict::Found(finding) = verdict {
            tracing::warn!(%finding, "registration document refused by the malware scan");
            return Err(AppError::field(field, "error.evidence.malware"));
        }
    }
    blobs
        .put_file(temp, &files::object_key(&received.sha256))
        .await
        .map_err(AppError::storage)
}
