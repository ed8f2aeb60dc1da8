//! CIDR blocks from request text: the one rule the EC2 face uses to turn a block parameter into
//! a [`Spelled`] domain value (host bits dropped, the caller's spelling kept for messages), or to
//! refuse it as `Invalid { field, value }`.
//!
//! Host bits are dropped on purpose (issue 11, point 4): AWS's API reference says so of every
//! action that takes a block (CreateVpc, CreateSubnet, CreateRoute, CreateNetworkAclEntry: "We
//! modify the specified CIDR block to its canonical form; for example, if you specify
//! 100.68.0.18/18, we modify it to 100.68.0.0/18"; security group rules: "Amazon Web Services
//! canonicalizes IPv4 and IPv6 CIDRs"), so `42.17.88.3/16` is stored and shown as
//! `42.17.0.0/16`, never refused. AssociateVpcCidrBlock, ReplaceRoute and ReplaceNetworkAclEntry
//! follow the same rule [UNVERIFIED: their reference does not say]. Refusals still quote the
//! caller's own spelling.

use ipnet::{Ipv4Net, Ipv6Net};
use vpcpeer_model::aws::input::Spelled;
use vpcpeer_model::{cidr, DomainError, Field};

/// An IPv4 CIDR block given for `field` (host bits dropped), or `Invalid { field, value }`.
pub(crate) fn ipv4_block(text: &str, field: Field) -> Result<Spelled<Ipv4Net>, DomainError> {
    spelled(cidr::parse_v4(text), text, field)
}

/// An IPv6 CIDR block given for `field` (host bits dropped), or `Invalid { field, value }`.
pub(crate) fn ipv6_block(text: &str, field: Field) -> Result<Spelled<Ipv6Net>, DomainError> {
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
