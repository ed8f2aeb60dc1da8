//! Golden wire tests of the VPN area: virtual private and customer gateways, DHCP option sets and
//! security group rule edits, driven in-process with seeded ids and a fixed clock; plus the
//! error codes of each action, and filters and tags of the new kinds.

mod common;

use common::golden::env_with_seed;
use common::{call, call_as, first, ok, ok_field};
use vpcpeer_model::testkit::{TestEnv, B};

/// The golden clock, ids seeded with 7.
fn env() -> TestEnv {
    env_with_seed(7)
}

/// The error code of a failing call.
fn code(env: &mut TestEnv, action: &str, body: &str) -> String {
    match call(env, action, body) {
        Ok(doc) => panic!("{action} {body} succeeded: {doc}"),
        Err(e) => e.code,
    }
}

/// Each (action, body, code) row's call fails with that code.
fn assert_codes(env: &mut TestEnv, rows: Vec<(&str, String, &str)>) {
    for (action, body, want) in rows {
        assert_eq!(code(env, action, &body), want, "{action} {body}");
    }
}

/// `action` (a Describe) with the one filter `name` = `value` lists `n` items, counted by their
/// `<id_tag>`, for each (name, value, n) row.
fn assert_filter_counts(
    env: &mut TestEnv,
    action: &str,
    id_tag: &str,
    rows: &[(&str, &str, usize)],
) {
    for (f, v, n) in rows {
        let doc = ok(
            env,
            action,
            &format!("Filter.1.Name={f}&Filter.1.Value.1={v}"),
        );
        assert_eq!(
            doc.matches(&format!("<{id_tag}>")).count(),
            *n,
            "{f}={v}: {doc}"
        );
    }
}

#[test]
fn vpn_gateways_golden() {
    let mut env = env();
    let vpc = ok_field(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16", "vpcId");
    let created = ok(
        &mut env,
        "CreateVpnGateway",
        "Type=ipsec.1&AmazonSideAsn=65001&TagSpecification.1.ResourceType=vpn-gateway&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=edge",
    );
    insta::assert_snapshot!("create_vpn_gateway", created);
    let vgw = first(&created, "vpnGatewayId");
    let attached = ok(
        &mut env,
        "AttachVpnGateway",
        &format!("VpnGatewayId={vgw}&VpcId={vpc}"),
    );
    insta::assert_snapshot!("attach_vpn_gateway", attached);
    ok(&mut env, "CreateVpnGateway", "Type=ipsec.1");
    let described = ok(&mut env, "DescribeVpnGateways", "");
    insta::assert_snapshot!("describe_vpn_gateways", described);
    let filtered = ok(
        &mut env,
        "DescribeVpnGateways",
        &format!("Filter.1.Name=attachment.vpc-id&Filter.1.Value.1={vpc}&Filter.2.Name=tag:Name&Filter.2.Value.1=edge"),
    );
    assert_eq!(filtered.matches("<vpnGatewayId>").count(), 1, "{filtered}");
    assert!(filtered.contains(&vgw));
    assert_filter_counts(
        &mut env,
        "DescribeVpnGateways",
        "vpnGatewayId",
        &[
            ("amazon-side-asn", "64512", 1),
            ("amazon-side-asn", "65001", 1),
            ("attachment.state", "attached", 1),
            ("state", "available", 2),
            ("type", "ipsec.1", 2),
            ("vpn-gateway-id", vgw.as_str(), 1),
        ],
    );
    assert_eq!(
        code(
            &mut env,
            "DescribeVpnGateways",
            "Filter.1.Name=bogus&Filter.1.Value.1=x"
        ),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            &mut env,
            "DescribeVpnGateways",
            "VpnGatewayId.1=vgw-0123456789abcdef0"
        ),
        "InvalidVpnGatewayID.NotFound"
    );
}

