//! Scenario rows for the appliance pattern: routes whose target is an instance or a network
//! interface (a NAT instance, a firewall between subnets, a router towards a peer), with the
//! source/destination check, the appliance's security groups, a stopped appliance, a stopped
//! destination, a loop of appliances, and the refusal of a route to another VPC's interface.
//! Each row is a topology built through the real model operations, one query, and the expected
//! verdict with its blocker codes (leg and AWS code, in path order).

mod common;

use common::{check_rows, from_cidr, inst, q, tcp, verdict, Build, Row};
use vpcpeer_model::aws::appliance::InterfaceChange;
use vpcpeer_model::aws::route::AssocRequest;
use vpcpeer_model::aws::security_group::Direction as SgDir;
use vpcpeer_model::testkit::{a, b, TestEnv};
use vpcpeer_model::{DomainError, RouteTarget};
use vpcpeer_reach::{explain, remedy, ComponentKind as K, Endpoint, Leg, Query, Remedy, Snapshot};

/// The NAT-instance layout in account A's VPC 10.0.0.0/16:
/// - public subnet 10.0.1.0/24 on the main table (0.0.0.0/0 → the internet gateway), holding
///   the appliance `nat` (group `nat-sg` admits tcp/443 from 10.0.0.0/16; its check is off);
/// - private subnet 10.0.2.0/24 on its own table (0.0.0.0/0 → the appliance by instance id),
///   holding `app` (default group: all egress);
/// - `web` in the public subnet, admitting tcp/443 from 10.0.0.0/16.
struct Nat {
    env: TestEnv,
    vpc: String,
    private_rtb: String,
    main_rtb: String,
    nat: String,
    nat_eni: String,
    nat_sg: String,
    app: String,
    web: String,
}

/// Turns the source/destination check of interface `eni` on or off.
fn source_dest_check(env: &mut TestEnv, eni: &str, on: bool) {
    env.run(&a(), |tx| {
        tx.modify_interface(eni, InterfaceChange::SourceDestCheck(on))
    })
    .expect("check");
}

fn table_for(env: &mut TestEnv, vpc: &str, subnet: &str) -> String {
    let t = env
        .run(&a(), |tx| tx.create_route_table(vpc, Default::default()))
        .expect("table");
    env.run(&a(), |tx| {
        tx.associate_route_table(&t, AssocRequest::Subnet(subnet.to_owned()))
    })
    .expect("associate");
    t
}

fn nat_layout() -> Nat {
    let mut env = TestEnv::with_seed(11);
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let public = env.subnet(&a(), &vpc, "10.0.1.0/24");
    let private = env.subnet(&a(), &vpc, "10.0.2.0/24");
    let main_rtb = env.main_rtb(&vpc);
    let private_rtb = table_for(&mut env, &vpc, &private);
    let igw = env.igw(&a(), &vpc);
    env.route(&a(), &main_rtb, "0.0.0.0/0", RouteTarget::Gateway(igw));
    let nat_sg = env.sg(&a(), &vpc, "nat-sg");
    env.allow(
        &a(),
        &nat_sg,
        SgDir::Ingress,
        from_cidr(tcp(Some(443)), "10.0.0.0/16"),
    );
    let web_sg = env.sg(&a(), &vpc, "web-sg");
    env.allow(
        &a(),
        &web_sg,
        SgDir::Ingress,
        from_cidr(tcp(Some(443)), "10.0.0.0/16"),
    );
    let nat = env.instance(&a(), &public, &[&nat_sg]);
    let nat_eni = env.world.aws.instances()[&nat].eni_ids[0].clone();
    source_dest_check(&mut env, &nat_eni, false);
    env.route(
        &a(),
        &private_rtb,
        "0.0.0.0/0",
        RouteTarget::Instance(nat.clone()),
    );
    let app = env.instance(&a(), &private, &[]);
    let web = env.instance(&a(), &public, &[&web_sg]);
    Nat {
        env,
        vpc,
        private_rtb,
        main_rtb,
        nat,
        nat_eni,
        nat_sg,
        app,
        web,
    }
}

