//! The signer: an `Authorization` header or a presigned query string for a request, with the
//! same canonicalisation as [`super::verify`] (used by tests, and by tools that need to sign).

use vpcpeer_model::Timestamp;

use super::{
    compute_signature, parse_amz_date, uri_encode, Form, Request, Scope, Signature, ALGORITHM,
    TERMINATOR,
};

/// What a signer needs.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    /// Access key id.
    pub access_key_id: &'a str,
    /// Secret access key.
    pub secret: &'a str,
    /// Region of the scope.
    pub region: &'a str,
    /// Service of the scope.
    pub service: &'a str,
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: &'a str,
}

impl Signer<'_> {
    fn signature(&self, form: Form, signed_headers: &[&str], expires: Option<i64>) -> Signature {
        Signature {
            form,
            scope: Scope {
                access_key_id: self.access_key_id.to_owned(),
                date: self.amz_date.get(..8).unwrap_or_default().to_owned(),
                region: self.region.to_owned(),
                service: self.service.to_owned(),
            },
            signed_headers: signed_headers.iter().map(|h| (*h).to_owned()).collect(),
            signature: String::new(),
            amz_date: self.amz_date.to_owned(),
            signed_at: parse_amz_date(self.amz_date).unwrap_or(Timestamp(0)),
            expires,
            session_token: false,
        }
    }
}

/// The `Authorization` header value for `req` (which must already carry the signed headers,
/// including `x-amz-date`); `signed_headers` lower-case and sorted.
pub fn authorization_header(req: &Request<'_>, signed_headers: &[&str], s: &Signer<'_>) -> String {
    let sig = s.signature(Form::Header, signed_headers, None);
    format!(
        "{ALGORITHM} Credential={}/{}/{}/{}/{TERMINATOR}, SignedHeaders={}, Signature={}",
        s.access_key_id,
        sig.scope.date,
        s.region,
        s.service,
        signed_headers.join(";"),
        compute_signature(req, &sig, s.secret)
    )
}

/// Presigns `req`: its query string with the `X-Amz-*` parameters and the signature appended.
pub fn presign(req: &Request<'_>, signed_headers: &[&str], expires: i64, s: &Signer<'_>) -> String {
    let sig = s.signature(Form::Query, signed_headers, Some(expires));
    let credential = format!(
        "{}/{}/{}/{}/{TERMINATOR}",
        s.access_key_id, sig.scope.date, s.region, s.service
    );
    let mut query = req.query.to_owned();
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str(&format!(
        "X-Amz-Algorithm={ALGORITHM}&X-Amz-Credential={}&X-Amz-Date={}&X-Amz-Expires={expires}&X-Amz-SignedHeaders={}",
        uri_encode(credential.as_bytes(), false),
        s.amz_date,
        uri_encode(signed_headers.join(";").as_bytes(), false)
    ));
    let signed = Request {
        query: &query,
        ..*req
    };
    let signature = compute_signature(&signed, &sig, s.secret);
    format!("{query}&X-Amz-Signature={signature}")
}
