//! Format version 1: the stored form of every record kind, as written by the first releases.
//!
//! # Schema
//!
//! A record is stored under its table tag and id (the `tbl` and `id` columns of every backend),
//! and its body is one compact JSON object with a single member: the record's **kind name**
//! (below, e.g. `"Vpc"`) whose value is the record's fields. Example (a `vpc` row):
//!
//! ```text
//! {"Vpc":{"id":"vpc-0a1b…","owner_id":"111111111111","region":"us-east-1",…}}
//! ```
//!
//! The kind names and table tags are listed in [`KINDS`] and are frozen: they are data of this
//! module, not the names of the model's types or enum variants, so renaming or regrouping those
//! (e.g. `World { aws, gcp, azure }`) changes no byte on disk.
//!
//! The fields of each kind's object are the serde form of a v1 mirror for the kinds that have one
//! (`via` in the table of kinds: `AzNsg` and `AzOperation` in `v1/azure.rs`, whose security rules
//! keep protocol, ports and prefixes as strings, and `GcpFirewall` in `v1/gcp.rs`, whose entries
//! keep `IPProtocol` as a string), and otherwise, today, the serde form of the
//! model's record type of the same name (`vpcpeer_model::Vpc`, `vpcpeer_model::gcp::GcpNetwork`, …), whose `#[serde(default)]`
//! fields may be missing in older rows. That form is pinned by two checks that fail when a
//! domain type's serde shape moves: the sample of every kind written by the first release
//! (`v1-sample.jsonl`: each row must decode, and be written back with every member it had, same
//! value, same place — [`keeps_stored_members`](super::keeps_stored_members)), and the data
//! directory of `crates/vpcpeer/tests/fixtures/persist-v1` (every row checked alike, and every
//! answer of the first release served again byte for byte by `crates/vpcpeer/tests/persist_v1.rs`).
//!
//! A field added to a record type with `#[serde(default)]` is a compatible extension of v1 (older
//! rows lack it and read as the default); a field renamed, retyped or removed is not. So is a
//! kind added to [`KINDS`] (listed in [`ADDED_KINDS`]): `RegionSetup`, the (account, region)
//! pairs set up with their default VPC, and `Subnet`'s `default_for_az`, stored only when true
//! (so every other subnet row is written exactly as before); `EgressOnlyInternetGateway`
//! (`eigw`); and `Subnet`'s `cidr` made optional for IPv6-only subnets (a subnet with an IPv4
//! block is written exactly as before, `"cidr":"10.0.0.0/24"`; an IPv6-only one writes
//! `"cidr":null`, which a build from before it refuses); `ElasticIp` (`eip`), and
//! `NetworkInterface`'s `public_ip` and `public_ip_on_launch`, stored only when set (so every
//! row of an interface without a public address is written exactly as before); `VpnGateway`,
//! `CustomerGateway` and `DhcpOptions`, and a security group rule's `tags`, stored only when it
//! has some; `ManagedPrefixList` (`pl`) and `VpcEndpoint` (`vpce`), and a route destination
//! `{"PrefixList":"pl-…"}`, a new variant older rows never hold; `GcpAddress` (`gcp-address`,
//! regional static external addresses), and `GcpInstance`'s `can_ip_forward`, `status` and
//! `metadata` and its interfaces' `access_configs`, each stored only when it is not the
//! default (true, not running, some, non-empty), so rows of instances stored before them are
//! written exactly as before; `AzPublicIp` (`az-pip`), an
//! IP configuration's `public_ip` and a VM's `power` and `custom_data`, each stored only when
//! set (a running VM without custom data, a configuration without a public IP are written
//! exactly as before).
//!
//! # When a domain type changes
//!
//! If a change to a model type changes its serde form (a renamed, retyped or removed field), its
//! v1 body must not follow it silently. Either keep the v1 body by giving that kind an on-disk
//! struct here (a mirror of that one type, in the v1 field names and types, with `From`
//! conversions both ways) and route its row of [`KINDS`] through it, or define format version 2
//! (see the parent module) with a migration of the v1 body. A mirror of every type is not kept
//! ahead of time: most of the 27 record kinds never change shape, and a copy of them all would
//! be ~80 type definitions kept in step by hand.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use vpcpeer_model::azure::{
    AzGateway, AzNic, AzNsg, AzOperation, AzPeering, AzPublicIp, AzResourceGroup, AzRouteTable,
    AzVm, AzVnet,
};
use vpcpeer_model::gcp::{
    GcpAddress, GcpFirewall, GcpInstance, GcpNetwork, GcpOperation, GcpRoute, GcpSubnetwork,
};
use vpcpeer_model::{CustomerGateway, DhcpOptions, VpnGateway};
use vpcpeer_model::{
    EgressOnlyInternetGateway, ElasticIp, Instance, InternetGateway, KeyPair, LaunchTemplate,
    ManagedPrefixList, NatGateway, NetworkAcl, NetworkInsightsAnalysis, NetworkInsightsPath,
    NetworkInterface, PeeringConnection, Record, RegionSetup, RouteTable, SecurityGroup, Subnet,
    Vpc, VpcEndpoint,
};

