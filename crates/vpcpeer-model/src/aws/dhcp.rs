//! DHCP option sets (`dopt-`): Create/Delete/AssociateDhcpOptions and each region's default set.
//!
//! Rules (Amazon VPC User Guide, "DHCP option sets"; EC2 API Reference, CreateDhcpOptions):
//! - The options are `domain-name` (one value), `domain-name-servers` (up to four IPv4
//!   addresses, or `AmazonProvidedDNS`), `ntp-servers` (up to four IPv4 or IPv6 addresses),
//!   `netbios-name-servers` (up to four IPv4 addresses), `netbios-node-type` (one of 1, 2, 4, 8)
//!   and `ipv6-address-preferred-lease-time` (140–2147483647 seconds). Any other key, a bad
//!   value or too many values is `InvalidParameterValue`.
//! - A set associated with a VPC cannot be deleted (`DependencyViolation`).
//! - AssociateDhcpOptions with `default` leaves the VPC with no options (`dhcpOptionsId`
//!   `default`).
//! - Every region has a default set, which a new VPC is associated with: `domain-name` is
//!   `ec2.internal` in us-east-1 and `<region>.compute.internal` elsewhere, and
//!   `domain-name-servers` is `AmazonProvidedDNS`.
//!
//! Choices [UNVERIFIED]:
//! - The default set is created the first time a VPC is created in the (account, region) (the
//!   default VPC, or any other), not before; a read never creates it.
//! - Its id is derived from the account and region (`dopt-0` and 16 hex digits of a hash), not
//!   drawn, so creating it changes no other id, and a replay or a restart gives the same one.
//!   If the user deletes it, the next VPC created brings it back with the same id.
//! - VPCs stored by releases before DHCP options were modelled show `default` (no options),
//!   which is what they held.
//! - A domain name may hold several names separated by spaces; each must be 1–255 characters
//!   of letters, digits, `-` and `.`.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

use crate::aws::error::VpnProblem;
use crate::{Dependent, DomainError, Kind, Scope, Tags, Tx, Vpc};

/// The keys of a DHCP option set, as EC2 names them.
pub const KEYS: &[&str] = &[
    "domain-name",
    "domain-name-servers",
    "ntp-servers",
    "netbios-name-servers",
    "netbios-node-type",
    "ipv6-address-preferred-lease-time",
];

/// One option of a set: its key and values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DhcpConfiguration {
    /// The key (one of [`KEYS`]).
    pub key: String,
    /// Its values, in the request's order.
    pub values: Vec<String>,
}

/// A DHCP option set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DhcpOptions {
    /// `dopt-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// The options, in the request's order.
    pub configurations: Vec<DhcpConfiguration>,
    /// User tags.
    pub tags: Tags,
}

/// The DHCP option commands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DhcpCommand {
    /// CreateDhcpOptions (the options as the client sent them; checked when applied).
    Create {
        /// The options.
        configurations: Vec<DhcpConfiguration>,
        /// Tags.
        tags: Tags,
    },
    /// DeleteDhcpOptions.
    Delete {
        /// The set.
        id: String,
    },
    /// AssociateDhcpOptions (`default` for none).
    Associate {
        /// The set, or `default`.
        id: String,
        /// The VPC.
        vpc_id: String,
    },
}

/// What a DHCP option command hands back.
#[derive(Debug, Clone)]
pub enum DhcpOutcome {
    /// Success only.
    Done,
    /// The set a command created.
    Created(DhcpOptions),
}

impl DhcpCommand {
    /// Applies the command.
    pub(crate) fn apply(self, tx: &mut Tx<'_, '_>) -> Result<DhcpOutcome, DomainError> {
        Ok(match self {
            DhcpCommand::Create {
                configurations,
                tags,
            } => DhcpOutcome::Created(tx.create_dhcp_options(configurations, tags)?),
            DhcpCommand::Delete { id } => {
                tx.delete_dhcp_options(&id)?;
                DhcpOutcome::Done
            }
            DhcpCommand::Associate { id, vpc_id } => {
                tx.associate_dhcp_options(&id, &vpc_id)?;
                DhcpOutcome::Done
            }
        })
    }
}

/// The domain name of a region's default set.
pub fn default_domain_name(region: &str) -> String {
    if region == "us-east-1" {
        "ec2.internal".into()
    } else {
        format!("{region}.compute.internal")
    }
}

/// The id of `scope`'s default set: `dopt-0` and the FNV-1a hash of `<account>/<region>`.
pub fn default_id(scope: &Scope) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{}/{}", scope.account, scope.region).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("dopt-0{h:016x}")
}

