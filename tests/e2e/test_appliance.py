"""Instances as routers, with boto3 and the aws CLI: a NAT-instance layout (private subnet →
route to the instance → appliance in the public subnet → internet gateway), its
source/destination check turned off and on (ModifyNetworkInterfaceAttribute,
ModifyInstanceAttribute, ResetNetworkInterfaceAttribute, and their Describe*Attribute), a
Network Insights analysis and `vpcpeer reach` for each, StopInstances making the instance route
a blackhole (DescribeRouteTables and the analysis), StartInstances reviving it,
DescribeInstanceStatus, and the main refusals with their exact codes."""


from conftest import ACCOUNT_A, ACCOUNT_B, AMI, fails, reach_json, two_tier_vpc


def nat_layout(ec2):
    """VPC 10.0/16: public 10.0.1.0/24 (main table: 0/0 → igw) with the appliance, private
    10.0.2.0/24 (own table: 0/0 → the appliance's instance id) with `app`. The appliance's group
    admits tcp/443 from the VPC. Returns a dict of ids."""
    ids = two_tier_vpc(ec2, 0, "nat", "nat", "10.0.0.0/16")
    nat = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=ids["public"],
                            SecurityGroupIds=[ids["sg"]])["Instances"][0]
    app = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=ids["private"])[
        "Instances"][0]
    ec2.create_route(RouteTableId=ids["rtb"], DestinationCidrBlock="0.0.0.0/0",
                     InstanceId=nat["InstanceId"])
    return dict(ids, nat=nat["InstanceId"], eni=nat["NetworkInterfaces"][0]["NetworkInterfaceId"],
                app=app["InstanceId"])

def analyse(ec2, src):
    """A Network Insights analysis of `src` → 1.1.1.1 tcp/443: the analysis."""
    pid = ec2.create_network_insights_path(
        Source=src, DestinationIp="1.1.1.1", Protocol="tcp", DestinationPort=443,
    )["NetworkInsightsPath"]["NetworkInsightsPathId"]
    aid = ec2.start_network_insights_analysis(NetworkInsightsPathId=pid)[
        "NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
    return ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[aid])[
        "NetworkInsightsAnalyses"][0]


def codes(analysis):
    return [(e["ExplanationCode"], e["Component"]["Id"])
            for e in analysis.get("Explanations", [])]


def route_to_nat(ec2, rtb):
    routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
    return next(r for r in routes if r["DestinationCidrBlock"] == "0.0.0.0/0")


