//! Refusal of requests that a web browser sends on behalf of a page that is not ours: the
//! defence against cross-site requests and DNS rebinding. vpcpeer's one web page is its own
//! console ([`crate::console`]), whose requests are same-origin and pass every check below; its
//! other clients (the SDKs, the aws CLI, `vpcpeer reach`) send neither `Origin` nor
//! `Sec-Fetch-*` headers, so for them nothing changes.
//!
//! Checked, in this order, on every face before the body is read (see [`check`]):
//!
//! 1. **Host** (DNS rebinding). A page on `http://evil.example:4650` whose name the attacker
//!    re-points at 127.0.0.1 makes the browser send `Host: evil.example:4650`. So the name in
//!    `Host` must be an IP address literal (a browser that used one talked to that address, so
//!    the page came from it), `localhost`, or a name given with `serve --allow-host NAME`
//!    (`--allow-host '*'` accepts any). The port is not compared, so port forwarding works.
//!    A request without `Host` (HTTP/1.0, in-process tests) passes: browsers always send one.
//!    Refused with 403.
//! 2. **`Sec-Fetch-Site`**: `cross-site` or `same-site` is refused with 403 (`same-origin` and
//!    `none`, a typed URL, pass). This covers requests that carry no `Origin`, such as
//!    `<img src="http://127.0.0.1:4650/?Action=DeleteVpc&…">`.
//! 3. **`Origin`**: when present it must be this server's own origin, the scheme of the
//!    listener and the `Host` of the request (`http://127.0.0.1:4650` for a request to
//!    `127.0.0.1:4650`; default ports may be omitted). `Origin: null` and any other origin are
//!    refused with 403. No CORS header is ever sent, so a browser never lets a foreign page read
//!    an answer or send a non-simple request (its preflight gets this 403 too).
//! 4. **Admin content type**: `/_vpcpeer/*` requests other than GET, HEAD and OPTIONS need
//!    `Content-Type: application/json`, which a cross-site form or `fetch(…, {mode:
//!    "no-cors"})` cannot send without a preflight. Refused with 415.
//!
//! Not covered: browsers too old to send `Sec-Fetch-Site` (before 2020–2023) on a simple GET
//! without `Origin`, and anything not sent by a browser (a local process can do whatever it
//! likes; optional request signing is the answer there).

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::{header, HeaderMap, Method, StatusCode};

use crate::dialect::{face_of, printable, Face};

/// Host names accepted besides IP literals and `localhost` (from `serve --allow-host`); `*`
/// accepts any. Added to requests by the connection manager; without it only the defaults
/// pass.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts(pub Arc<Vec<String>>);

impl AllowedHosts {
    /// The names given, lower-cased and without a trailing dot.
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(names: I) -> Self {
        AllowedHosts(Arc::new(
            names
                .into_iter()
                .map(|n| normalize_name(n.as_ref()))
                .collect(),
        ))
    }

    fn allows(&self, name: &str) -> bool {
        if name == "localhost" || name.parse::<IpAddr>().is_ok() {
            return true;
        }
        self.0.iter().any(|n| n == "*" || n == name)
    }
}

fn normalize_name(n: &str) -> String {
    n.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Why a request was refused: the HTTP status and the message for the caller's dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 403 or 415.
    pub status: StatusCode,
    /// What was wrong, in words.
    pub message: String,
}

impl Refusal {
    fn forbidden(message: String) -> Self {
        Refusal {
            status: StatusCode::FORBIDDEN,
            message,
        }
    }
}

/// Splits `host[:port]` (or `[v6]:port`) into the lower-cased name (brackets removed, no trailing
/// dot) and the port text, if any. `None` when it is not shaped like an authority.
fn split_authority(auth: &str) -> Option<(String, Option<&str>)> {
    let auth = auth.trim();
    if auth.is_empty() || auth.contains(['/', '@', ' ']) {
        return None;
    }
    if let Some(rest) = auth.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        return Some((v6.to_ascii_lowercase(), port));
    }
    match auth.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => Some((normalize_name(name), Some(port))),
        Some(_) => None,
        None => Some((normalize_name(auth), None)),
    }
}

