//! A model of the three clouds for the controller's tests: an `Observed` that steps change the
//! way the clouds would (requests wait for acceptance, GCP halves turn `ACTIVE` when both exist,
//! an Azure half left alone turns `Disconnected`, a route to a deleted peering is a blackhole),
//! refusing what the clouds refuse (accepting a peering that is not pending, a route that
//! exists, DNS options before the peering is active). It is written from the clouds' rules, not
//! from the planner, so that the planner's steps are checked against it.

#![allow(dead_code)]

mod gateways;

pub use gateways::{check_gateways, GatewayState};

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;
use vpcpeer_controller::desired::{Cloud, Desired, Opening};
use vpcpeer_controller::names::{
    azure_vnet_id, firewall_name, gcp_network_id, owned_name, peering_name, rule_description,
    rule_owner, TAG_LINK, TAG_TOPOLOGY,
};
use vpcpeer_controller::observed::{
    AwsGroupIngress, AwsIngress, AwsPeering, AwsRoute, AwsRouteTable, AwsStatus, AwsTarget,
    AzurePeering, AzureState, Detail, GcpFirewall, GcpPeering, Observed, ObservedNetwork,
};
use vpcpeer_controller::plan::{AwsIngressSpec, AzurePeeringSpec, GcpFirewallSpec, TableRef};
use vpcpeer_controller::{Action, Plan};

/// The clouds, as the controller would observe them.
#[derive(Debug, Clone, Default)]
pub struct Clouds {
    pub state: Observed,
    /// Gateway subnets and the GCP and Azure gateway route tables.
    pub gw: GatewayState,
    next: u64,
}

