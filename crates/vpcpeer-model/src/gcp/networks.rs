//! `networks.insert`, `get`, `delete` and `patch`. Refusals (`alreadyExists`, `notFound`,
//! `invalid`) are synchronous HTTP errors, as GCP reports them for these calls.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::operations::{done_op, existing, vacant};
use super::*;
use crate::{set_if_given, Tx};

/// What `networks.insert` takes.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NetworkSpec {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// `true` auto mode, `false` custom mode; unset would be a legacy network, which is refused.
    pub auto_create_subnetworks: Option<bool>,
    /// Default regional.
    pub routing_mode: Option<RoutingMode>,
    /// Default 1460.
    pub mtu: Option<u32>,
}

/// `networks.insert`: a network, its default route to the internet gateway, and in auto mode one
/// subnetwork per known region.
pub fn insert_network(
    tx: &mut Tx<'_, '_>,
    project: &str,
    spec: NetworkSpec,
) -> Result<GcpOperation, GcpError> {
    check_name(Field::Name, &spec.name)?;
    super::limits::check_description(&spec.description)?;
    let Some(auto) = spec.auto_create_subnetworks else {
        // GCP no longer lets new projects create legacy networks.
        return Err(GcpError::LegacyNetwork);
    };
    let mtu = spec.mtu.unwrap_or(1460);
    check_mtu(mtu)?;
    let id = network_path(project, &spec.name);
    vacant::<GcpNetwork>(tx, &id)?;
    let now = tx.now();
    let net = GcpNetwork {
        id: id.clone(),
        project: project.to_owned(),
        name: spec.name.clone(),
        numeric_id: numeric_id(tx),
        description: spec.description,
        auto_create_subnetworks: auto,
        routing_mode: spec.routing_mode.unwrap_or(RoutingMode::Regional),
        mtu,
        created: now,
        peerings: Vec::new(),
    };
    let numeric = net.numeric_id;
    tx.put(net);
    let hex = tx.ctx.ids.hex17();
    let route = GcpRoute {
        id: route_path(project, &format!("default-route-{}", &hex[..16])),
        project: project.to_owned(),
        name: format!("default-route-{}", &hex[..16]),
        numeric_id: numeric_id(tx),
        description: "Default route to the Internet.".into(),
        network: id.clone(),
        dest_range: Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 0).expect("0.0.0.0/0"),
        priority: 1000,
        tags: Vec::new(),
        next_hop: GcpNextHop::Gateway(format!(
            "projects/{project}/global/gateways/default-internet-gateway"
        )),
        created: now,
    };
    tx.put(route);
    if auto {
        for (region, range) in AUTO_MODE_REGIONS {
            let sid = subnetwork_path(project, region, &spec.name);
            vacant::<GcpSubnetwork>(tx, &sid)?;
            let s = GcpSubnetwork {
                id: sid,
                project: project.to_owned(),
                region: (*region).to_owned(),
                name: spec.name.clone(),
                numeric_id: numeric_id(tx),
                description: String::new(),
                network: id.clone(),
                ip_cidr_range: range.parse().expect("auto-mode ranges are valid"),
                secondary_ranges: Vec::new(),
                private_ip_google_access: false,
                auto_created: true,
                created: now,
            };
            tx.put(s);
        }
    }
    let scope = OpScope::Global;
    Ok(done_op(tx, project, scope, "insert", &id, numeric))
}

/// Refuses an MTU outside 1300–8896.
fn check_mtu(mtu: u32) -> Result<(), GcpError> {
    if (1300..=8896).contains(&mtu) {
        Ok(())
    } else {
        Err(GcpError::Mtu { mtu })
    }
}

/// A network by relative path, or `notFound`.
pub fn network<'t>(tx: &'t Tx<'_, '_>, path: &str) -> Result<&'t GcpNetwork, GcpError> {
    existing::<GcpNetwork>(tx, path)
}

