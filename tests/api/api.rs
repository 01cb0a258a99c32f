//! The JSON API: bearer tokens, `/me`, problem+json for bad input.

use crate::fixtures::PASSWORD;
use crate::helpers::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_bearer_token_identifies_the_user_their_role_and_organisation() {
    let app = TestApp::spawn().await;
    let res = app
        .api()
        .post_response(
            "/api/v1/auth/token",
            &json!({"username": "Demo-Enterprise", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("wq_") && token.len() > 40);
    assert!(body["expires_at"].as_str().unwrap().ends_with("+08:00"));

    let me = app.api_with_token(token).me().await;
    assert_eq!(me["username"], "demo-enterprise");
    assert_eq!(me["role"], "enterprise_filer");
    assert_eq!(me["organization"]["name"], "南通华信精密机械有限公司");
    assert_eq!(me["organization"]["kind"], "enterprise");
    assert_eq!(me["organization"]["uscc"].as_str().unwrap().len(), 18);
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let token = officer.token();
    use sea_orm::EntityTrait;
    let rows = entity::api_tokens::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].token_hash, token);
    assert!(!rows[0].token_hash.contains(&token[3..]));
    assert_eq!(rows[0].token_hash.len(), 64);
}

#[tokio::test]
async fn a_revoked_token_stops_working_and_others_keep_working() {
    let app = TestApp::spawn().await;
    let a = app.api_as("demo-officer").await;
    let b = app.api_as("demo-officer").await;
    assert_eq!(a.delete("/api/v1/auth/token").await.0, 204);
    assert_eq!(a.get_response("/api/v1/me").await.status(), 401);
    assert_eq!(b.get_response("/api/v1/me").await.status(), 200);
}

#[tokio::test]
async fn missing_forged_and_cookie_credentials_are_401_problems() {
    let app = TestApp::spawn().await;
    for auth in [
        None,
        Some("Bearer wq_forged"),
        Some("Bearer "),
        Some("Basic ZGVtbzpkZW1v"),
    ] {
        let mut req = app.api().request(Method::GET, "/api/v1/me");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{auth:?}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["status"], 401);
        assert_eq!(p["instance"], "/api/v1/me");
    }
    // A web session cookie is no API credential (so the API needs no CSRF defence).
    let officer = app.browser_as("demo-officer").await;
    assert_eq!(officer.get("/api/v1/me").await.status(), 401);
}

#[tokio::test]
async fn bad_input_gets_problem_json_never_a_500() {
    let app = TestApp::spawn().await;
    let anonymous = app.api();
    let token = || anonymous.request(Method::POST, "/api/v1/auth/token");
    let cases: Vec<(&str, Option<&str>, Vec<u8>, u16)> = vec![
        (
            "malformed JSON",
            Some("application/json"),
            b"{\"username\":".to_vec(),
            400,
        ),
        (
            "not JSON at all",
            Some("application/json"),
            b"username=x".to_vec(),
            400,
        ),
        (
            "missing field",
            Some("application/json"),
            br#"{"username":"demo-admin"}"#.to_vec(),
            422,
        ),
        (
            "wrong type",
            Some("application/json"),
            br#"{"username":"demo-admin","password":5}"#.to_vec(),
            422,
        ),
        ("array body", Some("application/json"), b"[]".to_vec(), 422),
        (
            "no content type",
            None,
            br#"{"username":"a","password":"b"}"#.to_vec(),
            415,
        ),
        (
            "wrong content type",
            Some("text/plain"),
            br#"{"username":"a","password":"b"}"#.to_vec(),
            415,
        ),
        (
            "NUL bytes",
            Some("application/json"),
            b"{\"username\":\"a\0\",\"password\":\"b\"}".to_vec(),
            400,
        ),
        (
            "invalid UTF-8",
            Some("application/json"),
            b"{\"username\":\"\xff\xfe\",\"password\":\"b\"}".to_vec(),
            400,
        ),
        (
            "very long name",
            Some("application/json"),
            format!(
                "{{\"username\":\"{}\",\"password\":\"b\"}}",
                "长".repeat(5000)
            )
            .into_bytes(),
            401,
        ),
    ];
    for (what, ct, body, status) in cases {
        let mut req = token().body(body);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{what}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{what}"
        );
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["status"], status, "{what}");
        assert!(
            p["title"].is_string() && p["type"].is_string() && p["detail"].is_string(),
            "{what}: {p}"
        );
        if status == 422 {
            assert!(p["errors"][0]["field"].is_string(), "{what}: {p}");
        }
    }
    let p: Value = token()
        .header("content-type", "application/json")
        .body(r#"{"username":"demo-admin"}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["errors"][0]["field"], "password");
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = TestApp::spawn().await;
    let big = format!(
        "{{\"username\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let res = app
        .api()
        .request(Method::POST, "/api/v1/auth/token")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    // A big form on the web side as well.
    let web = app.browser();
    let res = web
        .client
        .post(web.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={}", "a".repeat(2 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn unknown_api_paths_are_404_problems_and_wrong_methods_405() {
    let app = TestApp::spawn().await;
    let anonymous = app.api();
    let res = anonymous.get_response("/api/v1/nothing-here").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = anonymous
        .request(Method::PUT, "/api/v1/me")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = TestApp::spawn().await;
    let (_, doc) = app.api().get("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/me"]["get"].is_object());
    assert!(doc["paths"]["/auth/token"]["post"].is_object());
    for (path, method) in [
        ("/complaints", "post"),
        ("/cases", "post"),
        ("/cases", "get"),
        ("/cases/{id}", "get"),
        ("/cases/{id}/events", "get"),
        ("/cases/{id}/deadlines", "get"),
        ("/cases/{id}/triage", "get"),
        ("/cases/{id}/triage", "post"),
        ("/cases/{id}/referral", "post"),
        ("/cases/{id}/shares", "post"),
        ("/cases/{id}/shares/{org_id}", "delete"),
        ("/cases/{id}/duplicates", "get"),
        ("/cases/{id}/deadlines/{rule_id}/extension", "post"),
        ("/notifications", "get"),
        ("/notifications/{id}/read", "post"),
        ("/cases/{id}/actions", "get"),
        ("/cases/{id}/actions", "post"),
        ("/cases/{id}/documents", "get"),
        ("/cases/{id}/documents", "post"),
        ("/approvals", "get"),
        ("/cases/{id}/messages", "get"),
        ("/cases/{id}/messages", "post"),
        ("/cases/{id}/shares/acknowledge", "post"),
        ("/account/notices", "get"),
        ("/account/notices", "put"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} undocumented"
        );
    }
}

