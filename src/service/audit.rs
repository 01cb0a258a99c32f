//! Verifying and browsing the audit trail.

use super::admin::Caller;
use crate::domain::audit::{Checkpoint, Report, Verifier};
use crate::domain::policy::Action;
use crate::error::Result;
use crate::store::{self, Db};
use entity::audit_log;

/// Re-walks the whole chain in batches; memory stays flat however long it is.
pub async fn verify(db: &Db, caller: Caller<'_>, checkpoint: Option<Checkpoint>) -> Result<Report> {
    caller.authorize(Action::ViewAuditLog)?;
    let mut verifier = Verifier::new(checkpoint);
    let mut after = 0;
    'walk: loop {
        let page = store::audit::page_after(db.conn(), after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for row in &page {
            if !verifier.push(&store::audit::to_entry(row)) {
                break 'walk;
            }
        }
    }
    Ok(verifier.finish())
}

/// One page of the audit log for an administrator.
pub async fn browse(
    db: &Db,
    caller: Caller<'_>,
    filter: &store::audit::Filter,
    before_seq: Option<i64>,
    limit: u64,
) -> Result<(Vec<audit_log::Model>, u64)> {
    caller.authorize(Action::ViewAuditLog)?;
    Ok(store::audit::browse(db.conn(), filter, before_seq, limit).await?)
}
