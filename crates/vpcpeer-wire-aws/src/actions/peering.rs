//! The VPC peering actions.

use vpcpeer_model::aws::peering::{CreatePeering, OptionsChange};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::clouds::{cloud_of, cross_cloud_message, Cloud};
use vpcpeer_model::{PeeringConnection, Tx};

use super::{explicit, render_done, unexpected, Action};
use crate::filter::{self, matches_each, paginate};
use crate::render::{self, iso, peering_options, peering_state_name, peering_status_message};
use crate::{Ec2Error, Params, Xml};

const FILTERS: &[&str] = &[
    "accepter-vpc-info.cidr-block",
    "accepter-vpc-info.owner-id",
    "accepter-vpc-info.vpc-id",
    "expiration-time",
    "requester-vpc-info.cidr-block",
    "requester-vpc-info.owner-id",
    "requester-vpc-info.vpc-id",
    "status-code",
    "status-message",
    "vpc-peering-connection-id",
];

/// The peering actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateVpcPeeringConnection" => Action::Change {
            parse: parse_create,
            render: render_peering,
        },
        "AcceptVpcPeeringConnection" => {
            by_ids!(AcceptPeering { id: "VpcPeeringConnectionId" } => render_peering)
        }
        "RejectVpcPeeringConnection" => {
            by_ids!(RejectPeering { id: "VpcPeeringConnectionId" } => render_done)
        }
        "DeleteVpcPeeringConnection" => {
            by_ids!(DeletePeering { id: "VpcPeeringConnectionId" } => render_done)
        }
        "ModifyVpcPeeringConnectionOptions" => Action::Change {
            parse: parse_modify_options,
            render: render_options,
        },
        "DescribeVpcPeeringConnections" => Action::Read(describe),
        _ => return None,
    })
}

fn render_peering(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    match outcome {
        Outcome::Peering(r) => {
            x.node("vpcPeeringConnection", |x| {
                render::peering(x, &r.connection, r.shown_state, tx.scope())
            });
        }
        other => unexpected(&other, x),
    }
}

fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    let input = CreatePeering {
        vpc_id: p.required("VpcId")?.to_owned(),
        peer_vpc_id: p.required("PeerVpcId")?.to_owned(),
        peer_owner_id: p.string("PeerOwnerId").filter(|s| !s.is_empty()),
        peer_region: p.string("PeerRegion").filter(|s| !s.is_empty()),
        tags: p.spec_tags_of("vpc-peering-connection")?,
    };
    // Native peering joins VPCs only: a GCP network path or an Azure ARM id is refused with the
    // explanation that cross-cloud links need encrypted peering through gateways.
    if matches!(
        cloud_of(&input.peer_vpc_id),
        Some(Cloud::Gcp | Cloud::Azure)
    ) {
        return Err(Ec2Error::new(
            "InvalidParameterValue",
            cross_cloud_message(Cloud::Aws, &input.peer_vpc_id),
        ));
    }
    if let Some(r) = &input.peer_region {
        if !vpcpeer_model::aws::regions::is_region(r) {
            return Err(Ec2Error::invalid_value("PeerRegion", r));
        }
    }
    if let Some(o) = &input.peer_owner_id {
        if o.len() != 12 || !o.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Ec2Error::invalid_value("PeerOwnerId", o));
        }
    }
    Ok(Command::CreatePeering(input))
}

fn field(tx: &Tx<'_, '_>, c: &PeeringConnection, name: &str) -> Vec<String> {
    let now = tx.now();
    let state = c.state_at(now);
    let shows_accepter_cidrs = matches!(
        state,
        vpcpeer_model::aws::peering_state::PeeringState::Active
            | vpcpeer_model::aws::peering_state::PeeringState::Provisioning
    );
    match name {
        "accepter-vpc-info.cidr-block" if shows_accepter_cidrs => {
            c.accepter.ipv4.iter().map(|n| n.to_string()).collect()
        }
        "accepter-vpc-info.cidr-block" => Vec::new(),
        "accepter-vpc-info.owner-id" => vec![c.accepter.scope.account.clone()],
        "accepter-vpc-info.vpc-id" => vec![c.accepter.vpc_id.clone()],
        "requester-vpc-info.cidr-block" => c.requester.ipv4.iter().map(|n| n.to_string()).collect(),
        "requester-vpc-info.owner-id" => vec![c.requester.scope.account.clone()],
        "requester-vpc-info.vpc-id" => vec![c.requester.vpc_id.clone()],
        "expiration-time" => vec![iso(c.expiration)],
        "status-code" => vec![peering_state_name(state).to_owned()],
        "status-message" => vec![peering_status_message(c, state)],
        "vpc-peering-connection-id" => vec![c.id.clone()],
        _ => Vec::new(),
    }
}

