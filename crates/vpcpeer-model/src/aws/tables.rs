//! The AWS tables of the [`World`](crate::World): one map per resource kind, keyed by id, with
//! the indexes derived from them. Only this crate changes them (through [`Tx`](crate::Tx)); every
//! other crate reads them through the accessors.

use std::collections::{BTreeMap, BTreeSet};

use crate::{
    CustomerGateway, DhcpOptions, EgressOnlyInternetGateway, ElasticIp, Instance, InternetGateway,
    KeyPair, LaunchTemplate, ManagedPrefixList, NatGateway, NetworkAcl, NetworkInsightsAnalysis,
    NetworkInsightsPath, NetworkInterface, PeeringConnection, RegionSetup, RouteTable, RouteTarget,
    SecurityGroup, Subnet, Vpc, VpcEndpoint, VpnGateway,
};

cloud_tables! {
    /// Every AWS resource, by kind and id (ordered by id, so listings and paging are
    /// deterministic).
    Tables {
        vpcs: Vpc, "VPCs.";
        subnets: Subnet, "Subnets.";
        route_tables: RouteTable, "Route tables.";
        internet_gateways: InternetGateway, "Internet gateways.";
        nat_gateways: NatGateway, "NAT gateways.";
        security_groups: SecurityGroup, "Security groups.";
        network_acls: NetworkAcl, "Network ACLs.";
        instances: Instance, "Instances.";
        network_interfaces: NetworkInterface, "Network interfaces.";
        peerings: PeeringConnection, "Peering connections.";
        insights_paths: NetworkInsightsPath, "Network insights paths.";
        insights_analyses: NetworkInsightsAnalysis, "Network insights analyses.";
        region_setups: RegionSetup, "The (account, region) pairs set up with their default VPC.";
        // --- IPv6 ---
        egress_only_gateways: EgressOnlyInternetGateway, "Egress-only internet gateways.";
        elastic_ips: ElasticIp, "Elastic IP addresses.";
        vpn_gateways: VpnGateway, "Virtual private gateways.";
        customer_gateways: CustomerGateway, "Customer gateways.";
        dhcp_options: DhcpOptions, "DHCP option sets.";
        prefix_lists: ManagedPrefixList, "Managed prefix lists (the callers' own; AWS-managed ones are computed).";
        vpc_endpoints: VpcEndpoint, "VPC endpoints.";
        key_pairs: KeyPair, "Key pairs.";
        launch_templates: LaunchTemplate, "Launch templates.";
    }
    index: Indexes;
}

/// Ids by key: a set of record ids under each key.
type IdIndex = BTreeMap<String, BTreeSet<String>>;

/// The indexes derived from the AWS tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Indexes {
    /// Peering connection ids by the VPC ids of their two sides.
    peerings_by_vpc: IdIndex,
    /// Peering connection ids by the accounts of their two sides.
    peerings_by_account: IdIndex,
    /// Route table ids by the peering connections their routes target.
    route_tables_by_peering: IdIndex,
    /// The other way round: the peering connections each indexed route table targets, so that a
    /// table is taken out of `route_tables_by_peering` whatever its routes were changed to.
    peerings_of_route_table: IdIndex,
}

/// The records of `table` whose ids `index` holds under `key`, in id order.
fn indexed<'a, T>(
    index: &'a IdIndex,
    table: &'a BTreeMap<String, T>,
    key: &str,
) -> impl Iterator<Item = &'a T> + 'a {
    index
        .get(key)
        .into_iter()
        .flatten()
        .filter_map(|id| table.get(id))
}

/// Takes `id` out of the set under `key` of `index`, and the set when it is left empty.
fn unindex(index: &mut IdIndex, key: &str, id: &str) {
    if let Some(set) = index.get_mut(key) {
        set.remove(id);
        if set.is_empty() {
            index.remove(key);
        }
    }
}

