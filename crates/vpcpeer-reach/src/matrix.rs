//! The all-pairs reachability matrix: for every ordered pair of distinct instances, whether the
//! first can reach the second on one protocol and port: the `reachable` of [`explain`] per pair.
//!
//! One shortcut, exact by construction: a pair whose instances lie in different VPCs joined by
//! no live (active or pending) peering gets `DISCONNECTED_VPCS` from [`explain`], so it is
//! unreachable without walking; the live peers of each source VPC are collected once per
//! source. Every other pair is explained in full. [`matrix_cells`] also gives each unreachable
//! cell its first blocker code (`DISCONNECTED_VPCS` for the shortcut, as [`explain`] names it
//! first there).

use std::collections::HashSet;

use crate::explain::{explain, instance_eni, is_live};
use crate::model::{Code, Endpoint, Protocol, Query, QueryError};
use crate::snapshot::Snapshot;

/// One cell of the matrix: `src` → `dst`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Source instance.
    pub src: String,
    /// Destination instance.
    pub dst: String,
    /// Whether the packet arrives and the reply comes back.
    pub reachable: bool,
    /// For an unreachable cell: the first blocker [`explain`] names (path order), or `None`
    /// when the engine could not answer (see `error`).
    pub first_blocker: Option<Code>,
    /// Why the engine could not answer the pair, if it could not.
    pub error: Option<QueryError>,
}

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
    matrix_cells(snapshot, instances, protocol, port)
        .into_iter()
        .map(|c| (c.src, c.dst, c.reachable))
        .collect()
}

/// [`matrix`] with, per unreachable cell, the first blocker code of [`explain`] (or the reason
/// the engine could not answer).
pub fn matrix_cells(
    snapshot: &Snapshot,
    instances: &[String],
    protocol: Protocol,
    port: Option<u16>,
) -> Vec<Cell> {
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
            let (reachable, first_blocker, error) = if disconnected {
                (false, Some(Code::DisconnectedVpcs), None)
            } else {
                q.dst = Endpoint::Instance(dst.clone());
                match explain(snapshot, &q) {
                    Ok(v) => (v.reachable, v.blockers.first().map(|b| b.code), None),
                    Err(e) => (false, None, Some(e)),
                }
            };
            out.push(Cell {
                src: src.clone(),
                dst: dst.clone(),
                reachable,
                first_blocker,
                error,
            });
        }
    }
    out
}
