//! Network insights (Reachability Analyzer): Create/Describe/DeleteNetworkInsightsPath,
//! StartNetworkInsightsAnalysis, Describe/DeleteNetworkInsightsAnalysis.
//!
//! StartNetworkInsightsAnalysis runs the reach engine synchronously over a snapshot of the whole
//! world (every account, as cross-account peering paths need) and stores the answer: the
//! analysis is returned with status `succeeded` at once (AWS answers `running` and clients poll
//! DescribeNetworkInsightsAnalyses; a client that polls sees `succeeded` on its first look). A
//! question the engine refuses (e.g. a destination address held by no interface's family) is
//! stored as an analysis with status `failed` and the engine's reason in `statusMessage`, as AWS
//! reports analysis failures. `ClientToken` is accepted and not used for idempotency;
//! `FilterAtSource`/`FilterAtDestination`, `FilterInArns`/`FilterOutArns` and
//! `AdditionalAccounts` are not supported (ignored).

use vpcpeer_model::aws::insights::{CreatePath, NewAnalysis};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{
    AnalysisStatus, ComponentRecord, ExplanationRecord, HeaderRecord, NetworkInsightsAnalysis,
    NetworkInsightsPath, PathComponentRecord, RouteOrigin, RouteTarget, RulePeer, RuleRecord, Tx,
    World,
};
use vpcpeer_reach::{
    explain, Code, ComponentKind, ComponentRef, Direction, Endpoint, Header, Hop, Protocol, Query,
    RuleRef, Snapshot,
};

use super::{change, describe_owned, domain, explicit, render_named_id, unexpected, Action, Page};
use crate::filter::{self, matches, paginate, Filter};
use crate::render::iso;
use crate::{Ec2Error, Params, Xml};

/// The network insights actions. StartNetworkInsightsAnalysis is prepared: the reach engine
/// (which the model cannot call: the engine depends on the model) reads the world first, and the
/// command stores its finished result.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateNetworkInsightsPath" => change(parse_create_path, render_created),
        "DeleteNetworkInsightsPath" => by_ids!(DeleteInsightsPath {
            id: "NetworkInsightsPathId",
        } => |_, o, x| render_named_id(o, x, "networkInsightsPathId")),
        "DeleteNetworkInsightsAnalysis" => by_ids!(DeleteInsightsAnalysis {
            id: "NetworkInsightsAnalysisId",
        } => |_, o, x| render_named_id(o, x, "networkInsightsAnalysisId")),
        "StartNetworkInsightsAnalysis" => Action::Prepared {
            prepare: prepare_analysis,
            render: render_analysis_created,
        },
        "DescribeNetworkInsightsPaths" => Action::Read(describe_paths),
        "DescribeNetworkInsightsAnalyses" => Action::Read(describe_analyses),
        _ => return None,
    })
}

const PATH_FILTERS: &[&str] = &[
    "destination",
    "destination-ip",
    "destination-port",
    "protocol",
    "source",
    "source-ip",
];

const ANALYSIS_FILTERS: &[&str] = &["path-found", "status"];

fn path_field(n: &NetworkInsightsPath, name: &str) -> Vec<String> {
    match name {
        "destination" => n.destination.iter().cloned().collect(),
        "destination-ip" => n.destination_ip.iter().cloned().collect(),
        "destination-port" => n.destination_port.iter().map(|p| p.to_string()).collect(),
        "protocol" => vec![n.protocol.clone()],
        "source" => vec![n.source.clone()],
        "source-ip" => n.source_ip.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

fn status_name(s: AnalysisStatus) -> &'static str {
    match s {
        AnalysisStatus::Running => "running",
        AnalysisStatus::Succeeded => "succeeded",
        AnalysisStatus::Failed => "failed",
    }
}

fn analysis_field(a: &NetworkInsightsAnalysis, name: &str) -> Vec<String> {
    match name {
        "path-found" => vec![a.path_found.to_string()],
        "status" => vec![status_name(a.status).to_owned()],
        _ => Vec::new(),
    }
}

fn arn(region: &str, account: &str, kind: &str, id: &str) -> String {
    format!("arn:aws:ec2:{region}:{account}:{kind}/{id}")
}

/// EC2's ARN resource type of an id, by prefix.
fn arn_kind(id: &str) -> &'static str {
    match id.split('-').next().unwrap_or_default() {
        "i" => "instance",
        "eni" => "network-interface",
        _ => "resource",
    }
}

