//! Compute Engine v1 as the GCP driver calls it, on Google's own Rust SDK
//! (`google-cloud-compute-v1`, clients in [`super::clients`]): a read whose 404 is "absent", a
//! list read page after page, a change whose Operation is waited for until `DONE` with the
//! SDK's poller, and every SDK error turned into a [`DriverError`] named after the call.
//!
//! Paths are relative resource paths (`projects/<p>/global/networks/<n>`); links GCP returns
//! (`selfLink`, `network`, `subnetworks[]`) are full URLs on whatever host served them, and
//! [`relative`] reduces them to that form. The SDK takes a resource by its parts (project,
//! region, name), which [`parts`] reads from such a path.
//!
//! Errors ([`sdk_error`]): an answer that is GCP's error document (the SDK reads it into a
//! `Status`) gives the HTTP status, the reason of its first `ErrorInfo` (GCP's
//! `errors[0].reason`, or a `details[]` ErrorInfo's reason when the document has those) as the
//! code, else its `status` (`RESOURCE_EXHAUSTED`), and its message; any other answer is
//! `unreadable-answer` with its status; no answer is `transport`, and an attempt that timed out
//! is `Retry::Busy` like the other drivers' client.
//!
//! Retry classes ([`retry_of`]): HTTP 429 and the reasons `rateLimitExceeded` /
//! `userRateLimitExceeded` (GCP also sends these with 403) are throttling; `resourceNotReady`,
//! "… operation in progress on the local or peer network. Try again later." (sent as 400
//! `badRequest`) and 5xx are `Busy`. GCP's networks, subnetworks and firewalls are visible as
//! soon as their operation is `DONE`, which the driver waits for, so no GCP error is classed
//! `NotVisibleYet`.

use std::future::Future;
use std::time::Duration;

use google_cloud_compute_v1::model::{
    AddressList, FirewallList, InstanceList, NetworkList, Operation, RouteList, SubnetworkList,
};
use google_cloud_gax::error::rpc::{Code, Status, StatusDetails};
use google_cloud_gax::error::Error as SdkError;
use google_cloud_lro::Poller;
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::Cloud;

use super::clients::{Cache, Clients};
use crate::error::retry_of_status;
use crate::{Access, DriverError};

/// The longest a driver waits for one operation, in total: past it the step fails (the next
/// apply finds whatever the operation did).
const OPERATION_PATIENCE: Duration = Duration::from_secs(30 * 60);

/// The largest page GCP gives; lists ask for it.
const PAGE: u32 = 500;

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

/// A regional or global resource's path read into the SDK's request fields:
/// `projects/<p>/global/<kind>/<name>` → `(p, None, name)`,
/// `projects/<p>/regions/<r>/<kind>/<name>` → `(p, Some(r), name)`.
pub(crate) fn parts(path: &str) -> Option<(&str, Option<&str>, &str)> {
    match relative(path).split('/').collect::<Vec<_>>()[..] {
        ["projects", p, "global", _, name] => Some((p, None, name)),
        ["projects", p, "regions", r, _, name] => Some((p, Some(r), name)),
        _ => None,
    }
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

/// A refusal GCP explained (its error document, as the SDK read it) as a [`DriverError`]: the
/// reason of the first `ErrorInfo` (else the `status`) as its code, the message as its message.
pub(crate) fn status_error(call: &str, http: Option<u16>, status: &Status) -> DriverError {
    let first = status.details.iter().find_map(|d| match d {
        StatusDetails::ErrorInfo(info) => Some(info),
        _ => None,
    });
    let code = first
        .map(|i| i.reason.clone())
        .filter(|r| !r.is_empty())
        .or_else(|| (status.code != Code::Unknown).then(|| status.code.name().to_string()))
        .unwrap_or_else(|| match http {
            Some(s) => format!("HTTP {s}"),
            None => "UNKNOWN".to_string(),
        });
    let message = Some(status.message.clone())
        .filter(|m| !m.is_empty())
        .or_else(|| first.and_then(|i| i.metadata.get("message").cloned()))
        .unwrap_or_default();
    DriverError {
        cloud: Cloud::Gcp,
        call: call.to_string(),
        status: http,
        retry: retry_of(http, &code, &message),
        code,
        message,
    }
}

/// A refused request's answer as the SDK reads it (GCP's error document into a `Status`, else
/// the bytes as they came) and then as a [`DriverError`].
pub(crate) fn http_error(call: &str, status: u16, body: &[u8]) -> DriverError {
    match Status::try_from(&bytes::Bytes::copy_from_slice(body)) {
        Ok(s) => status_error(call, Some(status), &s),
        Err(_) => {
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
            e
        }
    }
}

/// Any error of the SDK as a [`DriverError`] (see the module doc).
pub(crate) fn sdk_error(call: &str, e: &SdkError) -> DriverError {
    let http = e.http_status_code();
    if let Some(status) = e.status() {
        return status_error(call, http, status);
    }
    if let Some(status) = http {
        let body = e.http_payload().map(|b| &b[..]).unwrap_or_default();
        return http_error(call, status, body);
    }
    let message = crate::http::source_chain(e);
    if e.is_deserialization() {
        return DriverError {
            status: None,
            ..DriverError::unreadable(Cloud::Gcp, call, 200, message)
        };
    }
    DriverError {
        retry: if e.is_timeout() {
            Retry::Busy
        } else {
            Retry::Never
        },
        ..DriverError::transport(Cloud::Gcp, call, message)
    }
}

/// A finished operation's error as a [`DriverError`] named after the call that started it; `None`
/// when it ended well.
pub(crate) fn operation_error(call: &str, op: &Operation) -> Option<DriverError> {
    let errors = &op.error.as_ref()?.errors;
    let first = errors.first()?;
    let code = first
        .code
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "OPERATION_FAILED".to_string());
    let message = errors
        .iter()
        .filter_map(|e| e.message.as_deref())
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let message = if message.is_empty() {
        format!(
            "operation {} failed",
            op.name.as_deref().unwrap_or_default()
        )
    } else {
        message
    };
    let status = op
        .http_error_status_code
        .and_then(|s| u16::try_from(s).ok());
    Some(DriverError {
        cloud: Cloud::Gcp,
        call: call.to_string(),
        status,
        retry: retry_of(status, &code, &message),
        code,
        message,
    })
}

