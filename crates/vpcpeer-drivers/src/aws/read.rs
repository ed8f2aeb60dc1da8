//! Reading `aws-sdk-ec2`'s types into the controller's observed types, and the controller's
//! values into the SDK's request types (filters, tag specifications, permissions).

use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, ResourceType, RouteTable, SecurityGroup, Tag, TagSpecification,
    UserIdGroupPair, Vpc, VpcPeeringConnection, VpcPeeringConnectionVpcInfo,
};
use ipnet::Ipv4Net;
use vpcpeer_controller::desired::{Opening, Protocol};
use vpcpeer_controller::observed::{
    AwsGroupIngress, AwsIngress, AwsPeering, AwsRoute, AwsRouteTable, AwsStatus, AwsTarget,
};

/// Filters of one value each.
pub(super) fn filters(list: &[(&str, &str)]) -> Vec<Filter> {
    list.iter()
        .map(|(name, value)| Filter::builder().name(*name).values(*value).build())
        .collect()
}

/// One filter matching any of `values`.
pub(super) fn filter_any(name: &str, values: &[String]) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.to_vec()))
        .build()
}

/// The tags of a new resource, set in its create call.
pub(super) fn tag_spec(resource_type: ResourceType, tags: &[(&str, &str)]) -> TagSpecification {
    tags.iter()
        .fold(
            TagSpecification::builder().resource_type(resource_type),
            |b, (k, v)| b.tags(tag(k, v)),
        )
        .build()
}

pub(super) fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

/// The value of the tag `key`, if set.
pub(super) fn tag_value<'a>(tags: &'a [Tag], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|t| t.key() == Some(key))
        .and_then(Tag::value)
}

/// A VPC's associated IPv4 blocks.
pub(super) fn vpc_cidrs(vpc: &Vpc) -> Vec<Ipv4Net> {
    vpc.cidr_block_association_set()
        .iter()
        .filter(|a| {
            a.cidr_block_state()
                .and_then(|s| s.state())
                .is_some_and(|s| s.as_str() == "associated")
        })
        .filter_map(|a| a.cidr_block()?.parse().ok())
        .collect()
}

pub(super) fn route_table(t: &RouteTable) -> AwsRouteTable {
    let routes = t
        .routes()
        .iter()
        .filter_map(|r| {
            let destination: Ipv4Net = r.destination_cidr_block()?.parse().ok()?;
            let target = match (r.gateway_id(), r.vpc_peering_connection_id()) {
                (Some("local"), _) => AwsTarget::Local,
                (_, Some(pcx)) if !pcx.is_empty() => AwsTarget::Peering(pcx.to_string()),
                _ => {
                    let other = [
                        r.gateway_id(),
                        r.nat_gateway_id(),
                        r.instance_id(),
                        r.network_interface_id(),
                        r.transit_gateway_id(),
                        r.egress_only_internet_gateway_id(),
                        r.local_gateway_id(),
                        r.carrier_gateway_id(),
                    ]
                    .into_iter()
                    .flatten()
                    .find(|v| !v.is_empty())
                    .unwrap_or("unknown");
                    AwsTarget::Other(other.to_string())
                }
            };
            Some(AwsRoute {
                destination,
                target,
                blackhole: r.state().is_some_and(|s| s.as_str() == "blackhole"),
            })
        })
        .collect();
    AwsRouteTable {
        id: t.route_table_id().unwrap_or_default().to_string(),
        main: t.associations().iter().any(|a| a.main() == Some(true)),
        routes,
    }
}

/// The rules of a group's ingress permissions with IPv4 sources, one per source.
pub(super) fn ingress(group: &SecurityGroup) -> Vec<AwsIngress> {
    let mut out = Vec::new();
    for perm in group.ip_permissions() {
        let Some(opening) = opening_of(perm) else {
            continue;
        };
        for range in perm.ip_ranges() {
            if let Some(Ok(source)) = range.cidr_ip().map(str::parse) {
                out.push(AwsIngress {
                    opening,
                    source,
                    description: range.description().unwrap_or_default().to_string(),
                });
            }
        }
    }
    out
}

/// The rules of a group's ingress permissions whose source is a security group, one per group.
pub(super) fn group_ingress(group: &SecurityGroup) -> Vec<AwsGroupIngress> {
    let mut out = Vec::new();
    for perm in group.ip_permissions() {
        let Some(opening) = opening_of(perm) else {
            continue;
        };
        for g in perm.user_id_group_pairs() {
            out.push(AwsGroupIngress {
                opening,
                group: g.group_id().unwrap_or_default().to_string(),
                owner: g.user_id().unwrap_or_default().to_string(),
                description: g.description().unwrap_or_default().to_string(),
            });
        }
    }
    out
}

/// EC2's protocol and ports as an opening (all ports of TCP or UDP read as "no ports").
fn opening_of(perm: &IpPermission) -> Option<Opening> {
    let protocol = match perm.ip_protocol()? {
        "tcp" | "6" => Protocol::Tcp,
        "udp" | "17" => Protocol::Udp,
        "icmp" | "1" => Protocol::Icmp,
        "-1" => Protocol::All,
        _ => return None,
    };
    let ports = match protocol {
        Protocol::Tcp | Protocol::Udp => {
            let from = u16::try_from(perm.from_port()?).ok()?;
            let to = u16::try_from(perm.to_port()?).ok()?;
            ((from, to) != (0, 65535)).then_some((from, to))
        }
        _ => None,
    };
    Some(Opening { protocol, ports })
}

