//! Keeping a [`Snapshot`] current: [`Snapshot::apply_changes`] recompiles only what the changed
//! records affect, and moves the snapshot's instant.
//!
//! Each compiled part depends on a few records; the snapshot keeps the reverse of those
//! dependencies (`Deps`, derived from the world exactly like the rest of the snapshot, so a
//! fresh compile has the same and the two compare equal):
//!
//! | changed record | recompiled |
//! | --- | --- |
//! | VPC | its view (blocks), its main table and default ACL, its subnets, the peerings with it on either side (their blocks) |
//! | peering | its view and index entries, the route tables with a route to it (route state) |
//! | Elastic IP | the interfaces it is or was associated with (their public address) |
//! | internet gateway, egress-only internet gateway, NAT gateway, instance, interface | its view, and the route tables with a route to it; a NAT gateway also its interface, an interface also the instances whose primary interface it is, an instance also the route tables with a route to one of its interfaces (such a route is a blackhole while the instance is stopped) |
//! | virtual private gateway | the route tables with a route to it (route state: attached to the table's VPC) |
//! | route table | its routes, and the subnets it is or was explicitly associated with, or all subnets of its VPC when it is or was the main table |
//! | network ACL | its entries, and the subnets it is or was associated with, or all subnets of its VPC when it is or was the default |
//! | security group | its rules |
//! | subnet | its view |
//! | managed prefix list | the route tables with a route to it (its blocks are their prefixes), the security groups with a rule to it |
//! | GCP subnetwork, route, firewall rule, instance; Azure NIC, public IP address, VM | its entries in the index of those clouds ([`CloudIndex`](crate::snapshot::clouds::CloudIndex), whose module doc has the table) |
//! | anything else (other GCP and Azure records, Network Insights records) | nothing: the walks read them from the world by key |
//!
//! Nothing falls back to a full compile: the widest change, a VPC's blocks, touches that VPC's
//! subnets and peerings only.
//!
//! Time: the only state derived from the instant is a peering's (a pending request expires at its
//! expiration time, [`PeeringConnection::state_at`](vpcpeer_model::PeeringConnection::state_at))
//! and with it the state of routes to it. The snapshot indexes pending requests by expiration; when
//! the instant moves from `t0` to `t1` (either way), the requests expiring in between are
//! recompiled as if they had changed. Cost: those requests and the tables routing to them.

use std::collections::{BTreeSet, HashMap};

use vpcpeer_model::{RecordKey, Timestamp, World};

use crate::deps::{eip_enis, group_lists, insert_sorted};

use crate::snapshot::{
    acl_view, eni_view, group_view, igw_view, instance_view, nat_view, peering_view, subnet_view,
    table_view, vpc_view, Snapshot,
};

/// Ids to recompile, by kind.
#[derive(Default)]
struct Dirty {
    vpcs: BTreeSet<String>,
    peerings: BTreeSet<String>,
    igws: BTreeSet<String>,
    eigws: BTreeSet<String>,
    vgws: BTreeSet<String>,
    nats: BTreeSet<String>,
    enis: BTreeSet<String>,
    instances: BTreeSet<String>,
    tables: BTreeSet<String>,
    acls: BTreeSet<String>,
    groups: BTreeSet<String>,
    subnet_records: BTreeSet<String>,
    assoc_vpcs: BTreeSet<String>,
    subnets: BTreeSet<String>,
    prefix_lists: BTreeSet<String>,
    eips: BTreeSet<String>,
}

impl Dirty {
    /// Notes what a table's or ACL's associations changed: the VPCs whose main table or default
    /// ACL may differ, and the subnets whose table or ACL may.
    fn reassociated(&mut self, (vpcs, subnets): (Vec<String>, Vec<String>)) {
        self.assoc_vpcs.extend(vpcs);
        self.subnets.extend(subnets);
    }
}

/// Puts the view of `record` under `id`, or removes `id` when the record is gone.
fn put<R, V>(
    map: &mut HashMap<String, V>,
    id: &str,
    record: Option<&R>,
    view: impl FnOnce(&R) -> V,
) {
    match record {
        Some(r) => {
            map.insert(id.to_owned(), view(r));
        }
        None => {
            map.remove(id);
        }
    }
}

fn remove_from(map: &mut HashMap<String, Vec<String>>, key: &str, id: &str) {
    if let Some(list) = map.get_mut(key) {
        list.retain(|x| x != id);
        if list.is_empty() {
            map.remove(key);
        }
    }
}

