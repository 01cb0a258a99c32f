//! Configuration: built-in defaults, then an optional `weiquan.toml`, then `WEIQUAN_*` environment
//! variables (and `DATABASE_URL`). Every setting is documented in `docs/configuration.md`.

use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A secret value that never appears in logs or `Debug` output.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "\"[redacted]\""
        })
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Every setting of the service. Field names are the TOML keys; the environment variable is
/// `WEIQUAN_` + the upper-cased name (except `database_url`, which is `DATABASE_URL`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// Folder for the embedded database, evidence files and the search index.
    pub data_dir: PathBuf,
    /// Database URL; empty means `sqlite://<data_dir>/weiquan.db`.
    pub database_url: Secret,
    /// Maximum database connections in the pool.
    pub db_max_connections: u32,
    /// Public base URL (used to check the `Origin` of form posts), e.g. `https://weiquan.example.gov.cn`.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR ranges, comma
    /// separated in the environment). Empty: the client address is the TCP peer.
    pub trusted_proxies: Vec<String>,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    /// A web session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// A web session ends this many hours after sign-in, whatever the activity.
    pub session_max_hours: i64,
    /// API bearer tokens expire this many hours after creation.
    pub token_ttl_hours: i64,
    /// Failed sign-ins to one account from one client address before that address waits for it
    /// (one minute, doubling with each further failure).
    pub login_max_failures_per_account: u64,
    /// Failed sign-ins to one account from all addresses before the addresses that failed for it
    /// wait (addresses that have not failed for it never do).
    pub login_max_failures_per_account_all_addresses: u64,
    /// Failed sign-ins from one client address (all accounts) before accounts that have not
    /// signed in from it wait: sized for an office behind one address.
    pub login_max_failures_per_address: u64,
    /// The longest sign-in wait, in minutes.
    pub login_window_minutes: i64,
    /// Whole-request time limit in seconds (uploads have their own limits).
    pub request_timeout_secs: u64,
    /// A client must finish sending request headers within this many seconds.
    pub header_read_timeout_secs: u64,
    /// Largest JSON or form body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Log format: `text` or `json`.
    pub log_format: LogFormat,
    /// Log filter in `tracing` syntax, e.g. `info,weiquan=debug`.
    pub log: String,
    /// Re-read templates from `templates/` on every render (development only).
    pub dev_templates: bool,
    /// Seconds between two runs of the deadline scheduler (due-soon, overdue, escalation
    /// notices and e-mail delivery); housekeeping runs every five minutes.
    pub deadline_tick_secs: u64,
    /// Day and month clocks are announced as due soon this many working days before their last
    /// day (0: on the last day).
    pub due_soon_working_days: u32,
    /// Hour clocks are announced this many hours before they are due …
    pub due_soon_hours: u32,
    /// … or this percentage of their window before, whichever is earlier.
    pub due_soon_hour_percent: u32,
    /// A clock found missed more than this many days after its due instant (the scheduler was
    /// off, or the step was recorded late) is not announced any more.
    pub notice_lookback_days: i64,
    /// SMTP server for notice e-mails, e.g. `smtps://user:pass@mail.example.gov.cn` or
    /// `smtp://user:pass@host:587?tls=required`; empty: no e-mail.
    pub smtp_url: Secret,
    /// Sender of notice e-mails.
    pub mail_from: String,
    /// How notices go out by SMS: `log` (written to the log, the default: nothing leaves the
    /// server), `http` (POSTed to `sms_http_url`, a provincial SMS gateway) or `off`.
    pub sms_sender: String,
    /// The SMS gateway's endpoint for `sms_sender = "http"`: it receives `POST` with JSON
    /// `{"to": "<phone>", "text": "<message>"}` (and `Authorization: Bearer <sms_http_token>`
    /// when a token is set) and answers 2xx when it has taken the message.
    pub sms_http_url: Secret,
    pub sms_http_token: Secret,
    /// A province's deadline rules file (TOML, the format of the shipped `rules.toml`) laid over
    /// the shipped table: a rule with a known id replaces it, a new id adds one. Unset: the
    /// shipped rules only.
    pub deadline_rules: Option<PathBuf>,
    /// A province's assessment (考核) items file (TOML, the format of the shipped
    /// `src/domain/report/assessment-items.toml`) laid over the shipped items: an item with a known key
    /// replaces it, a new key adds one, `weight = 0` drops one. Unset: the shipped items only.
    pub assessment_rules: Option<PathBuf>,
    // --- evidence ---
    /// Where evidence files are kept: a folder (empty: `<data_dir>/evidence`) or
    /// `s3://bucket/prefix` (credentials and endpoint from the `AWS_*` environment).
    pub storage: String,
    /// Largest evidence file accepted, in bytes.
    pub evidence_max_file_bytes: u64,
    /// Largest total of evidence per case, in bytes.
    pub evidence_max_case_bytes: u64,
    /// Time limit for one evidence upload request, in seconds (other requests keep
    /// `request_timeout_secs`).
    pub evidence_upload_timeout_secs: u64,
    /// An upload whose body arrives slower than this many bytes per second, measured over
    /// `evidence_upload_rate_window_secs`, is cut off (408); 0: never.
    pub evidence_upload_min_bytes_per_sec: u64,
    /// The window over which an upload's rate is measured, in seconds.
    pub evidence_upload_rate_window_secs: u64,
    /// Uploads one user may have in flight at once on a node (more: 429).
    pub evidence_uploads_per_user: u64,
    /// `host:port` of a clamd daemon that scans every upload (INSTREAM); empty: no scan.
    pub clamd: String,
    // --- end evidence ---
    /// Folder of the search index (empty: `<data_dir>/index`). Each node keeps its own.
    pub search_index: String,
    /// How often the indexer looks for new outbox rows, in milliseconds.
    pub search_poll_ms: u64,
    /// Indexing threads of the search writer (each takes up to 24 MB while indexing).
    pub search_index_threads: usize,
    /// The file the server appends the audit chain's head to, every day and at shutdown
    /// (empty: `<data_dir>/audit-checkpoints`); `weiquan audit verify` proves the log against its
    /// last line. Keep a copy elsewhere (see docs/operations.md).
    pub audit_checkpoint_file: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: Secret::default(),
            db_max_connections: 10,
            public_url: None,
            trusted_proxies: Vec::new(),
            cookie_secure: false,
            session_idle_minutes: 120,
            session_max_hours: 12,
            token_ttl_hours: 24 * 30,
            login_max_failures_per_account: 5,
            login_max_failures_per_account_all_addresses: 20,
            login_max_failures_per_address: 200,
            login_window_minutes: 15,
            request_timeout_secs: 30,
            header_read_timeout_secs: 10,
            body_limit_bytes: 1024 * 1024,
            log_format: LogFormat::Text,
            log: "info".into(),
            dev_templates: false,
            deadline_tick_secs: 60,
            due_soon_working_days: 2,
            due_soon_hours: 6,
            due_soon_hour_percent: 25,
            notice_lookback_days: 30,
            smtp_url: Secret::default(),
            mail_from: "维权平台 <noreply@localhost>".into(),
            sms_sender: "log".into(),
            sms_http_url: Secret::default(),
            sms_http_token: Secret::default(),
            deadline_rules: None,
            assessment_rules: None,
            storage: String::new(),
            evidence_max_file_bytes: 2 * 1024 * 1024 * 1024,
            evidence_max_case_bytes: 20 * 1024 * 1024 * 1024,
            evidence_upload_timeout_secs: 3600,
            evidence_upload_min_bytes_per_sec: 8 * 1024,
            evidence_upload_rate_window_secs: 30,
            evidence_uploads_per_user: 4,
            clamd: String::new(),
            search_index: String::new(),
            search_poll_ms: 200,
            search_index_threads: 1,
            audit_checkpoint_file: String::new(),
        }
    }
}

