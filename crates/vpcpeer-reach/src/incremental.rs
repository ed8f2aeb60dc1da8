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
//! | internet gateway, NAT gateway, instance, interface | its view, and the route tables with a route to it; a NAT gateway also its interface, an interface also the instances whose primary interface it is |
//! | route table | its routes, and the subnets it is or was explicitly associated with, or all subnets of its VPC when it is or was the main table |
//! | network ACL | its entries, and the subnets it is or was associated with, or all subnets of its VPC when it is or was the default |
//! | security group | its rules |
//! | subnet | its view |
//! | anything else (GCP, Azure, Network Insights records) | nothing: they are not part of the AWS snapshot |
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

use vpcpeer_model::peering::PeeringState;
use vpcpeer_model::{RecordKey, RouteTable, RouteTarget, RtAssocTarget, Timestamp, World};

use crate::snapshot::{
    acl_view, eni_view, group_view, igw_view, instance_view, nat_view, peering_view, subnet_view,
    table_view, vpc_view, Snapshot,
};

/// A many-to-many index from items to keys, with the reverse, so an item's keys can be replaced.
/// Item lists are kept sorted by id (vectors: one allocation per key, cheap to build in order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Multi {
    by_key: HashMap<String, Vec<String>>,
    of_item: HashMap<String, Vec<String>>,
}

impl Multi {
    /// Adds `item`, which must sort after every item added so far, with `keys` (a compile adds
    /// items in id order).
    fn push(&mut self, item: &str, mut keys: Vec<String>) {
        if keys.is_empty() {
            return;
        }
        if keys.len() > 1 {
            keys.sort();
            keys.dedup();
        }
        for k in &keys {
            match self.by_key.get_mut(k) {
                Some(list) => list.push(item.to_owned()),
                None => {
                    self.by_key.insert(k.clone(), vec![item.to_owned()]);
                }
            }
        }
        self.of_item.insert(item.to_owned(), keys);
    }

    /// Replaces the keys of `item` with `keys`; returns the keys it had.
    fn set(&mut self, item: &str, mut keys: Vec<String>) -> Vec<String> {
        keys.sort();
        keys.dedup();
        let old = self.of_item.remove(item).unwrap_or_default();
        for k in &old {
            if let Some(list) = self.by_key.get_mut(k) {
                list.retain(|x| x != item);
                if list.is_empty() {
                    self.by_key.remove(k);
                }
            }
        }
        for k in &keys {
            insert_sorted(self.by_key.entry(k.clone()).or_default(), item);
        }
        if !keys.is_empty() {
            self.of_item.insert(item.to_owned(), keys);
        }
        old
    }

    /// The items under `key`, in id order.
    fn items(&self, key: &str) -> impl Iterator<Item = &String> + '_ {
        self.by_key.get(key).into_iter().flatten()
    }

    /// The highest item id under `key` (the one a compile, scanning in id order, keeps last).
    fn last(&self, key: &str) -> Option<String> {
        self.by_key.get(key).and_then(|s| s.last()).cloned()
    }
}

/// The reverse dependencies of a snapshot's parts (see the module doc).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Deps {
    /// Route table → ids of the peerings, gateways, instances and interfaces its routes target.
    tables_by_target: Multi,
    /// Route table → its VPC, when it is a main table.
    main_tables: Multi,
    /// Route table → the subnets explicitly associated with it.
    subnet_tables: Multi,
    /// Network ACL → its VPC, when it is the default.
    default_acls: Multi,
    /// Network ACL → the subnets associated with it.
    subnet_acls: Multi,
    /// Subnet → its VPC.
    subnets_by_vpc: Multi,
    /// NAT gateway → its interface.
    nats_by_eni: Multi,
    /// Instance → its first interface.
    instances_by_eni: Multi,
    /// Pending peering requests by expiration.
    pending: BTreeSet<(Timestamp, String)>,
    /// Expiration of each pending request.
    pending_of: HashMap<String, Timestamp>,
}

fn target_id(t: &RouteTarget) -> Option<&String> {
    match t {
        RouteTarget::Peering(id)
        | RouteTarget::Gateway(id)
        | RouteTarget::NatGateway(id)
        | RouteTarget::Instance(id)
        | RouteTarget::NetworkInterface(id) => Some(id),
        RouteTarget::Local
        | RouteTarget::TransitGateway(_)
        | RouteTarget::EgressOnlyInternetGateway(_)
        | RouteTarget::VpcEndpoint(_) => None,
    }
}

fn table_targets(t: &RouteTable) -> Vec<String> {
    t.routes
        .iter()
        .filter_map(|r| target_id(&r.target).cloned())
        .collect()
}

