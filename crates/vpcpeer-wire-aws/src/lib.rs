//! The EC2 Query protocol (API version 2016-11-15) and the few STS calls clients make first.
//!
//! [`Params`] holds the flattened form parameters of a request; each action's handler parses them
//! into a model command, runs it on a [`Tx`](vpcpeer_model::Tx) and writes AWS's XML shape into an
//! [`Xml`] buffer. [`Ec2Error`] is an error in EC2's dialect (code, message, HTTP status);
//! every [`DomainError`](vpcpeer_model::DomainError) maps to one in [`error`].
//!
//! This crate does no I/O and knows nothing of HTTP servers, stores or the service layer: the
//! server hands it parameters and a transaction and sends back what it renders.

pub mod actions;
mod catalog_messages;
pub mod error;
pub mod filter;
pub mod identity;
mod messages;
pub mod params;
pub mod render;
pub mod sigv4;
pub mod xml;

pub use actions::{handler, Action, Parse, Prepare, Read, Render, ACTIONS};
pub use error::Ec2Error;
pub use identity::identity;
pub use params::Params;
pub use render::peering_state_name;
pub use xml::Xml;

/// XML namespace of EC2 responses.
pub const EC2_NS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

/// Wraps an action's body in its `<ActionResponse>` envelope with a request id.
pub fn success_envelope(action: &str, request_id: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"{EC2_NS}\"><requestId>{request_id}</requestId>{body}</{action}Response>"
    )
}

/// The EC2 error document.
pub fn error_document(err: &Ec2Error, request_id: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{}</Code><Message>{}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>",
        xml::escape(&err.code),
        xml::escape(&err.message)
    )
}

pub mod sts;
