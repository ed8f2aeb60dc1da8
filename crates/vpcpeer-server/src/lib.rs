//! The HTTP face of vpcpeer: `POST /` (and `GET /?Action=…`) speaks the EC2 Query protocol and
//! STS `GetCallerIdentity`; `/_vpcpeer/*` is the admin JSON API (health, clock, reset, and
//! `reach`: reachability queries, see [`reach`]; `audit` and `matrix`, see [`audit`];
//! `tls/cert.pem`, the HTTPS certificate, see [`tls`]; `faults`, the opt-in fault mode that
//! refuses a face's next requests of an action as a throttled caller, see [`faults`];
//! `topology`, the estate as the web console draws it, see [`topology`]; `events`, the
//! server-sent events the console follows, see [`events`]). `GET /` without an
//! `Action` is the web console's page, whose assets are under `/_vpcpeer/console/` ([`console`]).
//! `/compute/v1/*` is GCP Compute Engine ([`gcp`]); `/subscriptions/*` is Azure Resource Manager
//! ([`azure`]). With [`ServerConfig::default_vpcs`] on, an account's first EC2 request in a
//! region lays out that region's default VPC first ([`default_vpc`]). [`serve`] runs the
//! connection manager ([`conn`]) on a plain listener and, when given, an HTTPS one ([`tls`]).
//! Errors outside the faces' handlers are rendered in the dialect
//! of the path ([`dialect`]); browser-originated requests from other origins are refused
//! ([`guard`]).
//!
//! The composition root may mount handlers of its own at paths of its choosing ([`mount`]: the
//! Aviatrix-compatible API at `/v2/api`), behind the same edge.
//!
//! [`app`] builds the router for a running [`Emulator`], so tests can drive it without a socket.
//! This crate chooses nothing: the binary's `main` picks the store, clock and id source, and
//! whether accounts get default VPCs.

pub mod audit;
pub mod auth;
pub mod azure;
pub mod conn;
pub mod console;
pub mod default_vpc;
pub mod dialect;
pub mod events;
pub mod faults;
pub mod gcp;
pub mod guard;
pub mod inspect;
pub mod layers;
mod log;
pub mod mount;
pub mod reach;
pub mod redact;
pub mod snapcache;
pub mod tls;
pub mod topology;

pub use conn::ServeOptions;
pub use default_vpc::ServerConfig;
pub use mount::{MountedHandler, MountedRequest, MountedResponse, ResetHook};

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use vpcpeer_service::Emulator;
use vpcpeer_wire_aws::{
    error_document, handler, sts, success_envelope, Action, Ec2Error, Params, Xml,
};

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    /// The emulator.
    pub emulator: Emulator,
    /// The kept reachability snapshot of reach and matrix queries.
    pub snapshots: snapcache::SnapshotCache,
    request_seq: AtomicU64,
    request_salt: u64,
    /// What is checked: signatures, tokens, the admin token (nothing by default).
    pub(crate) auth: auth::Auth,
    tls_cert: std::sync::OnceLock<Vec<u8>>,
    /// The armed faults of the fault mode ([`faults`]); in memory only.
    pub faults: faults::Faults,
    /// What the composition root chose ([`ServerConfig`]: default VPCs).
    pub config: ServerConfig,
    /// Handlers the composition root mounted ([`mount`]).
    mounts: mount::Mounts,
    reset_hooks: mount::ResetHooks,
    /// Set when the server stops: the event streams end ([`events`]).
    closing: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    /// Wraps an emulator. `salt` makes request ids differ between runs.
    pub fn new(emulator: Emulator, salt: u64) -> Arc<Self> {
        Self::with_auth(emulator, salt, auth::Auth::off())
    }

    /// Wraps an emulator, checking what `auth` says (see [`auth`]).
    pub fn with_auth(emulator: Emulator, salt: u64, auth: auth::Auth) -> Arc<Self> {
        Self::configured(emulator, salt, auth, ServerConfig::default())
    }

    /// Wraps an emulator, checking what `auth` says, configured by `config`.
    pub fn configured(
        emulator: Emulator,
        salt: u64,
        auth: auth::Auth,
        config: ServerConfig,
    ) -> Arc<Self> {
        Arc::new(AppState {
            emulator,
            snapshots: snapcache::SnapshotCache::new(),
            request_seq: AtomicU64::new(0),
            request_salt: salt,
            auth,
            tls_cert: std::sync::OnceLock::new(),
            faults: faults::Faults::default(),
            config,
            mounts: mount::Mounts::default(),
            reset_hooks: mount::ResetHooks::default(),
            closing: tokio::sync::watch::Sender::new(false),
        })
    }

    /// Records the HTTPS listener's certificate (PEM), served at `GET /_vpcpeer/tls/cert.pem`.
    /// The first one set stays.
    pub fn set_tls_certificate(&self, pem: &[u8]) {
        let _ = self.tls_cert.set(pem.to_vec());
    }

    /// The HTTPS listener's certificate, if the server has one.
    pub fn tls_certificate(&self) -> Option<&[u8]> {
        self.tls_cert.get().map(Vec::as_slice)
    }

    /// Ends every event stream ([`events`]), now and for streams opened later: the server is
    /// stopping, and a stream would otherwise hold its connection until the shutdown grace ends.
    pub fn close_streams(&self) {
        self.closing.send_replace(true);
    }

    pub(crate) fn request_id(&self) -> String {
        let n = self.request_seq.fetch_add(1, Ordering::Relaxed);
        let s = self.request_salt;
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            (s >> 32) as u32,
            (s >> 16) as u16,
            (s & 0xfff) as u16,
            ((n >> 48) & 0xfff) as u16,
            n & 0xffff_ffff_ffff
        )
    }
}

