//! In-process tests of `/_vpcpeer/reach`: GCP, Azure and AWS verdicts as JSON, and what a caller
//! may see of another owner's resources (see [`crate::redact`]).
use serde_json::Value;
use vpcpeer_model::gcp::{
    self, AddPeering, FirewallSpec, InstanceSpec, NetworkSpec, NicSpec, SubnetSpec,
};
use vpcpeer_model::{Ctx, Limits, Record, Scope, SeededIds, Timestamp, Tx, World};

use super::{answer, ReachRequest};

const NOW: Timestamp = Timestamp(1_700_000_000_000);

pub(crate) fn run<T, E: std::fmt::Debug>(
    world: &mut World,
    ids: &mut SeededIds,
    project: &str,
    f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>,
) -> T {
    let limits = Limits::default();
    let ctx = Ctx {
        scope: Scope::new(project, "global"),
        now: NOW,
        ids,
        limits: &limits,
    };
    let mut tx = Tx::new(world, ctx);
    let out = f(&mut tx).expect("gcp command");
    tx.commit();
    out
}

/// net-a 10.1.0.0/24 (vm-a) and net-b 10.2.0.0/24 (vm-b) in two projects, peered both ways;
/// net-b admits tcp/443 from 10.1.0.0/24.
pub(crate) fn world() -> World {
    let mut w = World::default();
    let mut ids = SeededIds::new(3);
    for (p, n, cidr, peer) in [
        (
            "proj-a",
            "net-a",
            "10.1.0.0/24",
            "projects/proj-b/global/networks/net-b",
        ),
        (
            "proj-b",
            "net-b",
            "10.2.0.0/24",
            "projects/proj-a/global/networks/net-a",
        ),
    ] {
        run(&mut w, &mut ids, p, |tx| {
            gcp::insert_network(
                tx,
                p,
                NetworkSpec {
                    name: n.into(),
                    auto_create_subnetworks: Some(false),
                    ..Default::default()
                },
            )
        });
        run(&mut w, &mut ids, p, |tx| {
            gcp::insert_subnetwork(
                tx,
                p,
                "us-central1",
                SubnetSpec {
                    name: format!("{n}-s"),
                    network: gcp::network_path(p, n),
                    ip_cidr_range: cidr.into(),
                    ..Default::default()
                },
            )
        });
        let vm = if n == "net-a" { "vm-a" } else { "vm-b" };
        run(&mut w, &mut ids, p, |tx| {
            gcp::insert_instance(
                tx,
                p,
                "us-central1-a",
                InstanceSpec {
                    name: vm.into(),
                    machine_type: "e2-micro".into(),
                    tags: Vec::new(),
                    nics: vec![NicSpec {
                        subnetwork: Some(format!("regions/us-central1/subnetworks/{n}-s")),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            )
        });
        let op = run(&mut w, &mut ids, p, |tx| {
            gcp::add_peering(
                tx,
                p,
                n,
                AddPeering {
                    name: format!("{n}-peer"),
                    peer_network: peer.into(),
                    ..Default::default()
                },
            )
        });
        run(&mut w, &mut ids, p, |tx| gcp::get_operation(tx, &op.id));
    }
    allow_into_net_b(&mut w, &mut ids, "allow-443", ("tcp", "443"), "10.1.0.0/24");
    w
}

/// The firewall rule `name` of proj-b's net-b, admitting `protocol` on `port` from `source`.
pub(crate) fn allow_into_net_b(
    w: &mut World,
    ids: &mut SeededIds,
    name: &str,
    (protocol, port): (&str, &str),
    source: &str,
) {
    run(w, ids, "proj-b", |tx| {
        gcp::insert_firewall(
            tx,
            "proj-b",
            FirewallSpec {
                name: name.into(),
                description: String::new(),
                network: Some("global/networks/net-b".into()),
                direction: None,
                priority: None,
                allowed: vec![(protocol.into(), vec![port.into()])],
                denied: Vec::new(),
                source_ranges: vec![source.into()],
                destination_ranges: Vec::new(),
                source_tags: Vec::new(),
                target_tags: Vec::new(),
                disabled: false,
            },
        )
    });
}

pub(crate) fn ask(w: &World, from: &str, to: &str, port: u16) -> Result<Value, (u16, String)> {
    let req = ReachRequest {
        account: None,
        region: None,
        from: from.into(),
        to: to.into(),
        protocol: "tcp".into(),
        port: Some(port),
    };
    answer(w, NOW, &req).map_err(|e| (e.status.as_u16(), e.message))
}

pub(crate) const A: &str = "projects/proj-a/zones/us-central1-a/instances/vm-a";
pub(crate) const B: &str = "projects/proj-b/zones/us-central1-a/instances/vm-b";

#[test]
fn gcp_verdicts_carry_gcp_rules_and_fixes() {
    let w = world();
    let v = ask(&w, A, B, 443).expect("answer");
    assert_eq!(v["reachable"], true, "{v}");
    let rules: Vec<&Value> = v["forward"]
        .as_array()
        .expect("forward")
        .iter()
        .map(|h| &h["rule"])
        .filter(|r| !r.is_null())
        .collect();
    assert_eq!(rules[0]["type"], "firewall-rule");
    assert_eq!(rules[0]["rule"], "implied-allow-egress");
    assert_eq!(rules[0]["direction"], "egress");
    assert_eq!(rules[1]["type"], "route");
    assert_eq!(rules[1]["destination"], "10.2.0.0/24");
    assert_eq!(rules[1]["target"], "network net-b (peering net-a-peer)");
    // proj-b's firewall rule, seen from proj-a: what it did, not what it is called.
    assert_eq!(rules[2]["policy"], Value::Null);
    assert_eq!(rules[2]["rule"], Value::Null);
    assert_eq!(rules[2]["priority"], 1000);
    assert_eq!(rules[2]["action"], "allow");
    let text = v.to_string();
    for hidden in [
        "allow-443",
        "vm-b",
        "net-b-s",
        "net-b-peer",
        "projects/proj-b/zones",
    ] {
        assert!(!text.contains(hidden), "{hidden} in {v}");
    }
    // proj-a's own names, and the peer network its peering entry names, are shown.
    for shown in [
        A,
        "net-a-peer",
        "network net-b",
        "projects/proj-b/global/networks/net-b",
    ] {
        assert!(text.contains(shown), "{shown} not in {v}");
    }
    let last = &v["forward"][v["forward"].as_array().expect("forward").len() - 1];
    assert_eq!(
        last["component"],
        serde_json::json!({"kind": "instance", "id": null, "project": "proj-b",
                           "label": "instance (project proj-b)"})
    );
    // Asked from proj-b, the same path shows proj-b's names and hides proj-a's.
    let v = ask(&w, B, A, 443).expect("answer");
    let text = v.to_string();
    assert!(text.contains(B) && !text.contains("vm-a"), "{v}");

    let v = ask(&w, A, "10.2.0.2", 22).expect("answer");
    assert_eq!(v["reachable"], false, "{v}");
    let b = &v["blockers"][0];
    assert_eq!(b["code"], "FIREWALL_RULE");
    assert_eq!(b["component"]["kind"], "firewall-rule");
    assert_eq!(b["component"]["project"], "proj-b");
    assert_eq!(
        b["fix"],
        "its owner (project proj-b) must add an ingress firewall rule allowing tcp:22 from \
         10.1.0.2/32 to network net-b (priority below 65535)"
    );
}

#[test]
fn gcp_endpoints_errors_and_scoping() {
    let w = world();
    let missing = ask(
        &w,
        A,
        "projects/proj-b/zones/us-central1-a/instances/nope",
        443,
    );
    assert_eq!(missing.unwrap_err().0, 404);
    let bad = ask(&w, A, "projects/proj-b/global/networks/net-b", 443);
    assert_eq!(bad.unwrap_err().0, 400);
    // Only net-a's side of a peering: INACTIVE, and the fix says which side to add.
    let one_sided = World::from_records(w.records().into_iter().map(|r| match r {
        Record::GcpNetwork(mut n) if n.id == "projects/proj-b/global/networks/net-b" => {
            n.peerings.clear();
            Record::GcpNetwork(n)
        }
        r => r,
    }));
    let v = ask(&one_sided, A, B, 443).expect("answer");
    let pna = v["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .find(|b| b["code"] == "PEERING_NOT_ACTIVE")
        .unwrap_or_else(|| panic!("no PEERING_NOT_ACTIVE in {v}"));
    assert_eq!(
        pna["fix"],
        "add the peering back to projects/proj-a/global/networks/net-a from the peer network \
         (networks.addPeering) so that net-a-peer becomes ACTIVE"
    );
    // An address held by no AWS interface is resolved in the other clouds.
    let v = ask(&w, "10.1.0.2", B, 443).expect("answer");
    assert_eq!(v["reachable"], true, "{v}");
    // A source address in an AWS VPC the caller does not own is not found.
    let foreign = ask(&w, "10.0.0.5@vpc-0123456789abcdef0", B, 443);
    assert_eq!(foreign.unwrap_err().0, 404);
}

// ------------------------------------------------------------------ Azure: subscription scope

pub(crate) const SUB_A: &str = "aaaaaaaa-0000-0000-0000-000000000001";
pub(crate) const SUB_B: &str = "bbbbbbbb-0000-0000-0000-000000000002";

/// vnet-a (SUB_A, 10.10.0.0/16, vm-a) and vnet-b (SUB_B, 10.20.0.0/16, vm-b), peered both
/// ways; vm-b's NIC has `nsg-secret`, whose rule `deny-secret-443` denies tcp/443 inbound.
pub(crate) fn azure_world() -> World {
    use vpcpeer_model::azure::ops::{
        self as az, IpConfigSpec, PutNic, PutNsg, PutPeering, PutVm, PutVnet, SubnetSpec, Target,
    };
    use vpcpeer_model::azure::{AzAccess, AzDirection, AzSecurityRule, AzTags};
    let mut w = World::default();
    let mut ids = SeededIds::new(5);
    let nsg_id = Target::new(SUB_B, "rg-b", "nsg-secret").network_id("networkSecurityGroups");
    for (sub, rg, vnet, space, vm, ip) in [
        (SUB_A, "rg-a", "vnet-a", "10.10", "vm-a", "10.10.1.4"),
        (SUB_B, "rg-b", "vnet-b", "10.20", "vm-b", "10.20.1.4"),
    ] {
        let t = |name: &str| Target::new(sub, rg, name);
        run(&mut w, &mut ids, sub, |tx| {
            az::put_resource_group(tx, sub, rg, Some("eastus"), AzTags::new())
        });
        run(&mut w, &mut ids, sub, |tx| {
            az::put_vnet(
                tx,
                &t(vnet),
                PutVnet {
                    location: Some("eastus".into()),
                    prefixes: vec![format!("{space}.0.0/16").into()],
                    subnets: Some(vec![SubnetSpec {
                        name: "default".into(),
                        prefix: Some(format!("{space}.1.0/24").into()),
                        nsg: None,
                        route_table: None,
                    }]),
                    tags: AzTags::new(),
                },
            )
        });
        let nsg = (sub == SUB_B).then(|| {
            run(&mut w, &mut ids, sub, |tx| {
                az::put_nsg(
                    tx,
                    &t("nsg-secret"),
                    PutNsg {
                        location: Some("eastus".into()),
                        rules: vec![AzSecurityRule {
                            name: "deny-secret-443".into(),
                            priority: 100,
                            direction: AzDirection::Inbound,
                            access: AzAccess::Deny,
                            protocol: "Tcp".into(),
                            source_ports: vec!["*".into()],
                            destination_ports: vec!["443".into()],
                            source_prefixes: vec!["*".into()],
                            destination_prefixes: vec!["*".into()],
                            description: None,
                        }],
                        tags: AzTags::new(),
                    },
                )
            });
            nsg_id.clone()
        });
        let subnet = format!("{}/subnets/default", t(vnet).network_id("virtualNetworks"));
        let nic = format!("{vm}-nic");
        run(&mut w, &mut ids, sub, |tx| {
            az::put_nic(
                tx,
                &t(&nic),
                PutNic {
                    location: Some("eastus".into()),
                    ip_configs: vec![IpConfigSpec {
                        name: "ipconfig1".into(),
                        subnet_id: Some(subnet),
                        private_ip: Some(ip.into()),
                        is_static: true,
                        primary: Some(true),
                        public_ip: None,
                    }],
                    nsg,
                    ..Default::default()
                },
            )
        });
        let nic_id = t(&nic).network_id("networkInterfaces");
        run(&mut w, &mut ids, sub, |tx| {
            az::put_vm(
                tx,
                &t(vm),
                PutVm {
                    location: Some("eastus".into()),
                    nics: vec![nic_id],
                    size: None,
                    tags: AzTags::new(),
                    custom_data: None,
                    image: None,
                },
            )
        });
    }
    let a = Target::new(SUB_A, "rg-a", "vnet-a");
    let b = Target::new(SUB_B, "rg-b", "vnet-b");
    for (sub, from, name, to) in [(SUB_A, &a, "a-to-b", &b), (SUB_B, &b, "b-to-a", &a)] {
        run(&mut w, &mut ids, sub, |tx| {
            az::put_peering(
                tx,
                from,
                name,
                PutPeering {
                    remote_vnet_id: Some(to.network_id("virtualNetworks")),
                    ..Default::default()
                },
            )
        });
    }
    w
}

pub(crate) fn azure_vm(sub: &str, rg: &str, name: &str) -> String {
    vpcpeer_model::azure::ops::vm_id(&vpcpeer_model::azure::ops::Target::new(sub, rg, name))
}

#[test]
fn azure_answers_hide_the_other_subscriptions_names() {
    let w = azure_world();
    let (vm_a, vm_b) = (
        azure_vm(SUB_A, "rg-a", "vm-a"),
        azure_vm(SUB_B, "rg-b", "vm-b"),
    );
    let v = ask(&w, &vm_a, &vm_b, 443).expect("answer");
    assert_eq!(v["reachable"], false, "{v}");
    let b = &v["blockers"][0];
    assert_eq!(b["code"], "NSG_RULE", "{v}");
    assert_eq!(b["component"]["kind"], "network-security-group");
    assert_eq!(b["component"]["subscription"], SUB_B);
    assert_eq!(b["component"]["id"], Value::Null);
    assert!(
        b["fix"]
            .as_str()
            .is_some_and(|f| f.contains(&format!("subscription {SUB_B}"))),
        "{v}"
    );
    let text = v.to_string().to_ascii_lowercase();
    for hidden in ["nsg-secret", "deny-secret-443", "vm-b", "rg-b"] {
        assert!(!text.contains(hidden), "{hidden} in {v}");
    }
    // Subscription A's own ids are shown, and so is the remote VNet its peering link names.
    for shown in [vm_a.as_str(), "a-to-b"] {
        assert!(
            text.contains(&shown.to_ascii_lowercase()),
            "{shown} not in {v}"
        );
    }
    // Asked from subscription B (deny on its own NSG), the NSG and its rule are named.
    let v = ask(&w, &vm_b, "10.10.1.4", 443);
    assert!(v.is_ok(), "{v:?}");
    let v = ask(&w, &vm_a, "10.20.1.4", 443).expect("answer");
    assert!(!v.to_string().contains("nsg-secret"), "{v}");
}

// ------------------------------------------------------------------ AWS: account scope

mod aws {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::Request;
    use serde_json::{json, Value};
    use vpcpeer_model::aws::Owned;
    use vpcpeer_model::{Instance, NetworkAcl, NetworkInterface, RouteTable, Subnet, Vpc, World};

    use crate::testing::{
        active_peering, between, ok, peering_route, send_json, state, vpc_with_instance,
    };
    use crate::AppState;

    const A: &str = "111111111111";
    const B: &str = "222222222222";

    pub(super) async fn post(st: &Arc<AppState>, path: &str, body: Value) -> (u16, Value) {
        let req = Request::post(path)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        send_json(st, req).await
    }

    struct Peered {
        vpc_a: String,
        vpc_b: String,
        rtb_b: String,
        i_a: String,
        ip_a: String,
        i_b: String,
        ip_b: String,
        pcx: String,
    }

    /// A's 10.0/16 and B's 10.1/16 peered, an instance in each, routed on A's side only; B's
    /// default group admits tcp/443 from A's VPC.
    async fn one_sided(st: &Arc<AppState>) -> Peered {
        let (vpc_a, rtb_a, i_a, ip_a) =
            vpc_with_instance(st, A, "10.0.0.0/16", "10.0.1.0/24").await;
        let (vpc_b, rtb_b, i_b, ip_b) =
            vpc_with_instance(st, B, "10.1.0.0/16", "10.1.1.0/24").await;
        let pcx = active_peering(st, (A, &vpc_a), (B, &vpc_b)).await;
        peering_route(st, A, &rtb_a, "10.1.0.0/16", &pcx).await;
        let body = ok(
            st,
            B,
            &format!("Action=DescribeSecurityGroups&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc_b}"),
        )
        .await;
        let sg_b = between(&body, "<groupId>", "</groupId>").to_owned();
        ok(
            st,
            B,
            &format!(
                "Action=AuthorizeSecurityGroupIngress&GroupId={sg_b}&IpPermissions.1.IpProtocol=tcp\
                 &IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443\
                 &IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/16"
            ),
        )
        .await;
        Peered {
            vpc_a,
            vpc_b,
            rtb_b,
            i_a,
            ip_a,
            i_b,
            ip_b,
            pcx,
        }
    }

    /// The ids of `account`'s records of type `T`.
    fn owned_ids<T: Owned>(w: &World, account: &str) -> Vec<String> {
        let table = T::table(w).values();
        let own = table.filter(|x| x.scope().account == account);
        own.map(|x| x.id().to_owned()).collect()
    }

    /// Every id of `account`'s resources (and of their security group rules).
    fn ids_of(st: &Arc<AppState>, account: &str) -> BTreeSet<String> {
        st.emulator.with_world(|w| {
            let tables: [fn(&World, &str) -> Vec<String>; 6] = [
                owned_ids::<Vpc>,
                owned_ids::<Subnet>,
                owned_ids::<RouteTable>,
                owned_ids::<NetworkAcl>,
                owned_ids::<Instance>,
                owned_ids::<NetworkInterface>,
            ];
            let mut out: BTreeSet<String> = tables.iter().flat_map(|ids| ids(w, account)).collect();
            for g in w
                .aws
                .security_groups()
                .values()
                .filter(|x| x.scope.account == account)
            {
                out.insert(g.id.clone());
                out.extend(g.ingress.iter().chain(&g.egress).map(|r| r.id.clone()));
            }
            out
        })
    }

    fn reach(account: &str, from: &str, to: &str) -> Value {
        json!({"account": account, "from": from, "to": to, "protocol": "tcp", "port": 443})
    }

    /// Every component id the answer shows, on both paths and in the blockers.
    fn shown_ids(v: &Value) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for leg in ["forward", "return", "blockers"] {
            for h in v[leg].as_array().into_iter().flatten() {
                if let Some(id) = h["component"]["id"].as_str() {
                    out.insert(id.to_owned());
                }
            }
        }
        out
    }

    #[tokio::test]
    async fn reach_hides_the_peer_accounts_ids_but_keeps_the_path_codes_and_fix() {
        let st = state();
        let t = one_sided(&st).await;
        let (status, v) = post(&st, "/_vpcpeer/reach", reach(A, &t.i_a, &t.ip_b)).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["reachable"], false, "{v}");
        let text = v.to_string();
        // The peer VPC is B's, but DescribeVpcPeeringConnections shows it to A: kept.
        let hidden: Vec<String> = ids_of(&st, B)
            .into_iter()
            .filter(|i| *i != t.vpc_b)
            .collect();
        assert!(hidden.len() >= 7, "{hidden:?}");
        for id in &hidden {
            assert!(!text.contains(id.as_str()), "{id} of account B in {v}");
        }
        // The path is whole: B's hops are there, by kind and owner.
        let fwd = v["forward"].as_array().expect("forward");
        let kinds: Vec<&str> = fwd
            .iter()
            .map(|h| h["component"]["kind"].as_str().unwrap_or("?"))
            .collect();
        assert_eq!(
            kinds,
            [
                "instance",
                "network-interface",
                "security-group",
                "network-acl",
                "route-table",
                "peering-connection",
                "network-acl",
                "security-group",
                "network-interface",
                "instance"
            ],
            "{v}"
        );
        assert_eq!(
            fwd[8]["component"],
            json!({"kind": "network-interface", "id": null, "account": B, "vpc": t.vpc_b,
                   "label": format!("network-interface (account {B}, {})", t.vpc_b)})
        );
        assert_eq!(fwd[7]["rule"]["rule_id"], Value::Null, "{v}");
        assert_eq!(fwd[7]["rule"]["direction"], "ingress", "{v}");
        assert_eq!(fwd[5]["component"]["id"], t.pcx.as_str());
        let b = &v["blockers"][0];
        assert_eq!(b["code"], "NO_ROUTE_TO_DESTINATION");
        assert_eq!(b["leg"], "return");
        assert_eq!(b["component"]["kind"], "route-table");
        assert_eq!(b["component"]["account"], B);
        let label = format!("route-table (account {B}, {})", t.vpc_b);
        assert_eq!(
            b["detail"],
            format!(
                "{label} has no route back to {} for the reply tcp {}:443 -> {}:49152",
                t.ip_a, t.ip_b, t.ip_a
            )
        );
        assert_eq!(
            b["fix"],
            format!(
                "its owner (account {B}) must add a route 10.0.0.0/16 → {} to {label}",
                t.pcx
            )
        );
        // An operator's audit names the table; B's own query does too.
        let (_, v) = post(&st, "/_vpcpeer/reach", reach(B, &t.i_b, &t.ip_a)).await;
        assert_eq!(v["blockers"][0]["component"]["id"], t.rtb_b.as_str(), "{v}");
        assert_eq!(
            v["blockers"][0]["fix"],
            format!("add a route 10.0.0.0/16 → {} to {}", t.pcx, t.rtb_b)
        );
        let text = v.to_string();
        for id in ids_of(&st, A).into_iter().filter(|i| *i != t.vpc_a) {
            assert!(!text.contains(id.as_str()), "{id} of account A in {v}");
        }
    }

    #[tokio::test]
    async fn reach_shows_every_id_of_the_callers_own_account() {
        let st = state();
        let t = one_sided(&st).await;
        let (_, v) = post(&st, "/_vpcpeer/reach", reach(A, &t.i_a, &t.ip_b)).await;
        let shown = shown_ids(&v);
        let (_, v2) = post(&st, "/_vpcpeer/reach", reach(A, &t.i_a, &t.ip_b)).await;
        assert_eq!(v, v2);
        // Every component of A on the path (instance, interface, group, ACL, table) by id.
        let own: BTreeSet<String> = ids_of(&st, A);
        let on_path: Vec<&String> = shown.iter().filter(|i| own.contains(*i)).collect();
        assert_eq!(on_path.len(), 5, "{shown:?}");
        assert!(
            shown.contains(&t.i_a) && shown.contains(&t.pcx),
            "{shown:?}"
        );
        for h in v["forward"].as_array().expect("forward").iter().take(5) {
            assert!(h["component"]["id"].is_string(), "{h}");
            assert!(h["component"].get("label").is_none(), "{h}");
        }
        // With the route back, the same query is reachable and still hides B's ids.
        ok(
            &st,
            B,
            &format!(
                "Action=CreateRoute&RouteTableId={}&DestinationCidrBlock=10.0.0.0/16&VpcPeeringConnectionId={}",
                t.rtb_b, t.pcx
            ),
        )
        .await;
        let (_, v) = post(&st, "/_vpcpeer/reach", reach(A, &t.i_a, &t.ip_b)).await;
        assert_eq!(v["reachable"], true, "{v}");
        assert!(!v.to_string().contains(&t.rtb_b) && !v.to_string().contains(&t.i_b));
    }

    #[tokio::test]
    async fn audit_with_an_account_hides_the_other_accounts_ids() {
        let st = state();
        let t = one_sided(&st).await;
        let (_, all) = post(&st, "/_vpcpeer/audit", json!({})).await;
        assert!(all.to_string().contains(&t.rtb_b), "{all}");
        let (_, v) = post(&st, "/_vpcpeer/audit", json!({"account": A})).await;
        let f = &v["findings"][0];
        assert_eq!(f["check"], "missing_return_route", "{v}");
        let label = format!("route-table (account {B}, {})", t.vpc_b);
        assert_eq!(f["resources"][3], label.as_str(), "{v}");
        assert!(f["fix"].as_str().is_some_and(|x| x.contains(&label)), "{v}");
        let text = v.to_string();
        for id in ids_of(&st, B).into_iter().filter(|i| *i != t.vpc_b) {
            assert!(!text.contains(id.as_str()), "{id} of account B in {v}");
        }
        // B sees its own table by id and A's by label.
        let (_, v) = post(&st, "/_vpcpeer/audit", json!({"account": B})).await;
        assert!(v.to_string().contains(&t.rtb_b), "{v}");
        for id in ids_of(&st, A).into_iter().filter(|i| *i != t.vpc_a) {
            assert!(
                !v.to_string().contains(id.as_str()),
                "{id} of account A in {v}"
            );
        }
    }

    #[tokio::test]
    async fn errors_do_not_name_other_accounts_resources() {
        let st = state();
        let t = one_sided(&st).await;
        // B's instance id, asked by A: 404, as if it did not exist.
        let (status, v) = post(&st, "/_vpcpeer/reach", reach(A, &t.i_b, &t.ip_a)).await;
        assert_eq!(status, 404, "{v}");
        // B's address as a source, asked by A.
        let (status, v) = post(&st, "/_vpcpeer/reach", reach(A, &t.ip_b, &t.ip_a)).await;
        assert_eq!(status, 404, "{v}");
        let text = v.to_string();
        for id in ids_of(&st, B) {
            assert!(!text.contains(id.as_str()), "{id} in {v}");
        }
    }
}
