//! The Azure command enum: every change the ARM face can ask for, as a value, and its one
//! [`Apply::apply`]. Each variant carries what the request asked for (the wire crate reads the
//! JSON body and the path into these); the outcome carries the records as the command left them
//! and the finished long-running operation the reply points at.
//!
//! Long-running operations: every PUT of a `Microsoft.Network`/`Microsoft.Compute` resource, every
//! DELETE that removed something, every effective-route/NSG read and every VM power operation
//! (deallocate, powerOff, start) records a finished
//! [`AzOperation`] (in the resource's location) as part of the command, after the change itself,
//! so replaying the command log draws the same ids and leaves the same operation records.
//! A PUT of a resource group records none (ARM answers it synchronously).

use serde::{Deserialize, Serialize};

use crate::azure::ops::{
    self, PutGateway, PutNic, PutNsg, PutPeering, PutPublicIp, PutRouteTable, PutVm, PutVnet,
    RouteSpec, SubnetSpec, Tagged, Target, VmPowerAction,
};
use crate::azure::{
    key, resource_group_id, AzGateway, AzNic, AzNsg, AzOperation, AzOperationResult, AzPeering,
    AzPublicIp, AzResourceGroup, AzRouteTable, AzSecurityRule, AzTags, AzVm, AzVnet, AzureError,
};
use crate::command::Apply;
use crate::Tx;

/// A change to the Azure side of the world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Creates or updates a resource group.
    PutResourceGroup {
        /// Subscription.
        subscription: String,
        /// Group name.
        name: String,
        /// Location asked for.
        location: Option<String>,
        /// Tags.
        tags: AzTags,
    },
    /// Deletes a resource group and everything in it.
    DeleteResourceGroup {
        /// Subscription.
        subscription: String,
        /// Group name.
        name: String,
    },
    /// Creates or updates a virtual network (with its inline subnets).
    PutVnet {
        /// The VNet.
        target: Target,
        /// What the request asked for.
        vnet: PutVnet,
    },
    /// Deletes a virtual network and its peering links.
    DeleteVnet {
        /// The VNet.
        target: Target,
    },
    /// Creates or updates one subnet.
    PutSubnet {
        /// The VNet.
        vnet: Target,
        /// The subnet.
        subnet: SubnetSpec,
    },
    /// Deletes one subnet.
    DeleteSubnet {
        /// The VNet.
        vnet: Target,
        /// Subnet name.
        name: String,
    },
    /// Creates or updates a VNet peering link.
    PutPeering {
        /// The local VNet.
        vnet: Target,
        /// Link name.
        name: String,
        /// What the request asked for.
        peering: PutPeering,
    },
    /// Deletes a VNet peering link.
    DeletePeering {
        /// The local VNet.
        vnet: Target,
        /// Link name.
        name: String,
    },
    /// Creates or updates a network security group (with its rules).
    PutNsg {
        /// The NSG.
        target: Target,
        /// What the request asked for.
        nsg: PutNsg,
    },
    /// Deletes a network security group.
    DeleteNsg {
        /// The NSG.
        target: Target,
    },
    /// Creates or updates one security rule.
    PutSecurityRule {
        /// The NSG.
        nsg: Target,
        /// The rule.
        rule: AzSecurityRule,
    },
    /// Deletes one security rule.
    DeleteSecurityRule {
        /// The NSG.
        nsg: Target,
        /// Rule name.
        name: String,
    },
    /// Creates or updates a route table (with its routes).
    PutRouteTable {
        /// The table.
        target: Target,
        /// What the request asked for.
        table: PutRouteTable,
    },
    /// Deletes a route table.
    DeleteRouteTable {
        /// The table.
        target: Target,
    },
    /// Creates or updates one route.
    PutRoute {
        /// The table.
        table: Target,
        /// The route.
        route: RouteSpec,
    },
    /// Deletes one route.
    DeleteRoute {
        /// The table.
        table: Target,
        /// Route name.
        name: String,
    },
    /// Creates or updates a network interface.
    PutNic {
        /// The NIC.
        target: Target,
        /// What the request asked for.
        nic: PutNic,
    },
    /// Deletes a network interface.
    DeleteNic {
        /// The NIC.
        target: Target,
    },
    /// Creates or updates a virtual network gateway.
    PutGateway {
        /// The gateway.
        target: Target,
        /// What the request asked for.
        gateway: PutGateway,
    },
    /// Deletes a virtual network gateway.
    DeleteGateway {
        /// The gateway.
        target: Target,
    },
    /// Creates or updates a virtual machine (attaching its NICs).
    PutVm {
        /// The VM.
        target: Target,
        /// What the request asked for.
        vm: PutVm,
    },
    /// Deletes a virtual machine (its NICs stay, detached).
    DeleteVm {
        /// The VM.
        target: Target,
    },
    /// Replaces the tags of a top-level resource.
    UpdateTags {
        /// Which kind of resource.
        kind: Tagged,
        /// The resource.
        target: Target,
        /// The new tags.
        tags: AzTags,
    },
    /// Computes a NIC's effective routes into a finished operation.
    EffectiveRouteTable {
        /// The NIC.
        nic: Target,
    },
    /// Computes a NIC's effective security groups into a finished operation.
    EffectiveNsgs {
        /// The NIC.
        nic: Target,
    },
    /// Creates or updates a public IP address.
    PutPublicIp {
        /// The address.
        target: Target,
        /// What the request asked for.
        ip: PutPublicIp,
    },
    /// Deletes a public IP address.
    DeletePublicIp {
        /// The address.
        target: Target,
    },
    /// Deallocates, powers off or starts a VM (a POST answered as a finished operation).
    VmPower {
        /// The VM.
        target: Target,
        /// Which operation.
        action: VmPowerAction,
    },
}

