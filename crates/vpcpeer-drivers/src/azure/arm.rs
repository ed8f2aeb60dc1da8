//! The ARM client of one account: requests with the bearer token, ARM's error document read
//! into a `DriverError`, and long-running operations waited for.
//!
//! - Long-running operations: every write waits for its operation, as `azure-mgmt-core` does: the
//!   `Azure-AsyncOperation` URL until its `status` is terminal (`Failed` and `Canceled` are
//!   errors with the operation's own `error.code`), else the `Location` URL until it stops
//!   answering 202, else the resource's `provisioningState`. Polls are `Drivers::poll` apart
//!   (`Retry-After` is not read: the caller chooses the pace) and give up, retryable, after
//!   [`MAX_POLLS`].
//! - The clock: every answer's `Date` (an error's too) feeds the drivers' `CloudClock`
//!   (`clock.rs`), the clouds' time the health check runs on.
//! - Errors: ARM's `{"error": {"code", "message"}}` with the HTTP status. 429 and
//!   `TooManyRequests` are throttling; `AnotherOperationInProgress`,
//!   `ReferencedResourceNotProvisioned`, 5xx, and a failed operation's `RetryableError` or
//!   `InternalServerError` mean busy; everything else is final (the caller makes a 404 "not
//!   visible yet" where a resource may be too new to be seen).

use std::time::Duration;

use hyper::Method;
use serde_json::{json, Value};
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::{Cloud, Desired};

use crate::clock::CloudClock;
use crate::error::retry_of_status;
use crate::http::Answer;
use crate::{Access, DriverError, Drivers, Http};

/// The Microsoft.Network api-version every call sends.
pub(super) const API: &str = "api-version=2024-05-01";
/// The Microsoft.Resources api-version (resource groups).
pub(super) const API_RESOURCES: &str = "api-version=2021-04-01";
/// Polls of one long-running operation before giving up (retryable: the loop tries the step
/// again, and the PUT or DELETE is idempotent).
pub(crate) const MAX_POLLS: u32 = 3000;

/// How one account is reached.
pub(super) struct Arm {
    http: Http,
    /// The clouds' clock, which every answer's `Date` feeds.
    clock: CloudClock,
    endpoint: String,
    token: Option<String>,
    poll: Duration,
}

impl Arm {
    /// The client for `network`'s account: an orphan's as the last observe found it (its
    /// account and location), else the declared network's.
    pub(super) fn of(
        d: &Drivers,
        desired: &Desired,
        call: &str,
        network: &str,
    ) -> Result<Arm, DriverError> {
        let orphan = d.found.observed.orphans.get(network);
        if orphan.is_some_and(|o| o.detail.cloud() == Cloud::Azure) {
            if let Some((account, location)) = d.found.places.get(network) {
                let location = Some(location.as_str()).filter(|l| !l.is_empty());
                return Arm::at(d, account, location, call);
            }
        }
        let (n, _, _) = d.network(desired, Cloud::Azure, call, network)?;
        Arm::at(d, &n.account, n.region.as_deref(), call)
    }

