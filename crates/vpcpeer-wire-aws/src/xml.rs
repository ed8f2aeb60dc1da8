//! A small XML writer for EC2 response bodies (elements and escaped text only).

use std::fmt::Display;

/// Escapes text for element content: only `&`, `<` and `>`, as EC2 does (quotes and apostrophes
/// stay literal, e.g. `The vpc ID 'vpc-1' does not exist`).
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::partial_escape(s)
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

    /// `<tag>value</tag>` with `value` escaped.
    pub fn leaf(&mut self, tag: &str, value: impl Display) -> &mut Self {
        let v = value.to_string();
        self.buf.push('<');
        self.buf.push_str(tag);
        self.buf.push('>');
        self.buf.push_str(&escape(&v));
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push('>');
        self
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
        self.list(tag, items, |x, v| {
            x.buf.push_str(&escape(&v.to_string()));
        })
    }

    /// `<tagSet>` of user tags.
    pub fn tags(&mut self, tags: &vpcpeer_model::Tags) -> &mut Self {
        self.list("tagSet", tags.iter(), |x, (k, v)| {
            x.leaf("key", k).leaf("value", v);
        })
    }

    /// Appends raw, already-valid XML.
    pub fn raw(&mut self, s: &str) -> &mut Self {
        self.buf.push_str(s);
        self
    }
}
