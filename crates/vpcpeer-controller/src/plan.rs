//! `plan(observed, desired)`: the ordered steps that bring what the clouds report to what the
//! topology declares, each with its reason, and the conflicts that stop it (a route the user
//! owns where a link needs one, a network declared by id that is not there, …).
//!
//! The plan is a pure function: the same inputs give the same steps in the same order. Applying
//! the steps and planning again gives an empty plan (the property test in `tests/converge.rs`).
//! Steps are ordered in phases so each finds what it needs: networks first (with gateway subnets
//! and public addresses, so every gateway's peers are known before any gateway launches), then
//! what goes away (routes and rules before the peerings and gateways they use, gateways before
//! their addresses, firewalls and subnets), then peerings (each AWS request followed by its
//! acceptance), gateway firewalls, gateway VMs, then options, then routes and openings, and last
//! the networks `destroy` removes. Within a phase the order is the
//! topology's (links in file order, sides in order, tables and destinations sorted).
//!
//! A step names networks and links by their names in the topology; ids the clouds have not given
//! yet (a VPC or peering created by an earlier step) are resolved by the executor, which reads
//! them from the steps' results or finds them again by the tags and names in `names.rs`.

mod action;
mod aws;
mod azure;
mod gateways;
mod gcp;
mod show;

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use crate::desired::{first_overlap, Cloud, Desired, Link, Network, Problem, Source};
use crate::observed::{AwsStatus, AwsTarget, Observed, ObservedNetwork};

pub use action::{
    Action, AwsIngressSpec, AzurePeeringSpec, GatewayRoute, GcpFirewallSpec, PeeringRoute, TableRef,
};

/// A plan: steps in order, and conflicts (when any, `apply` refuses to start).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    /// What to do.
    pub steps: Vec<Step>,
    /// What stops it.
    pub conflicts: Vec<Conflict>,
}

impl Plan {
    /// Nothing to do and nothing in the way: the clouds match the topology.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.conflicts.is_empty()
    }
}

/// One step and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    /// What it does.
    pub action: Action,
    /// Why it is needed.
    pub reason: Reason,
}

/// Why a step is needed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Reason {
    /// Declared and not there yet.
    Missing,
    /// Missing from a link that is established (its peering active, or one half of it there):
    /// removed out of band, or never made by an apply that was stopped. Without a state file
    /// the two look alike; either way the plan puts it back.
    Drift,
    /// The peering request waits for the accepter.
    Pending,
    /// The peering is on its way to active.
    Provisioning(AwsStatus),
    /// An earlier request for the link ended without a peering.
    Ended {
        /// `pcx-…`.
        peering: String,
        /// How it ended.
        status: AwsStatus,
    },
    /// A live peering made outside the controller already joins the pair.
    Unowned,
    /// The options differ from the topology's.
    OptionsDiffer,
    /// AWS: DNS resolution over this link needs DNS hostnames and support in the VPC.
    DnsFor {
        /// The link.
        link: String,
    },
    /// The route points elsewhere (an old peering of the topology, or a deleted target).
    Retarget {
        /// What it targets now.
        was: AwsTarget,
    },
    /// Azure: the remote half was deleted; Azure needs this half created again.
    Disconnected,
    /// Azure: the address space changed since the peering was made.
    OutOfSync,
    /// Azure: this plan adds a block to the peer VNet (an `AddCidr` step), which leaves this
    /// half out of sync until it is synced.
    PeerGrows {
        /// The peer network whose address space grows.
        peer: String,
    },
    /// The rule's sources or ports differ from the topology's.
    RuleDiffers,
    /// The gateway VM runs another configuration than the one rendered now (a peer's address,
    /// key or blocks changed): it is replaced.
    ConfigDiffers,
    /// The gateway VM's forwarding or address was changed out of band.
    GatewayDrift,
    /// Owned by the topology and no longer declared.
    Stale,
    /// `destroy`.
    Destroy,
}

