//! The Compute Engine v1 REST face: `/compute/v1/*` goes to `vpcpeer-wire-gcp`, inside one
//! emulator transaction per request. The project in the path is the caller's account; the
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
use vpcpeer_wire_gcp::{handle, parse, WireError};

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
    let base = base_url(&headers);
    let outcome = st
        .emulator
        .execute_fn(call.scope(), false, |tx| handle(tx, &call, &base))
        .await;
    match outcome {
        Ok(Ok(v)) => reply(200, v),
        Ok(Err(e)) => error(&e),
        Err(e) => {
            tracing::error!(error = %e, path = %path, "GCP request failed inside the emulator");
            error(&WireError::internal())
        }
    }
}

#[cfg(test)]
mod tests;
