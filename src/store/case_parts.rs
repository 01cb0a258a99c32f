//! The parts of a case besides its own row: its parties (complainants, respondents, agents), the
//! rights asserted, and its shares with other offices.

use super::case_log::unknown;
use crate::domain::case::{PartyRole, RightKind, ShareAccess, ShareOrigin};
use chrono::{DateTime, Utc};
use entity::{case_parties, case_rights, case_shares};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

fn all_of<M, R: TryFrom<M, Error = DbErr>>(models: Vec<M>) -> Result<Vec<R>, DbErr> {
    models.into_iter().map(R::try_from).collect()
}

/// A party of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    pub case_id: i64,
    pub role: PartyRole,
    pub name: String,
    pub uscc: Option<String>,
    pub address: Option<String>,
    pub listing_url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

impl TryFrom<case_parties::Model> for PartyRow {
    type Error = DbErr;
    fn try_from(m: case_parties::Model) -> Result<Self, DbErr> {
        Ok(Self {
            role: PartyRole::parse(&m.role).ok_or_else(|| unknown("party role", &m.role))?,
            case_id: m.case_id,
            name: m.name,
            uscc: m.uscc,
            address: m.address,
            listing_url: m.listing_url,
            contact_name: m.contact_name,
            contact_phone: m.contact_phone,
        })
    }
}

/// A right asserted in a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightRow {
    pub case_id: i64,
    pub kind: RightKind,
    pub number: Option<String>,
    pub title: String,
    pub holder: Option<String>,
}

impl TryFrom<case_rights::Model> for RightRow {
    type Error = DbErr;
    fn try_from(m: case_rights::Model) -> Result<Self, DbErr> {
        Ok(Self {
            kind: RightKind::parse(&m.kind).ok_or_else(|| unknown("right kind", &m.kind))?,
            case_id: m.case_id,
            number: m.number,
            title: m.title,
            holder: m.holder,
        })
    }
}

/// A share of a case with another office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareRow {
    pub case_id: i64,
    pub org_id: i64,
    pub access: ShareAccess,
    pub origin: ShareOrigin,
    pub granted_at: DateTime<Utc>,
}

impl TryFrom<case_shares::Model> for ShareRow {
    type Error = DbErr;
    fn try_from(m: case_shares::Model) -> Result<Self, DbErr> {
        Ok(Self {
            access: ShareAccess::parse(&m.access)
                .ok_or_else(|| unknown("share access", &m.access))?,
            origin: ShareOrigin::parse(&m.origin)
                .ok_or_else(|| unknown("share origin", &m.origin))?,
            case_id: m.case_id,
            org_id: m.org_id,
            granted_at: m.granted_at,
        })
    }
}

/// The parties of a case: agents, complainants, respondents, each in their order.
pub async fn parties<C: ConnectionTrait>(db: &C, case_id: i64) -> Result<Vec<PartyRow>, DbErr> {
    all_of(
        case_parties::Entity::find()
            .filter(case_parties::Column::CaseId.eq(case_id))
            .order_by_asc(case_parties::Column::Role)
            .order_by_asc(case_parties::Column::Position)
            .all(db)
            .await?,
    )
}

/// The rights asserted in a case, in order.
pub async fn rights<C: ConnectionTrait>(db: &C, case_id: i64) -> Result<Vec<RightRow>, DbErr> {
    all_of(
        case_rights::Entity::find()
            .filter(case_rights::Column::CaseId.eq(case_id))
            .order_by_asc(case_rights::Column::Position)
            .all(db)
            .await?,
    )
}

/// Shares still in force.
pub async fn active_shares<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
) -> Result<Vec<ShareRow>, DbErr> {
    all_of(
        case_shares::Entity::find()
            .filter(case_shares::Column::CaseId.eq(case_id))
            .filter(case_shares::Column::RevokedAt.is_null())
            .order_by_asc(case_shares::Column::Id)
            .all(db)
            .await?,
    )
}

