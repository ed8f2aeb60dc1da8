//! Table tests of the Azure domain: every transition of the peering state table (spec §2.4),
//! address-space changes and sync (§2.5), gateway transit rules (§2.6) and the validation codes
//! (§2.8), each also checking that a refused command leaves the world untouched.

use super::ops::{self, PutGateway, PutPeering, PutVnet, RouteSpec, SubnetSpec, Target};
use super::peering::{self, PeeringState, SyncLevel};
use super::*;
use crate::testkit::TestEnv;
use crate::Scope;

const S1: &str = "00000000-0000-0000-0000-000000000001";
const S2: &str = "00000000-0000-0000-0000-000000000002";

fn scope(sub: &str) -> Scope {
    Scope::new(sub, "")
}

struct Az {
    env: TestEnv,
}

impl Az {
    fn new() -> Self {
        let mut az = Az {
            env: TestEnv::new(),
        };
        az.rg(S1, "rg");
        az.rg(S2, "rg2");
        az
    }

    fn run<T>(
        &mut self,
        sub: &str,
        f: impl FnOnce(&mut crate::Tx<'_, '_>) -> Result<T, AzureError>,
    ) -> Result<T, AzureError> {
        self.env.transact(&scope(sub), f)
    }

    fn rg(&mut self, sub: &str, name: &str) {
        self.run(sub, |tx| {
            ops::put_resource_group(tx, sub, name, Some("eastus"), AzTags::new())
        })
        .expect("resource group");
    }

    /// Puts the VNet `t` in `location` with `prefixes` and returns its id.
    fn vnet_in(&mut self, t: &Target, location: &str, prefixes: &[&str]) -> String {
        let v = self.put_vnet(t, location, prefixes).expect("vnet");
        v.display_id
    }

    /// Puts the VNet `t` in `location` with `prefixes`, as its subscription.
    fn put_vnet(
        &mut self,
        t: &Target,
        location: &str,
        prefixes: &[&str],
    ) -> Result<AzVnet, AzureError> {
        let req = PutVnet {
            location: Some(location.into()),
            prefixes: prefixes.iter().map(|p| (*p).into()).collect(),
            subnets: None,
            tags: AzTags::new(),
        };
        let sub = t.subscription.clone();
        self.run(&sub, |tx| ops::put_vnet(tx, t, req))
            .map(|(v, _)| v)
    }

    /// Puts `spec` as a subnet of the VNet `vnet` names, as its subscription.
    fn put_subnet(
        &mut self,
        vnet: &Target,
        spec: SubnetSpec,
    ) -> Result<(AzVnet, bool), AzureError> {
        self.run(&vnet.subscription.clone(), |tx| {
            ops::put_subnet(tx, vnet, spec)
        })
    }

    /// Puts the NSG `t` in eastus with `rules`, as its subscription.
    fn put_nsg(
        &mut self,
        t: &Target,
        rules: Vec<AzSecurityRule>,
    ) -> Result<(AzNsg, bool), AzureError> {
        self.run(&t.subscription.clone(), |tx| {
            ops::put_nsg(tx, t, nsg_req("eastus", rules))
        })
    }

    /// Records a finished operation of S1 in `location`.
    fn record(&mut self, location: &str) -> AzOperation {
        let none = AzOperationResult::None;
        self.run(S1, |tx| Ok(ops::record_operation(tx, S1, location, none)))
            .expect("operation")
    }

    fn vnet(&mut self, name: &str, prefixes: &[&str]) -> String {
        self.vnet_in(&Target::new(S1, "rg", name), "eastus", prefixes)
    }

    /// Puts the link `name` of the VNet `vnet` to `remote`, with the flags of `req`, as the
    /// VNet's subscription.
    fn peer_at(
        &mut self,
        vnet: &Target,
        name: &str,
        remote: &str,
        req: PutPeering,
    ) -> Result<AzPeering, AzureError> {
        let req = PutPeering {
            remote_vnet_id: Some(remote.to_owned()),
            ..req
        };
        self.run(&vnet.subscription.clone(), |tx| {
            ops::put_peering(tx, vnet, name, req)
        })
        .map(|(p, _)| p)
    }

    fn peer_with(
        &mut self,
        vnet: &str,
        name: &str,
        remote: &str,
        req: PutPeering,
    ) -> Result<AzPeering, AzureError> {
        self.peer_at(&Target::new(S1, "rg", vnet), name, remote, req)
    }

    fn peer(&mut self, vnet: &str, name: &str, remote: &str) -> Result<AzPeering, AzureError> {
        self.peer_with(vnet, name, remote, PutPeering::default())
    }

    fn unpeer(&mut self, vnet: &str, name: &str) -> bool {
        let t = Target::new(S1, "rg", vnet);
        self.run(S1, |tx| ops::delete_peering(tx, &t, name))
            .expect("delete peering")
    }

    fn link(&self, vnet: &str, name: &str) -> &AzPeering {
        ops::get_peering(&self.env.world, &Target::new(S1, "rg", vnet), name).expect("link")
    }

    fn state(&self, vnet: &str, name: &str) -> PeeringState {
        peering::state(&self.env.world, self.link(vnet, name))
    }

    fn sync(&self, vnet: &str, name: &str) -> SyncLevel {
        peering::view(&self.env.world, self.link(vnet, name)).sync
    }