impl Clouds {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-{:017x}", self.next)
    }

    /// What the controller reads: the declared networks, the others as orphans (every network
    /// here was made by a topology).
    pub fn observe(&self, desired: &Desired) -> Observed {
        let mut seen = self.state.clone();
        let (declared, orphans) = std::mem::take(&mut seen.networks)
            .into_iter()
            .partition(|(name, _)| desired.networks.contains_key(name));
        seen.networks = declared;
        seen.orphans = orphans;
        self.observe_gateways(desired, &mut seen);
        seen
    }

    /// Carries out every step of a plan in order; the first refusal stops it.
    pub fn apply(&mut self, desired: &Desired, plan: &Plan) -> Result<(), String> {
        for s in &plan.steps {
            self.step(desired, &s.action)
                .map_err(|e| format!("{}: {e}", s.action))?;
        }
        Ok(())
    }

    fn network(&mut self, network: &str) -> Result<&mut ObservedNetwork, String> {
        self.state
            .networks
            .get_mut(network)
            .ok_or_else(|| format!("{network} not found"))
    }

    fn gcp(
        &mut self,
        network: &str,
    ) -> Result<(&mut Vec<GcpPeering>, &mut Vec<GcpFirewall>), String> {
        match &mut self.network(network)?.detail {
            Detail::Gcp {
                peerings,
                firewalls,
            } => Ok((peerings, firewalls)),
            _ => Err(format!("{network} is not GCP")),
        }
    }

    fn azure(&mut self, network: &str) -> Result<&mut Vec<AzurePeering>, String> {
        match &mut self.network(network)?.detail {
            Detail::Azure { peerings } => Ok(peerings),
            _ => Err(format!("{network} is not Azure")),
        }
    }

    fn ingress(&mut self, network: &str) -> Result<&mut Vec<AwsIngress>, String> {
        match &mut self.network(network)?.detail {
            Detail::Aws { ingress, .. } => Ok(ingress),
            _ => Err(format!("{network} is not AWS")),
        }
    }

    fn live_peering(&mut self, topology: &str, link: &str) -> Result<&mut AwsPeering, String> {
        self.state
            .aws_peerings
            .iter_mut()
            .find(|p| {
                p.status.is_live()
                    && p.tags.get(TAG_TOPOLOGY).map(String::as_str) == Some(topology)
                    && p.tags.get(TAG_LINK).map(String::as_str) == Some(link)
            })
            .ok_or_else(|| format!("InvalidVpcPeeringConnectionID.NotFound: link {link}"))
    }

    /// One step.
    pub fn step(&mut self, desired: &Desired, action: &Action) -> Result<(), String> {
        let topology = desired.name.as_str();
        if self.gateway_step(desired, action)? {
            return Ok(());
        }
        match action.clone() {
            Action::CreateNetwork {
                network,
                cloud,
                cidrs,
            } => {
                let account = &desired.accounts[&desired.networks[&network].account];
                let (id, detail) = match cloud {
                    Cloud::Aws => {
                        let vpc = self.id("vpc");
                        let rtb = self.id("rtb");
                        let sg = self.id("sg");
                        let routes = cidrs
                            .iter()
                            .map(|c| AwsRoute {
                                destination: *c,
                                target: AwsTarget::Local,
                                blackhole: false,
                            })
                            .collect();
                        (
                            vpc,
                            Detail::Aws {
                                route_tables: vec![AwsRouteTable {
                                    id: rtb,
                                    main: true,
                                    routes,
                                }],
                                default_group: sg,
                                dns: false,
                                ingress: Vec::new(),
                                group_ingress: Vec::new(),
                            },
                        )
                    }
                    Cloud::Gcp => (
                        gcp_network_id(&account.id, &network),
                        Detail::Gcp {
                            peerings: Vec::new(),
                            firewalls: Vec::new(),
                        },
                    ),
                    Cloud::Azure => (
                        azure_vnet_id(
                            &account.id,
                            account.resource_group.as_deref().unwrap_or_default(),
                            &network,
                        ),
                        Detail::Azure {
                            peerings: Vec::new(),
                        },
                    ),
                };
                if self.state.networks.contains_key(&network) {
                    return Err(format!("{network} exists"));
                }
                self.state
                    .networks
                    .insert(network, ObservedNetwork { id, cidrs, detail });
            }
            Action::AddCidr { network, cidr, .. } => {
                let n = self.network(&network)?;
                if n.cidrs.contains(&cidr) {
                    return Err("InvalidVpc.Range: the block is there".into());
                }
                n.cidrs.push(cidr);
                if let Detail::Aws { route_tables, .. } = &mut n.detail {
                    for t in route_tables {
                        t.routes.push(AwsRoute {
                            destination: cidr,
                            target: AwsTarget::Local,
                            blackhole: false,
                        });
                    }
                }
            }
            Action::DeleteNetwork { network, .. } => {
                let n = self.state.networks.get(&network).ok_or("not found")?;
                if peerings_len(&n.detail) > 0 {
                    return Err("the network still has peerings".into());
                }
                if self
                    .state
                    .aws_peerings
                    .iter()
                    .any(|p| p.status.is_live() && (p.requester == n.id || p.accepter == n.id))
                {
                    return Err("DependencyViolation: the VPC has live peerings".into());
                }
                if self.holds_gateways(&network) {
                    return Err("DependencyViolation: the network holds gateways".into());
                }
                self.state.networks.remove(&network);
                self.resync();
            }
            Action::AwsRequestPeering {
                link,
                requester,
                accepter,
            } => {
                let r = self.network(&requester)?.id.clone();
                let a = self.network(&accepter)?.id.clone();
                if self.state.aws_peerings.iter().any(|p| {
                    p.status.is_live()
                        && ((p.requester == r && p.accepter == a)
                            || (p.requester == a && p.accepter == r))
                }) {
                    return Err("VpcPeeringConnectionAlreadyExists".into());
                }
                // AWS: an account may have 25 requests awaiting acceptance.
                let account = &desired.networks[&requester].account;
                let vpcs_of_account: Vec<&str> = desired
                    .networks
                    .iter()
                    .filter(|(_, n)| &n.account == account)
                    .filter_map(|(name, _)| self.state.networks.get(name).map(|n| n.id.as_str()))
                    .collect();
                let waiting = self
                    .state
                    .aws_peerings
                    .iter()
                    .filter(|p| p.status == AwsStatus::PendingAcceptance)
                    .filter(|p| vpcs_of_account.contains(&p.requester.as_str()))
                    .count();
                if waiting >= 25 {
                    return Err("OutstandingVpcPeeringConnectionLimitExceeded".into());
                }
                let id = self.id("pcx");
                self.state.aws_peerings.push(AwsPeering {
                    id,
                    requester: r,
                    accepter: a,
                    status: AwsStatus::PendingAcceptance,
                    tags: BTreeMap::from([
                        (TAG_TOPOLOGY.to_string(), topology.to_string()),
                        (TAG_LINK.to_string(), link),
                    ]),
                    requester_dns: false,
                    accepter_dns: false,
                });
            }
            Action::AwsAdoptPeering { link, peering } => {
                let p = self
                    .state
                    .aws_peerings
                    .iter_mut()
                    .find(|p| p.id == peering)
                    .ok_or("not found")?;
                p.tags.insert(TAG_TOPOLOGY.into(), topology.into());
                p.tags.insert(TAG_LINK.into(), link);
            }
            Action::AwsAcceptPeering { link } => {
                let p = self.live_peering(topology, &link)?;
                if p.status != AwsStatus::PendingAcceptance {
                    return Err(format!("InvalidStateTransition: {:?}", p.status));
                }
                p.status = AwsStatus::Active;
            }
            Action::AwsAwaitPeering { link } => {
                let p = self.live_peering(topology, &link)?;
                if p.status == AwsStatus::PendingAcceptance {
                    return Err("waits for acceptance; nobody will accept it".into());
                }
                p.status = AwsStatus::Active;
            }
            Action::AwsEnableDns { network } => match &mut self.network(&network)?.detail {
                Detail::Aws { dns, .. } => *dns = true,
                _ => return Err("not AWS".into()),
            },
            Action::AwsSetDns { link, enabled } => {
                let p = self.live_peering(topology, &link)?.clone();
                let dns_of = |vpc: &str| {
                    self.state
                        .networks
                        .values()
                        .any(|n| n.id == vpc && matches!(n.detail, Detail::Aws { dns: true, .. }))
                };
                if enabled && !(dns_of(&p.requester) && dns_of(&p.accepter)) {
                    return Err("InvalidVpcPeeringConnectionState.DnsHostnamesDisabled".into());
                }
                let p = self.live_peering(topology, &link)?;
                if p.status != AwsStatus::Active {
                    return Err("OperationNotPermitted: the peering is not active".into());
                }
                p.requester_dns = enabled;
                p.accepter_dns = enabled;
            }
            Action::AwsDeletePeering { peering, .. } => {
                let p = self
                    .state
                    .aws_peerings
                    .iter_mut()
                    .find(|p| p.id == peering && p.status.is_live())
                    .ok_or("not found")?;
                p.status = AwsStatus::Deleted;
                self.resync();
            }
            Action::AwsCreateRoute(r) => {
                let target = self.live_peering(topology, &r.link)?.id.clone();
                let to = AwsTarget::Peering(target);
                self.add_aws_route(&r.network, &r.table, r.destination, to)?;
                self.resync();
            }
            Action::AwsReplaceRoute(r) => {
                let target = self.live_peering(topology, &r.link)?.id.clone();
                self.aws_route(&r.network, r.table, r.destination)?.target =
                    AwsTarget::Peering(target);
                self.resync();
            }
            Action::AwsDeleteRoute {
                network,
                table,
                destination,
                ..
            } => {
                self.delete_aws_route(&network, table, destination)?;
            }
            Action::AwsAllowIngress(AwsIngressSpec {
                network,
                link,
                opening,
                source,
            }) => {
                let rule = AwsIngress {
                    opening,
                    source,
                    description: rule_description(topology, &link),
                };
                add(
                    self.ingress(&network)?,
                    rule,
                    |a, b| a.opening == b.opening && a.source == b.source,
                    "InvalidPermission.Duplicate",
                )?;
            }
            Action::AwsAllowGroupIngress {
                network,
                link,
                opening,
                peer,
            } => {
                let (group, owner) = match &self.network(&peer)?.detail {
                    Detail::Aws { default_group, .. } => (
                        default_group.clone(),
                        desired.accounts[&desired.networks[&peer].account]
                            .id
                            .clone(),
                    ),
                    _ => return Err("InvalidGroup.NotFound".into()),
                };
                let Detail::Aws { group_ingress, .. } = &mut self.network(&network)?.detail else {
                    return Err("not AWS".into());
                };
                let rule = AwsGroupIngress {
                    opening,
                    group,
                    owner,
                    description: rule_description(topology, &link),
                };
                add(
                    group_ingress,
                    rule,
                    |a, b| a.opening == b.opening && a.group == b.group,
                    "InvalidPermission.Duplicate",
                )?;
            }
            Action::AwsRevokeGroupIngress {
                network,
                opening,
                group,
                ..
            } => {
                let Detail::Aws { group_ingress, .. } = &mut self.network(&network)?.detail else {
                    return Err("not AWS".into());
                };
                remove(
                    group_ingress,
                    |r| !(r.opening == opening && r.group == group),
                    "InvalidPermission.NotFound",
                )?;
            }
            Action::AwsRevokeIngress(AwsIngressSpec {
                network,
                opening,
                source,
                ..
            }) => {
                let ingress = self.ingress(&network)?;
                remove(
                    ingress,
                    |r| !(r.opening == opening && r.source == source),
                    "InvalidPermission.NotFound",
                )?;
            }
            Action::GcpAddPeering {
                network,
                name,
                peer,
                custom_routes,
            } => {
                let (peerings, _) = self.gcp(&network)?;
                if peerings.iter().any(|p| p.name == name || p.peer == peer) {
                    return Err("a peering with that name or to that network exists".into());
                }
                peerings.push(GcpPeering {
                    name,
                    peer,
                    active: false,
                    custom_routes,
                });
                self.resync();
            }
            Action::GcpUpdatePeering {
                network,
                name,
                custom_routes,
            } => {
                let (peerings, _) = self.gcp(&network)?;
                let p = peerings
                    .iter_mut()
                    .find(|p| p.name == name)
                    .ok_or("not found")?;
                p.custom_routes = custom_routes;
            }
            Action::GcpRemovePeering { network, name } => {
                let (peerings, _) = self.gcp(&network)?;
                remove(peerings, |p| p.name != name, "not found")?;
                self.resync();
            }
            Action::GcpCreateFirewall(rule) | Action::GcpUpdateFirewall(rule) => {
                let GcpFirewallSpec {
                    network,
                    name,
                    sources,
                    allowed,
                } = rule;
                let update = matches!(action, Action::GcpUpdateFirewall { .. });
                let (_, firewalls) = self.gcp(&network)?;
                let exists = firewalls.iter().any(|f| f.name == name);
                match (update, exists) {
                    (true, false) => return Err("notFound".into()),
                    (false, true) => return Err("alreadyExists".into()),
                    _ => firewalls.retain(|f| f.name != name),
                }
                firewalls.push(GcpFirewall {
                    name,
                    sources,
                    allowed,
                });
            }
            Action::GcpDeleteFirewall { network, name } => {
                let (_, firewalls) = self.gcp(&network)?;
                remove(firewalls, |f| f.name != name, "not found")?;
            }
            Action::AzureCreatePeering(half) | Action::AzureUpdatePeering(half) => {
                let AzurePeeringSpec {
                    network,
                    name,
                    remote,
                    allow_forwarded_traffic,
                    allow_gateway_transit,
                    use_remote_gateways,
                } = half;
                // Azure: a half may use the remote's gateway only if the remote's half offers it.
                let me = self.network(&network)?.id.to_ascii_lowercase();
                let offered = self.state.networks.values().any(|n| {
                    n.id.eq_ignore_ascii_case(&remote)
                        && matches!(&n.detail, Detail::Azure { peerings } if peerings.iter().any(
                            |p| p.remote.to_ascii_lowercase() == me && p.allow_gateway_transit))
                });
                if use_remote_gateways && !offered {
                    return Err(
                        "UseRemoteGatewaysNotAllowed: the remote half does not offer its gateway"
                            .into(),
                    );
                }
                let update = matches!(action, Action::AzureUpdatePeering { .. });
                let peerings = self.azure(&network)?;
                match peerings.iter_mut().find(|p| p.name == name) {
                    Some(p) if update => {
                        p.allow_forwarded_traffic = allow_forwarded_traffic;
                        p.allow_gateway_transit = allow_gateway_transit;
                        p.use_remote_gateways = use_remote_gateways;
                    }
                    Some(_) => return Err("exists".into()),
                    None if update => return Err("not found".into()),
                    None => {
                        if peerings
                            .iter()
                            .any(|p| p.remote.eq_ignore_ascii_case(&remote))
                        {
                            return Err("a peering to that VNet exists".into());
                        }
                        peerings.push(AzurePeering {
                            name,
                            remote,
                            state: AzureState::Initiated,
                            in_sync: true,
                            allow_forwarded_traffic,
                            allow_gateway_transit,
                            use_remote_gateways,
                        });
                    }
                }
                self.resync();
            }
            Action::AzureSyncPeering { network, name } => {
                let peerings = self.azure(&network)?;
                let p = peerings
                    .iter_mut()
                    .find(|p| p.name == name)
                    .ok_or("not found")?;
                p.in_sync = true;
            }
            Action::AzureDeletePeering { network, name } => {
                let peerings = self.azure(&network)?;
                remove(peerings, |p| p.name != name, "not found")?;
                self.resync();
            }
            other => return Err(format!("the model does not know {other:?}")),
        }
        Ok(())
    }

    fn table(&mut self, network: &str, table: &TableRef) -> Result<&mut AwsRouteTable, String> {
        let Detail::Aws { route_tables, .. } = &mut self.network(network)?.detail else {
            return Err("not AWS".into());
        };
        match table {
            TableRef::Main => route_tables.iter_mut().find(|t| t.main),
            TableRef::Id(id) => route_tables.iter_mut().find(|t| &t.id == id),
        }
        .ok_or_else(|| "InvalidRouteTableID.NotFound".to_string())
    }

    /// `CreateRoute`: a route to `target` in an AWS table that has none to `destination`.
    fn add_aws_route(
        &mut self,
        network: &str,
        table: &TableRef,
        destination: Ipv4Net,
        target: AwsTarget,
    ) -> Result<(), String> {
        let route = AwsRoute {
            destination,
            target,
            blackhole: false,
        };
        add(
            &mut self.table(network, table)?.routes,
            route,
            |a, b| a.destination == b.destination,
            "RouteAlreadyExists",
        )
    }

    /// `DeleteRoute`: the route to `destination` in an AWS table.
    fn delete_aws_route(
        &mut self,
        network: &str,
        table: String,
        destination: Ipv4Net,
    ) -> Result<(), String> {
        remove(
            &mut self.table(network, &TableRef::Id(table))?.routes,
            |r| r.destination != destination,
            "InvalidRoute.NotFound",
        )
    }

    /// The route to `destination` in an AWS table, for `ReplaceRoute`.
    fn aws_route(
        &mut self,
        network: &str,
        table: String,
        destination: Ipv4Net,
    ) -> Result<&mut AwsRoute, String> {
        self.table(network, &TableRef::Id(table))?
            .routes
            .iter_mut()
            .find(|r| r.destination == destination)
            .ok_or_else(|| "InvalidRoute.NotFound".to_string())
    }

    /// What follows from the rest: GCP halves are active when both exist; an Azure half is
    /// connected when both exist, and a connected half whose remote went away is disconnected; a
    /// route to a peering that is not active is a blackhole.
    pub fn resync(&mut self) {
        let halves: Vec<(String, String)> = self
            .state
            .networks
            .values()
            .flat_map(|n| {
                let id = n.id.clone();
                let remotes: Vec<String> = match &n.detail {
                    Detail::Gcp { peerings, .. } => {
                        peerings.iter().map(|p| p.peer.clone()).collect()
                    }
                    Detail::Azure { peerings } => peerings
                        .iter()
                        .map(|p| p.remote.to_ascii_lowercase())
                        .collect(),
                    Detail::Aws { .. } => Vec::new(),
                };
                remotes
                    .into_iter()
                    .map(move |r| (id.to_ascii_lowercase(), r.to_ascii_lowercase()))
            })
            .collect();
        let active: Vec<String> = self
            .state
            .aws_peerings
            .iter()
            .filter(|p| p.status == AwsStatus::Active)
            .map(|p| p.id.clone())
            .collect();
        for n in self.state.networks.values_mut() {
            let me = n.id.to_ascii_lowercase();
            let back = |remote: &str| halves.contains(&(remote.to_ascii_lowercase(), me.clone()));
            match &mut n.detail {
                Detail::Gcp { peerings, .. } => {
                    for p in peerings {
                        p.active = back(&p.peer);
                    }
                }
                Detail::Azure { peerings } => {
                    for p in peerings {
                        p.state = match (back(&p.remote), p.state) {
                            (true, _) => AzureState::Connected,
                            (false, AzureState::Connected | AzureState::Disconnected) => {
                                AzureState::Disconnected
                            }
                            (false, AzureState::Initiated) => AzureState::Initiated,
                        };
                    }
                }
                Detail::Aws { route_tables, .. } => {
                    for t in route_tables {
                        for r in &mut t.routes {
                            if let AwsTarget::Peering(p) = &r.target {
                                r.blackhole = !active.contains(p);
                            }
                        }
                    }
                }
            }
        }
    }
}

