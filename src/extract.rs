//! Request extractors whose every rejection is an [`ApiError`] naming what was wrong.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A request body the API parses, with the most bytes it may take. Bodies are small; anything
/// much bigger is a mistake or an attack, so it is refused before it is read, far below
/// actix's 2 MiB default. Each cap fits the schema's longest strings written the longest way
/// JSON allows: `\uXXXX` escapes, 12 bytes for a character outside the BMP (a surrogate pair),
/// as PHP's `json_encode` and Python's `json.dumps` send non-ASCII by default. So a reader
/// writing Japanese, Greek or emoji gets what the spec promises, whatever the client.
pub trait JsonBody: DeserializeOwned + 'static {
    const MAX_BYTES: usize;
}

/// How long a client has to send a request body once its headers are in. Without it, a client
/// that declares a body and sends it a byte at a time holds a request slot for ever.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Duration);

impl BodyDeadline {
    /// `PLAUDIT_BODY_TIMEOUT`'s default: a phone on a poor connection sends a few KB in far less.
    pub const DEFAULT_SECS: u64 = 10;
}

impl Default for BodyDeadline {
    fn default() -> Self {
        Self(Duration::from_secs(Self::DEFAULT_SECS))
    }
}

/// A JSON body parsed into `T`, with errors that name the field at fault
/// (`stars: invalid value: integer `6`, expected an integer from 1 to 5`).
pub struct ApiJson<T>(pub T);

impl<T: JsonBody> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checked =
            check_content_type(req).and_then(|()| check_declared_length(req, T::MAX_BYTES));
        let deadline = req.app_data::<BodyDeadline>().copied().unwrap_or_default();
        let mut payload = payload.take();
        Box::pin(async move {
            checked?;
            let read = async {
                let mut body = Vec::new();
                while let Some(chunk) = payload.next().await {
                    let chunk = chunk.map_err(|e| {
                        ApiError::InvalidInput(format!("could not read the body: {e}"))
                    })?;
                    if body.len() + chunk.len() > T::MAX_BYTES {
                        return Err(ApiError::PayloadTooLarge {
                            limit: T::MAX_BYTES,
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(body)
            };
            let body = tokio::time::timeout(deadline.0, read).await.map_err(|_| {
                ApiError::BodyTimeout {
                    secs: deadline.0.as_secs_f64(),
                }
            })??;
            parse_json(&body).map(ApiJson)
        })
    }
}

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::InvalidInput(
            "the request body is empty; send a JSON object".into(),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || inner.is_syntax() || inner.is_eof() {
            ApiError::InvalidInput(format!(
                "the body is not valid JSON of the expected shape: {inner}"
            ))
        } else {
            ApiError::InvalidInput(format!("{path}: {inner}"))
        }
    })?;
    deserializer.end().map_err(|e| {
        ApiError::InvalidInput(format!("unexpected data after the JSON value: {e}"))
    })?;
    Ok(value)
}

/// `application/json` and the `+json` family, with any parameters (`; charset=utf-8`).
fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let is_json =
        req.mime_type().ok().flatten().is_some_and(|mime| {
            mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json")
        });
    if is_json {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType)
    }
}

fn check_declared_length(req: &HttpRequest, limit: usize) -> Result<(), ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(length) if length > limit => Err(ApiError::PayloadTooLarge { limit }),
        _ => Ok(()),
    }
}

/// The values of one repeated query parameter (`?article_id=a&article_id=b`). Any other
/// parameter is refused, so that a typo does not pass silently.
pub fn repeated_query_param(req: &HttpRequest, name: &str) -> Result<Vec<String>, ApiError> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(key, value)| {
            if key == name {
                Ok(value.into_owned())
            } else {
                Err(ApiError::InvalidInput(format!(
                    "unknown query parameter {key:?}; expected {name:?}"
                )))
            }
        })
        .collect()
}

/// PostgreSQL cannot store U+0000 in text, and nothing a person writes contains it; refusing it
/// here keeps both databases answering alike (400, not a database error).
pub fn storable_text(field: &str, value: &str) -> Result<(), ApiError> {
    if value.contains('\0') {
        return Err(ApiError::InvalidInput(format!(
            "{field}: must not contain NUL (U+0000) characters"
        )));
    }
    Ok(())
}
