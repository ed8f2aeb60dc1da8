//! VPC endpoints and managed prefix lists (issue 11): the commands of the area, as one
//! [`EndpointCommand`] inside [`Command::Endpoint`](crate::aws::Command::Endpoint), and their
//! outcomes. The rules live in [`prefix_list`] and [`vpce`]; the service catalogue in
//! [`catalogue`].

pub mod catalogue;
pub mod prefix_list;
pub mod vpce;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Tx};
pub use catalogue::EndpointType;
pub use prefix_list::{
    AddressFamily, ManagedPrefixList, NewPrefixList, PrefixListChange, PrefixListEntry,
    PrefixListId, PrefixListState,
};
pub use vpce::{EndpointChange, NewEndpoint, VpcEndpoint};

/// A change to the caller's prefix lists or VPC endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndpointCommand {
    /// CreateManagedPrefixList.
    CreatePrefixList(NewPrefixList),
    /// ModifyManagedPrefixList.
    ModifyPrefixList(PrefixListChange),
    /// DeleteManagedPrefixList.
    DeletePrefixList {
        /// The list.
        id: String,
    },
    /// CreateVpcEndpoint.
    CreateEndpoint {
        /// What to create.
        input: NewEndpoint,
        /// The caller's idempotency token: echoed, not honoured.
        client_token: Option<String>,
    },
    /// ModifyVpcEndpoint.
    ModifyEndpoint(EndpointChange),
    /// DeleteVpcEndpoints.
    DeleteEndpoints {
        /// The endpoints.
        ids: Vec<String>,
    },
}

/// What an [`EndpointCommand`] hands back for the reply.
#[derive(Debug, Clone)]
pub enum EndpointOutcome {
    /// The list as the command left it (deleted: as it was).
    PrefixList {
        /// The list.
        list: ManagedPrefixList,
        /// Whether the command deleted it.
        deleted: bool,
    },
    /// A new endpoint.
    Endpoint {
        /// The endpoint.
        endpoint: VpcEndpoint,
        /// The caller's token, echoed.
        client_token: Option<String>,
    },
    /// An endpoint changed.
    Modified,
    /// The ids DeleteVpcEndpoints could not delete, with why.
    Deleted(Vec<(String, DomainError)>),
}

impl EndpointCommand {
    /// Applies the command.
    pub fn apply(self, tx: &mut Tx<'_, '_>) -> Result<EndpointOutcome, DomainError> {
        Ok(match self {
            EndpointCommand::CreatePrefixList(input) => EndpointOutcome::PrefixList {
                list: tx.create_prefix_list(input)?,
                deleted: false,
            },
            EndpointCommand::ModifyPrefixList(change) => EndpointOutcome::PrefixList {
                list: tx.modify_prefix_list(change)?,
                deleted: false,
            },
            EndpointCommand::DeletePrefixList { id } => EndpointOutcome::PrefixList {
                list: tx.delete_prefix_list(&id)?,
                deleted: true,
            },
            EndpointCommand::CreateEndpoint {
                input,
                client_token,
            } => EndpointOutcome::Endpoint {
                endpoint: tx.create_endpoint(input)?,
                client_token,
            },
            EndpointCommand::ModifyEndpoint(change) => {
                tx.modify_endpoint(change)?;
                EndpointOutcome::Modified
            }
            EndpointCommand::DeleteEndpoints { ids } => {
                EndpointOutcome::Deleted(tx.delete_endpoints(&ids))
            }
        })
    }
}

#[cfg(test)]
mod tests;
