//! The `vpcpeer-gateway` image: what a gateway VM does with the configuration it boots with.
//!
//! A controller (vpcpeer's, or a user's own automation) launches a gateway as an ordinary VM of
//! the built-in `vpcpeer-gateway` image and hands it its tunnel configuration the way cloud-init
//! hands any VM its configuration: AWS user data, the `user-data` metadata item on GCP, Azure
//! custom data. The emulator stores that text like any other; the reachability engine reads it
//! here to know which tunnels the gateway would bring up, to whom, and for which remote CIDRs —
//! exactly what the VM itself would read at boot.
//!
//! The text is a WireGuard (`wg-quick`) configuration under a marker line, with the gateway's
//! and each peer's name added so that answers can name them:
//!
//! ```text
//! #vpcpeer-gateway v1
//! [Interface]
//! Name = aws-gw
//! PrivateKey = <base64 of 32 bytes>
//! ListenPort = 51820
//!
//! [Peer]
//! Name = gcp-gw
//! PublicKey = <base64 of 32 bytes>
//! Endpoint = 34.1.2.3:51820
//! AllowedIPs = 10.30.0.0/16, 10.31.0.0/16
//! ```
//!
//! Keys are X25519 as in WireGuard: a tunnel comes up only if each end's `PublicKey` for the
//! other is the public key of the other's `PrivateKey` ([`GatewayConfig::peer_key_matches`]).
//! The private key travels in the gateway's own user data because that is the one channel a
//! cloud gives a VM at boot; whoever may read the instance's user data (EC2
//! `DescribeInstanceAttribute`, GCP instance metadata) can read it, as on a real deployment
//! that delivers keys through cloud-init. Text that does not start with the marker line is not a
//! gateway configuration ([`parse_user_data`] gives `None`): an ordinary VM of another image.

use std::fmt::{self, Write as _};
use std::net::SocketAddrV4;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ipnet::Ipv4Net;

/// The built-in image a gateway VM is launched from (its name on every cloud).
pub const IMAGE_NAME: &str = "vpcpeer-gateway";
/// The UDP port the tunnels listen on unless the configuration says otherwise (WireGuard's).
pub const DEFAULT_PORT: u16 = 51820;
/// The first line of a gateway configuration.
pub const MARKER: &str = "#vpcpeer-gateway v1";

/// An X25519 private key.
#[derive(Clone, PartialEq, Eq)]
pub struct PrivateKey([u8; 32]);

/// An X25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey([u8; 32]);

impl PrivateKey {
    /// The key of these 32 bytes (X25519 clamps them when the key is used, as WireGuard does).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        PrivateKey(bytes)
    }

    /// The public key that peers must be configured with.
    pub fn public(&self) -> PublicKey {
        let secret = x25519_dalek::StaticSecret::from(self.0);
        PublicKey(x25519_dalek::PublicKey::from(&secret).to_bytes())
    }

    /// The key in base64, as `wg genkey` prints it.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// The key from its base64 form.
    pub fn from_base64(text: &str) -> Option<Self> {
        key_bytes(text).map(PrivateKey)
    }
}

impl fmt::Debug for PrivateKey {
    /// Never prints the key itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey(public {})", self.public())
    }
}

impl PublicKey {
    /// The key from its base64 form.
    pub fn from_base64(text: &str) -> Option<Self> {
        key_bytes(text).map(PublicKey)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&STANDARD.encode(self.0))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

fn key_bytes(text: &str) -> Option<[u8; 32]> {
    STANDARD.decode(text.trim()).ok()?.try_into().ok()
}

/// A gateway's whole configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayConfig {
    /// The gateway's name (the controller's, e.g. `aws-gw` or `aws-gw-hagw`).
    pub name: String,
    /// Its private key.
    pub private_key: PrivateKey,
    /// The UDP port its tunnels listen on.
    pub listen_port: u16,
    /// Its tunnels, one per peer gateway.
    pub peers: Vec<Peer>,
}

/// One tunnel: the peer gateway and the remote CIDRs it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The peer gateway's name.
    pub name: String,
    /// The public key the peer must hold the private key of.
    pub public_key: PublicKey,
    /// The peer's public address and port (the outer packets' destination).
    pub endpoint: SocketAddrV4,
    /// The remote CIDRs: inner packets to these go into this tunnel, and inner packets from
    /// this tunnel must come from them.
    pub allowed_ips: Vec<Ipv4Net>,
}

impl GatewayConfig {
    /// The tunnel an inner packet to `dst` goes into: the first peer whose allowed IPs hold it
    /// by longest prefix, as WireGuard's cryptokey routing picks.
    pub fn peer_for(&self, dst: std::net::Ipv4Addr) -> Option<&Peer> {
        self.peers
            .iter()
            .filter_map(|p| {
                p.allowed_ips
                    .iter()
                    .filter(|n| n.contains(&dst))
                    .map(|n| n.prefix_len())
                    .max()
                    .map(|len| (len, p))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, p)| p)
    }

    /// The peer entry named `name`.
    pub fn peer(&self, name: &str) -> Option<&Peer> {
        self.peers.iter().find(|p| p.name == name)
    }

    /// Whether this gateway's entry for `other` holds `other`'s public key.
    pub fn peer_key_matches(&self, other: &GatewayConfig) -> bool {
        self.peer(&other.name)
            .is_some_and(|p| p.public_key == other.private_key.public())
    }