#[test]
fn vpn_gateway_errors() {
    let mut env = env();
    let vpc = ok_field(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16", "vpcId");
    let vpc2 = ok_field(&mut env, "CreateVpc", "CidrBlock=10.1.0.0/16", "vpcId");
    let g1 = ok_field(&mut env, "CreateVpnGateway", "Type=ipsec.1", "vpnGatewayId");
    let g2 = ok_field(&mut env, "CreateVpnGateway", "Type=ipsec.1", "vpnGatewayId");
    ok(
        &mut env,
        "AttachVpnGateway",
        &format!("VpnGatewayId={g1}&VpcId={vpc}"),
    );
    let rows: Vec<(&str, String, &str)> = vec![
        ("CreateVpnGateway", "".into(), "MissingParameter"),
        (
            "CreateVpnGateway",
            "Type=ipsec.2".into(),
            "InvalidParameterValue",
        ),
        (
            "CreateVpnGateway",
            "Type=ipsec.1&AmazonSideAsn=100".into(),
            "InvalidParameterValue",
        ),
        (
            "CreateVpnGateway",
            "Type=ipsec.1&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=k"
                .into(),
            "InvalidParameterValue",
        ),
        (
            "AttachVpnGateway",
            format!("VpnGatewayId={g2}&VpcId={vpc}"),
            "VpnGatewayAttachmentLimitExceeded",
        ),
        (
            "AttachVpnGateway",
            format!("VpnGatewayId={g1}&VpcId={vpc2}"),
            "IncorrectState",
        ),
        (
            "AttachVpnGateway",
            format!("VpnGatewayId={g2}"),
            "MissingParameter",
        ),
        (
            "AttachVpnGateway",
            format!("VpnGatewayId=vgw-0123456789abcdef0&VpcId={vpc2}"),
            "InvalidVpnGatewayID.NotFound",
        ),
        (
            "AttachVpnGateway",
            format!("VpnGatewayId={g2}&VpcId=vpc-0123456789abcdef0"),
            "InvalidVpcID.NotFound",
        ),
        (
            "DetachVpnGateway",
            format!("VpnGatewayId={g2}&VpcId={vpc}"),
            "InvalidVpnGatewayAttachment.NotFound",
        ),
        (
            "DeleteVpnGateway",
            format!("VpnGatewayId={g1}"),
            "IncorrectState",
        ),
        (
            "DeleteVpnGateway",
            "VpnGatewayId=vgw-0123456789abcdef0".into(),
            "InvalidVpnGatewayID.NotFound",
        ),
        ("DeleteVpc", format!("VpcId={vpc}"), "DependencyViolation"),
        (
            "EnableVgwRoutePropagation",
            format!("GatewayId={g2}&RouteTableId=rtb-0123456789abcdef0"),
            "InvalidRouteTableID.NotFound",
        ),
    ];
    assert_codes(&mut env, rows);
    // Another account sees none of them.
    let e = call_as(
        &mut env,
        B,
        "DeleteVpnGateway",
        &format!("VpnGatewayId={g2}"),
    )
    .expect_err("not visible");
    assert_eq!(e.code, "InvalidVpnGatewayID.NotFound");
    ok(
        &mut env,
        "DetachVpnGateway",
        &format!("VpnGatewayId={g1}&VpcId={vpc}"),
    );
    let doc = ok(
        &mut env,
        "DescribeVpnGateways",
        &format!("VpnGatewayId.1={g1}"),
    );
    assert!(
        doc.contains("<attachments><item><vpcId>") && doc.contains("<state>detached</state>"),
        "{doc}"
    );
    ok(&mut env, "DeleteVpnGateway", &format!("VpnGatewayId={g1}"));
}

#[test]
fn routes_and_propagation_on_the_wire() {
    let mut env = env();
    let vpc = ok_field(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16", "vpcId");
    let rtb = ok_field(
        &mut env,
        "CreateRouteTable",
        &format!("VpcId={vpc}"),
        "routeTableId",
    );
    let table =
        |env: &mut TestEnv| ok(env, "DescribeRouteTables", &format!("RouteTableId.1={rtb}"));
    let g = ok_field(&mut env, "CreateVpnGateway", "Type=ipsec.1", "vpnGatewayId");
    let route = format!("RouteTableId={rtb}&DestinationCidrBlock=192.168.0.0/16&GatewayId={g}");
    assert_eq!(
        code(&mut env, "CreateRoute", &route),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            &mut env,
            "EnableVgwRoutePropagation",
            &format!("GatewayId={g}&RouteTableId={rtb}")
        ),
        "Gateway.NotAttached"
    );
    ok(
        &mut env,
        "AttachVpnGateway",
        &format!("VpnGatewayId={g}&VpcId={vpc}"),
    );
    ok(&mut env, "CreateRoute", &route);
    ok(
        &mut env,
        "EnableVgwRoutePropagation",
        &format!("GatewayId={g}&RouteTableId={rtb}"),
    );
    let doc = table(&mut env);
    assert!(
        doc.contains(&format!(
            "<propagatingVgwSet><item><gatewayId>{g}</gatewayId></item></propagatingVgwSet>"
        )),
        "{doc}"
    );
    assert!(doc.contains(&format!("<gatewayId>{g}</gatewayId>")));
    assert!(doc.contains("<state>active</state>"), "{doc}");
    ok(
        &mut env,
        "DisableVgwRoutePropagation",
        &format!("GatewayId={g}&RouteTableId={rtb}"),
    );
    let doc = table(&mut env);
    assert!(
        doc.contains("<propagatingVgwSet></propagatingVgwSet>")
            || doc.contains("<propagatingVgwSet/>"),
        "{doc}"
    );
    ok(
        &mut env,
        "DetachVpnGateway",
        &format!("VpnGatewayId={g}&VpcId={vpc}"),
    );
    let doc = table(&mut env);
    assert!(doc.contains("<state>blackhole</state>"), "{doc}");
}

#[test]
fn customer_gateways_golden() {
    let mut env = env();
    let created = ok(
        &mut env,
        "CreateCustomerGateway",
        "Type=ipsec.1&BgpAsn=65010&IpAddress=203.0.113.12&DeviceName=edge-router&TagSpecification.1.ResourceType=customer-gateway&TagSpecification.1.Tag.1.Key=site&TagSpecification.1.Tag.1.Value=hq",
    );
    insta::assert_snapshot!("create_customer_gateway", created);
    let cgw = first(&created, "customerGatewayId");
    ok(
        &mut env,
        "CreateCustomerGateway",
        "Type=ipsec.1&PublicIp=198.51.100.7&BgpAsnExtended=4200000001",
    );
    let doc = ok(&mut env, "DescribeCustomerGateways", "");
    insta::assert_snapshot!("describe_customer_gateways", doc);
    assert_filter_counts(
        &mut env,
        "DescribeCustomerGateways",
        "customerGatewayId",
        &[
            ("bgp-asn", "65010", 1),
            ("ip-address", "198.51.100.7", 1),
            ("customer-gateway-id", cgw.as_str(), 1),
            ("state", "available", 2),
            ("tag:site", "hq", 1),
        ],
    );
    let rows: Vec<(&str, &str)> = vec![
        ("Type=ipsec.1&BgpAsn=65000", "MissingParameter"),
        ("BgpAsn=65000&IpAddress=203.0.113.1", "MissingParameter"),
        (
            "Type=ipsec.1&BgpAsn=0&IpAddress=203.0.113.1",
            "InvalidParameterValue",
        ),
        (
            "Type=ipsec.1&BgpAsn=65000&IpAddress=not-an-ip",
            "InvalidParameterValue",
        ),
        (
            "Type=ipsec.1&BgpAsn=65000&BgpAsnExtended=4200000001&IpAddress=203.0.113.1",
            "InvalidParameterCombination",
        ),
    ];
    for (body, want) in rows {
        assert_eq!(
            code(&mut env, "CreateCustomerGateway", body),
            want,
            "{body}"
        );
    }
    assert_eq!(
        code(
            &mut env,
            "DeleteCustomerGateway",
            "CustomerGatewayId=cgw-0123456789abcdef0"
        ),
        "InvalidCustomerGatewayID.NotFound"
    );
    ok(
        &mut env,
        "DeleteCustomerGateway",
        &format!("CustomerGatewayId={cgw}"),
    );
    assert_eq!(
        code(
            &mut env,
            "DescribeCustomerGateways",
            &format!("CustomerGatewayId.1={cgw}")
        ),
        "InvalidCustomerGatewayID.NotFound"
    );
}

#[test]
fn dhcp_options_golden() {
    let mut env = env();
    let vpc = ok_field(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16", "vpcId");
    let options_of_vpc = |env: &mut TestEnv| {
        first(
            &ok(env, "DescribeVpcs", &format!("VpcId.1={vpc}")),
            "dhcpOptionsId",
        )
    };
    let default = options_of_vpc(&mut env);
    assert!(default.starts_with("dopt-"), "{default}");
    let created = ok(
        &mut env,
        "CreateDhcpOptions",
        "DhcpConfiguration.1.Key=domain-name&DhcpConfiguration.1.Value.1=corp.example.com&DhcpConfiguration.2.Key=domain-name-servers&DhcpConfiguration.2.Value.1=10.0.0.2&DhcpConfiguration.2.Value.2=10.0.0.3&TagSpecification.1.ResourceType=dhcp-options&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=corp",
    );
    insta::assert_snapshot!("create_dhcp_options", created);
    let dopt = first(&created, "dhcpOptionsId");
    let doc = ok(&mut env, "DescribeDhcpOptions", "");
    insta::assert_snapshot!("describe_dhcp_options", doc);
    assert_filter_counts(
        &mut env,
        "DescribeDhcpOptions",
        "dhcpOptionsId",
        &[
            ("dhcp-options-id", dopt.as_str(), 1),
            ("key", "domain-name-servers", 2),
            ("value", "AmazonProvidedDNS", 1),
            ("value", "10.0.0.*", 1),
            ("owner-id", vpcpeer_model::testkit::A, 2),
            ("tag:Name", "corp", 1),
        ],
    );
    ok(
        &mut env,
        "AssociateDhcpOptions",
        &format!("DhcpOptionsId={dopt}&VpcId={vpc}"),
    );
    assert_eq!(options_of_vpc(&mut env), dopt);
    let rows: Vec<(&str, String, &str)> = vec![
        ("CreateDhcpOptions", "".into(), "MissingParameter"),
        (
            "CreateDhcpOptions",
            "DhcpConfiguration.1.Value.1=x".into(),
            "MissingParameter",
        ),
        (
            "CreateDhcpOptions",
            "DhcpConfiguration.1.Key=bogus&DhcpConfiguration.1.Value.1=x".into(),
            "InvalidParameterValue",
        ),
        (
            "CreateDhcpOptions",
            "DhcpConfiguration.1.Key=netbios-node-type&DhcpConfiguration.1.Value.1=5".into(),
            "InvalidParameterValue",
        ),
        (
            "DeleteDhcpOptions",
            format!("DhcpOptionsId={dopt}"),
            "DependencyViolation",
        ),
        (
            "DeleteDhcpOptions",
            "DhcpOptionsId=dopt-0123456789abcdef0".into(),
            "InvalidDhcpOptionID.NotFound",
        ),
        (
            "AssociateDhcpOptions",
            format!("DhcpOptionsId=dopt-0123456789abcdef0&VpcId={vpc}"),
            "InvalidDhcpOptionID.NotFound",
        ),
        (
            "AssociateDhcpOptions",
            format!("DhcpOptionsId={dopt}&VpcId=vpc-0123456789abcdef0"),
            "InvalidVpcID.NotFound",
        ),
        (
            "AssociateDhcpOptions",
            format!("DhcpOptionsId={dopt}"),
            "MissingParameter",
        ),
    ];
    assert_codes(&mut env, rows);
    ok(
        &mut env,
        "AssociateDhcpOptions",
        &format!("DhcpOptionsId=default&VpcId={vpc}"),
    );
    assert_eq!(options_of_vpc(&mut env), "default");
    ok(
        &mut env,
        "DeleteDhcpOptions",
        &format!("DhcpOptionsId={dopt}"),
    );
    // Tags through CreateTags and DescribeTags.
    ok(
        &mut env,
        "CreateTags",
        &format!("ResourceId.1={default}&Tag.1.Key=k&Tag.1.Value=v"),
    );
    let tags = ok(
        &mut env,
        "DescribeTags",
        "Filter.1.Name=resource-type&Filter.1.Value.1=dhcp-options",
    );
    assert!(
        tags.contains(&default) && tags.contains("<resourceType>dhcp-options</resourceType>"),
        "{tags}"
    );
}

#[test]
fn security_group_rule_edits_golden() {
    let mut env = env();
    let vpc = ok_field(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16", "vpcId");
    let sg = ok_field(
        &mut env,
        "CreateSecurityGroup",
        &format!("GroupName=web&GroupDescription=web&VpcId={vpc}"),
        "groupId",
    );
    let auth = ok(
        &mut env,
        "AuthorizeSecurityGroupIngress",
        &format!("GroupId={sg}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions.2.IpProtocol=tcp&IpPermissions.2.FromPort=80&IpPermissions.2.ToPort=80&IpPermissions.2.IpRanges.1.CidrIp=10.0.0.0/8&TagSpecification.1.ResourceType=security-group-rule&TagSpecification.1.Tag.1.Key=team&TagSpecification.1.Tag.1.Value=net"),
    );
    let r22 = first(&auth, "securityGroupRuleId");
    let modified = ok(
        &mut env,
        "ModifySecurityGroupRules",
        &format!("GroupId={sg}&SecurityGroupRule.1.SecurityGroupRuleId={r22}&SecurityGroupRule.1.SecurityGroupRule.IpProtocol=tcp&SecurityGroupRule.1.SecurityGroupRule.FromPort=2222&SecurityGroupRule.1.SecurityGroupRule.ToPort=2222&SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=192.168.0.0/16&SecurityGroupRule.1.SecurityGroupRule.Description=ssh"),
    );
    insta::assert_snapshot!("modify_security_group_rules", modified);
    let rules = ok(
        &mut env,
        "DescribeSecurityGroupRules",
        &format!("SecurityGroupRuleId.1={r22}"),
    );
    insta::assert_snapshot!("describe_modified_rule", rules);
    assert!(
        rules.contains("<fromPort>2222</fromPort>")
            && rules.contains("<cidrIpv4>192.168.0.0/16</cidrIpv4>")
    );
    assert!(
        rules.contains("<tagSet><item><key>team</key><value>net</value></item></tagSet>"),
        "{rules}"
    );
    let tagged = ok(
        &mut env,
        "DescribeSecurityGroupRules",
        "Filter.1.Name=tag:team&Filter.1.Value.1=net",
    );
    assert_eq!(
        tagged.matches("<securityGroupRuleId>").count(),
        2,
        "{tagged}"
    );
    ok(
        &mut env,
        "DeleteTags",
        &format!("ResourceId.1={r22}&Tag.1.Key=team"),
    );
    let tagged = ok(
        &mut env,
        "DescribeSecurityGroupRules",
        "Filter.1.Name=tag-key&Filter.1.Value.1=team",
    );
    assert_eq!(
        tagged.matches("<securityGroupRuleId>").count(),
        1,
        "{tagged}"
    );
    ok(
        &mut env,
        "CreateTags",
        &format!("ResourceId.1={r22}&Tag.1.Key=Name&Tag.1.Value=ssh"),
    );
    let tags = ok(
        &mut env,
        "DescribeTags",
        &format!("Filter.1.Name=resource-id&Filter.1.Value.1={r22}"),
    );
    assert!(
        tags.contains("<resourceType>security-group-rule</resourceType>"),
        "{tags}"
    );

    // Descriptions: by permission and by rule id.
    ok(
        &mut env,
        "UpdateSecurityGroupRuleDescriptionsIngress",
        &format!("GroupId={sg}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=80&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions.1.IpRanges.1.Description=web"),
    );
    ok(
        &mut env,
        "UpdateSecurityGroupRuleDescriptionsIngress",
        &format!("GroupName=web&SecurityGroupRuleDescription.1.SecurityGroupRuleId={r22}&SecurityGroupRuleDescription.1.Description=admin"),
    );
    let rules = ok(
        &mut env,
        "DescribeSecurityGroupRules",
        &format!("Filter.1.Name=group-id&Filter.1.Value.1={sg}"),
    );
    assert!(
        rules.contains("<description>web</description>")
            && rules.contains("<description>admin</description>"),
        "{rules}"
    );

    let base = format!("GroupId={sg}&SecurityGroupRule.1.SecurityGroupRuleId={r22}&SecurityGroupRule.1.SecurityGroupRule.IpProtocol=tcp&SecurityGroupRule.1.SecurityGroupRule.FromPort=80&SecurityGroupRule.1.SecurityGroupRule.ToPort=80");
    let rows: Vec<(&str, String, &str)> = vec![
        ("ModifySecurityGroupRules", format!("{base}&SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=10.0.0.0/8"), "InvalidPermission.Duplicate"),
        ("ModifySecurityGroupRules", base.clone(), "MissingParameter"),
        ("ModifySecurityGroupRules", format!("{base}&SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=10.0.0.0/8&SecurityGroupRule.1.SecurityGroupRule.CidrIpv6=::/0"), "InvalidParameterCombination"),
        ("ModifySecurityGroupRules", format!("{base}&SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=bogus"), "InvalidParameterValue"),
        ("ModifySecurityGroupRules", format!("GroupId={sg}&SecurityGroupRule.1.SecurityGroupRuleId=sgr-0123456789abcdef0&SecurityGroupRule.1.SecurityGroupRule.IpProtocol=tcp&SecurityGroupRule.1.SecurityGroupRule.FromPort=1&SecurityGroupRule.1.SecurityGroupRule.ToPort=1&SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=1.0.0.0/8"), "InvalidSecurityGroupRuleId.NotFound"),
        ("ModifySecurityGroupRules", format!("GroupId={sg}"), "MissingParameter"),
        ("ModifySecurityGroupRules", format!("GroupId=sg-0123456789abcdef0&SecurityGroupRule.1.SecurityGroupRuleId={r22}&SecurityGroupRule.1.SecurityGroupRule.IpProtocol=tcp&SecurityGroupRule.1.SecurityGroupRule.FromPort=1&SecurityGroupRule.1.SecurityGroupRule.ToPort=1&SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=1.0.0.0/8"), "InvalidGroup.NotFound"),
        ("UpdateSecurityGroupRuleDescriptionsIngress", format!("GroupId={sg}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=9&IpPermissions.1.ToPort=9&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"), "InvalidPermission.NotFound"),
        ("UpdateSecurityGroupRuleDescriptionsEgress", format!("GroupId={sg}&SecurityGroupRuleDescription.1.SecurityGroupRuleId={r22}&SecurityGroupRuleDescription.1.Description=x"), "InvalidSecurityGroupRuleId.NotFound"),
        ("UpdateSecurityGroupRuleDescriptionsIngress", format!("GroupId={sg}"), "MissingParameter"),
    ];
    assert_codes(&mut env, rows);
}
