//! The client's address as far as it can be trusted, reduced to the unit a person controls.

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use ipnet::IpNet;
use std::future::{Ready, ready};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Proxies (load balancers, CDNs) whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

/// What rate limits and ballot-stuffing caps count by: an IPv4 address, or an IPv6 /64,
/// since one subscriber commonly holds a whole /64 and could otherwise rotate through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & (u128::MAX << 64);
                Self(IpAddr::V6(Ipv6Addr::from(prefix)))
            }
        }
    }

    /// The key of the client that sent `req`, through the trusted proxies in the app's data.
    pub fn of_request(req: &HttpRequest) -> Self {
        let peer = req
            .peer_addr()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |addr| addr.ip());
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        let ip = match req.app_data::<web::Data<TrustedProxies>>() {
            Some(proxies) => {
                proxies.client_ip(peer, header("forwarded"), header("x-forwarded-for"))
            }
            None => peer,
        };
        Self::of(ip)
    }

    /// Bytes that identify the network, for hashing; never stored as they are.
    pub fn network_bytes(&self) -> Vec<u8> {
        match self.0 {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets()[..8].to_vec(),
        }
    }
}

impl FromRequest for ClientKey {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of_request(req)))
    }
}

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    /// Whether `ip` is one of the proxies, whose headers are believed.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The socket peer, unless it is a trusted proxy: then the right-most forwarded address
    /// that is not itself a trusted proxy. Entries left of that were written by the client and
    /// prove nothing. `Forwarded` (RFC 7239) is read if present, else `X-Forwarded-For`.
    pub fn client_ip(
        &self,
        peer: IpAddr,
        forwarded: Option<&str>,
        x_forwarded_for: Option<&str>,
    ) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<Option<IpAddr>> = match (forwarded, x_forwarded_for) {
            (Some(header), _) => forwarded_for_values(header)
                .map(|v| parse_node(&v))
                .collect(),
            (None, Some(header)) => header.split(',').map(parse_node).collect(),
            (None, None) => return peer,
        };
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop {
                // An unknown or obfuscated hop ends what can be known: the last proxy it
                // reached stands for the client.
                None => break,
                Some(ip) => {
                    client = ip;
                    if !self.trusts(ip) {
                        break;
                    }
                }
            }
        }
        client
    }
}

/// The `for=` values of a `Forwarded` header, in order.
fn forwarded_for_values(header: &str) -> impl Iterator<Item = String> + '_ {
    header.split(',').filter_map(|element| {
        element.split(';').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("for")
                .then(|| value.trim().trim_matches('"').to_owned())
        })
    })
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`, `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Ok(ip) = node.parse() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    node.rsplit_once(':')
        .and_then(|(ip, _port)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().map(|n| n.parse().unwrap()).collect())
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let none = proxies(&[]);
        assert_eq!(
            none.client_ip(ip("203.0.113.9"), Some("for=1.2.3.4"), Some("5.6.7.8")),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_trusted_proxy_hands_over_the_right_most_untrusted_address() {
        let cdn = proxies(&["10.0.0.0/8"]);
        let peer = ip("10.1.1.1");
        // The client forged "6.6.6.6"; the CDN appended the address it saw, then an inner proxy.
        assert_eq!(
            cdn.client_ip(peer, None, Some("6.6.6.6, 198.51.100.7, 10.2.2.2")),
            ip("198.51.100.7")
        );
        assert_eq!(cdn.client_ip(peer, None, None), peer);
        assert_eq!(
            cdn.client_ip(
                peer,
                Some("for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https"),
                Some("9.9.9.9")
            ),
            ip("2001:db8::1")
        );
        assert_eq!(
            cdn.client_ip(peer, Some("for=198.51.100.7:80"), None),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn an_unknown_hop_stops_the_walk() {
        let cdn = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            cdn.client_ip(ip("10.1.1.1"), Some("for=6.6.6.6, for=unknown"), None),
            ip("10.1.1.1")
        );
        assert_eq!(
            cdn.client_ip(ip("10.1.1.1"), None, Some("6.6.6.6, garbage")),
            ip("10.1.1.1")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let a = ClientKey::of(ip("2001:db8:1:2:aaaa::1"));
        let b = ClientKey::of(ip("2001:db8:1:2:bbbb::2"));
        let c = ClientKey::of(ip("2001:db8:1:3::1"));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            ClientKey::of(ip("::ffff:192.0.2.1")),
            ClientKey::of(ip("192.0.2.1"))
        );
        assert_ne!(
            ClientKey::of(ip("192.0.2.1")),
            ClientKey::of(ip("192.0.2.2"))
        );
    }
}
