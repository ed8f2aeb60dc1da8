//! The reverse dependencies a [`Snapshot`](crate::snapshot::Snapshot) keeps of its compiled
//! parts, so that [`Snapshot::apply_changes`](crate::snapshot::Snapshot::apply_changes) can
//! recompile only what a changed record affects (see [`crate::incremental`] for the table of
//! what each change touches). Derived from the world alone, exactly like the rest of the
//! snapshot, so a fresh compile has the same and the two compare equal.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::{RouteTable, RouteTarget, RtAssocTarget, Timestamp, World};

/// A many-to-many index from items to keys, with the reverse, so an item's keys can be replaced.
/// Item lists are kept sorted by id (vectors: one allocation per key, cheap to build in order).
/// Keys are ids by default; the other clouds' index ([`crate::snapshot::clouds`]) also keys by
/// address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Multi<K: Eq + Hash = String> {
    by_key: HashMap<K, Vec<String>>,
    of_item: HashMap<String, Vec<K>>,
}

impl<K: Eq + Hash> Default for Multi<K> {
    fn default() -> Self {
        Multi {
            by_key: HashMap::new(),
            of_item: HashMap::new(),
        }
    }
}

impl<K: Clone + Eq + Hash + Ord> Multi<K> {
    /// Adds `item`, which must sort after every item added so far, with `keys` (a compile adds
    /// items in id order).
    pub(crate) fn push(&mut self, item: &str, mut keys: Vec<K>) {
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
    pub(crate) fn set(&mut self, item: &str, mut keys: Vec<K>) -> Vec<K> {
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
    pub(crate) fn items<Q>(&self, key: &Q) -> impl Iterator<Item = &String> + '_
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.by_key.get(key).into_iter().flatten()
    }

    /// The highest item id under `key` (the one a compile, scanning in id order, keeps last).
    pub(crate) fn last<Q>(&self, key: &Q) -> Option<String>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.by_key.get(key).and_then(|s| s.last()).cloned()
    }
}

/// The reverse dependencies of a snapshot's parts (see the module doc).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Deps {
    /// Route table → ids of the peerings, gateways, instances and interfaces its routes target.
    pub(crate) tables_by_target: Multi,
    /// Route table → its VPC, when it is a main table.
    pub(crate) main_tables: Multi,
    /// Route table → the subnets explicitly associated with it.
    pub(crate) subnet_tables: Multi,
    /// Network ACL → its VPC, when it is the default.
    pub(crate) default_acls: Multi,
    /// Network ACL → the subnets associated with it.
    pub(crate) subnet_acls: Multi,
    /// Subnet → its VPC.
    pub(crate) subnets_by_vpc: Multi,
    /// NAT gateway → its interface.
    pub(crate) nats_by_eni: Multi,
    /// Instance → its first interface.
    pub(crate) instances_by_eni: Multi,
    /// Security group → the prefix lists its rules refer to.
    pub(crate) groups_by_list: Multi,
    /// Elastic IP → the interface it is associated with (its public address is the
    /// interface's, on the primary private address).
    pub(crate) eips_by_eni: Multi,
    /// Pending peering requests by expiration.
    pub(crate) pending: BTreeSet<(Timestamp, String)>,
    /// Expiration of each pending request.
    pub(crate) pending_of: HashMap<String, Timestamp>,
}

fn target_id(t: &RouteTarget) -> Option<&String> {
    match t {
        RouteTarget::Peering(id)
        | RouteTarget::Gateway(id)
        | RouteTarget::NatGateway(id)
        | RouteTarget::Instance(id)
        | RouteTarget::NetworkInterface(id)
        | RouteTarget::EgressOnlyInternetGateway(id) => Some(id),
        RouteTarget::Local | RouteTarget::TransitGateway(_) | RouteTarget::VpcEndpoint(_) => None,
    }
}

/// The ids a table's compiled routes depend on: the targets of its routes, and the prefix
/// lists its routes go to (their blocks are the routes' prefixes).
fn table_targets(t: &RouteTable) -> Vec<String> {
    t.routes
        .iter()
        .filter_map(|r| target_id(&r.target).cloned())
        .chain(
            t.routes
                .iter()
                .filter_map(|r| r.destination.prefix_list().map(str::to_owned)),
        )
        .collect()
}

/// The interface an Elastic IP is associated with.
pub(crate) fn eip_enis(e: &vpcpeer_model::ElasticIp) -> Vec<String> {
    e.association
        .as_ref()
        .map(|a| a.eni_id.clone())
        .into_iter()
        .collect()
}

/// The prefix lists the rules of group `g` refer to.
pub(crate) fn group_lists(g: &vpcpeer_model::SecurityGroup) -> Vec<String> {
    g.ingress
        .iter()
        .chain(&g.egress)
        .filter_map(|r| match &r.peer {
            vpcpeer_model::RulePeer::PrefixList(p) => Some(p.clone()),
            _ => None,
        })
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
        for t in world.aws.route_tables().values() {
            d.tables_by_target.push(&t.id, table_targets(t));
            d.main_tables.push(&t.id, table_main(t));
            d.subnet_tables.push(&t.id, table_subnets(t));
        }
        for a in world.aws.network_acls().values() {
            if a.is_default {
                d.default_acls.push(&a.id, vec![a.vpc_id.clone()]);
            }
            d.subnet_acls.push(
                &a.id,
                a.associations.iter().map(|s| s.subnet_id.clone()).collect(),
            );
        }
        for s in world.aws.subnets().values() {
            d.subnets_by_vpc.push(&s.id, vec![s.vpc_id.clone()]);
        }
        for n in world.aws.nat_gateways().values() {
            d.nats_by_eni.push(&n.id, vec![n.eni_id.clone()]);
        }
        for i in world.aws.instances().values() {
            d.instances_by_eni
                .push(&i.id, i.eni_ids.first().cloned().into_iter().collect());
        }
        for p in world.aws.peerings().values() {
            d.set_pending(&p.id, Some(p));
        }
        for g in world.aws.security_groups().values() {
            d.groups_by_list.push(&g.id, group_lists(g));
        }
        for e in world.aws.elastic_ips().values() {
            d.eips_by_eni.push(&e.id, eip_enis(e));
        }
        d
    }

    /// Returns the (old, new) VPCs it is main table of and the (old, new) subnets associated.
    pub(crate) fn set_table(
        &mut self,
        id: &str,
        t: Option<&RouteTable>,
    ) -> (Vec<String>, Vec<String>) {
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

    pub(crate) fn set_acl(
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

    pub(crate) fn set_pending(&mut self, id: &str, p: Option<&vpcpeer_model::PeeringConnection>) {
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
    pub(crate) fn expiring_between(&self, a: Timestamp, b: Timestamp) -> Vec<String> {
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

pub(crate) fn insert_sorted(list: &mut Vec<String>, id: &str) {
    if let Err(i) = list.binary_search_by(|x| x.as_str().cmp(id)) {
        list.insert(i, id.to_owned());
    }
}
