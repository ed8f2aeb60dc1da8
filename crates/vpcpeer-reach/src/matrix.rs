//! The all-pairs reachability matrix: for every ordered pair of distinct instances, whether the
//! first can reach the second on one protocol and port: the `reachable` of [`explain`] per pair.
//!
//! One shortcut, exact by construction: a pair whose instances lie in different VPCs joined by
//! no live (active or pending) peering gets `DISCONNECTED_VPCS` from [`explain`], so it is
//! unreachable without walking; the live peers of each source VPC are collected once per
//! source. Every other pair is explained in full.

use std::collections::HashSet;

use crate::explain::{explain, instance_eni, is_live};
use crate::model::{Endpoint, Protocol, Query};
use crate::snapshot::Snapshot;

/// For every ordered pair `(src, dst)` of distinct entries of `instances` (in `instances` order,
/// `src` major), whether `src` reaches `dst` with `protocol` on `port` and the reply comes back:
/// the `reachable` of [`explain`]. A pair the engine cannot answer (an unknown or interface-less
/// instance, no address of the family, a missing port for TCP/UDP) counts as unreachable.
pub fn matrix(
    snapshot: &Snapshot,
    instances: &[String],
    protocol: Protocol,
    port: Option<u16>,
) -> Vec<(String, String, bool)> {
    let n = instances.len();
    let mut out = Vec::with_capacity(n * n.saturating_sub(1));
    let vpc_of: Vec<Option<&str>> = instances
        .iter()
        .map(|i| instance_eni(snapshot, i).ok().map(|e| e.vpc_id.as_str()))
        .collect();
    let mut live: HashSet<&str> = HashSet::new();
    for (src, src_vpc) in instances.iter().zip(&vpc_of) {
        live.clear();
        if let Some(sv) = src_vpc {
            live.extend(
                snapshot
                    .peerings_by_vpc
                    .get(*sv)
                    .into_iter()
                    .flatten()
                    .filter_map(|id| snapshot.peerings.get(id))
                    .filter(|p| is_live(p.state))
                    .filter_map(|p| p.other_side(sv)),
            );
        }
        let mut q = Query {
            src: Endpoint::Instance(src.clone()),
            dst: Endpoint::Instance(String::new()),
            protocol,
            port,
        };
        for (dst, dst_vpc) in instances.iter().zip(&vpc_of) {
            if dst == src {
                continue;
            }
            let disconnected = match (src_vpc, dst_vpc) {
                (Some(sv), Some(dv)) => sv != dv && !live.contains(dv),
                _ => false,
            };
            let ok = !disconnected && {
                q.dst = Endpoint::Instance(dst.clone());
                explain(snapshot, &q).is_ok_and(|v| v.reachable)
            };
            out.push((src.clone(), dst.clone(), ok));
        }
    }
    out
}
