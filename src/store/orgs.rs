//! Organisations.

use crate::domain::identity::OrgKind;
use chrono::{DateTime, Utc};
use entity::organizations;
use sea_orm::QuerySelect;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

/// Fields of an organisation as entered (already validated by the service).
#[derive(Debug, Clone)]
pub struct OrgFields {
    pub name: String,
    pub kind: String,
    pub uscc: Option<String>,
    pub region_code: String,
    pub parent_id: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub triage_working_days: Option<i16>,
    /// The park a workstation serves.
    pub park: Option<String>,
    /// The fast-track triage standard for 专精特新 enterprises' leads (working days).
    pub srdi_triage_working_days: Option<i16>,
}

/// Inserts an organisation entered by an administrator, the operator or the demo: verified from
/// its creation.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    f: OrgFields,
    is_demo: bool,
    now: DateTime<Utc>,
) -> Result<organizations::Model, DbErr> {
    insert_with(db, f, is_demo, Some(now), now).await
}

/// Inserts an enterprise that registered itself: unverified until a centre or office confirms it.
pub async fn insert_unverified<C: ConnectionTrait>(
    db: &C,
    f: OrgFields,
    is_demo: bool,
    now: DateTime<Utc>,
) -> Result<organizations::Model, DbErr> {
    insert_with(db, f, is_demo, None, now).await
}

