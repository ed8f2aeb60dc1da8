//! Security group permissions as commands carry them ([`RulePermission`]: protocol, ports and
//! blocks as domain values). The EC2 face parses request text into this form before the world is
//! read (the model never sees a permission's text); group pairs stay ids, resolved when the
//! command runs. Also the text rule for group names and descriptions ([`check_text`]).

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::aws::error::{Field, TextProblem};
use crate::DomainError;

/// A `UserIdGroupPair` of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPair {
    /// `GroupId`.
    pub group_id: Option<String>,
    /// `GroupName` (groups of the same VPC only).
    pub group_name: Option<String>,
    /// `UserId`: the account owning the referenced group (default: the caller).
    pub user_id: Option<String>,
    /// `VpcPeeringConnectionId`.
    pub peering_id: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// A rule protocol, as the rules store it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleProtocol {
    /// Every protocol (`-1`).
    All,
    /// TCP (6).
    Tcp,
    /// UDP (17).
    Udp,
    /// ICMP (1).
    Icmp,
    /// ICMPv6 (58).
    Icmpv6,
    /// Any other IP protocol number.
    Number(u8),
}

impl RuleProtocol {
    /// The protocol as a [`SgRule`] stores it: `tcp`, `udp`, `icmp`, `icmpv6`, `-1` or the
    /// number.
    pub fn stored(self) -> String {
        match self {
            RuleProtocol::All => "-1".to_owned(),
            RuleProtocol::Tcp => "tcp".to_owned(),
            RuleProtocol::Udp => "udp".to_owned(),
            RuleProtocol::Icmp => "icmp".to_owned(),
            RuleProtocol::Icmpv6 => "icmpv6".to_owned(),
            RuleProtocol::Number(n) => n.to_string(),
        }
    }
}

/// One checked range of a [`RulePermission`]: the typed value, the text the request gave
/// (echoed when a revoke finds no rule for it) and the description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRange<T> {
    /// The block (host bits masked) or prefix list id.
    pub value: T,
    /// The text as given.
    pub given: String,
    /// Description (empty = none).
    pub description: Option<String>,
}

/// A checked `IpPermission`: protocol, ports and blocks are domain values; the group pairs
/// stay ids, resolved against the world when the command runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePermission {
    /// The protocol.
    pub protocol: RuleProtocol,
    /// From port (TCP/UDP) or ICMP type; `None` for other protocols.
    pub from_port: Option<i32>,
    /// To port (TCP/UDP) or ICMP code; `None` for other protocols.
    pub to_port: Option<i32>,
    /// IPv4 blocks.
    pub ipv4: Vec<RuleRange<Ipv4Net>>,
    /// IPv6 blocks.
    pub ipv6: Vec<RuleRange<Ipv6Net>>,
    /// Prefix list ids.
    pub prefix_lists: Vec<RuleRange<String>>,
    /// Referenced groups.
    pub groups: Vec<GroupPair>,
}

impl RulePermission {
    /// Whether it names any peer (range, prefix list or group).
    pub fn has_peers(&self) -> bool {
        !(self.ipv4.is_empty()
            && self.ipv6.is_empty()
            && self.prefix_lists.is_empty()
            && self.groups.is_empty())
    }
}

/// Characters AWS allows in VPC group names, descriptions and rule descriptions (the EC2 face
/// checks rule descriptions with it while parsing a permission).
pub fn check_text(field: Field, value: &str) -> Result<(), DomainError> {
    const EXTRA: &str = " ._-:/()#,@[]+=&;{}!$*";
    if value.chars().count() > 255 {
        return Err(DomainError::TextRefused {
            field,
            value: value.to_owned(),
            problem: TextProblem::TooLong { max: 255 },
        });
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || EXTRA.contains(*c)))
    {
        return Err(DomainError::TextRefused {
            field,
            value: value.to_owned(),
            problem: TextProblem::Character(c),
        });
    }
    Ok(())
}
