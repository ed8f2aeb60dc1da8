//! Validation as a table: each row is a topology file with one thing wrong and the problem it
//! must be refused with (its message, as the user reads it); plus the notices a valid file gets
//! and the file's own syntax errors.

use vpcpeer_controller::desired::{LinkKind, Notice, Source, SubnetRef, Tables};
use vpcpeer_controller::topology::parse;
use vpcpeer_controller::{validate, Problem};

const ACCOUNTS: &str = "
name: demo
accounts:
  prod: { cloud: aws, account_id: '111111111111' }
  dev: { cloud: aws, account_id: '222222222222' }
  proj: { cloud: gcp, project: analytics }
  sub: { cloud: azure, subscription: s-1, resource_group: net }
";

fn check(body: &str) -> Result<vpcpeer_controller::Desired, Vec<Problem>> {
    let text = format!("{ACCOUNTS}{body}");
    let file = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    validate(&file).map_err(|r| r.problems)
}

#[test]
fn each_mistake_is_refused_with_what_it_concerns() {
    let table: &[(&str, &str, &str)] = &[
        (
            "overlapping linked networks",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: dev, region: us-east-1, cidrs: [10.0.128.0/17] }
links: [{ between: [a, b] }]",
            "link a-b: a (10.0.0.0/16) and b (10.0.128.0/17) overlap",
        ),
        (
            "overlap through a secondary block",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16, 172.16.0.0/16] }
  b: { account: dev, region: us-east-1, cidrs: [10.1.0.0/16, 172.16.5.0/24] }