impl Snapshot {
    /// Brings a snapshot up to date with `world` at instant `now`, given the keys of every record
    /// that changed since it was compiled or last brought up to date (in any order, repeats
    /// allowed). Afterwards it equals `Snapshot::compile(world, now)`. Only the parts those
    /// records affect are recompiled, plus the peering requests that expire between the old and
    /// the new instant (see the [module doc](crate::incremental) for what each change touches).
    /// Keys of records that no part of the snapshot holds (Network Insights, GCP networks, Azure
    /// VNets, …) are ignored.
    pub fn apply_changes(&mut self, world: &World, now: Timestamp, keys: &[RecordKey]) {
        let mut d = Dirty::default();
        if now != self.now {
            d.peerings.extend(self.deps.expiring_between(self.now, now));
            self.now = now;
        }
        for k in keys {
            let set = match k.table {
                "vpc" => &mut d.vpcs,
                "pcx" => &mut d.peerings,
                "igw" => &mut d.igws,
                "eigw" => &mut d.eigws,
                "vgw" => &mut d.vgws,
                "nat" => &mut d.nats,
                "eni" => &mut d.enis,
                "instance" => &mut d.instances,
                "rtb" => &mut d.tables,
                "acl" => &mut d.acls,
                "sg" => &mut d.groups,
                "subnet" => &mut d.subnet_records,
                "pl" => &mut d.prefix_lists,
                "eip" => &mut d.eips,
                _ => continue,
            };
            set.insert(k.id.clone());
        }
        self.clouds.apply(world, keys);
        for id in std::mem::take(&mut d.vpcs) {
            self.refresh_vpc(world, &id, &mut d);
        }
        for id in std::mem::take(&mut d.prefix_lists) {
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
            d.groups
                .extend(self.deps.groups_by_list.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.peerings) {
            self.refresh_peering(world, &id);
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.igws) {
            let igw = world.aws.internet_gateways().get(&id);
            put(&mut self.igws, &id, igw, igw_view);
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.eigws) {
            let g = world.aws.egress_only_gateways().get(&id);
            put(&mut self.eigws, &id, g, |g| g.vpc_id.clone());
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.vgws) {
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.nats) {
            let nat = world.aws.nat_gateways().get(&id);
            put(&mut self.nats, &id, nat, nat_view);
            let new: Vec<String> = nat.map(|n| n.eni_id.clone()).into_iter().collect();
            d.enis.extend(self.deps.nats_by_eni.set(&id, new.clone()));
            d.enis.extend(new);
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.eips) {
            let new = world
                .aws
                .elastic_ips()
                .get(&id)
                .map(eip_enis)
                .unwrap_or_default();
            d.enis.extend(self.deps.eips_by_eni.set(&id, new.clone()));
            d.enis.extend(new);
        }
        for id in std::mem::take(&mut d.enis) {
            self.refresh_eni(world, &id);
            d.instances
                .extend(self.deps.instances_by_eni.items(&id).cloned());
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.instances) {
            let inst = world.aws.instances().get(&id);
            put(&mut self.instances, &id, inst, |i| {
                instance_view(i, |e| world.aws.network_interfaces().contains_key(e))
            });
            let first = inst
                .and_then(|i| i.eni_ids.first().cloned())
                .into_iter()
                .collect();
            self.deps.instances_by_eni.set(&id, first);
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
            // A route to an interface follows its instance's state (stopped: blackhole).
            for eni in inst.map(|i| i.eni_ids.as_slice()).unwrap_or_default() {
                d.tables
                    .extend(self.deps.tables_by_target.items(eni).cloned());
            }
        }
        for id in std::mem::take(&mut d.tables) {
            let t = world.aws.route_tables().get(&id);
            put(&mut self.tables, &id, t, |t| table_view(world, t, now));
            d.reassociated(self.deps.set_table(&id, t));
        }
        for id in std::mem::take(&mut d.acls) {
            let a = world.aws.network_acls().get(&id);
            put(&mut self.acls, &id, a, acl_view);
            d.reassociated(self.deps.set_acl(&id, a));
        }
        for id in std::mem::take(&mut d.groups) {
            let group = world.aws.security_groups().get(&id);
            put(&mut self.groups, &id, group, |g| group_view(world, g));
            self.deps
                .groups_by_list
                .set(&id, group.map(group_lists).unwrap_or_default());
        }
        for id in std::mem::take(&mut d.subnet_records) {
            let vpc = world
                .aws
                .subnets()
                .get(&id)
                .map(|s| s.vpc_id.clone())
                .into_iter()
                .collect();
            self.deps.subnets_by_vpc.set(&id, vpc);
            d.subnets.insert(id);
        }
        for id in std::mem::take(&mut d.assoc_vpcs) {
            let main = self.deps.main_tables.last(&id);
            let acl = self.deps.default_acls.last(&id);
            if let Some(v) = self.vpcs.get_mut(&id) {
                v.main_route_table = main;
                v.default_acl = acl;
            }
            d.subnets
                .extend(self.deps.subnets_by_vpc.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.subnets) {
            let (deps, vpcs) = (&self.deps, &self.vpcs);
            put(
                &mut self.subnets,
                &id,
                world.aws.subnets().get(&id),
                |sub| {
                    let route_table = deps.subnet_tables.last(&id);
                    let acl = deps.subnet_acls.last(&id);
                    subnet_view(sub, vpcs, route_table, acl)
                },
            );
        }
    }

    /// A VPC's view; marks its peerings and its associations dirty.
    fn refresh_vpc(&mut self, world: &World, id: &str, d: &mut Dirty) {
        match world.aws.vpcs().get(id) {
            Some(v) => {
                self.vpcs.insert(id.to_owned(), vpc_view(v));
                insert_sorted(&mut self.vpc_order, id);
            }
            None => {
                self.vpcs.remove(id);
                self.vpc_order.retain(|x| x != id);
            }
        }
        d.peerings
            .extend(self.peerings_by_vpc.get(id).into_iter().flatten().cloned());
        d.peerings
            .extend(world.aws.peerings_of_vpc(id).map(|p| p.id.clone()));
        d.assoc_vpcs.insert(id.to_owned());
    }

    /// A peering's view at the snapshot's instant, its index entries, its expiration.
    fn refresh_peering(&mut self, world: &World, id: &str) {
        if let Some(old) = self.peerings.remove(id) {
            remove_from(&mut self.peerings_by_vpc, &old.requester.0, id);
            remove_from(&mut self.peerings_by_vpc, &old.accepter.0, id);
        }
        let p = world.aws.peerings().get(id);
        self.deps.set_pending(id, p);
        let Some(p) = p else { return };
        let view = peering_view(p, &self.vpcs, self.now);
        for vpc in [&p.requester.vpc_id, &p.accepter.vpc_id] {
            insert_sorted(self.peerings_by_vpc.entry(vpc.clone()).or_default(), id);
        }
        self.peerings.insert(id.to_owned(), view);
    }

    /// An interface's view and its addresses in the address index.
    fn refresh_eni(&mut self, world: &World, id: &str) {
        if let Some(old) = self.enis.remove(id) {
            for ip in &old.ips {
                if let Some(list) = self.enis_by_ip.get_mut(ip) {
                    list.retain(|x| x != id);
                    if list.is_empty() {
                        self.enis_by_ip.remove(ip);
                    }
                }
            }
            if let Some(ip) = old.public_ip {
                if let Some(list) = self.enis_by_public_ip.get_mut(&ip) {
                    list.retain(|x| x != id);
                    if list.is_empty() {
                        self.enis_by_public_ip.remove(&ip);
                    }
                }
            }
        }
        let Some(e) = world.aws.network_interfaces().get(id) else {
            return;
        };
        let elastic = self
            .deps
            .eips_by_eni
            .items(id)
            .filter_map(|x| world.aws.elastic_ips().get(x))
            .find(|x| {
                x.association
                    .as_ref()
                    .is_some_and(|a| a.private_ip == e.private_ip)
            })
            .map(|x| x.public_ip);
        let view = eni_view(e, self.deps.nats_by_eni.last(id), elastic);
        for ip in &view.ips {
            let list = self.enis_by_ip.entry(*ip).or_default();
            let at = list.partition_point(|x| x.as_str() <= id);
            list.insert(at, id.to_owned());
        }
        if let Some(ip) = view.public_ip {
            let list = self.enis_by_public_ip.entry(ip).or_default();
            let at = list.partition_point(|x| x.as_str() <= id);
            list.insert(at, id.to_owned());
        }
        self.enis.insert(id.to_owned(), view);
    }
}
