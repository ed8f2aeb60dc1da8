//! EC2 `Filter.N` semantics: filters are ANDed, values within one filter ORed, names and values
//! case-sensitive, `*` and `?` wildcards; `tag:<Key>` matches key and value, `tag-key` the key.
//! Also `MaxResults`/`NextToken` paging (the token is the last id of the previous page).

use vpcpeer_model::Tags;

use crate::{Ec2Error, Params};

/// One filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Filter name, e.g. `vpc-id` or `tag:Env`.
    pub name: String,
    /// Accepted values (ORed).
    pub values: Vec<String>,
}

/// Parses `Filter.N.Name` / `Filter.N.Value.M` and checks every name against `known` (names
/// ending in `*` are prefixes). `tag:<k>` and `tag-key` are always known.
pub fn parse(p: &Params, known: &[&str]) -> Result<Vec<Filter>, Ec2Error> {
    let mut out = Vec::new();
    for f in p.structs("Filter") {
        let name = f.required("Name")?.to_owned();
        let ok = name.starts_with("tag:")
            || name == "tag-key"
            || name == "tag-value"
            || known.iter().any(|k| match k.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => *k == name,
            });
        if !ok {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                format!("The filter '{name}' is invalid"),
            ));
        }
        out.push(Filter {
            name,
            values: f.list("Value"),
        });
    }
    Ok(out)
}

/// The values of filter `name` when it names exact values only (no wildcards): callers may then
/// look those up directly instead of scanning, and still apply every filter afterwards.
pub fn exact_values<'a>(filters: &'a [Filter], name: &str) -> Option<&'a [String]> {
    filters
        .iter()
        .find(|f| f.name == name && !f.values.iter().any(|v| v.contains(['*', '?'])))
        .map(|f| f.values.as_slice())
}

/// Glob match with `*` (any run) and `?` (one character).
pub fn wildcard(pattern: &str, value: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == value;
    }
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    let (mut pi, mut vi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Whether an item passes every filter. `field(name)` gives the item's values for a filter name
/// (an empty list when it has none).
pub fn matches(filters: &[Filter], tags: &Tags, field: impl Fn(&str) -> Vec<String>) -> bool {
    filters.iter().all(|f| {
        let values: Vec<String> = if let Some(key) = f.name.strip_prefix("tag:") {
            tags.get(key).cloned().into_iter().collect()
        } else if f.name == "tag-key" {
            tags.keys().cloned().collect()
        } else if f.name == "tag-value" {
            tags.values().cloned().collect()
        } else {
            field(&f.name)
        };
        values
            .iter()
            .any(|v| f.values.iter().any(|pat| wildcard(pat, v)))
    })
}

/// Whether an item passes every filter, like [`matches`], without collecting the item's values:
/// `each(name, test)` offers the item's values for filter `name` to `test` one at a time and
/// answers whether `test` accepted one (false when it has none).
pub fn matches_each(
    filters: &[Filter],
    tags: &Tags,
    each: impl Fn(&str, &mut dyn FnMut(&str) -> bool) -> bool,
) -> bool {
    filters.iter().all(|f| {
        let mut test = |v: &str| f.values.iter().any(|pat| wildcard(pat, v));
        if let Some(key) = f.name.strip_prefix("tag:") {
            tags.get(key).is_some_and(|v| test(v))
        } else if f.name == "tag-key" {
            tags.keys().any(|k| test(k))
        } else if f.name == "tag-value" {
            tags.values().any(|v| test(v))
        } else {
            each(&f.name, &mut test)
        }
    })
}

/// Reads `MaxResults`/`NextToken`, checking the bounds of the action.
pub fn paging(p: &Params, min: i64, max: i64) -> Result<(Option<usize>, Option<String>), Ec2Error> {
    let limit = match p.int("MaxResults")? {
        None => None,
        Some(n) if n < min || n > max => {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                format!("Value ( {n} ) for parameter maxResults is invalid. Parameter must be between {min} and {max}."),
            ))
        }
        Some(n) => Some(n as usize),
    };
    Ok((limit, p.string("NextToken").filter(|t| !t.is_empty())))
}

