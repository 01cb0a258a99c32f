//! `TestApp`: the real server on port 0 with a fresh database (an SQLite file in a temp folder,
//! or a new database on the PostgreSQL server named by `WEIQUAN_TEST_DATABASE_URL`), and the
//! `weiquan` command run against that database. Who talks to it, and the cases they start from,
//! are in `fixtures.rs`.

use std::sync::Once;
use tokio::sync::oneshot;
use weiquan::config::Config;
use weiquan::store::Db;

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub base: String,
    pub db: Db,
    /// The calendars and deadline rules the app counts with.
    pub time: std::sync::Arc<weiquan::service::case::Timekeeper>,
    pub database_url: String,
    /// The configuration the app was built with.
    pub config: Config,
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

/// A database on the PostgreSQL `server` with every migration applied, made once per test run;
/// each test's database is a copy of it (`CREATE DATABASE … TEMPLATE`), which takes a fraction
/// of the time the migrations take. Its name holds when it was made and by which process:
/// templates of runs more than six hours old are dropped (a run cannot drop its own at exit).
async fn migrated_template(server: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            use sea_orm::ConnectionTrait;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock after 1970")
                .as_secs();
            let name = format!("wq_tmpl_{now}_{}", std::process::id());
            let admin = sea_orm::Database::connect(format!("{server}/postgres"))
                .await
                .expect("connect to PostgreSQL");
            let old = admin
                .query_all_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SELECT datname FROM pg_database WHERE datname LIKE 'wq_tmpl_%'",
                ))
                .await
                .expect("list templates");
            for row in old {
                let stale: String = row.try_get_by_index(0).expect("datname");
                let made = stale.split('_').nth(2).and_then(|t| t.parse::<u64>().ok());
                if made.is_some_and(|t| t + 6 * 3600 < now) {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS {stale} WITH (FORCE)"
                        ))
                        .await;
                }
            }
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the template database");
            admin.close().await.ok();
            let config = Config {
                database_url: weiquan::config::Secret(format!("{server}/{name}")),
                ..Config::default()
            };
            let db = weiquan::app::connect_and_migrate(&config)
                .await
                .expect("migrate the template database");
            // A database is copied only while nobody is connected to it.
            db.close().await;
            name
        })
        .await
        .clone()
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
            let template = migrated_template(&server).await;
            let name = format!("wq_test_{}", uuid::Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(format!("{server}/postgres"))
                .await
                .expect("connect to PostgreSQL");
            use sea_orm::ConnectionTrait;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            config.database_url = weiquan::config::Secret(format!("{server}/{name}"));
            pg = Some((server, name));
        }
        change(&mut config);
        let database_url = config.database_url();
        let app = weiquan::App::build(config.clone())
            .await
            .expect("app builds");
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
        Self {
            addr,
            base: format!("http://{addr}"),
            db,
            time,
            database_url,
            config,
            shutdown: Some(tx),
            server: Some(server),
            pg,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Runs the `weiquan` binary against this app's database; returns its output.
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        self.cli_with(args, &[]).await
    }

    /// Runs `weiquan import leads FILE --org ORG` against this app's database.
    pub async fn import_leads(&self, file: &std::path::Path, org: i64) -> std::process::Output {
        let file = file.to_string_lossy();
        self.cli(&["import", "leads", &file, "--org", &org.to_string()])
            .await
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
}

/// A second node: the real binary serving the same database (its own data folder unless `envs`
/// says otherwise), killed when dropped.
pub struct Node {
    pub child: tokio::process::Child,
    pub base: String,
    /// What the node printed after it started listening (its warnings and errors).
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl TestApp {
    /// Starts a [`Node`] with the extra environment `envs`; answers once it listens.
    pub async fn node(&self, envs: &[(&str, &str)]) -> Node {
        use tokio::io::AsyncBufReadExt;
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_weiquan"));
        cmd.args(["serve"])
            .env("DATABASE_URL", &self.database_url)
            .env("WEIQUAN_DATA_DIR", self.dir.path().join("node2"))
            .env("WEIQUAN_BIND", "127.0.0.1:0")
            .env("WEIQUAN_LOG", "warn")
            .env("WEIQUAN_LOG_FORMAT", "text")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let base = tokio::time::timeout(std::time::Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(at) = line.find("http://") {
                    return line[at..].trim().to_string();
                }
            }
            panic!("the node exited before listening");
        })
        .await
        .expect("the node starts");
        // Keep reading what it prints: a closed pipe would fail its next write, and a failing
        // test shows the node's warnings.
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                kept.lock().unwrap().push(line);
            }
        });
        Node { child, base, log }
    }
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
