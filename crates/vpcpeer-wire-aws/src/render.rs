//! XML shapes of resources shared by several actions, and EC2's spelling of domain values.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::{PeerSide, PeeringConnection, PeeringOptions, Scope, Timestamp, Vpc};

use crate::Xml;

/// ISO-8601 UTC with milliseconds, as EC2 prints times (`2014-04-02T16:13:36.000Z`).
pub fn iso(t: Timestamp) -> String {
    let dt = OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.millis()) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let s = dt.format(&Rfc3339).unwrap_or_default();
    // Rfc3339 prints fractional seconds only when present; normalise to exactly 3 digits.
    let base = s.trim_end_matches('Z');
    let (secs, frac) = base.split_once('.').unwrap_or((base, ""));
    let mut frac = frac.to_owned();
    frac.truncate(3);
    while frac.len() < 3 {
        frac.push('0');
    }
    format!("{secs}.{frac}Z")
}

/// Parses an ISO-8601 time given in a request (filters such as `expiration-time`).
pub fn parse_iso(s: &str) -> Option<Timestamp> {
    let dt = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    Some(Timestamp((dt.unix_timestamp_nanos() / 1_000_000) as i64))
}

/// EC2's name of a peering state (the engine's spelling, which its explanations quote).
pub use vpcpeer_reach::peering_state_name;

/// The `status.message` EC2 shows for a peering state.
pub fn peering_status_message(p: &PeeringConnection, shown: PeeringState) -> String {
    match shown {
        PeeringState::InitiatingRequest => {
            format!("Initiating Request to {}", p.accepter.scope.account)
        }
        PeeringState::PendingAcceptance => {
            format!("Pending Acceptance by {}", p.accepter.scope.account)
        }
        PeeringState::Provisioning => "Provisioning".into(),
        PeeringState::Active => "Active".into(),
        PeeringState::Deleting => "Deleting".into(),
        PeeringState::Deleted => match &p.deleted_by {
            Some(a) => format!("Deleted by {a}"),
            None => "Deleted".into(),
        },
        PeeringState::Rejected => format!("Rejected by {}", p.accepter.scope.account),
        PeeringState::Failed => p.failure_reason.clone().unwrap_or_else(|| "Failed".into()),
        PeeringState::Expired => "Expired".into(),
    }
}

fn vpc_info(x: &mut Xml, side: &PeerSide, show_cidrs: bool) {
    if show_cidrs {
        if let Some(first) = side.ipv4.first() {
            x.leaf("cidrBlock", first);
        }
        x.list("cidrBlockSet", side.ipv4.iter(), |x, c| {
            x.leaf("cidrBlock", c);
        });
        if !side.ipv6.is_empty() {
            x.list("ipv6CidrBlockSet", side.ipv6.iter(), |x, c| {
                x.leaf("ipv6CidrBlock", c);
            });
        }
    }
    x.leaf("ownerId", &side.scope.account);
    if show_cidrs {
        peering_options(x, "peeringOptions", side.options);
    }
    x.leaf("vpcId", &side.vpc_id);
    x.leaf("region", &side.scope.region);
}

/// One side's peering options as the element `tag`.
pub fn peering_options(x: &mut Xml, tag: &str, o: PeeringOptions) {
    x.node(tag, |x| {
        x.leaf(
            "allowDnsResolutionFromRemoteVpc",
            o.allow_dns_resolution_from_remote_vpc,
        )
        .leaf(
            "allowEgressFromLocalClassicLinkToRemoteVpc",
            o.allow_egress_from_local_classic_link_to_remote_vpc,
        )
        .leaf(
            "allowEgressFromLocalVpcToRemoteClassicLink",
            o.allow_egress_from_local_vpc_to_remote_classic_link,
        );
    });
}

/// The `vpcPeeringConnection` shape (inner elements), as `viewer` sees it at `now`.
pub fn peering(x: &mut Xml, p: &PeeringConnection, shown: PeeringState, viewer: &Scope) {
    let active_like = matches!(
        shown,
        PeeringState::Active | PeeringState::Provisioning | PeeringState::Deleting
    );
    x.node("accepterVpcInfo", |x| vpc_info(x, &p.accepter, active_like));
    if shown == PeeringState::PendingAcceptance || shown == PeeringState::InitiatingRequest {
        x.leaf("expirationTime", iso(p.expiration));
    }
    x.node("requesterVpcInfo", |x| vpc_info(x, &p.requester, true));
    x.node("status", |x| {
        x.leaf("code", peering_state_name(shown))
            .leaf("message", peering_status_message(p, shown));
    });
    let empty = Default::default();
    let tags = p
        .tags
        .get(&PeeringConnection::tag_key(viewer))
        .unwrap_or(&empty);
    x.tags(tags);
    x.leaf("vpcPeeringConnectionId", &p.id);
}

/// The `vpc` shape (inner elements).
pub fn vpc(x: &mut Xml, v: &Vpc) {
    x.leaf("vpcId", &v.id)
        .leaf("ownerId", &v.scope.account)
        .leaf("state", "available")
        .leaf("cidrBlock", v.primary_cidr())
        .list("cidrBlockAssociationSet", v.ipv4.iter(), |x, b| {
            x.leaf("associationId", &b.association_id)
                .leaf("cidrBlock", b.cidr)
                .node("cidrBlockState", |x| {
                    x.leaf("state", assoc_state(b.state));
                });
        });
    if !v.ipv6.is_empty() {
        x.list("ipv6CidrBlockAssociationSet", v.ipv6.iter(), |x, b| {
            ipv6_assoc(x, b);
        });
    }
    x.leaf("dhcpOptionsId", &v.dhcp_options_id)
        .leaf("instanceTenancy", &v.instance_tenancy)
        .leaf("isDefault", v.is_default)
        .node("blockPublicAccessStates", |x| {
            x.leaf("internetGatewayBlockMode", "off");
        })
        .tags(&v.tags);
}

/// An IPv6 block association item (inner elements).
pub fn ipv6_assoc(x: &mut Xml, b: &vpcpeer_model::Ipv6Block) {
    x.leaf("associationId", &b.association_id)
        .leaf("ipv6CidrBlock", b.cidr)
        .node("ipv6CidrBlockState", |x| {
            x.leaf("state", assoc_state(b.state));
        })
        .leaf("networkBorderGroup", &b.network_border_group)
        .leaf("ipv6Pool", &b.pool)
        .leaf("ipv6AddressAttribute", "public")
        .leaf("ipSource", "amazon");
}

/// EC2's name of a CIDR association state.
pub fn assoc_state(s: vpcpeer_model::AssocState) -> &'static str {
    match s {
        vpcpeer_model::AssocState::Associated => "associated",
        vpcpeer_model::AssocState::Disassociated => "disassociated",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_has_millis() {
        assert_eq!(iso(Timestamp(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso(Timestamp(1_396_455_216_123)),
            "2014-04-02T16:13:36.123Z"
        );
        assert_eq!(
            parse_iso("2014-04-02T16:13:36.123Z"),
            Some(Timestamp(1_396_455_216_123))
        );
    }
}