/// One page of a list: its items and the next page's token.
pub(crate) trait Page {
    type Item;
    fn split(self) -> (Vec<Self::Item>, Option<String>);
}

macro_rules! page {
    ($list:ty, $item:ty) => {
        impl Page for $list {
            type Item = $item;
            fn split(self) -> (Vec<$item>, Option<String>) {
                (self.items, self.next_page_token)
            }
        }
    };
}
page!(NetworkList, google_cloud_compute_v1::model::Network);
page!(SubnetworkList, google_cloud_compute_v1::model::Subnetwork);
page!(FirewallList, google_cloud_compute_v1::model::Firewall);
page!(InstanceList, google_cloud_compute_v1::model::Instance);
page!(AddressList, google_cloud_compute_v1::model::Address);
page!(RouteList, google_cloud_compute_v1::model::Route);

/// An aggregated list's page: the instances of every zone on it.
impl Page for google_cloud_compute_v1::model::InstanceAggregatedList {
    type Item = google_cloud_compute_v1::model::Instance;
    fn split(self) -> (Vec<Self::Item>, Option<String>) {
        let items = self.items.into_values().flat_map(|s| s.instances).collect();
        (items, self.next_page_token)
    }
}

/// One project's endpoint, as the driver calls it: the SDK's clients for that endpoint and
/// credentials.
pub(crate) struct Api {
    clients: Clients,
    /// The endpoint (to tell endpoints apart in caches).
    endpoint: String,
}

impl Api {
    /// The API at `access`'s endpoint (`{region}` in it replaced by `region`, when known), its
    /// clients from `cache`.
    pub(crate) async fn new(
        cache: &Cache,
        call: &str,
        access: &Access,
        region: Option<&str>,
        poll: Duration,
    ) -> Result<Self, DriverError> {
        let mut endpoint = access.endpoint.trim_end_matches('/').to_string();
        if let Some(r) = region {
            endpoint = endpoint.replace("{region}", r);
        }
        let clients = cache
            .clients(call, &endpoint, access.token.as_deref(), poll)
            .await?;
        Ok(Api { clients, endpoint })
    }

    /// Where this API lives (to tell endpoints apart in caches).
    pub(crate) fn base(&self) -> &str {
        &self.endpoint
    }

    /// The clients.
    pub(crate) fn sdk(&self) -> &Clients {
        &self.clients
    }