def test_nat_instance_check_off_on_and_stopped(server):
    ec2 = server.ec2()
    t = nat_layout(ec2)

    # The instance route shows the instance, its owner and its primary interface.
    r = route_to_nat(ec2, t["rtb"])
    assert (r["InstanceId"], r["InstanceOwnerId"], r["NetworkInterfaceId"], r["State"]) == (
        t["nat"], ACCOUNT_A, t["eni"], "active")

    # Source/dest check on (the default): the appliance drops what it would forward.
    an = analyse(ec2, t["app"])
    assert an["NetworkPathFound"] is False
    assert codes(an) == [("ENI_SOURCE_DEST_CHECK_RESTRICTION", t["eni"])]
    v = reach_json(server, t["app"], "1.1.1.1")
    assert v["reachable"] is False
    assert [b["code"] for b in v["blockers"]] == ["ENI_SOURCE_DEST_CHECK_RESTRICTION"]

    # Off, on the interface: reachable, the path through the appliance and the gateway.
    ec2.modify_network_interface_attribute(NetworkInterfaceId=t["eni"],
                                           SourceDestCheck={"Value": False})
    assert ec2.describe_network_interface_attribute(
        NetworkInterfaceId=t["eni"], Attribute="sourceDestCheck")["SourceDestCheck"] == {
        "Value": False}
    assert ec2.describe_instance_attribute(InstanceId=t["nat"], Attribute="sourceDestCheck")[
        "SourceDestCheck"] == {"Value": False}
    assert ec2.describe_instances(InstanceIds=[t["nat"]])["Reservations"][0]["Instances"][0][
        "SourceDestCheck"] is False
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[t["eni"]])[
        "NetworkInterfaces"][0]["SourceDestCheck"] is False
    an = analyse(ec2, t["app"])
    assert an["NetworkPathFound"] is True, codes(an)
    hops = [h["Component"]["Id"] for h in an["ForwardPathComponents"]]
    assert t["eni"] in hops and t["nat"] in hops, hops
    assert reach_json(server, t["app"], "1.1.1.1")["reachable"] is True

    # Reset turns it back on; ModifyInstanceAttribute turns it off again.
    ec2.reset_network_interface_attribute(NetworkInterfaceId=t["eni"],
                                          SourceDestCheck="sourceDestCheck")
    assert ec2.describe_network_interface_attribute(
        NetworkInterfaceId=t["eni"], Attribute="sourceDestCheck")["SourceDestCheck"]["Value"]
    ec2.modify_instance_attribute(InstanceId=t["nat"], SourceDestCheck={"Value": False})
    assert reach_json(server, t["app"], "1.1.1.1")["reachable"] is True

    # Stopped: the route is a blackhole, in DescribeRouteTables and in the analysis.
    got = ec2.stop_instances(InstanceIds=[t["nat"]])["StoppingInstances"][0]
    assert (got["PreviousState"]["Name"], got["CurrentState"]["Name"]) == ("running", "stopping")
    assert route_to_nat(ec2, t["rtb"])["State"] == "blackhole"
    found = ec2.describe_route_tables(Filters=[{"Name": "route.state", "Values": ["blackhole"]}])
    assert [x["RouteTableId"] for x in found["RouteTables"]] == [t["rtb"]]
    an = analyse(ec2, t["app"])
    assert an["NetworkPathFound"] is False
    assert codes(an) == [("BAD_STATE_ROUTE", t["rtb"])]
    blockers = reach_json(server, t["app"], "1.1.1.1")["blockers"]
    assert [b["code"] for b in blockers] == ["BAD_STATE_ROUTE"]

    # Started again: active, reachable.
    got = ec2.start_instances(InstanceIds=[t["nat"]])["StartingInstances"][0]
    assert (got["PreviousState"]["Name"], got["CurrentState"]["Name"]) == ("stopped", "pending")
    assert route_to_nat(ec2, t["rtb"])["State"] == "active"
    assert analyse(ec2, t["app"])["NetworkPathFound"] is True


def test_appliance_with_the_aws_cli(server):
    ec2 = server.ec2()
    t = nat_layout(ec2)
    server.cli("ec2", "modify-network-interface-attribute", "--network-interface-id", t["eni"],
               "--no-source-dest-check")
    got = server.cli("ec2", "describe-network-interface-attribute", "--network-interface-id",
                     t["eni"], "--attribute", "sourceDestCheck")
    assert got["SourceDestCheck"] == {"Value": False}
    server.cli("ec2", "modify-instance-attribute", "--instance-id", t["nat"],
               "--source-dest-check", "{\"Value\": true}")
    got = server.cli("ec2", "describe-instance-attribute", "--instance-id", t["nat"],
                     "--attribute", "sourceDestCheck")
    assert got["SourceDestCheck"] == {"Value": True}
    server.cli("ec2", "modify-instance-attribute", "--instance-id", t["nat"],
               "--no-source-dest-check")
    assert reach_json(server, t["app"], "1.1.1.1")["reachable"] is True

    got = server.cli("ec2", "stop-instances", "--instance-ids", t["nat"])
    assert got["StoppingInstances"][0]["CurrentState"]["Name"] == "stopping"
    rt = server.cli("ec2", "describe-route-tables", "--route-table-ids", t["rtb"])
    r = next(x for x in rt["RouteTables"][0]["Routes"] if x["DestinationCidrBlock"] == "0.0.0.0/0")
    assert (r["InstanceId"], r["State"]) == (t["nat"], "blackhole")
    st = server.cli("ec2", "describe-instance-status", "--include-all-instances",
                    "--instance-ids", t["nat"])
    s = st["InstanceStatuses"][0]
    assert (s["InstanceState"]["Name"], s["InstanceStatus"]["Status"]) == (
        "stopped", "not-applicable")
    got = server.cli("ec2", "start-instances", "--instance-ids", t["nat"])
    assert got["StartingInstances"][0]["PreviousState"]["Name"] == "stopped"
    server.cli("ec2", "wait", "instance-running", "--instance-ids", t["nat"])
    st = server.cli("ec2", "describe-instance-status", "--instance-ids", t["nat"])
    assert st["InstanceStatuses"][0]["InstanceStatus"]["Status"] == "ok"
    assert st["InstanceStatuses"][0]["SystemStatus"]["Status"] == "ok"

    # A refusal, in the CLI's words.
    server.cli("ec2", "terminate-instances", "--instance-ids", t["nat"])
    p = server.cli("ec2", "start-instances", "--instance-ids", t["nat"], check=False)
    assert p.returncode != 0 and "IncorrectInstanceState" in p.stderr, p.stderr


