//! The apply loop: observe, plan, carry out the steps, and again until a plan comes out empty.
//! It is generic over [`Clouds`], which does every call and every wait, so the loop itself does
//! no I/O: the drivers give it the real clouds (or the emulator), the tests a model of them.
//!
//! Failures: each step is tried again, with a doubling wait, while its error says it may pass
//! ([`Retry`]): throttling, a resource not visible yet right after its creation (eventual
//! consistency), an operation already in progress on the network (GCP). Any other error stops the
//! apply at once, naming the step. Because every round starts from what the clouds report, an
//! apply that was stopped, or killed, is finished by the next one: nothing is remembered between
//! runs but what the clouds hold.

use std::future::Future;
use std::time::Duration;

use crate::desired::Desired;
use crate::observed::Observed;
use crate::plan::{plan, plan_destroy, Conflict, Plan, Step};

/// Whether a failed call may pass if tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// No: the request is wrong, or the cloud refuses it.
    Never,
    /// The cloud throttles the caller.
    Throttled,
    /// What the call names was just created and is not visible everywhere yet.
    NotVisibleYet,
    /// Another operation holds the resource (GCP: "a peering operation is in progress").
    Busy,
}

/// A cloud error the loop can classify.
pub trait Failure: std::error::Error {
    /// Whether to try again.
    fn retry(&self) -> Retry;
}

/// The clouds as the loop uses them.
pub trait Clouds {
    /// A failed call.
    type Error: Failure;
    /// Reads what the clouds hold for `desired`'s networks.
    fn observe(&mut self, desired: &Desired)
        -> impl Future<Output = Result<Observed, Self::Error>>;
    /// Carries out one step.
    fn execute(
        &mut self,
        desired: &Desired,
        step: &Step,
    ) -> impl Future<Output = Result<(), Self::Error>>;
    /// Waits (the clock is the caller's: a test's clock does not sleep).
    fn sleep(&mut self, wait: Duration) -> impl Future<Output = ()>;
}

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Attempts of one call before giving up.
    pub attempts: u32,
    /// The first wait; each next one doubles, up to `max_wait`.
    pub first_wait: Duration,
    /// The longest wait.
    pub max_wait: Duration,
    /// Observe-plan-execute rounds before giving up on converging.
    pub rounds: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            attempts: 8,
            first_wait: Duration::from_millis(100),
            max_wait: Duration::from_secs(10),
            rounds: 4,
        }
    }
}

/// What the loop reports as it goes, for progress output.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A round's plan.
    Planned {
        /// The round, from 1.
        round: u32,
        /// Its plan.
        plan: &'a Plan,
    },
    /// A step starts.
    Step {
        /// Its index in the round's plan, from 0.
        index: usize,
        /// Steps in the round's plan.
        total: usize,
        /// The step.
        step: &'a Step,
    },
    /// A call failed and will be tried again after `wait`.
    Retrying {
        /// The attempt that failed, from 1.
        attempt: u32,
        /// Why.
        error: &'a dyn std::error::Error,
        /// The wait before the next attempt.
        wait: Duration,
    },
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Steps carried out.
    pub steps: usize,
    /// Rounds, the last one the empty plan.
    pub rounds: u32,
    /// Calls tried again.
    pub retries: u32,
}

/// Why an apply stopped.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError<E: std::error::Error> {
    /// The plan has conflicts; nothing was done in this round.
    #[error("the plan has conflicts; nothing was changed:\n{}", Conflict::lines(.0))]
    Conflicts(Vec<Conflict>),
    /// Reading the clouds failed.
    #[error("reading the clouds failed: {0}")]
    Observe(E),
    /// A step failed.
    #[error("{} {} failed after {attempts} attempt(s): {error}", .step.action.cloud(), .step.action)]
    Step {
        /// The step.
        step: Box<Step>,
        /// The cloud's error.
        error: E,
        /// Attempts made.
        attempts: u32,
    },
    /// Plans kept coming out non-empty.
    #[error("the clouds did not converge in {rounds} rounds; still planned:\n{remaining}")]
    NotConverged {
        /// Rounds run.
        rounds: u32,
        /// The last plan.
        remaining: Box<Plan>,
    },
}

/// Brings the clouds to `desired`.
pub async fn apply<C: Clouds>(
    clouds: &mut C,
    desired: &Desired,
    policy: &Policy,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<Outcome, ApplyError<C::Error>> {
    run(clouds, desired, policy, on, plan).await
}

/// Removes what `desired`'s topology owns.
pub async fn destroy<C: Clouds>(
    clouds: &mut C,
    desired: &Desired,
    policy: &Policy,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<Outcome, ApplyError<C::Error>> {
    run(clouds, desired, policy, on, plan_destroy).await
}

async fn run<C: Clouds>(
    clouds: &mut C,
    desired: &Desired,
    policy: &Policy,
    on: &mut dyn FnMut(Event<'_>),
    planner: fn(&Observed, &Desired) -> Plan,
) -> Result<Outcome, ApplyError<C::Error>> {
    let mut out = Outcome {
        steps: 0,
        rounds: 0,
        retries: 0,
    };
    let mut last = Plan::default();
    for round in 1..=policy.rounds {
        out.rounds = round;
        let observed = match attempt(clouds, policy, on, &mut out.retries, async |c: &mut C| {
            c.observe(desired).await
        })
        .await
        {
            Ok(o) => o,
            Err((error, _)) => return Err(ApplyError::Observe(error)),
        };
        let p = planner(&observed, desired);
        on(Event::Planned { round, plan: &p });
        if !p.conflicts.is_empty() {
            return Err(ApplyError::Conflicts(p.conflicts));
        }
        if p.steps.is_empty() {
            return Ok(out);
        }
        for (index, step) in p.steps.iter().enumerate() {
            on(Event::Step {
                index,
                total: p.steps.len(),
                step,
            });
            let done = attempt(clouds, policy, on, &mut out.retries, async |c: &mut C| {
                c.execute(desired, step).await
            })
            .await;
            if let Err((error, attempts)) = done {
                return Err(ApplyError::Step {
                    step: Box::new(step.clone()),
                    error,
                    attempts,
                });
            }
            out.steps += 1;
        }
        last = p;
    }
    Err(ApplyError::NotConverged {
        rounds: policy.rounds,
        remaining: Box::new(last),
    })
}

/// One call, tried again while its error allows; the error and the attempts made otherwise.
async fn attempt<C: Clouds, T>(
    clouds: &mut C,
    policy: &Policy,
    on: &mut dyn FnMut(Event<'_>),
    retries: &mut u32,
    mut call: impl AsyncFnMut(&mut C) -> Result<T, C::Error>,
) -> Result<T, (C::Error, u32)> {
    let mut wait = policy.first_wait;
    let mut n = 1;
    loop {
        match call(clouds).await {
            Ok(v) => return Ok(v),
            Err(e) if e.retry() != Retry::Never && n < policy.attempts => {
                on(Event::Retrying {
                    attempt: n,
                    error: &e,
                    wait,
                });
                clouds.sleep(wait).await;
                *retries += 1;
                wait = (wait * 2).min(policy.max_wait);
                n += 1;
            }
            Err(e) => return Err((e, n)),
        }
    }
}
