//! Instances as routers (the appliance pattern: a NAT instance, a firewall VM): the
//! source/destination check and the other attributes of a network interface
//! (ModifyNetworkInterfaceAttribute, ResetNetworkInterfaceAttribute), the instance attributes
//! that act on its primary interface (ModifyInstanceAttribute), and StopInstances /
//! StartInstances.
//!
//! A route to an instance or to an interface is `blackhole` while the instance is not running
//! ([`route_state`](crate::aws::route::route_state), derived at read time): stopping an
//! appliance blackholes the routes through it, starting it again revives them, and nothing
//! rewrites a route table.
//!
//! Choices where AWS is unverified:
//! - Instances change state at once: StopInstances stores `stopped` and answers
//!   `running → stopping`; StartInstances stores `running` and answers `stopped → pending` (as
//!   RunInstances answers `pending` for an instance already running). Stopping a stopped
//!   instance, or starting a running one, answers its state as both previous and current.
//!   `Force` and `Hibernate` are accepted and change nothing.
//! - A terminated instance can be neither stopped nor started, nor have its attributes changed
//!   (`IncorrectInstanceState`); a change of instance type or of user data needs a stopped
//!   instance, as on AWS (an empty user data value removes it [UNVERIFIED]).
//! - Public IPv4 addresses are not modelled in this tree, so a stopped instance has none to
//!   release.
//! - ModifyInstanceAttribute `SourceDestCheck` and `GroupId.N` act on the instance's primary
//!   interface (device index 0), as AWS documents for `SourceDestCheck`.
//! - An interface takes at most [`MAX_GROUPS_PER_INTERFACE`] security groups (AWS's default
//!   quota), each the caller's and in the interface's VPC; a description at most
//!   [`MAX_DESCRIPTION`] characters.

use serde::{Deserialize, Serialize};

use crate::aws::error::{ApplianceProblem, Field, InstanceAction};
use crate::aws::instance::{valid_instance_type, Terminated};
use crate::{DomainError, Instance, InstanceState, NetworkInterface, Tx};

/// Security groups one interface may have (AWS's default quota).
pub const MAX_GROUPS_PER_INTERFACE: usize = 5;

/// Longest interface description.
pub const MAX_DESCRIPTION: usize = 255;

/// One change to a network interface (ModifyNetworkInterfaceAttribute takes one per call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InterfaceChange {
    /// `SourceDestCheck.Value`.
    SourceDestCheck(bool),
    /// `Description.Value`.
    Description(String),
    /// `SecurityGroupId.N`: replaces the groups.
    Groups(Vec<String>),
    /// `Attachment.AttachmentId` + `Attachment.DeleteOnTermination`.
    DeleteOnTermination {
        /// The interface's attachment.
        attachment_id: String,
        /// The new flag.
        value: bool,
    },
}

/// One change to an instance (ModifyInstanceAttribute takes one per call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceChange {
    /// `SourceDestCheck.Value`, on the primary interface.
    SourceDestCheck(bool),
    /// `GroupId.N`, on the primary interface.
    Groups(Vec<String>),
    /// `InstanceType.Value` (the instance must be stopped).
    InstanceType(String),
    /// `UserData.Value`: the new user data in base64 (the instance must be stopped, as on AWS);
    /// an empty value removes it.
    UserData(String),
}

/// The appliance area's commands (one variant of [`crate::aws::Command`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplianceCommand {
    /// ModifyNetworkInterfaceAttribute.
    ModifyInterface {
        /// The interface.
        interface_id: String,
        /// The change.
        change: InterfaceChange,
    },
    /// ResetNetworkInterfaceAttribute (`sourceDestCheck`: back to true).
    ResetSourceDestCheck {
        /// The interface.
        interface_id: String,
    },
    /// ModifyInstanceAttribute.
    ModifyInstance {
        /// The instance.
        instance_id: String,
        /// The change.
        change: InstanceChange,
    },
    /// StopInstances (`Force` and `Hibernate` change nothing).
    Stop {
        /// The instances.
        ids: Vec<String>,
    },
    /// StartInstances.
    Start {
        /// The instances.
        ids: Vec<String>,
    },
}

/// What an appliance command hands back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplianceOutcome {
    /// An attribute changed (`<return>true</return>`).
    Done,
    /// The state changes of a stop.
    Stopped(Vec<Terminated>),
    /// The state changes of a start.
    Started(Vec<Terminated>),
}

