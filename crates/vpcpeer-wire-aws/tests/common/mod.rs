//! Helpers shared by the EC2 face's integration tests: one way to run an action in-process, as
//! the server does, and to read values out of its XML.

#![allow(dead_code)]

use vpcpeer_model::testkit::{TestEnv, A};
use vpcpeer_model::Scope;
use vpcpeer_wire_aws::{handler, Ec2Error, Params, Xml};

pub mod golden;

/// The parameters of `action` with the form `body`, parsed as the server parses a request.
pub fn form(action: &str, body: &str) -> Params {
    let form = format!("Action={action}&Version=2016-11-15&{body}");
    Params::parse("", form.as_bytes())
}

/// Runs `action` with `params` as `(account, region)`, without the edge's character check;
/// commits on success, rolls back on error. The result's XML (no envelope).
pub fn run(
    env: &mut TestEnv,
    (account, region): (&str, &str),
    action: &str,
    params: &Params,
) -> Result<String, Ec2Error> {
    let h = handler(action).unwrap_or_else(|| panic!("no handler for {action}"));
    let mut x = Xml::new();
    env.transact(&Scope::new(account, region), |tx| h.run(tx, params, &mut x))?;
    Ok(x.finish())
}

/// Runs `action` with the form `body` as `account` in us-east-1, characters checked first as the
/// server does; commits on success, rolls back on error. The result's XML (no envelope).
pub fn call_as(
    env: &mut TestEnv,
    account: &str,
    action: &str,
    body: &str,
) -> Result<String, Ec2Error> {
    let params = form(action, body);
    params.check_characters()?;
    run(env, (account, "us-east-1"), action, &params)
}

/// [`call_as`] account A.
pub fn call(env: &mut TestEnv, action: &str, body: &str) -> Result<String, Ec2Error> {
    call_as(env, A, action, body)
}

/// [`call`], which must succeed.
pub fn ok(env: &mut TestEnv, action: &str, body: &str) -> String {
    call(env, action, body).unwrap_or_else(|e| panic!("{action} {body}: {e:?}"))
}

/// [`ok`]; the text of the first `<tag>` of its XML.
pub fn ok_field(env: &mut TestEnv, action: &str, body: &str, tag: &str) -> String {
    first(&ok(env, action, body), tag)
}

/// The text between the first `open` and the next `close` in `s`; both must be there.
pub fn between(s: &str, open: &str, close: &str) -> String {
    let a = s.find(open).unwrap_or_else(|| panic!("no {open} in {s}")) + open.len();
    let b = s[a..]
        .find(close)
        .unwrap_or_else(|| panic!("no {close} in {s}"))
        + a;
    s[a..b].to_owned()
}

/// The text of the first `<tag>` element (up to the next markup) in `doc`.
pub fn first(doc: &str, tag: &str) -> String {
    between(doc, &format!("<{tag}>"), "<")
}

/// `s` percent-encoded for a form body: every byte but ASCII letters, digits, `-`, `_` and `.`.
pub fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
