//! Why an appliance request is refused: network interface and instance attributes, and the
//! stop/start of instances (see [`crate::aws::appliance`]). No wording: each face words them.

use crate::InstanceState;

/// What the caller tried to do to an instance in the wrong state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstanceAction {
    /// StopInstances.
    Stop,
    /// StartInstances.
    Start,
    /// ModifyInstanceAttribute.
    Modify,
}

/// Why an appliance request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplianceProblem {
    /// The instance is not in a state that allows the action (terminated, or running for a
    /// change of instance type).
    IncorrectInstanceState {
        /// The instance.
        instance_id: String,
        /// Its state.
        state: InstanceState,
        /// What was asked.
        action: InstanceAction,
    },
    /// An attachment id that is not the interface's attachment.
    AttachmentNotFound {
        /// The attachment id, as given.
        attachment_id: String,
    },
    /// More security groups than an interface may have.
    TooManyGroups {
        /// How many were given.
        given: usize,
        /// The most allowed.
        max: usize,
    },
    /// An empty list of security groups.
    NoGroups,
    /// A description longer than allowed.
    DescriptionTooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// The instance has no network interface left (terminated).
    NoPrimaryInterface {
        /// The instance.
        instance_id: String,
    },
}
