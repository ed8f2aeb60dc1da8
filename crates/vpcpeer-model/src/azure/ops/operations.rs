//! Finished long-running operations (what the polling URLs answer), and the NIC reads ARM
//! answers as operations: effective routes and effective security groups.

use super::*;

/// How long a finished operation stays readable: a client polls its URLs right after the request,
/// so a day is ample. \[UNVERIFIED\] Azure's own retention of operation status is not documented
/// here; this is a choice that keeps the table bounded.
pub const OPERATION_RETENTION_MS: i64 = 24 * crate::Timestamp::HOUR;

/// Records a finished long-running operation and returns it, and forgets the operations older
/// than [`OPERATION_RETENTION_MS`]. Operation ids start with the start time in hex, so they sort
/// by age and the expired ones are a prefix of the table.
pub fn record_operation(
    tx: &mut Tx<'_, '_>,
    subscription: &str,
    location: &str,
    result: AzOperationResult,
) -> AzOperation {
    let now = tx.now();
    let cutoff = format!(
        "{:012x}",
        now.millis().saturating_sub(OPERATION_RETENTION_MS).max(0)
    );
    let expired: Vec<String> = tx
        .world()
        .azure
        .operations
        .range(..cutoff)
        .map(|(k, _)| k.clone())
        .collect();
    for k in expired {
        tx.remove::<AzOperation>(&k);
    }
    let op = AzOperation {
        id: format!("{:012x}-{}", now.millis().max(0), tx.ctx.ids.uuid()),
        subscription: subscription.to_owned(),
        location: normalize_location(location),
        started: now,
        result,
    };
    tx.put(op.clone());
    op
}

/// Looks an operation up for `subscription` (another subscription's operations are not found).
pub fn get_operation<'a>(
    world: &'a World,
    subscription: &str,
    id: &str,
) -> Result<&'a AzOperation, AzureError> {
    world
        .azure
        .operations
        .get(&id.to_ascii_lowercase())
        .filter(|o| o.subscription.eq_ignore_ascii_case(subscription))
        .ok_or_else(|| AzureError::OperationNotFound { id: id.to_owned() })
}

/// Computes a NIC's effective routes and records them as a finished operation.
pub fn effective_route_table(tx: &mut Tx<'_, '_>, t: &Target) -> Result<AzOperation, AzureError> {
    nic_read(tx, t, |w, nic| {
        AzOperationResult::EffectiveRoutes(crate::azure::routes::effective_routes(w, nic))
    })
}

/// Computes a NIC's effective network security groups and records them as a finished operation.
pub fn effective_nsgs(tx: &mut Tx<'_, '_>, t: &Target) -> Result<AzOperation, AzureError> {
    nic_read(tx, t, |w, nic| {
        AzOperationResult::EffectiveNsgs(crate::azure::security::effective_nsgs(w, nic))
    })
}

/// Computes `read` of the NIC `t` names and records it as a finished operation in the NIC's
/// location.
fn nic_read(
    tx: &mut Tx<'_, '_>,
    t: &Target,
    read: impl FnOnce(&World, &AzNic) -> AzOperationResult,
) -> Result<AzOperation, AzureError> {
    let nic = required::<AzNic>(tx, t, "networkInterfaces", Tagged::Nic)?;
    let result = read(tx.world(), &nic);
    Ok(record_operation(
        tx,
        &t.subscription,
        &nic.place.location,
        result,
    ))
}
