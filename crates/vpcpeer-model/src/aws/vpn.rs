//! Virtual private gateways (`vgw-`), customer gateways (`cgw-`) and route propagation.
//!
//! Rules (Amazon VPC User Guide and Site-to-Site VPN User Guide, the EC2 API Reference):
//! - CreateVpnGateway: type `ipsec.1` only; `AmazonSideAsn` defaults to 64512 and must be a
//!   private ASN (64512–65534 or 4200000000–4294967294); the zone is accepted and ignored.
//! - One virtual private gateway per VPC and one VPC per gateway: AttachVpnGateway to a VPC
//!   that has one attached is `VpnGatewayAttachmentLimitExceeded`; attaching a gateway that is
//!   attached elsewhere is `IncorrectState`.
//! - DetachVpnGateway of a gateway not attached to that VPC is
//!   `InvalidVpnGatewayAttachment.NotFound`; DeleteVpnGateway of an attached gateway is
//!   `IncorrectState`.
//! - A route to a `vgw-` needs the gateway attached to the table's VPC (else
//!   `InvalidParameterValue`, as for an internet gateway of another VPC); a route to a gateway
//!   that is later detached or deleted is a `blackhole`.
//! - EnableVgwRoutePropagation needs the gateway attached to the table's VPC
//!   (`Gateway.NotAttached`); the table then lists the gateway in `propagatingVgwSet`.
//!
//! Choices where AWS is unverified [UNVERIFIED]:
//! - A gateway is `available` at once, and an attachment `attached` at once (AWS passes through
//!   `pending` and `attaching`); a detached attachment stays listed as `detached` until the
//!   gateway is attached again.
//! - Deleting a gateway or a customer gateway removes it at once (AWS lists it as `deleted` for
//!   a while).
//! - Detaching a gateway ends its route propagations (the propagations name the VPC's tables).
//! - VPN connections are not modelled, so a propagating gateway propagates no routes: the
//!   propagation is recorded and shown, and nothing else changes.
//! - A customer gateway's `IpAddress` must be an IPv4 address; public or private is not checked.
//!   Two customer gateways with the same address and ASN are allowed (AWS returns the existing
//!   one for an identical request; here each request makes a new one).

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::aws::error::VpnProblem;
use crate::{DomainError, Kind, RouteTable, Scope, Tags, Timestamp, Tx, Vpc};

/// The only gateway type EC2 offers.
pub const IPSEC_1: &str = "ipsec.1";

/// The Amazon-side ASN of a gateway created without one.
pub const DEFAULT_AMAZON_ASN: u64 = 64512;

/// A virtual private gateway's attachment state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VgwAttachmentState {
    /// Attached to the VPC.
    Attached,
    /// Detached from the VPC (shown until the gateway is attached again).
    Detached,
}

/// A virtual private gateway's attachment to a VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VgwAttachment {
    /// The VPC.
    pub vpc_id: String,
    /// Its state.
    pub state: VgwAttachmentState,
}

/// A virtual private gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpnGateway {
    /// `vgw-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// `ipsec.1`.
    pub gateway_type: String,
    /// The Amazon side's BGP ASN.
    pub amazon_side_asn: u64,
    /// The zone asked for at creation (shown, never used).
    pub availability_zone: Option<String>,
    /// The current or last attachment.
    pub attachment: Option<VgwAttachment>,
    /// The route tables it propagates routes to, in id order.
    pub propagations: Vec<String>,
    /// Creation time.
    pub created: Timestamp,
    /// User tags.
    pub tags: Tags,
}

impl VpnGateway {
    /// The VPC it is attached to, if any.
    pub fn attached_vpc(&self) -> Option<&str> {
        self.attachment
            .as_ref()
            .filter(|a| a.state == VgwAttachmentState::Attached)
            .map(|a| a.vpc_id.as_str())
    }
}

