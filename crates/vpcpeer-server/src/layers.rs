//! The edge every request passes through before a face's handler: one middleware, [`edge`],
//! whose steps are, outermost first:
//!
//! 1. catch-panic: a panic anywhere below answers 500 in the dialect of the path (the
//!    connection stays up) instead of dropping the connection;
//! 2. in dialect: an error answer without a body of its own dialect (axum's 405, its
//!    plain-text extractor rejections) is re-rendered in the dialect of the path;
//! 3. the browser and DNS-rebinding checks of [`crate::guard`];
//! 4. the admin token on `/_vpcpeer/*` ([`crate::auth::admin_refusal`]);
//! 5. the request target's length (414 over [`MAX_TARGET`]) and the body, read whole before the
//!    handler runs: 413 over the face's limit ([`body_limit`]), 408 when the connection
//!    manager's body deadline passes ([`BodyTimedOut`]), 400 when the body cannot be read.
//!
//! The steps are one middleware rather than a stack of them because every `from_fn` layer
//! clones the whole service below it for each request: five layers made the edge cost as much
//! as the EC2 handler itself.
//!
//! Every answer that passes the edge carries the emulator's clock as its `Date` ([`http_date`]).
//!
//! [`not_found`] is the router's fallback, in the dialect of the path too.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use axum::Extension;

use crate::azure::Https;
use crate::dialect::{self, face_of, printable, Face};
use crate::guard::{self, AllowedHosts};
use crate::AppState;

/// The longest request target (path and query) served; longer ones answer 414. Longer than any
/// request the SDKs send (EC2 requests go in the body); hyper refuses a whole request head over
/// 64 KiB before this layer runs, and the connection manager renders that answer in dialect.
pub const MAX_TARGET: usize = 16 * 1024;

/// The largest request body of a face: 16 MiB for Azure (as before), 2 MiB for the others.
pub fn body_limit(face: Face) -> usize {
    match face {
        Face::Azure => 16 * 1024 * 1024,
        _ => 2 * 1024 * 1024,
    }
}

/// The error a request body yields when the client has not sent it whole in time (set by the
/// connection manager); answered with 408.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimedOut;

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body was not received in time")
    }
}

impl std::error::Error for BodyTimedOut {}

