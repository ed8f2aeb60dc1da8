//! Gateways and their tunnel configuration: what a gateway is once validated, the keys the
//! controller derives for it, and the configuration it boots with (rendered by
//! `vpcpeer_gateway::GatewayConfig`, the text the `vpcpeer-gateway` image reads).
//!
//! Keys: each gateway VM's X25519 private key is HMAC-SHA256 of the controller's secret over the
//! topology's name and the VM's name ([`private_key`]). So the controller keeps no key store and
//! never reads a key back from a cloud (Azure never returns custom data): any run with the same
//! secret derives the same keys, and the public keys peers need follow from them. The private key
//! itself lives in one place only, the gateway's own user data (AWS `UserData`, GCP metadata
//! `user-data`, Azure `osProfile.customData`): that is the channel a cloud gives a VM at boot,
//! as cloud-init delivers keys to a real gateway, and whoever may read that instance's user data
//! may read the key. The secret comes from the composition root (`VPCPEER_GATEWAY_SECRET` or a
//! file it creates once; see `crates/vpcpeer/src/controller.rs`).
//!
//! Drift without reading the configuration back: each gateway VM carries the hex SHA-256 of the
//! configuration it was launched with (`names::TAG_CONFIG`); a VM whose digest differs from the
//! one rendered now is replaced.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};

use ipnet::Ipv4Net;
pub use vpcpeer_gateway::{GatewayConfig, DEFAULT_PORT, IMAGE_NAME};
use vpcpeer_gateway::{Peer, PrivateKey};

use crate::cloud::Cloud;

/// A gateway as declared and checked: the primary VM and its optional HA backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gateway {
    /// Its name (the primary VM's).
    pub name: String,
    /// The network it serves.
    pub network: String,
    /// The network's cloud.
    pub cloud: Cloud,
    /// Where the primary goes.
    pub subnet: SubnetRef,
    /// The primary's zone, if given.
    pub zone: Option<String>,
    /// The VM size, if given.
    pub size: Option<String>,
    /// The backup.
    pub ha: Option<HaGateway>,
}

/// A gateway's HA backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaGateway {
    /// `<gateway>-hagw`.
    pub name: String,
    /// Where it goes.
    pub subnet: SubnetRef,
    /// Its zone, if given.
    pub zone: Option<String>,
    /// Routes return to the primaries once their tunnel is up again (`ha.failback`).
    pub failback: bool,
}

/// A gateway's subnet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum SubnetRef {
    /// A block inside the network: AWS and Azure create a public subnet of it; GCP uses the
    /// subnetwork of the declared block that holds it.
    Create(Ipv4Net),
    /// An existing subnet by id (AWS) or name (GCP, Azure); it must be public.
    Existing(String),
}

impl fmt::Display for SubnetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubnetRef::Create(c) => write!(f, "{c}"),
            SubnetRef::Existing(id) => f.write_str(id),
        }
    }
}

/// One gateway VM: a primary or an HA backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayVm<'a> {
    /// The VM's name.
    pub name: &'a str,
    /// The gateway it belongs to.
    pub gateway: &'a Gateway,
    /// Whether it is the HA backup.
    pub backup: bool,
    /// Its subnet.
    pub subnet: &'a SubnetRef,
    /// Its zone.
    pub zone: Option<&'a str>,
}

impl Gateway {
    /// Its VMs: the primary, then the backup.
    pub fn vms(&self) -> Vec<GatewayVm<'_>> {
        let mut out = vec![GatewayVm {
            name: &self.name,
            gateway: self,
            backup: false,
            subnet: &self.subnet,
            zone: self.zone.as_deref(),
        }];
        if let Some(ha) = &self.ha {
            out.push(GatewayVm {
                name: &ha.name,
                gateway: self,
                backup: true,
                subnet: &ha.subnet,
                zone: ha.zone.as_deref(),
            });
        }
        out
    }
}

/// The HA backup's name: `<gateway>-hagw`, as Aviatrix names it.
pub fn ha_name(gateway: &str) -> String {
    format!("{gateway}-hagw")
}

/// The controller's secret for gateway keys: 32 bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewaySecret([u8; 32]);

impl GatewaySecret {
    /// The secret of these bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        GatewaySecret(bytes)
    }
}

impl fmt::Debug for GatewaySecret {
    /// Never prints the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GatewaySecret(..)")
    }
}

/// A gateway VM's private key: HMAC-SHA256 of the secret over the topology and VM names.
pub fn private_key(secret: &GatewaySecret, topology: &str, vm: &str) -> PrivateKey {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret.0);
    let mut msg = Vec::new();
    msg.extend_from_slice(b"vpcpeer-gateway key v1\0");
    msg.extend_from_slice(topology.as_bytes());
    msg.push(0);
    msg.extend_from_slice(vm.as_bytes());
    let tag = ring::hmac::sign(&key, &msg);
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(tag.as_ref());
    PrivateKey::from_bytes(bytes)
}

/// One tunnel of a gateway VM as the plan knows it: the peer VM and the blocks behind it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Tunnel {
    /// The peer gateway VM's name.
    pub peer: String,
    /// The link it carries.
    pub link: String,
    /// The peer network's blocks.
    pub allowed_ips: Vec<Ipv4Net>,
}

/// The configuration a gateway VM boots with, given every peer's public address; `Err` names a
/// peer whose address is not known yet.
pub fn config(
    secret: &GatewaySecret,
    topology: &str,
    vm: &str,
    tunnels: &[Tunnel],
    addresses: &BTreeMap<String, Ipv4Addr>,
) -> Result<GatewayConfig, String> {
    let mut peers = Vec::new();
    for t in tunnels {
        let ip = addresses.get(&t.peer).ok_or_else(|| t.peer.clone())?;
        peers.push(Peer {
            name: t.peer.clone(),
            public_key: private_key(secret, topology, &t.peer).public(),
            endpoint: SocketAddrV4::new(*ip, DEFAULT_PORT),
            allowed_ips: t.allowed_ips.clone(),
        });
    }
    Ok(GatewayConfig {
        name: vm.to_string(),
        private_key: private_key(secret, topology, vm),
        listen_port: DEFAULT_PORT,
        peers,
    })
}

/// The hex SHA-256 of a configuration's text: the `vpcpeer:config` tag of the VM.
pub fn digest(config: &GatewayConfig) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, config.render().as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
