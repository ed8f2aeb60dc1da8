//! The web console: a page that draws the emulated estate (`GET /_vpcpeer/topology`), asks
//! reachability questions (`POST /_vpcpeer/reach`), shows and advances the emulator's clock
//! (`/_vpcpeer/clock`) and follows the server's change events (`GET /_vpcpeer/events`, see
//! [`crate::events`]; polling `GET /_vpcpeer/log` only if that stream fails) to redraw when
//! anything changes. It uses only the admin JSON API the CLI uses, and the controller's API the
//! composition root mounts (`/_vpcpeer/controller/*`) for its controller panel.
//!
//! Its scripts: `console.js` (map, lists, inspector, reach, audit, matrix, clock), `live.js`
//! (the event stream and the polling fallback), `controller.js` (plan, apply, status).
//!
//! Served by `vpcpeer serve` itself, with every asset embedded in the binary (the files in
//! `crates/vpcpeer-server/console/`, read by `include_bytes!`): the page fetches nothing from
//! another origin, and works offline.
//!
//! - `GET /` (and `HEAD /`) **without an `Action` parameter** (and without SigV4 authorization,
//!   header or presigned) is the console's page; every EC2 and STS request names an `Action`, so
//!   the EC2 face is unchanged (see [`wants_console`]).
//! - `GET /_vpcpeer/console/{file}`: its scripts, style sheet and the vendored Cytoscape.js
//!   (`console/vendor/`, with its licence). These static files are the one part of `/_vpcpeer/*`
//!   that the admin token does not guard (`auth::guarded`): they hold no state, and a browser
//!   cannot send a bearer token when it loads a script. The console sends the token (when the
//!   server has one) on every API call; the page asks for it once, and keeps it in the tab's
//!   `sessionStorage`.
//!
//! The browser checks of [`crate::guard`] apply unchanged: the console's own requests are
//! same-origin (`Sec-Fetch-Site: same-origin`, its own `Origin`, `Content-Type:
//! application/json` on writes) and pass; another site's page still cannot drive the API. Every
//! console answer carries a `Content-Security-Policy` that allows only this origin's scripts
//! and refuses framing.

use std::sync::Arc;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

/// The console's routes: its assets and the topology it draws (`GET /` is routed with the EC2
/// face, which hands over to [`index`]).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_vpcpeer/console/{*file}", get(asset_handler))
        .route("/_vpcpeer/topology", get(crate::topology::topology_handler))
        .route("/_vpcpeer/inspect", get(crate::inspect::inspect_handler))
}

async fn asset_handler(Path(file): Path<String>) -> Response {
    asset(&file).unwrap_or_else(|| crate::json_error(StatusCode::NOT_FOUND, "no such endpoint"))
}

/// One embedded console file: its path under `console/` and its content type.
macro_rules! asset {
    ($path:literal, $kind:literal) => {
        ($path, $kind, include_bytes!(concat!("../console/", $path)))
    };
}

/// The console's files: (path under `/_vpcpeer/console/`, content type, bytes).
const ASSETS: &[(&str, &str, &[u8])] = &[
    asset!("console.js", "text/javascript; charset=utf-8"),
    asset!("live.js", "text/javascript; charset=utf-8"),
    asset!("controller.js", "text/javascript; charset=utf-8"),
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("vendor/cytoscape.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/cytoscape.LICENSE", "text/plain; charset=utf-8"),
    asset!("vendor/layout-base.js", "text/javascript; charset=utf-8"),
    asset!("vendor/layout-base.LICENSE", "text/plain; charset=utf-8"),
    asset!("vendor/cose-base.js", "text/javascript; charset=utf-8"),
    asset!("vendor/cose-base.LICENSE", "text/plain; charset=utf-8"),
    asset!(
        "vendor/cytoscape-fcose.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "vendor/cytoscape-fcose.LICENSE",
        "text/plain; charset=utf-8"
    ),
];

/// The page itself.
const INDEX: &[u8] = include_bytes!("../console/index.html");

/// What every console answer may load: this origin's scripts and styles (Cytoscape sets inline
/// styles on its canvas), images drawn into `data:` URLs (the PNG export), no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
                   base-uri 'none'; form-action 'none'";

/// Whether a `GET /` is a browser asking for the console rather than an EC2 or STS request: its
/// query names no `Action` and carries no presigned SigV4 parameter (`X-Amz-…`), and it has no
/// `Authorization` header.
pub fn wants_console(query: Option<&str>, headers: &HeaderMap) -> bool {
    if headers.contains_key(header::AUTHORIZATION) {
        return false;
    }
    let query = query.unwrap_or("");
    // The EC2 face's own parser decides what names an `Action` (percent-encoding included).
    if vpcpeer_wire_aws::Params::parse(query, b"")
        .get("Action")
        .is_some()
    {
        return false;
    }
    !query.split('&').any(|pair| {
        let key = pair.split('=').next().unwrap_or("");
        key.to_ascii_lowercase().starts_with("x-amz-")
    })
}

fn answer(content_type: &'static str, body: &'static [u8]) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// The console's page (`GET /` without `Action`).
pub fn index() -> Response {
    answer("text/html; charset=utf-8", INDEX)
}

/// `GET /_vpcpeer/console/{*file}`: an embedded asset, or `None` (the caller answers 404).
pub fn asset(path: &str) -> Option<Response> {
    ASSETS
        .iter()
        .find(|(name, _, _)| *name == path)
        .map(|(_, ct, body)| answer(ct, body))
}

#[cfg(test)]
#[path = "console_tests.rs"]
mod tests;
