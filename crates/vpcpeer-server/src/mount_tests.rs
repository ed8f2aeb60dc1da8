//! A mounted handler: reached at its path with every method, the query and body as sent, its
//! status, type and bytes answered as given; a panic in it is caught by the edge like any
//! route's, in the Aviatrix API's dialect at `/v2/api`; reset hooks run on
//! `POST /_vpcpeer/reset`, in order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::testing::{request, send, state};
use crate::{MountedHandler, MountedRequest, MountedResponse};

fn echo() -> MountedHandler {
    Arc::new(|r: MountedRequest| {
        Box::pin(async move {
            if r.query == "panic" {
                panic!("the handler failed");
            }
            MountedResponse {
                status: 200,
                content_type: "application/json",
                body: format!(
                    "{{\"method\":\"{}\",\"query\":\"{}\",\"body\":\"{}\"}}",
                    r.method,
                    r.query,
                    String::from_utf8_lossy(&r.body)
                )
                .into_bytes(),
            }
        })
    })
}

#[tokio::test]
async fn a_mounted_handler_answers_at_its_path() {
    let st = state();
    st.mount("/v2/api", echo());
    let form = ("content-type", "application/x-www-form-urlencoded");
    let (status, headers, body) =
        send(&st, request("POST", "/v2/api?a=1", &[form], "action=login")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        &body[..],
        br#"{"method":"POST","query":"a=1","body":"action=login"}"#
    );
    let (status, _, body) = send(&st, request("GET", "/v2/api?action=x", &[], "")).await;
    assert_eq!(status, 200);
    assert_eq!(
        &body[..],
        br#"{"method":"GET","query":"action=x","body":""}"#
    );
    // Caught by the edge: a 500 in the Aviatrix API's dialect, no detail.
    let (status, _, body) = send(&st, request("GET", "/v2/api?panic", &[], "")).await;
    assert_eq!(status, 500);
    let body = String::from_utf8_lossy(&body);
    assert_eq!(
        body, r#"{"reason":"internal error","return":false}"#,
        "{body}"
    );
    // Nothing else is mounted.
    let (status, _, _) = send(&st, request("POST", "/v1/api", &[form], "action=login")).await;
    assert_eq!(status, 404);
    // Without a mount, the path is nobody's.
    let (status, _, _) = send(
        &state(),
        request("POST", "/v2/api", &[form], "action=login"),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn reset_runs_the_hooks_in_order_after_emptying_the_world() {
    let st = state();
    let seen = Arc::new(AtomicUsize::new(0));
    for k in 1..=2 {
        let seen = seen.clone();
        st.on_reset(Arc::new(move || {
            let seen = seen.clone();
            Box::pin(async move {
                // The second hook runs after the first: 0 -> 1 -> 12.
                let now = seen.load(Ordering::SeqCst);
                seen.store(now * 10 + k, Ordering::SeqCst);
            })
        }));
    }
    let json = ("content-type", "application/json");
    let (status, _, body) = send(&st, request("POST", "/_vpcpeer/reset", &[json], "{}")).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(seen.load(Ordering::SeqCst), 12);
    // A request that is not a reset runs none.
    let (status, _, _) = send(&st, request("GET", "/_vpcpeer/health", &[], "")).await;
    assert_eq!(status, 200);
    assert_eq!(seen.load(Ordering::SeqCst), 12);
}
