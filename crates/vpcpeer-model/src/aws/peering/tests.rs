//! The peering permission matrix as a table: every (state, action, caller) cell, cross-account in
//! one region, plus the lifecycle rules that depend on time and CIDR blocks.

use crate::aws::peering::{CreatePeering, OptionsChange};
use crate::aws::peering_state::PeeringState;
use crate::testkit::{block, TestEnv, A, B, REGION};
use crate::{DomainError, Scope, Timestamp};

const C: &str = "333333333333";

/// Peering helpers on top of the shared harness.
trait PeeringEnv {
    /// `account` (in `region`) requests a peering from its `vpc` to `peer_vpc` of `peer_account`.
    fn request(&mut self, at: (&str, &str), peer: (&str, &str, &str)) -> String;
    /// The connection's state at the current clock.
    fn state(&self, id: &str) -> PeeringState;
    /// The connection's requester and accepter VPCs.
    fn vpcs(&self, id: &str) -> (String, String);
}

impl PeeringEnv for TestEnv {
    fn request(
        &mut self,
        (account, region): (&str, &str),
        (peer_account, peer_vpc, vpc): (&str, &str, &str),
    ) -> String {
        self.run(&Scope::new(account, region), |tx| {
            tx.create_peering(CreatePeering {
                vpc_id: vpc.into(),
                peer_vpc_id: peer_vpc.into(),
                peer_owner_id: Some(peer_account.into()),
                peer_region: None,
                tags: Default::default(),
            })
        })
        .expect("request")
        .connection
        .id
    }

    fn state(&self, id: &str) -> PeeringState {
        self.world.aws.peerings[id].state_at(self.now)
    }

