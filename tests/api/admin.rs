//! Organisations and users through the administration pages.

use crate::fixtures::PASSWORD;
use crate::helpers::TestApp;
use weiquan::domain::uscc;

#[tokio::test]
async fn an_admin_registers_an_enterprise_with_a_valid_credit_code() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let code = uscc::complete("91320602MA1T7KJ3P").unwrap();
    let res = admin
        .post_form(
            "/admin/orgs/new",
            "/admin/orgs",
            &[
                ("name", "南通智造装备有限公司"),
                ("kind", "enterprise"),
                ("uscc", &code.as_str().to_lowercase()),
                ("region_code", "320613"),
                ("contact_phone", "0513-85000000"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = admin.html("/admin/orgs").await;
    assert!(
        html.contains("南通智造装备有限公司") && html.contains(code.as_str()),
        "stored upper-case:\n{html}"
    );
    assert!(html.contains("已保存"));
    assert!(
        html.contains("title=\"行政区划代码 320613\">江苏省南通市崇川区</span>"),
        "the region by its name:\n{html}"
    );
}

#[tokio::test]
async fn a_wrong_credit_code_comes_back_with_a_message_and_the_form_filled_in() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let code = uscc::complete("91320602MA1T7KJ3P")
        .unwrap()
        .as_str()
        .to_string();
    let last = code.chars().last().unwrap();
    let wrong_check = format!("{}{}", &code[..17], if last == '0' { '1' } else { '0' });
    let cases = [
        (wrong_check.as_str(), "校验码不正确"),
        (&code[..17], "应为 18 位"),
        ("91320602MA1T7KJ3PI", "不允许的字符"),
        ("", "企业必须填写"),
    ];
    for (uscc, message) in cases {
        let res = admin
            .post_form(
                "/admin/orgs/new",
                "/admin/orgs",
                &[
                    ("name", "南通测试有限公司"),
                    ("kind", "enterprise"),
                    ("uscc", uscc),
                    ("region_code", "320613"),
                ],
            )
            .await;
        assert_eq!(res.status(), 422, "{uscc}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{uscc}: {html}");
        assert!(
            html.contains("value=\"南通测试有限公司\""),
            "the name is kept"
        );
        assert!(html.contains("value=\"320613\""), "the region is kept");
    }
    let html = admin.html("/admin/orgs").await;
    assert!(!html.contains("南通测试有限公司"), "nothing was saved");
}

#[tokio::test]
async fn a_credit_code_can_be_registered_only_once() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let existing: String = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::organizations::Entity::find()
            .filter(entity::organizations::Column::Kind.eq("enterprise"))
            .one(app.db.conn())
            .await
            .unwrap()
            .unwrap()
            .uscc
            .unwrap()
    };
    let res = admin
        .post_form(
            "/admin/orgs/new",
            "/admin/orgs",
            &[
                ("name", "冒用代码有限公司"),
                ("kind", "enterprise"),
                ("uscc", &existing),
                ("region_code", "320600"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("已登记"));
}

#[tokio::test]
async fn an_admin_creates_a_user_who_can_then_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let org_id = app.org_id("南通市知识产权局").await.to_string();
    let res = admin
        .post_form(
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "Wang.Fang"),
                ("display_name", "王芳"),
                ("org_id", &org_id),
                ("role", "officer"),
                ("password", "Nantong2026!"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = app.browser().sign_in("wang.fang", "Nantong2026!").await;
    assert_eq!(res.status(), 303);
    // The same name again is refused with a field message.
    let res = admin
        .post_form(
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "wang.fang"),
                ("display_name", "另一个"),
                ("org_id", &org_id),
                ("role", "officer"),
                ("password", "Nantong2026!"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("该用户名已被使用"));
}

#[tokio::test]
async fn a_role_must_fit_the_organisation() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let office = app.org_id("南通市知识产权局").await.to_string();
    let res = admin
        .post_form(
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "filer-at-office"),
                ("display_name", "错配"),
                ("org_id", &office),
                ("role", "enterprise_filer"),
                ("password", "Nantong2026!"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("该角色与所选机构的类型不符"), "{html}");
    assert!(html.contains("value=\"filer-at-office\""));
}

