//! The permission matrix of the assistance records of issue 19, in the style of the case matrix:
//! a consultation an enterprise asked online, one a workstation took at its counter, an IP health
//! check, and a mutual-aid fund application, each read by every demo user and an anonymous
//! caller. The expected answers are written by hand from the rules (API.md: 401 without
//! credentials, 404 for what one may not see):
//!
//! - an enterprise sees its own consultations, health checks and applications, never another's;
//! - a workstation sees what it took in, and nothing its centre was asked directly;
//! - the centre sees what it was asked and what its workstations took in;
//! - a head of office reads what the offices below it hold; an officer only their own office's;
//! - a fund's managing office (officers on the panel, supervisors deciding) sees its
//!   applications; the centre, the workstation and the industry office do not.
//!
//! Each user's lists are compared with the same table.

use crate::helpers::TestApp;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

const USERS: [&str; 9] = [
    "demo-admin",
    "demo-triager",
    "demo-officer",
    "demo-supervisor",
    "demo-industry",
    "demo-station",
    "demo-enterprise",
    "demo-enterprise2",
    "anonymous",
];

/// What each user gets for each record, in the order of [`USERS`].
const ASKED_ONLINE: [u16; 9] = [200, 200, 404, 200, 404, 404, 200, 404, 401];
const AT_THE_STATION: [u16; 9] = [200, 200, 404, 200, 404, 200, 404, 404, 401];
const HEALTH_CHECK: [u16; 9] = [200, 200, 404, 200, 404, 404, 200, 404, 401];
const FUND_APPLICATION: [u16; 9] = [200, 404, 200, 200, 404, 404, 200, 404, 401];

fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn each_user_sees_exactly_the_assistance_records_the_rules_give_them() {
    let app = TestApp::spawn().await;
    weiquan::service::demo::load_cases(&app.db, &app.time)
        .await
        .unwrap();
    let blobs = weiquan::files::Store::open(&app.config).unwrap();
    weiquan::service::demo::load_fund(&app.db, &app.time, &blobs, &app.config)
        .await
        .unwrap();
    let enterprise = app.api_as("demo-enterprise").await;
    let station = app.api_as("demo-station").await;
    let (s, online) = enterprise
        .post(
            "/api/v1/consultations",
            &json!({"topic": "overseas", "question": "美国客户要求我司提供不侵权保证，应如何评估？"}),
        )
        .await;
    assert_eq!(s, 201, "{online}");
    let (s, counter) = station
        .post(
            "/api/v1/consultations",
            &json!({"topic": "patent_filing", "question": "园区企业来访咨询实用新型申请流程。",
                    "asker_name": "园区某企业", "channel": "visit"}),
        )
        .await;
    assert_eq!(s, 201, "{counter}");
    let (s, check) = enterprise
        .post(
            "/api/v1/health-checks",
            &json!({"areas": ["trademark"], "products": "精密减速器", "contact_name": "周华",
                    "contact_phone": "13800001111"}),
        )
        .await;
    assert_eq!(s, 201, "{check}");
    let application = entity::fund_applications::Entity::find()
        .one(app.db.conn())
        .await
        .unwrap()
        .expect("the demo fund application");

    let records = [
        (
            "consultation asked online",
            format!("/api/v1/consultations/{}", online["id"]),
            "/api/v1/consultations".to_string(),
            online["id"].as_i64().unwrap(),
            ASKED_ONLINE,
        ),
        (
            "consultation taken at the workstation",
            format!("/api/v1/consultations/{}", counter["id"]),
            "/api/v1/consultations".to_string(),
            counter["id"].as_i64().unwrap(),
            AT_THE_STATION,
        ),
        (
            "health check",
            format!("/api/v1/health-checks/{}", check["id"]),
            "/api/v1/health-checks".to_string(),
            check["id"].as_i64().unwrap(),
            HEALTH_CHECK,
        ),
        (
            "fund application",
            format!("/api/v1/fund-applications/{}", application.id),
            format!("/api/v1/funds/{}/applications", application.fund_id),
            application.id,
            FUND_APPLICATION,
        ),
    ];
    let mut wrong = Vec::new();
    for (u, user) in USERS.iter().enumerate() {
        let api = if *user == "anonymous" {
            app.api()
        } else {
            app.api_as(user).await
        };
        for (what, one, list, id, expected) in &records {
            let (status, body) = api.get(one).await;
            if status != expected[u] {
                wrong.push(format!(
                    "{user} GET {what}: {status}, expected {}: {body}",
                    expected[u]
                ));
            }
            // The lists agree with the table: the record is listed exactly for those who open it.
            let (status, listed) = api.get(list).await;
            let listed = status == 200 && ids(&listed).contains(id);
            if listed != (expected[u] == 200) {
                wrong.push(format!(
                    "{user} list of {what}: listed {listed} (status {status})"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