    /// Runs a command that must fail with the refusal `code` (the variant's name, see [`kind`]),
    /// and checks it changed nothing.
    fn refuse<T: std::fmt::Debug>(
        &mut self,
        code: &str,
        f: impl FnOnce(&mut Az) -> Result<T, AzureError>,
    ) -> AzureError {
        let before = self.env.world.clone();
        let err = f(self).expect_err("command must be refused");
        assert_eq!(kind(&err), code, "{err:?}");
        assert_eq!(self.env.world, before, "a refused command left a trace");
        err
    }
}

/// A subnet `name` with `prefix` and nothing else.
pub(super) fn subnet(name: &str, prefix: &str) -> SubnetSpec {
    SubnetSpec {
        name: name.into(),
        prefix: Some(prefix.into()),
        ..Default::default()
    }
}

/// An NSG PUT in `location` with `rules` and no tags.
pub(super) fn nsg_req(location: &str, rules: Vec<AzSecurityRule>) -> ops::PutNsg {
    ops::PutNsg {
        location: Some(location.into()),
        rules,
        tags: AzTags::new(),
    }
}

/// A VPN gateway PUT in eastus in the subnet `subnet_id` (a `GatewaySubnet`).
pub(super) fn gateway_req(subnet_id: String) -> PutGateway {
    PutGateway {
        location: Some("eastus".into()),
        subnet_id: Some(subnet_id),
        gateway_type: AzGatewayType::Vpn,
        vpn_type: None,
        sku: None,
        tags: AzTags::new(),
    }
}

