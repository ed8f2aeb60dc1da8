//! A small XML writer for EC2 response bodies (elements and escaped text only).
//!
//! Every document this writer produces is well-formed XML 1.0, whatever text it is handed:
//! [`escape`] replaces each character XML 1.0 cannot carry (the C0 controls other than TAB, LF
//! and CR, and U+FFFE/U+FFFF; Rust strings hold no surrogates) with U+FFFD, and writes CR as
//! `&#13;` so that parsers, which normalise a literal CR to LF, read it back unchanged. The
//! request edge ([`crate::params::check_characters`]) refuses such characters, so only data
//! stored before that check existed (a data directory of an older release) can meet the
//! replacement; it is the emulator's defence in depth, not an AWS behaviour.

use std::borrow::Cow;
use std::fmt::{Display, Write as _};

/// Whether XML 1.0 can carry `c` (its `Char` production: TAB, LF, CR, U+0020–U+D7FF,
/// U+E000–U+FFFD, U+10000–U+10FFFF).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text for element content: `&`, `<` and `>` as EC2 does (quotes and apostrophes stay
/// literal, e.g. `The vpc ID 'vpc-1' does not exist`), CR as `&#13;`, and every character XML 1.0
/// cannot carry replaced with U+FFFD (see the module docs).
pub fn escape(s: &str) -> Cow<'_, str> {
    if !may_need_escape(s.as_bytes())
        || !s
            .chars()
            .any(|c| matches!(c, '&' | '<' | '>' | '\r') || !is_xml_char(c))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if !is_xml_char(c) => out.push(char::REPLACEMENT_CHARACTER),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A quick byte scan: false when `s` certainly needs no escaping (no `&`, `<`, `>`, no C0
/// control other than TAB and LF, and no byte 0xEF, which starts the UTF-8 form of U+FFFE and
/// U+FFFF). True means [`escape`] must look at the characters.
fn may_need_escape(s: &[u8]) -> bool {
    s.iter()
        .any(|&b| matches!(b, b'&' | b'<' | b'>' | 0xEF) || (b < 0x20 && b != b'\t' && b != b'\n'))
}

/// An XML body under construction.
#[derive(Debug, Default, Clone)]
pub struct Xml {
    buf: String,
}

impl Xml {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// The text so far.
    pub fn finish(self) -> String {
        self.buf
    }

    /// The text so far, borrowed.
    pub fn as_str(&self) -> &str {
        &self.buf
    }

    /// `<tag>value</tag>` with `value` escaped. The value is formatted straight into the body
    /// and escaped in place only when it needs it.
    pub fn leaf(&mut self, tag: &str, value: impl Display) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(tag);
        self.buf.push('>');
        self.text(value);
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push('>');
        self
    }

    /// Appends `value` as escaped text.
    fn text(&mut self, value: impl Display) {
        let start = self.buf.len();
        write!(self.buf, "{value}").expect("writing to a String cannot fail");
        if may_need_escape(&self.buf.as_bytes()[start..]) {
            let raw = self.buf.split_off(start);
            self.buf.push_str(&escape(&raw));
        }
    }

    /// A leaf only when `value` is present.
    pub fn opt_leaf<T: Display>(&mut self, tag: &str, value: Option<T>) -> &mut Self {
        if let Some(v) = value {
            self.leaf(tag, v);
        }
        self
    }

    /// `<tag>…</tag>` around what `f` writes.
    pub fn node(&mut self, tag: &str, f: impl FnOnce(&mut Xml)) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(tag);
        self.buf.push('>');
        f(self);
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push('>');
        self
    }

    /// `<tag><item>…</item>…</tag>`, one item per element of `items`.
    pub fn list<I: IntoIterator>(
        &mut self,
        tag: &str,
        items: I,
        mut f: impl FnMut(&mut Xml, I::Item),
    ) -> &mut Self {
        self.node(tag, |x| {
            for it in items {
                x.node("item", |x| f(x, it));
            }
        })
    }

    /// `<tag><item>v</item>…</tag>` for scalar values.
    pub fn scalar_list<T: Display>(
        &mut self,
        tag: &str,
        items: impl IntoIterator<Item = T>,
    ) -> &mut Self {
        self.list(tag, items, |x, v| x.text(v))
    }

    /// `<tagSet>` of user tags.
    pub fn tags(&mut self, tags: &vpcpeer_model::Tags) -> &mut Self {
        self.list("tagSet", tags.iter(), |x, (k, v)| {
            x.leaf("key", k).leaf("value", v);
        })
    }

    /// Appends raw, already-escaped XML. Characters XML 1.0 cannot carry are still replaced
    /// with U+FFFD, so even a careless caller cannot make the document ill-formed that way.
    pub fn raw(&mut self, s: &str) -> &mut Self {
        self.buf.extend(s.chars().map(|c| {
            if is_xml_char(c) {
                c
            } else {
                char::REPLACEMENT_CHARACTER
            }
        }));
        self
    }
}
