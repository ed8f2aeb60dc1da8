//! Differential test for tunnels: the engine against an independent, slow reference evaluator
//! on random two-gateway topologies.
//!
//! Each topology is built through the real model operations: two VPCs in two regions (no
//! peering), a gateway instance of the `vpcpeer-gateway` image in each public subnet, each
//! workload subnet's table routing the other VPC to its gateway, a workload instance on each
//! side; then a random set of perturbations: a gateway stopped, an Elastic IP not associated,
//! the internet route removed, the tunnel's UDP not admitted (or admitted from a wrong
//! address), ACL entries denying the tunnel's UDP, the inner TCP or the replies, a source/
//! destination check left on, and configuration changes (wrong key, wrong entry name, wrong
//! port, narrow or missing `AllowedIPs`, an endpoint nobody holds, text that does not parse).
//!
//! The reference reads the [`World`] records directly with linear scans (no snapshot, no LPM
//! index, none of the engine's tunnel code): it decodes each gateway's user data, parses it
//! with `vpcpeer-gateway`, finds the far gateway by scanning Elastic IPs and interfaces, and
//! answers only "reachable or not" from the rules of the tunnel model, both ways.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::gateways::{self, associate_eip, gateway_vpc, launch_gateway, peer, udp};
use common::{acl_entries, acl_rule, from_cidr, table_of, web_instance, Build, Rng};
use proptest::prelude::*;
use vpcpeer_gateway::{GatewayConfig, PrivateKey};
use vpcpeer_model::aws::catalog::{gateway_image_id, is_gateway_image};
use vpcpeer_model::aws::security_group::Direction as SgDir;
use vpcpeer_model::testkit::{self, TestEnv, A};
use vpcpeer_model::{
    AclAction, Destination, Instance, InstanceState, NetworkInterface, RouteTarget, RulePeer,
    Scope, World,
};
use vpcpeer_reach::{explain, Endpoint, Protocol, Query, Snapshot};

// ---------------------------------------------------------------------------------------------
// The reference evaluator.

fn best_route(w: &World, subnet: &str, ip: Ipv4Addr) -> Option<RouteTarget> {
    let t = table_of(w, subnet)?;
    let mut best: Option<(&vpcpeer_model::Route, u8)> = None;
    for r in &t.routes {
        if let Destination::V4(n) = r.destination {
            if n.contains(&ip) && best.is_none_or(|(_, l)| n.prefix_len() >= l) {
                best = Some((r, n.prefix_len()));
            }
        }
    }
    best.map(|(r, _)| r.target.clone())
}

fn eni_of<'w>(w: &'w World, i: &Instance) -> Option<&'w NetworkInterface> {
    w.aws.network_interfaces().get(i.eni_ids.first()?)
}

fn instance_of<'w>(w: &'w World, e: &NetworkInterface) -> Option<&'w Instance> {
    w.aws.instances().get(&e.attachment.as_ref()?.instance_id)
}

fn running(w: &World, e: &NetworkInterface) -> bool {
    instance_of(w, e).is_some_and(|i| i.state == InstanceState::Running)
}

fn public_ip(w: &World, e: &NetworkInterface) -> Option<Ipv4Addr> {
    let eip = w.aws.elastic_ips().values().find(|x| {
        x.association
            .as_ref()
            .is_some_and(|a| a.eni_id == e.id && a.private_ip == e.private_ip)
    });
    eip.map(|x| x.public_ip).or(e.public_ip)
}

/// The parsed configuration of a gateway instance's interface (`None`: not a gateway with a
/// configuration that parses).
fn config(w: &World, e: &NetworkInterface) -> Option<GatewayConfig> {
    let i = instance_of(w, e)?;
    if !is_gateway_image(&i.scope.region, &i.image_id) {
        return None;
    }
    let bytes = STANDARD.decode(i.user_data.as_deref()?).ok()?;
    vpcpeer_gateway::parse_user_data(&String::from_utf8_lossy(&bytes))?.ok()
}

#[derive(Clone, Copy)]
enum Proto {
    Tcp(u16),
    Udp(u16),
}

