//! Unit tests of the canonicalisation steps and date parsing.

use super::*;

#[test]
fn uri_normalisation_table() {
    for (raw, canonical) in [
        ("", "/"),
        ("/", "/"),
        ("//example//", "/example/"),
        ("/./", "/"),
        ("/./example", "/example"),
        ("/example/..", "/"),
        ("/example1/example2/../..", "/"),
        ("/example space/", "/example%20space/"),
        ("/a%20b", "/a%2520b"),
        ("/ሴ", "/%E1%88%B4"),
    ] {
        assert_eq!(canonical_uri(raw), canonical, "{raw}");
    }
}

#[test]
fn query_canonicalisation_table() {
    for (raw, presigned, canonical) in [
        ("", false, ""),
        (
            "Param2=value2&Param1=value1",
            false,
            "Param1=value1&Param2=value2",
        ),
        (
            "Param1=value2&Param1=Value1",
            false,
            "Param1=Value1&Param1=value2",
        ),
        ("a&&b=", false, "a=&b="),
        ("k=%7e%2f+x", false, "k=~%2F%2Bx"),
        ("b=1&X-Amz-Signature=ff&a=2", true, "a=2&b=1"),
        ("b=1&X-Amz-Signature=ff", false, "X-Amz-Signature=ff&b=1"),
    ] {
        assert_eq!(canonical_query(raw, presigned), canonical, "{raw}");
    }
}

#[test]
fn dates_parse_strictly() {
    assert_eq!(
        parse_amz_date("20150830T123600Z"),
        Ok(Timestamp(1_440_938_160_000))
    );
    for bad in [
        "2015-08-30T12:36:00Z",
        "20150830T123600",
        "20151330T123600Z",
        "2015083OT123600Z",
        "20150830T246000Z",
        "+0150830T123600Z",
    ] {
        assert!(
            matches!(parse_amz_date(bad), Err(SigError::Incomplete(m)) if m.starts_with("Date must be in ISO-8601 'basic format'")),
            "{bad}"
        );
    }
    assert_eq!(
        parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"),
        Ok(Timestamp(1_440_938_160_000))
    );
    assert_eq!(amz_basic(Timestamp(1_440_938_160_999)), "20150830T123600Z");
}

#[test]
fn trim_all_collapses_whitespace() {
    assert_eq!(trim_all(b"  \"a   b \t c\"  "), b"\"a b c\"".to_vec());
    assert_eq!(trim_all(b""), Vec::<u8>::new());
}

#[test]
fn messages_never_echo_control_characters() {
    let e = parse_scope("a\u{1}b/c").unwrap_err();
    let SigError::Incomplete(m) = e else {
        panic!("{e:?}")
    };
    assert!(!m.chars().any(char::is_control), "{m:?}");
}
