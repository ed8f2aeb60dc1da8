//! Commands as data. Every change a cloud's API can ask for is a value of that cloud's command
//! enum ([`aws::Command`](crate::aws::Command), [`gcp::Command`](crate::gcp::Command),
//! [`azure::Command`](crate::azure::Command)); each enum has one [`Apply::apply`] that runs it
//! inside a [`Tx`] and returns that cloud's outcome or structured error.
//!
//! Because a command is a value, the service can log each committed one (with the time it ran,
//! its scope and the ids it drew) and a run of them can be replayed on another world: applying
//! the same commands at the same times with the same ids gives the same records. The wire crates
//! build commands from requests (parsing text into domain types at the edge); the controller
//! will build them directly.
//!
//! Reads are not commands: they run under the world lock on a [`Tx`] they cannot change.
//!
//! This module holds only the trait, so each cloud's module can implement it without depending on
//! the others; the enum of any cloud's command and the replay are in `cloud_command.rs`.

use crate::{Command, Tx};

/// A command of one cloud, applied inside a transaction.
pub trait Apply: Clone + Into<Command> {
    /// What a successful command hands back for the reply.
    type Outcome;
    /// The cloud's structured refusal.
    type Error;

    /// Validates, then changes the world through `tx`. On `Err` the caller rolls `tx` back, so
    /// a refused command leaves no trace.
    fn apply(self, tx: &mut Tx<'_, '_>) -> Result<Self::Outcome, Self::Error>;
}
