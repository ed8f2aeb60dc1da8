//! What a handler answers: status, headers and JSON ([`Reply`]), ARM's error document, and the
//! URLs and statuses of long-running operations (`Lro`), which are already finished when
//! answered.

use serde_json::{json, Value};
use vpcpeer_model::azure::ops;
use vpcpeer_model::azure::{AzOperation, AzOperationResult, AzureError};
use vpcpeer_model::Tx;

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
pub fn error_reply(e: &AzureError) -> Reply {
    Reply::json(
        e.status,
        json!({"error": {"code": e.code, "message": e.message, "details": []}}),
    )
}

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

    pub(crate) fn put(
        &self,
        tx: &mut Tx<'_, '_>,
        location: &str,
        created: bool,
        body: Value,
    ) -> Reply {
        let op = ops::record_operation(tx, self.sub, location, AzOperationResult::None);
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

    pub(crate) fn accepted(
        &self,
        tx: &mut Tx<'_, '_>,
        location: &str,
        result: AzOperationResult,
    ) -> Reply {
        let op = ops::record_operation(tx, self.sub, location, result);
        self.accepted_as(&op)
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
