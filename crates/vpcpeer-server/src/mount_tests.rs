//! A mounted handler: reached at its path with every method, the query and body as sent, its
//! status, type and bytes answered as given; a panic in it is caught by the edge like any
//! route's; paths not mounted stay the AWS face's.

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
    // Caught by the edge: the AWS face's 500, no detail.
    let (status, _, body) = send(&st, request("GET", "/v2/api?panic", &[], "")).await;
    assert_eq!(status, 500);
    let body = String::from_utf8_lossy(&body);
    assert!(
        body.contains("InternalError") && !body.contains("the handler failed"),
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
