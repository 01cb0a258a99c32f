//! The experts directory of overseas assistance (海外维权专家库): who may be assigned to an
//! overseas case, with their fields and languages. Kept by supervisors of IP offices and by
//! administrators; every office user may browse it.

use super::{Identity, RequestMeta, audit_entry};
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

/// Whether `me` keeps the directory.
pub fn may_keep(me: &Identity) -> bool {
    me.role() == Role::Admin
        || (me.actor.org_kind == OrgKind::IpOffice && me.role() == Role::Supervisor)
}

/// The active experts, for any office user.
pub async fn list(db: &Db, me: &Identity) -> Result<Vec<experts::Model>> {
    crate::domain::policy::authorize(&me.actor, crate::domain::policy::Action::ViewExperts)
        .map_err(|_| AppError::forbidden())?;
    Ok(store::workflow::experts(db.conn()).await?)
}

/// Adds an expert.
pub async fn add(
    db: &Db,
    me: &Identity,
    form: ExpertForm,
    meta: &RequestMeta,
) -> Result<experts::Model> {
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
    let now = crate::service::now();
    let txn = db.begin_write().await?;
    let row = store::workflow::insert_expert(&txn, e, now).await?;
    let entry = audit_entry(
        Some(&me.user),
        meta,
        "expert.add",
        ("expert", row.id.to_string()),
        &json!(form),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(row)
}
