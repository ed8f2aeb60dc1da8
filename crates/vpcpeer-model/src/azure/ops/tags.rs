//! Tags of top-level resources (`PATCH` with `tags`).

use super::nics::vm_id;
use super::*;

/// A top-level resource kind that carries tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Tagged {
    /// A resource group.
    ResourceGroup,
    /// A virtual network.
    Vnet,
    /// A network security group.
    Nsg,
    /// A route table.
    RouteTable,
    /// A network interface.
    Nic,
    /// A virtual network gateway.
    Gateway,
    /// A virtual machine.
    Vm,
    /// A public IP address.
    PublicIp,
}

/// A record whose ARM tags `update_tags` replaces.
trait Taggable: crate::Entity {
    fn tags_mut(&mut self) -> &mut AzTags;
}

macro_rules! taggable {
    ($($ty:ty),*) => {
        $(impl Taggable for $ty {
            fn tags_mut(&mut self) -> &mut AzTags {
                &mut self.tags
            }
        })*
    };
}

taggable!(
    AzResourceGroup,
    AzVnet,
    AzNsg,
    AzRouteTable,
    AzNic,
    AzGateway,
    AzVm,
    AzPublicIp
);

fn retag<R: Taggable>(
    tx: &mut Tx<'_, '_>,
    id: &str,
    missing: AzureError,
    tags: AzTags,
) -> Result<(), AzureError> {
    match tx.get_mut::<R>(id) {
        Some(r) => {
            *r.tags_mut() = tags;
            Ok(())
        }
        None => Err(missing),
    }
}

/// Replaces the tags of a resource (`PATCH {"tags": …}`, as `update_tags` sends).
pub fn update_tags(
    tx: &mut Tx<'_, '_>,
    kind: Tagged,
    t: &Target,
    tags: AzTags,
) -> Result<(), AzureError> {
    if kind == Tagged::ResourceGroup {
        let id = key(&resource_group_id(&t.subscription, &t.resource_group));
        let missing = AzureError::GroupNotFound {
            name: t.resource_group.clone(),
        };
        return retag::<AzResourceGroup>(tx, &id, missing, tags);
    }
    require_group(tx.world(), t)?;
    let id = key(&match kind {
        Tagged::ResourceGroup => unreachable!("handled above"),
        Tagged::Vnet => t.network_id("virtualNetworks"),
        Tagged::Nsg => t.network_id("networkSecurityGroups"),
        Tagged::RouteTable => t.network_id("routeTables"),
        Tagged::Nic => t.network_id("networkInterfaces"),
        Tagged::Gateway => t.network_id("virtualNetworkGateways"),
        Tagged::Vm => vm_id(t),
        Tagged::PublicIp => public_ip_id(t),
    });
    let missing = t.not_found(kind);
    match kind {
        Tagged::ResourceGroup => unreachable!("handled above"),
        Tagged::Vnet => retag::<AzVnet>(tx, &id, missing, tags),
        Tagged::Nsg => retag::<AzNsg>(tx, &id, missing, tags),
        Tagged::RouteTable => retag::<AzRouteTable>(tx, &id, missing, tags),
        Tagged::Nic => retag::<AzNic>(tx, &id, missing, tags),
        Tagged::Gateway => retag::<AzGateway>(tx, &id, missing, tags),
        Tagged::Vm => retag::<AzVm>(tx, &id, missing, tags),
        Tagged::PublicIp => retag::<AzPublicIp>(tx, &id, missing, tags),
    }
}
