//! Enterprises' protection needs (保护需求): recorded by an industry office, IP office, centre or
//! workstation with a 专精特新 enterprise, by its credit code; shown to triage and officers on its
//! cases (never to other enterprises).

use super::{Ctx, Identity, audit_entry};
use crate::domain::needs::{self, NeedsInput};
use crate::domain::policy::{self, Action};
use crate::domain::uscc::Uscc;
use crate::error::{AppError, Result};
use crate::store::needs::NewNeeds;
use crate::store::{self, Db};
use entity::enterprise_needs;
use serde_json::json;

/// The credit code in a path, validated, of an enterprise `me` may record needs of: a malformed
/// code, or one of an enterprise outside the caller's region, names no enterprise (404).
fn code(me: &Identity, uscc: &str) -> Result<Uscc> {
    policy::authorize(&me.actor, Action::RecordProtectionNeeds)?;
    let uscc = Uscc::parse(uscc).map_err(|_| AppError::NotFound)?;
    if !policy::may_record_needs(&me.actor, uscc.region_code()) {
        return Err(AppError::NotFound);
    }
    Ok(uscc)
}

/// Whether `me` may record the needs of the enterprise with credit code `uscc`.
pub fn may_record(me: &Identity, uscc: &str) -> bool {
    code(me, uscc).is_ok()
}

/// The form of enterprise `uscc`: what was recorded, else its name from the registry or the
/// organisations.
pub async fn form(
    db: &Db,
    me: &Identity,
    uscc: &str,
) -> Result<(NeedsInput, Option<enterprise_needs::Model>)> {
    let uscc = code(me, uscc)?;
    let saved = store::needs::get(db.conn(), uscc.as_str()).await?;
    let input = match &saved {
        Some(n) => NeedsInput {
            enterprise_name: n.enterprise_name.clone(),
            products: n.products.clone(),
            markets: n.markets.clone(),
            known_infringers: n.known_infringers.clone(),
            overseas_plans: n.overseas_plans.clone(),
        },
        None => NeedsInput {
            enterprise_name: enterprise_name(db, &uscc).await?.unwrap_or_default(),
            ..Default::default()
        },
    };
    Ok((input, saved))
}

async fn enterprise_name(db: &Db, uscc: &Uscc) -> Result<Option<String>> {
    if let Some(o) = store::orgs::enterprise_by_uscc(db.conn(), uscc.as_str()).await? {
        return Ok(Some(o.name));
    }
    let code = uscc.as_str().to_string();
    let entries = store::srdi::in_force_by_uscc(db.conn(), std::slice::from_ref(&code)).await?;
    Ok(entries
        .get(&code)
        .and_then(|e| e.first())
        .map(|e| e.name.clone()))
}

/// Records (or replaces) the needs of enterprise `uscc`, audited.
pub async fn save(
    cx: &Ctx,
    me: &Identity,
    uscc: &str,
    input: NeedsInput,
) -> Result<enterprise_needs::Model> {
    let uscc = code(me, uscc)?;
    let v = needs::validate(&input).map_err(AppError::Invalid)?;
    let txn = cx.db.begin_write().await?;
    let row = store::needs::save(
        &txn,
        NewNeeds {
            uscc: uscc.as_str().to_string(),
            enterprise_name: v.enterprise_name,
            products: v.products,
            markets: v.markets,
            known_infringers: v.known_infringers,
            overseas_plans: v.overseas_plans,
            by_user_id: me.user.id,
            by_org_id: me.org.id,
            is_demo: me.user.is_demo,
        },
        cx.now,
    )
    .await?;
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "needs.save",
        ("enterprise", uscc.as_str().to_string()),
        &json!(input),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(row)
}

/// The needs recorded for the complainant `uscc` of a case, for a reader who sees the case as
/// an office (the filing enterprise and others do not get them).
pub async fn for_case(
    db: &Db,
    office_reader: bool,
    uscc: Option<&str>,
) -> Result<Option<enterprise_needs::Model>> {
    match (office_reader, uscc) {
        (true, Some(u)) => Ok(store::needs::get(db.conn(), u).await?),
        _ => Ok(None),
    }
}
