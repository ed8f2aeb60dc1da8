//! Golden wire tests: the exact response documents of every VPC and peering action, driven
//! in-process (no server) with a fixed clock, seeded ids and a fixed request id.
//!
//! A change to any of these bytes is a change of what real clients parse; review the snapshot
//! diff (`cargo insta review`, or `INSTA_UPDATE=always cargo test -p vpcpeer-wire-aws --test golden`)
//! before accepting it.

mod common;

use std::ops::{Deref, DerefMut};

use common::first;
use common::golden::{self, ok_in, refused_in, A_EAST, NOW, REQUEST_ID};
use vpcpeer_model::testkit::{TestEnv, A, B};
use vpcpeer_model::Timestamp;
use vpcpeer_wire_aws::{error_document, Ec2Error};

/// Account B in us-west-2: the other side of [`cross`].
const B_WEST: (&str, &str) = (B, "us-west-2");

/// The shared golden harness ([`golden::env`]), with the calls this file makes as methods.
struct Env(TestEnv);

impl Deref for Env {
    type Target = TestEnv;
    fn deref(&self) -> &TestEnv {
        &self.0
    }
}

impl DerefMut for Env {
    fn deref_mut(&mut self) -> &mut TestEnv {
        &mut self.0
    }
}

impl Env {
    fn new() -> Self {
        Env(golden::env())
    }

    /// A successful call's document (account A, us-east-1).
    fn ok(&mut self, action: &str, body: &str) -> String {
        golden::ok(self, action, body)
    }

    /// A successful call's document (account A, us-east-1), checked against snapshot `name`.
    fn snap(&mut self, name: &str, action: &str, body: &str) -> String {
        self.snap_as(name, A_EAST, action, body)
    }

    /// A successful call's document as `(account, region)`, checked against snapshot `name`.
    fn snap_as(&mut self, name: &str, who: (&str, &str), action: &str, body: &str) -> String {
        let doc = self.ok_as(who.0, who.1, action, body);
        insta::assert_snapshot!(name, doc);
        doc
    }

    /// A failed call's error document (account A, us-east-1), checked against snapshot `name`.
    fn snap_err(&mut self, name: &str, action: &str, body: &str) {
        let (_, doc) = self.err(action, body);
        insta::assert_snapshot!(name, doc);
    }

    fn ok_as(&mut self, account: &str, region: &str, action: &str, body: &str) -> String {
        ok_in(self, (account, region), action, body)
    }

    /// A failed call's error document and HTTP status (account A, us-east-1).
    fn err(&mut self, action: &str, body: &str) -> (u16, String) {
        self.err_as(A, "us-east-1", action, body)
    }

    /// A failed call's error document and HTTP status.
    fn err_as(&mut self, account: &str, region: &str, action: &str, body: &str) -> (u16, String) {
        let (e, doc) = refused_in(self, (account, region), action, body);
        (e.status, doc)
    }
}

fn new_vpc(env: &mut Env, account: &str, region: &str, cidr: &str) -> String {
    let doc = env.ok_as(account, region, "CreateVpc", &format!("CidrBlock={cidr}"));
    first(&doc, "vpcId")
}

/// A's request (account A, us-east-1) to peer `vpc` with `peer` (`&PeerOwnerId=…` and the like
/// may follow the peer's id): the connection's id.
fn request_peering(env: &mut Env, vpc: &str, peer: &str) -> String {
    let doc = env.ok(
        "CreateVpcPeeringConnection",
        &format!("VpcId={vpc}&PeerVpcId={peer}"),
    );
    first(&doc, "vpcPeeringConnectionId")
}

/// `pcx` accepted as `(account, region)`.
fn accept(env: &mut Env, who: (&str, &str), pcx: &str) {
    let body = format!("VpcPeeringConnectionId={pcx}");
    env.ok_as(who.0, who.1, "AcceptVpcPeeringConnection", &body);
}

/// A subnet of A's `vpc`: its id.
fn new_subnet(env: &mut Env, vpc: &str, cidr: &str) -> String {
    let doc = env.ok("CreateSubnet", &format!("VpcId={vpc}&CidrBlock={cidr}"));
    first(&doc, "subnetId")
}

// --- VPC actions ----------------------------------------------------------------------------------

#[test]
fn create_vpc() {
    let mut env = Env::new();
    env.snap(
        "create_vpc",
        "CreateVpc",
        "CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=true\
         &TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name\
         &TagSpecification.1.Tag.1.Value=main&TagSpecification.1.Tag.2.Key=Env\
         &TagSpecification.1.Tag.2.Value=prod",
    );
}

