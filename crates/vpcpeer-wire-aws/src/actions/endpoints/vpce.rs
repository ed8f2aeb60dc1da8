//! VPC endpoints: Create/Modify/Describe/DeleteVpcEndpoints and DescribeVpcEndpointServices.
//!
//! Shown as AWS shows them, with choices where AWS's values are made up [UNVERIFIED]: an
//! interface endpoint's `dnsEntrySet` holds `<vpce id>-<hash>.<service>.<region>.vpce.amazonaws.com`
//! with a made-up hosted zone id (`Z7HUB22UULQXV`, AWS's us-east-1 zone for interface endpoints,
//! in every region); a service's `serviceId` is `vpce-svc-` and 17 hex digits of the FNV-1a
//! hash of its name and type.

use vpcpeer_model::aws::endpoints::catalogue::{self, Service};
use vpcpeer_model::aws::endpoints::{
    EndpointChange, EndpointCommand, EndpointOutcome, EndpointType, NewEndpoint, VpcEndpoint,
};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{EndpointProblem, SecurityGroup, Tx};

use crate::actions::{describe_owned, unexpected, Action, Page};
use crate::filter::{self, matches, Filter};
use crate::render::iso;
use crate::{Ec2Error, Params, Xml};

/// The endpoint actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateVpcEndpoint" => Action::Change {
            parse: parse_create,
            render: render_created,
        },
        "ModifyVpcEndpoint" => Action::Change {
            parse: parse_modify,
            render: crate::actions::render_done,
        },
        "DeleteVpcEndpoints" => Action::Change {
            parse: |p| {
                let ids = p.list("VpcEndpointId");
                if ids.is_empty() {
                    return Err(Ec2Error::missing("VpcEndpointId"));
                }
                Ok(Command::Endpoint(EndpointCommand::DeleteEndpoints { ids }))
            },
            render: render_deleted,
        },
        "DescribeVpcEndpoints" => Action::Read(describe),
        "DescribeVpcEndpointServices" => Action::Read(describe_services),
        _ => return None,
    })
}

fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    let vpc_id = p.id("VpcId")?;
    let service_name = p.required("ServiceName")?.to_owned();
    for unsupported in [
        "ServiceNetworkArn",
        "ResourceConfigurationArn",
        "ServiceRegion",
    ] {
        if p.get(unsupported).is_some_and(|v| !v.is_empty()) {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                format!("The parameter {unsupported} is not supported by this emulator."),
            ));
        }
    }
    let input = NewEndpoint {
        vpc_id,
        service_name,
        endpoint_type: p.string("VpcEndpointType").filter(|s| !s.is_empty()),
        policy: p.string("PolicyDocument").filter(|s| !s.is_empty()),
        route_table_ids: p.list("RouteTableId"),
        subnet_ids: p.list("SubnetId"),
        group_ids: p.list("SecurityGroupId"),
        private_dns: p.bool("PrivateDnsEnabled")?,
        tags: p.spec_tags_of("vpc-endpoint")?,
    };
    Ok(Command::Endpoint(EndpointCommand::CreateEndpoint {
        input,
        client_token: p.string("ClientToken").filter(|s| !s.is_empty()),
    }))
}

fn parse_modify(p: &Params) -> Result<Command, Ec2Error> {
    Ok(Command::Endpoint(EndpointCommand::ModifyEndpoint(
        EndpointChange {
            id: p.id("VpcEndpointId")?,
            add_route_tables: p.list("AddRouteTableId"),
            remove_route_tables: p.list("RemoveRouteTableId"),
            add_subnets: p.list("AddSubnetId"),
            remove_subnets: p.list("RemoveSubnetId"),
            add_groups: p.list("AddSecurityGroupId"),
            remove_groups: p.list("RemoveSecurityGroupId"),
            policy: p.string("PolicyDocument").filter(|s| !s.is_empty()),
            reset_policy: p.bool("ResetPolicy")?.unwrap_or(false),
            private_dns: p.bool("PrivateDnsEnabled")?,
        },
    )))
}