/// The router of the whole server, behind the layers every request passes ([`layers`]: panics,
/// errors in the dialect of the path, browser checks, body limits).
pub fn app(state: Arc<AppState>) -> Router {
    let routes = Router::new()
        .route("/", post(aws_query).get(aws_query))
        .route("/_vpcpeer/health", get(health))
        .route("/_vpcpeer/clock", get(get_clock).post(advance_clock))
        .route("/_vpcpeer/reset", post(reset))
        .route(
            "/_vpcpeer/faults",
            get(faults::list).post(faults::arm).delete(faults::disarm),
        )
        .route("/_vpcpeer/log", get(log::command_log))
        .route("/_vpcpeer/replay", post(log::replay_log))
        .route("/_vpcpeer/events", get(events::events_handler))
        .route("/_vpcpeer/reach", post(reach_query))
        .route("/_vpcpeer/audit", post(audit::audit_handler))
        .route("/_vpcpeer/matrix", post(audit::matrix_handler))
        .route("/_vpcpeer/tls/cert.pem", get(tls::cert_handler))
        .merge(console::routes())
        .merge(gcp::routes())
        .merge(azure::routes());
    let routes = mount::add(routes, &state).fallback(layers::not_found);
    with_layers(routes, state)
}

/// `routes` behind the server's edge ([`layers::edge`]: catch-panic, errors in dialect, browser
/// checks, admin token, body limits).
pub(crate) fn with_layers(routes: Router<Arc<AppState>>, state: Arc<AppState>) -> Router {
    routes
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            layers::edge,
        ))
        .with_state(state)
}

/// Serves [`app`] on `listener`, and on `tls` too when given, with the connection manager's
/// timeouts and cap ([`conn`]), until ctrl-c or SIGTERM.
pub async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<tls::TlsListener>,
    state: Arc<AppState>,
    options: ServeOptions,
) -> std::io::Result<()> {
    conn::serve(listener, tls, state, options).await
}

/// The address a server bound, for printing.
pub fn describe_addr(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

fn xml_response(status: u16, body: String) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, "text/xml;charset=UTF-8")],
        body,
    )
        .into_response()
}

async fn aws_query(
    State(st): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if matches!(method, Method::GET | Method::HEAD)
        && console::wants_console(query.as_deref(), &headers)
    {
        return console::index();
    }
    let params = Params::parse(query.as_deref().unwrap_or(""), &body);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let request_id = st.request_id();
    let scope = match auth::aws_scope(&st, &method, &uri, &headers, &body, &params, &request_id) {
        Ok(s) => s,
        Err(refused) => return *refused,
    };
    if let Err(e) = params.check_characters() {
        let sts = params.get("Action") == Some("GetCallerIdentity")
            || vpcpeer_wire_aws::identity::service(auth) == Some("sts");
        let body = if sts {
            sts::error_document(&e.code, &e.message, &request_id)
        } else {
            error_document(&e, &request_id)
        };
        return xml_response(e.status, body);
    }
    let Some(action) = params.get("Action").map(str::to_owned) else {
        let e = Ec2Error::new(
            "MissingAction",
            "The request must contain the parameter Action",
        );
        return xml_response(e.status, error_document(&e, &request_id));
    };
    if action == "GetCallerIdentity" {
        return xml_response(200, sts::get_caller_identity(&scope, &request_id));
    }
    if vpcpeer_wire_aws::identity::service(auth) == Some("sts") {
        let msg = format!("Could not find operation {action} for version 2011-06-15");
        return xml_response(400, sts::error_document("InvalidAction", &msg, &request_id));
    }
    if let Err(e) = vpcpeer_wire_aws::identity::check_region(&scope) {
        return xml_response(e.status, error_document(&e, &request_id));
    }
    let Some(h) = handler(&action) else {
        let e = Ec2Error::invalid_action(&action);
        return xml_response(e.status, error_document(&e, &request_id));
    };
    if let Some(v) = params.get("Version") {
        if v != "2016-11-15" {
            let e = Ec2Error::new(
                "NoSuchVersion",
                format!("An invalid or out-of-range value '{v}' was supplied for the Version parameter."),
            );
            return xml_response(e.status, error_document(&e, &request_id));
        }
    }
    if let Some(kind) = st.faults.take(vpcpeer_api::Face::Aws, &action) {
        let e = faults::ec2_error(kind, &action, |name| params.get(name));
        return xml_response(e.status, error_document(&e, &request_id));
    }
    let dry_run = params.dry_run();
    if let Err(e) = default_vpc::ensure(&st, &scope).await {
        tracing::error!(error = %e, action = %action, "setting up the region failed");
        let e = Ec2Error::internal();
        return xml_response(e.status, error_document(&e, &request_id));
    }
    let outcome = match h {
        Action::Read(read) => Ok(st.emulator.query(scope, |tx| {
            let mut x = Xml::new();
            read(tx, &params, &mut x).map(|()| x.finish())
        })),
        Action::Change { parse, render } => {
            let command = parse(&params);
            change(&st, scope, dry_run, command, render).await
        }
        Action::Prepared { prepare, render } => {
            let command = st.emulator.query(scope.clone(), |tx| prepare(tx, &params));
            change(&st, scope, dry_run, command, render).await
        }
    };
    match outcome {
        Ok(Ok(_)) if dry_run => {
            let e = Ec2Error::dry_run_ok();
            xml_response(e.status, error_document(&e, &request_id))
        }
        Ok(Ok(body)) => xml_response(200, success_envelope(&action, &request_id, &body)),
        Ok(Err(e)) => xml_response(e.status, error_document(&e, &request_id)),
        Err(e) => {
            tracing::error!(error = %e, action = %action, "request failed inside the emulator");
            let e = Ec2Error::internal();
            xml_response(e.status, error_document(&e, &request_id))
        }
    }
}