fn peerings_len(d: &Detail) -> usize {
    match d {
        Detail::Gcp { peerings, .. } => peerings.len(),
        Detail::Azure { peerings } => peerings.len(),
        Detail::Aws { .. } => 0,
    }
}

/// Checks the clouds against what the topology means, derived without the planner.
pub fn check_reference(clouds: &Clouds, d: &Desired) -> Result<(), String> {
    let s = &clouds.state;
    let orphans: Vec<&String> = s
        .networks
        .keys()
        .filter(|n| !d.networks.contains_key(*n))
        .collect();
    if !orphans.is_empty() {
        return Err(format!(
            "networks left that the file no longer declares: {orphans:?}"
        ));
    }
    let cidrs = |n: &str| -> Vec<Ipv4Net> { s.networks[n].cidrs.clone() };
    let mut want_routes: BTreeSet<(String, String, Ipv4Net, String)> = BTreeSet::new();
    let mut want_rules: BTreeSet<(String, Opening, Ipv4Net)> = BTreeSet::new();
    let mut want_group_rules: BTreeSet<(String, Opening, String)> = BTreeSet::new();
    let mut got_group_rules = BTreeSet::new();
    let mut live_links = BTreeSet::new();
    for l in d.links.iter().filter(|l| !l.encrypted()) {
        match d.networks[&l.sides[0]].cloud {
            Cloud::Aws => {
                let p = s
                    .aws_peerings
                    .iter()
                    .find(|p| p.status.is_live() && p.tags.get(TAG_LINK) == Some(&l.name))
                    .ok_or(format!("link {}: no peering", l.name))?;
                if p.status != AwsStatus::Active {
                    return Err(format!("link {}: {:?}", l.name, p.status));
                }
                if (p.requester_dns, p.accepter_dns) != (l.dns_resolution, l.dns_resolution) {
                    return Err(format!("link {}: dns", l.name));
                }
                live_links.insert(p.id.clone());
                for side in &l.sides {
                    let Detail::Aws { route_tables, .. } = &s.networks[side].detail else {
                        unreachable!()
                    };
                    for t in route_tables {
                        for c in cidrs(l.peer_of(side)) {
                            want_routes.insert((side.clone(), t.id.clone(), c, p.id.clone()));
                        }
                    }
                    for o in &l.open {
                        for c in cidrs(l.peer_of(side)) {
                            want_rules.insert((side.clone(), *o, c));
                        }
                    }
                    let Detail::Aws { default_group, .. } = &s.networks[l.peer_of(side)].detail
                    else {
                        unreachable!()
                    };
                    for o in &l.open_from_group {
                        want_group_rules.insert((side.clone(), *o, default_group.clone()));
                    }
                }
            }
            Cloud::Gcp => {
                let name = peering_name(&d.name, &l.name);
                for (i, side) in l.sides.iter().enumerate() {
                    let peer_id = &s.networks[l.peer_of(side)].id;
                    let Detail::Gcp {
                        peerings,
                        firewalls,
                    } = &s.networks[side].detail
                    else {
                        unreachable!()
                    };
                    let ok = peerings.iter().any(|p| {
                        p.name == name
                            && &p.peer == peer_id
                            && p.active
                            && p.custom_routes == l.exchange_custom_routes
                    });
                    if !ok {
                        return Err(format!("{side}: GCP peering {name}: {peerings:?}"));
                    }
                    let rule = firewall_name(&d.name, &l.name, i);
                    let has = firewalls.iter().find(|f| f.name == rule);
                    match (l.open.is_empty(), has) {
                        (true, None) => {}
                        (false, Some(f)) => {
                            let got: BTreeSet<Opening> = f.allowed.iter().copied().collect();
                            let want: BTreeSet<Opening> = l.open.iter().copied().collect();
                            let src: BTreeSet<Ipv4Net> = f.sources.iter().copied().collect();
                            let want_src: BTreeSet<Ipv4Net> =
                                cidrs(l.peer_of(side)).into_iter().collect();
                            if got != want || src != want_src {
                                return Err(format!("{side}: firewall {rule} differs"));
                            }
                        }
                        _ => return Err(format!("{side}: firewall {rule}")),
                    }
                }
            }
            Cloud::Azure => {
                let name = peering_name(&d.name, &l.name);
                for side in &l.sides {
                    let remote = &s.networks[l.peer_of(side)].id;
                    let Detail::Azure { peerings } = &s.networks[side].detail else {
                        unreachable!()
                    };
                    let ok = peerings.iter().any(|p| {
                        p.name == name
                            && p.remote.eq_ignore_ascii_case(remote)
                            && p.state == AzureState::Connected
                            && p.allow_forwarded_traffic == l.allow_forwarded_traffic
                            && p.allow_gateway_transit == (l.gateway_transit.as_ref() == Some(side))
                            && p.use_remote_gateways
                                == (l.gateway_transit.as_deref() == Some(l.peer_of(side)))
                    });
                    if !ok {
                        return Err(format!("{side}: Azure peering {name}: {peerings:?}"));
                    }
                }
            }
        }
    }
    let owned: BTreeSet<&str> = s
        .aws_peerings
        .iter()
        .filter(|p| p.tags.get(TAG_TOPOLOGY).map(String::as_str) == Some(&d.name))
        .map(|p| p.id.as_str())
        .collect();
    let mut got_routes = BTreeSet::new();
    let mut got_rules = BTreeSet::new();
    for (name, n) in &s.networks {
        match &n.detail {
            Detail::Aws {
                route_tables,
                ingress,
                group_ingress,
                ..
            } => {
                for r in group_ingress {
                    if rule_owner(&d.name, &r.description).is_some() {
                        got_group_rules.insert((name.clone(), r.opening, r.group.clone()));
                    }
                }
                for t in route_tables {
                    for r in &t.routes {
                        if let AwsTarget::Peering(p) = &r.target {
                            if owned.contains(p.as_str()) {
                                got_routes.insert((
                                    name.clone(),
                                    t.id.clone(),
                                    r.destination,
                                    p.clone(),
                                ));
                            }
                        }
                    }
                }
                for r in ingress {
                    if rule_owner(&d.name, &r.description).is_some() {
                        got_rules.insert((name.clone(), r.opening, r.source));
                    }
                }
            }
            Detail::Gcp { peerings, .. } => {
                let want = d
                    .links
                    .iter()
                    .filter(|l| !l.encrypted() && l.sides.contains(name))
                    .count();
                let have = peerings
                    .iter()
                    .filter(|p| owned_name(&d.name, &p.name))
                    .count();
                if want != have {
                    return Err(format!("{name}: {have} GCP peerings, want {want}"));
                }
            }
            Detail::Azure { peerings } => {
                let want = d
                    .links
                    .iter()
                    .filter(|l| !l.encrypted() && l.sides.contains(name))
                    .count();
                if peerings.len() != want {
                    return Err(format!(
                        "{name}: {} Azure peerings, want {want}",
                        peerings.len()
                    ));
                }
            }
        }
    }
    if got_routes != want_routes {
        return Err(format!(
            "routes: extra {:?}, missing {:?}",
            got_routes.difference(&want_routes).collect::<Vec<_>>(),
            want_routes.difference(&got_routes).collect::<Vec<_>>()
        ));
    }
    if got_rules != want_rules {
        return Err("rules differ".into());
    }
    if got_group_rules != want_group_rules {
        return Err(format!(
            "group rules: {got_group_rules:?}, want {want_group_rules:?}"
        ));
    }
    let live_owned: BTreeSet<String> = s
        .aws_peerings
        .iter()
        .filter(|p| p.status.is_live() && owned.contains(p.id.as_str()))
        .map(|p| p.id.clone())
        .collect();
    if live_owned != live_links {
        return Err(format!("live peerings {live_owned:?}, want {live_links:?}"));
    }
    if d.gateway_secret.is_some() {
        check_gateways(clouds, d)?;
    }
    Ok(())
}