/// What stops a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub enum Conflict {
    /// A network declared by id is not there.
    #[error("network {network}: {id} not found")]
    NetworkNotFound {
        /// The network.
        network: String,
        /// The id declared.
        id: String,
    },
    /// A check validation makes on declared blocks fails on the blocks the clouds report (two
    /// linked networks overlap).
    #[error(transparent)]
    Refused(Problem),
    /// A listed route table is not in the network.
    #[error("link {link}: route table {table} is not in {network}")]
    TableNotFound {
        /// The link.
        link: String,
        /// The network.
        network: String,
        /// The table.
        table: String,
    },
    /// Route tables listed for a network not created yet.
    #[error("link {link}: {network} does not exist yet, so its route tables cannot be listed; use `all` (its main table)")]
    TablesOfNewNetwork {
        /// The link.
        link: String,
        /// The network.
        network: String,
    },
    /// A route the user owns holds the destination a link needs.
    #[error("link {link}: route table {table} in {network} sends {destination} to {target}, not owned by this topology; remove it or leave that table out")]
    RouteTaken {
        /// The link.
        link: String,
        /// The network.
        network: String,
        /// The table.
        table: String,
        /// The destination.
        destination: Ipv4Net,
        /// What it targets.
        target: String,
    },
    /// A live peering of the pair belongs to another topology.
    #[error("link {link}: {peering} already joins the two VPCs and belongs to topology {owner}")]
    PeeringOfAnother {
        /// The link.
        link: String,
        /// `pcx-…`.
        peering: String,
        /// The other topology.
        owner: String,
    },
    /// GCP/Azure: the peering's name is taken by one to another network.
    #[error("network {network}: a peering named {name} already goes to {peer}")]
    NameTaken {
        /// The network.
        network: String,
        /// The name.
        name: String,
        /// Where it goes.
        peer: String,
    },
    /// A gateway's existing subnet is not there.
    #[error("gateway {gateway}: subnet {subnet} not found in {network}")]
    GatewaySubnetNotFound {
        /// The gateway VM.
        gateway: String,
        /// The network.
        network: String,
        /// The subnet named.
        subnet: String,
    },
    /// A gateway's existing subnet does not reach the internet.
    #[error(
        "gateway {gateway}: subnet {subnet} is not public (its route table sends no 0.0.0.0/0 \
         to an internet gateway), so peers could not reach the gateway; give a public subnet, or \
         a block for the controller to create one"
    )]
    GatewaySubnetNotPublic {
        /// The gateway VM.
        gateway: String,
        /// The subnet.
        subnet: String,
    },
    /// Gateways to launch and no secret to derive their keys from.
    #[error(
        "gateway {gateway}: no gateway secret to derive its keys from (set \
         VPCPEER_GATEWAY_SECRET, or let vpcpeer create its secret file)"
    )]
    NoGatewaySecret {
        /// The first gateway VM that needs it.
        gateway: String,
    },
    /// GCP/Azure: a peering the topology does not own already joins the pair.
    #[error("network {network}: peering {name}, not owned by this topology, already goes to {peer}; the cloud allows one per pair (delete it, or rename it to {wanted})")]
    PairTaken {
        /// The network.
        network: String,
        /// The other peering's name.
        name: String,
        /// Where it goes.
        peer: String,
        /// The name the topology uses.
        wanted: String,
    },
}

/// What the plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Bring the clouds to the topology.
    Apply,
    /// Remove everything the topology owns.
    Destroy,
}

/// The steps that make the clouds match `desired`.
pub fn plan(observed: &Observed, desired: &Desired) -> Plan {
    build(observed, desired, Mode::Apply)
}

/// The steps that remove everything `desired`'s topology owns: its routes, rules and peerings,
/// and the networks it created (never those it was given by id).
pub fn plan_destroy(observed: &Observed, desired: &Desired) -> Plan {
    build(observed, desired, Mode::Destroy)
}

