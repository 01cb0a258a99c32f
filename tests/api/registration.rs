//! Enterprise registration (issue 16): the password rule with its confirmation, the filer's
//! position and proof document, the username carried to the sign-in form, and confirming the
//! enterprise — the "企业未核验" flag the triager sees until a centre or office of its region
//! confirms it, with the document to check.

use crate::fixtures::{Browser, PASSWORD, location};
use crate::helpers::TestApp;
use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use weiquan::domain::uscc;

const NAME: &str = "南通华睿新能源科技有限公司";

fn code() -> String {
    uscc::complete("91320612MA1W9HR2K")
        .unwrap()
        .as_str()
        .to_string()
}

fn pdf() -> Vec<u8> {
    let mut v = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    v.extend(std::iter::repeat_n(b'x', 70_000));
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

/// The registration fields, with `changes` over the good defaults.
fn fields(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> = vec![
        ("name", NAME.into()),
        ("uscc", code()),
        ("region_code", "320612".into()),
        ("contact_name", "周华".into()),
        ("position", "法务经理".into()),
        ("contact_phone", "13900000000".into()),
        ("username", "huarui".into()),
        ("password", PASSWORD.into()),
        ("confirm_password", PASSWORD.into()),
        ("document_kind", "business_licence".into()),
    ];
    for (k, v) in changes {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = (*v).to_string(),
            None => f.push((k, (*v).to_string())),
        }
    }
    f
}