def test_describe_instance_status(server):
    ec2 = server.ec2()
    t = nat_layout(ec2)
    ids = sorted([t["nat"], t["app"]])
    got = ec2.describe_instance_status()["InstanceStatuses"]
    assert sorted(s["InstanceId"] for s in got) == ids
    assert {(s["InstanceStatus"]["Status"], s["SystemStatus"]["Status"]) for s in got} == {
        ("ok", "ok")}
    assert got[0]["InstanceStatus"]["Details"] == [{"Name": "reachability", "Status": "passed"}]
    ec2.stop_instances(InstanceIds=[t["app"]], Force=True, Hibernate=False)
    assert [s["InstanceId"] for s in ec2.describe_instance_status()["InstanceStatuses"]] == [
        t["nat"]]
    stopped = ec2.describe_instance_status(
        IncludeAllInstances=True,
        Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}])["InstanceStatuses"]
    assert [s["InstanceId"] for s in stopped] == [t["app"]]
    zone = ec2.describe_instances(InstanceIds=[t["app"]])["Reservations"][0]["Instances"][0][
        "Placement"]["AvailabilityZone"]
    by_zone = ec2.describe_instance_status(
        IncludeAllInstances=True, Filters=[{"Name": "availability-zone", "Values": [zone]}])
    assert sorted(s["InstanceId"] for s in by_zone["InstanceStatuses"]) == ids
    fails("InvalidParameterCombination", ec2.describe_instance_status,
          InstanceIds=[t["app"]], MaxResults=5)
    fails("InvalidInstanceID.NotFound", ec2.describe_instance_status,
          InstanceIds=["i-0123456789abcdef0"])


