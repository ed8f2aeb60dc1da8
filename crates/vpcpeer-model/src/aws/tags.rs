//! User tags of every taggable resource: CreateTags, DeleteTags and the listing DescribeTags uses.
//!
//! A resource is found by the prefix of its id (`vpc`, `subnet`, `rtb`, `igw`, `nat`, `sg`, `acl`,
//! `i`, `eni`, `pcx`, `eigw`, `eipalloc`, `sgr`, `vgw`, `cgw`, `dopt`, `pl`, `vpce`, `key`, `lt`) among the resources the caller sees; an unknown prefix is `InvalidID`.
//! Peering connections carry one tag set per side (account/region): each caller reads and writes
//! only its own. Tag commands are all-or-nothing across the resources they name.
//!
//! Choices where AWS is unverified: a key given twice in one request is refused with
//! `InvalidParameterValue`; values are limited to 256 characters and keys to 128. Every way a
//! tag comes in (CreateTags, TagSpecification of any create action, RunInstances) goes through
//! [`check_request_tags`] and [`Tx::check_tag_count`], so the rules cannot drift apart.

use crate::aws::check_id;
use crate::aws::error::Field;
use crate::text;
use crate::{
    CustomerGateway, DhcpOptions, DomainError, EgressOnlyInternetGateway, Instance,
    InternetGateway, Kind, LimitKind, ManagedPrefixList, NatGateway, NetworkAcl, NetworkInterface,
    PeeringConnection, RouteTable, SecurityGroup, Subnet, TagProblem, Tags, Tx, Vpc, VpcEndpoint,
    VpnGateway,
};

static NO_TAGS: Tags = Tags::new();

/// Longest tag key.
pub const MAX_KEY_LEN: usize = 128;
/// Longest tag value.
pub const MAX_VALUE_LEN: usize = 256;

/// The kind of a taggable resource from the prefix of its id, checking the id's shape.
pub fn kind_of(id: &str) -> Result<Kind, DomainError> {
    let prefix = id.split_once('-').map(|(p, _)| p).unwrap_or_default();
    let kind = match prefix {
        "vpc" => Kind::Vpc,
        "subnet" => Kind::Subnet,
        "rtb" => Kind::RouteTable,
        "igw" => Kind::InternetGateway,
        "nat" => Kind::NatGateway,
        "sg" => Kind::SecurityGroup,
        "acl" => Kind::NetworkAcl,
        "i" => Kind::Instance,
        "eni" => Kind::NetworkInterface,
        "pcx" => Kind::PeeringConnection,
        "eigw" => Kind::EgressOnlyInternetGateway,
        "eipalloc" => Kind::ElasticIp,
        "sgr" => Kind::SecurityGroupRule,
        "vgw" => Kind::VpnGateway,
        "cgw" => Kind::CustomerGateway,
        "dopt" => Kind::DhcpOptions,
        "pl" => Kind::PrefixList,
        "vpce" => Kind::VpcEndpoint,
        "key" => Kind::KeyPair,
        "lt" => Kind::LaunchTemplate,
        _ => return Err(DomainError::not_found(Kind::Any, id)),
    };
    check_id(kind, id)?;
    Ok(kind)
}

/// Checks a user tag: the key non-empty, at most 128 characters and not `aws:`-prefixed; the
/// value at most 256 characters (empty is fine); neither holding a character the emulator
/// refuses in any text ([`crate::text`]).
pub fn check_tag(key: &str, value: &str) -> Result<(), DomainError> {
    if key.is_empty()
        || key.chars().count() > MAX_KEY_LEN
        || key.to_ascii_lowercase().starts_with("aws:")
    {
        return Err(DomainError::Tag(TagProblem::KeyMalformed {
            key: key.to_owned(),
        }));
    }
    if let Some((i, c)) = text::first_refused_char(key) {
        return Err(DomainError::Tag(TagProblem::KeyCharacter {
            key: key.to_owned(),
            position: i,
            character: c,
        }));
    }
    if value.chars().count() > MAX_VALUE_LEN {
        return Err(DomainError::Tag(TagProblem::ValueTooLong {
            key: key.to_owned(),
        }));
    }
    if let Some((i, c)) = text::first_refused_char(value) {
        return Err(DomainError::Tag(TagProblem::ValueCharacter {
            key: key.to_owned(),
            position: i,
            character: c,
        }));
    }
    Ok(())
}

