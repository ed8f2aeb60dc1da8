//! The controller's JSON API for the web console, mounted by `vpcpeer serve` on its own router
//! (`AppState::mount`: `vpcpeer-server` knows nothing of the controller), under `/_vpcpeer/`
//! and so behind the admin token when one is configured. It drives the controller against this
//! server's own clouds (the faces on loopback), as the Aviatrix API does (`aviatrix.rs`).
//!
//! - `POST /_vpcpeer/controller/plan`, body `{"topology": "<the topology file, YAML>"}` (JSON:
//!   the server's browser checks want `Content-Type: application/json` on every admin write,
//!   which no cross-site form can send). Answer: the plan, the same
//!   JSON `vpcpeer plan --output json` prints (`controller::plan_json`: `in_sync`, `summary`,
//!   each step with its sign `+`/`~`/`-`, text and reason, the conflicts).
//! - `POST /_vpcpeer/controller/apply`, same body: starts the apply and answers 202 with a job
//!   id at once; `GET /_vpcpeer/controller/apply?job=N` tells its progress (each round's plan,
//!   each step as `[i/n] text`, each retry) and, once done, the result `vpcpeer apply --output
//!   json` prints (`steps`, `rounds`, `retries`, `seconds`) or the error. One apply runs at a
//!   time (409 meanwhile); the last [`KEPT_JOBS`] jobs are kept.
//! - `GET /_vpcpeer/controller/status?topology=NAME`: for a topology applied here, what `vpcpeer
//!   controller status --output json` prints (`failover::status_json`): each encrypted link up
//!   or down with its active gateways, the recent health events and failovers, and each native
//!   link's peering and state.
//!
//! An apply is one reconcile pass (`failover.rs`): read the clouds, run the health check with
//! the HA state this API keeps for the topology, apply its plan, keep the new state. That state
//! (since-times, events) lives in memory, per topology name, for as long as the server runs; the
//! plan uses it too, so that it agrees with the apply. This API does not fail over by itself:
//! `vpcpeer controller run` does, with its own state file.
//!
//! Refused with 400 and the list of problems: a body that is not a topology, one that
//! `validate` refuses, and one whose accounts name an `endpoint` or `credentials`: a topology
//! posted here drives this server's clouds only, and never makes the server read its own
//! environment or send keys elsewhere. Errors are JSON `{"error": …}` (with `problems` when
//! there are several); a cloud that cannot be read is a 502.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use anyhow::{anyhow, Context};
use serde_json::{json, Value};
use vpcpeer_controller::apply::{self, Clouds, Event, Policy};
use vpcpeer_controller::health::{assess, HaState, Health};
use vpcpeer_controller::topology::parse;
use vpcpeer_controller::{plan, validate, Cloud, Desired, Observed};
use vpcpeer_drivers::{Access, Drivers};
use vpcpeer_server::{AppState, MountedHandler, MountedRequest, MountedResponse};

/// Where the plan is mounted.
pub const PLAN_PATH: &str = "/_vpcpeer/controller/plan";
/// Where the apply is mounted.
pub const APPLY_PATH: &str = "/_vpcpeer/controller/apply";
/// Where the status is mounted.
pub const STATUS_PATH: &str = "/_vpcpeer/controller/status";

/// How many finished apply jobs are kept for `GET …/apply?job=N`.
pub const KEPT_JOBS: usize = 16;

/// One apply, as `GET …/apply?job=N` shows it.
#[derive(Debug, Clone)]
struct Job {
    id: u64,
    topology: String,
    progress: Vec<Value>,
    /// `None` while it runs.
    outcome: Option<Result<Value, String>>,
}

impl Job {
    fn to_json(&self) -> Value {
        let (state, result, error) = match &self.outcome {
            None => ("running", Value::Null, Value::Null),
            Some(Ok(r)) => ("done", r.clone(), Value::Null),
            Some(Err(e)) => ("failed", Value::Null, json!(e)),
        };
        json!({
            "job": self.id,
            "topology": self.topology,
            "state": state,
            "progress": self.progress,
            "result": result,
            "error": error,
        })
    }
}

#[derive(Default)]
struct Inner {
    /// The HA state kept per topology name, with the topology last applied.
    topologies: BTreeMap<String, (Desired, HaState)>,
    jobs: VecDeque<Job>,
    next_job: u64,
}

/// The API: where the clouds are, and what it keeps.
pub struct Service {
    endpoint: String,
    inner: Mutex<Inner>,
}

/// An answer: status and JSON.
type Answer = (u16, Value);

fn error(status: u16, message: impl Into<String>) -> Answer {
    (status, json!({ "error": message.into() }))
}

impl Service {
    /// The API against the clouds at `endpoint` (this server's own address).
    pub fn new(endpoint: String) -> Service {
        Service {
            endpoint,
            inner: Mutex::new(Inner {
                next_job: 1,
                ..Inner::default()
            }),
        }
    }