#[test]
fn describe_vpcs() {
    let mut env = Env::new();
    let v1 = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    new_vpc(&mut env, A, "us-east-1", "10.1.0.0/16");
    new_vpc(&mut env, A, "us-east-1", "10.2.0.0/16");
    env.ok(
        "AssociateVpcCidrBlock",
        &format!("VpcId={v1}&CidrBlock=10.9.0.0/16"),
    );
    env.snap("describe_vpcs", "DescribeVpcs", "MaxResults=5");
    env.snap(
        "describe_vpcs_filtered",
        "DescribeVpcs",
        "Filter.1.Name=cidr&Filter.1.Value.1=10.1.*&Filter.1.Value.2=10.2.0.0/16",
    );
}

#[test]
fn describe_vpcs_paged() {
    let mut env = Env::new();
    for i in 0..6 {
        new_vpc(&mut env, A, "us-east-1", &format!("10.{i}.0.0/16"));
    }
    let page1 = env.ok("DescribeVpcs", "MaxResults=5");
    let token = first(&page1, "nextToken");
    let page2 = env.ok("DescribeVpcs", &format!("MaxResults=5&NextToken={token}"));
    assert!(!page2.contains("<nextToken>"));
    insta::assert_snapshot!("describe_vpcs_page2", page2);
}

#[test]
fn delete_vpc() {
    let mut env = Env::new();
    let v = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    env.snap("delete_vpc", "DeleteVpc", &format!("VpcId={v}"));
}

#[test]
fn associate_and_disassociate_vpc_cidr_block() {
    let mut env = Env::new();
    let v = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let v4 = env.snap(
        "associate_vpc_cidr_block_ipv4",
        "AssociateVpcCidrBlock",
        &format!("VpcId={v}&CidrBlock=10.1.0.0/16"),
    );
    env.snap(
        "associate_vpc_cidr_block_ipv6",
        "AssociateVpcCidrBlock",
        &format!("VpcId={v}&AmazonProvidedIpv6CidrBlock=true"),
    );
    let assoc = first(&v4, "associationId");
    env.snap(
        "disassociate_vpc_cidr_block",
        "DisassociateVpcCidrBlock",
        &format!("AssociationId={assoc}"),
    );
}

#[test]
fn modify_and_describe_vpc_attribute() {
    let mut env = Env::new();
    let v = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    env.snap(
        "modify_vpc_attribute",
        "ModifyVpcAttribute",
        &format!("VpcId={v}&EnableDnsHostnames.Value=true"),
    );
    env.snap(
        "describe_vpc_attribute",
        "DescribeVpcAttribute",
        &format!("VpcId={v}&Attribute=enableDnsHostnames"),
    );
}

// --- peering actions ------------------------------------------------------------------------------

/// A's VPC in us-east-1, B's in us-west-2, and A's request to B.
fn cross(env: &mut Env) -> (String, String, String) {
    let va = new_vpc(env, A, "us-east-1", "10.0.0.0/16");
    let vb = new_vpc(env, B, "us-west-2", "10.1.0.0/16");
    let pcx = request_peering(
        env,
        &va,
        &format!("{vb}&PeerOwnerId={B}&PeerRegion=us-west-2"),
    );
    (va, vb, pcx)
}

#[test]
fn create_vpc_peering_connection() {
    let mut env = Env::new();
    let va = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let vb = new_vpc(&mut env, B, "us-west-2", "10.1.0.0/16");
    env.snap(
        "create_vpc_peering_connection",
        "CreateVpcPeeringConnection",
        &format!(
            "VpcId={va}&PeerVpcId={vb}&PeerOwnerId={B}&PeerRegion=us-west-2\
             &TagSpecification.1.ResourceType=vpc-peering-connection\
             &TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=a-to-b"
        ),
    );
}

#[test]
fn describe_vpc_peering_connections_both_sides() {
    let mut env = Env::new();
    let (_, _, pcx) = cross(&mut env);
    let body = format!("VpcPeeringConnectionId.1={pcx}");
    let describe = "DescribeVpcPeeringConnections";
    let requester = "describe_vpc_peering_connections_pending_requester";
    env.snap_as(requester, A_EAST, describe, &body);
    let accepter = "describe_vpc_peering_connections_pending_accepter";
    env.snap_as(accepter, B_WEST, describe, &body);
    // Neither side sees it from the other region.
    let (_, doc) = env.err_as(B, "us-east-1", describe, &body);
    insta::assert_snapshot!("describe_vpc_peering_connections_wrong_region", doc);
}