fn sg_ok(w: &World, e: &NetworkInterface, egress: bool, p: Proto, other: Ipv4Addr) -> bool {
    e.groups.iter().any(|gid| {
        let Some(g) = w.aws.security_groups().get(gid) else {
            return false;
        };
        let rules = if egress { &g.egress } else { &g.ingress };
        rules.iter().any(|r| {
            let port_ok = |port: u16| {
                r.from_port.unwrap_or(0) <= i32::from(port)
                    && i32::from(port) <= r.to_port.unwrap_or(65535)
            };
            let proto = match p {
                _ if r.protocol == "-1" => true,
                Proto::Tcp(port) => r.protocol == "tcp" && port_ok(port),
                Proto::Udp(port) => r.protocol == "udp" && port_ok(port),
            };
            // Group references: the default group's self-reference admits members of it.
            let peer = match &r.peer {
                RulePeer::Cidr4(n) => n.contains(&other),
                RulePeer::Group { group_id, .. } => w.aws.network_interfaces().values().any(|o| {
                    o.private_ip == other && o.vpc_id == e.vpc_id && o.groups.contains(group_id)
                }),
                _ => false,
            };
            proto && peer
        })
    })
}

fn acl_ok(w: &World, subnet: &str, egress: bool, p: Proto, other: Ipv4Addr) -> bool {
    let Some(entries) = acl_entries(w, subnet, egress) else {
        return true;
    };
    for e in entries {
        let cidr = matches!(e.cidr, Destination::V4(n) if n.contains(&other));
        let (want, port) = match p {
            Proto::Tcp(port) => ("6", port),
            Proto::Udp(port) => ("17", port),
        };
        let proto = e.protocol == "-1"
            || (e.protocol == want
                && e.port_range
                    .is_none_or(|(f, t)| f <= i32::from(port) && i32::from(port) <= t));
        if cidr && proto {
            return e.action == AclAction::Allow;
        }
    }
    false
}

/// The internet route: the best route for `ip` goes to an internet gateway attached to the VPC.
fn internet_route(w: &World, e: &NetworkInterface, ip: Ipv4Addr) -> bool {
    match best_route(w, &e.subnet_id, ip) {
        Some(RouteTarget::Gateway(g)) => w
            .aws
            .internet_gateways()
            .get(&g)
            .is_some_and(|x| x.attached_vpc.as_deref() == Some(e.vpc_id.as_str())),
        _ => false,
    }
}

/// Crossing from interface `a` to `b` (in one VPC) with `p` between their addresses: ACLs where
/// the subnet changes.
fn crossing_ok(
    w: &World,
    a: &NetworkInterface,
    b: &NetworkInterface,
    p: Proto,
    src: Ipv4Addr,
    dst: Ipv4Addr,
) -> bool {
    a.subnet_id == b.subnet_id
        || (acl_ok(w, &a.subnet_id, true, p, dst) && acl_ok(w, &b.subnet_id, false, p, src))
}

/// The outer UDP from `s` (port `sport`) to `r` on `dport`.
fn outer_ok(w: &World, s: &NetworkInterface, r: &NetworkInterface, dport: u16) -> bool {
    let (Some(sp), Some(rp)) = (public_ip(w, s), public_ip(w, r)) else {
        return false;
    };
    let p = Proto::Udp(dport);
    running(w, s)
        && running(w, r)
        && sg_ok(w, s, true, p, rp)
        && acl_ok(w, &s.subnet_id, true, p, rp)
        && internet_route(w, s, rp)
        && acl_ok(w, &r.subnet_id, false, p, sp)
        && sg_ok(w, r, false, p, sp)
        && internet_route(w, r, sp)
}