fn internet() -> Endpoint {
    Endpoint::Ip("1.1.1.1".parse().expect("ip"))
}

impl Nat {
    /// `app` → the internet on tcp/443.
    fn out(self) -> (TestEnv, Query) {
        let query = q(&self.app, internet(), 443);
        (self.env, query)
    }

    /// `app` → `web` on tcp/443.
    fn app_to_web(self) -> (TestEnv, Query) {
        let query = q(&self.app, inst(&self.web), 443);
        (self.env, query)
    }

    fn check(&mut self, on: bool) {
        source_dest_check(&mut self.env, &self.nat_eni, on);
    }

    fn stop(&mut self, i: &str) {
        self.env
            .run(&a(), |tx| tx.stop_instances(&[i.to_owned()]))
            .expect("stop");
    }

    /// A second appliance in a subnet of its own (10.0.`n`.0/24, own table), check off, group
    /// `nat-sg`: (instance, its table).
    fn another_appliance(&mut self, n: u8) -> (String, String) {
        let vpc = self.vpc.clone();
        let sub = self.env.subnet(&a(), &vpc, &format!("10.0.{n}.0/24"));
        let t = table_for(&mut self.env, &vpc, &sub);
        let i = self.env.instance(&a(), &sub, &[&self.nat_sg.clone()]);
        let eni = self.env.world.aws.instances()[&i].eni_ids[0].clone();
        source_dest_check(&mut self.env, &eni, false);
        (i, t)
    }

    /// Routes between the private and the public subnet through appliance `fw`: the private
    /// table's route to 10.0.1.0/24, and with `back` the main table's to 10.0.2.0/24 through
    /// `back` (the firewall itself, or another appliance).
    fn firewall(&mut self, fw: &str, back: Option<&str>) {
        let (t, main) = (self.private_rtb.clone(), self.main_rtb.clone());
        self.env.route(
            &a(),
            &t,
            "10.0.1.0/24",
            RouteTarget::Instance(fw.to_owned()),
        );
        if let Some(back) = back {
            self.env.route(
                &a(),
                &main,
                "10.0.2.0/24",
                RouteTarget::Instance(back.to_owned()),
            );
        }
    }
}