/// The record a PUT wrote, as the command left it.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// A virtual network.
    Vnet(AzVnet),
    /// A subnet (named `name`) of `vnet`.
    Subnet {
        /// The VNet holding it.
        vnet: AzVnet,
        /// The subnet's name as the request spelled it.
        name: String,
    },
    /// A peering link.
    Peering(AzPeering),
    /// A network security group.
    Nsg(AzNsg),
    /// A security rule (named `name`) of `nsg`.
    SecurityRule {
        /// The NSG holding it.
        nsg: AzNsg,
        /// The rule's name as the request spelled it.
        name: String,
    },
    /// A route table.
    RouteTable(AzRouteTable),
    /// A route (named `name`) of `table`.
    Route {
        /// The table holding it.
        table: AzRouteTable,
        /// The route's name as the request spelled it.
        name: String,
    },
    /// A network interface.
    Nic(AzNic),
    /// A virtual network gateway.
    Gateway(AzGateway),
    /// A virtual machine.
    Vm(AzVm),
    /// A public IP address.
    PublicIp(AzPublicIp),
}

/// What a successful Azure command hands back for the reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A resource group was written (synchronously: no operation).
    ResourceGroup {
        /// The group.
        group: AzResourceGroup,
        /// Whether it was created.
        created: bool,
    },
    /// A resource was written, and its finished operation recorded.
    Written {
        /// The record (boxed: records are large beside the other outcomes).
        record: Box<Written>,
        /// Whether it was created.
        created: bool,
        /// The finished operation.
        operation: AzOperation,
    },
    /// A DELETE ran: the finished operation when something was removed, `None` when there was
    /// nothing to remove.
    Deleted(Option<AzOperation>),
    /// Tags were replaced.
    Retagged,
    /// A NIC read or a VM power operation ran as an operation, already finished with its
    /// result.
    Started(AzOperation),
}

/// The location of the top-level record `R` stored under `id`.
fn location_of<R: ops::TopLevel>(tx: &Tx<'_, '_>, id: &str) -> Option<String> {
    tx.get::<R>(&key(id)).map(|r| r.place().location.clone())
}

impl Command {
    /// The subscription the command acts in (the one its path names).
    pub fn subscription(&self) -> &str {
        match self {
            Command::PutResourceGroup { subscription, .. }
            | Command::DeleteResourceGroup { subscription, .. } => subscription,
            Command::PutVnet { target, .. }
            | Command::DeleteVnet { target }
            | Command::PutNsg { target, .. }
            | Command::DeleteNsg { target }
            | Command::PutRouteTable { target, .. }
            | Command::DeleteRouteTable { target }
            | Command::PutNic { target, .. }
            | Command::DeleteNic { target }
            | Command::PutGateway { target, .. }
            | Command::DeleteGateway { target }
            | Command::PutVm { target, .. }
            | Command::DeleteVm { target }
            | Command::PutPublicIp { target, .. }
            | Command::DeletePublicIp { target }
            | Command::VmPower { target, .. }
            | Command::UpdateTags { target, .. } => &target.subscription,
            Command::PutSubnet { vnet, .. }
            | Command::DeleteSubnet { vnet, .. }
            | Command::PutPeering { vnet, .. }
            | Command::DeletePeering { vnet, .. } => &vnet.subscription,
            Command::PutSecurityRule { nsg, .. } | Command::DeleteSecurityRule { nsg, .. } => {
                &nsg.subscription
            }
            Command::PutRoute { table, .. } | Command::DeleteRoute { table, .. } => {
                &table.subscription
            }
            Command::EffectiveRouteTable { nic } | Command::EffectiveNsgs { nic } => {
                &nic.subscription
            }
        }
    }

