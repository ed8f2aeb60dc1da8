//! The GCP and Azure part of the [`Snapshot`](super::Snapshot): what a query across clouds
//! would otherwise find by reading every record of a table, indexed once per world.
//!
//! The walks of GCP and Azure read the [`World`] itself (their records are few per network and
//! cheap to read by key); what they must not do per query is scan a whole table to find the
//! records of one network or the holder of one address. The index keeps, by record id:
//!
//! | index | from | kept current on a change to |
//! | --- | --- | --- |
//! | GCP subnetworks, static routes, firewall rules by network | each record's `network` | that record (`gcp-subnetwork`, `gcp-route`, `gcp-firewall`) |
//! | GCP instances by internal address (any interface) and by `nic0`'s external address | the instance | the instance (`gcp-instance`) |
//! | GCP gateways: the compiled configuration of each instance of the gateway image (its `user-data` parsed, its public key derived) | the instance | the instance |
//! | Azure NICs by private address (any IP configuration) | the NIC | the NIC (`az-nic`) |
//! | Azure NICs by public IPv4 address: the address of the public IP resource the NIC shows (its primary configuration's, else its first with one) | the NIC and that resource | the NIC, or the resource (`az-pip`: the NICs naming it) |
//! | Azure gateways: the compiled configuration of each VM of the gateway image (its custom data decoded and parsed) | the VM | the VM (`az-vm`) |
//!
//! Lists are in id order, the order a scan of the world's tables (B-tree maps by id) visits
//! them, so an indexed read finds the same first record a scan does. [`Reads`] is how the walks
//! read: through the index of a snapshot, or, for the public helpers that take only a world
//! (`gcp_ingress_admits`, …), by scanning.

use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;

use vpcpeer_model::azure::{key, AzNic, AzVm};
use vpcpeer_model::gcp::{GcpFirewall, GcpInstance, GcpRoute, GcpSubnetwork};
use vpcpeer_model::{RecordKey, World};

use crate::deps::Multi;
use crate::tunnel::GatewaySetup;

/// The GCP and Azure index of a snapshot (see the module doc).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CloudIndex {
    /// GCP subnetwork → its network.
    gcp_subnetworks: Multi,
    /// GCP static route → its network.
    gcp_routes: Multi,
    /// GCP firewall rule → its network.
    gcp_firewalls: Multi,
    /// GCP instance → the internal addresses of its interfaces.
    gcp_addresses: Multi<Ipv4Addr>,
    /// GCP instance → `nic0`'s external address.
    gcp_public: Multi<Ipv4Addr>,
    /// GCP instance of the gateway image → its configuration.
    gcp_gateways: HashMap<String, GatewaySetup>,
    /// Azure NIC → the private addresses of its IP configurations.
    az_addresses: Multi<Ipv4Addr>,
    /// Azure NIC → the public IP resource (key) it shows.
    az_public_ips: Multi,
    /// Azure NIC → its public IPv4 address.
    az_public: Multi<Ipv4Addr>,
    /// Azure VM of the gateway image → its configuration.
    az_gateways: HashMap<String, GatewaySetup>,
}

/// The configuration of GCP instance `i` when it booted from the gateway image (`None`
/// otherwise): its `user-data` metadata item, parsed.
pub(crate) fn gcp_setup(i: &GcpInstance) -> Option<GatewaySetup> {
    i.is_gateway()
        .then(|| GatewaySetup::from_text(i.user_data()))
}

/// `vm`'s custom data as text (its base64 decoded, as the VM reads it at boot); `None` when it
/// has none or the bytes are not UTF-8.
pub(crate) fn custom_data_text(vm: &AzVm) -> Option<String> {
    let bytes = vpcpeer_model::aws::key_pair::keygen::unbase64(vm.custom_data.as_deref()?)?;
    String::from_utf8(bytes).ok()
}

/// The configuration of Azure VM `vm` when it runs the gateway image (`None` otherwise): its
/// custom data, decoded and parsed.
pub(crate) fn az_setup(vm: &AzVm) -> Option<GatewaySetup> {
    vm.is_gateway()
        .then(|| GatewaySetup::from_text(custom_data_text(vm).as_deref()))
}

/// The key of the public IP resource `nic` shows: its primary IP configuration's, else that of
/// its first configuration with one.
pub(crate) fn nic_public_ip_key(nic: &AzNic) -> Option<String> {
    let primary = nic
        .ip_configs
        .iter()
        .find(|c| c.primary)
        .or(nic.ip_configs.first());
    let cfg = primary
        .filter(|c| c.public_ip.is_some())
        .or_else(|| nic.ip_configs.iter().find(|c| c.public_ip.is_some()))?;
    Some(key(cfg.public_ip.as_deref()?))
}

