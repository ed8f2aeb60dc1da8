//! Golden wire tests of the eip area: the exact response documents of AllocateAddress,
//! AssociateAddress, DescribeAddresses, CreateNetworkInterface, AttachNetworkInterface,
//! Assign/UnassignPrivateIpAddresses, Assign/UnassignIpv6Addresses, and of a launched instance
//! and its interface with a public address, driven in-process with a fixed clock, seeded ids and
//! a fixed request id (as `golden.rs`).

mod common;

use common::first;
use common::golden::{env, err, ok};
use vpcpeer_model::testkit::TestEnv;

/// A VPC (DNS hostnames on) with a subnet mapping public addresses on launch, and an instance in
/// it: (subnet, instance).
fn world(env: &mut TestEnv) -> (String, String) {
    let vpc = first(&ok(env, "CreateVpc", "CidrBlock=10.0.0.0/16"), "vpcId");
    ok(
        env,
        "ModifyVpcAttribute",
        &format!("VpcId={vpc}&EnableDnsHostnames.Value=true"),
    );
    let subnet = first(
        &ok(
            env,
            "CreateSubnet",
            &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24&AvailabilityZone=us-east-1a"),
        ),
        "subnetId",
    );
    ok(
        env,
        "ModifySubnetAttribute",
        &format!("SubnetId={subnet}&MapPublicIpOnLaunch.Value=true"),
    );
    let run = ok(
        env,
        "RunInstances",
        &format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}"),
    );
    (subnet, first(&run, "instanceId"))
}

#[test]
fn allocate_address() {
    let mut env = env();
    let doc = ok(
        &mut env,
        "AllocateAddress",
        "Domain=vpc&TagSpecification.1.ResourceType=elastic-ip\
         &TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web",
    );
    insta::assert_snapshot!("allocate_address", doc);
}

#[test]
fn associate_and_describe_addresses() {
    let mut env = env();
    let (_, instance) = world(&mut env);
    let eip = first(
        &ok(&mut env, "AllocateAddress", "Domain=vpc"),
        "allocationId",
    );
    ok(&mut env, "AllocateAddress", "");
    let doc = ok(
        &mut env,
        "AssociateAddress",
        &format!("AllocationId={eip}&InstanceId={instance}"),
    );
    insta::assert_snapshot!("associate_address", doc);
    insta::assert_snapshot!("describe_addresses", ok(&mut env, "DescribeAddresses", ""));
    let filtered = ok(
        &mut env,
        "DescribeAddresses",
        &format!("Filter.1.Name=instance-id&Filter.1.Value.1={instance}"),
    );
    assert_eq!(filtered.matches("<allocationId>").count(), 1, "{filtered}");
    // The instance shows the Elastic IP as its public address.
    let di = ok(
        &mut env,
        "DescribeInstances",
        &format!("InstanceId.1={instance}"),
    );
    assert_eq!(
        first(&di, "ipAddress"),
        first(&doc_of(&mut env, &eip), "publicIp")
    );
}

fn doc_of(env: &mut TestEnv, eip: &str) -> String {
    ok(env, "DescribeAddresses", &format!("AllocationId.1={eip}"))
}

#[test]
fn launched_instance_with_public_address() {
    let mut env = env();
    let (_, instance) = world(&mut env);
    let di = ok(
        &mut env,
        "DescribeInstances",
        &format!("InstanceId.1={instance}"),
    );
    insta::assert_snapshot!("describe_instances_public_ip", di);
    let eni = first(&di, "networkInterfaceId");
    let dni = ok(
        &mut env,
        "DescribeNetworkInterfaces",
        &format!("NetworkInterfaceId.1={eni}"),
    );
    insta::assert_snapshot!("describe_network_interfaces_public_ip", dni);
}