links: [{ between: [a, b] }]",
            "a (172.16.0.0/16) and b (172.16.5.0/24) overlap",
        ),
        (
            "two peers of one network overlap",
            "networks:
  hub: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  x: { account: prod, region: us-east-1, cidrs: [10.1.0.0/16] }
  y: { account: dev, region: us-west-2, cidrs: [10.1.0.0/16] }
links: [{ between: [hub, x] }, { between: [hub, y] }]",
            "hub is linked to x (10.1.0.0/16) and y (10.1.0.0/16), which overlap",
        ),
        (
            "native link across clouds",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  g: { account: proj, region: us-central1, cidrs: [10.1.0.0/16] }
links: [{ between: [a, g] }]",
            "link a-g: joins a (AWS) and g (GCP); native peering joins networks of one cloud",
        ),
        (
            "encrypted link without a gateway on one side",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  g: { account: proj, region: us-central1, cidrs: [10.1.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/28 }
links: [{ between: [a, g], type: encrypted }]",
            "link a-g: `type: encrypted` needs a gateway in each network, and g has none",
        ),
        (
            "encrypted link across clouds with overlapping blocks",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  z: { account: sub, region: westeurope, cidrs: [10.0.64.0/18] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/28 }
  z-gw: { network: z, subnet: 10.0.64.0/28 }
links: [{ between: [a, z], type: encrypted }]",
            "link a-z: a (10.0.0.0/16) and z (10.0.64.0/18) overlap",
        ),
        (
            "HA on one end of an encrypted link only",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  g: { account: proj, region: us-central1, cidrs: [10.1.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/28, ha: { subnet: 10.0.254.0/28 } }
  g-gw: { network: g, subnet: 10.1.0.0/16 }
links: [{ between: [a, g], type: encrypted }]",
            "link a-g: gateway a-gw has an HA backup and g-gw has none",
        ),
        (
            "a peering option on an encrypted link",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: dev, region: us-east-1, cidrs: [10.1.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/28 }
  b-gw: { network: b, subnet: 10.1.255.0/28 }
links: [{ between: [a, b], type: encrypted, dns_resolution: true }]",
            "link a-b: `dns_resolution` on an encrypted link",
        ),
        (
            "openings on an encrypted link",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: dev, region: us-east-1, cidrs: [10.1.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/28 }
  b-gw: { network: b, subnet: 10.1.255.0/28 }
links: [{ between: [a, b], type: encrypted, open: [{ protocol: tcp, ports: 22 }] }]",
            "link a-b: `open` on an encrypted link: not supported on encrypted links yet",
        ),
        (
            "route tables listed for a GCP side of an encrypted link",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  g: { account: proj, region: us-central1, cidrs: [10.1.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/28 }
  g-gw: { network: g, subnet: 10.1.0.0/16 }
links: [{ between: [a, g], type: encrypted, route_tables: { g: [r1] } }]",
            "route tables are listed for AWS sides only; g is GCP",
        ),
        (
            "a gateway on an unknown network",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
gateways:
  x-gw: { network: x, subnet: 10.0.255.0/28 }",
            "gateway x-gw: no network named \"x\"",
        ),
        (
            "two gateways in one network",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
gateways:
  one: { network: a, subnet: 10.0.255.0/28 }
  two: { network: a, subnet: 10.0.254.0/28 }",
            "gateways one and two both serve a: a network has one gateway",
        ),
        (
            "a gateway subnet outside the network",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.9.0.0/28 }",
            "gateway a-gw: subnet 10.9.0.0/28 is not inside a's blocks (10.0.0.0/16)",
        ),
        (
            "a gateway subnet with host bits",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.3/28 }",
            "10.0.255.3/28 has host bits set (did you mean 10.0.255.0/28?)",
        ),
        (
            "a block for a gateway in an existing network",
            "networks:
  a: { account: prod, region: us-east-1, id: vpc-1 }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/28 }",
            "a is an existing network, whose blocks the file does not list",
        ),
        (
            "an AWS subnet smaller than a /28",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/30 }",
            "10.0.255.0/30: an AWS subnet is a /16 to a /28",
        ),
        (
            "a zone outside the region",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/28, zone: us-west-2a }",
            "gateway a-gw: zone us-west-2a is not in the network's region us-east-1",
        ),
        (
            "the backup in the primary's zone",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
gateways:
  a-gw:
    network: a
    subnet: 10.0.255.0/28
    zone: us-east-1a
    ha: { subnet: 10.0.254.0/28, zone: us-east-1a }",
            "gateway a-gw: the HA backup is in us-east-1a, the primary's zone",
        ),
        (
            "the backup in the primary's AWS subnet but another zone",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
gateways:
  a-gw:
    network: a
    subnet: 10.0.255.0/28
    zone: us-east-1a
    ha: { subnet: 10.0.255.0/28, zone: us-east-1b }",
            "an AWS subnet is in one zone",
        ),
        (
            "the backup's subnet overlapping the primary's",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/24, ha: { subnet: 10.0.255.0/28 } }",
            "the backup's subnet 10.0.255.0/28 overlaps the primary's 10.0.255.0/24",
        ),
        (
            "the HA name taken by another gateway",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: prod, region: us-east-1, cidrs: [10.1.0.0/16] }
gateways:
  gw: { network: a, subnet: 10.0.255.0/28, ha: { subnet: 10.0.254.0/28 } }
  gw-hagw: { network: b, subnet: 10.1.255.0/28 }",
            "gateway gw: its HA backup is named gw-hagw, which another gateway is called",
        ),
        (
            "a gateway in an existing GCP network without a region",
            "networks:
  g: { account: proj, id: shared }
gateways:
  g-gw: { network: g, subnet: default }",
            "gateway g-gw: g is a GCP network without a `region`",
        ),
        (
            "a gateway name GCP cannot carry",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
gateways:
  A_gw: { network: a, subnet: 10.0.255.0/28 }",
            "gateway \"A_gw\": use lowercase letters",
        ),
        (
            "not transitive: expected pair only through a third network",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: prod, region: us-east-1, cidrs: [10.1.0.0/16] }
  c: { account: prod, region: us-east-1, cidrs: [10.2.0.0/16] }