fn render_path(x: &mut Xml, n: &NetworkInsightsPath, world: &World) {
    let owner = |id: &str| {
        world
            .aws
            .instances()
            .get(id)
            .map(|i| i.scope.account.clone())
            .or_else(|| {
                world
                    .aws
                    .network_interfaces()
                    .get(id)
                    .map(|e| e.scope.account.clone())
            })
            .unwrap_or_else(|| n.scope.account.clone())
    };
    let region = &n.scope.region;
    x.leaf("networkInsightsPathId", &n.id)
        .leaf(
            "networkInsightsPathArn",
            arn(region, &n.scope.account, "network-insights-path", &n.id),
        )
        .leaf("createdDate", iso(n.created))
        .leaf("source", &n.source)
        .leaf(
            "sourceArn",
            arn(region, &owner(&n.source), arn_kind(&n.source), &n.source),
        );
    if let Some(d) = &n.destination {
        x.leaf("destination", d)
            .leaf("destinationArn", arn(region, &owner(d), arn_kind(d), d));
    }
    x.opt_leaf("sourceIp", n.source_ip.as_deref())
        .opt_leaf("destinationIp", n.destination_ip.as_deref())
        .leaf("protocol", &n.protocol)
        .opt_leaf("destinationPort", n.destination_port)
        .tags(&n.tags);
}

fn render_created(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::PathCreated(id) = outcome else {
        return unexpected(&outcome, x);
    };
    if let Some(n) = tx.get::<NetworkInsightsPath>(&id) {
        x.node("networkInsightsPath", |x| render_path(x, n, tx.world()));
    }
}

fn parse_create_path(p: &Params) -> Result<Command, Ec2Error> {
    Ok(Command::CreateInsightsPath(
        CreatePath {
            source: p.string("Source"),
            destination: p.string("Destination").filter(|s| !s.is_empty()),
            source_ip: p.string("SourceIp").filter(|s| !s.is_empty()),
            destination_ip: p.string("DestinationIp").filter(|s| !s.is_empty()),
            protocol: p.string("Protocol"),
            destination_port: p.int("DestinationPort")?,
            tags: p.spec_tags_of("network-insights-path")?,
        }
        .parse()?,
    ))
}

fn describe_paths(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new(
        "NetworkInsightsPathId",
        PATH_FILTERS,
        "networkInsightsPathSet",
    )
    .min(1)
    .max(100);
    let keep = |f: &[Filter], n: &NetworkInsightsPath| matches(f, &n.tags, |k| path_field(n, k));
    let world = tx.world();
    describe_owned(tx, p, page, keep, x, |x, n| render_path(x, n, world))
}

// --- Engine answer → stored records ---

fn kind_name(k: ComponentKind) -> &'static str {
    match k {
        ComponentKind::Instance => "instance",
        ComponentKind::NetworkInterface => "network-interface",
        ComponentKind::SecurityGroup => "security-group",
        ComponentKind::NetworkAcl => "network-acl",
        ComponentKind::RouteTable => "route-table",
        ComponentKind::PeeringConnection => "vpc-peering-connection",
        ComponentKind::InternetGateway => "internet-gateway",
        ComponentKind::NatGateway => "natgateway",
        ComponentKind::EgressOnlyInternetGateway => "egress-only-internet-gateway",
        ComponentKind::VpnGateway => "vpn-gateway",
        ComponentKind::Vpc => "vpc",
        ComponentKind::Subnet => "subnet",
        ComponentKind::Internet => "internet",
        // GCP and Azure components never appear on an EC2 insights path.
        ComponentKind::Network => "network",
        ComponentKind::FirewallRule => "firewall-rule",
        ComponentKind::NetworkSecurityGroup => "network-security-group",
        ComponentKind::VpcEndpoint => "vpc-endpoint",
        ComponentKind::Tunnel => "tunnel",
    }
}