fn incorrect(i: &Instance, action: InstanceAction) -> DomainError {
    DomainError::Appliance(ApplianceProblem::IncorrectInstanceState {
        instance_id: i.id.clone(),
        state: i.state,
        action,
    })
}

fn gone(state: InstanceState) -> bool {
    matches!(
        state,
        InstanceState::Terminated | InstanceState::ShuttingDown
    )
}

impl Tx<'_, '_> {
    /// Applies an appliance command.
    pub fn apply_appliance(
        &mut self,
        c: ApplianceCommand,
    ) -> Result<ApplianceOutcome, DomainError> {
        match c {
            ApplianceCommand::ModifyInterface {
                interface_id,
                change,
            } => self
                .modify_interface(&interface_id, change)
                .map(|()| ApplianceOutcome::Done),
            ApplianceCommand::ResetSourceDestCheck { interface_id } => self
                .modify_interface(&interface_id, InterfaceChange::SourceDestCheck(true))
                .map(|()| ApplianceOutcome::Done),
            ApplianceCommand::ModifyInstance {
                instance_id,
                change,
            } => self
                .modify_instance(&instance_id, change)
                .map(|()| ApplianceOutcome::Done),
            ApplianceCommand::Stop { ids } => {
                self.stop_instances(&ids).map(ApplianceOutcome::Stopped)
            }
            ApplianceCommand::Start { ids } => {
                self.start_instances(&ids).map(ApplianceOutcome::Started)
            }
        }
    }

    /// ModifyNetworkInterfaceAttribute: one change to the caller's interface.
    pub fn modify_interface(
        &mut self,
        id: &str,
        change: InterfaceChange,
    ) -> Result<(), DomainError> {
        let eni = self.owned::<NetworkInterface>(id)?.clone();
        match change {
            InterfaceChange::SourceDestCheck(v) => {
                self.owned_mut::<NetworkInterface>(id)?.source_dest_check = v;
            }
            InterfaceChange::Description(d) => {
                if d.chars().count() > MAX_DESCRIPTION {
                    return Err(DomainError::Appliance(
                        ApplianceProblem::DescriptionTooLong {
                            max: MAX_DESCRIPTION,
                        },
                    ));
                }
                self.owned_mut::<NetworkInterface>(id)?.description = d;
            }
            InterfaceChange::Groups(given) => {
                let groups = self.interface_groups(&eni.vpc_id, &given)?;
                self.owned_mut::<NetworkInterface>(id)?.groups = groups;
            }
            InterfaceChange::DeleteOnTermination {
                attachment_id,
                value,
            } => {
                if eni
                    .attachment
                    .as_ref()
                    .is_none_or(|a| a.id != attachment_id)
                {
                    return Err(DomainError::Appliance(
                        ApplianceProblem::AttachmentNotFound { attachment_id },
                    ));
                }
                if let Some(a) = self.owned_mut::<NetworkInterface>(id)?.attachment.as_mut() {
                    a.delete_on_termination = value;
                }
            }
        }
        Ok(())
    }

    /// The groups for an interface of `vpc_id`: at least one, at most
    /// [`MAX_GROUPS_PER_INTERFACE`], each the caller's and in the VPC (repeats kept once).
    fn interface_groups(&self, vpc_id: &str, given: &[String]) -> Result<Vec<String>, DomainError> {
        if given.is_empty() {
            return Err(DomainError::Appliance(ApplianceProblem::NoGroups));
        }
        let groups = self.groups_for(vpc_id, given)?;
        if groups.len() > MAX_GROUPS_PER_INTERFACE {
            return Err(DomainError::Appliance(ApplianceProblem::TooManyGroups {
                given: groups.len(),
                max: MAX_GROUPS_PER_INTERFACE,
            }));
        }
        Ok(groups)
    }

