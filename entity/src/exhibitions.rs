//! `exhibitions`: exhibitions with an IP complaint station (展会知识产权投诉站); their cases are
//! handled while they are open and closed or converted when they close.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exhibitions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub venue: String,
    pub organiser: String,
    /// Where the complaint station is (hall, room).
    pub station: String,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    /// The IP office that handles complaints at the exhibition.
    pub owner_org_id: i64,
    pub created_by_user_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// When the closing sweep closed or converted its open cases.
    pub swept_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
