//! The whole emulated network: one table per resource kind, keyed by id.

use std::collections::{BTreeMap, BTreeSet};

use crate::azure::{
    AzGateway, AzNic, AzNsg, AzOperation, AzPeering, AzResourceGroup, AzRouteTable, AzVm, AzVnet,
};
use crate::gcp::{
    GcpFirewall, GcpInstance, GcpNetwork, GcpOperation, GcpRoute, GcpSubnetwork, OpStatus,
};
use crate::{
    Instance, InternetGateway, NatGateway, NetworkAcl, NetworkInsightsAnalysis,
    NetworkInsightsPath, NetworkInterface, PeeringConnection, RouteTable, SecurityGroup, Subnet,
    Vpc,
};

/// Every resource, by kind and id. Tables are ordered by id, which makes listings and paging
/// deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct World {
    /// VPCs.
    pub vpcs: BTreeMap<String, Vpc>,
    /// Subnets.
    pub subnets: BTreeMap<String, Subnet>,
    /// Route tables. Mutate them through [`Tx`](crate::Tx) or [`Record::insert_into`], so the
    /// index of tables by the peering connections they route to follows.
    pub route_tables: BTreeMap<String, RouteTable>,
    /// Internet gateways.
    pub internet_gateways: BTreeMap<String, InternetGateway>,
    /// NAT gateways.
    pub nat_gateways: BTreeMap<String, NatGateway>,
    /// Security groups.
    pub security_groups: BTreeMap<String, SecurityGroup>,
    /// Network ACLs.
    pub network_acls: BTreeMap<String, NetworkAcl>,
    /// Instances.
    pub instances: BTreeMap<String, Instance>,
    /// Network interfaces.
    pub network_interfaces: BTreeMap<String, NetworkInterface>,
    /// Peering connections. Mutate them through [`Tx`](crate::Tx) or [`Record::insert_into`], so
    /// the indexes of connections by VPC and by account follow; a connection's two VPC ids and
    /// accounts never change.
    pub peerings: BTreeMap<String, PeeringConnection>,
    /// Network insights paths.
    pub insights_paths: BTreeMap<String, NetworkInsightsPath>,
    /// Network insights analyses.
    pub insights_analyses: BTreeMap<String, NetworkInsightsAnalysis>,
    // Azure (keyed by lower-cased ARM id; see `crate::azure`)
    /// Azure resource groups.
    pub az_resource_groups: BTreeMap<String, AzResourceGroup>,
    /// Azure virtual networks (with their subnets).
    pub az_vnets: BTreeMap<String, AzVnet>,
    /// Azure VNet peering links (one record per side).
    pub az_peerings: BTreeMap<String, AzPeering>,
    /// Azure network security groups.
    pub az_nsgs: BTreeMap<String, AzNsg>,
    /// Azure route tables.
    pub az_route_tables: BTreeMap<String, AzRouteTable>,
    /// Azure network interfaces.
    pub az_nics: BTreeMap<String, AzNic>,
    /// Azure virtual machines.
    pub az_vms: BTreeMap<String, AzVm>,
    /// Azure virtual network gateways.
    pub az_gateways: BTreeMap<String, AzGateway>,
    /// Azure long-running operations (by operation id).
    pub az_operations: BTreeMap<String, AzOperation>,
    /// Peering connection ids by the VPC ids of their two sides (derived from `peerings`).
    peerings_by_vpc: BTreeMap<String, BTreeSet<String>>,
    /// Peering connection ids by the accounts of their two sides (derived from `peerings`).
    peerings_by_account: BTreeMap<String, BTreeSet<String>>,
    /// Route table ids by the peering connections their routes target (derived from
    /// `route_tables`).
    route_tables_by_peering: BTreeMap<String, BTreeSet<String>>,
    /// The other way round: the peering connections each indexed route table targets, so that a
    /// table is taken out of `route_tables_by_peering` whatever its routes were changed to.
    peerings_of_route_table: BTreeMap<String, BTreeSet<String>>,
    // GCP
    /// GCP networks, by relative path.
    pub gcp_networks: BTreeMap<String, GcpNetwork>,
    /// GCP subnetworks, by relative path.
    pub gcp_subnetworks: BTreeMap<String, GcpSubnetwork>,
    /// GCP routes, by relative path.
    pub gcp_routes: BTreeMap<String, GcpRoute>,
    /// GCP firewall rules, by relative path.
    pub gcp_firewalls: BTreeMap<String, GcpFirewall>,
    /// GCP instances, by relative path.
    pub gcp_instances: BTreeMap<String, GcpInstance>,
    /// GCP operations, by relative path. Mutate them through [`Tx`](crate::Tx) so the index of
    /// running ones follows.
    pub gcp_operations: BTreeMap<String, GcpOperation>,
    /// Ids of the GCP operations still running (derived from `gcp_operations`).
    gcp_running_ops: BTreeSet<String>,
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
    // GCP
    GcpNetwork(GcpNetwork),
    GcpSubnetwork(GcpSubnetwork),
    GcpRoute(GcpRoute),
    GcpFirewall(GcpFirewall),
    GcpInstance(GcpInstance),
    GcpOperation(GcpOperation),
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
}

