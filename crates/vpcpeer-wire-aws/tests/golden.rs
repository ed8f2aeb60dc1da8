//! Golden wire tests: the exact response documents of every VPC and peering action, driven
//! in-process (no server) with a fixed clock, seeded ids and a fixed request id.
//!
//! A change to any of these bytes is a change of what real clients parse; review the snapshot
//! diff (`cargo insta review`, or `INSTA_UPDATE=always cargo test -p vpcpeer-wire-aws --test golden`)
//! before accepting it.

use std::ops::{Deref, DerefMut};

use vpcpeer_model::testkit::{TestEnv, A, B};
use vpcpeer_model::{Scope, Timestamp};
use vpcpeer_wire_aws::{error_document, handler, success_envelope, Ec2Error, Params, Xml};

const REQUEST_ID: &str = "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE";
/// 2026-01-02T03:04:05.678Z
const NOW: Timestamp = Timestamp(1_767_323_045_678);

/// The shared model harness with a fixed clock and one id source shared by every call.
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
        let mut env = TestEnv::with_seed(1);
        env.now = NOW;
        Env(env)
    }

    /// Runs `action` as `account` in `region`; commits on success, rolls back on error.
    fn call(
        &mut self,
        account: &str,
        region: &str,
        action: &str,
        body: &str,
    ) -> Result<String, Ec2Error> {
        let h = handler(action).unwrap_or_else(|| panic!("no handler for {action}"));
        let mut x = Xml::new();
        let params = Params::parse(
            "",
            format!("Action={action}&Version=2016-11-15&{body}").as_bytes(),
        );
        self.transact(&Scope::new(account, region), |tx| {
            h.run(tx, &params, &mut x)
        })?;
        Ok(success_envelope(action, REQUEST_ID, &x.finish()))
    }

    /// A successful call's document (account A, us-east-1).
    fn ok(&mut self, action: &str, body: &str) -> String {
        self.ok_as(A, "us-east-1", action, body)
    }

    fn ok_as(&mut self, account: &str, region: &str, action: &str, body: &str) -> String {
        self.call(account, region, action, body)
            .unwrap_or_else(|e| panic!("{action} failed: {e:?}"))
    }

    /// A failed call's error document and HTTP status.
    fn err_as(&mut self, account: &str, region: &str, action: &str, body: &str) -> (u16, String) {
        match self.call(account, region, action, body) {
            Ok(doc) => panic!("{action} unexpectedly succeeded: {doc}"),
            Err(e) => (e.status, error_document(&e, REQUEST_ID)),
        }
    }
}

/// The text of the first `<tag>` in `doc`.
fn first(doc: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = doc
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in {doc}"))
        + open.len();
    let end = doc[start..].find('<').expect("closing tag") + start;
    doc[start..end].to_owned()
}

fn new_vpc(env: &mut Env, account: &str, region: &str, cidr: &str) -> String {
    let doc = env.ok_as(account, region, "CreateVpc", &format!("CidrBlock={cidr}"));
    first(&doc, "vpcId")
}

// --- VPC actions ----------------------------------------------------------------------------------

#[test]
fn create_vpc() {
    let mut env = Env::new();
    let doc = env.ok(
        "CreateVpc",
        "CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=true\
         &TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name\
         &TagSpecification.1.Tag.1.Value=main&TagSpecification.1.Tag.2.Key=Env\
         &TagSpecification.1.Tag.2.Value=prod",
    );
    insta::assert_snapshot!("create_vpc", doc);
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
    let doc = env.ok("DescribeVpcs", "MaxResults=5");
    insta::assert_snapshot!("describe_vpcs", doc);
    let doc = env.ok(
        "DescribeVpcs",
        "Filter.1.Name=cidr&Filter.1.Value.1=10.1.*&Filter.1.Value.2=10.2.0.0/16",
    );
    insta::assert_snapshot!("describe_vpcs_filtered", doc);
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
    let doc = env.ok("DeleteVpc", &format!("VpcId={v}"));
    insta::assert_snapshot!("delete_vpc", doc);
}

