//! Every document the EC2/STS writers produce is well-formed XML 1.0 whatever text they are
//! handed (issue 8, item 1b): each one is parsed with quick-xml, and the text of the allowed
//! characters comes back unchanged.

use proptest::prelude::*;
use quick_xml::events::Event;
use quick_xml::Reader;
use vpcpeer_model::Tags;
use vpcpeer_wire_aws::params::refused_char;
use vpcpeer_wire_aws::xml::is_xml_char;
use vpcpeer_wire_aws::{error_document, sts, success_envelope, Ec2Error, Params, Xml};

/// Parses `doc` with quick-xml, checking every character and entity; the text of each leaf
/// element, in document order.
fn parse(doc: &str) -> Result<Vec<String>, String> {
    if let Some(c) = doc.chars().find(|c| !is_xml_char(*c)) {
        return Err(format!("character U+{:04X} is not XML 1.0", u32::from(c)));
    }
    let mut r = Reader::from_str(doc);
    r.config_mut().check_end_names = true;
    let mut texts = Vec::new();
    let mut current: Option<String> = None;
    let mut depth = 0i32;
    loop {
        match r.read_event().map_err(|e| e.to_string())? {
            Event::Start(_) => {
                depth += 1;
                current = Some(String::new());
            }
            Event::End(_) => {
                depth -= 1;
                if let Some(t) = current.take() {
                    texts.push(t);
                }
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| e.to_string())?;
                if let Some(c) = current.as_mut() {
                    c.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err("unbalanced elements".into());
    }
    Ok(texts)
}

/// What a reader sees of `s` once written: refused-by-XML characters become U+FFFD.
fn as_read(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_xml_char(c) {
                c
            } else {
                char::REPLACEMENT_CHARACTER
            }
        })
        .collect()
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        any::<String>(),
        prop::collection::vec(
            prop_oneof![
                Just('\u{0}'),
                Just('\u{1}'),
                Just('\u{b}'),
                Just('\u{1f}'),
                Just('\u{7f}'),
                Just('\u{85}'),
                Just('\u{fffe}'),
                Just('\u{ffff}'),
                Just('\r'),
                Just('\n'),
                Just('\t'),
                Just('&'),
                Just('<'),
                Just('>'),
                Just(']'),
                Just('a'),
                Just('é'),
                Just('😀'),
            ],
            0..24
        )
        .prop_map(|v| v.into_iter().collect()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn error_documents_are_well_formed(code in any_text(), message in any_text()) {
        let doc = error_document(&Ec2Error::new(&code, message.clone()), "req-1");
        let texts = parse(&doc).map_err(|e| TestCaseError::fail(format!("{e}: {doc:?}")))?;
        prop_assert_eq!(&texts[0], &as_read(&code));
        prop_assert_eq!(&texts[1], &as_read(&message));
        let doc = sts::error_document(&code, &message, "req-1");
        let texts = parse(&doc).map_err(|e| TestCaseError::fail(format!("{e}: {doc:?}")))?;
        prop_assert_eq!(&texts[1], &as_read(&code));
        prop_assert_eq!(&texts[2], &as_read(&message));
    }

    #[test]
    fn written_bodies_are_well_formed(key in any_text(), value in any_text(), items in prop::collection::vec(any_text(), 0..4)) {
        let mut tags = Tags::new();
        tags.insert(key.clone(), value.clone());
        let mut x = Xml::new();
        x.leaf("a", &value)
            .opt_leaf("b", Some(&key))
            .tags(&tags)
            .scalar_list("c", items.iter())
            .raw(&value.replace(['<', '>', '&'], ""));
        let doc = success_envelope("DescribeTags", "req-1", x.as_str());
        let texts = parse(&doc).map_err(|e| TestCaseError::fail(format!("{e}: {doc:?}")))?;
        // requestId, a, b, key, value, then the scalar items.
        prop_assert_eq!(&texts[1], &as_read(&value));
        prop_assert_eq!(&texts[2], &as_read(&key));
        prop_assert_eq!(&texts[3], &as_read(&key));
        prop_assert_eq!(&texts[4], &as_read(&value));
        for (i, it) in items.iter().enumerate() {
            prop_assert_eq!(&texts[5 + i], &as_read(it));
        }
    }

    /// The edge check refuses exactly the characters `refused_char` names, in names and values.
    #[test]
    fn edge_check_refuses_exactly_the_refused_characters(value in any_text()) {
        let p = Params::from_pairs([("Action", "CreateTags"), ("Tag.1.Value", value.as_str())]);
        let bad = value.chars().any(refused_char);
        prop_assert_eq!(p.check_characters().is_err(), bad);
        let p = Params::from_pairs([(value.as_str(), "x")]);
        prop_assert_eq!(p.check_characters().is_err(), bad);
        if bad {
            let e = Params::from_pairs([("Tag.1.Value", value.as_str())]).check_characters().unwrap_err();
            prop_assert_eq!(e.code.as_str(), "InvalidParameterValue");
            prop_assert!(e.message.contains("Tag.1.Value"));
            prop_assert!(!e.message.chars().any(refused_char), "{:?}", e.message);
            parse(&error_document(&e, "r")).map_err(TestCaseError::fail)?;
        }
    }
}

#[test]
fn refused_characters_are_named_in_the_message() {
    let p = Params::parse("", b"Action=CreateTags&Tag.1.Key=k&Tag.1.Value=a%01b");
    let e = p.check_characters().unwrap_err();
    assert_eq!((e.code.as_str(), e.status), ("InvalidParameterValue", 400));
    assert_eq!(
        e.message,
        "Value (a\\u0001b) for parameter Tag.1.Value is invalid. It contains the character \\u0001 at position 2, which is not allowed: control characters and U+FFFE/U+FFFF cannot be used."
    );
    let e = Params::parse("", b"Action=CreateVpc&CidrBlock=%01")
        .check_characters()
        .unwrap_err();
    assert!(e.message.contains("parameter CidrBlock"), "{}", e.message);
    let e = Params::parse("", b"Action=CreateVpc&Cidr%7FBlock=x")
        .check_characters()
        .unwrap_err();
    assert!(e.message.contains("\\u007F"), "{}", e.message);
    // TAB, LF and CR are fine, and so is any printable character.
    assert!(
        Params::parse("", b"Tag.1.Value=a%09b%0Ac%0Dd%C3%A9%F0%9F%98%80")
            .check_characters()
            .is_ok()
    );
    assert!(Params::parse("", b"Tag.1.Value=%EF%BF%BE")
        .check_characters()
        .is_err());
}

#[test]
fn carriage_returns_survive_a_parse() {
    let mut x = Xml::new();
    x.leaf("v", "a\r\nb\rc");
    let texts = parse(x.as_str()).unwrap();
    assert_eq!(texts, vec!["a\r\nb\rc".to_owned()]);
}
