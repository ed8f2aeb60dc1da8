//! The model says why an Azure command was refused as an `AzureError` kind with the ids and
//! values involved, and `vpcpeer-wire-azure` words it in ARM's dialect (code, status, message).
//! This test reads the Azure side of the model's non-test sources (everything under `azure/`,
//! test modules left out) and refuses every string literal that spells an ARM error code or an
//! ARM resource type (`Microsoft.Network/virtualNetworks`): those belong to the wire crate.
//! (Resource ids keep their ARM shape: they are the records' keys, built from the provider
//! namespace and the type segment of the id, never from a type string.)

mod common;

use std::path::{Path, PathBuf};

use common::rust_files;

/// ARM error codes the Azure face answers (see `vpcpeer-wire-azure`'s `error.rs`).
const CODES: &[&str] = &[
    "AddressPrefixCountLimitReached",
    "AnotherPeeringAlreadyReferencesRemoteVnet",
    "AnotherPeeringAlreadyUsesRemoteGateways",
    "CannotPeerVirtualNetworkWithItself",
    "ChangingGatewayVirtualNetworkNotAllowed",
    "ChangingRemoteVirtualNetworkNotAllowed",
    "DuplicateResourceName",
    "GatewayInUseByPeering",
    "GatewaySubnetRequired",
    "GatewayTransitInUseByRemotePeering",
    "InUseNetworkSecurityGroupCannotBeDeleted",
    "InUseRouteTableCannotBeDeleted",
    "InUseSubnetCannotBeDeleted",
    "InUseSubnetCannotBeUpdated",
    "InvalidAddressPrefixFormat",
    "InvalidGatewaySubnet",
    "InvalidNextHopIpAddress",
    "InvalidNextHopType",
    "InvalidParameter",
    "InvalidPrivateIPAddressFormat",
    "InvalidRemoteVirtualNetwork",
    "InvalidRequestFormat",
    "InvalidResourceGroupLocation",
    "InvalidResourceGroupName",
    "InvalidResourceLocation",
    "InvalidResourceName",
    "InvalidResourceReference",
    "InvalidTagName",
    "InvalidTagNameCharacters",
    "InvalidTags",
    "InvalidTagValueLength",
    "IpConfigurationCountLimitReached",
    "IpConfigurationsOfNicInDifferentVnets",
    "LinkedInvalidPropertyId",
    "LocationRequired",
    "NetcfgInvalidAddressPrefixes",
    "NetcfgInvalidSubnet",
    "NetcfgSubnetRangeOutsideVnet",
    "NetcfgSubnetRangesOverlap",
    "NetworkInterfaceCountLimitReached",
    "NetworkInterfaceMustHaveAtLeastOneIpConfiguration",
    "NextHopIpAddressNotAllowed",
    "NextHopIpAddressRequired",
    "NicInDifferentLocation",
    "NicInUse",
    "NotFound",
    "OperationNotFound",
    "PeeringLimitReachedForVirtualNetwork",
    "PrivateIPAddressInUse",
    "PrivateIPAddressNotInSubnet",
    "RemotePeeringDoesNotAllowGatewayTransit",
    "RemotePeeringIsDisconnected",
    "RemoteVnetHasNoGateways",
    "ResourceGroupNotFound",
    "ResourceNotFound",
    "RouteConflict",
    "RouteCountLimitReached",
    "SecurityRuleAddressPrefixCountLimitReached",
    "SecurityRuleConflict",
    "SecurityRuleCountLimitReached",
    "SecurityRuleInvalidAddressPrefix",
    "SecurityRuleInvalidPortRange",
    "SecurityRuleInvalidPriority",
    "SecurityRuleInvalidProtocol",
    "SubnetCountLimitReached",
    "SubnetIsFull",
    "SubnetRequired",
    "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
    "VnetAddressSpacesOverlap",
    "VnetAlreadyHasGatewayOfThisType",
    "VnetHasGatewayCannotUseRemoteGateways",
    "VnetUsesRemoteGatewaysCannotHaveGateway",
];

/// The string literals of `source` before its first `#[cfg(test)]` (a test module at the end).
fn literals(source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut parts = line.split('"');
        parts.next();
        while let (Some(lit), rest) = (parts.next(), parts.next()) {
            out.push(lit.to_owned());
            if rest.is_none() {
                break;
            }
        }
    }
    out
}

#[test]
fn the_azure_model_spells_no_arm_code_or_type() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/azure");
    let files: Vec<PathBuf> = rust_files(&dir)
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with("tests.rs"))
        .collect();
    assert!(files.len() > 10, "found {} files", files.len());
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        for lit in literals(&text) {
            let arm_type = lit.contains("Microsoft.Network/") || lit.contains("Microsoft.Compute/");
            if arm_type || CODES.contains(&lit.as_str()) {
                found.push(format!("{}: \"{lit}\"", f.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "ARM spelling in the model:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_literals() {
    assert_eq!(
        literals("let a = \"x\"; f(\"ResourceNotFound\");\n#[cfg(test)]\nlet b = \"y\";"),
        vec!["x".to_owned(), "ResourceNotFound".to_owned()]
    );
}
