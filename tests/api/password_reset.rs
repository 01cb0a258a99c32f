//! Self-service password reset by e-mail (issue 16): offered only when SMTP is configured; the
//! same answer for every name asked; a single-use link that expires, read here from the e-mail
//! outbox; the new password checked like every other; every session and token ended; throttled
//! per account and per address.

use crate::fixtures::{Browser, PASSWORD, location};
use crate::helpers::TestApp;
use chrono::{TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const ADDRESS: &str = "wang.min@huaxin.example.cn";

/// The demo province with e-mail configured and a public address for the links.
async fn mail_app() -> TestApp {
    let app = TestApp::spawn_with(
        |c| {
            // Nothing listens there: the worker's delivery fails and the e-mail stays queued.
            c.smtp_url = weiquan::config::Secret("smtp://127.0.0.1:9".into());
            c.public_url = Some("https://weiquan.example.gov.cn".into());
        },
        true,
    )
    .await;
    entity::users::Entity::update_many()
        .col_expr(entity::users::Column::Email, Expr::value(ADDRESS))
        .filter(entity::users::Column::Username.eq("demo-enterprise"))
        .exec(app.db.conn())
        .await
        .unwrap();
    app
}

/// Asks for a reset of `identifier`: the status and the page.
async fn ask(web: &Browser, identifier: &str) -> (u16, String) {
    let res = web
        .post_form(
            "/password/forgot",
            "/password/forgot",
            &[("identifier", identifier)],
        )
        .await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The main part of a page (without the frame, which carries per-request values).
fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap();
    let end = html.find("</main>").unwrap();
    &html[start..end]
}

async fn outbox(app: &TestApp) -> Vec<entity::email_outbox::Model> {
    weiquan::store::notifications::mails(app.db.conn())
        .await
        .unwrap()
}

/// The path of the reset link in an e-mail body.
fn link_in(body: &str) -> String {
    let base = "https://weiquan.example.gov.cn";
    let at = body
        .find(&format!("{base}/password/reset?token="))
        .unwrap_or_else(|| panic!("no link in {body}"));
    let link: String = body[at + base.len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    link
}

/// Posts the new-password form of `link` (its token and the page's CSRF token).
async fn set_password(web: &Browser, link: &str, new: &str, confirm: &str) -> reqwest::Response {
    let token = link.split("token=").nth(1).unwrap();
    web.post_form(
        "/login",
        "/password/reset",
        &[
            ("token", token),
            ("new_password", new),
            ("confirm_password", confirm),
        ],
    )
    .await
}

#[tokio::test]
async fn without_mail_there_is_no_reset() {
    let app = TestApp::spawn().await;
    let web = app.browser();
    assert!(!web.html("/login").await.contains("/password/forgot"));
    assert_eq!(web.page("/password/forgot").await.0, 404);
    let res = web
        .post_form(
            "/login",
            "/password/forgot",
            &[("identifier", "demo-enterprise")],
        )
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(web.page("/password/reset?token=abc").await.0, 404);
    let res = set_password(
        &web,
        "/password/reset?token=abc",
        "Huaxin-2026!",
        "Huaxin-2026!",
    )
    .await;
    assert_eq!(res.status(), 404);
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn a_user_resets_the_password_once_with_the_emailed_link() {
    let app = mail_app().await;
    let signed_in = app.browser_as("demo-enterprise").await;
    let api = app.api_as("demo-enterprise").await;
    let web = app.browser();
    let login = web.html("/login").await;
    assert!(login.contains("href=\"/password/forgot\""), "{login}");
    assert!(login.contains("忘记密码"));

    // By username, whatever its case.
    let (status, page) = ask(&web, " Demo-Enterprise ").await;
    assert_eq!(status, 200);
    assert!(page.contains("重置链接已发送至该邮箱"), "{page}");
    let mails = outbox(&app).await;
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m.to_address, ADDRESS);
    assert_eq!(m.notification_id, None, "an account e-mail, no notice");
    assert!(m.subject.contains("重置密码") && m.body.contains("demo-enterprise"));
    assert!(m.body.contains("30 分钟"), "{}", m.body);
    let link = link_in(&m.body);

    // The form names the account; a weak or mistyped password comes back with its message.
    let (status, form) = web.page(&link).await;
    assert_eq!(status, 200);
    assert!(form.contains("demo-enterprise") && form.contains("name=\"new_password\""));
    let res = set_password(&web, &link, "abcdefgh", "abcdefgh").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("密码太容易被猜到"));
    let res = set_password(&web, &link, "Huaxin-2026!", "Huaxin-2027!").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("两次输入的密码不一致"));

    // The new password: to the sign-in form with the username, every session and token ended.
    let res = set_password(&web, &link, "Huaxin-2026!", "Huaxin-2026!").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?username=demo-enterprise");
    assert!(web.html(&location(&res)).await.contains("新密码已设置"));
    assert_eq!(
        signed_in.get("/").await.status(),
        303,
        "the old session ended"
    );
    assert_eq!(
        api.get("/api/v1/me").await.0,
        401,
        "the API token was revoked"
    );
    assert_eq!(
        app.browser()
            .sign_in("demo-enterprise", PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.browser()
            .sign_in("demo-enterprise", "Huaxin-2026!")
            .await
            .status(),
        303
    );

    // The link works once.
    let (status, page) = web.page(&link).await;
    assert_eq!(status, 410);
    assert!(page.contains("无效、已使用或已过期"), "{page}");
    let res = set_password(&web, &link, "Another-2026!", "Another-2026!").await;
    assert_eq!(res.status(), 410);

    let id = app.user_id("demo-enterprise").await.to_string();
    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::TargetId.eq(id))
        .all(app.db.conn())
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert!(
        actions.contains(&"auth.password_reset_requested")
            && actions.contains(&"auth.password_reset"),
        "{actions:?}"
    );
    // Only the token's hash is kept.
    let token = link.split("token=").nth(1).unwrap();
    let rows = entity::password_reset_requests::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap();
    assert!(rows.iter().all(|r| r.token_hash.as_deref() != Some(token)));
}

