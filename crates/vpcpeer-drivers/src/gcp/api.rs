//! Compute Engine v1 as the GCP driver calls it: the JSON shapes it reads (networks,
//! subnetworks, firewalls, operations, errors), one request with GCP's error document turned
//! into a [`DriverError`], and a change that returns an Operation, waited for until `DONE`.
//!
//! Paths are relative resource paths (`projects/<p>/global/networks/<n>`), sent under
//! `<endpoint>/compute/v1/`; links GCP returns (`selfLink`, `network`, `subnetworks[]`) are full
//! URLs on whatever host served them, and [`relative`] reduces them to that form.
//!
//! Retry classes ([`retry_of`]): HTTP 429 and the reasons `rateLimitExceeded` /
//! `userRateLimitExceeded` (GCP also sends these with 403) are throttling; `resourceNotReady`,
//! "… operation in progress on the local or peer network. Try again later." (sent as 400
//! `badRequest`) and 5xx are `Busy`. GCP's networks, subnetworks and firewalls are visible as
//! soon as their operation is `DONE`, which the driver waits for, so no GCP error is classed
//! `NotVisibleYet`.

use std::time::Duration;

use hyper::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::Cloud;

use crate::error::retry_of_status;
use crate::http::{Answer, Http};
use crate::{Access, DriverError};

/// The longest a driver waits for one operation, in total: past it the step fails (the next
/// apply finds whatever the operation did).
const OPERATION_PATIENCE: Duration = Duration::from_secs(30 * 60);

/// A network, as `networks.get` returns it (the fields the driver reads).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Network {
    pub name: String,
    /// What the controller marks the networks it creates with (`vpcpeer topology <name>`).
    pub description: String,
    pub self_link: String,
    pub subnetworks: Vec<String>,
    pub peerings: Vec<Peering>,
}

/// One entry of `network.peerings[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Peering {
    pub name: String,
    pub network: String,
    pub state: String,
    pub export_custom_routes: bool,
    pub import_custom_routes: bool,
}

/// A subnetwork.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Subnetwork {
    pub self_link: String,
    pub network: String,
    pub ip_cidr_range: String,
    pub secondary_ip_ranges: Vec<SecondaryRange>,
}

/// A subnetwork's secondary range.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct SecondaryRange {
    pub ip_cidr_range: String,
}

/// A firewall rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Firewall {
    pub name: String,
    pub network: String,
    /// `INGRESS` (GCP's default, also when absent) or `EGRESS`.
    pub direction: Option<String>,
    pub source_ranges: Vec<String>,
    pub allowed: Vec<Rule>,
    pub denied: Vec<Rule>,
}

/// One `allowed[]` (or `denied[]`) entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Rule {
    #[serde(rename = "IPProtocol")]
    pub protocol: String,
    pub ports: Vec<String>,
}