/// `app` → `web` on tcp/443 through the gateway `app`'s table routes the destination to.
fn reference(w: &World, app: &str, web: &str) -> bool {
    let (Some(ai), Some(wi)) = (w.aws.instances().get(app), w.aws.instances().get(web)) else {
        return false;
    };
    let (Some(a), Some(b)) = (eni_of(w, ai), eni_of(w, wi)) else {
        return false;
    };
    let (sip, dip) = (a.private_ip, b.private_ip);
    let p = Proto::Tcp(443);
    let r = Proto::Tcp(vpcpeer_reach::EPHEMERAL_PORT);
    if !(running(w, a) && running(w, b) && sg_ok(w, a, true, p, dip)) {
        return false;
    }
    let Some(RouteTarget::Instance(g)) = best_route(w, &a.subnet_id, dip) else {
        return false;
    };
    let Some(ga) = w.aws.instances().get(&g).and_then(|i| eni_of(w, i)) else {
        return false;
    };
    let near_ok = running(w, ga)
        && crossing_ok(w, a, ga, p, sip, dip)
        && sg_ok(w, ga, false, p, sip)
        && !ga.source_dest_check;
    let Some(cfg) = config(w, ga) else {
        return false;
    };
    let Some(peer) = cfg.peer_for(dip) else {
        return false;
    };
    let far = w
        .aws
        .network_interfaces()
        .values()
        .find(|e| e.attachment.is_some() && public_ip(w, e) == Some(*peer.endpoint.ip()));
    let Some(gb) = far else {
        return false;
    };
    let Some(far_cfg) = config(w, gb) else {
        return false;
    };
    let Some(back) = far_cfg.peer(&cfg.name) else {
        return false;
    };
    let pairing = back.public_key == cfg.private_key.public()
        && peer.public_key == far_cfg.private_key.public()
        && peer.endpoint.port() == far_cfg.listen_port
        && back.allowed_ips.iter().any(|n| n.contains(&sip));
    let outer = outer_ok(w, ga, gb, peer.endpoint.port()) && outer_ok(w, gb, ga, cfg.listen_port);
    let far_ok = !gb.source_dest_check
        && sg_ok(w, gb, true, p, dip)
        && matches!(best_route(w, &gb.subnet_id, dip), Some(RouteTarget::Local))
        && crossing_ok(w, gb, b, p, sip, dip)
        && sg_ok(w, b, false, p, sip);
    // The reply: web's table back to gateway B, the tunnel back, gateway A's table to app.
    let reply_ok = matches!(best_route(w, &b.subnet_id, sip), Some(RouteTarget::Instance(x)) if instance_of(w, gb).is_some_and(|i| i.id == x))
        && running(w, gb)
        && crossing_ok(w, b, gb, r, dip, sip)
        && far_cfg.peer_for(sip).is_some_and(|x| x.name == cfg.name)
        && cfg
            .peer(&far_cfg.name)
            .is_some_and(|x| x.allowed_ips.iter().any(|n| n.contains(&dip)))
        && matches!(best_route(w, &ga.subnet_id, sip), Some(RouteTarget::Local))
        && crossing_ok(w, ga, a, r, dip, sip);
    near_ok && pairing && outer && far_ok && reply_ok
}

// ---------------------------------------------------------------------------------------------
// Random topologies.

fn west() -> Scope {
    Scope::new(A, "us-west-2")
}

fn east() -> Scope {
    testkit::a()
}

fn mutate_config(rng: &mut Rng, c: &mut GatewayConfig) {
    match rng.below(7) {
        0 => c.peers[0].public_key = PrivateKey::from_bytes([9; 32]).public(),
        1 => c.peers[0].name = "nobody".into(),
        2 => c.listen_port = 51999,
        3 => c.peers[0].allowed_ips = vec!["10.99.0.0/16".parse().expect("net")],
        4 => c.peers[0].endpoint = "203.0.113.77:51820".parse().expect("endpoint"),
        5 => c.peers[0]
            .allowed_ips
            .push("10.0.0.0/8".parse().expect("net")),
        _ => c.name = "renamed".into(),
    }
}

