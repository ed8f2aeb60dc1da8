//! IPv6 resource records: the egress-only internet gateway.

use serde::{Deserialize, Serialize};

use super::{Scope, Tags};
use crate::Timestamp;

/// An egress-only internet gateway (`eigw-…`): outbound-only IPv6 access to the internet for one
/// VPC. It is attached to its VPC from creation until it is deleted (EC2 has no attach or detach
/// action for it), so its attachment is always `attached`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressOnlyInternetGateway {
    /// `eigw-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// The VPC it is attached to.
    pub vpc_id: String,
    /// Creation time.
    pub created: Timestamp,
    /// User tags.
    pub tags: Tags,
}
