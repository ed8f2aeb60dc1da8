//! The Azure command enum: every change the ARM face can ask for, as a value, and its one
//! [`Apply::apply`]. (Being filled in: until a request's change is a variant here, the face
//! still runs it as a closure, unlogged.)

use serde::{Deserialize, Serialize};

use crate::azure::AzureError;
use crate::command::Apply;
use crate::Tx;

/// A change to the Azure side of the world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {}

/// What a successful Azure command hands back for the reply.
#[derive(Debug, Clone)]
pub enum Outcome {}

impl Apply for Command {
    type Outcome = Outcome;
    type Error = AzureError;

    fn apply(self, _tx: &mut Tx<'_, '_>) -> Result<Outcome, AzureError> {
        match self {}
    }
}
