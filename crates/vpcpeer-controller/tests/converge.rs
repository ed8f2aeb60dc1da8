//! The planner's central property, over random topologies of the three clouds and random
//! starting states: applying the plan and planning again gives an empty plan, and the clouds then
//! hold exactly what a reference derivation from the topology expects (a route to the link's
//! peering for each peer block in every route table on both sides, and no other route to the
//! topology's peerings; both halves of every GCP and Azure peering; the openings as rules).
//!
//! Starting states come from an earlier version of the topology (other links, other options)
//! applied only in part, as if its `apply` had been killed, and then changed out of band (routes
//! and peering halves removed, options flipped, gateway VMs terminated or changed by hand).
//! Links across clouds (and some within one) are encrypted: their networks get gateways (with
//! HA backups in half the cases), and the reference also expects each gateway VM with its
//! address, a firewall admitting exactly its peers' addresses, the configuration rendered from
//! the file, and each side's tables sending the remote blocks to its gateway. The same holds when the new apply is itself cut
//! short and run again, and `destroy` leaves nothing of the topology behind. The new version may
//! also drop networks: the orphans, and everything of the topology in them, are removed.

mod common;

use std::collections::BTreeMap;

use common::{block, check_reference, Clouds};
use proptest::prelude::*;
use vpcpeer_controller::desired::{Cloud, Desired};
use vpcpeer_controller::gateway::GatewaySecret;
use vpcpeer_controller::observed::{AwsStatus, AwsTarget, Detail};
use vpcpeer_controller::topology::{
    AccountFile, GatewayFile, HaFile, LinkFile, LinkKindFile, NetworkFile, OpeningFile, PortsFile,
    TopologyFile,
};
use vpcpeer_controller::{plan, plan_destroy, validate};

const CLOUDS: [Cloud; 3] = [Cloud::Aws, Cloud::Gcp, Cloud::Azure];

fn accounts() -> BTreeMap<String, AccountFile> {
    let mut out = BTreeMap::new();
    for (i, n) in ["1", "2"].iter().enumerate() {
        out.insert(
            format!("aws-{n}"),
            AccountFile::Aws {
                account_id: format!("{}", 111111111111u64 * (i as u64 + 1)),
                endpoint: None,
                credentials: None,
            },
        );
        out.insert(
            format!("gcp-{n}"),
            AccountFile::Gcp {
                project: format!("project-{n}"),
                endpoint: None,
                credentials: None,
            },
        );
        out.insert(
            format!("azure-{n}"),
            AccountFile::Azure {
                subscription: format!("0000000{n}-0000-0000-0000-000000000000"),
                resource_group: "net".into(),
                endpoint: None,
                credentials: None,
            },
        );
    }
    out
}

/// One network: its cloud, which of the two accounts, which of two regions, a second block.
type NetSpec = (usize, usize, usize, bool);
/// One link's options: dns / custom routes / forwarded traffic, and which openings.
type LinkSpec = (bool, [bool; 3]);

fn openings(which: [bool; 3]) -> Vec<OpeningFile> {
    let all = [
        ("tcp", Some(PortsFile::One(443))),
        ("udp", Some(PortsFile::Text("53-54".into()))),
        ("icmp", None),
    ];
    all.into_iter()
        .zip(which)
        .filter(|(_, on)| *on)
        .map(|((protocol, ports), _)| OpeningFile {
            protocol: protocol.into(),
            ports,
            from: None,
        })
        .collect()
}

