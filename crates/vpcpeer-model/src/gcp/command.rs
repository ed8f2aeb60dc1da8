//! The GCP command enum: every change the Compute face can ask for, as a value, and its one
//! [`Apply::apply`]. (Being filled in: until a request's change is a variant here, the face
//! still runs it as a closure, unlogged.)

use serde::{Deserialize, Serialize};

use crate::command::Apply;
use crate::gcp::GcpError;
use crate::Tx;

/// A change to the GCP side of the world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {}

/// What a successful GCP command hands back for the reply.
#[derive(Debug, Clone)]
pub enum Outcome {}

impl Apply for Command {
    type Outcome = Outcome;
    type Error = GcpError;

    fn apply(self, _tx: &mut Tx<'_, '_>) -> Result<Outcome, GcpError> {
        match self {}
    }
}
