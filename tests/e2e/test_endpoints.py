"""VPC endpoints with boto3 and the aws CLI: the service catalogue, gateway endpoints programming
route tables with the service's prefix list, interface endpoints with their network interfaces,
ModifyVpcEndpoint, DescribeVpcEndpoints filters, DeleteVpcEndpoints (with `unsuccessful`), and
DeleteVpc refused while an endpoint lives."""

from conftest import cli_error_code, fails, new_vpc_id

S3 = "com.amazonaws.us-east-1.s3"
SSM = "com.amazonaws.us-east-1.ssm"


def main_table(ec2, vpc):
    return ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]["RouteTableId"]


def s3_list(ec2):
    return ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [S3]}])["PrefixLists"][0]["PrefixListId"]


def endpoint_routes(ec2, rtb, vpce):
    routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
    return [r for r in routes if r.get("GatewayId") == vpce]


def test_service_catalogue(server):
    ec2 = server.ec2()
    out = ec2.describe_vpc_endpoint_services()
    assert S3 in out["ServiceNames"] and SSM in out["ServiceNames"]
    types = {}
    for d in out["ServiceDetails"]:
        types.setdefault(d["ServiceName"], set()).add(d["ServiceType"][0]["ServiceType"])
    assert types[S3] == {"Gateway", "Interface"}
    assert types["com.amazonaws.us-east-1.dynamodb"] == {"Gateway"}
    assert types[SSM] == {"Interface"}
    gw = ec2.describe_vpc_endpoint_services(
        Filters=[{"Name": "service-type", "Values": ["Gateway"]}])["ServiceDetails"]
    assert sorted(d["ServiceName"] for d in gw) == ["com.amazonaws.us-east-1.dynamodb", S3]
    one = ec2.describe_vpc_endpoint_services(ServiceNames=[SSM])["ServiceDetails"]
    assert [d["PrivateDnsName"] for d in one] == ["ssm.us-east-1.amazonaws.com"]
    fails("InvalidServiceName", ec2.describe_vpc_endpoint_services,
          ServiceNames=["com.amazonaws.us-east-1.nothing"])
    west = server.ec2(region="eu-west-1").describe_vpc_endpoint_services()["ServiceNames"]
    assert "com.amazonaws.eu-west-1.s3" in west


def test_gateway_endpoint_programs_route_tables(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    main = main_table(ec2, vpc)
    other = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    e = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=S3, RouteTableIds=[main],
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "k", "Value": "v"}]}],
    )["VpcEndpoint"]
    vpce = e["VpcEndpointId"]
    assert vpce.startswith("vpce-")
    assert (e["VpcEndpointType"], e["State"], e["RouteTableIds"]) == ("Gateway", "available", [main])
    assert '"Allow"' in e["PolicyDocument"]
    pl = s3_list(ec2)
    routes = endpoint_routes(ec2, main, vpce)
    assert [(r["DestinationPrefixListId"], r["Origin"], r["State"]) for r in routes] == [
        (pl, "CreateRoute", "active")]
    fails("InvalidParameterValue", ec2.delete_route, RouteTableId=main, DestinationPrefixListId=pl)
    fails("RouteAlreadyExists", ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=S3,
          RouteTableIds=[main])

    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddRouteTableIds=[other],
                            RemoveRouteTableIds=[main], PolicyDocument='{"Statement":[]}')
    assert endpoint_routes(ec2, main, vpce) == []
    assert len(endpoint_routes(ec2, other, vpce)) == 1
    seen = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"][0]
    assert (seen["RouteTableIds"], seen["PolicyDocument"]) == ([other], '{"Statement":[]}')
    assert seen["Tags"] == [{"Key": "k", "Value": "v"}]
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, ResetPolicy=True)
    seen = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"][0]
    assert '"Allow"' in seen["PolicyDocument"]

    fails("DependencyViolation", ec2.delete_vpc, VpcId=vpc)
    out = ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce, "vpce-0123456789abcdef0"])
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in out["Unsuccessful"]] == [
        ("vpce-0123456789abcdef0", "InvalidVpcEndpointId.NotFound")]
    assert endpoint_routes(ec2, other, vpce) == []
    assert ec2.describe_vpc_endpoints()["VpcEndpoints"] == []
    ec2.delete_route_table(RouteTableId=other)
    ec2.delete_vpc(VpcId=vpc)


