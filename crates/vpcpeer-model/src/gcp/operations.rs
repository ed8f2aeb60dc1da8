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

/// Records the finished operation of a change (`operation_type`: `insert`, `delete`, …) on
/// `target`, in `scope`, and returns it. (A peering operation that runs for a while is
/// recorded so and then turned `RUNNING`, see [`super::peering`].)
pub(crate) fn done_op(
    tx: &mut Tx<'_, '_>,
    project: &str,
    scope: OpScope,
    operation_type: &str,
    target: &str,
    target_id: u64,
) -> GcpOperation {
    let name = operation_name(tx);
    let id = operation_path(project, &scope, &name);
    let now = tx.now();
    let op = GcpOperation {
        id,
        project: project.to_owned(),
        name,
        numeric_id: numeric_id(tx),
        scope,
        operation_type: operation_type.to_owned(),
        target: target.to_owned(),
        target_id,
        status: OpStatus::Done,
        insert_time: now,
        end_time: Some(now),
        error: None,
        pending: None,
        peer_network: None,
    };
    tx.put(op.clone());
    op
}

/// Stores the record `build` makes from a fresh numeric id and the clock, and records its
/// finished `insert` operation in `scope`: how every insert ends once its checks passed.
pub(crate) fn insert_record<T: crate::Entity>(
    tx: &mut Tx<'_, '_>,
    project: &str,
    scope: OpScope,
    build: impl FnOnce(u64, crate::Timestamp) -> T,
) -> GcpOperation {
    let numeric = numeric_id(tx);
    let record = build(numeric, tx.now());
    let id = record.id().to_owned();
    tx.put(record);
    done_op(tx, project, scope, "insert", &id, numeric)
}

/// Removes the record `id` (a route, a firewall rule, an instance), or answers `notFound`, and
/// leaves its `delete` operation in `scope`.
pub(crate) fn delete_record<T: crate::Entity>(
    tx: &mut Tx<'_, '_>,
    project: &str,
    scope: OpScope,
    id: String,
    numeric_id: impl Fn(&T) -> u64,
) -> Result<GcpOperation, GcpError> {
    let r = tx
        .remove::<T>(&id)
        .ok_or_else(|| GcpError::NotFound(id.clone()))?;
    Ok(done_op(tx, project, scope, "delete", &id, numeric_id(&r)))
}

/// Refuses to create a `T` at `id` when one is there (`alreadyExists`).
pub(crate) fn vacant<T: crate::Entity>(tx: &Tx<'_, '_>, id: &str) -> Result<(), GcpError> {
    match tx.get::<T>(id) {
        Some(_) => Err(GcpError::AlreadyExists(id.to_owned())),
        None => Ok(()),
    }
}

/// The `T` at `id`, or `notFound`.
pub(crate) fn existing<'t, T: crate::Entity>(
    tx: &'t Tx<'_, '_>,
    id: &str,
) -> Result<&'t T, GcpError> {
    tx.get::<T>(id)
        .ok_or_else(|| GcpError::NotFound(id.to_owned()))
}
