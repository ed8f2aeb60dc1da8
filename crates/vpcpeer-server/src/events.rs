//! `GET /_vpcpeer/events`: server-sent events (`text/event-stream`) that tell a follower — the
//! web console — that the emulator moved, so that it refreshes at once instead of polling.
//!
//! Each event is named `change`, carries the command log's newest sequence number as its `id`,
//! and a [`vpcpeer_api::LiveEvent`] as its data (the sequence number, the world's version, the
//! emulator's clock). The first is sent as soon as the stream opens (where the emulator is now);
//! then one each time the emulator's writer has written a batch that moved the command log, the
//! world's version or the clock's offset ([`vpcpeer_service::Emulator::subscribe`], a
//! `tokio::sync::watch` channel: no polling here, and a burst of commits made while an event was
//! being sent comes as one event). A comment line every [`KEEP_ALIVE`] keeps proxies from
//! closing an idle stream and lets the server notice a follower that went away.
//!
//! The stream is an admin endpoint like the rest of `/_vpcpeer/*`: with an admin token
//! configured it needs `Authorization: Bearer …` (a browser's `EventSource` cannot send one: the
//! console then reads the same stream with `fetch`). It ends when the server stops
//! ([`AppState::close_streams`]).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;
use vpcpeer_service::Progress;

use crate::AppState;

/// How often an idle stream carries a comment line.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// How long a follower that lost the stream should wait before reconnecting (the `retry:` field
/// of the first event), in milliseconds.
const RETRY_MS: u64 = 1_000;

/// Where a stream is: the receiver of the emulator's progress, the server's closing flag, and
/// whether the first event has gone.
struct Follow {
    progress: watch::Receiver<Progress>,
    closing: watch::Receiver<bool>,
    first: bool,
}

/// The event for `p`, with the emulator's clock now.
fn event(st: &AppState, p: Progress) -> Event {
    let now = st.emulator.now();
    let data = vpcpeer_api::LiveEvent {
        now: vpcpeer_wire_aws::render::iso(now),
        now_ms: now.millis(),
        seq: p.seq,
        version: p.version,
    };
    let data = serde_json::to_string(&data).unwrap_or_else(|_| "{}".to_owned());
    Event::default()
        .event("change")
        .id(p.seq.to_string())
        .data(data)
}

/// `GET /_vpcpeer/events`.
pub(crate) async fn events_handler(State(st): State<Arc<AppState>>) -> Response {
    let follow = Follow {
        progress: st.emulator.subscribe(),
        closing: st.closing.subscribe(),
        first: true,
    };
    let stream = futures_util::stream::unfold(follow, move |mut f| {
        let st = st.clone();
        async move {
            if f.first {
                f.first = false;
                let p = *f.progress.borrow_and_update();
                let ev = event(&st, p).retry(Duration::from_millis(RETRY_MS));
                return Some((Ok::<_, Infallible>(ev), f));
            }
            let moved = tokio::select! {
                // An error: the emulator is gone, and so is the stream.
                changed = f.progress.changed() => changed.is_ok(),
                _ = f.closing.wait_for(|closing| *closing) => false,
            };
            if !moved {
                return None;
            }
            let p = *f.progress.borrow_and_update();
            Some((Ok(event(&st, p)), f))
        }
    });
    let mut resp = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // No proxy may buffer or store the stream.
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store"),
    );
    resp.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
