//! The EC2 Query protocol, as a client: a form-encoded POST signed with Signature Version 4, and
//! the XML answer read into a small tree. Errors come back in EC2's own words (`<Code>`,
//! `<Message>`) with the class the apply loop retries on.
//!
//! Why not `aws-sdk-ec2`: a debug build of that crate alone ran for more than 18 minutes on this
//! 2-core machine (shared with other builds) without finishing, and CI builds every crate twice
//! (clippy and tests) within a 30-minute budget. The controller needs 20 EC2 calls; this client
//! is those calls and nothing more.

use std::time::SystemTime;

use hyper::Method;
use quick_xml::events::Event;
use quick_xml::Reader;
use ring::{digest, hmac};
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::Cloud;

use crate::error::{retry_of_status, DriverError};
use crate::http::Http;

/// The EC2 API version every call names.
const VERSION: &str = "2016-11-15";

/// Where and as whom to call.
pub(crate) struct Target {
    /// Base URL (`{region}` already replaced).
    pub endpoint: String,
    /// The region the signature names.
    pub region: String,
    /// Access key id and secret.
    pub keys: (String, String),
    /// The signing time.
    pub now: SystemTime,
}

/// An XML element: its name (without namespace), text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the child named `name` (empty when absent).
    pub fn text_of(&self, name: &str) -> &str {
        self.child(name).map_or("", |c| c.text.as_str())
    }

    /// The `<item>`s of the child named `name` (EC2's lists: `<routeSet><item>…`).
    pub fn items<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Node> + 'a {
        self.child(name)
            .into_iter()
            .flat_map(|c| c.children.iter().filter(|i| i.name == "item"))
    }

    /// Follows a path of child names.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, p| n.child(p))
    }
}

/// Reads an XML document into its root element.
pub(crate) fn parse_xml(body: &[u8]) -> Result<Node, String> {
    let mut reader = Reader::from_reader(body);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut buf = Vec::new();
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?
        {
            Event::Start(e) => stack.push(Node {
                name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                ..Node::default()
            }),
            Event::Empty(e) => {
                let node = Node {
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ..Node::default()
                };
                stack.last_mut().ok_or("unbalanced")?.children.push(node);
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| e.to_string())?;
                stack.last_mut().ok_or("unbalanced")?.text.push_str(&text);
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("unbalanced")?;
                stack.last_mut().ok_or("unbalanced")?.children.push(node);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let mut root = stack.pop().ok_or("empty document")?;
    root.children
        .pop()
        .ok_or_else(|| "empty document".to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
        .as_ref()
        .to_vec()
}

/// `20260102T030405Z` and `20260102` for a time.
fn amz_dates(now: SystemTime) -> (String, String) {
    let t = time::OffsetDateTime::from(now);
    let date = format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day());
    let stamp = format!("{date}T{:02}{:02}{:02}Z", t.hour(), t.minute(), t.second());
    (stamp, date)
}

/// The `Authorization` header of a signed POST (SigV4, service `ec2`).
fn authorization(t: &Target, host: &str, stamp: &str, date: &str, body: &str) -> String {
    const SIGNED: &str = "content-type;host;x-amz-date";
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:{host}\nx-amz-date:{stamp}\n\n{SIGNED}\n{}",
        sha256_hex(body.as_bytes())
    );
    let scope = format!("{date}/{}/ec2/aws4_request", t.region);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let key = [date, t.region.as_str(), "ec2", "aws4_request"]
        .iter()
        .fold(format!("AWS4{}", t.keys.1).into_bytes(), |k, part| {
            hmac_sha256(&k, part)
        });
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={SIGNED}, Signature={}",
        t.keys.0,
        hex(&hmac_sha256(&key, &to_sign))
    )
}

