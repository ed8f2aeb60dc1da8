//! Networks of one cloud that are not natively peered, joined by a tunnel between a gateway VM
//! in each: two GCP networks (gateways booted from the gateway image, static external
//! addresses, `canIpForward`, their configurations rendered by `vpcpeer-gateway` into
//! `user-data`) and two Azure VNets (module `azure`). The query between their workloads is
//! walked through the gateways ([`explain_world`] hands it to the walk across networks);
//! without the route to the gateway the GCP walk answers as before.

mod common;

use std::net::Ipv4Addr;

use common::gateways::{config, peer};
use common::gcp as cmd;
use vpcpeer_gateway::GatewayConfig;
use vpcpeer_model::gcp::{
    self, AddressSpec, Command, GcpNextHop, InstanceSpec, MetadataItem, GATEWAY_IMAGE,
};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_reach::{
    explain_world, ComponentKind as K, Endpoint, Protocol, Query, Snapshot, Verdict,
};

const P: &str = "proj-s";
const ZONE: &str = "us-central1-a";

fn run(env: &mut TestEnv, c: Command) {
    cmd::run_in(env, P, c);
}

fn vm(name: &str) -> String {
    gcp::instance_path(P, ZONE, name)
}

fn static_ip(env: &mut TestEnv, name: &str) -> Ipv4Addr {
    run(
        env,
        Command::InsertAddress {
            region: "us-central1".into(),
            spec: AddressSpec {
                name: name.into(),
                ..Default::default()
            },
        },
    );
    env.world.gcp.addresses()[&gcp::address_path(P, "us-central1", name)].address
}

/// Network `n` (10.`o`.0.0/24): its gateway `gw-n` at .2 holding `ip`, configured by `cfg`,
/// its workload `app-n` at .10; tcp/443 from 10.0.0.0/8 and the tunnel from `peer_ip` allowed
/// in; the other network's range routed to the gateway when `route`.
#[allow(clippy::too_many_arguments)]
fn network(
    env: &mut TestEnv,
    n: &str,
    o: u8,
    ip: Ipv4Addr,
    cfg: &GatewayConfig,
    peer_ip: Ipv4Addr,
    other: &str,
    route: bool,
) {
    run(env, cmd::network(n));
    run(
        env,
        cmd::subnetwork(&format!("{n}-s"), n, &format!("10.{o}.0.0/24")),
    );
    let nic = |host: u8, nat| cmd::nic(&format!("{n}-s"), &format!("10.{o}.0.{host}"), nat);
    for spec in [
        InstanceSpec {
            name: format!("gw-{n}"),
            machine_type: "e2-small".into(),
            nics: vec![nic(2, Some(ip))],
            can_ip_forward: true,
            metadata: vec![MetadataItem {
                key: "user-data".into(),
                value: cfg.render(),
            }],
            source_image: Some(GATEWAY_IMAGE.into()),
            ..Default::default()
        },
        InstanceSpec {
            name: format!("app-{n}"),
            machine_type: "e2-small".into(),
            nics: vec![nic(10, None)],
            ..Default::default()
        },
    ] {
        let zone = ZONE.into();
        run(env, Command::InsertInstance { zone, spec });
    }
    for (name, proto, port, range) in [
        ("allow-443", "tcp", "443", "10.0.0.0/8".to_owned()),
        ("allow-tunnel", "udp", "51820", format!("{peer_ip}/32")),
    ] {
        let name = format!("{n}-{name}");
        let c = cmd::firewall(&name, n, gcp::Direction::Ingress, proto, port, &[range]);
        run(env, c);
    }
    if route {
        let hop = GcpNextHop::Instance(vm(&format!("gw-{n}")));
        run(env, cmd::route(&format!("{n}-to-gateway"), n, other, hop));
    }
}