    /// The location of what a DELETE names (read before it goes), for its operation URL;
    /// `None` for any other command.
    fn deleted_location(&self, tx: &Tx<'_, '_>) -> Option<String> {
        match self {
            Command::DeleteResourceGroup { subscription, name } => tx
                .get::<AzResourceGroup>(&key(&resource_group_id(subscription, name)))
                .map(|g| g.location.clone()),
            Command::DeleteVnet { target: vnet }
            | Command::DeleteSubnet { vnet, .. }
            | Command::DeletePeering { vnet, .. } => {
                location_of::<AzVnet>(tx, &vnet.network_id("virtualNetworks"))
            }
            Command::DeleteNsg { target: nsg } | Command::DeleteSecurityRule { nsg, .. } => {
                location_of::<AzNsg>(tx, &nsg.network_id("networkSecurityGroups"))
            }
            Command::DeleteRouteTable { target: table } | Command::DeleteRoute { table, .. } => {
                location_of::<AzRouteTable>(tx, &table.network_id("routeTables"))
            }
            Command::DeleteNic { target } => {
                location_of::<AzNic>(tx, &target.network_id("networkInterfaces"))
            }
            Command::DeleteGateway { target } => {
                location_of::<AzGateway>(tx, &target.network_id("virtualNetworkGateways"))
            }
            Command::DeleteVm { target } => location_of::<AzVm>(tx, &ops::vm_id(target)),
            Command::DeletePublicIp { target } => {
                location_of::<AzPublicIp>(tx, &ops::public_ip_id(target))
            }
            _ => None,
        }
    }
}

/// The outcome of a DELETE: an operation in `location` when it removed something.
fn deleted(
    tx: &mut Tx<'_, '_>,
    subscription: &str,
    location: Option<String>,
    existed: bool,
) -> Outcome {
    Outcome::Deleted(match (existed, location) {
        (true, Some(loc)) => Some(ops::record_operation(
            tx,
            subscription,
            &loc,
            AzOperationResult::None,
        )),
        _ => None,
    })
}

/// Records the finished operation of a PUT that wrote `record`, in its location.
fn written(tx: &mut Tx<'_, '_>, subscription: &str, (record, created): (Written, bool)) -> Outcome {
    let location = match &record {
        Written::Vnet(v) | Written::Subnet { vnet: v, .. } => v.place.location.clone(),
        Written::Peering(l) => tx
            .get::<AzVnet>(&l.vnet)
            .map(|v| v.place.location.clone())
            .unwrap_or_default(),
        Written::Nsg(n) | Written::SecurityRule { nsg: n, .. } => n.place.location.clone(),
        Written::RouteTable(t) | Written::Route { table: t, .. } => t.place.location.clone(),
        Written::Nic(n) => n.place.location.clone(),
        Written::Gateway(g) => g.place.location.clone(),
        Written::Vm(v) => v.place.location.clone(),
        Written::PublicIp(p) => p.place.location.clone(),
    };
    let operation = ops::record_operation(tx, subscription, &location, AzOperationResult::None);
    Outcome::Written {
        record: Box::new(record),
        created,
        operation,
    }
}

/// A PUT's step: its record in its wrapper, and whether it was created.
fn wrap<T>((record, created): (T, bool), f: impl FnOnce(T) -> Written) -> Step {
    Step::Written(Box::new((f(record), created)))
}

/// What `apply` did, before the reply's operation is recorded.
enum Step {
    /// Finished: nothing to record.
    Done(Outcome),
    /// A PUT wrote a record (and whether it was created).
    Written(Box<(Written, bool)>),
    /// A DELETE ran (and whether it removed something).
    Deleted(bool),
}

impl Apply for Command {
    type Outcome = Outcome;
    type Error = AzureError;

