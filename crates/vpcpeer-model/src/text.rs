//! Which characters the emulator accepts in the text a caller gives it (names, values, tags).
//!
//! One rule for every face: the C0 controls other than TAB, LF and CR, DEL and the C1 controls
//! (U+007F–U+009F), and the noncharacters U+FFFE/U+FFFF are refused. XML 1.0 cannot carry the C0
//! controls nor U+FFFE/U+FFFF at all (an EC2 document holding one is not well-formed), and it
//! discourages DEL and C1; no cloud API parameter needs any of them. This is the emulator's
//! choice: the clouds' exact answers to such characters are unverified.

/// Whether `c` is refused in caller-given text (see the module docs).
pub fn is_refused_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// The first refused character of `s` and its 1-based position in characters.
pub fn first_refused_char(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|(_, c)| is_refused_char(*c))
        .map(|(i, c)| (i + 1, c))
}

/// `\u0001`-style spelling of a character, for messages.
pub fn unicode_escape(c: char) -> String {
    format!("\\u{:04X}", u32::from(c))
}

/// `s` for an error message: every refused character spelled `\uXXXX`, and text past 64
/// characters cut with `…`, so echoing input is short and safe in any document.
pub fn visible(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 64 {
            out.push('…');
            break;
        }
        if is_refused_char(c) {
            out.push_str(&unicode_escape(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        for c in [
            '\u{0}', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}',
            '\u{fffe}', '\u{ffff}',
        ] {
            assert!(is_refused_char(c), "{c:?}");
        }
        for c in [
            '\t',
            '\n',
            '\r',
            ' ',
            'a',
            '\u{a0}',
            'é',
            '\u{fffd}',
            '\u{10000}',
            '😀',
        ] {
            assert!(!is_refused_char(c), "{c:?}");
        }
        assert_eq!(first_refused_char("ab\u{1}c"), Some((3, '\u{1}')));
        assert_eq!(visible("a\u{1}b"), "a\\u0001b");
        assert_eq!(visible(&"x".repeat(100)).chars().count(), 65);
    }
}