/// How EC2 error codes are retried.
fn retry_of_code(code: &str) -> Retry {
    match code {
        "RequestLimitExceeded" | "Throttling" | "ThrottlingException" => Retry::Throttled,
        "InternalError" | "ServiceUnavailable" | "Unavailable" | "IncorrectState" => Retry::Busy,
        c if c.ends_with(".NotFound") && c != "InvalidRoute.NotFound" => Retry::NotVisibleYet,
        _ => Retry::Never,
    }
}

/// Calls `action` with `params`; the answer's root element, or the EC2 error.
pub(crate) async fn call(
    http: &Http,
    t: &Target,
    action: &str,
    what: &str,
    params: &[(String, String)],
) -> Result<Node, DriverError> {
    let call = if what.is_empty() {
        action.to_string()
    } else {
        format!("{action} {what}")
    };
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", action);
    form.append_pair("Version", VERSION);
    for (k, v) in params {
        form.append_pair(k, v);
    }
    let body = form.finish();
    let uri: hyper::Uri = t.endpoint.parse().map_err(|e| {
        DriverError::transport(
            Cloud::Aws,
            &call,
            format!("bad endpoint {}: {e}", t.endpoint),
        )
    })?;
    let host = uri.authority().map(|a| a.to_string()).unwrap_or_default();
    let (stamp, date) = amz_dates(t.now);
    let auth = authorization(t, &host, &stamp, &date, &body);
    let headers = [
        (
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        ),
        ("host", host),
        ("x-amz-date", stamp),
        ("authorization", auth),
    ];
    let answer = http
        .send(
            Cloud::Aws,
            &call,
            Method::POST,
            &t.endpoint,
            &headers,
            body.into_bytes(),
        )
        .await?;
    let root = parse_xml(&answer.body)
        .map_err(|e| DriverError::unreadable(Cloud::Aws, &call, answer.status, e))?;
    if answer.status < 300 {
        return Ok(root);
    }
    let error = root.at(&["Errors", "Error"]).cloned().unwrap_or_default();
    let code = error.text_of("Code").to_string();
    let retry = match retry_of_code(&code) {
        Retry::Never => retry_of_status(answer.status),
        r => r,
    };
    Err(DriverError {
        cloud: Cloud::Aws,
        call,
        status: Some(answer.status),
        message: error.text_of("Message").to_string(),
        code,
        retry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signing example of AWS's SigV4 documentation (IAM ListUsers is a GET; this is the
    /// same derivation with the values of the "derive the signing key" example).
    #[test]
    fn the_signing_key_matches_the_documented_example() {
        let key = ["20150830", "us-east-1", "iam", "aws4_request"]
            .iter()
            .fold(
                b"AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_vec(),
                |k, p| hmac_sha256(&k, p),
            );
        assert_eq!(
            hex(&key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
    }

    #[test]
    fn dates_are_utc_in_basic_format() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_767_323_045);
        assert_eq!(amz_dates(t), ("20260102T030405Z".into(), "20260102".into()));
    }

    #[test]
    fn xml_lists_and_paths() {
        let root = parse_xml(
            br#"<?xml version="1.0"?><DescribeX xmlns="http://ec2"><set><item><id>a</id></item><item><id>b&amp;c</id></item></set><e/></DescribeX>"#,
        )
        .unwrap();
        assert_eq!(root.name, "DescribeX");
        let ids: Vec<&str> = root.items("set").map(|i| i.text_of("id")).collect();
        assert_eq!(ids, ["a", "b&c"]);
        assert!(root.child("e").is_some());
        assert_eq!(root.text_of("missing"), "");
    }

    #[test]
    fn error_codes_have_their_retry_class() {
        assert_eq!(retry_of_code("RequestLimitExceeded"), Retry::Throttled);
        assert_eq!(
            retry_of_code("InvalidVpcPeeringConnectionID.NotFound"),
            Retry::NotVisibleYet
        );
        assert_eq!(retry_of_code("InvalidRoute.NotFound"), Retry::Never);
        assert_eq!(retry_of_code("RouteAlreadyExists"), Retry::Never);
    }
}