/// A random topology: (env, app, web).
fn build(seed: u64) -> (TestEnv, String, String) {
    let mut rng = Rng(seed);
    // About a third of the topologies are left as built (reachable), the others perturbed.
    let p = rng.chance(65);
    let mut env = TestEnv::with_seed(seed);
    let e = gateway_vpc(&mut env, &east(), "10.10", "gw");
    let w = gateway_vpc(&mut env, &west(), "10.20", "gw");
    let e_eip = env
        .run(&east(), |tx| tx.allocate_address(Default::default()))
        .expect("eip");
    let w_eip = env
        .run(&west(), |tx| tx.allocate_address(Default::default()))
        .expect("eip");
    let mut ec = gateways::config(
        "east",
        1,
        vec![peer("west", 2, w_eip.public_ip, "10.20.0.0/16")],
    );
    let mut wc = gateways::config(
        "west",
        2,
        vec![peer("east", 1, e_eip.public_ip, "10.10.0.0/16")],
    );
    if p && rng.chance(25) {
        mutate_config(&mut rng, &mut ec);
    }
    if p && rng.chance(25) {
        mutate_config(&mut rng, &mut wc);
    }
    let text = |rng: &mut Rng, c: &GatewayConfig| {
        if p && rng.chance(5) {
            "#vpcpeer-gateway v1\n[Interface]\nPrivateKey = nope\n".to_owned()
        } else {
            c.render()
        }
    };
    let mut gws = Vec::new();
    for (s, side, c) in [(east(), &e, &ec), (west(), &w, &wc)] {
        let t = text(&mut rng, c);
        let image = if p && rng.chance(5) {
            "ami-12345678".to_owned()
        } else {
            gateway_image_id(&s.region)
        };
        let forwards = !(p && rng.chance(10));
        let (id, _) = launch_gateway(&mut env, &s, &side.public, &side.sg, image, &t, forwards);
        gws.push(id);
    }
    for (s, eip, gw) in [(east(), &e_eip, &gws[0]), (west(), &w_eip, &gws[1])] {
        if !(p && rng.chance(10)) {
            associate_eip(&mut env, &s, &eip.id, gw);
        }
    }
    for (s, side, other) in [(east(), &e, &w_eip), (west(), &w, &e_eip)] {
        let cidr = match if p { rng.below(10) } else { 9 } {
            0 => "198.51.100.1/32".to_owned(),
            1 => "0.0.0.0/0".to_owned(),
            _ => format!("{}/32", other.public_ip),
        };
        if !(p && rng.chance(8)) {
            env.allow(&s, &side.sg, SgDir::Ingress, from_cidr(udp(51820), &cidr));
        }
        if p && rng.chance(10) {
            env.delete_route(&s, &side.public_rtb, "0.0.0.0/0");
        }
        let acl = env.default_acl(&side.vpc);
        if p && rng.chance(10) {
            let (egress, proto, ports) = match rng.below(4) {
                0 => (false, "udp", Some((51820, 51820))),
                1 => (true, "udp", Some((51820, 51820))),
                2 => (false, "tcp", Some((443, 443))),
                _ => (false, "tcp", Some((1024, 65535))),
            };
            env.acl_entry(
                &s,
                acl_rule(&acl, 50, egress, proto, "deny", "0.0.0.0/0", ports),
            );
        }
    }
    env.route(
        &east(),
        &e.workload_rtb,
        "10.20.0.0/16",
        RouteTarget::Instance(gws[0].clone()),
    );
    if !(p && rng.chance(8)) {
        env.route(
            &west(),
            &w.workload_rtb,
            "10.10.0.0/16",
            RouteTarget::Instance(gws[1].clone()),
        );
    }
    let app = env.instance(&east(), &e.workload, &[]);
    let web = web_instance(
        &mut env,
        &west(),
        &w.vpc,
        &w.workload,
        "web",
        "10.10.0.0/16",
    );
    for (s, gw) in [(east(), &gws[0]), (west(), &gws[1])] {
        if p && rng.chance(8) {
            env.run(&s, |tx| tx.stop_instances(std::slice::from_ref(gw)))
                .expect("stop");
        }
    }
    (env, app, web)
}

fn check(seed: u64) -> Result<bool, TestCaseError> {
    let (env, app, web) = build(seed);
    let snap = Snapshot::compile(&env.world, env.now);
    let q = Query {
        src: Endpoint::Instance(app.clone()),
        dst: Endpoint::Instance(web.clone()),
        protocol: Protocol::Tcp,
        port: Some(443),
    };
    let v = explain(&snap, &q).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let want = reference(&env.world, &app, &web);
    prop_assert_eq!(
        v.reachable,
        want,
        "seed {}: engine {} reference {}: {:#?}",
        seed,
        v.reachable,
        want,
        v.blockers
    );
    let _: Option<IpAddr> = None;
    Ok(want)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn the_engine_agrees_with_the_reference_on_tunnels(seed in any::<u64>()) {
        check(seed)?;
    }
}

/// The random topologies give both answers (so the comparison is not vacuous).
#[test]
fn random_tunnel_topologies_mix_verdicts() {
    let mut yes = 0;
    let mut no = 0;
    for seed in 0..60 {
        match check(seed) {
            Ok(true) => yes += 1,
            Ok(false) => no += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(yes >= 5 && no >= 5, "reachable {yes}, not {no}");
}