/// Keeps what `keep` accepts; refuses with `not_found` when that removes nothing.
/// Pushes `item` unless `same` holds for it and one already there: `exists` then.
fn add<T>(
    list: &mut Vec<T>,
    item: T,
    same: impl Fn(&T, &T) -> bool,
    exists: &str,
) -> Result<(), String> {
    if list.iter().any(|t| same(t, &item)) {
        return Err(exists.to_string());
    }
    list.push(item);
    Ok(())
}

fn remove<T>(
    list: &mut Vec<T>,
    keep: impl FnMut(&T) -> bool,
    not_found: &str,
) -> Result<(), String> {
    let before = list.len();
    list.retain(keep);
    if list.len() == before {
        return Err(not_found.to_string());
    }
    Ok(())
}

/// The accounts of the tests' topologies: two AWS accounts, a GCP project, an Azure subscription.
pub const ACCOUNTS: &str = "
accounts:
  one: { cloud: aws, account_id: '111111111111' }
  two: { cloud: aws, account_id: '222222222222' }
  gp: { cloud: gcp, project: p }
  az: { cloud: azure, subscription: s, resource_group: rg }
";

/// A /16 per index, so generated networks never overlap unless a test wants them to.
pub fn block(i: u8) -> Ipv4Net {
    format!("10.{i}.0.0/16").parse().unwrap()
}
