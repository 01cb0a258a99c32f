//! Extractors that speak our error format: the signed-in user, the request context, and JSON and
//! form bodies whose rejections become problem answers instead of plain-text framework errors.

use super::RequestCtx;
use super::middleware::{Authenticated, CsrfToken};
use crate::error::{AppError, Msg};
use crate::service::Identity;
use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The signed-in user; answers 401 (or, on pages, a redirect to sign-in) when there is none.
pub struct CurrentUser(pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Authenticated>()
            .map(|a| CurrentUser(a.0.clone()))
            .ok_or(AppError::Unauthorized(Msg::new("error.signin_required")))
    }
}

/// The signed-in user, if any.
pub struct MaybeUser(pub Option<Identity>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(
            parts.extensions.get::<Authenticated>().map(|a| a.0.clone()),
        ))
    }
}

/// Request id, language and client facts.
pub struct Ctx(pub RequestCtx);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut ctx = parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .unwrap_or_default();
        if ctx.client_addr.is_empty() {
            ctx.client_addr = "unknown".into();
        }
        Ok(Ctx(ctx))
    }
}

/// The services' context of this request: the database, the timekeeper, where the request came
/// from, and the instant it is handled at.
pub struct Svc(pub crate::service::Ctx);

impl FromRequestParts<super::AppState> for Svc {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &super::AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ctx(ctx) = Ctx::from_request_parts(parts, state).await?;
        Ok(Svc(state.service(&ctx)))
    }
}

/// The CSRF token to embed in forms on this page.
pub struct Csrf(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Csrf {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Csrf(
            parts
                .extensions
                .get::<CsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or_default(),
        ))
    }
}

/// A JSON body. Malformed JSON is 400, a wrong shape 422, a wrong media type 415, too large 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(rejection) => return Err(json_rejection(rejection)),
        };
        // Every body is an object (serde would also take an array for a struct).
        if !value.is_object() {
            return Err(AppError::Invalid(vec![crate::error::FieldError {
                field: "body".into(),
                message: Msg::new("error.json_object"),
            }]));
        }
        whole_numbers(&mut value);
        // Every text field, in one place: format characters removed, control characters refused.
        crate::domain::text::clean_json(&mut value).map_err(|field| {
            AppError::Invalid(vec![crate::error::FieldError {
                field,
                message: Msg::new("error.text.control"),
            }])
        })?;
        serde_path_to_error::deserialize::<_, T>(value)
            .map(ApiJson)
            .map_err(|e| {
                // Worded as axum words it, so that the field is found the same way.
                let text = match e.path().to_string().as_str() {
                    "." => format!(
                        "Failed to deserialize the JSON body into the target type: {}",
                        e.inner()
                    ),
                    path => format!(
                        "Failed to deserialize the JSON body into the target type: {path}: {}",
                        e.inner()
                    ),
                };
                AppError::Invalid(vec![crate::error::FieldError {
                    field: data_error_field(&text),
                    message: Msg::new("error.json_shape").arg("reason", text),
                }])
            })
    }
}

/// JSON has one kind of number: `3.0` is the integer 3 (as JSON Schema says), so it is read as
/// one where an integer is expected.
fn whole_numbers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// A query string. A parameter left blank (`queue=`, as a form sends an unset filter) is as if
/// it were not given; a value of the wrong type is 400.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|e| AppError::BadRequest(e.to_string()))?;
        let given: Vec<(String, String)> = pairs
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        // The text rule of every field holds for filters too.
        if let Some((name, _)) = given
            .iter()
            .find(|(_, v)| v.chars().any(crate::domain::text::is_forbidden_control))
        {
            return Err(AppError::Invalid(vec![crate::error::FieldError {
                field: name.clone(),
                message: Msg::new("error.text.control"),
            }]));
        }
        let text =
            serde_urlencoded::to_string(&given).map_err(|e| AppError::BadRequest(e.to_string()))?;
        serde_urlencoded::from_str(&text)
            .map(ApiQuery)
            .map_err(|e| AppError::BadRequest(e.to_string()))
    }
}

fn json_rejection(r: JsonRejection) -> AppError {
    match r {
        JsonRejection::JsonSyntaxError(e) => AppError::BadRequest(e.body_text()),
        JsonRejection::JsonDataError(e) => AppError::Invalid(vec![crate::error::FieldError {
            field: data_error_field(&e.body_text()),
            message: Msg::new("error.json_shape").arg("reason", e.body_text()),
        }]),
        JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        other => AppError::BadRequest(other.body_text()),
    }
}

/// Best guess of the offending field from serde's message ("missing field `username`" …).
fn data_error_field(text: &str) -> String {
    let rest = text
        .split_once("target type: ")
        .map(|x| x.1)
        .unwrap_or(text);
    if let Some((path, _)) = rest.split_once(": ")
        && !path.is_empty()
        && !path.contains(' ')
    {
        return path.to_string();
    }
    if let Some(start) = rest.find('`')
        && let Some(len) = rest[start + 1..].find('`')
    {
        return rest[start + 1..start + 1 + len].to_string();
    }
    "body".to_string()
}

/// A URL-encoded form body with the same rejection rules as [`ApiJson`].
pub struct WebForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for WebForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let pairs = match axum::Form::<Vec<(String, String)>>::from_request(req, state).await {
            Ok(axum::Form(pairs)) => pairs,
            Err(FormRejection::InvalidFormContentType(_)) => {
                return Err(AppError::UnsupportedMediaType);
            }
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::PayloadTooLarge);
            }
            Err(r) => return Err(AppError::BadRequest(r.body_text())),
        };
        // A browser's user can neither type nor see format and control characters (a paste can
        // carry them): they are removed, and the form goes on.
        let cleaned: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(k, v)| {
                let v = crate::domain::text::scrub(&v).into_owned();
                (k, v)
            })
            .collect();
        let encoded = serde_urlencoded::to_string(&cleaned)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        serde_urlencoded::from_str::<T>(&encoded)
            .map(WebForm)
            .map_err(|e| AppError::BadRequest(format!("Failed to deserialize form body: {e}")))
    }
}

/// A posted form whose `lists` fields repeat (checkboxes), read as pairs by [`WebForm`] and
/// gathered into `T`: each list field becomes an array (empty when none was ticked).
pub fn gathered<T: DeserializeOwned>(
    pairs: Vec<(String, String)>,
    lists: &[&str],
) -> Result<T, AppError> {
    let mut m = serde_json::Map::new();
    for l in lists {
        m.insert((*l).to_string(), serde_json::Value::Array(Vec::new()));
    }
    for (k, v) in pairs {
        match m.get_mut(&k) {
            Some(serde_json::Value::Array(a)) if lists.contains(&k.as_str()) => {
                a.push(serde_json::Value::String(v))
            }
            _ => {
                m.insert(k, serde_json::Value::String(v));
            }
        }
    }
    serde_json::from_value(serde_json::Value::Object(m))
        .map_err(|e| AppError::BadRequest(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_found_in_serde_messages() {
        assert_eq!(
            data_error_field(
                "Failed to deserialize the JSON body into the target type: missing field `username` at line 1 column 2"
            ),
            "username"
        );
        assert_eq!(
            data_error_field(
                "Failed to deserialize the JSON body into the target type: password: invalid type: integer `5`"
            ),
            "password"
        );
    }
}
