//! The one error type of weiquan. Services return it; `http::error` turns it into a problem+json
//! body or an HTML page. Messages are catalogue keys, translated when rendered.

use sea_orm::{DbErr, SqlErr};

/// A message from the catalogue with its placeholder values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The text in `lang`.
    pub fn render(&self, lang: crate::i18n::Lang) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        crate::i18n::t_args(lang, self.key, &args)
    }
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: Msg,
}

impl FieldError {
    pub fn new(field: impl Into<String>, key: &'static str) -> Self {
        Self {
            field: field.into(),
            message: Msg::new(key),
        }
    }
}

/// Everything that can go wrong while handling a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read (malformed JSON, bad query string …).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401: no or invalid credentials.
    #[error("unauthorized")]
    Unauthorized(Msg),
    /// 403: known resource, but this actor may not act on it (or a failed CSRF check).
    #[error("forbidden")]
    Forbidden(Msg),
    /// 404: not found, or not visible to this actor.
    #[error("not found")]
    NotFound,
    /// 408: the client sent its request too slowly (an upload below the minimum rate).
    #[error("request timeout")]
    RequestTimeout(Msg),
    /// 409: conflicts with the current state (duplicate, stale version, illegal transition).
    #[error("conflict")]
    Conflict(Msg),
    /// 413: the body is larger than allowed.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415: the body's media type is not accepted here.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 422: fields with invalid values.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// 429: too many attempts; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64, message: Msg },
    /// 503: a service we depend on (e.g. the malware scanner) is not answering.
    #[error("service unavailable")]
    Unavailable(Msg),
    /// 500: something on our side; logged with its cause, never shown.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// Shorthand for results of services and handlers.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// One invalid field.
    pub fn field(field: &str, key: &'static str) -> Self {
        Self::Invalid(vec![FieldError::new(field, key)])
    }

    pub fn forbidden() -> Self {
        Self::Forbidden(Msg::new("error.forbidden"))
    }

    /// 503: the evidence storage failed (disk, folder, S3). The cause is logged here; the
    /// client is told to try again later, and everything that does not touch the bytes goes on.
    pub fn storage(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "evidence storage unavailable");
        Self::Unavailable(Msg::new("error.storage_unavailable"))
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::Unauthorized(_) => 401,
            Self::Forbidden(_) => 403,
            Self::NotFound => 404,
            Self::RequestTimeout(_) => 408,
            Self::Conflict(_) => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::Invalid(_) => 422,
            Self::TooManyRequests { .. } => 429,
            Self::Unavailable(_) => 503,
            Self::Internal(_) => 500,
        }
    }
}

impl From<DbErr> for AppError {
    fn from(e: DbErr) -> Self {
        Self::Internal(anyhow::Error::new(e))
    }
}

/// Maps constraint violations of a write to answers (instead of checking before inserting).
pub trait OnConstraint<T> {
    /// A unique-constraint violation becomes `err()`; anything else stays an internal error.
    fn on_unique(self, err: impl FnOnce() -> AppError) -> Result<T>;
}

impl<T> OnConstraint<T> for std::result::Result<T, DbErr> {
    fn on_unique(self, err: impl FnOnce() -> AppError) -> Result<T> {
        self.map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => err(),
            _ => AppError::from(e),
        })
    }
}