/// Runs an EC2 change's command (or answers its parse error) and renders the outcome: the body.
async fn change(
    st: &AppState,
    scope: vpcpeer_model::Scope,
    dry_run: bool,
    command: Result<vpcpeer_model::aws::Command, Ec2Error>,
    render: vpcpeer_wire_aws::Render,
) -> Result<Result<String, Ec2Error>, vpcpeer_service::ServiceError> {
    let command = match command {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    st.emulator
        .execute(scope, dry_run, command, |tx, outcome| {
            let mut x = Xml::new();
            render(tx, outcome, &mut x);
            x.finish()
        })
        .await
        .map(|r| r.map_err(Ec2Error::from))
}

pub(crate) fn json_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(vpcpeer_api::ErrorAnswer {
            error: message.to_owned(),
        }),
    )
        .into_response()
}

async fn health(State(st): State<Arc<AppState>>) -> Response {
    let resources = st.emulator.with_world(|w| w.len());
    let healthy = st.emulator.is_healthy();
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(vpcpeer_api::Health {
            status: if healthy { "ok" } else { "degraded" }.to_owned(),
            resources,
        }),
    )
        .into_response()
}

fn clock_json(st: &AppState) -> vpcpeer_api::Clock {
    vpcpeer_api::Clock {
        now: vpcpeer_wire_aws::render::iso(st.emulator.now()),
        now_ms: st.emulator.now().millis(),
    }
}

async fn get_clock(State(st): State<Arc<AppState>>) -> Response {
    Json(clock_json(&st)).into_response()
}

/// The latest time the admin clock may be advanced to (9999-12-31T23:59:59.999Z): beyond it,
/// times no longer print as ISO-8601 and expiration times would saturate.
pub(crate) const MAX_CLOCK_MS: i64 = 253_402_300_799_999;

async fn advance_clock(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let req: vpcpeer_api::AdvanceClock = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                &format!("expected {{\"advance_seconds\": N}}: {e}"),
            )
        }
    };
    if req.advance_seconds < 0 {
        return json_error(
            StatusCode::BAD_REQUEST,
            "advance_seconds must be zero or positive: the clock only moves forward",
        );
    }
    let target = st
        .emulator
        .now()
        .millis()
        .checked_add(req.advance_seconds.saturating_mul(1000));
    if target.is_none_or(|t| t > MAX_CLOCK_MS) {
        return json_error(
            StatusCode::BAD_REQUEST,
            "advance_seconds would move the clock past 9999-12-31T23:59:59Z",
        );
    }
    match st.emulator.advance_clock(req.advance_seconds).await {
        Ok(_) => Json(clock_json(&st)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "clock advance failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

async fn reset(State(st): State<Arc<AppState>>) -> Response {
    st.faults.clear();
    match st.emulator.reset().await {
        Ok(()) => {
            st.reset_hooks.run().await;
            Json(vpcpeer_api::ResetAnswer {
                status: "reset".to_owned(),
            })
            .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "reset failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

async fn reach_query(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let req = match reach::parse_request(&body) {
        Ok(r) => r,
        Err(e) => return json_error(e.status, &e.message),
    };
    let now = st.emulator.now();
    match st.snapshots.with(&st.emulator, now, |w, snap| {
        reach::answer_from(w, snap, &req)
    }) {
        Ok(v) => Json(v).into_response(),
        Err(e) => json_error(e.status, &e.message),
    }
}

#[cfg(test)]
mod dialect_tests;
#[cfg(test)]
mod faults_tests;
#[cfg(test)]
mod golden_tests;
#[cfg(test)]
mod log_tests;
#[cfg(test)]
mod mount_tests;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