/// Owner account, VPC and subnet of a component, looked up in the world.
fn place(w: &World, c: &ComponentRef) -> (Option<String>, Option<String>, Option<String>) {
    let id = c.id.as_str();
    let at = |account: &str, vpc: Option<&str>, subnet: Option<&str>| {
        (
            Some(account.to_owned()),
            vpc.map(str::to_owned),
            subnet.map(str::to_owned),
        )
    };
    let found = match c.kind {
        ComponentKind::Instance => w
            .aws
            .instances()
            .get(id)
            .map(|i| at(&i.scope.account, Some(&i.vpc_id), Some(&i.subnet_id))),
        ComponentKind::NetworkInterface => w
            .aws
            .network_interfaces()
            .get(id)
            .map(|e| at(&e.scope.account, Some(&e.vpc_id), Some(&e.subnet_id))),
        ComponentKind::SecurityGroup => w
            .aws
            .security_groups()
            .get(id)
            .map(|g| at(&g.scope.account, Some(&g.vpc_id), None)),
        ComponentKind::NetworkAcl => w
            .aws
            .network_acls()
            .get(id)
            .map(|a| at(&a.scope.account, Some(&a.vpc_id), None)),
        ComponentKind::RouteTable => w
            .aws
            .route_tables()
            .get(id)
            .map(|t| at(&t.scope.account, Some(&t.vpc_id), None)),
        ComponentKind::PeeringConnection => w
            .aws
            .peerings()
            .get(id)
            .map(|p| at(&p.requester.scope.account, None, None)),
        ComponentKind::InternetGateway => w
            .aws
            .internet_gateways()
            .get(id)
            .map(|g| at(&g.scope.account, g.attached_vpc.as_deref(), None)),
        ComponentKind::VpnGateway => w
            .aws
            .vpn_gateways()
            .get(id)
            .map(|g| at(&g.scope.account, g.attached_vpc(), None)),
        ComponentKind::NatGateway => w
            .aws
            .nat_gateways()
            .get(id)
            .map(|n| at(&n.scope.account, Some(&n.vpc_id), Some(&n.subnet_id))),
        ComponentKind::EgressOnlyInternetGateway => w
            .aws
            .egress_only_gateways()
            .get(id)
            .map(|g| at(&g.scope.account, Some(&g.vpc_id), None)),
        ComponentKind::VpcEndpoint => w
            .aws
            .vpc_endpoints()
            .get(id)
            .map(|e| at(&e.scope.account, Some(&e.vpc_id), None)),
        ComponentKind::Vpc => w
            .aws
            .vpcs()
            .get(id)
            .map(|v| at(&v.scope.account, Some(&v.id), None)),
        ComponentKind::Subnet => w
            .aws
            .subnets()
            .get(id)
            .map(|s| at(&s.scope.account, Some(&s.vpc_id), Some(&s.id))),
        ComponentKind::Internet
        | ComponentKind::Tunnel
        | ComponentKind::Network
        | ComponentKind::FirewallRule
        | ComponentKind::NetworkSecurityGroup => None,
    };
    found.unwrap_or((None, None, None))
}

fn component(w: &World, c: &ComponentRef) -> (ComponentRecord, Option<String>, Option<String>) {
    let (account, vpc, subnet) = place(w, c);
    (
        ComponentRecord {
            kind: kind_name(c.kind).to_owned(),
            id: c.id.clone(),
            account,
        },
        vpc,
        subnet,
    )
}