async fn insert_with<C: ConnectionTrait>(
    db: &C,
    f: OrgFields,
    is_demo: bool,
    verified_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<organizations::Model, DbErr> {
    organizations::ActiveModel {
        name: Set(f.name),
        kind: Set(f.kind),
        uscc: Set(f.uscc),
        region_code: Set(f.region_code),
        parent_id: Set(f.parent_id),
        contact_name: Set(f.contact_name),
        contact_phone: Set(f.contact_phone),
        triage_working_days: Set(f.triage_working_days),
        park: Set(f.park),
        srdi_triage_working_days: Set(f.srdi_triage_working_days),
        is_demo: Set(is_demo),
        verified_at: Set(verified_at),
        verified_by_user_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: i64,
    f: OrgFields,
    now: DateTime<Utc>,
) -> Result<organizations::Model, DbErr> {
    organizations::ActiveModel {
        id: Set(id),
        name: Set(f.name),
        kind: Set(f.kind),
        uscc: Set(f.uscc),
        region_code: Set(f.region_code),
        parent_id: Set(f.parent_id),
        contact_name: Set(f.contact_name),
        contact_phone: Set(f.contact_phone),
        triage_working_days: Set(f.triage_working_days),
        park: Set(f.park),
        srdi_triage_working_days: Set(f.srdi_triage_working_days),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await
}

/// Whether an organisation with this 统一社会信用代码 exists.
pub async fn uscc_taken<C: ConnectionTrait>(db: &C, uscc: &str) -> Result<bool, DbErr> {
    Ok(organizations::Entity::find()
        .filter(organizations::Column::Uscc.eq(uscc))
        .count(db)
        .await?
        > 0)
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<organizations::Model>, DbErr> {
    organizations::Entity::find_by_id(id).one(db).await
}

/// All organisations, by region then name.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<organizations::Model>, DbErr> {
    organizations::Entity::find()
        .order_by_asc(organizations::Column::RegionCode)
        .order_by_asc(organizations::Column::Name)
        .all(db)
        .await
}

/// Ancestors of `id`, nearest first (to refuse cycles in the parent chain).
pub async fn ancestors<C: ConnectionTrait>(db: &C, id: i64) -> Result<Vec<i64>, DbErr> {
    let mut out = Vec::new();
    let mut current = get(db, id).await?.and_then(|o| o.parent_id);
    while let Some(p) = current {
        if out.contains(&p) || out.len() > 64 {
            break;
        }
        out.push(p);
        current = get(db, p).await?.and_then(|o| o.parent_id);
    }
    Ok(out)
}

/// Every organisation below `id` in the parent chain, at any depth (its subordinate offices).
/// The tree is small (offices, not enterprises): one query for every parent link, then a walk.
pub async fn below<C: ConnectionTrait>(db: &C, id: i64) -> Result<Vec<i64>, DbErr> {
    let links: Vec<(i64, i64)> = organizations::Entity::find()
        .select_only()
        .column(organizations::Column::Id)
        .column(organizations::Column::ParentId)
        .filter(organizations::Column::ParentId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(crate::domain::org_tree::below(id, &links))
}

/// The organisations directly below `id`, by name.
pub async fn children<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Vec<organizations::Model>, DbErr> {
    organizations::Entity::find()
        .filter(organizations::Column::ParentId.eq(id))
        .order_by_asc(organizations::Column::RegionCode)
        .order_by_asc(organizations::Column::Name)
        .all(db)
        .await
}

/// How many organisations are not demo data.
pub async fn count_real<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    organizations::Entity::find()
        .filter(organizations::Column::IsDemo.eq(false))
        .count(db)
        .await
}

pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    organizations::Entity::find().count(db).await
}

/// The kinds of office that receive a region's complaints, in order of preference.
const SERVING: [OrgKind; 2] = [OrgKind::IpOffice, OrgKind::AssistanceCenter];

/// The office that owns a lead from `region`: the IP office of the county, else of the
/// prefecture, else of the province; failing that the assistance centre by the same order.
pub async fn serving_office<C: ConnectionTrait>(
    db: &C,
    region: &str,
) -> Result<Option<organizations::Model>, DbErr> {
    nearest_of(db, region, &SERVING).await
}

/// The kinds of organisation that answer a region's online questions, in order of preference.
const CONSULTED: [OrgKind; 2] = [OrgKind::AssistanceCenter, OrgKind::IpOffice];

/// The organisation that answers an enterprise's online question from `region`: the assistance
/// centre of the county, else of the prefecture, else of the province; failing that the IP
/// office by the same order.
pub async fn consulted_office<C: ConnectionTrait>(
    db: &C,
    region: &str,
) -> Result<Option<organizations::Model>, DbErr> {
    nearest_of(db, region, &CONSULTED).await
}

/// The workstations of assistance centre `centre_id`, by name.
pub async fn workstations_of<C: ConnectionTrait>(
    db: &C,
    centre_id: i64,
) -> Result<Vec<organizations::Model>, DbErr> {
    organizations::Entity::find()
        .filter(organizations::Column::ParentId.eq(centre_id))
        .filter(organizations::Column::Kind.eq(OrgKind::Workstation.as_str()))
        .order_by_asc(organizations::Column::Name)
        .all(db)
        .await
}

/// The enterprise whose 统一社会信用代码 is `uscc`, if it is kept here.
pub async fn enterprise_by_uscc<C: ConnectionTrait>(
    db: &C,
    uscc: &str,
) -> Result<Option<organizations::Model>, DbErr> {
    organizations::Entity::find()
        .filter(organizations::Column::Uscc.eq(uscc))
        .filter(organizations::Column::Kind.eq(OrgKind::Enterprise.as_str()))
        .one(db)
        .await
}

/// The market regulator nearest `region` (county, prefecture, province), if one is kept here.
pub async fn market_regulator<C: ConnectionTrait>(
    db: &C,
    region: &str,
) -> Result<Option<organizations::Model>, DbErr> {
    nearest_of(db, region, &[OrgKind::MarketRegulator]).await
}

/// The organisation of the first of `kinds` nearest `region`: of the county, else of the
/// prefecture, else of the province.
async fn nearest_of<C: ConnectionTrait>(
    db: &C,
    region: &str,
    kinds: &[OrgKind],
) -> Result<Option<organizations::Model>, DbErr> {
    let (Some(p), Some(c)) = (region.get(..2), region.get(..4)) else {
        return Ok(None);
    };
    let candidates = [region.to_string(), format!("{c}00"), format!("{p}0000")];
    let rows = organizations::Entity::find()
        .filter(organizations::Column::RegionCode.is_in(candidates.clone()))
        .filter(organizations::Column::Kind.is_in(kinds.iter().map(|k| k.as_str())))
        .order_by_asc(organizations::Column::Id)
        .all(db)
        .await?;
    for kind in kinds.iter().map(|k| k.as_str()) {
        for code in &candidates {
            if let Some(o) = rows
                .iter()
                .find(|o| o.kind == kind && &o.region_code == code)
            {
                return Ok(Some(o.clone()));
            }
        }
    }
    Ok(None)
}

/// Organisations by id.
/// The region codes of the organisations `ids` (those that exist).
pub async fn regions<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, DbErr> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = organizations::Entity::find()
        .select_only()
        .columns([organizations::Column::Id, organizations::Column::RegionCode])
        .filter(organizations::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> Result<Vec<organizations::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    organizations::Entity::find()
        .filter(organizations::Column::Id.is_in(ids))
        .all(db)
        .await
}
