//! The case pages as a user meets them: the complaint wizard with drafts and its receipt, the
//! triage workbench and case page forms, the import page and `weiquan import leads`.

use crate::fixtures::{Browser, csrf_in, location, shows_bare};
use crate::helpers::TestApp;
use reqwest::Response;

const WRONG: &str = "ZL202310123456.5";
const RIGHT: &str = "ZL202310123456.6";

/// The complaint wizard's fields with the patent `number`.
fn complaint_fields(number: &str) -> Vec<(&str, &str)> {
    vec![
        ("complainant_standing", "patentee"),
        ("right0_kind", "invention_patent"),
        ("right0_number", number),
        ("right0_title", "一种锂电池隔膜"),
        ("resp0_name", "某某科技有限公司"),
        ("resp0_listing_url", "https://shop.example.com/item/9"),
        ("channel", "e_commerce"),
        ("region_code", "320612"),
        (
            "description",
            "被投诉人在网店销售侵权的锂电池隔膜产品。\r\n第二行：已公证购买。",
        ),
    ]
}

/// Posts the triage form of the case page `case` with `fields`.
async fn triage(web: &Browser, case: &str, fields: &[(&str, &str)]) -> Response {
    web.post_form(case, &format!("{case}/triage"), fields).await
}

#[tokio::test]
async fn a_new_enterprise_files_with_a_wrong_check_digit_corrects_it_and_the_triager_routes_it() {
    let app = TestApp::spawn().await;
    // A new enterprise registers (the registration page is covered elsewhere; here the API).
    let reg = serde_json::json!({
        "name": "南通新锐电池材料有限公司", "uscc": "91320612MA1XYZ1234",
        "region_code": "320612", "contact_name": "周婷", "contact_phone": "13900000009",
        "username": "xinrui", "password": "xinrui-2026!"});
    let uscc = weiquan::domain::uscc::complete("91320612MA1XW8123").unwrap();
    let mut reg = reg;
    reg["uscc"] = serde_json::json!(uscc.as_str());
    assert_eq!(
        app.api().post("/api/v1/enterprises/register", &reg).await.0,
        201
    );
    let ent = app.browser();
    assert_eq!(ent.sign_in("xinrui", "xinrui-2026!").await.status(), 303);

    // Wrong check digit: a field message, everything typed still there, nothing stored.
    let res = ent
        .post_form(
            "/complaints/new",
            "/complaints/new",
            &complaint_fields(WRONG),
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("专利号校验位不正确"), "{html}");
    assert!(html.contains(&format!("value=\"{WRONG}\"")));
    assert!(html.contains("被投诉人在网店销售侵权的锂电池隔膜产品。"));
    assert!(html.contains("value=\"https://shop.example.com/item/9\""));
    assert!(html.contains("<option value=\"patentee\" selected>"));

    // Saved as a draft, it comes back from the list of drafts.
    let mut draft = complaint_fields(WRONG);
    draft.push(("intent", "draft"));
    let res = ent
        .post_form("/complaints/new", "/complaints/new", &draft)
        .await;
    assert_eq!(res.status(), 303);
    let draft_page = location(&res);
    assert!(
        draft_page.starts_with("/complaints/new?draft="),
        "{draft_page}"
    );
    let (_, list) = ent.page("/cases").await;
    assert!(list.contains(&draft_page.replace("&", "&amp;")), "{list}");
    let (_, form) = ent.page(&draft_page).await;
    assert!(form.contains(&format!("value=\"{WRONG}\"")));

    // Corrected and submitted from the draft: the receipt, and the draft is gone.
    let draft_id = draft_page.rsplit('=').next().unwrap().to_string();
    let mut fields = complaint_fields(RIGHT);
    fields.push(("draft_id", &draft_id));
    fields.push(("intent", "submit"));
    let res = ent.post_form(&draft_page, "/complaints/new", &fields).await;
    assert_eq!(res.status(), 303);
    let receipt = location(&res);
    assert!(receipt.ends_with("/receipt"), "{receipt}");
    let (status, html) = ent.page(&receipt).await;
    assert_eq!(status, 200);
    assert!(html.contains("投诉回执"));
    assert!(
        html.contains("WQ-2026-") || html.contains("WQ-20"),
        "{html}"
    );
    assert!(html.contains("分诊答复期限"));
    let (_, list) = ent.page("/cases").await;
    assert!(!list.contains("/complaints/new?draft="));

    // demo-triager sees it in the workbench and routes it from the case page.
    let triager = app.browser_as("demo-triager").await;
    let (status, bench) = triager.page("/triage").await;
    assert_eq!(status, 200);
    let case_path = receipt.trim_end_matches("/receipt").to_string();
    assert!(bench.contains(&format!("href=\"{case_path}\"")), "{bench}");
    let (_, case_page) = triager.page(&case_path).await;
    assert!(case_page.contains("name=\"action\" value=\"route\""));
    let route = vec![
        ("action", "route"),
        ("queue", "administrative_ruling"),
        ("expected_version", "1"),
    ];
    let res = triage(&triager, &case_path, &route).await;
    assert_eq!(res.status(), 303);
    // The centre keeps reading the case but has nothing more to do on it: back to the workbench.
    assert_eq!(location(&res), "/triage");

    // The enterprise sees the new state and the public timeline, and the region by its name.
    let (_, html) = ent.page(&case_path).await;
    assert!(html.contains("专利侵权纠纷行政裁决"), "{html}");
    assert!(
        html.contains("<dd><span title=\"行政区划代码 320612\">江苏省南通市通州区</span></dd>"),
        "{html}"
    );
    assert!(!shows_bare(&html, "320612"), "{html}");
    assert!(html.contains("分流"));
    assert!(
        !html.contains("行政裁决收到请求"),
        "internal event shown to the filer"
    );
}