fn build(routed: bool) -> TestEnv {
    let mut env = TestEnv::with_seed(12);
    let (ip_a, ip_b) = (static_ip(&mut env, "ip-a"), static_ip(&mut env, "ip-b"));
    let cfg_a = config("gw-a", 1, vec![peer("gw-b", 2, ip_b, "10.2.0.0/24")]);
    let cfg_b = config("gw-b", 2, vec![peer("gw-a", 1, ip_a, "10.1.0.0/24")]);
    network(&mut env, "a", 1, ip_a, &cfg_a, ip_b, "10.2.0.0/24", routed);
    network(&mut env, "b", 2, ip_b, &cfg_b, ip_a, "10.1.0.0/24", true);
    env
}

fn ask(env: &TestEnv) -> Verdict {
    let snap = Snapshot::compile(&env.world, env.now);
    explain_world(
        &env.world,
        &snap,
        &Query {
            src: Endpoint::parse(&vm("app-a")).expect("src"),
            dst: Endpoint::parse(&vm("app-b")).expect("dst"),
            protocol: Protocol::Tcp,
            port: Some(443),
        },
    )
    .expect("query")
}

#[test]
fn two_gcp_networks_through_their_gateways() {
    let v = ask(&build(true));
    assert!(v.reachable, "{:#?}", v.blockers);
    let tunnel = |hops: &[vpcpeer_reach::Hop]| {
        hops.iter()
            .any(|h| h.component.kind == K::Tunnel && h.component.id == "gw-a->gw-b")
    };
    assert!(tunnel(&v.forward) && tunnel(&v.ret));
    assert_eq!(
        v.forward.last().map(|h| h.component.id.clone()),
        Some(vm("app-b"))
    );
    assert_eq!(
        v.ret.last().map(|h| h.component.id.clone()),
        Some(vm("app-a"))
    );
}

#[test]
fn without_a_route_to_the_gateway_the_gcp_walk_answers() {
    let v = ask(&build(false));
    let codes: Vec<String> = v
        .blockers
        .iter()
        .map(|b| b.code.aws_code().to_owned())
        .collect();
    assert!(!v.reachable);
    assert!(codes.contains(&"NO_PEERING_PATH".to_owned()), "{codes:?}");
    assert!(!v.forward.iter().any(|h| h.component.kind == K::Tunnel));
}

mod azure {
    //! Two Azure VNets that are not peered, joined by a tunnel between a gateway VM in each
    //! (the gateway image, a Standard public IP on a NIC with IP forwarding, the configuration
    //! in the custom data), each workload subnet routing the other VNet to its gateway by a
    //! `VirtualAppliance` route.

    use super::common::azure::{eastus_nic, subnet_id};
    use super::{config, peer, K};
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use vpcpeer_model::azure::ops::{
        self as az, PutPublicIp, PutRouteTable, PutVm, PutVnet, RouteSpec, SubnetSpec, Target,
    };
    use vpcpeer_model::azure::{AzImageReference, AzNextHop, AzPublicIpSku, AzTags, AzureError};
    use vpcpeer_model::testkit::TestEnv;
    use vpcpeer_reach::{explain_world, Endpoint, Protocol, Query, Snapshot};

    const SUB: &str = "00000000-0000-0000-0000-0000000000dd";

    fn run<T>(
        env: &mut TestEnv,
        f: impl FnOnce(&mut vpcpeer_model::Tx<'_, '_>) -> Result<T, AzureError>,
    ) -> T {
        super::common::azure::run_in(env, SUB, f)
    }

    fn t(name: &str) -> Target {
        Target::new(SUB, "rg", name)
    }

