//! How a rule's reference to a group stands now (stale or not, through which peering), and the
//! reads built on it: DescribeStaleSecurityGroups and DescribeSecurityGroupReferences.

use super::*;

/// How a group reference of a rule stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupReference {
    /// Name of the referenced group, when it still exists.
    pub group_name: Option<String>,
    /// VPC of the referenced group (known from the group or from the connection).
    pub vpc_id: Option<String>,
    /// The connection to show, and its state now (peer references only). When the recorded
    /// connection is no longer active but another active one joins the same VPCs, that one.
    pub peering: Option<(String, PeeringState)>,
    /// Whether the reference is stale (group gone, or no active peering any more).
    pub stale: bool,
}

/// A group of a VPC with its stale rules (DescribeStaleSecurityGroups).
#[derive(Debug, Clone)]
pub struct StaleGroup {
    /// The group.
    pub group: SecurityGroup,
    /// Stale inbound rules.
    pub ingress: Vec<SgRule>,
    /// Stale outbound rules.
    pub egress: Vec<SgRule>,
}

/// A peer VPC's reference to one of the caller's groups (DescribeSecurityGroupReferences).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecurityGroupReference {
    /// The caller's group.
    pub group_id: String,
    /// The VPC whose group references it.
    pub referencing_vpc_id: String,
    /// The connection the reference goes through.
    pub peering_id: String,
}

impl Tx<'_, '_> {
    /// How the group reference `peer` of a rule of a group in `owner_vpc` stands now. Returns
    /// `None` for peers that are not groups.
    pub fn group_reference(&self, owner_vpc: &str, peer: &RulePeer) -> Option<GroupReference> {
        let RulePeer::Group {
            group_id,
            peering_id,
            ..
        } = peer
        else {
            return None;
        };
        let w = self.world();
        let referenced = w.aws.security_groups.get(group_id);
        let Some(pcx_id) = peering_id else {
            return Some(GroupReference {
                group_name: referenced.map(|g| g.name.clone()),
                vpc_id: Some(
                    referenced
                        .map(|g| g.vpc_id.clone())
                        .unwrap_or_else(|| owner_vpc.to_owned()),
                ),
                peering: None,
                stale: referenced.is_none(),
            });
        };
        let recorded = w.aws.peerings.get(pcx_id);
        let peer_vpc = referenced.map(|g| g.vpc_id.clone()).or_else(|| {
            recorded.map(|p| {
                if p.requester.vpc_id == owner_vpc {
                    p.accepter.vpc_id.clone()
                } else {
                    p.requester.vpc_id.clone()
                }
            })
        });
        let now = self.now();
        let active = peer_vpc.as_deref().and_then(|pv| {
            recorded
                .filter(|p| p.is_active_at(now) && connects(p, owner_vpc, pv))
                .or_else(|| self.active_peering_between(owner_vpc, pv))
        });
        let peering = match (active, recorded) {
            (Some(p), _) => (p.id.clone(), PeeringState::Active),
            (None, Some(p)) => (p.id.clone(), p.state_at(now)),
            (None, None) => (pcx_id.clone(), PeeringState::Deleted),
        };
        Some(GroupReference {
            group_name: referenced.map(|g| g.name.clone()),
            vpc_id: peer_vpc,
            peering: Some(peering),
            stale: referenced.is_none() || active.is_none(),
        })
    }

    /// DescribeStaleSecurityGroups: the caller's groups in `vpc_id` with stale peer references,
    /// in id order.
    pub fn stale_security_groups(&self, vpc_id: &str) -> Result<Vec<StaleGroup>, DomainError> {
        self.owned::<Vpc>(vpc_id)?;
        let is_stale = |r: &SgRule| {
            matches!(
                &r.peer,
                RulePeer::Group {
                    peering_id: Some(_),
                    ..
                }
            ) && self
                .group_reference(vpc_id, &r.peer)
                .is_some_and(|s| s.stale)
        };
        Ok(self
            .list_owned::<SecurityGroup>()
            .filter(|g| g.vpc_id == vpc_id)
            .filter_map(|g| {
                let ingress: Vec<SgRule> =
                    g.ingress.iter().filter(|r| is_stale(r)).cloned().collect();
                let egress: Vec<SgRule> =
                    g.egress.iter().filter(|r| is_stale(r)).cloned().collect();
                (!ingress.is_empty() || !egress.is_empty()).then(|| StaleGroup {
                    group: g.clone(),
                    ingress,
                    egress,
                })
            })
            .collect())
    }

    /// DescribeSecurityGroupReferences: which peer VPCs' groups reference the caller's groups
    /// `ids` through an active peering (stale references are not listed).
    pub fn security_group_references(
        &self,
        ids: &[String],
    ) -> Result<Vec<SecurityGroupReference>, DomainError> {
        if ids.is_empty() {
            return Err(DomainError::Missing(Field::ReferencingGroups));
        }
        let mut out: BTreeSet<SecurityGroupReference> = BTreeSet::new();
        for id in ids {
            let mine = self.owned::<SecurityGroup>(id)?;
            for other in self.world().aws.security_groups.values() {
                if other.vpc_id == mine.vpc_id {
                    continue;
                }
                for r in other.ingress.iter().chain(other.egress.iter()) {
                    let RulePeer::Group {
                        group_id,
                        peering_id: Some(_),
                        ..
                    } = &r.peer
                    else {
                        continue;
                    };
                    if *group_id != mine.id {
                        continue;
                    }
                    if let Some(GroupReference {
                        stale: false,
                        peering: Some((pcx, _)),
                        ..
                    }) = self.group_reference(&other.vpc_id, &r.peer)
                    {
                        out.insert(SecurityGroupReference {
                            group_id: mine.id.clone(),
                            referencing_vpc_id: other.vpc_id.clone(),
                            peering_id: pcx,
                        });
                    }
                }
            }
        }
        Ok(out.into_iter().collect())
    }
}
