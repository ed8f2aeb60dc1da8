//! Pure domain model of cloud networking with peering: AWS VPCs (the crate root), GCP VPC networks
//! ([`gcp`]) and Azure virtual networks ([`azure`]).
//!
//! This crate owns the resources (for AWS: VPCs, subnets, route tables, gateways, security groups,
//! network ACLs, instances and their network interfaces, peering connections; GCP's and Azure's in
//! their modules), the rules each cloud enforces on them, and the peering state machines. It executes commands inside a [`Tx`], a transaction over
//! the in-memory [`World`] that records an undo log, so a failed command leaves no trace and a
//! successful one yields the exact set of changed records for the store to persist.
//!
//! It must not do I/O, read the system clock, generate randomness, or know any wire format: time
//! and identifiers come in through [`Ctx`] ([`Timestamp`] and [`IdGen`]). The `serde` derives on
//! records describe only the persisted record form used by the stores.

/// Declares a cloud's `Tables`: one map per resource kind, by id, `pub(crate)` with a read
/// accessor each, and a private field of indexes derived from them (`index: Type`), if any. Only
/// the crate writes the maps, through [`Tx`].
macro_rules! cloud_tables {
    (
        $(#[$meta:meta])*
        $tables:ident { $($field:ident: $ty:ty, $doc:literal;)* }
        $(index: $index:ty;)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct $tables {
            $(pub(crate) $field: std::collections::BTreeMap<String, $ty>,)*
            $(index: $index,)?
        }

        impl $tables {
            $(
                #[doc = $doc]
                pub fn $field(&self) -> &std::collections::BTreeMap<String, $ty> {
                    &self.$field
                }
            )*
        }
    };
}

pub mod aws;
pub mod azure;
pub mod cidr;
mod cloud_command;
pub mod clouds;
mod command;
pub mod gcp;
mod ids;
pub mod parsed;
mod quota;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod text;
mod time;
mod tx;
mod world;

pub use aws::default_vpc::RegionSetup;
pub use aws::dhcp::DhcpOptions;
pub use aws::endpoints::{EndpointType, ManagedPrefixList, PrefixListId, VpcEndpoint};
pub use aws::error::{
    AddressProblem, ApplianceProblem, Attached, CatalogProblem, Conflict, DefaultVpcProblem,
    DefaultVpcUse, Dependent, DomainError, EipProblem, EndpointProblem, Field, GroupProblem,
    InstanceAction, Kind, LaunchProblem, LimitKind, Mismatch, PeeringProblem, PeeringSide,
    RouteProblem, RuleProblem, TagProblem, TextProblem, VpcProblem, VpnProblem,
};
pub use aws::ipv6::Ipv6Problem;
pub use aws::key_pair::KeyPair;
pub use aws::launch_template::LaunchTemplate;
pub use aws::resources::*;
pub use aws::vpn::{CustomerGateway, VgwAttachment, VgwAttachmentState, VpnGateway};
pub use cloud_command::{replay, Command, CommandError};
pub use command::Apply;
pub use ids::{IdGen, RecordingIds, ScriptedIds, SeededIds};
pub use quota::Limits;
pub use time::Timestamp;
pub use tx::{Change, ChangeSet, Ctx, Tx, Undo};
pub use world::{with_key_prefix, Entity, Record, RecordKey, World};

/// Sets `*slot` to the value a partial update (a patch, a modify request) gives for it, if it
/// gives one; an absent value keeps the stored one.
pub(crate) fn set_if_given<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}
