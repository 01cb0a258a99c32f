//! `TestApp`: the real server on port 0 with a fresh database (an SQLite file in a temp folder,
//! or a new database on the PostgreSQL server named by `WEIQUAN_TEST_DATABASE_URL`).

use reqwest::{Client, Response, redirect::Policy};
use std::sync::Once;
use tokio::sync::oneshot;
use weiquan::config::Config;
use weiquan::store::Db;

pub const PASSWORD: &str = "demo12345";

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub base: String,
    pub db: Db,
    /// The calendars and deadline rules the app counts with.
    pub time: std::sync::Arc<weiquan::service::case::Timekeeper>,
    pub database_url: String,
    pub client: Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    pg: Option<(String, String)>,
    pub dir: tempfile::TempDir,
}

static LOG: Once = Once::new();

fn quiet_logs() {
    LOG.call_once(|| {
        let filter = std::env::var("TEST_LOG").unwrap_or_else(|_| "off".into());
        weiquan::telemetry::init_logging(weiquan::config::LogFormat::Text, &filter);
        if std::env::var("WEIQUAN_TEST_DATABASE_URL").is_err() {
            eprintln!("NOTE: WEIQUAN_TEST_DATABASE_URL is not set; this run uses SQLite only (the PostgreSQL run is skipped).");
        }
    });
}

impl TestApp {
    /// A fresh app with the demo province loaded.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}, true).await
    }

    /// A fresh, empty app.
    pub async fn spawn_empty() -> Self {
        Self::spawn_with(|_| {}, false).await
    }

    /// A fresh app with configuration changes.
    pub async fn spawn_with(change: impl FnOnce(&mut Config), demo: bool) -> Self {
        quiet_logs();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config {
            bind: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let mut pg = None;
        if let Ok(server) = std::env::var("WEIQUAN_TEST_DATABASE_URL") {
            let server = server.trim_end_matches('/').to_string();
            let name = format!("wq_test_{}", uuid::Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(format!("{server}/postgres"))
                .await
                .expect("connect to PostgreSQL");
            use sea_orm::ConnectionTrait;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            config.database_url = weiquan::config::Secret(format!("{server}/{name}"));
            pg = Some((server, name));
        }
        change(&mut config);
        let database_url = config.database_url();
        let app = weiquan::App::build(config).await.expect("app builds");
        let db = app.db().clone();
        let time = app.time();
        if demo {
            weiquan::service::demo::load(&db)
                .await
                .expect("demo data loads");
        }
        let addr = app.local_addr();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            app.run_until_stopped(async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        let client = Self::new_client();
        Self {
            addr,
            base: format!("http://{addr}"),
            db,
            time,
            database_url,
            client,
            shutdown: Some(tx),
            server: Some(server),
            pg,
            dir,
        }
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn new_client() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GETs a page and returns the CSRF token embedded in its forms.
    pub async fn csrf_of(&self, client: &Client, path: &str) -> String {
        let html = client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        csrf_in(&html).unwrap_or_else(|| panic!("no CSRF token on {path}:\n{html}"))
    }

    /// Posts a form from `client` with the CSRF token of `token_page` added.
    pub async fn post_form_with(
        &self,
        client: &Client,
        token_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let token = self.csrf_of(client, token_page).await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("_csrf", &token));
        client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Signs `client` in through the web form.
    pub async fn login_with(&self, client: &Client, username: &str, password: &str) -> Response {
        self.post_form_with(
            client,
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Signs the app's own client in.
    pub async fn login(&self, username: &str) -> Response {
        let res = self.login_with(&self.client, username, PASSWORD).await;
        assert_eq!(res.status(), 303, "sign-in of {username} should redirect");
        res
    }

    /// Posts a form from the app's client, taking the token from `token_page`.
    pub async fn post_form(
        &self,
        token_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        self.post_form_with(&self.client, token_page, path, fields)
            .await
    }

    /// A bearer token for a demo user.
    pub async fn token(&self, username: &str) -> String {
        let res = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let body: serde_json::Value = res.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    /// POSTs a JSON body (no credentials).
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// POSTs `body` with a bearer token; returns the status and the JSON body (Null if none).
    pub async fn post_api(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let res = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// GETs with a bearer token; returns the status and the JSON body (Null if none).
    pub async fn get_json(&self, path: &str, token: &str) -> (u16, serde_json::Value) {
        let res = self.get_api(path, token).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Runs the `weiquan` binary against this app's database; returns its output.
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        self.cli_with(args, &[]).await
    }

    /// Runs the CLI with extra environment variables. The command is awaited, not waited for:
    /// the test's server shares this runtime and must go on serving (a write transaction of its
    /// worker left hanging would make the command wait for the database lock).
    pub async fn cli_with(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_weiquan"))
            .args(args)
            .envs(env.iter().copied())
            .env("DATABASE_URL", &self.database_url)
            .env("WEIQUAN_LOG", "off")
            .current_dir(self.dir.path())
            .output()
            .await
            .unwrap()
    }

    pub async fn get_api(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

/// The value of the first `_csrf` hidden field in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// The `Set-Cookie` header for `name`, if any.
pub fn set_cookie<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

/// The cookie value from a `Set-Cookie` header.
pub fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some((server, name)) = self.pg.take() {
            // Drop the per-test database on a thread of its own (Drop cannot await).
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    use sea_orm::ConnectionTrait;
                    if let Ok(admin) =
                        sea_orm::Database::connect(format!("{server}/postgres")).await
                    {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}