links: [{ between: [a, b] }, { between: [b, c] }]
expect: [[a, c]]",
            "a and c are expected to talk but are not linked (only through b: a - b - c): peering is not transitive",
        ),
        (
            "unknown network in a link",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
links: [{ between: [a, nowhere] }]",
            "link a-nowhere: no network named \"nowhere\"",
        ),
        (
            "unknown account",
            "networks:
  a: { account: nobody, region: us-east-1, cidrs: [10.0.0.0/16] }",
            "network a: no account named \"nobody\"",
        ),
        (
            "self link",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
links: [{ between: [a, a] }]",
            "link a-a: joins a to itself",
        ),
        (
            "two links for one pair",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: prod, region: us-east-1, cidrs: [10.1.0.0/16] }
links: [{ between: [a, b] }, { between: [b, a] }]",
            "links a-b and b-a both join b and a: one peering per network pair",
        ),
        (
            "neither id nor cidrs",
            "networks:
  a: { account: prod, region: us-east-1 }",
            "network a: give either `id` (an existing network) or `cidrs` (one to create), not neither",
        ),
        (
            "both id and cidrs",
            "networks:
  a: { account: prod, region: us-east-1, id: vpc-1, cidrs: [10.0.0.0/16] }",
            "not both",
        ),
        (
            "AWS network without a region",
            "networks:
  a: { account: prod, cidrs: [10.0.0.0/16] }",
            "network a: AWS networks always need a `region`",
        ),
        (
            "host bits in a block",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.1/16] }",
            "10.0.0.1/16 has host bits set (did you mean 10.0.0.0/16?)",
        ),
        (
            "AWS option on a GCP link",
            "networks:
  g1: { account: proj, region: us-central1, cidrs: [10.0.0.0/16] }
  g2: { account: proj, region: us-central1, cidrs: [10.1.0.0/16] }
links: [{ between: [g1, g2], dns_resolution: true }]",
            "link g1-g2: `dns_resolution` is AWS only; this link is GCP",
        ),
        (
            "route tables on an Azure link",
            "networks:
  v1: { account: sub, region: westeurope, cidrs: [10.0.0.0/16] }
  v2: { account: sub, region: eastus, cidrs: [10.1.0.0/16] }
links: [{ between: [v1, v2], route_tables: all }]",
            "`route_tables` is AWS only (GCP and Azure program peer routes themselves)",
        ),
        (
            "route tables for a network that is not a side",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: prod, region: us-east-1, cidrs: [10.1.0.0/16] }
links: [{ between: [a, b], route_tables: { c: all } }]",
            "link a-b: names c, which is not one of its two networks",
        ),
        (
            "gateway transit offered by a network that is not a side",
            "networks:
  v1: { account: sub, region: westeurope, cidrs: [10.0.0.0/16] }
  v2: { account: sub, region: eastus, cidrs: [10.1.0.0/16] }
links: [{ between: [v1, v2], gateway_transit: v3 }]",
            "link v1-v2: names v3, which is not one of its two networks",
        ),
        (
            "a VNet using two peers' gateways",
            "networks:
  hub1: { account: sub, region: westeurope, cidrs: [10.0.0.0/16] }
  hub2: { account: sub, region: westeurope, cidrs: [10.2.0.0/16] }
  spoke: { account: sub, region: eastus, cidrs: [10.1.0.0/16] }
links:
  - { between: [hub1, spoke], gateway_transit: hub1 }
  - { between: [hub2, spoke], gateway_transit: hub2 }",
            "spoke would use the gateways of hub1 and hub2: Azure allows a VNet to use one peer's gateway",
        ),
        (
            "gateway transit on an AWS link",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: prod, region: us-east-1, cidrs: [10.1.0.0/16] }
links: [{ between: [a, b], gateway_transit: a }]",
            "link a-b: `gateway_transit` is Azure only; this link is AWS",
        ),
        (
            "an opening from the peer's group across regions",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: dev, region: eu-west-1, cidrs: [10.1.0.0/16] }
