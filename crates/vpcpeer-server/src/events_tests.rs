//! Tests of `GET /_vpcpeer/events`: the first event says where the emulator is, a committed
//! change and a clock advance each bring one, the stream ends when the server closes its
//! streams, and the admin token guards it. Events are awaited with a generous timeout (a
//! deadline against hanging, not a measure of speed).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::testing::{ec2, request, send, state, state_with_admin_token, JSON};
use crate::{app, AppState};

/// Long enough never to be reached by a working server.
const PATIENCE: Duration = Duration::from_secs(60);

/// One parsed event: its name, its id and its data as JSON.
#[derive(Debug)]
struct Sse {
    event: String,
    id: String,
    data: serde_json::Value,
}

/// Reads an event stream, block by block.
struct Reader {
    body: Body,
    buf: String,
}

impl Reader {
    /// The next event (comment blocks skipped); `None` when the stream ended.
    async fn next(&mut self) -> Option<Sse> {
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut ev = Sse {
                    event: String::new(),
                    id: String::new(),
                    data: serde_json::Value::Null,
                };
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        ev.event = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("id: ") {
                        ev.id = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if !data.is_empty() {
                    ev.data = serde_json::from_str(&data).expect("JSON data");
                    return Some(ev);
                }
            }
            let frame = tokio::time::timeout(PATIENCE, self.body.frame())
                .await
                .expect("an event within the patience")?;
            let frame = frame.expect("body frame");
            if let Ok(data) = frame.into_data() {
                self.buf
                    .push_str(std::str::from_utf8(&data).expect("UTF-8"));
            }
        }
    }
}

async fn open(st: &Arc<AppState>, headers: &[(&str, &str)]) -> (u16, String, Reader) {
    let resp = app(st.clone())
        .oneshot(request("GET", "/_vpcpeer/events", headers, Body::empty()))
        .await
        .expect("response");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default();
    let reader = Reader {
        body: resp.into_body(),
        buf: String::new(),
    };
    (status, ct, reader)
}

#[tokio::test]
async fn a_change_and_a_clock_advance_each_bring_an_event() {
    let st = state();
    let (status, ct, mut events) = open(&st, &[]).await;
    assert_eq!((status, ct.as_str()), (200, "text/event-stream"));
    let first = events.next().await.expect("the first event");
    assert_eq!((first.event.as_str(), first.id.as_str()), ("change", "0"));
    let start_ms = first.data["now_ms"].as_i64().expect("now_ms");
    assert_eq!(start_ms, 1_700_000_000_000);
    assert_eq!(first.data["now"], "2023-11-14T22:13:20.000Z");
    assert_eq!(
        (first.data["seq"].as_u64(), first.data["version"].as_u64()),
        (Some(0), Some(0))
    );
    // Another client commits a change: the stream says so, with the command's sequence number.
    let (status, body) = ec2(
        &st,
        "111111111111",
        "Action=CreateVpc&CidrBlock=10.0.0.0/16",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let ev = events.next().await.expect("an event after the change");
    assert_eq!((ev.event.as_str(), ev.id.as_str()), ("change", "1"));
    assert_eq!(ev.data["seq"], 1);
    assert_eq!(ev.data["version"], 1);
    let read: vpcpeer_api::LiveEvent = serde_json::from_value(ev.data).expect("a LiveEvent");
    assert_eq!(read.now_ms, start_ms);
    // The clock moves: an event with the new time.
    let req = request(
        "POST",
        "/_vpcpeer/clock",
        &[JSON],
        r#"{"advance_seconds": 60}"#,
    );
    let (status, _, _) = send(&st, req).await;
    assert_eq!(status, 200);
    let ev = events.next().await.expect("an event after the clock moved");
    assert_eq!(ev.data["now_ms"].as_i64(), Some(start_ms + 60_000));
    assert_eq!(ev.data["seq"], 1, "no command ran");
    // The server stops: the stream ends.
    st.close_streams();
    assert!(events.next().await.is_none(), "the stream ended");
    // A stream opened afterwards gives where the emulator is, then ends.
    let (_, _, mut late) = open(&st, &[]).await;
    assert_eq!(late.next().await.expect("first").data["seq"], 1);
    assert!(late.next().await.is_none());
}

#[tokio::test]
async fn a_burst_of_changes_ends_with_the_last_sequence_number() {
    let st = state();
    let (_, _, mut events) = open(&st, &[]).await;
    assert_eq!(events.next().await.expect("first").data["seq"], 0);
    for k in 0..5 {
        let body = format!("Action=CreateVpc&CidrBlock=10.{k}.0.0/16");
        assert_eq!(ec2(&st, "111111111111", &body).await.0, 200);
    }
    // However the writer grouped them, the events go up and the last one names command 5.
    let mut last = 0;
    while last < 5 {
        let seq = events.next().await.expect("an event").data["seq"]
            .as_u64()
            .expect("seq");
        assert!(seq > last, "{seq} after {last}");
        last = seq;
    }
    assert_eq!(last, 5);
}

#[tokio::test]
async fn with_an_admin_token_the_stream_needs_it() {
    let token = "events-token-0123456789";
    let st = state_with_admin_token(token);
    let req = Request::get("/_vpcpeer/events")
        .body(Body::empty())
        .expect("request");
    let (status, _, _) = send(&st, req).await;
    assert_eq!(status, 401);
    let bearer = format!("Bearer {token}");
    let (status, ct, mut events) = open(&st, &[("authorization", &bearer)]).await;
    assert_eq!((status, ct.as_str()), (200, "text/event-stream"));
    assert_eq!(events.next().await.expect("first").event, "change");
}
