//! The shares made before shares said why they exist (migration 25 marked them all `granted`):
//! those an office made — a `shared` event naming the office, or a campaign's referral to it
//! (`campaign_referred`) — stay `granted`; the others (a previous owner's, a superior's, a
//! fund's reviewers', a workstation's) become `procedure`. A lead triaged by an office that did
//! not own it gets the read share such a triage now leaves (`triaged`), dated by the decision,
//! and its search document is rebuilt so that the office finds it. The statistics' rollups are
//! counted again at the next start (their definitions changed with the same release).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // serde_json writes the payloads compactly, keys in order: the office's id is followed
        // by a comma or ends the object.
        let names = |key: &str| {
            format!(
                "(e.payload LIKE '%\"{key}\":' || case_shares.org_id || ',%' \
                  OR e.payload LIKE '%\"{key}\":' || case_shares.org_id || '}}%')"
            )
        };
        db.execute_unprepared(&format!(
            "UPDATE case_shares SET origin = 'procedure' \
             WHERE origin = 'granted' AND NOT EXISTS ( \
               SELECT 1 FROM case_events e WHERE e.case_id = case_shares.case_id \
                 AND ((e.kind = 'shared' AND {}) \
                      OR (e.kind = 'campaign_referred' AND {})))",
            names("org_id"),
            names("to_org_id"),
        ))
        .await?;
        db.execute_unprepared(
            "INSERT INTO case_shares (case_id, org_id, access, granted_by_user_id, granted_at, origin) \
             SELECT e.case_id, e.actor_org_id, 'read', MIN(e.actor_user_id), MIN(e.recorded_at), 'triaged' \
             FROM case_events e JOIN cases c ON c.id = e.case_id \
             WHERE e.kind IN ('routed', 'referred', 'rejected', 'merged') \
               AND e.actor_org_id IS NOT NULL AND e.actor_org_id <> c.owner_org_id \
               AND NOT EXISTS (SELECT 1 FROM case_shares s WHERE s.case_id = e.case_id \
                                 AND s.org_id = e.actor_org_id AND s.revoked_at IS NULL) \
             GROUP BY e.case_id, e.actor_org_id",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO search_outbox (case_id, recorded_at) \
             SELECT case_id, MIN(granted_at) FROM case_shares WHERE origin = 'triaged' \
             GROUP BY case_id",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DELETE FROM case_shares WHERE origin = 'triaged'")
            .await?;
        db.execute_unprepared("UPDATE case_shares SET origin = 'granted'")
            .await?;
        Ok(())
    }
}
