//! [`Snapshot::apply_changes`] against a full compile: random topologies, then random sequences of
//! the model's own operations (every kind of AWS record created, changed and deleted, including
//! associations, VPC blocks, peering accept/reject/delete, instance termination, gateway
//! instances with their user data, Elastic IPs associated and released) and clock moves
//! (forward past peering expirations, and back). The change sets come from real transactions;
//! they are applied in random batches, as the server does. After every batch the kept snapshot
//! must equal `Snapshot::compile` of the world at the new instant, and `explain` must answer every
//! pair of instances (and addresses) the same on both.

mod common;

use std::collections::BTreeSet;

use common::{acl_rule, from_cidr, tcp, try_commit, Build, Rng};
use proptest::prelude::*;
use vpcpeer_model::aws::appliance::InterfaceChange;
use vpcpeer_model::aws::instance::RunInstances;
use vpcpeer_model::aws::peering::CreatePeering;
use vpcpeer_model::aws::route::AssocRequest;
use vpcpeer_model::aws::security_group::{CreateSecurityGroup, Direction, GroupSelector};
use vpcpeer_model::testkit::{self, a, b, TestEnv};
use vpcpeer_model::{
    DomainError, RecordKey, RouteTarget, RtAssocTarget, Scope, Tags, Timestamp, Tx,
};
use vpcpeer_reach::{explain, Endpoint, Protocol, Query, Snapshot};

/// Runs `f` as `scope` in a transaction; the keys it committed (none when it failed).
fn step<T>(
    env: &mut TestEnv,
    scope: &Scope,
    f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, DomainError>,
) -> Vec<RecordKey> {
    try_commit(env, scope, f)
        .map(|(_, keys)| keys)
        .unwrap_or_default()
}

const CIDRS: [&str; 5] = [
    "10.0.0.0/16",
    "10.1.0.0/16",
    "10.2.0.0/16",
    "10.1.0.0/20",
    "10.3.0.0/16",
];
const DESTS: [&str; 6] = [
    "10.0.0.0/16",
    "10.1.0.0/16",
    "10.2.0.0/16",
    "10.3.0.0/16",
    "0.0.0.0/0",
    "10.1.2.0/24",
];

fn ids<T>(m: &std::collections::BTreeMap<String, T>) -> Vec<String> {
    m.keys().cloned().collect()
}

/// A gateway configuration whose one tunnel goes to `endpoint` (sometimes text that does not
/// parse, or no configuration at all).
fn gateway_text(rng: &mut Rng, name: &str, endpoint: std::net::Ipv4Addr) -> String {
    use vpcpeer_gateway::{GatewayConfig, Peer, PrivateKey};
    match rng.below(6) {
        0 => "#vpcpeer-gateway v1\n[Interface]\nListenPort = x\n".into(),
        1 => "#!/bin/sh\n".into(),
        _ => GatewayConfig {
            name: name.into(),
            private_key: PrivateKey::from_bytes([rng.below(3) as u8; 32]),
            listen_port: 51820,
            peers: vec![Peer {
                name: ["g0", "g1", "g2"][rng.below(3)].into(),
                public_key: PrivateKey::from_bytes([rng.below(3) as u8; 32]).public(),
                endpoint: std::net::SocketAddrV4::new(endpoint, 51820),
                allowed_ips: vec![["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"][rng.below(3)]
                    .parse()
                    .expect("net")],
            }],
        }
        .render(),
    }
}

