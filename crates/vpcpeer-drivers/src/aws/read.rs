//! Reading EC2's answers into the controller's observed types, and an opening into EC2's
//! permission parameters.

use ipnet::Ipv4Net;
use vpcpeer_controller::desired::{Opening, Protocol};
use vpcpeer_controller::observed::{
    AwsGroupIngress, AwsIngress, AwsPeering, AwsRoute, AwsRouteTable, AwsStatus, AwsTarget,
};

use super::query::Node;
use super::{p, Params};

pub(super) fn route_table(t: &Node) -> AwsRouteTable {
    let routes = t
        .items("routeSet")
        .filter_map(|r| {
            let destination: Ipv4Net = r.text_of("destinationCidrBlock").parse().ok()?;
            let target = match (r.text_of("gatewayId"), r.text_of("vpcPeeringConnectionId")) {
                ("local", _) => AwsTarget::Local,
                (_, pcx) if !pcx.is_empty() => AwsTarget::Peering(pcx.to_string()),
                _ => {
                    let other = [
                        "gatewayId",
                        "natGatewayId",
                        "instanceId",
                        "networkInterfaceId",
                        "transitGatewayId",
                        "egressOnlyInternetGatewayId",
                        "localGatewayId",
                        "carrierGatewayId",
                    ]
                    .iter()
                    .map(|k| r.text_of(k))
                    .find(|v| !v.is_empty())
                    .unwrap_or("unknown");
                    AwsTarget::Other(other.to_string())
                }
            };
            Some(AwsRoute {
                destination,
                target,
                blackhole: r.text_of("state") == "blackhole",
            })
        })
        .collect();
    AwsRouteTable {
        id: t.text_of("routeTableId").to_string(),
        main: t
            .items("associationSet")
            .any(|a| a.text_of("main") == "true"),
        routes,
    }
}

/// The rules of a group's `ipPermissions` with IPv4 sources, one per source.
pub(super) fn ingress(group: &Node) -> Vec<AwsIngress> {
    let mut out = Vec::new();
    for perm in group.items("ipPermissions") {
        let Some(opening) = opening_of(perm) else {
            continue;
        };
        for range in perm.items("ipRanges") {
            if let Ok(source) = range.text_of("cidrIp").parse() {
                out.push(AwsIngress {
                    opening,
                    source,
                    description: range.text_of("description").to_string(),
                });
            }
        }
    }
    out
}

/// The rules of a group's `ipPermissions` whose source is a security group, one per group.
pub(super) fn group_ingress(group: &Node) -> Vec<AwsGroupIngress> {
    let mut out = Vec::new();
    for perm in group.items("ipPermissions") {
        let Some(opening) = opening_of(perm) else {
            continue;
        };
        for g in perm.items("groups") {
            out.push(AwsGroupIngress {
                opening,
                group: g.text_of("groupId").to_string(),
                owner: g.text_of("userId").to_string(),
                description: g.text_of("description").to_string(),
            });
        }
    }
    out
}

/// EC2's protocol and ports as an opening (all ports of TCP or UDP read as "no ports").
fn opening_of(perm: &Node) -> Option<Opening> {
    let protocol = match perm.text_of("ipProtocol") {
        "tcp" | "6" => Protocol::Tcp,
        "udp" | "17" => Protocol::Udp,
        "icmp" | "1" => Protocol::Icmp,
        "-1" => Protocol::All,
        _ => return None,
    };
    let ports = match protocol {
        Protocol::Tcp | Protocol::Udp => {
            let from: u16 = perm.text_of("fromPort").parse().ok()?;
            let to: u16 = perm.text_of("toPort").parse().ok()?;
            ((from, to) != (0, 65535)).then_some((from, to))
        }
        _ => None,
    };
    Some(Opening { protocol, ports })
}

/// EC2's parameters for an opening (`IpPermissions.1.*`).
/// EC2's parameters for an opening from a security group (`IpPermissions.1.Groups.1.*`).
pub(super) fn group_permission(
    opening: &Opening,
    group: &str,
    owner: &str,
    description: Option<&str>,
) -> Params {
    let mut out = ports_of(opening);
    out.push(p("IpPermissions.1.Groups.1.GroupId", group));
    out.push(p("IpPermissions.1.Groups.1.UserId", owner));
    if let Some(text) = description {
        out.push(p("IpPermissions.1.Groups.1.Description", text));
    }
    out
}

/// `IpProtocol`, `FromPort` and `ToPort` of an opening (all ports of TCP or UDP as 0-65535,
/// every ICMP type as -1).
fn ports_of(opening: &Opening) -> Params {
    let (proto, ports) = match opening.protocol {
        Protocol::Tcp => ("tcp", Some(opening.ports.unwrap_or((0, 65535)))),
        Protocol::Udp => ("udp", Some(opening.ports.unwrap_or((0, 65535)))),
        Protocol::Icmp => ("icmp", None),
        Protocol::All => ("-1", None),
    };
    let mut out = vec![p("IpPermissions.1.IpProtocol", proto)];
    let (from, to) = match (opening.protocol, ports) {
        (_, Some((from, to))) => (from.to_string(), to.to_string()),
        (Protocol::Icmp, None) => ("-1".to_string(), "-1".to_string()),
        _ => return out,
    };
    out.push(p("IpPermissions.1.FromPort", from));
    out.push(p("IpPermissions.1.ToPort", to));
    out
}

pub(super) fn permission(opening: &Opening, source: &Ipv4Net, description: Option<&str>) -> Params {
    let mut out = ports_of(opening);
    out.push(p("IpPermissions.1.IpRanges.1.CidrIp", source.to_string()));
    if let Some(text) = description {
        out.push(p("IpPermissions.1.IpRanges.1.Description", text));
    }
    out
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

pub(super) fn peering(item: &Node) -> AwsPeering {
    let dns = |side: &str| {
        item.at(&[side, "peeringOptions", "allowDnsResolutionFromRemoteVpc"])
            .is_some_and(|n| n.text == "true")
    };
    AwsPeering {
        id: item.text_of("vpcPeeringConnectionId").to_string(),
        requester: item
            .at(&["requesterVpcInfo", "vpcId"])
            .map(|n| n.text.clone())
            .unwrap_or_default(),
        accepter: item
            .at(&["accepterVpcInfo", "vpcId"])
            .map(|n| n.text.clone())
            .unwrap_or_default(),
        status: status(item.at(&["status", "code"]).map_or("", |n| n.text.as_str())),
        tags: item
            .items("tagSet")
            .map(|t| (t.text_of("key").to_string(), t.text_of("value").to_string()))
            .collect(),
        requester_dns: dns("requesterVpcInfo"),
        accepter_dns: dns("accepterVpcInfo"),
    }
}