/// The topology of `nets` but those whose bit is set in `dropped`, and of the links between
/// the networks it keeps.
fn file(nets: &[NetSpec], links: &[Option<LinkSpec>], dropped: u16) -> TopologyFile {
    let kept = |i: usize| dropped & (1 << i) == 0;
    let mut networks = BTreeMap::new();
    for (i, (cloud, account, region, second)) in nets.iter().enumerate() {
        if !kept(i) {
            continue;
        }
        let cloud = CLOUDS[*cloud];
        let prefix = match cloud {
            Cloud::Aws => "aws",
            Cloud::Gcp => "gcp",
            Cloud::Azure => "azure",
        };
        let mut cidrs = vec![block(i as u8)];
        if *second && cloud != Cloud::Azure {
            cidrs.push(block(100 + i as u8));
        }
        networks.insert(
            format!("net{i}"),
            NetworkFile {
                account: format!("{prefix}-{}", account + 1),
                region: Some(["us-east-1", "eu-west-1"][*region].into()),
                id: None,
                cidrs,
            },
        );
    }
    let mut out = Vec::new();
    let mut gateways = BTreeMap::new();
    let mut users = std::collections::BTreeSet::new();
    let mut k = 0;
    for i in 0..nets.len() {
        for j in i + 1..nets.len() {
            let spec = links.get(k).copied().flatten();
            k += 1;
            let (Some((flag, open)), true) = (spec, kept(i) && kept(j)) else {
                continue;
            };
            // Across clouds, or with every opening drawn: an encrypted link (gateways).
            if nets[i].0 != nets[j].0 || open == [true; 3] {
                for n in [i, j] {
                    gateways.entry(n).or_insert_with(|| gateway(nets, n));
                }
                out.push(LinkFile {
                    between: [format!("net{i}"), format!("net{j}")],
                    name: None,
                    kind: LinkKindFile::Encrypted,
                    route_tables: None,
                    open: Vec::new(),
                    dns_resolution: false,
                    exchange_custom_routes: false,
                    allow_forwarded_traffic: false,
                    gateway_transit: None,
                });
                continue;
            }
            let cloud = CLOUDS[nets[i].0];
            let transit = open[0];
            let mut open = openings(open);
            // AWS in one region: also from the peer's default group.
            if cloud == Cloud::Aws && nets[i].2 == nets[j].2 && flag {
                open.push(OpeningFile {
                    protocol: "tcp".into(),
                    ports: Some(PortsFile::One(22)),
                    from: Some("group".into()),
                });
            }
            out.push(LinkFile {
                between: [format!("net{i}"), format!("net{j}")],
                name: None,
                kind: LinkKindFile::Native,
                route_tables: None,
                open,
                dns_resolution: flag && cloud == Cloud::Aws,
                exchange_custom_routes: flag && cloud == Cloud::Gcp,
                allow_forwarded_traffic: flag && cloud == Cloud::Azure,
                // Azure gateway transit, offered by the first side, while the second uses no
                // other peer's gateway (Azure allows one).
                gateway_transit: (cloud == Cloud::Azure && transit && users.insert(j))
                    .then(|| format!("net{i}")),
            });
        }
    }
    TopologyFile {
        name: "mesh".into(),
        accounts: accounts(),
        networks,
        gateways: gateways
            .into_iter()
            .map(|(n, g)| (format!("gw{n}"), g))
            .collect(),
        links: out,
        expect: Vec::new(),
        detection_time: None,
    }
}

/// The gateway of network `i` (which it has when it is a side of an encrypted link): in a
/// block of its own (AWS, Azure) or its first block's subnetwork (GCP); with a backup in
/// another zone when the topology has an even number of networks.
fn gateway(nets: &[NetSpec], i: usize) -> GatewayFile {
    let (cloud, _, region, _) = nets[i];
    let region = ["us-east-1", "eu-west-1"][region];
    let (subnet, ha_subnet, zones) = match CLOUDS[cloud] {
        Cloud::Gcp => (block(i as u8).to_string(), block(i as u8).to_string(), None),
        Cloud::Aws => (
            format!("10.{i}.255.0/28"),
            format!("10.{i}.254.0/28"),
            Some((format!("{region}a"), format!("{region}b"))),
        ),
        Cloud::Azure => (format!("10.{i}.255.0/28"), format!("10.{i}.254.0/28"), None),
    };
    GatewayFile {
        network: format!("net{i}"),
        subnet,
        zone: zones.as_ref().map(|z| z.0.clone()),
        size: None,
        ha: nets.len().is_multiple_of(2).then(|| HaFile {
            subnet: ha_subnet,
            zone: zones.map(|z| z.1),
            failback: false,
        }),
    }
}

