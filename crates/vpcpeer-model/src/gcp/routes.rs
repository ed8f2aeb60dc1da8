//! `routes.insert` and `delete`: static routes of a network.

use super::networks::network;
use super::operations::{delete_record, insert_record, vacant};
use super::rules::{check_priority, network_field, same_project, RangeInput};
use super::*;
use crate::Tx;

/// What `routes.insert` takes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RouteSpec {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The network, as a URL or partial path.
    pub network: String,
    /// Destination.
    pub dest_range: RangeInput,
    /// Default 1000.
    pub priority: Option<u32>,
    /// Instance tags.
    pub tags: Vec<String>,
    /// Next hop (exactly one).
    pub next_hop: GcpNextHop,
}

/// `routes.insert`.
pub fn insert_route(
    tx: &mut Tx<'_, '_>,
    project: &str,
    spec: RouteSpec,
) -> Result<GcpOperation, GcpError> {
    check_name(Field::Name, &spec.name)?;
    let net_id = network_field(project, &spec.network)?;
    network(tx, &net_id)?;
    let dest = spec.dest_range.range(Field::DestRange)?;
    let priority = check_priority(spec.priority)?;
    super::limits::check_description(&spec.description)?;
    super::limits::check_count(Field::Tags, spec.tags.len(), super::limits::MAX_ROUTE_TAGS)?;
    for t in &spec.tags {
        check_name(Field::Tags, t)?;
    }
    let next_hop = match spec.next_hop {
        GcpNextHop::Instance(i) => {
            let rel = relative_path(&i).to_owned();
            same_project(project, Field::NextHopInstance, &rel)?;
            let inst = tx
                .get::<GcpInstance>(&rel)
                .ok_or_else(|| GcpError::NotFound(rel.clone()))?;
            if !inst.nics.iter().any(|n| n.network == net_id) {
                return Err(GcpError::InstanceNotInNetwork {
                    instance: i,
                    network: net_id,
                });
            }
            GcpNextHop::Instance(rel)
        }
        GcpNextHop::Gateway(g) => {
            let rel = relative_path(&g);
            if name_of(rel) != "default-internet-gateway" {
                return Err(GcpError::UnsupportedGateway { gateway: g });
            }
            GcpNextHop::Gateway(format!(
                "projects/{project}/global/gateways/default-internet-gateway"
            ))
        }
        other => other,
    };
    let id = route_path(project, &spec.name);
    vacant::<GcpRoute>(tx, &id)?;
    let record = |numeric, now| GcpRoute {
        id,
        project: project.to_owned(),
        name: spec.name,
        numeric_id: numeric,
        description: spec.description,
        network: net_id,
        dest_range: dest,
        priority,
        tags: spec.tags,
        next_hop,
        created: now,
    };
    Ok(insert_record(tx, project, OpScope::Global, record))
}

/// `routes.delete`.
pub fn delete_route(
    tx: &mut Tx<'_, '_>,
    project: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    let id = route_path(project, name);
    delete_record::<GcpRoute>(tx, project, OpScope::Global, id, |r| r.numeric_id)
}
