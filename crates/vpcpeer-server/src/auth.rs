//! Optional authentication, off by default: what `serve --verify-signatures --credentials FILE`
//! checks, and the admin token of `/_vpcpeer/*`.
//!
//! Off (the default), nothing is checked: an EC2 or STS caller is whoever its SigV4 credential
//! scope names (a 12-digit access key id is the account, anything else is `000000000000`; an
//! unsigned request is `000000000000` in `us-east-1`), and GCP and Azure callers are whoever the
//! path names. With [`Credentials`] loaded:
//!
//! - **EC2 and STS** requests must be signed with SigV4 (header or presigned query form) by an
//!   access key of the file; the account is the key's `account`, the region the scope's. The
//!   algorithm and AWS's error wording are [`vpcpeer_wire_aws::sigv4`]'s; errors come in EC2's
//!   XML, or STS's when the scope's service is `sts` or the action is `GetCallerIdentity`.
//!   Time is the **wall clock** injected by the composition root, not the emulator's clock: the
//!   admin API moves the emulator's clock forward to expire peering requests, and signatures
//!   must keep verifying against the time real clients sign with.
//! - **GCP** requests need `Authorization: Bearer TOKEN` with a token of the file that grants
//!   the project in the path; **Azure** requests likewise for the subscription. Bad or missing
//!   tokens get 401 before the request is even parsed; a token without the project or
//!   subscription gets 403 after the path is parsed (a path error is answered first, which
//!   reveals nothing about any project's state). Tokens are static opaque strings, compared by
//!   their SHA-256 digests.
//!
//! The **admin token**, when configured (the file's `admin_token`, or given to the binary
//! otherwise), is required as `Authorization: Bearer TOKEN` on every `/_vpcpeer/*` endpoint
//! except `GET /_vpcpeer/health`, which load balancers and probes use and which tells only
//! liveness and the number of records. It is independent of `--verify-signatures`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ring::digest;
use serde::Deserialize;
use vpcpeer_model::{Scope, Timestamp};
use vpcpeer_wire_aws::sigv4::{self, SigError};
use vpcpeer_wire_aws::{error_document, identity, sts, Params};

use crate::AppState;

/// The shortest admin token accepted.
pub const MIN_ADMIN_TOKEN_LEN: usize = 16;

type Digest = [u8; 32];

/// A refusal, ready to send (boxed: responses are large).
pub(crate) type Refusal = Box<Response>;

fn sha256(s: &str) -> Digest {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, s.as_bytes()).as_ref());
    out
}

/// A credentials file that is not valid.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// Not JSON of the expected shape.
    #[error("credentials file is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    /// A value is not acceptable.
    #[error("credentials file: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    #[serde(default)]
    aws: Vec<AwsForm>,
    #[serde(default)]
    gcp: Vec<GcpForm>,
    #[serde(default)]
    azure: Vec<AzureForm>,
    #[serde(default)]
    admin_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AwsForm {
    access_key_id: String,
    secret_access_key: String,
    account: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GcpForm {
    token: String,
    projects: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AzureForm {
    token: String,
    subscriptions: Vec<String>,
    #[serde(default)]
    name: Option<String>,
}

struct AwsKey {
    secret: String,
    account: String,
}

/// What a GCP or Azure token grants: some projects or subscriptions, or all (`"*"`).
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    /// The name shown in Azure's `AuthorizationFailed`.
    name: String,
    all: bool,
    /// Lower-cased for subscriptions (GUIDs compare case-insensitively), as given for projects.
    scopes: Vec<String>,
}

impl Grant {
    fn permits(&self, scope: &str, fold_case: bool) -> bool {
        self.all
            || self.scopes.iter().any(|s| {
                if fold_case {
                    s.eq_ignore_ascii_case(scope)
                } else {
                    s == scope
                }
            })
    }
}

/// The secrets of `--credentials FILE`, validated.
pub struct Credentials {
    aws: HashMap<String, AwsKey>,
    gcp: HashMap<Digest, Grant>,
    azure: HashMap<Digest, Grant>,
    admin_token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("aws_keys", &self.aws.len())
            .field("gcp_tokens", &self.gcp.len())
            .field("azure_tokens", &self.azure.len())
            .field("admin_token", &self.admin_token.is_some())
            .finish()
    }
}