    fn apply(self, tx: &mut Tx<'_, '_>) -> Result<Outcome, AzureError> {
        let sub = self.subscription().to_owned();
        let loc = self.deleted_location(tx);
        let step = match self {
            Command::PutResourceGroup {
                subscription,
                name,
                location,
                tags,
            } => {
                let (group, created) =
                    ops::put_resource_group(tx, &subscription, &name, location.as_deref(), tags)?;
                Step::Done(Outcome::ResourceGroup { group, created })
            }
            Command::UpdateTags { kind, target, tags } => {
                ops::update_tags(tx, kind, &target, tags)?;
                Step::Done(Outcome::Retagged)
            }
            Command::EffectiveRouteTable { nic } => {
                Step::Done(Outcome::Started(ops::effective_route_table(tx, &nic)?))
            }
            Command::EffectiveNsgs { nic } => {
                Step::Done(Outcome::Started(ops::effective_nsgs(tx, &nic)?))
            }
            Command::DeleteResourceGroup { subscription, name } => {
                Step::Deleted(ops::delete_resource_group(tx, &subscription, &name)?)
            }
            Command::DeleteVnet { target } => Step::Deleted(ops::delete_vnet(tx, &target)?),
            Command::DeleteSubnet { vnet, name } => {
                Step::Deleted(ops::delete_subnet(tx, &vnet, &name)?)
            }
            Command::DeletePeering { vnet, name } => {
                Step::Deleted(ops::delete_peering(tx, &vnet, &name)?)
            }
            Command::DeleteNsg { target } => Step::Deleted(ops::delete_nsg(tx, &target)?),
            Command::DeleteSecurityRule { nsg, name } => {
                Step::Deleted(ops::delete_security_rule(tx, &nsg, &name)?)
            }
            Command::DeleteRouteTable { target } => {
                Step::Deleted(ops::delete_route_table(tx, &target)?)
            }
            Command::DeleteRoute { table, name } => {
                Step::Deleted(ops::delete_route(tx, &table, &name)?)
            }
            Command::DeleteNic { target } => Step::Deleted(ops::delete_nic(tx, &target)?),
            Command::DeleteGateway { target } => Step::Deleted(ops::delete_gateway(tx, &target)?),
            Command::DeleteVm { target } => Step::Deleted(ops::delete_vm(tx, &target)?),
            Command::DeletePublicIp { target } => {
                Step::Deleted(ops::delete_public_ip(tx, &target)?)
            }
            Command::PutPublicIp { target, ip } => {
                wrap(ops::put_public_ip(tx, &target, ip)?, Written::PublicIp)
            }
            Command::VmPower { target, action } => {
                let vm = ops::vm_power(tx, &target, action)?;
                Step::Done(Outcome::Started(ops::record_operation(
                    tx,
                    &vm.place.subscription,
                    &vm.place.location,
                    AzOperationResult::None,
                )))
            }
            Command::PutVnet { target, vnet } => {
                wrap(ops::put_vnet(tx, &target, vnet)?, Written::Vnet)
            }
            Command::PutSubnet { vnet, subnet } => {
                let name = subnet.name.clone();
                wrap(ops::put_subnet(tx, &vnet, subnet)?, |vnet| {
                    Written::Subnet { vnet, name }
                })
            }
            Command::PutPeering {
                vnet,
                name,
                peering,
            } => wrap(
                ops::put_peering(tx, &vnet, &name, peering)?,
                Written::Peering,
            ),
            Command::PutNsg { target, nsg } => wrap(ops::put_nsg(tx, &target, nsg)?, Written::Nsg),
            Command::PutSecurityRule { nsg, rule } => {
                let name = rule.name.clone();
                wrap(ops::put_security_rule(tx, &nsg, rule)?, |nsg| {
                    Written::SecurityRule { nsg, name }
                })
            }
            Command::PutRouteTable { target, table } => wrap(
                ops::put_route_table(tx, &target, table)?,
                Written::RouteTable,
            ),
            Command::PutRoute { table, route } => {
                let name = route.name.clone();
                wrap(ops::put_route(tx, &table, route)?, |table| Written::Route {
                    table,
                    name,
                })
            }
            Command::PutNic { target, nic } => wrap(ops::put_nic(tx, &target, nic)?, Written::Nic),
            Command::PutGateway { target, gateway } => {
                wrap(ops::put_gateway(tx, &target, gateway)?, Written::Gateway)
            }
            Command::PutVm { target, vm } => wrap(ops::put_vm(tx, &target, vm)?, Written::Vm),
        };
        Ok(match step {
            Step::Done(outcome) => outcome,
            Step::Written(w) => written(tx, &sub, *w),
            Step::Deleted(existed) => deleted(tx, &sub, loc, existed),
        })
    }
}