    fn vm_id(name: &str) -> String {
        format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}")
    }

    /// VNet `n` (10.`o`.0.0/16): subnet `gw` (10.`o`.1.0/24, its gateway at .4) and `app`
    /// (10.`o`.2.0/24, its workload at .4, `other` routed to the gateway).
    fn vnet(env: &mut TestEnv, n: &str, o: u8, other: &str, custom: String) {
        let table = PutRouteTable {
            location: Some("eastus".into()),
            routes: vec![RouteSpec {
                name: "via-gw".into(),
                prefix: other.into(),
                next_hop: AzNextHop::VirtualAppliance,
                next_hop_ip: Some(format!("10.{o}.1.4").as_str().into()),
            }],
            ..Default::default()
        };
        let rt = run(env, |tx| {
            az::put_route_table(tx, &t(&format!("{n}-rt")), table)
        })
        .0
        .display_id;
        let vnet = PutVnet {
            location: Some("eastus".into()),
            prefixes: vec![format!("10.{o}.0.0/16").as_str().into()],
            subnets: Some(vec![
                SubnetSpec {
                    name: "gw".into(),
                    prefix: Some(format!("10.{o}.1.0/24").as_str().into()),
                    nsg: None,
                    route_table: None,
                },
                SubnetSpec {
                    name: "app".into(),
                    prefix: Some(format!("10.{o}.2.0/24").as_str().into()),
                    nsg: None,
                    route_table: Some(rt),
                },
            ]),
            tags: AzTags::new(),
        };
        run(env, |tx| az::put_vnet(tx, &t(n), vnet));
        for (role, public_ip, forwarding) in [
            ("gw", Some(az::public_ip_id(&t(&format!("{n}-ip")))), true),
            ("app", None, false),
        ] {
            let nic = eastus_nic(subnet_id(&t(n), role), public_ip, forwarding, None);
            let nic_name = format!("{n}-{role}-nic");
            run(env, |tx| az::put_nic(tx, &t(&nic_name), nic));
            let gateway = role == "gw";
            let vm = PutVm {
                location: Some("eastus".into()),
                nics: vec![t(&nic_name).network_id("networkInterfaces")],
                custom_data: gateway.then(|| custom.clone()),
                image: gateway.then(AzImageReference::gateway),
                ..Default::default()
            };
            run(env, |tx| az::put_vm(tx, &t(&format!("{n}-{role}")), vm));
        }
    }

    #[test]
    fn two_vnets_through_their_gateways() {
        let mut env = TestEnv::with_seed(13);
        run(&mut env, |tx| {
            az::put_resource_group(tx, SUB, "rg", Some("eastus"), AzTags::new())
        });
        let mut ips = Vec::new();
        for n in ["a", "b"] {
            let pip = PutPublicIp {
                location: Some("eastus".into()),
                sku: Some(AzPublicIpSku::Standard),
                ..Default::default()
            };
            let ip = run(&mut env, |tx| {
                az::put_public_ip(tx, &t(&format!("{n}-ip")), pip)
            })
            .0
            .address
            .expect("address");
            ips.push(ip);
        }
        let cfg_a = config("gw-a", 1, vec![peer("gw-b", 2, ips[1], "10.22.0.0/16")]);
        let cfg_b = config("gw-b", 2, vec![peer("gw-a", 1, ips[0], "10.21.0.0/16")]);
        vnet(
            &mut env,
            "a",
            21,
            "10.22.0.0/16",
            STANDARD.encode(cfg_a.render()),
        );
        vnet(
            &mut env,
            "b",
            22,
            "10.21.0.0/16",
            STANDARD.encode(cfg_b.render()),
        );
        let snap = Snapshot::compile(&env.world, env.now);
        let v = explain_world(
            &env.world,
            &snap,
            &Query {
                src: Endpoint::parse(&vm_id("a-app")).expect("src"),
                dst: Endpoint::parse(&vm_id("b-app")).expect("dst"),
                protocol: Protocol::Tcp,
                port: Some(443),
            },
        )
        .expect("query");
        assert!(v.reachable, "{:#?}", v.blockers);
        assert!(v
            .forward
            .iter()
            .any(|h| h.component.kind == K::Tunnel && h.component.id == "gw-a->gw-b"));
        assert_eq!(
            v.ret.last().map(|h| h.component.id.to_lowercase()),
            Some(vm_id("a-app").to_lowercase())
        );
    }
}
