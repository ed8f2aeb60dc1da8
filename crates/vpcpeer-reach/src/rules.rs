//! Matching one packet against one security group rule or one network ACL entry.
//!
//! - Protocols: a query for [`Protocol::All`] matches only all-protocol rules (`-1`); TCP and UDP
//!   match all-protocol rules and rules of their protocol whose port range holds the destination
//!   port; ICMP (ICMPv6 for IPv6 packets) matches on type and code, `-1` meaning any.
//! - Security group peers: a CIDR of the packet's family holding the other end's address; a
//!   group reference is decided by the caller (it needs the snapshot); a rule to a prefix list
//!   is compiled into one rule per block of the list (`snapshot::group_view`), so a prefix-list
//!   peer left here (a list nobody sees) never matches.
//! - ACL entries: the entry's CIDR must hold the other end's address (destination for outbound,
//!   source for inbound); ports are destination ports.

use std::net::IpAddr;

use vpcpeer_model::{AclEntry, Destination, RulePeer, SgRule};

use crate::model::{Header, Protocol};

fn port_in(port: Option<u16>, from: Option<i32>, to: Option<i32>) -> bool {
    match (port, from, to) {
        (Some(p), Some(f), Some(t)) => f <= i32::from(p) && i32::from(p) <= t,
        (None, _, _) => false,
        _ => true,
    }
}

fn icmp_in(icmp: Option<(u8, u8)>, ty: i32, code: i32) -> bool {
    let Some((t, c)) = icmp else {
        return false;
    };
    (ty == -1 || ty == i32::from(t)) && (code == -1 || code == i32::from(c))
}

/// Whether the protocol and ports of security group rule `r` admit `h`.
pub fn sg_protocol_admits(r: &SgRule, h: &Header) -> bool {
    if r.protocol == "-1" {
        return true;
    }
    let v6 = h.dst_ip.is_ipv6();
    match h.protocol {
        Protocol::All => false,
        Protocol::Tcp => r.protocol == "tcp" && port_in(h.dst_port, r.from_port, r.to_port),
        Protocol::Udp => r.protocol == "udp" && port_in(h.dst_port, r.from_port, r.to_port),
        Protocol::Icmp => {
            r.protocol == if v6 { "icmpv6" } else { "icmp" }
                && icmp_in(h.icmp, r.from_port.unwrap_or(-1), r.to_port.unwrap_or(-1))
        }
    }
}

/// Whether the CIDR peer of rule `r` holds `ip`; `None` when the peer is a group reference
/// (the caller decides those).
pub fn sg_cidr_admits(r: &SgRule, ip: IpAddr) -> Option<bool> {
    match (&r.peer, ip) {
        (RulePeer::Cidr4(n), IpAddr::V4(a)) => Some(n.contains(&a)),
        (RulePeer::Cidr6(n), IpAddr::V6(a)) => Some(n.contains(&a)),
        (RulePeer::Cidr4(_), _) | (RulePeer::Cidr6(_), _) | (RulePeer::PrefixList(_), _) => {
            Some(false)
        }
        (RulePeer::Group { .. }, _) => None,
    }
}

/// Whether ACL entry `e` matches `h`, whose other end is `peer_ip`.
pub fn acl_entry_matches(e: &AclEntry, h: &Header, peer_ip: IpAddr) -> bool {
    let cidr_ok = match (e.cidr, peer_ip) {
        (Destination::V4(n), IpAddr::V4(a)) => n.contains(&a),
        (Destination::V6(n), IpAddr::V6(a)) => n.contains(&a),
        _ => false,
    };
    if !cidr_ok {
        return false;
    }
    if e.protocol == "-1" {
        return true;
    }
    let v6 = h.dst_ip.is_ipv6();
    let range = |h: &Header| match e.port_range {
        Some((f, t)) => port_in(h.dst_port, Some(f), Some(t)),
        None => h.dst_port.is_some(),
    };
    match h.protocol {
        Protocol::All => false,
        Protocol::Tcp => e.protocol == "6" && range(h),
        Protocol::Udp => e.protocol == "17" && range(h),
        Protocol::Icmp => {
            e.protocol == if v6 { "58" } else { "1" }
                && match e.icmp {
                    Some((t, c)) => icmp_in(h.icmp, t, c),
                    None => h.icmp.is_some(),
                }
        }
    }
}