#[tokio::test]
async fn a_stale_triage_form_and_an_unconfirmed_rejection_come_back_with_a_message() {
    let app = TestApp::spawn().await;
    let filed = app.complaint().file().await;
    let path = filed.page();
    let triager = app.browser_as("demo-triager").await;
    let reject = vec![
        ("action", "reject"),
        ("reason_code", "other"),
        ("reason", "多行说明\r\n第二行"),
        ("expected_version", "1"),
    ];
    let res = triage(&triager, &path, &reject).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("请勾选确认后再提交"), "{html}");
    assert!(html.contains("多行说明"));
    let stale = vec![
        ("action", "route"),
        ("queue", "administrative_ruling"),
        ("expected_version", "9"),
    ];
    let res = triage(&triager, &path, &stale).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("案件已被他人更新"));
    let mut confirmed = reject.clone();
    confirmed.push(("confirm", "yes"));
    let res = triage(&triager, &path, &confirmed).await;
    assert_eq!(res.status(), 303);
    let ent = app.api_as("demo-enterprise").await;
    let (_, events) = ent.get(&filed.path("/events")).await;
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["payload"]["reason"], "多行说明\n第二行");
}

#[tokio::test]
async fn the_pages_of_a_case_answer_404_to_those_who_may_not_see_it() {
    let app = TestApp::spawn().await;
    let id = app.complaint().file().await.id;
    // The provincial office's administrator reads it as the office above (decision D21).
    let admin = app.browser_as("demo-admin").await;
    assert_eq!(admin.page(&format!("/cases/{id}")).await.0, 200);
    for user in ["demo-enterprise2", "demo-industry"] {
        let c = app.browser_as(user).await;
        for p in [
            format!("/cases/{id}"),
            format!("/cases/{id}/receipt"),
            "/cases/999999".to_string(),
        ] {
            assert_eq!(c.page(&p).await.0, 404, "{user} {p}");
        }
        let res = c
            .post_form(
                "/cases",
                &format!("/cases/{id}/triage"),
                &[("action", "route")],
            )
            .await;
        assert_eq!(res.status(), 404, "{user}");
    }
    let res = app.browser().get(&format!("/cases/{id}")).await;
    assert_eq!(res.status(), 303);
}

const HEADER: &str = "source,received_at,channel,region_code,title,description,complainant_name,complainant_uscc,right_kind,right_number,right_title,respondent_name,respondent_uscc,respondent_address,listing_url";
const ROW: &str = "hotline_12330,2026-03-02 09:30,e_commerce,320600,,来电反映某网店销售假冒商标商品。,南通启明电子科技有限公司,,trademark,第12345678号,启明,某某商行,,,";

