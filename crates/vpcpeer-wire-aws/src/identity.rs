//! Who is calling, when signatures are not verified (the default): the SigV4 credential scope
//! names the account (via the access key id) and the region, unchecked. With
//! `serve --verify-signatures` the server verifies the signature instead ([`crate::sigv4`]) and
//! takes the account from its credentials file.

use vpcpeer_model::Scope;

/// Account used when the access key id is not a 12-digit account number.
pub const DEFAULT_ACCOUNT: &str = "000000000000";
/// Region used for unsigned requests.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The caller's account and region from an `Authorization` header or a presigned
/// `X-Amz-Credential` value (`AKID/yyyymmdd/region/service/aws4_request`).
pub fn identity(authorization: Option<&str>, presigned_credential: Option<&str>) -> Scope {
    let credential = authorization
        .and_then(|h| {
            h.split(|c: char| c == ',' || c.is_whitespace())
                .find_map(|part| part.trim().strip_prefix("Credential="))
        })
        .or(presigned_credential);
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

/// The service named in the credential scope (`ec2`, `sts`), if any.
pub fn service(authorization: Option<&str>) -> Option<String> {
    let h = authorization?;
    let c = h
        .split(|c: char| c == ',' || c.is_whitespace())
        .find_map(|part| part.trim().strip_prefix("Credential="))?;
    c.split('/').nth(3).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(service(Some(h)).as_deref(), Some("ec2"));
    }
}