/// A change made out of band, chosen by index among what exists.
#[derive(Debug, Clone, Copy)]
enum Drift {
    DeleteRoute(usize),
    RemoveHalf(usize),
    FlipDns(usize),
    /// A network missing a block after its first: its create was killed half-way.
    DropCidr(usize),
    /// A gateway VM terminated by hand (its routes turn blackholes).
    KillGateway(usize),
    /// A gateway VM's forwarding turned off, or its address detached, by hand.
    UnsetGateway(usize, bool),
}

fn drift(clouds: &mut Clouds, d: Drift) {
    let s = &mut clouds.state;
    match d {
        Drift::DeleteRoute(k) => {
            let mut routes = Vec::new();
            for (name, n) in &s.networks {
                if let Detail::Aws { route_tables, .. } = &n.detail {
                    for (t, table) in route_tables.iter().enumerate() {
                        for (r, route) in table.routes.iter().enumerate() {
                            if matches!(route.target, AwsTarget::Peering(_)) {
                                routes.push((name.clone(), t, r));
                            }
                        }
                    }
                }
            }
            if let Some((name, t, r)) = routes.get(k % routes.len().max(1)).cloned() {
                if let Detail::Aws { route_tables, .. } =
                    &mut s.networks.get_mut(&name).unwrap().detail
                {
                    route_tables[t].routes.remove(r);
                }
            }
        }
        Drift::RemoveHalf(k) => {
            let mut halves = Vec::new();
            for (name, n) in &s.networks {
                match &n.detail {
                    Detail::Gcp { peerings, .. } => {
                        halves.extend((0..peerings.len()).map(|i| (name.clone(), i)))
                    }
                    Detail::Azure { peerings } => {
                        halves.extend((0..peerings.len()).map(|i| (name.clone(), i)))
                    }
                    Detail::Aws { .. } => {}
                }
            }
            if let Some((name, i)) = halves.get(k % halves.len().max(1)).cloned() {
                match &mut s.networks.get_mut(&name).unwrap().detail {
                    Detail::Gcp { peerings, .. } => {
                        peerings.remove(i);
                    }
                    Detail::Azure { peerings } => {
                        peerings.remove(i);
                    }
                    Detail::Aws { .. } => {}
                }
            }
        }
        Drift::DropCidr(k) => {
            let multi: Vec<String> = s
                .networks
                .iter()
                .filter(|(_, n)| n.cidrs.len() > 1)
                .map(|(name, _)| name.clone())
                .collect();
            if let Some(name) = multi.get(k % multi.len().max(1)) {
                let n = s.networks.get_mut(name).unwrap();
                let gone = n.cidrs.pop().unwrap();
                if let Detail::Aws { route_tables, .. } = &mut n.detail {
                    for t in route_tables {
                        t.routes.retain(|r| r.destination != gone);
                    }
                }
            }
        }
        Drift::KillGateway(k) | Drift::UnsetGateway(k, _) => {
            let vms: Vec<String> = s
                .gateways
                .iter()
                .filter(|(_, g)| g.instance.is_some())
                .map(|(n, _)| n.clone())
                .collect();
            if let Some(vm) = vms.get(k % vms.len().max(1)) {
                let g = s.gateways.get_mut(vm).unwrap();
                match d {
                    Drift::UnsetGateway(_, true) => {
                        g.instance.as_mut().unwrap().forwarding = false;
                    }
                    Drift::UnsetGateway(_, false) => {
                        g.instance.as_mut().unwrap().address_attached = false;
                    }
                    _ => {
                        g.instance = None;
                        clouds.gw.placed.remove(vm);
                    }
                }
            }
        }
        Drift::FlipDns(k) => {
            let n = s.aws_peerings.len().max(1);
            if let Some(p) = s.aws_peerings.get_mut(k % n) {
                if p.status == AwsStatus::Active {
                    p.accepter_dns = !p.accepter_dns;
                }
            }
        }
    }
    clouds.resync();
}

