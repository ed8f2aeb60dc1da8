//! The GCP command enum: every change the Compute face can ask for, as a value, and its one
//! [`Apply::apply`].
//!
//! The project of every command is the scope's account (the project in the request's path), so
//! a command names only what lies inside the project: a network's name, a region and a
//! subnetwork's name, and so on. Every command first completes the peering operations whose time
//! has come ([`settle_due_operations`]), inside the same transaction, exactly as each request
//! did before it was a command: a refused command rolls that back too.
//!
//! Reads (get, list, `listPeeringRoutes`) are not commands; the face runs
//! [`Command::SettleOperations`] before a read when an operation is due
//! ([`has_due_operations`]), so a read never writes, and a settle that completes nothing changes
//! nothing (so it is neither committed nor logged).

use serde::{Deserialize, Serialize};

use super::peering::due_operations;
use super::*;
use crate::command::Apply;
use crate::Tx;

/// A change to the GCP side of the world, in the caller's project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    // Networks.
    /// `networks.insert`.
    InsertNetwork(NetworkSpec),
    /// `networks.delete`.
    DeleteNetwork {
        /// The network's name.
        name: String,
    },
    /// `networks.patch`.
    PatchNetwork {
        /// The network's name.
        name: String,
        /// What changes.
        patch: NetworkPatch,
    },
    // Peering.
    /// `networks.addPeering`.
    AddPeering {
        /// The local network's name.
        network: String,
        /// The new entry.
        peering: AddPeering,
    },
    /// `networks.removePeering`.
    RemovePeering {
        /// The local network's name.
        network: String,
        /// The entry's name.
        name: String,
    },
    /// `networks.updatePeering`.
    UpdatePeering {
        /// The local network's name.
        network: String,
        /// The entry and its new flags.
        peering: UpdatePeering,
    },
    // Subnetworks.
    /// `subnetworks.insert`.
    InsertSubnetwork {
        /// The region in the path.
        region: String,
        /// The new subnetwork.
        spec: SubnetSpec,
    },
    /// `subnetworks.delete`.
    DeleteSubnetwork {
        /// The region in the path.
        region: String,
        /// The subnetwork's name.
        name: String,
    },
    /// `subnetworks.expandIpCidrRange`.
    ExpandSubnetwork {
        /// The region in the path.
        region: String,
        /// The subnetwork's name.
        name: String,
        /// The new primary range.
        range: RangeInput,
    },
    // Routes.
    /// `routes.insert`.
    InsertRoute(RouteSpec),
    /// `routes.delete`.
    DeleteRoute {
        /// The route's name.
        name: String,
    },
    // Firewalls.
    /// `firewalls.insert`.
    InsertFirewall(FirewallSpec),
    /// `firewalls.patch` and `firewalls.update` (the face fills every field for an update).
    PatchFirewall {
        /// The rule's name.
        name: String,
        /// What changes.
        patch: FirewallPatch,
    },
    /// `firewalls.delete`.
    DeleteFirewall {
        /// The rule's name.
        name: String,
    },
    // Instances.
    /// `instances.insert`.
    InsertInstance {
        /// The zone in the path.
        zone: String,
        /// The new instance.
        spec: InstanceSpec,
    },
    /// `instances.delete`.
    DeleteInstance {
        /// The zone in the path.
        zone: String,
        /// The instance's name.
        name: String,
    },
    /// `instances.stop`.
    StopInstance {
        /// The zone in the path.
        zone: String,
        /// The instance's name.
        name: String,
    },
    /// `instances.start`.
    StartInstance {
        /// The zone in the path.
        zone: String,
        /// The instance's name.
        name: String,
    },
    /// `instances.setMetadata`.
    SetInstanceMetadata {
        /// The zone in the path.
        zone: String,
        /// The instance's name.
        name: String,
        /// The new items and the fingerprint they replace.
        metadata: MetadataInput,
    },
    // Addresses.
    /// `addresses.insert`.
    InsertAddress {
        /// The region in the path.
        region: String,
        /// The new address.
        spec: AddressSpec,
    },
    /// `addresses.delete`.
    DeleteAddress {
        /// The region in the path.
        region: String,
        /// The address's name.
        name: String,
    },
    // Operations.
    /// `operations.get` / `wait` of an operation: completes it if it is still running (and
    /// answers `notFound` when there is none).
    CompleteOperation {
        /// The operation's relative path.
        id: String,
    },
    /// `operations.delete`: forgets a finished operation.
    DeleteOperation {
        /// The operation's relative path.
        id: String,
    },
    /// Completes every running operation whose time has come (before a read).
    SettleOperations,
}

/// What a successful GCP command hands back for the reply.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The operation the change left (or the operation asked for), as the command left it.
    Operation(Box<GcpOperation>),
    /// An operation was deleted (the reply is an empty object).
    OperationDeleted,
    /// Due operations were completed (nothing to show).
    Settled,
}

impl Apply for Command {
    type Outcome = Outcome;
    type Error = GcpError;

    fn apply(self, tx: &mut Tx<'_, '_>) -> Result<Outcome, GcpError> {
        settle_due_operations(tx);
        let project = tx.ctx.scope.account.clone();
        let p = project.as_str();
        let op = match self {
            Command::InsertNetwork(spec) => insert_network(tx, p, spec),
            Command::DeleteNetwork { name } => delete_network(tx, p, &name),
            Command::PatchNetwork { name, patch } => patch_network(tx, p, &name, patch),
            Command::AddPeering { network, peering } => add_peering(tx, p, &network, peering),
            Command::RemovePeering { network, name } => remove_peering(tx, p, &network, &name),
            Command::UpdatePeering { network, peering } => update_peering(tx, p, &network, peering),
            Command::InsertSubnetwork { region, spec } => insert_subnetwork(tx, p, &region, spec),
            Command::DeleteSubnetwork { region, name } => delete_subnetwork(tx, p, &region, &name),
            Command::ExpandSubnetwork {
                region,
                name,
                range,
            } => expand_subnetwork(tx, p, &region, &name, &range),
            Command::InsertRoute(spec) => insert_route(tx, p, spec),
            Command::DeleteRoute { name } => delete_route(tx, p, &name),
            Command::InsertFirewall(spec) => insert_firewall(tx, p, spec),
            Command::PatchFirewall { name, patch } => patch_firewall(tx, p, &name, patch),
            Command::DeleteFirewall { name } => delete_firewall(tx, p, &name),
            Command::InsertInstance { zone, spec } => insert_instance(tx, p, &zone, spec),
            Command::DeleteInstance { zone, name } => delete_instance(tx, p, &zone, &name),
            Command::StopInstance { zone, name } => stop_instance(tx, p, &zone, &name),
            Command::StartInstance { zone, name } => start_instance(tx, p, &zone, &name),
            Command::SetInstanceMetadata {
                zone,
                name,
                metadata,
            } => set_instance_metadata(tx, p, &zone, &name, metadata),
            Command::InsertAddress { region, spec } => insert_address(tx, p, &region, spec),
            Command::DeleteAddress { region, name } => delete_address(tx, p, &region, &name),
            Command::CompleteOperation { id } => get_operation(tx, &id),
            Command::DeleteOperation { id } => {
                return delete_operation(tx, &id).map(|()| Outcome::OperationDeleted)
            }
            Command::SettleOperations => return Ok(Outcome::Settled),
        };
        op.map(|o| Outcome::Operation(Box::new(o)))
    }
}

/// Whether a read should first run [`Command::SettleOperations`]: some running operation's time
/// has come.
pub fn needs_settling(tx: &Tx<'_, '_>) -> bool {
    due_operations(tx).next().is_some()
}