/// The peering connections the routes of `t` target.
fn peering_targets(t: &RouteTable) -> impl Iterator<Item = &String> {
    t.routes.iter().filter_map(|r| match &r.target {
        RouteTarget::Peering(p) => Some(p),
        _ => None,
    })
}

impl Tables {
    /// The peering connections (any state) with `vpc_id` on either side, in id order.
    pub fn peerings_of_vpc<'a>(
        &'a self,
        vpc_id: &str,
    ) -> impl Iterator<Item = &'a PeeringConnection> + 'a {
        indexed(&self.index.peerings_by_vpc, &self.peerings, vpc_id)
    }

    /// The peering connections (any state) with `account` on either side, in id order.
    pub fn peerings_of_account<'a>(
        &'a self,
        account: &str,
    ) -> impl Iterator<Item = &'a PeeringConnection> + 'a {
        indexed(&self.index.peerings_by_account, &self.peerings, account)
    }

    /// The route tables (of any owner) with a route to peering connection `pcx_id`, in id order.
    pub fn route_tables_to_peering<'a>(
        &'a self,
        pcx_id: &str,
    ) -> impl Iterator<Item = &'a RouteTable> + 'a {
        indexed(
            &self.index.route_tables_by_peering,
            &self.route_tables,
            pcx_id,
        )
    }

    /// Index upkeep of peering connections after the connection `id` changed (`old`: what it
    /// replaced). A connection's two VPC ids and accounts never change.
    pub(crate) fn reindex_peering(&mut self, id: &str, old: Option<&PeeringConnection>) {
        if let Some(p) = old {
            for side in [&p.requester, &p.accepter] {
                unindex(&mut self.index.peerings_by_vpc, &side.vpc_id, &p.id);
                unindex(
                    &mut self.index.peerings_by_account,
                    &side.scope.account,
                    &p.id,
                );
            }
        }
        let Some(p) = self.peerings.get(id) else {
            return;
        };
        for side in [&p.requester, &p.accepter] {
            self.index
                .peerings_by_vpc
                .entry(side.vpc_id.clone())
                .or_default()
                .insert(id.to_owned());
            self.index
                .peerings_by_account
                .entry(side.scope.account.clone())
                .or_default()
                .insert(id.to_owned());
        }
    }

    /// Index upkeep of route tables. It does not rely on the old value: a table's routes are
    /// also changed in place through [`Tx::get_mut`](crate::Tx::get_mut), which the transaction
    /// reindexes only when it commits, so the index is brought to the table's current routes from
    /// what it last recorded for the table.
    pub(crate) fn reindex_route_table(&mut self, id: &str, _old: Option<&RouteTable>) {
        let now: BTreeSet<String> = self
            .route_tables
            .get(id)
            .map(|t| peering_targets(t).cloned().collect())
            .unwrap_or_default();
        let before = self.index.peerings_of_route_table.get(id);
        if before == Some(&now) || (before.is_none() && now.is_empty()) {
            return;
        }
        for pcx in before.into_iter().flatten().filter(|p| !now.contains(*p)) {
            unindex(&mut self.index.route_tables_by_peering, pcx, id);
        }
        for pcx in &now {
            self.index
                .route_tables_by_peering
                .entry(pcx.clone())
                .or_default()
                .insert(id.to_owned());
        }
        if now.is_empty() {
            self.index.peerings_of_route_table.remove(id);
        } else {
            self.index
                .peerings_of_route_table
                .insert(id.to_owned(), now);
        }
    }

    /// Whether the derived indexes match the tables (a rebuild from scratch gives the same).
    pub(crate) fn indexes_consistent(&self) -> bool {
        let mut rebuilt = Tables {
            peerings: self.peerings.clone(),
            route_tables: self.route_tables.clone(),
            ..Tables::default()
        };
        for id in self.peerings.keys() {
            rebuilt.reindex_peering(id, None);
        }
        for id in self.route_tables.keys() {
            rebuilt.reindex_route_table(id, None);
        }
        rebuilt.index == self.index
    }
}
