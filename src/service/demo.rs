//! The demo province: 江苏 and 南通 offices, a protection centre, three enterprises and one demo
//! user per role. Loaded only into an empty database (or one that holds nothing but demo data).

use super::RequestMeta;
use crate::domain::srdi::SrdiLevel;
use crate::domain::uscc;
use crate::error::{AppError, Msg, Result};
use crate::store::{self, Db};
use serde_json::json;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo12345";

/// Demo users: username, display name, role, organisation key.
pub const DEMO_USERS: [(&str, &str, &str, &str); 7] = [
    ("demo-admin", "系统管理员（演示）", "admin", "js_ipo"),
    ("demo-triager", "陈静（保护中心分诊）", "triager", "nt_ppc"),
    ("demo-officer", "李强（执法人员）", "officer", "nt_ipo"),
    ("demo-supervisor", "张华（负责人）", "supervisor", "nt_ipo"),
    ("demo-industry", "刘洋（工信局）", "officer", "nt_miit"),
    (
        "demo-enterprise",
        "王敏（华信精密）",
        "enterprise_filer",
        "ent_huaxin",
    ),
    (
        "demo-enterprise2",
        "赵磊（海晟新材料）",
        "enterprise_filer",
        "ent_haisheng",
    ),
];

struct DemoOrg {
    key: &'static str,
    name: &'static str,
    kind: &'static str,
    region: &'static str,
    parent: Option<&'static str>,
    /// 17-character body of the USCC; the check character is computed.
    uscc_body: Option<&'static str>,
    contact: Option<(&'static str, &'static str)>,
}

const DEMO_ORGS: [DemoOrg; 8] = [
    DemoOrg {
        key: "js_ipo",
        name: "江苏省知识产权局",
        kind: "ip_office",
        region: "320000",
        parent: None,
        uscc_body: None,
        contact: None,
    },
    DemoOrg {
        key: "js_miit",
        name: "江苏省工业和信息化厅",
        kind: "industry_office",
        region: "320000",
        parent: None,
        uscc_body: None,
        contact: None,
    },
    DemoOrg {
        key: "nt_ipo",
        name: "南通市知识产权局",
        kind: "ip_office",
        region: "320600",
        parent: Some("js_ipo"),
        uscc_body: None,
        contact: None,
    },
    DemoOrg {
        key: "nt_ppc",
        name: "南通市知识产权保护中心",
        kind: "assistance_center",
        region: "320600",
        parent: Some("nt_ipo"),
        uscc_body: None,
        contact: None,
    },
    DemoOrg {
        key: "nt_miit",
        name: "南通市工业和信息化局",
        kind: "industry_office",
        region: "320600",
        parent: Some("js_miit"),
        uscc_body: None,
        contact: None,
    },
    DemoOrg {
        key: "ent_huaxin",
        name: "南通华信精密机械有限公司",
        kind: "enterprise",
        region: "320600",
        parent: None,
        uscc_body: Some("91320600MA1N2HX3Q"),
        contact: Some(("王敏", "13800000001")),
    },
    DemoOrg {
        key: "ent_haisheng",
        name: "江苏海晟新材料科技有限公司",
        kind: "enterprise",
        region: "320612",
        parent: None,
        uscc_body: Some("91320612MA1P8HE6K"),
        contact: Some(("赵磊", "13800000002")),
    },
    DemoOrg {
        key: "ent_qiming",
        name: "南通启明电子科技有限公司",
        kind: "enterprise",
        region: "320681",
        parent: None,
        uscc_body: Some("91320681MA1R5QM2T"),
        contact: Some(("孙悦", "13800000003")),
    },
];

/// 专精特新 designations of the demo enterprises (the lists named are the real kinds of source;
/// the enterprises on them here are fictional).
const DEMO_SRDI: [(&str, SrdiLevel, i32, &str); 2] = [
    (
        "ent_huaxin",
        SrdiLevel::NationalLittleGiant,
        2024,
        "工业和信息化部第六批专精特新“小巨人”企业名单（演示）",
    ),
    (
        "ent_qiming",
        SrdiLevel::ProvincialSrdi,
        2025,
        "江苏省专精特新中小企业名单（演示）",
    ),
];

