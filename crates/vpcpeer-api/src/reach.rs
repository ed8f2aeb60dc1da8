//! `POST /_vpcpeer/reach`: one reachability question and its answer — the verdict, the forward
//! and return paths hop by hop (with the rule that decided each hop), and every blocker with
//! its fix.

use serde::{Deserialize, Deserializer, Serialize};

/// Body of `POST /_vpcpeer/reach`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReachRequest {
    /// Caller account (default `000000000000`).
    #[serde(default)]
    pub account: Option<String>,
    /// Caller region (default `us-east-1`).
    #[serde(default)]
    pub region: Option<String>,
    /// Source: `i-…`, `eni-…`, a GCP instance, an Azure VM or NIC id, an address or
    /// `IP@NETWORK`.
    pub from: String,
    /// Destination, as the source.
    pub to: String,
    /// `tcp`, `udp`, `icmp` or `all`.
    pub protocol: String,
    /// Destination port (TCP/UDP).
    #[serde(default)]
    pub port: Option<u16>,
}

/// A component on a path: its kind and id, or, for a component of another owner than the
/// caller, its kind, owner and a label (`"id": null`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// Owner account of a hidden AWS component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The id; `null` when hidden.
    pub id: Option<String>,
    /// `route-table`, `security-group`, `firewall-rule`, … .
    pub kind: String,
    /// `kind (owner, vpc-…)` of a hidden component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Owner project of a hidden GCP component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// Owner subscription of a hidden Azure component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    /// The VPC of a hidden AWS component, when the caller may see that VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
}

impl Component {
    /// A visible component.
    pub fn new(kind: impl Into<String>, id: impl Into<String>) -> Self {
        Component {
            kind: kind.into(),
            id: Some(id.into()),
            ..Component::default()
        }
    }
}

/// A packet header as a component sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Destination address.
    pub dst_ip: String,
    /// Destination port (TCP/UDP), else `null`.
    pub dst_port: Option<u16>,
    /// ICMP code (ICMP only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_code: Option<u8>,
    /// ICMP type (ICMP only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<u8>,
    /// `tcp`, `udp`, `icmp`, `all`.
    pub protocol: String,
    /// Source address.
    pub src_ip: String,
    /// Source port (TCP/UDP), else `null`.
    pub src_port: Option<u16>,
}

/// Present-but-null versus absent: `Some(None)` is `null`, `None` is no key at all.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A route: an AWS route (`destination`, `target`), or a GCP or Azure route, which also has a
/// `name` and a `priority` (both `null` where absent or hidden).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteRule {
    /// Destination prefix.
    pub destination: String,
    /// GCP/Azure: the route's name (`null` for another owner's route); absent for AWS.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<Option<String>>,
    /// GCP: its priority; Azure: `null`; absent for AWS.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<Option<u32>>,
    /// The target (`pcx-…`, `local`, a next hop in the cloud's words).
    pub target: String,
}

/// The security group rule that admitted a packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroupRule {
    /// `ingress` or `egress`.
    pub direction: String,
    /// The group (`null` for another owner's group).
    pub group_id: Option<String>,
    /// `sgr-…` (`null` for another owner's group).
    pub rule_id: Option<String>,
}

/// The network ACL entry that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclEntryRule {
    /// `allow` or `deny`.
    pub action: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// The entry's number; `null` for the implicit deny (`*`).
    pub rule_number: Option<i32>,
}

/// A GCP firewall rule or an Azure NSG rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterRule {
    /// `allow` or `deny`.
    pub action: String,
    /// `ingress` or `egress`.
    pub direction: String,
    /// The GCP network or Azure NSG holding it (`null` for another owner's).
    pub policy: Option<String>,
    /// Priority (lower is evaluated first).
    pub priority: u32,
    /// Its name (`null` for another owner's).
    pub rule: Option<String>,
}

/// The rule of a component that decided a hop, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Rule {
    /// `route`.
    Route(RouteRule),
    /// `security-group-rule`.
    SecurityGroupRule(SecurityGroupRule),
    /// `network-acl-entry`.
    NetworkAclEntry(AclEntryRule),
    /// `firewall-rule` (GCP firewall rules and Azure NSG rules).
    FirewallRule(FilterRule),
}

/// One component on a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// The component.
    pub component: Component,
    /// Header entering it.
    pub inbound: Header,
    /// Header leaving it (differs where a NAT gateway rewrites it).
    pub outbound: Header,
    /// The rule that applied, if any.
    pub rule: Option<Rule>,
}

/// The path a blocker is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Leg {
    /// From the source to the destination.
    Forward,
    /// The reply.
    Return,
}

/// Why the path is blocked, and what would fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocker {
    /// `NO_ROUTE_TO_DESTINATION`, `FIREWALL_RULE`, … .
    pub code: String,
    /// Where.
    pub component: Component,
    /// A sentence naming rule, route, addresses.
    pub detail: String,
    /// A one-line change that would remove it.
    pub fix: String,
    /// `forward` or `return`.
    pub leg: Leg,
}

/// The answer of `POST /_vpcpeer/reach`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachAnswer {
    /// Every blocker, in path order; empty iff reachable.
    pub blockers: Vec<Blocker>,
    /// The forward path (for an unreachable query, the most plausible blocked one).
    pub forward: Vec<Hop>,
    /// Whether the packet gets there and the reply comes back.
    pub reachable: bool,
    /// The return path.
    #[serde(rename = "return")]
    pub ret: Vec<Hop>,
}