    /// A read; `None` when GCP answers 404.
    pub(crate) async fn get<T>(
        &self,
        call: &str,
        read: impl Future<Output = Result<T, SdkError>>,
    ) -> Result<Option<T>, DriverError> {
        match read.await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.http_status_code() == Some(404) => Ok(None),
            Err(e) => Err(sdk_error(call, &e)),
        }
    }

    /// Every item of a list, page after page: `page(token)` reads one page of at most
    /// [`PAGE`] items (`maxResults`) from `token` (`pageToken`). A 404 (a list under a region
    /// or zone that does not exist) is an empty list when `absent_is_empty`.
    pub(crate) async fn list<P, F, Fut>(
        &self,
        call: &str,
        absent_is_empty: bool,
        mut page: F,
    ) -> Result<Vec<P::Item>, DriverError>
    where
        P: Page,
        F: FnMut(u32, Option<String>) -> Fut,
        Fut: Future<Output = Result<P, SdkError>>,
    {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let read = match page(PAGE, token.clone()).await {
                Ok(p) => p,
                Err(e) if absent_is_empty && e.http_status_code() == Some(404) => return Ok(out),
                Err(e) => return Err(sdk_error(call, &e)),
            };
            let (items, next) = read.split();
            out.extend(items);
            match next.filter(|t| !t.is_empty()) {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                _ => return Ok(out),
            }
        }
    }

    /// A change: the SDK's poller sends it and reads its Operation until `DONE` (every
    /// `Drivers::poll`, at most [`OPERATION_PATIENCE`]); the operation's error is the call's
    /// error.
    pub(crate) async fn change(
        &self,
        call: &str,
        poller: impl Poller<Operation, Operation>,
    ) -> Result<(), DriverError> {
        let op = match tokio::time::timeout(OPERATION_PATIENCE, poller.until_done()).await {
            Ok(Ok(op)) => op,
            Ok(Err(e)) => return Err(sdk_error(call, &e)),
            Err(_) => {
                return Err(DriverError {
                    code: "timeout".into(),
                    ..DriverError::transport(
                        Cloud::Gcp,
                        call,
                        format!("its operation was still not DONE after {OPERATION_PATIENCE:?}"),
                    )
                })
            }
        };
        match operation_error(call, &op) {
            Some(e) => Err(e),
            None => Ok(()),
        }
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
    fn paths_give_the_sdks_request_fields() {
        assert_eq!(
            parts("projects/p/global/networks/n"),
            Some(("p", None, "n"))
        );
        assert_eq!(
            parts("http://h/compute/v1/projects/p/regions/r/subnetworks/s"),
            Some(("p", Some("r"), "s"))
        );
        assert_eq!(parts("projects/p/zones/z/instances/i"), None);
        assert_eq!(parts("n"), None);
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
        // Or `details[]` with an ErrorInfo, whose reason wins over `status`.
        let body = br#"{"error": {"code": 403, "message": "quota", "status": "PERMISSION_DENIED",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                         "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com"}]}}"#;
        let e = http_error("c", 403, body);
        assert_eq!(
            (e.code.as_str(), e.message.as_str(), e.retry),
            ("RATE_LIMIT_EXCEEDED", "quota", Retry::Throttled)
        );
        // Neither: the HTTP status names it.
        let e = http_error("c", 400, br#"{"error": {"code": 400}}"#);
        assert_eq!((e.code.as_str(), e.retry), ("HTTP 400", Retry::Never));
        // A proxy's page is no GCP document, but its status still tells the class.
        let e = http_error("c", 502, b"<html>Bad Gateway</html>");
        assert_eq!(
            (e.code.as_str(), e.retry),
            ("unreadable-answer", Retry::Busy)
        );
    }

    #[test]
    fn sdk_errors_keep_status_reason_and_class() {
        let body = bytes::Bytes::from_static(
            br#"{"error": {"code": 429, "message": "Rate Limit Exceeded",
                "errors": [{"message": "Rate Limit Exceeded", "reason": "rateLimitExceeded"}]}}"#,
        );
        let status = Status::try_from(&body).expect("a status");
        let e = SdkError::service_with_http_metadata(status, Some(429), None);
        let d = sdk_error("firewalls.insert a/x", &e);
        assert_eq!(
            (d.status, d.code.as_str(), d.retry),
            (Some(429), "rateLimitExceeded", Retry::Throttled)
        );
        let e = SdkError::http(
            502,
            Default::default(),
            bytes::Bytes::from_static(b"<html>"),
        );
        let d = sdk_error("c", &e);
        assert_eq!(
            (d.status, d.code.as_str(), d.retry),
            (Some(502), "unreadable-answer", Retry::Busy)
        );
        let d = sdk_error("c", &SdkError::timeout("no answer"));
        assert_eq!((d.code.as_str(), d.retry), ("transport", Retry::Busy));
        let d = sdk_error("c", &SdkError::connect("refused"));
        assert_eq!((d.code.as_str(), d.retry), ("transport", Retry::Never));
        assert!(d.message.contains("refused"), "{d}");
    }

    #[test]
    fn a_failed_operation_is_the_calls_error() {
        let op: Operation = serde_json::from_value(serde_json::json!({
            "name": "operation-1", "status": "DONE",
            "error": {"errors": [{"code": "INVALID_USAGE", "message": "An IP range overlaps"}]},
            "httpErrorStatusCode": 400, "httpErrorMessage": "BAD REQUEST"
        }))
        .unwrap();
        let e = operation_error("networks.addPeering a/x", &op).expect("an error");
        assert_eq!(e.code, "INVALID_USAGE");
        assert_eq!(e.status, Some(400));
        assert_eq!(e.retry, Retry::Never);
        assert!(e.to_string().contains("networks.addPeering a/x"), "{e}");
        let done: Operation =
            serde_json::from_value(serde_json::json!({"name": "o", "status": "DONE"})).unwrap();
        assert!(operation_error("c", &done).is_none());
    }
}