/// Gateway operations: launch an instance of the gateway image with a configuration, allocate,
/// associate, disassociate and release Elastic IPs, change a stopped instance's user data.
fn gateways(env: &mut TestEnv, rng: &mut Rng) -> Vec<RecordKey> {
    use base64::Engine as _;
    use vpcpeer_model::aws::address::{AssociateAddress, AssociationTarget};
    use vpcpeer_model::aws::appliance::InstanceChange;
    let encode = |t: String| base64::engine::general_purpose::STANDARD.encode(t);
    let w = &env.world;
    let subnets = ids(w.aws.subnets());
    let eips: Vec<(String, Scope, std::net::Ipv4Addr, Option<String>)> = w
        .aws
        .elastic_ips()
        .values()
        .map(|e| {
            (
                e.id.clone(),
                e.scope.clone(),
                e.public_ip,
                e.association.as_ref().map(|x| x.id.clone()),
            )
        })
        .collect();
    let insts: Vec<(String, Scope)> = w
        .aws
        .instances()
        .values()
        .filter(|i| !i.eni_ids.is_empty())
        .map(|i| (i.id.clone(), i.scope.clone()))
        .collect();
    let endpoint = rng
        .pick(&eips)
        .map_or(std::net::Ipv4Addr::new(198, 18, 0, 1), |e| e.2);
    let name = ["g0", "g1", "g2"][rng.below(3)];
    match rng.below(6) {
        0 | 1 => {
            let Some(sub) = rng.pick(&subnets) else {
                return vec![];
            };
            let s = w.aws.subnets()[&sub].scope.clone();
            let text = gateway_text(rng, name, endpoint);
            let mut keys = Vec::new();
            let launched = try_commit(env, &s, |tx| {
                tx.run_instances(RunInstances {
                    min_count: 1,
                    max_count: 1,
                    image_id: vpcpeer_model::aws::catalog::gateway_image_id(&s.region),
                    subnet_id: Some(sub.clone()),
                    user_data: Some(encode(text)),
                    ..Default::default()
                })
            });
            if let Ok((launch, k)) = launched {
                keys.extend(k);
                let i = launch.instance_ids[0].clone();
                keys.extend(step(env, &s, |tx| {
                    tx.modify_instance(&i, InstanceChange::SourceDestCheck(false))
                }));
            }
            keys
        }
        2 => {
            let s = if rng.chance(50) { a() } else { b() };
            step(env, &s, |tx| tx.allocate_address(Tags::new()))
        }
        3 => {
            let (Some(e), Some(i)) = (rng.pick(&eips), rng.pick(&insts)) else {
                return vec![];
            };
            step(env, &e.1, |tx| {
                tx.associate_address(AssociateAddress {
                    allocation_id: e.0.clone(),
                    target: AssociationTarget::Instance(i.0.clone()),
                    private_ip: None,
                    allow_reassociation: true,
                })
            })
        }
        4 => {
            let Some(e) = rng.pick(&eips) else {
                return vec![];
            };
            match &e.3 {
                Some(assoc) if rng.chance(50) => {
                    step(env, &e.1, |tx| tx.disassociate_address(assoc))
                }
                _ => step(env, &e.1, |tx| tx.release_address(&e.0)),
            }
        }
        _ => {
            let Some((i, s)) = rng.pick(&insts) else {
                return vec![];
            };
            let text = gateway_text(rng, name, endpoint);
            let mut keys = step(env, &s, |tx| tx.stop_instances(std::slice::from_ref(&i)));
            keys.extend(step(env, &s, |tx| {
                tx.modify_instance(&i, InstanceChange::UserData(encode(text)))
            }));
            if rng.chance(50) {
                keys.extend(step(env, &s, |tx| {
                    tx.start_instances(std::slice::from_ref(&i))
                }));
            }
            keys
        }
    }
}