fn drifts() -> impl Strategy<Value = Vec<Drift>> {
    prop::collection::vec(
        prop_oneof![
            (0usize..64).prop_map(Drift::DeleteRoute),
            (0usize..64).prop_map(Drift::RemoveHalf),
            (0usize..64).prop_map(Drift::FlipDns),
            (0usize..64).prop_map(Drift::DropCidr),
            (0usize..64).prop_map(Drift::KillGateway),
            (0usize..64, any::<bool>()).prop_map(|(k, f)| Drift::UnsetGateway(k, f)),
        ],
        0..4,
    )
}

fn converge(clouds: &mut Clouds, d: &Desired) -> Result<(), TestCaseError> {
    let p = plan(&clouds.observe(d), d);
    prop_assert!(p.conflicts.is_empty(), "conflicts: {:?}", p.conflicts);
    clouds.apply(d, &p).map_err(TestCaseError::fail)?;
    let again = plan(&clouds.observe(d), d);
    prop_assert!(again.is_empty(), "second plan not empty:\n{again}");
    check_reference(clouds, d).map_err(TestCaseError::fail)?;
    Ok(())
}

fn cut<T: Clone>(v: &[T], at: usize) -> Vec<T> {
    v[..at.min(v.len())].to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn apply_then_plan_is_empty_and_matches_the_reference(
        nets in prop::collection::vec((0usize..3, 0usize..2, 0usize..2, any::<bool>()), 2..9),
        earlier in prop::collection::vec(prop::option::of((any::<bool>(), any::<[bool; 3]>())), 36),
        now in prop::collection::vec(prop::option::of((any::<bool>(), any::<[bool; 3]>())), 36),
        earlier_cut in 0usize..200,
        out_of_band in drifts(),
        now_cut in 0usize..200,
        dropped in prop_oneof![Just(0u16), 0u16..512],
    ) {
        let mut old = validate(&file(&nets, &earlier, 0)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // The new version may drop networks (and their links): what the old one made of them goes.
        let mut new = validate(&file(&nets, &now, dropped)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        old.gateway_secret = Some(GatewaySecret::from_bytes([1; 32]));
        new.gateway_secret = old.gateway_secret.clone();
        let mut clouds = Clouds::default();
        // An earlier version, applied in part (its apply killed after `earlier_cut` steps).
        let mut p = plan(&clouds.observe(&old), &old);
        p.steps = cut(&p.steps, earlier_cut);
        clouds.apply(&old, &p).map_err(TestCaseError::fail)?;
        for d in out_of_band {
            drift(&mut clouds, d);
        }
        // The new version, its apply killed too, then run again to the end.
        let mut p = plan(&clouds.observe(&new), &new);
        prop_assert!(p.conflicts.is_empty(), "conflicts: {:?}", p.conflicts);
        p.steps = cut(&p.steps, now_cut);
        clouds.apply(&new, &p).map_err(TestCaseError::fail)?;
        converge(&mut clouds, &new)?;
        // Destroy leaves nothing of the topology.
        let p = plan_destroy(&clouds.observe(&new), &new);
        clouds.apply(&new, &p).map_err(TestCaseError::fail)?;
        prop_assert!(plan_destroy(&clouds.observe(&new), &new).is_empty());
        prop_assert!(clouds.state.networks.is_empty(), "{:?}", clouds.state.networks.keys());
        prop_assert!(!clouds.state.aws_peerings.iter().any(|p| p.status.is_live()));
    }
}
