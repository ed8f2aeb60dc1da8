//! Scenario rows for queries across clouds through encrypted tunnels: three clouds, a
//! `vpcpeer-gateway` VM in each (AWS: an instance of the gateway AMI with an Elastic IP; GCP:
//! an instance booted from `projects/vpcpeer/global/images/vpcpeer-gateway` with a static
//! external address and `canIpForward`; Azure: a VM of the `vpcpeer`/`vpcpeer-gateway` image on
//! a NIC with IP forwarding and a Standard public IP), each configuration rendered by
//! `vpcpeer-gateway` with real keys into the VM's user data, metadata or custom data; each
//! workload network routes the other two clouds to its gateway. Every row builds the world
//! through the model's commands, asks one query through `explain_world`, and checks the
//! verdict's blocker codes (leg and code, in path order); then the hop order of a reachable
//! crossing, and the remedies of the new blockers.

mod common;
#[path = "common/world3.rs"]
mod world3;

use common::gateways::key;
use vpcpeer_reach::{
    explain_world, remedy, ComponentKind as K, Endpoint, Leg, Protocol, Query, Remedy, Snapshot,
    Verdict,
};
use world3::*;

fn ask(w: &World3, from: End, to: End) -> Verdict {
    let snap = Snapshot::compile(&w.env.world, w.env.now);
    explain_world(
        &w.env.world,
        &snap,
        &Query {
            src: endpoint(w, from),
            dst: endpoint(w, to),
            protocol: Protocol::Tcp,
            port: Some(443),
        },
    )
    .expect("query")
}

fn codes(v: &Verdict) -> Vec<(Leg, String)> {
    v.blockers
        .iter()
        .map(|b| (b.leg, b.code.aws_code().to_owned()))
        .collect()
}

const F: Leg = Leg::Forward;
const R: Leg = Leg::Return;

struct Row {
    name: &'static str,
    knobs: Knobs,
    from: End,
    to: End,
    codes: &'static [(Leg, &'static str)],
}

