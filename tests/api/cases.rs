//! Complaints, leads, triage, referral, sharing, merge and the visibility of cases.

use crate::fixtures::{clock, kinds};
use crate::helpers::TestApp;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

#[tokio::test]
async fn an_enterprise_files_a_complaint_and_gets_a_receipt() {
    let app = TestApp::spawn().await;
    let filed = app.complaint().file().await;
    let body = &filed.filed;
    let number = body["number"].as_str().unwrap();
    assert!(number.starts_with("WQ-") && number.len() == 14, "{number}");
    assert_eq!(body["queue"], "triage");
    assert_eq!(body["state"], "new");
    assert_eq!(body["version"], 1);
    // Triage answers within 7 working days, at 24:00 Beijing time.
    let due = body["triage_due"].as_str().unwrap();
    assert!(due.ends_with("T00:00:00+08:00"), "{due}");

    let ent = app.api_as("demo-enterprise").await;
    let (status, case) = ent.get(&filed.path("")).await;
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
    let (status, body) = app
        .complaint()
        .right("invention_patent", "ZL202310123456.5", "一种锂电池隔膜")
        .submit()
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "rights[0].number");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("校验"),
        "{body}"
    );
    // Six digits of 南通市, but no county has them: not a region code the table names.
    let (status, body) = app.complaint().region("320699").submit().await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "region_code");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("现行"),
        "{body}"
    );
    let (_, list) = app
        .api_as("demo-enterprise")
        .await
        .get("/api/v1/cases")
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn only_enterprises_file_complaints_and_only_offices_enter_leads() {
    let app = TestApp::spawn().await;
    assert_eq!(app.complaint().by("demo-officer").submit().await.0, 403);
    assert_eq!(app.lead("demo-enterprise", "officer").submit().await.0, 403);
    let lead = app
        .lead("demo-officer", "hotline_12330")
        .title("12330热线：网店销售假冒启明商标商品")
        .file()
        .await;
    let officer = app.api_as("demo-officer").await;
    let case = officer.case(lead.id).await;
    assert_eq!(case["source"], "hotline_12330");
    assert_eq!(case["title"], "12330热线：网店销售假冒启明商标商品");
    assert_eq!(case["rights"][0]["number"], "12345678");
    // Not the enterprise's filing: invisible to it.
    let enterprise = app.api_as("demo-enterprise").await;
    let (status, _) = enterprise.get(&lead.path("")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn triage_routes_and_the_filer_sees_the_new_state_but_no_internal_events() {
    let app = TestApp::spawn().await;
    let filed = app.complaint().file().await;
    let ent = app.api_as("demo-enterprise").await;
    let triager = app.api_as("demo-triager").await;

    let (status, bench) = triager.get(&filed.path("/triage")).await;
    assert_eq!(status, 200);
    assert_eq!(bench["allowed"], true);

    let route = json!({"action": "route", "queue": "administrative_ruling", "expected_version": 1});
    let (status, moved) = triager.post(&filed.path("/triage"), &route).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["queue"], "administrative_ruling");
    assert_eq!(moved["state"], "received");

    let case = ent.case(filed.id).await;
    assert_eq!(case["queue"], "administrative_ruling");
    let (_, events) = ent.get(&filed.path("/events")).await;
    assert_eq!(kinds(&events), ["received", "routed"]);

    // The same decision again is now illegal.
    let again = json!({"action": "route", "queue": "administrative_ruling", "expected_version": moved["version"]});
    let (status, _) = triager.post(&filed.path("/triage"), &again).await;
    // Routed out of triage: the centre keeps reading the lead it triaged (its triage figures
    // list it) but decides nothing more on it.
    assert_eq!(status, 403);
    let (status, read) = triager.get(&filed.path("")).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["access"], "read");
    let centre = triager.org_id().await;
    let share = read["shares"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["org_id"] == centre)
        .cloned();
    assert_eq!(share.map(|s| s["origin"].clone()), Some(json!("triaged")));
}

