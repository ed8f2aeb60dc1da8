//! `plan(observed, desired)`: the ordered steps that bring what the clouds report to what the
//! topology declares, each with its reason, and the conflicts that stop it (a route the user
//! owns where a link needs one, a network declared by id that is not there, …).
//!
//! The plan is a pure function: the same inputs give the same steps in the same order. Applying
//! the steps and planning again gives an empty plan (the property test in `tests/converge.rs`).
//! Steps are ordered in phases so each finds what it needs: networks first, then what goes away
//! (routes and rules before the peerings they use), then peerings (each AWS request followed by
//! its acceptance), then options, then
//! routes and openings, and last the networks `destroy` removes. Within a phase the order is the
//! topology's (links in file order, sides in order, tables and destinations sorted).
//!
//! A step names networks and links by their names in the topology; ids the clouds have not given
//! yet (a VPC or peering created by an earlier step) are resolved by the executor, which reads
//! them from the steps' results or finds them again by the tags and names in `names.rs`.

mod aws;
mod azure;
mod gcp;
mod show;

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use crate::desired::{first_overlap, Cloud, Desired, Link, Network, Opening, Problem, Source};
use crate::observed::{AwsStatus, AwsTarget, Observed, ObservedNetwork};

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

/// A route table: known by id, or the main table of a VPC that an earlier step creates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum TableRef {
    /// `rtb-…`.
    Id(String),
    /// The main route table of the step's network, created with it.
    Main,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Action {
    /// Create a declared network with its blocks (AWS: a VPC and a block per extra CIDR; GCP: a
    /// custom-mode network with a subnetwork per block; Azure: a VNet with that address space).
    CreateNetwork {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// Its blocks.
        cidrs: Vec<Ipv4Net>,
    },
    /// Add a declared block a network lacks (AWS: associate a CIDR block; GCP: a subnetwork;
    /// Azure: extend the address space): a create cut short by a kill, or a block added to the
    /// file since.
    AddCidr {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// The block.
        cidr: Ipv4Net,
    },
    /// Delete a network the topology created (`destroy`).
    DeleteNetwork {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// Its id.
        id: String,
    },
    /// AWS: request a peering from the requester's account, tagged with the link.
    AwsRequestPeering {
        /// The link.
        link: String,
        /// Requester network.
        requester: String,
        /// Accepter network.
        accepter: String,
    },
    /// AWS: tag a live peering made outside the controller, which joins the link's VPCs.
    AwsAdoptPeering {
        /// The link.
        link: String,
        /// `pcx-…`.
        peering: String,
    },
    /// AWS: accept the link's peering in the accepter's account and region.
    AwsAcceptPeering {
        /// The link.
        link: String,
    },
    /// AWS: wait for the link's peering to become active.
    AwsAwaitPeering {
        /// The link.
        link: String,
    },
    /// AWS: turn on `enableDnsHostnames` and `enableDnsSupport` of a VPC (ModifyVpcAttribute),
    /// which DNS resolution over a peering needs on both sides.
    AwsEnableDns {
        /// The network.
        network: String,
    },
    /// AWS: set `AllowDnsResolutionFromRemoteVpc` on both sides.
    AwsSetDns {
        /// The link.
        link: String,
        /// The value.
        enabled: bool,
    },
    /// AWS: delete a peering.
    AwsDeletePeering {
        /// `pcx-…`.
        peering: String,
        /// The link its tags name.
        link: String,
    },
    /// AWS: a route to the link's peering.
    AwsCreateRoute {
        /// The network whose table it is.
        network: String,
        /// The table.
        table: TableRef,
        /// The peer's block.
        destination: Ipv4Net,
        /// The link.
        link: String,
    },
    /// AWS: point an existing route at the link's peering.
    AwsReplaceRoute {
        /// The network whose table it is.
        network: String,
        /// The table.
        table: String,
        /// The peer's block.
        destination: Ipv4Net,
        /// The link.
        link: String,
    },
    /// AWS: delete a route the topology owns.
    AwsDeleteRoute {
        /// The network whose table it is.
        network: String,
        /// The table.
        table: String,
        /// Its destination.
        destination: Ipv4Net,
        /// The peering it targets.
        peering: String,
    },
    /// AWS: admit the peer's block into the network's default security group.
    AwsAllowIngress {
        /// The network.
        network: String,
        /// The link (the rule's description names it).
        link: String,
        /// Protocol and ports.
        opening: Opening,
        /// The peer's block.
        source: Ipv4Net,
    },
    /// AWS: admit the peer's default security group into the network's default group (both in
    /// one region; the reference crosses the peering).
    AwsAllowGroupIngress {
        /// The network.
        network: String,
        /// The link (the rule's description names it).
        link: String,
        /// Protocol and ports.
        opening: Opening,
        /// The peer network, whose default group is the source.
        peer: String,
    },
    /// AWS: remove a group-sourced rule the topology opened.
    AwsRevokeGroupIngress {
        /// The network.
        network: String,
        /// The link the rule's description names.
        link: String,
        /// Protocol and ports.
        opening: Opening,
        /// The source group.
        group: String,
        /// The source group's account.
        owner: String,
    },
    /// AWS: remove a rule the topology opened.
    AwsRevokeIngress {
        /// The network.
        network: String,
        /// The link the rule's description names.
        link: String,
        /// Protocol and ports.
        opening: Opening,
        /// Its source block.
        source: Ipv4Net,
    },
    /// GCP: add the network's half of a peering.
    GcpAddPeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
        /// The peer network's id.
        peer: String,
        /// Export and import custom routes.
        custom_routes: bool,
    },
    /// GCP: change a peering's route exchange.
    GcpUpdatePeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
        /// Export and import custom routes.
        custom_routes: bool,
    },
    /// GCP: remove the network's half of a peering.
    GcpRemovePeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
    },
    /// GCP: create an ingress firewall rule admitting the peer's blocks.
    GcpCreateFirewall {
        /// The network.
        network: String,
        /// The rule's name.
        name: String,
        /// Source ranges.
        sources: Vec<Ipv4Net>,
        /// What it allows.
        allowed: Vec<Opening>,
    },
    /// GCP: set an existing rule's sources and what it allows (`PATCH`).
    GcpUpdateFirewall {
        /// The network.
        network: String,
        /// The rule's name.
        name: String,
        /// Source ranges.
        sources: Vec<Ipv4Net>,
        /// What it allows.
        allowed: Vec<Opening>,
    },
    /// GCP: delete a firewall rule the topology owns.
    GcpDeleteFirewall {
        /// The network.
        network: String,
        /// The rule's name.
        name: String,
    },
    /// Azure: create the VNet's half of a peering.
    AzureCreatePeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
        /// The remote VNet's ARM id.
        remote: String,
        /// `allowForwardedTraffic`.
        allow_forwarded_traffic: bool,
        /// `allowGatewayTransit` (this side offers its gateway).
        allow_gateway_transit: bool,
        /// `useRemoteGateways` (this side uses the peer's gateway).
        use_remote_gateways: bool,
    },
    /// Azure: change a peering's options (PUT with the same remote).
    AzureUpdatePeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
        /// The remote VNet's ARM id.
        remote: String,
        /// `allowForwardedTraffic`.
        allow_forwarded_traffic: bool,
        /// `allowGatewayTransit` (this side offers its gateway).
        allow_gateway_transit: bool,
        /// `useRemoteGateways` (this side uses the peer's gateway).
        use_remote_gateways: bool,
    },
    /// Azure: sync a peering after an address-space change (`syncRemoteAddressSpace=true`).
    AzureSyncPeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
    },
    /// Azure: delete the VNet's half of a peering.
    AzureDeletePeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
    },
}