/// A customer gateway: the on-premises end of a VPN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerGateway {
    /// `cgw-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// `ipsec.1`.
    pub gateway_type: String,
    /// Its BGP ASN.
    pub bgp_asn: u64,
    /// Its outside address.
    pub ip_address: Ipv4Addr,
    /// Its device name.
    pub device_name: Option<String>,
    /// User tags.
    pub tags: Tags,
}

/// A new virtual private gateway (CreateVpnGateway), its values as the client sent them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewVpnGateway {
    /// `Type`.
    pub gateway_type: String,
    /// `AmazonSideAsn`, as given.
    pub amazon_side_asn: Option<String>,
    /// `AvailabilityZone`.
    pub availability_zone: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// A new customer gateway (CreateCustomerGateway), its values as the client sent them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCustomerGateway {
    /// `Type`.
    pub gateway_type: String,
    /// `BgpAsn` (or `BgpAsnExtended`), as given; absent is 65000.
    pub bgp_asn: Option<String>,
    /// `IpAddress` (or the legacy `PublicIp`), as given.
    pub ip_address: String,
    /// `DeviceName`.
    pub device_name: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// The VPN-gateway commands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum VpnCommand {
    /// CreateVpnGateway.
    CreateVpnGateway(NewVpnGateway),
    /// AttachVpnGateway.
    AttachVpnGateway {
        /// The gateway.
        vgw_id: String,
        /// The VPC.
        vpc_id: String,
    },
    /// DetachVpnGateway.
    DetachVpnGateway {
        /// The gateway.
        vgw_id: String,
        /// The VPC.
        vpc_id: String,
    },
    /// DeleteVpnGateway.
    DeleteVpnGateway {
        /// The gateway.
        vgw_id: String,
    },
    /// EnableVgwRoutePropagation / DisableVgwRoutePropagation.
    SetPropagation {
        /// The route table.
        route_table_id: String,
        /// The gateway.
        vgw_id: String,
        /// Enable (true) or disable.
        enable: bool,
    },
    /// CreateCustomerGateway.
    CreateCustomerGateway(NewCustomerGateway),
    /// DeleteCustomerGateway.
    DeleteCustomerGateway {
        /// The gateway.
        cgw_id: String,
    },
}

/// What a VPN-gateway command hands back for the reply.
#[derive(Debug, Clone)]
pub enum VpnOutcome {
    /// Success only.
    Done,
    /// The gateway a command created.
    VpnGateway(VpnGateway),
    /// The attachment a command made or ended.
    Attachment(VgwAttachment),
    /// The customer gateway a command created.
    CustomerGateway(CustomerGateway),
}

impl VpnCommand {
    /// Applies the command.
    pub(crate) fn apply(self, tx: &mut Tx<'_, '_>) -> Result<VpnOutcome, DomainError> {
        Ok(match self {
            VpnCommand::CreateVpnGateway(input) => {
                VpnOutcome::VpnGateway(tx.create_vpn_gateway(input)?)
            }
            VpnCommand::AttachVpnGateway { vgw_id, vpc_id } => {
                VpnOutcome::Attachment(tx.attach_vpn_gateway(&vgw_id, &vpc_id)?)
            }
            VpnCommand::DetachVpnGateway { vgw_id, vpc_id } => {
                tx.detach_vpn_gateway(&vgw_id, &vpc_id)?;
                VpnOutcome::Done
            }
            VpnCommand::DeleteVpnGateway { vgw_id } => {
                tx.delete_vpn_gateway(&vgw_id)?;
                VpnOutcome::Done
            }
            VpnCommand::SetPropagation {
                route_table_id,
                vgw_id,
                enable,
            } => {
                tx.set_vgw_propagation(&route_table_id, &vgw_id, enable)?;
                VpnOutcome::Done
            }
            VpnCommand::CreateCustomerGateway(input) => {
                VpnOutcome::CustomerGateway(tx.create_customer_gateway(input)?)
            }
            VpnCommand::DeleteCustomerGateway { cgw_id } => {
                tx.delete_customer_gateway(&cgw_id)?;
                VpnOutcome::Done
            }
        })
    }
}

