"""EC2 Network Insights (Reachability Analyzer) through boto3 and the aws CLI: two peered VPCs in
two accounts, routed on one side only (the reply has no way back), then on both."""

import botocore.exceptions
import pytest

from conftest import (
    ACCOUNT_A, ACCOUNT_B, error_code, fails, one_sided_peering, vpc_with_instance)


def test_insights_one_sided_peering_then_fixed(server):
    t = one_sided_peering(server)
    a, b, va, vb, rtb_a, rtb_b, ia, ib, pcx = (
        t.a, t.b, t.va, t.vb, t.rtb_a, t.rtb_b, t.ia, t.ib, t.pcx)

    path = a.create_network_insights_path(
        Source=ia["InstanceId"], Destination=ib["InstanceId"], Protocol="tcp",
        DestinationPort=443,
        TagSpecifications=[{"ResourceType": "network-insights-path",
                            "Tags": [{"Key": "Name", "Value": "a-to-b"}]}],
    )["NetworkInsightsPath"]
    pid = path["NetworkInsightsPathId"]
    assert pid.startswith("nip-")
    assert path["Source"] == ia["InstanceId"] and path["Destination"] == ib["InstanceId"]
    assert path["Protocol"] == "tcp" and path["DestinationPort"] == 443
    assert path["DestinationArn"].startswith(f"arn:aws:ec2:us-east-1:{ACCOUNT_B}:instance/")
    assert path["Tags"] == [{"Key": "Name", "Value": "a-to-b"}]

    first = a.start_network_insights_analysis(NetworkInsightsPathId=pid)["NetworkInsightsAnalysis"]
    n1 = first["NetworkInsightsAnalysisId"]
    assert n1.startswith("nia-") and first["Status"] == "succeeded"
    got = a.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[n1])[
        "NetworkInsightsAnalyses"]
    assert len(got) == 1
    an = got[0]
    assert an["NetworkPathFound"] is False
    assert [(e["ExplanationCode"], e["Component"]["Id"]) for e in an["Explanations"]] == [
        ("NO_ROUTE_TO_DESTINATION", rtb_b)]
    assert an["Explanations"][0]["RouteTable"]["Id"] == rtb_b
    assert an["Explanations"][0]["Vpc"]["Id"] == vb
    assert an["ForwardPathComponents"]

    b.create_route(RouteTableId=rtb_b, DestinationCidrBlock="10.0.0.0/16",
                   VpcPeeringConnectionId=pcx)
    # The aws CLI, unchanged.
    out = server.cli("ec2", "start-network-insights-analysis", "--network-insights-path-id", pid)
    n2 = out["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
    an = a.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[n2])[
        "NetworkInsightsAnalyses"][0]
    assert an["Status"] == "succeeded" and an["NetworkPathFound"] is True
    assert an.get("Explanations", []) == []
    fwd, ret = an["ForwardPathComponents"], an["ReturnPathComponents"]
    assert fwd and ret
    assert [c["SequenceNumber"] for c in fwd] == list(range(1, len(fwd) + 1))
    assert fwd[0]["Component"]["Id"] == ia["InstanceId"]
    assert fwd[-1]["Component"]["Id"] == ib["InstanceId"]
    routes = [c["RouteTableRoute"] for c in fwd if "RouteTableRoute" in c]
    assert any(r.get("VpcPeeringConnectionId") == pcx for r in routes), routes
    sg_rules = [c["SecurityGroupRule"] for c in fwd if "SecurityGroupRule" in c]
    assert any(r["Direction"] == "ingress" and r.get("PortRange") == {"From": 443, "To": 443}
               and r.get("Cidr") == "10.0.0.0/16" for r in sg_rules), sg_rules
    hdr = fwd[0]["OutboundHeader"]
    assert hdr["DestinationAddresses"] == [ib["PrivateIpAddress"]]
    assert hdr["DestinationPortRanges"] == [{"From": 443, "To": 443}]

    # Describe: by path, by id, filters.
    all_for_path = a.describe_network_insights_analyses(NetworkInsightsPathId=pid)[
        "NetworkInsightsAnalyses"]
    assert sorted(x["NetworkInsightsAnalysisId"] for x in all_for_path) == sorted([n1, n2])
    found = a.describe_network_insights_analyses(
        Filters=[{"Name": "path-found", "Values": ["true"]}])["NetworkInsightsAnalyses"]
    assert [x["NetworkInsightsAnalysisId"] for x in found] == [n2]
    paths = a.describe_network_insights_paths(NetworkInsightsPathIds=[pid])["NetworkInsightsPaths"]
    assert [p["NetworkInsightsPathId"] for p in paths] == [pid]
    assert a.describe_network_insights_paths(
        Filters=[{"Name": "protocol", "Values": ["udp"]}])["NetworkInsightsPaths"] == []
    # Another account sees nothing.
    assert b.describe_network_insights_paths()["NetworkInsightsPaths"] == []
    assert b.describe_network_insights_analyses()["NetworkInsightsAnalyses"] == []

    # Delete: the path is refused while analyses reference it.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        a.delete_network_insights_path(NetworkInsightsPathId=pid)
    assert error_code(e) == "DependencyViolation"
    for n in (n1, n2):
        r = a.delete_network_insights_analysis(NetworkInsightsAnalysisId=n)
        assert r["NetworkInsightsAnalysisId"] == n
    assert a.delete_network_insights_path(NetworkInsightsPathId=pid)[
        "NetworkInsightsPathId"] == pid

    # NotFound / Malformed.
    fails("InvalidNetworkInsightsPathId.NotFound",
          a.describe_network_insights_paths, NetworkInsightsPathIds=[pid])
    fails("InvalidNetworkInsightsAnalysisId.NotFound",
          a.describe_network_insights_analyses, NetworkInsightsAnalysisIds=[n1])
    fails("InvalidNetworkInsightsPathId.NotFound",
          a.start_network_insights_analysis, NetworkInsightsPathId=pid)
    fails("InvalidNetworkInsightsAnalysisId.Malformed",
          a.delete_network_insights_analysis, NetworkInsightsAnalysisId="nia-nope")


def test_insights_path_validation(server):
    a, b = server.ec2(ACCOUNT_A), server.ec2(ACCOUNT_B)
    _, _, ia = vpc_with_instance(a, "10.0.0.0/16", "10.0.1.0/24")
    _, _, ib = vpc_with_instance(b, "10.1.0.0/16", "10.1.1.0/24")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        a.create_network_insights_path(Source=ib["InstanceId"], DestinationIp="10.1.1.9",
                                       Protocol="tcp", DestinationPort=443)
    assert error_code(e) == "InvalidInstanceID.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        a.create_network_insights_path(Source=ia["InstanceId"], DestinationIp="10.1.1.9",
                                       Protocol="tcp")
    assert error_code(e) == "MissingParameter"
    # A destination address that no interface holds: the analysis runs and reports it.
    pid = a.create_network_insights_path(
        Source=ia["InstanceId"], DestinationIp="10.0.1.200", Protocol="udp",
        DestinationPort=53)["NetworkInsightsPath"]["NetworkInsightsPathId"]
    an = a.start_network_insights_analysis(NetworkInsightsPathId=pid)["NetworkInsightsAnalysis"]
    assert an["Status"] in ("succeeded", "failed")
    assert an.get("NetworkPathFound") is not True