fn one<T>(x: Option<T>) -> Vec<T> {
    x.into_iter().collect()
}

fn gcp_addresses(i: &GcpInstance) -> Vec<Ipv4Addr> {
    i.nics.iter().map(|n| n.network_ip).collect()
}

fn az_addresses(n: &AzNic) -> Vec<Ipv4Addr> {
    n.ip_configs.iter().map(|c| c.private_ip).collect()
}

/// The public IPv4 address of the resource under `pip` (a key).
fn pip_address(world: &World, pip: Option<&str>) -> Option<Ipv4Addr> {
    world.azure.public_ips().get(pip?)?.address
}

/// Puts `setup` under `id`, or removes `id`.
fn put(map: &mut HashMap<String, GatewaySetup>, id: &str, setup: Option<GatewaySetup>) {
    match setup {
        Some(s) => {
            map.insert(id.to_owned(), s);
        }
        None => {
            map.remove(id);
        }
    }
}

impl CloudIndex {
    /// The index of `world`.
    pub(crate) fn build(world: &World) -> CloudIndex {
        let mut x = CloudIndex::default();
        for s in world.gcp.subnetworks().values() {
            x.gcp_subnetworks.push(&s.id, vec![s.network.clone()]);
        }
        for r in world.gcp.routes().values() {
            x.gcp_routes.push(&r.id, vec![r.network.clone()]);
        }
        for f in world.gcp.firewalls().values() {
            x.gcp_firewalls.push(&f.id, vec![f.network.clone()]);
        }
        for i in world.gcp.instances().values() {
            x.gcp_addresses.push(&i.id, gcp_addresses(i));
            x.gcp_public.push(&i.id, one(i.external_ipv4()));
            if let Some(s) = gcp_setup(i) {
                x.gcp_gateways.insert(i.id.clone(), s);
            }
        }
        for n in world.azure.nics().values() {
            x.az_addresses.push(&n.id, az_addresses(n));
            let pip = nic_public_ip_key(n);
            x.az_public
                .push(&n.id, one(pip_address(world, pip.as_deref())));
            x.az_public_ips.push(&n.id, one(pip));
        }
        for vm in world.azure.vms().values() {
            if let Some(s) = az_setup(vm) {
                x.az_gateways.insert(vm.id.clone(), s);
            }
        }
        x
    }

    /// Brings the index up to date with `world` after the records under `keys` changed (see
    /// the module doc for what each one touches; keys of other tables change nothing).
    pub(crate) fn apply(&mut self, world: &World, keys: &[RecordKey]) {
        let mut pips = Vec::new();
        for k in keys {
            let id = k.id.as_str();
            match k.table {
                "gcp-subnetwork" => {
                    let s = world.gcp.subnetworks().get(id);
                    self.gcp_subnetworks
                        .set(id, one(s.map(|s| s.network.clone())));
                }
                "gcp-route" => {
                    let r = world.gcp.routes().get(id);
                    self.gcp_routes.set(id, one(r.map(|r| r.network.clone())));
                }
                "gcp-firewall" => {
                    let f = world.gcp.firewalls().get(id);
                    self.gcp_firewalls
                        .set(id, one(f.map(|f| f.network.clone())));
                }
                "gcp-instance" => {
                    let i = world.gcp.instances().get(id);
                    self.gcp_addresses
                        .set(id, i.map(gcp_addresses).unwrap_or_default());
                    self.gcp_public
                        .set(id, one(i.and_then(GcpInstance::external_ipv4)));
                    put(&mut self.gcp_gateways, id, i.and_then(gcp_setup));
                }
                "az-nic" => self.refresh_nic(world, id),
                "az-pip" => pips.push(id),
                "az-vm" => {
                    let vm = world.azure.vms().get(id);
                    put(&mut self.az_gateways, id, vm.and_then(az_setup));
                }
                _ => {}
            }
        }
        // After the NICs: the NICs that now name a changed resource show its new address.
        for pip in pips {
            let nics: Vec<String> = self.az_public_ips.items(pip).cloned().collect();
            let address = pip_address(world, Some(pip));
            for n in nics {
                self.az_public.set(&n, one(address));
            }
        }
    }

    fn refresh_nic(&mut self, world: &World, id: &str) {
        let n = world.azure.nics().get(id);
        self.az_addresses
            .set(id, n.map(az_addresses).unwrap_or_default());
        let pip = n.and_then(nic_public_ip_key);
        self.az_public
            .set(id, one(pip_address(world, pip.as_deref())));
        self.az_public_ips.set(id, one(pip));
    }