/// The one validation of the user tags a request gives, whichever way they come in (CreateTags's
/// `Tag.N`, any action's `TagSpecification.N`, RunInstances' per-type specifications): every tag
/// passes [`check_tag`], and no key appears twice. Returns them as a tag set. Linear in the
/// number of tags, so a request with very many tags costs little before it is refused.
pub fn check_request_tags<'a>(
    tags: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Tags, DomainError> {
    let mut out = Tags::new();
    for (k, v) in tags {
        check_tag(k, v)?;
        if out.insert(k.to_owned(), v.to_owned()).is_some() {
            return Err(DomainError::Tag(TagProblem::DuplicateKey {
                key: k.to_owned(),
            }));
        }
    }
    Ok(out)
}

/// A resource the caller sees, with its tags (as the caller sees them).
#[derive(Debug, Clone, Copy)]
pub struct Tagged<'a> {
    /// The resource id.
    pub id: &'a str,
    /// Its kind.
    pub kind: Kind,
    /// Its tags.
    pub tags: &'a Tags,
}

/// What DeleteTags removes from one key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TagRemoval {
    /// The key.
    pub key: String,
    /// `None`: any value; `Some(v)`: only when the value is `v` (possibly empty).
    pub value: Option<String>,
}

impl Tx<'_, '_> {
    /// The tags of a resource the caller sees (its own side for peering connections).
    pub fn tags_of(&self, id: &str) -> Result<&Tags, DomainError> {
        Ok(match kind_of(id)? {
            Kind::Vpc => &self.owned::<Vpc>(id)?.tags,
            Kind::Subnet => &self.subnet(id)?.tags,
            Kind::RouteTable => &self.owned::<RouteTable>(id)?.tags,
            Kind::InternetGateway => &self.owned::<InternetGateway>(id)?.tags,
            Kind::NatGateway => &self.owned::<NatGateway>(id)?.tags,
            Kind::SecurityGroup => &self.owned::<SecurityGroup>(id)?.tags,
            Kind::NetworkAcl => &self.owned::<NetworkAcl>(id)?.tags,
            Kind::Instance => &self.visible_instance(id)?.tags,
            Kind::NetworkInterface => &self.owned::<NetworkInterface>(id)?.tags,
            Kind::EgressOnlyInternetGateway => &self.owned::<EgressOnlyInternetGateway>(id)?.tags,
            Kind::ElasticIp => &self.owned::<crate::ElasticIp>(id)?.tags,
            Kind::KeyPair => &self.owned::<crate::KeyPair>(id)?.tags,
            Kind::LaunchTemplate => &self.owned::<crate::LaunchTemplate>(id)?.tags,
            Kind::PeeringConnection => {
                let key = PeeringConnection::tag_key(self.scope());
                self.visible_peering(id)?.tags.get(&key).unwrap_or(&NO_TAGS)
            }
            Kind::SecurityGroupRule => &self.security_group_rule(id)?.2.tags,
            Kind::VpnGateway => &self.owned::<VpnGateway>(id)?.tags,
            Kind::CustomerGateway => &self.owned::<CustomerGateway>(id)?.tags,
            Kind::DhcpOptions => &self.owned::<DhcpOptions>(id)?.tags,
            Kind::PrefixList => &self.owned::<ManagedPrefixList>(id)?.tags,
            Kind::VpcEndpoint => &self.owned::<VpcEndpoint>(id)?.tags,
            _ => return Err(DomainError::not_found(Kind::Any, id)),
        })
    }