/// Names of all settings, for mapping environment variables.
const KEYS: &[&str] = &[
    "bind",
    "data_dir",
    "database_url",
    "db_max_connections",
    "public_url",
    "trusted_proxies",
    "cookie_secure",
    "session_idle_minutes",
    "session_max_hours",
    "token_ttl_hours",
    "login_max_failures_per_account",
    "login_max_failures_per_account_all_addresses",
    "login_max_failures_per_address",
    "login_window_minutes",
    "request_timeout_secs",
    "header_read_timeout_secs",
    "body_limit_bytes",
    "log_format",
    "log",
    "dev_templates",
    "deadline_tick_secs",
    "due_soon_working_days",
    "due_soon_hours",
    "due_soon_hour_percent",
    "notice_lookback_days",
    "smtp_url",
    "mail_from",
    "sms_sender",
    "sms_http_url",
    "sms_http_token",
    "deadline_rules",
    "assessment_rules",
    "storage",
    "evidence_max_file_bytes",
    "evidence_max_case_bytes",
    "evidence_upload_timeout_secs",
    "evidence_upload_min_bytes_per_sec",
    "evidence_upload_rate_window_secs",
    "evidence_uploads_per_user",
    "clamd",
    "search_index",
    "search_poll_ms",
    "search_index_threads",
    "audit_checkpoint_file",
];