def test_interface_endpoint_gets_network_interfaces(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    s1 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    s2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24",
                           AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    s3 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/24",
                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="ep", Description="ep", VpcId=vpc)["GroupId"]
    e = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=SSM, VpcEndpointType="Interface",
                                SubnetIds=[s1], SecurityGroupIds=[sg])["VpcEndpoint"]
    vpce = e["VpcEndpointId"]
    assert e["PrivateDnsEnabled"] is True
    assert [g["GroupId"] for g in e["Groups"]] == [sg]
    assert len(e["NetworkInterfaceIds"]) == 1
    assert e["DnsEntries"][0]["DnsName"].endswith(".ssm.us-east-1.vpce.amazonaws.com")
    eni = ec2.describe_network_interfaces(
        NetworkInterfaceIds=e["NetworkInterfaceIds"])["NetworkInterfaces"][0]
    assert (eni["InterfaceType"], eni["SubnetId"]) == ("vpc_endpoint", s1)
    fails("DuplicateSubnetsInSameZone", ec2.modify_vpc_endpoint, VpcEndpointId=vpce,
          AddSubnetIds=[s3])
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddSubnetIds=[s2])
    seen = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-endpoint-type", "Values": ["Interface"]}])["VpcEndpoints"]
    assert [(x["VpcEndpointId"], sorted(x["SubnetIds"])) for x in seen] == [(vpce, sorted([s1, s2]))]
    fails("InvalidParameter", ec2.modify_vpc_endpoint, VpcEndpointId=vpce,
          AddRouteTableIds=[main_table(ec2, vpc)])
    ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    left = ec2.describe_network_interfaces(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]
    assert left == []


def test_create_errors_and_filters(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    main = main_table(ec2, vpc)
    fails("InvalidServiceName", ec2.create_vpc_endpoint, VpcId=vpc,
          ServiceName="com.amazonaws.us-east-1.nothing")
    fails("InvalidParameterValue", ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=SSM,
          VpcEndpointType="Gateway")
    fails("InvalidParameterValue", ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=S3,
          VpcEndpointType="GatewayLoadBalancer")
    fails("InvalidParameter", ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=SSM,
          VpcEndpointType="Interface", RouteTableIds=[main])
    fails("InvalidVpcID.NotFound", ec2.create_vpc_endpoint, VpcId="vpc-0123456789abcdef0",
          ServiceName=S3)
    fails("InvalidPolicyDocument", ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=S3,
          PolicyDocument="nope")
    fails("InvalidVpcEndpointId.NotFound", ec2.modify_vpc_endpoint,
          VpcEndpointId="vpce-0123456789abcdef0", ResetPolicy=True)
    fails("InvalidVpcEndpointId.Malformed", ec2.describe_vpc_endpoints, VpcEndpointIds=["vpce-x"])
    d = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.dynamodb",
                                RouteTableIds=[main])["VpcEndpoint"]["VpcEndpointId"]
    by_service = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "service-name", "Values": ["*.dynamodb"]}])["VpcEndpoints"]
    assert [x["VpcEndpointId"] for x in by_service] == [d]
    assert ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": ["vpc-00000000"]}])["VpcEndpoints"] == []
    ec2.create_tags(Resources=[d], Tags=[{"Key": "env", "Value": "prod"}])
    tagged = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "tag:env", "Values": ["prod"]}])["VpcEndpoints"]
    assert [x["VpcEndpointId"] for x in tagged] == [d]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [d]}])["Tags"]
    assert [(t["ResourceType"], t["Key"]) for t in tags] == [("vpc-endpoint", "env")]


def test_cli_gateway_endpoint_lifecycle(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.9.0.0/16")["Vpc"]["VpcId"]
    rtb = server.cli("ec2", "describe-route-tables", "--filters",
                     f"Name=vpc-id,Values={vpc}")["RouteTables"][0]["RouteTableId"]
    services = server.cli("ec2", "describe-vpc-endpoint-services")["ServiceNames"]
    assert S3 in services
    e = server.cli("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", S3,
                   "--route-table-ids", rtb)["VpcEndpoint"]
    vpce = e["VpcEndpointId"]
    listed = server.cli("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", vpce)
    assert listed["VpcEndpoints"][0]["RouteTableIds"] == [rtb]
    server.cli("ec2", "modify-vpc-endpoint", "--vpc-endpoint-id", vpce,
               "--remove-route-table-ids", rtb)
    p = server.cli("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name",
                   "com.amazonaws.us-east-1.nothing", check=False)
    assert cli_error_code(p) == "InvalidServiceName"
    out = server.cli("ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", vpce)
    assert out.get("Unsuccessful", []) == []
    server.cli("ec2", "delete-vpc", "--vpc-id", vpc)