/// The name of a refusal's kind: its variant's name.
pub(super) fn kind(e: &AzureError) -> String {
    format!("{e:?}")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn net(s: &str) -> ipnet::Ipv4Net {
    s.parse().expect("a CIDR block")
}

fn connected_pair() -> (Az, String, String) {
    let mut az = Az::new();
    let a = az.vnet("vnet-a", &["10.0.0.0/16"]);
    let b = az.vnet("vnet-b", &["10.1.0.0/16"]);
    az.peer("vnet-a", "a-to-b", &b).expect("a-to-b");
    az.peer("vnet-b", "b-to-a", &a).expect("b-to-a");
    (az, a, b)
}

#[test]
fn state_table_initiated_connected_disconnected_and_back() {
    use PeeringState::*;
    let mut az = Az::new();
    let a = az.vnet("vnet-a", &["10.0.0.0/16"]);
    let b = az.vnet("vnet-b", &["10.1.0.0/16"]);

    // (step, expected A→B, expected B→A)
    az.peer("vnet-a", "a-to-b", &b).unwrap();
    assert_eq!(az.state("vnet-a", "a-to-b"), Initiated, "PUT A→B alone");

    az.peer("vnet-b", "b-to-a", &a).unwrap();
    assert_eq!(
        (az.state("vnet-a", "a-to-b"), az.state("vnet-b", "b-to-a")),
        (Connected, Connected),
        "PUT B→A"
    );

    // Updating a connected link keeps it connected.
    az.peer_with(
        "vnet-a",
        "a-to-b",
        &b,
        PutPeering {
            allow_forwarded_traffic: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        (az.state("vnet-a", "a-to-b"), az.state("vnet-b", "b-to-a")),
        (Connected, Connected),
        "update A→B"
    );

    assert!(az.unpeer("vnet-a", "a-to-b"));
    assert_eq!(az.state("vnet-b", "b-to-a"), Disconnected, "DELETE A→B");

    let e = az.refuse("RemotePeeringDisconnected", |az| {
        az.peer("vnet-a", "a-to-b", &b)
    });
    assert!(
        matches!(&e, AzureError::RemotePeeringDisconnected { remote_peering, .. } if remote_peering.ends_with("/b-to-a")),
        "{e:?}"
    );

    // Re-creating the disconnected side puts it back to Initiated; then the other side connects.
    assert!(az.unpeer("vnet-b", "b-to-a"));
    az.peer("vnet-b", "b-to-a", &a).unwrap();
    assert_eq!(az.state("vnet-b", "b-to-a"), Initiated, "re-created B→A");
    az.peer("vnet-a", "a-to-b", &b).unwrap();
    assert_eq!(
        (az.state("vnet-a", "a-to-b"), az.state("vnet-b", "b-to-a")),
        (Connected, Connected)
    );
}

#[test]
fn updating_a_disconnected_link_rearms_it() {
    let (mut az, a, b) = connected_pair();
    az.unpeer("vnet-a", "a-to-b");
    assert_eq!(az.state("vnet-b", "b-to-a"), PeeringState::Disconnected);
    az.peer("vnet-b", "b-to-a", &a).unwrap();
    assert_eq!(az.state("vnet-b", "b-to-a"), PeeringState::Initiated);
    az.peer("vnet-a", "a-to-b", &b).unwrap();
    assert_eq!(az.state("vnet-a", "a-to-b"), PeeringState::Connected);
    assert_eq!(az.state("vnet-b", "b-to-a"), PeeringState::Connected);
}

#[test]
fn remote_vnet_deleted_or_recreated_disconnects() {
    let (mut az, _a, b) = connected_pair();
    let t = Target::new(S1, "rg", "vnet-b");
    assert!(az.run(S1, |tx| ops::delete_vnet(tx, &t)).unwrap());
    assert_eq!(
        az.state("vnet-a", "a-to-b"),
        PeeringState::Disconnected,
        "remote deleted"
    );
    // Its own links went with it.
    assert!(az
        .env
        .world
        .azure
        .peerings
        .keys()
        .all(|k| !k.contains("vnet-b/")));
    // Re-created with the same name: a new guid, so the old link stays Disconnected.
    az.vnet("vnet-b", &["10.1.0.0/16"]);
    assert_eq!(
        az.state("vnet-a", "a-to-b"),
        PeeringState::Disconnected,
        "remote re-created"
    );
    // Updating the link re-arms it against the new VNet.
    az.peer("vnet-a", "a-to-b", &b).unwrap();
    assert_eq!(az.state("vnet-a", "a-to-b"), PeeringState::Initiated);
}

#[test]
fn validation_codes_and_no_trace() {
    let (mut az, a, b) = connected_pair();
    let c = az.vnet("vnet-c", &["10.0.128.0/17", "192.168.0.0/24"]);
    let d = az.vnet("vnet-d", &["10.2.0.0/16"]);

    let e = az.refuse("PeeringOverlap", |az| az.peer("vnet-a", "a-to-c", &c));
    assert!(
        matches!(&e, AzureError::PeeringOverlap { prefixes, .. } if *prefixes == [net("10.0.128.0/17")]),
        "{e:?}"
    );
    // C overlaps A, which is already peered with B.
    let e = az.refuse("PeeringOverlapsPeer", |az| az.peer("vnet-c", "c-to-b", &b));
    assert!(
        matches!(&e, AzureError::PeeringOverlapsPeer { third, side: PeeredSide::Local, .. } if third.ends_with("/vnet-a")),
        "{e:?}"
    );
    az.refuse("RemoteAlreadyPeered", |az| {
        az.peer("vnet-a", "a-to-b-again", &b)
    });
    az.refuse("ChangingRemote", |az| az.peer("vnet-a", "a-to-b", &d));
    az.refuse("InvalidName", |az| az.peer("vnet-a", "-bad", &d));
    az.refuse("InvalidName", |az| az.peer("vnet-a", &"x".repeat(81), &d));
    az.refuse("PeerWithItself", |az| az.peer("vnet-a", "self", &a));
    az.refuse("InvalidRemoteId", |az| {
        az.peer("vnet-a", "junk", "not-an-id")
    });
    az.refuse("InvalidRemoteId", |az| {
        az.peer("vnet-a", "nsg", &format!("/subscriptions/{S1}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/x"))
    });
    let missing = format!(
        "/subscriptions/{S1}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/nope"
    );
    let e = az.refuse("RemoteNotFound", |az| {
        az.peer("vnet-a", "a-to-nope", &missing)
    });
    assert!(
        matches!(&e, AzureError::RemoteNotFound { remote, .. } if *remote == missing),
        "{e:?}"
    );
    az.refuse("PeeringNeedsRemote", |az| {
        let t = Target::new(S1, "rg", "vnet-a");
        az.run(S1, |tx| {
            ops::put_peering(tx, &t, "noremote", PutPeering::default())
        })
    });
    let e = az.refuse("GroupNotFound", |az| {
        az.put_vnet(&Target::new(S1, "ghost", "v"), "eastus", &["10.9.0.0/16"])
    });
    assert_eq!(
        e,
        AzureError::GroupNotFound {
            name: "ghost".into()
        }
    );
    let ghost = Target::new(S1, "rg", "ghost-vnet");
    let e = az.refuse("NotFound", |az| {
        az.peer_at(&ghost, "p", &d, PutPeering::default())
    });
    assert_eq!(e, ghost.not_found(ops::Tagged::Vnet));
    az.refuse("LocationRequired", |az| {
        let t = Target::new(S1, "rg", "noloc");
        az.run(S1, |tx| {
            ops::put_vnet(
                tx,
                &t,
                PutVnet {
                    prefixes: vec!["10.9.0.0/16".into()],
                    ..Default::default()
                },
            )
        })
    });
    az.refuse("LocationChanged", |az| {
        az.put_vnet(&Target::new(S1, "rg", "vnet-d"), "westus", &["10.2.0.0/16"])
    });
    az.refuse("InvalidPrefix", |az| {
        az.put_vnet(&Target::new(S1, "rg", "v9"), "eastus", &["10.9.0.1/16"])
    });
}

#[test]
fn other_clouds_networks_are_refused_with_the_gateway_hint() {
    let mut az = Az::new();
    az.vnet("vnet-a", &["10.0.0.0/16"]);
    for remote in [
        "vpc-0123456789abcdef0",
        "projects/p/global/networks/net-b",
        "https://www.googleapis.com/compute/v1/projects/p/global/networks/n",
    ] {
        let e = az.refuse("RemoteInOtherCloud", |az| az.peer("vnet-a", "x", remote));
        let cloud = if remote.starts_with("vpc-") {
            OtherCloud::Aws
        } else {
            OtherCloud::Gcp
        };
        assert!(
            matches!(&e, AzureError::RemoteInOtherCloud { cloud: c, remote: r, .. } if *c == cloud && r == remote),
            "{e:?}"
        );
    }
}

#[test]
fn peerings_per_vnet_quota() {
    let mut az = Az::new();
    az.env.limits.az_peerings_per_vnet = Some(1);
    az.vnet("vnet-a", &["10.0.0.0/16"]);
    let b = az.vnet("vnet-b", &["10.1.0.0/16"]);
    let c = az.vnet("vnet-c", &["10.2.0.0/16"]);
    az.peer("vnet-a", "a-to-b", &b).unwrap();
    az.refuse("PeeringLimit", |az| az.peer("vnet-a", "a-to-c", &c));
    // Updating the existing link is not a new peering.
    az.peer("vnet-a", "a-to-b", &b).unwrap();
}

#[test]
fn cross_subscription_and_global_peering() {
    let mut az = Az::new();
    let a = az.vnet("vnet-a", &["10.0.0.0/16"]);
    let b = az.vnet_in(
        &Target::new(S2, "rg2", "vnet-b"),
        "westeurope",
        &["10.1.0.0/16"],
    );
    az.peer("vnet-a", "a-to-b", &b).unwrap();
    let t = Target::new(S2, "rg2", "vnet-b");
    az.peer_at(&t, "b-to-a", &a, PutPeering::default()).unwrap();
    assert_eq!(az.state("vnet-a", "a-to-b"), PeeringState::Connected);
    let v = peering::view(&az.env.world, az.link("vnet-a", "a-to-b"));
    assert_eq!(v.remote_location.as_deref(), Some("westeurope"));
}

fn gateway(az: &mut Az, vnet: &str, prefix: &str) {
    let t = Target::new(S1, "rg", vnet);
    az.put_subnet(&t, subnet("GatewaySubnet", prefix)).unwrap();
    let subnet_id = format!("{}/subnets/GatewaySubnet", t.network_id("virtualNetworks"));
    let g = Target::new(S1, "rg", &format!("{vnet}-gw"));
    az.run(S1, |tx| ops::put_gateway(tx, &g, gateway_req(subnet_id)))
        .unwrap();
}

#[test]
fn use_remote_gateways_rules() {
    let mut az = Az::new();
    let hub = az.vnet("hub", &["10.0.0.0/16"]);
    let spoke = az.vnet("spoke", &["10.1.0.0/16"]);
    let spoke2 = az.vnet("spoke2", &["10.2.0.0/16"]);
    let use_gw = PutPeering {
        use_remote_gateways: true,
        ..Default::default()
    };
    let transit = PutPeering {
        allow_gateway_transit: true,
        ..Default::default()
    };

    let e = az.refuse("RemoteHasNoGateways", |az| {
        az.peer_with("spoke", "spoke-to-hub", &hub, use_gw.clone())
    });
    assert!(
        matches!(&e, AzureError::RemoteHasNoGateways { remote, .. } if *remote == hub),
        "{e:?}"
    );
    gateway(&mut az, "hub", "10.0.255.0/27");
    // The hub's side exists but does not allow transit.
    az.peer("hub", "hub-to-spoke", &spoke).unwrap();
    az.refuse("RemoteDoesNotAllowTransit", |az| {
        az.peer_with("spoke", "spoke-to-hub", &hub, use_gw.clone())
    });
    az.peer_with("hub", "hub-to-spoke", &spoke, transit.clone())
        .unwrap();
    az.peer_with("spoke", "spoke-to-hub", &hub, use_gw.clone())
        .unwrap();
    assert_eq!(az.state("spoke", "spoke-to-hub"), PeeringState::Connected);
    // Transit cannot be withdrawn while used; the gateway cannot go either.
    az.refuse("TransitInUse", |az| az.peer("hub", "hub-to-spoke", &spoke));
    az.refuse("GatewayInUse", |az| {
        let g = Target::new(S1, "rg", "hub-gw");
        az.run(S1, |tx| ops::delete_gateway(tx, &g))
    });
    // Only one peering of a VNet may use remote gateways; a VNet with its own gateway may not.
    let hub2 = az.vnet("hub2", &["10.3.0.0/16"]);
    gateway(&mut az, "hub2", "10.3.255.0/27");
    az.peer_with("hub2", "hub2-to-spoke", &spoke, transit.clone())
        .unwrap();
    az.refuse("AnotherPeeringUsesRemoteGateways", |az| {
        az.peer_with("spoke", "spoke-to-hub2", &hub2, use_gw.clone())
    });
    gateway(&mut az, "spoke2", "10.2.255.0/27");
    az.peer_with("hub", "hub-to-spoke2", &spoke2, transit)
        .unwrap();
    az.refuse("LocalHasGateway", |az| {
        az.peer_with("spoke2", "spoke2-to-hub", &hub, use_gw.clone())
    });
}

#[test]
fn address_space_change_then_sync() {
    let (mut az, a, b) = connected_pair();
    az.vnet("vnet-c", &["10.5.0.0/16"]);
    let c = az.vnet("vnet-c", &["10.5.0.0/16"]);
    az.peer("vnet-b", "b-to-c", &c).unwrap();
    let va = Target::new(S1, "rg", "vnet-a");

    // A new prefix overlapping the peer, or the peer's other peer, is refused.
    let e = az.refuse("SpaceOverlapsPeer", |az| {
        az.put_vnet(&va, "eastus", &["10.0.0.0/16", "10.1.128.0/24"])
    });
    assert!(
        matches!(&e, AzureError::SpaceOverlapsPeer { via: None, prefixes, .. } if prefixes.contains(&net("10.1.128.0/24"))),
        "{e:?}"
    );
    az.refuse("SpaceOverlapsPeer", |az| {
        az.put_vnet(&va, "eastus", &["10.0.0.0/16", "10.5.1.0/24"])
    });

    az.put_vnet(&va, "eastus", &["10.0.0.0/16", "10.7.0.0/16"])
        .unwrap();
    assert_eq!(az.state("vnet-a", "a-to-b"), PeeringState::Connected);
    assert_eq!(az.sync("vnet-a", "a-to-b"), SyncLevel::RemoteNotInSync);
    assert_eq!(az.sync("vnet-b", "b-to-a"), SyncLevel::LocalNotInSync);
    let stale = peering::view(&az.env.world, az.link("vnet-b", "b-to-a"));
    assert_eq!(stale.remote_peered.len(), 1);
    assert_eq!(stale.remote_current.len(), 2);

    // A plain update does not sync; syncRemoteAddressSpace on the stale side does.
    az.peer("vnet-b", "b-to-a", &a).unwrap();
    assert_eq!(az.sync("vnet-b", "b-to-a"), SyncLevel::LocalNotInSync);
    az.peer_with(
        "vnet-b",
        "b-to-a",
        &a,
        PutPeering {
            sync_remote_address_space: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(az.sync("vnet-b", "b-to-a"), SyncLevel::FullyInSync);
    assert_eq!(az.sync("vnet-a", "a-to-b"), SyncLevel::FullyInSync);
    let _ = b;
}

fn nic(
    az: &mut Az,
    name: &str,
    vnet: &str,
    subnet: &str,
    ip: Option<&str>,
) -> Result<AzNic, AzureError> {
    let subnet_id = format!(
        "{}/subnets/{subnet}",
        Target::new(S1, "rg", vnet).network_id("virtualNetworks")
    );
    let req = ops::PutNic {
        location: Some("eastus".into()),
        ip_configs: vec![ops::IpConfigSpec {
            name: "ipconfig1".into(),
            subnet_id: Some(subnet_id),
            private_ip: ip.map(Into::into),
            is_static: ip.is_some(),
            primary: None,
            public_ip: None,
        }],
        ..Default::default()
    };
    let t = Target::new(S1, "rg", name);
    az.run(S1, |tx| ops::put_nic(tx, &t, req)).map(|(n, _)| n)
}

/// The private address the NIC `name` gets (or keeps) when put on subnet `web` of `vnet-a`.
fn nic_ip(az: &mut Az, name: &str) -> String {
    let n = nic(az, name, "vnet-a", "web", None).expect("nic");
    n.ip_configs[0].private_ip.to_string()
}

/// The effective routes of the NIC `nic` for `prefix`: next hop, whether active, source.
fn hops(az: &Az, nic: &str, prefix: &str) -> Vec<(AzNextHop, bool, AzRouteSource)> {
    routes::effective_routes(&az.env.world, az.env.world.azure.nics.get(nic).unwrap())
        .into_iter()
        .filter(|r| r.prefixes.iter().any(|p| p.to_string() == prefix))
        .map(|r| (r.next_hop, r.active, r.source))
        .collect()
}

#[test]
fn nic_addresses_and_subnet_in_use() {
    let mut az = Az::new();
    az.vnet("vnet-a", &["10.0.0.0/16"]);
    let t = Target::new(S1, "rg", "vnet-a");
    az.put_subnet(&t, subnet("web", "10.0.1.0/24")).unwrap();
    assert_eq!(nic_ip(&mut az, "n1"), "10.0.1.4");
    assert_eq!(nic_ip(&mut az, "n2"), "10.0.1.5");
    az.refuse("PrivateIpInUse", |az| {
        nic(az, "n3", "vnet-a", "web", Some("10.0.1.5"))
    });
    az.refuse("PrivateIpNotInSubnet", |az| {
        nic(az, "n3", "vnet-a", "web", Some("10.0.1.2"))
    });
    az.refuse("MissingReference", |az| {
        nic(az, "n3", "vnet-a", "nosuch", None)
    });
    // Re-PUT keeps the address.
    assert_eq!(nic_ip(&mut az, "n1"), "10.0.1.4");
    az.refuse("SubnetInUse", |az| {
        az.run(S1, |tx| ops::delete_subnet(tx, &t, "web"))
    });
    az.refuse("SubnetInUse", |az| {
        az.run(S1, |tx| ops::delete_vnet(tx, &t))
    });
    az.refuse("SubnetOutsideVnet", |az| {
        az.put_subnet(&t, subnet("out", "10.9.0.0/24"))
    });
    // Shrinking the address space may not strand a subnet.
    az.refuse("SubnetOutsideVnet", |az| {
        az.put_vnet(&Target::new(S1, "rg", "vnet-a"), "eastus", &["10.1.0.0/16"])
    });
    az.refuse("SubnetsOverlap", |az| {
        az.put_subnet(&t, subnet("web2", "10.0.1.128/25"))
    });
}

#[test]
fn effective_routes_follow_peering_state_and_udrs() {
    let (mut az, _a, _b) = connected_pair();
    let t = Target::new(S1, "rg", "vnet-a");
    az.put_subnet(&t, subnet("web", "10.0.1.0/24")).unwrap();
    let n = nic(&mut az, "n1", "vnet-a", "web", None).unwrap();
    let hop_of = |az: &Az, prefix: &str| hops(az, &n.id, prefix);
    assert_eq!(
        hop_of(&az, "10.0.0.0/16"),
        vec![(AzNextHop::VnetLocal, true, AzRouteSource::Default)]
    );
    assert_eq!(
        hop_of(&az, "10.1.0.0/16"),
        vec![(AzNextHop::VnetPeering, true, AzRouteSource::Default)]
    );
    assert_eq!(
        hop_of(&az, "0.0.0.0/0"),
        vec![(AzNextHop::Internet, true, AzRouteSource::Default)]
    );

    // A UDR for the peer's prefix makes the system route Invalid.
    let rt = Target::new(S1, "rg", "rt");
    let via_nva = RouteSpec {
        name: "via-nva".into(),
        prefix: "10.1.0.0/16".into(),
        next_hop: AzNextHop::VirtualAppliance,
        next_hop_ip: Some("10.0.1.10".into()),
    };
    let req = ops::PutRouteTable {
        location: Some("eastus".into()),
        routes: vec![via_nva],
        ..Default::default()
    };
    az.run(S1, |tx| ops::put_route_table(tx, &rt, req)).unwrap();
    let rt_id = rt.network_id("routeTables");
    az.put_subnet(
        &t,
        SubnetSpec {
            route_table: Some(rt_id),
            ..subnet("web", "10.0.1.0/24")
        },
    )
    .unwrap();
    assert_eq!(
        hop_of(&az, "10.1.0.0/16"),
        vec![
            (AzNextHop::VnetPeering, false, AzRouteSource::Default),
            (AzNextHop::VirtualAppliance, true, AzRouteSource::User)
        ]
    );
    az.refuse("RouteTableInUse", |az| {
        az.run(S1, |tx| ops::delete_route_table(tx, &rt))
    });

    // Disconnected: no peer route.
    az.unpeer("vnet-b", "b-to-a");
    assert_eq!(hop_of(&az, "10.1.0.0/16").len(), 1);
}

#[test]
fn effective_routes_global_peering_and_paused_access() {
    let mut az = Az::new();
    let a = az.vnet("vnet-a", &["10.0.0.0/16"]);
    let b = az.vnet_in(&Target::new(S1, "rg", "vnet-b"), "westus", &["10.1.0.0/16"]);
    az.peer("vnet-a", "a-to-b", &b).unwrap();
    az.peer("vnet-b", "b-to-a", &a).unwrap();
    let t = Target::new(S1, "rg", "vnet-a");
    az.put_subnet(&t, subnet("s", "10.0.0.0/24")).unwrap();
    let n = nic(&mut az, "n1", "vnet-a", "s", None).unwrap();
    let peer_hops = |az: &Az| -> Vec<AzNextHop> {
        let hops = hops(az, &n.id, "10.1.0.0/16");
        hops.into_iter().map(|(hop, _, _)| hop).collect()
    };
    assert_eq!(peer_hops(&az), vec![AzNextHop::VnetGlobalPeering]);
    az.peer_with(
        "vnet-a",
        "a-to-b",
        &b,
        PutPeering {
            allow_vnet_access: false,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        az.state("vnet-a", "a-to-b"),
        PeeringState::Connected,
        "pausing keeps the link"
    );
    assert!(peer_hops(&az).is_empty());
}

#[test]
fn resource_group_delete_cascades() {
    let (mut az, _a, _b) = connected_pair();
    let other = az.vnet_in(
        &Target::new(S2, "rg2", "vnet-x"),
        "eastus",
        &["10.9.0.0/16"],
    );
    az.peer("vnet-a", "a-to-x", &other).unwrap();
    assert!(
        az.run(S1, |tx| ops::delete_resource_group(tx, S1, "RG"))
            .unwrap(),
        "names are case-insensitive"
    );
    assert!(az.env.world.azure.vnets.keys().all(|k| k.contains("/rg2/")));
    assert!(az.env.world.azure.peerings.is_empty());
    assert!(!az
        .run(S1, |tx| ops::delete_resource_group(tx, S1, "rg"))
        .unwrap());
}

#[test]
fn arm_ids_parse_case_insensitively() {
    let id = ArmId::parse("/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg/PROVIDERS/microsoft.network/VIRTUALNETWORKS/v/Subnets/x").unwrap();
    assert!(id.is("Microsoft.Network", &["virtualNetworks", "subnets"]));
    assert_eq!(
        key(&id.top_level()),
        "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v"
    );
    assert!(ArmId::parse("/subscriptions/s/resourceGroups/rg").is_none());
    assert!(ArmId::parse("vpc-123").is_none());
    assert_eq!(normalize_location("East US 2"), "eastus2");
}

#[test]
fn finished_operations_are_forgotten_after_a_day() {
    let mut az = Az::new();
    let first = az.record("East US");
    assert!(
        ops::get_operation(&az.env.world, S1, &first.id.to_ascii_uppercase()).is_ok(),
        "ids are case-insensitive"
    );
    assert_eq!(
        ops::get_operation(&az.env.world, S2, &first.id).unwrap_err(),
        AzureError::OperationNotFound {
            id: first.id.clone()
        }
    );
    az.env.now = az.env.now.plus_millis(ops::OPERATION_RETENTION_MS - 1);
    let second = az.record("eastus");
    assert!(
        ops::get_operation(&az.env.world, S1, &first.id).is_ok(),
        "still within the day"
    );
    az.env.now = az.env.now.plus_millis(2);
    az.record("eastus");
    assert_eq!(
        ops::get_operation(&az.env.world, S1, &first.id).unwrap_err(),
        AzureError::OperationNotFound {
            id: first.id.clone()
        }
    );
    assert!(ops::get_operation(&az.env.world, S1, &second.id).is_ok());
    assert_eq!(az.env.world.azure.operations.len(), 2);
}

pub(super) fn rule(name: &str, priority: u32) -> AzSecurityRule {
    AzSecurityRule {
        name: name.into(),
        priority,
        direction: AzDirection::Inbound,
        access: AzAccess::Allow,
        protocol: "Tcp".into(),
        source_ports: vec!["*".into()],
        destination_ports: vec!["443".into()],
        source_prefixes: vec!["VirtualNetwork".into()],
        destination_prefixes: vec!["10.0.1.0/24".into()],
        description: None,
    }
}

#[test]
fn security_rules_are_validated() {
    let mut az = Az::new();
    let t = Target::new(S1, "rg", "nsg");
    az.put_nsg(&t, vec![rule("https", 100)]).unwrap();
    let put = |az: &mut Az, r: AzSecurityRule| az.run(S1, |tx| ops::put_security_rule(tx, &t, r));
    assert!(put(&mut az, rule("ssh", 110)).unwrap().1, "a new rule");
    assert!(
        !put(
            &mut az,
            AzSecurityRule {
                priority: 120,
                ..rule("SSH", 110)
            }
        )
        .unwrap()
        .1,
        "names are case-insensitive"
    );
    let cases: Vec<(&str, AzSecurityRule)> = vec![
        ("RulePriority", rule("low", 99)),
        ("RulePriority", rule("high", 4097)),
        ("RuleConflict", rule("same-priority", 100)),
        (
            "RuleProtocol",
            AzSecurityRule {
                protocol: "Gre".into(),
                ..rule("p", 200)
            },
        ),
        (
            "RulePorts",
            AzSecurityRule {
                destination_ports: vec!["70000".into()],
                ..rule("p", 200)
            },
        ),
        (
            "RulePorts",
            AzSecurityRule {
                destination_ports: vec!["90-80".into()],
                ..rule("p", 200)
            },
        ),
        (
            "RuleNoPorts",
            AzSecurityRule {
                source_ports: vec![],
                ..rule("p", 200)
            },
        ),
        (
            "RulePrefix",
            AzSecurityRule {
                source_prefixes: vec!["10.0.0.0/33".into()],
                ..rule("p", 200)
            },
        ),
        ("InvalidName", rule("bad name", 200)),
    ];
    for (code, r) in cases {
        az.refuse(code, |az| {
            az.run(S1, |tx| ops::put_security_rule(tx, &t, r))
        });
    }
    assert!(az
        .run(S1, |tx| ops::delete_security_rule(tx, &t, "SSH"))
        .unwrap());
    assert!(!az
        .run(S1, |tx| ops::delete_security_rule(tx, &t, "ssh"))
        .unwrap());
    assert_eq!(ops::parse_port_range("1000-2000"), Some((1000, 2000)));
    assert_eq!(ops::parse_port_range("*"), Some((0, 65535)));
}

mod properties {
    //! Random sequences of link PUTs and DELETEs and VNet re-creations over three VNets keep
    //! the peering states coherent, and every refused command leaves no trace.

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Step {
        Put(usize, usize),
        Delete(usize, usize),
        Recreate(usize),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0..3usize, 0..3usize).prop_map(|(a, b)| Step::Put(a, b)),
            2 => (0..3usize, 0..3usize).prop_map(|(a, b)| Step::Delete(a, b)),
            1 => (0..3usize).prop_map(Step::Recreate),
        ]
    }

    const NAMES: [&str; 3] = ["v0", "v1", "v2"];
    const PREFIXES: [&str; 3] = ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"];

    fn check(az: &Az) -> [usize; 3] {
        let w = &az.env.world;
        let mut seen = [0; 3];
        for l in w.azure.peerings.values() {
            let s = peering::state(w, l);
            let r = peering::reverse_of(w, l);
            let rs = r.map(|r| peering::state(w, r));
            match s {
                PeeringState::Connected => {
                    seen[1] += 1;
                    assert_eq!(
                        rs,
                        Some(PeeringState::Connected),
                        "{} connected alone",
                        l.id
                    );
                    assert_eq!(r.unwrap().connected_with.as_deref(), Some(l.guid.as_str()));
                    assert_eq!(w.azure.vnets[&l.remote_vnet].guid, l.remote_vnet_guid);
                }
                PeeringState::Initiated => {
                    seen[0] += 1;
                    assert!(
                        rs.is_none() || rs == Some(PeeringState::Disconnected),
                        "{} Initiated while its reverse is {rs:?}",
                        l.id
                    )
                }
                PeeringState::Disconnected => seen[2] += 1,
            }
        }
        seen
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn peering_states_stay_coherent(steps in prop::collection::vec(step(), 1..40)) {
            let mut az = Az::new();
            let mut ids = Vec::new();
            for (n, p) in NAMES.iter().zip(PREFIXES) {
                ids.push(az.vnet(n, &[p]));
            }
            for s in steps {
                let before = az.env.world.clone();
                let out = match s {
                    Step::Put(a, b) => az.peer(NAMES[a], &format!("to-{}", NAMES[b]), &ids[b]).map(|_| ()),
                    Step::Delete(a, b) => {
                        az.unpeer(NAMES[a], &format!("to-{}", NAMES[b]));
                        Ok(())
                    }
                    Step::Recreate(a) => {
                        let t = Target::new(S1, "rg", NAMES[a]);
                        az.run(S1, |tx| ops::delete_vnet(tx, &t)).unwrap();
                        az.vnet(NAMES[a], &[PREFIXES[a]]);
                        Ok(())
                    }
                };
                if out.is_err() {
                    prop_assert_eq!(&az.env.world, &before);
                }
                check(&az);
            }
        }
    }

    /// The generator reaches every state (so the property above is not vacuous).
    #[test]
    fn a_fixed_walk_reaches_all_three_states() {
        let mut az = Az::new();
        let ids: Vec<String> = NAMES
            .iter()
            .zip(PREFIXES)
            .map(|(n, p)| az.vnet(n, &[p]))
            .collect();
        az.peer("v0", "to-v1", &ids[1]).unwrap();
        az.peer("v1", "to-v0", &ids[0]).unwrap();
        az.peer("v0", "to-v2", &ids[2]).unwrap();
        az.peer("v2", "to-v1", &ids[1]).unwrap();
        az.unpeer("v1", "to-v0");
        az.peer("v1", "to-v2", &ids[2]).unwrap();
        // v0→v1 Disconnected; v0→v2 Initiated; v1→v2 and v2→v1 Connected.
        assert_eq!(check(&az), [1, 2, 1]);
    }
}

/// An NSG `nsg` with the rule `https` at priority 100: its id.
fn https_nsg(az: &mut Az) -> String {
    let nsg = Target::new(S1, "rg", "nsg");
    az.put_nsg(&nsg, vec![rule("https", 100)]).unwrap();
    nsg.network_id("networkSecurityGroups")
}

/// A subnet `web` (10.0.1.0/24) of vnet-a under the NSG `nsg_id` and the route table
/// `route_table`, and a NIC `n1` in it.
fn nic_under(az: &mut Az, nsg_id: &str, route_table: Option<String>) -> AzNic {
    az.put_subnet(
        &Target::new(S1, "rg", "vnet-a"),
        SubnetSpec {
            nsg: Some(nsg_id.to_owned()),
            route_table,
            ..subnet("web", "10.0.1.0/24")
        },
    )
    .unwrap();
    nic(az, "n1", "vnet-a", "web", None).unwrap()
}

#[test]
fn effective_nsgs_expand_virtual_network_with_connected_peers() {
    let (mut az, _a, _b) = connected_pair();
    let nsg_id = https_nsg(&mut az);
    let n = nic_under(&mut az, &nsg_id, None);
    let vnet_tag = |az: &Az| -> Vec<String> {
        let groups =
            security::effective_nsgs(&az.env.world, az.env.world.azure.nics.get(&n.id).unwrap());
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].nsg_id, nsg_id);
        let https = groups[0]
            .rules
            .iter()
            .find(|r| r.name == "securityRules/https")
            .unwrap();
        assert_eq!(https.expanded_source, groups[0].tag_map["VirtualNetwork"]);
        assert!(groups[0]
            .rules
            .iter()
            .any(|r| r.name == "defaultSecurityRules/DenyAllInBound"));
        groups[0].tag_map["VirtualNetwork"]
            .iter()
            .map(|p| p.to_string())
            .collect()
    };
    assert_eq!(vnet_tag(&az), ["10.0.0.0/16", "10.1.0.0/16"]);
    az.unpeer("vnet-b", "b-to-a");
    assert_eq!(
        vnet_tag(&az),
        ["10.0.0.0/16"],
        "a Disconnected peer leaves the tag"
    );
}

#[test]
fn virtual_network_tag_takes_in_udr_prefixes() {
    let (mut az, _a, _b) = connected_pair();
    let nsg_id = https_nsg(&mut az);
    let rt = Target::new(S1, "rg", "rt");
    let udr = |name: &str, prefix: &str| RouteSpec {
        name: name.into(),
        prefix: prefix.into(),
        next_hop: AzNextHop::VirtualAppliance,
        next_hop_ip: Some("10.0.1.10".into()),
    };
    let req = ops::PutRouteTable {
        location: Some("eastus".into()),
        routes: vec![
            udr("other-cloud", "172.16.0.0/16"),
            udr("peer-again", "10.1.0.0/16"),
            udr("default", "0.0.0.0/0"),
        ],
        ..Default::default()
    };
    az.run(S1, |tx| ops::put_route_table(tx, &rt, req)).unwrap();
    let n = nic_under(&mut az, &nsg_id, Some(rt.network_id("routeTables")));
    let groups =
        security::effective_nsgs(&az.env.world, az.env.world.azure.nics.get(&n.id).unwrap());
    let tag: Vec<String> = groups[0].tag_map["VirtualNetwork"]
        .iter()
        .map(|p| p.to_string())
        .collect();
    // The space, the peer's, then each UDR prefix once; never the default route, and a prefix
    // in no UDR (192.168.0.0/16) stays out.
    assert_eq!(tag, ["10.0.0.0/16", "10.1.0.0/16", "172.16.0.0/16"]);
    let allow_vnet = groups[0]
        .rules
        .iter()
        .find(|r| r.name == "defaultSecurityRules/AllowVnetInBound")
        .unwrap();
    assert_eq!(
        allow_vnet.expanded_source,
        groups[0].tag_map["VirtualNetwork"]
    );
    assert!(!allow_vnet
        .expanded_source
        .iter()
        .any(|p| p.contains(&"192.168.0.1".parse::<std::net::Ipv4Addr>().unwrap())));
}
