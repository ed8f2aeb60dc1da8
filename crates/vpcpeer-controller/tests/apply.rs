//! The apply loop against the model of the clouds, with the faults the real ones have: calls
//! throttled, a peering not visible yet right after its request, and an apply killed half-way.
//! It must retry what may pass, stop at once on what will not (naming the step and the cloud's
//! error), and, run again, reach the same end state with nothing duplicated and nothing left over.

mod common;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use common::{block, check_reference, Clouds, ACCOUNTS};
use vpcpeer_controller::apply::{apply, destroy, ApplyError, Event, Failure, Policy, Retry};
use vpcpeer_controller::desired::Desired;
use vpcpeer_controller::gateway::GatewaySecret;
use vpcpeer_controller::observed::Observed;
use vpcpeer_controller::topology::parse;
use vpcpeer_controller::{validate, Action, Step};

/// Runs a future that never waits on anything outside itself (the model answers at once).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the model never waits"),
    }
}

#[derive(Debug)]
struct Error {
    message: String,
    retry: Retry,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Failure for Error {
    fn retry(&self) -> Retry {
        self.retry
    }
}

/// The model with faults: the next `throttle` calls are throttled; an accept or route within
/// `hidden` calls of its peering's request finds nothing; after `kill_after` steps the process
/// "dies" (every call fails for good); `hide_network` is missing from what observe reads.
#[derive(Default)]
struct Faulty {
    clouds: Clouds,
    throttle: u32,
    hidden: u32,
    since_request: Cell<u32>,
    kill_after: Option<usize>,
    hide_network: Option<String>,
    steps: usize,
    slept: Vec<Duration>,
}

impl vpcpeer_controller::apply::Clouds for Faulty {
    type Error = Error;

    async fn observe(&mut self, desired: &Desired) -> Result<Observed, Error> {
        let mut seen = self.clouds.observe(desired);
        if let Some(n) = &self.hide_network {
            seen.networks.remove(n);
        }
        Ok(seen)
    }

    async fn execute(&mut self, desired: &Desired, step: &Step) -> Result<(), Error> {
        if self.kill_after.is_some_and(|k| self.steps >= k) {
            return Err(Error {
                message: "killed".into(),
                retry: Retry::Never,
            });
        }
        if self.throttle > 0 {
            self.throttle -= 1;
            return Err(Error {
                message: "RequestLimitExceeded".into(),
                retry: Retry::Throttled,
            });
        }
        let uses_new_peering = matches!(
            step.action,
            Action::AwsAcceptPeering { .. } | Action::AwsCreateRoute { .. }
        );
        if uses_new_peering && self.since_request.get() < self.hidden {
            self.since_request.set(self.since_request.get() + 1);
            return Err(Error {
                message: "InvalidVpcPeeringConnectionID.NotFound".into(),
                retry: Retry::NotVisibleYet,
            });
        }
        if matches!(step.action, Action::AwsRequestPeering { .. }) {
            self.since_request.set(0);
        }
        self.clouds
            .step(desired, &step.action)
            .map_err(|message| Error {
                message,
                retry: Retry::Never,
            })?;
        self.steps += 1;
        Ok(())
    }