/// B answers A's request (accepting it first where `accepted`) with `action`; A then lists
/// the connections with `filter`. Each row names its two snapshots.
#[test]
fn accept_reject_and_delete_vpc_peering_connection() {
    let rows = [
        (
            false,
            "AcceptVpcPeeringConnection",
            "accept_vpc_peering_connection",
            "Filter.1.Name=status-code&Filter.1.Value.1=active",
            "describe_vpc_peering_connections_active",
        ),
        (
            false,
            "RejectVpcPeeringConnection",
            "reject_vpc_peering_connection",
            "",
            "describe_vpc_peering_connections_rejected",
        ),
        (
            true,
            "DeleteVpcPeeringConnection",
            "delete_vpc_peering_connection",
            "",
            "describe_vpc_peering_connections_deleted",
        ),
    ];
    for (accepted, action, answer, filter, listed) in rows {
        let mut env = Env::new();
        let (_, _, pcx) = cross(&mut env);
        let body = format!("VpcPeeringConnectionId={pcx}");
        if accepted {
            accept(&mut env, B_WEST, &pcx);
        }
        env.snap_as(answer, B_WEST, action, &body);
        env.snap_as(listed, A_EAST, "DescribeVpcPeeringConnections", filter);
    }
}

#[test]
fn modify_vpc_peering_connection_options() {
    let mut env = Env::new();
    let v1 = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let v2 = new_vpc(&mut env, A, "us-east-1", "10.1.0.0/16");
    for v in [&v1, &v2] {
        env.ok(
            "ModifyVpcAttribute",
            &format!("VpcId={v}&EnableDnsHostnames.Value=true"),
        );
    }
    let pcx = request_peering(&mut env, &v1, &v2);
    accept(&mut env, A_EAST, &pcx);
    env.snap(
        "modify_vpc_peering_connection_options",
        "ModifyVpcPeeringConnectionOptions",
        &format!(
            "VpcPeeringConnectionId={pcx}\
             &RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=true\
             &AccepterPeeringConnectionOptions.AllowEgressFromLocalClassicLinkToRemoteVpc=true"
        ),
    );
}

#[test]
fn failed_and_expired_connections() {
    let mut env = Env::new();
    let v1 = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let v2 = new_vpc(&mut env, A, "us-east-1", "10.0.128.0/17");
    let v3 = new_vpc(&mut env, A, "us-east-1", "10.3.0.0/16");
    request_peering(&mut env, &v1, &v2);
    request_peering(&mut env, &v1, &v3);
    env.now = NOW.plus_millis(7 * Timestamp::DAY + Timestamp::HOUR);
    let doc = env.ok("DescribeVpcPeeringConnections", "");
    // The failed one (2 h window) is gone; the expired one is listed.
    insta::assert_snapshot!("describe_vpc_peering_connections_expired", doc);
    env.now = NOW.plus_millis(Timestamp::HOUR);
    env.snap(
        "describe_vpc_peering_connections_failed",
        "DescribeVpcPeeringConnections",
        "",
    );
}

// --- errors ---------------------------------------------------------------------------------------

#[test]
fn error_documents() {
    let mut env = Env::new();
    let (status, doc) = env.err(
        "DescribeVpcPeeringConnections",
        "VpcPeeringConnectionId.1=pcx-0123456789abcdef0",
    );
    assert_eq!(status, 400);
    insta::assert_snapshot!("error_pcx_not_found", doc);

    let (_, _, pcx) = cross(&mut env);
    let (status, doc) = env.err_as(
        B,
        "us-east-1",
        "AcceptVpcPeeringConnection",
        &format!("VpcPeeringConnectionId={pcx}"),
    );
    assert_eq!(status, 400);
    insta::assert_snapshot!("error_accept_wrong_region", doc);

    env.snap_err("error_vpc_range", "CreateVpc", "CidrBlock=10.0.0.0/8");

    env.snap_err("error_missing_parameter", "DeleteVpc", "");

    let doc = error_document(&Ec2Error::dry_run_ok(), REQUEST_ID);
    assert_eq!(Ec2Error::dry_run_ok().status, 412);
    insta::assert_snapshot!("error_dry_run", doc);

    let doc = error_document(&Ec2Error::invalid_action("Frobnicate"), REQUEST_ID);
    insta::assert_snapshot!("error_invalid_action", doc);
}

#[test]
fn errors_roll_back() {
    let mut env = Env::new();
    let v = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let before = env.ok("DescribeVpcs", "");
    env.err(
        "AssociateVpcCidrBlock",
        &format!("VpcId={v}&CidrBlock=172.16.0.0/16"),
    );
    assert_eq!(env.ok("DescribeVpcs", ""), before);
}

