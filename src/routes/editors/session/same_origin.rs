//! Cross-site request forgery: a cookie goes with every request the browser makes, whoever
//! wrote the page that makes it. `SameSite=Strict` keeps other sites' pages from sending it,
//! but "site" ignores ports and subdomains, so a page on `blog.news.example` or on another port
//! of the same host still would. So a request that changes something on the strength of a
//! cookie must also come with an `Origin` naming this very host: browsers send it with every
//! POST, PUT, PATCH and DELETE and scripts cannot forge it.

use crate::error::ApiError;
use actix_web::HttpRequest;
use actix_web::http::{Method, header};

/// Whether the request changes state, as HTTP defines safe methods.
pub fn is_unsafe(req: &HttpRequest) -> bool {
    !matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Ok if `Origin` names the host the request was sent to (scheme aside: behind a TLS proxy
/// the service sees plain HTTP). `required`: a missing `Origin` is refused too.
pub fn check_origin(req: &HttpRequest, required: bool) -> Result<(), ApiError> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("null"));
    let Some(origin) = origin else {
        return if required {
            Err(refused("this request came without an Origin header"))
        } else {
            Ok(())
        };
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| req.connection_info().host().to_owned());
    match authority {
        Some(authority) if authority.eq_ignore_ascii_case(&host) => Ok(()),
        _ => Err(refused(&format!(
            "Origin {origin:?} is not this service ({host})"
        ))),
    }
}

fn refused(why: &str) -> ApiError {
    ApiError::Forbidden(format!(
        "{why}: a signed-in browser may change things only from the dashboard's own pages"
    ))
}