#[tokio::test]
async fn two_triagers_with_the_same_version_one_wins() {
    let app = TestApp::spawn().await;
    let filed = app.complaint().file().await;
    // Two users of the owning office, who keep seeing the case whatever the outcome.
    let a = app.api_as("demo-supervisor").await;
    let b = app.api_as("demo-officer").await;
    let path = filed.path("/triage");
    let reject =
        json!({"action": "reject", "reason_code": "not_ip_dispute", "expected_version": 1});
    let route = json!({"action": "route", "queue": "administrative_ruling", "expected_version": 1});
    let (ra, rb) = tokio::join!(a.post(&path, &route), b.post(&path, &reject));
    let mut statuses = [ra.0, rb.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{ra:?} {rb:?}");
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_missing_fields_are_422() {
    let app = TestApp::spawn().await;
    let filed = app.complaint().file().await;
    let triager = app.api_as("demo-triager").await;
    let path = filed.path("/triage");
    let (s, body) = triager
        .post(
            &path,
            &json!({"action": "route", "queue": "administrative_ruling", "expected_version": 7}),
        )
        .await;
    assert_eq!(s, 409, "{body}");
    let (s, body) = triager
        .post(
            &path,
            &json!({"action": "route", "queue": "exhibition_enforcement", "expected_version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["field"], "exhibition.name");
    let (s, body) = triager
        .post(&path, &json!({"action": "reject", "expected_version": 1}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["field"], "reason_code");
    let (s, _) = triager
        .post(&path, &json!({"action": "explode", "expected_version": 1}))
        .await;
    assert_eq!(s, 422);
    // Nothing above changed the case.
    let case = triager.case(filed.id).await;
    assert_eq!(case["version"], 1);
    assert_eq!(case["state"], "new");
}

#[tokio::test]
async fn a_rejection_with_its_reason_is_visible_to_the_filer() {
    let app = TestApp::spawn().await;
    let filed = app
        .complaint()
        .triage(json!({"action": "reject", "reason_code": "court_action_pending", "reason": "已向南通中院起诉"}))
        .file()
        .await;
    assert_eq!(filed.last["state"], "rejected");
    let ent = app.api_as("demo-enterprise").await;
    let (_, events) = ent.get(&filed.path("/events")).await;
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "rejected");
    assert_eq!(last["payload"]["reason"], "已向南通中院起诉");
    assert_eq!(last["payload"]["reason_code"], "court_action_pending");
}

#[tokio::test]
async fn a_referral_is_seen_by_the_receiving_office_and_returned_or_acknowledged() {
    let app = TestApp::spawn().await;
    let triager = app.api_as("demo-triager").await;
    let industry = app.api_as("demo-industry").await;
    let industry_org = industry.org_id().await;
    let filed = app.complaint().file().await;
    let id = filed.id;
    assert_eq!(industry.get(&filed.path("")).await.0, 404);

    let refer = json!({"action": "refer", "to_org_id": industry_org, "reason": "涉及工业产品质量，属工信部门职责", "expected_version": 1});
    let (s, moved) = triager.post(&filed.path("/triage"), &refer).await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["state"], "referred");
    let (s, case) = industry.get(&filed.path("")).await;
    assert_eq!(s, 200);
    assert_eq!(case["referred_to"]["id"], industry_org);

    // Returned with a reason: back in triage, the centre sees it again.
    let ret = json!({"action": "return", "reason": "不属于本部门职责", "expected_version": moved["version"]});
    let (s, back) = industry.post(&filed.path("/referral"), &ret).await;
    assert_eq!(s, 200, "{back}");
    assert_eq!(back["state"], "new");
    assert_eq!(industry.get(&filed.path("")).await.0, 404);
    let case = triager.case(id).await;
    let triage_clock = clock(&case["deadlines"], "triage.decision");
    assert_eq!(triage_clock["state"], "running");
    // A returned referral is a jurisdiction dispute: its clock starts now, not at the referral.
    assert_eq!(
        clock(&case["deadlines"], "referral.jurisdiction")["state"],
        "running"
    );
    assert_eq!(
        clock(&case["deadlines"], "referral.acknowledge")["state"],
        "met"
    );

    // Referred again and acknowledged: a second answer is a conflict.
    let refer = json!({"action": "refer", "to_org_id": industry_org, "reason": "补充材料后再次移送", "expected_version": back["version"]});
    let (_, moved) = triager.post(&filed.path("/triage"), &refer).await;
    let ack = json!({"action": "acknowledge", "expected_version": moved["version"]});
    let (s, acked) = industry.post(&filed.path("/referral"), &ack).await;
    assert_eq!(s, 200, "{acked}");
    let again = json!({"action": "return", "reason": "x", "expected_version": acked["version"]});
    assert_eq!(industry.post(&filed.path("/referral"), &again).await.0, 409);
    // Out of triage: the centre reads the lead it referred (but no longer triages it); the
    // receiving office and the owner see it too.
    let (s, read) = triager.get(&filed.path("")).await;
    assert_eq!((s, read["access"].as_str()), (200, Some("read")));
    let officer = app.api_as("demo-officer").await;
    let case = officer.case(id).await;
    assert_eq!(
        clock(&case["deadlines"], "referral.acknowledge")["state"],
        "met"
    );
    // Referred anew, the dispute is settled.
    assert_eq!(
        clock(&case["deadlines"], "referral.jurisdiction")["state"],
        "met"
    );
}

#[tokio::test]
async fn an_industry_office_shares_a_lead_with_an_ip_office_and_a_third_office_sees_nothing() {
    let app = TestApp::spawn().await;
    let industry = app.api_as("demo-industry").await;
    let officer = app.api_as("demo-officer").await;
    let admin = app.api_as("demo-admin").await; // 江苏省知识产权局: a third office
    let ip_office = officer.org_id().await;
    let filed = app.lead("demo-industry", "shared").file().await;
    assert_eq!(officer.get(&filed.path("")).await.0, 404);

    let (s, shared) = industry
        .post(
            &filed.path("/shares"),
            &json!({"org_id": ip_office, "access": "contribute"}),
        )
        .await;
    assert_eq!(s, 201, "{shared}");
    let (s, case) = officer.get(&filed.path("")).await;
    assert_eq!(s, 200);
    assert_eq!(case["access"], "contribute");
    assert_eq!(admin.get(&filed.path("")).await.0, 404);
    // The receiving office may not re-share.
    let (s, _) = officer
        .post(
            &filed.path("/shares"),
            &json!({"org_id": 1, "access": "read"}),
        )
        .await;
    assert_eq!(s, 403);

    let (s, _) = industry
        .delete(&filed.path(&format!("/shares/{ip_office}")))
        .await;
    assert_eq!(s, 200);
    assert_eq!(officer.get(&filed.path("")).await.0, 404);
    let (_, events) = industry.get(&filed.path("/events")).await;
    assert_eq!(kinds(&events), ["received", "shared", "share_revoked"]);
    let audit = entity::audit_log::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap();
    assert!(audit.iter().any(|a| a.action == "share.grant"));
    assert!(audit.iter().any(|a| a.action == "share.revoke"));
}

#[tokio::test]
async fn duplicates_are_suggested_and_merged() {
    let app = TestApp::spawn().await;
    let first = app.complaint().file().await;
    // Same respondent (written with a space) and same patent in another notation.
    let second = app
        .complaint()
        .by("demo-enterprise2")
        .respondents(json!([{"name": "某某科技 有限公司", "address": "江苏省南通市通州区", "listing_url": null}]))
        .right("invention_patent", "2023101234566", "一种锂电池隔膜")
        .file()
        .await;
    // Only the listing URL in common.
    let third = app
        .lead("demo-officer", "officer")
        .respondents(
            json!([{"name": "第三方店铺", "listing_url": "https://shop.example.com/item/1"}]),
        )
        .file()
        .await;
    // Unrelated.
    app.lead("demo-officer", "officer").file().await;

    let officer = app.api_as("demo-officer").await;
    let (s, dups) = officer.get(&first.path("/duplicates")).await;
    assert_eq!(s, 200);
    let mut ids: Vec<i64> = dups["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, [second.id, third.id]);

    let triager = app.api_as("demo-triager").await;
    let merge = json!({"action": "merge", "into_case_id": first.id, "expected_version": 1});
    let (s, merged) = triager.post(&second.path("/triage"), &merge).await;
    assert_eq!(s, 200, "{merged}");
    assert_eq!(merged["state"], "merged");
    let case = app.api_as("demo-enterprise2").await.case(second.id).await;
    assert_eq!(case["merged_into"]["number"], first.number);
    let (_, events) = officer.get(&first.path("/events")).await;
    assert!(kinds(&events).contains(&"duplicate_merged"));
    // Merging into itself or into a closed case is refused.
    let (s, _) = triager
        .post(
            &first.path("/triage"),
            &json!({"action": "merge", "into_case_id": second.id, "expected_version": 2}),
        )
        .await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn a_hundred_parallel_complaints_get_a_hundred_distinct_numbers() {
    let app = TestApp::spawn().await;
    let ent = app.api_as("demo-enterprise").await;
    let body = app.complaint().body();
    let futures = (0..100).map(|_| ent.post("/api/v1/complaints", &body));
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
    let ent = app.api_as("demo-enterprise").await;
    let triager = app.api_as("demo-triager").await;
    let body = app.complaint().body();
    for _ in 0..5 {
        ent.post("/api/v1/complaints", &body).await;
    }
    let (s, page) = triager.get("/api/v1/cases?limit=2").await;
    assert_eq!(s, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, page2) = triager
        .get(&format!("/api/v1/cases?limit=2&cursor={cursor}"))
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
        let (s, body) = triager.get(&format!("/api/v1/cases?{bad}")).await;
        assert_eq!(s, 422, "{bad}: {body}");
    }
    let (_, q) = triager
        .get("/api/v1/cases?queue=administrative_ruling")
        .await;
    assert_eq!(q["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_routed_industry_lead_moves_to_the_ip_office_and_the_industry_office_keeps_reading() {
    let app = TestApp::spawn().await;
    let industry = app.api_as("demo-industry").await;
    let triager = app.api_as("demo-triager").await;
    let officer = app.api_as("demo-officer").await;
    let filed = app
        .lead("demo-industry", "shared")
        .region("320612")
        .file()
        .await;
    // The industry office owns its lead but does not triage it.
    let route = json!({"action": "route", "queue": "overseas_assistance", "expected_version": 1,
                       "overseas": {"country": "US", "category": "cross_border_platform_takedown"}});
    let (s, _) = industry.post(&filed.path("/triage"), &route).await;
    assert_eq!(s, 403);
    let (s, moved) = triager.post(&filed.path("/triage"), &route).await;
    assert_eq!(s, 200, "{moved}");
    let (s, case) = officer.get(&filed.path("")).await;
    assert_eq!(s, 200);
    assert_eq!(case["owner"]["name"], "南通市知识产权局");
    assert_eq!(case["access"], "owner");
    assert_eq!(
        case["overseas"]["category"],
        "cross_border_platform_takedown"
    );
    let (s, case) = industry.get(&filed.path("")).await;
    assert_eq!(s, 200);
    assert_eq!(case["access"], "read");
}

#[tokio::test]
async fn srdi_enterprises_carry_the_flag_and_come_first_among_equally_urgent_cases() {
    let app = TestApp::spawn().await;
    let triager = app.api_as("demo-triager").await;
    // Filed in this order, on the same day.
    let a = app.lead("demo-officer", "officer").file().await;
    // 海晟: 省级专精特新 in the demo registry.
    let b = app.complaint().by("demo-enterprise2").file().await;
    // 华信: 国家级小巨人.
    let c = app.complaint().file().await;
    // Both 专精特新 complaints are on the fast track (the same, earlier, triage deadline); the
    // “小巨人” comes first among them.
    assert_eq!(b.filed["triage_due"], c.filed["triage_due"]);
    assert!(
        c.filed["triage_due"].as_str().unwrap() < a.filed["triage_due"].as_str().unwrap(),
        "{} {}",
        c.filed["triage_due"],
        a.filed["triage_due"]
    );
    let (_, list) = triager.get("/api/v1/cases").await;
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
            (c.id, "national_little_giant".to_string()),
            (b.id, "provincial_srdi".to_string()),
            (a.id, "none".to_string()),
        ]
    );
    let (_, only) = triager.get("/api/v1/cases?srdi=true").await;
    assert_eq!(only["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_lead_already_past_its_triage_deadline_is_listed_as_overdue_and_first() {
    let app = TestApp::spawn().await;
    let fresh = app.lead("demo-officer", "officer").file().await;
    let late = app
        .lead("demo-officer", "hotline_12330")
        .set("received_at", json!("2026-03-02T09:30:00+08:00"))
        .file()
        .await;
    let officer = app.api_as("demo-officer").await;
    let (_, list) = officer.get("/api/v1/cases").await;
    assert_eq!(list["items"][0]["id"], late.id);
    assert_eq!(list["items"][1]["id"], fresh.id);
    let (_, overdue) = officer.get("/api/v1/cases?overdue=true").await;
    let ids: Vec<&Value> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, [&json!(late.id)]);
}

#[tokio::test]
async fn a_case_list_downloads_as_csv_with_the_same_rows_and_filters() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    for query in ["", "queue=administrative_ruling", "owner=mine&open=true"] {
        let (_, list) = officer
            .get(&format!("/api/v1/cases?{query}&limit=200"))
            .await;
        let numbers: Vec<String> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].as_str().unwrap().to_string())
            .collect();
        let res = officer
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/cases?{query}&format=csv"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let bytes = res.bytes().await.unwrap();
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "a byte-order mark for Excel"
        );
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let header = reader.headers().unwrap().clone();
        assert_eq!(&header[0], "案件编号");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let listed: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
        assert_eq!(listed, numbers, "{query}");
    }
    // The filing enterprise downloads its own filings, without the internal columns.
    let filer = app.api_as("demo-enterprise").await;
    let res = filer
        .request(reqwest::Method::GET, "/api/v1/cases?format=csv")
        .send()
        .await
        .unwrap();
    let text = String::from_utf8(res.bytes().await.unwrap()[3..].to_vec()).unwrap();
    assert!(!text.lines().next().unwrap().contains("专精特新"), "{text}");
    // An unknown format or filter is a field error, not a download.
    let (s, b) = officer.get("/api/v1/cases?format=xml").await;
    assert_eq!(s, 422, "{b}");
    let (s, _) = officer.get("/api/v1/cases?format=csv&owner=theirs").await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn a_long_list_downloads_whole_across_its_batches() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let org = officer.org_id().await;
    // 1,100 imported leads: more than two batches of the export.
    let mut file = String::from(
        "source,channel,region_code,description,right_kind,right_number,right_title,respondent_name\n",
    );
    for i in 0..1100 {
        file.push_str(&format!(
            "hotline_12330,e_commerce,320600,来电反映网店销售假冒商标商品（第{i}号线索）。,trademark,第12345678号,启明,某某商行{i}\n"
        ));
    }
    let path = app.dir.path().join("many.csv");
    std::fs::write(&path, file).unwrap();
    let out = app.import_leads(&path, org).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let res = officer
        .request(
            reqwest::Method::GET,
            "/api/v1/cases?queue=triage&state=new&format=csv",
        )
        .send()
        .await
        .unwrap();
    let bytes = res.bytes().await.unwrap();
    let rows = csv::Reader::from_reader(&bytes[3..]).records().count();
    let mut listed = 0;
    let mut cursor = String::new();
    loop {
        let (_, page) = officer
            .get(&format!(
                "/api/v1/cases?queue=triage&state=new&limit=200{cursor}"
            ))
            .await;
        listed += page["items"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert!(rows >= 1100, "{rows}");
    assert_eq!(rows, listed);
}

#[tokio::test]
async fn bidi_controls_are_removed_from_names_and_control_characters_refused() {
    let app = TestApp::spawn().await;
    // A respondent's name written backwards behind a right-to-left override, with a zero-width
    // space and an isolate: stored and shown as the letters alone.
    let spoofed = "\u{202E}司公限有技科明启\u{202C}\u{200B}\u{2066}商行\u{2069}";
    let case = app.complaint().respondent(spoofed).file().await;
    let ent = app.api_as("demo-enterprise").await;
    let (status, detail) = ent.get(&case.path("")).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = detail["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["role"] == "respondent")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["司公限有技科明启商行"]);
    assert!(!detail["title"].as_str().unwrap().contains('\u{202E}'));

    // A control character anywhere in a JSON body is refused with its field; nothing is filed.
    let before = weiquan_cases(&app).await;
    let body = app.complaint().respondent("某某商行\u{1b}[31m").body();
    let (status, problem) = ent.post("/api/v1/complaints", &body).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        problem["errors"][0]["field"], "respondents[0].name",
        "{problem}"
    );
    assert_eq!(weiquan_cases(&app).await, before);

    // A name stored with an override before input was cleaned is shown without it.
    app.db
        .conn()
        .execute_unprepared(&format!(
            "UPDATE case_parties SET name = '\u{202E}旧数据\u{202C}' WHERE case_id = {}",
            case.id
        ))
        .await
        .unwrap();
    let officer = app.browser_as("demo-officer").await;
    let (status, html) = officer.page(&case.page()).await;
    assert_eq!(status, 200);
    assert!(html.contains("旧数据"), "the name is shown");
    assert!(!html.contains('\u{202E}') && !html.contains('\u{202C}'));
}

async fn weiquan_cases(app: &TestApp) -> u64 {
    use sea_orm::PaginatorTrait;
    entity::cases::Entity::find()
        .count(app.db.conn())
        .await
        .unwrap()
}