def test_interface_attributes_and_refusals(server):
    ec2 = server.ec2()
    t = nat_layout(ec2)
    eni = t["eni"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni,
                                           Description={"Value": "nat box"})
    assert ec2.describe_network_interface_attribute(
        NetworkInterfaceId=eni, Attribute="description")["Description"] == {"Value": "nat box"}
    other = ec2.create_security_group(GroupName="other", Description="o", VpcId=t["vpc"])[
        "GroupId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[t["sg"], other])
    groups = ec2.describe_network_interface_attribute(
        NetworkInterfaceId=eni, Attribute="groupSet")["Groups"]
    assert [g["GroupId"] for g in groups] == [t["sg"], other]
    att = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni,
                                                   Attribute="attachment")["Attachment"]
    assert (att["InstanceId"], att["DeleteOnTermination"]) == (t["nat"], True)
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=eni,
        Attachment={"AttachmentId": att["AttachmentId"], "DeleteOnTermination": False})
    assert ec2.describe_network_interface_attribute(
        NetworkInterfaceId=eni, Attribute="attachment")["Attachment"]["DeleteOnTermination"] is False

    # Refusals.
    fails("InvalidNetworkInterfaceID.NotFound", ec2.modify_network_interface_attribute,
          NetworkInterfaceId="eni-0123456789abcdef0", SourceDestCheck={"Value": False})
    fails("InvalidParameterCombination", ec2.modify_network_interface_attribute,
          NetworkInterfaceId=eni, SourceDestCheck={"Value": False}, Description={"Value": "x"})
    fails("MissingParameter", ec2.modify_network_interface_attribute, NetworkInterfaceId=eni)
    fails("InvalidAttachmentID.NotFound", ec2.modify_network_interface_attribute,
          NetworkInterfaceId=eni,
          Attachment={"AttachmentId": "eni-attach-0123456789abcdef0",
                      "DeleteOnTermination": True})
    far_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    far = ec2.create_security_group(GroupName="far", Description="f", VpcId=far_vpc)["GroupId"]
    fails("InvalidGroup.NotFound", ec2.modify_network_interface_attribute,
          NetworkInterfaceId=eni, Groups=[far])
    many = [ec2.create_security_group(GroupName=f"g{i}", Description="g", VpcId=t["vpc"])[
        "GroupId"] for i in range(6)]
    fails("SecurityGroupsPerInterfaceLimitExceeded", ec2.modify_network_interface_attribute,
          NetworkInterfaceId=eni, Groups=many)
    # Another account sees no such interface.
    fails("InvalidNetworkInterfaceID.NotFound", server.ec2(ACCOUNT_B).
          modify_network_interface_attribute, NetworkInterfaceId=eni,
          SourceDestCheck={"Value": False})
    # Instance attributes: the type only when stopped; unmodelled attributes refused.
    fails("IncorrectInstanceState", ec2.modify_instance_attribute, InstanceId=t["nat"],
          InstanceType={"Value": "t3.large"})
    ec2.stop_instances(InstanceIds=[t["nat"]])
    ec2.modify_instance_attribute(InstanceId=t["nat"], InstanceType={"Value": "t3.large"})
    assert ec2.describe_instance_attribute(InstanceId=t["nat"], Attribute="instanceType")[
        "InstanceType"] == {"Value": "t3.large"}
    fails("UnsupportedOperation", ec2.modify_instance_attribute, InstanceId=t["nat"],
          DisableApiTermination={"Value": True})
    # Stop/start refusals.
    ec2.terminate_instances(InstanceIds=[t["nat"]])
    fails("IncorrectInstanceState", ec2.stop_instances, InstanceIds=[t["nat"]])
    fails("IncorrectInstanceState", ec2.start_instances, InstanceIds=[t["nat"]])
    fails("InvalidInstanceID.NotFound", ec2.stop_instances, InstanceIds=["i-0123456789abcdef0"])
    # DryRun answers DryRunOperation and changes nothing.
    try:
        ec2.stop_instances(InstanceIds=[t["app"]], DryRun=True)
        raise AssertionError("DryRun succeeded")
    except ec2.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "DryRunOperation"
    state = ec2.describe_instances(InstanceIds=[t["app"]])["Reservations"][0]["Instances"][0][
        "State"]["Name"]
    assert state == "running"


def test_route_to_another_vpcs_instance_is_refused(server):
    ec2 = server.ec2()
    t = nat_layout(ec2)
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.5.1.0/24")["Subnet"]["SubnetId"]
    far = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sub)["Instances"][0]
    for kwargs in ({"InstanceId": far["InstanceId"]},
                   {"NetworkInterfaceId": far["NetworkInterfaces"][0]["NetworkInterfaceId"]}):
        fails("InvalidParameterValue", ec2.create_route, RouteTableId=t["rtb"],
              DestinationCidrBlock="10.7.0.0/16", **kwargs)
