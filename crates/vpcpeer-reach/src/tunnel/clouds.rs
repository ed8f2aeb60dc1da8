//! The tunnel model over every cloud: a [`TunnelCloud`] that finds the VM holding a public
//! IPv4 address in AWS (the [`Snapshot`]'s index), GCP (an instance's access config, ephemeral
//! or static) or Azure (a public IP resource on a NIC) — the last two through the snapshot's
//! index of those clouds ([`crate::snapshot::clouds`]) — and checks the outer path at a host by
//! the host's own cloud (`aws.rs`, `gcp.rs`, `azure.rs`). The GCP and Azure gateways'
//! configurations are those the snapshot compiled, for the VMs of the gateway image only:
//! building this reads nothing.

use std::net::Ipv4Addr;

use vpcpeer_model::azure::AzVm;
use vpcpeer_model::gcp::GcpInstance;
use vpcpeer_model::World;

use super::{azure, gcp, Cloud, GatewayHost, OuterStep, TunnelCloud};
use crate::model::{Direction, Header};
use crate::snapshot::clouds::Reads;
use crate::snapshot::Snapshot;

/// Gateways and outer paths in every cloud.
pub struct AllClouds<'a> {
    /// The world (GCP and Azure records).
    pub world: &'a World,
    /// The snapshot (AWS, and the index of GCP and Azure records).
    pub snap: &'a Snapshot,
}

impl<'a> AllClouds<'a> {
    /// The tunnel model over `world` (GCP, Azure) and `snap` (AWS; kept current with every
    /// cloud's changes).
    pub fn new(world: &'a World, snap: &'a Snapshot) -> Self {
        AllClouds { world, snap }
    }

    fn reads(&self) -> Reads<'a> {
        Reads::indexed(self.world, &self.snap.clouds)
    }

    /// The gateway host of GCP instance `i`.
    pub fn gcp_host(&self, i: &'a GcpInstance) -> Option<GatewayHost<'a>> {
        gcp::host(i, self.snap.clouds.gcp_gateway(&i.id))
    }

    /// The gateway host of Azure VM `vm` (its primary NIC).
    pub fn azure_host(&self, vm: &'a AzVm) -> Option<GatewayHost<'a>> {
        azure::host(self.world, vm, self.snap.clouds.az_gateway(&vm.id))
    }
}

impl TunnelCloud for AllClouds<'_> {
    fn host_by_public_ip(&self, ip: Ipv4Addr) -> Option<GatewayHost<'_>> {
        if let Some(h) = self.snap.host_by_public_ip(ip) {
            return Some(h);
        }
        let reads = self.reads();
        if let Some(i) = reads.gcp_by_public_ip(ip) {
            return self.gcp_host(i);
        }
        let nic = reads.az_by_public_ip(ip)?;
        self.azure_host(crate::azure::outer::vm_of_nic(self.world, nic)?)
    }

    fn outer_send(&self, host: &GatewayHost<'_>, outer: Header) -> Vec<OuterStep> {
        match host.cloud {
            Cloud::Aws => self.snap.outer_send(host, outer),
            Cloud::Gcp => gcp::outer(self.reads(), host, outer, Direction::Egress),
            Cloud::Azure => azure::outer(self.world, host, outer, Direction::Egress),
        }
    }

    fn outer_receive(&self, host: &GatewayHost<'_>, outer: Header) -> Vec<OuterStep> {
        match host.cloud {
            Cloud::Aws => self.snap.outer_receive(host, outer),
            Cloud::Gcp => gcp::outer(self.reads(), host, outer, Direction::Ingress),
            Cloud::Azure => azure::outer(self.world, host, outer, Direction::Ingress),
        }
    }
}
