//! Table tests of [`audit`]: per check, small topologies built through the real model operations
//! where the check must fire (naming the right resources, with the right severity) and near
//! misses where it must stay silent; and a clean peered topology with no finding at all.

mod common;

use common::{acl_rule, from_cidr, tcp, Build, Pair};
use vpcpeer_model::aws::route::AssocRequest;
use vpcpeer_model::aws::security_group::{Direction as SgDir, GroupPair};
use vpcpeer_model::testkit::with_pair;
use vpcpeer_model::testkit::{a, b, TestEnv, A, B};
use vpcpeer_model::{Limits, RouteTarget, Scope, Tags};
use vpcpeer_reach::Severity::{Error, Info, Warning};
use vpcpeer_reach::{audit, Check, Finding, Severity};

type Fx = Pair;

fn base() -> Fx {
    Pair::new(11)
}

/// [`base`] peered (active) with routes both ways.
fn peered() -> (Fx, String) {
    let mut f = base();
    let pcx = f.peer_routed();
    (f, pcx)
}

fn pcx_route(env: &mut TestEnv, s: &Scope, rtb: &str, cidr: &str, pcx: &str) {
    env.route(s, rtb, cidr, RouteTarget::Peering(pcx.to_owned()));
}

fn run(env: &TestEnv) -> Vec<Finding> {
    audit(&env.world, env.now, &env.limits)
}

fn of(findings: &[Finding], check: Check) -> Vec<&Finding> {
    findings.iter().filter(|f| f.check == check).collect()
}

/// The one finding of `check`, which must name every id of `ids` and have `severity`.
fn one<'f>(findings: &'f [Finding], check: Check, severity: Severity, ids: &[&str]) -> &'f Finding {
    let hits = of(findings, check);
    assert_eq!(hits.len(), 1, "{check}: {findings:#?}");
    let f = hits[0];
    assert_eq!(f.severity, severity, "{f:#?}");
    for id in ids {
        assert!(f.resources.iter().any(|r| r == id), "{id} not in {f:#?}");
    }
    assert!(!f.message.is_empty() && !f.fix.is_empty(), "{f:#?}");
    f
}

/// [`one`] over the audit of `env`.
fn fires(env: &TestEnv, check: Check, severity: Severity, ids: &[&str]) {
    one(&run(env), check, severity, ids);
}

fn none(findings: &[Finding], check: Check) {
    assert!(of(findings, check).is_empty(), "{check}: {findings:#?}");
}

