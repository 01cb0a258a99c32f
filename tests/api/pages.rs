//! Every page of every role renders on the demo data with the templates in strict mode, where a
//! misspelt or missing key is an error instead of an empty spot: each demo user signs in and opens
//! every page of the navigation, every case with its receipt, evidence list and issued documents,
//! every queue board and exhibition, the administrators' pages and the forms; and the forms that
//! come back refused render their messages. No page answers 500, and every page that answers 200
//! is a whole document.

use crate::fixtures::Browser;
use crate::helpers::TestApp;

const USERS: [&str; 9] = [
    "demo-admin",
    "demo-triager",
    "demo-officer",
    "demo-supervisor",
    "demo-officer2",
    "demo-officer3",
    "demo-industry",
    "demo-enterprise",
    "demo-enterprise2",
];

/// The pages every user opens (each answers 200, 403 or 404 by role).
const PAGES: [&str; 41] = [
    "/",
    "/account",
    "/admin/audit",
    "/admin/audit/verify",
    "/admin/calendar",
    "/admin/orgs",
    "/admin/orgs/new",
    "/admin/orgs/1/edit",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/3/edit",
    "/cases",
    "/cases?overdue=true&srdi=true",
    "/cases?queue=administrative_ruling",
    "/cases?state=no_such_state",
    "/deadlines",
    "/enterprises",
    "/exhibitions",
    "/experts",
    "/funds",
    "/funds/new",
    "/campaigns",
    "/campaigns/new",
    "/campaigns/1",
    "/funds/1",
    "/health-checks",
    "/health-checks/new",
    "/health-checks/1",
    "/health-checks/2",
    "/fund-applications/1",
    "/leads/import",
    "/leads/new",
    "/complaints/new",
    "/notifications",
    "/queues/administrative_ruling",
    "/queues/exhibition_enforcement",
    "/queues/overseas_assistance",
    "/search?q=%E9%94%82%E7%94%B5%E6%B1%A0",
    "/search?q=%EF%BC%8C%EF%BC%8C",
    "/srdi",
    "/triage",
];