/// What the plan builders share: the inputs and the plan so far.
struct Ctx<'a> {
    observed: &'a Observed,
    desired: &'a Desired,
    /// The links wanted (all of them, or none for `destroy`), with their networks usable.
    links: Vec<&'a Link>,
    mode: Mode,
    steps: Vec<Step>,
    conflicts: Vec<Conflict>,
}

impl<'a> Ctx<'a> {
    /// The reason owned resources that no wanted link keeps go away.
    fn gone(&self) -> Reason {
        match self.mode {
            Mode::Apply => Reason::Stale,
            Mode::Destroy => Reason::Destroy,
        }
    }

    fn step(&mut self, action: Action, reason: Reason) {
        self.steps.push(Step { action, reason });
    }

    /// A network as found: declared, or an orphan (created by the topology, no longer declared).
    fn found(&self, network: &str) -> Option<&'a ObservedNetwork> {
        self.observed
            .networks
            .get(network)
            .or_else(|| self.observed.orphans.get(network))
    }

    /// The networks of `cloud` whose owned resources the plan looks after: the declared ones
    /// and the orphans.
    fn networks_of(&self, cloud: Cloud) -> Vec<String> {
        let declared = self
            .desired
            .networks
            .iter()
            .filter(|(_, n)| n.cloud == cloud);
        let orphans = self
            .observed
            .orphans
            .iter()
            .filter(|(_, n)| n.detail.cloud() == cloud);
        declared
            .map(|(name, _)| name.clone())
            .chain(orphans.map(|(name, _)| name.clone()))
            .collect()
    }

    fn network(&self, network: &str) -> &'a Network {
        &self.desired.networks[network]
    }

    /// A network's blocks once the plan is applied: those found, and the declared ones it
    /// lacks (which `AddCidr` or `CreateNetwork` give it).
    fn cidrs(&self, network: &str) -> Vec<Ipv4Net> {
        let mut out = self
            .found(network)
            .map(|n| n.cidrs.clone())
            .unwrap_or_default();
        for c in self.network(network).declared_cidrs() {
            if !out.contains(c) {
                out.push(*c);
            }
        }
        out
    }

    /// A network's id in its cloud: as found, or the one it will have once created (GCP and
    /// Azure ids follow from names; an AWS VPC's id is not known before it exists: empty).
    fn cloud_id(&self, network: &str) -> String {
        if let Some(found) = self.found(network) {
            return found.id.clone();
        }
        let n = self.network(network);
        let account = &self.desired.accounts[&n.account];
        let name = match &n.source {
            Source::Existing(id) => id.as_str(),
            Source::Declared(_) => network,
        };
        match n.cloud {
            Cloud::Aws => String::new(),
            Cloud::Gcp => crate::names::gcp_network_id(&account.id, name),
            Cloud::Azure => crate::names::azure_vnet_id(
                &account.id,
                account.resource_group.as_deref().unwrap_or_default(),
                name,
            ),
        }
    }

    /// The native links of `cloud` that are wanted.
    fn links_of(&self, cloud: Cloud) -> Vec<&'a Link> {
        self.links
            .iter()
            .copied()
            .filter(|l| !l.encrypted() && self.network(&l.sides[0]).cloud == cloud)
            .collect()
    }
}

fn build(observed: &Observed, desired: &Desired, mode: Mode) -> Plan {
    let mut cx = Ctx {
        observed,
        desired,
        links: Vec::new(),
        mode,
        steps: Vec::new(),
        conflicts: Vec::new(),
    };
    let usable = networks(&mut cx, mode);
    if mode == Mode::Apply {
        for l in &desired.links {
            if l.sides.iter().all(|s| usable.get(s) == Some(&true)) && !overlap(&mut cx, l) {
                cx.links.push(l);
            }
        }
    }
    aws::plan(&mut cx);
    gcp::plan(&mut cx);
    azure::plan(&mut cx);
    gateways::plan(&mut cx);
    for (name, orphan) in &observed.orphans {
        cx.step(
            Action::DeleteNetwork {
                network: name.clone(),
                cloud: orphan.detail.cloud(),
                id: orphan.id.clone(),
            },
            cx.gone(),
        );
    }
    if mode == Mode::Destroy {
        for (name, n) in &desired.networks {
            if let (Source::Declared(_), Some(found)) = (&n.source, observed.networks.get(name)) {
                cx.step(
                    Action::DeleteNetwork {
                        network: name.clone(),
                        cloud: n.cloud,
                        id: found.id.clone(),
                    },
                    Reason::Destroy,
                );
            }
        }
    }
    let mut steps = cx.steps;
    steps.sort_by_key(|s| s.action.phase());
    Plan {
        steps,
        conflicts: cx.conflicts,
    }
}

