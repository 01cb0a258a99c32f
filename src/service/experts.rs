//! The experts directory of overseas assistance (海外维权专家库): who may be assigned to an
//! overseas case, with their fields and languages. Kept by supervisors of IP offices and by
//! administrators; every office user may browse it.

use super::{Ctx, Identity, audit_entry};
use crate::domain::identity::{OrgKind, Role};
use crate::error::{AppError, Result};
use crate::store::workflow::NewExpert;
use crate::store::{self, Db};
use entity::experts;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The form and API body of a new expert.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ExpertForm {
    pub name: String,
    pub organization: String,
    pub fields: String,
    pub languages: String,
    pub contact: String,
}

/// An expert of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpertView {
    pub id: i64,
    pub name: String,
    /// Law firm, university or institute.
    pub organization: String,
    /// Fields of expertise, comma-separated.
    pub fields: String,
    /// Working languages, comma-separated.
    pub languages: String,
    pub contact: Option<String>,
}

impl From<experts::Model> for ExpertView {
    fn from(e: experts::Model) -> Self {
        Self {
            id: e.id,
            name: e.name,
            organization: e.organization,
            fields: e.fields,
            languages: e.languages,
            contact: e.contact,
        }
    }
}

/// Whether `me` keeps the directory.
pub fn may_keep(me: &Identity) -> bool {
    me.role() == Role::Admin
        || (me.actor.org_kind == OrgKind::IpOffice && me.role() == Role::Supervisor)
}

/// The active experts, for any office user.
pub async fn list(db: &Db, me: &Identity) -> Result<Vec<ExpertView>> {
    crate::domain::policy::authorize(&me.actor, crate::domain::policy::Action::ViewExperts)
        .map_err(|_| AppError::forbidden())?;
    let rows = store::workflow::experts(db.conn()).await?;
    Ok(rows.into_iter().map(ExpertView::from).collect())
}

/// Adds an expert.
pub async fn add(cx: &Ctx, me: &Identity, form: ExpertForm) -> Result<ExpertView> {
    if !may_keep(me) {
        return Err(AppError::forbidden());
    }
    let mut errors = Vec::new();
    // Lists are typed with Chinese or Latin commas; they are kept with one kind.
    let mut text = |field: &'static str, v: &str, required: bool| {
        super::form_line(&mut errors, field, &v.replace('，', ", "), required)
    };
    let e = NewExpert {
        name: text("name", &form.name, true),
        organization: text("organization", &form.organization, true),
        fields: text("fields", &form.fields, true),
        languages: text("languages", &form.languages, true),
        contact: Some(text("contact", &form.contact, false)).filter(|c| !c.is_empty()),
        org_id: Some(me.org.id),
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let txn = cx.db.begin_write().await?;
    let row = store::workflow::insert_expert(&txn, e, cx.now).await?;
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "expert.add",
        ("expert", row.id.to_string()),
        &json!(form),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(row.into())
}