    /// The configuration as the user-data text a gateway VM boots with.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{MARKER}");
        let _ = writeln!(out, "[Interface]");
        let _ = writeln!(out, "Name = {}", self.name);
        let _ = writeln!(out, "PrivateKey = {}", self.private_key.to_base64());
        let _ = writeln!(out, "ListenPort = {}", self.listen_port);
        for p in &self.peers {
            let _ = writeln!(out);
            let _ = writeln!(out, "[Peer]");
            let _ = writeln!(out, "Name = {}", p.name);
            let _ = writeln!(out, "PublicKey = {}", p.public_key);
            let _ = writeln!(out, "Endpoint = {}", p.endpoint);
            let allowed: Vec<String> = p.allowed_ips.iter().map(|n| n.to_string()).collect();
            let _ = writeln!(out, "AllowedIPs = {}", allowed.join(", "));
        }
        out
    }
}

/// Why a text that starts with the marker is not a valid configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("gateway configuration, line {line}: {problem}")]
pub struct ConfigError {
    /// The 1-based line of the text.
    pub line: usize,
    /// What is wrong there.
    pub problem: Problem,
}

/// What is wrong with a configuration line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A line that is neither a section, a `key = value`, a comment nor blank.
    #[error("not a section header nor `key = value`")]
    Syntax,
    /// A section other than `[Interface]` or `[Peer]`, or a second `[Interface]`.
    #[error("unexpected section {0}")]
    Section(String),
    /// A key this section does not have, or a key before any section.
    #[error("unknown key {0}")]
    Key(String),
    /// A value that does not parse as its key's type.
    #[error("{key} has an invalid value {value:?}")]
    Value {
        /// The key.
        key: &'static str,
        /// The value as written.
        value: String,
    },
    /// A key the section needs is absent (reported at the section's line).
    #[error("{0} is missing")]
    Missing(&'static str),
}

/// The gateway configuration in a VM's user data: `None` when the text is not one (it does not
/// start with [`MARKER`]), else the parsed configuration or why it does not parse.
pub fn parse_user_data(text: &str) -> Option<Result<GatewayConfig, ConfigError>> {
    let first = text.lines().next()?;
    (first.trim_end() == MARKER).then(|| parse(text))
}

#[derive(Default)]
struct PeerDraft {
    line: usize,
    name: Option<String>,
    public_key: Option<PublicKey>,
    endpoint: Option<SocketAddrV4>,
    allowed_ips: Vec<Ipv4Net>,
}

impl PeerDraft {
    fn finish(self) -> Result<Peer, ConfigError> {
        let missing = |what| ConfigError {
            line: self.line,
            problem: Problem::Missing(what),
        };
        Ok(Peer {
            name: self.name.clone().ok_or_else(|| missing("Name"))?,
            public_key: self.public_key.ok_or_else(|| missing("PublicKey"))?,
            endpoint: self.endpoint.ok_or_else(|| missing("Endpoint"))?,
            allowed_ips: self.allowed_ips,
        })
    }
}

enum Section {
    None,
    Interface,
    Peer(PeerDraft),
}

/// Parses a configuration (the marker line included).
pub fn parse(text: &str) -> Result<GatewayConfig, ConfigError> {
    let mut name = None;
    let mut private_key = None;
    let mut listen_port = DEFAULT_PORT;
    let mut interface_line = None;
    let mut peers = Vec::new();
    let mut section = Section::None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let at = |problem| ConfigError { line, problem };
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(header) = content.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            if let Section::Peer(draft) = std::mem::replace(&mut section, Section::None) {
                peers.push(draft.finish()?);
            }
            section = match header.trim() {
                "Interface" if interface_line.is_none() => {
                    interface_line = Some(line);
                    Section::Interface
                }
                "Peer" => Section::Peer(PeerDraft {
                    line,
                    ..PeerDraft::default()
                }),
                other => return Err(at(Problem::Section(other.to_string()))),
            };
            continue;
        }
        let Some((key, value)) = content.split_once('=') else {
            return Err(at(Problem::Syntax));
        };
        let (key, value) = (key.trim(), value.trim());
        let bad = |key: &'static str| {
            at(Problem::Value {
                key,
                value: value.to_string(),
            })
        };
        match (&mut section, key) {
            (Section::Interface, "Name") => name = Some(value.to_string()),
            (Section::Interface, "PrivateKey") => {
                private_key = Some(PrivateKey::from_base64(value).ok_or_else(|| bad("PrivateKey"))?)
            }
            (Section::Interface, "ListenPort") => {
                listen_port = value.parse().map_err(|_| bad("ListenPort"))?
            }
            (Section::Peer(d), "Name") => d.name = Some(value.to_string()),
            (Section::Peer(d), "PublicKey") => {
                d.public_key = Some(PublicKey::from_base64(value).ok_or_else(|| bad("PublicKey"))?)
            }
            (Section::Peer(d), "Endpoint") => {
                d.endpoint = Some(value.parse().map_err(|_| bad("Endpoint"))?)
            }
            (Section::Peer(d), "AllowedIPs") => {
                for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    d.allowed_ips
                        .push(part.parse().map_err(|_| bad("AllowedIPs"))?);
                }
            }
            (_, other) => return Err(at(Problem::Key(other.to_string()))),
        }
    }
    if let Section::Peer(draft) = section {
        peers.push(draft.finish()?);
    }
    let line = interface_line.unwrap_or(1);
    let missing = |what| ConfigError {
        line,
        problem: Problem::Missing(what),
    };
    Ok(GatewayConfig {
        name: name.ok_or_else(|| missing("Name"))?,
        private_key: private_key.ok_or_else(|| missing("PrivateKey"))?,
        listen_port,
        peers,
    })
}

#[cfg(test)]
mod tests;
