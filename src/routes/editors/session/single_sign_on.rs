//! Editors signed in by a single-sign-on proxy (oauth2-proxy and the like), which puts who
//! they are in a header (`PLAUDIT_SSO_HEADER`). The header is believed only from the proxies in
//! `PLAUDIT_TRUSTED_PROXIES`: from anyone else it would be a claim anybody can make. Admins are
//! listed by setting (`PLAUDIT_SSO_ADMINS`); everyone else the proxy lets in reads.

use crate::abuse::TrustedProxies;
use crate::domain::Scope;
use crate::state::AppState;
use actix_web::{HttpRequest, web};

/// The longest identity taken (an e-mail address is at most 254 characters).
const MAX_IDENTITY_CHARS: usize = 254;

/// The editor the proxy names, as the audit log records them (`sso:<identity>`), and their
/// scope; `None` without single sign-on, from an untrusted peer, or without the header.
pub fn editor(req: &HttpRequest, state: &AppState) -> Option<(String, Scope)> {
    let sso = state.single_sign_on.as_ref()?;
    let peer = req.peer_addr()?.ip();
    let proxies = req.app_data::<web::Data<TrustedProxies>>()?;
    if !proxies.trusts(peer) {
        return None;
    }
    let identity = req.headers().get(&sso.header)?.to_str().ok()?.trim();
    if identity.is_empty()
        || identity.chars().count() > MAX_IDENTITY_CHARS
        || identity.chars().any(char::is_control)
    {
        return None;
    }
    let scope = if sso.admins.contains(&identity.to_lowercase()) {
        Scope::Admin
    } else {
        Scope::Read
    };
    Some((format!("sso:{identity}"), scope))
}
