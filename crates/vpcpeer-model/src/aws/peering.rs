//! VPC peering connections: request, accept, reject, delete, options.
//!
//! Who may do what, from which region, and in which state follows the Amazon VPC Peering Guide
//! ("VPC peering connection lifecycle", "Accept or reject a VPC peering connection") and the EC2
//! API Reference of each action.
//! Choices where AWS is unverified:
//! - A request to a VPC the requester's own account owns in the same region, but which does not
//!   exist, is refused with `InvalidVpcID.NotFound`; to another account or region it is created and
//!   ends `failed` (the requester cannot see the peer VPC, as in AWS).
//! - An accepter who deletes a pending request is refused with `OperationNotPermitted`.
//! - `VpcPeeringConnectionAlreadyExists` on accept names the connection being accepted.

use crate::aws::check_limit;
use crate::aws::error::Field;
use crate::aws::peering_state::{PeeringEvent, PeeringState};
use serde::{Deserialize, Serialize};

use crate::cidr::any_overlap_v4;
use crate::{
    set_if_given, DomainError, Kind, LimitKind, PeerSide, PeeringConnection, PeeringOptions,
    PeeringProblem, PeeringSide, Scope, Tags, Timestamp, Tx, Vpc,
};

/// Input of CreateVpcPeeringConnection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreatePeering {
    /// Requester VPC (the caller's).
    pub vpc_id: String,
    /// Accepter VPC.
    pub peer_vpc_id: String,
    /// Accepter account (default: the caller's).
    pub peer_owner_id: Option<String>,
    /// Accepter region (default: the caller's).
    pub peer_region: Option<String>,
    /// Tags (the requester side's).
    pub tags: Tags,
}

/// Changes of ModifyVpcPeeringConnectionOptions, per side; `None` leaves a field as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct OptionsChange {
    /// `AllowDnsResolutionFromRemoteVpc`.
    pub allow_dns_resolution_from_remote_vpc: Option<bool>,
    /// `AllowEgressFromLocalClassicLinkToRemoteVpc`.
    pub allow_egress_from_local_classic_link_to_remote_vpc: Option<bool>,
    /// `AllowEgressFromLocalVpcToRemoteClassicLink`.
    pub allow_egress_from_local_vpc_to_remote_classic_link: Option<bool>,
}

/// The options after ModifyVpcPeeringConnectionOptions, for the sides that were changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct OptionsResult {
    /// Requester side, if changed.
    pub requester: Option<PeeringOptions>,
    /// Accepter side, if changed.
    pub accepter: Option<PeeringOptions>,
}

/// A connection as a request answered it: the stored record and the state to show.
#[derive(Debug, Clone)]
pub struct PeeringReply {
    /// The connection.
    pub connection: PeeringConnection,
    /// The state the reply shows (transient states such as `initiating-request`).
    pub shown_state: PeeringState,
}

fn side_of(vpc: &Vpc) -> PeerSide {
    PeerSide {
        vpc_id: vpc.id.clone(),
        scope: vpc.scope.clone(),
        ipv4: vpc.ipv4_cidrs().collect(),
        ipv6: vpc.ipv6_cidrs().collect(),
        options: PeeringOptions::default(),
    }
}

fn transition(
    p: &PeeringConnection,
    now: Timestamp,
    event: PeeringEvent,
    to: PeeringState,
) -> Result<PeeringState, DomainError> {
    let from = p.state_at(now);
    from.on(event)
        .map_err(|_| DomainError::InvalidStateTransition {
            id: p.id.clone(),
            from,
            to,
        })
}

impl Tx<'_, '_> {
    /// A connection the caller owns a side of (in any region), or NotFound.
    fn peering_of_caller(&self, id: &str) -> Result<&PeeringConnection, DomainError> {
        crate::aws::check_id(Kind::PeeringConnection, id)?;
        let account = &self.scope().account;
        let now = self.now();
        // The caller's account must own a side that can still see the connection from that
        // side's region; a call from another region then gets a clear "incorrect region".
        match self.get::<PeeringConnection>(id) {
            Some(p)
                if [&p.requester.scope, &p.accepter.scope]
                    .into_iter()
                    .any(|side| side.account == *account && p.visible_to(side, now)) =>
            {
                Ok(p)
            }
            _ => Err(DomainError::not_found(Kind::PeeringConnection, id)),
        }
    }

