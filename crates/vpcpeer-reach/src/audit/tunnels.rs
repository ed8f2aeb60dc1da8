//! `tunnel_outer_blocked`: the outer path of an encrypted tunnel stopped by a filter. For every
//! gateway VM of the `vpcpeer-gateway` image (AWS, GCP, Azure) whose configuration parses, and
//! each `[Peer]` of it whose endpoint another gateway VM holds, the outer UDP both ways is
//! checked exactly as `vpcpeer reach` checks it for a packet into that tunnel
//! ([`crate::tunnel::plan`]); each security group, firewall rule, NSG or network ACL that stops
//! it is an error (the tunnel carries nothing, whatever the routes say). Gateways that are not
//! running, keys and ports are left to `vpcpeer reach` and the controller's health check: the
//! audit reports what a filter change broke.

use std::collections::BTreeSet;
use std::net::IpAddr;

use vpcpeer_model::{Timestamp, World};

use super::{raw, Check, Raw, Severity};
use crate::model::{Code, Direction, Fact, Header, Protocol, TunnelFix};
use crate::snapshot::Snapshot;
use crate::tunnel::{self, clouds::AllClouds, config_of, GatewayHost};

/// The findings of `tunnel_outer_blocked` over `world` at `now`. A snapshot of the AWS side is
/// compiled only when some VM of any cloud is of the gateway image (none: nothing to check).
pub(super) fn check(world: &World, now: Timestamp, out: &mut Vec<Raw>) {
    let aws = world
        .aws
        .instances()
        .values()
        .any(|i| vpcpeer_model::aws::catalog::is_gateway_image(&i.scope.region, &i.image_id));
    let gcp = world
        .gcp
        .instances()
        .values()
        .any(|i| tunnel::gcp::setup_of(i).is_some());
    let azure = world
        .azure
        .vms()
        .values()
        .any(|vm| tunnel::azure::setup_of(vm).is_some());
    if aws || gcp || azure {
        tunnel_outer_blocked(world, &Snapshot::compile(world, now), out);
    }
}

/// The findings of `tunnel_outer_blocked` over `world` (GCP, Azure) and `snap` (AWS).
fn tunnel_outer_blocked(world: &World, snap: &Snapshot, out: &mut Vec<Raw>) {
    let all = AllClouds::new(world, snap);
    let mut hosts: Vec<GatewayHost<'_>> = Vec::new();
    for inst in snap.instances.values().filter(|i| i.gateway.is_some()) {
        let eni = inst.primary_eni.as_ref().and_then(|e| snap.enis.get(e));
        if let Some(h) = eni.and_then(|e| tunnel::aws::host_of_eni(snap, e)) {
            hosts.push(h);
        }
    }
    hosts.extend(
        world
            .gcp
            .instances()
            .values()
            .filter_map(|i| all.gcp_host(i)),
    );
    hosts.extend(
        world
            .azure
            .vms()
            .values()
            .filter_map(|vm| all.azure_host(vm)),
    );
    hosts.sort_by_key(|h| h.instance);
    let mut seen = BTreeSet::new();
    for local in &hosts {
        let Some(cfg) = config_of(local) else {
            continue;
        };
        for peer in &cfg.peers {
            let Some(dst) = peer.allowed_ips.first() else {
                continue;
            };
            // A packet into this tunnel: any address the peer's entry allows.
            let inner = Header {
                src_ip: local.private_ip,
                dst_ip: IpAddr::V4(dst.network()),
                protocol: Protocol::Udp,
                src_port: None,
                dst_port: None,
                icmp: None,
            };
            let Some(plan) = tunnel::plan(&all, local, inner) else {
                continue;
            };
            let Some(far) = plan.peer else {
                continue;
            };
            for b in plan.blockers {
                if !matches!(
                    b.code,
                    Code::TunnelOuterBlockedBySg { .. } | Code::TunnelOuterBlockedByAcl { .. }
                ) || !seen.insert((b.component.id.clone(), b.detail.clone()))
                {
                    continue;
                }
                let fix = match &b.fact {
                    Some(Fact::Tunnel(
                        TunnelFix::AllowOuter {
                            direction,
                            port,
                            peer,
                        }
                        | TunnelFix::AllowOuterRule {
                            direction,
                            port,
                            peer,
                            ..
                        },
                    )) => {
                        let way = match direction {
                            Direction::Ingress => "in from",
                            Direction::Egress => "out to",
                        };
                        format!("let udp/{port} {way} {peer} through {}", b.component.id)
                    }
                    _ => format!("let the tunnel's UDP through {}", b.component.id),
                };
                let mut resources = vec![b.component.id.clone()];
                for vm in [local.instance, far.instance] {
                    if !resources.iter().any(|r| r == vm) {
                        resources.push(vm.to_owned());
                    }
                }
                out.push(raw(
                    Check::TunnelOuterBlocked,
                    Severity::Error,
                    resources,
                    format!(
                        "{}: the tunnel {} between {} and {} carries nothing",
                        b.detail, plan.component.id, local.instance, far.instance
                    ),
                    fix,
                ));
            }
        }
    }
}
