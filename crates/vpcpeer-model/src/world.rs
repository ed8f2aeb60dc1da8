//! The whole emulated network: the three clouds' tables, one per resource kind, keyed by id;
//! [`Record`], a record of any kind, and [`Entity`], what the transaction needs of a kind.

use std::collections::BTreeMap;

use crate::azure::{
    AzGateway, AzNic, AzNsg, AzOperation, AzPeering, AzPublicIp, AzResourceGroup, AzRouteTable,
    AzVm, AzVnet,
};
use crate::gcp::{
    GcpAddress, GcpFirewall, GcpInstance, GcpNetwork, GcpOperation, GcpRoute, GcpSubnetwork,
};
use crate::{
    aws, azure, gcp, CustomerGateway, DhcpOptions, EgressOnlyInternetGateway, ElasticIp, Instance,
    InternetGateway, KeyPair, LaunchTemplate, ManagedPrefixList, NatGateway, NetworkAcl,
    NetworkInsightsAnalysis, NetworkInsightsPath, NetworkInterface, PeeringConnection, RegionSetup,
    RouteTable, SecurityGroup, Subnet, Vpc, VpcEndpoint, VpnGateway,
};

/// Every resource, by cloud, kind and id. Each cloud's tables are its own type
/// ([`aws::Tables`], [`gcp::Tables`], [`azure::Tables`]) with read accessors; only this crate
/// changes them, through [`Tx`](crate::Tx) (or [`World::from_records`] when a store loads
/// them), so the derived indexes always follow. The three fields are public so that a reader
/// writes `world.aws.vpcs()`; a crate may swap whole `Tables` between worlds, which keeps each
/// with its own indexes.
///
/// Another crate reads a table:
/// ```
/// let w = vpcpeer_model::World::default();
/// assert!(w.aws.peerings().is_empty() && w.gcp.networks().is_empty());
/// ```
/// but cannot change one, neither through the map
/// ```compile_fail,E0616
/// let mut w = vpcpeer_model::World::default();
/// w.aws.peerings.clear();
/// ```
/// nor through its accessor:
/// ```compile_fail,E0596
/// let mut w = vpcpeer_model::World::default();
/// w.aws.peerings().clear();
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct World {
    /// AWS: VPCs, subnets, route tables, gateways, security groups, ACLs, instances, interfaces,
    /// peering connections, insights paths and analyses, and the regions set up with their
    /// default VPC.
    pub aws: aws::Tables,
    /// GCP: networks, subnetworks, routes, firewall rules, instances, operations.
    pub gcp: gcp::Tables,
    /// Azure: resource groups, VNets, peerings, NSGs, route tables, NICs, VMs, gateways,
    /// operations.
    pub azure: azure::Tables,
}

/// Names the table of a record: its kind tag and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordKey {
    /// Table tag (stable; part of the persisted form).
    pub table: &'static str,
    /// Record id.
    pub id: String,
}

/// A resource record of any kind. Its stored form is defined by `vpcpeer-store`'s `persist`
/// module (which names each kind on disk), not by this enum: renaming a variant changes no byte
/// of a data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Record {
    Vpc(Vpc),
    Subnet(Subnet),
    RouteTable(RouteTable),
    InternetGateway(InternetGateway),
    NatGateway(NatGateway),
    SecurityGroup(SecurityGroup),
    NetworkAcl(NetworkAcl),
    Instance(Instance),
    NetworkInterface(NetworkInterface),
    Peering(PeeringConnection),
    InsightsPath(NetworkInsightsPath),
    InsightsAnalysis(NetworkInsightsAnalysis),
    RegionSetup(RegionSetup),
    EgressOnlyGateway(EgressOnlyInternetGateway),
    ElasticIp(ElasticIp),
    VpnGateway(VpnGateway),
    CustomerGateway(CustomerGateway),
    DhcpOptions(DhcpOptions),
    PrefixList(ManagedPrefixList),
    VpcEndpoint(VpcEndpoint),
    KeyPair(KeyPair),
    LaunchTemplate(LaunchTemplate),
    // GCP
    GcpNetwork(GcpNetwork),
    GcpSubnetwork(GcpSubnetwork),
    GcpRoute(GcpRoute),
    GcpFirewall(GcpFirewall),
    GcpInstance(GcpInstance),
    GcpOperation(GcpOperation),
    GcpAddress(GcpAddress),
    // Azure
    AzResourceGroup(AzResourceGroup),
    AzVnet(AzVnet),
    AzPeering(AzPeering),
    AzNsg(AzNsg),
    AzRouteTable(AzRouteTable),
    AzNic(AzNic),
    AzVm(AzVm),
    AzGateway(AzGateway),
    AzOperation(AzOperation),
    AzPublicIp(AzPublicIp),
}