#[test]
fn crossing_rows() {
    let rows = [
        Row {
            name: "aws to gcp",
            knobs: WORKING,
            from: End::Aws,
            to: End::Gcp,
            codes: &[],
        },
        Row {
            name: "gcp to aws",
            knobs: WORKING,
            from: End::Gcp,
            to: End::Aws,
            codes: &[],
        },
        Row {
            name: "gcp to azure",
            knobs: WORKING,
            from: End::Gcp,
            to: End::Azure,
            codes: &[],
        },
        Row {
            name: "azure to gcp",
            knobs: WORKING,
            from: End::Azure,
            to: End::Gcp,
            codes: &[],
        },
        Row {
            name: "aws to azure",
            knobs: WORKING,
            from: End::Aws,
            to: End::Azure,
            codes: &[],
        },
        Row {
            name: "azure to aws",
            knobs: WORKING,
            from: End::Azure,
            to: End::Aws,
            codes: &[],
        },
        Row {
            name: "far gcp gateway stopped (its static address kept)",
            knobs: Knobs {
                stop_gcp: true,
                ..WORKING
            },
            from: End::Aws,
            to: End::Gcp,
            codes: &[(F, "TUNNEL_GATEWAY_NOT_RUNNING")],
        },
        Row {
            name: "near aws gateway stopped: its route is a blackhole that still names it",
            knobs: Knobs {
                stop_aws: true,
                ..WORKING
            },
            from: End::Aws,
            to: End::Gcp,
            codes: &[(F, "BAD_STATE_ROUTE"), (F, "TUNNEL_GATEWAY_NOT_RUNNING")],
        },
        Row {
            name: "far aws gateway stopped (its Elastic IP kept)",
            knobs: Knobs {
                stop_aws: true,
                ..WORKING
            },
            from: End::Gcp,
            to: End::Aws,
            // As in the AWS walk: the reply's route to the stopped gateway is a blackhole.
            codes: &[(F, "TUNNEL_GATEWAY_NOT_RUNNING"), (R, "BAD_STATE_ROUTE")],
        },
        Row {
            name: "far azure gateway deallocated (its Standard address kept)",
            knobs: Knobs {
                deallocate_azure: true,
                ..WORKING
            },
            from: End::Gcp,
            to: End::Azure,
            codes: &[(F, "TUNNEL_GATEWAY_NOT_RUNNING")],
        },
        Row {
            name: "near gcp gateway without an external address",
            knobs: Knobs {
                gcp_external_ip: false,
                ..WORKING
            },
            from: End::Gcp,
            to: End::Aws,
            codes: &[(F, "TUNNEL_NO_PUBLIC_IP")],
        },
        Row {
            name: "gcp firewall does not admit udp/51820 from the aws gateway",
            knobs: Knobs {
                gcp_admits_aws: false,
                ..WORKING
            },
            from: End::Aws,
            to: End::Gcp,
            codes: &[(F, "TUNNEL_OUTER_BLOCKED_BY_SG")],
        },
        Row {
            name: "azure gateway's NSG denies udp/51820 from the internet",
            knobs: Knobs {
                azure_nsg_denies: true,
                ..WORKING
            },
            from: End::Aws,
            to: End::Azure,
            codes: &[(F, "TUNNEL_OUTER_BLOCKED_BY_SG")],
        },
        Row {
            name: "azure gateway's NSG admits only the tunnel; AWS's UDR prefix passes AllowVnet*",
            knobs: Knobs {
                azure_nsg_tunnel_only: true,
                ..WORKING
            },
            from: End::Aws,
            to: End::Azure,
            codes: &[],
        },
        Row {
            name: "azure gateway's NSG admits only the tunnel; back to AWS",
            knobs: Knobs {
                azure_nsg_tunnel_only: true,
                ..WORKING
            },
            from: End::Azure,
            to: End::Aws,
            codes: &[],
        },
        Row {
            name: "azure gateway's NSG admits only the tunnel; GCP's prefix in no UDR is denied",
            knobs: Knobs {
                azure_nsg_tunnel_only: true,
                azure_routes_gcp: false,
                ..WORKING
            },
            from: End::Gcp,
            to: End::Azure,
            // DenyAllOutBound at the gateway's NIC (AllowVnetOutBound does not cover
            // 10.30.0.10), and the workload has no route back to the gateway.
            codes: &[(F, "NSG_RULE"), (R, "NO_ROUTE")],
        },
        Row {
            name: "gcp has no route back to the gateway for the reply",
            knobs: Knobs {
                gcp_routes_aws: false,
                ..WORKING
            },
            from: End::Aws,
            to: End::Gcp,
            codes: &[(R, "NO_ROUTE")],
        },
        Row {
            name: "gcp gateway without canIpForward",
            knobs: Knobs {
                gcp_forwards: false,
                ..WORKING
            },
            from: End::Azure,
            to: End::Gcp,
            codes: &[(F, "TUNNEL_GATEWAY_NO_FORWARDING")],
        },
        Row {
            name: "aws gateway holds a wrong key for the gcp gateway",
            knobs: Knobs {
                edit_aws: |c| c.peers[0].public_key = key(9).public(),
                ..WORKING
            },
            from: End::Gcp,
            to: End::Aws,
            codes: &[(F, "TUNNEL_KEY_MISMATCH")],
        },
        Row {
            name: "aws gateway sends no tunnel toward gcp",
            knobs: Knobs {
                edit_aws: |c| {
                    c.peers.remove(0);
                },
                ..WORKING
            },
            from: End::Aws,
            to: End::Gcp,
            codes: &[(F, "TUNNEL_NO_ROUTE_FOR_DESTINATION")],
        },
    ];
    let mut failures = Vec::new();
    for row in &rows {
        let w = build(row.knobs);
        let v = ask(&w, row.from, row.to);
        let want: Vec<(Leg, String)> = row
            .codes
            .iter()
            .map(|(l, c)| (*l, (*c).to_owned()))
            .collect();
        if codes(&v) != want || v.reachable != want.is_empty() {
            failures.push(format!(
                "{}: want {want:?}, got {:?}\n{:#?}",
                row.name,
                codes(&v),
                v.blockers
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A reachable crossing, hop by hop: AWS app → its route table → the AWS gateway → the outer
/// path both ways → the tunnel → the GCP gateway → its network's route → the GCP app, and back.
#[test]
fn the_hops_of_a_crossing_forward_and_return() {
    let w = build(WORKING);
    let v = ask(&w, End::Aws, End::Gcp);
    assert!(v.reachable, "{:#?}", v.blockers);
    let kinds = |hops: &[vpcpeer_reach::Hop]| -> Vec<(K, String)> {
        hops.iter()
            .map(|h| (h.component.kind, h.component.id.clone()))
            .collect()
    };
    let fwd = kinds(&v.forward);
    let order = [
        (K::Instance, w.aws_app.clone()),
        (K::Instance, w.aws_gw.clone()),
        (K::Tunnel, "aws-gw->gcp-gw".to_owned()),
        (K::Instance, w.gcp_gw.clone()),
        (K::Network, "projects/proj-g/global/networks/net".to_owned()),
        (K::Instance, gcp_vm("app")),
    ];
    // Each in turn, after the one before.
    let mut from = 0;
    for what in &order {
        let at = fwd[from..].iter().position(|x| x == what);
        assert!(at.is_some(), "{what:?} after hop {from}: {fwd:#?}");
        from += at.unwrap_or_default() + 1;
    }
    // The outer path: the GCP gateway's firewall admitting the AWS gateway's address, before
    // the tunnel hop.
    let outer = v
        .forward
        .iter()
        .find(|h| h.component.kind == K::FirewallRule && h.inbound.src_ip == w.aws_ip)
        .expect("the outer ingress firewall hop");
    assert_eq!(outer.inbound.dst_ip, w.gcp_ip);
    // The return leg crosses the tunnel back and ends at the source.
    let ret = kinds(&v.ret);
    assert_eq!(ret.first(), Some(&(K::Instance, gcp_vm("app"))), "{ret:#?}");
    assert_eq!(
        ret.last(),
        Some(&(K::Instance, w.aws_app.clone())),
        "{ret:#?}"
    );
    assert!(ret.contains(&(K::Tunnel, "aws-gw->gcp-gw".to_owned())));
    assert!(v
        .ret
        .iter()
        .all(|h| h.inbound.src_ip.to_string() == "10.30.0.10"));
}

/// Without a route to a gateway, two clouds stay `CROSS_CLOUD_NO_NATIVE_PATH`.
#[test]
fn no_route_to_a_gateway_is_still_cross_cloud() {
    let mut w = build(WORKING);
    let id = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/gw"
    );
    // From the Azure gateway itself: its subnet has no route to an appliance.
    let _ = &mut w;
    let snap = Snapshot::compile(&w.env.world, w.env.now);
    let v = explain_world(
        &w.env.world,
        &snap,
        &Query {
            src: Endpoint::parse(&id).expect("azure"),
            dst: endpoint(&w, End::Gcp),
            protocol: Protocol::Tcp,
            port: Some(443),
        },
    )
    .expect("query");
    assert_eq!(
        codes(&v),
        vec![(F, "CROSS_CLOUD_NO_NATIVE_PATH".to_owned())]
    );
    assert!(
        v.blockers[0].detail.contains("gateway"),
        "{}",
        v.blockers[0].detail
    );
}

/// The remedies of the new blockers name each cloud's own fix.
#[test]
fn remedies_of_crossing_blockers() {
    type Check = fn(&World3, &Remedy) -> bool;
    let cases: [(Knobs, End, End, Check); 4] = [
        (
            Knobs {
                gcp_admits_aws: false,
                ..WORKING
            },
            End::Aws,
            End::Gcp,
            |w, r| {
                matches!(r, Remedy::AddFirewallRule { network, peer, .. }
                    if network == "net" && peer.to_string() == format!("{}/32", w.aws_ip))
            },
        ),
        (
            Knobs {
                azure_nsg_denies: true,
                ..WORKING
            },
            End::Aws,
            End::Azure,
            |_, r| matches!(r, Remedy::AddNsgRule { nsg, .. } if nsg == "gw-nsg"),
        ),
        (
            Knobs {
                gcp_external_ip: false,
                ..WORKING
            },
            End::Gcp,
            End::Aws,
            |w, r| matches!(r, Remedy::AssignGcpExternalIp { instance } if *instance == w.gcp_gw),
        ),
        (
            Knobs {
                gcp_forwards: false,
                ..WORKING
            },
            End::Azure,
            End::Gcp,
            |w, r| matches!(r, Remedy::EnableGatewayForwarding { instance } if *instance == w.gcp_gw),
        ),
    ];
    for (knobs, from, to, check) in cases {
        let w = build(knobs);
        let v = ask(&w, from, to);
        let snap = Snapshot::compile(&w.env.world, w.env.now);
        let r = remedy(&snap, &v, &v.blockers[0]);
        assert!(check(&w, &r), "{from:?} -> {to:?}: {r:?}");
    }
    let _ = &build(WORKING).azure_gw;
}

/// `vpcpeer audit`'s `tunnel_outer_blocked`: nothing in the working layout; a filter that stops
/// a tunnel's outer UDP (GCP's firewall not admitting the AWS gateway, the Azure gateway's NSG
/// denying the tunnel port) is one error naming the filter and both gateways, whichever cloud.
#[test]
fn the_audit_names_a_filter_on_a_tunnels_outer_path() {
    let tunnel_findings = |k: Knobs| {
        let w = build(k);
        let found: Vec<_> =
            vpcpeer_reach::audit(&w.env.world, w.env.now, &vpcpeer_model::Limits::default())
                .into_iter()
                .filter(|f| f.check == vpcpeer_reach::Check::TunnelOuterBlocked)
                .collect();
        (w, found)
    };
    let (_, none) = tunnel_findings(WORKING);
    assert_eq!(none, vec![], "the working layout");

    let (w, found) = tunnel_findings(Knobs {
        gcp_admits_aws: false,
        ..WORKING
    });
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.severity, vpcpeer_reach::Severity::Error);
    assert!(
        f.resources[0].starts_with(&format!("projects/{P}/")),
        "{f:#?}"
    );
    assert!(
        f.resources.contains(&w.aws_gw) && f.resources.contains(&w.gcp_gw),
        "{f:#?}"
    );
    assert!(f.message.contains("carries nothing"), "{f:#?}");
    assert!(f.fix.contains(&w.aws_ip.to_string()), "{f:#?}");

    let (w, found) = tunnel_findings(Knobs {
        azure_nsg_denies: true,
        ..WORKING
    });
    assert!(!found.is_empty(), "the NSG");
    for f in &found {
        assert!(f.resources[0].contains("/networkSecurityGroups/"), "{f:#?}");
        assert!(f.resources.contains(&w.azure_gw), "{f:#?}");
    }
}
