//! The catalogue area's command (beside the [catalogue](crate::aws::catalog) data, which it does
//! not need): key pairs and launch templates, one variant of
//! [`aws::Command`](crate::aws::Command), applied here.

use serde::{Deserialize, Serialize};

use crate::aws::key_pair::{KeyPairCommand, KeyPairOutcome};
use crate::aws::launch_template::LaunchTemplateCommand;
use crate::{DomainError, LaunchTemplate, Tx};

/// A change to key pairs or launch templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CatalogCommand {
    /// CreateKeyPair, ImportKeyPair, DeleteKeyPair.
    KeyPair(KeyPairCommand),
    /// CreateLaunchTemplate, CreateLaunchTemplateVersion, DeleteLaunchTemplate.
    LaunchTemplate(Box<LaunchTemplateCommand>),
}

/// What a catalogue command hands back for the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogOutcome {
    /// A key pair command's outcome.
    KeyPair(KeyPairOutcome),
    /// A launch template as a command left it (as it was, for a delete) and the version the
    /// reply names.
    LaunchTemplate {
        /// The template.
        template: LaunchTemplate,
        /// The version made (or the default version, for a create or delete).
        version: u32,
    },
}

impl CatalogCommand {
    /// Applies the command.
    pub fn apply(self, tx: &mut Tx<'_, '_>) -> Result<CatalogOutcome, DomainError> {
        Ok(match self {
            CatalogCommand::KeyPair(c) => CatalogOutcome::KeyPair(tx.key_pair_command(c)?),
            CatalogCommand::LaunchTemplate(c) => {
                let (template, version) = tx.launch_template_command(*c)?;
                CatalogOutcome::LaunchTemplate { template, version }
            }
        })
    }
}
