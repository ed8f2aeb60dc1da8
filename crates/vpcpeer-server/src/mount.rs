//! Handlers the composition root mounts at paths of its choosing ([`AppState::mount`]), for
//! faces built on crates the server must not depend on: the Aviatrix-compatible API at
//! `/v2/api`, which drives the controller (`crates/vpcpeer/tests/tidy.rs` bans the server from
//! the controller, the drivers and `vpcpeer-aviatrix`). A mounted handler sees a plain request
//! (method, query, body read within the edge's limits) and answers a status, a content type and
//! bytes; it runs behind the same edge layers as every route (catch-panic, browser checks, body
//! limits, host check). Errors those layers answer before it runs are in the dialect of the
//! path ([`crate::dialect`]: `/v1/api` and `/v2/api` are the Aviatrix API's; other paths no face
//! claims are AWS's). A mounted face that keeps state of its own registers a reset hook
//! ([`AppState::on_reset`]), so `POST /_vpcpeer/reset` empties it with the world.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use crate::AppState;

/// A request as a mounted handler sees it.
#[derive(Debug, Clone)]
pub struct MountedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The query string, without `?` (empty when none).
    pub query: String,
    /// The body.
    pub body: Bytes,
}

/// A mounted handler's answer.
#[derive(Debug, Clone)]
pub struct MountedResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

/// The future a mounted handler returns.
pub type MountedFuture = Pin<Box<dyn Future<Output = MountedResponse> + Send>>;

/// A handler the composition root mounts.
pub type MountedHandler = Arc<dyn Fn(MountedRequest) -> MountedFuture + Send + Sync>;

/// What a mounted face does on `POST /_vpcpeer/reset`, after the world is emptied.
pub type ResetHook = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// The reset hooks of the mounted faces.
#[derive(Default)]
pub(crate) struct ResetHooks(std::sync::Mutex<Vec<ResetHook>>);

impl fmt::Debug for ResetHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.lock().map(|h| h.len()).unwrap_or_default();
        f.debug_tuple("ResetHooks").field(&n).finish()
    }
}

impl ResetHooks {
    /// Runs every hook, in the order they were registered.
    pub(crate) async fn run(&self) {
        let hooks: Vec<ResetHook> = self.0.lock().map(|h| h.clone()).unwrap_or_default();
        for hook in hooks {
            hook().await;
        }
    }
}

/// The mounted handlers, by path.
#[derive(Default)]
pub(crate) struct Mounts(std::sync::Mutex<Vec<(&'static str, MountedHandler)>>);

impl fmt::Debug for Mounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let paths: Vec<&str> = self
            .0
            .lock()
            .map(|m| m.iter().map(|(p, _)| *p).collect())
            .unwrap_or_default();
        f.debug_tuple("Mounts").field(&paths).finish()
    }
}

impl AppState {
    /// Mounts `handler` at `path` (every method). Takes effect for routers built afterwards
    /// ([`crate::app`], [`crate::serve`]): mount before serving.
    pub fn mount(&self, path: &'static str, handler: MountedHandler) {
        if let Ok(mut m) = self.mounts.0.lock() {
            m.retain(|(p, _)| *p != path);
            m.push((path, handler));
        }
    }

    /// Registers what a mounted face does when `POST /_vpcpeer/reset` empties the world (after
    /// the world is emptied, before the answer).
    pub fn on_reset(&self, hook: ResetHook) {
        if let Ok(mut h) = self.reset_hooks.0.lock() {
            h.push(hook);
        }
    }
}

/// `routes` with the mounted handlers added.
pub(crate) fn add(mut routes: Router<Arc<AppState>>, st: &AppState) -> Router<Arc<AppState>> {
    let mounted: Vec<(&'static str, MountedHandler)> =
        st.mounts.0.lock().map(|m| m.clone()).unwrap_or_default();
    for (path, h) in mounted {
        routes = routes.route(
            path,
            any(
                move |method: Method, RawQuery(query): RawQuery, body: Bytes| {
                    let h = h.clone();
                    async move {
                        let r = h(MountedRequest {
                            method: method.to_string(),
                            query: query.unwrap_or_default(),
                            body,
                        })
                        .await;
                        respond(r)
                    }
                },
            ),
        );
    }
    routes
}

fn respond(r: MountedResponse) -> Response {
    (
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, r.content_type)],
        r.body,
    )
        .into_response()
}
