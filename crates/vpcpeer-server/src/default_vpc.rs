//! Default VPCs on the EC2 face: with [`ServerConfig::default_vpcs`] on, the first EC2 request
//! of an account in a region (any action the face serves, read or change, dry run or not) is
//! preceded by [`Command::EnsureDefaultVpc`], which lays out that region's default VPC and
//! records the region as set up (see `vpcpeer_model::aws::default_vpc`). It is a command like
//! any other: committed before the request runs, in the command log, replayed by a replay. A
//! request of a region already set up costs one lookup of that record under the world lock.
//! Requests refused before an action runs (unknown action, bad version, a region outside the
//! partition, an armed fault, a refused signature) set nothing up; GCP and Azure requests never
//! do.

use vpcpeer_model::aws::default_vpc::region_set_up;
use vpcpeer_model::aws::Command;
use vpcpeer_model::Scope;
use vpcpeer_service::ServiceError;

use crate::AppState;

/// What the server does beyond answering each request as it comes, chosen by the composition
/// root.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerConfig {
    /// Give every account a default VPC in every region, created the first time the account
    /// uses the region through the EC2 face. Off in [`ServerConfig::default`] (an empty
    /// account, which the in-process tests start from); `vpcpeer serve` turns it on unless
    /// `--no-default-vpc` (or `"default_vpc": false` in its config file).
    pub default_vpcs: bool,
}

impl ServerConfig {
    /// The configuration of `vpcpeer serve` by default: default VPCs on.
    pub fn serve() -> Self {
        ServerConfig { default_vpcs: true }
    }
}

/// Sets up `scope`'s region before its request runs, if default VPCs are on and the region is
/// not set up yet. Two first requests at once both find it missing; the second command finds
/// it done under the world lock and changes nothing (neither committed nor logged).
pub(crate) async fn ensure(st: &AppState, scope: &Scope) -> Result<(), ServiceError> {
    if !st.config.default_vpcs {
        return Ok(());
    }
    let needed = st
        .emulator
        .query(scope.clone(), |tx| !region_set_up(tx.world(), tx.scope()));
    if !needed {
        return Ok(());
    }
    let done = st
        .emulator
        .execute(scope.clone(), false, Command::EnsureDefaultVpc, |_, _| ())
        .await?;
    if let Err(e) = done {
        // The command refuses nothing; should it, the request still runs (without a default
        // VPC) and the next one tries again.
        tracing::error!(error = %e, "setting up the default VPC failed");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