// --- Network insights ------------------------------------------------------------------------------

#[test]
fn network_insights_path_and_analysis() {
    let mut env = Env::new();
    let vpc = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let subnet = new_subnet(&mut env, &vpc, "10.0.1.0/24");
    let doc = env.ok(
        "RunInstances",
        &format!("ImageId=ami-12345678&MinCount=2&MaxCount=2&SubnetId={subnet}"),
    );
    let ids: Vec<String> = doc
        .split("<instanceId>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_owned())
        .collect();
    let doc = env.snap(
        "create_network_insights_path",
        "CreateNetworkInsightsPath",
        &format!(
            "Source={}&Destination={}&Protocol=tcp&DestinationPort=22&ClientToken=t1",
            ids[0], ids[1]
        ),
    );
    let path = first(&doc, "networkInsightsPathId");
    env.snap(
        "start_network_insights_analysis",
        "StartNetworkInsightsAnalysis",
        &format!("NetworkInsightsPathId={path}&ClientToken=t2"),
    );
    let (status, doc) = env.err(
        "DeleteNetworkInsightsPath",
        &format!("NetworkInsightsPathId={path}"),
    );
    assert_eq!(status, 400);
    assert!(doc.contains("<Code>DependencyViolation</Code>"), "{doc}");
    env.snap_err(
        "describe_network_insights_analyses_not_found",
        "DescribeNetworkInsightsAnalyses",
        "NetworkInsightsAnalysisId.1=nia-0123456789abcdef0",
    );
}

// --- cross-cloud refusal --------------------------------------------------------------------------

#[test]
fn peering_with_a_gcp_or_azure_network_is_refused() {
    let mut env = Env::new();
    let vpc = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    for (peer, names) in [
        ("projects/p/global/networks/n", "a Google Cloud network"),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
            "an Azure network",
        ),
    ] {
        let before = env.world.clone();
        let (status, doc) = env.err(
            "CreateVpcPeeringConnection",
            &format!("VpcId={vpc}&PeerVpcId={peer}"),
        );
        assert_eq!(status, 400);
        assert_eq!(first(&doc, "Code"), "InvalidParameterValue");
        let msg = first(&doc, "Message");
        assert!(msg.contains(names), "{msg}");
        assert!(
            msg.contains("Cross-cloud links need encrypted peering through gateways"),
            "{msg}"
        );
        assert_eq!(env.world, before);
    }
}

// --- area 2: security groups, network ACLs, instances, tags -------------------------------------