/// Environment variables that are ours but not settings (read elsewhere).
const OTHER_ENV: &[&str] = &[
    "WEIQUAN_CONFIG",
    "WEIQUAN_TEST_DATABASE_URL",
    "WEIQUAN_TEST_S3_ENDPOINT",
];

/// A configuration that could not be loaded, with the reason in words.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

/// What loading found besides the values: warnings to log once tracing is up.
#[derive(Debug, Default)]
pub struct LoadNotes {
    pub file: Option<PathBuf>,
    pub warnings: Vec<String>,
}

impl Config {
    /// Loads defaults → `weiquan.toml` (or the file named by `WEIQUAN_CONFIG`) → environment.
    pub fn load() -> Result<(Self, LoadNotes), ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let explicit = std::env::var_os("WEIQUAN_CONFIG").map(PathBuf::from);
        let file = explicit
            .clone()
            .unwrap_or_else(|| PathBuf::from("weiquan.toml"));
        let toml_text = match std::fs::read_to_string(&file) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => None,
            Err(e) => return Err(ConfigError(format!("cannot read {}: {e}", file.display()))),
        };
        let (config, mut notes) = Self::from_sources(toml_text.as_deref(), &env)?;
        if toml_text.is_some() {
            notes.file = Some(file);
        }
        Ok((config, notes))
    }

    /// Builds a configuration from a TOML text and environment pairs (pure, for tests).
    pub fn from_sources(
        toml_text: Option<&str>,
        env: &[(String, String)],
    ) -> Result<(Self, LoadNotes), ConfigError> {
        let mut table = match toml_text {
            Some(text) => text
                .parse::<toml::Table>()
                .map_err(|e| ConfigError(format!("weiquan.toml: {e}")))?,
            None => toml::Table::new(),
        };
        let mut notes = LoadNotes::default();
        for (name, value) in env {
            let key = if name == "DATABASE_URL" {
                "database_url".to_string()
            } else if let Some(rest) = name.strip_prefix("WEIQUAN_") {
                if OTHER_ENV.contains(&name.as_str()) {
                    continue;
                }
                rest.to_ascii_lowercase()
            } else {
                continue;
            };
            if !KEYS.contains(&key.as_str()) {
                notes
                    .warnings
                    .push(format!("unknown environment variable {name} is ignored"));
                continue;
            }
            table.insert(key.clone(), env_value(&key, value));
        }
        let config: Config =
            toml::Value::Table(table.clone())
                .try_into()
                .map_err(|e: toml::de::Error| {
                    // Name the setting at fault: the first key that fails on its own.
                    let culprit = table.iter().find(|(k, v)| {
                        let mut one = toml::Table::new();
                        one.insert((*k).clone(), (*v).clone());
                        toml::Value::Table(one).try_into::<Config>().is_err()
                    });
                    match culprit {
                        Some((k, _)) => ConfigError(format!("setting `{k}`: {}", e.message())),
                        None => ConfigError(format!("configuration: {}", e.message())),
                    }
                })?;
        config.check()?;
        Ok((config, notes))
    }

    fn check(&self) -> Result<(), ConfigError> {
        // Upper bounds keep date arithmetic far from overflow (a year of minutes, ten years of hours).
        let ranges: [(&str, i64, i64); 10] = [
            ("session_idle_minutes", self.session_idle_minutes, 525_600),
            ("session_max_hours", self.session_max_hours, 87_600),
            ("token_ttl_hours", self.token_ttl_hours, 87_600),
            ("login_window_minutes", self.login_window_minutes, 525_600),
            (
                "request_timeout_secs",
                self.request_timeout_secs as i64,
                86_400,
            ),
            (
                "header_read_timeout_secs",
                self.header_read_timeout_secs as i64,
                3_600,
            ),
            ("body_limit_bytes", self.body_limit_bytes as i64, 1 << 30),
            (
                "login_max_failures_per_account",
                self.login_max_failures_per_account as i64,
                1_000_000,
            ),
            (
                "login_max_failures_per_account_all_addresses",
                self.login_max_failures_per_account_all_addresses as i64,
                1_000_000,
            ),
            (
                "login_max_failures_per_address",
                self.login_max_failures_per_address as i64,
                1_000_000,
            ),
        ];
        for (name, v, max) in ranges {
            if v <= 0 || v > max {
                return Err(ConfigError(format!("{name} must be between 1 and {max}")));
            }
        }
        if let Some(bad) = self
            .trusted_proxies
            .iter()
            .find(|p| crate::domain::net::IpRange::parse(p).is_none())
        {
            return Err(ConfigError(format!(
                "trusted_proxies: {bad:?} is not an address or CIDR range"
            )));
        }
        let notices: [(&str, i64, i64, i64); 5] = [
            (
                "deadline_tick_secs",
                self.deadline_tick_secs as i64,
                1,
                86_400,
            ),
            (
                "due_soon_working_days",
                self.due_soon_working_days.into(),
                0,
                30,
            ),
            ("due_soon_hours", self.due_soon_hours.into(), 0, 720),
            (
                "due_soon_hour_percent",
                self.due_soon_hour_percent.into(),
                0,
                100,
            ),
            ("notice_lookback_days", self.notice_lookback_days, 1, 3_650),
        ];
        for (name, v, min, max) in notices {
            if v < min || v > max {
                return Err(ConfigError(format!(
                    "{name} must be between {min} and {max}"
                )));
            }
        }
        match self.sms_sender.as_str() {
            "log" | "off" => {}
            "http" => {
                let ok = url::Url::parse(&self.sms_http_url.0).is_ok_and(|u| {
                    matches!(u.scheme(), "http" | "https") && u.host_str().is_some()
                });
                if !ok {
                    return Err(ConfigError(
                        "sms_sender = \"http\" needs sms_http_url, e.g. https://sms.example.gov.cn/send"
                            .into(),
                    ));
                }
            }
            other => {
                return Err(ConfigError(format!(
                    "sms_sender must be log, http or off, not {other:?}"
                )));
            }
        }
        if !self.smtp_url.0.is_empty() {
            let ok = url::Url::parse(&self.smtp_url.0)
                .is_ok_and(|u| matches!(u.scheme(), "smtp" | "smtps") && u.host_str().is_some());
            if !ok {
                return Err(ConfigError(
                    "smtp_url must look like smtps://user:password@host or smtp://host:port".into(),
                ));
            }
            if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(ConfigError(format!(
                    "mail_from: {:?} is not an e-mail address",
                    self.mail_from
                )));
            }
        }
        self.check_evidence()?;
        self.check_search()?;
        if self.db_max_connections == 0 {
            return Err(ConfigError(
                "db_max_connections must be greater than zero".into(),
            ));
        }
        Ok(())
    }

    // --- evidence ---
    fn check_evidence(&self) -> Result<(), ConfigError> {
        let limits: [(&str, u64, u64); 5] = [
            (
                "evidence_max_file_bytes",
                self.evidence_max_file_bytes,
                1 << 40,
            ),
            (
                "evidence_max_case_bytes",
                self.evidence_max_case_bytes,
                1 << 50,
            ),
            (
                "evidence_upload_timeout_secs",
                self.evidence_upload_timeout_secs,
                86_400,
            ),
            (
                "evidence_upload_rate_window_secs",
                self.evidence_upload_rate_window_secs,
                3_600,
            ),
            (
                "evidence_uploads_per_user",
                self.evidence_uploads_per_user,
                1_000,
            ),
        ];
        for (name, v, max) in limits {
            if v == 0 || v > max {
                return Err(ConfigError(format!("{name} must be between 1 and {max}")));
            }
        }
        if let Some(rest) = self.storage.strip_prefix("s3://")
            && rest.split('/').next().unwrap_or("").is_empty()
        {
            return Err(ConfigError(
                "storage: an S3 location must look like s3://bucket/prefix".into(),
            ));
        }
        if !self.clamd.is_empty() && !self.clamd.contains(':') {
            return Err(ConfigError(format!(
                "clamd: {:?} must be host:port",
                self.clamd
            )));
        }
        Ok(())
    }

    /// The evidence folder when evidence is kept on the local disk (`None` for S3).
    pub fn evidence_dir(&self) -> Option<PathBuf> {
        if self.storage.starts_with("s3://") {
            None
        } else if self.storage.is_empty() {
            Some(self.data_dir.join("evidence"))
        } else {
            Some(PathBuf::from(&self.storage))
        }
    }
    // --- end evidence ---

    fn check_search(&self) -> Result<(), ConfigError> {
        if !(10..=60_000).contains(&self.search_poll_ms) {
            return Err(ConfigError(
                "search_poll_ms must be between 10 and 60000".into(),
            ));
        }
        if !(1..=8).contains(&self.search_index_threads) {
            return Err(ConfigError(
                "search_index_threads must be between 1 and 8".into(),
            ));
        }
        Ok(())
    }

    /// The folder of the search index.
    pub fn search_index_dir(&self) -> PathBuf {
        if self.search_index.is_empty() {
            self.data_dir.join("index")
        } else {
            PathBuf::from(&self.search_index)
        }
    }

    /// The file of the audit chain's checkpoints.
    pub fn audit_checkpoint_path(&self) -> PathBuf {
        if self.audit_checkpoint_file.is_empty() {
            self.data_dir.join("audit-checkpoints")
        } else {
            PathBuf::from(&self.audit_checkpoint_file)
        }
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        if self.database_url.0.is_empty() {
            format!("sqlite://{}", self.data_dir.join("weiquan.db").display())
        } else {
            self.database_url.0.clone()
        }
    }
}

