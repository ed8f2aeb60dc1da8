//! Which face a request path belongs to, and how an error is said in that face's dialect.
//!
//! Every answer the server gives that is not produced by a face's own handler (an unknown path,
//! a method the router does not serve, a body over the limit, a refused browser request, a
//! panic, a request head hyper could not parse) is rendered here, so that a client only ever
//! reads its own dialect:
//!
//! | path                                | face      | error document                                   |
//! |-------------------------------------|-----------|--------------------------------------------------|
//! | `/_vpcpeer`, `/_vpcpeer/…`          | [`Face::Admin`] | `{"error": "message"}`                     |
//! | `/compute`, `/compute/…`            | [`Face::Gcp`]   | `{"error":{"code":N,"message":…,"errors":[{"reason":…}]}}` |
//! | `/subscriptions`, `/subscriptions/…`| [`Face::Azure`] | `{"error":{"code":"…","message":…}}` (ARM)  |
//! | `/v1/api`, `/v2/api`                | [`Face::Aviatrix`] | `{"return":false,"reason":…}` (the controller API mounted there) |
//! | anything else (`/`, STS too)        | [`Face::Aws`]   | EC2 `<Response><Errors><Error>…` XML        |
//!
//! A prefix counts only at a segment boundary (`/computer` is AWS's). A request whose path cannot
//! be read at all is AWS's, the face of `/`.
//!
//! The codes for statuses the clouds' documents do not spell out are our choice
//! (\[UNVERIFIED\] against the real services, which sit behind front ends of their own):
//!
//! | status | EC2 code                      | GCP reason     | ARM code                     |
//! |--------|-------------------------------|----------------|------------------------------|
//! | 400    | `MalformedQueryString`        | `badRequest`   | `InvalidRequestFormat`       |
//! | 403    | `UnauthorizedOperation`       | `forbidden`    | `AuthorizationFailed`        |
//! | 404    | `InvalidAction`               | `notFound`     | `InvalidResourceType`        |
//! | 405    | `UnsupportedOperation`        | `badRequest`   | `MethodNotAllowed`           |
//! | 408    | `RequestTimeout`              | `badRequest`   | `RequestTimeout`             |
//! | 413    | `RequestEntityTooLarge`       | `badRequest`   | `RequestEntityTooLarge`      |
//! | 414    | `RequestURITooLong`           | `badRequest`   | `RequestUriTooLong`          |
//! | 415    | `UnsupportedMediaType`        | `badRequest`   | `UnsupportedMediaType`       |
//! | 431    | `RequestHeaderFieldsTooLarge` | `badRequest`   | `RequestHeaderFieldsTooLarge`|
//! | 500    | `InternalError`               | `backendError` | `InternalServerError`        |
//!
//! The renderers are the wire crates' own (`vpcpeer_wire_aws::error_document`,
//! `vpcpeer_wire_gcp::WireError`, `vpcpeer_wire_azure::error_reply`). Text taken from the request
//! (a Host, an Origin) is passed through [`printable`] first, so no document carries a control
//! character.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use vpcpeer_wire_aws::{error_document, Ec2Error};
use vpcpeer_wire_gcp::WireError;

/// The face of the server a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// EC2 Query and STS (`/` and every path no other face claims).
    Aws,
    /// GCP Compute Engine v1 (`/compute/…`).
    Gcp,
    /// Azure Resource Manager (`/subscriptions/…`).
    Azure,
    /// The admin JSON API (`/_vpcpeer/…`).
    Admin,
    /// The Aviatrix-compatible controller API (`/v1/api`, `/v2/api`), mounted by the
    /// composition root: its edge errors keep the status and say `{"return": false, "reason"}`
    /// as its own refusals do (the real controller's front end is not documented:
    /// \[UNVERIFIED\], our choice).
    Aviatrix,
}

fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The face `path` (the path of a request target, without the query) belongs to.
pub fn face_of(path: &str) -> Face {
    if under(path, "/_vpcpeer") {
        Face::Admin
    } else if under(path, "/compute") {
        Face::Gcp
    } else if under(path, "/subscriptions") {
        Face::Azure
    } else if path == "/v1/api" || path == "/v2/api" {
        Face::Aviatrix
    } else {
        Face::Aws
    }
}

/// The face of a raw request line (`GET /compute/v1/x HTTP/1.1`, possibly cut short): the path
/// is the second space-separated word, without its query. An absolute-form target
/// (`http://host/path`) is read for its path. Unreadable lines are AWS's.
pub fn face_of_request_line(line: &[u8]) -> Face {
    let text = String::from_utf8_lossy(line);
    let Some(target) = text.split(' ').nth(1) else {
        return Face::Aws;
    };
    let target = match target.find("://") {
        Some(i) => {
            let rest = &target[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => target,
    };
    let path = target.split(['?', '#']).next().unwrap_or("");
    face_of(path)
}

/// `s` cut to `max` characters, with every control character (and other characters XML 1.0
/// cannot carry) replaced by `?`: for echoing request text inside an error message.
pub fn printable(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .take(max)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// The dialect's code (EC2, ARM) or reason (GCP) for an HTTP status, per the table above.
fn codes(status: u16) -> (&'static str, &'static str, &'static str) {
    match status {
        403 => ("UnauthorizedOperation", "forbidden", "AuthorizationFailed"),
        404 => ("InvalidAction", "notFound", "InvalidResourceType"),
        405 => ("UnsupportedOperation", "badRequest", "MethodNotAllowed"),
        408 => ("RequestTimeout", "badRequest", "RequestTimeout"),
        413 => (
            "RequestEntityTooLarge",
            "badRequest",
            "RequestEntityTooLarge",
        ),
        414 => ("RequestURITooLong", "badRequest", "RequestUriTooLong"),
        415 => ("UnsupportedMediaType", "badRequest", "UnsupportedMediaType"),
        431 => (
            "RequestHeaderFieldsTooLarge",
            "badRequest",
            "RequestHeaderFieldsTooLarge",
        ),
        s if s >= 500 => ("InternalError", "backendError", "InternalServerError"),
        _ => ("MalformedQueryString", "badRequest", "InvalidRequestFormat"),
    }
}

/// An error document in `face`'s dialect: (content type, body).
pub fn document(
    face: Face,
    status: u16,
    message: &str,
    request_id: &str,
) -> (&'static str, String) {
    let (ec2, gcp, arm) = codes(status);
    match face {
        Face::Aws => {
            let e = Ec2Error {
                code: ec2.to_owned(),
                message: message.to_owned(),
                status,
            };
            ("text/xml;charset=UTF-8", error_document(&e, request_id))
        }
        Face::Gcp => {
            let e = WireError {
                status,
                reason: gcp,
                message: message.to_owned(),
            };
            ("application/json; charset=UTF-8", e.body().to_string())
        }
        Face::Azure => {
            let e = vpcpeer_wire_azure::ArmError::new(status, arm, message);
            let body = vpcpeer_wire_azure::error_reply(&e)
                .body
                .map(|b| b.to_string())
                .unwrap_or_default();
            ("application/json; charset=utf-8", body)
        }
        Face::Admin => (
            "application/json",
            serde_json::json!({ "error": message }).to_string(),
        ),
        Face::Aviatrix => (
            "application/json",
            serde_json::json!({ "return": false, "reason": message }).to_string(),
        ),
    }
}

/// An error response in `face`'s dialect. Azure answers carry the request id as ARM does.
pub fn error(face: Face, status: StatusCode, message: &str, request_id: &str) -> Response {
    let (content_type, body) = document(face, status.as_u16(), message, request_id);
    let mut resp = (status, [(header::CONTENT_TYPE, content_type)], body).into_response();
    if face == Face::Azure {
        if let Ok(v) = HeaderValue::try_from(request_id) {
            resp.headers_mut().insert("x-ms-request-id", v.clone());
            resp.headers_mut().insert("x-ms-correlation-request-id", v);
        }
    }
    resp
}

/// A whole HTTP/1.1 response in `face`'s dialect that closes the connection: what is written in
/// place of hyper's own empty answer to a request head it could not parse.
pub fn raw_response(face: Face, status: u16, message: &str, request_id: &str) -> Vec<u8> {
    let (content_type, body) = document(face, status, message, request_id);
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    if face == Face::Azure {
        out.push_str(&format!("x-ms-request-id: {request_id}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_by_path() {
        let cases = [
            ("/", Face::Aws),
            ("", Face::Aws),
            ("/x/y", Face::Aws),
            ("/computer", Face::Aws),
            ("/compute", Face::Gcp),
            ("/compute/", Face::Gcp),
            ("/compute/v1/", Face::Gcp),
            ("/compute/v1/projects/p/global/networks", Face::Gcp),
            ("/subscriptions", Face::Azure),
            ("/subscriptions/", Face::Azure),
            ("/subscriptions/s/resourceGroups/g", Face::Azure),
            ("/subscriptionsx", Face::Aws),
            ("/_vpcpeer", Face::Admin),
            ("/_vpcpeer/health", Face::Admin),
            ("/_vpcpeerx", Face::Aws),
        ];
        for (path, face) in cases {
            assert_eq!(face_of(path), face, "{path}");
        }
    }

    #[test]
    fn faces_by_request_line() {
        let cases: [(&[u8], Face); 8] = [
            (b"GET /compute/v1/x?a=b HTTP/1.1", Face::Gcp),
            (b"GET /compute?x HTTP/1.1", Face::Gcp),
            (b"PUT /subscriptions/s", Face::Azure),
            (b"POST /_vpcpeer/reset HTTP/1.1", Face::Admin),
            (b"GET http://h:1/compute/v1/p HTTP/1.1", Face::Gcp),
            (b"GET /?Action=DescribeVpcs", Face::Aws),
            (b"\xff\xfe garbage", Face::Aws),
            (b"", Face::Aws),
        ];
        for (line, face) in cases {
            assert_eq!(
                face_of_request_line(line),
                face,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn printable_drops_control_characters_and_cuts() {
        assert_eq!(printable("a\u{1}b\nc", 10), "a?b?c");
        assert_eq!(printable("abcdef", 3), "abc…");
        assert_eq!(printable("abc", 3), "abc");
    }

    #[test]
    fn documents_are_well_formed_in_each_dialect() {
        for status in [400, 403, 404, 405, 408, 413, 414, 415, 431, 500] {
            let msg = "a <b> & \"c\"";
            let (ct, xml) = document(Face::Aws, status, msg, "rid");
            assert!(ct.starts_with("text/xml"));
            assert!(xml.starts_with("<?xml"), "{xml}");
            assert!(xml.contains("<Code>") && xml.contains("<RequestID>rid</RequestID>"));
            assert!(!xml.contains("<b>"), "{xml}");
            let (_, gcp) = document(Face::Gcp, status, msg, "rid");
            let v: serde_json::Value = serde_json::from_str(&gcp).expect("gcp json");
            assert_eq!(v["error"]["code"], status);
            assert_eq!(v["error"]["message"], msg);
            assert!(v["error"]["errors"][0]["reason"].is_string());
            let (_, arm) = document(Face::Azure, status, msg, "rid");
            let v: serde_json::Value = serde_json::from_str(&arm).expect("arm json");
            assert!(v["error"]["code"].is_string());
            assert_eq!(v["error"]["message"], msg);
            let (_, admin) = document(Face::Admin, status, msg, "rid");
            let v: serde_json::Value = serde_json::from_str(&admin).expect("admin json");
            assert_eq!(v["error"], msg);
        }
    }

    #[test]
    fn raw_responses_are_complete_http_messages() {
        let raw = raw_response(Face::Gcp, 414, "too long", "rid");
        let text = String::from_utf8(raw).expect("utf-8");
        let (head, body) = text.split_once("\r\n\r\n").expect("head");
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert!(head.contains("connection: close"));
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(v["error"]["code"], 414);
    }
}
