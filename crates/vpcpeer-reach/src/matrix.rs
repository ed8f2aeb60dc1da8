//! The all-pairs reachability matrix: for every ordered pair of distinct instances, whether the
//! first can reach the second on one protocol and port — [`explain`] per pair, keeping only the
//! verdict.

use crate::explain::explain;
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
    for src in instances {
        let mut q = Query {
            src: Endpoint::Instance(src.clone()),
            dst: Endpoint::Instance(String::new()),
            protocol,
            port,
        };
        for dst in instances {
            if dst == src {
                continue;
            }
            q.dst = Endpoint::Instance(dst.clone());
            let ok = explain(snapshot, &q).is_ok_and(|v| v.reachable);
            out.push((src.clone(), dst.clone(), ok));
        }
    }
    out
}
