//! Typed inputs of Azure commands: an address prefix or an IP address as the wire crate parsed
//! it, kept with the text it came from.
//!
//! The wire parses every prefix and address when it builds a command, so the model never parses
//! request text. A value that did not parse still travels in the command, and the model refuses
//! it at the point of its checks where ARM does (after the name, resource group and location
//! checks), so a request with two mistakes gets the same refusal as before; the refusal quotes
//! the text as the client spelled it. Serialized (the command log) as that text.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

/// A syntax a [`Spelled`] value is parsed with.
pub trait Syntax: Sized + Clone {
    /// The value `text` spells, if it spells one.
    fn parse(text: &str) -> Option<Self>;
}

/// An address prefix: a CIDR block without host bits (`10.0.0.0/16`), surrounding blanks
/// allowed.
impl Syntax for Ipv4Net {
    fn parse(text: &str) -> Option<Self> {
        let net: Ipv4Net = text.trim().parse().ok()?;
        (net.trunc() == net).then_some(net)
    }
}

/// An IPv4 address, exactly (`10.0.1.4`).
impl Syntax for Ipv4Addr {
    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

/// A value parsed at the wire edge, with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Spelled<T: Syntax> {
    text: String,
    value: Option<T>,
}

/// An address prefix as a request gave it.
pub type AddressPrefix = Spelled<Ipv4Net>;
/// An IP address as a request gave it.
pub type IpAddress = Spelled<Ipv4Addr>;

impl<T: Syntax> Spelled<T> {
    /// Parses `text`.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let value = T::parse(&text);
        Spelled { text, value }
    }

    /// The text as the request spelled it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value, if the text spelled one.
    pub fn value(&self) -> Option<&T> {
        self.value.as_ref()
    }
}

impl<T: Syntax> From<String> for Spelled<T> {
    fn from(text: String) -> Self {
        Spelled::new(text)
    }
}

impl<T: Syntax> From<&str> for Spelled<T> {
    fn from(text: &str) -> Self {
        Spelled::new(text)
    }
}

impl<T: Syntax> From<Spelled<T>> for String {
    fn from(s: Spelled<T>) -> Self {
        s.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_addresses_parse_as_arm_reads_them() {
        let p = AddressPrefix::new(" 10.0.0.0/16 ");
        assert_eq!(p.value(), Some(&"10.0.0.0/16".parse().unwrap()));
        assert_eq!(p.text(), " 10.0.0.0/16 ", "the text is kept as given");
        assert_eq!(AddressPrefix::new("10.0.0.1/16").value(), None, "host bits");
        assert_eq!(AddressPrefix::new("nope").value(), None);
        assert_eq!(
            IpAddress::new("10.0.1.4").value(),
            Some(&Ipv4Addr::new(10, 0, 1, 4))
        );
        assert_eq!(IpAddress::new(" 10.0.1.4").value(), None, "no blanks");
    }
}
