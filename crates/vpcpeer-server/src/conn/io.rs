//! The wrappers the connection manager puts around a connection's bytes and bodies:
//!
//! - [`SniffIo`] wraps the socket (or the TLS stream) under hyper. Reading, it moves an idle
//!   connection back to `Head` at the first byte of the next request, and keeps the start of
//!   each request line. Writing, it replaces hyper's own empty answer to a request head it could
//!   not parse (400, 414, 431: hyper writes these before any service sees the request) with the
//!   same status in the dialect of the request line's path ([`crate::dialect`]).
//! - [`TimedBody`] wraps a request body: an error ([`BodyTimedOut`]) once the body deadline
//!   passes, and `Busy` once the body is in.
//! - [`IdleOnDrop`] wraps a response body: `Idle` once hyper has written it (and dropped it).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::body::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use super::slots::{Phase, Slot};
use crate::dialect::{face_of_request_line, raw_response};
use crate::layers::{BodyTimedOut, MAX_TARGET};
use crate::AppState;

/// How much of a request line is kept: enough for the method and the face's prefix.
const KEEP: usize = 512;

/// The start of the current request line.
#[derive(Debug, Default)]
struct Sniff {
    line: Vec<u8>,
    /// Bytes of the line seen so far (the line may be far longer than what is kept).
    len: usize,
    /// The line's end was seen.
    done: bool,
    /// A byte of a request was read since the last answer began.
    in_request: bool,
}

impl Sniff {
    fn feed(&mut self, mut bytes: &[u8]) {
        if self.done {
            return;
        }
        if self.len == 0 {
            // Blank lines before a request line are allowed (RFC 9112 §2.2).
            let skip = bytes
                .iter()
                .take_while(|b| **b == b'\r' || **b == b'\n')
                .count();
            bytes = &bytes[skip..];
            if bytes.is_empty() {
                return;
            }
        }
        self.in_request = true;
        let (part, done) = match bytes.iter().position(|b| *b == b'\n') {
            Some(i) => (&bytes[..i], true),
            None => (bytes, false),
        };
        let room = KEEP.saturating_sub(self.line.len());
        self.line.extend_from_slice(&part[..part.len().min(room)]);
        self.len += part.len();
        self.done = done;
    }
}