fn table_main(t: &RouteTable) -> Vec<String> {
    if t.associations
        .iter()
        .any(|a| matches!(a.target, RtAssocTarget::Main))
    {
        vec![t.vpc_id.clone()]
    } else {
        Vec::new()
    }
}

fn table_subnets(t: &RouteTable) -> Vec<String> {
    t.associations
        .iter()
        .filter_map(|a| match &a.target {
            RtAssocTarget::Subnet(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

impl Deps {
    /// The dependencies of every part compiled from `world`.
    pub(crate) fn build(world: &World) -> Deps {
        let mut d = Deps::default();
        for t in world.route_tables.values() {
            d.tables_by_target.push(&t.id, table_targets(t));
            d.main_tables.push(&t.id, table_main(t));
            d.subnet_tables.push(&t.id, table_subnets(t));
        }
        for a in world.network_acls.values() {
            if a.is_default {
                d.default_acls.push(&a.id, vec![a.vpc_id.clone()]);
            }
            d.subnet_acls.push(
                &a.id,
                a.associations.iter().map(|s| s.subnet_id.clone()).collect(),
            );
        }
        for s in world.subnets.values() {
            d.subnets_by_vpc.push(&s.id, vec![s.vpc_id.clone()]);
        }
        for n in world.nat_gateways.values() {
            d.nats_by_eni.push(&n.id, vec![n.eni_id.clone()]);
        }
        for i in world.instances.values() {
            d.instances_by_eni
                .push(&i.id, i.eni_ids.first().cloned().into_iter().collect());
        }
        for p in world.peerings.values() {
            d.set_pending(&p.id, Some(p));
        }
        d
    }

    /// Returns the (old, new) VPCs it is main table of and the (old, new) subnets associated.
    fn set_table(&mut self, id: &str, t: Option<&RouteTable>) -> (Vec<String>, Vec<String>) {
        self.tables_by_target
            .set(id, t.map(table_targets).unwrap_or_default());
        let main = t.map(table_main).unwrap_or_default();
        let subnets = t.map(table_subnets).unwrap_or_default();
        let mut vpcs = self.main_tables.set(id, main.clone());
        vpcs.extend(main);
        let mut subs = self.subnet_tables.set(id, subnets.clone());
        subs.extend(subnets);
        (vpcs, subs)
    }

    fn set_acl(
        &mut self,
        id: &str,
        a: Option<&vpcpeer_model::NetworkAcl>,
    ) -> (Vec<String>, Vec<String>) {
        let default: Vec<String> = a
            .filter(|a| a.is_default)
            .map(|a| a.vpc_id.clone())
            .into_iter()
            .collect();
        let subnets: Vec<String> = a
            .map(|a| a.associations.iter().map(|s| s.subnet_id.clone()).collect())
            .unwrap_or_default();
        let mut vpcs = self.default_acls.set(id, default.clone());
        vpcs.extend(default);
        let mut subs = self.subnet_acls.set(id, subnets.clone());
        subs.extend(subnets);
        (vpcs, subs)
    }

    fn set_pending(&mut self, id: &str, p: Option<&vpcpeer_model::PeeringConnection>) {
        if let Some(exp) = self.pending_of.remove(id) {
            self.pending.remove(&(exp, id.to_owned()));
        }
        if let Some(p) = p.filter(|p| p.state == PeeringState::PendingAcceptance) {
            self.pending_of.insert(id.to_owned(), p.expiration);
            self.pending.insert((p.expiration, id.to_owned()));
        }
    }

    /// Pending requests whose derived state differs between instants `a` and `b`: those expiring
    /// in `(min, max]`.
    fn expiring_between(&self, a: Timestamp, b: Timestamp) -> Vec<String> {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        if lo == hi {
            return Vec::new();
        }
        self.pending
            .range((Timestamp(lo.0.saturating_add(1)), String::new())..)
            .take_while(|(exp, _)| *exp <= hi)
            .map(|(_, id)| id.clone())
            .collect()
    }
}

/// Ids to recompile, by kind.
#[derive(Default)]
struct Dirty {
    vpcs: BTreeSet<String>,
    peerings: BTreeSet<String>,
    igws: BTreeSet<String>,
    nats: BTreeSet<String>,
    enis: BTreeSet<String>,
    instances: BTreeSet<String>,
    tables: BTreeSet<String>,
    acls: BTreeSet<String>,
    groups: BTreeSet<String>,
    subnet_records: BTreeSet<String>,
    assoc_vpcs: BTreeSet<String>,
    subnets: BTreeSet<String>,
}

fn insert_sorted(list: &mut Vec<String>, id: &str) {
    if let Err(i) = list.binary_search_by(|x| x.as_str().cmp(id)) {
        list.insert(i, id.to_owned());
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
    /// Keys of records outside the AWS snapshot (GCP, Azure, Network Insights) are ignored.
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
                "nat" => &mut d.nats,
                "eni" => &mut d.enis,
                "instance" => &mut d.instances,
                "rtb" => &mut d.tables,
                "acl" => &mut d.acls,
                "sg" => &mut d.groups,
                "subnet" => &mut d.subnet_records,
                _ => continue,
            };
            set.insert(k.id.clone());
        }
        for id in std::mem::take(&mut d.vpcs) {
            self.refresh_vpc(world, &id, &mut d);
        }
        for id in std::mem::take(&mut d.peerings) {
            self.refresh_peering(world, &id);
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.igws) {
            match world.internet_gateways.get(&id) {
                Some(g) => {
                    self.igws.insert(id.clone(), igw_view(g));
                }
                None => {
                    self.igws.remove(&id);
                }
            }
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.nats) {
            let nat = world.nat_gateways.get(&id);
            match nat {
                Some(n) => {
                    self.nats.insert(id.clone(), nat_view(n));
                }
                None => {
                    self.nats.remove(&id);
                }
            }
            let new: Vec<String> = nat.map(|n| n.eni_id.clone()).into_iter().collect();
            d.enis.extend(self.deps.nats_by_eni.set(&id, new.clone()));
            d.enis.extend(new);
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.enis) {
            self.refresh_eni(world, &id);
            d.instances
                .extend(self.deps.instances_by_eni.items(&id).cloned());
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.instances) {
            let inst = world.instances.get(&id);
            match inst {
                Some(i) => {
                    let view = instance_view(i, |e| world.network_interfaces.contains_key(e));
                    self.instances.insert(id.clone(), view);
                }
                None => {
                    self.instances.remove(&id);
                }
            }
            let first = inst
                .and_then(|i| i.eni_ids.first().cloned())
                .into_iter()
                .collect();
            self.deps.instances_by_eni.set(&id, first);
            d.tables
                .extend(self.deps.tables_by_target.items(&id).cloned());
        }
        for id in std::mem::take(&mut d.tables) {
            let t = world.route_tables.get(&id);
            match t {
                Some(t) => {
                    self.tables.insert(id.clone(), table_view(world, t, now));
                }
                None => {
                    self.tables.remove(&id);
                }
            }
            let (vpcs, subnets) = self.deps.set_table(&id, t);
            d.assoc_vpcs.extend(vpcs);
            d.subnets.extend(subnets);
        }
        for id in std::mem::take(&mut d.acls) {
            let a = world.network_acls.get(&id);
            match a {
                Some(a) => {
                    self.acls.insert(id.clone(), acl_view(a));
                }
                None => {
                    self.acls.remove(&id);
                }
            }
            let (vpcs, subnets) = self.deps.set_acl(&id, a);
            d.assoc_vpcs.extend(vpcs);
            d.subnets.extend(subnets);
        }
        for id in std::mem::take(&mut d.groups) {
            match world.security_groups.get(&id) {
                Some(g) => {
                    self.groups.insert(id.clone(), group_view(g));
                }
                None => {
                    self.groups.remove(&id);
                }
            }
        }
        for id in std::mem::take(&mut d.subnet_records) {
            let vpc = world
                .subnets
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
            match world.subnets.get(&id) {
                Some(sub) => {
                    let route_table = self.deps.subnet_tables.last(&id);
                    let acl = self.deps.subnet_acls.last(&id);
                    let view = subnet_view(sub, &self.vpcs, route_table, acl);
                    self.subnets.insert(id.clone(), view);
                }
                None => {
                    self.subnets.remove(&id);
                }
            }
        }
    }

    /// A VPC's view; marks its peerings and its associations dirty.
    fn refresh_vpc(&mut self, world: &World, id: &str, d: &mut Dirty) {
        match world.vpcs.get(id) {
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
            .extend(world.peerings_of_vpc(id).map(|p| p.id.clone()));
        d.assoc_vpcs.insert(id.to_owned());
    }

    /// A peering's view at the snapshot's instant, its index entries, its expiration.
    fn refresh_peering(&mut self, world: &World, id: &str) {
        if let Some(old) = self.peerings.remove(id) {
            remove_from(&mut self.peerings_by_vpc, &old.requester.0, id);
            remove_from(&mut self.peerings_by_vpc, &old.accepter.0, id);
        }
        let p = world.peerings.get(id);
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
        }
        let Some(e) = world.network_interfaces.get(id) else {
            return;
        };
        let view = eni_view(e, self.deps.nats_by_eni.last(id));
        for ip in &view.ips {
            let list = self.enis_by_ip.entry(*ip).or_default();
            let at = list.partition_point(|x| x.as_str() <= id);
            list.insert(at, id.to_owned());
        }
        self.enis.insert(id.to_owned(), view);
    }
}
