//! Complaints, leads, triage, referral, sharing, merge and the visibility of cases.

use crate::helpers::TestApp;
use serde_json::{Value, json};

/// A complaint as the demo enterprise would file it (valid patent number).
pub fn complaint() -> Value {
    json!({
        "description": "被请求人未经许可，在其网店许诺销售与涉案专利相同的锂电池隔膜。",
        "channel": "e_commerce",
        "region_code": "320612",
        "complainant_standing": "patentee",
        "rights": [{"kind": "invention_patent", "number": "ZL202310123456.6", "title": "一种锂电池隔膜"}],
        "respondents": [{"name": "某某科技有限公司", "address": "江苏省南通市通州区", "listing_url": "https://shop.example.com/item/1"}]
    })
}

/// A lead as an office would enter it.
pub fn lead(source: &str) -> Value {
    let mut l = complaint();
    l["source"] = json!(source);
    l.as_object_mut().unwrap().remove("complainant_standing");
    l["complainant"] = json!({"name": "南通启明电子科技有限公司"});
    l["respondents"] = json!([{"name": "另一家贸易有限公司"}]);
    l["rights"] = json!([{"kind": "trademark", "number": "第12345678号", "title": "启明"}]);
    l
}

#[tokio::test]
async fn an_enterprise_files_a_complaint_and_gets_a_receipt() {
    let app = TestApp::spawn().await;
    let t = app.token("demo-enterprise").await;
    let (status, body) = app.post_api("/api/v1/complaints", &t, &complaint()).await;
    assert_eq!(status, 201, "{body}");
    let number = body["number"].as_str().unwrap();
    assert!(number.starts_with("WQ-") && number.len() == 14, "{number}");
    assert_eq!(body["queue"], "triage");
    assert_eq!(body["state"], "new");
    assert_eq!(body["version"], 1);
    // Triage answers within 7 working days, at 24:00 Beijing time.
    let due = body["triage_due"].as_str().unwrap();
    assert!(due.ends_with("T00:00:00+08:00"), "{due}");

    let id = body["id"].as_i64().unwrap();
    let (status, case) = app.get_json(&format!("/api/v1/cases/{id}"), &t).await;
    assert_eq!(status, 200);
    assert_eq!(case["rights"][0]["number"], "ZL202310123456.6");
    assert_eq!(case["parties"][0]["role"], "complainant");
    assert_eq!(case["parties"][0]["name"], "南通华信精密机械有限公司");
    assert_eq!(case["owner"]["name"], "南通市知识产权局");
    assert_eq!(case["deadlines"][0]["rule_id"], "triage.decision");
    assert_eq!(case["deadlines"][0]["due_at"], due);
}

#[tokio::test]
async fn a_wrong_check_digit_is_a_field_error_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let t = app.token("demo-enterprise").await;
    let mut c = complaint();
    c["rights"][0]["number"] = json!("ZL202310123456.5");
    let (status, body) = app.post_api("/api/v1/complaints", &t, &c).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "rights[0].number");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("校验"),
        "{body}"
    );
    let (_, list) = app.get_json("/api/v1/cases", &t).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn only_enterprises_file_complaints_and_only_offices_enter_leads() {
    let app = TestApp::spawn().await;
    let officer = app.token("demo-officer").await;
    let enterprise = app.token("demo-enterprise").await;
    assert_eq!(
        app.post_api("/api/v1/complaints", &officer, &complaint())
            .await
            .0,
        403
    );
    assert_eq!(
        app.post_api("/api/v1/cases", &enterprise, &lead("officer"))
            .await
            .0,
        403
    );
    let (status, body) = app
        .post_api("/api/v1/cases", &officer, &lead("hotline_12330"))
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, case) = app
        .get_json(&format!("/api/v1/cases/{}", body["id"]), &officer)
        .await;
    assert_eq!(case["source"], "hotline_12330");
    assert_eq!(case["rights"][0]["number"], "12345678");
    // Not the enterprise's filing: invisible to it.
    let (status, _) = app
        .get_json(&format!("/api/v1/cases/{}", body["id"]), &enterprise)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn triage_routes_and_the_filer_sees_the_new_state_but_no_internal_events() {
    let app = TestApp::spawn().await;
    let ent = app.token("demo-enterprise").await;
    let triager = app.token("demo-triager").await;
    let (_, filed) = app.post_api("/api/v1/complaints", &ent, &complaint()).await;
    let id = filed["id"].as_i64().unwrap();

    let (status, bench) = app
        .get_json(&format!("/api/v1/cases/{id}/triage"), &triager)
        .await;
    assert_eq!(status, 200);
    assert_eq!(bench["allowed"], true);

    let route = json!({"action": "route", "queue": "administrative_ruling", "expected_version": 1});
    let (status, moved) = app
        .post_api(&format!("/api/v1/cases/{id}/triage"), &triager, &route)
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["queue"], "administrative_ruling");
    assert_eq!(moved["state"], "received");

    let (_, case) = app.get_json(&format!("/api/v1/cases/{id}"), &ent).await;
    assert_eq!(case["queue"], "administrative_ruling");
    let (_, events) = app
        .get_json(&format!("/api/v1/cases/{id}/events"), &ent)
        .await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["received", "routed"]);

    // The same decision again is now illegal.
    let again = json!({"action": "route", "queue": "administrative_ruling", "expected_version": moved["version"]});
    let (status, _) = app
        .post_api(&format!("/api/v1/cases/{id}/triage"), &triager, &again)
        .await;
    // Routed out of triage in another region's queue: the centre no longer sees it.
    assert_eq!(status, 404);
}