/// A record type stored in a table of [`World`].
pub trait Entity: Clone + Sized + 'static {
    /// Table tag.
    const TABLE: &'static str;
    /// The record's id.
    fn id(&self) -> &str;
    /// Its table.
    fn table(world: &World) -> &BTreeMap<String, Self>;
    /// Its table, mutably.
    fn table_mut(world: &mut World) -> &mut BTreeMap<String, Self>;
    /// Wraps it as a [`Record`].
    fn into_record(self) -> Record;
    /// Keeps the world's derived indexes in step after the record `id` changed; `old` is what it
    /// replaced (the new value, if any, is in the table).
    fn reindex(world: &mut World, id: &str, old: Option<&Self>);
}

/// Takes `id` out of the set under `key` of `index`, and the set when it is left empty.
fn unindex(index: &mut BTreeMap<String, BTreeSet<String>>, key: &str, id: &str) {
    if let Some(set) = index.get_mut(key) {
        set.remove(id);
        if set.is_empty() {
            index.remove(key);
        }
    }
}

fn reindex_peering(world: &mut World, id: &str, old: Option<&PeeringConnection>) {
    if let Some(p) = old {
        for side in [&p.requester, &p.accepter] {
            unindex(&mut world.peerings_by_vpc, &side.vpc_id, &p.id);
            unindex(&mut world.peerings_by_account, &side.scope.account, &p.id);
        }
    }
    let Some(p) = world.peerings.get(id) else {
        return;
    };
    let vpcs = [p.requester.vpc_id.clone(), p.accepter.vpc_id.clone()];
    let accounts = [
        p.requester.scope.account.clone(),
        p.accepter.scope.account.clone(),
    ];
    for vpc in vpcs {
        world
            .peerings_by_vpc
            .entry(vpc)
            .or_default()
            .insert(id.to_owned());
    }
    for account in accounts {
        world
            .peerings_by_account
            .entry(account)
            .or_default()
            .insert(id.to_owned());
    }
}

/// The peering connections the routes of `t` target.
fn peering_targets(t: &RouteTable) -> impl Iterator<Item = &String> {
    t.routes.iter().filter_map(|r| match &r.target {
        crate::RouteTarget::Peering(p) => Some(p),
        _ => None,
    })
}

/// Index upkeep of route tables. It does not rely on `old`: a table's routes are also changed
/// in place through [`Tx::get_mut`](crate::Tx::get_mut), which the transaction reindexes only
/// when it commits, so the index is brought to the table's current routes from what it last
/// recorded for the table.
fn reindex_route_table(world: &mut World, id: &str, _old: Option<&RouteTable>) {
    let now: BTreeSet<String> = world
        .route_tables
        .get(id)
        .map(|t| peering_targets(t).cloned().collect())
        .unwrap_or_default();
    let before = world.peerings_of_route_table.get(id);
    if before == Some(&now) || (before.is_none() && now.is_empty()) {
        return;
    }
    for pcx in before.into_iter().flatten().filter(|p| !now.contains(*p)) {
        if let Some(set) = world.route_tables_by_peering.get_mut(pcx) {
            set.remove(id);
            if set.is_empty() {
                world.route_tables_by_peering.remove(pcx);
            }
        }
    }
    for pcx in &now {
        world
            .route_tables_by_peering
            .entry(pcx.clone())
            .or_default()
            .insert(id.to_owned());
    }
    if now.is_empty() {
        world.peerings_of_route_table.remove(id);
    } else {
        world.peerings_of_route_table.insert(id.to_owned(), now);
    }
}

fn reindex_gcp_operation(world: &mut World, id: &str, _old: Option<&GcpOperation>) {
    let running = world
        .gcp_operations
        .get(id)
        .is_some_and(|op| op.status == OpStatus::Running);
    if running {
        world.gcp_running_ops.insert(id.to_owned());
    } else {
        world.gcp_running_ops.remove(id);
    }
}

macro_rules! entities {
    ($($ty:ident => $field:ident, $variant:ident, $tag:literal $(, $index:ident)?;)*) => {
        $(
            impl Entity for $ty {
                const TABLE: &'static str = $tag;
                fn id(&self) -> &str { &self.id }
                fn table(world: &World) -> &BTreeMap<String, Self> { &world.$field }
                fn table_mut(world: &mut World) -> &mut BTreeMap<String, Self> { &mut world.$field }
                fn into_record(self) -> Record { Record::$variant(self) }
                #[allow(unused_variables)]
                fn reindex(world: &mut World, id: &str, old: Option<&Self>) {
                    $($index(world, id, old);)?
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

            /// Stores it in `world`, replacing any record with the same key.
            pub fn insert_into(self, world: &mut World) {
                match self {
                    $(Record::$variant(r) => {
                        let id = r.id.clone();
                        let old = world.$field.insert(id.clone(), r);
                        <$ty as Entity>::reindex(world, &id, old.as_ref());
                    })*
                }
            }
        }

        impl World {
            /// The current record under `key`, if any.
            pub fn record(&self, key: &RecordKey) -> Option<Record> {
                match key.table {
                    $($tag => self.$field.get(&key.id).cloned().map(Record::$variant),)*
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
                        <$ty as Entity>::reindex(self, &key.id, old);
                    })*
                    _ => {}
                }
            }

            /// Removes the record under `key`.
            pub fn remove_key(&mut self, key: &RecordKey) {
                match key.table {
                    $($tag => {
                        let old = self.$field.remove(&key.id);
                        <$ty as Entity>::reindex(self, &key.id, old.as_ref());
                    })*
                    _ => {}
                }
            }

            /// Number of records of all kinds.
            pub fn len(&self) -> usize {
                0 $(+ self.$field.len())*
            }

            /// Whether there are no records.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Every record, table by table (for snapshots and tests).
            pub fn records(&self) -> Vec<Record> {
                let mut out = Vec::with_capacity(self.len());
                $(out.extend(self.$field.values().cloned().map(Record::$variant));)*
                out
            }
        }
    };
}

