//! The connection manager: one accept loop per listener (plain HTTP and, when asked, HTTPS),
//! HTTP/1.1 connections served by hyper, and the limits that keep a flood of slow or idle
//! clients from starving well-behaved ones.
//!
//! - **Timeouts** ([`ServeOptions`]): a request head must arrive whole within the header timeout
//!   (counted from accept, TLS handshake included, or from the first byte of a later request on
//!   a kept-alive connection); a body within the body timeout after its head (else 408 in
//!   dialect); a kept-alive connection may sit idle between requests for the idle timeout. A
//!   connection past its head or idle deadline is closed without an answer. hyper's own
//!   `header_read_timeout` is not used: it restarts whenever a kept-alive connection waits for
//!   its next request, which would make the idle timeout the header timeout.
//! - **Cap**: at most `max_connections` are open across all listeners. The newcomer that goes
//!   over is always served; to make room, the manager closes the connection that has been
//!   reading a head longest (slowloris, or connected and silent), else the one idle longest,
//!   else the one that has been sending its body longest. Only when every other connection is
//!   running a handler does it wait for one to finish (up to 1 s, then it closes the oldest).
//!   See [`slots`].
//! - **Accept errors** do not stop or spin the loop. Out of descriptors (EMFILE, ENFILE), it
//!   closes one evictable connection and retries once that one is gone (at most 10 ms later);
//!   other errors, or nothing to close, back off for 10 ms.
//! - **Heads hyper refuses** (over 64 KiB, over 100 fields, a URI over 64 KiB, unparsable) are
//!   answered by hyper itself before any service runs; [`io::SniffIo`] rewrites that answer in
//!   the dialect of the request line's path.
//! - **Shutdown** (ctrl-c or SIGTERM): the loops stop accepting, connections between requests
//!   close at once, event streams end ([`crate::events`]), requests in flight finish (at most
//!   5 s).

mod io;
mod slots;
#[cfg(test)]
mod tests;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use self::io::{IdleOnDrop, SniffIo, TimedBody};
use self::slots::{Phase, Slot, SlotGuard, Slots};
use crate::azure::Https;
use crate::guard::AllowedHosts;
use crate::tls::TlsListener;
use crate::AppState;

/// The largest request head hyper reads (its read buffer): beyond it, 431 (or 414 when the
/// request line alone is that long).
pub const MAX_HEAD: usize = 64 * 1024;

/// The accept queue asked of the kernel for each listener (capped by `net.core.somaxconn`): a
/// burst of connections waits there instead of having its SYNs dropped, which would cost every
/// client caught in it a one-second retransmission.
const BACKLOG: i32 = 4096;

/// How many evicted connections may still be closing (their tasks not yet run) before the accept
/// loop waits for them; part of the reserve of [`default_max_connections`].
const MAX_CLOSING: usize = 16;

/// How long requests in flight may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long the accept loop waits after an accept error such as EMFILE.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// How long a newcomer over the cap waits for a handler to finish when no connection can be
/// evicted, before the oldest busy one is closed.
const BUSY_GRACE: Duration = Duration::from_secs(1);

/// The limits of the connection manager (`vpcpeer serve --header-timeout …`).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// A request head must arrive whole within this (default 10 s).
    pub header_timeout: Duration,
    /// A request body must arrive whole within this after its head (default 30 s).
    pub body_timeout: Duration,
    /// A kept-alive connection may wait this long for its next request (default 60 s).
    pub idle_timeout: Duration,
    /// Connections open at once, over all listeners (see [`default_max_connections`]).
    pub max_connections: usize,
    /// Host names accepted besides IP literals and `localhost` ([`crate::guard`]).
    pub allow_hosts: Vec<String>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: default_max_connections(1024),
            allow_hosts: Vec::new(),
        }
    }
}

/// The default cap for a process allowed `nofile` open files: all but a reserve of 64 + 1/16
/// (for the store's files, the listeners, the runtime, a PostgreSQL connection, stdio, the
/// newcomer accepted over the cap, and up to 16 evicted connections not yet closed), and at
/// least 8.
pub fn default_max_connections(nofile: u64) -> usize {
    let reserve = 64 + nofile / 16;
    usize::try_from(nofile.saturating_sub(reserve))
        .unwrap_or(usize::MAX)
        .max(8)
}

