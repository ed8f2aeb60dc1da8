//! Aws driver (to be written: this placeholder refuses every call).

use vpcpeer_controller::{Action, Cloud, Desired, Observed};

use crate::{DriverError, Drivers};

/// Reads the topology's Aws networks into `out`.
pub(crate) async fn observe(
    d: &mut Drivers,
    desired: &Desired,
    out: &mut Observed,
) -> Result<(), DriverError> {
    let _ = (d, out);
    match desired.networks.values().any(|n| n.cloud == Cloud::Aws) {
        true => Err(DriverError::transport(
            Cloud::Aws,
            "observe",
            "not written yet",
        )),
        false => Ok(()),
    }
}

/// Carries out one Aws step.
pub(crate) async fn execute(
    d: &mut Drivers,
    desired: &Desired,
    action: &Action,
) -> Result<(), DriverError> {
    let _ = (d, desired);
    Err(DriverError::transport(
        Cloud::Aws,
        &action.to_string(),
        "not written yet",
    ))
}
