//! Tests of the connection manager over real sockets on 127.0.0.1: timeouts, the cap and who is
//! closed at it, the body deadline's 408, and shutdown. Waits are liveness bounds (a generous
//! [`LIVENESS`]), never timing thresholds; "still open" is read as "not closed within a short
//! look", which a slow machine can only make pass.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{serve_until, ServeOptions};
use crate::testing::state;

const LIVENESS: Duration = Duration::from_secs(20);
const LOOK: Duration = Duration::from_millis(300);

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(options: ServeOptions) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_until(listener, None, state(), options, async {
            let _ = rx.await;
        }));
        Server {
            addr,
            stop: Some(tx),
            task,
        }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.expect("connect")
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(LIVENESS, &mut self.task)
            .await
            .expect("the server stops")
            .expect("join")
            .expect("serve");
    }
}

fn options() -> ServeOptions {
    ServeOptions {
        header_timeout: Duration::from_secs(30),
        body_timeout: Duration::from_secs(30),
        idle_timeout: Duration::from_secs(30),
        max_connections: 100,
        allow_hosts: Vec::new(),
    }
}

/// Reads one response (head and a Content-Length body): (status, head, body).
async fn read_response(s: &mut TcpStream) -> (u16, String, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).to_string();
                let status = head[9..12].parse().expect("status");
                return (status, head, body);
            }
        }
        let n = tokio::time::timeout(LIVENESS, s.read(&mut chunk))
            .await
            .expect("an answer in time")
            .expect("read");
        assert!(
            n > 0,
            "closed before a whole answer: {}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn health(s: &mut TcpStream) -> u16 {
    s.write_all(b"GET /_vpcpeer/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .expect("write");
    read_response(s).await.0
}

/// Whether the server closes `s` within `within` (reading and dropping anything it sends).
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut chunk)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn slow_silent_and_idle_connections_are_closed_after_their_timeouts() {
    let server = Server::start(ServeOptions {
        header_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(600),
        ..options()
    })
    .await;
    let mut silent = server.connect().await;
    let mut partial = server.connect().await;
    partial
        .write_all(b"GET /_vpcpeer/health HTTP/1.1\r\nHost: 1")
        .await
        .expect("write");
    let mut idle = server.connect().await;
    assert_eq!(health(&mut idle).await, 200);
    // A trickle of bytes does not restart the header timeout.
    let mut trickle = server.connect().await;
    let trickling = tokio::spawn(async move {
        let _ = trickle.write_all(b"GET / HTTP/1.1\r\n").await;
        for _ in 0..400 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if trickle.write_all(b"X-a: b\r\n").await.is_err() {
                return true;
            }
        }
        false
    });
    assert!(closed_within(&mut silent, LIVENESS).await, "silent");
    assert!(closed_within(&mut partial, LIVENESS).await, "partial head");
    assert!(closed_within(&mut idle, LIVENESS).await, "idle keep-alive");
    assert!(trickling.await.expect("join"), "trickled head");
    // A well-behaved client is served all along.
    let mut fresh = server.connect().await;
    assert_eq!(health(&mut fresh).await, 200);
    server.stop().await;
}

