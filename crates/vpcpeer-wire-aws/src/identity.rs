//! Who is calling, when signatures are not verified (the default): the SigV4 credential scope
//! names the account (via the access key id) and the region, unchecked. With
//! `serve --verify-signatures` the server verifies the signature instead ([`crate::sigv4`]) and
//! takes the account from its credentials file.

use vpcpeer_model::aws::regions;
use vpcpeer_model::Scope;

use crate::Ec2Error;

/// Account used when the access key id is not a 12-digit account number.
pub const DEFAULT_ACCOUNT: &str = "000000000000";
/// Region used for unsigned requests.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The caller's account and region from an `Authorization` header or a presigned
/// `X-Amz-Credential` value (`AKID/yyyymmdd/region/service/aws4_request`).
pub fn identity(authorization: Option<&str>, presigned_credential: Option<&str>) -> Scope {
    let credential = authorization.and_then(credential).or(presigned_credential);
    let mut account = DEFAULT_ACCOUNT.to_owned();
    let mut region = DEFAULT_REGION.to_owned();
    if let Some(c) = credential {
        let mut parts = c.split('/');
        if let Some(akid) = parts.next() {
            if akid.len() == 12 && akid.bytes().all(|b| b.is_ascii_digit()) {
                account = akid.to_owned();
            }
        }
        if let Some(r) = parts.nth(1) {
            if !r.is_empty() {
                region = r.to_owned();
            }
        }
    }
    Scope::new(account, region)
}

/// Refuses a credential scope whose region is not a current AWS commercial region
/// ([`vpcpeer_model::aws::regions`]): 401 `AuthFailure`, "Credential should be scoped to a valid
/// region, not 'zz-fake-9'."
///
/// What EC2 itself answers is partly unverified: a client with a made-up region never reaches
/// EC2 (it cannot resolve `ec2.zz-fake-9.amazonaws.com`); a request signed for another region
/// reaching a regional endpoint is refused by AWS's SigV4 front end with that message (403
/// `SignatureDoesNotMatch` from Route 53, SES and IAM, per aws-sdk-php#732 and
/// JuliaCloud/AWS.jl#565), and EC2 reports credential problems as 401 `AuthFailure` (as for a
/// region the account has not enabled). The emulator answers EC2's code and status with the
/// scope message. Unsigned requests have no scope and keep the `us-east-1` default; STS
/// `GetCallerIdentity` is answered whatever the region (STS is global).
pub fn check_region(scope: &Scope) -> Result<(), Ec2Error> {
    if regions::is_region(&scope.region) {
        return Ok(());
    }
    Err(Ec2Error {
        code: "AuthFailure".into(),
        message: format!(
            "Credential should be scoped to a valid region, not '{}'.",
            vpcpeer_model::text::visible(&scope.region)
        ),
        status: 401,
    })
}

/// The `Credential=` value of an `Authorization` header (`AKID/date/region/service/…`): the
/// text after a `Credential=` that starts one of the header's parameters (after the algorithm,
/// a comma or whitespace), up to the next comma or whitespace. Every signed request carries this
/// header, so it is read without splitting the header or allocating.
fn credential(header: &str) -> Option<&str> {
    const KEY: &[u8] = b"Credential=";
    let bytes = header.as_bytes();
    let separator = |b: u8| b == b',' || b.is_ascii_whitespace();
    // Every SDK puts it first, right after the algorithm; otherwise look for it.
    let start = match header.strip_prefix("AWS4-HMAC-SHA256 Credential=") {
        Some(rest) => bytes.len() - rest.len(),
        None => {
            (0..bytes.len())
                .find(|&i| bytes[i..].starts_with(KEY) && (i == 0 || separator(bytes[i - 1])))?
                + KEY.len()
        }
    };
    let rest = &bytes[start..];
    let end = rest
        .iter()
        .position(|b| separator(*b))
        .unwrap_or(rest.len());
    // `start` and `end` sit next to ASCII bytes, so they are character boundaries.
    header.get(start..start + end)
}

/// The service named in the credential scope (`ec2`, `sts`), if any.
pub fn service(authorization: Option<&str>) -> Option<&str> {
    credential(authorization?)?.split('/').nth(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credential_is_found_as_a_parameter_only() {
        let cases = [
            (
                "AWS4-HMAC-SHA256 Credential=a/b/c/ec2/aws4_request, SignedHeaders=host",
                Some("a/b/c/ec2/aws4_request"),
            ),
            (
                "AWS4-HMAC-SHA256 SignedHeaders=host,Credential=x/y/z/sts/aws4_request",
                Some("x/y/z/sts/aws4_request"),
            ),
            (
                "AWS4-HMAC-SHA256 XCredential=no, Credential=yes/1/2/ec2",
                Some("yes/1/2/ec2"),
            ),
            ("Credential=first", Some("first")),
            ("AWS4-HMAC-SHA256 SignedHeaders=host", None),
            ("", None),
        ];
        for (header, want) in cases {
            assert_eq!(credential(header), want, "{header}");
        }
    }

    #[test]
    fn table() {
        let h = "AWS4-HMAC-SHA256 Credential=111122223333/20260101/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=ab";
        assert_eq!(
            identity(Some(h), None),
            Scope::new("111122223333", "eu-west-1")
        );
        let h = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-west-2/ec2/aws4_request, SignedHeaders=host, Signature=ab";
        assert_eq!(
            identity(Some(h), None),
            Scope::new(DEFAULT_ACCOUNT, "us-west-2")
        );
        assert_eq!(
            identity(None, None),
            Scope::new(DEFAULT_ACCOUNT, DEFAULT_REGION)
        );
        assert_eq!(
            identity(
                None,
                Some("222233334444/20260101/ap-south-1/ec2/aws4_request")
            ),
            Scope::new("222233334444", "ap-south-1")
        );
        assert_eq!(service(Some(h)), Some("ec2"));
    }

    #[test]
    fn regions_are_checked() {
        for r in [
            "us-east-1",
            "mx-central-1",
            "ap-southeast-7",
            "eu-central-2",
        ] {
            assert!(check_region(&Scope::new(DEFAULT_ACCOUNT, r)).is_ok(), "{r}");
        }
        for r in [
            "zz-fake-9",
            "US-EAST-1",
            "us-east-1a",
            "cn-north-1",
            "us-gov-west-1",
            "x",
        ] {
            let e = check_region(&Scope::new(DEFAULT_ACCOUNT, r)).unwrap_err();
            assert_eq!((e.code.as_str(), e.status), ("AuthFailure", 401), "{r}");
        }
        let e = check_region(&Scope::new(DEFAULT_ACCOUNT, "zz-fake-9")).unwrap_err();
        assert_eq!(
            e.message,
            "Credential should be scoped to a valid region, not 'zz-fake-9'."
        );
        // Unsigned requests keep the default region, which is valid.
        assert!(check_region(&identity(None, None)).is_ok());
    }
}