/// One random operation; the keys it changed.
fn mutate(env: &mut TestEnv, rng: &mut Rng) -> Vec<RecordKey> {
    let w = &env.world;
    let vpcs = ids(w.aws.vpcs());
    let subnets = ids(w.aws.subnets());
    let tables = ids(w.aws.route_tables());
    let pcxs = ids(w.aws.peerings());
    let vpc_scope = |id: &str| {
        w.aws
            .vpcs()
            .get(id)
            .map(|v| v.scope.clone())
            .unwrap_or_else(a)
    };
    let groups_of = |vpc: &str| -> Vec<String> {
        w.aws
            .security_groups()
            .values()
            .filter(|g| g.vpc_id == vpc)
            .map(|g| g.id.clone())
            .collect()
    };
    match rng.below(27) {
        0 | 1 => {
            let s = if rng.chance(70) { a() } else { b() };
            let cidr = rng.pick(&CIDRS).expect("cidrs");
            step(env, &s, |tx| tx.create_vpc(testkit::vpc(cidr)))
        }
        2 => {
            let Some(v) = rng.pick(&vpcs) else {
                return vec![];
            };
            let s = vpc_scope(&v);
            step(env, &s, |tx| tx.delete_vpc(&v))
        }
        3 | 4 => {
            let Some(v) = rng.pick(&vpcs) else {
                return vec![];
            };
            let s = vpc_scope(&v);
            let base = w.aws.vpcs()[&v].ipv4_cidrs().next().expect("block");
            let o = base.network().octets();
            let cidr = format!("{}.{}.{}.0/24", o[0], o[1], rng.below(4));
            step(env, &s, |tx| tx.create_subnet(testkit::subnet(&v, &cidr)))
        }
        5 => {
            let Some(sub) = rng.pick(&subnets) else {
                return vec![];
            };
            let s = w.aws.subnets()[&sub].scope.clone();
            step(env, &s, |tx| tx.delete_subnet(&sub))
        }
        6 => {
            let Some(v) = rng.pick(&vpcs) else {
                return vec![];
            };
            let s = vpc_scope(&v);
            step(env, &s, |tx| tx.create_route_table(&v, Tags::new()))
        }
        7 => {
            let Some(t) = rng.pick(&tables) else {
                return vec![];
            };
            let s = w.aws.route_tables()[&t].scope.clone();
            step(env, &s, |tx| tx.delete_route_table(&t))
        }
        8 => {
            let (Some(t), Some(sub)) = (rng.pick(&tables), rng.pick(&subnets)) else {
                return vec![];
            };
            let s = w.aws.route_tables()[&t].scope.clone();
            step(env, &s, |tx| {
                tx.associate_route_table(&t, AssocRequest::Subnet(sub))
            })
        }
        9 => {
            // Replace or remove an association (main ones included).
            let assocs: Vec<(String, String, bool)> = w
                .aws
                .route_tables()
                .values()
                .flat_map(|t| {
                    t.associations.iter().map(|x| {
                        (
                            x.id.clone(),
                            t.vpc_id.clone(),
                            matches!(x.target, RtAssocTarget::Main),
                        )
                    })
                })
                .collect();
            let Some((assoc, vpc, _main)) = rng.pick(&assocs) else {
                return vec![];
            };
            let same: Vec<String> = w
                .aws
                .route_tables()
                .values()
                .filter(|t| t.vpc_id == vpc)
                .map(|t| t.id.clone())
                .collect();
            let s = vpc_scope(&vpc);
            if rng.chance(60) {
                let t = rng.pick(&same).expect("own table");
                step(env, &s, |tx| tx.replace_route_table_association(&assoc, &t))
            } else {
                step(env, &s, |tx| tx.disassociate_route_table(&assoc))
            }
        }
        10..=12 => {
            let Some(t) = rng.pick(&tables) else {
                return vec![];
            };
            let s = w.aws.route_tables()[&t].scope.clone();
            let kinds = [
                // The first one's cast types them all.
                (
                    pcxs.clone(),
                    RouteTarget::Peering as fn(String) -> RouteTarget,
                ),
                (ids(w.aws.internet_gateways()), RouteTarget::Gateway),
                (ids(w.aws.nat_gateways()), RouteTarget::NatGateway),
                (ids(w.aws.instances()), RouteTarget::Instance),
                (
                    ids(w.aws.network_interfaces()),
                    RouteTarget::NetworkInterface,
                ),
            ];
            let targets: Vec<RouteTarget> = kinds
                .into_iter()
                .flat_map(|(ids, to)| ids.into_iter().map(to))
                .collect();
            let dest = rng.pick(&DESTS).expect("dests");
            let target = rng.pick(&targets);
            let which = rng.below(3);
            if which == 2 {
                return step(env, &s, |tx| tx.delete_route(&t, testkit::dest(dest)));
            }
            // A request without a target is refused at the edge: nothing to run.
            let Some(target) = target else {
                return vec![];
            };
            let spec = testkit::route(&t, dest, target);
            match which {
                0 => step(env, &s, |tx| tx.create_route(spec)),
                _ => step(env, &s, |tx| tx.replace_route(spec)),
            }
        }
        13 => {
            let Some(v) = rng.pick(&vpcs) else {
                return vec![];
            };
            let s = vpc_scope(&v);
            let igws: Vec<(String, Option<String>)> = w
                .aws
                .internet_gateways()
                .values()
                .filter(|g| g.scope == s)
                .map(|g| (g.id.clone(), g.attached_vpc.clone()))
                .collect();
            match (rng.below(3), rng.pick(&igws)) {
                (0, _) | (_, None) => step(env, &s, |tx| {
                    let id = tx.create_internet_gateway(Tags::new())?;
                    tx.attach_internet_gateway(&id, &v)
                }),
                (1, Some((g, Some(att)))) => {
                    step(env, &s, |tx| tx.detach_internet_gateway(&g, &att))
                }
                (1, Some((g, None))) => step(env, &s, |tx| tx.attach_internet_gateway(&g, &v)),
                (_, Some((g, _))) => step(env, &s, |tx| tx.delete_internet_gateway(&g)),
            }
        }
        14 => {
            if rng.chance(60) {
                let Some(sub) = rng.pick(&subnets) else {
                    return vec![];
                };
                let s = w.aws.subnets()[&sub].scope.clone();
                step(env, &s, |tx| {
                    tx.create_nat_gateway(testkit::private_nat(&sub))
                })
            } else {
                let Some(n) = rng.pick(&ids(w.aws.nat_gateways())) else {
                    return vec![];
                };
                let s = w.aws.nat_gateways()[&n].scope.clone();
                step(env, &s, |tx| tx.delete_nat_gateway(&n))
            }
        }
        15 | 16 => {
            let Some(sub) = rng.pick(&subnets) else {
                return vec![];
            };
            let s = w.aws.subnets()[&sub].scope.clone();
            let vpc = w.aws.subnets()[&sub].vpc_id.clone();
            let groups = groups_of(&vpc);
            let sg: Vec<String> = rng.pick(&groups).into_iter().collect();
            step(env, &s, |tx| {
                tx.run_instances(RunInstances {
                    min_count: 1,
                    max_count: 1,
                    image_id: "ami-12345678".into(),
                    subnet_id: Some(sub.clone()),
                    security_group_ids: sg,
                    ..Default::default()
                })
            })
        }
        17 => {
            let Some(i) = rng.pick(&ids(w.aws.instances())) else {
                return vec![];
            };
            let s = w.aws.instances()[&i].scope.clone();
            let eni = w.aws.instances()[&i].eni_ids.first().cloned();
            let ids = std::slice::from_ref(&i);
            // Appliances: stop, start, the source/destination check of the primary interface
            // (an instance change blackholes routes to its interfaces; see incremental.rs).
            match (rng.below(5), eni) {
                (0, _) => step(env, &s, |tx| tx.terminate_instances(ids)),
                (1, _) => step(env, &s, |tx| tx.stop_instances(ids)),
                (2, _) => step(env, &s, |tx| tx.start_instances(ids)),
                (_, Some(e)) => {
                    let on = rng.chance(50);
                    step(env, &s, |tx| {
                        tx.modify_interface(&e, InterfaceChange::SourceDestCheck(on))
                    })
                }
                (_, None) => vec![],
            }
        }
        18 | 19 => {
            let (Some(x), Some(y)) = (rng.pick(&vpcs), rng.pick(&vpcs)) else {
                return vec![];
            };
            let (sx, sy) = (vpc_scope(&x), vpc_scope(&y));
            step(env, &sx, |tx| {
                tx.create_peering(CreatePeering {
                    vpc_id: x.clone(),
                    peer_vpc_id: y.clone(),
                    peer_owner_id: Some(sy.account.clone()),
                    peer_region: Some(sy.region.clone()),
                    tags: Tags::new(),
                })
            })
        }
        20 => {
            let Some(p) = rng.pick(&pcxs) else {
                return vec![];
            };
            let conn = &w.aws.peerings()[&p];
            let (req, acc) = (conn.requester.scope.clone(), conn.accepter.scope.clone());
            match rng.below(4) {
                0 | 1 => step(env, &acc, |tx| tx.accept_peering(&p)),
                2 => step(env, &acc, |tx| tx.reject_peering(&p)),
                _ => step(env, &req, |tx| tx.delete_peering(&p)),
            }
        }
        21 => {
            let Some(v) = rng.pick(&vpcs) else {
                return vec![];
            };
            let s = vpc_scope(&v);
            let groups = groups_of(&v);
            let port = [22u16, 443, 80][rng.below(3)];
            let cidr = ["10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0"][rng.below(3)];
            let perm = from_cidr(tcp(Some(port)), cidr);
            let dir = if rng.chance(70) {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            match (rng.below(4), rng.pick(&groups)) {
                (0, _) | (_, None) => {
                    let name = format!("g{}", rng.below(1000));
                    step(env, &s, |tx| {
                        tx.create_security_group(CreateSecurityGroup {
                            name: name.clone(),
                            description: name,
                            vpc_id: Some(v.clone()),
                            ..Default::default()
                        })
                    })
                }
                (1, Some(g)) => step(env, &s, |tx| {
                    tx.authorize_rules(dir, &GroupSelector::Id(g), &[perm])
                }),
                (2, Some(g)) => step(env, &s, |tx| {
                    tx.revoke_matching(dir, &GroupSelector::Id(g), &[perm])
                }),
                (_, Some(g)) => step(env, &s, |tx| {
                    tx.delete_security_group(&GroupSelector::Id(g))
                }),
            }
        }
        22 => {
            let Some(v) = rng.pick(&vpcs) else {
                return vec![];
            };
            let s = vpc_scope(&v);
            let acls: Vec<String> = w
                .aws
                .network_acls()
                .values()
                .filter(|x| x.vpc_id == v)
                .map(|x| x.id.clone())
                .collect();
            let assocs: Vec<String> = w
                .aws
                .network_acls()
                .values()
                .filter(|x| x.vpc_id == v)
                .flat_map(|x| x.associations.iter().map(|a| a.id.clone()))
                .collect();
            let acl = rng.pick(&acls);
            match (rng.below(5), acl) {
                (0, _) | (_, None) => step(env, &s, |tx| tx.create_network_acl(&v, Tags::new())),
                (1, Some(x)) => {
                    let n = 100 * (1 + rng.below(3) as i64);
                    let action = if rng.chance(50) { "allow" } else { "deny" };
                    let input = acl_rule(&x, n, rng.chance(50), "6", action, "10.0.0.0/8", None);
                    step(env, &s, |tx| tx.create_network_acl_entry(&input))
                }
                (2, Some(x)) => {
                    let n = 100 * (1 + rng.below(3) as i64);
                    step(env, &s, |tx| tx.delete_network_acl_entry(&x, n, false))
                }
                (3, Some(x)) => {
                    let Some(assoc) = rng.pick(&assocs) else {
                        return vec![];
                    };
                    step(env, &s, |tx| tx.replace_network_acl_association(&assoc, &x))
                }
                (_, Some(x)) => step(env, &s, |tx| tx.delete_network_acl(&x)),
            }
        }
        23..=25 => gateways(env, rng),
        _ => {
            let Some(v) = rng.pick(&vpcs) else {
                return vec![];
            };
            let s = vpc_scope(&v);
            let extra: Vec<String> = w.aws.vpcs()[&v]
                .ipv4
                .iter()
                .skip(1)
                .map(|blk| blk.association_id.clone())
                .collect();
            match rng.pick(&extra) {
                Some(assoc) if rng.chance(50) => {
                    step(env, &s, |tx| tx.disassociate_vpc_cidr(&assoc))
                }
                _ => {
                    let cidr = ["10.4.0.0/16", "10.5.0.0/16", "10.2.0.0/16"][rng.below(3)];
                    step(env, &s, |tx| {
                        tx.associate_vpc_cidr(&v, testkit::block(cidr))
                    })
                }
            }
        }
    }
}

/// Asserts that `inc` equals a fresh compile of `env`'s world at `env.now` and answers alike.
fn check_same(env: &TestEnv, inc: &Snapshot, step: usize) -> Result<usize, TestCaseError> {
    let full = Snapshot::compile(&env.world, env.now);
    prop_assert!(*inc == full, "snapshot differs after step {step}");
    let mut endpoints: Vec<Endpoint> = env
        .world
        .aws
        .instances()
        .keys()
        .map(|i| Endpoint::Instance(i.clone()))
        .collect();
    endpoints.push(Endpoint::Ip("10.1.2.9".parse().expect("ip")));
    let mut reachable = 0;
    for src in &endpoints {
        for dst in &endpoints {
            for (protocol, port) in [(Protocol::Tcp, Some(443)), (Protocol::Icmp, None)] {
                let q = Query {
                    src: src.clone(),
                    dst: dst.clone(),
                    protocol,
                    port,
                };
                let want = explain(&full, &q);
                prop_assert_eq!(explain(inc, &q), want.clone(), "{:?} after {}", q, step);
                reachable += usize::from(want.is_ok_and(|v| v.reachable));
            }
        }
    }
    Ok(reachable)
}

/// A random run: a topology grown by random operations from an empty world, a snapshot compiled
/// part way, then more operations and clock moves kept by `apply_changes`.
fn run(seed: u64) -> Result<(usize, usize, BTreeSet<&'static str>), TestCaseError> {
    let mut rng = Rng(seed);
    let mut env = TestEnv::with_seed(seed);
    // Seed topology: a few VPCs with a subnet each, so the random operations have material.
    for (i, s) in [a(), b(), a()].iter().enumerate() {
        let v = env.vpc(s, CIDRS[i]);
        env.subnet(s, &v, &format!("10.{i}.1.0/24"));
    }
    for _ in 0..(10 + rng.below(30)) {
        mutate(&mut env, &mut rng);
    }
    let mut inc = Snapshot::compile(&env.world, env.now);
    let mut pending: Vec<RecordKey> = Vec::new();
    let mut changed = 0;
    let mut reachable = 0;
    let mut kinds = BTreeSet::new();
    for i in 0..60 {
        if rng.chance(12) {
            // Hours, days, past a 7-day expiration; sometimes back.
            let secs = [3_600i64, 86_400 * 3, 86_400 * 8, -86_400 * 2][rng.below(4)];
            env.now = Timestamp(env.now.0 + secs * 1000);
        } else {
            let keys = mutate(&mut env, &mut rng);
            changed += usize::from(!keys.is_empty());
            kinds.extend(keys.iter().map(|k| k.table));
            pending.extend(keys);
        }
        if rng.chance(50) || i == 59 {
            inc.apply_changes(&env.world, env.now, &pending);
            pending.clear();
            reachable += check_same(&env, &inc, i)?;
        }
    }
    Ok((changed, reachable, kinds))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn kept_snapshot_equals_fresh_compile(seed in any::<u64>()) {
        run(seed)?;
    }
}

/// The generator does exercise the code: over fixed seeds, many steps commit changes, to records
/// of every kind the snapshot holds, and some queries are reachable (so equality is not between
/// two empty snapshots).
#[test]
fn random_runs_change_things_and_reach() {
    let (mut changed, mut reachable, mut kinds) = (0, 0, BTreeSet::new());
    for seed in 0..8 {
        let (c, r, k) = run(seed).expect("same");
        changed += c;
        reachable += r;
        kinds.extend(k);
    }
    assert!(changed > 100, "only {changed} committed steps");
    assert!(reachable > 0, "no reachable pair");
    for kind in [
        "vpc", "subnet", "rtb", "igw", "nat", "sg", "acl", "instance", "eni", "pcx", "eip",
    ] {
        assert!(
            kinds.contains(kind),
            "no change to a {kind} record: {kinds:?}"
        );
    }
}

/// Gateways, step by step: each Elastic IP association, disassociation (which leaves the
/// interface's record untouched), move and release, a change of user data while stopped, a
/// termination; after each, the kept snapshot equals a fresh compile (public addresses, the
/// public-address index, the compiled configurations) and answers alike.
/// The association of Elastic IP `eip` (it must be associated).
fn association(env: &TestEnv, eip: &str) -> String {
    let eip = &env.world.aws.elastic_ips()[eip];
    eip.association.as_ref().expect("associated").id.clone()
}

#[test]
fn gateway_changes_are_kept() {
    use base64::Engine as _;
    use vpcpeer_model::aws::address::{AssociateAddress, AssociationTarget};
    use vpcpeer_model::aws::appliance::InstanceChange;
    let mut env = TestEnv::with_seed(5);
    let mut rng = Rng(5);
    let mut subnets = Vec::new();
    for (i, cidr) in ["10.0.0.0/16", "10.1.0.0/16"].iter().enumerate() {
        let v = env.vpc(&a(), cidr);
        let sub = env.subnet(&a(), &v, &format!("10.{i}.1.0/24"));
        let igw = env.igw(&a(), &v);
        let main = env.main_rtb(&v);
        env.route(&a(), &main, "0.0.0.0/0", RouteTarget::Gateway(igw));
        subnets.push(sub);
    }
    let e1 = env
        .run(&a(), |tx| tx.allocate_address(Tags::new()))
        .expect("eip");
    let e2 = env
        .run(&a(), |tx| tx.allocate_address(Tags::new()))
        .expect("eip");
    let mut gws = Vec::new();
    for (n, sub) in subnets.iter().enumerate() {
        let other = if n == 0 { e2.public_ip } else { e1.public_ip };
        let text = gateway_text(&mut Rng(2), ["g0", "g1"][n], other);
        let i = env
            .run(&a(), |tx| {
                tx.run_instances(RunInstances {
                    min_count: 1,
                    max_count: 1,
                    image_id: vpcpeer_model::aws::catalog::gateway_image_id("us-east-1"),
                    subnet_id: Some(sub.clone()),
                    user_data: Some(base64::engine::general_purpose::STANDARD.encode(text)),
                    ..Default::default()
                })
            })
            .expect("gateway")
            .instance_ids[0]
            .clone();
        gws.push(i);
    }
    let mut inc = Snapshot::compile(&env.world, env.now);
    let associate = |eip: &str, i: &str| AssociateAddress {
        allocation_id: eip.to_owned(),
        target: AssociationTarget::Instance(i.to_owned()),
        private_ip: None,
        allow_reassociation: true,
    };
    let mut n = 0;
    let mut apply = |env: &mut TestEnv, keys: Vec<RecordKey>, inc: &mut Snapshot| {
        assert!(!keys.is_empty(), "step {n} changed nothing");
        inc.apply_changes(&env.world, env.now, &keys);
        check_same(env, inc, n).expect("kept snapshot equals a fresh compile");
        n += 1;
    };
    let (g0, g1) = (gws[0].clone(), gws[1].clone());
    let k = step(&mut env, &a(), |tx| {
        tx.associate_address(associate(&e1.id, &g0))
    });
    apply(&mut env, k, &mut inc);
    assert_eq!(
        inc.enis_by_public_ip.get(&e1.public_ip).map(Vec::len),
        Some(1)
    );
    let k = step(&mut env, &a(), |tx| {
        tx.associate_address(associate(&e2.id, &g1))
    });
    apply(&mut env, k, &mut inc);
    let assoc = association(&env, &e1.id);
    let k = step(&mut env, &a(), |tx| tx.disassociate_address(&assoc));
    apply(&mut env, k, &mut inc);
    assert!(!inc.enis_by_public_ip.contains_key(&e1.public_ip));
    let k = step(&mut env, &a(), |tx| {
        tx.associate_address(associate(&e1.id, &g0))
    });
    apply(&mut env, k, &mut inc);
    // Moved to the other gateway (its own address is taken over).
    let k = step(&mut env, &a(), |tx| {
        tx.associate_address(associate(&e1.id, &g1))
    });
    apply(&mut env, k, &mut inc);
    let k = step(&mut env, &a(), |tx| {
        tx.stop_instances(std::slice::from_ref(&g0))
    });
    apply(&mut env, k, &mut inc);
    let text = gateway_text(&mut rng, "g0", e2.public_ip);
    let data = base64::engine::general_purpose::STANDARD.encode(text);
    let k = step(&mut env, &a(), |tx| {
        tx.modify_instance(&g0, InstanceChange::UserData(data))
    });
    apply(&mut env, k, &mut inc);
    let k = step(&mut env, &a(), |tx| {
        tx.start_instances(std::slice::from_ref(&g0))
    });
    apply(&mut env, k, &mut inc);
    let assoc = association(&env, &e1.id);
    let k = step(&mut env, &a(), |tx| tx.disassociate_address(&assoc));
    apply(&mut env, k, &mut inc);
    let k = step(&mut env, &a(), |tx| tx.release_address(&e1.id));
    apply(&mut env, k, &mut inc);
    let k = step(&mut env, &a(), |tx| {
        tx.terminate_instances(std::slice::from_ref(&g1))
    });
    apply(&mut env, k, &mut inc);
}

/// Keys of GCP and Azure records that do not exist, and unknown ones, change nothing.
#[test]
fn other_clouds_keys_are_no_ops() {
    let mut env = TestEnv::new();
    let v = env.vpc(&a(), "10.0.0.0/16");
    env.subnet(&a(), &v, "10.0.1.0/24");
    let mut inc = Snapshot::compile(&env.world, env.now);
    let before = inc.clone();
    let keys: Vec<RecordKey> = ["gcp-network", "gcp-route", "az-vnet", "az-peering", "nip"]
        .into_iter()
        .map(|t| RecordKey {
            table: t,
            id: "x".into(),
        })
        .collect();
    inc.apply_changes(&env.world, env.now, &keys);
    assert_eq!(inc, before);
}

/// A stale snapshot (changes not applied) differs from a fresh compile: the comparison the
/// property test relies on can fail.
#[test]
fn comparison_sees_a_missed_change() {
    let mut env = TestEnv::new();
    let v = env.vpc(&a(), "10.0.0.0/16");
    let stale = Snapshot::compile(&env.world, env.now);
    env.subnet(&a(), &v, "10.0.1.0/24");
    assert!(stale != Snapshot::compile(&env.world, env.now));
}

/// A pending request expires when the clock passes its expiration, with no record changed; and
/// comes back pending when the clock moves back.
#[test]
fn clock_expires_pending_requests() {
    let mut env = TestEnv::new();
    let x = env.vpc(&a(), "10.0.0.0/16");
    let y = env.vpc(&b(), "10.1.0.0/16");
    let p = env.peer(&a(), &x, &b(), &y, false);
    let rtb = env.main_rtb(&x);
    env.route(&a(), &rtb, "10.1.0.0/16", RouteTarget::Peering(p.clone()));
    let start = env.now;
    let mut inc = Snapshot::compile(&env.world, start);
    let exp = env.world.aws.peerings()[&p].expiration;
    for t in [Timestamp(exp.0 - 1), exp, Timestamp(exp.0 + 10), start] {
        inc.apply_changes(&env.world, t, &[]);
        assert_eq!(inc, Snapshot::compile(&env.world, t), "at {t:?}");
    }
    inc.apply_changes(&env.world, exp, &[]);
    assert_eq!(
        inc.peerings[&p].state,
        vpcpeer_model::aws::peering_state::PeeringState::Expired
    );
}