#[tokio::test]
async fn the_import_page_imports_good_rows_and_lists_bad_ones_by_line() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let (status, html) = admin.page("/leads/import").await;
    assert_eq!(status, 200);
    let token = csrf_in(&html).unwrap();
    let bad = ROW.replace(
        "trademark,第12345678号",
        "invention_patent,ZL202310123456.5",
    );
    let csv = format!("{HEADER}\n{ROW}\n{bad}\n{ROW}\n");
    let form = reqwest::multipart::Form::new().text("_csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("leads.csv"),
    );
    let res = admin
        .client
        .post(admin.url("/leads/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("已导入 2 条"), "{html}");
    assert!(
        html.contains("<td>3</td><td><code>right_number</code></td>"),
        "{html}"
    );
    // Not for officers or enterprises.
    for user in ["demo-officer", "demo-enterprise"] {
        let c = app.browser_as(user).await;
        assert_eq!(c.page("/leads/import").await.0, 403, "{user}");
    }
}

#[tokio::test]
async fn weiquan_import_leads_reports_bad_lines_and_imports_the_rest() {
    let app = TestApp::spawn().await;
    // Six digits of 南通市, but not a code the table names.
    let bad = ROW.replace(",320600,", ",320699,");
    let file = app.dir.path().join("leads.csv");
    std::fs::write(&file, format!("{HEADER}\n{ROW}\n\n{bad}\n{ROW}\n")).unwrap();
    let officer = app.api_as("demo-officer").await;
    let org = officer.org_id().await;
    let out = app.import_leads(&file, org).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("已导入 / imported: 2"), "{stdout}");
    assert!(
        stdout.contains("第 4 行 / line 4 [region_code]"),
        "{stdout}"
    );
    // Not a terminal: the progress is whole lines, not a bar redrawn with carriage returns.
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains('\r'), "{stderr:?}");
    assert!(stderr.lines().any(|l| l.contains("rows/s")), "{stderr:?}");
    let (_, list) = officer.get("/api/v1/cases?limit=200").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][0]["source"], "hotline_12330");
    // An unknown office is refused before anything is read.
    let out = app.import_leads(&file, 999_999).await;
    assert_ne!(out.status.code(), Some(0));
}