/// FNV-1a of `text`, 64 bits.
fn fnv64(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The `vpcEndpoint` shape (inner elements).
fn write_endpoint(tx: &Tx<'_, '_>, x: &mut Xml, e: &VpcEndpoint) {
    let interface = e.endpoint_type == EndpointType::Interface;
    x.leaf("vpcEndpointId", &e.id)
        .leaf("vpcEndpointType", e.endpoint_type.name())
        .leaf("vpcId", &e.vpc_id)
        .leaf("serviceName", &e.service_name)
        .leaf("state", "available")
        .leaf("policyDocument", e.policy_document())
        .scalar_list("routeTableIdSet", &e.route_table_ids)
        .scalar_list("subnetIdSet", &e.subnet_ids)
        .list("groupSet", &e.group_ids, |x, g| {
            x.leaf("groupId", g);
            let name = tx.get::<SecurityGroup>(g).map(|g| g.name.as_str());
            x.opt_leaf("groupName", name);
        })
        .leaf("ipAddressType", "ipv4");
    if interface {
        x.node("dnsOptions", |x| {
            x.leaf("dnsRecordIpType", "ipv4");
        });
    }
    x.leaf("privateDnsEnabled", e.private_dns)
        .leaf("requesterManaged", false)
        .scalar_list("networkInterfaceIdSet", &e.eni_ids)
        .list("dnsEntrySet", interface.then_some(e), |x, e| {
            let service = e
                .service_name
                .strip_prefix(&format!("com.amazonaws.{}.", e.scope.region))
                .unwrap_or(&e.service_name);
            x.leaf(
                "dnsName",
                format!(
                    "{}-{:08x}.{service}.{}.vpce.amazonaws.com",
                    e.id,
                    fnv64(&e.id) as u32,
                    e.scope.region
                ),
            )
            .leaf("hostedZoneId", "Z7HUB22UULQXV");
        })
        .leaf("creationTimestamp", iso(e.created))
        .tags(&e.tags)
        .leaf("ownerId", &e.scope.account);
}

fn render_created(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    match outcome {
        Outcome::Endpoint(EndpointOutcome::Endpoint {
            endpoint,
            client_token,
        }) => {
            x.node("vpcEndpoint", |x| write_endpoint(tx, x, &endpoint));
            x.opt_leaf("clientToken", client_token);
        }
        other => unexpected(&other, x),
    }
}

fn render_deleted(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    match outcome {
        Outcome::Endpoint(EndpointOutcome::Deleted(failed)) => {
            x.list("unsuccessful", failed, |x, (id, err)| {
                let e = Ec2Error::from(err);
                x.node("error", |x| {
                    x.leaf("code", &e.code).leaf("message", &e.message);
                })
                .leaf("resourceId", id);
            });
        }
        other => unexpected(&other, x),
    }
}

const FILTERS: &[&str] = &[
    "service-name",
    "vpc-id",
    "vpc-endpoint-id",
    "vpc-endpoint-state",
    "vpc-endpoint-type",
    "ip-address-type",
];

fn field(e: &VpcEndpoint, name: &str) -> Vec<String> {
    match name {
        "service-name" => vec![e.service_name.clone()],
        "vpc-id" => vec![e.vpc_id.clone()],
        "vpc-endpoint-id" => vec![e.id.clone()],
        "vpc-endpoint-state" => vec!["available".into()],
        "vpc-endpoint-type" => vec![e.endpoint_type.name().into()],
        "ip-address-type" => vec!["ipv4".into()],
        _ => Vec::new(),
    }
}

fn describe(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new("VpcEndpointId", FILTERS, "vpcEndpointSet").min(1);
    let keep = |f: &[Filter], e: &VpcEndpoint| matches(f, &e.tags, |n| field(e, n));
    describe_owned(tx, p, page, keep, x, |x, e| write_endpoint(tx, x, e))
}

/// One catalogue entry per (service, type), in name then type order.
fn details(region: &str) -> Vec<(Service, EndpointType)> {
    catalogue::services(region)
        .into_iter()
        .flat_map(|s| s.types.iter().map(move |t| (s.clone(), *t)))
        .collect()
}

const SERVICE_FILTERS: &[&str] = &["service-name", "service-type", "owner", "service-region"];

fn describe_services(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, SERVICE_FILTERS)?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let region = tx.scope().region.clone();
    let names = p.list("ServiceName");
    for n in &names {
        if catalogue::service(&region, n).is_none() {
            return Err(Ec2Error::from(vpcpeer_model::DomainError::Endpoint(
                EndpointProblem::UnknownService { name: n.clone() },
            )));
        }
    }
    let no_tags = vpcpeer_model::Tags::new();
    let mut items: Vec<(String, Service, EndpointType)> = details(&region)
        .into_iter()
        .filter(|(s, _)| names.is_empty() || names.contains(&s.name))
        .filter(|(s, t)| {
            matches(&filters, &no_tags, |n| match n {
                "service-name" => vec![s.name.clone()],
                "service-type" => vec![t.name().into()],
                "owner" => vec!["amazon".into()],
                "service-region" => vec![region.clone()],
                _ => Vec::new(),
            })
        })
        .map(|(s, t)| (format!("{}/{}", s.name, t.name()), s, t))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (page, next) = filter::paginate(items, |(k, _, _)| k, limit, token.as_deref());
    let mut names: Vec<&str> = page.iter().map(|(_, s, _)| s.name.as_str()).collect();
    names.dedup();
    x.scalar_list("serviceNameSet", names);
    let zones = vpcpeer_model::aws::regions::zones(&region);
    x.list("serviceDetailSet", &page, |x, (_, s, t)| {
        let interface = *t == EndpointType::Interface;
        let dns = format!("{}.{region}.amazonaws.com", s.short);
        x.leaf("serviceName", &s.name)
            .leaf(
                "serviceId",
                format!(
                    "vpce-svc-{:017x}",
                    fnv64(&format!("{}/{}", s.name, t.name())) >> 4
                ),
            )
            .list("serviceType", [t], |x, t| {
                x.leaf("serviceType", t.name());
            })
            .leaf("serviceRegion", &region)
            .scalar_list("availabilityZoneIdSet", zones.iter().map(|z| &z.id))
            .scalar_list("availabilityZoneSet", zones.iter().map(|z| &z.name))
            .leaf("owner", "amazon")
            .scalar_list("baseEndpointDnsNameSet", [&dns]);
        if interface {
            x.leaf("privateDnsName", &dns);
            x.list("privateDnsNameSet", [&dns], |x, d| {
                x.leaf("privateDnsName", d);
            });
        }
        x.leaf("vpcEndpointPolicySupported", s.policy_supported)
            .leaf("acceptanceRequired", false)
            .leaf("managesVpcEndpoints", false)
            .list("tagSet", std::iter::empty::<()>(), |_, ()| {});
        if interface {
            x.leaf("privateDnsNameVerificationState", "verified");
        }
        x.scalar_list("supportedIpAddressTypeSet", ["ipv4"]);
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}
