"""Managed prefix lists with boto3 and the aws CLI: create, modify (versions), entries at a
version, describe (own and AWS-managed lists), delete, and prefix lists as route destinations and
in security group rules, with the quota counting a referenced list as its MaxEntries."""

from conftest import ACCOUNT_B, cli_error_code, fails, new_vpc_id


def main_table(ec2, vpc):
    return ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]["RouteTableId"]


def create_list(ec2, name="corp", max_entries=5, cidrs=("10.0.0.0/8",)):
    return ec2.create_managed_prefix_list(
        PrefixListName=name,
        MaxEntries=max_entries,
        AddressFamily="IPv4",
        Entries=[{"Cidr": c, "Description": f"d {c}"} for c in cidrs],
    )["PrefixList"]


def test_create_modify_entries_and_delete(server):
    ec2 = server.ec2()
    pl = ec2.create_managed_prefix_list(
        PrefixListName="corp",
        MaxEntries=3,
        AddressFamily="IPv4",
        Entries=[{"Cidr": "10.0.0.0/8", "Description": "ten"}],
        TagSpecifications=[{"ResourceType": "prefix-list", "Tags": [{"Key": "team", "Value": "net"}]}],
    )["PrefixList"]
    pid = pl["PrefixListId"]
    assert pid.startswith("pl-")
    assert (pl["State"], pl["Version"], pl["MaxEntries"]) == ("create-complete", 1, 3)
    assert pl["OwnerId"] == "111111111111"
    assert pl["PrefixListArn"] == f"arn:aws:ec2:us-east-1:111111111111:prefix-list/{pid}"
    assert pl["Tags"] == [{"Key": "team", "Value": "net"}]

    changed = ec2.modify_managed_prefix_list(
        PrefixListId=pid,
        CurrentVersion=1,
        AddEntries=[{"Cidr": "192.168.0.0/16"}],
        RemoveEntries=[{"Cidr": "10.0.0.0/8"}],
    )["PrefixList"]
    assert (changed["State"], changed["Version"]) == ("modify-complete", 2)

    now = ec2.get_managed_prefix_list_entries(PrefixListId=pid)["Entries"]
    assert now == [{"Cidr": "192.168.0.0/16"}]
    v1 = ec2.get_managed_prefix_list_entries(PrefixListId=pid, TargetVersion=1)["Entries"]
    assert v1 == [{"Cidr": "10.0.0.0/8", "Description": "ten"}]

    fails("PrefixListVersionMismatch", ec2.modify_managed_prefix_list, PrefixListId=pid,
          CurrentVersion=1, AddEntries=[{"Cidr": "172.16.0.0/12"}])
    fails("InvalidPrefixListModification", ec2.modify_managed_prefix_list, PrefixListId=pid,
          RemoveEntries=[{"Cidr": "172.16.0.0/12"}])
    fails("InvalidParameterValue", ec2.modify_managed_prefix_list, PrefixListId=pid, MaxEntries=0)
    fails("InvalidParameterValue", ec2.get_managed_prefix_list_entries, PrefixListId=pid,
          TargetVersion=9)

    gone = ec2.delete_managed_prefix_list(PrefixListId=pid)["PrefixList"]
    assert gone["State"] == "delete-complete"
    fails("InvalidPrefixListID.NotFound", ec2.describe_managed_prefix_lists, PrefixListIds=[pid])


def test_create_errors(server):
    ec2 = server.ec2(validate=False)
    fails("InvalidParameterValue", ec2.create_managed_prefix_list, PrefixListName="x",
          MaxEntries=2, AddressFamily="IPv5")
    fails("InvalidParameterValue", ec2.create_managed_prefix_list, PrefixListName="x",
          MaxEntries=1, AddressFamily="IPv4",
          Entries=[{"Cidr": "10.0.0.0/8"}, {"Cidr": "11.0.0.0/8"}])
    fails("InvalidParameterValue", ec2.create_managed_prefix_list, PrefixListName="x",
          MaxEntries=2, AddressFamily="IPv4", Entries=[{"Cidr": "10.0.0.1/8"}])
    fails("MissingParameter", ec2.create_managed_prefix_list, PrefixListName="x",
          AddressFamily="IPv4")
    fails("InvalidPrefixListId.Malformed", ec2.get_managed_prefix_list_entries, PrefixListId="pl-x")


