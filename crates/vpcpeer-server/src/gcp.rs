//! The Compute Engine v1 REST face: `/compute/v1/*` goes to `vpcpeer-wire-gcp`, which plans
//! each request as a read (run by `Emulator::query`, after the due operations' completion when
//! one is due) or a `gcp::Command` (run by `Emulator::execute`, which logs it once durable). The project in the path is the caller's account; the
//! `Authorization` header is ignored (clients use anonymous credentials) unless the server
//! checks bearer tokens ([`crate::auth`]). Links in replies are
//! built on the host the request came to, so a client pointed at `http://127.0.0.1:PORT` follows
//! them back here.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use vpcpeer_model::gcp::{needs_settling, Command};
use vpcpeer_wire_gcp::{parse, plan, read, render, Call, Plan, WireError};

use crate::AppState;

/// The routes of the GCP face, to merge into [`crate::app`].
pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/compute/v1/{*path}", any(compute))
}

fn reply(status: u16, body: serde_json::Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        Json(body),
    )
        .into_response()
}

fn error(e: &WireError) -> Response {
    reply(e.status, e.body())
}

/// `http://HOST/compute/v1/` for the host the client used (`X-Forwarded-Proto` may say https).
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|s| *s == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}/compute/v1/")
}

async fn compute(
    State(st): State<Arc<AppState>>,
    method: Method,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let grant = match crate::auth::gcp_authenticate(&st, &headers) {
        Ok(g) => g,
        Err(refused) => return *refused,
    };
    let call = match parse(
        method.as_str(),
        &path,
        query.as_deref().unwrap_or(""),
        &body,
    ) {
        Ok(c) => c,
        Err(e) => return error(&e),
    };
    if let Err(refused) = crate::auth::gcp_permit(grant, &call) {
        return *refused;
    }
    let permission = vpcpeer_wire_gcp::auth::permission(&call.route);
    if let Some(kind) = st.faults.take(vpcpeer_api::Face::Gcp, permission) {
        return error(&crate::faults::gcp_error(kind, permission, &path));
    }
    let base = base_url(&headers);
    let outcome = match plan(&call) {
        Err(e) => return error(&e),
        Ok(Plan::Read) => read_settled(&st, &call, &base).await,
        Ok(Plan::Change(command)) => st
            .emulator
            .execute(call.scope(), false, command, |_, outcome| {
                render(&base, outcome)
            })
            .await
            .map(|r| r.map_err(WireError::from)),
    };
    match outcome {
        Ok(Ok(v)) => reply(200, v),
        Ok(Err(e)) => error(&e),
        Err(e) => {
            tracing::error!(error = %e, path = %path, "GCP request failed inside the emulator");
            error(&WireError::internal())
        }
    }
}

/// A read, on a world where every operation whose time has come is complete: when one is due,
/// [`Command::SettleOperations`] runs first (a command like any other: committed and logged),
/// then the read runs under the lock without changing anything.
async fn read_settled(
    st: &AppState,
    call: &Call,
    base: &str,
) -> Result<Result<serde_json::Value, WireError>, vpcpeer_service::ServiceError> {
    let scope = call.scope();
    let answer = |tx: &vpcpeer_model::Tx<'_, '_>| read(tx, call, base);
    if let Some(v) = st.emulator.query(scope.clone(), |tx| {
        (!needs_settling(tx)).then(|| answer(tx))
    }) {
        return Ok(v);
    }
    st.emulator
        .execute(scope, false, Command::SettleOperations, |tx, _| answer(tx))
        .await
        .map(|r| r.map_err(WireError::from).and_then(|v| v))
}

#[cfg(test)]
mod tests;
