//! The AWS command enum: every change the EC2 face can ask for, as a value, and its one
//! [`Apply::apply`]. Each variant carries typed, already-parsed input (the wire crate turns
//! parameters into these); the outcome carries what the reply shows.

use serde::{Deserialize, Serialize};

use crate::aws::acl::AclEntryRequest;
use crate::aws::insights::PathInput;
use crate::aws::instance::{Launch, RunInstances, Terminated};
use crate::aws::peering::{CreatePeering, OptionsChange, OptionsResult, PeeringReply};
use crate::aws::security_group::{
    CreateSecurityGroup, Direction, GroupSelector, Permission, RulePermission,
};
use crate::aws::tags::TagRemoval;
use crate::command::Apply;
use crate::{DomainError, SgRule, Tags, Tx};

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
    // --- Area 2: security groups, network ACLs, instances and interfaces, tags, insights ---
    /// Creates a security group with its allow-all egress rule.
    CreateSecurityGroup(CreateSecurityGroup),
    /// Deletes a security group.
    DeleteSecurityGroup {
        /// The group.
        group: GroupSelector,
    },
    /// Adds rules to a group.
    AuthorizeSecurityGroup {
        /// Inbound or outbound.
        direction: Direction,
        /// The group.
        group: GroupSelector,
        /// The permissions (checked; group pairs resolved when applied).
        permissions: Vec<RulePermission>,
        /// Tags for the new rules: checked and echoed, not stored.
        tags: Tags,
    },
    /// Removes the rules matching permissions (what matches nothing is reported).
    RevokeSecurityGroup {
        /// Inbound or outbound.
        direction: Direction,
        /// The group.
        group: GroupSelector,
        /// The permissions.
        permissions: Vec<RulePermission>,
    },
    /// Removes rules by id.
    RevokeSecurityGroupRules {
        /// Inbound or outbound.
        direction: Direction,
        /// The group.
        group: GroupSelector,
        /// The rule ids.
        rule_ids: Vec<String>,
    },
    /// Creates a network ACL with only the implicit deny entries.
    CreateNetworkAcl {
        /// The VPC.
        vpc_id: String,
        /// Its tags.
        tags: Tags,
        /// The request's idempotency token, echoed (not used).
        client_token: Option<String>,
    },
    /// Deletes a network ACL.
    DeleteNetworkAcl {
        /// The ACL.
        id: String,
    },
    /// Adds a numbered entry to an ACL.
    CreateNetworkAclEntry(AclEntryRequest),
    /// Replaces a numbered entry of an ACL.
    ReplaceNetworkAclEntry(AclEntryRequest),
    /// Removes a numbered entry of an ACL.
    DeleteNetworkAclEntry {
        /// The ACL.
        acl_id: String,
        /// The rule number (checked when applied, after the ACL is found).
        rule_number: i64,
        /// Outbound or inbound.
        egress: bool,
    },
    /// Moves a subnet's ACL association to another ACL.
    ReplaceNetworkAclAssociation {
        /// The current association.
        association_id: String,
        /// The ACL to associate.
        acl_id: String,
    },
    /// Launches instances with their interfaces (boxed: the largest input by far).
    RunInstances(Box<RunInstances>),
    /// Terminates instances.
    TerminateInstances {
        /// The instances.
        ids: Vec<String>,
    },
    /// Deletes a detached interface.
    DeleteNetworkInterface {
        /// The interface.
        id: String,
    },
    /// Adds or overwrites tags on resources, all or none.
    CreateTags {
        /// The resources.
        resource_ids: Vec<String>,
        /// The tags (checked).
        tags: Tags,
    },
    /// Removes tags from resources, all or none.
    DeleteTags {
        /// The resources.
        resource_ids: Vec<String>,
        /// What to remove (empty: every user tag).
        tags: Vec<TagRemoval>,
    },
    /// Creates a network insights path.
    CreateInsightsPath(PathInput),
    /// Deletes a network insights path.
    DeleteInsightsPath {
        /// The path.
        id: String,
    },
    /// Deletes a network insights analysis.
    DeleteInsightsAnalysis {
        /// The analysis.
        id: String,
    },
}