/// The key that only this crate holds: [`Entity`]'s writing methods take one, so no other crate
/// can change a table behind the transaction's back.
mod sealed {
    /// Made only inside `vpcpeer-model`.
    #[derive(Debug, Clone, Copy)]
    pub struct Token(pub(crate) ());

    /// Implemented only by this crate's record types, so no other crate implements
    /// [`Entity`](super::Entity) (and so never holds a [`Token`]).
    pub trait Sealed {}
}
pub(crate) use sealed::Token;

/// A record type stored in a table of [`World`].
pub trait Entity: sealed::Sealed + Clone + Sized + 'static {
    /// Table tag.
    const TABLE: &'static str;
    /// The record's id.
    fn id(&self) -> &str;
    /// Its table.
    fn table(world: &World) -> &BTreeMap<String, Self>;
    /// Its table, mutably (this crate only: the [`Tx`](crate::Tx) keeps the undo log).
    #[doc(hidden)]
    fn table_mut(world: &mut World, token: sealed::Token) -> &mut BTreeMap<String, Self>;
    /// Wraps it as a [`Record`].
    fn into_record(self) -> Record;
    /// Keeps the world's derived indexes in step after the record `id` changed; `old` is what it
    /// replaced (the new value, if any, is in the table). This crate only.
    #[doc(hidden)]
    fn reindex(world: &mut World, id: &str, old: Option<&Self>, token: sealed::Token);
}

macro_rules! entities {
    ($($ty:ident => $cloud:ident . $field:ident, $variant:ident, $tag:literal $(, $index:ident)?;)*) => {
        $(
            impl sealed::Sealed for $ty {}

            impl Entity for $ty {
                const TABLE: &'static str = $tag;
                fn id(&self) -> &str { &self.id }
                fn table(world: &World) -> &BTreeMap<String, Self> { &world.$cloud.$field }
                fn table_mut(world: &mut World, _: Token) -> &mut BTreeMap<String, Self> {
                    &mut world.$cloud.$field
                }
                fn into_record(self) -> Record { Record::$variant(self) }
                #[allow(unused_variables)]
                fn reindex(world: &mut World, id: &str, old: Option<&Self>, _: Token) {
                    $(world.$cloud.$index(id, old);)?
                }
            }
        )*

        impl Record {
            /// Its key.
            pub fn key(&self) -> RecordKey {
                match self {
                    $(Record::$variant(r) => RecordKey { table: $tag, id: r.id.clone() },)*
                }
            }

            /// Stores it in `world`, replacing any record with the same key (outside this crate:
            /// [`World::from_records`]).
            pub(crate) fn insert_into(self, world: &mut World) {
                match self {
                    $(Record::$variant(r) => {
                        let id = r.id.clone();
                        let old = world.$cloud.$field.insert(id.clone(), r);
                        <$ty as Entity>::reindex(world, &id, old.as_ref(), Token(()));
                    })*
                }
            }
        }

        impl World {
            /// The current record under `key`, if any.
            pub fn record(&self, key: &RecordKey) -> Option<Record> {
                match key.table {
                    $($tag => self.$cloud.$field.get(&key.id).cloned().map(Record::$variant),)*
                    _ => None,
                }
            }

            /// Brings the derived indexes up to date with the record under `key`, which may have
            /// been changed in place; `old` is its value before (used by the transaction when
            /// it commits: [`Tx::get_mut`](crate::Tx::get_mut) changes records without
            /// reindexing).
            pub(crate) fn reindex_record(&mut self, key: &RecordKey, old: Option<&Record>) {
                match key.table {
                    $($tag => {
                        let old = match old {
                            Some(Record::$variant(r)) => Some(r),
                            _ => None,
                        };
                        <$ty as Entity>::reindex(self, &key.id, old, Token(()));
                    })*
                    _ => {}
                }
            }

            /// Removes the record under `key`.
            pub(crate) fn remove_key(&mut self, key: &RecordKey) {
                match key.table {
                    $($tag => {
                        let old = self.$cloud.$field.remove(&key.id);
                        <$ty as Entity>::reindex(self, &key.id, old.as_ref(), Token(()));
                    })*
                    _ => {}
                }
            }

            /// Number of records of all kinds.
            pub fn len(&self) -> usize {
                0 $(+ self.$cloud.$field.len())*
            }

            /// Whether there are no records.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Every record, table by table (for snapshots and tests).
            pub fn records(&self) -> Vec<Record> {
                let mut out = Vec::with_capacity(self.len());
                $(out.extend(self.$cloud.$field.values().cloned().map(Record::$variant));)*
                out
            }
        }
    };
}