/// What the accept loops and connections share.
struct Shared {
    state: Arc<AppState>,
    router: Router,
    http: http1::Builder,
    options: ServeOptions,
    allowed: AllowedHosts,
    slots: Arc<Slots>,
    shutdown: watch::Receiver<bool>,
}

/// Serves [`crate::app`] on `listener`, and on `tls` too when given, until ctrl-c or SIGTERM.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsListener>,
    state: Arc<AppState>,
    options: ServeOptions,
) -> std::io::Result<()> {
    serve_until(listener, tls, state, options, shutdown_signal()).await
}

/// [`serve`] until `stop` completes.
pub async fn serve_until(
    listener: TcpListener,
    tls: Option<TlsListener>,
    state: Arc<AppState>,
    options: ServeOptions,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let (tx, rx) = watch::channel(false);
    let mut http = http1::Builder::new();
    http.max_buf_size(MAX_HEAD)
        .max_header_size(MAX_HEAD)
        .keep_alive(true)
        // Our own timers (see the module docs), not hyper's.
        .header_read_timeout(None);
    let shared = Arc::new(Shared {
        router: crate::app(state.clone()),
        http,
        state,
        allowed: AllowedHosts::new(&options.allow_hosts),
        options,
        slots: Slots::new(),
        shutdown: rx,
    });
    deepen_backlog(&listener);
    let mut loops = vec![tokio::spawn(accept_loop(listener, None, shared.clone()))];
    if let Some(tls) = tls {
        let listener = TcpListener::from_std(tls.listener)?;
        deepen_backlog(&listener);
        let acceptor = TlsAcceptor::from(tls.config);
        loops.push(tokio::spawn(accept_loop(
            listener,
            Some(acceptor),
            shared.clone(),
        )));
    }
    stop.await;
    let _ = tx.send(true);
    shared.state.close_streams();
    for l in loops {
        l.await.map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    loop {
        let changed = shared.slots.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        if shared.slots.counts().0 == 0 {
            break;
        }
        if tokio::time::timeout_at(deadline, changed).await.is_err() {
            tracing::warn!("requests still in flight after the shutdown grace; closing them");
            shared.slots.evict_all();
            break;
        }
    }
    Ok(())
}

/// Asks for a deeper accept queue than the 128 a listener is bound with here: `listen` again on
/// a listening socket only changes its backlog (Linux, the BSDs).
fn deepen_backlog(listener: &TcpListener) {
    if let Err(e) = socket2::SockRef::from(listener).listen(BACKLOG) {
        tracing::debug!(error = %e, "could not deepen the accept queue");
    }
}

/// Completes on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Whether an accept error means the process (EMFILE) or the system (ENFILE) is out of file
/// descriptors, or the kernel of buffers (ENOBUFS, ENOMEM).
fn out_of_resources(e: &std::io::Error) -> bool {
    // Linux errno values; elsewhere the raw codes differ and only the backoff matters.
    matches!(e.raw_os_error(), Some(23 | 24 | 105 | 12))
}

async fn accept_loop(listener: TcpListener, tls: Option<TlsAcceptor>, shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown.clone();
    let mut last_warning: Option<Instant> = None;
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        match accepted {
            Ok((tcp, _peer)) => {
                let _ = tcp.set_nodelay(true);
                let guard = shared.slots.register();
                let id = guard.slot.id;
                tokio::spawn(connection(tcp, tls.clone(), guard, shared.clone()));
                make_room(&shared, id).await;
            }
            Err(e) => {
                let scarce = out_of_resources(&e);
                if last_warning.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
                    tracing::warn!(error = %e, "accepting a connection failed; backing off");
                    last_warning = Some(Instant::now());
                }
                // Out of descriptors: close one connection that is not serving a request and
                // retry once it is gone; otherwise (or for other errors) back off briefly.
                let changed = shared.slots.changed.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                match shared.slots.pick_victim(None, false).filter(|_| scarce) {
                    Some(victim) => {
                        shared.slots.evict(&victim);
                        let _ = tokio::time::timeout(ACCEPT_BACKOFF, changed).await;
                    }
                    None => tokio::time::sleep(ACCEPT_BACKOFF).await,
                }
            }
        }
    }
}