fn bad_value(key: &str, value: &str) -> DomainError {
    DomainError::Vpn(VpnProblem::DhcpValue {
        key: key.to_owned(),
        value: value.to_owned(),
    })
}

fn domain_label_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// Checks one option: a known key, one to `max` values, each valid for the key.
fn check_configuration(c: &DhcpConfiguration) -> Result<(), DomainError> {
    let key = c.key.as_str();
    let max = match key {
        "domain-name" | "netbios-node-type" | "ipv6-address-preferred-lease-time" => 1,
        "domain-name-servers" | "ntp-servers" | "netbios-name-servers" => 4,
        _ => {
            return Err(DomainError::Vpn(VpnProblem::DhcpKey {
                key: key.to_owned(),
            }))
        }
    };
    if c.values.is_empty() {
        return Err(DomainError::Vpn(VpnProblem::DhcpNoValue {
            key: key.to_owned(),
        }));
    }
    if c.values.len() > max {
        return Err(DomainError::Vpn(VpnProblem::DhcpTooManyValues {
            key: key.to_owned(),
            max,
        }));
    }
    for v in &c.values {
        let ok = match key {
            "domain-name" => v.split(' ').all(domain_label_ok),
            "domain-name-servers" => v == "AmazonProvidedDNS" || v.parse::<Ipv4Addr>().is_ok(),
            "ntp-servers" => v.parse::<IpAddr>().is_ok(),
            "netbios-name-servers" => v.parse::<Ipv4Addr>().is_ok(),
            "netbios-node-type" => matches!(v.as_str(), "1" | "2" | "4" | "8"),
            _ => v
                .parse::<u64>()
                .is_ok_and(|n| (140..=2_147_483_647).contains(&n)),
        };
        if !ok {
            return Err(bad_value(key, v));
        }
    }
    Ok(())
}

impl Tx<'_, '_> {
    /// The caller's region's default set, created (once) if missing; returns its id.
    pub(crate) fn ensure_default_dhcp_options(&mut self) -> String {
        let scope = self.scope().clone();
        let mut id = default_id(&scope);
        match self.get::<DhcpOptions>(&id) {
            Some(d) if d.scope == scope => return id,
            // Another (account, region) hashed alike: draw an id instead.
            Some(_) => id = self.new_id("dopt"),
            None => {}
        }
        self.put(DhcpOptions {
            id: id.clone(),
            configurations: vec![
                DhcpConfiguration {
                    key: "domain-name".into(),
                    values: vec![default_domain_name(&scope.region)],
                },
                DhcpConfiguration {
                    key: "domain-name-servers".into(),
                    values: vec!["AmazonProvidedDNS".into()],
                },
            ],
            scope,
            tags: Tags::new(),
        });
        id
    }

    /// CreateDhcpOptions.
    pub fn create_dhcp_options(
        &mut self,
        configurations: Vec<DhcpConfiguration>,
        tags: Tags,
    ) -> Result<DhcpOptions, DomainError> {
        if configurations.is_empty() {
            return Err(DomainError::Vpn(VpnProblem::DhcpNoValue {
                key: String::new(),
            }));
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &configurations {
            check_configuration(c)?;
            if !seen.insert(c.key.as_str()) {
                return Err(DomainError::Vpn(VpnProblem::DhcpKeyRepeated {
                    key: c.key.clone(),
                }));
            }
        }
        self.check_tag_count(&Tags::new(), &tags, None)?;
        let d = DhcpOptions {
            id: self.new_id("dopt"),
            scope: self.scope().clone(),
            configurations,
            tags,
        };
        self.put(d.clone());
        Ok(d)
    }

    /// DeleteDhcpOptions: refused while a VPC is associated with the set.
    pub fn delete_dhcp_options(&mut self, id: &str) -> Result<(), DomainError> {
        self.owned::<DhcpOptions>(id)?;
        if let Some(v) = self.list_owned::<Vpc>().find(|v| v.dhcp_options_id == id) {
            return Err(DomainError::DependencyViolation {
                kind: Kind::DhcpOptions,
                id: id.to_owned(),
                dependent: Some(Dependent::DhcpVpc {
                    vpc_id: v.id.clone(),
                }),
            });
        }
        self.remove::<DhcpOptions>(id);
        Ok(())
    }

    /// AssociateDhcpOptions: `default` for no options.
    pub fn associate_dhcp_options(&mut self, id: &str, vpc_id: &str) -> Result<(), DomainError> {
        if id != "default" {
            self.owned::<DhcpOptions>(id)?;
        }
        self.owned_mut::<Vpc>(vpc_id)?.dhcp_options_id = id.to_owned();
        Ok(())
    }
}

#[cfg(test)]
mod tests;