    /// A connection visible to the caller (own side, own region, inside its visibility window).
    pub fn visible_peering(&self, id: &str) -> Result<&PeeringConnection, DomainError> {
        crate::aws::check_id(Kind::PeeringConnection, id)?;
        match self.get::<PeeringConnection>(id) {
            Some(p) if p.visible_to(self.scope(), self.now()) => Ok(p),
            _ => Err(DomainError::not_found(Kind::PeeringConnection, id)),
        }
    }

    /// Every connection visible to the caller, in id order: those of the caller's account (the
    /// world's index), then the visibility rule.
    pub fn visible_peerings(&self) -> impl Iterator<Item = &PeeringConnection> {
        let scope = self.scope().clone();
        let now = self.now();
        let world = self.world();
        world
            .aws
            .peerings_of_account(&self.scope().account)
            .filter(move |p| p.visible_to(&scope, now))
    }

    fn active_peerings_of(&self, vpc_id: &str) -> usize {
        let now = self.now();
        self.world()
            .aws
            .peerings_of_vpc(vpc_id)
            .filter(|p| p.is_active_at(now))
            .count()
    }

    /// CreateVpcPeeringConnection.
    pub fn create_peering(&mut self, input: CreatePeering) -> Result<PeeringReply, DomainError> {
        let requester = self.owned::<Vpc>(&input.vpc_id)?.clone();
        if input.peer_vpc_id.is_empty() {
            return Err(DomainError::Missing(Field::PeerVpc));
        }
        crate::aws::check_id(Kind::Vpc, &input.peer_vpc_id)?;
        let peer_scope = Scope::new(
            input
                .peer_owner_id
                .clone()
                .unwrap_or_else(|| self.scope().account.clone()),
            input
                .peer_region
                .clone()
                .unwrap_or_else(|| self.scope().region.clone()),
        );
        if input.peer_vpc_id == input.vpc_id {
            return Err(DomainError::Peering(PeeringProblem::SameVpc {
                vpc_id: input.vpc_id.clone(),
            }));
        }
        let now = self.now();
        let accepter = self
            .get::<Vpc>(&input.peer_vpc_id)
            .filter(|v| v.scope == peer_scope)
            .cloned();
        if accepter.is_none() && peer_scope == *self.scope() {
            return Err(DomainError::not_found(Kind::Vpc, &input.peer_vpc_id));
        }
        // One request per ordered pair: a repeated request answers with the existing one.
        if let Some(existing) = self.world().aws.peerings_of_vpc(&input.vpc_id).find(|p| {
            p.requester.vpc_id == input.vpc_id
                && p.accepter.vpc_id == input.peer_vpc_id
                && matches!(
                    p.state_at(now),
                    PeeringState::PendingAcceptance | PeeringState::Active
                )
        }) {
            return Ok(PeeringReply {
                shown_state: existing.state_at(now),
                connection: existing.clone(),
            });
        }
        check_limit(
            self.ctx.limits.outstanding_peering_requests,
            LimitKind::OutstandingPeeringRequests,
            None,
            || {
                let account = &self.scope().account;
                self.world()
                    .aws
                    .peerings
                    .values()
                    .filter(|p| p.requester.scope.account == *account)
                    .filter(|p| p.state_at(now) == PeeringState::PendingAcceptance)
                    .count()
            },
        )?;
        let accepter_side = match &accepter {
            Some(v) => side_of(v),
            None => PeerSide {
                vpc_id: input.peer_vpc_id.clone(),
                scope: peer_scope.clone(),
                ipv4: Vec::new(),
                ipv6: Vec::new(),
                options: PeeringOptions::default(),
            },
        };
        let requester_side = side_of(&requester);
        let (event, reason) = match &accepter {
            None => (
                PeeringEvent::Fail,
                Some(format!(
                    "The VPC {} does not exist in account {} and region {}",
                    input.peer_vpc_id, peer_scope.account, peer_scope.region
                )),
            ),
            Some(_) if any_overlap_v4(&requester_side.ipv4, &accepter_side.ipv4) => {
                (PeeringEvent::Fail, Some("Overlapping CIDR range".into()))
            }
            Some(_) => (PeeringEvent::Delivered, None),
        };
        let state = PeeringState::InitiatingRequest
            .on(event)
            .expect("an initiating request accepts delivery and failure");
        let id = self.new_id("pcx");
        let mut tags = std::collections::BTreeMap::new();
        if !input.tags.is_empty() {
            tags.insert(PeeringConnection::tag_key(self.scope()), input.tags);
        }
        let p = PeeringConnection {
            id,
            requester: requester_side,
            accepter: accepter_side,
            state,
            state_since: now,
            expiration: now.plus_millis(self.ctx.limits.peering_request_ttl_secs * 1000),
            deleted_by: None,
            failure_reason: reason,
            created: now,
            tags,
        };
        self.put(p.clone());
        Ok(PeeringReply {
            connection: p,
            shown_state: PeeringState::InitiatingRequest,
        })
    }