#[tokio::test]
async fn two_triagers_with_the_same_version_one_wins() {
    let app = TestApp::spawn().await;
    let ent = app.token("demo-enterprise").await;
    // Two users of the owning office, who keep seeing the case whatever the outcome.
    let a = app.token("demo-supervisor").await;
    let b = app.token("demo-officer").await;
    let (_, filed) = app.post_api("/api/v1/complaints", &ent, &complaint()).await;
    let id = filed["id"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}/triage");
    let reject =
        json!({"action": "reject", "reason_code": "not_ip_dispute", "expected_version": 1});
    let route = json!({"action": "route", "queue": "administrative_ruling", "expected_version": 1});
    let (ra, rb) = tokio::join!(
        app.post_api(&path, &a, &route),
        app.post_api(&path, &b, &reject)
    );
    let mut statuses = [ra.0, rb.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{ra:?} {rb:?}");
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_missing_fields_are_422() {
    let app = TestApp::spawn().await;
    let ent = app.token("demo-enterprise").await;
    let triager = app.token("demo-triager").await;
    let (_, filed) = app.post_api("/api/v1/complaints", &ent, &complaint()).await;
    let path = format!("/api/v1/cases/{}/triage", filed["id"]);
    let (s, body) = app
        .post_api(
            &path,
            &triager,
            &json!({"action": "route", "queue": "administrative_ruling", "expected_version": 7}),
        )
        .await;
    assert_eq!(s, 409, "{body}");
    let (s, body) = app
        .post_api(
            &path,
            &triager,
            &json!({"action": "route", "queue": "exhibition_enforcement", "expected_version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["field"], "exhibition.name");
    let (s, body) = app
        .post_api(
            &path,
            &triager,
            &json!({"action": "reject", "expected_version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["field"], "reason_code");
    let (s, _) = app
        .post_api(
            &path,
            &triager,
            &json!({"action": "explode", "expected_version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    // Nothing above changed the case.
    let (_, case) = app
        .get_json(&format!("/api/v1/cases/{}", filed["id"]), &triager)
        .await;
    assert_eq!(case["version"], 1);
    assert_eq!(case["state"], "new");
}

#[tokio::test]
async fn a_rejection_with_its_reason_is_visible_to_the_filer() {
    let app = TestApp::spawn().await;
    let ent = app.token("demo-enterprise").await;
    let triager = app.token("demo-triager").await;
    let (_, filed) = app.post_api("/api/v1/complaints", &ent, &complaint()).await;
    let id = filed["id"].as_i64().unwrap();
    let body = json!({"action": "reject", "reason_code": "court_action_pending", "reason": "已向南通中院起诉", "expected_version": 1});
    let (s, moved) = app
        .post_api(&format!("/api/v1/cases/{id}/triage"), &triager, &body)
        .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["state"], "rejected");
    let (_, events) = app
        .get_json(&format!("/api/v1/cases/{id}/events"), &ent)
        .await;
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "rejected");
    assert_eq!(last["payload"]["reason"], "已向南通中院起诉");
    assert_eq!(last["payload"]["reason_code"], "court_action_pending");
}

#[tokio::test]
async fn a_referral_is_seen_by_the_receiving_office_and_returned_or_acknowledged() {
    let app = TestApp::spawn().await;
    let ent = app.token("demo-enterprise").await;
    let triager = app.token("demo-triager").await;
    let industry = app.token("demo-industry").await;
    let industry_org = app.get_json("/api/v1/me", &industry).await.1["organization"]["id"].clone();
    let (_, filed) = app.post_api("/api/v1/complaints", &ent, &complaint()).await;
    let id = filed["id"].as_i64().unwrap();
    assert_eq!(
        app.get_json(&format!("/api/v1/cases/{id}"), &industry)
            .await
            .0,
        404
    );

    let refer = json!({"action": "refer", "to_org_id": industry_org, "reason": "涉及工业产品质量，属工信部门职责", "expected_version": 1});
    let (s, moved) = app
        .post_api(&format!("/api/v1/cases/{id}/triage"), &triager, &refer)
        .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["state"], "referred");
    let (s, case) = app
        .get_json(&format!("/api/v1/cases/{id}"), &industry)
        .await;
    assert_eq!(s, 200);
    assert_eq!(case["referred_to"]["id"], industry_org);

    // Returned with a reason: back in triage, the centre sees it again.
    let ret = json!({"action": "return", "reason": "不属于本部门职责", "expected_version": moved["version"]});
    let (s, back) = app
        .post_api(&format!("/api/v1/cases/{id}/referral"), &industry, &ret)
        .await;
    assert_eq!(s, 200, "{back}");
    assert_eq!(back["state"], "new");
    assert_eq!(
        app.get_json(&format!("/api/v1/cases/{id}"), &industry)
            .await
            .0,
        404
    );
    let (_, case) = app.get_json(&format!("/api/v1/cases/{id}"), &triager).await;
    let triage_clock = case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == "triage.decision")
        .unwrap()
        .clone();
    assert_eq!(triage_clock["state"], "running");

    // Referred again and acknowledged: a second answer is a conflict.
    let refer = json!({"action": "refer", "to_org_id": industry_org, "reason": "补充材料后再次移送", "expected_version": back["version"]});
    let (_, moved) = app
        .post_api(&format!("/api/v1/cases/{id}/triage"), &triager, &refer)
        .await;
    let ack = json!({"action": "acknowledge", "expected_version": moved["version"]});
    let (s, acked) = app
        .post_api(&format!("/api/v1/cases/{id}/referral"), &industry, &ack)
        .await;
    assert_eq!(s, 200, "{acked}");
    let again = json!({"action": "return", "reason": "x", "expected_version": acked["version"]});
    assert_eq!(
        app.post_api(&format!("/api/v1/cases/{id}/referral"), &industry, &again)
            .await
            .0,
        409
    );
    // Out of triage: the centre no longer sees it; the receiving office and the owner do.
    assert_eq!(
        app.get_json(&format!("/api/v1/cases/{id}"), &triager)
            .await
            .0,
        404
    );
    let officer = app.token("demo-officer").await;
    let (_, case) = app.get_json(&format!("/api/v1/cases/{id}"), &officer).await;
    let clock = case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == "referral.jurisdiction")
        .unwrap()
        .clone();
    assert_eq!(clock["state"], "met");
}

#[tokio::test]
async fn an_industry_office_shares_a_lead_with_an_ip_office_and_a_third_office_sees_nothing() {
    let app = TestApp::spawn().await;
    let industry = app.token("demo-industry").await;
    let officer = app.token("demo-officer").await;
    let admin = app.token("demo-admin").await; // 江苏省知识产权局: a third office
    let ip_office = app.get_json("/api/v1/me", &officer).await.1["organization"]["id"].clone();
    let (s, filed) = app
        .post_api("/api/v1/cases", &industry, &lead("shared"))
        .await;
    assert_eq!(s, 201, "{filed}");
    let id = filed["id"].as_i64().unwrap();
    assert_eq!(
        app.get_json(&format!("/api/v1/cases/{id}"), &officer)
            .await
            .0,
        404
    );

    let (s, shared) = app
        .post_api(
            &format!("/api/v1/cases/{id}/shares"),
            &industry,
            &json!({"org_id": ip_office, "access": "contribute"}),
        )
        .await;
    assert_eq!(s, 201, "{shared}");
    let (s, case) = app.get_json(&format!("/api/v1/cases/{id}"), &officer).await;
    assert_eq!(s, 200);
    assert_eq!(case["access"], "contribute");
    assert_eq!(
        app.get_json(&format!("/api/v1/cases/{id}"), &admin).await.0,
        404
    );
    // The receiving office may not re-share.
    let (s, _) = app
        .post_api(
            &format!("/api/v1/cases/{id}/shares"),
            &officer,
            &json!({"org_id": 1, "access": "read"}),
        )
        .await;
    assert_eq!(s, 403);

    let res = app
        .client
        .delete(app.url(&format!("/api/v1/cases/{id}/shares/{ip_office}")))
        .bearer_auth(&industry)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.get_json(&format!("/api/v1/cases/{id}"), &officer)
            .await
            .0,
        404
    );
    let (_, events) = app
        .get_json(&format!("/api/v1/cases/{id}/events"), &industry)
        .await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["received", "shared", "share_revoked"]);
    let audit = entity::audit_log::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap();
    assert!(audit.iter().any(|a| a.action == "share.grant"));
    assert!(audit.iter().any(|a| a.action == "share.revoke"));
}

use sea_orm::EntityTrait;

#[tokio::test]
async fn duplicates_are_suggested_and_merged() {
    let app = TestApp::spawn().await;
    let ent = app.token("demo-enterprise").await;
    let ent2 = app.token("demo-enterprise2").await;
    let triager = app.token("demo-triager").await;
    let (_, first) = app.post_api("/api/v1/complaints", &ent, &complaint()).await;
    // Same respondent (written with a space) and same patent in another notation.
    let mut c = complaint();
    c["respondents"][0]["name"] = json!("某某科技 有限公司");
    c["respondents"][0]["listing_url"] = Value::Null;
    c["rights"][0]["number"] = json!("2023101234566");
    let (_, second) = app.post_api("/api/v1/complaints", &ent2, &c).await;
    // Only the listing URL in common.
    let mut c = lead("officer");
    c["respondents"] =
        json!([{"name": "第三方店铺", "listing_url": "https://shop.example.com/item/1"}]);
    let officer = app.token("demo-officer").await;
    let (_, third) = app.post_api("/api/v1/cases", &officer, &c).await;
    // Unrelated.
    let (_, _other) = app
        .post_api("/api/v1/cases", &officer, &lead("officer"))
        .await;

    let (s, dups) = app
        .get_json(
            &format!("/api/v1/cases/{}/duplicates", first["id"]),
            &officer,
        )
        .await;
    assert_eq!(s, 200);
    let mut ids: Vec<i64> = dups["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            second["id"].as_i64().unwrap(),
            third["id"].as_i64().unwrap()
        ]
    );

    let merge = json!({"action": "merge", "into_case_id": first["id"], "expected_version": 1});
    let (s, merged) = app
        .post_api(
            &format!("/api/v1/cases/{}/triage", second["id"]),
            &triager,
            &merge,
        )
        .await;
    assert_eq!(s, 200, "{merged}");
    assert_eq!(merged["state"], "merged");
    let (_, case) = app
        .get_json(&format!("/api/v1/cases/{}", second["id"]), &ent2)
        .await;
    assert_eq!(case["merged_into"]["number"], first["number"]);
    let (_, events) = app
        .get_json(&format!("/api/v1/cases/{}/events", first["id"]), &officer)
        .await;
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "duplicate_merged")
    );
    // Merging into itself or into a closed case is refused.
    let (s, _) = app
        .post_api(
            &format!("/api/v1/cases/{}/triage", first["id"]),
            &triager,
            &json!({"action": "merge", "into_case_id": second["id"], "expected_version": 2}),
        )
        .await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn a_hundred_parallel_complaints_get_a_hundred_distinct_numbers() {
    let app = TestApp::spawn().await;
    let t = app.token("demo-enterprise").await;
    let body = complaint();
    let futures = (0..100).map(|_| app.post_api("/api/v1/complaints", &t, &body));
    let results = futures::future::join_all(futures).await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|(s, b)| {
            assert_eq!(*s, 201, "{b}");
            b["number"].as_str().unwrap().to_string()
        })
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 100);
}