#[test]
fn associate_and_disassociate_vpc_cidr_block() {
    let mut env = Env::new();
    let v = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let v4 = env.ok(
        "AssociateVpcCidrBlock",
        &format!("VpcId={v}&CidrBlock=10.1.0.0/16"),
    );
    insta::assert_snapshot!("associate_vpc_cidr_block_ipv4", v4);
    let v6 = env.ok(
        "AssociateVpcCidrBlock",
        &format!("VpcId={v}&AmazonProvidedIpv6CidrBlock=true"),
    );
    insta::assert_snapshot!("associate_vpc_cidr_block_ipv6", v6);
    let assoc = first(&v4, "associationId");
    let doc = env.ok(
        "DisassociateVpcCidrBlock",
        &format!("AssociationId={assoc}"),
    );
    insta::assert_snapshot!("disassociate_vpc_cidr_block", doc);
}

#[test]
fn modify_and_describe_vpc_attribute() {
    let mut env = Env::new();
    let v = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let doc = env.ok(
        "ModifyVpcAttribute",
        &format!("VpcId={v}&EnableDnsHostnames.Value=true"),
    );
    insta::assert_snapshot!("modify_vpc_attribute", doc);
    let doc = env.ok(
        "DescribeVpcAttribute",
        &format!("VpcId={v}&Attribute=enableDnsHostnames"),
    );
    insta::assert_snapshot!("describe_vpc_attribute", doc);
}

// --- peering actions ------------------------------------------------------------------------------

/// A's VPC in us-east-1, B's in us-west-2, and A's request to B.
fn cross(env: &mut Env) -> (String, String, String) {
    let va = new_vpc(env, A, "us-east-1", "10.0.0.0/16");
    let vb = new_vpc(env, B, "us-west-2", "10.1.0.0/16");
    let doc = env.ok(
        "CreateVpcPeeringConnection",
        &format!("VpcId={va}&PeerVpcId={vb}&PeerOwnerId={B}&PeerRegion=us-west-2"),
    );
    (va, vb, first(&doc, "vpcPeeringConnectionId"))
}

#[test]
fn create_vpc_peering_connection() {
    let mut env = Env::new();
    let va = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let vb = new_vpc(&mut env, B, "us-west-2", "10.1.0.0/16");
    let doc = env.ok(
        "CreateVpcPeeringConnection",
        &format!(
            "VpcId={va}&PeerVpcId={vb}&PeerOwnerId={B}&PeerRegion=us-west-2\
             &TagSpecification.1.ResourceType=vpc-peering-connection\
             &TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=a-to-b"
        ),
    );
    insta::assert_snapshot!("create_vpc_peering_connection", doc);
}

#[test]
fn describe_vpc_peering_connections_both_sides() {
    let mut env = Env::new();
    let (_, _, pcx) = cross(&mut env);
    let body = format!("VpcPeeringConnectionId.1={pcx}");
    let requester = env.ok_as(A, "us-east-1", "DescribeVpcPeeringConnections", &body);
    insta::assert_snapshot!(
        "describe_vpc_peering_connections_pending_requester",
        requester
    );
    let accepter = env.ok_as(B, "us-west-2", "DescribeVpcPeeringConnections", &body);
    insta::assert_snapshot!(
        "describe_vpc_peering_connections_pending_accepter",
        accepter
    );
    // Neither side sees it from the other region.
    let (_, doc) = env.err_as(B, "us-east-1", "DescribeVpcPeeringConnections", &body);
    insta::assert_snapshot!("describe_vpc_peering_connections_wrong_region", doc);
}

#[test]
fn accept_vpc_peering_connection() {
    let mut env = Env::new();
    let (_, _, pcx) = cross(&mut env);
    let body = format!("VpcPeeringConnectionId={pcx}");
    let doc = env.ok_as(B, "us-west-2", "AcceptVpcPeeringConnection", &body);
    insta::assert_snapshot!("accept_vpc_peering_connection", doc);
    let doc = env.ok_as(
        A,
        "us-east-1",
        "DescribeVpcPeeringConnections",
        "Filter.1.Name=status-code&Filter.1.Value.1=active",
    );
    insta::assert_snapshot!("describe_vpc_peering_connections_active", doc);
}

