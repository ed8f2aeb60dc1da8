//! Internet gateways (Create/Attach/Detach/Delete/DescribeInternetGateways) and NAT gateways
//! (Create/Describe/DeleteNatGateway).
//!
//! A public NAT gateway's `publicIp` is its Elastic IP's address (the allocation is the
//! caller's; see the model's `address`).

use std::net::Ipv4Addr;

use vpcpeer_model::aws::gateway::NewNat;
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{DomainError, ElasticIp, Field, InternetGateway, NatGateway, NatState, Tx};

use super::{describe_owned, describe_page, domain, render_done, unexpected, Action, Page};
use crate::filter::{matches, Filter};
use crate::render::iso;
use crate::{Ec2Error, Params, Xml};

/// The gateway actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateInternetGateway" => Action::Change {
            parse: |p| {
                Ok(Command::CreateInternetGateway {
                    tags: p.spec_tags_of("internet-gateway")?,
                })
            },
            render: |_, o, x| match o {
                Outcome::InternetGateway(g) => {
                    x.node("internetGateway", |x| render_igw(x, &g));
                }
                other => unexpected(&other, x),
            },
        },
        "AttachInternetGateway" => by_ids!(
            AttachInternetGateway { igw_id: "InternetGatewayId", vpc_id: "VpcId" } => render_done
        ),
        "DetachInternetGateway" => by_ids!(
            DetachInternetGateway { igw_id: "InternetGatewayId", vpc_id: "VpcId" } => render_done
        ),
        "DeleteInternetGateway" => {
            by_ids!(DeleteInternetGateway { id: "InternetGatewayId" } => render_done)
        }
        "DescribeInternetGateways" => Action::Read(describe_igws),
        "CreateNatGateway" => Action::Change {
            parse: parse_create_nat,
            render: render_created_nat,
        },
        "DescribeNatGateways" => Action::Read(describe_nats),
        "DeleteNatGateway" => by_ids!(
            DeleteNatGateway { id: "NatGatewayId" } => |_, o, x| match o {
                Outcome::NatGatewayDeleted(id) => {
                    x.leaf("natGatewayId", id);
                }
                other => unexpected(&other, x),
            }
        ),
        _ => return None,
    })
}

const IGW_FILTERS: &[&str] = &[
    "attachment.vpc-id",
    "attachment.state",
    "internet-gateway-id",
    "owner-id",
];

fn igw_field(g: &InternetGateway, name: &str) -> Vec<String> {
    match name {
        "attachment.vpc-id" => g.attached_vpc.iter().cloned().collect(),
        "attachment.state" => g.attached_vpc.iter().map(|_| "available".into()).collect(),
        "internet-gateway-id" => vec![g.id.clone()],
        "owner-id" => vec![g.scope.account.clone()],
        _ => Vec::new(),
    }
}

/// The `internetGateway` shape (inner elements).
fn render_igw(x: &mut Xml, g: &InternetGateway) {
    x.leaf("internetGatewayId", &g.id)
        .leaf("ownerId", &g.scope.account)
        .list("attachmentSet", g.attached_vpc.iter(), |x, v| {
            x.leaf("vpcId", v).leaf("state", "available");
        })
        .tags(&g.tags);
}

fn describe_igws(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new("InternetGatewayId", IGW_FILTERS, "internetGatewaySet");
    let keep = |f: &[Filter], g: &InternetGateway| matches(f, &g.tags, |n| igw_field(g, n));
    describe_owned(tx, p, page, keep, x, render_igw)
}

const NAT_FILTERS: &[&str] = &["nat-gateway-id", "state", "subnet-id", "vpc-id"];

fn nat_state(s: NatState) -> &'static str {
    match s {
        NatState::Pending => "pending",
        NatState::Available => "available",
        NatState::Deleting => "deleting",
        NatState::Deleted => "deleted",
    }
}

fn nat_field(n: &NatGateway, name: &str) -> Vec<String> {
    match name {
        "nat-gateway-id" => vec![n.id.clone()],
        "state" => vec![nat_state(n.state).into()],
        "subnet-id" => vec![n.subnet_id.clone()],
        "vpc-id" => vec![n.vpc_id.clone()],
        _ => Vec::new(),
    }
}

/// The `natGateway` shape (inner elements).
fn render_nat(tx: &Tx<'_, '_>, x: &mut Xml, n: &NatGateway) {
    x.leaf("createTime", iso(n.created));
    x.opt_leaf("deleteTime", n.deleted.map(iso));
    x.list("natGatewayAddressSet", std::iter::once(n), |x, n| {
        x.opt_leaf("allocationId", n.allocation_id.as_deref());
        x.leaf("networkInterfaceId", &n.eni_id)
            .leaf("privateIp", n.private_ip);
        x.opt_leaf(
            "publicIp",
            n.allocation_id
                .as_deref()
                .and_then(|a| tx.get::<ElasticIp>(a))
                .map(|e| e.public_ip),
        );
        x.leaf("isPrimary", true).leaf("status", "succeeded");
    })
    .leaf("natGatewayId", &n.id)
    .leaf("state", nat_state(n.state))
    .leaf("subnetId", &n.subnet_id)
    .leaf("vpcId", &n.vpc_id)
    .leaf(
        "connectivityType",
        if n.public { "public" } else { "private" },
    )
    .tags(&n.tags);
}

fn parse_create_nat(p: &Params) -> Result<Command, Ec2Error> {
    for unsupported in [
        "SecondaryAllocationId.1",
        "SecondaryPrivateIpAddress.1",
        "SecondaryPrivateIpAddressCount",
    ] {
        if p.get(unsupported).is_some() {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                "Secondary NAT gateway addresses are not supported by this emulator.",
            ));
        }
    }
    let subnet_id = p.id("SubnetId")?;
    let allocation_id = p.string("AllocationId").filter(|s| !s.is_empty());
    let connectivity_type = p.get("ConnectivityType").filter(|s| !s.is_empty());
    let private_ip = p.get("PrivateIpAddress").filter(|s| !s.is_empty());
    let tags = p.spec_tags_of("natgateway")?;
    let public = match connectivity_type {
        None | Some("public") => true,
        Some("private") => false,
        Some(other) => {
            return Err(Ec2Error::from(DomainError::Invalid {
                field: Field::NatConnectivity,
                value: other.to_owned(),
            }))
        }
    };
    let private_ip = match private_ip {
        None => None,
        Some(s) => Some(domain(s.parse::<Ipv4Addr>().map_err(|_| {
            DomainError::Invalid {
                field: Field::NatPrivateAddress,
                value: s.to_owned(),
            }
        }))?),
    };
    Ok(Command::CreateNatGateway(NewNat {
        subnet_id,
        allocation_id,
        public,
        private_ip,
        client_token: p.string("ClientToken").filter(|s| !s.is_empty()),
        tags,
    }))
}

fn render_created_nat(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::NatGateway {
        gateway,
        client_token,
    } = outcome
    else {
        return unexpected(&outcome, x);
    };
    x.opt_leaf("clientToken", client_token);
    x.node("natGateway", |x| render_nat(tx, x, &gateway));
}

fn describe_nats(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new("NatGatewayId", NAT_FILTERS, "natGatewaySet");
    let now = tx.now();
    describe_page(
        p,
        page,
        |_| {
            tx.list_owned::<NatGateway>()
                .filter(|n| n.visible_at(now))
                .collect()
        },
        |id| tx.visible_nat(id),
        |f, n| matches(f, &n.tags, |name| nat_field(n, name)),
        x,
        |x, n| render_nat(tx, x, n),
    )
}
