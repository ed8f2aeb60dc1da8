//! Typed inputs of AWS commands, as the wire edge parses them: a value kept with the caller's own
//! spelling, which EC2 quotes back in its messages. The EC2 face (`vpcpeer-wire-aws`) parses the
//! request text; the model only receives the typed values.

use serde::{Deserialize, Serialize};

/// A value parsed at the edge, with the text it was parsed from. Messages about the value quote
/// `text` exactly as the caller wrote it (EC2 does: `10.0.0.1/16` is the block `10.0.0.0/16`, but
/// a refusal names `10.0.0.1/16`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spelled<T> {
    /// The parsed value.
    pub value: T,
    /// The caller's spelling of it.
    pub text: String,
}

impl<T: std::fmt::Display> Spelled<T> {
    /// A value written in its canonical form (commands built by code rather than parsed).
    pub fn canonical(value: T) -> Self {
        let text = value.to_string();
        Spelled { value, text }
    }
}