    /// ModifyInstanceAttribute: one change to the caller's visible instance.
    pub fn modify_instance(&mut self, id: &str, change: InstanceChange) -> Result<(), DomainError> {
        let inst = self.visible_instance(id)?.clone();
        if gone(inst.state) {
            return Err(incorrect(&inst, InstanceAction::Modify));
        }
        let primary = || {
            inst.eni_ids.first().cloned().ok_or_else(|| {
                DomainError::Appliance(ApplianceProblem::NoPrimaryInterface {
                    instance_id: inst.id.clone(),
                })
            })
        };
        match change {
            InstanceChange::SourceDestCheck(v) => {
                self.modify_interface(&primary()?, InterfaceChange::SourceDestCheck(v))
            }
            InstanceChange::Groups(g) => {
                self.modify_interface(&primary()?, InterfaceChange::Groups(g))
            }
            InstanceChange::InstanceType(t) => {
                if !valid_instance_type(&t) {
                    return Err(DomainError::UnknownInstanceType { instance_type: t });
                }
                if inst.state != InstanceState::Stopped {
                    return Err(incorrect(&inst, InstanceAction::Modify));
                }
                self.owned_mut::<Instance>(id)?.instance_type = t;
                Ok(())
            }
            InstanceChange::UserData(data) => {
                if inst.state != InstanceState::Stopped {
                    return Err(incorrect(&inst, InstanceAction::Modify));
                }
                self.owned_mut::<Instance>(id)?.user_data = Some(data).filter(|d| !d.is_empty());
                Ok(())
            }
        }
    }

    /// The distinct visible instances `ids` names (all must be the caller's), in request order;
    /// none may be terminated.
    fn for_state_change(
        &self,
        ids: &[String],
        action: InstanceAction,
    ) -> Result<Vec<Instance>, DomainError> {
        if ids.is_empty() {
            return Err(DomainError::Missing(Field::Instances));
        }
        let mut out: Vec<Instance> = Vec::new();
        for id in ids {
            let i = self.visible_instance(id)?;
            if out.iter().any(|o| o.id == i.id) {
                continue;
            }
            out.push(i.clone());
        }
        if let Some(i) = out.iter().find(|i| gone(i.state)) {
            return Err(incorrect(i, action));
        }
        Ok(out)
    }

    /// StopInstances: all or none. A running (or pending) instance is stored `stopped`, with
    /// the time (`Instance::stopped`, cleared by StartInstances), and answered `stopping`; a stopped (or stopping) one is answered as it is. As on AWS, the
    /// public IPv4 addresses its interfaces got at launch are released (an Elastic IP stays).
    pub fn stop_instances(&mut self, ids: &[String]) -> Result<Vec<Terminated>, DomainError> {
        let mut out = Vec::new();
        let now = self.now();
        for i in self.for_state_change(ids, InstanceAction::Stop)? {
            let change = match i.state {
                InstanceState::Running | InstanceState::Pending => {
                    let stopped = self.owned_mut::<Instance>(&i.id)?;
                    stopped.state = InstanceState::Stopped;
                    stopped.stopped = Some(now);
                    for eni_id in &i.eni_ids {
                        if let Some(e) = self.get_mut::<NetworkInterface>(eni_id) {
                            e.public_ip = None;
                        }
                    }
                    (i.id, i.state, InstanceState::Stopping)
                }
                s => (i.id, s, s),
            };
            out.push(change);
        }
        Ok(out)
    }

    /// StartInstances: all or none. A stopped (or stopping) instance is stored `running` and
    /// answered `pending`; a running (or pending) one is answered as it is. An interface that
    /// got a public IPv4 address at launch gets a new one from the pool (as on AWS, not the
    /// address it had), unless an Elastic IP holds its primary address.
    pub fn start_instances(&mut self, ids: &[String]) -> Result<Vec<Terminated>, DomainError> {
        let mut out = Vec::new();
        let mut taken = None;
        for i in self.for_state_change(ids, InstanceAction::Start)? {
            let change = match i.state {
                InstanceState::Stopped | InstanceState::Stopping => {
                    let started = self.owned_mut::<Instance>(&i.id)?;
                    started.state = InstanceState::Running;
                    started.stopped = None;
                    for eni_id in &i.eni_ids {
                        let Some(e) = self.get::<NetworkInterface>(eni_id) else {
                            continue;
                        };
                        let wants = e.public_ip_on_launch
                            && e.public_ip.is_none()
                            && self.elastic_ip_on(eni_id, e.private_ip).is_none();
                        if wants {
                            let pool = taken.get_or_insert_with(|| self.public_ips_in_use());
                            let ip = self.draw_public_ip(pool)?;
                            if let Some(e) = self.get_mut::<NetworkInterface>(eni_id) {
                                e.public_ip = Some(ip);
                            }
                        }
                    }
                    (i.id, i.state, InstanceState::Pending)
                }
                s => (i.id, s, s),
            };
            out.push(change);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