mod azure;
mod gcp;

/// Writes one record's fields: through its v1 mirror when the kind has one.
macro_rules! write_one {
    ($r:expr, $out:expr) => {
        serde_json::to_writer($out, $r)
    };
    ($r:expr, $out:expr, $stored:ty) => {
        serde_json::to_writer($out, &<$stored>::from($r))
    };
}

/// Reads one record's fields: through its v1 mirror when the kind has one.
macro_rules! read_one {
    ($map:expr, $variant:ident, $ty:ty) => {
        $map.next_value::<$ty>().map(Record::$variant)
    };
    ($map:expr, $variant:ident, $ty:ty, $stored:ty) => {
        $map.next_value::<$stored>()
            .map(|s| Record::$variant(<$ty>::from(s)))
    };
}

macro_rules! kinds {
    ($($table:literal, $kind:literal => $variant:ident($ty:ty) $(via $stored:ty)?;)*) => {
        /// Every record kind of format v1: its table tag and the kind name that wraps its body.
        pub const KINDS: &[(&str, &str)] = &[$(($table, $kind)),*];

        /// The table tag and kind name of `record`.
        pub(super) fn kind_of(record: &Record) -> (&'static str, &'static str) {
            match record {
                $(Record::$variant(_) => ($table, $kind),)*
            }
        }

        /// Writes the fields of `record` (the value of its kind member).
        fn write_fields(record: &Record, out: &mut Vec<u8>) -> serde_json::Result<()> {
            match record {
                $(Record::$variant(r) => write_one!(r, out $(, $stored)?),)*
            }
        }

        /// Reads the fields of a record of kind `kind`; `None` for a kind v1 does not have.
        fn read_fields<'de, A: MapAccess<'de>>(
            kind: &str,
            map: &mut A,
        ) -> Option<Result<Record, A::Error>> {
            Some(match kind {
                $($kind => read_one!(map, $variant, $ty $(, $stored)?),)*
                _ => return None,
            })
        }
    };
}