    /// The tags of a resource the caller sees, for change.
    pub fn tags_mut(&mut self, id: &str) -> Result<&mut Tags, DomainError> {
        let kind = kind_of(id)?;
        // Resolve visibility first (with the right NotFound), then borrow mutably.
        self.tags_of(id)?;
        let missing = || DomainError::not_found(kind, id);
        Ok(match kind {
            Kind::Vpc => &mut self.owned_mut::<Vpc>(id)?.tags,
            Kind::Subnet => &mut self.owned_mut::<Subnet>(id)?.tags,
            Kind::RouteTable => &mut self.owned_mut::<RouteTable>(id)?.tags,
            Kind::InternetGateway => &mut self.owned_mut::<InternetGateway>(id)?.tags,
            Kind::NatGateway => &mut self.owned_mut::<NatGateway>(id)?.tags,
            Kind::SecurityGroup => &mut self.owned_mut::<SecurityGroup>(id)?.tags,
            Kind::NetworkAcl => &mut self.owned_mut::<NetworkAcl>(id)?.tags,
            Kind::Instance => &mut self.owned_mut::<Instance>(id)?.tags,
            Kind::NetworkInterface => &mut self.owned_mut::<NetworkInterface>(id)?.tags,
            Kind::EgressOnlyInternetGateway => {
                &mut self.owned_mut::<EgressOnlyInternetGateway>(id)?.tags
            }
            Kind::ElasticIp => &mut self.owned_mut::<crate::ElasticIp>(id)?.tags,
            Kind::KeyPair => &mut self.owned_mut::<crate::KeyPair>(id)?.tags,
            Kind::LaunchTemplate => &mut self.owned_mut::<crate::LaunchTemplate>(id)?.tags,
            Kind::PeeringConnection => {
                let key = PeeringConnection::tag_key(self.scope());
                self.get_mut::<PeeringConnection>(id)
                    .ok_or_else(missing)?
                    .tags
                    .entry(key)
                    .or_default()
            }
            Kind::SecurityGroupRule => self.rule_tags_mut(id)?,
            Kind::VpnGateway => &mut self.owned_mut::<VpnGateway>(id)?.tags,
            Kind::CustomerGateway => &mut self.owned_mut::<CustomerGateway>(id)?.tags,
            Kind::DhcpOptions => &mut self.owned_mut::<DhcpOptions>(id)?.tags,
            Kind::PrefixList => &mut self.owned_mut::<ManagedPrefixList>(id)?.tags,
            Kind::VpcEndpoint => &mut self.owned_mut::<VpcEndpoint>(id)?.tags,
            _ => return Err(missing()),
        })
    }