/// A page of a list.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// An operation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Operation {
    name: String,
    status: String,
    self_link: String,
    region: Option<String>,
    zone: Option<String>,
    error: Option<OperationErrors>,
    http_error_status_code: Option<u16>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct OperationErrors {
    errors: Vec<OperationError>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct OperationError {
    code: String,
    message: String,
}

/// GCP's error document: `{"error": {"code", "message", "status"?, "errors": [{"reason", …}]}}`.
#[derive(Debug, Deserialize)]
struct ErrorDocument {
    error: ErrorBody,
}

#[derive(Debug, Deserialize)]
#[serde(default)]
#[derive(Default)]
struct ErrorBody {
    message: String,
    status: String,
    errors: Vec<ErrorItem>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ErrorItem {
    reason: String,
    message: String,
}

/// The relative resource path of a GCP link: `https://host/compute/v1/projects/p/…` →
/// `projects/p/…` (a path already relative is returned as it is).
pub(crate) fn relative(link: &str) -> &str {
    let link = link.split(['?', '#']).next().unwrap_or(link);
    if let Some(i) = link.find("/compute/v1/") {
        &link[i + "/compute/v1/".len()..]
    } else if link.starts_with("projects/") {
        link
    } else if let Some(i) = link.find("/projects/") {
        &link[i + 1..]
    } else {
        link
    }
}

/// A network reference as the plan compares them, `projects/<p>/global/networks/<n>`: a link
/// made relative, with `project` supplied when the reference names none (`global/networks/n`,
/// or a bare name).
pub(crate) fn network_path(reference: &str, project: &str) -> String {
    let rel = relative(reference).trim_matches('/');
    if rel.starts_with("projects/") {
        rel.to_string()
    } else {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        format!("projects/{project}/global/networks/{name}")
    }
}

/// The project of a relative path `projects/<p>/…`.
pub(crate) fn project_of(path: &str) -> &str {
    path.strip_prefix("projects/")
        .and_then(|r| r.split('/').next())
        .unwrap_or_default()
}

/// The retry class of a GCP error (see the module doc).
pub(crate) fn retry_of(status: Option<u16>, code: &str, message: &str) -> Retry {
    const THROTTLED: [&str; 5] = [
        "rateLimitExceeded",
        "userRateLimitExceeded",
        "RATE_LIMIT_EXCEEDED",
        "RESOURCE_OPERATION_RATE_EXCEEDED",
        "RESOURCE_EXHAUSTED",
    ];
    if status == Some(429) || THROTTLED.contains(&code) {
        return Retry::Throttled;
    }
    let lower = message.to_ascii_lowercase();
    if matches!(code, "resourceNotReady" | "RESOURCE_NOT_READY")
        || lower.contains("operation in progress")
    {
        return Retry::Busy;
    }
    status.map(retry_of_status).unwrap_or(Retry::Never)
}

/// A refused request as a [`DriverError`]: the reason of `errors[0]` (else `error.status`) as
/// its code, `error.message` as its message.
pub(crate) fn http_error(call: &str, status: u16, body: &[u8]) -> DriverError {
    let Ok(doc) = serde_json::from_slice::<ErrorDocument>(body) else {
        let text = String::from_utf8_lossy(body);
        let mut e = DriverError::unreadable(
            Cloud::Gcp,
            call,
            status,
            format!(
                "not a GCP error document: {}",
                text.chars().take(300).collect::<String>()
            ),
        );
        e.retry = retry_of_status(status);
        return e;
    };
    let first = doc.error.errors.first();
    let code = first
        .map(|e| e.reason.clone())
        .filter(|r| !r.is_empty())
        .or_else(|| Some(doc.error.status.clone()).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| format!("HTTP {status}"));
    let message = Some(doc.error.message)
        .filter(|m| !m.is_empty())
        .or_else(|| first.map(|e| e.message.clone()))
        .unwrap_or_default();
    DriverError {
        cloud: Cloud::Gcp,
        call: call.to_string(),
        status: Some(status),
        retry: retry_of(Some(status), &code, &message),
        code,
        message,
    }
}

/// A finished operation's error as a [`DriverError`] named after the call that started it.
fn operation_error(call: &str, op: &Operation, errors: &OperationErrors) -> DriverError {
    let first = errors.errors.first();
    let code = first
        .map(|e| e.code.clone())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "OPERATION_FAILED".to_string());
    let message = errors
        .errors
        .iter()
        .map(|e| e.message.as_str())
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let message = if message.is_empty() {
        format!("operation {} failed", op.name)
    } else {
        message
    };
    DriverError {
        cloud: Cloud::Gcp,
        call: call.to_string(),
        status: op.http_error_status_code,
        retry: retry_of(op.http_error_status_code, &code, &message),
        code,
        message,
    }
}

/// One project's endpoint, as the driver calls it.
pub(crate) struct Api {
    http: Http,
    /// `<endpoint>/compute/v1/`.
    base: String,
    token: Option<String>,
    poll: Duration,
}

impl Api {
    /// The API at `access`'s endpoint (`{region}` in it replaced by `region`, when known).
    pub(crate) fn new(http: &Http, access: &Access, region: Option<&str>, poll: Duration) -> Self {
        let mut endpoint = access.endpoint.clone();
        if let Some(r) = region {
            endpoint = endpoint.replace("{region}", r);
        }
        Api {
            http: http.clone(),
            base: format!("{}/compute/v1/", endpoint.trim_end_matches('/')),
            token: access.token.clone(),
            poll,
        }
    }

    /// Where this API lives (to tell endpoints apart in caches).
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Sends one request; a non-2xx answer is an error in GCP's words.
    async fn send(
        &self,
        call: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, DriverError> {
        let url = format!("{}{}", self.base, path.trim_start_matches('/'));
        let mut headers = vec![("accept", "application/json".to_string())];
        if let Some(t) = &self.token {
            headers.push(("authorization", format!("Bearer {t}")));
        }
        let bytes = match body {
            Some(v) => {
                headers.push(("content-type", "application/json".to_string()));
                serde_json::to_vec(v).unwrap_or_default()
            }
            None => Vec::new(),
        };
        let answer = self
            .http
            .send(Cloud::Gcp, call, method, &url, &headers, bytes)
            .await?;
        if (200..300).contains(&answer.status) {
            Ok(answer)
        } else {
            Err(http_error(call, answer.status, &answer.body))
        }
    }

    fn decode<T: DeserializeOwned>(call: &str, answer: &Answer) -> Result<T, DriverError> {
        serde_json::from_slice(&answer.body)
            .map_err(|e| DriverError::unreadable(Cloud::Gcp, call, answer.status, format!("{e}")))
    }

    /// `GET path`; `None` when GCP answers 404.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        call: &str,
        path: &str,
    ) -> Result<Option<T>, DriverError> {
        match self.send(call, Method::GET, path, None).await {
            Ok(answer) => Self::decode(call, &answer).map(Some),
            Err(e) if e.status == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every item of a list, page after page (`maxResults=500`, `pageToken`).
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        call: &str,
        path: &str,
    ) -> Result<Vec<T>, DriverError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = String::from("maxResults=500");
            if let Some(t) = &token {
                query.push_str("&pageToken=");
                query.extend(form_urlencoded::byte_serialize(t.as_bytes()));
            }
            let answer = self
                .send(call, Method::GET, &format!("{path}?{query}"), None)
                .await?;
            let page: Page<T> = Self::decode(call, &answer)?;
            out.extend(page.items);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                _ => return Ok(out),
            }
        }
    }

    /// A change: sends it and waits for the operation it returns to be `DONE`; the operation's
    /// error is the call's error.
    pub(crate) async fn change(
        &self,
        call: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(), DriverError> {
        let answer = self.send(call, method, path, body).await?;
        let mut op: Operation = Self::decode(call, &answer)?;
        let project = project_of(path).to_string();
        let polls = OPERATION_PATIENCE.as_millis() / self.poll.as_millis().max(1);
        let mut n: u128 = 0;
        while op.status != "DONE" {
            if n >= polls.max(1) {
                return Err(DriverError {
                    code: "timeout".into(),
                    ..DriverError::transport(
                        Cloud::Gcp,
                        call,
                        format!(
                            "operation {} still {} after {OPERATION_PATIENCE:?}",
                            op.name, op.status
                        ),
                    )
                });
            }
            n += 1;
            tokio::time::sleep(self.poll).await;
            let at = operation_path(&op, &project);
            let read = self.send(call, Method::GET, &at, None).await?;
            op = Self::decode(call, &read)?;
        }
        match &op.error {
            Some(errors) if !errors.errors.is_empty() => Err(operation_error(call, &op, errors)),
            _ => Ok(()),
        }
    }
}

