//! CreateTags, DeleteTags and DescribeTags, for every taggable resource kind.
//!
//! DescribeTags lists one item per (resource, key) the caller sees, ordered by resource id then
//! key; its `NextToken` is the hex form of the last item's `<resource id> <key>` (opaque to
//! clients, and ordered like the items).

use vpcpeer_model::aws::tags::{check_request_tags, TagRemoval};
use vpcpeer_model::aws::Command;
use vpcpeer_model::{Kind, Tx};

use super::{change, render_done, Action};
use crate::filter::{self, matches, paginate};
use crate::{Ec2Error, Params, Xml};

/// The tag actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateTags" => change(parse_create, render_done),
        "DeleteTags" => change(parse_delete, render_done),
        "DescribeTags" => Action::Read(describe_tags),
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
        Kind::EgressOnlyInternetGateway => "egress-only-internet-gateway",
        Kind::ElasticIp => "elastic-ip",
        Kind::SecurityGroupRule => "security-group-rule",
        Kind::VpnGateway => "vpn-gateway",
        Kind::CustomerGateway => "customer-gateway",
        Kind::DhcpOptions => "dhcp-options",
        Kind::PrefixList => "prefix-list",
        Kind::VpcEndpoint => "vpc-endpoint",
        Kind::KeyPair => "key-pair",
        Kind::LaunchTemplate => "launch-template",
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

/// CreateTags: `ResourceId.N` (required), then `Tag.N` (required), each tag checked and no key
/// twice ([`check_request_tags`]); the resources and the quota are checked when applied.
fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    let resource_ids = resource_ids(p)?;
    let mut pairs = Vec::new();
    p.spec_tags(&mut pairs)?;
    if pairs.is_empty() {
        return Err(Ec2Error::missing("Tag"));
    }
    let tags = check_request_tags(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    Ok(Command::CreateTags { resource_ids, tags })
}

fn parse_delete(p: &Params) -> Result<Command, Ec2Error> {
    let resource_ids = resource_ids(p)?;
    let mut tags = Vec::new();
    for t in p.structs("Tag") {
        let key = t.get("Key").ok_or_else(|| Ec2Error::missing("Tag.N.Key"))?;
        tags.push(TagRemoval {
            key: key.to_owned(),
            value: t.string("Value"),
        });
    }
    Ok(Command::DeleteTags { resource_ids, tags })
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

fn describe_tags(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
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