/// Every area-2 change answered as before it became a command: the snapshots were written by
/// the closure handlers and are replayed against the commands.
#[test]
fn security_groups_acls_instances_and_tags() {
    let mut env = Env::new();
    let vpc = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let peer_vpc = new_vpc(&mut env, B, "us-east-1", "10.1.0.0/16");
    let pcx = request_peering(&mut env, &vpc, &format!("{peer_vpc}&PeerOwnerId={B}"));
    accept(&mut env, (B, "us-east-1"), &pcx);
    let doc = env.snap("area2_create_security_group", "CreateSecurityGroup", &format!("VpcId={vpc}&GroupName=web&GroupDescription=web%20servers&TagSpecification.1.ResourceType=security-group&TagSpecification.1.Tag.1.Key=team&TagSpecification.1.Tag.1.Value=net"));
    let web = first(&doc, "groupId");
    let doc = env.ok_as(
        B,
        "us-east-1",
        "CreateSecurityGroup",
        &format!("VpcId={peer_vpc}&GroupName=db&GroupDescription=db"),
    );
    let db = first(&doc, "groupId");
    env.snap("area2_authorize_ingress", "AuthorizeSecurityGroupIngress", &format!(
            "GroupId={web}&IpPermissions.1.IpProtocol=TCP&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22\
             &IpPermissions.1.IpRanges.1.CidrIp=10.0.0.28/29&IpPermissions.1.IpRanges.1.Description=ops\
             &IpPermissions.1.Ipv6Ranges.1.CidrIpv6=2001:db8::/64\
             &IpPermissions.2.IpProtocol=icmp&IpPermissions.2.FromPort=8&IpPermissions.2.ToPort=-1\
             &IpPermissions.2.Groups.1.GroupId={db}&IpPermissions.2.Groups.1.UserId={B}\
             &IpPermissions.3.IpProtocol=-1&IpPermissions.3.PrefixListIds.1.PrefixListId=pl-12ab\
             &TagSpecification.1.ResourceType=security-group-rule&TagSpecification.1.Tag.1.Key=k"
        ));
    env.snap(
        "area2_authorize_egress_flat",
        "AuthorizeSecurityGroupEgress",
        &format!("GroupId={web}&IpProtocol=udp&FromPort=53&ToPort=53&CidrIp=10.1.0.0/16"),
    );
    let (status, doc) = env.err("AuthorizeSecurityGroupIngress",
        &format!("GroupId={web}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.24/29"),
    );
    assert_eq!(status, 400);
    insta::assert_snapshot!("area2_error_duplicate_permission", doc);
    env.snap(
        "area2_describe_security_groups",
        "DescribeSecurityGroups",
        &format!("GroupId.1={web}"),
    );
    env.snap("area2_revoke_ingress_with_unknown", "RevokeSecurityGroupIngress", &format!(
            "GroupId={web}&IpPermissions.1.IpProtocol=6&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22\
             &IpPermissions.1.IpRanges.1.CidrIp=10.0.0.24/29&IpPermissions.1.IpRanges.2.CidrIp=10.9.0.0/16\
             &IpPermissions.1.Groups.1.GroupName=nothing"
        ));
    env.snap_err(
        "area2_error_unknown_rule",
        "RevokeSecurityGroupEgress",
        &format!("GroupId={web}&SecurityGroupRuleId.1=sgr-0123456789abcdef0"),
    );
    env.snap_err(
        "area2_error_duplicate_group",
        "CreateSecurityGroup",
        &format!("VpcId={vpc}&GroupName=web&GroupDescription=again"),
    );

    // Network ACLs.
    let doc = env.snap(
        "area2_create_network_acl",
        "CreateNetworkAcl",
        &format!("VpcId={vpc}&ClientToken=tok-1"),
    );
    let acl = first(&doc, "networkAclId");
    let entry = format!("NetworkAclId={acl}&RuleNumber=100&Egress=false&RuleAction=allow&Protocol=tcp&CidrBlock=10.1.0.0/16&PortRange.From=443&PortRange.To=443");
    env.snap(
        "area2_create_network_acl_entry",
        "CreateNetworkAclEntry",
        &entry,
    );
    env.snap_err(
        "area2_error_acl_entry_exists",
        "CreateNetworkAclEntry",
        &entry,
    );
    env.snap(
        "area2_describe_network_acls",
        "DescribeNetworkAcls",
        &format!("NetworkAclId.1={acl}"),
    );

    // Instances, interfaces and tags.
    let subnet = new_subnet(&mut env, &vpc, "10.0.1.0/24");
    let run = format!(
        "ImageId=ami-12345678&MinCount=1&MaxCount=1&InstanceType=t3.micro\
         &NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId={subnet}\
         &NetworkInterface.1.SecurityGroupId.1={web}&NetworkInterface.1.DeleteOnTermination=false\
         &TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=a\
         &TagSpecification.2.ResourceType=network-interface&TagSpecification.2.Tag.1.Key=role"
    );
    let doc = env.snap("area2_run_instances", "RunInstances", &run);
    let instance = first(&doc, "instanceId");
    let eni = first(&doc, "networkInterfaceId");
    env.snap(
        "area2_create_tags",
        "CreateTags",
        &format!("ResourceId.1={instance}&ResourceId.2={vpc}&Tag.1.Key=env&Tag.1.Value=prod"),
    );
    env.snap(
        "area2_delete_tags",
        "DeleteTags",
        &format!("ResourceId.1={vpc}&Tag.1.Key=env"),
    );
    env.snap("area2_describe_tags", "DescribeTags", "");
    env.snap_err(
        "area2_error_interface_in_use",
        "DeleteNetworkInterface",
        &format!("NetworkInterfaceId={eni}"),
    );
    env.snap_err(
        "area2_error_group_in_use",
        "DeleteSecurityGroup",
        &format!("GroupId={web}"),
    );
    env.snap(
        "area2_terminate_instances",
        "TerminateInstances",
        &format!("InstanceId.1={instance}"),
    );
    env.snap(
        "area2_delete_network_interface",
        "DeleteNetworkInterface",
        &format!("NetworkInterfaceId={eni}"),
    );
    env.snap(
        "area2_delete_security_group",
        "DeleteSecurityGroup",
        &format!("GroupId={web}"),
    );
    env.snap(
        "area2_delete_network_acl",
        "DeleteNetworkAcl",
        &format!("NetworkAclId={acl}"),
    );
}