fn invalid(msg: String) -> CredentialsError {
    CredentialsError::Invalid(msg)
}

/// A token is visible ASCII without spaces (RFC 6750's `b64token` and more).
fn check_token(what: &str, t: &str) -> Result<(), CredentialsError> {
    if t.is_empty() || !t.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(invalid(format!(
            "{what} must be a non-empty string of visible ASCII characters without spaces"
        )));
    }
    Ok(())
}

/// Checks an admin token, wherever it comes from.
pub fn check_admin_token(t: &str) -> Result<(), String> {
    if t.len() < MIN_ADMIN_TOKEN_LEN || !t.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(format!(
            "the admin token must be at least {MIN_ADMIN_TOKEN_LEN} visible ASCII characters without spaces"
        ));
    }
    Ok(())
}

fn grants(
    cloud: &str,
    field: &str,
    entries: impl Iterator<Item = (String, Vec<String>, Option<String>)>,
    fold_case: bool,
) -> Result<HashMap<Digest, Grant>, CredentialsError> {
    let mut out = HashMap::new();
    for (i, (token, scopes, name)) in entries.enumerate() {
        check_token(&format!("{cloud}[{i}].token"), &token)?;
        if scopes.is_empty() || scopes.iter().any(|s| s.trim().is_empty()) {
            return Err(invalid(format!(
                "{cloud}[{i}].{field} must list at least one non-empty {} (or \"*\" for all)",
                field.trim_end_matches('s')
            )));
        }
        let grant = Grant {
            name: name.unwrap_or_else(|| format!("vpcpeer-{cloud}-token-{i}")),
            all: scopes.iter().any(|s| s == "*"),
            scopes: scopes
                .into_iter()
                .map(|s| if fold_case { s.to_ascii_lowercase() } else { s })
                .collect(),
        };
        if out.insert(sha256(&token), grant).is_some() {
            return Err(invalid(format!(
                "{cloud}[{i}].token repeats the token of an earlier {cloud} entry"
            )));
        }
    }
    Ok(out)
}

impl Credentials {
    /// Parses and validates the JSON of a credentials file:
    /// `{"aws": [{"access_key_id", "secret_access_key", "account"}], "gcp": [{"token",
    /// "projects"}], "azure": [{"token", "subscriptions", "name"?}], "admin_token"?}`.
    pub fn from_json(text: &str) -> Result<Credentials, CredentialsError> {
        let form: FileForm = serde_json::from_str(text)?;
        let mut aws = HashMap::new();
        for (i, k) in form.aws.into_iter().enumerate() {
            if k.access_key_id.is_empty()
                || k.access_key_id.len() > 128
                || !k.access_key_id.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(invalid(format!(
                    "aws[{i}].access_key_id must be 1 to 128 letters and digits, got {:?}",
                    k.access_key_id
                )));
            }
            if k.secret_access_key.is_empty() || k.secret_access_key.chars().any(char::is_control) {
                return Err(invalid(format!(
                    "aws[{i}].secret_access_key must be a non-empty string without control characters"
                )));
            }
            if k.account.len() != 12 || !k.account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(format!(
                    "aws[{i}].account must be a 12-digit account id, got {:?}",
                    k.account
                )));
            }
            let id = k.access_key_id.clone();
            let key = AwsKey {
                secret: k.secret_access_key,
                account: k.account,
            };
            if aws.insert(id.clone(), key).is_some() {
                return Err(invalid(format!(
                    "aws[{i}].access_key_id {id:?} appears twice"
                )));
            }
        }
        let gcp = grants(
            "gcp",
            "projects",
            form.gcp.into_iter().map(|g| (g.token, g.projects, None)),
            false,
        )?;
        let azure = grants(
            "azure",
            "subscriptions",
            form.azure
                .into_iter()
                .map(|a| (a.token, a.subscriptions, a.name)),
            true,
        )?;
        if let Some(t) = &form.admin_token {
            check_admin_token(t).map_err(|e| invalid(format!("admin_token: {e}")))?;
        }
        Ok(Credentials {
            aws,
            gcp,
            azure,
            admin_token: form.admin_token,
        })
    }

    /// The admin token of the file, if any.
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    /// Whether the file has AWS, GCP or Azure entries (which only `--verify-signatures` uses).
    pub fn has_cloud_entries(&self) -> bool {
        !(self.aws.is_empty() && self.gcp.is_empty() && self.azure.is_empty())
    }
}