use Leg::{Forward as F, Return as R};

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "NAT instance, check off: private subnet reaches the internet",
            build: || nat_layout().out(),
            reachable: true,
            codes: &[],
        },
        Row {
            name: "NAT instance, check on: dropped at its interface",
            build: || {
                let mut n = nat_layout();
                n.check(true);
                n.out()
            },
            reachable: false,
            codes: &[(F, "ENI_SOURCE_DEST_CHECK_RESTRICTION")],
        },
        Row {
            name: "NAT instance by interface id: the same path",
            build: || {
                let mut n = nat_layout();
                let (t, eni) = (n.private_rtb.clone(), n.nat_eni.clone());
                n.env.delete_route(&a(), &t, "0.0.0.0/0");
                n.env
                    .route(&a(), &t, "0.0.0.0/0", RouteTarget::NetworkInterface(eni));
                n.out()
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "NAT instance's group does not admit the port",
            build: || {
                let n = nat_layout();
                let query = q(&n.app, internet(), 80);
                (n.env, query)
            },
            reachable: false,
            codes: &[(F, "ENI_SG_RULES_MISMATCH")],
        },
        Row {
            name: "stopped NAT instance: its route is a blackhole",
            build: || {
                let mut n = nat_layout();
                let i = n.nat.clone();
                n.stop(&i);
                n.out()
            },
            reachable: false,
            codes: &[(F, "BAD_STATE_ROUTE")],
        },
        Row {
            name: "stopped NAT instance started again: reachable",
            build: || {
                let mut n = nat_layout();
                let i = n.nat.clone();
                n.stop(&i);
                n.env
                    .run(&a(), |tx| tx.start_instances(std::slice::from_ref(&i)))
                    .expect("start");
                n.out()
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "stopped destination: not reachable",
            build: || {
                let mut n = nat_layout();
                let w = n.web.clone();
                n.stop(&w);
                let query = q(&n.app, inst(&w), 443);
                (n.env, query)
            },
            reachable: false,
            codes: &[(F, "BAD_STATE")],
        },
        Row {
            name: "two appliances routing to each other: a loop",
            build: || {
                let mut n = nat_layout();
                let (x, tx_) = n.another_appliance(3);
                let (y, ty) = n.another_appliance(4);
                let private = n.private_rtb.clone();
                n.env.delete_route(&a(), &private, "0.0.0.0/0");
                n.env.route(
                    &a(),
                    &private,
                    "0.0.0.0/0",
                    RouteTarget::Instance(x.clone()),
                );
                n.env
                    .route(&a(), &tx_, "0.0.0.0/0", RouteTarget::Instance(y));
                n.env
                    .route(&a(), &ty, "0.0.0.0/0", RouteTarget::Instance(x));
                n.out()
            },
            reachable: false,
            codes: &[(F, "ROUTING_LOOP")],
        },
        Row {
            name: "firewall between subnets, one way: the reply skips it (accepted)",
            build: || {
                let mut n = nat_layout();
                let (fw, _) = n.another_appliance(3);
                n.firewall(&fw, None);
                n.app_to_web()
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "firewall between subnets, both ways: reachable",
            build: || {
                let mut n = nat_layout();
                let (fw, _) = n.another_appliance(3);
                n.firewall(&fw, Some(&fw));
                n.app_to_web()
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "firewall both ways, check on: dropped going out (the reply is not walked twice)",
            build: || {
                let mut n = nat_layout();
                let (fw, _) = n.another_appliance(3);
                let fw_eni = n.env.world.aws.instances()[&fw].eni_ids[0].clone();
                source_dest_check(&mut n.env, &fw_eni, true);
                n.firewall(&fw, Some(&fw));
                n.app_to_web()
            },
            reachable: false,
            codes: &[(F, "ENI_SOURCE_DEST_CHECK_RESTRICTION")],
        },
        Row {
            name: "reply routed to another appliance than the one crossed",
            build: || {
                let mut n = nat_layout();
                let (fw, _) = n.another_appliance(3);
                let (other, _) = n.another_appliance(4);
                n.firewall(&fw, Some(&other));
                n.app_to_web()
            },
            reachable: false,
            codes: &[(R, "NO_ROUTE_TO_DESTINATION")],
        },
        Row {
            name: "router towards a peer: A's private subnet reaches B through the appliance",
            build: || {
                let mut n = nat_layout();
                let vpc = n.vpc.clone();
                let vb = n.env.vpc(&b(), "10.1.0.0/16");
                let sb = n.env.subnet(&b(), &vb, "10.1.1.0/24");
                let pcx = n.env.peer(&a(), &vpc, &b(), &vb, true);
                let (t, main) = (n.private_rtb.clone(), n.main_rtb.clone());
                let rtb_b = n.env.main_rtb(&vb);
                n.env.route(
                    &a(),
                    &t,
                    "10.1.0.0/16",
                    RouteTarget::Instance(n.nat.clone()),
                );
                n.env.route(
                    &a(),
                    &main,
                    "10.1.0.0/16",
                    RouteTarget::Peering(pcx.clone()),
                );
                n.env
                    .route(&b(), &rtb_b, "10.0.0.0/16", RouteTarget::Peering(pcx));
                let sgb = n.env.sg(&b(), &vb, "web-b");
                n.env.allow(
                    &b(),
                    &sgb,
                    SgDir::Ingress,
                    from_cidr(tcp(Some(443)), "10.0.0.0/16"),
                );
                let ib = n.env.instance(&b(), &sb, &[&sgb]);
                let query = q(&n.app, inst(&ib), 443);
                (n.env, query)
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "edge to edge: B cannot use A's NAT instance over the peering",
            build: || {
                let n = nat_layout();
                let vpc = n.vpc.clone();
                let mut env = n.env;
                let vb = env.vpc(&b(), "10.1.0.0/16");
                let sb = env.subnet(&b(), &vb, "10.1.1.0/24");
                let pcx = env.peer(&a(), &vpc, &b(), &vb, true);
                let rtb_b = env.main_rtb(&vb);
                env.route(&b(), &rtb_b, "0.0.0.0/0", RouteTarget::Peering(pcx));
                let ib = env.instance(&b(), &sb, &[]);
                (env, q(&ib, internet(), 443))
            },
            reachable: false,
            codes: &[
                (F, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"),
                (F, "IGW_EDGE_TO_EDGE"),
            ],
        },
    ]
}

#[test]
fn appliance_scenarios() {
    check_rows(rows());
}

/// The NAT-instance path, hop by hop: the private table's instance route, the appliance's
/// interface and instance, the public table's route to the internet gateway; the reply comes
/// back through the gateway and the appliance.
#[test]
fn nat_instance_path_crosses_the_appliance_both_ways() {
    let n = nat_layout();
    let (nat, eni, igw_table) = (n.nat.clone(), n.nat_eni.clone(), n.main_rtb.clone());
    let (env, query) = n.out();
    let v = verdict(&env, &query);
    assert!(v.reachable, "{:#?}", v.blockers);
    let ids = |hops: &[vpcpeer_reach::Hop]| -> Vec<(K, String)> {
        hops.iter()
            .map(|h| (h.component.kind, h.component.id.clone()))
            .collect()
    };
    let fwd = ids(&v.forward);
    let at = |id: &str| fwd.iter().position(|(_, x)| x == id);
    let (e, i, t) = (at(&eni), at(&nat), at(&igw_table));
    assert!(
        matches!((e, i, t), (Some(e), Some(i), Some(t)) if e < i && i < t),
        "{fwd:?}"
    );
    assert!(fwd.iter().any(|(k, _)| *k == K::InternetGateway), "{fwd:?}");
    let ret = ids(&v.ret);
    assert!(
        ret.iter().any(|(_, x)| *x == eni),
        "reply through the appliance: {ret:?}"
    );
    // The packet crosses unchanged: a router, not a NAT.
    assert!(v.forward.iter().all(|h| h.inbound == h.outbound));
}

/// The remedies name the interface whose check to turn off, and the table closing a loop.
#[test]
fn remedies_name_the_interface_and_the_table() {
    let mut n = nat_layout();
    n.check(true);
    let eni = n.nat_eni.clone();
    let (env, query) = n.out();
    let snap = Snapshot::compile(&env.world, env.now);
    let v = explain(&snap, &query).expect("verdict");
    let r: Vec<Remedy> = v.blockers.iter().map(|b| remedy(&snap, &v, b)).collect();
    assert_eq!(r, vec![Remedy::DisableSourceDestCheck { interface: eni }]);
}

/// CreateRoute refuses an instance or interface of another VPC (the target must be in the
/// route table's VPC), so an appliance is always in the VPC whose table routes to it.
#[test]
fn a_route_to_another_vpcs_appliance_is_refused() {
    let mut n = nat_layout();
    let vb = n.env.vpc(&a(), "10.1.0.0/16");
    let sb = n.env.subnet(&a(), &vb, "10.1.1.0/24");
    let far = n.env.instance(&a(), &sb, &[]);
    let far_eni = n.env.world.aws.instances()[&far].eni_ids[0].clone();
    let t = n.private_rtb.clone();
    for target in [
        RouteTarget::Instance(far),
        RouteTarget::NetworkInterface(far_eni),
    ] {
        let got = n.env.try_route(&a(), &t, "10.9.0.0/16", target.clone());
        assert!(
            matches!(got, Err(DomainError::DifferentVpcs(_))),
            "{target:?}: {got:?}"
        );
    }
}
