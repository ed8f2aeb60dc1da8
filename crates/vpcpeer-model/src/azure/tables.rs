//! The Azure tables of the [`World`](crate::World), keyed by lower-cased ARM id (operations by
//! operation id). Only this crate changes them (through [`Tx`](crate::Tx)); every other crate
//! reads them through the accessors.

use super::{
    AzGateway, AzNic, AzNsg, AzOperation, AzPeering, AzPublicIp, AzResourceGroup, AzRouteTable,
    AzVm, AzVnet,
};

cloud_tables! {
    /// Every Azure resource, by kind and id.
    Tables {
        resource_groups: AzResourceGroup, "Resource groups.";
        vnets: AzVnet, "Virtual networks (with their subnets).";
        peerings: AzPeering, "VNet peering links (one record per side).";
        nsgs: AzNsg, "Network security groups.";
        route_tables: AzRouteTable, "Route tables.";
        nics: AzNic, "Network interfaces.";
        vms: AzVm, "Virtual machines.";
        gateways: AzGateway, "Virtual network gateways.";
        operations: AzOperation, "Long-running operations (by operation id).";
        public_ips: AzPublicIp, "Public IP addresses.";
    }
}
