//! Verifying and browsing the audit trail.

use super::admin::Caller;
use crate::domain::audit::{Checkpoint, Report, Verifier};
use crate::domain::policy::Action;
use crate::error::Result;
use crate::store::{self, Db};
use entity::audit_log;

/// Re-walks the whole chain in batches; memory stays flat however long it is.
pub async fn verify(db: &Db, checkpoint: Option<Checkpoint>) -> Result<Report> {
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
    if let Caller::User(id) | Caller::Own(id) = caller {
        crate::domain::policy::authorize(&id.actor, Action::ViewAuditLog)?;
    }
    Ok(store::audit::browse(db.conn(), filter, before_seq, limit).await?)
}
