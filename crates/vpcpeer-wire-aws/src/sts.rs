//! STS `GetCallerIdentity` (Query protocol, version 2011-06-15), which Terraform and many scripts
//! call before anything else.

use vpcpeer_model::Scope;

/// The `GetCallerIdentity` response document.
pub fn get_caller_identity(scope: &Scope, request_id: &str) -> String {
    let acct = crate::xml::escape(&scope.account);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::{acct}:root</Arn><UserId>{acct}</UserId><Account>{acct}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    )
}

/// An STS error document.
pub fn error_document(code: &str, message: &str, request_id: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
        crate::xml::escape(code),
        crate::xml::escape(message)
    )
}