#[test]
fn reject_vpc_peering_connection() {
    let mut env = Env::new();
    let (_, _, pcx) = cross(&mut env);
    let body = format!("VpcPeeringConnectionId={pcx}");
    let doc = env.ok_as(B, "us-west-2", "RejectVpcPeeringConnection", &body);
    insta::assert_snapshot!("reject_vpc_peering_connection", doc);
    let doc = env.ok_as(A, "us-east-1", "DescribeVpcPeeringConnections", "");
    insta::assert_snapshot!("describe_vpc_peering_connections_rejected", doc);
}

#[test]
fn delete_vpc_peering_connection() {
    let mut env = Env::new();
    let (_, _, pcx) = cross(&mut env);
    let body = format!("VpcPeeringConnectionId={pcx}");
    env.ok_as(B, "us-west-2", "AcceptVpcPeeringConnection", &body);
    let doc = env.ok_as(B, "us-west-2", "DeleteVpcPeeringConnection", &body);
    insta::assert_snapshot!("delete_vpc_peering_connection", doc);
    let doc = env.ok_as(A, "us-east-1", "DescribeVpcPeeringConnections", "");
    insta::assert_snapshot!("describe_vpc_peering_connections_deleted", doc);
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
    let doc = env.ok(
        "CreateVpcPeeringConnection",
        &format!("VpcId={v1}&PeerVpcId={v2}"),
    );
    let pcx = first(&doc, "vpcPeeringConnectionId");
    env.ok(
        "AcceptVpcPeeringConnection",
        &format!("VpcPeeringConnectionId={pcx}"),
    );
    let doc = env.ok(
        "ModifyVpcPeeringConnectionOptions",
        &format!(
            "VpcPeeringConnectionId={pcx}\
             &RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=true\
             &AccepterPeeringConnectionOptions.AllowEgressFromLocalClassicLinkToRemoteVpc=true"
        ),
    );
    insta::assert_snapshot!("modify_vpc_peering_connection_options", doc);
}

#[test]
fn failed_and_expired_connections() {
    let mut env = Env::new();
    let v1 = new_vpc(&mut env, A, "us-east-1", "10.0.0.0/16");
    let v2 = new_vpc(&mut env, A, "us-east-1", "10.0.128.0/17");
    let v3 = new_vpc(&mut env, A, "us-east-1", "10.3.0.0/16");
    env.ok(
        "CreateVpcPeeringConnection",
        &format!("VpcId={v1}&PeerVpcId={v2}"),
    );
    env.ok(
        "CreateVpcPeeringConnection",
        &format!("VpcId={v1}&PeerVpcId={v3}"),
    );
    env.now = NOW.plus_millis(7 * Timestamp::DAY + Timestamp::HOUR);
    let doc = env.ok("DescribeVpcPeeringConnections", "");
    // The failed one (2 h window) is gone; the expired one is listed.
    insta::assert_snapshot!("describe_vpc_peering_connections_expired", doc);
    env.now = NOW.plus_millis(Timestamp::HOUR);
    let doc = env.ok("DescribeVpcPeeringConnections", "");
    insta::assert_snapshot!("describe_vpc_peering_connections_failed", doc);
}

// --- errors ---------------------------------------------------------------------------------------