def test_describe_lists_aws_managed_and_own_with_filters_and_paging(server):
    ec2 = server.ec2()
    mine = create_list(ec2)["PrefixListId"]
    lists = ec2.describe_managed_prefix_lists()["PrefixLists"]
    by_name = {l["PrefixListName"]: l for l in lists}
    assert by_name["com.amazonaws.us-east-1.s3"]["OwnerId"] == "AWS"
    assert by_name["com.amazonaws.us-east-1.dynamodb"]["OwnerId"] == "AWS"
    assert by_name["corp"]["PrefixListId"] == mine
    aws_only = ec2.describe_managed_prefix_lists(Filters=[{"Name": "owner-id", "Values": ["AWS"]}])
    assert len(aws_only["PrefixLists"]) == 2
    named = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.*.s3"]}])["PrefixLists"]
    assert [l["PrefixListName"] for l in named] == ["com.amazonaws.us-east-1.s3"]
    page = ec2.describe_managed_prefix_lists(MaxResults=2)
    assert len(page["PrefixLists"]) == 2 and "NextToken" in page
    rest = ec2.describe_managed_prefix_lists(MaxResults=2, NextToken=page["NextToken"])
    assert len(rest["PrefixLists"]) == 1
    # Another account sees the AWS-managed lists, not A's.
    other = server.ec2(account=ACCOUNT_B).describe_managed_prefix_lists()["PrefixLists"]
    assert {l["OwnerId"] for l in other} == {"AWS"}
    # The legacy DescribePrefixLists shows the AWS-managed lists with their blocks.
    legacy = ec2.describe_prefix_lists()["PrefixLists"]
    assert sorted(l["PrefixListName"] for l in legacy) == [
        "com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]
    assert all(l["Cidrs"] for l in legacy)
    s3 = by_name["com.amazonaws.us-east-1.s3"]["PrefixListId"]
    fails("InvalidPrefixListModification", ec2.modify_managed_prefix_list, PrefixListId=s3,
          MaxEntries=10)


def test_routes_and_rules_to_a_list_and_delete_in_use(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    rtb = main_table(ec2, vpc)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    pid = create_list(ec2)["PrefixListId"]
    ec2.create_route(RouteTableId=rtb, DestinationPrefixListId=pid, GatewayId=igw)
    routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
    route = [r for r in routes if r.get("DestinationPrefixListId") == pid]
    assert route and route[0]["GatewayId"] == igw and route[0]["State"] == "active"
    found = ec2.describe_route_tables(
        Filters=[{"Name": "route.destination-prefix-list-id", "Values": [pid]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rtb]
    fails("RouteAlreadyExists", ec2.create_route, RouteTableId=rtb, DestinationPrefixListId=pid,
          GatewayId=igw)
    fails("InvalidPrefixListID.NotFound", ec2.create_route, RouteTableId=rtb,
          DestinationPrefixListId="pl-0123456789abcdef0", GatewayId=igw)
    fails("InvalidParameterCombination", ec2.create_route, RouteTableId=rtb,
          DestinationPrefixListId=pid, DestinationCidrBlock="1.0.0.0/8", GatewayId=igw)
    fails("DependencyViolation", ec2.delete_managed_prefix_list, PrefixListId=pid)
    ec2.delete_route(RouteTableId=rtb, DestinationPrefixListId=pid)

    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    perm = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "PrefixListIds": [{"PrefixListId": pid, "Description": "corp"}]}
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[perm])
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [sg]}])["SecurityGroupRules"]
    assert [r["PrefixListId"] for r in rules if not r["IsEgress"]] == [pid]
    fails("DependencyViolation", ec2.delete_managed_prefix_list, PrefixListId=pid)
    ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=[perm])
    ec2.delete_managed_prefix_list(PrefixListId=pid)


def test_quota_counts_max_entries(fresh_server):
    s = fresh_server("--limit", "routes_per_table=10")
    ec2 = s.ec2()
    vpc = new_vpc_id(ec2)
    rtb = main_table(ec2, vpc)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    pid = create_list(ec2, max_entries=9)["PrefixListId"]
    ec2.create_route(RouteTableId=rtb, DestinationPrefixListId=pid, GatewayId=igw)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="1.0.0.0/8", GatewayId=igw)
    fails("RouteLimitExceeded", ec2.create_route, RouteTableId=rtb,
          DestinationCidrBlock="2.0.0.0/8", GatewayId=igw)
    fails("RouteLimitExceeded", ec2.modify_managed_prefix_list, PrefixListId=pid, MaxEntries=10)


def test_cli_create_describe_entries_delete(server):
    made = server.cli("ec2", "create-managed-prefix-list", "--prefix-list-name", "cli",
                      "--max-entries", "4", "--address-family", "IPv4",
                      "--entries", "Cidr=10.1.0.0/16,Description=one")["PrefixList"]
    pid = made["PrefixListId"]
    assert made["Version"] == 1
    server.cli("ec2", "modify-managed-prefix-list", "--prefix-list-id", pid,
               "--current-version", "1", "--add-entries", "Cidr=10.2.0.0/16")
    entries = server.cli("ec2", "get-managed-prefix-list-entries", "--prefix-list-id", pid)
    assert [e["Cidr"] for e in entries["Entries"]] == ["10.1.0.0/16", "10.2.0.0/16"]
    seen = server.cli("ec2", "describe-managed-prefix-lists", "--prefix-list-ids", pid)
    assert seen["PrefixLists"][0]["Version"] == 2
    p = server.cli("ec2", "modify-managed-prefix-list", "--prefix-list-id", pid,
                   "--current-version", "1", "--add-entries", "Cidr=10.3.0.0/16", check=False)
    assert cli_error_code(p) == "PrefixListVersionMismatch"
    legacy = server.cli("ec2", "describe-prefix-lists")["PrefixLists"]
    assert len(legacy) == 2
    server.cli("ec2", "delete-managed-prefix-list", "--prefix-list-id", pid)
    p = server.cli("ec2", "get-managed-prefix-list-entries", "--prefix-list-id", pid, check=False)
    assert cli_error_code(p) == "InvalidPrefixListID.NotFound"
