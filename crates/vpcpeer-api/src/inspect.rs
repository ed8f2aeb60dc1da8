//! `GET /_vpcpeer/inspect?id=ID`: one network or one native peering, in detail, for the
//! console's inspector and `vpcpeer inspect`.
//!
//! A network (an AWS VPC, a GCP network, an Azure VNet) shows its facts (owner, region, CIDRs)
//! and one table per routing or filtering object: each route table with its routes (a route
//! whose target is gone is flagged `blackhole`), each security group, network ACL, GCP firewall
//! rule set or Azure NSG with its rules. A peering (an AWS peering connection, a GCP peering
//! entry `NETWORK/peerings/NAME`, an Azure VNet peering link) shows its lifecycle: state, both
//! sides, its options, who may accept it and, for a pending AWS request, when it expires on the
//! emulator's clock.
//!
//! The answer is cloud-neutral on purpose: facts and titled tables of text cells, in the words
//! of each cloud's own API, so the console and the CLI render any cloud the same way. Keys are
//! sorted (fields declared in lexicographic order).

use serde::{Deserialize, Serialize};

/// The answer of `GET /_vpcpeer/inspect?id=ID`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    /// `aws`, `gcp` or `azure`.
    pub cloud: String,
    /// Facts, in display order.
    pub facts: Vec<InspectFact>,
    /// The id asked for, as the cloud spells it.
    pub id: String,
    /// `network` or `peering`.
    pub kind: String,
    /// Its name (a `Name` tag, a GCP or Azure name), if any.
    pub name: Option<String>,
    /// Route tables and filters (networks); empty for a peering.
    pub tables: Vec<InspectTable>,
}

/// One fact: a label and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectFact {
    /// The label (`CIDRs`, `State`, `Expires`, …).
    pub key: String,
    /// Its value as text.
    pub value: String,
}

/// A titled table (a route table, a security group, an NSG, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectTable {
    /// Column headings.
    pub columns: Vec<String>,
    /// The object's id, when it has one (`rtb-…`, `sg-…`, an ARM id).
    pub id: Option<String>,
    /// `route-table`, `security-group`, `network-acl`, `firewall` or `nsg`.
    pub kind: String,
    /// Its rows, in the cloud's evaluation order where it has one.
    pub rows: Vec<InspectRow>,
    /// The heading (`Route table rtb-… (main)`).
    pub title: String,
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectRow {
    /// One cell per column.
    pub cells: Vec<String>,
    /// A warning about the row (`blackhole`), if any.
    pub flag: Option<String>,
}