entities! {
    Vpc => aws.vpcs, Vpc, "vpc";
    Subnet => aws.subnets, Subnet, "subnet";
    RouteTable => aws.route_tables, RouteTable, "rtb", reindex_route_table;
    InternetGateway => aws.internet_gateways, InternetGateway, "igw";
    NatGateway => aws.nat_gateways, NatGateway, "nat";
    SecurityGroup => aws.security_groups, SecurityGroup, "sg";
    NetworkAcl => aws.network_acls, NetworkAcl, "acl";
    Instance => aws.instances, Instance, "instance";
    NetworkInterface => aws.network_interfaces, NetworkInterface, "eni";
    PeeringConnection => aws.peerings, Peering, "pcx", reindex_peering;
    NetworkInsightsPath => aws.insights_paths, InsightsPath, "nip";
    NetworkInsightsAnalysis => aws.insights_analyses, InsightsAnalysis, "nia";
    RegionSetup => aws.region_setups, RegionSetup, "region-setup";
    EgressOnlyInternetGateway => aws.egress_only_gateways, EgressOnlyGateway, "eigw";
    ElasticIp => aws.elastic_ips, ElasticIp, "eip";
    VpnGateway => aws.vpn_gateways, VpnGateway, "vgw";
    CustomerGateway => aws.customer_gateways, CustomerGateway, "cgw";
    DhcpOptions => aws.dhcp_options, DhcpOptions, "dopt";
    ManagedPrefixList => aws.prefix_lists, PrefixList, "pl";
    VpcEndpoint => aws.vpc_endpoints, VpcEndpoint, "vpce";
    KeyPair => aws.key_pairs, KeyPair, "key";
    LaunchTemplate => aws.launch_templates, LaunchTemplate, "lt";
    // GCP
    GcpNetwork => gcp.networks, GcpNetwork, "gcp-network";
    GcpSubnetwork => gcp.subnetworks, GcpSubnetwork, "gcp-subnetwork";
    GcpRoute => gcp.routes, GcpRoute, "gcp-route";
    GcpFirewall => gcp.firewalls, GcpFirewall, "gcp-firewall";
    GcpInstance => gcp.instances, GcpInstance, "gcp-instance";
    GcpOperation => gcp.operations, GcpOperation, "gcp-operation", reindex_operation;
    GcpAddress => gcp.addresses, GcpAddress, "gcp-address";
    // Azure
    AzResourceGroup => azure.resource_groups, AzResourceGroup, "az-rg";
    AzVnet => azure.vnets, AzVnet, "az-vnet";
    AzPeering => azure.peerings, AzPeering, "az-peering";
    AzNsg => azure.nsgs, AzNsg, "az-nsg";
    AzRouteTable => azure.route_tables, AzRouteTable, "az-rt";
    AzNic => azure.nics, AzNic, "az-nic";
    AzVm => azure.vms, AzVm, "az-vm";
    AzGateway => azure.gateways, AzGateway, "az-vgw";
    AzOperation => azure.operations, AzOperation, "az-op";
    AzPublicIp => azure.public_ips, AzPublicIp, "az-pip";
}

impl World {
    /// Builds a world from persisted records.
    pub fn from_records(records: impl IntoIterator<Item = Record>) -> World {
        let mut w = World::default();
        for r in records {
            r.insert_into(&mut w);
        }
        w
    }

    /// Whether the derived indexes match the tables (a rebuild from scratch gives the same).
    pub fn indexes_consistent(&self) -> bool {
        self.aws.indexes_consistent() && self.gcp.indexes_consistent()
    }
}

/// The records of `table` whose keys start with `prefix`, in key order (a range scan: the
/// children of a record, the records of one project).
pub fn with_key_prefix<'a, V>(
    table: &'a BTreeMap<String, V>,
    prefix: &str,
) -> impl Iterator<Item = (&'a String, &'a V)> + 'a {
    let prefix = prefix.to_owned();
    table
        .range(prefix.clone()..)
        .take_while(move |(k, _)| k.starts_with(&prefix))
}