/// `networks.delete`. Refused while anything but its default route and auto-mode subnetworks
/// uses it, or while it has peering configurations [UNVERIFIED: GCP's exact behaviour with
/// peerings].
pub fn delete_network(
    tx: &mut Tx<'_, '_>,
    project: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    let id = network_path(project, name);
    let net = network(tx, &id)?.clone();
    let in_use = |by: &str| GcpError::InUse {
        kind: InUseKind::Network,
        resource: id.clone(),
        by: by.to_owned(),
    };
    if let Some(p) = net.peerings.first() {
        return Err(in_use(&format!("{id}/peerings/{}", p.name)));
    }
    let w = tx.world();
    if let Some(s) = subnetworks_of(w, &id).find(|s| !s.auto_created) {
        return Err(in_use(&s.id));
    }
    if let Some(i) = w
        .gcp
        .instances
        .values()
        .find(|i| i.nics.iter().any(|n| n.network == id))
    {
        return Err(in_use(&i.id));
    }
    if let Some(f) = w.gcp.firewalls.values().find(|f| f.network == id) {
        return Err(in_use(&f.id));
    }
    let is_default = |r: &GcpRoute| {
        r.name.starts_with("default-route-") && matches!(r.next_hop, GcpNextHop::Gateway(_))
    };
    if let Some(r) = w
        .gcp
        .routes
        .values()
        .find(|r| r.network == id && !is_default(r))
    {
        return Err(in_use(&r.id));
    }
    let doomed_routes: Vec<String> = w
        .gcp
        .routes
        .values()
        .filter(|r| r.network == id)
        .map(|r| r.id.clone())
        .collect();
    let doomed_subnets: Vec<String> = subnetworks_of(w, &id).map(|s| s.id.clone()).collect();
    for r in doomed_routes {
        tx.remove::<GcpRoute>(&r);
    }
    for s in doomed_subnets {
        tx.remove::<GcpSubnetwork>(&s);
    }
    tx.remove::<GcpNetwork>(&id);
    let scope = OpScope::Global;
    Ok(done_op(tx, project, scope, "delete", &id, net.numeric_id))
}

/// What `networks.patch` may change.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NetworkPatch {
    /// New description.
    pub description: Option<String>,
    /// New routing mode.
    pub routing_mode: Option<RoutingMode>,
    /// `false` converts an auto-mode network to custom mode (the only conversion GCP allows).
    pub auto_create_subnetworks: Option<bool>,
    /// New MTU.
    pub mtu: Option<u32>,
}

/// `networks.patch`.
pub fn patch_network(
    tx: &mut Tx<'_, '_>,
    project: &str,
    name: &str,
    patch: NetworkPatch,
) -> Result<GcpOperation, GcpError> {
    let id = network_path(project, name);
    let net = network(tx, &id)?.clone();
    if patch.auto_create_subnetworks == Some(true) && !net.auto_create_subnetworks {
        return Err(GcpError::CustomToAuto);
    }
    if let Some(mtu) = patch.mtu {
        check_mtu(mtu)?;
    }
    if let Some(d) = &patch.description {
        super::limits::check_description(d)?;
    }
    let n = tx.get_mut::<GcpNetwork>(&id).expect("checked above");
    set_if_given(&mut n.description, patch.description);
    set_if_given(&mut n.routing_mode, patch.routing_mode);
    let to_custom = patch.auto_create_subnetworks == Some(false) && n.auto_create_subnetworks;
    n.auto_create_subnetworks &= !to_custom;
    set_if_given(&mut n.mtu, patch.mtu);
    if to_custom {
        // Converted to custom mode, its subnetworks become ordinary ones (deletable, kept when
        // the network would be deleted).
        let auto: Vec<String> = subnetworks_of(tx.world(), &id)
            .filter(|s| s.auto_created)
            .map(|s| s.id.clone())
            .collect();
        for sid in auto {
            tx.get_mut::<GcpSubnetwork>(&sid)
                .expect("listed above")
                .auto_created = false;
        }
    }
    let scope = OpScope::Global;
    Ok(done_op(tx, project, scope, "patch", &id, net.numeric_id))
}
