//! `audit_log`: the hash-chained audit trail. Rows are only ever appended.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Position in the chain, 1, 2, 3 … without gaps.
    #[sea_orm(unique)]
    pub seq: i64,
    /// When, truncated to microseconds (the precision every database keeps).
    pub at: DateTimeUtc,
    pub actor_user_id: Option<i64>,
    /// The actor's username at the time, or `system` / `anonymous`.
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub client_addr: String,
    pub request_id: String,
    /// SHA-256 of the request payload (secrets removed).
    pub payload_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

impl ActiveModelBehavior for ActiveModel {}