impl Action {
    /// The order phase (see the module doc).
    fn phase(&self) -> u8 {
        match self {
            Action::CreateNetwork { .. } | Action::AddCidr { .. } | Action::AwsEnableDns { .. } => {
                0
            }
            Action::AwsDeleteRoute { .. }
            | Action::AwsRevokeIngress { .. }
            | Action::AwsRevokeGroupIngress { .. }
            | Action::GcpDeleteFirewall { .. } => 1,
            Action::AwsDeletePeering { .. }
            | Action::GcpRemovePeering { .. }
            | Action::AzureDeletePeering { .. } => 2,
            // A request and its acceptance stay together: AWS allows an account 25 requests
            // awaiting acceptance, so a mesh must not request every peering before accepting.
            Action::AwsRequestPeering { .. }
            | Action::AwsAdoptPeering { .. }
            | Action::AwsAcceptPeering { .. }
            | Action::AwsAwaitPeering { .. }
            | Action::GcpAddPeering { .. }
            | Action::AzureCreatePeering { .. } => 3,
            Action::AwsSetDns { .. }
            | Action::GcpUpdatePeering { .. }
            | Action::AzureUpdatePeering { .. }
            | Action::AzureSyncPeering { .. } => 5,
            Action::AwsCreateRoute { .. } | Action::AwsReplaceRoute { .. } => 6,
            Action::AwsAllowIngress { .. }
            | Action::AwsAllowGroupIngress { .. }
            | Action::GcpCreateFirewall { .. }
            | Action::GcpUpdateFirewall { .. } => 7,
            Action::DeleteNetwork { .. } => 8,
        }
    }
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

    /// The links of `cloud` that are wanted.
    fn links_of(&self, cloud: Cloud) -> Vec<&'a Link> {
        self.links
            .iter()
            .copied()
            .filter(|l| self.network(&l.sides[0]).cloud == cloud)
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
