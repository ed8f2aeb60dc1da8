//! Azure requests the fixtures share: running one in a subscription, a subnet's id, and a NIC
//! in `eastus` with one IP configuration.

use vpcpeer_model::azure::ops::{IpConfigSpec, PutNic, Target};
use vpcpeer_model::azure::{AzTags, AzureError};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_model::{Scope, Tx};

/// Runs `f` in subscription `subscription` (it must succeed): its result.
pub fn run_in<T>(
    env: &mut TestEnv,
    subscription: &str,
    f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, AzureError>,
) -> T {
    env.transact(&Scope::new(subscription, ""), f)
        .expect("azure command")
}

/// The id of subnet `subnet` of VNet `vnet`.
pub fn subnet_id(vnet: &Target, subnet: &str) -> String {
    format!("{}/subnets/{subnet}", vnet.network_id("virtualNetworks"))
}

/// A NIC in `eastus` whose one IP configuration `ipconfig1` takes a dynamic address in subnet
/// `subnet_id` and holds `public_ip`; IP forwarding when `forwarding`; NSG `nsg`.
pub fn eastus_nic(
    subnet_id: String,
    public_ip: Option<String>,
    forwarding: bool,
    nsg: Option<String>,
) -> PutNic {
    PutNic {
        location: Some("eastus".into()),
        ip_configs: vec![IpConfigSpec {
            name: "ipconfig1".into(),
            subnet_id: Some(subnet_id),
            public_ip,
            ..Default::default()
        }],
        nsg,
        ip_forwarding: forwarding,
        tags: AzTags::new(),
    }
}
