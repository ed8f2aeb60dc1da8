//! What a handler answers: status, headers and JSON ([`Reply`]), ARM's error document, and the
//! URLs and statuses of long-running operations (`Lro`), which are already finished when
//! answered.

use crate::ArmError;
use serde_json::{json, Value};
use vpcpeer_model::azure::AzOperation;

/// An answer: status, extra headers and an optional JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers besides `content-type`.
    pub headers: Vec<(String, String)>,
    /// JSON body (`None`: no body).
    pub body: Option<Value>,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub(crate) fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: None,
        }
    }
}

/// The ARM error document of `e`, as a reply.
pub fn error_reply(e: &ArmError) -> Reply {
    Reply::json(
        e.status,
        json!({"error": {"code": e.code, "message": e.message, "details": []}}),
    )
}

/// Where the polling URLs of a long-running operation point: the base URL the client used, the
/// subscription of the path and the api-version asked for.
pub(crate) struct Lro<'a> {
    pub(crate) base: &'a str,
    pub(crate) sub: &'a str,
    pub(crate) api: &'a str,
}

impl Lro<'_> {
    pub(crate) fn ops_url(&self, location: &str, kind: &str, id: &str) -> String {
        format!(
            "{}/subscriptions/{}/providers/Microsoft.Network/locations/{location}/{kind}/{id}?api-version={}",
            self.base, self.sub, self.api
        )
    }

    /// 201 (created) or 200 with `body` and the URL of `op`, the PUT's finished operation.
    pub(crate) fn put(&self, op: &AzOperation, created: bool, body: Value) -> Reply {
        Reply {
            status: if created { 201 } else { 200 },
            headers: vec![
                (
                    "Azure-AsyncOperation".into(),
                    self.ops_url(&op.location, "operations", &op.id),
                ),
                ("Retry-After".into(), "1".into()),
            ],
            body: Some(body),
        }
    }

    /// 202 with the polling URLs of `op`, an operation already recorded with its result.
    pub(crate) fn accepted_as(&self, op: &AzOperation) -> Reply {
        Reply {
            status: 202,
            headers: vec![
                (
                    "Location".into(),
                    self.ops_url(&op.location, "operationResults", &op.id),
                ),
                (
                    "Azure-AsyncOperation".into(),
                    self.ops_url(&op.location, "operations", &op.id),
                ),
                ("Retry-After".into(), "1".into()),
            ],
            body: None,
        }
    }
}
