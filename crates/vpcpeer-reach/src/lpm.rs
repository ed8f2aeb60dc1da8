//! Longest-prefix match over the routes of one route table (IPv4 and IPv6 kept apart).
//!
//! This first version is a sorted linear scan, the shape of the final API; a faster index
//! replaces the inside without changing it. [`naive_lookup`] is the oracle the property tests
//! compare against.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// A longest-prefix-match index from prefixes to values.
#[derive(Debug, Clone)]
pub struct Lpm<V> {
    v4: Vec<(Ipv4Net, V)>,
    v6: Vec<(Ipv6Net, V)>,
}

impl<V> Lpm<V> {
    /// Builds the index. When a prefix is given twice, the last value wins.
    pub fn new(routes: impl IntoIterator<Item = (IpNet, V)>) -> Self {
        let mut v4: Vec<(Ipv4Net, V)> = Vec::new();
        let mut v6: Vec<(Ipv6Net, V)> = Vec::new();
        for (net, v) in routes {
            match net.trunc() {
                IpNet::V4(n) => {
                    v4.retain(|(p, _)| *p != n);
                    v4.push((n, v));
                }
                IpNet::V6(n) => {
                    v6.retain(|(p, _)| *p != n);
                    v6.push((n, v));
                }
            }
        }
        v4.sort_by(|a, b| b.0.prefix_len().cmp(&a.0.prefix_len()));
        v6.sort_by(|a, b| b.0.prefix_len().cmp(&a.0.prefix_len()));
        Lpm { v4, v6 }
    }

    /// Number of prefixes.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// Whether there are no prefixes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most specific prefix containing `addr`, and its value.
    pub fn lookup(&self, addr: IpAddr) -> Option<(IpNet, &V)> {
        match addr {
            IpAddr::V4(a) => self.lookup_v4(a).map(|(n, v)| (IpNet::V4(n), v)),
            IpAddr::V6(a) => self.lookup_v6(a).map(|(n, v)| (IpNet::V6(n), v)),
        }
    }

    /// IPv4 lookup.
    pub fn lookup_v4(&self, addr: Ipv4Addr) -> Option<(Ipv4Net, &V)> {
        self.v4
            .iter()
            .find(|(n, _)| n.contains(&addr))
            .map(|(n, v)| (*n, v))
    }

    /// IPv6 lookup.
    pub fn lookup_v6(&self, addr: Ipv6Addr) -> Option<(Ipv6Net, &V)> {
        self.v6
            .iter()
            .find(|(n, _)| n.contains(&addr))
            .map(|(n, v)| (*n, v))
    }
}

/// The obviously-correct oracle: scan every route, keep the longest that contains `addr`
/// (the last one given wins among equal prefixes).
pub fn naive_lookup<V>(routes: &[(IpNet, V)], addr: IpAddr) -> Option<(IpNet, &V)> {
    let mut best: Option<(IpNet, &V)> = None;
    for (net, v) in routes {
        let net = net.trunc();
        if net.contains(&addr) && best.is_none_or(|(b, _)| net.prefix_len() >= b.prefix_len()) {
            best = Some((net, v));
        }
    }
    best
}
