//! The demo province: 江苏 and 南通 offices, a protection centre, three enterprises and one demo
//! user per role. Loaded only into an empty database (or one that holds nothing but demo data).

use super::RequestMeta;
use crate::domain::case::intake::{
    CaseInput, ExhibitionInput, OverseasInput, PartyInput, RightInput,
};
use crate::domain::srdi::SrdiLevel;
use crate::domain::uscc;
use crate::error::{AppError, Msg, Result};
use crate::store::{self, Db};
use serde_json::json;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo12345";

/// Demo users: username, display name, role, organisation key.
pub const DEMO_USERS: [(&str, &str, &str, &str); 10] = [
    ("demo-admin", "系统管理员（演示）", "admin", "js_ipo"),
    ("demo-triager", "陈静（保护中心分诊）", "triager", "nt_ppc"),
    ("demo-officer", "李强（执法人员）", "officer", "nt_ipo"),
    ("demo-supervisor", "张华（负责人）", "supervisor", "nt_ipo"),
    // Two more officers of 南通市知识产权局, so that a panel (合议组) of three can be formed.
    ("demo-officer2", "王芳（执法人员）", "officer", "nt_ipo"),
    ("demo-officer3", "孙伟（执法人员）", "officer", "nt_ipo"),
    ("demo-industry", "刘洋（工信局）", "officer", "nt_miit"),
    // The centre's workstation at the high-tech zone: takes complaints and questions in.
    ("demo-station", "周婷（高新区工作站）", "officer", "nt_ws"),
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

/// The demo experts directory (海外维权专家库): name, organisation, fields, languages (fictional).
const DEMO_EXPERTS: [(&str, &str, &str, &str); 3] = [
    (
        "周律师（演示）",
        "某涉外知识产权律师事务所",
        "337调查, 美国专利诉讼",
        "英语",
    ),
    (
        "吴教授（演示）",
        "某大学知识产权学院",
        "欧盟海关保护, 展会维权",
        "英语, 德语",
    ),
    (
        "郑顾问（演示）",
        "某跨境电商合规服务中心",
        "跨境平台投诉, 商标抢注",
        "英语, 日语",
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

const DEMO_ORGS: [DemoOrg; 11] = [
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
        key: "nt_ws",
        name: "南通高新区知识产权维权援助工作站",
        kind: "workstation",
        region: "320600",
        parent: Some("nt_ppc"),
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
    // Bodies of joint enforcement in the demo campaign (no users).
    DemoOrg {
        key: "nt_customs",
        name: "南通海关",
        kind: "customs",
        region: "320600",
        parent: None,
        uscc_body: None,
        contact: None,
    },
    DemoOrg {
        key: "nt_police",
        name: "南通市公安局",
        kind: "public_security",
        region: "320600",
        parent: None,
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

/// The park the demo workstation serves.
const DEMO_PARK: &str = "南通高新技术产业开发区";

/// The demo enterprise that registered itself and waits to be confirmed (its leads show the
/// "企业未核验" flag on the triage pages); the others are confirmed.
const UNVERIFIED_DEMO_ENTERPRISE: &str = "ent_haisheng";

/// Positions (职务) of the demo filers.
const DEMO_POSITIONS: [(&str, &str); 2] = [
    ("demo-enterprise", "法务经理"),
    ("demo-enterprise2", "总经理助理"),
];

/// 专精特新 registry entries of the demo enterprises (the lists named are the real kinds of
/// source; the enterprises on them here are fictional).
const DEMO_SRDI: [(&str, SrdiLevel, i32, &str); 2] = [
    (
        "ent_huaxin",
        SrdiLevel::NationalLittleGiant,
        2024,
        "工业和信息化部第六批专精特新“小巨人”企业名单（演示）",
    ),
    (
        "ent_haisheng",
        SrdiLevel::ProvincialSrdi,
        2025,
        "江苏省2025年度专精特新中小企业名单（演示）",
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
    let now = crate::service::now();
    let txn = db.begin_write().await?;
    let mut ids: Vec<(&str, i64)> = Vec::new();
    let mut usccs: Vec<(&str, String)> = Vec::new();
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
        if let Some(code) = &uscc {
            usccs.push((o.key, code.clone()));
        }
        let fields = store::orgs::OrgFields {
            name: o.name.into(),
            kind: o.kind.into(),
            uscc,
            region_code: o.region.into(),
            parent_id,
            contact_name: o.contact.map(|c| c.0.into()),
            contact_phone: o.contact.map(|c| c.1.into()),
            triage_working_days: None,
            park: (o.kind == "workstation").then(|| DEMO_PARK.to_string()),
            srdi_triage_working_days: None,
        };
        let org = if o.key == UNVERIFIED_DEMO_ENTERPRISE {
            store::orgs::insert_unverified(&txn, fields, true, now).await?
        } else {
            store::orgs::insert(&txn, fields, true, now).await?
        };
        ids.push((o.key, org.id));
    }
    for (org_key, level, year, source) in DEMO_SRDI {
        let (Some(org), Some((_, uscc))) = (
            DEMO_ORGS.iter().find(|o| o.key == org_key),
            usccs.iter().find(|(k, _)| *k == org_key),
        ) else {
            return Err(anyhow::anyhow!("demo SRDI entry of {org_key}: no such enterprise").into());
        };
        let recorded_by = ids.iter().find(|(k, _)| *k == "nt_miit").map(|(_, id)| *id);
        let entry = store::srdi::NewEntry {
            uscc: uscc.clone(),
            name: org.name.into(),
            level,
            year,
            source: source.into(),
            recorded_by_org_id: recorded_by,
            recorded_by_user_id: None,
        };
        store::srdi::insert(&txn, entry, now).await?;
        store::srdi::refresh_case_flags(&txn, uscc, now).await?;
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
        let user = store::users::insert(&txn, new, true, now).await?;
        if let Some((_, position)) = DEMO_POSITIONS.iter().find(|(u, _)| u == username) {
            store::enterprises::set_position(&txn, user.id, Some((*position).into())).await?;
        }
    }
    let keeper = ids.iter().find(|(k, _)| *k == "js_ipo").map(|(_, id)| *id);
    for (name, organization, fields, languages) in DEMO_EXPERTS {
        let e = store::workflow::NewExpert {
            name: name.into(),
            organization: organization.into(),
            fields: fields.into(),
            languages: languages.into(),
            contact: None,
            org_id: keeper,
        };
        store::workflow::insert_expert(&txn, e, now).await?;
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

/// A demo user as the services see them.
async fn demo_identity(db: &Db, username: &str) -> Result<super::Identity> {
    let user = store::users::by_username(db.conn(), username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo user {username} missing"))?;
    let org = store::orgs::get(db.conn(), user.org_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("organisation of {username} missing"))?;
    let identity = super::Identity::from_rows(user, org, super::Via::Cli)
        .ok_or_else(|| anyhow::anyhow!("demo user {username} has an unknown role"))?;
    Ok(identity.with_oversight(db.conn()).await?)
}

fn demo_case(
    description: &str,
    channel: &str,
    region: &str,
    right: (&str, &str, &str),
    respondent: (&str, Option<&str>),
) -> CaseInput {
    CaseInput {
        description: description.into(),
        channel: channel.into(),
        region_code: region.into(),
        complainant_standing: Some("patentee".into()),
        rights: vec![RightInput {
            kind: right.0.into(),
            number: Some(right.1.to_string()).filter(|n| !n.is_empty()),
            title: right.2.into(),
            holder: None,
        }],
        respondents: vec![PartyInput {
            name: respondent.0.into(),
            listing_url: respondent.1.map(str::to_string),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Demo cases in every early state: complaints waiting for triage (one a likely duplicate),
/// leads from the hotline and from the industry office (shared with the IP office), a case
/// routed to administrative ruling and one rejected. Loaded through the same services as real
/// work, so their events, clocks and audit entries are real.
pub async fn load_cases(db: &Db, time: &std::sync::Arc<super::case::Timekeeper>) -> Result<()> {
    use super::{intake, triage};
    let meta = RequestMeta::cli("demo");
    // Each step at the moment it is taken, as in real work.
    let cx = || super::Ctx::new(db.clone(), time.clone(), meta.clone());
    let huaxin = demo_identity(db, "demo-enterprise").await?;
    let haisheng = demo_identity(db, "demo-enterprise2").await?;
    let officer = demo_identity(db, "demo-officer").await?;
    let industry = demo_identity(db, "demo-industry").await?;
    let triager = demo_identity(db, "demo-triager").await?;

    let listing = "https://shop.example.com/item/20261101";
    intake::file_complaint(&cx(), &huaxin, demo_case(
        "被投诉人在电商平台店铺销售的锂电池隔膜，经比对落入我司发明专利权利要求1至3的保护范围。",
        "e_commerce", "320612",
        ("invention_patent", "ZL202310123456.6", "一种锂电池隔膜及其制备方法"),
        ("南通某某新能源科技有限公司", Some(listing)),
    )).await?;
    intake::file_complaint(
        &cx(),
        &haisheng,
        demo_case(
            "同一店铺销售仿冒我司专利产品的隔膜，与此前投诉的链接相同。",
            "e_commerce",
            "320612",
            (
                "invention_patent",
                "ZL202310123456.6",
                "一种锂电池隔膜及其制备方法",
            ),
            ("南通某某新能源科技有限公司", Some(listing)),
        ),
    )
    .await?;
    let mut exhibition = demo_case(
        "展会期间A馆12号展位展出与我司外观设计专利相同的数控机床防护罩。",
        "exhibition",
        "320600",
        ("design_patent", "ZL202330123456.7", "数控机床防护罩"),
        ("苏州某精密设备有限公司", None),
    );
    // Open while the demo is looked at: opened yesterday, closes in three days. The office
    // keeps it, and the enterprise complains at its station (no wait in triage).
    let station = super::exhibitions::create(
        &cx(),
        &officer,
        super::exhibitions::ExhibitionForm {
            name: "2026中国（南通）国际工业博览会（演示）".into(),
            venue: "南通国际会展中心".into(),
            organiser: "南通市贸促会（演示）".into(),
            station: "1号馆南门服务台".into(),
            opens_at: demo_local(crate::service::now() - chrono::TimeDelta::days(1)),
            closes_at: demo_local(crate::service::now() + chrono::TimeDelta::days(3)),
        },
    )
    .await?;
    exhibition.exhibition_id = Some(station.id);
    exhibition.exhibition = Some(ExhibitionInput {
        booth: Some("A12".into()),
        ..Default::default()
    });
    let fair = intake::file_complaint(&cx(), &haisheng, exhibition).await?;

    let mut hotline = demo_case(
        "12330热线来电反映：某商场摊位销售假冒“启明”注册商标的电子产品。",
        "offline_market",
        "320681",
        ("trademark", "第12345678号", "启明"),
        ("海门某电子商行", None),
    );
    hotline.complainant_standing = None;
    hotline.source = Some("hotline_12330".into());
    hotline.complainant = Some(PartyInput {
        name: "南通启明电子科技有限公司".into(),
        ..Default::default()
    });
    intake::enter_lead(&cx(), &officer, hotline).await?;

    let mut shared = demo_case(
        "工信局在专精特新企业走访中发现：企业核心实用新型专利产品在跨境平台被仿冒销售。",
        "cross_border_e_commerce",
        "320600",
        ("utility_model", "ZL202320123456.1", "一种高精度减速器"),
        (
            "Shenzhen Example Trading Co.",
            Some("https://marketplace.example.com/dp/B0DEMO"),
        ),
    );
    shared.complainant_standing = None;
    shared.source = Some("shared".into());
    shared.complainant = Some(PartyInput {
        name: "南通华信精密机械有限公司".into(),
        uscc: huaxin.org.uscc.clone(),
        ..Default::default()
    });
    shared.overseas = Some(OverseasInput {
        country: "US".into(),
        category: "cross_border_platform_takedown".into(),
        foreign_deadline: None,
        time_zone: None,
    });
    let lead = intake::enter_lead(&cx(), &industry, shared).await?;
    triage::share(
        &cx(),
        &industry,
        lead.id,
        triage::ShareRequest {
            org_id: Some(officer.org.id),
            access: "contribute".into(),
            expected_version: Some(lead.version),
        },
    )
    .await?;

    let routed = intake::file_complaint(
        &cx(),
        &huaxin,
        demo_case(
            "被请求人制造、销售的减速器落入我司发明专利保护范围，请求专利侵权纠纷行政裁决。",
            "offline_market",
            "320613",
            ("invention_patent", "ZL202210987654.2", "一种谐波减速器"),
            ("南通某机械制造有限公司", None),
        ),
    )
    .await?;
    triage::decide(
        &cx(),
        &triager,
        routed.id,
        triage::TriageRequest {
            action: "route".into(),
            queue: Some("administrative_ruling".into()),
            expected_version: Some(routed.version),
            ..Default::default()
        },
    )
    .await?;

    let decided = intake::file_complaint(
        &cx(),
        &haisheng,
        demo_case(
            "被请求人制造、销售的锂电池隔膜涂布设备使用了我司发明专利的方法，请求责令停止侵权。",
            "offline_market",
            "320613",
            (
                "invention_patent",
                "ZL202110345678.3",
                "一种隔膜涂布方法及设备",
            ),
            ("南通某智能装备有限公司", None),
        ),
    )
    .await?;
    let suspended = intake::file_complaint(
        &cx(),
        &huaxin,
        demo_case(
            "被请求人在其门店销售的减速器与我司实用新型专利相同，请求处理。",
            "offline_market",
            "320613",
            ("utility_model", "ZL202320123456.1", "一种高精度减速器"),
            ("南通某传动设备经营部", None),
        ),
    )
    .await?;

    let rejected = intake::file_complaint(
        &cx(),
        &haisheng,
        demo_case(
            "对方公司使用与我司近似的企业名称，请求处理。",
            "other",
            "320612",
            ("other", "", "企业名称"),
            ("南通海晟贸易有限公司", None),
        ),
    )
    .await?;
    triage::decide(
        &cx(),
        &triager,
        rejected.id,
        triage::TriageRequest {
            action: "reject".into(),
            reason_code: Some("not_ip_dispute".into()),
            reason: Some("企业名称争议请向市场监督管理部门反映。".into()),
            expected_version: Some(rejected.version),
            ..Default::default()
        },
    )
    .await?;

    load_consultations(&cx, &huaxin, &haisheng, &triager).await?;
    load_workstation(&cx, db).await?;
    super::needs::save(
        &cx(),
        &industry,
        huaxin.org.uscc.as_deref().unwrap_or_default(),
        crate::domain::needs::NeedsInput {
            enterprise_name: huaxin.org.name.clone(),
            products: "谐波减速器、高精度行星减速器；发明专利12件、实用新型专利30件。".into(),
            markets: "国内工业机器人整机厂；出口德国、日本，经跨境电商平台销往美国。".into(),
            known_infringers: "电商平台多家店铺销售仿冒减速器（已投诉一起）。".into(),
            overseas_plans: "明年参加汉诺威工业博览会，拟在美国、欧洲提交PCT申请。".into(),
        },
    )
    .await?;

    // Work some of them through their queues.
    use super::demo_work as work;
    let supervisor = demo_identity(db, "demo-supervisor").await?;
    let officer2 = demo_identity(db, "demo-officer2").await?;
    let officer3 = demo_identity(db, "demo-officer3").await?;
    let w = work::Workers {
        triager: &triager,
        officer: &officer,
        supervisor: &supervisor,
        panel: [officer.user.id, officer2.user.id, officer3.user.id],
    };
    work::in_answer_period(&cx(), &w, routed.id).await?;
    for f in [&decided, &suspended] {
        work::route(&cx(), &w, f, "administrative_ruling").await?;
    }
    work::published(&cx(), &w, decided.id).await?;
    work::suspended(&cx(), &w, suspended.id).await?;
    work::at_the_fair(&cx(), &w, fair.id).await?;
    work::route(&cx(), &w, &lead, "overseas_assistance").await?;
    work::overseas(&cx(), &w, lead.id).await?;
    Ok(())
}

/// Consultations of every kind: answered online questions (one filed as a complaint since),
/// one still open, and one the centre took by phone and answered at once.
async fn load_consultations(
    cx: &impl Fn() -> super::Ctx,
    huaxin: &super::Identity,
    haisheng: &super::Identity,
    triager: &super::Identity,
) -> Result<()> {
    use super::consultations;
    use crate::domain::consultation::{AnswerInput, ConsultationInput};
    let ask = |topic: &str, question: &str| ConsultationInput {
        topic: topic.into(),
        question: question.into(),
        ..Default::default()
    };
    let export = consultations::create(
        &cx(),
        huaxin,
        ask(
            "overseas",
            "我司减速器产品计划明年出口美国，如何提前做好专利风险排查？如果遭遇337调查应如何应对？",
        ),
    )
    .await?;
    consultations::answer(&cx(), triager, export.row.id, AnswerInput {
        answer: "建议出口前委托服务机构开展目标市场专利检索与自由实施（FTO）分析，并保留研发记录。\n如遭遇337调查，应在收到起诉书后20日内答复，可申请海外维权援助并从专家库指派专家。".into(),
        minutes_spent: Some(30),
    })
    .await?;
    consultations::create(&cx(), haisheng, ask(
        "trade_secrets",
        "离职技术人员带走隔膜涂布工艺参数并在竞争对手处使用，能否请求行政保护？需要准备哪些材料？",
    ))
    .await?;
    consultations::create(&cx(), triager, ConsultationInput {
        topic: "infringement_risk".into(),
        question: "纺织企业准备采购一批国外设备，担心设备涉及他人专利，采购合同中应如何约定？".into(),
        asker_name: Some("王经理（南通某纺织有限公司）".into()),
        asker_contact: Some("0513-80000000".into()),
        channel: Some("phone".into()),
        answer: Some("建议在采购合同中约定卖方的知识产权担保义务和侵权责任承担条款，并要求卖方提供相关专利清单。".into()),
        minutes_spent: Some(15),
        ..Default::default()
    })
    .await?;
    let store = consultations::create(
        &cx(),
        huaxin,
        ask(
            "enforcement",
            "发现某电商店铺销售仿冒我司实用新型专利的减速器，应通过什么途径维权？",
        ),
    )
    .await?;
    consultations::answer(&cx(), triager, store.row.id, AnswerInput {
        answer: "可向我中心提交投诉，请求专利侵权纠纷行政裁决或电商平台快速处置；请准备专利证书、权利要求对比和购买公证。".into(),
        minutes_spent: Some(10),
    })
    .await?;
    consultations::convert(
        &cx(),
        huaxin,
        store.row.id,
        demo_case(
            "某电商店铺销售的减速器与我司实用新型专利相同，此前已咨询中心，现提交投诉。",
            "e_commerce",
            "320612",
            ("utility_model", "ZL202320123456.1", "一种高精度减速器"),
            (
                "南通某传动科技有限公司",
                Some("https://shop.example.com/item/20261188"),
            ),
        ),
    )
    .await?;
    Ok(())
}

/// The high-tech zone workstation's work: a lead it took in for the centre (waiting in the
/// centre's triage) and a question it answered at its counter.
async fn load_workstation(cx: &impl Fn() -> super::Ctx, db: &Db) -> Result<()> {
    use super::{consultations, intake};
    use crate::domain::consultation::ConsultationInput;
    let station = demo_identity(db, "demo-station").await?;
    let mut walk_in = demo_case(
        "园区企业到工作站反映：其发明专利保护的数控刀具被园区外一家企业仿制并在线下销售。",
        "offline_market",
        "320600",
        ("invention_patent", "ZL202110345678.3", "一种数控刀具"),
        ("南通某刀具制造有限公司", None),
    );
    walk_in.complainant_standing = None;
    walk_in.source = Some("officer".into());
    walk_in.complainant = Some(PartyInput {
        name: "南通高新区锐锋精工有限公司（演示）".into(),
        contact_name: Some("钱工".into()),
        ..Default::default()
    });
    intake::enter_lead(&cx(), &station, walk_in).await?;
    consultations::create(&cx(), &station, ConsultationInput {
        topic: "patent_filing".into(),
        question: "园区企业询问：新研发的刀具涂层工艺适合申请发明专利还是作为技术秘密保护？".into(),
        asker_name: Some("园区企业技术负责人".into()),
        channel: Some("visit".into()),
        answer: Some("工艺难以从产品反向获知的，可考虑作为技术秘密保护；需对外许可或易被反向工程的，建议申请发明专利。".into()),
        minutes_spent: Some(20),
        ..Default::default()
    })
    .await?;
    Ok(())
}

/// A local Beijing time as the forms take it.
fn demo_local(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&crate::domain::time::beijing())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The special campaign of 南通市知识产权局 with customs, public security and the industry
/// office: two of its cases linked, a joint inspection at the textile market, one case referred
/// to public security (waiting for its acknowledgement: the demo police have no users).
pub async fn load_campaign(db: &Db, time: &std::sync::Arc<super::case::Timekeeper>) -> Result<()> {
    use super::campaigns;
    use crate::domain::campaign::{CampaignInput, InspectionInput, LinkInput, ReferralInput};
    use crate::domain::time::day_of;
    let meta = RequestMeta::cli("demo");
    let cx = || super::Ctx::new(db.clone(), time.clone(), meta.clone());
    let supervisor = demo_identity(db, "demo-supervisor").await?;
    let officer = demo_identity(db, "demo-officer").await?;
    let org = |name: &'static str| async move {
        store::orgs::list(db.conn())
            .await
            .map_err(AppError::from)?
            .into_iter()
            .find(|o| o.name == name)
            .map(|o| o.id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo organisation {name} missing")))
    };
    let customs = org("南通海关").await?;
    let police = org("南通市公安局").await?;
    let industry = org("南通市工业和信息化局").await?;
    let today = day_of(cx().now);
    let campaign = campaigns::create(
        &cx(),
        &supervisor,
        CampaignInput {
            name: "2026年南通市知识产权保护“铁拳”专项行动".into(),
            starts_on: (today - chrono::Duration::days(45)).to_string(),
            ends_on: (today + chrono::Duration::days(75)).to_string(),
            description:
                "会同海关、公安、工信部门，集中查处进出口环节、专业市场和电商平台的侵权假冒行为。"
                    .into(),
            member_org_ids: vec![customs, police, industry],
        },
    )
    .await?;
    let id = campaign.row.id;
    // Two of the office's own cases.
    let mut linked = Vec::new();
    for case_id in store::cases::all_ids(db.conn()).await? {
        let Some(case) = store::cases::find(db.conn(), case_id).await? else {
            continue;
        };
        if case.owner_org_id == officer.org.id && !case.state.is_final() && linked.len() < 2 {
            campaigns::link_case(&cx(), &officer, id, LinkInput { case_id }).await?;
            linked.push(case_id);
        }
    }
    campaigns::add_inspection(
        &cx(),
        &officer,
        id,
        InspectionInput {
            held_on: (today - chrono::Duration::days(3)).to_string(),
            place: "南通国际家纺城".into(),
            body_org_ids: vec![officer.org.id, industry],
            findings: "检查商户86家，发现涉嫌侵犯外观设计专利的床品4个批次，已责令下架。".into(),
            evidence: "现场照片24张，封存样品12件，询问笔录3份".into(),
            case_id: linked.first().copied(),
        },
    )
    .await?;
    if let Some(first) = linked.first() {
        campaigns::refer(
            &cx(),
            &officer,
            id,
            ReferralInput {
                case_id: *first,
                to_org_id: police,
                note: "当事人多次销售侵权产品、涉案金额较大，涉嫌犯罪，依法移送公安机关。".into(),
            },
        )
        .await?;
    }
    Ok(())
}

/// The mutual-aid fund of 南通市知识产权局 with this year's budget, and 华信's application from
/// its US 337 case (an invoice as its proof): decided by the supervisor and paid in part. Needs
/// the evidence store, so it is loaded after [`load_cases`] by whoever has one.
pub async fn load_fund(
    db: &Db,
    time: &std::sync::Arc<super::case::Timekeeper>,
    blobs: &crate::files::Store,
    config: &crate::config::Config,
) -> Result<()> {
    use super::{evidence, funds, intake, triage};
    use crate::domain::fund::{ApplicationInput, DecisionInput, FundInput, PayoutInput};
    use crate::domain::time::{day_of, in_beijing};
    use chrono::Datelike;
    let meta = RequestMeta::cli("demo");
    let cx = || super::Ctx::new(db.clone(), time.clone(), meta.clone());
    let supervisor = demo_identity(db, "demo-supervisor").await?;
    let huaxin = demo_identity(db, "demo-enterprise").await?;
    let triager = demo_identity(db, "demo-triager").await?;
    let now = cx().now;
    let fund = funds::create(
        &cx(),
        &supervisor,
        FundInput {
            name: "南通市海外知识产权维权互助基金".into(),
            categories: [
                "us_337",
                "foreign_litigation",
                "overseas_exhibition_or_customs",
                "trademark_squatting",
                "cross_border_platform_takedown",
            ]
            .map(String::from)
            .to_vec(),
            max_per_case_fen: 50_000_000,
            self_share_percent: 30,
            panel_threshold_fen: 20_000_000,
            panel_size: Some(3),
            rules: "资助会员企业应对美国337调查、境外诉讼、海外展会与海关纠纷、商标抢注、跨境平台下架等发生的律师费、翻译费、公证认证费；企业自付30%，单案最高50万元；可资助金额超过20万元的申请由三人评审组表决。".into(),
            year: in_beijing(now).year(),
            budget_fen: 200_000_000,
        },
    )
    .await?;

    let mut claim = demo_case(
        "我司出口美国的谐波减速器被美国企业提起337调查，指控侵犯其美国专利，需聘请美国律师应诉并准备不侵权抗辩。",
        "overseas",
        "320600",
        ("invention_patent", "ZL202210987654.2", "一种谐波减速器"),
        ("Example Robotics Inc.", None),
    );
    claim.overseas = Some(OverseasInput {
        country: "US".into(),
        category: "us_337".into(),
        foreign_deadline: None,
        time_zone: None,
    });
    let filed = intake::file_complaint(&cx(), &huaxin, claim).await?;
    triage::decide(
        &cx(),
        &triager,
        filed.id,
        triage::TriageRequest {
            action: "route".into(),
            queue: Some("overseas_assistance".into()),
            expected_version: Some(filed.version),
            ..Default::default()
        },
    )
    .await?;

    // The law firm's invoice, as the enterprise uploads it.
    let received = demo_upload(
        blobs,
        "Invoice: US counsel, Section 337 response, USD 16,500",
    )
    .await?;
    let granted = evidence::authorize_upload(db, &huaxin, filed.id).await?;
    let invoice = evidence::record_upload(
        &cx(),
        blobs,
        config,
        &granted,
        evidence::UploadFields {
            kind: Some("invoice".into()),
            description: Some("美国律师事务所337调查应诉费用发票".into()),
            obtained_at: Some(day_of(now).to_string()),
            file_name: Some("律师费发票.pdf".into()),
            claimed_type: Some("application/pdf".into()),
            other: Vec::new(),
        },
        received,
    )
    .await?;

    let applied = funds::apply(
        &cx(),
        &huaxin,
        fund.row.id,
        ApplicationInput {
            case_id: filed.id,
            claimed_fen: 12_000_000,
            costs: "美国律师应诉费（第一阶段）及技术文件翻译费，合计人民币12万元。".into(),
            evidence_ids: vec![invoice.id],
        },
    )
    .await?;
    funds::decide(
        &cx(),
        &supervisor,
        applied.row.id,
        DecisionInput {
            outcome: "approve".into(),
            amount_fen: Some(8_000_000),
            reasons: "属于基金资助的美国337调查应诉费用，凭证齐全；扣除企业自付部分后批准8万元。"
                .into(),
        },
    )
    .await?;
    funds::pay(
        &cx(),
        &supervisor,
        applied.row.id,
        PayoutInput {
            amount_fen: 5_000_000,
            paid_on: day_of(now).to_string(),
            reference: "记账凭证 2026-118".into(),
        },
    )
    .await?;
    Ok(())
}

/// A small PDF whose comment says what it stands for, received as an upload is (the demo's
/// documents).
async fn demo_upload(
    blobs: &crate::files::Store,
    what: &str,
) -> Result<crate::files::upload::Received> {
    let mut pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    pdf.extend_from_slice(format!("% {what}\n").as_bytes());
    pdf.extend_from_slice(b"%%EOF\n");
    let failed = |e| AppError::Internal(anyhow::anyhow!("demo document: {e:?}"));
    let mut up = crate::files::upload::Upload::create(blobs.tmp_dir(), pdf.len() as u64)
        .await
        .map_err(AppError::storage)?;
    up.write(&pdf).await.map_err(failed)?;
    up.finish().await.map_err(failed)
}

/// IP health checks: 华信's, done by the protection centre with its report; 海晟's, waiting
/// for the centre. Needs the evidence store (the report's bytes).
pub async fn load_health_checks(
    db: &Db,
    time: &std::sync::Arc<super::case::Timekeeper>,
    blobs: &crate::files::Store,
    config: &crate::config::Config,
) -> Result<()> {
    use super::health_checks;
    use super::registration::{Document, Upload};
    use crate::domain::health_check::{AcceptInput, CheckRequestInput};
    let meta = RequestMeta::cli("demo");
    let cx = || super::Ctx::new(db.clone(), time.clone(), meta.clone());
    let huaxin = demo_identity(db, "demo-enterprise").await?;
    let haisheng = demo_identity(db, "demo-enterprise2").await?;
    let triager = demo_identity(db, "demo-triager").await?;
    let done = health_checks::request(
        &cx(),
        &huaxin,
        CheckRequestInput {
            areas: ["patent_portfolio", "overseas", "infringement_risk"]
                .map(String::from)
                .to_vec(),
            products: "谐波减速器、精密行星减速器；出口美国、德国。".into(),
            note: "已应对一起美国337调查，希望梳理海外专利布局。".into(),
            contact_name: "周华".into(),
            contact_phone: "0513-85550101".into(),
        },
    )
    .await?;
    health_checks::accept(&cx(), &triager, done.row.id, AcceptInput::default()).await?;
    let received = demo_upload(
        blobs,
        "IP health check report: Nantong Huaxin Precision Machinery",
    )
    .await?;
    health_checks::complete(
        &cx(),
        blobs,
        config,
        &triager,
        done.row.id,
        "谐波减速器有发明专利 3 件覆盖核心结构，精密行星减速器仅有实用新型；美国已有 2 件同族专利，德国尚无布局。建议：一、就行星减速器的加工方法补充发明专利；二、在参加汉诺威展会前通过 PCT 进入欧洲；三、与美国经销商的合同补充知识产权担保条款。",
        Upload::Received(Document {
            file_name: Some("华信知识产权体检报告.pdf".into()),
            claimed_type: Some("application/pdf".into()),
            received,
        }),
    )
    .await?;
    health_checks::request(
        &cx(),
        &haisheng,
        CheckRequestInput {
            areas: ["trademark", "trade_secrets"].map(String::from).to_vec(),
            products: "锂电池隔膜涂覆材料".into(),
            note: String::new(),
            contact_name: "赵磊".into(),
            contact_phone: "13962800000".into(),
        },
    )
    .await?;
    Ok(())
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