fn refuse<T>(p: VpnProblem) -> Result<T, DomainError> {
    Err(DomainError::Vpn(p))
}

/// Parses an Amazon-side ASN: a private 2-byte or 4-byte ASN.
pub fn parse_amazon_asn(value: &str) -> Result<u64, DomainError> {
    match value.trim().parse::<u64>() {
        Ok(n) if (64512..=65534).contains(&n) || (4_200_000_000..=4_294_967_294).contains(&n) => {
            Ok(n)
        }
        _ => refuse(VpnProblem::AmazonSideAsn {
            value: value.to_owned(),
        }),
    }
}

/// Parses a customer gateway's BGP ASN: 1–4294967294.
pub fn parse_bgp_asn(value: &str) -> Result<u64, DomainError> {
    match value.trim().parse::<u64>() {
        Ok(n) if (1..=4_294_967_294).contains(&n) => Ok(n),
        _ => refuse(VpnProblem::BgpAsn {
            value: value.to_owned(),
        }),
    }
}

fn check_type(t: &str) -> Result<(), DomainError> {
    if t == IPSEC_1 {
        Ok(())
    } else {
        refuse(VpnProblem::GatewayType {
            value: t.to_owned(),
        })
    }
}

impl Tx<'_, '_> {
    /// The VPN gateway attached to `vpc_id`, if any (of any owner: a VPC is its owner's).
    pub fn vgw_of_vpc(&self, vpc_id: &str) -> Option<&VpnGateway> {
        self.list_owned::<VpnGateway>()
            .find(|g| g.attached_vpc() == Some(vpc_id))
    }

    /// CreateVpnGateway.
    pub fn create_vpn_gateway(&mut self, input: NewVpnGateway) -> Result<VpnGateway, DomainError> {
        check_type(&input.gateway_type)?;
        let asn = match &input.amazon_side_asn {
            Some(v) => parse_amazon_asn(v)?,
            None => DEFAULT_AMAZON_ASN,
        };
        self.check_tag_count(&Tags::new(), &input.tags, None)?;
        let g = VpnGateway {
            id: self.new_id("vgw"),
            scope: self.scope().clone(),
            gateway_type: input.gateway_type,
            amazon_side_asn: asn,
            availability_zone: input.availability_zone.filter(|z| !z.is_empty()),
            attachment: None,
            propagations: Vec::new(),
            created: self.now(),
            tags: input.tags,
        };
        self.put(g.clone());
        Ok(g)
    }

    /// AttachVpnGateway.
    pub fn attach_vpn_gateway(
        &mut self,
        vgw_id: &str,
        vpc_id: &str,
    ) -> Result<VgwAttachment, DomainError> {
        let g = self.owned::<VpnGateway>(vgw_id)?;
        self.owned::<Vpc>(vpc_id)?;
        if let Some(v) = g.attached_vpc() {
            return refuse(VpnProblem::GatewayAttached {
                gateway_id: vgw_id.to_owned(),
                vpc_id: v.to_owned(),
            });
        }
        if let Some(other) = self.vgw_of_vpc(vpc_id) {
            return refuse(VpnProblem::VpcHasGateway {
                vpc_id: vpc_id.to_owned(),
                gateway_id: other.id.clone(),
            });
        }
        let attachment = VgwAttachment {
            vpc_id: vpc_id.to_owned(),
            state: VgwAttachmentState::Attached,
        };
        self.owned_mut::<VpnGateway>(vgw_id)?.attachment = Some(attachment.clone());
        Ok(attachment)
    }

