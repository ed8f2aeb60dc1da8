//! The EC2 clients of the AWS driver, on the official `aws-sdk-ec2`: one
//! [`aws_sdk_ec2::Client`] per (endpoint, region, keys), built once and reused, and the SDK's
//! errors read into [`DriverError`]s with the class the apply loop retries on.
//!
//! Each client is configured by the driver alone, never from the environment or
//! `~/.aws` (the SDK's default credential chain is not used: the composition root reads the
//! keys the topology names and passes them in `Access.aws_keys`):
//! - the endpoint is `Access.endpoint` with `{region}` replaced (the local server, or
//!   `https://ec2.{region}.amazonaws.com` for AWS itself);
//! - static credentials, the region the signature names;
//! - **no retries** (`RetryConfig::disabled()`): the controller's apply loop retries by class and
//!   counts its retries; a second, hidden layer would multiply the attempts a throttled call
//!   makes;
//! - **the clock**: the SDK's `TimeSource` is `Drivers::now`, so signatures carry the time the
//!   composition root passes in (time is an input in this codebase); the SDK's clock-skew
//!   correction is off, since it would move the signing time toward the `Date` header of the
//!   server's answers, a clock the caller did not choose;
//! - HTTP over the smithy client on rustls with `ring`, the workspace's one TLS stack, trusting
//!   the system's root certificates; plain `http://` for the local server;
//! - the `Date` header of every answer is kept ([`CloudClock`], `crate::clock`): the clouds'
//!   time, which the health check runs on (signatures still use the caller's clock);
//! - a 60 s bound on each call (as the other drivers' client has); a call that times out is
//!   retried as busy. Stalled-stream protection is off: it measures throughput on the time
//!   source, which here is the caller's clock and need not advance; the bound covers a stall.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::config::timeout::TimeoutConfig;
use aws_sdk_ec2::config::{
    BehaviorVersion, Credentials, Region, SharedHttpClient, StalledStreamProtectionConfig,
};
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::Client;
use aws_smithy_async::time::TimeSource;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::Cloud;

use crate::clock::CloudClock;
use crate::error::{retry_of_status, DriverError};

/// How long one call may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The clock the composition root passes in.
pub(crate) type Now = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The caller's clock as the SDK's time source.
#[derive(Clone)]
struct Clock(Now);

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the caller's clock")
    }
}

impl TimeSource for Clock {
    fn now(&self) -> SystemTime {
        (self.0)()
    }
}

/// Reads each answer's `Date` into the [`CloudClock`].
#[derive(Debug)]
struct DateHeader(CloudClock);

impl aws_sdk_ec2::config::Intercept for DateHeader {
    fn name(&self) -> &'static str {
        "vpcpeer-cloud-clock"
    }

    fn read_before_deserialization(
        &self,
        context: &aws_sdk_ec2::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _: &aws_sdk_ec2::config::RuntimeComponents,
        _: &mut aws_sdk_ec2::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if let Some(date) = context.response().headers().get("date") {
            self.0.saw_header(date);
        }
        Ok(())
    }
}

/// What one client is for: endpoint (`{region}` replaced), region, access key id, secret.
type Key = (String, String, String, String);

/// The clients made so far, and the HTTP client (and its connection pool) they share.
#[derive(Default)]
pub(crate) struct Clients {
    http: OnceLock<SharedHttpClient>,
    made: Mutex<HashMap<Key, Client>>,
    /// The clouds' clock, which the answers of every client made here feed (the drivers' one,
    /// shared with the ARM client).
    pub(crate) clock: CloudClock,
}

impl Clients {
    /// No clients yet; their answers will feed `clock`.
    pub(crate) fn with_clock(clock: CloudClock) -> Self {
        Clients {
            clock,
            ..Clients::default()
        }
    }