/// Closes connections until at most the cap are open, sparing `newcomer`. It does not wait for
/// the evicted ones to be gone unless more than [`MAX_CLOSING`] still are, so the accept loop
/// keeps pace with a flood.
async fn make_room(shared: &Shared, newcomer: u64) {
    let cap = shared.options.max_connections;
    let started = Instant::now();
    loop {
        let changed = shared.slots.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let (open, live) = shared.slots.counts();
        if live > cap {
            let busy_too = started.elapsed() >= BUSY_GRACE;
            if let Some(victim) = shared.slots.pick_victim(Some(newcomer), busy_too) {
                tracing::debug!(phase = ?victim.phase().0, "at the connection cap: closing one");
                shared.slots.evict(&victim);
                continue;
            }
        } else if open <= cap + MAX_CLOSING {
            return;
        }
        // Wait for evicted connections to close, or for one to become evictable.
        let _ = tokio::time::timeout(Duration::from_millis(50), changed).await;
    }
}

async fn connection(
    tcp: TcpStream,
    tls: Option<TlsAcceptor>,
    guard: SlotGuard,
    shared: Arc<Shared>,
) {
    let slot = guard.slot.clone();
    let mut shutdown = shared.shutdown.clone();
    match tls {
        None => http(tcp, false, &slot, &shared, &mut shutdown).await,
        Some(acceptor) => {
            let deadline =
                tokio::time::Instant::from_std(slot.phase().1) + shared.options.header_timeout;
            let handshake = tokio::select! {
                r = tokio::time::timeout_at(deadline, acceptor.accept(tcp)) => r,
                _ = slot.evict.notified() => return,
                _ = shutdown.wait_for(|stop| *stop) => return,
            };
            match handshake {
                Ok(Ok(stream)) => http(stream, true, &slot, &shared, &mut shutdown).await,
                Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        }
    }
    drop(guard);
}

/// When `slot`'s current phase runs out (the body deadline proper is [`TimedBody`]'s; this one,
/// a second later, is the backstop).
fn deadline(slot: &Slot, options: &ServeOptions) -> Instant {
    let (phase, since) = slot.phase();
    match phase {
        Phase::Head => since + options.header_timeout,
        Phase::Idle => since + options.idle_timeout,
        Phase::Body => since + options.body_timeout + Duration::from_secs(1),
        Phase::Busy => Instant::now() + Duration::from_secs(3600),
    }
}

async fn http<T>(
    io: T,
    https: bool,
    slot: &Arc<Slot>,
    shared: &Arc<Shared>,
    shutdown: &mut watch::Receiver<bool>,
) where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(SniffIo::new(io, slot.clone(), shared.state.clone()));
    let service = {
        let slot = slot.clone();
        let shared = shared.clone();
        service_fn(move |req| handle(req, https, slot.clone(), shared.clone()))
    };
    let conn = shared.http.serve_connection(io, service);
    tokio::pin!(conn);
    let mut draining = false;
    // One timer for the connection's life, moved only when the phase changes: a new timer per
    // wake-up would take the timer wheel's lock several times a request.
    let timer = tokio::time::sleep(Duration::ZERO);
    tokio::pin!(timer);
    let mut armed: Option<(Phase, Instant)> = None;
    loop {
        let state = slot.phase();
        if armed != Some(state) {
            let until = tokio::time::Instant::from_std(deadline(slot, &shared.options));
            timer.as_mut().reset(until);
            armed = Some(state);
        }
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = slot.evict.notified() => return,
            _ = shutdown.wait_for(|stop| *stop), if !draining => {
                if matches!(slot.phase().0, Phase::Head | Phase::Idle) {
                    return;
                }
                conn.as_mut().graceful_shutdown();
                draining = true;
            }
            _ = timer.as_mut() => {
                if Instant::now() >= deadline(slot, &shared.options) {
                    tracing::debug!(phase = ?slot.phase().0, "connection timed out");
                    return;
                }
                // Not yet (a busy connection, or a phase that began since): arm it again.
                armed = None;
            }
            _ = slot.wake.notified() => {}
        }
    }
}

async fn handle(
    mut req: hyper::Request<Incoming>,
    https: bool,
    slot: Arc<Slot>,
    shared: Arc<Shared>,
) -> Result<hyper::Response<IdleOnDrop>, Infallible> {
    slot.set(Phase::Body);
    req.extensions_mut().insert(shared.allowed.clone());
    if https {
        req.extensions_mut().insert(Https);
    }
    let until = tokio::time::Instant::now() + shared.options.body_timeout;
    let req = req.map(|b| Body::new(TimedBody::new(b, until, slot.clone())));
    let resp = match shared.router.clone().oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    Ok(resp.map(|b| IdleOnDrop::new(b, slot)))
}
