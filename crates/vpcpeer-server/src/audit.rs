//! `POST /_vpcpeer/audit` and `POST /_vpcpeer/matrix`: the network-wide faces of the
//! reachability engine, as JSON.
//!
//! Audit: the body is `{}` (or empty) or `{"account": "123456789012"}`; the answer is
//! `{"findings": [{"check", "severity", "resources", "accounts", "message", "fix"}],
//! "summary": {"error": n, "warning": n, "info": n}}`, the findings of
//! [`vpcpeer_reach::audit()`] over the whole world at the emulator's `now` with its quotas, kept
//! to those naming a resource of `account` when one is given.
//!
//! Matrix: the body is `{"protocol": "tcp|udp|icmp|all", "port": N, "account"?, "region"?,
//! "instances"?: [ids]}`; the instances are every instance that is not terminated (of `account`
//! and `region` when given; exactly `instances` when given, each of which must exist and match
//! those filters, else `404`), in id order, or in the order `instances` gives them (a repeated
//! one counts once). The answer lists them (`id`, `account`, `region`,
//! `vpc_id`, `subnet_id`, `private_ip`), every ordered pair as a cell (`from`, `to`,
//! `reachable`, and for an unreachable one the first blocking `code`, or the `error` the
//! engine gave), and `reachable`: the reachable pairs.
//!
//! These are admin endpoints over the whole emulated world (like `/_vpcpeer/reset`); the
//! account fields filter, they do not authenticate. Malformed bodies are `400` JSON errors.
//!
//! With an `account`, the answer is also redacted for that account ([`crate::redact`]), as
//! `/_vpcpeer/reach` is: a finding's resources, message and fix name another account's resources
//! only by kind and owner (`route-table (account 222222222222, vpc-…)`), except the peering
//! connections the account is a party to and their VPCs. In a matrix with an `account` every
//! instance listed is the account's own, so only the engine's error messages can need it.
//! Without an `account` the answer is the operator's view of everything.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::Value;
use vpcpeer_api as api;
use vpcpeer_model::{InstanceState, Limits, Timestamp, World};
use vpcpeer_reach::{matrix_cells, Finding, Protocol, Severity, Snapshot};

use crate::reach::{parse_protocol, ReachError};
use crate::redact::{Redactor, Viewer};

pub use vpcpeer_api::{AuditRequest, MatrixRequest};

fn check_account(a: &Option<String>) -> Result<(), ReachError> {
    match a {
        Some(a) if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) => Err(ReachError::bad(
            format!("account {a:?} is not a 12-digit account id"),
        )),
        _ => Ok(()),
    }
}

/// Parses an audit body (empty means no filter).
pub fn parse_audit(body: &[u8]) -> Result<AuditRequest, ReachError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(AuditRequest::default());
    }
    let req: AuditRequest = serde_json::from_slice(body).map_err(|e| {
        ReachError::bad(format!("expected {{\"account\"?: \"123456789012\"}}: {e}"))
    })?;
    check_account(&req.account)?;
    Ok(req)
}

/// Parses a matrix body.
pub fn parse_matrix(body: &[u8]) -> Result<MatrixRequest, ReachError> {
    let req: MatrixRequest = serde_json::from_slice(body).map_err(|e| {
        ReachError::bad(format!(
            "expected {{\"protocol\": \"tcp|udp|icmp|all\", \"port\": N, \"account\"?, \"region\"?, \"instances\"?: [ID]}}: {e}"
        ))
    })?;
    check_account(&req.account)?;
    Ok(req)
}

fn severity_api(s: Severity) -> api::Severity {
    match s {
        Severity::Error => api::Severity::Error,
        Severity::Warning => api::Severity::Warning,
        Severity::Info => api::Severity::Info,
    }
}

fn finding_api(f: &Finding) -> api::Finding {
    api::Finding {
        check: f.check.name().to_owned(),
        severity: severity_api(f.severity),
        resources: f.resources.clone(),
        accounts: f.accounts.clone(),
        message: f.message.clone(),
        fix: f.fix.clone(),
    }
}

/// The audit answer over `world` at `now`.
pub fn audit_answer(world: &World, now: Timestamp, limits: &Limits, req: &AuditRequest) -> Value {
    let findings: Vec<Finding> = vpcpeer_reach::audit(world, now, limits)
        .into_iter()
        .filter(|f| req.account.as_deref().is_none_or(|a| f.involves(a)))
        .collect();
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let answer = api::AuditAnswer {
        findings: findings.iter().map(finding_api).collect(),
        summary: api::Summary {
            error: count(Severity::Error),
            warning: count(Severity::Warning),
            info: count(Severity::Info),
        },
    };
    let mut v = serde_json::to_value(&answer).unwrap_or_default();
    if let Some(a) = &req.account {
        let r = Redactor::new(world, Viewer::aws(a));
        if let Some(findings) = v.get_mut("findings") {
            r.json(findings);
        }
    }
    v
}