#[tokio::test]
async fn imported_text_keeps_its_tabs_line_breaks_and_backslashes() {
    // On PostgreSQL imported rows are copied in (`COPY`), whose text format gives these
    // characters a meaning of their own: what was imported is what the case shows.
    let app = TestApp::spawn().await;
    let description = "第一行\t制表符\n第二行 C:\\证据\\照片\\N 末尾\\";
    let row = ROW
        .replace(
            "来电反映某网店销售假冒商标商品。",
            &format!("\"{description}\""),
        )
        .replace("某某商行", "\"某某\\N商行\"");
    let file = app.dir.path().join("leads.csv");
    std::fs::write(&file, format!("{HEADER}\n{row}\n")).unwrap();
    let officer = app.api_as("demo-officer").await;
    let org = officer.org_id().await;
    let out = app.import_leads(&file, org).await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (_, list) = officer.get("/api/v1/cases?limit=10").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (status, case) = officer.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(case["description"], description, "{case}");
    let respondent = case["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "respondent")
        .unwrap();
    assert_eq!(respondent["name"], "某某\\N商行", "{case}");
}

#[tokio::test]
async fn an_extension_is_requested_and_approved_on_the_case_page() {
    let app = TestApp::spawn().await;
    let case = app.complaint().routed("administrative_ruling").file().await;
    let path = case.page();
    let officer = app.browser_as("demo-officer").await;
    let (_, html) = officer.page(&path).await;
    assert!(html.contains("申请延长"));
    let version = case.version.to_string();
    let ask = vec![
        ("action", "request"),
        ("tier", "department_head"),
        ("amount", "9"),
        ("reason", "需要补充调查"),
        ("expected_version", &version),
    ];
    let url = format!("{path}/deadlines/ar.docket/extension");
    let res = officer.post_form(&path, &url, &ask).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("超过该级可延长的上限"));
    let mut ask = ask;
    ask[2].1 = "2";
    let res = officer.post_form(&path, &url, &ask).await;
    assert_eq!(res.status(), 303);
    let supervisor = app.browser_as("demo-supervisor").await;
    let (_, html) = supervisor.page(&path).await;
    assert!(html.contains("延长申请待审批"), "{html}");
    let seq = html
        .split("name=\"request_seq\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let version = (case.version + 1).to_string();
    let approve = vec![
        ("action", "approve"),
        ("request_seq", &seq),
        ("expected_version", &version),
    ];
    let res = supervisor.post_form(&path, &url, &approve).await;
    assert_eq!(res.status(), 303);
    let (_, html) = supervisor.page(&path).await;
    assert!(html.contains("已延长 2"), "{html}");
}

#[tokio::test]
async fn an_imported_exhibition_lead_and_a_request_abroad_keep_their_facts() {
    let app = TestApp::spawn().await;
    let header = format!(
        "{HEADER},exhibition_name,exhibition_venue,exhibition_booth,exhibition_opens_at,exhibition_closes_at,overseas_country,overseas_category,overseas_foreign_deadline,overseas_time_zone"
    );
    let fair = format!(
        "{},2026中国（南通）国际工业博览会,南通国际会展中心,B8,2026-05-10 09:00,2026-05-13 17:00,,,,",
        ROW.replacen(",e_commerce,", ",exhibition,", 1)
    );
    let abroad = format!(
        "{},,,,,,US,us_337,2026-06-01 17:00,America/New_York",
        ROW.replacen(",e_commerce,", ",overseas,", 1)
    );
    let missing = format!(
        "{},,,,,,,,,",
        ROW.replacen(",e_commerce,", ",exhibition,", 1)
    );
    let file = app.dir.path().join("facts.csv");
    std::fs::write(&file, format!("{header}\n{fair}\n{abroad}\n{missing}\n")).unwrap();
    let officer = app.api_as("demo-officer").await;
    let org = officer.org_id().await;
    let out = app.import_leads(&file, org).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(stdout.contains("已导入 / imported: 2"), "{stdout}");
    assert!(
        stdout.contains("第 4 行 / line 4 [exhibition_name]"),
        "{stdout}"
    );
    let (_, list) = officer.get("/api/v1/cases?limit=200").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    for item in items {
        let (_, case) = officer.get(&format!("/api/v1/cases/{}", item["id"])).await;
        match case["channel"].as_str().unwrap() {
            "exhibition" => assert_eq!(case["exhibition"]["booth"], "B8", "{case}"),
            "overseas" => assert_eq!(case["overseas"]["country"], "US", "{case}"),
            other => panic!("{other}"),
        }
    }
}

/// A count of `sql`'s rows (`SELECT count(*) AS n …`).
async fn count_rows(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = app.db.conn();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn a_long_import_stores_every_batch_with_its_audit_entry_and_counts_it_as_a_recount_does() {
    let app = TestApp::spawn().await;
    let header = format!(
        "{HEADER},overseas_country,overseas_category,overseas_foreign_deadline,overseas_time_zone"
    );
    let mut file = format!("{header}\n");
    // A credit code in the SRDI registry: leads of its enterprise are counted with its level,
    // which the import learns only as it stores them (its rows are built before).
    let srdi_uscc = {
        use sea_orm::{ConnectionTrait, Statement};
        let conn = app.db.conn();
        conn.query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT uscc FROM srdi_registry WHERE withdrawn_at IS NULL ORDER BY id LIMIT 1",
        ))
        .await
        .unwrap()
        .expect("the demo registry has an SRDI enterprise")
        .try_get_by_index::<String>(0)
        .unwrap()
    };
    // 2,500 leads: three batches (on SQLite they may share a transaction); every tenth a request
    // abroad, every tenth (another) in a region the importing office does not cover, every
    // tenth (a third) from an SRDI enterprise, the rights alternating.
    for i in 0..2500 {
        let row = ROW.replace(
            "来电反映某网店销售假冒商标商品。",
            &format!("来电反映某网店销售假冒商标商品，批量线索第{i}号。"),
        );
        let row = if i % 10 == 3 {
            row.replacen(
                ",南通启明电子科技有限公司,,",
                &format!(",南通启明电子科技有限公司,{srdi_uscc},"),
                1,
            )
        } else {
            row
        };
        let row = if i % 10 == 1 {
            row.replacen(",320600,", ",110101,", 1)
        } else {
            row
        };
        let row = if i % 2 == 0 {
            row.replacen(
                ",trademark,第12345678号,",
                ",invention_patent,ZL202310123456.6,",
                1,
            )
        } else {
            row
        };
        if i % 10 == 0 {
            let abroad = row.replacen(",e_commerce,", ",overseas,", 1);
            file.push_str(&format!(
                "{abroad},US,us_337,2026-06-01 17:00,America/New_York\n"
            ));
        } else {
            file.push_str(&format!("{row},,,,\n"));
        }
    }
    let path = app.dir.path().join("long.csv");
    std::fs::write(&path, file).unwrap();
    let officer = app.api_as("demo-officer").await;
    let org = officer.org_id().await;
    let filters = ["cross_region=true", "overseas_country=US"];
    let mut before = Vec::new();
    for filter in filters {
        before.push(officer.list_len(&format!("/api/v1/cases?{filter}")).await);
    }
    let out = app.import_leads(&path, org).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("已导入 / imported: 2500"), "{stdout}");
    let ours = "SELECT id FROM cases WHERE description LIKE '%批量线索第%'";
    assert_eq!(
        count_rows(&app, &format!("SELECT count(*) AS n FROM ({ours}) AS t")).await,
        2500
    );
    // One audit entry per batch of 1,000.
    assert_eq!(
        count_rows(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'lead.import'"
        )
        .await,
        3
    );
    assert_eq!(
        count_rows(
            &app,
            &format!("SELECT count(*) AS n FROM report_case_facts WHERE case_id IN ({ours})")
        )
        .await,
        2500
    );
    assert_eq!(
        count_rows(
            &app,
            &format!("SELECT count(*) AS n FROM cases WHERE srdi_rank > 0 AND id IN ({ours})")
        )
        .await,
        250,
        "the SRDI enterprise's leads carry its level"
    );
    // What each lead was counted as in the statistics equals its facts read back now, and the
    // counters equal a recount of every case.
    let out = app.cli(&["reports", "check"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The lists agree with what was counted.
    for (filter, before) in filters.iter().zip(before) {
        assert_eq!(
            officer.list_len(&format!("/api/v1/cases?{filter}")).await,
            before + 250,
            "{filter}"
        );
    }
}

#[tokio::test]
async fn an_import_that_fails_midway_keeps_whole_batches_before_the_failure_and_nothing_after() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    // The database itself refuses one lead of the third batch (a trigger), as a full disk or a
    // lost connection would fail a batch: only whole batches before it may stay.
    let postgres = app.db.backend() == sea_orm::DbBackend::Postgres;
    let refuse = if postgres {
        "CREATE FUNCTION wq_refuse() RETURNS trigger AS $$ BEGIN \
           IF NEW.description LIKE '%坏线索%' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
           RETURN NEW; END $$ LANGUAGE plpgsql; \
         CREATE TRIGGER wq_refuse BEFORE INSERT ON cases FOR EACH ROW EXECUTE FUNCTION wq_refuse();"
    } else {
        "CREATE TRIGGER wq_refuse BEFORE INSERT ON cases WHEN NEW.description LIKE '%坏线索%' \
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
    };
    app.db.conn().execute_unprepared(refuse).await.unwrap();
    let mut file = format!("{HEADER}\n");
    for i in 0..4500 {
        let text = if i == 2500 {
            "坏线索"
        } else {
            "批量线索"
        };
        file.push_str(&ROW.replace(
            "来电反映某网店销售假冒商标商品。",
            &format!("来电反映某网店销售假冒商标商品，{text}第{i}号。"),
        ));
        file.push('\n');
    }
    let path = app.dir.path().join("fails.csv");
    std::fs::write(&path, file).unwrap();
    let org = app.api_as("demo-officer").await.org_id().await;
    let before = count_rows(&app, "SELECT count(*) AS n FROM cases").await;
    let last_before = count_rows(&app, "SELECT coalesce(max(id), 0) AS n FROM cases").await;
    let out = app.import_leads(&path, org).await;
    assert_ne!(out.status.code(), Some(0), "the import reports its failure");
    let stored = count_rows(&app, "SELECT count(*) AS n FROM cases").await - before;
    if postgres {
        // Batches are committed in file order: the two before the failing one, nothing after.
        assert_eq!(stored, 2000);
    } else {
        // Batches share transactions: those committed before the failing one's stay.
        assert!([0, 1000, 2000].contains(&stored), "{stored} stored");
    }
    // The file's first leads, and none after them.
    let lead = |i: i64| {
        format!("SELECT count(*) AS n FROM cases WHERE description LIKE '%批量线索第{i}号。'")
    };
    if stored > 0 {
        assert_eq!(count_rows(&app, &lead(0)).await, 1);
        assert_eq!(count_rows(&app, &lead(stored - 1)).await, 1);
    }
    for i in [stored, 4499] {
        assert_eq!(count_rows(&app, &lead(i)).await, 0, "lead {i}");
    }
    // The year's counter: on PostgreSQL the failing batch's numbers were reserved before its
    // transaction and stay unused; on SQLite they were reserved in it and rolled back with it.
    let largest = "SELECT coalesce(max(CAST(substr(number, 9) AS BIGINT)), 0) AS n FROM cases \
                   WHERE number LIKE 'WQ-2026-%'";
    let counter = "SELECT coalesce((SELECT last FROM case_numbers WHERE year = 2026), 0) AS n";
    let (largest, counter) = (
        count_rows(&app, largest).await,
        count_rows(&app, counter).await,
    );
    if postgres {
        assert!(
            counter >= largest + 1000,
            "counter {counter}, largest {largest}"
        );
    } else {
        assert_eq!(counter, largest);
    }
    assert_eq!(
        count_rows(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'lead.import'"
        )
        .await,
        stored / 1000
    );
    assert_eq!(
        count_rows(
            &app,
            &format!("SELECT count(*) AS n FROM report_case_facts WHERE case_id > {last_before}")
        )
        .await,
        stored
    );
    for check in [&["reports", "check"][..], &["audit", "verify"][..]] {
        let out = app.cli(check).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{check:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let last_after = count_rows(&app, "SELECT coalesce(max(id), 0) AS n FROM cases").await;
    // Without the trigger the same office imports again; no case number is given twice.
    let drop = if postgres {
        "DROP TRIGGER wq_refuse ON cases"
    } else {
        "DROP TRIGGER wq_refuse"
    };
    app.db.conn().execute_unprepared(drop).await.unwrap();
    let out = app.import_leads(&path, org).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        count_rows(&app, "SELECT count(*) AS n FROM cases").await,
        before + stored + 4500
    );
    // Its numbers follow the counter as it was: none reserved before is given out.
    let first_again = format!(
        "SELECT min(CAST(substr(number, 9) AS BIGINT)) AS n FROM cases WHERE id > {last_after}"
    );
    assert_eq!(count_rows(&app, &first_again).await, counter + 1);
}

#[tokio::test]
async fn leads_import_from_an_excel_workbook_with_the_same_columns() {
    let app = TestApp::spawn().await;
    // The workbook an office fills in Excel: the header, two good rows (the region code typed as
    // a number, the receipt time as a date cell) and one bad one.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (i, h) in HEADER.split(',').enumerate() {
        sheet.write_string(0, i as u16, h).unwrap();
    }
    let received = chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    let when = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (r, region) in [(1u32, 320600.0), (2, 320699.0), (3, 320612.0)] {
        for (i, v) in ROW.split(',').enumerate() {
            let col = i as u16;
            match HEADER.split(',').nth(i).unwrap() {
                "region_code" => {
                    sheet.write_number(r, col, region).unwrap();
                }
                "received_at" => {
                    sheet
                        .write_datetime_with_format(r, col, received, &when)
                        .unwrap();
                }
                _ if !v.is_empty() => {
                    sheet.write_string(r, col, v).unwrap();
                }
                _ => {}
            }
        }
    }
    let file = app.dir.path().join("leads.xlsx");
    book.save(&file).unwrap();
    let officer = app.api_as("demo-officer").await;
    let org = officer.org_id().await;
    let out = app.import_leads(&file, org).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("已导入 / imported: 2"), "{stdout}");
    assert!(
        stdout.contains("第 3 行 / line 3 [region_code]"),
        "the bad row is named by its row in the sheet: {stdout}"
    );
    let (_, list) = officer.get("/api/v1/cases?limit=200").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items.iter().all(|c| c["received_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-02T09:30")),
        "{list}"
    );
    // The import page takes the workbook too; a broken one is a field error, not a 500.
    let browser = app.browser_as("demo-admin").await;
    let csrf = browser.csrf("/leads/import").await;
    let form = reqwest::multipart::Form::new().text("_csrf", csrf).part(
        "file",
        reqwest::multipart::Part::bytes(b"PK\x03\x04not really a workbook".to_vec())
            .file_name("bad.xlsx"),
    );
    let res = browser
        .client
        .post(browser.url("/leads/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("无法读取该 Excel 文件"), "{html}");
}