    /// The compiled configuration of GCP instance `id`, when it is of the gateway image.
    pub(crate) fn gcp_gateway(&self, id: &str) -> Option<&GatewaySetup> {
        self.gcp_gateways.get(id)
    }

    /// The compiled configuration of Azure VM `id` (a key), when it is of the gateway image.
    pub(crate) fn az_gateway(&self, id: &str) -> Option<&GatewaySetup> {
        self.az_gateways.get(id)
    }
}

/// How the GCP and Azure walks read the world's tables by network or address: through a
/// snapshot's [`CloudIndex`], or by scanning (see the module doc). Both give the same records
/// in the same (id) order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reads<'w> {
    /// The world.
    pub world: &'w World,
    index: Option<&'w CloudIndex>,
}

/// The records of `table` under `ids`.
fn by_id<'w, 'i, T>(
    table: &'w BTreeMap<String, T>,
    ids: impl Iterator<Item = &'i String>,
) -> Vec<&'w T> {
    ids.filter_map(|id| table.get(id)).collect()
}

impl<'w> Reads<'w> {
    /// Reads through `index` (a snapshot's, current with `world`).
    pub(crate) fn indexed(world: &'w World, index: &'w CloudIndex) -> Self {
        Reads {
            world,
            index: Some(index),
        }
    }

    /// Reads by scanning `world`'s tables.
    pub(crate) fn scan(world: &'w World) -> Self {
        Reads { world, index: None }
    }

    /// The subnetworks of GCP network `network`.
    pub(crate) fn gcp_subnetworks(self, network: &str) -> Vec<&'w GcpSubnetwork> {
        let table = self.world.gcp.subnetworks();
        match self.index {
            Some(x) => by_id(table, x.gcp_subnetworks.items(network)),
            None => table.values().filter(|s| s.network == network).collect(),
        }
    }

    /// The static routes of GCP network `network`.
    pub(crate) fn gcp_routes(self, network: &str) -> Vec<&'w GcpRoute> {
        let table = self.world.gcp.routes();
        match self.index {
            Some(x) => by_id(table, x.gcp_routes.items(network)),
            None => table.values().filter(|r| r.network == network).collect(),
        }
    }

    /// The firewall rules of GCP network `network`.
    pub(crate) fn gcp_firewalls(self, network: &str) -> Vec<&'w GcpFirewall> {
        let table = self.world.gcp.firewalls();
        match self.index {
            Some(x) => by_id(table, x.gcp_firewalls.items(network)),
            None => table.values().filter(|f| f.network == network).collect(),
        }
    }

    /// The GCP instances with an interface holding internal address `ip`.
    pub(crate) fn gcp_holding(self, ip: Ipv4Addr) -> Vec<&'w GcpInstance> {
        let table = self.world.gcp.instances();
        match self.index {
            Some(x) => by_id(table, x.gcp_addresses.items(&ip)),
            None => table
                .values()
                .filter(|i| i.nics.iter().any(|n| n.network_ip == ip))
                .collect(),
        }
    }

    /// The GCP instance whose `nic0` has external address `ip` (the first by id).
    pub(crate) fn gcp_by_public_ip(self, ip: Ipv4Addr) -> Option<&'w GcpInstance> {
        let table = self.world.gcp.instances();
        match self.index {
            Some(x) => x.gcp_public.items(&ip).find_map(|id| table.get(id)),
            None => table.values().find(|i| i.external_ipv4() == Some(ip)),
        }
    }

    /// The Azure NICs with an IP configuration holding private address `ip`.
    pub(crate) fn az_holding(self, ip: Ipv4Addr) -> Vec<&'w AzNic> {
        let table = self.world.azure.nics();
        match self.index {
            Some(x) => by_id(table, x.az_addresses.items(&ip)),
            None => table
                .values()
                .filter(|n| n.ip_configs.iter().any(|c| c.private_ip == ip))
                .collect(),
        }
    }

    /// The Azure NIC showing public address `ip` (the first by id).
    pub(crate) fn az_by_public_ip(self, ip: Ipv4Addr) -> Option<&'w AzNic> {
        let table = self.world.azure.nics();
        match self.index {
            Some(x) => x.az_public.items(&ip).find_map(|id| table.get(id)),
            None => table
                .values()
                .find(|n| pip_address(self.world, nic_public_ip_key(n).as_deref()) == Some(ip)),
        }
    }
}