/// The security groups of the interface `c` names, as components (none if `c` is not one).
fn groups_of_eni(w: &World, c: &ComponentRef) -> Vec<ComponentRecord> {
    let Some(eni) = w.aws.network_interfaces().get(&c.id) else {
        return Vec::new();
    };
    eni.groups
        .iter()
        .map(|g| ComponentRecord {
            kind: "security-group".to_owned(),
            id: g.clone(),
            account: Some(eni.scope.account.clone()),
        })
        .collect()
}

fn protocol_number(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "6",
        Protocol::Udp => "17",
        Protocol::Icmp => "1",
        Protocol::All => "-1",
    }
}

fn header(h: &Header) -> HeaderRecord {
    HeaderRecord {
        src_ip: h.src_ip.to_string(),
        dst_ip: h.dst_ip.to_string(),
        protocol: protocol_number(h.protocol).to_owned(),
        src_port: h.src_port,
        dst_port: h.dst_port,
    }
}

fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    }
}

fn rule(w: &World, c: &ComponentRef, r: &RuleRef) -> Option<RuleRecord> {
    Some(match r {
        RuleRef::Route {
            destination,
            target,
        } => RuleRecord::Route {
            destination: destination.to_string(),
            target: target.clone(),
        },
        // GCP and Azure rules never appear on an EC2 insights path.
        RuleRef::Cloud(_) => return None,
        RuleRef::SecurityGroupRule {
            group_id,
            rule_id,
            direction,
        } => {
            let found = w.aws.security_groups().get(group_id).and_then(|g| {
                let rules = match direction {
                    Direction::Ingress => &g.ingress,
                    Direction::Egress => &g.egress,
                };
                rules.iter().find(|r| r.id == *rule_id)
            });
            RuleRecord::SecurityGroupRule {
                group_id: group_id.clone(),
                direction: direction_name(*direction).to_owned(),
                cidr: found.and_then(|r| match &r.peer {
                    RulePeer::Cidr4(n) => Some(n.to_string()),
                    RulePeer::Cidr6(n) => Some(n.to_string()),
                    _ => None,
                }),
                protocol: found.map_or_else(|| "-1".to_owned(), |r| r.protocol.clone()),
                ports: found.and_then(|r| r.from_port.zip(r.to_port)),
            }
        }
        RuleRef::AclRule {
            rule_number,
            action,
            direction,
        } => {
            let egress = *direction == Direction::Egress;
            let entry = rule_number.and_then(|n| {
                w.aws.network_acls().get(&c.id).and_then(|a| {
                    a.entries
                        .iter()
                        .find(|e| e.rule_number == n && e.egress == egress)
                })
            });
            RuleRecord::AclRule {
                rule_number: *rule_number,
                egress,
                action: match action {
                    vpcpeer_model::AclAction::Allow => "allow",
                    vpcpeer_model::AclAction::Deny => "deny",
                }
                .to_owned(),
                cidr: entry.map(|e| e.cidr.to_string()),
                protocol: entry.map(|e| e.protocol.clone()),
                ports: entry.and_then(|e| e.port_range),
            }
        }
    })
}

fn hops(w: &World, hops: &[Hop]) -> Vec<PathComponentRecord> {
    hops.iter()
        .enumerate()
        .map(|(i, h)| {
            let (component, vpc_id, subnet_id) = component(w, &h.component);
            PathComponentRecord {
                sequence: u32::try_from(i + 1).unwrap_or(u32::MAX),
                component,
                vpc_id,
                subnet_id,
                inbound: header(&h.inbound),
                outbound: header(&h.outbound),
                rule: h.rule.as_ref().and_then(|r| rule(w, &h.component, r)),
            }
        })
        .collect()
}

