//! Table test over every (state, event) pair of the peering state machine.

use super::{PeeringEvent as E, PeeringState as S};

const EVENTS: [E; 8] = [
    E::Delivered,
    E::Fail,
    E::Accept,
    E::Provisioned,
    E::Reject,
    E::Delete,
    E::Deleted,
    E::Expire,
];

/// The expected outcome of each pair; `None` means the transition is refused.
fn expected(state: S, event: E) -> Option<S> {
    let table: &[(S, E, S)] = &[
        (S::InitiatingRequest, E::Delivered, S::PendingAcceptance),
        (S::InitiatingRequest, E::Fail, S::Failed),
        (S::PendingAcceptance, E::Accept, S::Provisioning),
        (S::PendingAcceptance, E::Reject, S::Rejected),
        (S::PendingAcceptance, E::Delete, S::Deleted),
        (S::PendingAcceptance, E::Expire, S::Expired),
        (S::PendingAcceptance, E::Fail, S::Failed),
        (S::Provisioning, E::Provisioned, S::Active),
        (S::Provisioning, E::Fail, S::Failed),
        (S::Active, E::Delete, S::Deleting),
        (S::Deleting, E::Deleted, S::Deleted),
    ];
    table
        .iter()
        .find(|(s, e, _)| *s == state && *e == event)
        .map(|(_, _, n)| *n)
}

#[test]
fn every_state_event_pair() {
    let mut allowed = 0;
    for state in S::ALL {
        for event in EVENTS {
            let got = state.on(event);
            match expected(state, event) {
                Some(next) => {
                    allowed += 1;
                    assert_eq!(got, Ok(next), "{state:?} on {event:?}");
                }
                None => {
                    let err = got.expect_err("refused transition");
                    assert_eq!((err.from, err.event), (state, event));
                }
            }
        }
    }
    assert_eq!(allowed, 11);
    assert_eq!(S::ALL.len() * EVENTS.len(), 72);
}

#[test]
fn terminal_states_accept_no_event() {
    for state in S::ALL.into_iter().filter(|s| s.is_terminal()) {
        for event in EVENTS {
            assert!(state.on(event).is_err(), "{state:?} on {event:?}");
        }
    }
}
