//! `password_reset_requests`: every self-service password reset request, counted for throttling
//! per account and per client address. A request for an account that can receive e-mail carries
//! the SHA-256 of its single-use token (the token itself is only in the e-mail).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_reset_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The account asked for; NULL when the name or address matched none that can receive it.
    pub user_id: Option<i64>,
    #[sea_orm(unique)]
    pub token_hash: Option<String>,
    pub client_addr: String,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    /// When the token was used (or made void by a later reset).
    pub used_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
