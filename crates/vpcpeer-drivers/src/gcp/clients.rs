//! The Compute Engine clients of Google's own Rust SDK (`google-cloud-compute-v1`) the GCP
//! driver calls through, built once per endpoint and credentials and kept for the life of the
//! [`crate::Drivers`] (each holds a pool of connections).
//!
//! Credentials, per account:
//! - a token given (`Access::token`, from the topology's `token_env`) is sent as `Authorization:
//!   Bearer <token>`, as it is (no refresh: a token that expires mid-apply fails the call with
//!   GCP's 401);
//! - no token, and an endpoint that is not Google's (any host but `*.googleapis.com`: the local
//!   server): anonymous, no `Authorization` header (the local server checks none unless told to);
//! - no token, and Google's endpoint: Application Default Credentials
//!   (`google_cloud_auth::credentials::Builder::default()`: `GOOGLE_APPLICATION_CREDENTIALS`,
//!   gcloud's ADC file, or the metadata server), so the same binary manages real GCP.
//!
//! Retries belong to the controller's apply loop, which retries by class with its own waits and
//! counts them: every client is built with the SDK's `NeverRetry`, one attempt per call, each
//! attempt given [`ATTEMPT_TIMEOUT`] (a timeout is `Retry::Busy`, as for the other drivers'
//! client). An operation is polled every `Drivers::poll` (a fixed-period polling backoff), and a
//! failed poll ends the wait at once ([`StopOnError`]): the step fails with that error and its
//! class, and the loop decides.
//!
//! TLS: the SDK's `default-rustls-provider` feature would build aws-lc-rs; this workspace uses
//! ring, so the drivers install ring as the process's default rustls provider (when none is
//! installed yet) before the first client is built, as google-cloud-auth documents for
//! applications that choose their provider.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use google_cloud_auth::credentials::{
    anonymous, CacheableResource, Credentials, CredentialsProvider, EntityTag,
};
use google_cloud_auth::errors::CredentialsError;
use google_cloud_compute_v1::client::{
    Addresses, Firewalls, Instances, Networks, Routes, Subnetworks,
};
use google_cloud_gax::error::Error as SdkError;
use google_cloud_gax::exponential_backoff::{ExponentialBackoff, ExponentialBackoffBuilder};
use google_cloud_gax::polling_backoff_policy::PollingBackoffPolicy;
use google_cloud_gax::polling_error_policy::PollingErrorPolicy;
use google_cloud_gax::polling_state::PollingState;
use google_cloud_gax::retry_policy::NeverRetry;
use google_cloud_gax::retry_result::RetryResult;
use hyper::header::{HeaderValue, AUTHORIZATION};
use hyper::http::Extensions;
use hyper::HeaderMap;
use vpcpeer_controller::Cloud;

use crate::DriverError;

/// How long one attempt of one call may take (as the drivers' own HTTP client allows).
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// The clients of one endpoint with one set of credentials (cheap to clone: each is an `Arc`).
#[derive(Clone, Debug)]
pub(crate) struct Clients {
    pub networks: Networks,
    pub subnetworks: Subnetworks,
    pub firewalls: Firewalls,
    pub instances: Instances,
    pub addresses: Addresses,
    pub routes: Routes,
}

/// What tells two sets of clients apart: the endpoint, the token and the polling period.
type Key = (String, Option<String>, Duration);

/// The clients built so far, by [`Key`].
#[derive(Default)]
pub(crate) struct Cache {
    built: Mutex<BTreeMap<Key, Clients>>,
}

