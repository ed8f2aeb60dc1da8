//! Rules the GCP commands share: IPv4 range parsing, the same-project rule for references, and
//! a network's subnetwork ranges (what overlap checks compare against).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::*;

/// An IPv4 range of a subnetwork or route as the face read it: parsed at the edge, so a command
/// never parses text. A text that is no range is kept as given, and refused by the command in
/// its place among the other checks (a request with several mistakes gets the refusal it got
/// when the model still parsed it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeInput {
    /// A range with its host bits zero.
    Range(Ipv4Net),
    /// Text that is no IPv4 CIDR range, as given.
    Malformed(String),
    /// A range with host bits set, as given.
    HostBits(String),
}

impl RangeInput {
    /// Reads `a.b.c.d/len` (host bits must be zero).
    pub fn parse(s: &str) -> RangeInput {
        let parsed = s.trim().split_once('/').and_then(|(addr, len)| {
            let addr: Ipv4Addr = addr.parse().ok()?;
            Ipv4Net::new(addr, len.parse().ok()?).ok()
        });
        match parsed {
            None => RangeInput::Malformed(s.to_owned()),
            Some(net) if net.trunc() != net => RangeInput::HostBits(s.to_owned()),
            Some(net) => RangeInput::Range(net),
        }
    }

    /// Reads a firewall source or destination: a range (host bits are dropped) or a bare
    /// address (a /32); anything else is [`RangeInput::Malformed`].
    pub fn parse_address(s: &str) -> RangeInput {
        crate::cidr::parse_v4(s)
            .or_else(|| s.parse::<Ipv4Addr>().ok().map(Ipv4Net::from))
            .map_or_else(|| RangeInput::Malformed(s.to_owned()), RangeInput::Range)
    }

    /// A firewall source or destination given in `field` (see [`parse_address`](Self::parse_address)),
    /// or its refusal.
    pub fn address(&self, field: Field) -> Result<Ipv4Net, GcpError> {
        match self {
            RangeInput::Range(net) => Ok(*net),
            RangeInput::Malformed(s) | RangeInput::HostBits(s) => Err(GcpError::BadFirewallRange {
                field,
                value: s.clone(),
            }),
        }
    }

    /// The range, or the refusal of the text given in `field`.
    pub fn range(&self, field: Field) -> Result<Ipv4Net, GcpError> {
        match self {
            RangeInput::Range(net) => Ok(*net),
            RangeInput::Malformed(s) => Err(GcpError::BadRange {
                field,
                value: s.clone(),
            }),
            RangeInput::HostBits(s) => Err(GcpError::HostBitsSet { value: s.clone() }),
        }
    }
}

impl Default for RangeInput {
    /// An absent range: the empty text, which is no range.
    fn default() -> Self {
        RangeInput::Malformed(String::new())
    }
}

impl From<&str> for RangeInput {
    fn from(s: &str) -> Self {
        RangeInput::parse(s)
    }
}

impl From<Ipv4Net> for RangeInput {
    fn from(net: Ipv4Net) -> Self {
        RangeInput::Range(net)
    }
}

/// The ranges of `network`'s subnetworks, each with the subnetwork it belongs to, in address
/// order.
pub fn network_ranges<'w>(
    world: &'w crate::World,
    network: &str,
) -> Vec<(Ipv4Net, &'w GcpSubnetwork)> {
    let mut out: Vec<(Ipv4Net, &GcpSubnetwork)> = subnetworks_of(world, network)
        .flat_map(|s| s.ranges().map(move |r| (r, s)))
        .collect();
    out.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    out
}

/// Subnetworks, routes and firewalls live in the project of their network, and instances use
/// the networks and subnetworks of their own project (Shared VPC's service projects are not
/// emulated). Refuses a reference (`path`, given in `field`) to a resource of another project: GCP allows
/// that only through Shared VPC, which the emulator does not model, and answers 400 `invalid`
/// "Invalid value for field '…': '…'. Cross-project references for this resource are not
/// allowed." (the wording GCP gives an instance template on another project's subnetwork,
/// tranquilitybase-io/tb-gcp#507). Checked before the referenced resource is looked up, so a
/// caller learns nothing of another project's resources. VPC Network Peering is the one
/// cross-project reference GCP allows without Shared VPC (see [`crate::gcp::peering`]).
pub(crate) fn same_project(project: &str, field: Field, path: &str) -> Result<(), GcpError> {
    if project_of(path) == project {
        Ok(())
    } else {
        Err(GcpError::CrossProject {
            field,
            path: path.to_owned(),
        })
    }
}

/// The network a request's `resource.network` names, as a relative path: refused when it is no
/// network reference (`invalid`, "The URL is malformed.") or names another project's network.
pub(crate) fn network_field(project: &str, reference: &str) -> Result<String, GcpError> {
    let net_id =
        resolve_network(reference, project).ok_or_else(|| GcpError::MalformedReference {
            field: Field::Network,
            value: reference.to_owned(),
        })?;
    same_project(project, Field::Network, &net_id)?;
    Ok(net_id)
}