fn query_of(n: &NetworkInsightsPath) -> Result<Query, String> {
    let endpoint = |s: &str| Endpoint::parse(s).ok_or_else(|| format!("invalid endpoint {s}"));
    let dst = match (&n.destination, &n.destination_ip) {
        (Some(d), _) => endpoint(d)?,
        (None, Some(ip)) => endpoint(ip)?,
        (None, None) => return Err("the path has no destination".into()),
    };
    Ok(Query {
        src: endpoint(&n.source)?,
        dst,
        protocol: if n.protocol == "udp" {
            Protocol::Udp
        } else {
            Protocol::Tcp
        },
        port: n.destination_port,
    })
}

/// Runs the analysis on the world as it is and makes the command that stores its result.
fn prepare_analysis(tx: &Tx<'_, '_>, p: &Params) -> Result<Command, Ec2Error> {
    let path_id = p.required("NetworkInsightsPathId")?;
    let tags = p.spec_tags_of("network-insights-analysis")?;
    let path = domain(tx.owned::<NetworkInsightsPath>(path_id))?.clone();
    let world = tx.world();
    let verdict = query_of(&path)
        .and_then(|q| explain(&Snapshot::compile(world, tx.now()), &q).map_err(|e| e.to_string()));
    let new = match verdict {
        Ok(v) => NewAnalysis {
            path_id: path.id.clone(),
            status: AnalysisStatus::Succeeded,
            status_message: None,
            path_found: v.reachable,
            forward: hops(world, &v.forward),
            ret: hops(world, &v.ret),
            explanations: v
                .blockers
                .iter()
                .map(|b| {
                    let (component, vpc_id, subnet_id) = component(world, &b.component);
                    ExplanationRecord {
                        code: b.code.aws_code().to_owned(),
                        component,
                        direction: match b.code {
                            Code::EniSgRulesMismatch { direction }
                            | Code::SubnetAclRestriction { direction } => {
                                Some(direction_name(direction).to_owned())
                            }
                            _ => None,
                        },
                        leg: match b.leg {
                            vpcpeer_reach::Leg::Forward => "forward",
                            vpcpeer_reach::Leg::Return => "return",
                        }
                        .to_owned(),
                        vpc_id,
                        subnet_id,
                        detail: b.detail.clone(),
                        security_groups: match b.code {
                            Code::EniSgRulesMismatch { .. } => groups_of_eni(world, &b.component),
                            _ => Vec::new(),
                        },
                    }
                })
                .collect(),
            tags,
        },
        Err(message) => NewAnalysis {
            path_id: path.id.clone(),
            status: AnalysisStatus::Failed,
            status_message: Some(message),
            path_found: false,
            forward: Vec::new(),
            ret: Vec::new(),
            explanations: Vec::new(),
            tags,
        },
    };
    Ok(Command::CreateInsightsAnalysis(Box::new(new)))
}

fn render_analysis_created(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::AnalysisCreated(id) = &outcome else {
        return unexpected(&outcome, x);
    };
    match tx.get::<NetworkInsightsAnalysis>(id) {
        Some(a) => {
            x.node("networkInsightsAnalysis", |x| render_analysis(x, a));
        }
        None => unexpected(&outcome, x),
    }
}

