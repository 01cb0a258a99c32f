//! `login_attempts`: sign-in attempts, counted for throttling per account and per client address.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The name as typed, folded to lower case (also for names that do not exist).
    pub username: String,
    pub client_addr: String,
    pub succeeded: bool,
    pub at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
