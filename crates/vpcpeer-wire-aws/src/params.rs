//! Query-protocol parameters: `Name=value` pairs with flattened lists (`Prefix.1`, `Prefix.2`, …)
//! and nested structures (`Prefix.1.Member`).

use std::collections::BTreeMap;

use vpcpeer_model::{text, Tags, Tx};

use crate::Ec2Error;

/// The parameters of one request (query string and form body merged; the body wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    map: BTreeMap<String, String>,
}

impl Params {
    /// Parses a query string and a form body.
    pub fn parse(query: &str, body: &[u8]) -> Params {
        let mut map = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            map.insert(k.into_owned(), v.into_owned());
        }
        for (k, v) in form_urlencoded::parse(body) {
            map.insert(k.into_owned(), v.into_owned());
        }
        Params { map }
    }

    /// Parameters from pairs (tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Params {
        Params {
            map: pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// The names of every parameter given, in name order.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.map.keys().map(String::as_str)
    }

    /// A value, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// A value that must be present and non-empty.
    pub fn required(&self, name: &str) -> Result<&str, Ec2Error> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Ec2Error::missing(name)),
        }
    }

    /// A value that must be present and non-empty, owned (for a command's field).
    pub fn id(&self, name: &str) -> Result<String, Ec2Error> {
        self.required(name).map(str::to_owned)
    }

    /// An optional owned string.
    pub fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    /// An optional boolean (`true`/`false`).
    pub fn bool(&self, name: &str) -> Result<Option<bool>, Ec2Error> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(Ec2Error::invalid_value(name, v)),
        }
    }

    /// An optional integer.
    pub fn int(&self, name: &str) -> Result<Option<i64>, Ec2Error> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| Ec2Error::invalid_value(name, v)),
        }
    }

    /// The values of a flattened scalar list `Prefix.1`, `Prefix.2`, …, in index order.
    pub fn list(&self, prefix: &str) -> Vec<String> {
        let mut items: Vec<(u32, String)> = Vec::new();
        let start = format!("{prefix}.");
        for (k, v) in self.map.range(start.clone()..) {
            let Some(rest) = k.strip_prefix(&start) else {
                break;
            };
            if let Ok(i) = rest.parse::<u32>() {
                items.push((i, v.clone()));
            }
        }
        items.sort_by_key(|(i, _)| *i);
        items.into_iter().map(|(_, v)| v).collect()
    }

    /// The members of a flattened structure list `Prefix.N.*`, each as its own [`Params`] with
    /// the `Prefix.N.` part removed, in index order.
    pub fn structs(&self, prefix: &str) -> Vec<Params> {
        let mut groups: BTreeMap<u32, Params> = BTreeMap::new();
        let start = format!("{prefix}.");
        for (k, v) in self.map.range(start.clone()..) {
            let Some(rest) = k.strip_prefix(&start) else {
                break;
            };
            let Some((idx, member)) = rest.split_once('.') else {
                continue;
            };
            if let Ok(i) = idx.parse::<u32>() {
                groups
                    .entry(i)
                    .or_default()
                    .map
                    .insert(member.to_owned(), v.clone());
            }
        }
        groups.into_values().collect()
    }

    /// A nested structure `Prefix.*` as its own [`Params`], if any member is present.
    pub fn nested(&self, prefix: &str) -> Option<Params> {
        let start = format!("{prefix}.");
        let map: BTreeMap<String, String> = self
            .map
            .range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
            .map(|(k, v)| (k[start.len()..].to_owned(), v.clone()))
            .collect();
        (!map.is_empty()).then_some(Params { map })
    }

    /// Tags from `TagSpecification.N` for `resource_type`, validated exactly as CreateTags
    /// validates its tags ([`Tx::new_resource_tags`]: lengths, `aws:`, characters, duplicates,
    /// the per-resource count); a specification for another type is refused.
    pub fn tag_specs(&self, tx: &Tx<'_, '_>, resource_type: &str) -> Result<Tags, Ec2Error> {
        let tags = self.spec_tags_of(resource_type)?;
        tx.check_tag_count(&Tags::new(), &tags, None)?;
        Ok(tags)
    }

    /// The tags of the `TagSpecification.N` parameters for a resource of `resource_type`,
    /// checked by the rules that need no world (each specification's type, the count, key and
    /// value lengths, `aws:`); the command checks the `tags_per_resource` quota.
    pub fn spec_tags_of(&self, resource_type: &str) -> Result<Tags, Ec2Error> {
        let mut pairs = Vec::new();
        for spec in self.structs("TagSpecification") {
            let rt = spec.get("ResourceType").unwrap_or_default();
            if rt != resource_type {
                return Err(untaggable(rt));
            }
            spec.spec_tags(&mut pairs)?;
        }
        Ok(vpcpeer_model::aws::tags::check_request_tags(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )?)
    }

    /// Appends the `Tag.N` (key, value) pairs of these parameters (CreateTags' own, or one tag
    /// specification's) to `out`, in index order: a missing `Key` is `MissingParameter`, a
    /// missing `Value` is the empty value. The one reader of tag lists, so CreateTags and every
    /// `TagSpecification` read them alike before the model validates them.
    pub fn spec_tags(&self, out: &mut Vec<(String, String)>) -> Result<(), Ec2Error> {
        for t in self.structs("Tag") {
            let key = t.get("Key").ok_or_else(|| Ec2Error::missing("Tag.N.Key"))?;
            out.push((
                key.to_owned(),
                t.get("Value").unwrap_or_default().to_owned(),
            ));
        }
        Ok(())
    }

    /// Refuses the request when a parameter name or value holds a character the emulator does
    /// not accept in any EC2 or STS parameter (see [`refused_char`]), with 400
    /// `InvalidParameterValue` naming the parameter and showing the character as `\uXXXX`.
    /// The server runs this once, before any action (STS included) sees the parameters, so no
    /// such character is ever stored or echoed back.
    pub fn check_characters(&self) -> Result<(), Ec2Error> {
        for (name, value) in &self.map {
            if let Some((i, c)) = text::first_refused_char(name) {
                return Err(Ec2Error::new(
                    "InvalidParameterValue",
                    format!(
                        "The parameter name '{}' contains the character {} at position {}, which is not allowed.",
                        text::visible(name),
                        text::unicode_escape(c),
                        i
                    ),
                ));
            }
            if let Some((i, c)) = text::first_refused_char(value) {
                return Err(Ec2Error::new(
                    "InvalidParameterValue",
                    format!(
                        "Value ({}) for parameter {} is invalid. It contains the character {} at position {}, which is not allowed: control characters and U+FFFE/U+FFFF cannot be used.",
                        text::visible(value),
                        text::visible(name),
                        text::unicode_escape(c),
                        i
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether `DryRun=true`.
    pub fn dry_run(&self) -> bool {
        matches!(self.get("DryRun"), Some(v) if v.eq_ignore_ascii_case("true"))
    }
}

/// Whether a parameter name or value may not hold `c`: the C0 controls other than TAB, LF and CR
/// and U+FFFE/U+FFFF, which XML 1.0 cannot carry at all, and also DEL and the C1 controls
/// (U+007F–U+009F), which XML 1.0 carries but discourages and which no EC2 parameter needs
/// ([`vpcpeer_model::text`], the one rule for every face).
///
/// This is the emulator's choice: AWS's exact answer to such characters is unverified. Refusing
/// them at the edge keeps every later response (DescribeTags, error messages that echo input)
/// well-formed for every XML parser the SDKs use.
pub fn refused_char(c: char) -> bool {
    text::is_refused_char(c)
}

/// The error for a tag specification of a resource type the action does not tag.
pub(crate) fn untaggable(rt: &str) -> Ec2Error {
    Ec2Error::new(
        "InvalidParameterValue",
        format!("'{rt}' is not a valid taggable resource type for this operation."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_lists_and_structs() {
        let p = Params::parse(
            "Action=DescribeVpcs",
            b"VpcId.2=vpc-b&VpcId.1=vpc-a&VpcId.10=vpc-j&Filter.1.Name=state&Filter.1.Value.1=available\
&Filter.2.Name=tag%3AEnv&Filter.2.Value.1=prod&Filter.2.Value.2=dev",
        );
        assert_eq!(p.get("Action"), Some("DescribeVpcs"));
        assert_eq!(p.list("VpcId"), vec!["vpc-a", "vpc-b", "vpc-j"]);
        let f = p.structs("Filter");
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].get("Name"), Some("tag:Env"));
        assert_eq!(f[1].list("Value"), vec!["prod", "dev"]);
    }

    #[test]
    fn tag_specs_check_type_and_tags() {
        let mut env = vpcpeer_model::testkit::TestEnv::new();
        let scope = vpcpeer_model::Scope::new("111122223333", "us-east-1");
        let p = Params::parse(
            "",
            b"TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=x",
        );
        let got = env.transact(&scope, |tx| p.tag_specs(tx, "vpc")).unwrap();
        assert_eq!(got.get("Name").map(String::as_str), Some("x"));
        let e = env
            .transact(&scope, |tx| p.tag_specs(tx, "subnet"))
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameterValue");
        let dup = Params::parse(
            "",
            b"TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=k&TagSpecification.2.ResourceType=vpc&TagSpecification.2.Tag.1.Key=k",
        );
        let e = env
            .transact(&scope, |tx| dup.tag_specs(tx, "vpc"))
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameterValue");
        assert!(e.message.contains("Duplicate tag key 'k'"), "{}", e.message);
    }
}