/// Posts the registration form as a browser does: multipart, the page's CSRF token first, the
/// document last (`None`: no file chosen).
async fn register(
    web: &Browser,
    fields: &[(&'static str, String)],
    document: Option<(&str, &str, Vec<u8>)>,
) -> Response {
    let token = web.csrf("/register").await;
    let mut form = Form::new().text("_csrf", token);
    for (k, v) in fields {
        form = form.text(*k, v.clone());
    }
    let part = match document {
        Some((name, mime, bytes)) => Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(mime)
            .unwrap(),
        None => Part::bytes(Vec::new())
            .file_name("")
            .mime_str("application/octet-stream")
            .unwrap(),
    };
    form = form.part("document", part);
    web.client
        .post(web.url("/register"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn licence() -> Option<(&'static str, &'static str, Vec<u8>)> {
    Some(("营业执照.pdf", "application/pdf", pdf()))
}

/// Nothing was registered under the test's credit code.
async fn nothing_registered(app: &TestApp) {
    let found = entity::organizations::Entity::find()
        .filter(entity::organizations::Column::Uscc.eq(code()))
        .one(app.db.conn())
        .await
        .unwrap();
    assert!(found.is_none(), "{found:?}");
}

#[tokio::test]
async fn a_weak_password_comes_back_with_its_message_and_the_form_filled_in() {
    let app = TestApp::spawn().await;
    let web = app.browser();
    for (password, message) in [
        ("abcdefgh", "密码太容易被猜到"),
        ("12345678", "密码太容易被猜到"),
        ("password", "密码太容易被猜到"),
        ("P@ssw0rd2026", "密码太容易被猜到"),
        ("qwpzkrmt", "至少两类"),
        ("Hr-2026", "密码至少 8 位"),
        ("Huarui2026", "不能与用户名相同"),
    ] {
        let changes = [
            ("password", password),
            ("confirm_password", password),
            (
                "username",
                if password == "Huarui2026" {
                    "huarui2026"
                } else {
                    "huarui"
                },
            ),
        ];
        let res = register(&web, &fields(&changes), licence()).await;
        assert_eq!(res.status(), 422, "{password}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{password}: {message}\n{html}");
        for kept in [
            format!("value=\"{NAME}\""),
            format!("value=\"{}\"", code()),
            "value=\"法务经理\"".to_string(),
            "value=\"13900000000\"".to_string(),
            "<option value=\"business_licence\" selected>".to_string(),
        ] {
            assert!(html.contains(&kept), "{password}: {kept} kept\n{html}");
        }
        assert!(
            !html.contains(&format!("value=\"{password}\"")),
            "the password is never sent back"
        );
    }
    nothing_registered(&app).await;
}

#[tokio::test]
async fn passwords_that_differ_or_a_missing_document_are_field_messages() {
    let app = TestApp::spawn().await;
    let web = app.browser();
    let res = register(
        &web,
        &fields(&[("confirm_password", "demo12346")]),
        licence(),
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("两次输入的密码不一致"), "{html}");
    assert!(html.contains(&format!("value=\"{NAME}\"")));
    assert!(!html.contains("demo12346") && !html.contains(&format!("value=\"{PASSWORD}\"")));

    // No file chosen, no kind chosen, no position: each its message.
    let res = register(
        &web,
        &fields(&[("document_kind", ""), ("position", " ")]),
        None,
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for message in [
        "请上传营业执照或授权委托书",
        "请选择证明文件类型",
        "请填写您在本企业的职务",
    ] {
        assert!(html.contains(message), "{message}\n{html}");
    }

    // A document that is no PDF or picture, whatever its name says.
    let text = Some((
        "营业执照.pdf",
        "application/pdf",
        b"just text, no PDF".repeat(10),
    ));
    let res = register(&web, &fields(&[]), text).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("PDF、JPEG 或 PNG"), "{html}");
    assert!(html.contains(&format!("value=\"{NAME}\"")));

    // Too large: refused while it streams, the fields typed before it kept.
    let big = vec![b'%'; 10 * 1024 * 1024 + 100_000];
    let mut big_pdf = b"%PDF-1.7\n".to_vec();
    big_pdf.extend(big);
    let res = register(
        &web,
        &fields(&[]),
        Some(("big.pdf", "application/pdf", big_pdf)),
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("不能超过 10 MB"), "{html}");
    assert!(html.contains("value=\"法务经理\""));

    // A form posted without a file at all (not multipart) is answered the same way.
    let owned = fields(&[]);
    let plain: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = web.post_form("/register", "/register", &plain).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("请上传营业执照或授权委托书")
    );
    nothing_registered(&app).await;
}

#[tokio::test]
async fn a_registered_filer_finds_the_username_filled_in_and_signs_in() {
    let app = TestApp::spawn().await;
    let web = app.browser();
    let res = register(&web, &fields(&[("username", "HuaRui")]), licence()).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?username=huarui");
    let html = web.html("/login?username=huarui").await;
    assert!(
        html.contains("name=\"username\" value=\"huarui\""),
        "{html}"
    );
    assert!(html.contains("注册成功"), "the flash message\n{html}");
    assert_eq!(web.sign_in("huarui", PASSWORD).await.status(), 303);

    // The enterprise waits to be confirmed; the position and the document are kept.
    let org = entity::organizations::Entity::find()
        .filter(entity::organizations::Column::Uscc.eq(code()))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert!(org.verified_at.is_none());
    let user = app.user("huarui").await;
    assert_eq!(user.position.as_deref(), Some("法务经理"));
    let docs = entity::enterprise_documents::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap();
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(
        (d.org_id, d.kind.as_str(), d.media_type.as_str()),
        (org.id, "business_licence", "application/pdf")
    );
    assert_eq!(d.original_name.as_deref(), Some("营业执照.pdf"));
    let stored = app.dir.path().join("evidence").join(&d.object_key);
    assert_eq!(
        std::fs::read(stored).unwrap(),
        pdf(),
        "stored like evidence"
    );
}

#[tokio::test]
async fn the_username_carried_to_the_sign_in_form_is_escaped() {
    let app = TestApp::spawn().await;
    let html = app
        .browser()
        .html("/login?username=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(html.contains("&quot;&gt;&lt;script&gt;"), "{html}");
}

/// The table row of case `number` on a page.
fn row_of<'a>(html: &'a str, number: &str) -> &'a str {
    let at = html
        .find(number)
        .unwrap_or_else(|| panic!("{number} not on the page"));
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

#[tokio::test]
async fn the_triager_sees_an_unverified_enterprise_until_it_is_confirmed() {
    let app = TestApp::spawn().await;
    let web = app.browser();
    assert_eq!(register(&web, &fields(&[]), licence()).await.status(), 303);
    let case = app.complaint().by("huarui").file().await;
    let org_id = app.org_id(NAME).await;

    // The flag on the lead in the triage queue and on the case page.
    let triager = app.browser_as("demo-triager").await;
    let queue = triager.html("/triage").await;
    assert!(
        row_of(&queue, &case.number).contains("企业未核验"),
        "{queue}"
    );
    let page = triager.html(&case.page()).await;
    assert!(page.contains(NAME) && page.contains("企业未核验"), "{page}");
    // A lead of a confirmed enterprise carries none.
    let other = app.complaint().file().await;
    let queue = triager.html("/triage").await;
    assert!(!row_of(&queue, &other.number).contains("企业未核验"));

    // The enterprise cannot confirm itself, nor see the list or the document.
    let ent = app.browser_as("huarui").await;
    assert_eq!(ent.page("/enterprises").await.0, 403);
    let res = ent
        .post_form(
            "/",
            &format!("/enterprises/{org_id}/verify"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let doc_id = entity::enterprise_documents::Entity::find()
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    let doc = format!("/enterprises/documents/{doc_id}");
    assert_eq!(ent.get(&doc).await.status(), 404);
    assert!(!ent.html(&case.page()).await.contains("企业未核验"));
    // Nor can an industry office (it does not confirm enterprises).
    let industry = app.browser_as("demo-industry").await;
    assert_eq!(industry.get(&doc).await.status(), 404);
    let res = industry
        .post_form(
            "/",
            &format!("/enterprises/{org_id}/verify"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status(), 403);

    // The triager finds it in the list with the filer's position and downloads the document.
    let list = triager.html("/enterprises").await;
    assert!(list.contains(NAME) && list.contains("法务经理"), "{list}");
    assert!(list.contains(&format!("href=\"{doc}\"")), "{list}");
    let res = triager.get(&doc).await;
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf());

    // Without the box ticked nothing happens; ticked, the enterprise is confirmed.
    let verify = format!("/enterprises/{org_id}/verify");
    let res = triager.post_form("/enterprises", &verify, &[]).await;
    assert_eq!(res.status(), 303);
    assert!(triager.html("/enterprises").await.contains("请先勾选"));
    let res = triager
        .post_form("/enterprises", &verify, &[("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    let list = triager.html("/enterprises").await;
    assert!(
        list.contains("企业已核验") && !list.contains(NAME),
        "{list}"
    );
    let queue = triager.html("/triage").await;
    assert!(!row_of(&queue, &case.number).contains("企业未核验"));
    assert!(!triager.html(&case.page()).await.contains("企业未核验"));
    let res = triager
        .post_form("/enterprises", &verify, &[("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    assert!(triager.html("/enterprises").await.contains("已由他人核验"));

    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.is_in([
            "enterprise.register",
            "enterprise.document_download",
            "enterprise.verify",
        ]))
        .order_by_asc(entity::audit_log::Column::Seq)
        .all(app.db.conn())
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|a| (a.action.as_str(), a.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("enterprise.register", "huarui"),
            ("enterprise.document_download", "demo-triager"),
            ("enterprise.verify", "demo-triager"),
        ]
    );
    let org = entity::organizations::Entity::find_by_id(org_id)
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        org.verified_by_user_id,
        Some(app.user_id("demo-triager").await)
    );
}

#[tokio::test]
async fn the_demo_shows_one_enterprise_waiting_and_admins_see_every_region() {
    let app = TestApp::spawn().await;
    let triager = app.browser_as("demo-triager").await;
    let html = triager.html("/").await;
    assert!(html.contains("href=\"/enterprises\""), "in the navigation");
    let list = triager.html("/enterprises").await;
    assert!(list.contains("江苏海晟新材料科技有限公司"), "{list}");
    assert!(list.contains("总经理助理") && list.contains("未上传证明文件"));
    assert!(!list.contains("南通华信精密机械有限公司"));
    let admin = app.browser_as("demo-admin").await;
    assert!(
        admin
            .html("/enterprises")
            .await
            .contains("江苏海晟新材料科技有限公司")
    );
    let html = app.browser_as("demo-enterprise").await.html("/").await;
    assert!(!html.contains("href=\"/enterprises\""));
}

#[tokio::test]
async fn the_api_registers_with_json_as_before_or_with_the_document_as_multipart() {
    let app = TestApp::spawn().await;
    let api = app.api();
    let mut body = json!({"name": NAME, "uscc": code(), "region_code": "320612",
        "contact_name": "周华", "contact_phone": "13900000000", "username": "huarui",
        "password": "abcdefgh"});
    let (status, p) = api.post("/api/v1/enterprises/register", &body).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "password", "{p}");
    body["password"] = json!("Huarui-2026");
    body["confirm_password"] = json!("Huarui-2027");
    let (status, p) = api.post("/api/v1/enterprises/register", &body).await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("confirm_password"))
    );

    // Multipart: the same fields and the document.
    let mut form = Form::new();
    for (k, v) in fields(&[
        ("username", "huarui2"),
        ("document_kind", "authorisation_letter"),
    ]) {
        form = form.text(k, v);
    }
    let part = Part::bytes(pdf())
        .file_name("authorisation.pdf")
        .mime_str("application/pdf")
        .unwrap();
    form = form.part("document", part);
    let res = api
        .request(reqwest::Method::POST, "/api/v1/enterprises/register")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["username"], "huarui2", "{created}");
    let doc = entity::enterprise_documents::Entity::find()
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(doc.kind, "authorisation_letter");

    // JSON as API.md has it still registers (unverified, without a document).
    let other = uscc::complete("91320612MA1XW8123").unwrap();
    let body = json!({"name": "南通新锐电池材料有限公司", "uscc": other.as_str(),
        "region_code": "320612", "contact_name": "周婷", "contact_phone": "13900000009",
        "username": "xinrui", "password": "xinrui-2026!"});
    let (status, r) = api.post("/api/v1/enterprises/register", &body).await;
    assert_eq!(status, 201, "{r}");
    let triager = app.browser_as("demo-triager").await;
    assert!(
        triager
            .html("/enterprises")
            .await
            .contains("南通新锐电池材料有限公司")
    );
}

#[tokio::test]
async fn every_way_of_setting_a_password_refuses_a_weak_one() {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    let org = app.org_id("南通市知识产权局").await.to_string();
    let res = admin
        .post_form(
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "nt-officer9"),
                ("display_name", "新执法人员"),
                ("org_id", &org),
                ("role", "officer"),
                ("password", "12345678"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("密码太容易被猜到") && html.contains("value=\"nt-officer9\""));

    let id = app.user_id("demo-officer").await;
    let res = admin
        .post_form(
            &format!("/admin/users/{id}/edit"),
            &format!("/admin/users/{id}/password"),
            &[("password", "demo-officer")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.browser()
            .sign_in("demo-officer", PASSWORD)
            .await
            .status(),
        303,
        "the password stays as it was"
    );

    let ent = app.browser_as("demo-enterprise").await;
    let res = ent
        .post_form(
            "/account",
            "/account",
            &[
                ("current_password", PASSWORD),
                ("new_password", "aaaaaaaa1"),
                ("confirm_password", "aaaaaaaa1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("密码太容易被猜到"));
}