#[test]
fn clean_peered_topology_has_no_findings() {
    let (mut f, _) = peered();
    let sga = f.env.sg(&a(), &f.va, "web");
    f.env.allow(
        &a(),
        &sga,
        SgDir::Ingress,
        from_cidr(tcp(Some(443)), "10.1.0.0/16"),
    );
    f.env.instance(&a(), &f.sa, &[&sga]);
    f.env.instance(&b(), &f.sb, &[]);
    let found = run(&f.env);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn missing_return_route() {
    // One-sided: A routes to B, B routes nothing back.
    let mut f = base();
    let pcx = f.peer(true);
    f.route_a("10.1.0.0/16", RouteTarget::Peering(pcx.clone()));
    let found = run(&f.env);
    let hit = one(
        &found,
        Check::MissingReturnRoute,
        Error,
        &[&f.rta, &pcx, &f.vb, &f.rtb],
    );
    assert_eq!(hit.resources[0], f.rta);
    assert!(
        hit.fix.contains("10.0.0.0/16") && hit.fix.contains(&f.rtb),
        "{hit:#?}"
    );
    assert_eq!(hit.accounts, vec![A.to_owned(), B.to_owned()]);
    none(&found, Check::OrphanedPeering);

    // Both ways: silent.
    let (f, _) = peered();
    none(&run(&f.env), Check::MissingReturnRoute);

    // B's main table routes back, but a second subnet of B has its own table that does not:
    // a warning naming only that table.
    let (mut f, pcx) = peered();
    let sb2 = f.env.subnet(&b(), &f.vb, "10.1.2.0/24");
    let vb = f.vb.clone();
    let rtb2 = f
        .env
        .run(&b(), |tx| {
            let t = tx.create_route_table(&vb, Tags::new())?;
            tx.associate_route_table(&t, AssocRequest::Subnet(sb2.clone()))?;
            Ok(t)
        })
        .expect("table");
    let found = run(&f.env);
    let hit = one(
        &found,
        Check::MissingReturnRoute,
        Warning,
        &[&f.rta, &pcx, &rtb2],
    );
    assert!(!hit.resources.contains(&f.rtb), "{hit:#?}");

    // IPv6: both VPCs have Amazon blocks; an IPv4 return route does not bring IPv6 back.
    let mut env = TestEnv::with_seed(12);
    let va = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let vb = env.vpc_ipv6(&b(), "10.1.0.0/16");
    let v6 = |env: &TestEnv, v: &str| env.world.aws.vpcs()[v].ipv6[0].cidr.to_string();
    let (a6, b6) = (v6(&env, &va), v6(&env, &vb));
    let pcx = env.peer(&a(), &va, &b(), &vb, true);
    let (rta, rtb) = (env.main_rtb(&va), env.main_rtb(&vb));
    for (s, t, d) in [
        (a(), &rta, "10.1.0.0/16"),
        (b(), &rtb, "10.0.0.0/16"),
        (a(), &rta, b6.as_str()),
    ] {
        pcx_route(&mut env, &s, t, d, &pcx);
    }
    let found = run(&env);
    let hit = one(
        &found,
        Check::MissingReturnRoute,
        Error,
        &[&rta, &pcx, &vb, &rtb],
    );
    assert!(
        hit.message.contains(&b6) && hit.fix.contains(&a6),
        "{hit:#?}"
    );
    pcx_route(&mut env, &b(), &rtb, &a6, &pcx);
    none(&run(&env), Check::MissingReturnRoute);

    // A return route over a different peering does not count.
    let (mut f, pcx) = peered();
    let vc = f.env.vpc(&a(), "10.2.0.0/16");
    let other = f.env.peer(&b(), &f.vb, &a(), &vc, true);
    let rtb = f.rtb.clone();
    f.env.delete_route(&b(), &rtb, "10.0.0.0/16");
    let rtc = f.env.main_rtb(&vc);
    f.route_b("10.0.0.0/8", RouteTarget::Peering(other.clone()));
    pcx_route(&mut f.env, &a(), &rtc, "10.1.0.0/16", &other);
    let found = run(&f.env);
    let hits = of(&found, Check::MissingReturnRoute);
    assert!(
        hits.iter()
            .any(|h| h.resources[0] == f.rta && h.resources[1] == pcx),
        "{found:#?}"
    );
}

#[test]
fn orphaned_peering() {
    let mut f = base();
    let pcx = f.peer(true);
    fires(
        &f.env,
        Check::OrphanedPeering,
        Warning,
        &[&pcx, &f.va, &f.vb],
    );
    // Routed: silent. Pending and unrouted: not orphaned (not active).
    let (f, _) = peered();
    none(&run(&f.env), Check::OrphanedPeering);
    let mut f = base();
    f.peer(false);
    none(&run(&f.env), Check::OrphanedPeering);
}

#[test]
fn blackhole_routes_and_routes_to_pending_peerings() {
    // A deleted peering leaves both routes blackholes.
    let (mut f, pcx) = peered();
    f.env
        .run(&a(), |tx| tx.delete_peering(&pcx))
        .expect("delete");
    let found = run(&f.env);
    let hits = of(&found, Check::BlackholeRoutes);
    assert_eq!(hits.len(), 2, "{found:#?}");
    for (h, t) in hits.iter().zip([&f.rta, &f.rtb]) {
        assert_eq!(h.severity, Error);
        assert_eq!(&h.resources, &[t.clone(), pcx.clone()], "{h:#?}");
        assert!(h.message.contains("deleted"), "{h:#?}");
    }
    none(&found, Check::MissingReturnRoute);

    // A detached internet gateway.
    let mut f = base();
    let va = f.va.clone();
    let igw = f.env.igw(&a(), &va);
    f.route_a("0.0.0.0/0", RouteTarget::Gateway(igw.clone()));
    none(&run(&f.env), Check::BlackholeRoutes);
    f.env
        .run(&a(), |tx| tx.detach_internet_gateway(&igw, &va))
        .expect("detach");
    fires(&f.env, Check::BlackholeRoutes, Error, &[&f.rta, &igw]);

    // A route to a pending request: its own check, a warning.
    let mut f = base();
    let pcx = f.peer(false);
    f.route_a("10.1.0.0/16", RouteTarget::Peering(pcx.clone()));
    let found = run(&f.env);
    one(
        &found,
        Check::PeeringRouteWithoutActivePcx,
        Warning,
        &[&f.rta, &pcx],
    );
    none(&found, Check::BlackholeRoutes);
}

#[test]
fn cidr_overlap_audit() {
    // A request between overlapping VPCs fails; the audit names it.
    let mut f = base();
    let vc = f.env.vpc(&b(), "10.0.0.0/16");
    let pcx = f.env.peer(&a(), &f.va, &b(), &vc, false);
    fires(&f.env, Check::CidrOverlap, Warning, &[&pcx, &f.va, &vc]);
    // A hub peered with two overlapping VPCs.
    let mut f = base();
    let vc = f.env.vpc(&b(), "10.1.0.0/20");
    let p1 = f.peer(true);
    let p2 = f.env.peer(&a(), &f.va, &b(), &vc, true);
    let ids = [&f.va, &f.vb, &vc, &p1, &p2].map(String::as_str);
    fires(&f.env, Check::CidrOverlap, Warning, &ids);
    // Disjoint peers of one hub: silent.
    let mut f = base();
    let vc = f.env.vpc(&b(), "10.2.0.0/16");
    f.peer(true);
    f.env.peer(&a(), &f.va, &b(), &vc, true);
    none(&run(&f.env), Check::CidrOverlap);
}

#[test]
fn transitive_and_edge_to_edge() {
    // A–B and B–C peered; A sends C's block to pcx(A, B).
    let (mut f, pab) = peered();
    let vc = f.env.vpc(&b(), "10.2.0.0/16");
    let pbc = f.env.peer(&b(), &f.vb, &b(), &vc, true);
    f.route_a("10.2.0.0/16", RouteTarget::Peering(pab.clone()));
    let found = run(&f.env);
    one(
        &found,
        Check::TransitivePeeringMisconfig,
        Error,
        &[&f.rta, &pab, &vc, &pbc],
    );
    none(&found, Check::EdgeToEdgeMisconfig);

    // A wide route over pcx(A, B) whose part for C is taken by a direct A–C route: silent.
    let (mut f, pab) = peered();
    let vc = f.env.vpc(&b(), "10.2.0.0/16");
    f.env.peer(&b(), &f.vb, &b(), &vc, true);
    let pac = f.env.peer(&a(), &f.va, &b(), &vc, true);
    let rta = f.rta.clone();
    pcx_route(&mut f.env, &a(), &rta, "10.0.0.0/8", &pab);
    pcx_route(&mut f.env, &a(), &rta, "10.2.0.0/16", &pac);
    none(&run(&f.env), Check::TransitivePeeringMisconfig);
    // Without the direct route the wide one is a transit attempt.
    f.env.delete_route(&a(), &rta, "10.2.0.0/16");
    fires(
        &f.env,
        Check::TransitivePeeringMisconfig,
        Error,
        &[&f.rta, &pab, &vc],
    );

    // Routing only B's own block: silent.
    let (mut f, _) = peered();
    let vc = f.env.vpc(&b(), "10.2.0.0/16");
    f.env.peer(&b(), &f.vb, &b(), &vc, true);
    none(&run(&f.env), Check::TransitivePeeringMisconfig);

    // A sends its default route to B, whose main table goes to B's internet gateway.
    let (mut f, pab) = peered();
    let vb = f.vb.clone();
    let igw = f.env.igw(&b(), &vb);
    f.route_b("0.0.0.0/0", RouteTarget::Gateway(igw.clone()));
    f.route_a("0.0.0.0/0", RouteTarget::Peering(pab.clone()));
    let found = run(&f.env);
    one(
        &found,
        Check::EdgeToEdgeMisconfig,
        Error,
        &[&f.rta, &pab, &igw, &f.rtb],
    );
    none(&found, Check::TransitivePeeringMisconfig);

    // The same default route while B has no gateway route: not edge-to-edge.
    let (mut f, pab) = peered();
    f.route_a("0.0.0.0/0", RouteTarget::Peering(pab));
    none(&run(&f.env), Check::EdgeToEdgeMisconfig);
}

#[test]
fn stale_sg_references() {
    let (mut f, pcx) = peered();
    let sga = f.env.sg(&a(), &f.va, "app");
    let sgb = f.env.sg(&b(), &f.vb, "db");
    f.env.allow(
        &a(),
        &sga,
        SgDir::Ingress,
        with_pair(
            tcp(Some(5432)),
            GroupPair {
                group_id: Some(sgb.clone()),
                user_id: Some(B.into()),
                peering_id: Some(pcx.clone()),
                ..Default::default()
            },
        ),
    );
    none(&run(&f.env), Check::StaleSgReferences);
    f.env
        .run(&b(), |tx| tx.delete_peering(&pcx))
        .expect("delete");
    let found = run(&f.env);
    let rule = f.env.world.aws.security_groups()[&sga].ingress[0]
        .id
        .clone();
    let hit = one(
        &found,
        Check::StaleSgReferences,
        Warning,
        &[&sga, &rule, &sgb, &pcx],
    );
    assert_eq!(hit.resources[0], sga);
}

/// A new network ACL of A's VPC; with `associate`, A's subnet moves to it.
fn custom_acl(f: &mut Fx, associate: bool) -> String {
    let va = f.va.clone();
    let acl = f
        .env
        .run(&a(), |tx| tx.create_network_acl(&va, Tags::new()))
        .expect("acl");
    if associate {
        let assoc = f
            .env
            .world
            .aws
            .network_acls()
            .values()
            .flat_map(|x| &x.associations)
            .find(|x| x.subnet_id == f.sa)
            .expect("subnet association")
            .id
            .clone();
        f.env
            .run(&a(), |tx| tx.replace_network_acl_association(&assoc, &acl))
            .expect("associate");
    }
    acl
}

#[test]
fn nacl_ephemeral_gap() {
    type Entry = (i64, bool, &'static str, Option<(i64, i64)>);
    // (entries, expected severity of the finding, or None).
    let cases: &[(&str, &[Entry], Option<Severity>)] = &[
        (
            "inbound 443, nothing out",
            &[(100, false, "allow", Some((443, 443)))],
            Some(Error),
        ),
        (
            "inbound 443, replies allowed",
            &[
                (100, false, "allow", Some((443, 443))),
                (100, true, "allow", Some((1024, 65535))),
            ],
            None,
        ),
        (
            "inbound 443, replies only to 32768+",
            &[
                (100, false, "allow", Some((443, 443))),
                (100, true, "allow", Some((32768, 65535))),
            ],
            Some(Warning),
        ),
        (
            "inbound 443, an earlier outbound deny of the replies",
            &[
                (100, false, "allow", Some((443, 443))),
                (90, true, "deny", Some((1024, 65535))),
                (100, true, "allow", Some((0, 65535))),
            ],
            Some(Error),
        ),
        (
            "outbound 443, no inbound replies",
            &[(100, true, "allow", Some((443, 443)))],
            Some(Error),
        ),
        (
            "inbound 443 shadowed by an earlier deny: no service, no gap",
            &[
                (50, false, "deny", Some((0, 65535))),
                (100, false, "allow", Some((443, 443))),
            ],
            None,
        ),
        (
            "a wide inbound range is a reply allowance, not a service",
            &[(100, false, "allow", Some((1024, 65535)))],
            None,
        ),
    ];
    for (name, entries, want) in cases {
        eprintln!("case: {name}");
        let mut f = base();
        let acl = custom_acl(&mut f, true);
        for (n, egress, action, ports) in entries.iter() {
            f.env.acl_entry(
                &a(),
                acl_rule(&acl, *n, *egress, "tcp", action, "0.0.0.0/0", *ports),
            );
        }
        let found = run(&f.env);
        match want {
            Some(sev) => {
                one(&found, Check::NaclEphemeralGap, *sev, &[&acl]);
            }
            None => none(&found, Check::NaclEphemeralGap),
        }
    }
    // The same gap in an ACL that serves no subnet drops nothing yet: a warning.
    let mut f = base();
    let acl = custom_acl(&mut f, false);
    let https = acl_rule(
        &acl,
        100,
        false,
        "tcp",
        "allow",
        "0.0.0.0/0",
        Some((443, 443)),
    );
    f.env.acl_entry(&a(), https);
    fires(&f.env, Check::NaclEphemeralGap, Warning, &[&acl]);
    // The default ACL (allow all both ways) never has a gap.
    let f = base();
    none(&run(&f.env), Check::NaclEphemeralGap);
}

#[test]
fn shadowed_routes() {
    let (mut f, pcx) = peered();
    let rta = f.rta.clone();
    // 10.1.0.0/16 → pcx is covered by its two halves.
    pcx_route(&mut f.env, &a(), &rta, "10.1.0.0/17", &pcx);
    none(&run(&f.env), Check::ShadowedRoutes);
    pcx_route(&mut f.env, &a(), &rta, "10.1.128.0/17", &pcx);
    let found = run(&f.env);
    let hit = one(&found, Check::ShadowedRoutes, Warning, &[&f.rta, &pcx]);
    assert!(hit.message.starts_with("route 10.1.0.0/16"), "{hit:#?}");
    assert!(
        hit.message.contains("10.1.0.0/17, 10.1.128.0/17"),
        "{hit:#?}"
    );
}

#[test]
fn quota_headroom() {
    let (mut f, pcx) = peered();
    let rta = f.rta.clone();
    for i in 2..5 {
        pcx_route(&mut f.env, &a(), &rta, &format!("10.{i}.0.0/16"), &pcx);
    }
    // rta: 4 non-local IPv4 routes.
    let cases = [(6, None), (5, Some(Info)), (4, Some(Warning))];
    for (limit, want) in cases {
        let limits = Limits {
            routes_per_table: Some(limit),
            ..Limits::default()
        };
        let found: Vec<Finding> = audit(&f.env.world, f.env.now, &limits)
            .into_iter()
            .filter(|x| x.check == Check::QuotaHeadroom)
            .collect();
        match want {
            Some(sev) => {
                let hit = one(&found, Check::QuotaHeadroom, sev, &[&f.rta]);
                assert!(hit.message.contains(&format!("4 of {limit}")), "{hit:#?}");
                let knob = format!("--limit routes_per_table={}", limit * 2);
                assert!(hit.fix.contains(&knob), "{hit:#?}");
            }
            None => assert!(found.is_empty(), "{found:#?}"),
        }
    }
    // Quotas that are off are never reported; active peerings per VPC are.
    let limits = Limits {
        routes_per_table: None,
        active_peerings_per_vpc: Some(1),
        ..Limits::default()
    };
    let found: Vec<Finding> = audit(&f.env.world, f.env.now, &limits)
        .into_iter()
        .filter(|x| x.check == Check::QuotaHeadroom)
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|x| x.severity == Warning));
    assert_eq!(found[0].resources, vec![f.va.clone()]);
    assert_eq!(found[1].resources, vec![f.vb.clone()]);
}

#[test]
fn findings_filter_by_account_and_sort_errors_first() {
    let mut f = base();
    let pcx = f.peer(true);
    f.route_a("10.1.0.0/16", RouteTarget::Peering(pcx));
    let vc = f.env.vpc(&a(), "10.5.0.0/16");
    let vd = f.env.vpc(&a(), "10.6.0.0/16");
    f.env.peer(&a(), &vc, &a(), &vd, true);
    let found = run(&f.env);
    assert!(found.len() >= 2, "{found:#?}");
    assert!(found.windows(2).all(|w| w[0].severity <= w[1].severity));
    assert_eq!(found[0].check, Check::MissingReturnRoute);
    let only_b: Vec<&Finding> = found.iter().filter(|x| x.involves(B)).collect();
    assert_eq!(only_b.len(), 1, "{only_b:#?}");
    assert_eq!(only_b[0].check, Check::MissingReturnRoute);
    assert!(Check::ALL.iter().all(|c| !c.name().is_empty()));
}