/// Checks the networks (declared ones missing are created; ones given by id must be there);
/// returns which can carry links (found, or about to be created).
fn networks(cx: &mut Ctx<'_>, mode: Mode) -> BTreeMap<String, bool> {
    let mut usable = BTreeMap::new();
    for (name, n) in &cx.desired.networks {
        let ok = match (&n.source, cx.found(name)) {
            (Source::Existing(_), Some(_)) => true,
            (Source::Existing(id), None) => {
                if mode == Mode::Apply {
                    cx.conflicts.push(Conflict::NetworkNotFound {
                        network: name.clone(),
                        id: id.clone(),
                    });
                }
                false
            }
            (Source::Declared(cidrs), None) => {
                if mode == Mode::Apply {
                    cx.step(
                        Action::CreateNetwork {
                            network: name.clone(),
                            cloud: n.cloud,
                            cidrs: cidrs.clone(),
                        },
                        Reason::Missing,
                    );
                }
                true
            }
            (Source::Declared(cidrs), Some(found)) => {
                if mode == Mode::Apply {
                    for cidr in cidrs.iter().filter(|c| !found.cidrs.contains(c)) {
                        cx.step(
                            Action::AddCidr {
                                network: name.clone(),
                                cloud: n.cloud,
                                cidr: *cidr,
                            },
                            Reason::Missing,
                        );
                    }
                }
                true
            }
        };
        usable.insert(name.clone(), ok);
    }
    usable
}

/// Whether a link's networks overlap, as found (declared blocks were checked by validation);
/// records the conflict.
fn overlap(cx: &mut Ctx<'_>, l: &Link) -> bool {
    let [a, b] = &l.sides;
    let hit = first_overlap(&cx.cidrs(a), &cx.cidrs(b));
    if let Some((a_cidr, b_cidr)) = hit {
        cx.conflicts.push(Conflict::Refused(Problem::Overlap {
            link: l.name.clone(),
            a: a.clone(),
            a_cidr,
            b: b.clone(),
            b_cidr,
        }));
    }
    hit.is_some()
}

/// Steps removing, from every `cloud` network of the topology (and every orphan), the resources `names` lists that
/// carry the topology's name and that no wanted link keeps (`keep` holds network and name).
fn remove_unkept(
    cx: &mut Ctx<'_>,
    cloud: Cloud,
    keep: &std::collections::BTreeSet<(String, String)>,
    names: impl Fn(&Ctx<'_>, &str) -> Vec<String>,
    remove: impl Fn(String, String) -> Action,
) {
    let reason = cx.gone();
    for network in cx.networks_of(cloud) {
        for name in names(cx, &network) {
            let ours = crate::names::owned_name(&cx.desired.name, &name);
            if ours && !keep.contains(&(network.clone(), name.clone())) {
                cx.step(remove(network.clone(), name), reason.clone());
            }
        }
    }
}

/// `Drift` when the link was applied before (so what is missing went out of band), else
/// `Missing`.
fn missing_reason(applied: bool) -> Reason {
    if applied {
        Reason::Drift
    } else {
        Reason::Missing
    }
}

/// Whether AWS tags say the topology owns the resource.
fn owned_by(tags: &BTreeMap<String, String>, topology: &str) -> bool {
    tags.get(crate::names::TAG_TOPOLOGY).map(String::as_str) == Some(topology)
}
