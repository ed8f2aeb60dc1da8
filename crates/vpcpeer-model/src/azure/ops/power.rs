//! A VM's power: `POST …/virtualMachines/{vm}/deallocate`, `/powerOff` and `/start`.
//!
//! - `deallocate` (from any state; again on a deallocated VM it changes nothing) releases the
//!   addresses of the Dynamic public IPs its NICs use, as Azure does; Static ones stay.
//! - `powerOff` stops a running (or stopped) VM, which keeps its addresses; a deallocated VM is
//!   refused (`OperationNotAllowed`, 409, as ARM answers "since the VM is either deallocated or
//!   marked to be deallocated").
//! - `start` runs the VM from any state and gives its Dynamic public IPs an address again.
//!
//! Every one finishes at once (no `starting`/`deallocating` states); the reply's operation is
//! recorded like every long-running operation's. Each one that is accepted (a repeated one too:
//! Azure runs it again) is the VM's last operation, ending at the transaction's time
//! (`AzVm::last_operation`, the `time` of the instance view's `ProvisioningState/succeeded`); a
//! refused one changes nothing.

use super::*;

/// A power operation of a VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VmPowerAction {
    /// `deallocate`.
    Deallocate,
    /// `powerOff`.
    PowerOff,
    /// `start`.
    Start,
}

/// The VM `t` names, after the resource group check, or its `NotFound`.
pub fn get_vm<'w>(world: &'w World, t: &Target) -> Result<&'w AzVm, AzureError> {
    require_group(world, t)?;
    world
        .azure
        .vms
        .get(&key(&vm_id(t)))
        .ok_or_else(|| t.not_found(Tagged::Vm))
}

/// Applies `action` to the VM `t` names; returns the VM as it leaves it.
pub fn vm_power(
    tx: &mut Tx<'_, '_>,
    t: &Target,
    action: VmPowerAction,
) -> Result<AzVm, AzureError> {
    let vm = get_vm(tx.world(), t)?.clone();
    let power = match (action, vm.power) {
        (VmPowerAction::PowerOff, AzPowerState::Deallocated) => {
            return Err(AzureError::VmOperationNotAllowed {
                vm: vm.name,
                operation: action,
            })
        }
        (VmPowerAction::PowerOff, _) => AzPowerState::Stopped,
        (VmPowerAction::Deallocate, _) => AzPowerState::Deallocated,
        (VmPowerAction::Start, _) => AzPowerState::Running,
    };
    let active = power != AzPowerState::Deallocated;
    let pips: Vec<String> = vm
        .nics
        .iter()
        .filter_map(|n| tx.world().azure.nics.get(&key(n)))
        .flat_map(|n| n.ip_configs.iter().filter_map(|c| c.public_ip.as_deref()))
        .map(key)
        .collect();
    let last_operation = Some(tx.now());
    if let Some(v) = tx.get_mut::<AzVm>(&vm.id) {
        v.power = power;
        v.last_operation = last_operation;
    }
    for p in pips {
        refresh_dynamic(tx, &p, active)?;
    }
    Ok(AzVm {
        power,
        last_operation,
        ..vm
    })
}
