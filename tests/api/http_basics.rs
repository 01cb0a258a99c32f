//! Security headers, request ids, error pages, operations endpoints, slow clients.

use crate::helpers::TestApp;
use reqwest::Method;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn every_response_carries_the_security_headers_and_a_request_id() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-admin").await;
    let anonymous = app.browser();
    let mut responses = vec![
        web.get("/").await,
        web.get("/admin/orgs").await,
        web.get("/static/app.css").await,
        web.get("/no/such/page").await,
        web.get("/healthz").await,
        web.get("/metrics").await,
        anonymous.get("/login").await,
        anonymous.get("/api/v1/me").await,
    ];
    responses.push(
        web.client
            .post(web.url("/api/v1/auth/token"))
            .body("{")
            .header("content-type", "application/json")
            .send()
            .await
            .unwrap(),
    );
    for res in responses {
        let h = res.headers();
        let url = res.url().to_string();
        let csp = h
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("default-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{url}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(h["referrer-policy"], "same-origin", "{url}");
        assert_eq!(h["x-frame-options"], "DENY", "{url}");
        assert!(
            h.get("x-request-id").is_some_and(|v| !v.is_empty()),
            "{url}"
        );
    }
}

#[tokio::test]
async fn a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced() {
    let app = TestApp::spawn().await;
    let web = app.browser();
    let res = web
        .client
        .get(web.url("/healthz"))
        .header("x-request-id", "trace-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-123");
    let res = web
        .client
        .get(web.url("/healthz"))
        .header("x-request-id", "a b<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(res.headers()["x-request-id"], "a b<script>");
}

#[tokio::test]
async fn web_errors_are_html_pages_in_the_users_language() {
    let app = TestApp::spawn().await;
    let web = app.browser();
    let res = web.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("404") && html.contains("未找到"), "{html}");
    let res = web
        .client
        .get(web.url("/no/such/page"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Not found"));
}

#[tokio::test]
async fn non_admins_are_refused_administration_with_403() {
    let app = TestApp::spawn().await;
    let web = app.browser_as("demo-officer").await;
    for path in [
        "/admin/orgs",
        "/admin/users",
        "/admin/users/new",
        "/admin/audit",
        "/admin/audit/verify",
    ] {
        let res = web.get(path).await;
        assert_eq!(res.status(), 403, "{path}");
        assert!(
            res.text().await.unwrap().contains("无权执行此操作"),
            "{path}"
        );
    }
    let res = web
        .post_form(
            "/",
            "/admin/orgs",
            &[
                ("name", "越权机构"),
                ("kind", "ip_office"),
                ("region_code", "320600"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let web = app.browser();
    let res = web.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let ready: serde_json::Value = web.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["pending_migrations"], 0);
    web.get("/login").await;
    let text = web.html("/metrics").await;
    assert!(text.contains("http_requests_total"), "{text}");
}

#[tokio::test]
async fn a_client_that_sends_headers_slowly_is_cut_off() {
    let app = TestApp::spawn_with(|c| c.header_read_timeout_secs = 1, false).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // Never finish the headers: the server must close the connection by itself.
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was still open after 10 s");
}

#[tokio::test]
async fn static_assets_are_embedded_and_cacheable() {
    let app = TestApp::spawn_empty().await;
    let web = app.browser();
    let res = web.get("/static/app.css").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(web.get("/static/../Cargo.toml").await.status(), 404);
}

#[tokio::test]
async fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    use serde_json::json;
    let last_failure_addr = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            let (rows, _) = weiquan::store::audit::browse(db.conn(), &Default::default(), None, 1)
                .await
                .unwrap();
            rows[0].client_addr.clone()
        }
    };
    let body = json!({"username": "nobody-at-all", "password": "whatever1"});
    // Default: the header is ignored.
    let app = TestApp::spawn().await;
    app.api()
        .request(Method::POST, "/api/v1/auth/token")
        .header("x-forwarded-for", "198.51.100.7")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(last_failure_addr(&app).await, "127.0.0.1");
    // Behind a trusted proxy on loopback: the forwarded client, not a spoofed left-most entry.
    let app = TestApp::spawn_with(|c| c.trusted_proxies = vec!["127.0.0.1".into()], true).await;
    app.api()
        .request(Method::POST, "/api/v1/auth/token")
        .header("x-forwarded-for", "6.6.6.6, 198.51.100.7")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(last_failure_addr(&app).await, "198.51.100.7");
}