/// What loading did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    /// The demo data was loaded now.
    Now,
    /// It was already there; nothing changed.
    Already,
}

/// Loads the demo data into an empty database. Refuses a database that holds anything else.
pub async fn load(db: &Db) -> Result<Loaded> {
    let conn = db.conn();
    if store::orgs::count_real(conn).await? > 0 || store::users::count_real(conn).await? > 0 {
        return Err(AppError::Conflict(Msg::new("demo.refused")));
    }
    if store::orgs::count(conn).await? > 0 {
        return Ok(Loaded::Already);
    }
    let mut hashes = Vec::new();
    for _ in DEMO_USERS {
        hashes.push(super::auth::hash_password(DEMO_PASSWORD.to_string()).await?);
    }
    let meta = RequestMeta::cli("demo");
    let now = store::now();
    let txn = db.begin_write().await?;
    let mut ids: Vec<(&str, i64)> = Vec::new();
    for o in &DEMO_ORGS {
        let parent_id = o
            .parent
            .and_then(|p| ids.iter().find(|(k, _)| *k == p).map(|(_, id)| *id));
        let uscc = match o.uscc_body {
            Some(body) => Some(
                uscc::complete(body)
                    .ok_or_else(|| anyhow::anyhow!("demo USCC body {body} is malformed"))?
                    .as_str()
                    .to_string(),
            ),
            None => None,
        };
        let fields = store::orgs::OrgFields {
            name: o.name.into(),
            kind: o.kind.into(),
            uscc,
            region_code: o.region.into(),
            parent_id,
            contact_name: o.contact.map(|c| c.0.into()),
            contact_phone: o.contact.map(|c| c.1.into()),
        };
        let org = store::orgs::insert(&txn, fields, true, now).await?;
        ids.push((o.key, org.id));
    }
    for (org_key, level, year, source) in DEMO_SRDI {
        let org_id = ids
            .iter()
            .find(|(k, _)| *k == org_key)
            .map(|(_, id)| *id)
            .unwrap_or_default();
        let recorded_by = ids.iter().find(|(k, _)| *k == "nt_miit").map(|(_, id)| *id);
        let d = store::srdi::NewDesignation {
            org_id,
            level: level.as_str().into(),
            year,
            source: source.into(),
            recorded_by_org_id: recorded_by,
        };
        store::srdi::insert(&txn, d, now).await?;
    }
    for ((username, name, role, org_key), hash) in DEMO_USERS.iter().zip(hashes) {
        let org_id = ids
            .iter()
            .find(|(k, _)| k == org_key)
            .map(|(_, id)| *id)
            .unwrap_or_default();
        let new = store::users::NewUser {
            username: (*username).into(),
            display_name: (*name).into(),
            org_id,
            role: (*role).into(),
            password_hash: hash,
            phone: None,
            email: None,
        };
        store::users::insert(&txn, new, true, now).await?;
    }
    let mut entry = super::audit_entry(
        None,
        &meta,
        "system.demo_load",
        ("system", "demo".into()),
        &json!({"organizations": DEMO_ORGS.len(), "users": DEMO_USERS.len()}),
    );
    entry.actor = "operator".into();
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(Loaded::Now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_enterprises_have_valid_codes_in_their_region() {
        for o in DEMO_ORGS.iter().filter(|o| o.kind == "enterprise") {
            let code = uscc::complete(o.uscc_body.unwrap()).expect("valid body");
            assert_eq!(code.region_code(), o.region, "{}", o.name);
        }
    }

    #[test]
    fn every_demo_user_has_an_organisation_that_fits_their_role() {
        use crate::domain::identity::{OrgKind, Role};
        for (user, _, role, org) in DEMO_USERS {
            let org = DEMO_ORGS.iter().find(|o| o.key == org).expect(user);
            let kind: OrgKind = org.kind.parse().unwrap();
            assert!(role.parse::<Role>().unwrap().fits(kind), "{user}");
        }
    }
}