    /// The client for an account (by its topology name), `{region}` in its endpoint replaced
    /// by `region` when known.
    pub(super) fn at(
        d: &Drivers,
        account: &str,
        region: Option<&str>,
        call: &str,
    ) -> Result<Arm, DriverError> {
        let Access {
            endpoint, token, ..
        } = d.access.get(account).cloned().ok_or_else(|| {
            DriverError::transport(
                Cloud::Azure,
                call,
                format!("no access for account {account}"),
            )
        })?;
        let endpoint = match region {
            Some(r) => endpoint.replace("{region}", r),
            None => endpoint,
        };
        Ok(Arm {
            http: d.http.clone(),
            clock: d.clock.clone(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
            token,
            poll: d.poll,
        })
    }

    /// One request; an error status is the cloud's error. `target` is a path (under the
    /// endpoint) or a full URL (an operation's).
    async fn send(
        &self,
        call: &str,
        method: Method,
        target: &str,
        body: Option<&Value>,
    ) -> Result<Answer, DriverError> {
        let url = if target.starts_with("http://") || target.starts_with("https://") {
            target.to_string()
        } else {
            format!("{}{target}", self.endpoint)
        };
        let mut headers = vec![("accept", "application/json".to_string())];
        if let Some(t) = &self.token {
            headers.push(("authorization", format!("Bearer {t}")));
        }
        let bytes = match body {
            Some(b) => {
                headers.push(("content-type", "application/json".to_string()));
                b.to_string().into_bytes()
            }
            None => Vec::new(),
        };
        let answer = self
            .http
            .send(Cloud::Azure, call, method, &url, &headers, bytes)
            .await?;
        if let Some(date) = answer.headers.get("date").and_then(|v| v.to_str().ok()) {
            self.clock.saw_header(date);
        }
        if answer.status >= 400 {
            return Err(arm_error(call, answer.status, &answer.body));
        }
        Ok(answer)
    }

    /// A resource's body, or `None` when ARM answers 404.
    pub(super) async fn get(&self, call: &str, path: &str) -> Result<Option<Value>, DriverError> {
        match self.send(call, Method::GET, path, None).await {
            Ok(a) => json_of(call, &a).map(Some),
            Err(e) if e.status == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Where this client sends its requests (to tell endpoints apart).
    pub(super) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Every item of a list (`value`), following `nextLink` page after page; none when ARM
    /// answers 404 (a resource group that does not exist has nothing in it).
    pub(super) async fn list(&self, call: &str, path: &str) -> Result<Vec<Value>, DriverError> {
        let mut out = Vec::new();
        let mut next = Some(path.to_string());
        let mut seen: Vec<String> = Vec::new();
        while let Some(at) = next.take() {
            let Some(page) = self.get(call, &at).await? else {
                break;
            };
            out.extend(page["value"].as_array().into_iter().flatten().cloned());
            seen.push(at);
            next = page["nextLink"]
                .as_str()
                .filter(|l| !l.is_empty() && !seen.iter().any(|s| s == l))
                .map(str::to_string);
        }
        Ok(out)
    }

    /// A peering's body as a PUT takes it back: its writable properties as they are.
    pub(super) async fn peering_as_it_is(
        &self,
        call: &str,
        path: &str,
    ) -> Result<Value, DriverError> {
        let a = self
            .send(call, Method::GET, &format!("{path}?{API}"), None)
            .await?;
        let p = json_of(call, &a)?;
        let mut props = serde_json::Map::new();
        for k in [
            "remoteVirtualNetwork",
            "allowVirtualNetworkAccess",
            "allowForwardedTraffic",
            "allowGatewayTransit",
            "useRemoteGateways",
            "doNotVerifyRemoteGateways",
        ] {
            if let Some(v) = p["properties"].get(k) {
                props.insert(k.to_string(), v.clone());
            }
        }
        Ok(json!({ "properties": props }))
    }

    /// A PUT or DELETE, and its long-running operation to the end.
    pub(super) async fn write(
        &self,
        call: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(), DriverError> {
        let a = self.send(call, method.clone(), path, body).await?;
        let header = |h: &str| {
            a.headers
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if let Some(op) = header("azure-asyncoperation") {
            return self.await_operation(call, &op).await;
        }
        if a.status == 202 {
            if let Some(loc) = header("location") {
                return self.await_location(call, &loc).await;
            }
        }
        if method == Method::PUT {
            let mut state = provisioning_state(&json_of(call, &a)?);
            let mut polls = 0;
            while !terminal(&state) {
                polls = self.next_poll(call, polls).await?;
                let Some(v) = self.get(call, path).await? else {
                    return Err(DriverError {
                        retry: Retry::NotVisibleYet,
                        ..DriverError::unreadable(
                            Cloud::Azure,
                            call,
                            404,
                            "the resource written is not found",
                        )
                    });
                };
                state = provisioning_state(&v);
            }
            if !state.eq_ignore_ascii_case("Succeeded") {
                return Err(operation_error(call, &state, &Value::Null));
            }
        }
        Ok(())
    }

    /// Waits `poll`, counting polls; a retryable error past [`MAX_POLLS`].
    async fn next_poll(&self, call: &str, polls: u32) -> Result<u32, DriverError> {
        if polls >= MAX_POLLS {
            return Err(DriverError {
                code: "OperationTimedOut".into(),
                retry: Retry::Busy,
                ..DriverError::transport(
                    Cloud::Azure,
                    call,
                    format!("the operation is still running after {MAX_POLLS} polls"),
                )
            });
        }
        tokio::time::sleep(self.poll).await;
        Ok(polls + 1)
    }

    /// Polls an `Azure-AsyncOperation` URL until its `status` is terminal.
    async fn await_operation(&self, call: &str, url: &str) -> Result<(), DriverError> {
        let mut polls = 0;
        loop {
            let a = self.send(call, Method::GET, url, None).await?;
            let op = json_of(call, &a)?;
            let status = op["status"].as_str().unwrap_or_default().to_string();
            if status.eq_ignore_ascii_case("Succeeded") {
                return Ok(());
            }
            if terminal(&status) {
                return Err(operation_error(call, &status, &op["error"]));
            }
            polls = self.next_poll(call, polls).await?;
        }
    }

    /// Polls a `Location` URL while it answers 202.
    async fn await_location(&self, call: &str, url: &str) -> Result<(), DriverError> {
        let mut polls = 0;
        loop {
            let a = self.send(call, Method::GET, url, None).await?;
            if a.status != 202 {
                return Ok(());
            }
            polls = self.next_poll(call, polls).await?;
        }
    }
}

/// `properties.provisioningState`; `Succeeded` when absent (nothing to wait for).
fn provisioning_state(v: &Value) -> String {
    v["properties"]["provisioningState"]
        .as_str()
        .unwrap_or("Succeeded")
        .to_string()
}

/// Whether an operation status or provisioning state is final.
fn terminal(s: &str) -> bool {
    ["Succeeded", "Failed", "Canceled"]
        .iter()
        .any(|t| s.eq_ignore_ascii_case(t))
}

/// An answer's JSON body.
fn json_of(call: &str, a: &Answer) -> Result<Value, DriverError> {
    serde_json::from_slice(&a.body).map_err(|e| {
        DriverError::unreadable(Cloud::Azure, call, a.status, format!("not JSON: {e}"))
    })
}

/// The retry class of an ARM error (`status` 0: a failed operation, whose code alone tells).
/// `RetryableError` and `InternalServerError` are the codes a failed operation carries for a
/// passing fault on the provider's side.
fn retry_of(status: u16, code: &str) -> Retry {
    let is = |c: &str| code.eq_ignore_ascii_case(c);
    if status == 429 || is("TooManyRequests") {
        Retry::Throttled
    } else if is("AnotherOperationInProgress")
        || is("ReferencedResourceNotProvisioned")
        || is("RetryableError")
        || is("InternalServerError")
        || status >= 500
    {
        Retry::Busy
    } else {
        retry_of_status(status)
    }
}

/// ARM's error document, `{"error": {"code", "message"}}`, as a `DriverError`.
pub(crate) fn arm_error(call: &str, status: u16, body: &[u8]) -> DriverError {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let e = &v["error"];
    let code = e["code"].as_str().map(str::to_string).unwrap_or_else(|| {
        hyper::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("HttpError")
            .replace(' ', "")
    });
    let message = e["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(500).collect());
    DriverError {
        cloud: Cloud::Azure,
        call: call.to_string(),
        status: Some(status),
        retry: retry_of(status, &code),
        code,
        message,
    }
}

/// A long-running operation that ended `Failed` or `Canceled`, with the operation's error.
fn operation_error(call: &str, status: &str, error: &Value) -> DriverError {
    let code = error["code"].as_str().unwrap_or(status).to_string();
    DriverError {
        cloud: Cloud::Azure,
        call: call.to_string(),
        status: None,
        retry: retry_of(0, &code),
        message: error["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("the operation ended {status}")),
        code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_errors_keep_the_clouds_words_and_class() {
        for (status, code, retry) in [
            (429, "TooManyRequests", Retry::Throttled),
            (409, "AnotherOperationInProgress", Retry::Busy),
            (400, "VnetAddressSpacesOverlap", Retry::Never),
            (503, "ServiceUnavailable", Retry::Busy),
            (404, "ResourceNotFound", Retry::Never),
        ] {
            let body = json!({"error": {"code": code, "message": "words"}}).to_string();
            let e = arm_error("PUT virtualNetworkPeerings a/b", status, body.as_bytes());
            assert_eq!(
                (e.code.as_str(), e.message.as_str(), e.status, e.retry),
                (code, "words", Some(status), retry)
            );
        }
        for (code, retry) in [
            ("AnotherOperationInProgress", Retry::Busy),
            ("RetryableError", Retry::Busy),
            ("VnetAddressSpacesOverlap", Retry::Never),
        ] {
            let op = operation_error("c", "Failed", &json!({"code": code, "message": "m"}));
            assert_eq!((op.code.as_str(), op.retry, op.status), (code, retry, None));
        }
        let canceled = operation_error("c", "Canceled", &Value::Null);
        assert_eq!(
            (canceled.code.as_str(), canceled.retry),
            ("Canceled", Retry::Never)
        );
        let e = arm_error("GET virtualNetworks a", 502, b"<html>bad gateway</html>");
        assert_eq!((e.code.as_str(), e.retry), ("BadGateway", Retry::Busy));
        assert!(e.message.contains("bad gateway"));
    }
}