/// What a successful AWS command hands back for the reply.
// An outcome lives for one reply; boxing the peering reply would save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Nothing to show but success (`<return>true</return>`).
    Done,
    /// A peering connection as the request answered it.
    Peering(PeeringReply),
    /// The peering options after a change.
    PeeringOptions(OptionsResult),
    // --- Area 2: security groups, network ACLs, instances and interfaces, tags, insights ---
    /// The id of a new security group.
    GroupCreated(String),
    /// The id of a deleted security group.
    GroupDeleted(String),
    /// The rules an authorize added, with the tags it echoes.
    RulesAuthorized {
        /// The group.
        group_id: String,
        /// The new rules.
        rules: Vec<SgRule>,
        /// The tags of the request.
        tags: Tags,
    },
    /// What a revoke removed and what matched nothing.
    RulesRevoked {
        /// The group.
        group_id: String,
        /// The rules removed.
        revoked: Vec<SgRule>,
        /// The permissions that matched no rule (by-permission revokes only).
        unknown: Vec<Permission>,
    },
    /// A new network ACL.
    AclCreated {
        /// The ACL.
        id: String,
        /// The request's token, echoed.
        client_token: Option<String>,
    },
    /// The id of the association a replace made.
    AclAssociationReplaced(String),
    /// What a launch launched.
    Launched(Launch),
    /// The state changes of a termination.
    InstancesTerminated(Vec<Terminated>),
    /// The id of a new insights path.
    PathCreated(String),
    /// The id of a deleted insights path.
    PathDeleted(String),
    /// The id of a deleted insights analysis.
    AnalysisDeleted(String),
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
            // --- Area 2 ---
            Command::CreateSecurityGroup(input) => {
                tx.check_tag_count(&Tags::new(), &input.tags, None)?;
                Outcome::GroupCreated(tx.create_security_group(input)?)
            }
            Command::DeleteSecurityGroup { group } => {
                Outcome::GroupDeleted(tx.delete_security_group(&group)?)
            }
            Command::AuthorizeSecurityGroup {
                direction,
                group,
                permissions,
                tags,
            } => {
                tx.check_tag_count(&Tags::new(), &tags, None)?;
                let (group_id, rules) = tx.authorize_rules(direction, &group, &permissions)?;
                Outcome::RulesAuthorized {
                    group_id,
                    rules,
                    tags,
                }
            }
            Command::RevokeSecurityGroup {
                direction,
                group,
                permissions,
            } => {
                let (group_id, out) = tx.revoke_matching(direction, &group, &permissions)?;
                Outcome::RulesRevoked {
                    group_id,
                    revoked: out.revoked,
                    unknown: out.unknown,
                }
            }
            Command::RevokeSecurityGroupRules {
                direction,
                group,
                rule_ids,
            } => {
                let (group_id, revoked) =
                    tx.revoke_security_group_rules(direction, &group, &rule_ids)?;
                Outcome::RulesRevoked {
                    group_id,
                    revoked,
                    unknown: Vec::new(),
                }
            }
            Command::CreateNetworkAcl {
                vpc_id,
                tags,
                client_token,
            } => {
                tx.check_tag_count(&Tags::new(), &tags, None)?;
                Outcome::AclCreated {
                    id: tx.create_network_acl(&vpc_id, tags)?,
                    client_token,
                }
            }
            Command::DeleteNetworkAcl { id } => {
                tx.delete_network_acl(&id)?;
                Outcome::Done
            }
            Command::CreateNetworkAclEntry(request) => {
                tx.create_acl_entry(&request)?;
                Outcome::Done
            }
            Command::ReplaceNetworkAclEntry(request) => {
                tx.replace_acl_entry(&request)?;
                Outcome::Done
            }
            Command::DeleteNetworkAclEntry {
                acl_id,
                rule_number,
                egress,
            } => {
                tx.delete_network_acl_entry(&acl_id, rule_number, egress)?;
                Outcome::Done
            }
            Command::ReplaceNetworkAclAssociation {
                association_id,
                acl_id,
            } => Outcome::AclAssociationReplaced(
                tx.replace_network_acl_association(&association_id, &acl_id)?,
            ),
            Command::RunInstances(input) => {
                tx.check_tag_count(&Tags::new(), &input.instance_tags, None)?;
                tx.check_tag_count(&Tags::new(), &input.eni_tags, None)?;
                Outcome::Launched(tx.run_instances(*input)?)
            }
            Command::TerminateInstances { ids } => {
                Outcome::InstancesTerminated(tx.terminate_instances(&ids)?)
            }
            Command::DeleteNetworkInterface { id } => {
                tx.delete_network_interface(&id)?;
                Outcome::Done
            }
            Command::CreateTags { resource_ids, tags } => {
                tx.set_tags(&resource_ids, tags)?;
                Outcome::Done
            }
            Command::DeleteTags { resource_ids, tags } => {
                tx.delete_tags(&resource_ids, &tags)?;
                Outcome::Done
            }
            Command::CreateInsightsPath(input) => {
                tx.check_tag_count(&Tags::new(), &input.tags, None)?;
                Outcome::PathCreated(tx.create_path(input)?)
            }
            Command::DeleteInsightsPath { id } => {
                tx.delete_insights_path(&id)?;
                Outcome::PathDeleted(id)
            }
            Command::DeleteInsightsAnalysis { id } => {
                tx.delete_insights_analysis(&id)?;
                Outcome::AnalysisDeleted(id)
            }
        })
    }
}

#[cfg(test)]
mod area2_tests;