impl Cache {
    /// The clients for `endpoint` with `token` (see the module doc), built on first use.
    /// `call` names the call that needs them, in errors.
    pub(crate) async fn clients(
        &self,
        call: &str,
        endpoint: &str,
        token: Option<&str>,
        poll: Duration,
    ) -> Result<Clients, DriverError> {
        let key = (endpoint.to_string(), token.map(str::to_string), poll);
        if let Some(c) = self.lock().get(&key) {
            return Ok(c.clone());
        }
        let built = build(call, endpoint, token, poll).await?;
        // Two calls may build at once; the first kept wins, the other is dropped.
        Ok(self.lock().entry(key).or_insert(built).clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Key, Clients>> {
        // The map is only ever inserted into: a panic elsewhere leaves it whole.
        self.built.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether `endpoint` is Google's (its host `googleapis.com` or under it).
pub(crate) fn is_google(endpoint: &str) -> bool {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    host == "googleapis.com" || host.ends_with(".googleapis.com")
}

/// The credentials for a call (see the module doc).
fn credentials(
    call: &str,
    endpoint: &str,
    token: Option<&str>,
) -> Result<Credentials, DriverError> {
    match token {
        Some(t) => Ok(Bearer::new(call, t)?.into()),
        None if is_google(endpoint) => google_cloud_auth::credentials::Builder::default()
            .build()
            .map_err(|e| {
                let message = format!(
                    "no token given and no Application Default Credentials: {}",
                    crate::http::source_chain(&e)
                );
                DriverError {
                    code: "credentials".into(),
                    ..DriverError::transport(Cloud::Gcp, call, message)
                }
            }),
        None => Ok(anonymous::Builder::new().build()),
    }
}

async fn build(
    call: &str,
    endpoint: &str,
    token: Option<&str>,
    poll: Duration,
) -> Result<Clients, DriverError> {
    // Ring, as the rest of the workspace; a provider installed before stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let failed = |e: &dyn std::error::Error| {
        DriverError::transport(
            Cloud::Gcp,
            call,
            format!(
                "building the Compute Engine client for {endpoint}: {}",
                crate::http::source_chain(e)
            ),
        )
    };
    let creds = credentials(call, endpoint, token)?;
    let period: Arc<dyn PollingBackoffPolicy> = Arc::new(fixed_period(poll));
    macro_rules! client {
        ($t:ty) => {
            <$t>::builder()
                .with_endpoint(endpoint.trim_end_matches('/'))
                .with_credentials(creds.clone())
                .with_retry_policy(NeverRetry)
                .with_attempt_timeout(ATTEMPT_TIMEOUT)
                .with_polling_backoff_policy(period.clone())
                .with_polling_error_policy(StopOnError)
                .build()
                .await
                .map_err(|e| failed(&e))?
        };
    }
    Ok(Clients {
        networks: client!(Networks),
        subnetworks: client!(Subnetworks),
        firewalls: client!(Firewalls),
        instances: client!(Instances),
        addresses: client!(Addresses),
        routes: client!(Routes),
    })
}

/// A polling backoff of `poll` every time (at least a millisecond, which the SDK requires).
fn fixed_period(poll: Duration) -> ExponentialBackoff {
    let poll = poll.max(Duration::from_millis(1));
    ExponentialBackoffBuilder::new()
        .with_initial_delay(poll)
        .with_maximum_delay(poll)
        .with_scaling(1.0)
        .build()
        .unwrap_or_default()
}

/// A polling error policy that gives up on the first failed poll: the step fails with that
/// error and its retry class, and the apply loop decides (the SDK's default would poll on
/// through 503s by itself).
#[derive(Debug)]
pub(crate) struct StopOnError;

impl PollingErrorPolicy for StopOnError {
    fn on_error(&self, _state: &PollingState, error: SdkError) -> RetryResult {
        RetryResult::Permanent(error)
    }
}

/// A fixed access token, sent as `Authorization: Bearer <token>`.
struct Bearer {
    header: HeaderValue,
    tag: EntityTag,
}

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bearer(..)")
    }
}

impl Bearer {
    fn new(call: &str, token: &str) -> Result<Self, DriverError> {
        let mut header = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            DriverError::transport(
                Cloud::Gcp,
                call,
                "the token is not a valid HTTP header value",
            )
        })?;
        header.set_sensitive(true);
        Ok(Bearer {
            header,
            tag: EntityTag::new(),
        })
    }
}

impl CredentialsProvider for Bearer {
    async fn headers(
        &self,
        extensions: Extensions,
    ) -> Result<CacheableResource<HeaderMap>, CredentialsError> {
        if extensions.get::<EntityTag>() == Some(&self.tag) {
            return Ok(CacheableResource::NotModified);
        }
        let mut data = HeaderMap::new();
        data.insert(AUTHORIZATION, self.header.clone());
        Ok(CacheableResource::New {
            entity_tag: self.tag.clone(),
            data,
        })
    }

    async fn universe_domain(&self) -> Option<String> {
        Some("googleapis.com".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn googles_endpoints_are_told_apart_from_the_local_server() {
        let cases = [
            ("https://compute.googleapis.com", true),
            ("https://compute.googleapis.com/", true),
            ("https://compute.googleapis.com:443/compute/v1", true),
            ("https://us-central1-compute.googleapis.com", true),
            ("https://COMPUTE.GOOGLEAPIS.COM.", true),
            ("http://127.0.0.1:4650", false),
            ("http://localhost:4650", false),
            ("https://googleapis.com.evil.example", false),
            ("https://notgoogleapis.com", false),
            ("http://user@compute.googleapis.com@127.0.0.1", false),
        ];
        for (endpoint, google) in cases {
            assert_eq!(is_google(endpoint), google, "{endpoint}");
        }
    }

    #[tokio::test]
    async fn a_token_is_sent_as_a_bearer_header_and_never_printed() {
        let creds: Credentials = Bearer::new("c", "s3cret").expect("a token").into();
        let CacheableResource::New { data, .. } =
            creds.headers(Extensions::new()).await.expect("headers")
        else {
            panic!("new headers expected");
        };
        assert_eq!(data[AUTHORIZATION], "Bearer s3cret");
        assert!(data[AUTHORIZATION].is_sensitive());
        assert!(!format!("{creds:?}").contains("s3cret"));
        let bad = Bearer::new("networks.get x", "a\nb").expect_err("refused");
        assert_eq!(bad.call, "networks.get x");
    }

    #[test]
    fn no_token_on_a_local_endpoint_is_anonymous() {
        let creds = credentials("c", "http://127.0.0.1:1", None).expect("anonymous");
        assert!(format!("{creds:?}").contains("Anonymous"), "{creds:?}");
    }
}
