//! The AWS VPC peering connection state machine.
//!
//! Source: AWS VPC Peering Guide, "VPC peering connection lifecycle". `initiating-request` and `provisioning` are transient: a request is answered with them and
//! the stored state moves on at once (to `pending-acceptance`/`failed`, and to `active`).
//! Expiry is derived from time, not stored by a background task: a `pending-acceptance` request
//! whose expiration time has passed *is* `expired` ([`PeeringConnection::state_at`]).

use serde::{Deserialize, Serialize};

use crate::{PeeringConnection, Scope, Timestamp};

/// Lifecycle state of a peering connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PeeringState {
    /// Request accepted for processing (transient).
    InitiatingRequest,
    /// Waiting for the accepter's owner.
    PendingAcceptance,
    /// Accepted, being set up (transient).
    Provisioning,
    /// Usable.
    Active,
    /// Deletion in progress (transient).
    Deleting,
    /// Deleted by an owner.
    Deleted,
    /// Rejected by the accepter.
    Rejected,
    /// Could not be set up (e.g. overlapping CIDR blocks).
    Failed,
    /// Not accepted within seven days.
    Expired,
}

/// Something that happens to a peering connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeeringEvent {
    /// The request reached the accepter and passed validation.
    Delivered,
    /// Validation failed (overlapping blocks, peer VPC gone).
    Fail,
    /// The accepter's owner accepted.
    Accept,
    /// Provisioning finished.
    Provisioned,
    /// The accepter's owner rejected.
    Reject,
    /// An owner asked to delete.
    Delete,
    /// Deletion finished.
    Deleted,
    /// Seven days passed without acceptance.
    Expire,
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid state transition from {from:?} on {event:?}")]
pub struct InvalidTransition {
    /// State the connection was in.
    pub from: PeeringState,
    /// The refused event.
    pub event: PeeringEvent,
}

impl PeeringState {
    /// Every state, for exhaustive tests.
    pub const ALL: [PeeringState; 9] = [
        PeeringState::InitiatingRequest,
        PeeringState::PendingAcceptance,
        PeeringState::Provisioning,
        PeeringState::Active,
        PeeringState::Deleting,
        PeeringState::Deleted,
        PeeringState::Rejected,
        PeeringState::Failed,
        PeeringState::Expired,
    ];

    /// The state after `event`, or why not.
    pub fn on(self, event: PeeringEvent) -> Result<PeeringState, InvalidTransition> {
        use PeeringEvent as E;
        use PeeringState as S;
        let next = match (self, event) {
            (S::InitiatingRequest, E::Delivered) => S::PendingAcceptance,
            (S::InitiatingRequest, E::Fail) => S::Failed,
            (S::PendingAcceptance, E::Accept) => S::Provisioning,
            (S::PendingAcceptance, E::Reject) => S::Rejected,
            (S::PendingAcceptance, E::Delete) => S::Deleted,
            (S::PendingAcceptance, E::Expire) => S::Expired,
            (S::PendingAcceptance, E::Fail) => S::Failed,
            (S::Provisioning, E::Provisioned) => S::Active,
            (S::Provisioning, E::Fail) => S::Failed,
            (S::Active, E::Delete) => S::Deleting,
            (S::Deleting, E::Deleted) => S::Deleted,
            (from, event) => return Err(InvalidTransition { from, event }),
        };
        Ok(next)
    }

    /// Whether the connection can never carry traffic again.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            PeeringState::Deleted
                | PeeringState::Rejected
                | PeeringState::Failed
                | PeeringState::Expired
        )
    }

    /// Whether the connection counts as an outstanding request (pending-acceptance).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            PeeringState::InitiatingRequest | PeeringState::PendingAcceptance
        )
    }
}

/// Which party looks at a connection, for the visibility windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Owner of the requester VPC, in its region.
    Requester,
    /// Owner of the accepter VPC, in its region.
    Accepter,
    /// Owner of both VPCs in the same region.
    Both,
}

impl PeeringConnection {
    /// The state at `now`: a pending request past its expiration time is expired.
    pub fn state_at(&self, now: Timestamp) -> PeeringState {
        if self.state == PeeringState::PendingAcceptance && now >= self.expiration {
            PeeringState::Expired
        } else {
            self.state
        }
    }

    /// When the state at `now` was entered.
    pub fn state_since_at(&self, now: Timestamp) -> Timestamp {
        if self.state_at(now) != self.state {
            self.expiration
        } else {
            self.state_since
        }
    }

    /// Whether the connection carries traffic at `now`.
    pub fn is_active_at(&self, now: Timestamp) -> bool {
        self.state_at(now) == PeeringState::Active
    }

    /// How `scope` relates to this connection, if at all. A side is seen only from its own region.
    pub fn viewer(&self, scope: &Scope) -> Option<Viewer> {
        let req = self.requester.scope == *scope;
        let acc = self.accepter.scope == *scope;
        match (req, acc) {
            (true, true) => Some(Viewer::Both),
            (true, false) => Some(Viewer::Requester),
            (false, true) => Some(Viewer::Accepter),
            (false, false) => None,
        }
    }

    /// Whether `scope` may still see the connection at `now` (AWS keeps terminal connections
    /// listed for a while, differently for each party).
    pub fn visible_to(&self, scope: &Scope, now: Timestamp) -> bool {
        let Some(viewer) = self.viewer(scope) else {
            return false;
        };
        let state = self.state_at(now);
        let since = self.state_since_at(now);
        let hours2 = 2 * Timestamp::HOUR;
        let days2 = 2 * Timestamp::DAY;
        let window = match state {
            PeeringState::Failed => match viewer {
                Viewer::Accepter => return false,
                _ => hours2,
            },
            PeeringState::Expired => days2,
            PeeringState::Rejected => match viewer {
                Viewer::Requester => days2,
                _ => hours2,
            },
            PeeringState::Deleted => {
                let deleter_is_viewer = self.deleted_by.as_deref() == Some(scope.account.as_str());
                match viewer {
                    Viewer::Both => hours2,
                    _ if deleter_is_viewer => hours2,
                    _ => days2,
                }
            }
            _ => return true,
        };
        now < since.plus_millis(window)
    }
}

#[cfg(test)]
mod tests;