    /// Mounts the three paths on `state`.
    pub fn mount(self, state: &AppState) {
        let me = Arc::new(self);
        let handler = |f: fn(Arc<Service>, MountedRequest) -> Answer| -> MountedHandler {
            let me = me.clone();
            Arc::new(move |req: MountedRequest| {
                let me = me.clone();
                Box::pin(async move {
                    // The drivers run their own runtime and call this server back: off the
                    // server's threads.
                    let (status, body) = tokio::task::spawn_blocking(move || f(me, req))
                        .await
                        .unwrap_or_else(|e| error(500, format!("internal error: {e}")));
                    MountedResponse {
                        status,
                        content_type: "application/json",
                        body: serde_json::to_vec(&body).unwrap_or_default(),
                    }
                })
            })
        };
        state.mount(PLAN_PATH, handler(Service::plan));
        state.mount(APPLY_PATH, handler(Service::apply));
        state.mount(STATUS_PATH, handler(Service::status));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `POST …/plan`.
    fn plan(self: Arc<Self>, req: MountedRequest) -> Answer {
        if req.method != "POST" {
            return error(405, "POST the topology file (YAML) to plan it");
        }
        let desired = match desired_of(&req.body) {
            Ok(d) => d,
            Err(a) => return a,
        };
        let ha = self.kept_state(&desired.name);
        self.with_health(&desired, &ha, |observed, health, _| {
            crate::controller::plan_json(&plan(observed, &health.desired))
        })
    }

    /// `POST …/apply` (start) or `GET …/apply?job=N` (progress).
    fn apply(self: Arc<Self>, req: MountedRequest) -> Answer {
        if req.method == "GET" {
            let id = query_value(&req.query, "job").and_then(|v| v.parse::<u64>().ok());
            let Some(id) = id else {
                return error(400, "give the apply's job: ?job=N");
            };
            return match self.lock().jobs.iter().find(|j| j.id == id) {
                Some(j) => (200, j.to_json()),
                None => error(
                    404,
                    format!("no apply job {id} (the last {KEPT_JOBS} are kept)"),
                ),
            };
        }
        if req.method != "POST" {
            return error(405, "POST the topology file (YAML) to apply it");
        }
        let desired = match desired_of(&req.body) {
            Ok(d) => d,
            Err(a) => return a,
        };
        let job = {
            let mut inner = self.lock();
            if let Some(j) = inner.jobs.iter().find(|j| j.outcome.is_none()) {
                return error(
                    409,
                    format!("apply job {} ({}) is still running", j.id, j.topology),
                );
            }
            let id = inner.next_job;
            inner.next_job += 1;
            let job = Job {
                id,
                topology: desired.name.clone(),
                progress: Vec::new(),
                outcome: None,
            };
            inner.jobs.push_back(job.clone());
            while inner.jobs.len() > KEPT_JOBS {
                inner.jobs.pop_front();
            }
            job
        };
        let me = self.clone();
        let id = job.id;
        let started = std::thread::Builder::new()
            .name(format!("vpcpeer-apply-{id}"))
            .spawn(move || {
                // A panic (a bug) still ends the job, so that the next apply may run.
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    me.run_apply(id, &desired).map_err(|e| format!("{e:#}"))
                }))
                .unwrap_or_else(|_| Err("internal error: the apply panicked".to_owned()));
                me.finish(id, outcome);
            });
        if let Err(e) = started {
            self.finish(
                id,
                Err(format!("internal error: the apply did not start: {e}")),
            );
        }
        (202, job.to_json())
    }

    fn finish(&self, id: u64, outcome: Result<Value, String>) {
        if let Some(j) = self.lock().jobs.iter_mut().find(|j| j.id == id) {
            j.outcome = Some(outcome);
        }
    }

    /// One reconcile pass of `desired` (see the module doc), reporting progress to job `id`.
    fn run_apply(&self, id: u64, desired: &Desired) -> anyhow::Result<Value> {
        let ha = self.kept_state(&desired.name);
        let started = Instant::now();
        let mut dr = self.drivers(desired);
        let (out, state) = crate::controller::runtime()?.block_on(async {
            let observed = dr.observe(desired).await.context("reading the clouds")?;
            let now = crate::controller::cloud_now(&dr);
            let health = assess(desired, &observed, &ha, now);
            let mut on = |e: Event<'_>| self.progress(id, &e);
            let applied = apply::apply(&mut dr, &health.desired, &Policy::default(), &mut on).await;
            // The since-times and events hold whether or not the apply went through.
            self.keep(desired, health.state.clone());
            let out = applied.map_err(|e| anyhow!("{e}"))?;
            Ok::<_, anyhow::Error>((out, health.state))
        })?;
        self.keep(desired, state);
        Ok(json!({
            "steps": out.steps,
            "rounds": out.rounds,
            "retries": out.retries,
            "seconds": started.elapsed().as_secs_f64(),
        }))
    }

    /// Records an apply's event in its job.
    fn progress(&self, id: u64, e: &Event<'_>) {
        let entry = match e {
            Event::Planned { round, plan } => json!({
                "kind": "planned",
                "round": round,
                "steps": plan.steps.len(),
                "text": format!("round {round}: {} step(s)", plan.steps.len()),
            }),
            Event::Step { index, total, step } => json!({
                "kind": "step",
                "index": index + 1,
                "total": total,
                "sign": step.action.sign().mark().to_string(),
                "text": format!("[{}/{total}] {step}", index + 1),
            }),
            Event::Retrying {
                attempt,
                error,
                wait,
            } => json!({
                "kind": "retry",
                "text": format!("attempt {attempt} failed ({error}); again in {wait:?}"),
            }),
        };
        if let Some(j) = self.lock().jobs.iter_mut().find(|j| j.id == id) {
            j.progress.push(entry);
        }
    }

    /// `GET …/status?topology=NAME`.
    fn status(self: Arc<Self>, req: MountedRequest) -> Answer {
        if req.method != "GET" {
            return error(405, "GET …/status?topology=NAME");
        }
        let Some(name) = query_value(&req.query, "topology") else {
            return error(400, "give the topology's name: ?topology=NAME");
        };
        let Some((desired, ha)) = self.lock().topologies.get(&name).cloned() else {
            return error(
                404,
                format!(
                    "no topology {name:?} was applied through this API since the server started"
                ),
            );
        };
        self.with_health(&desired, &ha, |observed, h, now| {
            crate::failover::status_json(&desired, observed, h, &ha, now)
        })
    }

    /// Reads the clouds and runs the health check with `ha` at the clouds' time `now`; answers
    /// what `then` makes of them, or 502 when the clouds cannot be read.
    fn with_health(
        &self,
        desired: &Desired,
        ha: &HaState,
        then: impl FnOnce(&Observed, &Health, u64) -> Value,
    ) -> Answer {
        let mut dr = self.drivers(desired);
        let answered = crate::controller::runtime().and_then(|rt| {
            rt.block_on(async {
                let observed = dr.observe(desired).await.context("reading the clouds")?;
                let now = crate::controller::cloud_now(&dr);
                let health = assess(desired, &observed, ha, now);
                Ok(then(&observed, &health, now))
            })
        });
        match answered {
            Ok(v) => (200, v),
            Err(e) => error(502, format!("{e:#}")),
        }
    }

    fn kept_state(&self, name: &str) -> HaState {
        self.lock()
            .topologies
            .get(name)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }

    fn keep(&self, desired: &Desired, state: HaState) {
        self.lock()
            .topologies
            .insert(desired.name.clone(), (desired.clone(), state));
    }

    /// Drivers for `desired`'s accounts, all at this server (AWS keys: the account id).
    fn drivers(&self, desired: &Desired) -> Drivers {
        let access = desired
            .accounts
            .iter()
            .map(|(name, a)| {
                let access = Access {
                    endpoint: self.endpoint.clone(),
                    aws_keys: (a.cloud == Cloud::Aws)
                        .then(|| (a.id.clone(), "vpcpeer".to_string())),
                    token: None,
                };
                (name.clone(), access)
            })
            .collect();
        Drivers::new(access, Box::new(SystemTime::now))
    }
}

