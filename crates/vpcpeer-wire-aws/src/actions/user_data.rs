//! An instance's user data as the EC2 API carries it: base64 text in RunInstances `UserData`,
//! a launch template's `LaunchTemplateData.UserData`, ModifyInstanceAttribute `UserData.Value`
//! (or `Attribute=userData` with `Value`), and DescribeInstanceAttribute's
//! `<userData><value>…</value></userData>`.
//!
//! AWS limits user data to 16 KB in raw form, before base64 encoding (the RunInstances API
//! reference: "User data is limited to 16 KB"; EC2 User Guide, "Run commands when you launch an
//! EC2 instance with user data input"), and refuses more with `InvalidParameterValue` "User data
//! is limited to 16384 bytes"; text that is not base64 is `InvalidParameterValue` "Invalid
//! BASE64 encoding of user data." (AWS's wording as commonly quoted [UNVERIFIED exact text]).
//! The emulator keeps the decoded bytes re-encoded in canonical base64 (padding, no line
//! breaks), which is what DescribeInstanceAttribute answers; an empty value is no user data.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::{Ec2Error, Params};

/// The most bytes of user data, before base64 encoding.
pub(crate) const MAX_USER_DATA: usize = 16 * 1024;

/// The user data in parameter `name`: `None` when absent or empty, else its canonical base64.
pub(crate) fn param(p: &Params, name: &str) -> Result<Option<String>, Ec2Error> {
    match p.get(name) {
        None => Ok(None),
        Some(text) => value(text),
    }
}

/// A user data value: `None` when empty, else its canonical base64.
pub(crate) fn value(text: &str) -> Result<Option<String>, Ec2Error> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Ok(None);
    }
    let bytes = STANDARD.decode(compact.as_bytes()).map_err(|_| {
        Ec2Error::new(
            "InvalidParameterValue",
            "Invalid BASE64 encoding of user data.",
        )
    })?;
    if bytes.len() > MAX_USER_DATA {
        return Err(Ec2Error::new(
            "InvalidParameterValue",
            format!("User data is limited to {MAX_USER_DATA} bytes"),
        ));
    }
    Ok(Some(STANDARD.encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_decode_within_the_limit_and_come_back_canonical() {
        let at_limit = STANDARD.encode(vec![b'a'; MAX_USER_DATA]);
        let over = STANDARD.encode(vec![b'a'; MAX_USER_DATA + 1]);
        let cases: Vec<(&str, Result<Option<String>, &str>)> = vec![
            ("", Ok(None)),
            ("  ", Ok(None)),
            ("aGVsbG8=", Ok(Some("aGVsbG8=".into()))),
            ("aGVs\nbG8=", Ok(Some("aGVsbG8=".into()))),
            ("not base64!", Err("Invalid BASE64 encoding of user data.")),
            ("aGVsbG8", Err("Invalid BASE64 encoding of user data.")),
            (&at_limit, Ok(Some(at_limit.clone()))),
            (&over, Err("User data is limited to 16384 bytes")),
        ];
        for (text, want) in cases {
            let got = value(text).map_err(|e| {
                assert_eq!(e.code, "InvalidParameterValue");
                e.message.clone()
            });
            match (&got, &want) {
                (Ok(g), Ok(w)) => assert_eq!(g, w, "{text:.20}"),
                (Err(g), Err(w)) => assert_eq!(g, w, "{text:.20}"),
                _ => panic!("{text:.20}: {got:?} vs {want:?}"),
            }
        }
    }
}