/// One page of `items` (sorted by id) after `token`, and the token of the next page.
pub fn paginate<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    limit: Option<usize>,
    token: Option<&str>,
) -> (Vec<T>, Option<String>) {
    let mut rest: Vec<T> = match token {
        Some(t) => items.into_iter().filter(|i| id(i) > t).collect(),
        None => items,
    };
    match limit {
        Some(n) if rest.len() > n => {
            rest.truncate(n);
            let next = rest.last().map(|i| id(i).to_owned());
            (rest, next)
        }
        _ => (rest, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let cases = [
            ("vpc-*", "vpc-123", true),
            ("vpc-?23", "vpc-123", true),
            ("*", "", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("exact", "Exact", false),
            ("10.0.*", "10.0.1.0/24", true),
        ];
        for (p, v, want) in cases {
            assert_eq!(wildcard(p, v), want, "{p} vs {v}");
        }
    }

    #[test]
    fn and_across_or_within() {
        let p = Params::parse(
            "",
            b"Filter.1.Name=state&Filter.1.Value.1=available&Filter.1.Value.2=pending&Filter.2.Name=tag:Env&Filter.2.Value.1=prod",
        );
        let f = parse(&p, &["state"]).unwrap();
        let mut tags = Tags::new();
        tags.insert("Env".into(), "prod".into());
        assert!(matches(&f, &tags, |_| vec!["pending".into()]));
        assert!(!matches(&f, &tags, |_| vec!["deleted".into()]));
        assert!(!matches(&f, &Tags::new(), |_| vec!["pending".into()]));
        let bad = Params::parse("", b"Filter.1.Name=nope&Filter.1.Value.1=x");
        assert_eq!(
            parse(&bad, &["state"]).unwrap_err().code,
            "InvalidParameterValue"
        );
    }

    /// `matches_each` decides as `matches` does, for every combination of filters (tags, one
    /// or several values, wildcards, a field without values) over a few items.
    #[test]
    fn matching_value_by_value_agrees_with_collecting() {
        let filters = [
            "Filter.1.Name=state&Filter.1.Value.1=available",
            "Filter.1.Name=state&Filter.1.Value.1=pend*&Filter.1.Value.2=x",
            "Filter.1.Name=cidr&Filter.1.Value.1=10.0.?.0/24",
            "Filter.1.Name=cidr&Filter.1.Value.1=10.0.1.0/24&Filter.2.Name=tag:Env&Filter.2.Value.1=prod",
            "Filter.1.Name=tag-key&Filter.1.Value.1=E*",
            "Filter.1.Name=tag-value&Filter.1.Value.1=prod",
            "Filter.1.Name=none&Filter.1.Value.1=*",
        ];
        /// (state values, cidr values, tags)
        type Item = (
            &'static [&'static str],
            &'static [&'static str],
            &'static [(&'static str, &'static str)],
        );
        let items: [Item; 4] = [
            (
                &["available"],
                &["10.0.1.0/24", "10.0.2.0/24"],
                &[("Env", "prod")],
            ),
            (&["pending"], &["10.0.1.0/24"], &[]),
            (&["deleted"], &[], &[("Team", "prod")]),
            (&[], &["10.1.0.0/16"], &[("Env", "dev")]),
        ];
        for f in filters {
            let parsed =
                parse(&Params::parse("", f.as_bytes()), &["state", "cidr", "none"]).expect("valid");
            for (state, cidrs, tags) in items {
                let tags: Tags = tags
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                let values = |n: &str| -> Vec<String> {
                    match n {
                        "state" => state.iter().map(|s| s.to_string()).collect(),
                        "cidr" => cidrs.iter().map(|s| s.to_string()).collect(),
                        _ => Vec::new(),
                    }
                };
                assert_eq!(
                    matches_each(&parsed, &tags, |n, test| values(n).iter().any(|v| test(v))),
                    matches(&parsed, &tags, values),
                    "{f} on {state:?} {cidrs:?} {tags:?}"
                );
            }
        }
    }

    #[test]
    fn pages_follow_tokens() {
        let items: Vec<String> = (0..7).map(|i| format!("id-{i}")).collect();
        let (p1, t1) = paginate(items.clone(), |s| s, Some(3), None);
        assert_eq!(p1.len(), 3);
        let (p2, t2) = paginate(items.clone(), |s| s, Some(3), t1.as_deref());
        assert_eq!(p2[0], "id-3");
        let (p3, t3) = paginate(items, |s| s, Some(3), t2.as_deref());
        assert_eq!(p3, vec!["id-6".to_string()]);
        assert_eq!(t3, None);
    }
}
