//! The session cookie, read and written by hand: one name, one value of hex digits, and the
//! attributes below; a cookie crate would bring more than these few lines do.

use crate::domain::SessionToken;
use crate::state::SessionPolicy;
use actix_web::HttpRequest;
use actix_web::http::header;

/// `__Host-` makes browsers refuse the cookie unless it is `Secure`, has `Path=/` and no
/// `Domain`, so no other host and no plain-HTTP page can plant or overwrite it. Plain HTTP on
/// loopback (`PLAUDIT_SESSION_PLAIN_HTTP`) cannot use the prefix and gets a plain name.
const SECURE_NAME: &str = "__Host-plaudit_session";
const PLAIN_NAME: &str = "plaudit_session";

fn name(policy: SessionPolicy) -> &'static str {
    if policy.secure_cookie {
        SECURE_NAME
    } else {
        PLAIN_NAME
    }
}

/// The token the request's session cookie holds, if it holds one of our shape.
pub fn session_token(req: &HttpRequest, policy: SessionPolicy) -> Option<SessionToken> {
    let wanted = name(policy);
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .and_then(|(_, value)| SessionToken::parse(value))
}

/// `Set-Cookie` for a new session: HttpOnly (no script reads it), SameSite=Strict (no other
/// site's page sends it), Secure unless plain HTTP on loopback was asked for.
pub fn set_cookie(token: &SessionToken, policy: SessionPolicy) -> String {
    let max_age = policy.lifetime_ms / 1000;
    format!(
        "{}={}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{}",
        name(policy),
        token.expose(),
        secure(policy)
    )
}

/// `Set-Cookie` that makes the browser drop the session cookie.
pub fn clear_cookie(policy: SessionPolicy) -> String {
    format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}",
        name(policy),
        secure(policy)
    )
}

fn secure(policy: SessionPolicy) -> &'static str {
    if policy.secure_cookie { "; Secure" } else { "" }
}
