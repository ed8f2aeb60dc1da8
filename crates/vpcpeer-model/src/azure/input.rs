//! Typed inputs of Azure commands: an address prefix or an IP address as the wire crate parsed
//! it, kept with the text it came from; and the typed values of a security rule (protocol, port
//! ranges, address prefixes and service tags), which are stored in the NSG as they are parsed,
//! with the caller's spelling (ARM echoes it).
//!
//! The wire parses every prefix and address when it builds a command, so the model never parses
//! request text. A value that did not parse still travels in the command, and the model refuses
//! it at the point of its checks where ARM does (after the name, resource group and location
//! checks), so a request with two mistakes gets the same refusal as before; the refusal quotes
//! the text as the client spelled it. Serialized (the command log) as that text.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

pub use crate::parsed::{Spelled, Syntax};

/// An address prefix: a CIDR block without host bits (`10.0.0.0/16`), surrounding blanks
/// allowed.
impl Syntax for Ipv4Net {
    fn parse(text: &str) -> Option<Self> {
        let net: Ipv4Net = text.trim().parse().ok()?;
        (net.trunc() == net).then_some(net)
    }
}

/// An IPv4 address, exactly (`10.0.1.4`).
impl Syntax for Ipv4Addr {
    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

/// The protocol of a security rule: `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `*`, in any case and
/// without blanks (ARM echoes the spelling given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AzProtocol {
    /// `Tcp`.
    Tcp,
    /// `Udp`.
    Udp,
    /// `Icmp`.
    Icmp,
    /// `Esp`.
    Esp,
    /// `Ah`.
    Ah,
    /// `*`: every protocol.
    Any,
}

impl Syntax for AzProtocol {
    fn parse(text: &str) -> Option<Self> {
        const NAMES: [(&str, AzProtocol); 6] = [
            ("Tcp", AzProtocol::Tcp),
            ("Udp", AzProtocol::Udp),
            ("Icmp", AzProtocol::Icmp),
            ("Esp", AzProtocol::Esp),
            ("Ah", AzProtocol::Ah),
            ("*", AzProtocol::Any),
        ];
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(text))
            .map(|&(_, p)| p)
    }
}

/// One port range of a security rule: `*`, `N` or `N-M` (N ≤ M, within 0–65535), blanks
/// around the whole and around each number allowed. `*` is kept apart from `0-65535`: it also
/// matches traffic that has no ports (ICMP), a range does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AzPortSpec {
    /// `*`.
    Any,
    /// `N` (as `N-N`) or `N-M`, inclusive.
    Range(u16, u16),
}

impl AzPortSpec {
    /// The inclusive bounds (`*` is 0–65535).
    pub fn bounds(self) -> (u16, u16) {
        match self {
            AzPortSpec::Any => (0, 65535),
            AzPortSpec::Range(a, b) => (a, b),
        }
    }

    /// Whether a packet with destination (or source) port `port` matches; `None` is a packet
    /// without ports, which only `*` matches.
    pub fn matches(self, port: Option<u16>) -> bool {
        match (self, port) {
            (AzPortSpec::Any, _) => true,
            (AzPortSpec::Range(a, b), Some(p)) => a <= p && p <= b,
            (AzPortSpec::Range(..), None) => false,
        }
    }
}

impl Syntax for AzPortSpec {
    fn parse(text: &str) -> Option<Self> {
        let s = text.trim();
        if s == "*" {
            return Some(AzPortSpec::Any);
        }
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let (a, b): (u16, u16) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        (a <= b).then_some(AzPortSpec::Range(a, b))
    }
}

/// A service tag in a security rule. The tags the emulator gives a meaning are named; any other
/// word of tag syntax (a letter, then letters, digits and dots: `Storage`, `Sql.EastUS`) is
/// kept as `Other` and matches no address (its expansion is empty). Tags are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AzServiceTag {
    /// `VirtualNetwork`: the VNet's address space, its connected peers' and its subnets' UDR
    /// prefixes ([`super::security::virtual_network_tag`]).
    VirtualNetwork,
    /// `Internet`: public addresses outside the VNet's space.
    Internet,
    /// `AzureLoadBalancer`: 168.63.129.16.
    AzureLoadBalancer,
    /// The word `Any`: the reachability engine matches every address with it, as with `*`;
    /// the effective rules do not expand it (unverified against Azure; kept as before).
    AnyWord,
    /// Any other tag, as written.
    Other(String),
}