#[test]
fn create_attach_and_assign() {
    let mut env = env();
    let (subnet, instance) = world(&mut env);
    let doc = ok(
        &mut env,
        "CreateNetworkInterface",
        &format!(
            "SubnetId={subnet}&Description=second&PrivateIpAddresses.1.PrivateIpAddress=10.0.1.20\
             &PrivateIpAddresses.1.Primary=true&PrivateIpAddresses.2.PrivateIpAddress=10.0.1.21\
             &SecondaryPrivateIpAddressCount=1\
             &TagSpecification.1.ResourceType=network-interface\
             &TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=second"
        ),
    );
    insta::assert_snapshot!("create_network_interface", doc);
    let eni = first(&doc, "networkInterfaceId");
    let attach = ok(
        &mut env,
        "AttachNetworkInterface",
        &format!("NetworkInterfaceId={eni}&InstanceId={instance}&DeviceIndex=1"),
    );
    insta::assert_snapshot!("attach_network_interface", attach);
    let assign = ok(
        &mut env,
        "AssignPrivateIpAddresses",
        &format!("NetworkInterfaceId={eni}&SecondaryPrivateIpAddressCount=2"),
    );
    insta::assert_snapshot!("assign_private_ip_addresses", assign);
    ok(
        &mut env,
        "UnassignPrivateIpAddresses",
        &format!("NetworkInterfaceId={eni}&PrivateIpAddress.1=10.0.1.21"),
    );
    let primary = first(&ok(&mut env, "DescribeInstances", ""), "attachmentId");
    let (status, code, _) = err(
        &mut env,
        "DetachNetworkInterface",
        &format!("AttachmentId={primary}"),
    );
    assert_eq!((status, code.as_str()), (400, "OperationNotPermitted"));
    let (status, code, doc) = err(
        &mut env,
        "AssignIpv6Addresses",
        &format!("NetworkInterfaceId={eni}&Ipv6AddressCount=1"),
    );
    assert_eq!(
        (status, code.as_str()),
        (400, "InvalidParameterValue"),
        "{doc}"
    );
}

#[test]
fn ipv6_addresses() {
    let mut env = env();
    let vpc = first(
        &ok(
            &mut env,
            "CreateVpc",
            "CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=true",
        ),
        "vpcId",
    );
    let dv = ok(&mut env, "DescribeVpcs", &format!("VpcId.1={vpc}"));
    let block = first(&dv, "ipv6CidrBlock");
    let subnet64 = block.replace("::/56", "::/64");
    let subnet = first(
        &ok(
            &mut env,
            "CreateSubnet",
            &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24&Ipv6CidrBlock={subnet64}"),
        ),
        "subnetId",
    );
    let eni = first(
        &ok(
            &mut env,
            "CreateNetworkInterface",
            &format!("SubnetId={subnet}"),
        ),
        "networkInterfaceId",
    );
    let doc = ok(
        &mut env,
        "AssignIpv6Addresses",
        &format!("NetworkInterfaceId={eni}&Ipv6AddressCount=2"),
    );
    insta::assert_snapshot!("assign_ipv6_addresses", doc);
    let one = first(&doc, "item");
    let doc = ok(
        &mut env,
        "UnassignIpv6Addresses",
        &format!("NetworkInterfaceId={eni}&Ipv6Addresses.1={one}"),
    );
    insta::assert_snapshot!("unassign_ipv6_addresses", doc);
}

#[test]
fn error_documents() {
    let mut env = env();
    let (_, instance) = world(&mut env);
    let eip = first(&ok(&mut env, "AllocateAddress", ""), "allocationId");
    ok(
        &mut env,
        "AssociateAddress",
        &format!("AllocationId={eip}&InstanceId={instance}"),
    );
    let rows = [
        (
            "AssociateAddress",
            format!("AllocationId={eip}&InstanceId={instance}"),
            "Resource.AlreadyAssociated",
        ),
        (
            "ReleaseAddress",
            format!("AllocationId={eip}"),
            "InvalidIPAddress.InUse",
        ),
        (
            "ReleaseAddress",
            "AllocationId=eipalloc-0123456789abcdef0".to_owned(),
            "InvalidAllocationID.NotFound",
        ),
        (
            "DisassociateAddress",
            "AssociationId=eipassoc-0123456789abcdef0".to_owned(),
            "InvalidAssociationID.NotFound",
        ),
        (
            "DescribeAddresses",
            "PublicIp.1=203.0.113.9".to_owned(),
            "InvalidAddress.NotFound",
        ),
        (
            "AssociateAddress",
            format!("AllocationId={eip}&InstanceId=i-0123456789abcdef0&AllowReassociation=true"),
            "InvalidInstanceID.NotFound",
        ),
        (
            "AllocateAddress",
            "Domain=standard".to_owned(),
            "InvalidParameterValue",
        ),
    ];
    for (action, body, want) in rows {
        let (status, code, doc) = err(&mut env, action, &body);
        assert_eq!(
            (status, code.as_str()),
            (400, want),
            "{action} {body}: {doc}"
        );
    }
    for _ in 0..4 {
        ok(&mut env, "AllocateAddress", "");
    }
    let (_, code, doc) = err(&mut env, "AllocateAddress", "");
    assert_eq!(code, "AddressLimitExceeded");
    insta::assert_snapshot!("address_limit_exceeded", doc);
}