entities! {
    Vpc => vpcs, Vpc, "vpc";
    Subnet => subnets, Subnet, "subnet";
    RouteTable => route_tables, RouteTable, "rtb", reindex_route_table;
    InternetGateway => internet_gateways, InternetGateway, "igw";
    NatGateway => nat_gateways, NatGateway, "nat";
    SecurityGroup => security_groups, SecurityGroup, "sg";
    NetworkAcl => network_acls, NetworkAcl, "acl";
    Instance => instances, Instance, "instance";
    NetworkInterface => network_interfaces, NetworkInterface, "eni";
    PeeringConnection => peerings, Peering, "pcx", reindex_peering;
    NetworkInsightsPath => insights_paths, InsightsPath, "nip";
    NetworkInsightsAnalysis => insights_analyses, InsightsAnalysis, "nia";
    // GCP
    GcpNetwork => gcp_networks, GcpNetwork, "gcp-network";
    GcpSubnetwork => gcp_subnetworks, GcpSubnetwork, "gcp-subnetwork";
    GcpRoute => gcp_routes, GcpRoute, "gcp-route";
    GcpFirewall => gcp_firewalls, GcpFirewall, "gcp-firewall";
    GcpInstance => gcp_instances, GcpInstance, "gcp-instance";
    GcpOperation => gcp_operations, GcpOperation, "gcp-operation", reindex_gcp_operation;
    // Azure
    AzResourceGroup => az_resource_groups, AzResourceGroup, "az-rg";
    AzVnet => az_vnets, AzVnet, "az-vnet";
    AzPeering => az_peerings, AzPeering, "az-peering";
    AzNsg => az_nsgs, AzNsg, "az-nsg";
    AzRouteTable => az_route_tables, AzRouteTable, "az-rt";
    AzNic => az_nics, AzNic, "az-nic";
    AzVm => az_vms, AzVm, "az-vm";
    AzGateway => az_gateways, AzGateway, "az-vgw";
    AzOperation => az_operations, AzOperation, "az-op";
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

    /// The peering connections (any state) with `vpc_id` on either side, in id order.
    pub fn peerings_of_vpc<'a>(
        &'a self,
        vpc_id: &str,
    ) -> impl Iterator<Item = &'a PeeringConnection> + 'a {
        self.peerings_by_vpc
            .get(vpc_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.peerings.get(id))
    }

    /// The peering connections (any state) with `account` on either side, in id order.
    pub fn peerings_of_account<'a>(
        &'a self,
        account: &str,
    ) -> impl Iterator<Item = &'a PeeringConnection> + 'a {
        self.peerings_by_account
            .get(account)
            .into_iter()
            .flatten()
            .filter_map(|id| self.peerings.get(id))
    }

    /// The route tables (of any owner) with a route to peering connection `pcx_id`, in id order.
    pub fn route_tables_to_peering<'a>(
        &'a self,
        pcx_id: &str,
    ) -> impl Iterator<Item = &'a RouteTable> + 'a {
        self.route_tables_by_peering
            .get(pcx_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.route_tables.get(id))
    }

    /// The GCP operations still running, in id order.
    pub fn gcp_running_operations(&self) -> impl Iterator<Item = &GcpOperation> + '_ {
        self.gcp_running_ops
            .iter()
            .filter_map(|id| self.gcp_operations.get(id))
    }

    /// Whether the derived indexes match the tables (a rebuild from scratch gives the same).
    pub fn indexes_consistent(&self) -> bool {
        let peerings = World::from_records(self.peerings.values().cloned().map(Record::Peering));
        peerings.peerings_by_vpc == self.peerings_by_vpc
            && peerings.peerings_by_account == self.peerings_by_account
            && {
                let rebuilt = World::from_records(
                    self.route_tables.values().cloned().map(Record::RouteTable),
                );
                rebuilt.route_tables_by_peering == self.route_tables_by_peering
                    && rebuilt.peerings_of_route_table == self.peerings_of_route_table
            }
            && World::from_records(
                self.gcp_operations
                    .values()
                    .cloned()
                    .map(Record::GcpOperation),
            )
            .gcp_running_ops
                == self.gcp_running_ops
    }
}
