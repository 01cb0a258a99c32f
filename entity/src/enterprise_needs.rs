//! `enterprise_needs`: an enterprise's protection needs (保护需求), by 统一社会信用代码.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enterprise_needs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uscc: String,
    pub enterprise_name: String,
    /// Its products and the rights that protect them.
    pub products: String,
    /// Where it sells, at home and abroad.
    pub markets: String,
    /// Infringers it knows of.
    pub known_infringers: String,
    /// Plans to export, exhibit or file abroad.
    pub overseas_plans: String,
    pub updated_by_user_id: i64,
    pub updated_by_org_id: i64,
    pub is_demo: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
