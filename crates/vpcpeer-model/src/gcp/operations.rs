//! Operations: every GCP change leaves one, `DONE` at once except peering changes with
//! `gcp_peering_op_secs` > 0. Reading, waiting for and deleting operations live with the peering
//! operations that can still be running ([`super::peering`]).

use super::*;
use crate::Tx;

fn operation_name(tx: &mut Tx<'_, '_>) -> String {
    let a = tx.ctx.ids.hex17();
    let b = tx.ctx.ids.hex17();
    format!(
        "operation-{}-{}-{}-{}",
        tx.now().millis(),
        &a[..13],
        &b[..8],
        &b[8..16]
    )
}

/// Records a new operation on `target` and returns it.
pub(crate) fn new_operation(
    tx: &mut Tx<'_, '_>,
    project: &str,
    scope: OpScope,
    operation_type: &str,
    target: &str,
    target_id: u64,
    pending: Option<(PendingPeering, String)>,
) -> GcpOperation {
    let name = operation_name(tx);
    let id = match &scope {
        OpScope::Global => format!("projects/{project}/global/operations/{name}"),
        OpScope::Region(r) => format!("projects/{project}/regions/{r}/operations/{name}"),
        OpScope::Zone(z) => format!("projects/{project}/zones/{z}/operations/{name}"),
    };
    let now = tx.now();
    let running = pending.is_some();
    let (pending, peer_network) = match pending {
        Some((p, peer)) => (Some(p), Some(peer)),
        None => (None, None),
    };
    let op = GcpOperation {
        id,
        project: project.to_owned(),
        name,
        numeric_id: numeric_id(tx),
        scope,
        operation_type: operation_type.to_owned(),
        target: target.to_owned(),
        target_id,
        status: if running {
            OpStatus::Running
        } else {
            OpStatus::Done
        },
        insert_time: now,
        end_time: (!running).then_some(now),
        error: None,
        pending,
        peer_network,
    };
    tx.put(op.clone());
    op
}

/// Records the finished global operation of a change (`kind`: `insert`, `delete`, …) on `target`.
pub(crate) fn global_op(
    tx: &mut Tx<'_, '_>,
    project: &str,
    kind: &str,
    target: &str,
    target_id: u64,
) -> GcpOperation {
    done_op(tx, project, OpScope::Global, kind, target, target_id)
}

/// Records the finished operation of a change in `region`.
pub(crate) fn regional_op(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    kind: &str,
    target: &str,
    target_id: u64,
) -> GcpOperation {
    let scope = OpScope::Region(region.to_owned());
    done_op(tx, project, scope, kind, target, target_id)
}

/// Records the finished operation of a change in `zone`.
pub(crate) fn zonal_op(
    tx: &mut Tx<'_, '_>,
    project: &str,
    zone: &str,
    kind: &str,
    target: &str,
    target_id: u64,
) -> GcpOperation {
    let scope = OpScope::Zone(zone.to_owned());
    done_op(tx, project, scope, kind, target, target_id)
}

/// Records the finished operation of a change in `scope`.
fn done_op(
    tx: &mut Tx<'_, '_>,
    project: &str,
    scope: OpScope,
    operation_type: &str,
    target: &str,
    target_id: u64,
) -> GcpOperation {
    new_operation(tx, project, scope, operation_type, target, target_id, None)
}

/// Removes the global record `id` (a route, a firewall rule), or answers `notFound`, and leaves
/// its `delete` operation.
pub(crate) fn delete_global<T: crate::Entity>(
    tx: &mut Tx<'_, '_>,
    project: &str,
    id: String,
    numeric_id: impl Fn(&T) -> u64,
) -> Result<GcpOperation, GcpError> {
    let r = tx
        .remove::<T>(&id)
        .ok_or_else(|| GcpError::NotFound(id.clone()))?;
    Ok(global_op(tx, project, "delete", &id, numeric_id(&r)))
}