/// Turns an environment string into the TOML value its setting expects.
fn env_value(key: &str, value: &str) -> toml::Value {
    const NUMBERS: &[&str] = &[
        "db_max_connections",
        "session_idle_minutes",
        "session_max_hours",
        "token_ttl_hours",
        "login_max_failures_per_account",
        "login_max_failures_per_account_all_addresses",
        "login_max_failures_per_address",
        "login_window_minutes",
        "request_timeout_secs",
        "header_read_timeout_secs",
        "body_limit_bytes",
        "deadline_tick_secs",
        "due_soon_working_days",
        "due_soon_hours",
        "due_soon_hour_percent",
        "notice_lookback_days",
        "evidence_max_file_bytes",
        "evidence_max_case_bytes",
        "evidence_upload_timeout_secs",
        "evidence_upload_min_bytes_per_sec",
        "evidence_upload_rate_window_secs",
        "evidence_uploads_per_user",
        "search_poll_ms",
        "search_index_threads",
    ];
    const BOOLS: &[&str] = &["cookie_secure", "dev_templates"];
    if key == "trusted_proxies" {
        let list = value.split(',').map(str::trim).filter(|s| !s.is_empty());
        return toml::Value::Array(list.map(|s| toml::Value::String(s.to_string())).collect());
    }
    if NUMBERS.contains(&key)
        && let Ok(n) = value.trim().parse::<i64>()
    {
        return toml::Value::Integer(n);
    }
    if BOOLS.contains(&key) {
        match value.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => return toml::Value::Boolean(true),
            "0" | "false" | "no" | "off" | "" => return toml::Value::Boolean(false),
            _ => {}
        }
    }
    toml::Value::String(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_use_an_sqlite_file_under_data() {
        let (c, notes) = Config::from_sources(None, &[]).unwrap();
        assert_eq!(c.database_url(), "sqlite://data/weiquan.db");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert!(notes.warnings.is_empty());
    }

    #[test]
    fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
        let toml = "bind = \"0.0.0.0:9000\"\nsession_idle_minutes = 30\ncookie_secure = true\n";
        let (c, _) = Config::from_sources(
            Some(toml),
            &env(&[
                ("WEIQUAN_SESSION_IDLE_MINUTES", "45"),
                ("DATABASE_URL", "postgres://x/y"),
            ]),
        )
        .unwrap();
        assert_eq!(c.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(c.session_idle_minutes, 45);
        assert!(c.cookie_secure);
        assert_eq!(c.database_url(), "postgres://x/y");
    }

    #[test]
    fn unknown_environment_variables_are_warned_about() {
        let (_, notes) =
            Config::from_sources(None, &env(&[("WEIQUAN_BIDN", "x"), ("HOME", "/root")])).unwrap();
        assert_eq!(
            notes.warnings,
            vec!["unknown environment variable WEIQUAN_BIDN is ignored"]
        );
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let err = Config::from_sources(None, &env(&[("WEIQUAN_BIND", "nowhere")])).unwrap_err();
        assert!(err.to_string().contains("bind"), "{err}");
        let err = Config::from_sources(Some("colour = 1"), &[]).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        let err =
            Config::from_sources(None, &env(&[("WEIQUAN_SESSION_MAX_HOURS", "0")])).unwrap_err();
        assert!(err.to_string().contains("session_max_hours"), "{err}");
        let err =
            Config::from_sources(None, &env(&[("WEIQUAN_REQUEST_TIMEOUT_SECS", "0")])).unwrap_err();
        assert!(err.to_string().contains("request_timeout_secs"), "{err}");
        let err = Config::from_sources(None, &env(&[("WEIQUAN_TOKEN_TTL_HOURS", "99999999999")]))
            .unwrap_err();
        assert!(err.to_string().contains("token_ttl_hours"), "{err}");
    }

    #[test]
    fn trusted_proxies_come_as_a_list() {
        let (c, _) = Config::from_sources(
            None,
            &env(&[("WEIQUAN_TRUSTED_PROXIES", "10.0.0.0/8, ::1")]),
        )
        .unwrap();
        assert_eq!(c.trusted_proxies, vec!["10.0.0.0/8", "::1"]);
        assert!(
            Config::from_sources(None, &env(&[("WEIQUAN_TRUSTED_PROXIES", "proxy.local")]))
                .is_err()
        );
    }

    #[test]
    fn scheduler_and_mail_settings_are_checked() {
        let (c, _) = Config::from_sources(
            None,
            &env(&[
                ("WEIQUAN_DEADLINE_TICK_SECS", "30"),
                ("WEIQUAN_SMTP_URL", "smtp://u:secret@127.0.0.1:2525"),
                ("WEIQUAN_MAIL_FROM", "weiquan@example.gov.cn"),
            ]),
        )
        .unwrap();
        assert_eq!(c.deadline_tick_secs, 30);
        assert_eq!(c.due_soon_working_days, 2);
        assert!(!format!("{c:?}").contains("secret"));
        let err =
            Config::from_sources(None, &env(&[("WEIQUAN_SMTP_URL", "mail.example")])).unwrap_err();
        assert!(err.to_string().contains("smtp_url"), "{err}");
        let err = Config::from_sources(
            None,
            &env(&[
                ("WEIQUAN_SMTP_URL", "smtp://127.0.0.1"),
                ("WEIQUAN_MAIL_FROM", "nobody"),
            ]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("mail_from"), "{err}");
        let err = Config::from_sources(None, &env(&[("WEIQUAN_DUE_SOON_HOUR_PERCENT", "101")]))
            .unwrap_err();
        assert!(err.to_string().contains("due_soon_hour_percent"), "{err}");
    }

    #[test]
    fn evidence_settings_are_checked() {
        let (c, _) = Config::from_sources(None, &[]).unwrap();
        assert_eq!(c.evidence_dir(), Some(PathBuf::from("data/evidence")));
        assert_eq!(c.evidence_max_file_bytes, 2 << 30);
        let (c, _) = Config::from_sources(
            None,
            &env(&[
                ("WEIQUAN_STORAGE", "s3://bucket/weiquan"),
                ("WEIQUAN_EVIDENCE_MAX_FILE_BYTES", "1048576"),
                ("WEIQUAN_CLAMD", "127.0.0.1:3310"),
            ]),
        )
        .unwrap();
        assert_eq!(c.evidence_dir(), None);
        assert_eq!(c.evidence_max_file_bytes, 1 << 20);
        let err = Config::from_sources(None, &env(&[("WEIQUAN_STORAGE", "s3://")])).unwrap_err();
        assert!(err.to_string().contains("storage"), "{err}");
        let err = Config::from_sources(None, &env(&[("WEIQUAN_EVIDENCE_MAX_CASE_BYTES", "0")]))
            .unwrap_err();
        assert!(err.to_string().contains("evidence_max_case_bytes"), "{err}");
        let err = Config::from_sources(None, &env(&[("WEIQUAN_CLAMD", "clamd")])).unwrap_err();
        assert!(err.to_string().contains("clamd"), "{err}");
    }

    #[test]
    fn secrets_do_not_print() {
        let (c, _) =
            Config::from_sources(None, &env(&[("DATABASE_URL", "postgres://u:pw@h/d")])).unwrap();
        assert!(!format!("{c:?}").contains("pw"));
    }
}
