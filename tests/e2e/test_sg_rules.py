"""End-to-end tests of security group rule edits with boto3 and the aws CLI:
ModifySecurityGroupRules, UpdateSecurityGroupRuleDescriptionsIngress/Egress, and tags on
security group rules (TagSpecification on authorize, CreateTags/DeleteTags/DescribeTags,
DescribeSecurityGroupRules' tags and tag filters)."""

from conftest import fails, vpc_with_instance


def rule(ec2, rid):
    return ec2.describe_security_group_rules(SecurityGroupRuleIds=[rid])["SecurityGroupRules"][0]


def setup(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    out = ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        ],
        TagSpecifications=[{"ResourceType": "security-group-rule",
                            "Tags": [{"Key": "team", "Value": "net"}]}],
    )
    rules = out["SecurityGroupRules"]
    assert all(r["Tags"] == [{"Key": "team", "Value": "net"}] for r in rules)
    return vpc, sg, rules[0]["SecurityGroupRuleId"], rules[1]["SecurityGroupRuleId"]


def test_modify_and_describe_boto3(server):
    ec2 = server.ec2()
    vpc, sg, r22, r80 = setup(ec2)
    assert ec2.modify_security_group_rules(GroupId=sg, SecurityGroupRules=[{
        "SecurityGroupRuleId": r22,
        "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 2222, "ToPort": 2222,
                              "CidrIpv4": "192.168.0.0/16", "Description": "ssh"},
    }])["Return"] is True
    r = rule(ec2, r22)
    assert (r["FromPort"], r["ToPort"], r["CidrIpv4"], r["Description"]) == (
        2222, 2222, "192.168.0.0/16", "ssh")
    assert r["Tags"] == [{"Key": "team", "Value": "net"}], "the rule keeps its id and tags"
    # DescribeSecurityGroups sees the change too.
    perms = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"]
    assert sorted(p["FromPort"] for p in perms) == [80, 2222]

    fails("InvalidPermission.Duplicate", ec2.modify_security_group_rules, GroupId=sg,
          SecurityGroupRules=[{"SecurityGroupRuleId": r22, "SecurityGroupRule": {
              "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIpv4": "10.0.0.0/8"}}])
    fails("InvalidSecurityGroupRuleId.NotFound", ec2.modify_security_group_rules, GroupId=sg,
          SecurityGroupRules=[{"SecurityGroupRuleId": "sgr-0123456789abcdef0", "SecurityGroupRule": {
              "IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "CidrIpv4": "10.0.0.0/8"}}])
    fails("InvalidGroup.NotFound", ec2.modify_security_group_rules, GroupId="sg-0123456789abcdef0",
          SecurityGroupRules=[{"SecurityGroupRuleId": r22, "SecurityGroupRule": {
              "IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "CidrIpv4": "10.0.0.0/8"}}])

    # Descriptions, by permission and by rule id.
    ec2.update_security_group_rule_descriptions_ingress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
        "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "web"}]}])
    assert rule(ec2, r80)["Description"] == "web"
    ec2.update_security_group_rule_descriptions_ingress(
        GroupId=sg,
        SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": r22, "Description": "admin"}])
    assert rule(ec2, r22)["Description"] == "admin"
    fails("InvalidPermission.NotFound", ec2.update_security_group_rule_descriptions_ingress,
          GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 9, "ToPort": 9,
                                      "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "x"}]}])
    egress = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [sg]}])[
        "SecurityGroupRules"]
    eg = [x for x in egress if x["IsEgress"]][0]["SecurityGroupRuleId"]
    ec2.update_security_group_rule_descriptions_egress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "all out"}]}])
    assert rule(ec2, eg)["Description"] == "all out"
    fails("InvalidSecurityGroupRuleId.NotFound", ec2.update_security_group_rule_descriptions_egress,
          GroupId=sg, SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": r22, "Description": "x"}])


def test_rule_tags_boto3(server):
    ec2 = server.ec2()
    vpc, sg, r22, r80 = setup(ec2)
    got = ec2.describe_security_group_rules(
        Filters=[{"Name": "tag:team", "Values": ["net"]}])["SecurityGroupRules"]
    assert sorted(x["SecurityGroupRuleId"] for x in got) == sorted([r22, r80])
    ec2.delete_tags(Resources=[r22], Tags=[{"Key": "team"}])
    ec2.create_tags(Resources=[r22], Tags=[{"Key": "Name", "Value": "ssh"}])
    assert rule(ec2, r22)["Tags"] == [{"Key": "Name", "Value": "ssh"}]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["security-group-rule"]}])[
        "Tags"]
    assert sorted((t["ResourceId"], t["Key"]) for t in tags) == sorted([(r22, "Name"), (r80, "team")])
    got = ec2.describe_security_group_rules(
        Filters=[{"Name": "tag-key", "Values": ["team"]}])["SecurityGroupRules"]
    assert [x["SecurityGroupRuleId"] for x in got] == [r80]
    fails("InvalidSecurityGroupRuleId.NotFound", ec2.create_tags,
          Resources=["sgr-0123456789abcdef0"], Tags=[{"Key": "k", "Value": "v"}])


