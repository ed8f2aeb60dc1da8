//! The golden wire tests' harness: a fixed clock, seeded ids and a fixed request id, and each
//! answer as the whole document a client reads (the success envelope, or the error document).
//! Requests skip the edge's character check, as the golden files always have.

use vpcpeer_model::testkit::{TestEnv, A};
use vpcpeer_model::Timestamp;
use vpcpeer_wire_aws::{error_document, success_envelope, Ec2Error};

use super::{form, run};

/// The request id every golden document carries.
pub const REQUEST_ID: &str = "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE";
/// 2026-01-02T03:04:05.678Z
pub const NOW: Timestamp = Timestamp(1_767_323_045_678);
/// Account A in us-east-1, where a golden call runs unless told otherwise.
pub const A_EAST: (&str, &str) = (A, "us-east-1");

/// The model harness at [`NOW`] with one id source (seeded with `seed`) shared by every call.
pub fn env_with_seed(seed: u64) -> TestEnv {
    let mut env = TestEnv::with_seed(seed);
    env.now = NOW;
    env
}

/// [`env_with_seed`] 1.
pub fn env() -> TestEnv {
    env_with_seed(1)
}

/// Runs `action` as `who` (`(account, region)`); commits on success, rolls back on error. The
/// success envelope.
pub fn call_in(
    env: &mut TestEnv,
    who: (&str, &str),
    action: &str,
    body: &str,
) -> Result<String, Ec2Error> {
    let xml = run(env, who, action, &form(action, body))?;
    Ok(success_envelope(action, REQUEST_ID, &xml))
}

/// [`call_in`] as account A in us-east-1.
pub fn call(env: &mut TestEnv, action: &str, body: &str) -> Result<String, Ec2Error> {
    call_in(env, A_EAST, action, body)
}

/// [`call_in`], which must succeed.
pub fn ok_in(env: &mut TestEnv, who: (&str, &str), action: &str, body: &str) -> String {
    call_in(env, who, action, body).unwrap_or_else(|e| panic!("{action} {body}: {e:?}"))
}

/// [`ok_in`] as account A in us-east-1.
pub fn ok(env: &mut TestEnv, action: &str, body: &str) -> String {
    ok_in(env, A_EAST, action, body)
}

/// [`call_in`], which must fail: the error and its document.
pub fn refused_in(
    env: &mut TestEnv,
    who: (&str, &str),
    action: &str,
    body: &str,
) -> (Ec2Error, String) {
    match call_in(env, who, action, body) {
        Ok(doc) => panic!("{action} unexpectedly succeeded: {doc}"),
        Err(e) => {
            let doc = error_document(&e, REQUEST_ID);
            (e, doc)
        }
    }
}

/// [`refused_in`] as account A in us-east-1.
pub fn refused(env: &mut TestEnv, action: &str, body: &str) -> (Ec2Error, String) {
    refused_in(env, A_EAST, action, body)
}

/// A failed call as account A in us-east-1: HTTP status, error code and error document.
pub fn err(env: &mut TestEnv, action: &str, body: &str) -> (u16, String, String) {
    let (e, doc) = refused(env, action, body);
    (e.status, e.code, doc)
}

/// The document of `action` as account A in us-east-1, whether it succeeds or fails.
pub fn document(env: &mut TestEnv, action: &str, body: &str) -> String {
    call(env, action, body).unwrap_or_else(|e| error_document(&e, REQUEST_ID))
}
