//! How the controller marks what it owns, so that a later run (after a crash, on another
//! machine) finds it again without a state file: the clouds themselves are the state.
//!
//! - AWS: resources carry tags. A VPC the controller created has `vpcpeer:topology` and
//!   `vpcpeer:network`; a peering has `vpcpeer:topology` and `vpcpeer:link`, set in the create
//!   call itself (`TagSpecification`), so no peering exists untagged even after a `kill -9`. A
//!   route is owned when it targets an owned peering. A security-group rule is owned when its
//!   description is [`rule_description`].
//! - GCP and Azure: peerings, firewall rules, networks and VNets have no tags the controller can
//!   set atomically, so they are owned by name: a peering is `<topology>--<link>`, a firewall rule
//!   `<topology>--<link>-a` (on the first network) or `-b`, a created network is named as declared
//!   (and marked: a GCP network's description is `vpcpeer topology <name>`, an Azure VNet carries
//!   the AWS tag keys as tags), so one the file drops is found again and removed.
//!
//! - Gateways: on AWS every piece carries `vpcpeer:topology`, `vpcpeer:network` and
//!   `vpcpeer:gateway` (the VM's name) from its create call, the VM also `vpcpeer:config`; on GCP
//!   and Azure they are named `<topology>--<vm>`. A route to a gateway is owned through its VM.
//!
//! Why not a state file: a file can be lost, copied or go stale when someone changes the cloud by
//! hand, while tags and names travel with the resources and are read in the same describe calls
//! the plan needs anyway.

/// AWS tag key: the topology that owns a resource.
pub const TAG_TOPOLOGY: &str = "vpcpeer:topology";
/// AWS tag key: the link a peering carries.
pub const TAG_LINK: &str = "vpcpeer:link";
/// AWS tag key: the declared network a created VPC is.
pub const TAG_NETWORK: &str = "vpcpeer:network";

/// AWS tag key: the gateway VM a resource belongs to (its address, security group, instance; a
/// subnet made for it).
pub const TAG_GATEWAY: &str = "vpcpeer:gateway";
/// AWS tag key on a gateway VM: the hex SHA-256 of the configuration it was launched with.
pub const TAG_CONFIG: &str = "vpcpeer:config";
/// AWS tag key on the route table the controller made for a gateway subnet: the subnet's id.
pub const TAG_GATEWAY_SUBNET: &str = "vpcpeer:gateway-subnet";

/// GCP and Azure: the name of a gateway VM's resources (instance, address, firewall rule, NIC,
/// public IP), `<topology>--<vm>`; AWS: its security group's name.
pub fn gateway_resource(topology: &str, vm: &str) -> String {
    format!("{topology}--{vm}")
}

/// GCP and Azure: the name of a link's peering (both sides use the same name).
pub fn peering_name(topology: &str, link: &str) -> String {
    format!("{topology}--{link}")
}

/// GCP: the name of the firewall rule on side `side` (0 or 1) of a link.
pub fn firewall_name(topology: &str, link: &str, side: usize) -> String {
    format!("{topology}--{link}-{}", if side == 0 { "a" } else { "b" })
}

/// Whether a GCP or Azure resource name belongs to `topology`. Topology names have no `--`
/// (validation refuses it), so `demo--x` belongs to `demo` and `demo-2--x` does not.
pub fn owned_name(topology: &str, name: &str) -> bool {
    name.strip_prefix(topology)
        .is_some_and(|rest| rest.starts_with("--"))
}

/// AWS: the description of a security-group rule a link opened.
pub fn rule_description(topology: &str, link: &str) -> String {
    format!("vpcpeer:{topology}:{link}")
}

/// AWS: the link a rule description names, when `topology` owns it.
pub fn rule_owner<'a>(topology: &str, description: &'a str) -> Option<&'a str> {
    description
        .strip_prefix("vpcpeer:")?
        .strip_prefix(topology)?
        .strip_prefix(':')
}

/// GCP: a network's id as the plan compares them, `projects/<project>/global/networks/<name>`
/// (drivers strip the URL prefix of `selfLink` and `peerNetwork` to this form).
pub fn gcp_network_id(project: &str, name: &str) -> String {
    if name.starts_with("projects/") {
        name.to_string()
    } else {
        format!("projects/{project}/global/networks/{name}")
    }
}

/// Azure: a VNet's ARM id (a full id given as the network's `id` is kept as it is).
pub fn azure_vnet_id(subscription: &str, resource_group: &str, name: &str) -> String {
    if name.starts_with("/subscriptions/") {
        name.to_string()
    } else {
        format!(
            "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/virtualNetworks/{name}"
        )
    }
}