fn describe_analyses(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, ANALYSIS_FILTERS)?;
    let (limit, token) = filter::paging(p, 1, 100)?;
    let path_id = p.string("NetworkInsightsPathId");
    if let Some(pid) = &path_id {
        domain(tx.owned::<NetworkInsightsPath>(pid))?;
    }
    let start = match p.get("AnalysisStartTime") {
        Some(s) => Some(
            crate::render::parse_iso(s)
                .ok_or_else(|| Ec2Error::invalid_value("AnalysisStartTime", s))?,
        ),
        None => None,
    };
    let end = match p.get("AnalysisEndTime") {
        Some(s) => Some(
            crate::render::parse_iso(s)
                .ok_or_else(|| Ec2Error::invalid_value("AnalysisEndTime", s))?,
        ),
        None => None,
    };
    let ids = p.list("NetworkInsightsAnalysisId");
    let items: Vec<&NetworkInsightsAnalysis> = if ids.is_empty() {
        tx.list_owned::<NetworkInsightsAnalysis>().collect()
    } else {
        explicit(&ids, |id| tx.owned::<NetworkInsightsAnalysis>(id))?
    };
    let items: Vec<_> = items
        .into_iter()
        .filter(|a| path_id.as_ref().is_none_or(|p| *p == a.path_id))
        .filter(|a| start.is_none_or(|s| a.started >= s))
        .filter(|a| end.is_none_or(|e| a.started <= e))
        .filter(|a| matches(&filters, &a.tags, |f| analysis_field(a, f)))
        .collect();
    let (page, next) = paginate(items, |a| &a.id, limit, token.as_deref());
    x.list("networkInsightsAnalysisSet", page, render_analysis);
    x.opt_leaf("nextToken", next);
    Ok(())
}

// --- Rendering ---

fn render_component(x: &mut Xml, tag: &str, c: &ComponentRecord, region: &str) {
    x.node(tag, |x| {
        x.leaf("id", &c.id);
        if let Some(acc) = &c.account {
            x.leaf("arn", arn(region, acc, &c.kind, &c.id));
        }
    });
}

fn render_id(x: &mut Xml, tag: &str, id: &str) {
    x.node(tag, |x| {
        x.leaf("id", id);
    });
}

fn render_ports(x: &mut Xml, tag: &str, port: Option<u16>) {
    if let Some(p) = port {
        x.node(tag, |x| {
            x.node("item", |x| {
                x.leaf("from", p).leaf("to", p);
            });
        });
    }
}

fn render_header(x: &mut Xml, tag: &str, h: &HeaderRecord) {
    x.node(tag, |x| {
        x.scalar_list("destinationAddressSet", [&h.dst_ip]);
        render_ports(x, "destinationPortRangeSet", h.dst_port);
        x.leaf("protocol", &h.protocol);
        x.scalar_list("sourceAddressSet", [&h.src_ip]);
        render_ports(x, "sourcePortRangeSet", h.src_port);
    });
}

fn render_port_range(x: &mut Xml, ports: Option<(i32, i32)>) {
    if let Some((from, to)) = ports {
        x.node("portRange", |x| {
            x.leaf("from", from).leaf("to", to);
        });
    }
}

fn render_rule(x: &mut Xml, r: &RuleRecord) {
    match r {
        RuleRecord::Route {
            destination,
            target,
        } => {
            x.node("routeTableRoute", |x| {
                x.leaf("destinationCidr", destination);
                let (tag, id) = match target {
                    RouteTarget::Local => ("gatewayId", "local"),
                    RouteTarget::Gateway(id) => ("gatewayId", id.as_str()),
                    RouteTarget::Peering(id) => ("vpcPeeringConnectionId", id.as_str()),
                    RouteTarget::NatGateway(id) => ("natGatewayId", id.as_str()),
                    RouteTarget::Instance(id) => ("instanceId", id.as_str()),
                    RouteTarget::NetworkInterface(id) => ("networkInterfaceId", id.as_str()),
                    RouteTarget::TransitGateway(id) => ("transitGatewayId", id.as_str()),
                    RouteTarget::EgressOnlyInternetGateway(id) => {
                        ("egressOnlyInternetGatewayId", id.as_str())
                    }
                    RouteTarget::VpcEndpoint(id) => ("gatewayId", id.as_str()),
                };
                x.leaf(tag, id);
                let origin = if matches!(target, RouteTarget::Local) {
                    RouteOrigin::CreateRouteTable
                } else {
                    RouteOrigin::CreateRoute
                };
                x.leaf(
                    "origin",
                    match origin {
                        RouteOrigin::CreateRouteTable => "CreateRouteTable",
                        RouteOrigin::CreateRoute => "CreateRoute",
                    },
                )
                .leaf("state", "active");
            });
        }
        RuleRecord::SecurityGroupRule {
            group_id,
            direction,
            cidr,
            protocol,
            ports,
        } => {
            x.node("securityGroupRule", |x| {
                x.opt_leaf("cidr", cidr.as_deref())
                    .leaf("direction", direction)
                    .leaf("securityGroupId", group_id);
                render_port_range(x, *ports);
                x.leaf("protocol", protocol);
            });
        }
        RuleRecord::AclRule {
            rule_number,
            egress,
            action,
            cidr,
            protocol,
            ports,
        } => {
            x.node("aclRule", |x| {
                x.opt_leaf("cidr", cidr.as_deref()).leaf("egress", egress);
                render_port_range(x, *ports);
                x.opt_leaf("protocol", protocol.as_deref())
                    .leaf("ruleAction", action)
                    .leaf("ruleNumber", rule_number.unwrap_or(32767));
            });
        }
    }
}

