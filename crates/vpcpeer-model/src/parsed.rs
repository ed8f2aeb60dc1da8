//! A request value the wire crate parsed, kept with the text it came from: [`Spelled`], over a
//! [`Syntax`]. A text that spells no value still travels in the command (the value is `None`),
//! and the command refuses it at its place among the checks, quoting the text as the client
//! spelled it. Serialized (the command log, the stored form) as that text. Used by Azure
//! (prefixes, addresses, security rule fields) and GCP (a firewall entry's protocol).

use serde::{Deserialize, Serialize};

/// A syntax a [`Spelled`] value is parsed with.
pub trait Syntax: Sized + Clone {
    /// The value `text` spells, if it spells one.
    fn parse(text: &str) -> Option<Self>;
}

/// A value parsed at the wire edge, with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String", bound = "")]
pub struct Spelled<T: Syntax> {
    text: String,
    value: Option<T>,
}

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
