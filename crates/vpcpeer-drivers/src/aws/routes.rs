//! The EC2 route calls the peering steps (`crates/vpcpeer-drivers/src/aws/steps.rs`) and the
//! gateway steps (`crates/vpcpeer-drivers/src/aws/gateway_steps.rs`) share: the table a route
//! step names, a route created or replaced (toward a peering or an instance), and a route
//! deleted, one already gone counting as deleted.

use ipnet::Ipv4Net;
use vpcpeer_controller::plan::TableRef;
use vpcpeer_controller::Desired;

use super::{client, ec2_error, fails};
use crate::{DriverError, Drivers};

/// The table a route step names: its id, or (`TableRef::Main`) the network's main table, which
/// the last observe must have found.
pub(super) fn table_id(
    d: &Drivers,
    network: &str,
    table: &TableRef,
) -> Result<String, DriverError> {
    match table {
        TableRef::Id(id) => Ok(id.clone()),
        _ => d.found.main_tables.get(network).cloned().ok_or_else(|| {
            ec2_error(
                "CreateRoute",
                "InvalidRouteTableID.NotFound",
                format!("no main route table for {network} yet"),
            )
        }),
    }
}

/// Where a route leads.
pub(super) enum Target {
    /// A VPC peering connection, by id.
    Peering(String),
    /// An instance, by id.
    Instance(String),
}

/// Creates the route to `destination` in `network`'s table `table` toward `target` or, with
/// `replace`, points the route already there at it.
pub(super) async fn put_route(
    d: &Drivers,
    desired: &Desired,
    network: &str,
    table: &str,
    destination: Ipv4Net,
    target: Target,
    replace: bool,
) -> Result<(), DriverError> {
    let verb = if replace {
        "ReplaceRoute"
    } else {
        "CreateRoute"
    };
    let c = client(d, desired, network, verb)?;
    let (peering, instance) = match target {
        Target::Peering(id) => (Some(id), None),
        Target::Instance(id) => (None, Some(id)),
    };
    let what = format!("{table} {destination}");
    if replace {
        c.replace_route()
            .route_table_id(table)
            .destination_cidr_block(destination.to_string())
            .set_vpc_peering_connection_id(peering)
            .set_instance_id(instance)
            .send()
            .await
            .map_err(fails(verb, &what))?;
    } else {
        c.create_route()
            .route_table_id(table)
            .destination_cidr_block(destination.to_string())
            .set_vpc_peering_connection_id(peering)
            .set_instance_id(instance)
            .send()
            .await
            .map_err(fails(verb, &what))?;
    }
    Ok(())
}

/// Deletes the route to `destination` from `network`'s table `table`; a route already gone
/// counts as deleted.
pub(super) async fn delete_route(
    d: &Drivers,
    desired: &Desired,
    network: &str,
    table: &str,
    destination: Ipv4Net,
) -> Result<(), DriverError> {
    let c = client(d, desired, network, "DeleteRoute")?;
    let done = c
        .delete_route()
        .route_table_id(table)
        .destination_cidr_block(destination.to_string())
        .send()
        .await
        .map_err(fails("DeleteRoute", &format!("{table} {destination}")));
    match done {
        Err(e) if e.code == "InvalidRoute.NotFound" => Ok(()),
        other => other.map(drop),
    }
}