/// The matrix answer over `world`, from `snap`, a snapshot of that same world.
pub fn matrix_answer(
    world: &World,
    snap: &Snapshot,
    req: &MatrixRequest,
) -> Result<Value, ReachError> {
    let protocol = parse_protocol(&req.protocol)?;
    let port = match protocol {
        Protocol::Tcp | Protocol::Udp => Some(req.port.ok_or_else(|| {
            ReachError::bad(format!("{protocol} matrices need a destination port"))
        })?),
        Protocol::Icmp | Protocol::All => None,
    };
    let fits = |i: &vpcpeer_model::Instance| {
        req.account.as_deref().is_none_or(|a| i.scope.account == a)
            && req.region.as_deref().is_none_or(|r| i.scope.region == r)
    };
    let ids: Vec<String> = match &req.instances {
        Some(list) => {
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            for id in list {
                match world.aws.instances().get(id) {
                    Some(i) if fits(i) => {
                        if seen.insert(id.clone()) {
                            out.push(id.clone());
                        }
                    }
                    _ => {
                        return Err(ReachError {
                            status: StatusCode::NOT_FOUND,
                            message: format!("instance {id} not found{}", scope_words(req)),
                        })
                    }
                }
            }
            out
        }
        None => world
            .aws
            .instances()
            .values()
            .filter(|i| i.state != InstanceState::Terminated && fits(i))
            .map(|i| i.id.clone())
            .collect(),
    };
    let cells = matrix_cells(snap, &ids, protocol, port);
    let instances: Vec<api::MatrixInstance> = ids
        .iter()
        .filter_map(|id| world.aws.instances().get(id))
        .map(|i| api::MatrixInstance {
            id: i.id.clone(),
            account: i.scope.account.clone(),
            region: i.scope.region.clone(),
            vpc_id: i.vpc_id.clone(),
            subnet_id: i.subnet_id.clone(),
            private_ip: i
                .eni_ids
                .first()
                .and_then(|e| world.aws.network_interfaces().get(e))
                .map(|e| e.private_ip.to_string()),
        })
        .collect();
    let reachable = cells
        .iter()
        .filter(|c| c.reachable)
        .map(|c| (c.src.clone(), c.dst.clone()))
        .collect();
    let redactor = req
        .account
        .as_deref()
        .map(|a| Redactor::new(world, Viewer::aws(a)));
    let cells = cells
        .iter()
        .map(|c| api::Cell {
            from: c.src.clone(),
            to: c.dst.clone(),
            reachable: c.reachable,
            code: c.first_blocker.map(|code| code.aws_code().to_owned()),
            error: c.error.as_ref().map(|e| {
                let e = e.to_string();
                match &redactor {
                    Some(r) => r.text(&e),
                    None => e,
                }
            }),
        })
        .collect();
    let answer = api::MatrixAnswer {
        protocol: protocol.to_string(),
        port,
        instances,
        cells,
        reachable,
    };
    Ok(serde_json::to_value(&answer).unwrap_or_default())
}

fn scope_words(req: &MatrixRequest) -> String {
    match (&req.account, &req.region) {
        (Some(a), Some(r)) => format!(" in account {a} region {r}"),
        (Some(a), None) => format!(" in account {a}"),
        (None, Some(r)) => format!(" in region {r}"),
        (None, None) => String::new(),
    }
}

/// `POST /_vpcpeer/audit`.
pub(crate) async fn audit_handler(
    axum::extract::State(st): axum::extract::State<std::sync::Arc<crate::AppState>>,
    body: axum::body::Bytes,
) -> Result<axum::Json<Value>, ReachError> {
    let req = parse_audit(&body)?;
    let now = st.emulator.now();
    let limits = st.emulator.limits().clone();
    let v = st
        .emulator
        .with_world(|w| audit_answer(w, now, &limits, &req));
    Ok(axum::Json(v))
}

/// `POST /_vpcpeer/matrix`.
pub(crate) async fn matrix_handler(
    axum::extract::State(st): axum::extract::State<std::sync::Arc<crate::AppState>>,
    body: axum::body::Bytes,
) -> Result<axum::Json<Value>, ReachError> {
    let req = parse_matrix(&body)?;
    let answer = |w: &World, snap: &Snapshot| matrix_answer(w, snap, &req);
    st.snapshots
        .with(&st.emulator, st.emulator.now(), answer)
        .map(axum::Json)
}

#[cfg(test)]
#[path = "audit_tests.rs"]
pub(crate) mod tests;