    /// CreateTags: adds or overwrites `tags` on every resource in `ids`, or on none.
    pub fn create_tags(
        &mut self,
        ids: &[String],
        tags: &[(String, String)],
    ) -> Result<(), DomainError> {
        if ids.is_empty() {
            return Err(DomainError::Missing(Field::TaggedResources));
        }
        if tags.is_empty() {
            return Err(DomainError::Missing(Field::Tags));
        }
        let tags = check_request_tags(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        self.set_tags(ids, tags)
    }

    /// The command behind CreateTags: adds or overwrites `tags` (already checked by
    /// [`check_request_tags`] at the edge) on every resource in `ids`, or on none. Every
    /// resource is found and its quota checked before any is changed; the last resource takes
    /// the tags by move, so a one-resource request copies no tag.
    pub fn set_tags(&mut self, ids: &[String], tags: Tags) -> Result<(), DomainError> {
        if ids.is_empty() {
            return Err(DomainError::Missing(Field::TaggedResources));
        }
        if tags.is_empty() {
            return Err(DomainError::Missing(Field::Tags));
        }
        for id in ids {
            let current = self.tags_of(id)?;
            self.check_tag_count(current, &tags, Some(id))?;
        }
        let Some((last, rest)) = ids.split_last() else {
            return Ok(());
        };
        for id in rest {
            let t = self.tags_mut(id)?;
            for (k, v) in &tags {
                t.insert(k.clone(), v.clone());
            }
        }
        let t = self.tags_mut(last)?;
        if t.is_empty() {
            *t = tags;
        } else {
            t.extend(tags);
        }
        Ok(())
    }

    /// The tags of a resource being created, from its request's tag specification: the same
    /// rules as CreateTags ([`check_request_tags`], and the `tags_per_resource` quota).
    pub fn new_resource_tags<'a>(
        &self,
        tags: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Tags, DomainError> {
        let tags = check_request_tags(tags)?;
        self.check_tag_count(&NO_TAGS, &tags, None)?;
        Ok(tags)
    }

    /// Refuses `adding` to `current` when the result would hold more tags than the
    /// `tags_per_resource` quota allows (`TagLimitExceeded`).
    pub fn check_tag_count(
        &self,
        current: &Tags,
        adding: &Tags,
        id: Option<&str>,
    ) -> Result<(), DomainError> {
        let Some(max) = self.ctx.limits.tags_per_resource else {
            return Ok(());
        };
        let added = adding.keys().filter(|k| !current.contains_key(*k)).count();
        if current.len() + added > max {
            return Err(DomainError::LimitExceeded {
                kind: LimitKind::TagsPerResource,
                max,
                resource: id.map(str::to_owned),
            });
        }
        Ok(())
    }

    /// DeleteTags: removes the matching tags (all user tags when `tags` is empty) from every
    /// resource in `ids`, or from none.
    pub fn delete_tags(&mut self, ids: &[String], tags: &[TagRemoval]) -> Result<(), DomainError> {
        if ids.is_empty() {
            return Err(DomainError::Missing(Field::TaggedResources));
        }
        for t in tags {
            check_tag(&t.key, t.value.as_deref().unwrap_or_default())?;
        }
        for id in ids {
            self.tags_of(id)?;
        }
        for id in ids {
            let current = self.tags_of(id)?;
            let doomed: Vec<String> = if tags.is_empty() {
                current.keys().cloned().collect()
            } else {
                tags.iter()
                    .filter(|t| match (current.get(&t.key), &t.value) {
                        (Some(_), None) => true,
                        (Some(have), Some(want)) => have == want,
                        (None, _) => false,
                    })
                    .map(|t| t.key.clone())
                    .collect()
            };
            if doomed.is_empty() {
                continue;
            }
            let t = self.tags_mut(id)?;
            for k in &doomed {
                t.remove(k);
            }
            if kind_of(id)? == Kind::PeeringConnection {
                let key = PeeringConnection::tag_key(self.scope());
                if let Some(p) = self.get_mut::<PeeringConnection>(id) {
                    if p.tags.get(&key).is_some_and(Tags::is_empty) {
                        p.tags.remove(&key);
                    }
                }
            }
        }
        Ok(())
    }

    /// Every resource the caller sees that has tags, in (kind, id) order.
    pub fn tagged_resources(&self) -> Vec<Tagged<'_>> {
        fn push<'a, R: crate::aws::Owned>(
            out: &mut Vec<Tagged<'a>>,
            items: impl Iterator<Item = &'a R>,
            tags: impl Fn(&'a R) -> &'a Tags,
        ) {
            for r in items {
                let t = tags(r);
                if !t.is_empty() {
                    out.push(Tagged {
                        id: r.id(),
                        kind: R::KIND,
                        tags: t,
                    });
                }
            }
        }
        let mut out = Vec::new();
        push(&mut out, self.list_owned::<Vpc>(), |r| &r.tags);
        push(&mut out, self.list_owned::<Subnet>(), |r| &r.tags);
        push(&mut out, self.list_owned::<RouteTable>(), |r| &r.tags);
        push(&mut out, self.list_owned::<InternetGateway>(), |r| &r.tags);
        push(&mut out, self.list_owned::<NatGateway>(), |r| &r.tags);
        push(&mut out, self.list_owned::<SecurityGroup>(), |r| &r.tags);
        push(&mut out, self.list_owned::<NetworkAcl>(), |r| &r.tags);
        push(&mut out, self.visible_instances(), |r| &r.tags);
        push(&mut out, self.list_owned::<NetworkInterface>(), |r| &r.tags);
        push(
            &mut out,
            self.list_owned::<EgressOnlyInternetGateway>(),
            |r| &r.tags,
        );
        push(&mut out, self.list_owned::<crate::ElasticIp>(), |r| &r.tags);
        push(&mut out, self.list_owned::<VpnGateway>(), |r| &r.tags);
        push(&mut out, self.list_owned::<CustomerGateway>(), |r| &r.tags);
        push(&mut out, self.list_owned::<DhcpOptions>(), |r| &r.tags);
        for (_, _, r) in self.security_group_rules() {
            if !r.tags.is_empty() {
                out.push(Tagged {
                    id: &r.id,
                    kind: Kind::SecurityGroupRule,
                    tags: &r.tags,
                });
            }
        }
        push(&mut out, self.list_owned::<ManagedPrefixList>(), |r| {
            &r.tags
        });
        push(&mut out, self.list_owned::<VpcEndpoint>(), |r| &r.tags);
        push(&mut out, self.list_owned::<crate::KeyPair>(), |r| &r.tags);
        push(&mut out, self.list_owned::<crate::LaunchTemplate>(), |r| {
            &r.tags
        });
        let key = PeeringConnection::tag_key(self.scope());
        for p in self.visible_peerings() {
            if let Some(t) = p.tags.get(&key).filter(|t| !t.is_empty()) {
                out.push(Tagged {
                    id: &p.id,
                    kind: Kind::PeeringConnection,
                    tags: t,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::peering::CreatePeering;
    use crate::testkit::{a, b, code, TestEnv, A, B};
    use crate::Limits;

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn kinds_by_prefix() {
        let cases = [
            ("vpc-0123abcd", Ok(Kind::Vpc)),
            ("subnet-0123abcd", Ok(Kind::Subnet)),
            ("rtb-0123abcd", Ok(Kind::RouteTable)),
            ("igw-0123abcd", Ok(Kind::InternetGateway)),
            ("nat-0123456789abcdef0", Ok(Kind::NatGateway)),
            ("sg-0123abcd", Ok(Kind::SecurityGroup)),
            ("acl-0123abcd", Ok(Kind::NetworkAcl)),
            ("i-0123abcd", Ok(Kind::Instance)),
            ("eni-0123abcd", Ok(Kind::NetworkInterface)),
            ("pcx-0123abcd", Ok(Kind::PeeringConnection)),
            ("eipalloc-0123abcd", Ok(Kind::ElasticIp)),
            ("key-0123456789abcdef0", Ok(Kind::KeyPair)),
            ("lt-0123456789abcdef0", Ok(Kind::LaunchTemplate)),
            ("vpc-xyz", Err("Malformed(Vpc)")),
            ("ami-0123abcd", Err("NotFound(Any)")),
            ("nonsense", Err("NotFound(Any)")),
            ("", Err("NotFound(Any)")),
        ];
        for (id, want) in cases {
            match (kind_of(id), want) {
                (Ok(k), Ok(w)) => assert_eq!(k, w, "{id}"),
                (Err(e), Err(c)) => assert_eq!(code(&e), c, "{id}"),
                (got, want) => panic!("{id}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn create_tags_table() {
        let mut env = TestEnv::with_seed(3);
        env.limits = Limits {
            tags_per_resource: Some(3),
            ..Limits::default()
        };
        let v1 = env.vpc(&a(), "10.0.0.0/16");
        let v2 = env.vpc(&a(), "10.1.0.0/16");
        let foreign = env.vpc(&b(), "10.2.0.0/16");
        let sg = env.default_sg(&v1);
        type Case = (
            &'static str,
            Vec<String>,
            Vec<(String, String)>,
            Result<(), &'static str>,
        );
        let cases: Vec<Case> = vec![
            ("no ids", vec![], kv(&[("a", "1")]), Err("MissingParameter")),
            ("no tags", vec![v1.clone()], vec![], Err("MissingParameter")),
            (
                "two vpcs",
                vec![v1.clone(), v2.clone()],
                kv(&[("a", "1"), ("b", "")]),
                Ok(()),
            ),
            ("overwrite", vec![v1.clone()], kv(&[("a", "2")]), Ok(())),
            (
                "security group",
                vec![sg.clone()],
                kv(&[("a", "1")]),
                Ok(()),
            ),
            (
                "aws prefix",
                vec![v1.clone()],
                kv(&[("aws:x", "1")]),
                Err("TagKeyMalformed"),
            ),
            (
                "AWS prefix",
                vec![v1.clone()],
                kv(&[("AWS:x", "1")]),
                Err("TagKeyMalformed"),
            ),
            (
                "empty key",
                vec![v1.clone()],
                kv(&[("", "1")]),
                Err("TagKeyMalformed"),
            ),
            (
                "long value",
                vec![v1.clone()],
                vec![("k".into(), "v".repeat(257))],
                Err("InvalidParameterValue"),
            ),
            (
                "duplicate key",
                vec![v1.clone()],
                kv(&[("c", "1"), ("c", "2")]),
                Err("InvalidParameterValue"),
            ),
            (
                "foreign is not found, nothing applied",
                vec![v2.clone(), foreign.clone()],
                kv(&[("z", "1")]),
                Err("NotFound(Vpc)"),
            ),
            (
                "unknown prefix",
                vec!["foo-0123abcd".into()],
                kv(&[("z", "1")]),
                Err("NotFound(Any)"),
            ),
            (
                "unknown instance",
                vec!["i-0123abcd".into()],
                kv(&[("z", "1")]),
                Err("NotFound(Instance)"),
            ),
            (
                "limit: 2 + 2 new > 3, nothing applied",
                vec![v2.clone(), v1.clone()],
                kv(&[("c", "1"), ("d", "1")]),
                Err("Limit(TagsPerResource)"),
            ),
            (
                "limit: overwrite + 1 new = 3",
                vec![v1.clone()],
                kv(&[("a", "3"), ("c", "1")]),
                Ok(()),
            ),
        ];
        for (name, ids, tags, want) in cases {
            let before = env.world.clone();
            let got = env.run_as(A, |tx| tx.create_tags(&ids, &tags));
            match (got, want) {
                (Ok(()), Ok(())) => {}
                (Err(e), Err(c)) => {
                    assert_eq!(code(&e), c, "{name}");
                    assert_eq!(env.world, before, "{name}: state changed");
                }
                (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
            }
        }
        let t = &env.world.aws.vpcs[&v1].tags;
        assert_eq!(t.get("a").map(String::as_str), Some("3"));
        assert_eq!(t.get("b").map(String::as_str), Some(""));
        assert_eq!(t.get("c").map(String::as_str), Some("1"));
        assert_eq!(env.world.aws.vpcs[&v2].tags.len(), 2);
    }

    #[test]
    fn delete_tags_table() {
        let mut env = TestEnv::with_seed(4);
        let v = env.vpc(&a(), "10.0.0.0/16");
        let rm = |k: &str, v: Option<&str>| TagRemoval {
            key: k.into(),
            value: v.map(str::to_owned),
        };
        type Case = (
            &'static str,
            Vec<TagRemoval>,
            Result<Vec<&'static str>, &'static str>,
        );
        let cases: Vec<Case> = vec![
            (
                "key only: any value",
                vec![rm("a", None)],
                Ok(vec!["b", "c", "d"]),
            ),
            (
                "key + other value: kept",
                vec![rm("b", Some("x"))],
                Ok(vec!["b", "c", "d"]),
            ),
            (
                "key + empty value: only empty",
                vec![rm("c", Some(""))],
                Ok(vec!["b", "d"]),
            ),
            (
                "key + empty on non-empty: kept",
                vec![rm("b", Some(""))],
                Ok(vec!["b", "d"]),
            ),
            ("key + same value", vec![rm("b", Some("2"))], Ok(vec!["d"])),
            ("absent key is fine", vec![rm("zz", None)], Ok(vec!["d"])),
            (
                "aws prefix",
                vec![rm("aws:x", None)],
                Err("TagKeyMalformed"),
            ),
            ("no tags: all", vec![], Ok(vec![])),
        ];
        env.run_as(A, |tx| {
            tx.create_tags(
                std::slice::from_ref(&v),
                &kv(&[("a", "1"), ("b", "2"), ("c", ""), ("d", "4")]),
            )
        })
        .unwrap();
        for (name, tags, want) in cases {
            let got = env.run_as(A, |tx| tx.delete_tags(std::slice::from_ref(&v), &tags));
            match (got, want) {
                (Ok(()), Ok(keys)) => {
                    let have: Vec<&str> = env.world.aws.vpcs[&v]
                        .tags
                        .keys()
                        .map(String::as_str)
                        .collect();
                    assert_eq!(have, keys, "{name}");
                }
                (Err(e), Err(c)) => assert_eq!(code(&e), c, "{name}"),
                (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
            }
        }
        let err = env.run_as(A, |tx| tx.delete_tags(&[], &[])).unwrap_err();
        assert_eq!(code(&err), "MissingParameter");
        let err = env
            .run_as(A, |tx| {
                tx.delete_tags(&[v.clone(), "vpc-0123abcd".into()], &[])
            })
            .unwrap_err();
        assert_eq!(code(&err), "NotFound(Vpc)");
    }

    #[test]
    fn peering_tags_are_per_side() {
        let mut env = TestEnv::with_seed(5);
        let va = env.vpc(&a(), "10.0.0.0/16");
        let vb = env.vpc(&b(), "10.1.0.0/16");
        let pcx = env
            .run_as(A, |tx| {
                tx.create_peering(CreatePeering {
                    vpc_id: va.clone(),
                    peer_vpc_id: vb.clone(),
                    peer_owner_id: Some(B.into()),
                    ..Default::default()
                })
            })
            .unwrap()
            .connection
            .id;
        let ids = vec![pcx.clone()];
        env.run_as(A, |tx| tx.create_tags(&ids, &kv(&[("side", "a")])))
            .unwrap();
        env.run_as(B, |tx| {
            tx.create_tags(&ids, &kv(&[("side", "b"), ("x", "")]))
        })
        .unwrap();
        let a = env.run_as(A, |tx| Ok(tx.tags_of(&pcx)?.clone())).unwrap();
        let b = env.run_as(B, |tx| Ok(tx.tags_of(&pcx)?.clone())).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a["side"], "a");
        assert_eq!(b["side"], "b");
        assert_eq!(b.len(), 2);
        // Listing shows each side only its own.
        let listed = env
            .run_as(B, |tx| {
                Ok(tx
                    .tagged_resources()
                    .iter()
                    .map(|t| (t.id.to_owned(), t.tags.clone()))
                    .collect::<Vec<_>>())
            })
            .unwrap();
        assert_eq!(listed, vec![(pcx.clone(), b.clone())]);
        // Deleting all of A's tags removes A's entry only.
        env.run_as(A, |tx| tx.delete_tags(&ids, &[])).unwrap();
        assert_eq!(env.world.aws.peerings[&pcx].tags.len(), 1);
        // A third account does not see the connection at all.
        let err = env
            .run_as("333333333333", |tx| {
                tx.create_tags(&ids, &kv(&[("k", "v")]))
            })
            .unwrap_err();
        assert_eq!(code(&err), "NotFound(PeeringConnection)");
    }
}