/// A time source for signature checks.
pub type WallClock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// What the server checks: signatures and tokens (with [`Credentials`]) and the admin token.
pub struct Auth {
    verify: Option<Credentials>,
    admin: Option<Digest>,
    wall_clock: WallClock,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("verify", &self.verify)
            .field("admin_token", &self.admin.is_some())
            .finish()
    }
}

impl Default for Auth {
    fn default() -> Self {
        Auth::off()
    }
}

impl Auth {
    /// Nothing checked: today's behaviour.
    pub fn off() -> Self {
        Auth {
            verify: None,
            admin: None,
            wall_clock: Arc::new(|| Timestamp(0)),
        }
    }

    /// Checks with `verify` (when given) against `wall_clock`, and requires `admin_token` (when
    /// given) on the admin API.
    pub fn new(
        verify: Option<Credentials>,
        admin_token: Option<&str>,
        wall_clock: impl Fn() -> Timestamp + Send + Sync + 'static,
    ) -> Self {
        Auth {
            verify,
            admin: admin_token.map(sha256),
            wall_clock: Arc::new(wall_clock),
        }
    }

    /// Whether signatures and tokens are verified.
    pub fn verifies(&self) -> bool {
        self.verify.is_some()
    }

    /// Whether the admin API needs a token.
    pub fn has_admin_token(&self) -> bool {
        self.admin.is_some()
    }
}

/// The token of `Authorization: Bearer TOKEN`: `Err(true)` without the header, `Err(false)`
/// when it is not a bearer token.
fn bearer(headers: &HeaderMap) -> Result<&str, bool> {
    let v = headers.get(header::AUTHORIZATION).ok_or(true)?;
    let v = v.to_str().map_err(|_| false)?.trim();
    let (scheme, token) = v.split_once(' ').ok_or(false)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(false);
    }
    Ok(token)
}

// --- AWS ---------------------------------------------------------------------------------------

fn aws_error(e: &SigError, sts_dialect: bool, request_id: &str) -> Refusal {
    if sts_dialect {
        let (status, code, message) = e.sts();
        Box::new(crate::xml_response(
            status,
            sts::error_document(code, &message, request_id),
        ))
    } else {
        let e = e.ec2();
        Box::new(crate::xml_response(
            e.status,
            error_document(&e, request_id),
        ))
    }
}

/// The caller of an EC2 or STS request: verified against the credentials when they are loaded
/// (else an error response in the right dialect), or read from the credential scope unchecked.
pub(crate) fn aws_scope(
    st: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    params: &Params,
    request_id: &str,
) -> Result<Scope, Refusal> {
    let Some(creds) = &st.auth.verify else {
        let auth = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        return Ok(identity(auth, params.get("X-Amz-Credential")));
    };
    let hv: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let req = sigv4::Request {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        headers: &hv,
        body,
    };
    let sts_action = params.get("Action") == Some("GetCallerIdentity");
    let sig = sigv4::parse(&req).map_err(|e| aws_error(&e, sts_action, request_id))?;
    let sts_dialect = sts_action || sig.scope.service == "sts";
    if !matches!(sig.scope.service.as_str(), "ec2" | "sts") {
        let expected = if sts_dialect { "sts" } else { "ec2" };
        let e = SigError::Scope(format!(
            "Credential should be scoped to correct service: '{expected}'. "
        ));
        return Err(aws_error(&e, sts_dialect, request_id));
    }
    let now = (st.auth.wall_clock)();
    sigv4::verify(
        &req,
        &sig,
        |k| creds.aws.get(k).map(|key| key.secret.as_str()),
        now,
    )
    .map_err(|e| aws_error(&e, sts_dialect, request_id))?;
    let account = creds
        .aws
        .get(&sig.scope.access_key_id)
        .map(|k| k.account.clone())
        .unwrap_or_default();
    Ok(Scope::new(account, sig.scope.region))
}

// --- GCP ---------------------------------------------------------------------------------------