fn render_hop(x: &mut Xml, c: &PathComponentRecord, region: &str) {
    x.leaf("sequenceNumber", c.sequence);
    render_component(x, "component", &c.component, region);
    render_header(x, "inboundHeader", &c.inbound);
    render_header(x, "outboundHeader", &c.outbound);
    if let Some(r) = &c.rule {
        render_rule(x, r);
    }
    if let Some(s) = &c.subnet_id {
        render_id(x, "subnet", s);
    }
    if let Some(v) = &c.vpc_id {
        render_id(x, "vpc", v);
    }
}

/// The kind-specific member of an Explanation that names its component.
fn explanation_member(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "route-table" => "routeTable",
        "security-group" => "securityGroup",
        "network-acl" => "acl",
        "vpc-peering-connection" => "vpcPeeringConnection",
        "network-interface" => "networkInterface",
        "internet-gateway" => "internetGateway",
        "natgateway" => "natGateway",
        _ => return None,
    })
}

fn render_explanation(x: &mut Xml, e: &ExplanationRecord, region: &str) {
    if let Some(tag) = explanation_member(&e.component.kind) {
        render_component(x, tag, &e.component, region);
    }
    render_component(x, "component", &e.component, region);
    x.opt_leaf("direction", e.direction.as_deref())
        .leaf("explanationCode", &e.code);
    if !e.security_groups.is_empty() {
        x.list("securityGroupSet", &e.security_groups, |x, g| {
            x.leaf("id", &g.id);
            if let Some(acc) = &g.account {
                x.leaf("arn", arn(region, acc, &g.kind, &g.id));
            }
        });
    }
    if let Some(s) = &e.subnet_id {
        if e.component.kind != "subnet" {
            render_id(x, "subnet", s);
        }
    }
    if let Some(v) = &e.vpc_id {
        if e.component.kind != "vpc" {
            render_id(x, "vpc", v);
        }
    }
}

fn render_analysis(x: &mut Xml, a: &NetworkInsightsAnalysis) {
    let region = a.scope.region.as_str();
    x.leaf("networkInsightsAnalysisId", &a.id)
        .leaf(
            "networkInsightsAnalysisArn",
            arn(region, &a.scope.account, "network-insights-analysis", &a.id),
        )
        .leaf("networkInsightsPathId", &a.path_id)
        .leaf("startDate", iso(a.started))
        .leaf("status", status_name(a.status))
        .opt_leaf("statusMessage", a.status_message.as_deref());
    if a.status == AnalysisStatus::Succeeded {
        x.leaf("networkPathFound", a.path_found);
        x.list("forwardPathComponentSet", &a.forward, |x, c| {
            render_hop(x, c, region)
        });
        x.list("returnPathComponentSet", &a.ret, |x, c| {
            render_hop(x, c, region)
        });
        x.list("explanationSet", &a.explanations, |x, e| {
            render_explanation(x, e, region)
        });
    }
    x.tags(&a.tags);
}
