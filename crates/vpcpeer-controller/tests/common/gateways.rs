//! The model's gateways: subnets, public addresses, firewalls, VMs and the routes to them, with
//! the clouds' refusals (a VM needs its subnet and its address, a firewall its peers' addresses,
//! an address attached to a VM is not released, a subnet or VPC with a VM in it is not deleted,
//! a route to a VM that is gone is a blackhole). Written from the clouds' rules, like the rest.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use vpcpeer_controller::desired::{Cloud, Desired};
use vpcpeer_controller::gateway::{config, digest, SubnetRef};
use vpcpeer_controller::observed::{
    AwsTarget, Detail, GatewayAddress, GatewayInstance, GatewaySubnet, GatewayTable,
    GatewayTableRoute, Observed, ObservedGateway,
};
use vpcpeer_controller::plan::TableRef;
use vpcpeer_controller::Action;

use super::{add, remove, Clouds};

/// A subnet the controller made for gateways.
#[derive(Debug, Clone)]
pub struct ModelSubnet {
    pub network: String,
    pub id: String,
    pub cidr: Ipv4Net,
    /// The VM it was made for (its tag).
    pub vm: String,
}

/// What the model holds of gateways beyond the observed form.
#[derive(Debug, Clone, Default)]
pub struct GatewayState {
    pub subnets: Vec<ModelSubnet>,
    /// Each VM's subnet id, from its launch.
    pub placed: BTreeMap<String, String>,
    /// GCP and Azure: the one table of each network, once it has a route.
    pub tables: BTreeMap<String, GatewayTable>,
    /// Existing subnets a file may name: network, id, public.
    pub existing: Vec<(String, String, bool)>,
}

impl Clouds {
    /// Fills in what the controller reads of gateways.
    pub fn observe_gateways(&self, desired: &Desired, seen: &mut Observed) {
        let g = &self.gw;
        let mut gateways = self.state.gateways.clone();
        for gw in desired.gateways.values() {
            for vm in gw.vms() {
                let subnet = match vm.subnet {
                    SubnetRef::Create(_) if gw.cloud == Cloud::Gcp => {
                        self.state.networks.get(&gw.network).map(|_| GatewaySubnet {
                            id: format!("{}-0", gw.network),
                            cidr: None,
                            public: true,
                            created: false,
                        })
                    }
                    SubnetRef::Create(cidr) => g
                        .subnets
                        .iter()
                        .find(|s| s.network == gw.network && s.cidr == *cidr)
                        .map(|s| GatewaySubnet {
                            id: s.id.clone(),
                            cidr: Some(s.cidr),
                            public: true,
                            created: true,
                        }),
                    SubnetRef::Existing(id) => g
                        .existing
                        .iter()
                        .find(|(n, i, _)| n == &gw.network && i == id)
                        .map(|(_, i, public)| GatewaySubnet {
                            id: i.clone(),
                            cidr: None,
                            public: *public,
                            created: false,
                        }),
                };
                if let Some(subnet) = subnet {
                    gateways
                        .entry(vm.name.to_string())
                        .or_insert_with(|| empty(&gw.network, gw.cloud))
                        .subnet = Some(subnet);
                }
            }
        }
        // Subnets of VMs the file no longer declares, found by their tags.
        for s in &g.subnets {
            let e = gateways.entry(s.vm.clone()).or_insert_with(|| {
                let cloud = self.state.networks[&s.network].detail.cloud();
                empty(&s.network, cloud)
            });
            if e.subnet.is_none() {
                e.subnet = Some(GatewaySubnet {
                    id: s.id.clone(),
                    cidr: Some(s.cidr),
                    public: true,
                    created: true,
                });
            }
        }
        let by_instance: BTreeMap<&str, &str> = self
            .state
            .gateways
            .iter()
            .filter_map(|(n, g)| g.instance.as_ref().map(|i| (i.id.as_str(), n.as_str())))
            .collect();
        let mut tables = BTreeMap::new();
        for (name, n) in &self.state.networks {
            match &n.detail {
                Detail::Aws { route_tables, .. } => {
                    let list = route_tables
                        .iter()
                        .map(|t| GatewayTable {
                            id: t.id.clone(),
                            routes: t
                                .routes
                                .iter()
                                .filter(|r| r.target != AwsTarget::Local)
                                .map(|r| {
                                    let target = r.target.to_string();
                                    let gateway = by_instance.get(target.as_str());
                                    GatewayTableRoute {
                                        destination: r.destination,
                                        gateway: gateway.map(|g| g.to_string()),
                                        blackhole: r.blackhole
                                            || (target.starts_with("i-") && gateway.is_none()),
                                        target,
                                    }
                                })
                                .collect(),
                        })
                        .collect();
                    tables.insert(name.clone(), list);
                }
                _ => {
                    if let Some(t) = g.tables.get(name) {
                        let mut t = t.clone();
                        for r in &mut t.routes {
                            let gateway = by_instance.get(r.target.as_str());
                            r.gateway = gateway.map(|g| g.to_string());
                            r.blackhole = gateway.is_none();
                        }
                        tables.insert(name.clone(), vec![t]);
                    }
                }
            }
        }
        // EC2: a route to an instance that is gone is a blackhole.
        let live: BTreeSet<&str> = by_instance.keys().copied().collect();
        for n in seen.networks.values_mut().chain(seen.orphans.values_mut()) {
            if let Detail::Aws { route_tables, .. } = &mut n.detail {
                for r in route_tables.iter_mut().flat_map(|t| t.routes.iter_mut()) {
                    if let AwsTarget::Other(id) = &r.target {
                        if id.starts_with("i-") && !live.contains(id.as_str()) {
                            r.blackhole = true;
                        }
                    }
                }
            }
        }
        seen.gateways = gateways;
        seen.gateway_tables = tables;
    }