    /// AcceptVpcPeeringConnection: only the accepter VPC's owner, in the accepter's region.
    pub fn accept_peering(&mut self, id: &str) -> Result<PeeringReply, DomainError> {
        let p = self.peering_of_caller(id)?.clone();
        let now = self.now();
        let caller = self.scope().clone();
        if p.accepter.scope.account != caller.account {
            return Err(DomainError::Peering(PeeringProblem::AcceptByOtherAccount {
                account: caller.account.clone(),
                peering_id: id.to_owned(),
            }));
        }
        if p.accepter.scope.region != caller.region {
            return Err(DomainError::Peering(PeeringProblem::AcceptInOtherRegion {
                region: caller.region.clone(),
                peering_id: id.to_owned(),
                accepter_region: p.accepter.scope.region.clone(),
            }));
        }
        let provisioning = transition(&p, now, PeeringEvent::Accept, PeeringState::Active)?;
        if let Some(other) = self
            .world()
            .aws
            .peerings_of_vpc(&p.requester.vpc_id)
            .find(|o| {
                o.id != p.id
                    && o.is_active_at(now)
                    && ((o.requester.vpc_id == p.requester.vpc_id
                        && o.accepter.vpc_id == p.accepter.vpc_id)
                        || (o.requester.vpc_id == p.accepter.vpc_id
                            && o.accepter.vpc_id == p.requester.vpc_id))
            })
        {
            let _ = other;
            return Err(DomainError::PeeringAlreadyExists { id: p.id.clone() });
        }
        for vpc in [&p.requester.vpc_id, &p.accepter.vpc_id] {
            check_limit(
                self.ctx.limits.active_peerings_per_vpc,
                LimitKind::ActivePeeringsPerVpc,
                Some(vpc),
                || self.active_peerings_of(vpc),
            )?;
        }
        let active = provisioning
            .on(PeeringEvent::Provisioned)
            .expect("provisioning ends active");
        let requester = self.get::<Vpc>(&p.requester.vpc_id).cloned();
        let accepter = self.get::<Vpc>(&p.accepter.vpc_id).cloned();
        let c = self
            .get_mut::<PeeringConnection>(id)
            .expect("looked up above");
        c.state = active;
        c.state_since = now;
        if let Some(v) = requester {
            c.requester.ipv4 = v.ipv4_cidrs().collect();
            c.requester.ipv6 = v.ipv6_cidrs().collect();
        }
        if let Some(v) = accepter {
            c.accepter.ipv4 = v.ipv4_cidrs().collect();
            c.accepter.ipv6 = v.ipv6_cidrs().collect();
        }
        let connection = c.clone();
        Ok(PeeringReply {
            connection,
            shown_state: provisioning,
        })
    }

    /// RejectVpcPeeringConnection: only the accepter VPC's owner, in the accepter's region (as
    /// for accept: the wrong region is `RejectInOtherRegion`, not a refusal of the account).
    pub fn reject_peering(&mut self, id: &str) -> Result<(), DomainError> {
        let p = self.peering_of_caller(id)?.clone();
        let now = self.now();
        let caller = self.scope().clone();
        if p.accepter.scope.account != caller.account {
            return Err(DomainError::Peering(PeeringProblem::RejectByOther {
                account: caller.account.clone(),
                peering_id: id.to_owned(),
            }));
        }
        if p.accepter.scope.region != caller.region {
            return Err(DomainError::Peering(PeeringProblem::RejectInOtherRegion {
                region: caller.region.clone(),
                peering_id: id.to_owned(),
                accepter_region: p.accepter.scope.region.clone(),
            }));
        }
        let next = transition(&p, now, PeeringEvent::Reject, PeeringState::Rejected)?;
        let c = self.get_mut::<PeeringConnection>(id).expect("looked up");
        c.state = next;
        c.state_since = now;
        Ok(())
    }