#[tokio::test]
async fn an_admin_reset_ends_the_users_sessions_and_the_new_password_works() {
    let app = TestApp::spawn().await;
    let officer = app.browser_as("demo-officer").await;
    let admin = app.browser_as("demo-admin").await;
    let id = app.user_id("demo-officer").await;
    let res = admin
        .post_form(
            &format!("/admin/users/{id}/edit"),
            &format!("/admin/users/{id}/password"),
            &[("password", "NewSecret2026")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(officer.get("/").await.status(), 303);
    assert_eq!(
        app.browser()
            .sign_in("demo-officer", "NewSecret2026")
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn users_change_their_own_password_after_proving_the_current_one() {
    let app = TestApp::spawn().await;
    let enterprise = app.browser_as("demo-enterprise").await;
    let res = enterprise
        .post_form(
            "/account",
            "/account",
            &[
                ("current_password", "wrong"),
                ("new_password", "Huaxin2026!"),
                ("confirm_password", "Huaxin2026!"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("当前密码不正确"));
    let res = enterprise
        .post_form(
            "/account",
            "/account",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Huaxin2026!"),
                ("confirm_password", "Huaxin2026!"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    assert_eq!(
        app.browser()
            .sign_in("demo-enterprise", "Huaxin2026!")
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn demo_data_is_refused_on_a_database_with_real_data() {
    let app = TestApp::spawn_empty().await;
    let input = weiquan::service::admin::OrgInput {
        name: "真实机构".into(),
        kind: "ip_office".into(),
        region_code: "320600".into(),
        ..Default::default()
    };
    let meta = weiquan::service::RequestMeta::cli("test");
    let cx = weiquan::service::Ctx::new(app.db.clone(), app.time.clone(), meta);
    weiquan::service::admin::create_org(&cx, weiquan::service::admin::Caller::Operator, input)
        .await
        .unwrap();
    let err = weiquan::service::demo::load(&app.db).await.unwrap_err();
    assert!(
        matches!(err, weiquan::error::AppError::Conflict(_)),
        "{err:?}"
    );
    // And loading demo data twice is harmless.
    let demo = TestApp::spawn().await;
    assert_eq!(
        weiquan::service::demo::load(&demo.db).await.unwrap(),
        weiquan::service::demo::Loaded::Already
    );
}

#[tokio::test]
async fn the_demo_marks_a_national_little_giant_in_the_organisation_list() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let html = admin.html("/admin/orgs").await;
    let row = html
        .split("<tr>")
        .find(|r| r.contains("南通华信精密机械有限公司"))
        .unwrap();
    assert!(
        row.contains("国家级专精特新“小巨人”") && row.contains("2024"),
        "{row}"
    );
}

#[tokio::test]
async fn a_new_installation_gets_its_first_office_and_admin_from_the_command_line() {
    let app = TestApp::spawn_empty().await;
    let weiquan = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_weiquan"))
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .env("WEIQUAN_LOG", "off")
            .current_dir(app.dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = weiquan(
        &[
            "org",
            "add",
            "--name",
            "如皋市市场监督管理局",
            "--kind",
            "ip_office",
            "--region",
            "320682",
        ],
        "",
    );
    assert!(ok, "{out}");
    let id = out
        .split("(id ")
        .nth(1)
        .unwrap()
        .trim_end()
        .trim_end_matches(')')
        .to_string();
    let (ok, out) = weiquan(
        &[
            "user",
            "add",
            "rg-admin",
            "--name",
            "管理员",
            "--org",
            &id,
            "--role",
            "admin",
        ],
        "Rugao-2026\n",
    );
    assert!(ok, "{out}");
    assert_eq!(
        app.browser()
            .sign_in("rg-admin", "Rugao-2026")
            .await
            .status(),
        303
    );
    // Bad input is a clear message and a failing exit code.
    let (ok, out) = weiquan(
        &[
            "user", "add", "x", "--name", "短", "--org", &id, "--role", "root",
        ],
        "short\n",
    );
    assert!(!ok);
    assert!(out.contains("username") && out.contains("role"), "{out}");
    // Disabling from the command line ends the web session.
    let browser = app.browser();
    browser.sign_in("rg-admin", "Rugao-2026").await;
    let (ok, out) = weiquan(&["user", "disable", "rg-admin"], "");
    assert!(ok, "{out}");
    assert_eq!(browser.get("/").await.status(), 303);
}

#[tokio::test]
async fn an_admin_previews_then_loads_a_calendar_year_on_the_calendar_page() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let html = admin.html("/admin/calendar?year=2025").await;
    assert!(
        html.contains("2025-09-28") && html.contains("调休上班") && html.contains("国庆节"),
        "{html}"
    );
    let file = r#"{"format":"weiquan-calendar-v1","source":"国务院办公厅关于2027年部分节假日安排的通知（测试）","years":{"2027":{"version":"2027-official","off":{"2027-01-01":"new_year"},"makeup":{}}}}"#;
    let res = admin
        .post_form(
            "/admin/calendar",
            "/admin/calendar/preview",
            &[("file", file)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("新增年份") && html.contains("2027-01-01") && html.contains("确认载入"),
        "{html}"
    );
    // Nothing is loaded by a preview.
    assert!(!app.time.calendar().published(2027));
    // A broken file comes back with its reason and the text kept.
    let res = admin
        .post_form(
            "/admin/calendar",
            "/admin/calendar/preview",
            &[("file", "{\"format\":1")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("日历文件无法读取"));
    let res = admin
        .post_form(
            "/admin/calendar",
            "/admin/calendar/import",
            &[("file", file)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(app.time.calendar().published(2027));
    let html = admin.html("/admin/calendar?year=2027").await;
    assert!(
        html.contains("demo-admin") && html.contains("已载入"),
        "{html}"
    );
    // Officers may not load calendars.
    let officer = app.browser_as("demo-officer").await;
    assert_eq!(officer.get("/admin/calendar").await.status(), 403);
    let res = officer
        .post_form("/", "/admin/calendar/import", &[("file", file)])
        .await;
    assert_eq!(res.status(), 403);
}
