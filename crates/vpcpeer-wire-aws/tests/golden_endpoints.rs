//! Golden wire tests of the endpoints area: the exact documents of CreateManagedPrefixList,
//! GetManagedPrefixListEntries, CreateVpcEndpoint (gateway and interface), DescribeVpcEndpoints,
//! DescribeVpcEndpointServices, DeleteVpcEndpoints with an unknown id, and one error, driven
//! in-process with a fixed clock, seeded ids and a fixed request id.
//!
//! Review a diff with `cargo insta review` (or `INSTA_UPDATE=always cargo test -p
//! vpcpeer-wire-aws --test golden_endpoints`) before accepting it.

mod common;

use common::first;
use common::golden::{document as doc, env};

#[test]
fn prefix_list_documents() {
    let mut env = env();
    let created = doc(
        &mut env,
        "CreateManagedPrefixList",
        "PrefixListName=corp&MaxEntries=5&AddressFamily=IPv4\
         &Entry.1.Cidr=10.0.0.0/8&Entry.1.Description=ten&Entry.2.Cidr=192.168.0.0/16\
         &TagSpecification.1.ResourceType=prefix-list&TagSpecification.1.Tag.1.Key=team\
         &TagSpecification.1.Tag.1.Value=net",
    );
    insta::assert_snapshot!("endpoints_create_managed_prefix_list", created);
    let pl = first(&created, "prefixListId");
    doc(
        &mut env,
        "ModifyManagedPrefixList",
        &format!("PrefixListId={pl}&CurrentVersion=1&AddEntry.1.Cidr=172.16.0.0/12"),
    );
    insta::assert_snapshot!(
        "endpoints_get_managed_prefix_list_entries",
        doc(
            &mut env,
            "GetManagedPrefixListEntries",
            &format!("PrefixListId={pl}&MaxResults=2"),
        )
    );
    insta::assert_snapshot!(
        "endpoints_error_version_mismatch",
        doc(
            &mut env,
            "ModifyManagedPrefixList",
            &format!("PrefixListId={pl}&CurrentVersion=1&AddEntry.1.Cidr=172.20.0.0/16"),
        )
    );
    insta::assert_snapshot!(
        "endpoints_describe_prefix_lists",
        doc(&mut env, "DescribePrefixLists", "")
    );
}

#[test]
fn endpoint_documents() {
    let mut env = env();
    let vpc = first(
        &doc(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16"),
        "vpcId",
    );
    let tables = doc(
        &mut env,
        "DescribeRouteTables",
        &format!("Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}"),
    );
    let rtb = first(&tables, "routeTableId");
    let subnet = first(
        &doc(
            &mut env,
            "CreateSubnet",
            &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24&AvailabilityZone=us-east-1a"),
        ),
        "subnetId",
    );
    let gateway = doc(
        &mut env,
        "CreateVpcEndpoint",
        &format!("VpcId={vpc}&ServiceName=com.amazonaws.us-east-1.s3&RouteTableId.1={rtb}&ClientToken=tok"),
    );
    insta::assert_snapshot!("endpoints_create_gateway_endpoint", gateway);
    let interface = doc(
        &mut env,
        "CreateVpcEndpoint",
        &format!(
            "VpcId={vpc}&ServiceName=com.amazonaws.us-east-1.ssm&VpcEndpointType=Interface\
             &SubnetId.1={subnet}&PolicyDocument=%7B%22Statement%22%3A%5B%5D%7D\
             &TagSpecification.1.ResourceType=vpc-endpoint&TagSpecification.1.Tag.1.Key=k\
             &TagSpecification.1.Tag.1.Value=v"
        ),
    );
    insta::assert_snapshot!("endpoints_create_interface_endpoint", interface);
    insta::assert_snapshot!(
        "endpoints_route_table_with_gateway_endpoint",
        doc(
            &mut env,
            "DescribeRouteTables",
            &format!("RouteTableId.1={rtb}")
        )
    );
    insta::assert_snapshot!(
        "endpoints_describe_vpc_endpoint_services",
        doc(
            &mut env,
            "DescribeVpcEndpointServices",
            "ServiceName.1=com.amazonaws.us-east-1.s3&ServiceName.2=com.amazonaws.us-east-1.ssm",
        )
    );
    let gw = first(&gateway, "vpcEndpointId");
    insta::assert_snapshot!(
        "endpoints_delete_vpc_endpoints_unsuccessful",
        doc(
            &mut env,
            "DeleteVpcEndpoints",
            &format!("VpcEndpointId.1={gw}&VpcEndpointId.2=vpce-0123456789abcdef0"),
        )
    );
}