links: [{ between: [a, b], open: [{ protocol: tcp, ports: 22, from: group }] }]",
            "a security group can name a peer's group only within one region (a is in us-east-1, b in eu-west-1)",
        ),
        (
            "an opening from the peer's group on GCP",
            "networks:
  g1: { account: proj, region: us-central1, cidrs: [10.0.0.0/16] }
  g2: { account: proj, region: us-central1, cidrs: [10.1.0.0/16] }
links: [{ between: [g1, g2], open: [{ protocol: tcp, ports: 22, from: group }] }]",
            "`from: group` is AWS only",
        ),
        (
            "a bad opening",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: prod, region: us-east-1, cidrs: [10.1.0.0/16] }
links: [{ between: [a, b], open: [{ protocol: tcp, ports: '9-1' }] }]",
            "ports are a number or a range `from-to` with from <= to",
        ),
        (
            "ports on icmp",
            "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: prod, region: us-east-1, cidrs: [10.1.0.0/16] }
links: [{ between: [a, b], open: [{ protocol: icmp, ports: 8 }] }]",
            "only tcp and udp openings take ports",
        ),
        (
            "a name GCP cannot carry",
            "networks:
  App_1: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }",
            "network \"App_1\": use lowercase letters",
        ),
    ];
    for (what, body, want) in table {
        let problems = check(body)
            .err()
            .unwrap_or_else(|| panic!("{what}: accepted"));
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|t| t.contains(want)),
            "{what}: want {want:?} in {text:#?}"
        );
    }
}

#[test]
fn a_bad_account_id_and_a_bad_topology_name_are_refused() {
    let text = "
name: Demo--x
accounts:
  prod: { cloud: aws, account_id: '12345' }
networks: {}
";
    let problems = validate(&parse(text).unwrap()).unwrap_err().problems;
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("an AWS account id is 12 digits, not \"12345\"")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.starts_with("topology \"Demo--x\": use lowercase")),
        "{text:?}"
    );
    assert!(text.iter().any(|t| t.contains("no `--`")), "{text:?}");
}

#[test]
fn every_problem_is_listed_at_once() {
    let problems = check(
        "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  c: { account: nobody, region: us-east-1, cidrs: [10.9.0.0/16] }
links: [{ between: [a, b] }, { between: [a, z] }]",
    )
    .unwrap_err();
    assert_eq!(problems.len(), 3, "{problems:#?}");
}

#[test]
fn peering_and_route_quotas_are_checked_before_any_call() {
    let mut body = String::from("networks:\n");
    for i in 0..27 {
        body.push_str(&format!(
            "  g{i}: {{ account: proj, region: us-central1, cidrs: [10.{i}.0.0/16] }}\n"
        ));
    }
    body.push_str("links:\n");
    for i in 1..27 {
        body.push_str(&format!("  - {{ between: [g0, g{i}] }}\n"));
    }
    let problems = check(&body).unwrap_err();
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["g0: 26 links, over GCP's quota of 25 peerings per network"]
    );

    let mut body = String::from(
        "networks:\n  hub: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }\n",
    );
    for i in 1..27 {
        body.push_str(&format!(
            "  s{i}: {{ account: dev, region: us-east-1, cidrs: [10.{i}.0.0/16, 172.{}.0.0/16] }}\n",
            i + 15
        ));
    }
    body.push_str("links:\n");
    for i in 1..27 {
        body.push_str(&format!("  - {{ between: [hub, s{i}] }}\n"));
    }
    let problems = check(&body).unwrap_err();
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["hub: its route tables would need 52 routes to peers, over AWS's quota of 50 per route table"]
    );
}