#[tokio::test]
async fn lists_are_filtered_sorted_and_paged() {
    let app = TestApp::spawn().await;
    let ent = app.token("demo-enterprise").await;
    let triager = app.token("demo-triager").await;
    for _ in 0..5 {
        app.post_api("/api/v1/complaints", &ent, &complaint()).await;
    }
    let (s, page) = app.get_json("/api/v1/cases?limit=2", &triager).await;
    assert_eq!(s, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, page2) = app
        .get_json(&format!("/api/v1/cases?limit=2&cursor={cursor}"), &triager)
        .await;
    assert_ne!(page2["items"][0]["id"], page["items"][0]["id"]);
    for bad in [
        "limit=0",
        "limit=500",
        "cursor=zzz",
        "queue=nope",
        "due_before=2026-13-01",
        "assignee=bob",
    ] {
        let (s, body) = app
            .get_json(&format!("/api/v1/cases?{bad}"), &triager)
            .await;
        assert_eq!(s, 422, "{bad}: {body}");
    }
    let (_, q) = app
        .get_json("/api/v1/cases?queue=administrative_ruling", &triager)
        .await;
    assert_eq!(q["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_routed_industry_lead_moves_to_the_ip_office_and_the_industry_office_keeps_reading() {
    let app = TestApp::spawn().await;
    let industry = app.token("demo-industry").await;
    let triager = app.token("demo-triager").await;
    let officer = app.token("demo-officer").await;
    let mut l = lead("shared");
    l["region_code"] = json!("320612");
    let (_, filed) = app.post_api("/api/v1/cases", &industry, &l).await;
    let id = filed["id"].as_i64().unwrap();
    // The industry office owns its lead but does not triage it.
    let route = json!({"action": "route", "queue": "overseas_assistance", "expected_version": 1,
                       "overseas": {"country": "US", "category": "cross_border_platform_takedown"}});
    let (s, _) = app
        .post_api(&format!("/api/v1/cases/{id}/triage"), &industry, &route)
        .await;
    assert_eq!(s, 403);
    let (s, moved) = app
        .post_api(&format!("/api/v1/cases/{id}/triage"), &triager, &route)
        .await;
    assert_eq!(s, 200, "{moved}");
    let (s, case) = app.get_json(&format!("/api/v1/cases/{id}"), &officer).await;
    assert_eq!(s, 200);
    assert_eq!(case["owner"]["name"], "南通市知识产权局");
    assert_eq!(case["access"], "owner");
    assert_eq!(
        case["overseas"]["category"],
        "cross_border_platform_takedown"
    );
    let (s, case) = app
        .get_json(&format!("/api/v1/cases/{id}"), &industry)
        .await;
    assert_eq!(s, 200);
    assert_eq!(case["access"], "read");
}

#[tokio::test]
async fn srdi_enterprises_carry_the_flag_and_come_first_among_equally_urgent_cases() {
    let app = TestApp::spawn().await;
    let plain = app.token("demo-officer").await;
    let provincial = app.token("demo-enterprise2").await; // 海晟: 省级专精特新 in the demo registry
    let national = app.token("demo-enterprise").await; // 华信: 国家级小巨人
    let triager = app.token("demo-triager").await;
    // Filed in this order, on the same day: the same triage deadline.
    let (_, a) = app
        .post_api("/api/v1/cases", &plain, &lead("officer"))
        .await;
    let (_, b) = app
        .post_api("/api/v1/complaints", &provincial, &complaint())
        .await;
    let (_, c) = app
        .post_api("/api/v1/complaints", &national, &complaint())
        .await;
    assert_eq!(a["triage_due"], c["triage_due"]);
    let (_, list) = app.get_json("/api/v1/cases", &triager).await;
    let order: Vec<(i64, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_i64().unwrap(),
                i["srdi"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            (
                c["id"].as_i64().unwrap(),
                "national_little_giant".to_string()
            ),
            (b["id"].as_i64().unwrap(), "provincial_srdi".to_string()),
            (a["id"].as_i64().unwrap(), "none".to_string()),
        ]
    );
    let (_, only) = app.get_json("/api/v1/cases?srdi=true", &triager).await;
    assert_eq!(only["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_lead_already_past_its_triage_deadline_is_listed_as_overdue_and_first() {
    let app = TestApp::spawn().await;
    let officer = app.token("demo-officer").await;
    let (_, fresh) = app
        .post_api("/api/v1/cases", &officer, &lead("officer"))
        .await;
    let mut old = lead("hotline_12330");
    old["received_at"] = json!("2026-03-02T09:30:00+08:00");
    let (s, late) = app.post_api("/api/v1/cases", &officer, &old).await;
    assert_eq!(s, 201, "{late}");
    let (_, list) = app.get_json("/api/v1/cases", &officer).await;
    assert_eq!(list["items"][0]["id"], late["id"]);
    assert_eq!(list["items"][1]["id"], fresh["id"]);
    let (_, overdue) = app.get_json("/api/v1/cases?overdue=true", &officer).await;
    let ids: Vec<&Value> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, [&late["id"]]);
}