#[tokio::test]
async fn a_body_not_sent_in_time_is_408_in_dialect() {
    let server = Server::start(ServeOptions {
        body_timeout: Duration::from_millis(300),
        ..options()
    })
    .await;
    let mut s = server.connect().await;
    s.write_all(
        b"POST /compute/v1/projects/p/global/networks HTTP/1.1\r\nHost: 127.0.0.1\r\n\
          Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\"",
    )
    .await
    .expect("write");
    let (status, head, body) = read_response(&mut s).await;
    assert_eq!(status, 408, "{head}\n{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("GCP JSON");
    assert_eq!(v["error"]["code"], 408);
    assert!(closed_within(&mut s, LIVENESS).await);
    server.stop().await;
}

#[tokio::test]
async fn at_the_cap_a_newcomer_is_served_and_the_oldest_silent_connection_closed() {
    let server = Server::start(ServeOptions {
        max_connections: 4,
        ..options()
    })
    .await;
    let mut silent = Vec::new();
    for _ in 0..4 {
        silent.push(server.connect().await);
        // Let the server accept it before the next, so the order is known.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut newcomer = server.connect().await;
    assert_eq!(health(&mut newcomer).await, 200);
    assert!(closed_within(&mut silent[0], LIVENESS).await, "the oldest");
    for (i, s) in silent.iter_mut().enumerate().skip(1) {
        assert!(!closed_within(s, LOOK).await, "silent connection {i} kept");
    }
    // Many more newcomers: each is served, and the cap holds.
    for _ in 0..10 {
        let mut c = server.connect().await;
        assert_eq!(health(&mut c).await, 200);
    }
    server.stop().await;
}

#[tokio::test]
async fn at_the_cap_slow_heads_go_before_idle_connections_and_the_longest_idle_first() {
    let server = Server::start(ServeOptions {
        max_connections: 2,
        ..options()
    })
    .await;
    let mut idle = server.connect().await;
    assert_eq!(health(&mut idle).await, 200);
    let mut silent = server.connect().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut newcomer = server.connect().await;
    assert_eq!(health(&mut newcomer).await, 200);
    assert!(
        closed_within(&mut silent, LIVENESS).await,
        "the silent one goes"
    );
    assert_eq!(health(&mut idle).await, 200, "the idle one stays");
    // Now `newcomer` is the longer idle of the two: the next newcomer replaces it.
    assert_eq!(health(&mut idle).await, 200);
    let mut third = server.connect().await;
    assert_eq!(health(&mut third).await, 200);
    assert!(
        closed_within(&mut newcomer, LIVENESS).await,
        "longest idle goes"
    );
    assert_eq!(health(&mut idle).await, 200);
    server.stop().await;
}

#[tokio::test]
async fn shutdown_closes_waiting_connections_and_returns() {
    let server = Server::start(options()).await;
    let mut waiting = Vec::new();
    for _ in 0..3 {
        waiting.push(server.connect().await);
    }
    let mut idle = server.connect().await;
    assert_eq!(health(&mut idle).await, 200);
    tokio::time::sleep(Duration::from_millis(50)).await;
    server.stop().await;
    for s in waiting.iter_mut().chain([&mut idle]) {
        assert!(closed_within(s, LIVENESS).await);
    }
}

#[test]
fn the_default_cap_leaves_a_reserve() {
    use super::default_max_connections;
    assert_eq!(default_max_connections(1024), 1024 - 64 - 64);
    assert_eq!(default_max_connections(65_536), 65_536 - 64 - 4096);
    assert_eq!(default_max_connections(10), 8);
    assert!(default_max_connections(u64::MAX) > 0);
}

#[tokio::test]
async fn answers_carry_one_date_header_on_the_emulators_clock() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let st = state();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve_until(listener, None, st.clone(), options(), async {
        let _ = rx.await;
    }));
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let dates = |head: &str| -> Vec<String> {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(k, _)| k.eq_ignore_ascii_case("date"))
            .map(|(_, v)| v.trim().to_string())
            .collect()
    };
    for (advance, want) in [
        (0, "Tue, 14 Nov 2023 22:13:20 GMT"),
        (86_400 * 20 + 61, "Mon, 04 Dec 2023 22:14:21 GMT"),
    ] {
        st.emulator.advance_clock(advance).await.expect("advance");
        s.write_all(b"GET /_vpcpeer/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .expect("write");
        let (status, head, _) = read_response(&mut s).await;
        assert_eq!(status, 200);
        assert_eq!(dates(&head), [want], "{head}");
    }
    assert_eq!(
        crate::layers::http_date(vpcpeer_model::Timestamp(951_782_400_000)),
        "Tue, 29 Feb 2000 00:00:00 GMT"
    );
    drop(s);
    let _ = tx.send(());
    tokio::time::timeout(LIVENESS, task)
        .await
        .expect("the server stops")
        .expect("join")
        .expect("serve");
}
