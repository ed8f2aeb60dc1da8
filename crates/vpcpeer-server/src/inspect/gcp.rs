//! The GCP part of `/_vpcpeer/inspect`: a VPC network (its subnetworks, its routes — a route
//! to an instance that is gone or stopped is flagged — and its firewall rules in evaluation
//! order) or one peering entry `NETWORK/peerings/NAME` (its state derived from the reverse
//! entry, as `networks.get` shows it, and its route-exchange options).

use vpcpeer_api::Inspection;
use vpcpeer_model::gcp::{relative_path, FirewallAction, GcpNetwork, GcpNextHop};
use vpcpeer_model::World;
use vpcpeer_wire_gcp::render::rfc3339;

use super::{list, yes_no, Builder, Table};

pub(super) fn inspect(world: &World, id: &str) -> Option<Inspection> {
    let rel = relative_path(id);
    if let Some(n) = world.gcp.networks().get(rel) {
        return Some(network(world, n));
    }
    let (net, name) = rel.split_once("/peerings/")?;
    let n = world.gcp.networks().get(net)?;
    let p = n.peerings.iter().find(|p| p.name == name)?;
    let view = vpcpeer_model::gcp::peering_view(world, n, p);
    let mut b = Builder::new(
        "gcp",
        "peering",
        &format!("{}/peerings/{}", n.id, p.name),
        Some(p.name.clone()),
    );
    b.fact("State", if view.active { "ACTIVE" } else { "INACTIVE" })
        .fact(
            "State details",
            if view.active {
                format!("Connected since {}", rfc3339(view.since))
            } else {
                format!(
                    "Waiting for the peer network {} to add a peering back to {}",
                    p.peer_network, n.id
                )
            },
        )
        .fact("Network", n.id.clone())
        .fact("Peer network", p.peer_network.clone())
        .fact(
            "Who completes it",
            "the peer network's owner, by adding its own peering to this network (both sides create it)",
        )
        .fact("Export custom routes", yes_no(p.export_custom_routes))
        .fact("Import custom routes", yes_no(p.import_custom_routes))
        .fact(
            "Export subnet routes with public IP",
            yes_no(p.export_subnet_routes_with_public_ip),
        )
        .fact(
            "Import subnet routes with public IP",
            yes_no(p.import_subnet_routes_with_public_ip),
        )
        .fact("Created", rfc3339(p.created));
    Some(b.done())
}

fn network(world: &World, n: &GcpNetwork) -> Inspection {
    let gcp = &world.gcp;
    let mut b = Builder::new("gcp", "network", &n.id, Some(n.name.clone()));
    let subnets: Vec<String> = gcp
        .subnetworks()
        .values()
        .filter(|s| s.network == n.id)
        .map(|s| format!("{} {} ({})", s.name, s.ip_cidr_range, s.region))
        .collect();
    b.fact("Project", n.project.clone())
        .fact(
            "Subnet mode",
            if n.auto_create_subnetworks {
                "auto"
            } else {
                "custom"
            },
        )
        .fact("Subnetworks", list(subnets))
        .fact("Peerings", list(n.peerings.iter().map(|p| p.name.clone())));
    let mut routes = Table::new(
        "route-table",
        None,
        format!("Routes of {}", n.name),
        &["Name", "Destination", "Next hop", "Priority", "Tags"],
    );
    let mut rs: Vec<_> = gcp
        .routes()
        .values()
        .filter(|r| r.network == n.id)
        .collect();
    rs.sort_by_key(|r| (r.priority, r.name.clone()));
    for r in rs {
        let (hop, dead) = match &r.next_hop {
            GcpNextHop::Gateway(g) => (g.rsplit('/').next().unwrap_or(g).to_owned(), false),
            GcpNextHop::Instance(i) => {
                let up = gcp
                    .instances()
                    .get(relative_path(i))
                    .is_some_and(|vm| vm.is_running());
                (format!("instance {i}"), !up)
            }
            GcpNextHop::Ip(ip) => (format!("ip {ip}"), false),
            GcpNextHop::Ilb(l) => (format!("ilb {l}"), false),
            GcpNextHop::VpnTunnel(t) => (format!("vpn tunnel {t}"), false),
        };
        routes.row(
            vec![
                r.name.clone(),
                r.dest_range.to_string(),
                hop,
                r.priority.to_string(),
                list(&r.tags),
            ],
            dead.then_some("blackhole"),
        );
    }
    b.table(routes);
    let mut fw = Table::new(
        "firewall",
        None,
        format!("Firewall rules of {}", n.name),
        &[
            "Name",
            "Direction",
            "Priority",
            "Action",
            "Protocols and ports",
            "Ranges",
            "Targets",
            "Enabled",
        ],
    );
    let mut fs: Vec<_> = gcp
        .firewalls()
        .values()
        .filter(|f| f.network == n.id)
        .collect();
    fs.sort_by_key(|f| (f.priority, f.name.clone()));
    for f in fs {
        let ingress = matches!(f.direction, vpcpeer_model::gcp::Direction::Ingress);
        let matches = list(f.matches.iter().map(|m| {
            if m.ports.is_empty() {
                m.protocol.text().to_owned()
            } else {
                format!("{}:{}", m.protocol.text(), list(&m.ports))
            }
        }));
        let ranges = if ingress {
            let mut v: Vec<String> = f.source_ranges.iter().map(ToString::to_string).collect();
            v.extend(f.source_tags.iter().map(|t| format!("tag {t}")));
            format!("from {}", list(v))
        } else {
            format!("to {}", list(&f.destination_ranges))
        };
        fw.row(
            vec![
                f.name.clone(),
                if ingress { "ingress" } else { "egress" }.to_owned(),
                f.priority.to_string(),
                match f.action {
                    FirewallAction::Allow => "allow",
                    FirewallAction::Deny => "deny",
                }
                .to_owned(),
                matches,
                ranges,
                if f.target_tags.is_empty() {
                    "all instances".to_owned()
                } else {
                    format!("tags {}", f.target_tags.join(", "))
                },
                yes_no(!f.disabled).to_owned(),
            ],
            None,
        );
    }
    b.table(fw);
    b.done()
}