#[tokio::test]
async fn every_name_gets_the_same_answer_and_only_accounts_with_an_address_get_mail() {
    let app = mail_app().await;
    let web = app.browser();
    let (status, known) = ask(&web, "WANG.MIN@huaxin.example.cn").await;
    assert_eq!(status, 200);
    assert_eq!(outbox(&app).await.len(), 1, "found by its e-mail address");
    for unknown in ["nobody-here", "nobody@example.cn", "demo-officer"] {
        let (status, page) = ask(&web, unknown).await;
        assert_eq!(status, 200, "{unknown}");
        assert_eq!(main_of(&page), main_of(&known), "{unknown}");
    }
    assert_eq!(
        outbox(&app).await.len(),
        1,
        "no mail for unknown names or an account without an address"
    );
    let (status, page) = ask(&web, "  ").await;
    assert_eq!(status, 422);
    assert!(page.contains("name=\"identifier\""));
}

#[tokio::test]
async fn a_reset_link_expires() {
    let app = mail_app().await;
    let web = app.browser();
    ask(&web, "demo-enterprise").await;
    let link = link_in(&outbox(&app).await[0].body);
    entity::password_reset_requests::Entity::update_many()
        .col_expr(
            entity::password_reset_requests::Column::ExpiresAt,
            Expr::value(Some(Utc::now() - TimeDelta::minutes(1))),
        )
        .exec(app.db.conn())
        .await
        .unwrap();
    assert_eq!(web.page(&link).await.0, 410);
    let res = set_password(&web, &link, "Huaxin-2026!", "Huaxin-2026!").await;
    assert_eq!(res.status(), 410);
    assert_eq!(
        app.browser()
            .sign_in("demo-enterprise", PASSWORD)
            .await
            .status(),
        303,
        "the password stays as it was"
    );
}

#[tokio::test]
async fn requests_are_throttled_per_account_and_per_address() {
    let app = mail_app().await;
    let web = app.browser();
    for _ in 0..4 {
        let (status, page) = ask(&web, "demo-enterprise").await;
        assert_eq!(status, 200);
        assert!(page.contains("重置链接已发送至该邮箱"));
    }
    assert_eq!(outbox(&app).await.len(), 3, "at most three e-mails an hour");
    for i in 0..6 {
        assert_eq!(ask(&web, &format!("nobody-{i}")).await.0, 200);
    }
    let (status, page) = ask(&web, "demo-enterprise").await;
    assert_eq!(status, 429);
    assert!(page.contains("申请过于频繁"), "{page}");
    assert_eq!(outbox(&app).await.len(), 3);
}

#[tokio::test]
async fn a_password_changed_another_way_voids_a_pending_reset_link() {
    let app = mail_app().await;
    let web = app.browser();
    ask(&web, "demo-enterprise").await;
    let link = link_in(&outbox(&app).await[0].body);
    // The filer remembers the password and changes it on /account instead.
    let filer = app.browser_as("demo-enterprise").await;
    let res = filer
        .post_form(
            "/account",
            "/account",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Huaxin-2026!"),
                ("confirm_password", "Huaxin-2026!"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    // The mailed link no longer sets a password.
    assert_eq!(web.page(&link).await.0, 410);
    let res = set_password(&web, &link, "Another-2026!", "Another-2026!").await;
    assert_eq!(res.status(), 410);
    assert_eq!(
        app.browser()
            .sign_in("demo-enterprise", "Huaxin-2026!")
            .await
            .status(),
        303
    );
}
