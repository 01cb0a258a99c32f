//! Confirming self-registered enterprises: the list of those waiting with their filers' positions
//! and proof documents, the document download, the confirmation (each audited), and the
//! "企业未核验" flag the triage pages show on leads such an enterprise filed.

use super::{Ctx, Identity, audit_entry};
use crate::domain::enterprise::{self, DocumentKind};
use crate::domain::policy::{self, Action};
use crate::error::{AppError, Msg, Result};
use crate::files::Store;
use crate::store::{self, Db};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use entity::enterprise_documents;
use futures::stream::BoxStream;
use serde_json::json;
use std::collections::HashSet;

/// A filer account of an enterprise waiting to be confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filer {
    pub username: String,
    pub display_name: String,
    pub position: Option<String>,
    pub phone: Option<String>,
}

/// A proof document as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentView {
    pub id: i64,
    pub kind: Option<DocumentKind>,
    pub original_name: Option<String>,
    pub size: i64,
    pub media_type: String,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<&enterprise_documents::Model> for DocumentView {
    fn from(d: &enterprise_documents::Model) -> Self {
        Self {
            id: d.id,
            kind: DocumentKind::parse(&d.kind).ok(),
            original_name: d.original_name.clone(),
            size: d.size,
            media_type: d.media_type.clone(),
            sha256: d.sha256.clone(),
            uploaded_at: d.uploaded_at,
        }
    }
}

/// An enterprise waiting to be confirmed, with its filers and documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub name: String,
    pub uscc: Option<String>,
    pub region_code: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub registered_at: DateTime<Utc>,
    pub filers: Vec<Filer>,
    pub documents: Vec<DocumentView>,
}

/// The enterprises waiting to be confirmed that `me` may confirm (those of their region; every
/// one for an administrator), oldest registration first.
pub async fn pending(db: &Db, me: &Identity) -> Result<Vec<Pending>> {
    policy::authorize(&me.actor, Action::VerifyEnterprises)?;
    let orgs: Vec<_> = store::enterprises::unverified(db.conn())
        .await?
        .into_iter()
        .filter(|o| policy::may_verify_enterprise(&me.actor, &o.region_code))
        .collect();
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let documents = store::enterprises::documents_of(db.conn(), &ids).await?;
    let filers = store::enterprises::filers_of(db.conn(), &ids).await?;
    Ok(orgs
        .into_iter()
        .map(|o| Pending {
            filers: filers
                .iter()
                .filter(|u| u.org_id == o.id)
                .map(|u| Filer {
                    username: u.username.clone(),
                    display_name: u.display_name.clone(),
                    position: u.position.clone(),
                    phone: u.phone.clone(),
                })
                .collect(),
            documents: documents
                .iter()
                .filter(|d| d.org_id == o.id)
                .map(DocumentView::from)
                .collect(),
            id: o.id,
            name: o.name,
            uscc: o.uscc,
            region_code: o.region_code,
            contact_name: o.contact_name,
            contact_phone: o.contact_phone,
            registered_at: o.created_at,
        })
        .collect())
}

/// Confirms that an enterprise is who it says: 403 for anyone but an administrator or a centre
/// or IP office covering its region, 404 for no such enterprise, 409 once confirmed. Audited.
pub async fn confirm(cx: &Ctx, me: &Identity, org_id: i64) -> Result<()> {
    policy::authorize(&me.actor, Action::VerifyEnterprises)?;
    let org = store::orgs::get(cx.db.conn(), org_id)
        .await?
        .filter(|o| o.kind == "enterprise")
        .ok_or(AppError::NotFound)?;
    if !policy::may_verify_enterprise(&me.actor, &org.region_code) {
        return Err(AppError::forbidden());
    }
    let txn = cx.db.begin_write().await?;
    if !store::enterprises::verify(&txn, org.id, me.user.id, cx.now).await? {
        txn.rollback().await?;
        return Err(AppError::Conflict(Msg::new("enterprises.already_verified")));
    }
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "enterprise.verify",
        ("organization", org.id.to_string()),
        &json!({"name": org.name, "uscc": org.uscc}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

/// A proof document opened for download.
pub struct Opened {
    pub document: DocumentView,
    /// The name the server gives it (credit code, kind, extension).
    pub served_name: String,
    /// The bytes; none for a `HEAD` request.
    pub body: Option<BoxStream<'static, std::io::Result<Bytes>>>,
}

/// Opens a proof document for someone who may confirm its enterprise (404 for anyone else, so
/// that no one learns which documents exist). A download (not a `HEAD`) is audited.
pub async fn open_document(
    cx: &Ctx,
    blobs: &Store,
    me: &Identity,
    id: i64,
    head: bool,
) -> Result<Opened> {
    let (d, org) = store::enterprises::document(cx.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = policy::can(&me.actor, Action::VerifyEnterprises)
        && policy::may_verify_enterprise(&me.actor, &org.region_code);
    if !allowed {
        return Err(AppError::NotFound);
    }
    let served_name = enterprise::served_name(org.uscc.as_deref(), &d.kind, &d.media_type);
    let body = if head {
        None
    } else {
        let stream = blobs
            .get(&d.object_key)
            .await
            .map_err(crate::service::evidence::read_failed)?;
        let entry = audit_entry(
            Some(&me.user),
            &cx.meta,
            "enterprise.document_download",
            ("enterprise_document", d.id.to_string()),
            &json!({"organization": org.id, "sha256": d.sha256}),
        );
        let txn = cx.db.begin_write().await?;
        store::audit::append(&txn, entry).await?;
        txn.commit().await?;
        Some(stream)
    };
    Ok(Opened {
        document: DocumentView::from(&d),
        served_name,
        body,
    })
}

/// Which of these cases were filed by an enterprise not yet confirmed.
pub async fn filed_unverified(db: &Db, case_ids: &[i64]) -> Result<HashSet<i64>> {
    Ok(store::enterprises::filed_unverified(db.conn(), case_ids).await?)
}

/// The enterprise that filed a case, as an office reader sees it on the case page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFiler {
    pub name: String,
    pub verified: bool,
}

/// The filing enterprise of a case `me` reads (none for the filing enterprise itself, and none
/// when no enterprise filed it). The caller has checked that `me` may see the case.
pub async fn case_filer(db: &Db, me: &Identity, case_id: i64) -> Result<Option<CaseFiler>> {
    if !me.actor.org_kind.is_office() {
        return Ok(None);
    }
    Ok(store::enterprises::filer_of_case(db.conn(), case_id)
        .await?
        .filter(|o| o.kind == "enterprise")
        .map(|o| CaseFiler {
            name: o.name,
            verified: o.verified_at.is_some(),
        }))
}
