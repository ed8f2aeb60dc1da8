//! One keep-alive HTTP/1.1 connection per client, speaking the EC2 Query protocol (a form body is
//! built into a reused buffer and posted to `/`), GCP's JSON, or Azure Resource Manager (JSON to an
//! ARM path, with a dummy bearer token); the whole answer body is read back.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// The credential every request carries: account `111111111111`, region `us-east-1`. Servers that
/// check signatures would refuse it; vpcpeer and moto do not check them.
const AUTH: &str = "AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-east-1/ec2/aws4_request, \
                    SignedHeaders=host;x-amz-date, Signature=0";
const AMZ_DATE: &str = "20260101T000000Z";
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// Where to connect: `host:port` and the `Host` header, from an `http://host:port` endpoint.
#[derive(Clone, Debug)]
pub struct Endpoint {
    authority: String,
    host_header: HeaderValue,
}

impl Endpoint {
    /// Parses `http://host:port` (a trailing `/` is allowed; `https` is not supported).
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        let uri: Uri = s
            .parse()
            .with_context(|| format!("'{s}' is not a URL like http://127.0.0.1:4650"))?;
        if uri.scheme_str() != Some("http") {
            bail!("endpoint '{s}' must start with http:// (TLS is not supported)");
        }
        let auth = uri
            .authority()
            .with_context(|| format!("endpoint '{s}' has no host"))?;
        let port = auth.port_u16().unwrap_or(80);
        let authority = format!("{}:{port}", auth.host());
        let host_header = HeaderValue::from_str(auth.as_str())
            .with_context(|| format!("endpoint '{s}' has an unusable host"))?;
        Ok(Endpoint {
            authority,
            host_header,
        })
    }
}

/// An EC2 Query form body under construction; the buffer is reused from request to request.
#[derive(Debug, Default)]
pub struct Form {
    buf: String,
}

impl Form {
    /// Starts a new body for `action`.
    pub fn start(&mut self, action: &str) -> &mut Self {
        self.buf.clear();
        self.buf.push_str("Action=");
        self.buf.push_str(action);
        self.buf.push_str("&Version=2016-11-15");
        self
    }

    /// Adds `key=value`; the key must be URL-safe already, the value is percent-encoded.
    pub fn param(&mut self, key: &str, value: &str) -> &mut Self {
        self.buf.push('&');
        self.buf.push_str(key);
        self.buf.push('=');
        encode_into(&mut self.buf, value);
        self
    }

    /// The body as text.
    pub fn as_str(&self) -> &str {
        &self.buf
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

/// One client's connection.
pub struct Conn {
    endpoint: Endpoint,
    sender: SendRequest<Full<Bytes>>,
}

/// What one request came back with.
pub struct Reply {
    /// The HTTP status.
    pub status: StatusCode,
    /// The whole body.
    pub body: Bytes,
    /// From just before the request was written to the last byte of the body.
    pub latency: Duration,
    /// Whether the server had closed the connection, so a new one was opened for this request.
    pub reconnected: bool,
}

impl Conn {
    /// Opens a connection (TCP_NODELAY, HTTP/1.1 keep-alive).
    pub async fn open(endpoint: &Endpoint) -> anyhow::Result<Self> {
        let sender = handshake(endpoint).await?;
        Ok(Conn {
            endpoint: endpoint.clone(),
            sender,
        })
    }

    /// Replaces a broken connection with a new one.
    pub async fn reconnect(&mut self) -> anyhow::Result<()> {
        self.sender = handshake(&self.endpoint).await?;
        Ok(())
    }

    /// Posts `form` to `/` and reads the whole answer.
    pub async fn post(&mut self, form: &Form) -> anyhow::Result<Reply> {
        let body = Bytes::copy_from_slice(form.as_str().as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri("/")
            .header(HOST, self.endpoint.host_header.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static(FORM))
            .header(AUTHORIZATION, HeaderValue::from_static(AUTH))
            .header("x-amz-date", HeaderValue::from_static(AMZ_DATE))
            .body(Full::new(body))
            .context("building a request")?;
        self.send(req).await
    }

    /// Sends a JSON request (the GCP face: `path` such as `/compute/v1/projects/p/global/networks`,
    /// an empty `body` for none) and reads the whole answer.
    pub async fn json(&mut self, method: Method, path: &str, body: &str) -> anyhow::Result<Reply> {
        self.json_request(method, path, body, None).await
    }

    /// Sends an Azure Resource Manager request (`path` includes the query) with a JSON `body` and
    /// a dummy bearer token.
    pub async fn arm(&mut self, method: Method, path: &str, body: &str) -> anyhow::Result<Reply> {
        self.json_request(method, path, body, Some("Bearer vpcpeer-bench"))
            .await
    }

    async fn json_request(
        &mut self,
        method: Method,
        path: &str,
        body: &str,
        bearer: Option<&'static str>,
    ) -> anyhow::Result<Reply> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.endpoint.host_header.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(token) = bearer {
            req = req.header(AUTHORIZATION, HeaderValue::from_static(token));
        }
        let req = req
            .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
            .context("building a request")?;
        self.send(req).await
    }

    async fn send(&mut self, req: Request<Full<Bytes>>) -> anyhow::Result<Reply> {
        let start = Instant::now();
        // A server that closes after each answer (`Connection: close`, as moto's does) costs a
        // new connection per request; that time is part of the request's latency.
        let reconnected = if self.sender.ready().await.is_err() {
            self.reconnect()
                .await
                .context("the server closed the connection and reconnecting failed")?;
            self.sender
                .ready()
                .await
                .context("a new connection closed at once")?;
            true
        } else {
            false
        };
        let resp = self
            .sender
            .send_request(req)
            .await
            .context("sending a request")?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .context("reading an answer body")?
            .to_bytes();
        Ok(Reply {
            status,
            body,
            latency: start.elapsed(),
            reconnected,
        })
    }
}

async fn handshake(endpoint: &Endpoint) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(&endpoint.authority)
        .await
        .with_context(|| format!("connecting to {}", endpoint.authority))?;
    stream.set_nodelay(true).context("setting TCP_NODELAY")?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .with_context(|| format!("HTTP handshake with {}", endpoint.authority))?;
    tokio::spawn(async move {
        // A connection error surfaces on the next request through the sender.
        let _ = connection.await;
    });
    Ok(sender)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encodes_values() {
        let mut f = Form::default();
        f.start("CreateVpc").param("CidrBlock", "10.1.0.0/16");
        assert_eq!(
            f.as_str(),
            "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.1.0.0%2F16"
        );
        f.start("X").param("Filter.1.Name", "a b&c=d");
        assert_eq!(
            f.as_str(),
            "Action=X&Version=2016-11-15&Filter.1.Name=a%20b%26c%3Dd"
        );
    }

    #[test]
    fn endpoint_parses() {
        let e = Endpoint::parse("http://127.0.0.1:4650/").unwrap();
        assert_eq!(e.authority, "127.0.0.1:4650");
        assert_eq!(e.host_header, "127.0.0.1:4650");
        let e = Endpoint::parse("http://localhost").unwrap();
        assert_eq!(e.authority, "localhost:80");
        assert!(Endpoint::parse("https://x:1").is_err());
        assert!(Endpoint::parse("nonsense here").is_err());
    }
}
