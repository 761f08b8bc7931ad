//! The editors' dashboard: how long a sign-in lasts, whether its cookie may travel over plain
//! HTTP, and how long readers' feedback is kept.

use actix_web::http::header::HeaderName;
use clap::Args;
use std::net::SocketAddr;

/// Who a single-sign-on proxy says the editor is, and who of them are admins.
#[derive(Debug, Clone)]
pub struct SingleSignOn {
    pub header: HeaderName,
    /// Lower-cased.
    pub admins: Vec<String>,
}

/// The longest a session may be set to last: a stolen cookie is good for at most this long.
pub const MAX_SESSION_HOURS: u64 = 24 * 30;

#[derive(Debug, Clone, Args)]
pub struct DashboardSettings {
    /// Hours a dashboard sign-in lasts (1 to 720); the editor then pastes the key again.
    #[arg(
        long,
        env = "PLAUDIT_SESSION_HOURS",
        default_value_t = 12,
        value_parser = clap::value_parser!(u64).range(1..=MAX_SESSION_HOURS),
        global = true
    )]
    pub session_hours: u64,

    /// Send the session cookie without `Secure`, so that a browser keeps it over plain HTTP.
    /// Only for a service bound to a loopback address (a laptop, the tests); refused otherwise.
    #[arg(
        long,
        env = "PLAUDIT_SESSION_PLAIN_HTTP",
        default_value_t = false,
        global = true
    )]
    pub session_plain_http: bool,

    /// Days readers' feedback is kept; older entries, text included, are deleted every hour.
    /// 0 (the default): kept until an admin deletes it or resets the article.
    #[arg(
        long,
        env = "PLAUDIT_FEEDBACK_RETENTION_DAYS",
        default_value_t = 0,
        global = true
    )]
    pub feedback_retention_days: u64,

    /// Behind a single-sign-on proxy (oauth2-proxy and the like): the request header that
    /// names the signed-in editor, e.g. X-Forwarded-Email. Believed only on requests from
    /// PLAUDIT_TRUSTED_PROXIES; unset (the default): no single sign-on.
    #[arg(long, env = "PLAUDIT_SSO_HEADER", global = true)]
    pub sso_header: Option<String>,

    /// Editors named by the single-sign-on header who get admin scope, comma-separated;
    /// everyone else it names gets read scope.
    #[arg(long, env = "PLAUDIT_SSO_ADMINS", value_delimiter = ',', global = true)]
    pub sso_admins: Vec<String>,
}

impl DashboardSettings {
    /// Whether the cookie is `Secure`; an error if plain HTTP was asked for on an address
    /// that other machines can reach.
    pub fn secure_cookie(&self, bind: SocketAddr) -> anyhow::Result<bool> {
        if self.session_plain_http && !bind.ip().is_loopback() {
            anyhow::bail!(
                "PLAUDIT_SESSION_PLAIN_HTTP is only for a loopback address; {bind} is not one \
                 (serve the dashboard over HTTPS instead)"
            );
        }
        Ok(!self.session_plain_http)
    }

    /// The single-sign-on set-up, if a header is configured; an error if it is not a header
    /// name.
    pub fn single_sign_on(&self) -> anyhow::Result<Option<SingleSignOn>> {
        let Some(header) = self.sso_header.as_deref().filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let header = HeaderName::from_bytes(header.trim().as_bytes())
            .map_err(|_| anyhow::anyhow!("PLAUDIT_SSO_HEADER {header:?} is not a header name"))?;
        let admins = self
            .sso_admins
            .iter()
            .map(|admin| admin.trim().to_lowercase())
            .filter(|admin| !admin.is_empty())
            .collect();
        Ok(Some(SingleSignOn { header, admins }))
    }

    pub fn session_lifetime_ms(&self) -> i64 {
        let hours = self.session_hours.clamp(1, MAX_SESSION_HOURS);
        (hours * 3_600_000) as i64
    }

    /// Milliseconds feedback is kept, or `None` if it is kept for ever.
    pub fn feedback_retention_ms(&self) -> Option<i64> {
        crate::time::retention_ms(self.feedback_retention_days)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_http_only_on_loopback() {
        let mut settings = crate::config::Settings::defaults().dashboard;
        assert!(
            settings
                .secure_cookie("0.0.0.0:80".parse().unwrap())
                .unwrap()
        );
        settings.session_plain_http = true;
        assert!(
            !settings
                .secure_cookie("127.0.0.1:80".parse().unwrap())
                .unwrap()
        );
        assert!(!settings.secure_cookie("[::1]:80".parse().unwrap()).unwrap());
        assert!(
            settings
                .secure_cookie("0.0.0.0:80".parse().unwrap())
                .is_err()
        );
    }
}