#[tokio::test]
async fn the_calendar_knows_official_days_off_and_make_up_working_days() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let day = officer.get("/api/v1/calendar/2025-10-03").await.1;
    assert_eq!(
        day,
        json!({"date": "2025-10-03", "working_day": false, "holiday": "国庆节", "makeup_workday": false, "published": true})
    );
    let day = officer.get("/api/v1/calendar/2025-09-28").await.1;
    assert_eq!(
        (
            day["working_day"].as_bool(),
            day["makeup_workday"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let day = officer.get("/api/v1/calendar/2027-03-01").await.1;
    assert_eq!(day["published"], false);

    let r = officer
        .get("/api/v1/calendar/add?from=2025-09-26&working_days=5")
        .await
        .1;
    assert_eq!(r, json!({"date": "2025-10-10", "provisional": false}));
    let r = officer
        .get("/api/v1/calendar/add?from=2026-12-30&working_days=3")
        .await
        .1;
    assert_eq!(r["provisional"], true);

    for bad in [
        "/api/v1/calendar/2025-13-01",
        "/api/v1/calendar/yesterday",
        "/api/v1/calendar/add?from=2025-09-26&working_days=-1",
        "/api/v1/calendar/add?from=2025-09-26&working_days=99999",
        "/api/v1/calendar/add?working_days=5",
    ] {
        let res = officer.get_response(bad).await;
        assert_eq!(res.status(), 422, "{bad}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{bad}"
        );
    }
    assert_eq!(app.api().get("/api/v1/calendar/2025-10-03").await.0, 401);
}

#[tokio::test]
async fn an_operator_loads_a_new_year_after_seeing_the_differences() {
    let app = TestApp::spawn().await;
    let file = app.dir.path().join("2027.json");
    std::fs::write(
        &file,
        r#"{"format":"weiquan-calendar-v1","source":"国务院办公厅关于2027年部分节假日安排的通知（测试）","years":{"2027":{"version":"2027-official",
            "off":{"2027-01-01":"new_year","2027-02-05":"spring_festival","2027-02-08":"spring_festival"},"makeup":{"2027-02-13":"spring_festival"}}}}"#,
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_weiquan"))
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .env("WEIQUAN_LOG", "off")
            .current_dir(app.dir.path())
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let path = file.to_str().unwrap();
    let (ok, out) = run(&["calendar", "import", path]);
    assert!(ok, "{out}");
    assert!(
        out.contains("2027 (version 2027-official; new year)")
            && out.contains("make-up working days added: 2027-02-13"),
        "{out}"
    );
    assert!(out.contains("run again with --apply"));
    let officer = app.api_as("demo-officer").await;
    let day = officer.get("/api/v1/calendar/2027-02-13").await.1;
    assert_eq!(
        (day["published"].as_bool(), day["working_day"].as_bool()),
        (Some(false), Some(false)),
        "a preview changes nothing"
    );

    let (ok, out) = run(&["calendar", "import", path, "--apply"]);
    assert!(ok, "{out}");
    // The running server re-reads the calendar on its housekeeping tick.
    weiquan::worker::tick(
        &app.db,
        &weiquan::config::Config::default(),
        &app.time,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let day = officer.get("/api/v1/calendar/2027-02-13").await.1;
    assert_eq!(
        day,
        json!({"date": "2027-02-13", "working_day": true, "holiday": null, "makeup_workday": true, "published": true})
    );
    let r = officer
        .get("/api/v1/calendar/add?from=2027-02-04&working_days=1")
        .await
        .1;
    assert_eq!(r, json!({"date": "2027-02-09", "provisional": false}));

    // A broken file is refused with its reason and loads nothing.
    std::fs::write(&file, r#"{"format":"weiquan-calendar-v1","source":"x","years":{"2028":{"version":"v","off":{},"makeup":{"2028-01-05":"new_year"}}}}"#).unwrap();
    let (ok, out) = run(&["calendar", "import", path, "--apply"]);
    assert!(!ok && out.contains("not a weekend"), "{out}");
    let (rows, _) = weiquan::store::audit::browse(app.db.conn(), &Default::default(), None, 100)
        .await
        .unwrap();
    assert_eq!(
        rows.iter()
            .filter(|r| r.action == "calendar.import")
            .count(),
        1
    );
}

fn registration(uscc: &str, username: &str) -> Value {
    json!({"name": "南通华睿新能源科技有限公司", "uscc": uscc, "region_code": "320600", "contact_name": "周华",
           "contact_phone": "13900000000", "username": username, "password": "Huarui-2026"})
}

#[tokio::test]
async fn an_enterprise_registers_itself_and_its_first_user_signs_in() {
    let app = TestApp::spawn().await;
    let code = weiquan::domain::uscc::complete("91320600MA1W9HR2K")
        .unwrap()
        .as_str()
        .to_string();
    let res = app
        .api()
        .post_response(
            "/api/v1/enterprises/register",
            &registration(&code, "huarui"),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert!(body["organization_id"].is_i64() && body["user_id"].is_i64());
    let (_, answer) = app
        .api()
        .post(
            "/api/v1/auth/token",
            &json!({"username": "huarui", "password": "Huarui-2026"}),
        )
        .await;
    let me = app
        .api_with_token(answer["token"].as_str().unwrap())
        .me()
        .await;
    assert_eq!(
        (me["role"].as_str(), me["organization"]["uscc"].as_str()),
        (Some("enterprise_filer"), Some(code.as_str()))
    );

    // The same credit code again is a clear 409, not a second enterprise.
    let res = app
        .api()
        .post_response(
            "/api/v1/enterprises/register",
            &registration(&code.to_lowercase(), "huarui2"),
        )
        .await;
    assert_eq!(res.status(), 409);
    let p: Value = res.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("已注册"), "{p}");
}

#[tokio::test]
async fn registration_reports_every_bad_field_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let body = json!({"name": "x", "uscc": "91320600MA1W9HR2K0", "region_code": "99", "contact_name": "",
                      "contact_phone": "abc", "username": "a", "password": "short"});
    let res = app
        .api()
        .post_response("/api/v1/enterprises/register", &body)
        .await;
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "name",
        "uscc",
        "region_code",
        "contact_name",
        "contact_phone",
        "username",
        "password",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    // A taken username leaves no half-registered enterprise behind.
    let code = weiquan::domain::uscc::complete("91320600MA1W9HR2K")
        .unwrap()
        .as_str()
        .to_string();
    let res = app
        .api()
        .post_response(
            "/api/v1/enterprises/register",
            &registration(&code, "demo-admin"),
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .api()
        .post_response(
            "/api/v1/enterprises/register",
            &registration(&code, "huarui"),
        )
        .await;
    assert_eq!(
        res.status(),
        201,
        "the code was not taken by the failed attempt"
    );
}

#[tokio::test]
async fn the_registration_page_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let web = app.browser();
    let html = web.html("/login").await;
    assert!(html.contains("href=\"/register\""));
    let res = web
        .post_form(
            "/register",
            "/register",
            &[
                ("name", "南通华睿新能源科技有限公司"),
                ("uscc", "91320600MA1W9HR2K0"),
                ("region_code", "320600"),
                ("contact_name", "周华"),
                ("contact_phone", "13900000000"),
                ("username", "huarui"),
                ("password", "Huarui-2026"),
            ],
        )
        .await;
    let status = res.status();
    let html = res.text().await.unwrap();
    if status == 303 {
        panic!("91320600MA1W9HR2K0 should not be a valid code");
    }
    assert_eq!(status, 422);
    assert!(
        html.contains("value=\"南通华睿新能源科技有限公司\"") && html.contains("value=\"周华\""),
        "{html}"
    );
    assert!(html.contains("统一社会信用代码"), "{html}");
}

/// The properties a schema names, through `$ref` and `allOf` (a flattened struct).
fn properties(doc: &Value, schema: &Value) -> (Vec<String>, Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let target = doc.pointer(r.strip_prefix('#').unwrap()).unwrap();
        return properties(doc, target);
    }
    let mut names: Vec<String> = schema["properties"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let mut required: Vec<String> = schema["required"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let (n, r) = properties(doc, part);
        names.extend(n);
        required.extend(r);
    }
    (names, required)
}

/// A client written against the document finds every field it names, and nothing it does not:
/// the answers of the main reads carry exactly the properties of their documented schema.
#[tokio::test]
async fn answers_carry_the_fields_the_generated_document_names() {
    let app = TestApp::spawn().await;
    let (_, doc) = app.api().get("/api/openapi.json").await;
    let officer = app.api_as("demo-officer").await;
    let id = app.lead("demo-officer", "officer").file().await.id;
    for (path, template) in [
        ("/api/v1/me".to_string(), "/me"),
        ("/api/v1/cases".to_string(), "/cases"),
        (format!("/api/v1/cases/{id}"), "/cases/{id}"),
        (format!("/api/v1/cases/{id}/actions"), "/cases/{id}/actions"),
        (
            format!("/api/v1/cases/{id}/deadlines"),
            "/cases/{id}/deadlines",
        ),
        (
            format!("/api/v1/cases/{id}/evidence"),
            "/cases/{id}/evidence",
        ),
        ("/api/v1/notifications".to_string(), "/notifications"),
        ("/api/v1/reports/summary".to_string(), "/reports/summary"),
    ] {
        let (status, answer) = officer.get(&path).await;
        assert_eq!(status, 200, "{path}: {answer}");
        let schema = &doc["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        let (names, required) = properties(&doc, schema);
        let mut given: Vec<String> = answer.as_object().unwrap().keys().cloned().collect();
        given.sort();
        for key in &given {
            assert!(names.contains(key), "{path}: `{key}` is not documented");
        }
        for key in &required {
            assert!(given.contains(key), "{path}: documented `{key}` is missing");
        }
    }
    // Errors are documented problems, with the fields a 422 names.
    let (status, problem) = officer.get("/api/v1/cases?limit=0").await;
    assert_eq!(status, 422);
    let (names, _) = properties(&doc, &json!({"$ref": "#/components/schemas/Problem"}));
    for key in problem.as_object().unwrap().keys() {
        assert!(
            names.contains(key),
            "problem field `{key}` is not documented"
        );
    }
}

/// What schemathesis found in the first runs against the generated document stays fixed: a whole
/// number written `3.0` is an integer, a body is an object, unknown fields are refused, a blank
/// filter is no filter, and a control character in a filter is refused like in a field.
#[tokio::test]
async fn requests_are_read_as_the_document_describes_them() {
    let app = TestApp::spawn().await;
    let officer = app.api_as("demo-officer").await;
    let (s, b) = officer.get("/api/v1/notifications?limit=1.0").await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = officer.get("/api/v1/notifications?limit=0").await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "limit");
    let (s, b) = officer.get("/api/v1/cases?queue=&srdi_level=&limit=").await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = officer.get("/api/v1/cases?clock_state=%C2%84").await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["code"], "error.text.control");
    let put = |body: Value| {
        let officer = &officer;
        async move {
            officer
                .call(Method::PUT, "/api/v1/account/notices", Some(&body))
                .await
        }
    };
    let (s, b) = put(json!([])).await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["code"], "error.json_object");
    let (s, b) = put(json!({"topics": [], "colour": "red"})).await;
    assert_eq!(s, 422, "{b}");
    let (s, b) =
        put(json!({"topics": [{"topic": "deadline", "email": false, "sms": false}]})).await;
    assert_eq!(s, 200, "{b}");
    // `expected_version` 1e9 is a whole number: refused for being stale, not for its type.
    let id = app.lead("demo-officer", "officer").file().await.id;
    let (s, b) = officer
        .post(
            &format!("/api/v1/cases/{id}/triage"),
            &json!({"action": "reject", "reason_code": "not_ip", "expected_version": 1.0e9}),
        )
        .await;
    assert_ne!(b["errors"][0]["code"], "error.json_shape", "{b}");
    assert!(s == 409 || s == 403 || s == 422, "{s} {b}");
}