    fn vpcs(&self, id: &str) -> (String, String) {
        let p = &self.world.aws.peerings[id];
        (p.requester.vpc_id.clone(), p.accepter.vpc_id.clone())
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Setup {
    Pending,
    Active,
    Rejected,
    Failed,
    Expired,
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    Accept,
    Reject,
    Delete,
    ModifyRequesterSide,
    ModifyAccepterSide,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Requester,
    Accepter,
    Stranger,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    Ok,
    NotPermitted,
    InvalidState,
    NotFound,
}

/// Builds a connection from A's 10.0/16 to B's 10.1/16 (or B's overlapping 10.0.128/17 for
/// `Failed`) and drives it into the state.
fn setup(s: Setup) -> (TestEnv, String) {
    let mut env = TestEnv::new();
    let va = env.vpc(&Scope::new(A, REGION), "10.0.0.0/16");
    let cidr_b = if s == Setup::Failed {
        "10.0.128.0/17"
    } else {
        "10.1.0.0/16"
    };
    let vb = env.vpc(&Scope::new(B, REGION), cidr_b);
    let id = env.request((A, REGION), (B, &vb, &va));
    match s {
        Setup::Pending | Setup::Failed => {}
        Setup::Active => {
            env.run(&Scope::new(B, REGION), |tx| tx.accept_peering(&id))
                .expect("accept");
        }
        Setup::Rejected => env
            .run(&Scope::new(B, REGION), |tx| tx.reject_peering(&id))
            .expect("reject"),
        Setup::Expired => env.now = env.now.plus_millis(7 * Timestamp::DAY),
        Setup::Deleted => {
            env.run(&Scope::new(B, REGION), |tx| tx.accept_peering(&id))
                .expect("accept");
            env.run(&Scope::new(A, REGION), |tx| tx.delete_peering(&id))
                .expect("delete");
        }
    }
    let want = match s {
        Setup::Pending => PeeringState::PendingAcceptance,
        Setup::Active => PeeringState::Active,
        Setup::Rejected => PeeringState::Rejected,
        Setup::Failed => PeeringState::Failed,
        Setup::Expired => PeeringState::Expired,
        Setup::Deleted => PeeringState::Deleted,
    };
    assert_eq!(env.state(&id), want, "setup {s:?}");
    (env, id)
}

/// A's 10.0/16 in us-east-1 requests a peering with B's 10.1/16 in us-west-2.
fn cross_region_request(env: &mut TestEnv) -> String {
    let va = env.vpc(&Scope::new(A, "us-east-1"), "10.0.0.0/16");
    let vb = env.vpc(&Scope::new(B, "us-west-2"), "10.1.0.0/16");
    env.run(&Scope::new(A, "us-east-1"), |tx| {
        tx.create_peering(CreatePeering {
            vpc_id: va,
            peer_vpc_id: vb,
            peer_owner_id: Some(B.into()),
            peer_region: Some("us-west-2".into()),
            tags: Default::default(),
        })
    })
    .expect("request")
    .connection
    .id
}

fn classify(r: Result<(), DomainError>) -> Want {
    match r {
        Ok(()) => Want::Ok,
        Err(e) if crate::testkit::code(&e) == "OperationNotPermitted" => Want::NotPermitted,
        Err(DomainError::InvalidStateTransition { .. }) => Want::InvalidState,
        Err(DomainError::NotFound { .. }) => Want::NotFound,
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

fn act(env: &mut TestEnv, id: &str, action: Action, who: Who) -> Want {
    let account = match who {
        Who::Requester => A,
        Who::Accepter => B,
        Who::Stranger => C,
    };
    let on = OptionsChange {
        allow_egress_from_local_classic_link_to_remote_vpc: Some(true),
        ..Default::default()
    };
    classify(env.run(&Scope::new(account, REGION), |tx| match action {
        Action::Accept => tx.accept_peering(id).map(|_| ()),
        Action::Reject => tx.reject_peering(id),
        Action::Delete => tx.delete_peering(id),
        Action::ModifyRequesterSide => tx.modify_peering_options(id, Some(on), None).map(|_| ()),
        Action::ModifyAccepterSide => tx.modify_peering_options(id, None, Some(on)).map(|_| ()),
    }))
}

#[test]
fn permission_matrix() {
    use Action::*;
    use Setup::*;
    use Want::*;
    use Who::*;
    #[rustfmt::skip]
    let table: &[(Setup, Action, Who, Want)] = &[
        (Pending, Accept, Requester, NotPermitted), (Pending, Accept, Accepter, Ok), (Pending, Accept, Stranger, NotFound),
        (Pending, Reject, Requester, NotPermitted), (Pending, Reject, Accepter, Ok), (Pending, Reject, Stranger, NotFound),
        (Pending, Delete, Requester, Ok), (Pending, Delete, Accepter, NotPermitted), (Pending, Delete, Stranger, NotFound),
        (Pending, ModifyRequesterSide, Requester, NotPermitted), (Pending, ModifyRequesterSide, Accepter, NotPermitted),
        (Pending, ModifyAccepterSide, Requester, NotPermitted), (Pending, ModifyAccepterSide, Accepter, NotPermitted),
        (Active, Accept, Requester, NotPermitted), (Active, Accept, Accepter, InvalidState), (Active, Accept, Stranger, NotFound),
        (Active, Reject, Requester, NotPermitted), (Active, Reject, Accepter, InvalidState),
        (Active, Delete, Requester, Ok), (Active, Delete, Accepter, Ok), (Active, Delete, Stranger, NotFound),
        (Active, ModifyRequesterSide, Requester, Ok), (Active, ModifyRequesterSide, Accepter, NotPermitted),
        (Active, ModifyAccepterSide, Requester, NotPermitted), (Active, ModifyAccepterSide, Accepter, Ok),
        (Active, ModifyAccepterSide, Stranger, NotFound),
        (Rejected, Accept, Requester, NotPermitted), (Rejected, Accept, Accepter, InvalidState),
        (Rejected, Reject, Accepter, InvalidState), (Rejected, Delete, Requester, InvalidState),
        (Rejected, Delete, Accepter, InvalidState), (Rejected, ModifyRequesterSide, Requester, NotPermitted),
        (Failed, Accept, Accepter, NotFound), (Failed, Accept, Requester, NotPermitted),
        (Failed, Reject, Accepter, NotFound), (Failed, Delete, Requester, InvalidState),
        (Failed, Delete, Accepter, NotFound), (Failed, ModifyRequesterSide, Requester, NotPermitted),
        (Expired, Accept, Accepter, InvalidState), (Expired, Reject, Accepter, InvalidState),
        (Expired, Delete, Requester, InvalidState), (Expired, Delete, Accepter, InvalidState),
        (Expired, ModifyAccepterSide, Accepter, NotPermitted), (Expired, Accept, Stranger, NotFound),
        (Deleted, Accept, Accepter, InvalidState), (Deleted, Reject, Accepter, InvalidState),
        (Deleted, Delete, Requester, InvalidState), (Deleted, Delete, Accepter, InvalidState),
        (Deleted, ModifyRequesterSide, Requester, NotPermitted), (Deleted, Delete, Stranger, NotFound),
    ];
    for &(s, action, who, want) in table {
        let (mut env, id) = setup(s);
        let before = env.world.clone();
        let got = act(&mut env, &id, action, who);
        assert_eq!(got, want, "{s:?} / {action:?} by {who:?}");
        if got != Want::Ok {
            assert_eq!(env.world, before, "a refused {action:?} changed state");
        }
        assert!(
            env.world.indexes_consistent(),
            "{s:?} / {action:?} by {who:?}"
        );
    }
}

#[test]
fn accept_moves_to_active_and_reports_provisioning() {
    let (mut env, id) = setup(Setup::Pending);
    let reply = env
        .run(&Scope::new(B, REGION), |tx| tx.accept_peering(&id))
        .expect("accept");
    assert_eq!(reply.shown_state, PeeringState::Provisioning);
    assert_eq!(env.state(&id), PeeringState::Active);
}

#[test]
fn secondary_block_overlap_fails_the_request() {
    let mut env = TestEnv::new();
    let va = env.vpc(&Scope::new(A, REGION), "10.0.0.0/16");
    env.run(&Scope::new(A, REGION), |tx| {
        tx.associate_vpc_cidr(&va, block("10.2.0.0/16"))
    })
    .expect("secondary");
    let vb = env.vpc(&Scope::new(B, REGION), "10.2.128.0/17");
    let id = env.request((A, REGION), (B, &vb, &va));
    assert_eq!(env.state(&id), PeeringState::Failed);
}

#[test]
fn same_pair_returns_existing_and_reverse_pair_cannot_be_accepted() {
    let (mut env, id) = setup(Setup::Active);
    let (va, vb) = env.vpcs(&id);
    assert_eq!(env.request((A, REGION), (B, &vb, &va)), id);
    let reverse = env.request((B, REGION), (A, &va, &vb));
    assert_ne!(reverse, id);
    let err = env
        .run(&Scope::new(A, REGION), |tx| tx.accept_peering(&reverse))
        .expect_err("duplicate");
    assert!(matches!(err, DomainError::PeeringAlreadyExists { .. }));
}

#[test]
fn cross_region_accept_must_happen_in_the_accepter_region() {
    let mut env = TestEnv::new();
    let id = cross_region_request(&mut env);
    let wrong = env.run(&Scope::new(B, "us-east-1"), |tx| {
        tx.accept_peering(&id).map(|_| ())
    });
    assert!(matches!(
        wrong,
        Err(DomainError::Peering(
            crate::PeeringProblem::AcceptInOtherRegion { .. }
        ))
    ));
    env.run(&Scope::new(B, "us-west-2"), |tx| tx.accept_peering(&id))
        .expect("accept in us-west-2");
    assert_eq!(env.state(&id), PeeringState::Active);
}

#[test]
fn cross_region_reject_must_happen_in_the_accepter_region() {
    let mut env = TestEnv::new();
    let id = cross_region_request(&mut env);
    let wrong = env.run(&Scope::new(B, "us-east-1"), |tx| tx.reject_peering(&id));
    assert_eq!(
        wrong,
        Err(DomainError::Peering(
            crate::PeeringProblem::RejectInOtherRegion {
                region: "us-east-1".into(),
                peering_id: id.clone(),
                accepter_region: "us-west-2".into(),
            }
        ))
    );
    assert_eq!(env.state(&id), PeeringState::PendingAcceptance);
    // The requester's account is still refused as a rejecter, whatever the region.
    let by_requester = env.run(&Scope::new(A, "us-west-2"), |tx| tx.reject_peering(&id));
    assert!(
        matches!(
            by_requester,
            Err(DomainError::Peering(
                crate::PeeringProblem::RejectByOther { .. }
            ))
        ),
        "{by_requester:?}"
    );
    env.run(&Scope::new(B, "us-west-2"), |tx| tx.reject_peering(&id))
        .expect("reject in us-west-2");
    assert_eq!(env.state(&id), PeeringState::Rejected);
}

#[test]
fn requester_cannot_add_blocks_while_pending_and_overlap_with_active_peer_is_refused() {
    let (mut env, id) = setup(Setup::Pending);
    let (va, vb) = env.vpcs(&id);
    let r = env.run(&Scope::new(A, REGION), |tx| {
        tx.associate_vpc_cidr(&va, block("10.5.0.0/16"))
    });
    assert!(matches!(
        r,
        Err(DomainError::Vpc(
            crate::VpcProblem::BlockWhilePending { .. }
        ))
    ));
    // The accepter may add a block; one that overlaps the requester fails the pending request.
    env.run(&Scope::new(B, REGION), |tx| {
        tx.associate_vpc_cidr(&vb, block("10.0.0.0/16"))
    })
    .expect("the accepter may add a block while a request is pending");
    assert_eq!(env.state(&id), PeeringState::Failed);

    let (mut env, id) = setup(Setup::Active);
    let (_, vb) = env.vpcs(&id);
    let r = env.run(&Scope::new(B, REGION), |tx| {
        tx.associate_vpc_cidr(&vb, block("10.0.0.0/16"))
    });
    assert!(matches!(
        r,
        Err(DomainError::Vpc(
            crate::VpcProblem::BlockOverlapsPeer { .. }
        ))
    ));
}

#[test]
fn delete_vpc_with_active_peering_is_a_dependency_violation() {
    let (mut env, id) = setup(Setup::Active);
    let (va, _) = env.vpcs(&id);
    let r = env.run(&Scope::new(A, REGION), |tx| tx.delete_vpc(&va));
    assert!(matches!(r, Err(DomainError::DependencyViolation { .. })));
}

#[test]
fn quotas_are_enforced() {
    let mut env = TestEnv::new();
    env.limits.outstanding_peering_requests = Some(1);
    let va = env.vpc(&Scope::new(A, REGION), "10.0.0.0/16");
    let vb = env.vpc(&Scope::new(B, REGION), "10.1.0.0/16");
    let vc = env.vpc(&Scope::new(B, REGION), "10.2.0.0/16");
    env.request((A, REGION), (B, &vb, &va));
    let r = env.run(&Scope::new(A, REGION), |tx| {
        tx.create_peering(CreatePeering {
            vpc_id: va.clone(),
            peer_vpc_id: vc.clone(),
            peer_owner_id: Some(B.into()),
            ..Default::default()
        })
    });
    assert!(matches!(
        r,
        Err(DomainError::LimitExceeded {
            kind: crate::LimitKind::OutstandingPeeringRequests,
            ..
        })
    ));
}

#[test]
fn visibility_windows_follow_the_clock() {
    // Rejected: the requester sees it for 2 days, the accepter for 2 hours.
    let (mut env, id) = setup(Setup::Rejected);
    let a = Scope::new(A, REGION);
    let b = Scope::new(B, REGION);
    let p = env.world.aws.peerings[&id].clone();
    env.now = env.now.plus_millis(3 * Timestamp::HOUR);
    assert!(p.visible_to(&a, env.now));
    assert!(!p.visible_to(&b, env.now));
    env.now = env.now.plus_millis(2 * Timestamp::DAY);
    assert!(!p.visible_to(&a, env.now));
    // Expired: both see it for 2 days after expiry.
    let (env, id) = setup(Setup::Expired);
    let p = env.world.aws.peerings[&id].clone();
    assert!(p.visible_to(&a, env.now.plus_millis(Timestamp::DAY)));
    assert!(p.visible_to(&b, env.now.plus_millis(Timestamp::DAY)));
    assert!(!p.visible_to(&b, env.now.plus_millis(2 * Timestamp::DAY)));
}

#[test]
fn a_closed_visibility_window_hides_the_connection_from_every_region() {
    let mut env = TestEnv::new();
    let id = cross_region_request(&mut env);
    env.run(&Scope::new(B, "us-west-2"), |tx| tx.reject_peering(&id))
        .expect("reject");
    // Inside the accepter's 2-hour window, a call from the wrong region is told so.
    let r = env.run(&Scope::new(B, "us-east-1"), |tx| {
        tx.accept_peering(&id).map(|_| ())
    });
    assert!(matches!(
        r,
        Err(DomainError::Peering(
            crate::PeeringProblem::AcceptInOtherRegion { .. }
        ))
    ));
    // After it, the connection is gone for the accepter, whatever the region.
    env.now = env.now.plus_millis(3 * Timestamp::HOUR);
    let r = env.run(&Scope::new(B, "us-east-1"), |tx| {
        tx.accept_peering(&id).map(|_| ())
    });
    assert!(matches!(r, Err(DomainError::NotFound { .. })), "{r:?}");
}

/// `visible_peerings`, which starts from the world's index of connections by account, lists
/// exactly what a scan of every connection with the visibility rule lists: for each party and a
/// stranger, in the connection's region and another one, in every state, and again once the
/// visibility windows have run out.
#[test]
fn visible_peerings_from_the_account_index_equal_the_scan() {
    use Setup::*;
    let mut listed = 0;
    for s in [Pending, Active, Rejected, Failed, Expired, Deleted] {
        let (mut env, _) = setup(s);
        for later in [0, 3 * Timestamp::DAY] {
            env.now = Timestamp(env.now.0 + later);
            assert!(env.world.indexes_consistent(), "{s:?}");
            for account in [A, B, C] {
                for region in [REGION, "eu-west-1"] {
                    let scope = Scope::new(account, region);
                    let indexed: Vec<String> = env
                        .run(&scope, |tx| {
                            Ok(tx.visible_peerings().map(|p| p.id.clone()).collect())
                        })
                        .expect("read");
                    let scanned: Vec<String> = env
                        .world
                        .aws
                        .peerings
                        .values()
                        .filter(|p| p.visible_to(&scope, env.now))
                        .map(|p| p.id.clone())
                        .collect();
                    assert_eq!(indexed, scanned, "{s:?} +{later} ms, {account} in {region}");
                    listed += indexed.len();
                }
            }
        }
    }
    assert!(listed > 0, "some connection was visible to someone");
}