#[test]
fn a_valid_file_resolves_and_tells_what_is_not_transitive() {
    let d = check(
        "networks:
  hub: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  a: { account: dev, region: eu-west-1, id: vpc-0123456789abcdef0 }
  b: { account: prod, region: us-east-1, cidrs: [10.2.0.0/16] }
links:
  - { between: [hub, a], route_tables: { a: [rtb-1, rtb-2] }, open: [{ protocol: tcp, ports: 443 }] }
  - { between: [hub, b], name: to-b, dns_resolution: true }",
    )
    .unwrap();
    assert_eq!(
        d.networks["a"].source,
        Source::Existing("vpc-0123456789abcdef0".into())
    );
    assert_eq!(d.links[0].name, "hub-a");
    assert_eq!(
        d.links[0].tables,
        [
            Tables::All,
            Tables::Listed(vec!["rtb-1".into(), "rtb-2".into()])
        ]
    );
    assert_eq!(d.links[1].name, "to-b");
    assert_eq!(
        d.notices,
        [Notice::NotTransitive {
            a: "a".into(),
            via: "hub".into(),
            c: "b".into()
        }]
    );
    assert_eq!(
        d.notices[0].to_string(),
        "a and b are both linked to hub but not to each other: they will not talk (peering is \
         not transitive); add a link a-b if they must"
    );
}

#[test]
fn syntax_errors_name_the_place() {
    let err =
        parse("name: x\naccounts: {}\nnetworks: {}\nlinks: [{ between: [a, b], colour: red }]\n")
            .unwrap_err()
            .to_string();
    assert!(err.contains("unknown field `colour`"), "{err}");
    assert!(err.contains("line 4"), "{err}");
}

#[test]
fn an_encrypted_mesh_across_the_three_clouds_resolves_with_its_gateways() {
    let d = check(
        "networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  g: { account: proj, region: us-central1, cidrs: [10.1.0.0/16] }
  z: { account: sub, region: westeurope, cidrs: [10.2.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/28, zone: us-east-1a, ha: { subnet: 10.0.254.0/28, zone: us-east-1b } }
  g-gw: { network: g, subnet: 10.1.0.0/16, ha: { subnet: 10.1.0.0/16, zone: us-central1-b } }
  z-gw: { network: z, subnet: gateways, ha: { subnet: gateways } }
links:
  - { between: [a, g], type: encrypted }
  - { between: [g, z], type: encrypted }
  - { between: [z, a], type: encrypted, route_tables: { a: [rtb-1] } }
expect: [[a, g], [g, z], [a, z]]",
    )
    .unwrap_or_else(|p| panic!("{p:#?}"));
    let g = &d.gateways["a-gw"];
    assert_eq!(
        g.subnet,
        SubnetRef::Create("10.0.255.0/28".parse().unwrap())
    );
    let ha = g.ha.as_ref().unwrap();
    assert_eq!(ha.name, "a-gw-hagw");
    assert_eq!(ha.zone.as_deref(), Some("us-east-1b"));
    assert_eq!(
        d.gateways["z-gw"].subnet,
        SubnetRef::Existing("gateways".into())
    );
    assert_eq!(d.gateway_of("g").map(|g| g.name.as_str()), Some("g-gw"));
    assert_eq!(
        d.links[2].kind,
        LinkKind::Encrypted {
            active: ["z-gw".into(), "a-gw".into()]
        }
    );
    assert_eq!(
        d.links[2].tables,
        [Tables::All, Tables::Listed(vec!["rtb-1".into()])]
    );
    assert!(d.links.iter().all(|l| l.encrypted()));
    assert!(d.gateway_secret.is_none());
    // The example file is valid too.
    let text = include_str!("../../../examples/multicloud.yaml");
    let d = validate(&parse(text).unwrap()).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(d.gateways.len(), 3);
    assert!(d.gateways.values().all(|g| g.ha.is_some()));
}

#[test]
fn gateway_keys_are_derived_from_the_secret_and_the_names_alone() {
    use vpcpeer_controller::gateway::{private_key, GatewaySecret};
    let s = GatewaySecret::from_bytes([7; 32]);
    let k = private_key(&s, "demo", "a-gw");
    assert_eq!(k, private_key(&s, "demo", "a-gw"));
    assert_ne!(k, private_key(&s, "demo", "a-gw-hagw"));
    assert_ne!(k, private_key(&s, "demo2", "a-gw"));
    assert_ne!(
        k,
        private_key(&GatewaySecret::from_bytes([8; 32]), "demo", "a-gw")
    );
    assert_eq!(format!("{s:?}"), "GatewaySecret(..)");
}
