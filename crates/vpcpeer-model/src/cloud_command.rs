//! A command of any cloud ([`Command`]): what the service's command log records and what a
//! replay applies, with [`replay`] itself.

use serde::{Deserialize, Serialize};

use crate::{aws, azure, gcp, Apply, Ctx, Limits, Scope, ScriptedIds, Timestamp, Tx, World};

/// A command of any cloud: what the command log records and what a replay applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    /// An AWS command.
    Aws(aws::Command),
    /// A GCP command.
    Gcp(gcp::Command),
    /// An Azure command.
    Azure(azure::Command),
}

/// Why a replayed command was refused, in its cloud's structured terms.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CommandError {
    /// Refused by the AWS rules.
    #[error(transparent)]
    Aws(crate::DomainError),
    /// Refused by the GCP rules.
    #[error(transparent)]
    Gcp(gcp::GcpError),
    /// Refused by the Azure rules.
    #[error(transparent)]
    Azure(azure::AzureError),
}

impl Command {
    /// Applies the command, whatever its cloud, keeping only whether it succeeded (replay).
    pub fn apply(self, tx: &mut Tx<'_, '_>) -> Result<(), CommandError> {
        match self {
            Command::Aws(c) => c.apply(tx).map(drop).map_err(CommandError::Aws),
            Command::Gcp(c) => c.apply(tx).map(drop).map_err(CommandError::Gcp),
            Command::Azure(c) => c.apply(tx).map(drop).map_err(CommandError::Azure),
        }
    }
}

/// Replays logged commands on `world`, in order: each as its `scope`, at its time, drawing its
/// recorded ids (a [`ScriptedIds`]), committed on success. Returns the first refusal with its
/// index (a replay onto the world the log started from is never refused).
pub fn replay(
    world: &mut World,
    limits: &Limits,
    log: impl IntoIterator<Item = (Scope, Timestamp, Vec<String>, Command)>,
) -> Result<(), (usize, Box<CommandError>)> {
    for (i, (scope, now, ids, command)) in log.into_iter().enumerate() {
        let mut ids = ScriptedIds::new(ids);
        let ctx = Ctx {
            scope,
            now,
            ids: &mut ids,
            limits,
        };
        let mut tx = Tx::new(world, ctx);
        match command.apply(&mut tx) {
            Ok(()) => {
                tx.commit();
            }
            Err(e) => {
                tx.rollback();
                return Err((i, Box::new(e)));
            }
        }
    }
    Ok(())
}

impl From<aws::Command> for Command {
    fn from(c: aws::Command) -> Self {
        Command::Aws(c)
    }
}

impl From<gcp::Command> for Command {
    fn from(c: gcp::Command) -> Self {
        Command::Gcp(c)
    }
}

impl From<azure::Command> for Command {
    fn from(c: azure::Command) -> Self {
        Command::Azure(c)
    }
}
