//! The describes that answer from an index or test filters without collecting values give the
//! same answers as the plain scan: DescribeRouteTables narrowed by the world's index of tables by
//! the peering connections they route to (an exact `route.vpc-peering-connection-id` filter) and
//! DescribeVpcPeeringConnections' filters, each compared with the same question asked through a
//! wildcard pattern, which takes the scan.

mod common;

use common::{between, call_as};
use vpcpeer_model::testkit::{TestEnv, A, B};

fn call(env: &mut TestEnv, account: &str, action: &str, body: &str) -> String {
    call_as(env, account, action, body).unwrap_or_else(|e| panic!("{action} {body}: {e:?}"))
}

/// Every id of the element `tag` in `xml`, sorted.
fn ids(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let mut out: Vec<String> = xml
        .split(&open)
        .skip(1)
        .map(|s| s[..s.find('<').expect("close")].to_owned())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Five VPCs of account A and one of account B; peerings A0–A1 (routed both ways), A1–A2
/// (routed from A1's main table and a second table of A1), A0–B (pending), A3–A4 (rejected,
/// no routes). Returns (env, the peering ids).
fn world() -> (TestEnv, Vec<String>) {
    let mut env = TestEnv::new();
    let mut vpcs = Vec::new();
    for i in 0..5 {
        let x = call(
            &mut env,
            A,
            "CreateVpc",
            &format!("CidrBlock=10.{i}.0.0/16"),
        );
        vpcs.push(between(&x, "<vpcId>", "</vpcId>"));
    }
    let x = call(&mut env, B, "CreateVpc", "CidrBlock=10.9.0.0/16");
    let vb = between(&x, "<vpcId>", "</vpcId>");
    let main_table = |env: &mut TestEnv, vpc: &str| {
        let x = call(
            env,
            A,
            "DescribeRouteTables",
            &format!("Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}&Filter.2.Name=association.main&Filter.2.Value.1=true"),
        );
        between(&x, "<routeTableId>", "</routeTableId>")
    };
    let mut pcxs = Vec::new();
    let mut peer = |env: &mut TestEnv, a: &str, b: &str, owner: &str, accept: bool| {
        let x = call(
            env,
            A,
            "CreateVpcPeeringConnection",
            &format!("VpcId={a}&PeerVpcId={b}&PeerOwnerId={owner}"),
        );
        let id = between(&x, "<vpcPeeringConnectionId>", "</vpcPeeringConnectionId>");
        if accept {
            call(
                env,
                owner,
                "AcceptVpcPeeringConnection",
                &format!("VpcPeeringConnectionId={id}"),
            );
        }
        pcxs.push(id.clone());
        id
    };
    let p01 = peer(&mut env, &vpcs[0], &vpcs[1], A, true);
    let p12 = peer(&mut env, &vpcs[1], &vpcs[2], A, true);
    peer(&mut env, &vpcs[0], &vb, B, false);
    let p34 = peer(&mut env, &vpcs[3], &vpcs[4], A, false);
    call(
        &mut env,
        A,
        "RejectVpcPeeringConnection",
        &format!("VpcPeeringConnectionId={p34}"),
    );
    let extra = {
        let x = call(
            &mut env,
            A,
            "CreateRouteTable",
            &format!("VpcId={}", vpcs[1]),
        );
        between(&x, "<routeTableId>", "</routeTableId>")
    };
    let routes = [
        (main_table(&mut env, &vpcs[0]), "10.1.0.0/16", &p01),
        (main_table(&mut env, &vpcs[1]), "10.0.0.0/16", &p01),
        (main_table(&mut env, &vpcs[1]), "10.2.0.0/16", &p12),
        (extra.clone(), "10.2.0.0/16", &p12),
    ];
    for (table, cidr, pcx) in routes {
        call(
            &mut env,
            A,
            "CreateRoute",
            &format!(
                "RouteTableId={table}&DestinationCidrBlock={cidr}&VpcPeeringConnectionId={pcx}"
            ),
        );
    }
    // A route added and deleted again leaves nothing behind in the index.
    call(
        &mut env,
        A,
        "CreateRoute",
        &format!(
            "RouteTableId={extra}&DestinationCidrBlock=10.0.0.0/16&VpcPeeringConnectionId={p01}"
        ),
    );
    call(
        &mut env,
        A,
        "DeleteRoute",
        &format!("RouteTableId={extra}&DestinationCidrBlock=10.0.0.0/16"),
    );
    assert!(env.world.indexes_consistent());
    (env, pcxs)
}

#[test]
fn route_tables_by_peering_answer_as_the_scan_does() {
    let (mut env, pcxs) = world();
    let mut answered = 0;
    for (i, pcx) in pcxs.iter().enumerate() {
        // The same id as a pattern (`*` at its end matches only itself: ids have one length).
        let cases = [
            (
                format!("Filter.1.Name=route.vpc-peering-connection-id&Filter.1.Value.1={pcx}"),
                format!("Filter.1.Name=route.vpc-peering-connection-id&Filter.1.Value.1={pcx}*"),
            ),
            (
                format!(
                    "Filter.1.Name=route.vpc-peering-connection-id&Filter.1.Value.1={pcx}&Filter.1.Value.2={}",
                    pcxs[(i + 1) % pcxs.len()]
                ),
                format!(
                    "Filter.1.Name=route.vpc-peering-connection-id&Filter.1.Value.1={pcx}*&Filter.1.Value.2={}*",
                    pcxs[(i + 1) % pcxs.len()]
                ),
            ),
            (
                format!("Filter.1.Name=route.vpc-peering-connection-id&Filter.1.Value.1={pcx}&Filter.2.Name=association.main&Filter.2.Value.1=true"),
                format!("Filter.1.Name=route.vpc-peering-connection-id&Filter.1.Value.1={pcx}*&Filter.2.Name=association.main&Filter.2.Value.1=true"),
            ),
        ];
        for (exact, pattern) in cases {
            for account in [A, B] {
                let indexed = call(&mut env, account, "DescribeRouteTables", &exact);
                let scanned = call(&mut env, account, "DescribeRouteTables", &pattern);
                assert_eq!(indexed, scanned, "{account}: {exact}");
                answered += ids(&indexed, "routeTableId").len();
            }
        }
    }
    assert!(answered > 0, "some tables route to the peerings");
    let p01 = &pcxs[0];
    let x = call(
        &mut env,
        A,
        "DescribeRouteTables",
        &format!("Filter.1.Name=route.vpc-peering-connection-id&Filter.1.Value.1={p01}"),
    );
    assert_eq!(ids(&x, "routeTableId").len(), 2, "{x}");
    let rejected = &pcxs[3];
    let x = call(
        &mut env,
        A,
        "DescribeRouteTables",
        &format!("Filter.1.Name=route.vpc-peering-connection-id&Filter.1.Value.1={rejected}"),
    );
    assert!(ids(&x, "routeTableId").is_empty(), "{x}");
}

#[test]
fn peering_filters_answer_as_the_scan_does() {
    let (mut env, pcxs) = world();
    let vpc_filter = |name: &str, env: &mut TestEnv| {
        let x = call(env, A, "DescribeVpcPeeringConnections", "");
        let vpc = between(&x, &format!("<{name}><"), &format!("</{name}>"));
        between(&vpc, "<vpcId>", "</vpcId>")
    };
    let requester = vpc_filter("requesterVpcInfo", &mut env);
    let accepter = vpc_filter("accepterVpcInfo", &mut env);
    let mut cases = vec![];
    for status in ["active", "pending-acceptance", "rejected", "deleted"] {
        cases.push(("status-code", status.to_owned()));
    }
    cases.push(("requester-vpc-info.vpc-id", requester));
    cases.push(("accepter-vpc-info.vpc-id", accepter));
    cases.push(("requester-vpc-info.owner-id", A.to_owned()));
    cases.push(("accepter-vpc-info.owner-id", B.to_owned()));
    cases.push(("vpc-peering-connection-id", pcxs[1].clone()));
    let mut answered = 0;
    for (name, value) in cases {
        for account in [A, B] {
            let exact = call(
                &mut env,
                account,
                "DescribeVpcPeeringConnections",
                &format!("Filter.1.Name={name}&Filter.1.Value.1={value}"),
            );
            let pattern = call(
                &mut env,
                account,
                "DescribeVpcPeeringConnections",
                &format!("Filter.1.Name={name}&Filter.1.Value.1={value}*"),
            );
            assert_eq!(exact, pattern, "{account}: {name}={value}");
            answered += ids(&exact, "vpcPeeringConnectionId").len();
        }
    }
    assert!(answered > 0);
    let active = call(
        &mut env,
        A,
        "DescribeVpcPeeringConnections",
        "Filter.1.Name=status-code&Filter.1.Value.1=active",
    );
    assert_eq!(ids(&active, "vpcPeeringConnectionId"), {
        let mut v = vec![pcxs[0].clone(), pcxs[1].clone()];
        v.sort();
        v
    });
}