    /// The client calling `endpoint` (`{region}` already replaced) in `region` with `keys`,
    /// made on first use.
    pub(crate) fn get(
        &self,
        endpoint: &str,
        region: &str,
        keys: &(String, String),
        now: &Now,
    ) -> Client {
        let key = (
            endpoint.to_string(),
            region.to_string(),
            keys.0.clone(),
            keys.1.clone(),
        );
        // A poisoned lock only means another call panicked while inserting a client; the map
        // is still a valid cache.
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = made.get(&key) {
            return client.clone();
        }
        let http = self
            .http
            .get_or_init(|| {
                aws_smithy_http_client::Builder::new()
                    .tls_provider(Provider::Rustls(CryptoMode::Ring))
                    .build_https()
            })
            .clone();
        let config = aws_sdk_ec2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(Region::new(region.to_string()))
            .credentials_provider(Credentials::new(
                keys.0.clone(),
                keys.1.clone(),
                None,
                None,
                "vpcpeer topology",
            ))
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(TIMEOUT)
                    .operation_attempt_timeout(TIMEOUT)
                    .build(),
            )
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .time_source(Clock(now.clone()))
            .disable_clock_skew_correction(true)
            .http_client(http)
            .interceptor(DateHeader(self.clock.clone()))
            .build();
        let client = Client::from_conf(config);
        made.insert(key, client.clone());
        client
    }
}

/// How EC2 error codes are retried.
pub(crate) fn retry_of_code(code: &str) -> Retry {
    match code {
        "RequestLimitExceeded" | "Throttling" | "ThrottlingException" => Retry::Throttled,
        "InternalError" | "ServiceUnavailable" | "Unavailable" | "IncorrectState" => Retry::Busy,
        c if c.ends_with(".NotFound") && c != "InvalidRoute.NotFound" => Retry::NotVisibleYet,
        _ => Retry::Never,
    }
}

/// `action`, and what it is about when there is something to say (`CreateVpc app`).
pub(crate) fn call_name(action: &str, what: &str) -> String {
    if what.is_empty() {
        action.to_string()
    } else {
        format!("{action} {what}")
    }
}

/// An SDK error as a driver error of the call `call` (`CreateRoute rtb-1 10.2.0.0/16`):
/// EC2's refusal with its code, message, HTTP status and retry class; an answer the SDK could
/// not read; or no answer (a refused connection is final, a timeout is retried as busy).
pub(crate) fn sdk_error<E>(call: &str, e: SdkError<E, HttpResponse>) -> DriverError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = e.raw_response().map(|r| r.status().as_u16());
    match (&e, status) {
        (SdkError::ServiceError(_), Some(status)) => {
            let Some(code) = e.code() else {
                return DriverError {
                    retry: retry_of_status(status),
                    ..DriverError::unreadable(Cloud::Aws, call, status, detail(&e))
                };
            };
            let retry = match retry_of_code(code) {
                Retry::Never => retry_of_status(status),
                r => r,
            };
            DriverError {
                cloud: Cloud::Aws,
                call: call.to_string(),
                status: Some(status),
                code: code.to_string(),
                message: e.message().unwrap_or_default().to_string(),
                retry,
            }
        }
        (SdkError::ResponseError(_), Some(status)) => {
            DriverError::unreadable(Cloud::Aws, call, status, detail(&e))
        }
        (SdkError::TimeoutError(_), _) => DriverError {
            retry: Retry::Busy,
            ..DriverError::transport(Cloud::Aws, call, format!("no answer in {TIMEOUT:?}"))
        },
        (SdkError::DispatchFailure(f), _) if f.is_timeout() => DriverError {
            retry: Retry::Busy,
            ..DriverError::transport(Cloud::Aws, call, detail(&e))
        },
        _ => DriverError::transport(Cloud::Aws, call, detail(&e)),
    }
}