/// The protocol and ports of an opening (all ports of TCP or UDP as 0-65535, every ICMP type
/// as -1).
fn ports_of(opening: &Opening) -> aws_sdk_ec2::types::builders::IpPermissionBuilder {
    let (proto, ports) = match opening.protocol {
        Protocol::Tcp => ("tcp", Some(opening.ports.unwrap_or((0, 65535)))),
        Protocol::Udp => ("udp", Some(opening.ports.unwrap_or((0, 65535)))),
        Protocol::Icmp => ("icmp", None),
        Protocol::All => ("-1", None),
    };
    let b = IpPermission::builder().ip_protocol(proto);
    match (opening.protocol, ports) {
        (_, Some((from, to))) => b.from_port(i32::from(from)).to_port(i32::from(to)),
        (Protocol::Icmp, None) => b.from_port(-1).to_port(-1),
        _ => b,
    }
}

/// An opening from IPv4 addresses.
pub(super) fn permission(
    opening: &Opening,
    source: &Ipv4Net,
    description: Option<&str>,
) -> IpPermission {
    ports_of(opening)
        .ip_ranges(
            IpRange::builder()
                .cidr_ip(source.to_string())
                .set_description(description.map(str::to_string))
                .build(),
        )
        .build()
}

/// An opening from a security group (of the account `owner`).
pub(super) fn group_permission(
    opening: &Opening,
    group: &str,
    owner: &str,
    description: Option<&str>,
) -> IpPermission {
    ports_of(opening)
        .user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id(group)
                .user_id(owner)
                .set_description(description.map(str::to_string))
                .build(),
        )
        .build()
}

fn status(code: &str) -> AwsStatus {
    match code {
        "initiating-request" => AwsStatus::InitiatingRequest,
        "pending-acceptance" => AwsStatus::PendingAcceptance,
        "provisioning" => AwsStatus::Provisioning,
        "active" => AwsStatus::Active,
        "deleting" => AwsStatus::Deleting,
        "deleted" => AwsStatus::Deleted,
        "rejected" => AwsStatus::Rejected,
        "expired" => AwsStatus::Expired,
        _ => AwsStatus::Failed,
    }
}

/// The account and region of one side of a peering (empty when EC2 does not say).
pub(super) fn side_place(info: Option<&VpcPeeringConnectionVpcInfo>) -> (&str, &str) {
    (
        info.and_then(|i| i.owner_id()).unwrap_or_default(),
        info.and_then(|i| i.region()).unwrap_or_default(),
    )
}

pub(super) fn peering(pc: &VpcPeeringConnection) -> AwsPeering {
    let vpc = |info: Option<&VpcPeeringConnectionVpcInfo>| {
        info.and_then(|i| i.vpc_id())
            .unwrap_or_default()
            .to_string()
    };
    let dns = |info: Option<&VpcPeeringConnectionVpcInfo>| {
        info.and_then(|i| i.peering_options())
            .and_then(|o| o.allow_dns_resolution_from_remote_vpc())
            == Some(true)
    };
    AwsPeering {
        id: pc
            .vpc_peering_connection_id()
            .unwrap_or_default()
            .to_string(),
        requester: vpc(pc.requester_vpc_info()),
        accepter: vpc(pc.accepter_vpc_info()),
        status: status(
            pc.status()
                .and_then(|s| s.code())
                .map_or("", |c| c.as_str()),
        ),
        tags: pc
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
        requester_dns: dns(pc.requester_vpc_info()),
        accepter_dns: dns(pc.accepter_vpc_info()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opening(text: &str) -> Opening {
        let (protocol, ports) = match text.split_once('/') {
            Some((p, ports)) => (p, Some(ports)),
            None => (text, None),
        };
        let protocol = match protocol {
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "icmp" => Protocol::Icmp,
            _ => Protocol::All,
        };
        let ports = ports.map(|p| match p.split_once('-') {
            Some((a, b)) => (a.parse().expect("port"), b.parse().expect("port")),
            None => (p.parse().expect("port"), p.parse().expect("port")),
        });
        Opening { protocol, ports }
    }

    /// An opening written into EC2's permission and read back is the same opening.
    #[test]
    fn openings_round_trip_through_permissions() {
        let source: Ipv4Net = "10.3.0.0/16".parse().expect("cidr");
        for (text, proto, from, to) in [
            ("tcp/5432", "tcp", Some(5432), Some(5432)),
            ("udp/1000-2000", "udp", Some(1000), Some(2000)),
            ("tcp", "tcp", Some(0), Some(65535)),
            ("icmp", "icmp", Some(-1), Some(-1)),
            ("all", "-1", None, None),
        ] {
            let o = opening(text);
            let perm = permission(&o, &source, Some("why"));
            assert_eq!(
                (perm.ip_protocol(), perm.from_port(), perm.to_port()),
                (Some(proto), from, to),
                "{text}"
            );
            let group = SecurityGroup::builder().ip_permissions(perm).build();
            assert_eq!(
                ingress(&group),
                [AwsIngress {
                    opening: o,
                    source,
                    description: "why".into()
                }],
                "{text}"
            );
            let perm = group_permission(&o, "sg-1", "111111111111", None);
            let group = SecurityGroup::builder().ip_permissions(perm).build();
            assert_eq!(
                group_ingress(&group),
                [AwsGroupIngress {
                    opening: o,
                    group: "sg-1".into(),
                    owner: "111111111111".into(),
                    description: String::new(),
                }],
                "{text}"
            );
        }
    }
}
