//! The GCP tables of the [`World`](crate::World), keyed by relative path
//! (`projects/P/global/networks/N`, …), with the index of running operations. Only this crate
//! changes them (through [`Tx`](crate::Tx)); every other crate reads them through the accessors.

use std::collections::BTreeSet;

use super::{
    GcpAddress, GcpFirewall, GcpInstance, GcpNetwork, GcpOperation, GcpRoute, GcpSubnetwork,
    OpStatus,
};

cloud_tables! {
    /// Every GCP resource, by kind and relative path.
    Tables {
        networks: GcpNetwork, "Networks.";
        subnetworks: GcpSubnetwork, "Subnetworks.";
        routes: GcpRoute, "Routes.";
        firewalls: GcpFirewall, "Firewall rules.";
        instances: GcpInstance, "Instances.";
        addresses: GcpAddress, "Static external addresses.";
        operations: GcpOperation, "Operations.";
    }
    index: Running;
}

/// Ids of the operations still running (derived from `operations`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Running(BTreeSet<String>);

impl Tables {
    /// The operations still running, in id order.
    pub fn running_operations(&self) -> impl Iterator<Item = &GcpOperation> + '_ {
        self.index.0.iter().filter_map(|id| self.operations.get(id))
    }

    /// Index upkeep after the operation `id` changed.
    pub(crate) fn reindex_operation(&mut self, id: &str, _old: Option<&GcpOperation>) {
        let running = self
            .operations
            .get(id)
            .is_some_and(|op| op.status == OpStatus::Running);
        if running {
            self.index.0.insert(id.to_owned());
        } else {
            self.index.0.remove(id);
        }
    }

    /// Whether the index of running operations matches the table.
    pub(crate) fn indexes_consistent(&self) -> bool {
        let running: BTreeSet<String> = self
            .operations
            .values()
            .filter(|op| op.status == OpStatus::Running)
            .map(|op| op.id.clone())
            .collect();
        running == self.index.0
    }
}