impl AzServiceTag {
    /// The tag a word of tag syntax names, or `None` when `text` is not of tag syntax.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.is_empty()
            || !b[0].is_ascii_alphabetic()
            || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'.')
        {
            return None;
        }
        Some(match text.to_ascii_lowercase().as_str() {
            "virtualnetwork" => AzServiceTag::VirtualNetwork,
            "internet" => AzServiceTag::Internet,
            "azureloadbalancer" => AzServiceTag::AzureLoadBalancer,
            "any" => AzServiceTag::AnyWord,
            _ => AzServiceTag::Other(text.to_owned()),
        })
    }
}

/// A source or destination of a security rule: `*`, a prefix (`10.0.0.0/16`; host bits are
/// accepted and ignored), an address (`10.0.0.4`, as a /32) or a service tag, blanks around it
/// allowed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AzAddressSpec {
    /// `*`: every address.
    Any,
    /// A prefix, host bits cleared.
    Prefix(Ipv4Net),
    /// A service tag.
    ServiceTag(AzServiceTag),
}

impl Syntax for AzAddressSpec {
    fn parse(text: &str) -> Option<Self> {
        let p = text.trim();
        if p == "*" {
            return Some(AzAddressSpec::Any);
        }
        if let Ok(n) = p.parse::<Ipv4Net>() {
            return Some(AzAddressSpec::Prefix(n.trunc()));
        }
        if let Ok(a) = p.parse::<Ipv4Addr>() {
            return Some(AzAddressSpec::Prefix(Ipv4Net::from(a)));
        }
        AzServiceTag::parse(p).map(AzAddressSpec::ServiceTag)
    }
}

/// The protocol of a security rule as the request spelled it.
pub type RuleProtocol = Spelled<AzProtocol>;
/// A port range of a security rule as the request spelled it.
pub type RulePorts = Spelled<AzPortSpec>;
/// A source or destination of a security rule as the request spelled it.
pub type RuleAddress = Spelled<AzAddressSpec>;