    /// DetachVpnGateway: ends the attachment and the gateway's route propagations.
    pub fn detach_vpn_gateway(&mut self, vgw_id: &str, vpc_id: &str) -> Result<(), DomainError> {
        let g = self.owned::<VpnGateway>(vgw_id)?;
        if g.attached_vpc() != Some(vpc_id) {
            crate::aws::check_id(Kind::Vpc, vpc_id)?;
            return refuse(VpnProblem::AttachmentNotFound {
                gateway_id: vgw_id.to_owned(),
                vpc_id: vpc_id.to_owned(),
            });
        }
        let g = self.owned_mut::<VpnGateway>(vgw_id)?;
        g.attachment = Some(VgwAttachment {
            vpc_id: vpc_id.to_owned(),
            state: VgwAttachmentState::Detached,
        });
        g.propagations.clear();
        Ok(())
    }

    /// DeleteVpnGateway: only a detached gateway.
    pub fn delete_vpn_gateway(&mut self, vgw_id: &str) -> Result<(), DomainError> {
        let g = self.owned::<VpnGateway>(vgw_id)?;
        if let Some(v) = g.attached_vpc() {
            return refuse(VpnProblem::GatewayAttached {
                gateway_id: vgw_id.to_owned(),
                vpc_id: v.to_owned(),
            });
        }
        self.remove::<VpnGateway>(vgw_id);
        Ok(())
    }

    /// EnableVgwRoutePropagation (`enable`) or DisableVgwRoutePropagation. Enabling needs the
    /// gateway attached to the table's VPC; enabling twice or disabling what is not enabled
    /// succeeds and changes nothing.
    pub fn set_vgw_propagation(
        &mut self,
        route_table_id: &str,
        vgw_id: &str,
        enable: bool,
    ) -> Result<(), DomainError> {
        let table = self.owned::<RouteTable>(route_table_id)?.clone();
        let g = self.owned::<VpnGateway>(vgw_id)?;
        let has = g.propagations.iter().any(|t| t == route_table_id);
        if enable {
            if g.attached_vpc() != Some(table.vpc_id.as_str()) {
                return Err(DomainError::GatewayNotAttached {
                    gateway: vgw_id.to_owned(),
                    vpc_id: table.vpc_id.clone(),
                });
            }
            if !has {
                let g = self.owned_mut::<VpnGateway>(vgw_id)?;
                g.propagations.push(route_table_id.to_owned());
                g.propagations.sort();
            }
        } else if has {
            self.owned_mut::<VpnGateway>(vgw_id)?
                .propagations
                .retain(|t| t != route_table_id);
        }
        Ok(())
    }

    /// The caller's gateways propagating to `route_table_id`, in id order.
    pub fn propagating_vgws(&self, route_table_id: &str) -> Vec<&VpnGateway> {
        self.list_owned::<VpnGateway>()
            .filter(|g| g.propagations.iter().any(|t| t == route_table_id))
            .collect()
    }

    /// CreateCustomerGateway.
    pub fn create_customer_gateway(
        &mut self,
        input: NewCustomerGateway,
    ) -> Result<CustomerGateway, DomainError> {
        check_type(&input.gateway_type)?;
        let bgp_asn = match &input.bgp_asn {
            Some(v) => parse_bgp_asn(v)?,
            None => 65000,
        };
        let Ok(ip_address) = input.ip_address.trim().parse::<Ipv4Addr>() else {
            return refuse(VpnProblem::CustomerGatewayAddress {
                value: input.ip_address,
            });
        };
        if input
            .device_name
            .as_ref()
            .is_some_and(|d| d.chars().count() > 255)
        {
            return refuse(VpnProblem::DeviceNameTooLong);
        }
        self.check_tag_count(&Tags::new(), &input.tags, None)?;
        let g = CustomerGateway {
            id: self.new_id("cgw"),
            scope: self.scope().clone(),
            gateway_type: input.gateway_type,
            bgp_asn,
            ip_address,
            device_name: input.device_name.filter(|d| !d.is_empty()),
            tags: input.tags,
        };
        self.put(g.clone());
        Ok(g)
    }

    /// DeleteCustomerGateway.
    pub fn delete_customer_gateway(&mut self, cgw_id: &str) -> Result<(), DomainError> {
        self.owned::<CustomerGateway>(cgw_id)?;
        self.remove::<CustomerGateway>(cgw_id);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
