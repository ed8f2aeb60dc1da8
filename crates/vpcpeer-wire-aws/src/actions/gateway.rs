//! Internet gateways (Create/Attach/Detach/Delete/DescribeInternetGateways) and NAT gateways
//! (Create/Describe/DeleteNatGateway).
//!
//! Elastic IPs are not modelled: a public NAT gateway's `publicIp` is derived from its allocation
//! id (a stable, made-up address in `3.0.0.0/8`), not looked up.

use vpcpeer_model::aws::gateway::CreateNat;
use vpcpeer_model::{InternetGateway, NatGateway, NatState, Tx};

use super::{domain, explicit, ok_return, Handler};
use crate::filter::{self, matches, paginate};
use crate::render::iso;
use crate::{Ec2Error, Params, Xml};

/// The handler of `action` if this module serves it.
pub(super) fn handler(action: &str) -> Option<Handler> {
    Some(match action {
        "CreateInternetGateway" => create_igw,
        "AttachInternetGateway" => attach_igw,
        "DetachInternetGateway" => detach_igw,
        "DeleteInternetGateway" => delete_igw,
        "DescribeInternetGateways" => describe_igws,
        "CreateNatGateway" => create_nat,
        "DescribeNatGateways" => describe_nats,
        "DeleteNatGateway" => delete_nat,
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

fn create_igw(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let tags = p.tag_specs(tx, "internet-gateway")?;
    let id = domain(tx.create_internet_gateway(tags))?;
    let g = domain(tx.owned::<InternetGateway>(&id))?;
    x.node("internetGateway", |x| render_igw(x, g));
    Ok(())
}

fn attach_igw(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let igw = p.required("InternetGatewayId")?;
    let vpc = p.required("VpcId")?;
    domain(tx.attach_internet_gateway(igw, vpc))?;
    ok_return(x)
}

fn detach_igw(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let igw = p.required("InternetGatewayId")?;
    let vpc = p.required("VpcId")?;
    domain(tx.detach_internet_gateway(igw, vpc))?;
    ok_return(x)
}

fn delete_igw(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    domain(tx.delete_internet_gateway(p.required("InternetGatewayId")?))?;
    ok_return(x)
}

fn describe_igws(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, IGW_FILTERS)?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let ids = p.list("InternetGatewayId");
    let items: Vec<&InternetGateway> = if ids.is_empty() {
        tx.list_owned::<InternetGateway>().collect()
    } else {
        explicit(&ids, |id| tx.owned::<InternetGateway>(id))?
    };
    let items: Vec<&InternetGateway> = items
        .into_iter()
        .filter(|g| matches(&filters, &g.tags, |n| igw_field(g, n)))
        .collect();
    let (page, next) = paginate(items, |g| &g.id, limit, token.as_deref());
    x.list("internetGatewaySet", page, render_igw);
    x.opt_leaf("nextToken", next);
    Ok(())
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

/// A stable made-up public address for an allocation id (Elastic IPs are not modelled).
fn public_ip(allocation_id: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in allocation_id.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    let [_, a, b, c] = h.to_be_bytes();
    format!("3.{a}.{b}.{}", c.max(1))
}

/// The `natGateway` shape (inner elements).
fn render_nat(x: &mut Xml, n: &NatGateway) {
    x.leaf("createTime", iso(n.created));
    x.opt_leaf("deleteTime", n.deleted.map(iso));
    x.list("natGatewayAddressSet", std::iter::once(n), |x, n| {
        x.opt_leaf("allocationId", n.allocation_id.as_deref());
        x.leaf("networkInterfaceId", &n.eni_id)
            .leaf("privateIp", n.private_ip);
        x.opt_leaf("publicIp", n.allocation_id.as_deref().map(public_ip));
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

fn create_nat(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
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
    let input = CreateNat {
        subnet_id: p.required("SubnetId")?.to_owned(),
        allocation_id: p.string("AllocationId").filter(|s| !s.is_empty()),
        connectivity_type: p.string("ConnectivityType").filter(|s| !s.is_empty()),
        private_ip: p.string("PrivateIpAddress").filter(|s| !s.is_empty()),
        tags: p.tag_specs(tx, "natgateway")?,
    };
    let id = domain(tx.create_nat_gateway(input))?;
    x.opt_leaf(
        "clientToken",
        p.get("ClientToken").filter(|s| !s.is_empty()),
    );
    let n = domain(tx.visible_nat(&id))?;
    x.node("natGateway", |x| render_nat(x, n));
    Ok(())
}

fn describe_nats(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, NAT_FILTERS)?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let ids = p.list("NatGatewayId");
    let now = tx.now();
    let items: Vec<&NatGateway> = if ids.is_empty() {
        tx.list_owned::<NatGateway>()
            .filter(|n| n.visible_at(now))
            .collect()
    } else {
        explicit(&ids, |id| tx.visible_nat(id))?
    };
    let items: Vec<&NatGateway> = items
        .into_iter()
        .filter(|n| matches(&filters, &n.tags, |f| nat_field(n, f)))
        .collect();
    let (page, next) = paginate(items, |n| &n.id, limit, token.as_deref());
    x.list("natGatewaySet", page, render_nat);
    x.opt_leaf("nextToken", next);
    Ok(())
}

fn delete_nat(tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let id = p.required("NatGatewayId")?;
    domain(tx.delete_nat_gateway(id))?;
    x.leaf("natGatewayId", id);
    Ok(())
}