    async fn sleep(&mut self, wait: Duration) {
        self.slept.push(wait);
    }
}

fn desired() -> Desired {
    let text = format!(
        "
name: t
{ACCOUNTS}networks:
  a: {{ account: one, region: us-east-1, cidrs: [{}] }}
  b: {{ account: two, region: eu-west-1, cidrs: [{}] }}
  g1: {{ account: gp, region: us-central1, cidrs: [{}] }}
  g2: {{ account: gp, region: us-central1, cidrs: [{}] }}
  v1: {{ account: az, region: westeurope, cidrs: [{}] }}
  v2: {{ account: az, region: eastus, cidrs: [{}] }}
gateways:
  a-gw: {{ network: a, subnet: 10.1.255.0/28, ha: {{ subnet: 10.1.254.0/28 }} }}
  g1-gw: {{ network: g1, subnet: {}, ha: {{ subnet: {} }} }}
  v1-gw: {{ network: v1, subnet: 10.5.255.0/28, ha: {{ subnet: 10.5.255.0/28 }} }}
links:
  - {{ between: [a, b], dns_resolution: true, open: [{{ protocol: tcp, ports: 443 }}] }}
  - {{ between: [g1, g2], open: [{{ protocol: tcp, ports: 443 }}] }}
  - {{ between: [v1, v2] }}
  - {{ between: [a, g1], type: encrypted }}
  - {{ between: [g1, v1], type: encrypted }}
  - {{ between: [v1, a], type: encrypted }}
",
        block(1),
        block(2),
        block(3),
        block(4),
        block(5),
        block(6),
        block(3),
        block(3)
    );
    let mut d = validate(&parse(&text).unwrap()).unwrap();
    d.gateway_secret = Some(GatewaySecret::from_bytes([9; 32]));
    d
}

fn quiet() -> impl FnMut(Event<'_>) {
    |_| {}
}

#[test]
fn a_clean_apply_converges_in_two_rounds_and_a_second_apply_does_nothing() {
    let d = desired();
    let mut f = Faulty::default();
    let out = block_on(apply(&mut f, &d, &Policy::default(), &mut quiet())).unwrap();
    assert_eq!((out.rounds, out.retries), (2, 0));
    assert!(out.steps > 10, "{out:?}");
    check_reference(&f.clouds, &d).unwrap();
    let again = block_on(apply(&mut f, &d, &Policy::default(), &mut quiet())).unwrap();
    assert_eq!((again.rounds, again.steps), (1, 0));
}

#[test]
fn throttling_and_late_visibility_are_retried_with_doubling_waits() {
    let d = desired();
    let mut f = Faulty {
        throttle: 3,
        hidden: 2,
        ..Faulty::default()
    };
    let mut retried = Vec::new();
    let out = block_on(apply(&mut f, &d, &Policy::default(), &mut |e| {
        if let Event::Retrying { error, .. } = e {
            retried.push(error.to_string());
        }
    }))
    .unwrap();
    assert_eq!(out.retries, 5);
    assert_eq!(
        retried,
        [
            "RequestLimitExceeded",
            "RequestLimitExceeded",
            "RequestLimitExceeded",
            "InvalidVpcPeeringConnectionID.NotFound",
            "InvalidVpcPeeringConnectionID.NotFound",
        ]
    );
    let ms: Vec<u128> = f.slept.iter().map(Duration::as_millis).collect();
    assert_eq!(ms, [100, 200, 400, 100, 200]);
    check_reference(&f.clouds, &d).unwrap();
}

#[test]
fn a_call_that_keeps_failing_stops_the_apply_naming_the_step() {
    let d = desired();
    let mut f = Faulty {
        throttle: 100,
        ..Faulty::default()
    };
    let policy = Policy {
        attempts: 3,
        ..Policy::default()
    };
    let err = block_on(apply(&mut f, &d, &policy, &mut quiet())).unwrap_err();
    assert!(
        matches!(err, ApplyError::Step { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "AWS VPC a 10.1.0.0/16 failed after 3 attempt(s): RequestLimitExceeded"
    );
}

#[test]
fn a_refusal_is_not_retried() {
    let d = desired();
    // Network `a` was made by hand after the controller read the clouds: the create is refused.
    let mut f = Faulty {
        hide_network: Some("a".into()),
        ..Faulty::default()
    };
    let made_by_hand = Action::CreateNetwork {
        network: "a".into(),
        cloud: vpcpeer_controller::Cloud::Aws,
        cidrs: vec![block(1)],
    };
    f.clouds.step(&d, &made_by_hand).unwrap();
    let err = block_on(apply(&mut f, &d, &Policy::default(), &mut quiet())).unwrap_err();
    assert!(
        matches!(err, ApplyError::Step { attempts: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "AWS VPC a 10.1.0.0/16 failed after 1 attempt(s): a exists"
    );
    assert!(f.slept.is_empty());
}

#[test]
fn an_apply_killed_at_any_step_is_finished_by_the_next_one() {
    let d = desired();
    let total = {
        let mut f = Faulty::default();
        block_on(apply(&mut f, &d, &Policy::default(), &mut quiet()))
            .unwrap()
            .steps
    };
    for k in 0..total {
        let mut f = Faulty {
            kill_after: Some(k),
            ..Faulty::default()
        };
        let err = block_on(apply(&mut f, &d, &Policy::default(), &mut quiet())).unwrap_err();
        assert!(err.to_string().ends_with("killed"), "{err}");
        f.kill_after = None;
        let out = block_on(apply(&mut f, &d, &Policy::default(), &mut quiet())).unwrap();
        assert_eq!(
            out.steps,
            total - k,
            "after a kill at step {k}, the rest and nothing more"
        );
        check_reference(&f.clouds, &d).unwrap_or_else(|e| panic!("killed at {k}: {e}"));
        let peerings: BTreeMap<_, _> = f
            .clouds
            .state
            .aws_peerings
            .iter()
            .map(|p| (p.id.clone(), p.status))
            .collect();
        assert_eq!(
            peerings.len(),
            1,
            "killed at {k}: no duplicate peering: {peerings:?}"
        );
    }
}

#[test]
fn destroy_removes_everything_and_is_then_a_no_op() {
    let d = desired();
    let mut f = Faulty::default();
    block_on(apply(&mut f, &d, &Policy::default(), &mut quiet())).unwrap();
    let out = block_on(destroy(&mut f, &d, &Policy::default(), &mut quiet())).unwrap();
    assert!(out.steps > 0);
    assert!(f.clouds.state.networks.is_empty());
    let again = block_on(destroy(&mut f, &d, &Policy::default(), &mut quiet())).unwrap();
    assert_eq!(again.steps, 0);
}

#[test]
fn a_hub_with_thirty_spokes_never_has_more_than_25_requests_waiting() {
    let mut text = format!("\nname: t\n{ACCOUNTS}networks:\n  hub: {{ account: one, region: us-east-1, cidrs: [10.0.0.0/16] }}\n");
    for i in 1..=30 {
        text.push_str(&format!(
            "  s{i}: {{ account: one, region: us-east-1, cidrs: [{}] }}\n",
            block(i)
        ));
    }
    text.push_str("links:\n");
    for i in 1..=30 {
        text.push_str(&format!("  - {{ between: [hub, s{i}] }}\n"));
    }
    let d = validate(&parse(&text).unwrap()).unwrap();
    let mut f = Faulty::default();
    let out = block_on(apply(&mut f, &d, &Policy::default(), &mut quiet())).unwrap();
    assert_eq!(out.rounds, 2);
    check_reference(&f.clouds, &d).unwrap();
}