/// Offers `c`'s values for filter `name` to `test` (see [`filter::matches_each`]); the common
/// single-valued filters without allocating.
fn field_each(
    tx: &Tx<'_, '_>,
    c: &PeeringConnection,
    name: &str,
    test: &mut dyn FnMut(&str) -> bool,
) -> bool {
    match name {
        "status-code" => test(peering_state_name(c.state_at(tx.now()))),
        "vpc-peering-connection-id" => test(&c.id),
        "accepter-vpc-info.vpc-id" => test(&c.accepter.vpc_id),
        "requester-vpc-info.vpc-id" => test(&c.requester.vpc_id),
        "accepter-vpc-info.owner-id" => test(&c.accepter.scope.account),
        "requester-vpc-info.owner-id" => test(&c.requester.scope.account),
        _ => field(tx, c, name).iter().any(|v| test(v)),
    }
}

fn describe(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, FILTERS)?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let ids = p.list("VpcPeeringConnectionId");
    let items: Vec<&PeeringConnection> = if ids.is_empty() {
        match filter::exact_values(&filters, "vpc-peering-connection-id") {
            // Every filter still applies below; this only narrows the candidates.
            Some(wanted) => {
                let mut found: Vec<&PeeringConnection> = wanted
                    .iter()
                    .filter_map(|id| tx.visible_peering(id).ok())
                    .collect();
                found.sort_by(|a, b| a.id.cmp(&b.id));
                found.dedup_by(|a, b| a.id == b.id);
                found
            }
            None => tx.visible_peerings().collect(),
        }
    } else {
        explicit(&ids, |id| tx.visible_peering(id))?
    };
    let key = PeeringConnection::tag_key(tx.scope());
    let empty = Default::default();
    let items: Vec<&PeeringConnection> = items
        .into_iter()
        .filter(|c| {
            let tags = c.tags.get(&key).unwrap_or(&empty);
            matches_each(&filters, tags, |n, test| field_each(tx, c, n, test))
        })
        .collect();
    let (page, next) = paginate(items, |c| &c.id, limit, token.as_deref());
    let now = tx.now();
    x.list("vpcPeeringConnectionSet", page, |x, c| {
        render::peering(x, c, c.state_at(now), tx.scope())
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}

fn options_change(p: &Params, prefix: &str) -> Result<Option<OptionsChange>, Ec2Error> {
    let Some(o) = p.nested(prefix) else {
        return Ok(None);
    };
    Ok(Some(OptionsChange {
        allow_dns_resolution_from_remote_vpc: o.bool("AllowDnsResolutionFromRemoteVpc")?,
        allow_egress_from_local_classic_link_to_remote_vpc: o
            .bool("AllowEgressFromLocalClassicLinkToRemoteVpc")?,
        allow_egress_from_local_vpc_to_remote_classic_link: o
            .bool("AllowEgressFromLocalVpcToRemoteClassicLink")?,
    }))
}

fn parse_modify_options(p: &Params) -> Result<Command, Ec2Error> {
    Ok(Command::ModifyPeeringOptions {
        id: p.required("VpcPeeringConnectionId")?.to_owned(),
        requester: options_change(p, "RequesterPeeringConnectionOptions")?,
        accepter: options_change(p, "AccepterPeeringConnectionOptions")?,
    })
}

fn render_options(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::PeeringOptions(out) = outcome else {
        return unexpected(&outcome, x);
    };
    if let Some(o) = out.accepter {
        peering_options(x, "accepterPeeringConnectionOptions", o);
    }
    if let Some(o) = out.requester {
        peering_options(x, "requesterPeeringConnectionOptions", o);
    }
}