/// An address prefix as a request gave it.
pub type AddressPrefix = Spelled<Ipv4Net>;
/// An IP address as a request gave it.
pub type IpAddress = Spelled<Ipv4Addr>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_addresses_parse_as_arm_reads_them() {
        let p = AddressPrefix::new(" 10.0.0.0/16 ");
        assert_eq!(p.value(), Some(&"10.0.0.0/16".parse().unwrap()));
        assert_eq!(p.text(), " 10.0.0.0/16 ", "the text is kept as given");
        assert_eq!(AddressPrefix::new("10.0.0.1/16").value(), None, "host bits");
        assert_eq!(AddressPrefix::new("nope").value(), None);
        assert_eq!(
            IpAddress::new("10.0.1.4").value(),
            Some(&Ipv4Addr::new(10, 0, 1, 4))
        );
        assert_eq!(IpAddress::new(" 10.0.1.4").value(), None, "no blanks");
    }

    #[test]
    fn rule_protocols_every_spelling() {
        let ok = [
            ("Tcp", AzProtocol::Tcp),
            ("tcp", AzProtocol::Tcp),
            ("TCP", AzProtocol::Tcp),
            ("Udp", AzProtocol::Udp),
            ("uDP", AzProtocol::Udp),
            ("Icmp", AzProtocol::Icmp),
            ("icmp", AzProtocol::Icmp),
            ("Esp", AzProtocol::Esp),
            ("ESP", AzProtocol::Esp),
            ("Ah", AzProtocol::Ah),
            ("ah", AzProtocol::Ah),
            ("*", AzProtocol::Any),
        ];
        for (text, want) in ok {
            let p = RuleProtocol::new(text);
            assert_eq!(p.value(), Some(&want), "{text:?}");
            assert_eq!(p.text(), text, "the spelling is kept");
        }
        for bad in [
            "", " Tcp", "Tcp ", "All", "any", "Gre", "6", "**", "Tcp,Udp",
        ] {
            assert_eq!(RuleProtocol::new(bad).value(), None, "{bad:?} is refused");
        }
    }

    #[test]
    fn rule_port_ranges_every_spelling() {
        let ok = [
            ("*", AzPortSpec::Any),
            (" * ", AzPortSpec::Any),
            ("80", AzPortSpec::Range(80, 80)),
            (" 80", AzPortSpec::Range(80, 80)),
            ("0", AzPortSpec::Range(0, 0)),
            ("65535", AzPortSpec::Range(65535, 65535)),
            ("1000-2000", AzPortSpec::Range(1000, 2000)),
            ("1000 - 2000", AzPortSpec::Range(1000, 2000)),
            ("80-80", AzPortSpec::Range(80, 80)),
            ("0-65535", AzPortSpec::Range(0, 65535)),
            ("+80", AzPortSpec::Range(80, 80)),
        ];
        for (text, want) in ok {
            let p = RulePorts::new(text);
            assert_eq!(p.value(), Some(&want), "{text:?}");
            assert_eq!(p.text(), text);
        }
        for bad in [
            "", " ", "70000", "65536", "90-80", "-1", "80-", "-80", "1-2-3", "x", "80,81", "*-80",
        ] {
            assert_eq!(RulePorts::new(bad).value(), None, "{bad:?} is refused");
        }
        assert!(
            AzPortSpec::Any.matches(None),
            "* admits traffic without ports"
        );
        assert!(
            !AzPortSpec::Range(0, 65535).matches(None),
            "a range does not"
        );
        assert!(AzPortSpec::Range(80, 90).matches(Some(90)));
        assert!(!AzPortSpec::Range(80, 90).matches(Some(91)));
        assert_eq!(AzPortSpec::Any.bounds(), (0, 65535));
    }

    #[test]
    fn rule_addresses_every_spelling() {
        let net = |s: &str| AzAddressSpec::Prefix(s.parse().unwrap());
        let tag = AzAddressSpec::ServiceTag;
        let ok = [
            ("*", AzAddressSpec::Any),
            (" * ", AzAddressSpec::Any),
            ("10.0.0.0/16", net("10.0.0.0/16")),
            (" 10.0.0.0/16 ", net("10.0.0.0/16")),
            ("10.0.0.1/16", net("10.0.0.0/16")),
            ("0.0.0.0/0", net("0.0.0.0/0")),
            ("10.0.0.4", net("10.0.0.4/32")),
            ("VirtualNetwork", tag(AzServiceTag::VirtualNetwork)),
            ("virtualnetwork", tag(AzServiceTag::VirtualNetwork)),
            ("Internet", tag(AzServiceTag::Internet)),
            ("INTERNET", tag(AzServiceTag::Internet)),
            ("AzureLoadBalancer", tag(AzServiceTag::AzureLoadBalancer)),
            ("Any", tag(AzServiceTag::AnyWord)),
            ("Storage", tag(AzServiceTag::Other("Storage".into()))),
            ("Sql.EastUS", tag(AzServiceTag::Other("Sql.EastUS".into()))),
            (" Storage", tag(AzServiceTag::Other("Storage".into()))),
        ];
        for (text, want) in ok {
            let p = RuleAddress::new(text);
            assert_eq!(p.value(), Some(&want), "{text:?}");
            assert_eq!(p.text(), text);
        }
        for bad in [
            "",
            " ",
            "10.0.0.0/33",
            "10.0.0",
            "256.0.0.1",
            "1Storage",
            "Sql-EastUS",
            "Sql EastUS",
            "10.0.0.0/16,10.1.0.0/16",
            "::/0",
            "fd00::/8",
            "**",
        ] {
            assert_eq!(RuleAddress::new(bad).value(), None, "{bad:?} is refused");
        }
    }

    #[test]
    fn rule_values_serialize_as_their_text() {
        let p = RulePorts::new(" 80");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\" 80\"");
        let back: RulePorts = serde_json::from_str("\" 80\"").unwrap();
        assert_eq!(back, p);
    }
}
