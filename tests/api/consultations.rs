//! Consultations (咨询): an enterprise asks the centre of its region online, the centre answers,
//! and the enterprise files the question as a complaint in one step (the link kept both ways);
//! staff record a question taken by phone with its answer and enter it as a lead; who sees what;
//! refused input; the figures per topic equal the list; the pages.

use crate::fixtures::{csrf_in, location};
use crate::helpers::TestApp;
use serde_json::{Value, json};

const QUESTION: &str = "发现某电商店铺销售仿冒我司发明专利的锂电池隔膜，应通过什么途径维权？";

/// The rights and respondents a complaint or lead made from a consultation adds.
fn case_facts() -> Value {
    json!({
        "channel": "e_commerce",
        "complainant_standing": "patentee",
        "rights": [{"kind": "invention_patent", "number": "ZL202310123456.6", "title": "一种锂电池隔膜"}],
        "respondents": [{"name": "南通某某新能源科技有限公司"}]
    })
}

#[tokio::test]
async fn an_enterprise_asks_the_centre_answers_and_the_enterprise_files_it_as_a_complaint() {
    let app = TestApp::spawn().await;
    let enterprise = app.api_as("demo-enterprise").await;
    let triager = app.api_as("demo-triager").await;
    let (status, asked) = enterprise
        .post(
            "/api/v1/consultations",
            &json!({"topic": "enforcement", "question": QUESTION}),
        )
        .await;
    assert_eq!(status, 201, "{asked}");
    let id = asked["id"].as_i64().unwrap();
    // It goes to the assistance centre of the enterprise's region, in the enterprise's name.
    assert_eq!(asked["org_name"], "南通市知识产权保护中心");
    assert_eq!(asked["asker_name"], "南通华信精密机械有限公司");
    assert_eq!(asked["channel"], "online");
    assert_eq!(asked["status"], "open");
    assert_eq!(asked["can_answer"], false);

    // The enterprise cannot answer its own question; another enterprise does not see it.
    let (status, _) = enterprise
        .post(
            &format!("/api/v1/consultations/{id}/answer"),
            &json!({"answer": "自己答"}),
        )
        .await;
    assert_eq!(status, 403);
    let other = app.api_as("demo-enterprise2").await;
    assert_eq!(
        other.get(&format!("/api/v1/consultations/{id}")).await.0,
        404
    );
    let (_, theirs) = other.get("/api/v1/consultations").await;
    assert!(
        theirs["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != id),
        "{theirs}"
    );

    // The centre sees it waiting and answers it once.
    let (_, open) = triager.get("/api/v1/consultations?status=open").await;
    assert!(
        open["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id)
    );
    let (status, answered) = triager
        .post(
            &format!("/api/v1/consultations/{id}/answer"),
            &json!({"answer": "可提交投诉，请求行政裁决；请准备专利证书和购买公证。", "minutes_spent": 20}),
        )
        .await;
    assert_eq!(status, 200, "{answered}");
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["minutes_spent"], 20);
    let (status, again) = triager
        .post(
            &format!("/api/v1/consultations/{id}/answer"),
            &json!({"answer": "再答一次"}),
        )
        .await;
    assert_eq!(status, 409, "{again}");
    let (_, seen) = enterprise.get(&format!("/api/v1/consultations/{id}")).await;
    assert_eq!(
        seen["answer"],
        "可提交投诉，请求行政裁决；请准备专利证书和购买公证。"
    );
    assert_eq!(seen["can_convert"], true);

    // One step: the complaint takes the question as its description and the enterprise's region.
    let (status, filed) = enterprise
        .post(
            &format!("/api/v1/consultations/{id}/convert"),
            &case_facts(),
        )
        .await;
    assert_eq!(status, 201, "{filed}");
    let case_id = filed["id"].as_i64().unwrap();
    let case = enterprise.case(case_id).await;
    assert_eq!(case["description"], QUESTION);
    assert_eq!(case["region_code"], "320600");
    let (_, events) = triager
        .get(&format!("/api/v1/cases/{case_id}/events"))
        .await;
    assert_eq!(events["items"][0]["kind"], "received");
    assert_eq!(events["items"][0]["payload"]["consultation_id"], id);
    let (_, converted) = enterprise.get(&format!("/api/v1/consultations/{id}")).await;
    assert_eq!(converted["status"], "converted");
    assert_eq!(converted["case_id"], case_id);
    assert_eq!(converted["case_number"], filed["number"]);
    assert_eq!(converted["can_convert"], false);
    // Only once.
    let (status, twice) = enterprise
        .post(
            &format!("/api/v1/consultations/{id}/convert"),
            &case_facts(),
        )
        .await;
    assert_eq!(status, 409, "{twice}");
    // The audit log has the question and its answer.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let audit: Vec<String> = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::TargetId.eq(id.to_string()))
        .filter(entity::audit_log::Column::TargetType.eq("consultation"))
        .all(app.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(audit, ["consult.create", "consult.answer"]);
}

#[tokio::test]
async fn staff_record_a_phone_question_answered_at_once_and_enter_it_as_a_lead() {
    let app = TestApp::spawn().await;
    let triager = app.api_as("demo-triager").await;
    let enterprise = app.api_as("demo-enterprise").await;
    let uscc = enterprise.me().await["organization"]["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, c) = triager
        .post(
            "/api/v1/consultations",
            &json!({
                "topic": "infringement_risk",
                "question": "我司准备在展会上展出新产品，担心被他人抢先仿冒，应做哪些准备？",
                "asker_name": "王敏",
                "asker_contact": "13800000001",
                "channel": "phone",
                "enterprise_uscc": uscc,
                "answer": "建议展前完成专利申请并保存展品设计资料。",
                "minutes_spent": 15
            }),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["status"], "answered");
    assert_eq!(c["channel"], "phone");
    assert_eq!(c["org_name"], "南通市知识产权保护中心");
    // Named by its credit code, the enterprise finds it among its own.
    assert_eq!(c["enterprise_id"], enterprise.org_id().await);
    let (_, mine) = enterprise.get("/api/v1/consultations").await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id)
    );

    // The head of the office above the centre reads it but does not answer or convert it.
    let (status, read) = app
        .api_as("demo-supervisor")
        .await
        .get(&format!("/api/v1/consultations/{id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (read["can_answer"].clone(), read["can_convert"].clone()),
        (json!(false), json!(false))
    );

    // The centre enters it as a lead: the enterprise that asked becomes the complainant (with
    // the asker as its contact, and its credit code: a 专精特新 enterprise, so the fast track),
    // the source `officer`.
    let mut facts = case_facts();
    facts
        .as_object_mut()
        .unwrap()
        .remove("complainant_standing");
    facts["description"] = json!("电话咨询后确认：展会上有企业展出与其专利相同的产品。");
    let (status, filed) = triager
        .post(&format!("/api/v1/consultations/{id}/convert"), &facts)
        .await;
    assert_eq!(status, 201, "{filed}");
    let case = triager.case(filed["id"].as_i64().unwrap()).await;
    assert_eq!(case["source"], "officer");
    let complainant = case["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "complainant")
        .cloned()
        .unwrap_or_default();
    assert_eq!(complainant["name"], "南通华信精密机械有限公司", "{case}");
    assert_eq!(complainant["contact_name"], "王敏");
    assert_eq!(complainant["contact_phone"], "13800000001");
    assert_eq!(complainant["uscc"], uscc.as_str());
    assert_eq!(case["fast_track"], true);
}

#[tokio::test]
async fn refused_consultations_name_their_fields_and_store_nothing() {
    let app = TestApp::spawn().await;
    let enterprise = app.api_as("demo-enterprise").await;
    let triager = app.api_as("demo-triager").await;
    let (_, before) = triager.get("/api/v1/consultations").await;
    let fields = |v: &Value| -> Vec<String> {
        v["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors in {v}"))
            .iter()
            .map(|e| {
                format!(
                    "{}={}",
                    e["field"].as_str().unwrap(),
                    e["code"].as_str().unwrap()
                )
            })
            .collect()
    };
    // An enterprise answers nothing and names no one else.
    let (status, body) = enterprise
        .post(
            "/api/v1/consultations",
            &json!({"topic": "overseas", "question": QUESTION, "answer": "自答", "asker_name": "别人"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&body),
        [
            "asker_name=error.consultation.staff_only",
            "answer=error.consultation.staff_only"
        ]
    );
    // Staff name the asker and how they asked; the topic is one of the list.
    let (status, body) = triager
        .post(
            "/api/v1/consultations",
            &json!({"topic": "weather", "question": "问", "channel": "online", "minutes_spent": 9999}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&body),
        [
            "topic=error.consultation.topic",
            "question=error.consultation.question_short",
            "asker_name=error.required",
            "channel=error.consultation.channel",
            "minutes_spent=error.consultation.minutes",
            "answer=error.consultation.minutes_without_answer",
        ]
    );
    // An unknown field, a control character, a bad filter.
    let (status, _) = triager
        .post(
            "/api/v1/consultations",
            &json!({"topic": "overseas", "question": QUESTION, "asker": "x"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, body) = enterprise
        .post(
            "/api/v1/consultations",
            &json!({"topic": "overseas", "question": "有控制字符\u{7}的问题内容"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = triager
        .get("/api/v1/consultations?status=closed&from=2026-13-01")
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&body),
        ["status=error.consultation.status", "from=error.date"]
    );
    // The first and last days chrono knows are dates, not a crash (nor on the case list).
    for path in [
        "/api/v1/consultations?from=-262143-01-01&to=9999-12-31",
        "/api/v1/cases?received_from=-262143-01-01&received_to=9999-12-31",
    ] {
        let (status, body) = triager.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    // Nothing was stored.
    let (_, after) = triager.get("/api/v1/consultations").await;
    assert_eq!(after["total"], before["total"]);
    // Industry offices neither ask nor answer.
    let (status, _) = app
        .api_as("demo-industry")
        .await
        .get("/api/v1/consultations")
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_figures_per_topic_equal_the_list_and_text_finds_chinese_words() {
    let app = TestApp::spawn().await;
    let triager = app.api_as("demo-triager").await;
    for (topic, question) in [
        (
            "trade_secrets",
            "员工离职带走工艺配方，企业应如何固定证据？",
        ),
        (
            "trade_secrets",
            "商业秘密的保密措施需要达到什么程度才能受保护？",
        ),
        ("trademark", "商标被抢注后应如何提出无效宣告？"),
    ] {
        let (status, _) = triager
            .post(
                "/api/v1/consultations",
                &json!({"topic": topic, "question": question, "asker_name": "来访企业", "channel": "visit"}),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (_, all) = triager.get("/api/v1/consultations").await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(all["total"], items.len());
    for f in all["figures"].as_array().unwrap() {
        let count = |status: &str| {
            items
                .iter()
                .filter(|c| c["topic"] == f["topic"] && c["status"] == status)
                .count()
        };
        assert_eq!(f["open"], count("open"), "{f}");
        assert_eq!(f["answered"], count("answered"), "{f}");
        assert_eq!(f["converted"], count("converted"), "{f}");
        let minutes: i64 = items
            .iter()
            .filter(|c| c["topic"] == f["topic"])
            .filter_map(|c| c["minutes_spent"].as_i64())
            .sum();
        assert_eq!(f["minutes_spent"], minutes, "{f}");
    }
    let (_, secrets) = triager
        .get("/api/v1/consultations?topic=trade_secrets")
        .await;
    assert!(secrets["total"].as_u64().unwrap() >= 2);
    let (_, found) = triager
        .get(&format!(
            "/api/v1/consultations?q={}",
            urlencoding("工艺配方")
        ))
        .await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["topic"], "trade_secrets");
    // `%` is a character, not a wildcard.
    let (_, none) = triager.get("/api/v1/consultations?q=%25").await;
    assert_eq!(none["total"], 0);
}

fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn on_the_pages_an_enterprise_asks_the_centre_answers_and_the_question_becomes_a_complaint() {
    let app = TestApp::spawn().await;
    let enterprise = app.browser_as("demo-enterprise").await;
    // A refused form comes back filled in.
    let res = enterprise
        .post_form(
            "/consultations/new",
            "/consultations/new",
            &[("topic", "overseas"), ("question", "问")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("至少 5 个字"), "{html}");
    assert!(html.contains("value=\"overseas\" selected"));
    let res = enterprise
        .post_form(
            "/consultations/new",
            "/consultations/new",
            &[("topic", "enforcement"), ("question", QUESTION)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    let id: i64 = to.trim_start_matches("/consultations/").parse().unwrap();
    let html = enterprise.html(&to).await;
    assert!(html.contains(QUESTION));
    assert!(html.contains("待答复"));

    let triager = app.browser_as("demo-triager").await;
    assert!(triager.html("/consultations").await.contains(QUESTION));
    let page = format!("/consultations/{id}");
    let res = triager
        .post_form(
            &page,
            &format!("/consultations/{id}/answer"),
            &[("answer", "可提交投诉。"), ("minutes_spent", "半小时")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("1 到 480 分钟"));
    assert!(html.contains("可提交投诉。"), "the answer typed comes back");
    let res = triager
        .post_form(
            &page,
            &format!("/consultations/{id}/answer"),
            &[("answer", "可提交投诉。"), ("minutes_spent", "30")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = enterprise.html(&format!("/consultations/{id}")).await;
    assert!(html.contains("可提交投诉。"));
    // (Handlebars writes `=` in attributes as `&#x3D;`.)
    assert!(
        html.contains(&format!("/complaints/new?consultation&#x3D;{id}")),
        "{html}"
    );

    // The complaint form opens with the question filled in and names the consultation.
    let html = enterprise
        .html(&format!("/complaints/new?consultation={id}"))
        .await;
    assert!(html.contains(QUESTION));
    assert!(html.contains(&format!("name=\"consultation_id\" value=\"{id}\"")));
    let csrf = csrf_in(&html).unwrap();
    let res = enterprise
        .form(
            "/complaints/new",
            &[
                ("_csrf", csrf.as_str()),
                ("consultation_id", &id.to_string()),
                ("complainant_standing", "patentee"),
                ("description", QUESTION),
                ("channel", "e_commerce"),
                ("region_code", "320600"),
                ("right0_kind", "invention_patent"),
                ("right0_number", "ZL202310123456.6"),
                ("right0_title", "一种锂电池隔膜"),
                ("resp0_name", "南通某某新能源科技有限公司"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert!(location(&res).ends_with("/receipt"));
    let html = enterprise.html(&format!("/consultations/{id}")).await;
    assert!(html.contains("已转案件"), "{html}");
}