fn gcp_reply(status: u16, body: serde_json::Value, challenge: Option<&'static str>) -> Refusal {
    let mut resp = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED),
        Json(body),
    )
        .into_response();
    if let Some(c) = challenge {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(c));
    }
    Box::new(resp)
}

/// The grant of a GCP request's bearer token (`None` when tokens are not checked), or the 401.
pub(crate) fn gcp_authenticate<'a>(
    st: &'a AppState,
    headers: &HeaderMap,
) -> Result<Option<&'a Grant>, Refusal> {
    let Some(creds) = &st.auth.verify else {
        return Ok(None);
    };
    use vpcpeer_wire_gcp::auth::{unauthenticated, www_authenticate};
    let token = bearer(headers).map_err(|missing| {
        gcp_reply(
            401,
            unauthenticated(missing),
            Some(www_authenticate(missing)),
        )
    })?;
    creds
        .gcp
        .get(&sha256(token))
        .map(Some)
        .ok_or_else(|| gcp_reply(401, unauthenticated(false), Some(www_authenticate(false))))
}

/// 403 unless `grant` (when tokens are checked) covers the project of `call`.
pub(crate) fn gcp_permit(
    grant: Option<&Grant>,
    call: &vpcpeer_wire_gcp::Call,
) -> Result<(), Refusal> {
    match grant {
        Some(g) if !g.permits(&call.project, false) => Err(gcp_reply(
            403,
            vpcpeer_wire_gcp::auth::forbidden(call),
            None,
        )),
        _ => Ok(()),
    }
}

// --- Azure -------------------------------------------------------------------------------------

/// The grant of an Azure request's bearer token (`None` when tokens are not checked), or the
/// 401 reply.
pub(crate) fn azure_authenticate<'a>(
    st: &'a AppState,
    headers: &HeaderMap,
) -> Result<Option<&'a Grant>, vpcpeer_wire_azure::Reply> {
    let Some(creds) = &st.auth.verify else {
        return Ok(None);
    };
    use vpcpeer_wire_azure::auth::{invalid_format, invalid_token, missing_header};
    let token = bearer(headers).map_err(|missing| {
        if missing {
            missing_header()
        } else {
            invalid_format()
        }
    })?;
    creds
        .azure
        .get(&sha256(token))
        .map(Some)
        .ok_or_else(invalid_token)
}

/// 403 unless `grant` (when tokens are checked) covers the subscription of `route`.
pub(crate) fn azure_permit(
    grant: Option<&Grant>,
    method: &str,
    route: &vpcpeer_wire_azure::Route,
    path: &str,
) -> Result<(), vpcpeer_wire_azure::Reply> {
    match grant {
        Some(g) if !g.permits(route.subscription(), true) => Err(
            vpcpeer_wire_azure::auth::authorization_failed(&g.name, method, route, path),
        ),
        _ => Ok(()),
    }
}

// --- admin -------------------------------------------------------------------------------------

/// Whether `path` is an admin endpoint that needs the admin token. Health and the console's
/// static assets (`/_vpcpeer/console/…`, which hold no state) are read without it.
fn guarded(method: &Method, path: &str) -> bool {
    let read = matches!(*method, Method::GET | Method::HEAD);
    path.starts_with("/_vpcpeer")
        && !(read && (path == "/_vpcpeer/health" || path.starts_with("/_vpcpeer/console/")))
}

/// The refusal of a request to `/_vpcpeer/*` (but health) without the admin token, when one is
/// configured; `None` lets it through. Run by the server's edge ([`crate::layers::edge`]).
pub(crate) fn admin_refusal(st: &AppState, req: &Request<Body>) -> Option<Response> {
    let want = st.auth.admin?;
    if !guarded(req.method(), req.uri().path()) {
        return None;
    }
    if bearer(req.headers()).is_ok_and(|t| sha256(t) == want) {
        return None;
    }
    let mut resp = (
        StatusCode::UNAUTHORIZED,
        Json(serde_json::json!({
            "error": "this admin endpoint needs the server's admin token: send Authorization: Bearer TOKEN (vpcpeer reach and audit: --admin-token or VPCPEER_ADMIN_TOKEN)"
        })),
    )
        .into_response();
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"vpcpeer admin\""),
    );
    Some(resp)
}

#[cfg(test)]
mod tests;
