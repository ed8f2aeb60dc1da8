//! The tunnel model over every cloud: a [`TunnelCloud`] that finds the VM holding a public
//! IPv4 address in AWS (the [`Snapshot`]'s index), GCP (an instance's access config, ephemeral
//! or static) or Azure (a public IP resource on a NIC), and checks the outer path at a host by
//! the host's own cloud (`aws.rs`, `gcp.rs`, `azure.rs`). The GCP and Azure gateways'
//! configurations are compiled once, when it is built, for the VMs of the gateway image only.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use vpcpeer_model::azure::AzVm;
use vpcpeer_model::gcp::GcpInstance;
use vpcpeer_model::World;

use super::{azure, gcp, Cloud, GatewayHost, GatewaySetup, OuterStep, TunnelCloud};
use crate::model::{Direction, Header};
use crate::snapshot::Snapshot;

/// Gateways and outer paths in every cloud.
pub struct AllClouds<'a> {
    /// The world (GCP and Azure records).
    pub world: &'a World,
    /// The AWS snapshot.
    pub snap: &'a Snapshot,
    gcp: BTreeMap<&'a str, GatewaySetup>,
    azure: BTreeMap<&'a str, GatewaySetup>,
}

impl<'a> AllClouds<'a> {
    /// The tunnel model over `world` (GCP, Azure) and `snap` (AWS).
    pub fn new(world: &'a World, snap: &'a Snapshot) -> Self {
        let gcp = world
            .gcp
            .instances()
            .values()
            .filter_map(|i| Some((i.id.as_str(), gcp::setup_of(i)?)))
            .collect();
        let azure = world
            .azure
            .vms()
            .values()
            .filter_map(|vm| Some((vm.id.as_str(), azure::setup_of(vm)?)))
            .collect();
        AllClouds {
            world,
            snap,
            gcp,
            azure,
        }
    }

    /// The gateway host of GCP instance `i`.
    pub fn gcp_host(&self, i: &'a GcpInstance) -> Option<GatewayHost<'_>> {
        gcp::host(i, self.gcp.get(i.id.as_str()))
    }

    /// The gateway host of Azure VM `vm` (its primary NIC).
    pub fn azure_host(&self, vm: &'a AzVm) -> Option<GatewayHost<'_>> {
        azure::host(self.world, vm, self.azure.get(vm.id.as_str()))
    }
}

impl TunnelCloud for AllClouds<'_> {
    fn host_by_public_ip(&self, ip: Ipv4Addr) -> Option<GatewayHost<'_>> {
        if let Some(h) = self.snap.host_by_public_ip(ip) {
            return Some(h);
        }
        if let Some(i) = gcp::instance_by_public_ip(self.world, ip) {
            return self.gcp_host(i);
        }
        self.azure_host(azure::vm_by_public_ip(self.world, ip)?)
    }

    fn outer_send(&self, host: &GatewayHost<'_>, outer: Header) -> Vec<OuterStep> {
        match host.cloud {
            Cloud::Aws => self.snap.outer_send(host, outer),
            Cloud::Gcp => gcp::outer(self.world, host, outer, Direction::Egress),
            Cloud::Azure => azure::outer(self.world, host, outer, Direction::Egress),
        }
    }

    fn outer_receive(&self, host: &GatewayHost<'_>, outer: Header) -> Vec<OuterStep> {
        match host.cloud {
            Cloud::Aws => self.snap.outer_receive(host, outer),
            Cloud::Gcp => gcp::outer(self.world, host, outer, Direction::Ingress),
            Cloud::Azure => azure::outer(self.world, host, outer, Direction::Ingress),
        }
    }
}
