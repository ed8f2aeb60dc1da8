//! The Azure Resource Manager routes: `/subscriptions/*` goes to `vpcpeer-wire-azure`, which
//! plans each request: a read runs through `Emulator::query`, a change is an Azure command run
//! through `Emulator::execute` (logged once durable) and rendered under the same lock. The bearer token is accepted whatever it holds
//! unless the server checks tokens ([`crate::auth`]); the subscription in the path is the
//! caller's account.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Extension, Router};
use vpcpeer_wire_azure::{error_reply, plan, prepare, read, ArmError, Plan, Reply};

use crate::AppState;

/// Marks requests that arrived over the TLS listener, so operation URLs say `https`.
#[derive(Debug, Clone, Copy)]
pub struct Https;

/// The ARM routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/subscriptions/{*rest}", any(arm))
        .route("/subscriptions", any(arm))
}

fn render(reply: Reply, request_id: &str) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = match reply.body {
        Some(b) => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            b.to_string(),
        )
            .into_response(),
        None => status.into_response(),
    };
    let h = resp.headers_mut();
    for (k, v) in reply.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            h.insert(k, v);
        }
    }
    if let Ok(v) = HeaderValue::try_from(request_id) {
        h.insert("x-ms-request-id", v.clone());
        h.insert("x-ms-correlation-request-id", v);
    }
    resp
}

async fn arm(
    State(st): State<Arc<AppState>>,
    https: Option<Extension<Https>>,
    method: Method,
    headers: HeaderMap,
    req: Request,
) -> Response {
    let request_id = st.request_id();
    let grant = match crate::auth::azure_authenticate(&st, &headers) {
        Ok(g) => g,
        Err(refused) => return render(refused, &request_id),
    };
    let uri = req.uri().clone();
    let body: Bytes = match axum::body::to_bytes(req.into_body(), 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            let e = ArmError::bad_request("InvalidRequestFormat", "Cannot read the request body.");
            return render(error_reply(&e), &request_id);
        }
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let scheme = if https.is_some() { "https" } else { "http" };
    let base_url = format!("{scheme}://{host}");
    let request = vpcpeer_wire_azure::Request {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        body: &body,
        base_url: &base_url,
    };
    let prepared = match prepare(&request) {
        Ok(p) => p,
        Err(e) => return render(error_reply(&e), &request_id),
    };
    if let Err(refused) =
        crate::auth::azure_permit(grant, method.as_str(), &prepared.route, uri.path())
    {
        return render(refused, &request_id);
    }
    if st.faults.any() {
        let action = vpcpeer_wire_azure::auth::action(method.as_str(), &prepared.route);
        if let Some(kind) = st.faults.take(vpcpeer_api::Face::Azure, &action) {
            return render(crate::faults::azure_reply(kind, uri.path()), &request_id);
        }
    }
    let scope = prepared.scope();
    let outcome = match plan(&request, &prepared) {
        Err(e) => return render(error_reply(&e), &request_id),
        Ok(Plan::Read(r)) => Ok(st.emulator.query(scope, |tx| read(tx, &r))),
        Ok(Plan::Change { command, answer }) => st
            .emulator
            .execute(scope, false, *command, move |tx, outcome| {
                answer.render(tx, outcome)
            })
            .await
            .map(|r| r.map_err(ArmError::from)),
    };
    match outcome {
        Ok(Ok(reply)) => render(reply, &request_id),
        Ok(Err(e)) => render(error_reply(&e), &request_id),
        Err(e) => {
            tracing::error!(error = %e, path = %uri.path(), "Azure request failed inside the emulator");
            let e = ArmError::new(
                500,
                "InternalServerError",
                "The server encountered an internal error.",
            );
            render(error_reply(&e), &request_id)
        }
    }
}
