//! CreateTags, DeleteTags and DescribeTags, for every taggable resource kind.
//!
//! DescribeTags lists one item per (resource, key) the caller sees, ordered by resource id then
//! key; its `NextToken` is the hex form of the last item's `<resource id> <key>` (opaque to
//! clients, and ordered like the items).

use vpcpeer_model::aws::tags::TagRemoval;
use vpcpeer_model::{Kind, Tx};

use super::{domain, ok_return, Handler};
use crate::filter::{self, matches, paginate};
use crate::{Ec2Error, Params, Xml};

/// The handler of `action` if this module serves it.
pub(super) fn handler(action: &str) -> Option<Handler> {
    Some(match action {
        "CreateTags" => create_tags,
        "DeleteTags" => delete_tags,
        "DescribeTags" => describe_tags,
        _ => return None,
    })
}

const FILTERS: &[&str] = &["key", "value", "resource-id", "resource-type"];

/// EC2's `resourceType` of a kind.
pub fn resource_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Vpc => "vpc",
        Kind::Subnet => "subnet",
        Kind::RouteTable => "route-table",
        Kind::InternetGateway => "internet-gateway",
        Kind::NatGateway => "natgateway",
        Kind::SecurityGroup => "security-group",
        Kind::NetworkAcl => "network-acl",
        Kind::Instance => "instance",
        Kind::NetworkInterface => "network-interface",
        Kind::PeeringConnection => "vpc-peering-connection",
        _ => "unknown",
    }
}

fn resource_ids(p: &Params) -> Result<Vec<String>, Ec2Error> {
    let ids = p.list("ResourceId");
    if ids.is_empty() {
        return Err(Ec2Error::missing("ResourceId"));
    }
    Ok(ids)
}

fn create_tags(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let ids = resource_ids(p)?;
    let mut tags = Vec::new();
    p.spec_tags(&mut tags)?;
    if tags.is_empty() {
        return Err(Ec2Error::missing("Tag"));
    }
    domain(tx.create_tags(&ids, &tags))?;
    ok_return(x)
}

fn delete_tags(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let ids = resource_ids(p)?;
    let mut tags = Vec::new();
    for t in p.structs("Tag") {
        let key = t.get("Key").ok_or_else(|| Ec2Error::missing("Tag.N.Key"))?;
        tags.push(TagRemoval {
            key: key.to_owned(),
            value: t.string("Value"),
        });
    }
    domain(tx.delete_tags(&ids, &tags))?;
    ok_return(x)
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

struct Item<'a> {
    resource_id: &'a str,
    kind: Kind,
    key: &'a str,
    value: &'a str,
    tags: &'a vpcpeer_model::Tags,
    sort: String,
}

fn describe_tags(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, FILTERS)?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let resources = tx.tagged_resources();
    let mut items: Vec<Item<'_>> = resources
        .iter()
        .flat_map(|r| {
            r.tags.iter().map(move |(k, v)| Item {
                resource_id: r.id,
                kind: r.kind,
                key: k,
                value: v,
                tags: r.tags,
                sort: hex(&format!("{} {k}", r.id)),
            })
        })
        .filter(|i| {
            matches(&filters, i.tags, |name| match name {
                "key" => vec![i.key.to_owned()],
                "value" => vec![i.value.to_owned()],
                "resource-id" => vec![i.resource_id.to_owned()],
                "resource-type" => vec![resource_type(i.kind).to_owned()],
                _ => Vec::new(),
            })
        })
        .collect();
    items.sort_by(|a, b| a.sort.cmp(&b.sort));
    let (page, next) = paginate(items, |i| &i.sort, limit, token.as_deref());
    x.list("tagSet", page, |x, i| {
        x.leaf("resourceId", i.resource_id)
            .leaf("resourceType", resource_type(i.kind))
            .leaf("key", i.key)
            .leaf("value", i.value);
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_item_order() {
        // (resource id, key) pairs in the order DescribeTags lists them.
        let ordered = [
            ("vpc-1", "zeta"),
            ("vpc-12", "a"),
            ("vpc-12", "b b"),
            ("vpc-12", "b~"),
            ("vpc-2", ""),
        ];
        let tokens: Vec<String> = ordered
            .iter()
            .map(|(r, k)| hex(&format!("{r} {k}")))
            .collect();
        let mut sorted = tokens.clone();
        sorted.sort();
        assert_eq!(tokens, sorted);
    }
}
