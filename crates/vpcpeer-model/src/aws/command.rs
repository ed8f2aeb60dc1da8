//! The AWS command enum: every change the EC2 face can ask for, as a value, and its one
//! [`Apply::apply`]. Each variant carries typed, already-parsed input (the wire crate turns
//! parameters into these); the outcome carries what the reply shows.

use serde::{Deserialize, Serialize};

use crate::aws::peering::{CreatePeering, OptionsChange, OptionsResult, PeeringReply};
use crate::command::Apply;
use crate::{DomainError, Tx};

/// A change to the AWS side of the world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Requests a peering connection (CreateVpcPeeringConnection).
    CreatePeering(CreatePeering),
    /// The accepter's owner accepts a pending request.
    AcceptPeering {
        /// The connection.
        id: String,
    },
    /// The accepter's owner rejects a pending request.
    RejectPeering {
        /// The connection.
        id: String,
    },
    /// Either owner deletes the connection.
    DeletePeering {
        /// The connection.
        id: String,
    },
    /// Each owner changes its own side's options of an active connection.
    ModifyPeeringOptions {
        /// The connection.
        id: String,
        /// Changes to the requester side.
        requester: Option<OptionsChange>,
        /// Changes to the accepter side.
        accepter: Option<OptionsChange>,
    },
}

/// What a successful AWS command hands back for the reply. (Outcomes live for one reply and are
/// moved once, so a large variant costs nothing worth boxing.)
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Outcome {
    /// Nothing to show but success (`<return>true</return>`).
    Done,
    /// A peering connection as the request answered it.
    Peering(PeeringReply),
    /// The peering options after a change.
    PeeringOptions(OptionsResult),
}

impl Apply for Command {
    type Outcome = Outcome;
    type Error = DomainError;

    fn apply(self, tx: &mut Tx<'_, '_>) -> Result<Outcome, DomainError> {
        Ok(match self {
            Command::CreatePeering(input) => {
                tx.check_tag_count(&crate::Tags::new(), &input.tags, None)?;
                Outcome::Peering(tx.create_peering(input)?)
            }
            Command::AcceptPeering { id } => Outcome::Peering(tx.accept_peering(&id)?),
            Command::RejectPeering { id } => {
                tx.reject_peering(&id)?;
                Outcome::Done
            }
            Command::DeletePeering { id } => {
                tx.delete_peering(&id)?;
                Outcome::Done
            }
            Command::ModifyPeeringOptions {
                id,
                requester,
                accepter,
            } => Outcome::PeeringOptions(tx.modify_peering_options(&id, requester, accepter)?),
        })
    }
}