/// The topology of a request's body, checked; or the 400 that refuses it.
fn desired_of(body: &[u8]) -> Result<Desired, Answer> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        topology: String,
    }
    let Body { topology: text } = serde_json::from_slice(body).map_err(|e| {
        error(
            400,
            format!("expected {{\"topology\": \"<the topology file, YAML>\"}}: {e}"),
        )
    })?;
    if text.trim().is_empty() {
        return Err(error(400, "the body is empty: send a topology file (YAML)"));
    }
    let file = parse(&text).map_err(|e| error(400, format!("not a topology file: {e}")))?;
    let mut desired = validate(&file).map_err(|r| {
        let problems: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
        (
            400,
            json!({"error": format!("the topology is refused: {} problem(s)", problems.len()),
                   "problems": problems}),
        )
    })?;
    let problems: Vec<String> = desired
        .accounts
        .iter()
        .flat_map(|(name, a)| {
            let endpoint = a.endpoint.as_ref().map(|_| {
                format!("account {name}: `endpoint` is not taken here: the console's controller drives this server's clouds")
            });
            let credentials = a.credentials.as_ref().map(|_| {
                format!("account {name}: `credentials` are not taken here: the server reads no environment variable a posted file names")
            });
            endpoint.into_iter().chain(credentials)
        })
        .collect();
    if !problems.is_empty() {
        return Err((
            400,
            json!({"error": format!("the topology is refused: {} problem(s)", problems.len()),
                   "problems": problems}),
        ));
    }
    if !desired.gateways.is_empty() {
        let secret = crate::controller::gateway_secret()
            .map_err(|e| error(500, format!("the gateway secret: {e:#}")))?;
        desired.gateway_secret = Some(secret);
    }
    Ok(desired)
}

/// The value of `key` in a query string (`%XX` and `+` decoded; `None` when absent or not
/// UTF-8 once decoded).
fn query_value(query: &str, key: &str) -> Option<String> {
    let raw = query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| *k == key)?
        .1;
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                let v = std::str::from_utf8(&hex)
                    .ok()
                    .filter(|h| h.len() == 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())?;
                out.push(v);
            }
            b => out.push(b),
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
#[path = "controller_api_tests.rs"]
mod tests;
