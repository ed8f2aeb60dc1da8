//! Reading request bodies: typed access to JSON fields by path, with ARM's
//! `InvalidRequestFormat` for a field of the wrong type.

use crate::ArmError;
use serde_json::Value;
use vpcpeer_model::azure::{limits, AzTags};

/// Parses a request body (an empty body is an empty object).
pub fn parse(body: &[u8]) -> Result<Value, ArmError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ArmError::bad_request(
            "InvalidRequestFormat",
            format!("Cannot parse the request: the body is not valid JSON ({e})."),
        )
    })?;
    if !v.is_object() {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            "Cannot parse the request: the body must be a JSON object.",
        ));
    }
    Ok(v)
}

fn bad(path: &[&str], want: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidRequestFormat",
        format!(
            "Cannot parse the request. Property '{}' must be {want}.",
            path.join(".")
        ),
    )
}

/// The value at `path`, if present and not null.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    (!cur.is_null()).then_some(cur)
}

/// A string field.
pub fn string(v: &Value, path: &[&str]) -> Result<Option<String>, ArmError> {
    match at(v, path) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(path, "a string")),
    }
}

/// A boolean field.
pub fn boolean(v: &Value, path: &[&str]) -> Result<Option<bool>, ArmError> {
    match at(v, path) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad(path, "a boolean")),
    }
}

/// A whole-number field.
pub fn number(v: &Value, path: &[&str]) -> Result<Option<u32>, ArmError> {
    match at(v, path) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| bad(path, "a whole number")),
        Some(_) => Err(bad(path, "a whole number")),
    }
}

/// An array field.
pub fn array<'a>(v: &'a Value, path: &[&str]) -> Result<Option<&'a Vec<Value>>, ArmError> {
    match at(v, path) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(bad(path, "an array")),
    }
}

/// Each item of an array field read by `item` (`None` when the field is absent).
pub fn each<T>(
    v: &Value,
    path: &[&str],
    item: impl Fn(&Value) -> Result<T, ArmError>,
) -> Result<Option<Vec<T>>, ArmError> {
    array(v, path)?
        .map(|a| a.iter().map(item).collect())
        .transpose()
}

/// An array of strings.
pub fn strings(v: &Value, path: &[&str]) -> Result<Option<Vec<String>>, ArmError> {
    match array(v, path)? {
        None => Ok(None),
        Some(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(path, "an array of strings"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

/// The `tags` object, checked against Azure's tag limits
/// ([`vpcpeer_model::azure::limits::check_tags`]). Every PUT and PATCH of this face reads its
/// tags here, so one check covers every way tags come in.
pub fn tags(v: &Value) -> Result<AzTags, ArmError> {
    let tags: AzTags = match at(v, &["tags"]) {
        None => AzTags::new(),
        Some(Value::Object(m)) => {
            limits::check_tag_count(m.len())?;
            m.iter()
                .map(|(k, x)| match x {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    _ => Err(bad(&["tags", k], "a string")),
                })
                .collect::<Result<_, _>>()?
        }
        Some(_) => return Err(bad(&["tags"], "an object")),
    };
    limits::check_tags(&tags)?;
    Ok(tags)
}