/// POST a form from the page `from` (its CSRF token added); the status and the body.
async fn post(browser: &Browser, from: &str, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let res = browser.post_form(from, path, fields).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// A rendered page: not a server error, and whole when it is a 200.
fn rendered(who: &str, path: &str, (status, html): &(u16, String)) {
    assert!(*status < 500, "{who} {path}: {status}\n{html}");
    if *status == 200 {
        assert!(html.contains("</html>"), "{who} {path}: a cut page\n{html}");
    }
}

/// The links of a page that start with `prefix` and end in digits (case documents, exhibitions).
fn numbered_links(html: &str, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| {
            href.strip_prefix(prefix)
                .is_some_and(|tail| !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[tokio::test]
async fn every_page_of_every_role_renders_on_the_demo_data() {
    let app = TestApp::spawn().await;
    weiquan::service::demo::load_cases(&app.db, &app.time)
        .await
        .unwrap();
    let blobs = weiquan::files::Store::open(&app.config).unwrap();
    weiquan::service::demo::load_fund(&app.db, &app.time, &blobs, &app.config)
        .await
        .unwrap();
    weiquan::service::demo::load_campaign(&app.db, &app.time)
        .await
        .unwrap();
    weiquan::service::demo::load_health_checks(&app.db, &app.time, &blobs, &app.config)
        .await
        .unwrap();
    let ids = weiquan::store::cases::all_ids(app.db.conn()).await.unwrap();
    let mut opened = 0;
    for user in USERS {
        let client = app.browser_as(user).await;
        let mut paths: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
        for id in &ids {
            paths.push(format!("/cases/{id}/receipt"));
            paths.push(format!("/cases/{id}/evidence/list"));
            paths.push(format!("/fund-applications/new?case={id}"));
            let case = format!("/cases/{id}");
            let page = client.page(&case).await;
            rendered(user, &case, &page);
            opened += 1;
            paths.extend(numbered_links(&page.1, &format!("/cases/{id}/documents/")));
        }
        let exhibitions = client.page("/exhibitions").await;
        paths.extend(numbered_links(&exhibitions.1, "/exhibitions/"));
        let orgs = client.page("/admin/orgs").await;
        paths.extend(
            numbered_links(&orgs.1, "/admin/orgs/")
                .iter()
                .map(|p| format!("{p}/edit")),
        );
        for path in &paths {
            rendered(user, path, &client.page(path).await);
            opened += 1;
        }
    }
    // Signed out: the public pages.
    let anonymous = app.browser();
    for path in ["/login", "/register", "/login?next=%2Fcases"] {
        rendered("anonymous", path, &anonymous.page(path).await);
    }
    assert!(opened > 400, "{opened} pages opened");
}

#[tokio::test]
async fn refused_forms_come_back_rendered_with_their_messages() {
    let app = TestApp::spawn().await;
    weiquan::service::demo::load_cases(&app.db, &app.time)
        .await
        .unwrap();
    // A case still waiting for triage, and one being worked in the ruling queue.
    let (_, list) = app
        .api_as("demo-officer")
        .await
        .get("/api/v1/cases?limit=200")
        .await;
    let items = list["items"].as_array().unwrap();
    let waiting = items.iter().find(|c| c["state"] == "new").unwrap()["id"].clone();
    let ruling = items
        .iter()
        .find(|c| c["queue"] == "administrative_ruling" && c["state"] == "answer_period")
        .unwrap()["id"]
        .clone();

    let enterprise = app.browser_as("demo-enterprise").await;
    let r = post(
        &enterprise,
        "/complaints/new",
        "/complaints/new",
        &[("description", "")],
    )
    .await;
    assert_eq!(r.0, 422);
    rendered("demo-enterprise", "/complaints/new", &r);

    let triager = app.browser_as("demo-triager").await;
    let case = format!("/cases/{waiting}");
    let reject = [
        ("action", "reject"),
        ("reason_code", "other"),
        ("expected_version", "1"),
    ];
    let r = post(&triager, &case, &format!("{case}/triage"), &reject).await;
    assert_eq!(r.0, 422);
    rendered("demo-triager", "triage", &r);

    let officer = app.browser_as("demo-officer").await;
    let r = post(&officer, "/leads/new", "/leads/new", &[("title", "")]).await;
    assert_eq!(r.0, 422);
    rendered("demo-officer", "/leads/new", &r);
    let case = format!("/cases/{ruling}");
    let r = post(
        &officer,
        &case,
        &format!("{case}/actions"),
        &[("action", "no_such_step")],
    )
    .await;
    assert_eq!(r.0, 422);
    rendered("demo-officer", "actions", &r);
    let ask = [
        ("action", "request"),
        ("tier", "department_head"),
        ("amount", "99"),
        ("reason", "需要补充调查"),
    ];
    let url = format!("{case}/deadlines/ar.closing/extension");
    let r = post(&officer, &case, &url, &ask).await;
    assert_eq!(r.0, 422);
    rendered("demo-officer", "extension", &r);
    let r = post(
        &officer,
        &case,
        &format!("{case}/evidence"),
        &[("kind", "other")],
    )
    .await;
    assert_eq!(r.0, 415);
    rendered("demo-officer", "evidence", &r);
    let r = post(&officer, "/exhibitions", "/exhibitions", &[("name", "")]).await;
    assert_eq!(r.0, 422);
    rendered("demo-officer", "/exhibitions", &r);

    let admin = app.browser_as("demo-admin").await;
    for (from, to) in [
        ("/admin/orgs/new", "/admin/orgs"),
        ("/admin/users/new", "/admin/users"),
    ] {
        let r = post(&admin, from, to, &[("name", "")]).await;
        assert_eq!(r.0, 422, "{to}");
        rendered("demo-admin", to, &r);
    }

    let anonymous = app.browser();
    let r = post(&anonymous, "/register", "/register", &[("name", "")]).await;
    assert_eq!(r.0, 422);
    rendered("anonymous", "/register", &r);
    let r = post(
        &anonymous,
        "/login",
        "/login",
        &[("username", "demo-officer"), ("password", "wrong")],
    )
    .await;
    rendered("anonymous", "/login", &r);
}