    fn vm(&mut self, name: &str) -> Result<&mut ObservedGateway, String> {
        self.state
            .gateways
            .get_mut(name)
            .ok_or_else(|| format!("gateway {name}: nothing allocated"))
    }

    /// The instance id a route to `vm` targets; the VM must exist.
    fn target(&self, vm: &str) -> Result<String, String> {
        self.state
            .gateways
            .get(vm)
            .and_then(|g| g.instance.as_ref())
            .map(|i| i.id.clone())
            .ok_or_else(|| format!("InvalidInstanceID.NotFound: gateway {vm}"))
    }

    /// One gateway step; `Ok(false)` when the action is not a gateway's.
    pub fn gateway_step(&mut self, desired: &Desired, action: &Action) -> Result<bool, String> {
        match action.clone() {
            Action::CreateGatewaySubnet { network, cidr, .. } => {
                let n = self.network(&network)?;
                if !n.cidrs.iter().any(|b| b.contains(&cidr)) {
                    return Err("InvalidSubnet.Range".into());
                }
                if self
                    .gw
                    .subnets
                    .iter()
                    .any(|s| s.network == network && overlap(s.cidr, cidr))
                {
                    return Err("InvalidSubnet.Conflict".into());
                }
                let vm = desired
                    .gateways
                    .values()
                    .filter(|g| g.network == network)
                    .flat_map(|g| g.vms())
                    .find(|v| *v.subnet == SubnetRef::Create(cidr))
                    .map(|v| v.name.to_string())
                    .ok_or("no gateway wants this subnet")?;
                let id = self.id("subnet");
                self.gw.subnets.push(ModelSubnet {
                    network,
                    id,
                    cidr,
                    vm,
                });
            }
            Action::AllocateAddress {
                gateway,
                network,
                cloud,
            } => {
                self.next += 1;
                let ip = Ipv4Addr::from(0xC633_6400u32 + self.next as u32);
                let id = self.id("eipalloc");
                let e = self
                    .state
                    .gateways
                    .entry(gateway)
                    .or_insert_with(|| empty(&network, cloud));
                if e.address.is_some() {
                    return Err("the gateway has an address".into());
                }
                e.address = Some(GatewayAddress { id, ip });
            }
            Action::GatewayFirewall {
                gateway,
                network,
                cloud,
                peers,
                inner,
                ..
            } => {
                let mut ips = Vec::new();
                for p in &peers {
                    let ip = self
                        .state
                        .gateways
                        .get(p)
                        .and_then(|g| g.address.as_ref())
                        .map(|a| a.ip)
                        .ok_or_else(|| format!("peer {p} has no address"))?;
                    ips.push(ip);
                }
                self.network(&network)?;
                let g = self
                    .state
                    .gateways
                    .entry(gateway)
                    .or_insert_with(|| empty(&network, cloud));
                g.firewall = Some(ips);
                g.inner = inner;
            }
            Action::LaunchGateway {
                gateway,
                network,
                cloud,
                subnet,
                tunnels,
                ..
            } => {
                self.network(&network)?;
                let subnet_id = match &subnet {
                    SubnetRef::Create(_) if cloud == Cloud::Gcp => format!("{network}-0"),
                    SubnetRef::Create(cidr) => self
                        .gw
                        .subnets
                        .iter()
                        .find(|s| s.network == network && s.cidr == *cidr)
                        .map(|s| s.id.clone())
                        .ok_or("InvalidSubnetID.NotFound")?,
                    SubnetRef::Existing(id) => id.clone(),
                };
                let addresses: BTreeMap<String, Ipv4Addr> = self
                    .state
                    .gateways
                    .iter()
                    .filter_map(|(n, g)| g.address.as_ref().map(|a| (n.clone(), a.ip)))
                    .collect();
                let secret = desired.gateway_secret.as_ref().ok_or("no secret")?;
                let c = config(secret, &desired.name, &gateway, &tunnels, &addresses)
                    .map_err(|p| format!("peer {p} has no address"))?;
                let id = self.id("i");
                let e = self.vm(&gateway)?;
                if e.address.is_none() {
                    return Err("the gateway has no address to attach".into());
                }
                if e.instance.is_some() {
                    return Err("the gateway runs already".into());
                }
                e.instance = Some(GatewayInstance {
                    id,
                    digest: digest(&c),
                    running: true,
                    forwarding: true,
                    address_attached: true,
                });
                self.gw.placed.insert(gateway, subnet_id);
            }
            Action::GatewayForwarding { gateway, .. } => {
                let i = self.vm(&gateway)?.instance.as_mut().ok_or("no instance")?;
                i.forwarding = true;
            }
            Action::AttachAddress { gateway, .. } => {
                let g = self.vm(&gateway)?;
                if g.address.is_none() {
                    return Err("no address".into());
                }
                g.instance.as_mut().ok_or("no instance")?.address_attached = true;
            }
            Action::DeleteGateway { gateway, id, .. } => {
                let g = self.vm(&gateway)?;
                if g.instance.as_ref().map(|i| &i.id) != Some(&id) {
                    return Err("InvalidInstanceID.NotFound".into());
                }
                g.instance = None;
                self.gw.placed.remove(&gateway);
                self.tidy(&gateway);
            }
            Action::DeleteGatewayFirewall { gateway, .. } => {
                let g = self.vm(&gateway)?;
                if g.instance.is_some() {
                    return Err("DependencyViolation: the group is in use".into());
                }
                g.firewall.take().ok_or("InvalidGroup.NotFound")?;
                g.inner.clear();
                self.tidy(&gateway);
            }
            Action::ReleaseAddress { gateway, id, .. } => {
                let g = self.vm(&gateway)?;
                if g.instance.as_ref().is_some_and(|i| i.address_attached) {
                    return Err("InvalidIPAddress.InUse".into());
                }
                if g.address.as_ref().map(|a| &a.id) != Some(&id) {
                    return Err("InvalidAllocationID.NotFound".into());
                }
                g.address = None;
                self.tidy(&gateway);
            }
            Action::DeleteGatewaySubnet { id, .. } => {
                if self.gw.placed.values().any(|s| s == &id) {
                    return Err("DependencyViolation: the subnet has instances".into());
                }
                remove(
                    &mut self.gw.subnets,
                    |s| s.id != id,
                    "InvalidSubnetID.NotFound",
                )?;
            }
            Action::CreateGatewayRoute(via) => {
                let target = self.target(&via.gateway)?;
                let table_id = match (&via.table, via.cloud) {
                    (_, Cloud::Aws) => None,
                    (TableRef::Main, _) => Some(format!("{}/routes", via.network)),
                    (TableRef::Id(id), _) => Some(id.clone()),
                };
                match table_id {
                    None => {
                        let to = AwsTarget::Other(target);
                        self.add_aws_route(&via.network, &via.table, via.destination, to)?
                    }
                    Some(id) => {
                        self.network(&via.network)?;
                        let t = self
                            .gw
                            .tables
                            .entry(via.network)
                            .or_insert_with(|| GatewayTable {
                                id: id.clone(),
                                routes: Vec::new(),
                            });
                        if t.id != id {
                            return Err("route table not found".into());
                        }
                        let route = GatewayTableRoute {
                            destination: via.destination,
                            gateway: None,
                            target,
                            blackhole: false,
                        };
                        add(
                            &mut t.routes,
                            route,
                            |a, b| a.destination == b.destination,
                            "a route to that destination exists",
                        )?;
                    }
                }
            }
            Action::ReplaceGatewayRoute(via) => {
                let target = self.target(&via.gateway)?;
                if via.cloud == Cloud::Aws {
                    let r = self.aws_route(&via.network, via.table, via.destination)?;
                    r.target = AwsTarget::Other(target);
                    r.blackhole = false;
                } else {
                    let r = self
                        .gw
                        .tables
                        .get_mut(&via.network)
                        .filter(|t| t.id == via.table)
                        .and_then(|t| {
                            t.routes
                                .iter_mut()
                                .find(|r| r.destination == via.destination)
                        })
                        .ok_or("route not found")?;
                    r.target = target;
                }
            }
            Action::DeleteGatewayRoute {
                network,
                cloud,
                table,
                destination,
                ..
            } => {
                if cloud == Cloud::Aws {
                    self.delete_aws_route(&network, table, destination)?;
                } else {
                    let t = self
                        .gw
                        .tables
                        .get_mut(&network)
                        .filter(|t| t.id == table)
                        .ok_or("route table not found")?;
                    remove(
                        &mut t.routes,
                        |r| r.destination != destination,
                        "route not found",
                    )?;
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Forgets a VM with nothing left.
    fn tidy(&mut self, vm: &str) {
        if let Some(g) = self.state.gateways.get(vm) {
            if g.address.is_none() && g.firewall.is_none() && g.instance.is_none() {
                self.state.gateways.remove(vm);
            }
        }
    }

    /// Whether a network still holds gateway pieces (a VPC with subnets or instances is not
    /// deleted).
    pub fn holds_gateways(&self, network: &str) -> bool {
        self.gw.subnets.iter().any(|s| s.network == network)
            || self
                .state
                .gateways
                .values()
                .any(|g| g.network == network && (g.instance.is_some() || g.firewall.is_some()))
    }
}

fn empty(network: &str, cloud: Cloud) -> ObservedGateway {
    ObservedGateway {
        network: network.to_string(),
        cloud,
        address: None,
        subnet: None,
        firewall: None,
        inner: Vec::new(),
        instance: None,
    }
}

fn overlap(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Checks the gateways and their routes against what the topology means, derived without the
/// planner: every VM of every gateway has its address, a firewall admitting exactly its peers'
/// addresses, a VM running the configuration rendered from the file and those addresses,
/// forwarding and its address attached; every table of each side of an encrypted link sends
/// each remote block to the side's primary; no other VM or route to a gateway is left.
pub fn check_gateways(clouds: &Clouds, d: &Desired) -> Result<(), String> {
    let s = &clouds.state;
    let secret = d.gateway_secret.as_ref().ok_or("no secret")?;
    let addresses: BTreeMap<String, Ipv4Addr> = s
        .gateways
        .iter()
        .filter_map(|(n, g)| g.address.as_ref().map(|a| (n.clone(), a.ip)))
        .collect();
    let cidrs = |n: &str| -> Vec<Ipv4Net> {
        let mut c = s.networks[n].cidrs.clone();
        c.sort();
        c
    };
    let mut names = BTreeSet::new();
    for gw in d.gateways.values() {
        for vm in gw.vms() {
            names.insert(vm.name.to_string());
            let g = s
                .gateways
                .get(vm.name)
                .ok_or(format!("gateway {}: nothing", vm.name))?;
            let mut tunnels = Vec::new();
            for l in d.links.iter().filter(|l| l.encrypted()) {
                if !l.sides.contains(&gw.network) {
                    continue;
                }
                let peer = l.peer_of(&gw.network);
                let h = d.gateway_of(peer).ok_or("peer without a gateway")?;
                let peer_vm = match (&h.ha, vm.backup) {
                    (Some(ha), true) => ha.name.clone(),
                    _ => h.name.clone(),
                };
                tunnels.push(vpcpeer_controller::gateway::Tunnel {
                    peer: peer_vm,
                    link: l.name.clone(),
                    allowed_ips: cidrs(peer),
                });
            }
            let want_fw: BTreeSet<Ipv4Addr> = tunnels.iter().map(|t| addresses[&t.peer]).collect();
            let got_fw: BTreeSet<Ipv4Addr> = g
                .firewall
                .as_ref()
                .ok_or(format!("gateway {}: no firewall", vm.name))?
                .iter()
                .copied()
                .collect();
            if got_fw != want_fw {
                return Err(format!("gateway {}: firewall {got_fw:?}", vm.name));
            }
            let c = config(secret, &d.name, vm.name, &tunnels, &addresses)?;
            let i = g
                .instance
                .as_ref()
                .ok_or(format!("gateway {}: no VM", vm.name))?;
            if i.digest != digest(&c) || !i.forwarding || !i.address_attached {
                return Err(format!("gateway {}: {i:?}", vm.name));
            }
        }
    }
    let extra: Vec<&String> = s.gateways.keys().filter(|n| !names.contains(*n)).collect();
    if !extra.is_empty() {
        return Err(format!("gateways left: {extra:?}"));
    }
    let mut seen = Observed::default();
    clouds.observe_gateways(d, &mut seen);
    let mut want = BTreeSet::new();
    for l in d.links.iter().filter(|l| l.encrypted()) {
        for side in &l.sides {
            let gw = d.gateway_of(side).ok_or("no gateway")?;
            for t in seen.gateway_tables.get(side).into_iter().flatten() {
                for c in cidrs(l.peer_of(side)) {
                    want.insert((side.clone(), t.id.clone(), c, gw.name.clone()));
                }
            }
            if seen.gateway_tables.get(side).is_none_or(Vec::is_empty) {
                return Err(format!("{side}: no route table"));
            }
        }
    }
    let mut got = BTreeSet::new();
    for (n, ts) in &seen.gateway_tables {
        for t in ts {
            for r in &t.routes {
                if let Some(g) = &r.gateway {
                    if r.blackhole {
                        return Err(format!("{n}: a blackhole route to {g}"));
                    }
                    got.insert((n.clone(), t.id.clone(), r.destination, g.clone()));
                }
            }
        }
    }
    if got != want {
        return Err(format!(
            "gateway routes: extra {:?}, missing {:?}",
            got.difference(&want).collect::<Vec<_>>(),
            want.difference(&got).collect::<Vec<_>>()
        ));
    }
    Ok(())
}