    /// DeleteVpcPeeringConnection: the requester's owner while pending, either owner when active.
    pub fn delete_peering(&mut self, id: &str) -> Result<(), DomainError> {
        let p = self.peering_of_caller(id)?.clone();
        let now = self.now();
        let caller = self.scope().clone();
        let viewer = p.viewer(&caller);
        if viewer.is_none() {
            return Err(DomainError::not_found(Kind::PeeringConnection, id));
        }
        let state = p.state_at(now);
        if state == PeeringState::PendingAcceptance && p.requester.scope != caller {
            return Err(DomainError::Peering(PeeringProblem::DeletePendingByOther {
                account: caller.account.clone(),
                peering_id: id.to_owned(),
            }));
        }
        let next = transition(&p, now, PeeringEvent::Delete, PeeringState::Deleting)?;
        let next = match next {
            PeeringState::Deleting => next.on(PeeringEvent::Deleted).expect("deleting ends"),
            other => other,
        };
        let c = self.get_mut::<PeeringConnection>(id).expect("looked up");
        c.state = next;
        c.state_since = now;
        c.deleted_by = Some(caller.account);
        Ok(())
    }

    /// ModifyVpcPeeringConnectionOptions: each owner changes its own side, on an active connection.
    pub fn modify_peering_options(
        &mut self,
        id: &str,
        requester: Option<OptionsChange>,
        accepter: Option<OptionsChange>,
    ) -> Result<OptionsResult, DomainError> {
        let p = self.peering_of_caller(id)?.clone();
        let now = self.now();
        let caller = self.scope().clone();
        if requester.is_none() && accepter.is_none() {
            return Err(DomainError::Missing(Field::PeeringOptions));
        }
        if requester.is_some() && p.requester.scope != caller {
            return Err(DomainError::Peering(PeeringProblem::OtherSideOptions {
                account: caller.account.clone(),
                side: PeeringSide::Requester,
            }));
        }
        if accepter.is_some() && p.accepter.scope != caller {
            return Err(DomainError::Peering(PeeringProblem::OtherSideOptions {
                account: caller.account.clone(),
                side: PeeringSide::Accepter,
            }));
        }
        if !matches!(
            p.state_at(now),
            PeeringState::Active | PeeringState::Provisioning
        ) {
            return Err(DomainError::Peering(PeeringProblem::OptionsWhileInactive {
                peering_id: id.to_owned(),
            }));
        }
        let inter_region = p.requester.scope.region != p.accepter.scope.region;
        let wants_dns = [requester, accepter]
            .iter()
            .flatten()
            .any(|c| c.allow_dns_resolution_from_remote_vpc == Some(true));
        let wants_classic = [requester, accepter].iter().flatten().any(|c| {
            c.allow_egress_from_local_classic_link_to_remote_vpc
                .is_some()
                || c.allow_egress_from_local_vpc_to_remote_classic_link
                    .is_some()
        });
        if inter_region && wants_classic {
            return Err(DomainError::Peering(
                PeeringProblem::ClassicLinkAcrossRegions {
                    peering_id: id.to_owned(),
                },
            ));
        }
        if wants_dns {
            for vpc_id in [&p.requester.vpc_id, &p.accepter.vpc_id] {
                let ok = self
                    .get::<Vpc>(vpc_id)
                    .is_some_and(|v| v.dns_support && v.dns_hostnames);
                if !ok {
                    return Err(DomainError::Peering(PeeringProblem::DnsNeedsHostnames {
                        peering_id: id.to_owned(),
                        vpc_id: vpc_id.clone(),
                    }));
                }
            }
        }
        let c = self.get_mut::<PeeringConnection>(id).expect("looked up");
        let mut out = OptionsResult::default();
        if let Some(ch) = requester {
            apply(&mut c.requester.options, ch);
            out.requester = Some(c.requester.options);
        }
        if let Some(ch) = accepter {
            apply(&mut c.accepter.options, ch);
            out.accepter = Some(c.accepter.options);
        }
        Ok(out)
    }
}

fn apply(o: &mut PeeringOptions, ch: OptionsChange) {
    set_if_given(
        &mut o.allow_dns_resolution_from_remote_vpc,
        ch.allow_dns_resolution_from_remote_vpc,
    );
    set_if_given(
        &mut o.allow_egress_from_local_classic_link_to_remote_vpc,
        ch.allow_egress_from_local_classic_link_to_remote_vpc,
    );
    set_if_given(
        &mut o.allow_egress_from_local_vpc_to_remote_classic_link,
        ch.allow_egress_from_local_vpc_to_remote_classic_link,
    );
}

#[cfg(test)]
mod tests;