/// Where to read an operation: its `selfLink`, else its name under its region, zone or
/// `global`.
fn operation_path(op: &Operation, project: &str) -> String {
    if !op.self_link.is_empty() {
        return relative(&op.self_link).to_string();
    }
    let last = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    match (&op.region, &op.zone) {
        (Some(r), _) => format!(
            "projects/{project}/regions/{}/operations/{}",
            last(r),
            op.name
        ),
        (None, Some(z)) => format!(
            "projects/{project}/zones/{}/operations/{}",
            last(z),
            op.name
        ),
        (None, None) => format!("projects/{project}/global/operations/{}", op.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_relative_paths() {
        let cases = [
            (
                "https://www.googleapis.com/compute/v1/projects/p/global/networks/n",
                "projects/p/global/networks/n",
            ),
            (
                "http://127.0.0.1:1/compute/v1/projects/p/regions/r/subnetworks/s",
                "projects/p/regions/r/subnetworks/s",
            ),
            (
                "projects/p/global/networks/n",
                "projects/p/global/networks/n",
            ),
            ("//compute.googleapis.com/projects/p/x", "projects/p/x"),
        ];
        for (link, want) in cases {
            assert_eq!(relative(link), want, "{link}");
        }
        assert_eq!(
            network_path("global/networks/n", "q"),
            "projects/q/global/networks/n"
        );
        assert_eq!(network_path("n", "q"), "projects/q/global/networks/n");
        assert_eq!(project_of("projects/q/global/networks/n"), "q");
    }

    #[test]
    fn error_documents_give_code_message_and_retry_class() {
        let doc = |status: u16, reason: &str, message: &str| {
            let body = serde_json::json!({"error": {"code": status, "message": message,
                "errors": [{"message": message, "domain": "global", "reason": reason}]}});
            http_error(
                "networks.addPeering a/x",
                status,
                &serde_json::to_vec(&body).unwrap(),
            )
        };
        let cases = [
            (429, "rateLimitExceeded", "Rate Limit Exceeded", Retry::Throttled),
            (403, "rateLimitExceeded", "Quota exceeded", Retry::Throttled),
            (403, "userRateLimitExceeded", "slow down", Retry::Throttled),
            (
                400,
                "badRequest",
                "There is a peering operation in progress on the local or peer network. Try again later.",
                Retry::Busy,
            ),
            (
                400,
                "badRequest",
                "There is a route operation in progress on the local or peer network. Try again later.",
                Retry::Busy,
            ),
            (503, "resourceNotReady", "not ready", Retry::Busy),
            (500, "backendError", "Internal error", Retry::Busy),
            (404, "notFound", "The resource 'x' was not found", Retry::Never),
            (409, "alreadyExists", "The resource 'x' already exists", Retry::Never),
            (400, "invalid", "Invalid value", Retry::Never),
        ];
        for (status, reason, message, retry) in cases {
            let e = doc(status, reason, message);
            assert_eq!(e.code, reason);
            assert_eq!(e.message, message);
            assert_eq!(e.status, Some(status));
            assert_eq!(e.retry, retry, "{status} {reason}");
            assert_eq!(e.call, "networks.addPeering a/x");
        }
        // Newer error documents may carry only `status`.
        let body =
            br#"{"error": {"code": 429, "message": "slow", "status": "RESOURCE_EXHAUSTED"}}"#;
        let e = http_error("c", 429, body);
        assert_eq!(
            (e.code.as_str(), e.retry),
            ("RESOURCE_EXHAUSTED", Retry::Throttled)
        );
        // A proxy's page is no GCP document, but its status still tells the class.
        let e = http_error("c", 502, b"<html>Bad Gateway</html>");
        assert_eq!(
            (e.code.as_str(), e.retry),
            ("unreadable-answer", Retry::Busy)
        );
    }

    #[test]
    fn a_failed_operation_is_the_calls_error() {
        let op: Operation = serde_json::from_value(serde_json::json!({
            "name": "operation-1", "status": "DONE",
            "error": {"errors": [{"code": "INVALID_USAGE", "message": "An IP range overlaps"}]},
            "httpErrorStatusCode": 400, "httpErrorMessage": "BAD REQUEST"
        }))
        .unwrap();
        let e = operation_error("networks.addPeering a/x", &op, op.error.as_ref().unwrap());
        assert_eq!(e.code, "INVALID_USAGE");
        assert_eq!(e.status, Some(400));
        assert_eq!(e.retry, Retry::Never);
        assert!(e.to_string().contains("networks.addPeering a/x"), "{e}");
    }

    #[test]
    fn operations_are_read_where_they_live() {
        let op = |v: Value| serde_json::from_value::<Operation>(v).unwrap();
        assert_eq!(
            operation_path(
                &op(serde_json::json!({"name": "o", "selfLink":
                    "https://compute.googleapis.com/compute/v1/projects/p/regions/r/operations/o"})),
                "p"
            ),
            "projects/p/regions/r/operations/o"
        );
        assert_eq!(
            operation_path(
                &op(serde_json::json!({"name": "o",
                    "region": "https://x/compute/v1/projects/p/regions/r"})),
                "p"
            ),
            "projects/p/regions/r/operations/o"
        );
        assert_eq!(
            operation_path(&op(serde_json::json!({"name": "o"})), "p"),
            "projects/p/global/operations/o"
        );
    }
}
