//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.

use crate::store::StoreError;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

mod fallback;

pub use fallback::problem_for_every_error;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// How long a client should wait before retrying when the database is out of reach.
const UNAVAILABLE_RETRY_AFTER_SECS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed; the message says what was expected.
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    /// No key, or not a valid one.
    #[error("{0}")]
    Unauthorized(String),
    /// A valid key without the scope this needs.
    #[error("{0}")]
    Forbidden(String),
    /// The request conflicts with the state of things (feedback without a vote).
    #[error("{0}")]
    Conflict(String),
    #[error("{method} is not allowed here; use {allow}")]
    MethodNotAllowed { method: String, allow: String },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The body did not arrive in time; the connection is closed after this answer.
    #[error("the request body did not arrive within {secs} seconds")]
    BodyTimeout { secs: f64 },
    #[error("the request body must be JSON, sent with Content-Type: application/json")]
    UnsupportedMediaType,
    /// A rate limit or the ballot-stuffing cap; `detail` says which.
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_secs: u64,
    },
    /// More requests in flight than the server takes at once.
    #[error("the server is busy; retry in a moment")]
    Overloaded,
    /// The database did not answer in time or refused connections: worth a retry.
    #[error("the database is unavailable")]
    Unavailable(#[source] StoreError),
    /// A stop signal arrived: this instance is draining (only `/readyz` says so).
    #[error("this instance is shutting down; retry on another")]
    ShuttingDown,
    /// A fault of ours. The cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

#[derive(Serialize)]
struct Problem<'a> {
    r#type: &'a str,
    title: &'a str,
    status: u16,
    detail: String,
}

impl ApiError {
    /// A stable identifier per kind of problem, so that clients can branch on it.
    fn problem_type(&self) -> &'static str {
        match self {
            Self::InvalidInput(_) => "urn:plaudit:problem:invalid-input",
            Self::NotFound(_) => "urn:plaudit:problem:not-found",
            Self::Unauthorized(_) => "urn:plaudit:problem:unauthorized",
            Self::Forbidden(_) => "urn:plaudit:problem:forbidden",
            Self::Conflict(_) => "urn:plaudit:problem:conflict",
            Self::MethodNotAllowed { .. } => "urn:plaudit:problem:method-not-allowed",
            Self::PayloadTooLarge { .. } => "urn:plaudit:problem:payload-too-large",
            Self::BodyTimeout { .. } => "urn:plaudit:problem:request-timeout",
            Self::UnsupportedMediaType => "urn:plaudit:problem:unsupported-media-type",
            Self::TooManyRequests { .. } => "urn:plaudit:problem:too-many-requests",
            Self::Overloaded => "urn:plaudit:problem:overloaded",
            Self::Unavailable(_) => "urn:plaudit:problem:unavailable",
            Self::ShuttingDown => "urn:plaudit:problem:shutting-down",
            Self::Internal(_) => "urn:plaudit:problem:internal",
        }
    }
}

/// The store says what kind of failure it was; here it becomes a status.
impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(error),
            StoreError::Internal(_) => Self::Internal(error.into()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidInput(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Overloaded | Self::Unavailable(_) | Self::ShuttingDown => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            Self::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(status);
        match self {
            Self::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER_SECS));
            }
            Self::Overloaded | Self::ShuttingDown => {
                response.insert_header((header::RETRY_AFTER, 1));
            }
            // What is left of the body may still trickle in: the connection cannot be reused.
            Self::BodyTimeout { .. } => {
                response.force_close();
            }
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"plaudit\""));
            }
            Self::TooManyRequests {
                retry_after_secs, ..
            } => {
                response.insert_header((header::RETRY_AFTER, *retry_after_secs));
            }
            _ => {}
        }
        let detail = match self {
            Self::Unavailable(_) => "the database is unavailable; retry later".to_owned(),
            Self::Internal(_) => "an internal error occurred; it has been logged".to_owned(),
            other => other.to_string(),
        };
        problem_body(&mut response, status, self.problem_type(), detail)
    }
}

/// Finishes `response` as an RFC 9457 problem document.
fn problem_body(
    response: &mut actix_web::HttpResponseBuilder,
    status: StatusCode,
    problem_type: &str,
    detail: String,
) -> HttpResponse {
    response.content_type(PROBLEM_JSON).json(Problem {
        r#type: problem_type,
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail: at_most(MAX_DETAIL_CHARS, detail),
    })
}

/// A detail may quote the request (an unknown field's name, a bad value), which can be as long
/// as the body; the spec promises at most this many characters.
const MAX_DETAIL_CHARS: usize = 1000;

fn at_most(max_chars: usize, mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        let (keep, _) = text[..cut].char_indices().nth_back(0).unwrap_or((0, ' '));
        text.truncate(keep);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::at_most;

    #[test]
    fn long_details_are_cut_to_the_promised_length() {
        assert_eq!(at_most(5, "abc".into()), "abc");
        assert_eq!(at_most(5, "abcde".into()), "abcde");
        assert_eq!(at_most(5, "abcdef".into()), "abcd…");
        let cut = at_most(1000, "語".repeat(3000));
        assert_eq!(cut.chars().count(), 1000);
        assert!(cut.ends_with('…'));
    }
}