/// Polls a future and turns a panic inside it into an `Err` (no `unsafe`: the future is boxed,
/// so the wrapper is `Unpin`).
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let fut = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(move || fut.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

fn panic_text(p: &(dyn Any + Send)) -> &str {
    p.downcast_ref::<&str>()
        .copied()
        .or_else(|| p.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(not a string)")
}

/// The one middleware in front of every route: the steps of the module doc, in order.
pub async fn edge(
    State(st): State<Arc<AppState>>,
    https: Option<Extension<Https>>,
    allowed: Option<Extension<AllowedHosts>>,
    req: Request,
    next: Next,
) -> Response {
    // The URI is shared, not copied: only an error answer needs its path.
    let uri = req.uri().clone();
    let path = uri.path();
    let method = req.method().clone();
    let inner = async {
        if let Some(refused) = guard(&st, https.is_some(), allowed, &req) {
            return refused;
        }
        if let Some(refused) = crate::auth::admin_refusal(&st, &req) {
            return refused;
        }
        match read_body(&st, req).await {
            Ok(req) => next.run(req).await,
            Err(refused) => refused,
        }
    };
    let resp = match CatchUnwind(Box::pin(inner)).await {
        Ok(resp) => resp,
        Err(panic) => panicked(&st, &method, path, panic.as_ref()),
    };
    let mut resp = in_dialect(&st, &method, path, resp).await;
    if let Ok(date) = HeaderValue::from_str(&http_date(st.emulator.now())) {
        resp.headers_mut().insert(header::DATE, date);
    }
    resp
}

/// The `Date` header of every answer: the emulator's clock (the one `POST /_vpcpeer/clock`
/// advances), as a cloud's answers carry its own time; a client that wants the cloud's time
/// (the controller's health check) reads it there. Hyper adds its own `Date` only to an answer
/// without one, so there is one. IMF-fixdate (RFC 9110): `Tue, 14 Nov 2023 22:13:20 GMT`.
pub fn http_date(t: vpcpeer_model::Timestamp) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = t.millis().div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to the civil date `(year, month 1-12, day 1-31)`, proleptic
/// Gregorian (Howard Hinnant's `civil_from_days`); the CLI's RFC 3339 times use it too.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Step 1: the answer when anything below panicked: 500 in the dialect of the path.
fn panicked(st: &AppState, method: &Method, path: &str, panic: &(dyn Any + Send)) -> Response {
    tracing::error!(
        %method,
        path = %printable(path, 200),
        panic = %panic_text(panic),
        "a request handler panicked; answered 500"
    );
    let face = face_of(path);
    let message = match face {
        Face::Aws => "An internal error has occurred",
        Face::Gcp => "Internal error. Please try again.",
        Face::Azure => "The server encountered an internal error.",
        Face::Admin | Face::Aviatrix => "internal error",
    };
    dialect::error(
        face,
        StatusCode::INTERNAL_SERVER_ERROR,
        message,
        &st.request_id(),
    )
}

/// Whether a response is an error that no face rendered: no content type, or plain text (what
/// axum's own rejections carry).
fn is_bare_error(resp: &Response) -> bool {
    resp.status().as_u16() >= 400
        && resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|ct| ct.starts_with("text/plain"))
}

/// Step 2: re-renders a bare error answer in the dialect of the path, keeping the status and
/// headers such as `Allow`, and the text of axum's rejection as the message.
async fn in_dialect(st: &AppState, method: &Method, path: &str, resp: Response) -> Response {
    if !is_bare_error(&resp) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let status = parts.status;
    let message = match (status, text.trim()) {
        (StatusCode::METHOD_NOT_ALLOWED, _) => format!(
            "The method {} is not allowed on {}.",
            printable(method.as_str(), 40),
            printable(path, 200)
        ),
        (_, "") => status.canonical_reason().unwrap_or("Error").to_owned(),
        (_, t) => printable(t, 500),
    };
    let face = face_of(path);
    let fresh = dialect::error(face, status, &message, &st.request_id());
    let (fresh_parts, fresh_body) = fresh.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (k, v) in fresh_parts.headers.iter() {
        parts.headers.insert(k.clone(), v.clone());
    }
    Response::from_parts(parts, fresh_body)
}

/// Step 3: the checks of [`crate::guard::check`]; the refusal, if any.
fn guard(
    st: &AppState,
    https: bool,
    allowed: Option<Extension<AllowedHosts>>,
    req: &Request,
) -> Option<Response> {
    let allowed = allowed.map(|Extension(a)| a).unwrap_or_default();
    let checked = guard::check(
        req.method(),
        req.uri().path(),
        req.headers(),
        https,
        &allowed,
    );
    match checked {
        Ok(()) => None,
        Err(refusal) => {
            tracing::info!(
                method = %req.method(),
                path = %printable(req.uri().path(), 200),
                reason = %refusal.message,
                "refused a browser-originated or misdirected request"
            );
            let face = face_of(req.uri().path());
            Some(dialect::error(
                face,
                refusal.status,
                &refusal.message,
                &st.request_id(),
            ))
        }
    }
}

fn caused_by<T: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<T>() {
            return true;
        }
        cur = err.source();
    }
    false
}

fn closing(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// Step 5: the target's length, then the whole body within the face's limit; the request with
/// its body read, or the refusal.
async fn read_body(st: &AppState, req: Request) -> Result<Request, Response> {
    let face = face_of(req.uri().path());
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_TARGET {
        let msg =
            format!("The request URI is {target} bytes long; the limit is {MAX_TARGET} bytes.");
        return Err(closing(dialect::error(
            face,
            StatusCode::URI_TOO_LONG,
            &msg,
            &st.request_id(),
        )));
    }
    let limit = body_limit(face);
    let too_large = || {
        let msg = format!("The request body is larger than the limit of {limit} bytes.");
        closing(dialect::error(
            face,
            StatusCode::PAYLOAD_TOO_LARGE,
            &msg,
            &st.request_id(),
        ))
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(e) => {
            let e: &(dyn std::error::Error + 'static) = &e;
            if caused_by::<http_body_util::LengthLimitError>(e) {
                return Err(too_large());
            }
            if caused_by::<BodyTimedOut>(e) {
                return Err(closing(dialect::error(
                    face,
                    StatusCode::REQUEST_TIMEOUT,
                    "The request body was not received within the server's body timeout.",
                    &st.request_id(),
                )));
            }
            return Err(closing(dialect::error(
                face,
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
                &st.request_id(),
            )));
        }
    };
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The router's fallback: 404 in the dialect of the path.
pub async fn not_found(State(st): State<Arc<AppState>>, method: Method, uri: Uri) -> Response {
    let path = printable(uri.path(), 200);
    let face = face_of(uri.path());
    let message = match face {
        Face::Aws => format!(
            "The requested URL {} {path} is not served: the EC2 Query API is at /.",
            printable(method.as_str(), 40)
        ),
        Face::Gcp => format!(
            "The requested URL {} {path} was not found.",
            printable(method.as_str(), 40)
        ),
        Face::Azure => {
            format!("The resource type of path '{path}' is not served by this emulator.")
        }
        Face::Admin | Face::Aviatrix => "no such endpoint".to_owned(),
    };
    dialect::error(face, StatusCode::NOT_FOUND, &message, &st.request_id())
}
