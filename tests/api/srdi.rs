//! The 专精特新 registry page: who may see and change it, the entry form, CSV import with its
//! row-by-row report, withdrawal, and the SRDI flag it keeps on cases.

use crate::fixtures::Browser;
use crate::helpers::TestApp;
use reqwest::multipart::{Form, Part};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use weiquan::domain::uscc;

/// Credit codes of fictional enterprises that are not registered users.
fn code(body: &str) -> String {
    uscc::complete(body).unwrap().as_str().to_string()
}

fn zhizao() -> String {
    code("91320602MA1T7KJ3P")
}

fn ruifeng() -> String {
    code("91320623MA1W4RF2L")
}

fn huaxin() -> String {
    code("91320600MA1N2HX3Q")
}

/// A case whose complainant has `uscc`, not yet flagged.
async fn case_of(app: &TestApp, uscc: &str) -> i64 {
    let owner = entity::organizations::Entity::find()
        .filter(entity::organizations::Column::Kind.eq("ip_office"))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    let now = chrono::Utc::now();
    entity::cases::ActiveModel {
        number: Set(format!("WQ-2026-{}", &uscc[10..17])),
        title: Set("外观设计专利侵权".into()),
        description: Set(String::new()),
        source: Set("officer".into()),
        channel: Set("offline".into()),
        region_code: Set("320600".into()),
        queue: Set("triage".into()),
        state: Set("new".into()),
        owner_org_id: Set(owner.id),
        complainant_uscc: Set(Some(uscc.into())),
        srdi_rank: Set(0),
        facts: Set("{}".into()),
        received_at: Set(now),
        version: Set(1),
        is_demo: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(app.db.conn())
    .await
    .unwrap()
    .id
}

async fn rank_of_case(app: &TestApp, id: i64) -> i16 {
    entity::cases::Entity::find_by_id(id)
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap()
        .srdi_rank
}

async fn entry_id(app: &TestApp, uscc: &str, level: &str) -> i64 {
    use entity::srdi_registry::Column;
    entity::srdi_registry::Entity::find()
        .filter(Column::Uscc.eq(uscc))
        .filter(Column::Level.eq(level))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Uploads `csv` as a file through the import form; returns the status and the page.
async fn import(web: &Browser, csv: &str) -> (u16, String) {
    let token = web.csrf("/srdi").await;
    let file = Part::bytes(csv.as_bytes().to_vec())
        .file_name("名单.csv")
        .mime_str("text/csv")
        .unwrap();
    let form = Form::new().text("_csrf", token).part("file", file);
    let res = web
        .client
        .post(web.url("/srdi/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn add_form<'a>(uscc: &'a str, level: &'a str, year: &'a str) -> [(&'a str, &'a str); 5] {
    [
        ("uscc", uscc),
        ("name", "南通智造装备有限公司"),
        ("level", level),
        ("year", year),
        ("source", "江苏省2025年度专精特新中小企业名单"),
    ]
}

#[tokio::test]
async fn an_industry_officer_records_an_enterprise_that_is_not_a_user() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-industry").await;
    let home = web.html("/").await;
    assert!(
        home.contains("href=\"/srdi\""),
        "the registry is in the menu"
    );
    let html = web.html("/srdi").await;
    assert!(
        html.contains("南通华信精密机械有限公司") && html.contains("江苏海晟新材料科技有限公司"),
        "the demo entries are listed:\n{html}"
    );
    let case = case_of(&app, &zhizao()).await;
    let code = zhizao().to_lowercase();
    let res = web
        .post_form(
            "/srdi",
            "/srdi",
            &add_form(&code, "provincial_srdi", "2025"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = web.html("/srdi").await;
    assert!(html.contains("已登记到专精特新名录"), "{html}");
    assert!(
        html.contains("南通智造装备有限公司") && html.contains(&zhizao()),
        "stored upper-case"
    );
    assert_eq!(rank_of_case(&app, case).await, 1, "the case is flagged");
    let filtered = web.html("/srdi?level=national_little_giant").await;
    assert!(!filtered.contains("<td>南通智造装备有限公司") && filtered.contains("<td>南通华信"));
    let searched = web.html("/srdi?q=智造").await;
    assert!(searched.contains("<td>南通智造装备有限公司") && !searched.contains("<td>南通华信"));
}

#[tokio::test]
async fn a_bad_entry_comes_back_filled_in_with_its_errors_and_a_duplicate_is_refused() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-industry").await;
    let wrong = format!("{}0", &zhizao()[..17]);
    let wrong = if wrong == zhizao() {
        format!("{}1", &zhizao()[..17])
    } else {
        wrong
    };
    let res = web
        .post_form("/srdi", "/srdi", &add_form(&wrong, "city_level", "2010"))
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for message in ["校验码不正确", "级别应为", "年度应为 2011 年至明年"] {
        assert!(html.contains(message), "{message}:\n{html}");
    }
    assert!(
        html.contains("value=\"南通智造装备有限公司\""),
        "the name is kept"
    );
    assert!(
        html.contains(&format!("value=\"{wrong}\"")),
        "the code is kept"
    );
    assert!(html.contains("value=\"2010\""), "the year is kept");

    let res = web
        .post_form(
            "/srdi",
            "/srdi",
            &[
                ("uscc", &huaxin()),
                ("name", "南通华信精密机械有限公司"),
                ("level", "national_little_giant"),
                ("year", "2024"),
                ("source", "工业和信息化部第六批专精特新“小巨人”企业名单"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("已在名录中"));
}

#[tokio::test]
async fn an_enterprise_filer_cannot_see_or_change_the_registry() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-enterprise").await;
    let home = web.html("/").await;
    assert!(!home.contains("href=\"/srdi\""), "no menu entry");
    assert_eq!(web.get("/srdi").await.status(), 403);
    let res = web
        .post_form(
            "/",
            "/srdi",
            &add_form(&zhizao(), "provincial_srdi", "2025"),
        )
        .await;
    assert_eq!(res.status(), 403);
    let id = entry_id(&app, &huaxin(), "national_little_giant").await;
    assert_eq!(web.get(&format!("/srdi/{id}/withdraw")).await.status(), 403);
    let res = web
        .post_form("/", &format!("/srdi/{id}/withdraw"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn an_ip_officer_sees_the_registry_but_cannot_change_it() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-officer").await;
    let res = web.get("/srdi").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("南通华信精密机械有限公司"));
    assert!(
        !html.contains("action=\"/srdi/import\""),
        "no forms to change it"
    );
    let res = web
        .post_form(
            "/srdi",
            "/srdi",
            &add_form(&zhizao(), "provincial_srdi", "2025"),
        )
        .await;
    assert_eq!(res.status(), 403);
    let (status, _) = import(&web, "uscc,name,level,year,source\n").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_import_with_one_bad_row_reports_its_line_and_imports_the_rest() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-industry").await;
    let case = case_of(&app, &ruifeng()).await;
    let csv = format!(
        "uscc,name,level,year,source\n\
         {},南通智造装备有限公司,省级专精特新,2025,江苏省2025年度专精特新中小企业名单\n\
         {},如东锐丰机电有限公司,小巨人,2025,工业和信息化部第七批专精特新“小巨人”企业名单\n\
         {},坏行有限公司,国家级小巨人,2009,工业和信息化部名单\n",
        zhizao(),
        ruifeng(),
        code("91320621MA1X9BD0C"),
    );
    let (status, html) = import(&web, &csv).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<strong>2</strong>"), "two imported:\n{html}");
    assert!(
        html.contains("<td>4</td>") && html.contains("年度应为 2011 年至明年"),
        "line 4 and its reason:\n{html}"
    );
    let list = web.html("/srdi").await;
    assert!(list.contains("南通智造装备有限公司") && list.contains("如东锐丰机电有限公司"));
    assert!(!list.contains("坏行有限公司"));
    assert_eq!(rank_of_case(&app, case).await, 2, "a little giant's case");
}

#[tokio::test]
async fn rows_already_listed_are_reported_as_duplicates_not_errors() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-industry").await;
    let csv = format!(
        "统一社会信用代码,企业名称,级别,年度,来源\r\n\
         {huaxin},南通华信精密机械有限公司,national_little_giant,2024,工业和信息化部第六批名单\r\n\
         {z},南通智造装备有限公司,省级专精特新,2025,江苏省名单\r\n\
         {z},南通智造装备有限公司,省级专精特新,2025,江苏省名单\r\n",
        huaxin = huaxin(),
        z = zhizao(),
    );
    let (status, html) = import(&web, &csv).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<strong>1</strong>"), "one imported:\n{html}");
    assert!(
        html.contains("第 2、4 行"),
        "lines of the duplicates:\n{html}"
    );
    assert!(!html.contains("有误的行"), "no errors:\n{html}");
    let (_, again) = import(&web, &csv).await;
    assert!(
        again.contains("<strong>0</strong>") && again.contains("第 2、3、4 行"),
        "{again}"
    );
}

#[tokio::test]
async fn an_empty_upload_asks_for_a_file() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-industry").await;
    let (status, html) = import(&web, "").await;
    assert_eq!(status, 422);
    assert!(html.contains("请选择 CSV 文件或粘贴内容"), "{html}");
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-industry").await;
    let form = Form::new().text("file", "uscc,name,level,year,source\n");
    let res = web
        .client
        .post(web.url("/srdi/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn withdrawing_asks_for_confirmation_and_clears_the_flag() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-industry").await;
    let case = case_of(&app, &zhizao()).await;
    for (level, year) in [
        ("provincial_srdi", "2025"),
        ("national_little_giant", "2026"),
    ] {
        let res = web
            .post_form("/srdi", "/srdi", &add_form(&zhizao(), level, year))
            .await;
        assert_eq!(res.status(), 303);
    }
    assert_eq!(rank_of_case(&app, case).await, 2);
    let national = entry_id(&app, &zhizao(), "national_little_giant").await;
    let path = format!("/srdi/{national}/withdraw");
    let page = web.html(&path).await;
    assert!(page.contains("确认撤销") && page.contains("南通智造装备有限公司"));
    let res = web.post_form(&path, &path, &[]).await;
    assert_eq!(res.status(), 303, "without confirming nothing happens");
    assert_eq!(res.headers()["location"], path.as_str());
    assert_eq!(rank_of_case(&app, case).await, 2);

    let res = web.post_form(&path, &path, &[("confirm", "yes")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        rank_of_case(&app, case).await,
        1,
        "falls back to provincial"
    );
    let list = web.html("/srdi?q=智造").await;
    assert!(list.contains("名录条目已撤销"), "{list}");
    assert!(!list.contains(&path), "the withdrawn entry is not listed");
    let all = web.html("/srdi?q=智造&withdrawn=1").await;
    assert!(all.contains("class=\"tag warn\""), "{all}");
    let res = web.post_form("/srdi", &path, &[("confirm", "yes")]).await;
    assert_eq!(res.status(), 409, "already withdrawn");

    let provincial = entry_id(&app, &zhizao(), "provincial_srdi").await;
    let path = format!("/srdi/{provincial}/withdraw");
    web.post_form(&path, &path, &[("confirm", "yes")]).await;
    assert_eq!(rank_of_case(&app, case).await, 0);

    // Recording the same entry again reinstates it.
    let res = web
        .post_form(
            "/srdi",
            "/srdi",
            &add_form(&zhizao(), "national_little_giant", "2026"),
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(rank_of_case(&app, case).await, 2);
    let audit: Vec<String> = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.starts_with("srdi_entry."))
        .order_by_asc(entity::audit_log::Column::Seq)
        .all(app.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        audit,
        [
            "srdi_entry.add",
            "srdi_entry.add",
            "srdi_entry.withdraw",
            "srdi_entry.withdraw",
            "srdi_entry.add"
        ]
    );
}

#[tokio::test]
async fn the_org_list_tags_registered_enterprises_from_the_registry() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-admin").await;
    let html = web.html("/admin/orgs").await;
    assert!(html.contains(&format!("/srdi?q={}", huaxin())));
}

#[tokio::test]
async fn the_cli_imports_a_file_and_fails_when_a_row_is_bad() {
    let app = TestApp::spawn().await;
    let file = app.dir.path().join("名单.csv");
    std::fs::write(
        &file,
        format!(
            "uscc,name,level,year,source\n{},南通智造装备有限公司,省级专精特新,2025,江苏省名单\n{},如东锐丰机电有限公司,市级,2025,江苏省名单\n",
            zhizao(),
            ruifeng()
        ),
    )
    .unwrap();
    let out = app.cli(&["srdi", "import", file.to_str().unwrap()]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("已导入 / imported: 1"), "{stdout}");
    assert!(
        stdout.contains("第 3 行 / line 3 [level]: 级别应为"),
        "{stdout}"
    );
    let entry = entry_id(&app, &zhizao(), "provincial_srdi").await;
    let row = entity::srdi_registry::Entity::find_by_id(entry)
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.recorded_by_org_id, row.recorded_by_user_id),
        (None, None)
    );
}

#[tokio::test]
async fn the_migration_moves_designations_of_registered_enterprises_into_the_registry() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let app = TestApp::spawn_empty().await;
    let conn = app.db.conn();
    // Back to before the registry migration (the sixth), undoing any later ones first.
    let later = Migrator::migrations().len() as u32 - 5;
    Migrator::down(conn, Some(later)).await.unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2024-06-01T08:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    // Written as the schema of that time had it (today's entity names later columns).
    let org = Query::insert()
        .into_table(Alias::new("organizations"))
        .columns(
            [
                "name",
                "kind",
                "uscc",
                "region_code",
                "is_demo",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            "南通智造装备有限公司".into(),
            "enterprise".into(),
            zhizao().into(),
            "320602".into(),
            false.into(),
            at.into(),
            at.into(),
        ])
        .to_owned();
    conn.execute(&org).await.unwrap();
    let org_id: i64 = conn
        .query_one(
            &Query::select()
                .column(Alias::new("id"))
                .from(Alias::new("organizations"))
                .and_where(Expr::col(Alias::new("uscc")).eq(zhizao()))
                .to_owned(),
        )
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();
    let insert = Query::insert()
        .into_table(Alias::new("srdi_designations"))
        .columns(["org_id", "level", "year", "source", "created_at"].map(Alias::new))
        .values_panic([
            org_id.into(),
            "provincial_srdi".into(),
            2025.into(),
            "江苏省2025年度专精特新中小企业名单".into(),
            at.into(),
        ])
        .to_owned();
    conn.execute(&insert).await.unwrap();
    Migrator::up(conn, None).await.unwrap();
    let rows = entity::srdi_registry::Entity::find()
        .all(conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (r.uscc.as_str(), r.name.as_str(), r.level.as_str(), r.year),
        (
            zhizao().as_str(),
            "南通智造装备有限公司",
            "provincial_srdi",
            2025
        )
    );
    assert_eq!(r.created_at, at);
    assert!(r.withdrawn_at.is_none());
}
