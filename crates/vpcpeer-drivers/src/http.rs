//! The Azure driver's HTTP client (the AWS and GCP drivers use their SDKs' own): HTTP/1.1 over
//! plain TCP (the local emulator) or TLS with the web's root certificates (the real cloud), with
//! a timeout on every call. It sends bytes and returns bytes; the driver owns ARM's format.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::HeaderValue;
use hyper::{HeaderMap, Method, Request};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use vpcpeer_controller::Cloud;

use crate::error::DriverError;

/// How long one call may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// An answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

/// The client.
#[derive(Clone)]
pub struct Http {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Default for Http {
    fn default() -> Self {
        Self::new()
    }
}

impl Http {
    /// A client for `http://` and `https://` endpoints.
    pub fn new() -> Self {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Http {
            client: Client::builder(TokioExecutor::new()).build(https),
        }
    }

    /// Sends one request. `call` names it in errors.
    pub async fn send(
        &self,
        cloud: Cloud,
        call: &str,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Answer, DriverError> {
        let uri: hyper::Uri = url
            .parse()
            .map_err(|e| DriverError::transport(cloud, call, format!("bad URL {url}: {e}")))?;
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            let v = HeaderValue::from_str(v)
                .map_err(|e| DriverError::transport(cloud, call, format!("header {k}: {e}")))?;
            req = req.header(*k, v);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| DriverError::transport(cloud, call, e.to_string()))?;
        let sent = tokio::time::timeout(TIMEOUT, async {
            let resp = self.client.request(req).await.map_err(|e| {
                DriverError::transport(cloud, call, format!("{url}: {}", source_chain(&e)))
            })?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| DriverError::transport(cloud, call, e.to_string()))?
                .to_bytes();
            Ok(Answer {
                status,
                headers,
                body,
            })
        })
        .await;
        match sent {
            Ok(answer) => answer,
            Err(_) => Err(DriverError {
                retry: vpcpeer_controller::apply::Retry::Busy,
                ..DriverError::transport(cloud, call, format!("{url}: no answer in {TIMEOUT:?}"))
            }),
        }
    }
}

/// An error and its causes, joined: hyper's own message alone ("client error (Connect)") does
/// not say what happened.
pub(crate) fn source_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}