def test_rule_edits_cli(server):
    ec2 = server.ec2()
    vpc, sg, r22, r80 = setup(ec2)
    server.cli("ec2", "modify-security-group-rules", "--group-id", sg, "--security-group-rules",
               f"SecurityGroupRuleId={r80},SecurityGroupRule={{IpProtocol=tcp,FromPort=8080,"
               f"ToPort=8080,CidrIpv4=10.0.0.0/16,Description=alt}}")
    got = server.cli("ec2", "describe-security-group-rules", "--security-group-rule-ids", r80)[
        "SecurityGroupRules"][0]
    assert (got["FromPort"], got["CidrIpv4"], got["Description"]) == (8080, "10.0.0.0/16", "alt")
    server.cli("ec2", "update-security-group-rule-descriptions-ingress", "--group-id", sg,
               "--security-group-rule-descriptions",
               f"SecurityGroupRuleId={r22},Description=bastion")
    got = server.cli("ec2", "describe-security-group-rules", "--filters",
                     "Name=tag:team,Values=net")["SecurityGroupRules"]
    assert {g["SecurityGroupRuleId"]: g.get("Description") for g in got} == {
        r22: "bastion", r80: "alt"}
    p = server.cli("ec2", "modify-security-group-rules", "--group-id", sg, "--security-group-rules",
                   f"SecurityGroupRuleId={r22},SecurityGroupRule={{IpProtocol=tcp,FromPort=8080,"
                   f"ToPort=8080,CidrIpv4=10.0.0.0/16}}", check=False)
    assert p.returncode != 0 and "InvalidPermission.Duplicate" in p.stderr


def test_reach_sees_a_modified_rule(server):
    """The reach engine answers from the modified rule (the kept snapshot follows the change)."""
    a = server.ec2()
    va, rtb, ia = vpc_with_instance(a, "10.0.0.0/16", "10.0.1.0/24")
    sub = ia["SubnetId"]
    sg = a.create_security_group(GroupName="db", Description="db", VpcId=va)["GroupId"]
    rid = a.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
        "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    db = a.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1, SubnetId=sub,
                         SecurityGroupIds=[sg])["Instances"][0]
    pid = a.create_network_insights_path(Source=ia["InstanceId"], Destination=db["InstanceId"],
                                         Protocol="tcp", DestinationPort=5432)[
        "NetworkInsightsPath"]["NetworkInsightsPathId"]

    def found():
        return a.start_network_insights_analysis(NetworkInsightsPathId=pid)[
            "NetworkInsightsAnalysis"]["NetworkPathFound"]

    assert found() is True
    a.modify_security_group_rules(GroupId=sg, SecurityGroupRules=[{
        "SecurityGroupRuleId": rid,
        "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 5433, "ToPort": 5433,
                              "CidrIpv4": "10.0.0.0/16"}}])
    assert found() is False
    a.modify_security_group_rules(GroupId=sg, SecurityGroupRules=[{
        "SecurityGroupRuleId": rid,
        "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                              "CidrIpv4": "10.0.0.0/16"}}])
    assert found() is True