kinds! {
    "vpc", "Vpc" => Vpc(Vpc);
    "subnet", "Subnet" => Subnet(Subnet);
    "rtb", "RouteTable" => RouteTable(RouteTable);
    "igw", "InternetGateway" => InternetGateway(InternetGateway);
    "nat", "NatGateway" => NatGateway(NatGateway);
    "sg", "SecurityGroup" => SecurityGroup(SecurityGroup);
    "acl", "NetworkAcl" => NetworkAcl(NetworkAcl);
    "instance", "Instance" => Instance(Instance);
    "eni", "NetworkInterface" => NetworkInterface(NetworkInterface);
    "pcx", "Peering" => Peering(PeeringConnection);
    "nip", "InsightsPath" => InsightsPath(NetworkInsightsPath);
    "nia", "InsightsAnalysis" => InsightsAnalysis(NetworkInsightsAnalysis);
    "gcp-network", "GcpNetwork" => GcpNetwork(GcpNetwork);
    "gcp-subnetwork", "GcpSubnetwork" => GcpSubnetwork(GcpSubnetwork);
    "gcp-route", "GcpRoute" => GcpRoute(GcpRoute);
    "gcp-firewall", "GcpFirewall" => GcpFirewall(GcpFirewall) via gcp::FirewallV1;
    "gcp-instance", "GcpInstance" => GcpInstance(GcpInstance);
    "gcp-operation", "GcpOperation" => GcpOperation(GcpOperation);
    "az-rg", "AzResourceGroup" => AzResourceGroup(AzResourceGroup);
    "az-vnet", "AzVnet" => AzVnet(AzVnet);
    "az-peering", "AzPeering" => AzPeering(AzPeering);
    "az-nsg", "AzNsg" => AzNsg(AzNsg) via azure::NsgV1;
    "az-rt", "AzRouteTable" => AzRouteTable(AzRouteTable);
    "az-nic", "AzNic" => AzNic(AzNic);
    "az-vm", "AzVm" => AzVm(AzVm);
    "az-vgw", "AzGateway" => AzGateway(AzGateway);
    "az-op", "AzOperation" => AzOperation(AzOperation) via azure::OperationV1;
    // Kinds added to v1 after the first release (see ADDED_KINDS).
    "region-setup", "RegionSetup" => RegionSetup(RegionSetup);
    "eigw", "EgressOnlyInternetGateway" => EgressOnlyGateway(EgressOnlyInternetGateway);
    "eip", "ElasticIp" => ElasticIp(ElasticIp);
    "vgw", "VpnGateway" => VpnGateway(VpnGateway);
    "cgw", "CustomerGateway" => CustomerGateway(CustomerGateway);
    "dopt", "DhcpOptions" => DhcpOptions(DhcpOptions);
    "pl", "ManagedPrefixList" => PrefixList(ManagedPrefixList);
    "vpce", "VpcEndpoint" => VpcEndpoint(VpcEndpoint);
    "key", "KeyPair" => KeyPair(KeyPair);
    "lt", "LaunchTemplate" => LaunchTemplate(LaunchTemplate);
    "gcp-address", "GcpAddress" => GcpAddress(GcpAddress);
    "az-pip", "AzPublicIp" => AzPublicIp(AzPublicIp);
}

/// The table tags of the kinds added to v1 after the first release, which its data (the
/// sample, the `persist-v1` fixture) cannot hold. A new kind is a compatible extension of v1:
/// a store written before it has no rows of it and loads as before; a build that predates a kind
/// refuses a store holding it ("unknown record kind").
pub const ADDED_KINDS: &[&str] = &[
    "region-setup",
    "eigw",
    "eip",
    "vgw",
    "cgw",
    "dopt",
    "pl",
    "vpce",
    "key",
    "lt",
    "gcp-address",
    "az-pip",
];

/// The v1 body of `record`: `{"<kind>":<fields>}`, compact, fields in declaration order.
pub(super) fn encode(record: &Record) -> Vec<u8> {
    let (_, kind) = kind_of(record);
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(b"\":");
    write_fields(record, &mut out).expect("records always serialize");
    out.push(b'}');
    out
}

/// Reads a v1 body from any serde deserializer (stored bytes, or a migrated JSON value), and
/// checks that its kind belongs to `table`.
pub(super) fn decode<'de, D: Deserializer<'de>>(table: &str, body: D) -> Result<Record, D::Error> {
    body.deserialize_map(Body { table })
}

struct Body<'a> {
    table: &'a str,
}

impl<'de> Visitor<'de> for Body<'_> {
    type Value = Record;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an object with one member naming the record's kind")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let kind: String = map
            .next_key()?
            .ok_or_else(|| de::Error::custom("empty record body: no kind"))?;
        let record = read_fields(&kind, &mut map)
            .ok_or_else(|| de::Error::custom(format_args!("unknown record kind {kind:?}")))??;
        if map.next_key::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(
                "a record body has one member, found more",
            ));
        }
        let (table, _) = kind_of(&record);
        if table != self.table {
            return Err(de::Error::custom(format_args!(
                "a {kind} record belongs in table {table:?}, not {:?}",
                self.table
            )));
        }
        Ok(record)
    }
}
