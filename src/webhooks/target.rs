//! Where a webhook may point: https:// to public addresses only, unless the operator allows
//! http:// and private networks (`PLAUDIT_WEBHOOKS_ALLOW_PRIVATE`). Checked when a
//! subscription is made or changed, and again on every delivery by the client's resolver, so
//! that a name re-pointed to an internal address later (DNS rebinding) still gets nothing.

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The URL, parsed, if it may be a webhook's target; else why not.
pub async fn check(raw: &str, allow_private: bool) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|error| format!("url: not a valid URL ({error})"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => {
            return Err(
                "url: must be https:// (http:// is allowed only with PLAUDIT_WEBHOOKS_ALLOW_PRIVATE)"
                    .into(),
            );
        }
        other => {
            return Err(format!(
                "url: the scheme {other}:// is not allowed; use https://"
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("url: must not hold a user name or password".into());
    }
    let host = url
        .host_str()
        .ok_or_else(|| "url: names no host".to_owned())?;
    if allow_private {
        return Ok(url);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| format!("url: the host {host} does not resolve ({error})"))?
        .collect();
    if addresses.is_empty() {
        return Err(format!("url: the host {host} does not resolve"));
    }
    if let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
        return Err(format!(
            "url: the host {host} resolves to {}, a loopback, private or link-local address",
            private.ip()
        ));
    }
    Ok(url)
}

/// Whether the URL's host is an address literal that may not be reached (the resolver never
/// sees those).
pub fn is_forbidden_literal(url: &Url, allow_private: bool) -> bool {
    if allow_private {
        return false;
    }
    url.host_str()
        .map(|host| host.trim_start_matches('[').trim_end_matches(']'))
        .and_then(|host| host.parse::<IpAddr>().ok())
        .is_some_and(|ip| !is_public(ip))
}

/// Addresses on the public internet: not loopback, private, shared (CGNAT), link-local,
/// unspecified, broadcast, multicast or documentation ranges, in IPv4 or IPv6.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b);
    let benchmarking = a == 198 && (b == 18 || b == 19);
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || shared
        || benchmarking
        || a == 0
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00;
    let link_local = first & 0xffc0 == 0xfe80;
    !(ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() || unique_local || link_local)
}

/// The delivery client's resolver: drops every address that may not be reached, and fails
/// if none is left.
#[derive(Debug, Clone, Copy)]
pub struct PublicOnly {
    pub allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found
                .filter(|address| allow_private || is_public(address.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(format!(
                    "{host} resolves to no public address (PLAUDIT_WEBHOOKS_ALLOW_PRIVATE is off)"
                )
                .into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "2606:4700::1111", "1.1.1.1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn only_https_to_public_hosts_unless_allowed() {
        assert!(check("http://93.184.216.34/hook", false).await.is_err());
        assert!(check("https://127.0.0.1/hook", false).await.is_err());
        assert!(check("https://[::1]/hook", false).await.is_err());
        assert!(check("https://localhost/hook", false).await.is_err());
        assert!(check("ftp://example.com/", false).await.is_err());
        assert!(check("https://93.184.216.34/hook", false).await.is_ok());
        assert!(check("http://127.0.0.1:9/hook", true).await.is_ok());
    }
}
