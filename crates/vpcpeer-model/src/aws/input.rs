//! Typed inputs of AWS commands, as the wire edge parses them: CIDR blocks (kept with the
//! caller's own spelling, which EC2 quotes back in its messages) and the one rule that turns
//! CIDR text into them, so the EC2 face and the text inputs of tests and tools parse alike.

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::aws::error::Field;
use crate::{cidr, DomainError};

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

/// An IPv4 CIDR block given for `field` (host bits dropped), or `Invalid { field, value }`.
pub fn ipv4_block(text: &str, field: Field) -> Result<Spelled<Ipv4Net>, DomainError> {
    spelled(cidr::parse_v4(text), text, field)
}

/// An IPv6 CIDR block given for `field` (host bits dropped), or `Invalid { field, value }`.
pub fn ipv6_block(text: &str, field: Field) -> Result<Spelled<Ipv6Net>, DomainError> {
    spelled(cidr::parse_v6(text), text, field)
}

/// `parsed` with its spelling `text`, or `text` refused for `field`.
fn spelled<T>(parsed: Option<T>, text: &str, field: Field) -> Result<Spelled<T>, DomainError> {
    let text = text.to_owned();
    match parsed {
        Some(value) => Ok(Spelled { value, text }),
        None => Err(DomainError::Invalid { field, value: text }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_the_callers_spelling() {
        let b = ipv4_block("10.0.0.1/16", Field::VpcIpv4Block).expect("valid");
        assert_eq!(b.value.to_string(), "10.0.0.0/16");
        assert_eq!(b.text, "10.0.0.1/16");
        assert_eq!(
            ipv4_block("10.0.0.0/33", Field::VpcIpv4Block),
            Err(DomainError::Invalid {
                field: Field::VpcIpv4Block,
                value: "10.0.0.0/33".into()
            })
        );
        let b6 = ipv6_block("2600:1f18::1/64", Field::SubnetIpv6Block).expect("valid");
        assert_eq!(b6.value.to_string(), "2600:1f18::/64");
        assert!(ipv6_block("zz::/64", Field::SubnetIpv6Block).is_err());
        assert_eq!(
            Spelled::canonical(b.value).text,
            "10.0.0.0/16",
            "canonical spelling"
        );
    }
}