/// `host:port` with the scheme's default port dropped, for comparing origins.
fn canonical_authority(name: &str, port: Option<&str>, https: bool) -> String {
    let default = if https { "443" } else { "80" };
    let name = if name.contains(':') {
        format!("[{name}]")
    } else {
        name.to_owned()
    };
    match port {
        None | Some("") => name,
        Some(p) if p == default => name,
        Some(p) => format!("{name}:{p}"),
    }
}

fn is_admin_write(method: &Method, path: &str) -> bool {
    face_of(path) == Face::Admin && !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Checks one request (see the module docs). `https` says which listener it came in on.
pub fn check(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    https: bool,
    allowed: &AllowedHosts,
) -> Result<(), Refusal> {
    let host = match headers.get(header::HOST) {
        None => None,
        Some(v) => {
            let text = String::from_utf8_lossy(v.as_bytes());
            let Some((name, port)) = split_authority(&text) else {
                return Err(Refusal::forbidden(format!(
                    "The Host header '{}' is not a host name.",
                    printable(&text, 100)
                )));
            };
            if !allowed.allows(&name) {
                return Err(Refusal::forbidden(format!(
                    "The Host header names '{}', which is not a name of this server: requests must name it by IP address, as localhost, or by a name given with `vpcpeer serve --allow-host NAME` (protection against DNS rebinding).",
                    printable(&name, 100)
                )));
            }
            Some((name, port.map(str::to_owned)))
        }
    };
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = String::from_utf8_lossy(site.as_bytes())
            .trim()
            .to_ascii_lowercase();
        if site == "cross-site" || site == "same-site" {
            return Err(Refusal::forbidden(format!(
                "Requests sent by a web browser on behalf of another site are refused (Sec-Fetch-Site: {}).",
                printable(&site, 40)
            )));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = String::from_utf8_lossy(origin.as_bytes()).trim().to_owned();
        let own = host.as_ref().is_some_and(|(name, port)| {
            let own = canonical_authority(name, port.as_deref(), https);
            let (scheme, rest) = match origin.split_once("://") {
                Some((s, r)) => (s.to_ascii_lowercase(), r),
                None => return false,
            };
            let want = if https { "https" } else { "http" };
            scheme == want
                && split_authority(rest)
                    .is_some_and(|(n, p)| canonical_authority(&n, p, https) == own)
        });
        if !own {
            return Err(Refusal::forbidden(format!(
                "Requests from web pages of other origins are refused (Origin: {}).",
                printable(&origin, 100)
            )));
        }
    }
    if is_admin_write(method, path) && !is_json(headers) {
        return Err(Refusal {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message:
                "Admin requests that change state must be sent with Content-Type: application/json."
                    .into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    fn run(method: Method, path: &str, pairs: &[(&'static str, &str)], https: bool) -> Option<u16> {
        let allowed = AllowedHosts::new(["vpcpeer.internal"]);
        check(&method, path, &headers(pairs), https, &allowed)
            .err()
            .map(|r| r.status.as_u16())
    }

    #[test]
    fn hosts() {
        let cases: &[(&str, Option<u16>)] = &[
            ("127.0.0.1:4650", None),
            ("127.0.0.1", None),
            ("localhost:4650", None),
            ("LOCALHOST.:4650", None),
            ("[::1]:4650", None),
            ("[::1]", None),
            ("10.1.2.3:4650", None),
            ("vpcpeer.internal:8080", None),
            ("VPCPEER.internal", None),
            ("evil.example", Some(403)),
            ("evil.example:4650", Some(403)),
            ("localhost.evil.example", Some(403)),
            ("127.0.0.1.nip.io:4650", Some(403)),
            ("foo.localhost", Some(403)),
            ("", Some(403)),
            ("a b", Some(403)),
            ("user@127.0.0.1", Some(403)),
            ("::1", Some(403)),
        ];
        for (host, want) in cases {
            assert_eq!(
                run(Method::GET, "/", &[("host", host)], false),
                *want,
                "{host}"
            );
        }
        assert_eq!(run(Method::GET, "/", &[], false), None, "no Host header");
        let any = AllowedHosts::new(["*"]);
        assert!(check(
            &Method::GET,
            "/",
            &headers(&[("host", "evil.example")]),
            false,
            &any
        )
        .is_ok());
    }

    #[test]
    fn sec_fetch_site() {
        for (site, want) in [
            ("cross-site", Some(403)),
            ("same-site", Some(403)),
            ("Cross-Site", Some(403)),
            ("same-origin", None),
            ("none", None),
        ] {
            let h = [("host", "127.0.0.1:4650"), ("sec-fetch-site", site)];
            assert_eq!(run(Method::GET, "/", &h, false), want, "{site}");
        }
    }

    #[test]
    fn origins() {
        let cases: &[(&str, &str, bool, Option<u16>)] = &[
            ("127.0.0.1:4650", "http://127.0.0.1:4650", false, None),
            ("127.0.0.1:4650", "HTTP://127.0.0.1:4650", false, None),
            ("localhost:4650", "http://localhost:4650", false, None),
            ("[::1]:4650", "http://[::1]:4650", false, None),
            ("localhost", "http://localhost:80", false, None),
            ("localhost:443", "https://localhost", true, None),
            ("127.0.0.1:4651", "https://127.0.0.1:4651", true, None),
            ("127.0.0.1:4651", "http://127.0.0.1:4651", true, Some(403)),
            ("127.0.0.1:4650", "https://127.0.0.1:4650", false, Some(403)),
            ("127.0.0.1:4650", "http://localhost:4650", false, Some(403)),
            ("127.0.0.1:4650", "http://127.0.0.1:8000", false, Some(403)),
            ("127.0.0.1:4650", "http://evil.example", false, Some(403)),
            ("127.0.0.1:4650", "null", false, Some(403)),
            ("127.0.0.1:4650", "", false, Some(403)),
            (
                "127.0.0.1:4650",
                "http://127.0.0.1:4650/x",
                false,
                Some(403),
            ),
        ];
        for (host, origin, https, want) in cases {
            let h = [("host", *host), ("origin", *origin)];
            assert_eq!(run(Method::POST, "/", &h, *https), *want, "{host} {origin}");
        }
        assert_eq!(
            run(
                Method::GET,
                "/",
                &[("origin", "http://127.0.0.1:4650")],
                false
            ),
            Some(403),
            "an Origin without a Host cannot be ours"
        );
    }

    #[test]
    fn admin_writes_need_json() {
        let host = ("host", "127.0.0.1:4650");
        let cases: &[(Method, &str, Option<&str>, Option<u16>)] = &[
            (Method::POST, "/_vpcpeer/reset", None, Some(415)),
            (
                Method::POST,
                "/_vpcpeer/reset",
                Some("text/plain"),
                Some(415),
            ),
            (
                Method::POST,
                "/_vpcpeer/clock",
                Some("application/x-www-form-urlencoded"),
                Some(415),
            ),
            (
                Method::POST,
                "/_vpcpeer/clock",
                Some("multipart/form-data; boundary=x"),
                Some(415),
            ),
            (
                Method::POST,
                "/_vpcpeer/clock",
                Some("application/jsonx"),
                Some(415),
            ),
            (
                Method::POST,
                "/_vpcpeer/reset",
                Some("application/json"),
                None,
            ),
            (
                Method::POST,
                "/_vpcpeer/reset",
                Some("Application/JSON; charset=utf-8"),
                None,
            ),
            (Method::DELETE, "/_vpcpeer/clock", None, Some(415)),
            (Method::GET, "/_vpcpeer/health", None, None),
            (Method::HEAD, "/_vpcpeer/health", None, None),
            (
                Method::POST,
                "/",
                Some("application/x-www-form-urlencoded"),
                None,
            ),
            (Method::POST, "/compute/v1/x", None, None),
        ];
        for (method, path, ct, want) in cases {
            let mut h = vec![host];
            if let Some(ct) = ct {
                h.push(("content-type", ct));
            }
            assert_eq!(
                run(method.clone(), path, &h, false),
                *want,
                "{method} {path} {ct:?}"
            );
        }
    }
}