/// A route's or firewall rule's priority (default 1000), refused above 65535.
pub(crate) fn check_priority(priority: Option<u32>) -> Result<u32, GcpError> {
    match priority.unwrap_or(1000) {
        p @ 0..=65535 => Ok(p),
        priority => Err(GcpError::PriorityTooHigh { priority }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_at_the_edge_and_refused_in_their_place() {
        let net: Ipv4Net = "10.0.0.0/24".parse().unwrap();
        let cases = [
            ("10.0.0.0/24", RangeInput::Range(net)),
            (" 10.0.0.0/24 ", RangeInput::Range(net)),
            ("10.0.0.1/24", RangeInput::HostBits("10.0.0.1/24".into())),
            ("10.0.0.0", RangeInput::Malformed("10.0.0.0".into())),
            ("10.0.0.0/33", RangeInput::Malformed("10.0.0.0/33".into())),
            ("", RangeInput::Malformed(String::new())),
        ];
        for (text, want) in cases {
            assert_eq!(RangeInput::parse(text), want, "{text:?}");
        }
        assert_eq!(RangeInput::default(), RangeInput::parse(""));
        assert_eq!(RangeInput::Range(net).range(Field::DestRange), Ok(net));
        assert_eq!(
            RangeInput::parse("x").range(Field::DestRange),
            Err(GcpError::BadRange {
                field: Field::DestRange,
                value: "x".into()
            })
        );
        assert_eq!(
            RangeInput::parse("10.0.0.1/24").range(Field::IpCidrRange),
            Err(GcpError::HostBitsSet {
                value: "10.0.0.1/24".into()
            })
        );
    }

    #[test]
    fn firewall_addresses_and_ports_are_read_at_the_edge() {
        let cases = [
            ("10.0.0.0/24", Some("10.0.0.0/24")),
            ("10.0.0.1/24", Some("10.0.0.0/24")),
            ("10.0.0.7", Some("10.0.0.7/32")),
            ("10.0.0.0/33", None),
            ("nope", None),
        ];
        for (text, want) in cases {
            let got = RangeInput::parse_address(text).address(Field::SourceRanges);
            match want {
                Some(w) => assert_eq!(got.map(|n| n.to_string()).as_deref(), Ok(w), "{text}"),
                None => assert_eq!(
                    got,
                    Err(GcpError::BadFirewallRange {
                        field: Field::SourceRanges,
                        value: text.into()
                    })
                ),
            }
        }
        assert_eq!(
            PortsInput::parse("22").ports(),
            Ok(PortRange { from: 22, to: 22 })
        );
        assert_eq!(
            PortsInput::parse("80-8080").ports(),
            Ok(PortRange { from: 80, to: 8080 })
        );
        for bad in ["9-1", "x", "", "70000"] {
            assert_eq!(
                PortsInput::parse(bad).ports(),
                Err(GcpError::BadPorts { value: bad.into() })
            );
        }
    }

    #[test]
    fn firewall_protocols_every_spelling() {
        let ok = [
            ("tcp", GcpProtocol::Tcp),
            ("TCP", GcpProtocol::Tcp),
            ("Udp", GcpProtocol::Udp),
            ("icmp", GcpProtocol::Icmp),
            ("esp", GcpProtocol::Esp),
            ("AH", GcpProtocol::Ah),
            ("sctp", GcpProtocol::Sctp),
            ("ipip", GcpProtocol::Ipip),
            ("all", GcpProtocol::All),
            ("ALL", GcpProtocol::All),
            ("0", GcpProtocol::Number(0)),
            ("6", GcpProtocol::Number(6)),
            ("255", GcpProtocol::Number(255)),
            ("006", GcpProtocol::Number(6)),
            ("+6", GcpProtocol::Number(6)),
        ];
        for (text, want) in ok {
            let p = ProtocolInput::new(text);
            assert_eq!(p.value(), Some(&want), "{text:?}");
            assert_eq!(p.text(), text);
            assert_eq!(p.lowercased().text(), text.to_ascii_lowercase());
            assert_eq!(p.lowercased().value(), Some(&want), "{text:?} lowercased");
        }
        for bad in ["", " tcp", "tcp ", "256", "-1", "gre", "any", "*", "6.0"] {
            assert_eq!(ProtocolInput::new(bad).value(), None, "{bad:?} is refused");
        }
        let takes: Vec<bool> = [
            "tcp", "udp", "sctp", "6", "17", "132", "icmp", "all", "1", "50",
        ]
        .iter()
        .map(|t| GcpProtocol::parse(t).unwrap().takes_ports())
        .collect();
        assert_eq!(
            takes,
            [true, true, true, true, true, true, false, false, false, false]
        );
        assert_eq!(GcpProtocol::Tcp.number(), Some(6));
        assert_eq!(GcpProtocol::All.number(), None);
        assert_eq!(
            serde_json::to_string(&ProtocolInput::new("TCP")).unwrap(),
            "\"TCP\"",
            "serialized as its text"
        );
    }
}