/// An error and its causes, joined: the SDK's own message alone ("dispatch failure") does not
/// say what happened.
fn detail(e: &(dyn std::error::Error + 'static)) -> String {
    DisplayErrorContext(e).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_have_their_retry_class() {
        for (code, retry) in [
            ("RequestLimitExceeded", Retry::Throttled),
            ("Throttling", Retry::Throttled),
            (
                "InvalidVpcPeeringConnectionID.NotFound",
                Retry::NotVisibleYet,
            ),
            ("InvalidVpcID.NotFound", Retry::NotVisibleYet),
            ("InvalidRoute.NotFound", Retry::Never),
            ("RouteAlreadyExists", Retry::Never),
            ("InvalidPermission.Duplicate", Retry::Never),
            ("IncorrectState", Retry::Busy),
            ("InternalError", Retry::Busy),
        ] {
            assert_eq!(retry_of_code(code), retry, "{code}");
        }
    }

    #[test]
    fn a_client_is_made_once_per_endpoint_region_and_keys() {
        let clients = Clients::default();
        let now: Now = Arc::new(SystemTime::now);
        let keys = ("AKID".to_string(), "secret".to_string());
        let one = clients.get("http://127.0.0.1:1", "us-east-1", &keys, &now);
        let again = clients.get("http://127.0.0.1:1", "us-east-1", &keys, &now);
        assert_eq!(
            one.config().region().map(|r| r.to_string()),
            again.config().region().map(|r| r.to_string())
        );
        clients.get("http://127.0.0.1:1", "eu-west-1", &keys, &now);
        let other = ("AKID2".to_string(), "secret".to_string());
        clients.get("http://127.0.0.1:1", "eu-west-1", &other, &now);
        assert_eq!(clients.made.lock().expect("lock").len(), 3);
    }

    /// Answers one HTTP request with `status` and `body` (on a thread of its own) and hands
    /// back the request's head.
    fn one_answer(
        status: &'static str,
        body: &'static str,
    ) -> (String, std::thread::JoinHandle<String>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let served = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().expect("accept");
            let mut buf = vec![0u8; 64 * 1024];
            let mut got = 0;
            let head = loop {
                let n = conn.read(&mut buf[got..]).expect("read");
                got += n;
                let text = String::from_utf8_lossy(&buf[..got]).into_owned();
                if let Some(end) = text.find("\r\n\r\n") {
                    break text[..end].to_string();
                }
                assert!(n > 0, "the request ended early: {text}");
            };
            let answer = format!(
                "HTTP/1.1 {status}\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            conn.write_all(answer.as_bytes()).expect("write");
            head
        });
        (url, served)
    }

    #[tokio::test]
    async fn requests_are_signed_at_the_callers_time_in_the_callers_region() {
        let (url, served) = one_answer(
            "200 OK",
            "<DescribeVpcsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId><vpcSet/></DescribeVpcsResponse>",
        );
        // 2026-01-02T03:04:05Z, far from the machine's clock.
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_323_045);
        let now: Now = Arc::new(move || at);
        let keys = ("AKIDEXAMPLE".to_string(), "secret".to_string());
        let client = Clients::default().get(&url, "eu-west-1", &keys, &now);
        let out = client.describe_vpcs().send().await.expect("answer");
        assert!(out.vpcs().is_empty());
        let head = served.join().expect("served").to_ascii_lowercase();
        assert!(head.contains("x-amz-date: 20260102t030405z"), "{head}");
        assert!(
            head.contains("credential=akidexample/20260102/eu-west-1/ec2/aws4_request"),
            "{head}"
        );
    }

    #[tokio::test]
    async fn a_refusal_in_no_ec2_words_is_unreadable_and_classed_by_its_status() {
        let (url, served) = one_answer("503 Service Unavailable", "<html>busy</html>");
        let now: Now = Arc::new(SystemTime::now);
        let keys = ("AKID".to_string(), "secret".to_string());
        let client = Clients::default().get(&url, "us-east-1", &keys, &now);
        let e = client.describe_vpcs().send().await.expect_err("refused");
        served.join().expect("served");
        let e = sdk_error("DescribeVpcs", e);
        assert_eq!(
            (e.code.as_str(), e.status, e.retry),
            ("unreadable-answer", Some(503), Retry::Busy),
            "{e}"
        );
    }

    #[tokio::test]
    async fn a_call_no_one_answers_is_a_final_transport_error() {
        // Nothing listens on a port just freed: the connection is refused, a final error.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let now: Now = Arc::new(SystemTime::now);
        let keys = ("AKID".to_string(), "secret".to_string());
        let clients = Clients::default();
        let client = clients.get(
            &format!("http://127.0.0.1:{port}"),
            "us-east-1",
            &keys,
            &now,
        );
        let e = client.describe_vpcs().send().await.expect_err("refused");
        let e = sdk_error("DescribeVpcs", e);
        assert_eq!(
            (e.code.as_str(), e.status, e.retry, e.call.as_str()),
            ("transport", None, Retry::Never, "DescribeVpcs")
        );
        assert!(e.message.contains("dispatch"), "{e}");
    }
}