pub async fn insert_share<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    org_id: i64,
    access: ShareAccess,
    origin: ShareOrigin,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    case_shares::ActiveModel {
        case_id: Set(case_id),
        org_id: Set(org_id),
        access: Set(access.as_str().into()),
        origin: Set(origin.as_str().into()),
        granted_by_user_id: Set(Some(by)),
        granted_at: Set(now),
        revoked_at: Set(None),
        revoked_by_user_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Adds a party to a case after it was filed, after the parties of its role.
pub async fn add_party<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    role: PartyRole,
    name: &str,
    uscc: Option<&str>,
    address: Option<&str>,
) -> Result<(), DbErr> {
    let position = case_parties::Entity::find()
        .filter(case_parties::Column::CaseId.eq(case_id))
        .filter(case_parties::Column::Role.eq(role.as_str()))
        .count(db)
        .await?;
    case_parties::ActiveModel {
        case_id: Set(case_id),
        role: Set(role.as_str().into()),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        name: Set(name.into()),
        uscc: Set(uscc.map(str::to_string)),
        address: Set(address.map(str::to_string)),
        listing_url: Set(None),
        contact_name: Set(None),
        contact_phone: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Ends the active shares of `case_id` with `org_id`; returns how many there were.
pub async fn revoke_shares<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    org_id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let res = case_shares::Entity::update_many()
        .col_expr(case_shares::Column::RevokedAt, Expr::value(now))
        .col_expr(case_shares::Column::RevokedByUserId, Expr::value(by))
        .filter(case_shares::Column::CaseId.eq(case_id))
        .filter(case_shares::Column::OrgId.eq(org_id))
        .filter(case_shares::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Parties of many cases.
pub async fn parties_of<C: ConnectionTrait>(db: &C, ids: Vec<i64>) -> Result<Vec<PartyRow>, DbErr> {
    all_of(
        case_parties::Entity::find()
            .filter(case_parties::Column::CaseId.is_in(ids))
            .all(db)
            .await?,
    )
}

/// Rights of many cases.
pub async fn rights_of<C: ConnectionTrait>(db: &C, ids: Vec<i64>) -> Result<Vec<RightRow>, DbErr> {
    all_of(
        case_rights::Entity::find()
            .filter(case_rights::Column::CaseId.is_in(ids))
            .all(db)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use crate::store::Db;
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    async fn strings(db: &Db, sql: &str) -> Vec<String> {
        db.conn()
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql.to_string()))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect()
    }

    /// Shares made before they said why keep `granted` where an office made them (its `shared`
    /// event names it) and become `procedure` otherwise; a lead triaged by an office that does
    /// not own it gets its `triaged` read share and a new search document.
    #[tokio::test]
    async fn the_upgrade_tells_granted_shares_from_procedural_ones_and_adds_the_triagers() {
        use migration::MigratorTrait;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url, 2).await.unwrap();
        // Up to the migration that added `origin` (25 steps).
        migration::Migrator::up(db.conn(), Some(25)).await.unwrap();
        let t = "'2026-03-02T01:00:00+00:00'";
        for sql in [
            format!(
                "INSERT INTO organizations (id, name, kind, region_code, is_demo, created_at, updated_at) VALUES \
                 (1, '局', 'ip_office', '320600', FALSE, {t}, {t}), \
                 (2, '中心', 'assistance_center', '320600', FALSE, {t}, {t}), \
                 (3, '工信局', 'industry_office', '320600', FALSE, {t}, {t}), \
                 (13, '省局', 'ip_office', '320000', FALSE, {t}, {t})"
            ),
            format!(
                "INSERT INTO cases (id, number, title, description, source, channel, region_code, queue, state, owner_org_id, srdi_rank, facts, next_due_at, received_at, closed_at, version, is_demo, created_at, updated_at) VALUES \
                 (1, 'WQ-1', 't', 'd', 'complaint', 'other', '320612', 'administrative_ruling', 'received', 1, 0, '{{}}', NULL, {t}, NULL, 3, FALSE, {t}, {t})"
            ),
            format!(
                "INSERT INTO case_events (id, case_id, seq, kind, at, recorded_at, actor_user_id, actor_org_id, public, payload) VALUES \
                 (1, 1, 1, 'received', {t}, {t}, NULL, 1, TRUE, '{{}}'), \
                 (2, 1, 2, 'routed', {t}, {t}, NULL, 2, TRUE, '{{\"queue\":\"administrative_ruling\"}}'), \
                 (3, 1, 3, 'shared', {t}, {t}, NULL, 1, FALSE, '{{\"access\":\"read\",\"org\":\"工信局\",\"org_id\":3}}')"
            ),
            // Shared with the industry office by the owner; with the province (org 13, whose id
            // begins like 1's) by an extension's procedure.
            format!(
                "INSERT INTO case_shares (case_id, org_id, access, granted_at) VALUES \
                 (1, 3, 'read', {t}), (1, 13, 'read', {t})"
            ),
        ] {
            db.conn().execute_unprepared(&sql).await.unwrap();
        }
        migration::Migrator::up(db.conn(), None).await.unwrap();
        let origins = strings(
            &db,
            "SELECT org_id || ':' || origin FROM case_shares ORDER BY org_id",
        )
        .await;
        assert_eq!(origins, ["2:triaged", "3:granted", "13:procedure"]);
        let outbox = strings(&db, "SELECT CAST(case_id AS TEXT) FROM search_outbox").await;
        assert_eq!(outbox, ["1"]);
    }
}
