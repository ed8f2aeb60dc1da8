//! NSG rule matching on typed rule values: the rules of an NSG and Azure's defaults, taken by
//! priority, the first whose protocol, ports and prefixes match deciding. Nothing here parses
//! text: the rule's protocol, port ranges and prefixes were parsed when the rule was written
//! ([`vpcpeer_model::azure::input`]), and Azure's default rules are built once.

use std::net::Ipv4Addr;
use std::sync::LazyLock;

use ipnet::Ipv4Net;
use vpcpeer_model::azure::{
    default_security_rules, AzAccess, AzAddressSpec, AzDirection, AzNsg, AzPortSpec, AzProtocol,
    AzSecurityRule, AzServiceTag, RuleAddress, RulePorts,
};

use crate::model::{Header, Protocol};
use crate::walk::{is_private, v4};

/// Azure's default rules, built (and their texts parsed) once.
static DEFAULT_RULES: LazyLock<Vec<AzSecurityRule>> = LazyLock::new(default_security_rules);

const LOAD_BALANCER: Ipv4Addr = Ipv4Addr::new(168, 63, 129, 16);

/// Whether `spec` covers `ip`; `vnet_space` is what the `VirtualNetwork` tag stands for.
pub(crate) fn address_matches(spec: &AzAddressSpec, ip: Ipv4Addr, vnet_space: &[Ipv4Net]) -> bool {
    let in_space = || vnet_space.iter().any(|n| n.contains(&ip));
    match spec {
        AzAddressSpec::Any | AzAddressSpec::ServiceTag(AzServiceTag::AnyWord) => true,
        AzAddressSpec::Prefix(n) => n.contains(&ip),
        AzAddressSpec::ServiceTag(AzServiceTag::VirtualNetwork) => in_space(),
        AzAddressSpec::ServiceTag(AzServiceTag::Internet) => !in_space() && !is_private(ip),
        AzAddressSpec::ServiceTag(AzServiceTag::AzureLoadBalancer) => ip == LOAD_BALANCER,
        AzAddressSpec::ServiceTag(AzServiceTag::Other(_)) => false,
    }
}

/// Whether `proto` admits a packet of `p`. `*` admits everything; ESP and AH rules admit none
/// of the protocols a query can ask about.
pub(crate) fn protocol_matches(proto: AzProtocol, p: Protocol) -> bool {
    matches!(
        (proto, p),
        (AzProtocol::Any, _)
            | (AzProtocol::Tcp, Protocol::Tcp)
            | (AzProtocol::Udp, Protocol::Udp)
            | (AzProtocol::Icmp, Protocol::Icmp)
    )
}

/// Whether one of `ranges` admits `port` (a value that did not parse admits nothing; a stored
/// rule has none).
fn ports_match(ranges: &[RulePorts], port: Option<u16>) -> bool {
    ranges
        .iter()
        .any(|r| r.value().is_some_and(|s: &AzPortSpec| s.matches(port)))
}

fn addresses_match(specs: &[RuleAddress], ip: Ipv4Addr, vnet_space: &[Ipv4Net]) -> bool {
    specs.iter().any(|p| {
        p.value()
            .is_some_and(|s| address_matches(s, ip, vnet_space))
    })
}

/// Whether rule `r` matches header `h`; `space` is what the `VirtualNetwork` tag stands for.
pub(crate) fn rule_matches(r: &AzSecurityRule, h: &Header, space: &[Ipv4Net]) -> bool {
    let proto_ok = r
        .protocol
        .value()
        .is_some_and(|&p| protocol_matches(p, h.protocol));
    let (Some(src), Some(dst)) = (v4(h.src_ip), v4(h.dst_ip)) else {
        return false;
    };
    proto_ok
        && ports_match(&r.source_ports, h.src_port)
        && ports_match(&r.destination_ports, h.dst_port)
        && addresses_match(&r.source_prefixes, src, space)
        && addresses_match(&r.destination_prefixes, dst, space)
}

/// The rule of `nsg` that decides `h` in `dir` (the default rules always end with a deny-all).
pub(crate) fn nsg_decision(
    nsg: &AzNsg,
    dir: AzDirection,
    h: &Header,
    space: &[Ipv4Net],
) -> AzSecurityRule {
    let mut rules: Vec<&AzSecurityRule> = nsg
        .rules
        .iter()
        .chain(DEFAULT_RULES.iter())
        .filter(|r| r.direction == dir)
        .collect();
    rules.sort_by_key(|r| r.priority);
    rules
        .into_iter()
        .find(|r| rule_matches(r, h, space))
        .cloned()
        .unwrap_or_else(|| AzSecurityRule {
            name: "DenyAll".into(),
            priority: 65500,
            direction: dir,
            access: AzAccess::Deny,
            protocol: "*".into(),
            source_ports: vec!["*".into()],
            destination_ports: vec!["*".into()],
            source_prefixes: vec!["*".into()],
            destination_prefixes: vec!["*".into()],
            description: None,
        })
}

#[cfg(test)]
#[path = "nsg_tests.rs"]
mod tests;