/// The status of a response head at the start of `buf` (`HTTP/1.1 431 …`).
fn response_status(buf: &[u8]) -> Option<u16> {
    let rest = buf.strip_prefix(b"HTTP/1.")?;
    let code = rest.get(2..5)?;
    if !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(code.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0')))
}

/// Whether the response head at the start of `buf` names a content type.
fn names_content_type(buf: &[u8]) -> bool {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    buf[..end]
        .split(|b| *b == b'\n')
        .any(|line| line.len() >= 13 && line[..13].eq_ignore_ascii_case(b"content-type:"))
}

/// The status of a response head at the start of `buf` and, for the bare answers hyper writes
/// itself (400, 414, 431), whether the head names a content type (other answers: `true`, not
/// looked at).
fn response_head(buf: &[u8]) -> Option<(u16, bool)> {
    let code = response_status(buf)?;
    let typed = !matches!(code, 400 | 414 | 431) || names_content_type(buf);
    Some((code, typed))
}

/// See the module docs.
pub(crate) struct SniffIo<T> {
    inner: T,
    slot: Arc<Slot>,
    state: Arc<AppState>,
    sniff: Sniff,
    /// A replacement answer still to be written.
    out: Vec<u8>,
    written: usize,
}

impl<T> SniffIo<T> {
    pub(crate) fn new(inner: T, slot: Arc<Slot>, state: Arc<AppState>) -> Self {
        SniffIo {
            inner,
            slot,
            state,
            sniff: Sniff::default(),
            out: Vec::new(),
            written: 0,
        }
    }

    /// The answer in dialect for hyper's bare `status`.
    fn replacement(&self, status: u16) -> Vec<u8> {
        let face = face_of_request_line(&self.sniff.line);
        let line_too_long = !self.sniff.done || self.sniff.len > MAX_TARGET;
        let (status, message) = match status {
            414 | 431 if line_too_long => (
                414,
                format!("The request URI is longer than the limit of {MAX_TARGET} bytes."),
            ),
            431 => (
                431,
                "The request's header fields are larger than the server accepts (64 KiB and 100 fields in all).".to_owned(),
            ),
            s => (s, "The request could not be parsed as HTTP/1.1.".to_owned()),
        };
        raw_response(face, status, &message, &self.state.request_id())
    }
}

impl<T> SniffIo<T> {
    /// Looks at what hyper writes when a request is being answered: at the start of an answer,
    /// forgets the request line, and when the answer is one of hyper's own bare ones, puts the
    /// replacement in `out`; whether it did (then what hyper wrote is to be dropped).
    fn intercept(&mut self, buf: &[u8]) -> bool {
        if !self.sniff.in_request {
            return false;
        }
        let Some((status, typed)) = response_head(buf) else {
            return false;
        };
        if status < 200 {
            return false;
        }
        let bare = matches!(status, 400 | 414 | 431) && !typed;
        let out = bare.then(|| self.replacement(status));
        self.sniff = Sniff::default();
        match out {
            Some(out) => {
                self.out = out;
                self.written = 0;
                true
            }
            None => false,
        }
    }
}

impl<T: AsyncWrite + Unpin> SniffIo<T> {
    /// Writes what is left of a replacement answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.out.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.out[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for SniffIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        let new = &buf.filled()[before..];
        if !new.is_empty() {
            self.slot.advance(Phase::Idle, Phase::Head);
            self.sniff.feed(new);
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for SniffIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        if self.intercept(buf) {
            // What hyper wrote is dropped; the replacement goes out now or at flush.
            if let Poll::Ready(Err(e)) = self.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // A response head is always the start of the first non-empty slice; the slices go
        // down whole, without being copied together.
        ready!(self.drain(cx))?;
        let head = bufs.iter().find(|b| !b.is_empty()).map(|b| &b[..]);
        if head.is_some_and(|h| self.intercept(h)) {
            if let Poll::Ready(Err(e)) = self.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body with a deadline (see the module docs). The timer is armed only when the body
/// is not all there at once: most bodies arrive with their head, and a timer per request would
/// take the timer wheel's lock twice.
pub(crate) struct TimedBody {
    inner: Incoming,
    deadline: tokio::time::Instant,
    timer: Option<Pin<Box<Sleep>>>,
    slot: Arc<Slot>,
}

impl TimedBody {
    pub(crate) fn new(inner: Incoming, deadline: tokio::time::Instant, slot: Arc<Slot>) -> Self {
        TimedBody {
            inner,
            deadline,
            timer: None,
            slot,
        }
    }

    fn finish(&self) {
        self.slot.advance(Phase::Body, Phase::Busy);
    }
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(None) => {
                self.finish();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                self.finish();
                Poll::Ready(Some(Err(Box::new(e))))
            }
            Poll::Ready(Some(Ok(frame))) => Poll::Ready(Some(Ok(frame))),
            Poll::Pending => {
                let deadline = self.deadline;
                let timer = self
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if timer.as_mut().poll(cx).is_ready() {
                    self.finish();
                    return Poll::Ready(Some(Err(Box::new(BodyTimedOut))));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        let end = self.inner.is_end_stream();
        if end {
            self.finish();
        }
        end
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body that marks its connection idle when dropped.
pub(crate) struct IdleOnDrop {
    inner: axum::body::Body,
    slot: Arc<Slot>,
}

impl IdleOnDrop {
    pub(crate) fn new(inner: axum::body::Body, slot: Arc<Slot>) -> Self {
        IdleOnDrop { inner, slot }
    }
}

impl Drop for IdleOnDrop {
    fn drop(&mut self) {
        if !self.slot.advance(Phase::Busy, Phase::Idle) {
            self.slot.advance(Phase::Body, Phase::Idle);
        }
    }
}

impl Body for IdleOnDrop {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_keeps_the_start_of_the_line_and_its_length() {
        let mut s = Sniff::default();
        s.feed(b"\r\nGET /compute/v1/");
        s.feed(b"x?q=1 HTTP/1.1\r\nHost: a\r\n");
        assert!(s.done && s.in_request);
        assert_eq!(s.line, b"GET /compute/v1/x?q=1 HTTP/1.1\r");
        let mut s = Sniff::default();
        s.feed(b"\r\n");
        assert!(!s.in_request);
        let long = vec![b'a'; 3 * KEEP];
        s.feed(b"GET /?");
        s.feed(&long);
        assert_eq!(s.line.len(), KEEP);
        assert_eq!(s.len, 6 + 3 * KEEP);
        assert!(!s.done);
    }

    #[test]
    fn response_heads() {
        assert_eq!(
            response_head(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n"
            ),
            Some((431, false))
        );
        assert_eq!(
            response_head(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\n\r\n<x/>"),
            Some((400, true))
        );
        // Only hyper's bare statuses are looked into; others count as typed.
        assert_eq!(
            response_head(b"HTTP/1.1 100 Continue\r\n\r\n"),
            Some((100, true))
        );
        assert_eq!(
            response_head(b"HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\n\r\n"),
            Some((414, true))
        );
        assert_eq!(response_head(b"<Response>"), None);
    }
}
