//! A tiny tag scanner for EC2 XML answers: enough to pull an id out of `<vpcId>…</vpcId>` without
//! an XML parser.

/// The text of the first `<tag>…</tag>` in `body`, if there is one and it is UTF-8.
pub fn first_tag<'a>(body: &'a [u8], tag: &str) -> Option<&'a str> {
    let tag = tag.as_bytes();
    let mut from = 0;
    while let Some(at) = find(&body[from..], b"<") {
        let open = from + at + 1;
        let rest = &body[open..];
        if rest.len() > tag.len() && rest.starts_with(tag) && rest[tag.len()] == b'>' {
            let start = open + tag.len() + 1;
            let len = find(&body[start..], b"</")?;
            let end = start + len;
            let close = &body[end + 2..];
            if close.len() > tag.len() && close.starts_with(tag) && close[tag.len()] == b'>' {
                return std::str::from_utf8(&body[start..end]).ok();
            }
            return None;
        }
        from = open;
    }
    None
}

/// Whether `needle` occurs in `body`.
pub fn contains(body: &[u8], needle: &str) -> bool {
    !needle.is_empty() && find(body, needle.as_bytes()).is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = 0;
    while i <= last_start {
        let off = hay[i..=last_start].iter().position(|&b| b == first)?;
        i += off;
        if &hay[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATE_VPC: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<CreateVpcResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r-1</requestId>
  <vpc><vpcId>vpc-0abc</vpcId><vpcIdx>no</vpcIdx><cidrBlock>10.0.0.0/16</cidrBlock></vpc>
</CreateVpcResponse>"#;

    #[test]
    fn finds_the_first_tag() {
        assert_eq!(first_tag(CREATE_VPC, "vpcId"), Some("vpc-0abc"));
        assert_eq!(first_tag(CREATE_VPC, "cidrBlock"), Some("10.0.0.0/16"));
        assert_eq!(
            first_tag(CREATE_VPC, "vpc"),
            None,
            "nested content has no text leaf"
        );
        assert_eq!(first_tag(CREATE_VPC, "subnetId"), None);
        assert_eq!(first_tag(b"<a>x", "a"), None);
        assert_eq!(first_tag(b"<ab>x</ab><a>y</a>", "a"), Some("y"));
        assert_eq!(first_tag(b"<a></a>", "a"), Some(""));
        assert_eq!(first_tag(b"", "a"), None);
        assert_eq!(first_tag(b"<", "a"), None);
    }

    #[test]
    fn contains_finds_substrings() {
        assert!(contains(CREATE_VPC, "vpc-0abc"));
        assert!(!contains(CREATE_VPC, "vpc-0abd"));
        assert!(!contains(CREATE_VPC, ""));
        assert!(!contains(b"ab", "abc"));
        assert!(contains(b"aab", "ab"));
    }
}
