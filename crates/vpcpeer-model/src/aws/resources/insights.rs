//! The records of EC2 Network Insights: paths (the question asked) and analyses (the answer at
//! one instant, with the components of each hop and the blockers).

use serde::{Deserialize, Serialize};

use crate::aws::resources::{RouteTarget, Scope, Tags};
use crate::Timestamp;

/// A network insights path: the question "can `source` reach `destination`" kept for analyses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInsightsPath {
    /// `nip-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// Source: an instance or network interface id of the owner.
    pub source: String,
    /// Destination: an instance or network interface id of the owner, if given.
    #[serde(default)]
    pub destination: Option<String>,
    /// Source address, if given.
    #[serde(default)]
    pub source_ip: Option<String>,
    /// Destination address, if given (required when there is no destination resource).
    #[serde(default)]
    pub destination_ip: Option<String>,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// Destination port, if given.
    #[serde(default)]
    pub destination_port: Option<u16>,
    /// Creation time.
    pub created: Timestamp,
    /// User tags.
    #[serde(default)]
    pub tags: Tags,
}

/// A packet header as recorded on a path component (one address and port each way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderRecord {
    /// Source address.
    pub src_ip: String,
    /// Destination address.
    pub dst_ip: String,
    /// Protocol name (`tcp`, `udp`, …).
    pub protocol: String,
    /// Source port.
    #[serde(default)]
    pub src_port: Option<u16>,
    /// Destination port.
    #[serde(default)]
    pub dst_port: Option<u16>,
}

/// The rule of a component that decided a hop, summarised for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleRecord {
    /// A route.
    Route {
        /// Destination block.
        destination: String,
        /// Its target.
        target: RouteTarget,
    },
    /// A security group rule.
    SecurityGroupRule {
        /// The group.
        group_id: String,
        /// `ingress` or `egress`.
        direction: String,
        /// Peer block, if the rule names one.
        cidr: Option<String>,
        /// Protocol as in the rule (`tcp`, `-1`, …).
        protocol: String,
        /// Port range.
        ports: Option<(i32, i32)>,
    },
    /// A network ACL entry (`rule_number` `None`: the implicit deny).
    AclRule {
        /// Entry number.
        rule_number: Option<i32>,
        /// Egress entry.
        egress: bool,
        /// `allow` or `deny`.
        action: String,
        /// Its block.
        cidr: Option<String>,
        /// Protocol as in the entry.
        protocol: Option<String>,
        /// Port range.
        ports: Option<(i32, i32)>,
    },
}

/// A component by kind and id (kinds: `instance`, `network-interface`, `security-group`,
/// `network-acl`, `route-table`, `vpc-peering-connection`, `internet-gateway`, `nat-gateway`,
/// `vpc`, `subnet`, `internet`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRecord {
    /// Kind.
    pub kind: String,
    /// Resource id.
    pub id: String,
    /// Owner account, when known (for ARNs).
    #[serde(default)]
    pub account: Option<String>,
}

/// One hop of an analysed path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathComponentRecord {
    /// Position on the path, from 1.
    pub sequence: u32,
    /// The component.
    pub component: ComponentRecord,
    /// Its VPC, if it has one.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Its subnet, if it has one.
    #[serde(default)]
    pub subnet_id: Option<String>,
    /// Header entering it.
    pub inbound: HeaderRecord,
    /// Header leaving it.
    pub outbound: HeaderRecord,
    /// The rule that applied.
    #[serde(default)]
    pub rule: Option<RuleRecord>,
}

/// Why an analysed path is blocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExplanationRecord {
    /// Code, spelled as AWS's explanation codes.
    pub code: String,
    /// The component it names.
    pub component: ComponentRecord,
    /// `ingress` / `egress` for filter codes.
    #[serde(default)]
    pub direction: Option<String>,
    /// `forward` or `return`.
    pub leg: String,
    /// Its VPC, if it has one.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Its subnet, if it has one.
    #[serde(default)]
    pub subnet_id: Option<String>,
    /// A sentence.
    pub detail: String,
    /// The security groups it names (`securityGroupSet`): for `ENI_SG_RULES_MISMATCH`, every
    /// group of the interface, none of whose rules admits the packet (as AWS lists them).
    /// Empty for other codes, and in analyses stored before the field existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<ComponentRecord>,
}

/// Status of an analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnalysisStatus {
    /// Still running (never stored by this emulator, which analyses synchronously).
    Running,
    /// Done.
    Succeeded,
    /// The engine could not answer; see the status message.
    Failed,
}

/// A network insights analysis: the answer for a path at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInsightsAnalysis {
    /// `nia-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// The analysed path.
    pub path_id: String,
    /// Start time.
    pub started: Timestamp,
    /// Status.
    pub status: AnalysisStatus,
    /// Why it failed.
    #[serde(default)]
    pub status_message: Option<String>,
    /// Whether the path was found.
    pub path_found: bool,
    /// Forward path.
    #[serde(default)]
    pub forward: Vec<PathComponentRecord>,
    /// Return path.
    #[serde(default)]
    pub ret: Vec<PathComponentRecord>,
    /// Blockers.
    #[serde(default)]
    pub explanations: Vec<ExplanationRecord>,
    /// User tags.
    #[serde(default)]
    pub tags: Tags,
}
