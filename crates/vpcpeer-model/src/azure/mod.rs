//! Azure networking (ARM `Microsoft.Network`): resource groups, virtual networks with address
//! spaces and subnets, network security groups, route tables, NICs, public IP addresses, VMs
//! (with their power state and custom data), virtual network gateways, and VNet peering links
//! with their derived state.
//!
//! Records are keyed by their ARM id in lower case ([`key`]); the subscription of a record is the
//! account of the caller's `Scope`, and its region is its `location`. Every change is a
//! [`Command`] applied by one `apply` (its steps live in [`ops`]); a refusal is a structured
//! [`AzureError`] that `vpcpeer-wire-azure` words in ARM's terms. A peering's
//! `peeringState` and `peeringSyncLevel` are derived on read ([`peering::view`]), never stored.

mod command;
#[cfg(test)]
mod command_tests;
#[cfg(test)]
mod cross_subscription_tests;
mod error;
pub mod input;
pub mod limits;
pub mod ops;
pub mod peering;
#[cfg(test)]
mod public_ip_tests;
mod resources;
pub mod routes;
pub mod security;
mod tables;
#[cfg(test)]
mod tests;

pub use command::{Command, Outcome, Written};
pub use error::{AzureError, Limit, OtherCloud, PeeredSide, Side};
pub use input::{
    AddressPrefix, AzAddressSpec, AzPortSpec, AzProtocol, AzServiceTag, IpAddress, RuleAddress,
    RulePorts, RuleProtocol, Spelled,
};
pub use resources::*;
pub use tables::Tables;

/// The storage key of an ARM id: lower case, without a trailing `/`.
pub fn key(id: &str) -> String {
    id.trim_end_matches('/').to_ascii_lowercase()
}

/// A location as ARM stores it: lower case, no spaces (`East US` → `eastus`).
pub fn normalize_location(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// `/subscriptions/{sub}/resourceGroups/{rg}`.
pub fn resource_group_id(subscription: &str, resource_group: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{resource_group}")
}

/// `/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/{kind}/{name}`.
pub fn resource_id(
    subscription: &str,
    resource_group: &str,
    provider: &str,
    kind: &str,
    name: &str,
) -> String {
    format!(
        "{}/providers/{provider}/{kind}/{name}",
        resource_group_id(subscription, resource_group)
    )
}

/// An ARM resource id taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmId {
    /// Subscription.
    pub subscription: String,
    /// Resource group.
    pub resource_group: String,
    /// Provider namespace (`Microsoft.Network`).
    pub provider: String,
    /// `(type, name)` pairs from the top-level resource down (`virtualNetworks`, `vnet-a`),
    /// (`subnets`, `default`).
    pub segments: Vec<(String, String)>,
}

impl ArmId {
    /// Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}]…`
    /// (segment names compared case-insensitively).
    pub fn parse(id: &str) -> Option<ArmId> {
        let parts: Vec<&str> = id.trim_end_matches('/').split('/').collect();
        if parts.len() < 9 || !parts[0].is_empty() {
            return None;
        }
        if !parts[1].eq_ignore_ascii_case("subscriptions")
            || !parts[3].eq_ignore_ascii_case("resourcegroups")
            || !parts[5].eq_ignore_ascii_case("providers")
        {
            return None;
        }
        let rest = &parts[7..];
        if !rest.len().is_multiple_of(2) || parts.iter().skip(1).any(|p| p.is_empty()) {
            return None;
        }
        Some(ArmId {
            subscription: parts[2].to_owned(),
            resource_group: parts[4].to_owned(),
            provider: parts[6].to_owned(),
            segments: rest
                .chunks(2)
                .map(|c| (c[0].to_owned(), c[1].to_owned()))
                .collect(),
        })
    }

    /// Whether it names `provider`/`types…` (case-insensitive).
    pub fn is(&self, provider: &str, types: &[&str]) -> bool {
        self.provider.eq_ignore_ascii_case(provider)
            && self.segments.len() == types.len()
            && self
                .segments
                .iter()
                .zip(types)
                .all(|((t, _), want)| t.eq_ignore_ascii_case(want))
    }

    /// The id of the top-level resource (for a subnet id, its VNet's id).
    pub fn top_level(&self) -> String {
        let (t, n) = &self.segments[0];
        resource_id(
            &self.subscription,
            &self.resource_group,
            &self.provider,
            t,
            n,
        )
    }
}

/// Azure's fixed default security rules of every NSG (priority 65000 and up).
pub fn default_security_rules() -> Vec<AzSecurityRule> {
    let rule = |name: &str,
                priority: u32,
                direction: AzDirection,
                access: AzAccess,
                src: &str,
                dst: &str,
                description: &str| AzSecurityRule {
        name: name.to_owned(),
        priority,
        direction,
        access,
        protocol: "*".into(),
        source_ports: vec!["*".into()],
        destination_ports: vec!["*".into()],
        source_prefixes: vec![src.into()],
        destination_prefixes: vec![dst.into()],
        description: Some(description.to_owned()),
    };
    use AzAccess::{Allow, Deny};
    use AzDirection::{Inbound, Outbound};
    vec![
        rule(
            "AllowVnetInBound",
            65000,
            Inbound,
            Allow,
            "VirtualNetwork",
            "VirtualNetwork",
            "Allow inbound traffic from all VMs in VNET",
        ),
        rule(
            "AllowAzureLoadBalancerInBound",
            65001,
            Inbound,
            Allow,
            "AzureLoadBalancer",
            "*",
            "Allow inbound traffic from azure load balancer",
        ),
        rule(
            "DenyAllInBound",
            65500,
            Inbound,
            Deny,
            "*",
            "*",
            "Deny all inbound traffic",
        ),
        rule(
            "AllowVnetOutBound",
            65000,
            Outbound,
            Allow,
            "VirtualNetwork",
            "VirtualNetwork",
            "Allow outbound traffic from all VMs to all VMs in VNET",
        ),
        rule(
            "AllowInternetOutBound",
            65001,
            Outbound,
            Allow,
            "*",
            "Internet",
            "Allow outbound traffic from all VMs to Internet",
        ),
        rule(
            "DenyAllOutBound",
            65500,
            Outbound,
            Deny,
            "*",
            "*",
            "Deny all outbound traffic",
        ),
    ]
}
