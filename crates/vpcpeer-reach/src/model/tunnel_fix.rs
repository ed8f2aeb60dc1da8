//! The data of a tunnel blocker's fix ([`super::Fact::Tunnel`]): what the tunnel model found
//! would remove it, for [`crate::remedy()`] to turn into a [`Remedy`](crate::Remedy).

use super::Direction;

/// What would remove a tunnel blocker (carried by [`Fact::Tunnel`](super::Fact::Tunnel), turned into a
/// [`Remedy`](crate::Remedy) by [`crate::remedy()`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TunnelFix {
    /// Allow the tunnel's UDP on `port` from (ingress, inbound) or to (egress, outbound) `peer`
    /// in the blocker's security group or network ACL.
    AllowOuter {
        /// The rule's direction.
        direction: Direction,
        /// The UDP port.
        port: u16,
        /// The other gateway's public address.
        peer: std::net::Ipv4Addr,
    },
    /// Give the gateway instance a public IPv4 address (an Elastic IP).
    PublicIp {
        /// The instance.
        instance: String,
    },
    /// Route the other gateway's public address (`0.0.0.0/0`) to an internet gateway of the
    /// table's VPC (`gateway`: the one attached, if any).
    InternetRoute {
        /// The internet gateway attached to the VPC, if any.
        gateway: Option<String>,
    },
    /// Allow the tunnel's UDP on `port` between the gateway's private address `local` and
    /// `peer` in a GCP network's firewall or an Azure NSG (`policy`: the network's or the NSG's
    /// name), by a rule whose priority number is below `priority_below` (the rule that denied).
    AllowOuterRule {
        /// The rule's direction.
        direction: Direction,
        /// The UDP port.
        port: u16,
        /// The other gateway's public address.
        peer: std::net::Ipv4Addr,
        /// The gateway's private address (the NSG sees it; GCP's firewall targets the instance).
        local: std::net::Ipv4Addr,
        /// The GCP network or Azure NSG holding the rule that denied (its name).
        policy: String,
        /// That rule's priority.
        priority_below: u32,
    },
    /// Give GCP instance `instance` an external address (an access config on `nic0`).
    GcpExternalIp {
        /// The instance's path.
        instance: String,
    },
    /// Give the primary IP configuration of Azure NIC `nic` a public IP address.
    AzurePublicIp {
        /// The NIC's ARM id.
        nic: String,
    },
    /// Route the other gateway's public address to `default-internet-gateway` in GCP network
    /// `network`.
    GcpInternetRoute {
        /// The network's path.
        network: String,
    },
    /// Route the other gateway's public address to the `Internet` next hop from the Azure NIC
    /// `nic` (`table`: the route table of its subnet whose route overrides the system route).
    AzureInternetRoute {
        /// The NIC's ARM id.
        nic: String,
        /// The route table holding the overriding route, if one does.
        table: Option<String>,
    },
    /// Change the gateway configuration (the user data) of `instance`.
    Config {
        /// The gateway instance whose configuration to change.
        instance: String,
        /// The change.
        change: ConfigChange,
    },
}

/// One change to a gateway configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChange {
    /// Repair the text at `line` (`problem`: what is wrong there).
    Repair {
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// Point peer `peer`'s `Endpoint` at a gateway's public address.
    Endpoint {
        /// The `[Peer]` entry's name.
        peer: String,
    },
    /// Add a `[Peer]` entry named `name` with `public_key`, allowing `allowed`.
    AddPeer {
        /// The other gateway's name.
        name: String,
        /// Its public key (base64).
        public_key: String,
        /// A prefix its entry must allow.
        allowed: String,
    },
    /// Set peer `peer`'s `PublicKey` to `public_key`.
    PublicKey {
        /// The entry's name.
        peer: String,
        /// The right key (base64).
        public_key: String,
    },
    /// Set peer `peer`'s `Endpoint` port to `port` (the peer's `ListenPort`).
    EndpointPort {
        /// The entry's name.
        peer: String,
        /// The port.
        port: u16,
    },
    /// Add `allowed` to peer `peer`'s `AllowedIPs`.
    AllowedIps {
        /// The entry's name.
        peer: String,
        /// The prefix.
        allowed: String,
    },
}