#[test]
fn error_documents() {
    let mut env = Env::new();
    let (status, doc) = env.err_as(
        A,
        "us-east-1",
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

    let (_, doc) = env.err_as(A, "us-east-1", "CreateVpc", "CidrBlock=10.0.0.0/8");
    insta::assert_snapshot!("error_vpc_range", doc);

    let (_, doc) = env.err_as(A, "us-east-1", "DeleteVpc", "");
    insta::assert_snapshot!("error_missing_parameter", doc);

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
    env.err_as(
        A,
        "us-east-1",
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
    let doc = env.ok(
        "CreateSubnet",
        &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24"),
    );
    let subnet = first(&doc, "subnetId");
    let doc = env.ok(
        "RunInstances",
        &format!("ImageId=ami-12345678&MinCount=2&MaxCount=2&SubnetId={subnet}"),
    );
    let ids: Vec<String> = doc
        .split("<instanceId>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_owned())
        .collect();
    let doc = env.ok(
        "CreateNetworkInsightsPath",
        &format!(
            "Source={}&Destination={}&Protocol=tcp&DestinationPort=22&ClientToken=t1",
            ids[0], ids[1]
        ),
    );
    insta::assert_snapshot!("create_network_insights_path", doc);
    let path = first(&doc, "networkInsightsPathId");
    let doc = env.ok(
        "StartNetworkInsightsAnalysis",
        &format!("NetworkInsightsPathId={path}&ClientToken=t2"),
    );
    insta::assert_snapshot!("start_network_insights_analysis", doc);
    let (status, doc) = env.err_as(
        A,
        "us-east-1",
        "DeleteNetworkInsightsPath",
        &format!("NetworkInsightsPathId={path}"),
    );
    assert_eq!(status, 400);
    assert!(doc.contains("<Code>DependencyViolation</Code>"), "{doc}");
    let (_, doc) = env.err_as(
        A,
        "us-east-1",
        "DescribeNetworkInsightsAnalyses",
        "NetworkInsightsAnalysisId.1=nia-0123456789abcdef0",
    );
    insta::assert_snapshot!("describe_network_insights_analyses_not_found", doc);
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
        let (status, doc) = env.err_as(
            A,
            "us-east-1",
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
    let doc = env.ok(
        "CreateVpcPeeringConnection",
        &format!("VpcId={vpc}&PeerVpcId={peer_vpc}&PeerOwnerId={B}"),
    );
    let pcx = first(&doc, "vpcPeeringConnectionId");
    env.ok_as(
        B,
        "us-east-1",
        "AcceptVpcPeeringConnection",
        &format!("VpcPeeringConnectionId={pcx}"),
    );
    let doc = env.ok(
        "CreateSecurityGroup",
        &format!("VpcId={vpc}&GroupName=web&GroupDescription=web%20servers&TagSpecification.1.ResourceType=security-group&TagSpecification.1.Tag.1.Key=team&TagSpecification.1.Tag.1.Value=net"),
    );
    insta::assert_snapshot!("area2_create_security_group", doc);
    let web = first(&doc, "groupId");
    let doc = env.ok_as(
        B,
        "us-east-1",
        "CreateSecurityGroup",
        &format!("VpcId={peer_vpc}&GroupName=db&GroupDescription=db"),
    );
    let db = first(&doc, "groupId");
    let doc = env.ok(
        "AuthorizeSecurityGroupIngress",
        &format!(
            "GroupId={web}&IpPermissions.1.IpProtocol=TCP&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22\
             &IpPermissions.1.IpRanges.1.CidrIp=10.0.0.28/29&IpPermissions.1.IpRanges.1.Description=ops\
             &IpPermissions.1.Ipv6Ranges.1.CidrIpv6=2001:db8::/64\
             &IpPermissions.2.IpProtocol=icmp&IpPermissions.2.FromPort=8&IpPermissions.2.ToPort=-1\
             &IpPermissions.2.Groups.1.GroupId={db}&IpPermissions.2.Groups.1.UserId={B}\
             &IpPermissions.3.IpProtocol=-1&IpPermissions.3.PrefixListIds.1.PrefixListId=pl-12ab\
             &TagSpecification.1.ResourceType=security-group-rule&TagSpecification.1.Tag.1.Key=k"
        ),
    );
    insta::assert_snapshot!("area2_authorize_ingress", doc);
    let doc = env.ok(
        "AuthorizeSecurityGroupEgress",
        &format!("GroupId={web}&IpProtocol=udp&FromPort=53&ToPort=53&CidrIp=10.1.0.0/16"),
    );
    insta::assert_snapshot!("area2_authorize_egress_flat", doc);
    let (status, doc) = env.err_as(
        A,
        "us-east-1",
        "AuthorizeSecurityGroupIngress",
        &format!("GroupId={web}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.24/29"),
    );
    assert_eq!(status, 400);
    insta::assert_snapshot!("area2_error_duplicate_permission", doc);
    let doc = env.ok("DescribeSecurityGroups", &format!("GroupId.1={web}"));
    insta::assert_snapshot!("area2_describe_security_groups", doc);
    let doc = env.ok(
        "RevokeSecurityGroupIngress",
        &format!(
            "GroupId={web}&IpPermissions.1.IpProtocol=6&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22\
             &IpPermissions.1.IpRanges.1.CidrIp=10.0.0.24/29&IpPermissions.1.IpRanges.2.CidrIp=10.9.0.0/16\
             &IpPermissions.1.Groups.1.GroupName=nothing"
        ),
    );
    insta::assert_snapshot!("area2_revoke_ingress_with_unknown", doc);
    let (_, doc) = env.err_as(
        A,
        "us-east-1",
        "RevokeSecurityGroupEgress",
        &format!("GroupId={web}&SecurityGroupRuleId.1=sgr-0123456789abcdef0"),
    );
    insta::assert_snapshot!("area2_error_unknown_rule", doc);
    let (_, doc) = env.err_as(
        A,
        "us-east-1",
        "CreateSecurityGroup",
        &format!("VpcId={vpc}&GroupName=web&GroupDescription=again"),
    );
    insta::assert_snapshot!("area2_error_duplicate_group", doc);

    // Network ACLs.
    let doc = env.ok(
        "CreateNetworkAcl",
        &format!("VpcId={vpc}&ClientToken=tok-1"),
    );
    insta::assert_snapshot!("area2_create_network_acl", doc);
    let acl = first(&doc, "networkAclId");
    let entry = format!("NetworkAclId={acl}&RuleNumber=100&Egress=false&RuleAction=allow&Protocol=tcp&CidrBlock=10.1.0.0/16&PortRange.From=443&PortRange.To=443");
    let doc = env.ok("CreateNetworkAclEntry", &entry);
    insta::assert_snapshot!("area2_create_network_acl_entry", doc);
    let (_, doc) = env.err_as(A, "us-east-1", "CreateNetworkAclEntry", &entry);
    insta::assert_snapshot!("area2_error_acl_entry_exists", doc);
    let doc = env.ok("DescribeNetworkAcls", &format!("NetworkAclId.1={acl}"));
    insta::assert_snapshot!("area2_describe_network_acls", doc);

    // Instances, interfaces and tags.
    let doc = env.ok(
        "CreateSubnet",
        &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24"),
    );
    let subnet = first(&doc, "subnetId");
    let doc = env.ok(
        "RunInstances",
        &format!(
            "ImageId=ami-12345678&MinCount=1&MaxCount=1&InstanceType=t3.micro\
             &NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId={subnet}\
             &NetworkInterface.1.SecurityGroupId.1={web}&NetworkInterface.1.DeleteOnTermination=false\
             &TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=a\
             &TagSpecification.2.ResourceType=network-interface&TagSpecification.2.Tag.1.Key=role"
        ),
    );
    insta::assert_snapshot!("area2_run_instances", doc);
    let instance = first(&doc, "instanceId");
    let eni = first(&doc, "networkInterfaceId");
    let doc = env.ok(
        "CreateTags",
        &format!("ResourceId.1={instance}&ResourceId.2={vpc}&Tag.1.Key=env&Tag.1.Value=prod"),
    );
    insta::assert_snapshot!("area2_create_tags", doc);
    let doc = env.ok("DeleteTags", &format!("ResourceId.1={vpc}&Tag.1.Key=env"));
    insta::assert_snapshot!("area2_delete_tags", doc);
    let doc = env.ok("DescribeTags", "");
    insta::assert_snapshot!("area2_describe_tags", doc);
    let (_, doc) = env.err_as(
        A,
        "us-east-1",
        "DeleteNetworkInterface",
        &format!("NetworkInterfaceId={eni}"),
    );
    insta::assert_snapshot!("area2_error_interface_in_use", doc);
    let (_, doc) = env.err_as(
        A,
        "us-east-1",
        "DeleteSecurityGroup",
        &format!("GroupId={web}"),
    );
    insta::assert_snapshot!("area2_error_group_in_use", doc);
    let doc = env.ok("TerminateInstances", &format!("InstanceId.1={instance}"));
    insta::assert_snapshot!("area2_terminate_instances", doc);
    let doc = env.ok(
        "DeleteNetworkInterface",
        &format!("NetworkInterfaceId={eni}"),
    );
    insta::assert_snapshot!("area2_delete_network_interface", doc);
    let doc = env.ok("DeleteSecurityGroup", &format!("GroupId={web}"));
    insta::assert_snapshot!("area2_delete_security_group", doc);
    let doc = env.ok("DeleteNetworkAcl", &format!("NetworkAclId={acl}"));
    insta::assert_snapshot!("area2_delete_network_acl", doc);
}
