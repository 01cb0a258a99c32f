//! `case_rights`: the rights asserted in a case.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_rights")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub position: i32,
    pub kind: String,
    /// Normalised number (`ZL202310123456.6`, trademark registration number), when it has one.
    pub number: Option<String>,
    pub title: String,
    pub holder: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
