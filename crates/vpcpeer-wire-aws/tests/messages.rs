//! Every refusal the AWS model used to word itself, as the EC2 face answers it: code, HTTP
//! status and message byte for byte, each driven through a real action on a `Tx` (the handlers
//! the server runs). The rows were recorded from the emulator while the model still built these
//! messages with `format!`, before its errors became structured kinds worded by this crate
//! (`vpcpeer_wire_aws::error`), so moving the words changed no byte on the wire.

mod common;

use common::{call, call_as, first, form, ok, ok_field, run};
use vpcpeer_model::testkit::{TestEnv, A, B};
use vpcpeer_model::RtAssocTarget;
use vpcpeer_wire_aws::Ec2Error;

/// Two VPCs of account A in us-east-1, each with a subnet and a custom route table, and an
/// internet gateway attached to the first.
struct Fx {
    env: TestEnv,
    vpc: String,
    subnet: String,
    rtb: String,
    vpc2: String,
    subnet2: String,
    rtb2: String,
    igw: String,
}

/// A VPC `10.<n>.0.0/16` of account A with a subnet `10.<n>.1.0/24` in us-east-1a and a
/// custom route table: their ids.
fn network(env: &mut TestEnv, n: u8) -> (String, String, String) {
    let vpc = ok_field(
        env,
        "CreateVpc",
        &format!("CidrBlock=10.{n}.0.0/16"),
        "vpcId",
    );
    let subnet = ok_field(
        env,
        "CreateSubnet",
        &format!("VpcId={vpc}&CidrBlock=10.{n}.1.0/24&AvailabilityZone=us-east-1a"),
        "subnetId",
    );
    let rtb = ok_field(
        env,
        "CreateRouteTable",
        &format!("VpcId={vpc}"),
        "routeTableId",
    );
    (vpc, subnet, rtb)
}

fn fx() -> Fx {
    let mut env = TestEnv::with_seed(9);
    let (vpc, subnet, rtb) = network(&mut env, 0);
    let (vpc2, subnet2, rtb2) = network(&mut env, 1);
    let igw = ok_field(&mut env, "CreateInternetGateway", "", "internetGatewayId");
    ok(
        &mut env,
        "AttachInternetGateway",
        &format!("InternetGatewayId={igw}&VpcId={vpc}"),
    );
    Fx {
        env,
        vpc,
        subnet,
        rtb,
        vpc2,
        subnet2,
        rtb2,
        igw,
    }
}

/// Runs `action` as `who` without the edge's character check (the model's own checks of tag
/// text are what these rows pin).
fn run_in(
    env: &mut TestEnv,
    who: (&str, &str),
    action: &str,
    body: &str,
) -> Result<String, Ec2Error> {
    run(env, who, action, &form(action, body))
}

fn west(account: &str) -> (&str, &str) {
    (account, "us-west-2")
}

fn err(r: Result<String, Ec2Error>) -> Ec2Error {
    match r {
        Ok(xml) => Ec2Error::new("(accepted)", xml),
        Err(e) => e,
    }
}

/// The fixture's requests ([`Fx::call`], [`Fx::ok`], [`Fx::ok_field`]) take their body as a
/// template: `{vpc}`, `{subnet}`, `{rtb}`, `{vpc2}`, `{subnet2}`, `{rtb2}` and `{igw}` stand for
/// the fixture's ids.
impl Fx {
    /// `body` with the fixture's ids put in for their names (a name it does not know panics).
    fn fill(&self, body: &str) -> String {
        let body = [
            ("{vpc}", &self.vpc),
            ("{subnet}", &self.subnet),
            ("{rtb}", &self.rtb),
            ("{vpc2}", &self.vpc2),
            ("{subnet2}", &self.subnet2),
            ("{rtb2}", &self.rtb2),
            ("{igw}", &self.igw),
        ]
        .iter()
        .fold(body.to_owned(), |body, (name, id)| body.replace(name, id));
        assert!(!body.contains('{'), "an unknown name in {body}");
        body
    }
    fn call(&mut self, action: &str, body: &str) -> Ec2Error {
        let body = self.fill(body);
        err(call(&mut self.env, action, &body))
    }
    fn ok(&mut self, action: &str, body: &str) -> String {
        let body = self.fill(body);
        ok(&mut self.env, action, &body)
    }
    fn ok_field(&mut self, action: &str, body: &str, tag: &str) -> String {
        let body = self.fill(body);
        ok_field(&mut self.env, action, &body, tag)
    }
    /// [`run_in`] with the fixture's ids put in.
    fn run_in(&mut self, who: (&str, &str), action: &str, body: &str) -> Result<String, Ec2Error> {
        let body = self.fill(body);
        run_in(&mut self.env, who, action, &body)
    }
    /// A VPC `10.4.0.0/16` of `account` in us-west-2.
    fn far_vpc(&mut self, account: &str) -> String {
        first(
            &self
                .run_in(west(account), "CreateVpc", "CidrBlock=10.4.0.0/16")
                .unwrap(),
            "vpcId",
        )
    }
    /// A pending request from `vpc` to `vpc2`.
    fn pending_peering(&mut self) -> String {
        self.ok_field(
            "CreateVpcPeeringConnection",
            "VpcId={vpc}&PeerVpcId={vpc2}",
            "vpcPeeringConnectionId",
        )
    }
    /// [`Fx::cross_account_request`], accepted by B.
    fn cross_account_peering(&mut self) -> String {
        let (pcx, _) = self.cross_account_request();
        call_as(
            &mut self.env,
            B,
            "AcceptVpcPeeringConnection",
            &format!("VpcPeeringConnectionId={pcx}"),
        )
        .unwrap();
        pcx
    }
    /// A pending request from `vpc` to a VPC of account B (10.2.0.0/16), and that VPC.
    fn cross_account_request(&mut self) -> (String, String) {
        let peer = ok_field(&mut self.env, "CreateVpc", "CidrBlock=10.2.0.0/16", "vpcId");
        // The VPC must be B's: create it as B.
        let peer_b = first(
            &call_as(&mut self.env, B, "CreateVpc", "CidrBlock=10.3.0.0/16").unwrap(),
            "vpcId",
        );
        let _ = peer;
        let pcx = self.ok_field(
            "CreateVpcPeeringConnection",
            &format!("VpcId={}&PeerVpcId={peer_b}&PeerOwnerId={B}", self.vpc),
            "vpcPeeringConnectionId",
        );
        (pcx, peer_b)
    }
    /// An active peering between `vpc` and `vpc2`.
    fn active_peering(&mut self) -> String {
        let pcx = self.pending_peering();
        self.ok(
            "AcceptVpcPeeringConnection",
            &format!("VpcPeeringConnectionId={pcx}"),
        );
        pcx
    }
    /// An active peering between `vpc` and a VPC of A in us-west-2.
    fn inter_region_peering(&mut self) -> String {
        let far = self.far_vpc(A);
        let pcx = self.ok_field(
            "CreateVpcPeeringConnection",
            &format!("VpcId={{vpc}}&PeerVpcId={far}&PeerRegion=us-west-2"),
            "vpcPeeringConnectionId",
        );
        self.run_in(
            west(A),
            "AcceptVpcPeeringConnection",
            &format!("VpcPeeringConnectionId={pcx}"),
        )
        .unwrap();
        pcx
    }
    /// A security group `name` in `vpc` (an id or a template such as `{vpc}`).
    fn sg(&mut self, vpc: &str, name: &str) -> String {
        self.ok_field(
            "CreateSecurityGroup",
            &format!("VpcId={vpc}&GroupName={name}&GroupDescription=d"),
            "groupId",
        )
    }
    /// The primary interface of a new instance in `subnet` (an id or a template).
    fn eni(&mut self, subnet: &str) -> String {
        self.ok_field(
            "RunInstances",
            &format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}"),
            "networkInterfaceId",
        )
    }
    fn main_association(&self, vpc: &str) -> String {
        self.env
            .world
            .aws
            .route_tables()
            .values()
            .filter(|t| t.vpc_id == vpc)
            .flat_map(|t| t.associations.iter())
            .find(|a| a.target == RtAssocTarget::Main)
            .expect("main association")
            .id
            .clone()
    }
    fn acl_association(&self, subnet: &str) -> String {
        self.env
            .world
            .aws
            .network_acls()
            .values()
            .flat_map(|a| a.associations.iter())
            .find(|a| a.subnet_id == subnet)
            .expect("ACL association")
            .id
            .clone()
    }
    fn default_acl(&self, vpc: &str) -> String {
        self.env
            .world
            .aws
            .network_acls()
            .values()
            .find(|a| a.vpc_id == vpc && a.is_default)
            .expect("default ACL")
            .id
            .clone()
    }
}

type Case = (&'static str, fn(&mut Fx) -> Ec2Error);

fn cases() -> Vec<Case> {
    vec![
        // --- Internet and NAT gateways ---
        ("igw limit", |f| {
            f.env.limits.internet_gateways_per_region = Some(1);
            f.call("CreateInternetGateway", "")
        }),
        ("igw attached elsewhere", |f| {
            f.call(
                "AttachInternetGateway",
                "InternetGatewayId={igw}&VpcId={vpc2}",
            )
        }),
        ("vpc has an igw", |f| {
            let igw2 = f.ok_field("CreateInternetGateway", "", "internetGatewayId");
            f.call(
                "AttachInternetGateway",
                &format!("InternetGatewayId={igw2}&VpcId={{vpc}}"),
            )
        }),
        ("igw detached from the wrong vpc", |f| {
            f.call(
                "DetachInternetGateway",
                "InternetGatewayId={igw}&VpcId={vpc2}",
            )
        }),
        ("igw with an edge association", |f| {
            f.ok("AssociateRouteTable", "RouteTableId={rtb}&GatewayId={igw}");
            f.call(
                "DetachInternetGateway",
                "InternetGatewayId={igw}&VpcId={vpc}",
            )
        }),
        ("nat allocation malformed", |f| {
            f.call("CreateNatGateway", "SubnetId={subnet}&AllocationId=bogus")
        }),
        ("nat allocation in use", |f| {
            let eip = f.ok_field("AllocateAddress", "Domain=vpc", "allocationId");
            let nat = f.ok_field(
                "CreateNatGateway",
                &format!("SubnetId={{subnet}}&AllocationId={eip}"),
                "natGatewayId",
            );
            let _ = nat;
            f.call(
                "CreateNatGateway",
                &format!("SubnetId={{subnet}}&AllocationId={eip}"),
            )
        }),
        ("nat interface is managed", |f| {
            let nat = f.ok_field(
                "CreateNatGateway",
                "SubnetId={subnet}&ConnectivityType=private",
                "natGatewayId",
            );
            let eni = f.env.world.aws.nat_gateways()[&nat].eni_id.clone();
            f.call(
                "DeleteNetworkInterface",
                &format!("NetworkInterfaceId={eni}"),
            )
        }),
        // --- Network ACLs ---
        ("default acl", |f| {
            let acl = f.default_acl(&f.vpc);
            f.call("DeleteNetworkAcl", &format!("NetworkAclId={acl}"))
        }),
        ("acl with a subnet", |f| {
            let acl = f.ok_field("CreateNetworkAcl", "VpcId={vpc}", "networkAclId");
            let assoc = f.acl_association(&f.subnet);
            f.ok(
                "ReplaceNetworkAclAssociation",
                &format!("AssociationId={assoc}&NetworkAclId={acl}"),
            );
            f.call("DeleteNetworkAcl", &format!("NetworkAclId={acl}"))
        }),
        ("acl of another vpc", |f| {
            let acl = f.ok_field("CreateNetworkAcl", "VpcId={vpc2}", "networkAclId");
            let assoc = f.acl_association(&f.subnet);
            f.call(
                "ReplaceNetworkAclAssociation",
                &format!("AssociationId={assoc}&NetworkAclId={acl}"),
            )
        }),
        // --- VPCs and their blocks ---
        ("vpc limit", |f| {
            f.env.limits.vpcs_per_region = Some(2);
            f.call("CreateVpc", "CidrBlock=10.9.0.0/16")
        }),
        ("sixth ipv6 block", |f| {
            let v = f.ok_field(
                "CreateVpc",
                "CidrBlock=10.9.0.0/16&AmazonProvidedIpv6CidrBlock=true",
                "vpcId",
            );
            // Five Amazon /56 blocks per VPC (the quota); the sixth is refused.
            for _ in 1..5 {
                f.ok(
                    "AssociateVpcCidrBlock",
                    &format!("VpcId={v}&AmazonProvidedIpv6CidrBlock=true"),
                );
            }
            f.call(
                "AssociateVpcCidrBlock",
                &format!("VpcId={v}&AmazonProvidedIpv6CidrBlock=true"),
            )
        }),
        ("ipv4 block limit", |f| {
            f.env.limits.ipv4_blocks_per_vpc = Some(1);
            f.call("AssociateVpcCidrBlock", "VpcId={vpc}&CidrBlock=10.5.0.0/16")
        }),
        ("block covers a route", |f| {
            f.ok(
                "CreateRoute",
                "RouteTableId={rtb}&DestinationCidrBlock=10.7.1.0/24&GatewayId={igw}",
            );
            f.call("AssociateVpcCidrBlock", "VpcId={vpc}&CidrBlock=10.7.0.0/16")
        }),
        ("block while a request is pending", |f| {
            f.ok("CreateVpcPeeringConnection", "VpcId={vpc}&PeerVpcId={vpc2}");
            f.call("AssociateVpcCidrBlock", "VpcId={vpc}&CidrBlock=10.7.0.0/16")
        }),
        ("block overlaps a peer", |f| {
            f.active_peering();
            f.ok("AssociateVpcCidrBlock", "VpcId={vpc}&CidrBlock=10.7.0.0/16");
            f.call(
                "AssociateVpcCidrBlock",
                "VpcId={vpc2}&CidrBlock=10.7.0.0/16",
            )
        }),
        ("primary block", |f| {
            let assoc = f.env.world.aws.vpcs()[&f.vpc].ipv4[0]
                .association_id
                .clone();
            f.call(
                "DisassociateVpcCidrBlock",
                &format!("AssociationId={assoc}"),
            )
        }),
        ("block with subnets", |f| {
            let x = f.ok("AssociateVpcCidrBlock", "VpcId={vpc}&CidrBlock=10.7.0.0/16");
            let assoc = first(&x, "associationId");
            f.ok("CreateSubnet", "VpcId={vpc}&CidrBlock=10.7.1.0/24");
            f.call(
                "DisassociateVpcCidrBlock",
                &format!("AssociationId={assoc}"),
            )
        }),
        ("hostnames without dns support", |f| {
            f.ok(
                "ModifyVpcAttribute",
                "VpcId={vpc}&EnableDnsSupport.Value=false",
            );
            f.call(
                "ModifyVpcAttribute",
                "VpcId={vpc}&EnableDnsHostnames.Value=true",
            )
        }),
        ("dns support off under hostnames", |f| {
            f.ok(
                "ModifyVpcAttribute",
                "VpcId={vpc}&EnableDnsHostnames.Value=true",
            );
            f.call(
                "ModifyVpcAttribute",
                "VpcId={vpc}&EnableDnsSupport.Value=false",
            )
        }),
        ("delete a peered vpc", |f| {
            let v = f.ok_field("CreateVpc", "CidrBlock=10.8.0.0/16", "vpcId");
            let v2 = f.ok_field("CreateVpc", "CidrBlock=10.9.0.0/16", "vpcId");
            let pcx = f.ok_field(
                "CreateVpcPeeringConnection",
                &format!("VpcId={v}&PeerVpcId={v2}"),
                "vpcPeeringConnectionId",
            );
            f.ok(
                "AcceptVpcPeeringConnection",
                &format!("VpcPeeringConnectionId={pcx}"),
            );
            f.call("DeleteVpc", &format!("VpcId={v}"))
        }),
        ("accepter deletes a vpc with a pending request", |f| {
            let (_, peer_b) = f.cross_account_request();
            err(call_as(
                &mut f.env,
                B,
                "DeleteVpc",
                &format!("VpcId={peer_b}"),
            ))
        }),
        // --- Subnets and addresses ---
        ("subnet limit", |f| {
            f.env.limits.subnets_per_vpc = Some(1);
            f.call("CreateSubnet", "VpcId={vpc}&CidrBlock=10.0.2.0/24")
        }),
        ("address outside the subnet", |f| {
            f.call("RunInstances", "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&PrivateIpAddress=10.0.9.9")
        }),
        ("reserved address", |f| {
            f.call("RunInstances", "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&PrivateIpAddress=10.0.1.2")
        }),
        ("address in use", |f| {
            f.ok("RunInstances", "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&PrivateIpAddress=10.0.1.10");
            f.call("RunInstances", "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&PrivateIpAddress=10.0.1.10")
        }),
        ("subnet full (interface)", |f| {
            let s = f.ok_field(
                "CreateSubnet",
                "VpcId={vpc}&CidrBlock=10.0.3.0/28",
                "subnetId",
            );
            for _ in 0..11 {
                f.eni(&s);
            }
            f.call(
                "CreateNatGateway",
                &format!("SubnetId={s}&ConnectivityType=private"),
            )
        }),
        ("subnet full (launch)", |f| {
            let s = f.ok_field(
                "CreateSubnet",
                "VpcId={vpc}&CidrBlock=10.0.3.0/28",
                "subnetId",
            );
            f.call(
                "RunInstances",
                &format!("ImageId=ami-12345678&MinCount=12&MaxCount=12&SubnetId={s}"),
            )
        }),
        // --- Route tables and routes ---
        ("route table limit", |f| {
            f.env.limits.route_tables_per_vpc = Some(2);
            f.call("CreateRouteTable", "VpcId={vpc}")
        }),
        ("route limit", |f| {
            f.env.limits.routes_per_table = Some(0);
            f.call(
                "CreateRoute",
                "RouteTableId={rtb}&DestinationCidrBlock=0.0.0.0/0&GatewayId={igw}",
            )
        }),
        ("reserved v4 destination", |f| {
            f.call(
                "CreateRoute",
                "RouteTableId={rtb}&DestinationCidrBlock=169.254.168.0/24&GatewayId={igw}",
            )
        }),
        ("reserved v6 destination", |f| {
            f.call(
                "CreateRoute",
                "RouteTableId={rtb}&DestinationIpv6CidrBlock=fd00:ec2::/40&GatewayId={igw}",
            )
        }),
        ("two targets", |f| {
            f.call("CreateRoute", "RouteTableId={rtb}&DestinationCidrBlock=0.0.0.0/0&GatewayId={igw}&NatGatewayId=nat-0123456789abcdef0")
        }),
        ("target of another vpc", |f| {
            let eni = f.eni("{subnet2}");
            f.call(
                "CreateRoute",
                &format!(
                    "RouteTableId={{rtb}}&DestinationCidrBlock=0.0.0.0/0&NetworkInterfaceId={eni}"
                ),
            )
        }),
        ("subnet of another vpc", |f| {
            f.call(
                "AssociateRouteTable",
                "RouteTableId={rtb}&SubnetId={subnet2}",
            )
        }),
        ("edge gateway of another vpc", |f| {
            f.call("AssociateRouteTable", "RouteTableId={rtb2}&GatewayId={igw}")
        }),
        ("subnet already associated", |f| {
            f.ok(
                "AssociateRouteTable",
                "RouteTableId={rtb}&SubnetId={subnet}",
            );
            let rtb3 = f.ok_field("CreateRouteTable", "VpcId={vpc}", "routeTableId");
            f.call(
                "AssociateRouteTable",
                &format!("RouteTableId={rtb3}&SubnetId={{subnet}}"),
            )
        }),
        ("gateway already associated", |f| {
            f.ok("AssociateRouteTable", "RouteTableId={rtb}&GatewayId={igw}");
            let rtb3 = f.ok_field("CreateRouteTable", "VpcId={vpc}", "routeTableId");
            f.call(
                "AssociateRouteTable",
                &format!("RouteTableId={rtb3}&GatewayId={{igw}}"),
            )
        }),
        ("main association", |f| {
            let main = f.main_association(&f.vpc);
            f.call("DisassociateRouteTable", &format!("AssociationId={main}"))
        }),
        ("replace with a table of another vpc", |f| {
            let x = f.ok(
                "AssociateRouteTable",
                "RouteTableId={rtb}&SubnetId={subnet}",
            );
            let assoc = first(&x, "associationId");
            f.call(
                "ReplaceRouteTableAssociation",
                &format!("AssociationId={assoc}&RouteTableId={{rtb2}}"),
            )
        }),
        ("instance with two interfaces", |f| {
            let x = f.ok(
                "RunInstances",
                "ImageId=ami-12345678&MinCount=1&MaxCount=1&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId={subnet}&NetworkInterface.2.DeviceIndex=1&NetworkInterface.2.SubnetId={subnet}",
            );
            let i = first(&x, "instanceId");
            f.call(
                "CreateRoute",
                &format!("RouteTableId={{rtb}}&DestinationCidrBlock=0.0.0.0/0&InstanceId={i}"),
            )
        }),
        ("egress-only gateway for ipv4", |f| {
            f.call("CreateRoute", "RouteTableId={rtb}&DestinationCidrBlock=0.0.0.0/0&EgressOnlyInternetGatewayId=eigw-0123456789abcdef0")
        }),
        ("more specific than the vpc", |f| {
            f.call(
                "CreateRoute",
                "RouteTableId={rtb}&DestinationCidrBlock=10.0.5.0/24&GatewayId={igw}",
            )
        }),
        ("local route created", |f| {
            f.call(
                "CreateRoute",
                "RouteTableId={rtb}&DestinationCidrBlock=10.0.0.0/24&GatewayId=local",
            )
        }),
        ("local route replaced", |f| {
            f.call(
                "ReplaceRoute",
                "RouteTableId={rtb}&DestinationCidrBlock=10.0.0.0/16&GatewayId={igw}",
            )
        }),
        ("outside route made local", |f| {
            f.ok(
                "CreateRoute",
                "RouteTableId={rtb}&DestinationCidrBlock=0.0.0.0/0&GatewayId={igw}",
            );
            f.call(
                "ReplaceRoute",
                "RouteTableId={rtb}&DestinationCidrBlock=0.0.0.0/0&GatewayId=local",
            )
        }),
        ("local route deleted", |f| {
            f.call(
                "DeleteRoute",
                "RouteTableId={rtb}&DestinationCidrBlock=10.0.0.0/16",
            )
        }),
        // --- Peering ---
        ("peering with itself", |f| {
            f.call("CreateVpcPeeringConnection", "VpcId={vpc}&PeerVpcId={vpc}")
        }),
        ("outstanding limit", |f| {
            f.env.limits.outstanding_peering_requests = Some(0);
            f.call("CreateVpcPeeringConnection", "VpcId={vpc}&PeerVpcId={vpc2}")
        }),
        ("active limit", |f| {
            f.env.limits.active_peerings_per_vpc = Some(0);
            let pcx = f.pending_peering();
            f.call(
                "AcceptVpcPeeringConnection",
                &format!("VpcPeeringConnectionId={pcx}"),
            )
        }),
        ("requester accepts", |f| {
            let (pcx, _) = f.cross_account_request();
            f.call(
                "AcceptVpcPeeringConnection",
                &format!("VpcPeeringConnectionId={pcx}"),
            )
        }),
        ("accepted in the wrong region", |f| {
            let far = f.far_vpc(B);
            let pcx = f.ok_field(
                "CreateVpcPeeringConnection",
                &format!("VpcId={{vpc}}&PeerVpcId={far}&PeerOwnerId={B}&PeerRegion=us-west-2"),
                "vpcPeeringConnectionId",
            );
            err(call_as(
                &mut f.env,
                B,
                "AcceptVpcPeeringConnection",
                &format!("VpcPeeringConnectionId={pcx}"),
            ))
        }),
        ("requester rejects", |f| {
            let (pcx, _) = f.cross_account_request();
            f.call(
                "RejectVpcPeeringConnection",
                &format!("VpcPeeringConnectionId={pcx}"),
            )
        }),
        ("accepter deletes a pending request", |f| {
            let (pcx, _) = f.cross_account_request();
            err(call_as(
                &mut f.env,
                B,
                "DeleteVpcPeeringConnection",
                &format!("VpcPeeringConnectionId={pcx}"),
            ))
        }),
        ("accepter modifies the requester side", |f| {
            let pcx = f.cross_account_peering();
            err(call_as(&mut f.env, B, "ModifyVpcPeeringConnectionOptions", &format!("VpcPeeringConnectionId={pcx}&RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=true")))
        }),
        ("requester modifies the accepter side", |f| {
            let pcx = f.cross_account_peering();
            f.call("ModifyVpcPeeringConnectionOptions", &format!("VpcPeeringConnectionId={pcx}&AccepterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=true"))
        }),
        ("options of a pending request", |f| {
            let pcx = f.pending_peering();
            f.call("ModifyVpcPeeringConnectionOptions", &format!("VpcPeeringConnectionId={pcx}&RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=true"))
        }),
        ("classic link across regions", |f| {
            let pcx = f.inter_region_peering();
            f.call("ModifyVpcPeeringConnectionOptions", &format!("VpcPeeringConnectionId={pcx}&RequesterPeeringConnectionOptions.AllowEgressFromLocalClassicLinkToRemoteVpc=true"))
        }),
        ("dns without hostnames", |f| {
            let pcx = f.active_peering();
            f.call("ModifyVpcPeeringConnectionOptions", &format!("VpcPeeringConnectionId={pcx}&RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=true"))
        }),
        // --- Tags ---
        ("reserved tag key", |f| {
            f.call(
                "CreateTags",
                "ResourceId.1={vpc}&Tag.1.Key=aws:x&Tag.1.Value=v",
            )
        }),
        ("empty tag key", |f| {
            f.call("CreateTags", "ResourceId.1={vpc}&Tag.1.Key=&Tag.1.Value=v")
        }),
        ("tag key character", |f| {
            err(f.run_in(
                (A, "us-east-1"),
                "CreateTags",
                "ResourceId.1={vpc}&Tag.1.Key=a%01b&Tag.1.Value=v",
            ))
        }),
        ("tag value too long", |f| {
            let long = "x".repeat(257);
            f.call(
                "CreateTags",
                &format!("ResourceId.1={{vpc}}&Tag.1.Key=k&Tag.1.Value={long}"),
            )
        }),
        ("tag value character", |f| {
            err(f.run_in(
                (A, "us-east-1"),
                "CreateTags",
                "ResourceId.1={vpc}&Tag.1.Key=k&Tag.1.Value=a%7Fb",
            ))
        }),
        ("duplicate tag key", |f| {
            f.call(
                "CreateTags",
                "ResourceId.1={vpc}&Tag.1.Key=k&Tag.1.Value=a&Tag.2.Key=k&Tag.2.Value=b",
            )
        }),
        ("tag limit on a resource", |f| {
            f.env.limits.tags_per_resource = Some(1);
            f.call(
                "CreateTags",
                "ResourceId.1={vpc}&Tag.1.Key=a&Tag.1.Value=a&Tag.2.Key=b&Tag.2.Value=b",
            )
        }),
        ("tag limit on creation", |f| {
            f.env.limits.tags_per_resource = Some(1);
            f.call("CreateVpc", "CidrBlock=10.9.0.0/16&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=a&TagSpecification.1.Tag.1.Value=a&TagSpecification.1.Tag.2.Key=b&TagSpecification.1.Tag.2.Value=b")
        }),
        // --- Security groups ---
        ("group name unknown", |f| {
            f.call("DeleteSecurityGroup", "GroupName=nope")
        }),
        ("group name like an id", |f| {
            f.call(
                "CreateSecurityGroup",
                "VpcId={vpc}&GroupName=sg-web&GroupDescription=d",
            )
        }),
        ("group name reserved", |f| {
            f.call(
                "CreateSecurityGroup",
                "VpcId={vpc}&GroupName=default&GroupDescription=d",
            )
        }),
        ("group name taken", |f| {
            f.sg("{vpc}", "web");
            f.call(
                "CreateSecurityGroup",
                "VpcId={vpc}&GroupName=web&GroupDescription=d",
            )
        }),
        ("group limit", |f| {
            f.env.limits.security_groups_per_region = Some(2);
            f.call(
                "CreateSecurityGroup",
                "VpcId={vpc}&GroupName=web&GroupDescription=d",
            )
        }),
        ("default group deleted", |f| {
            let g = f.env.default_sg(&f.vpc);
            f.call("DeleteSecurityGroup", &format!("GroupId={g}"))
        }),
        ("group used by an interface", |f| {
            let g = f.sg("{vpc}", "web");
            f.ok(
                "RunInstances",
                &format!(
                    "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={{subnet}}&SecurityGroupId.1={g}"
                ),
            );
            f.call("DeleteSecurityGroup", &format!("GroupId={g}"))
        }),
        ("group referenced", |f| {
            let g = f.sg("{vpc}", "web");
            let h = f.sg("{vpc}", "app");
            f.ok("AuthorizeSecurityGroupIngress", &format!("GroupId={h}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=80&IpPermissions.1.Groups.1.GroupId={g}"));
            f.call("DeleteSecurityGroup", &format!("GroupId={g}"))
        }),
        ("referenced name not in the vpc", |f| {
            let g = f.sg("{vpc}", "web");
            f.call("AuthorizeSecurityGroupIngress", &format!("GroupId={g}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=80&IpPermissions.1.Groups.1.GroupName=nope"))
        }),
        ("referenced group in another region", |f| {
            let far = f.far_vpc(A);
            let fg = first(
                &f.run_in(
                    west(A),
                    "CreateSecurityGroup",
                    &format!("VpcId={far}&GroupName=far&GroupDescription=d"),
                )
                .unwrap(),
                "groupId",
            );
            let g = f.sg("{vpc}", "web");
            f.call("AuthorizeSecurityGroupIngress", &format!("GroupId={g}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=80&IpPermissions.1.Groups.1.GroupId={fg}"))
        }),
        ("referenced group not peered", |f| {
            let g = f.sg("{vpc}", "web");
            let other = f.sg("{vpc2}", "other");
            f.call("AuthorizeSecurityGroupIngress", &format!("GroupId={g}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=80&IpPermissions.1.Groups.1.GroupId={other}"))
        }),
        ("permission twice in a request", |f| {
            let g = f.sg("{vpc}", "web");
            f.call("AuthorizeSecurityGroupIngress", &format!("GroupId={g}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=80&IpPermissions.1.IpRanges.1.CidrIp=10.9.0.0/16&IpPermissions.2.IpProtocol=tcp&IpPermissions.2.FromPort=80&IpPermissions.2.ToPort=80&IpPermissions.2.IpRanges.1.CidrIp=10.9.0.0/16"))
        }),
        ("permission exists (ports)", |f| {
            let g = f.sg("{vpc}", "web");
            let body = format!("GroupId={g}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=81&IpPermissions.1.IpRanges.1.CidrIp=10.9.0.0/16");
            f.ok("AuthorizeSecurityGroupIngress", &body);
            f.call("AuthorizeSecurityGroupIngress", &body)
        }),
        ("permission exists (all, group)", |f| {
            let g = f.sg("{vpc}", "web");
            let body = format!(
                "GroupId={g}&IpPermissions.1.IpProtocol=-1&IpPermissions.1.Groups.1.GroupId={g}"
            );
            f.ok("AuthorizeSecurityGroupIngress", &body);
            f.call("AuthorizeSecurityGroupIngress", &body)
        }),
        ("permission exists (ipv6, prefix list)", |f| {
            let g = f.sg("{vpc}", "web");
            let body = format!("GroupId={g}&IpPermissions.1.IpProtocol=udp&IpPermissions.1.FromPort=53&IpPermissions.1.ToPort=53&IpPermissions.1.Ipv6Ranges.1.CidrIpv6=2001:db8::/32&IpPermissions.1.PrefixListIds.1.PrefixListId=pl-12345678");
            f.ok("AuthorizeSecurityGroupIngress", &body);
            f.call("AuthorizeSecurityGroupIngress", &body)
        }),
        ("rule limit", |f| {
            f.env.limits.rules_per_security_group = Some(1);
            let g = f.sg("{vpc}", "web");
            f.call("AuthorizeSecurityGroupIngress", &format!("GroupId={g}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=80&IpPermissions.1.IpRanges.1.CidrIp=10.9.0.0/16&IpPermissions.1.IpRanges.2.CidrIp=10.8.0.0/16"))
        }),
        ("prefix list malformed", |f| {
            let g = f.sg("{vpc}", "web");
            f.call("AuthorizeSecurityGroupIngress", &format!("GroupId={g}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=80&IpPermissions.1.PrefixListIds.1.PrefixListId=pl-xyz"))
        }),
        // --- Instances ---
        ("launch group of another vpc", |f| {
            let g = f.sg("{vpc2}", "other");
            f.call(
                "RunInstances",
                &format!(
                    "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={{subnet}}&SecurityGroupId.1={g}"
                ),
            )
        }),
        ("interfaces with a subnet", |f| {
            f.call("RunInstances", "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId={subnet}")
        }),
        ("interfaces with groups", |f| {
            let g = f.env.default_sg(&f.vpc);
            f.call("RunInstances", &format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SecurityGroupId.1={g}&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId={{subnet}}"))
        }),
        ("interfaces with an address", |f| {
            f.call("RunInstances", "ImageId=ami-12345678&MinCount=1&MaxCount=1&PrivateIpAddress=10.0.1.20&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId={subnet}")
        }),
        ("device index twice", |f| {
            f.call("RunInstances", "ImageId=ami-12345678&MinCount=1&MaxCount=1&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId={subnet}&NetworkInterface.2.DeviceIndex=0&NetworkInterface.2.SubnetId={subnet}")
        }),
        ("no primary interface", |f| {
            f.call("RunInstances", "ImageId=ami-12345678&MinCount=1&MaxCount=1&NetworkInterface.1.DeviceIndex=1&NetworkInterface.1.SubnetId={subnet}")
        }),
        ("interfaces in two zones", |f| {
            let b = f.ok_field(
                "CreateSubnet",
                "VpcId={vpc}&CidrBlock=10.0.4.0/24&AvailabilityZone=us-east-1b",
                "subnetId",
            );
            f.call("RunInstances", &format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId={{subnet}}&NetworkInterface.2.DeviceIndex=1&NetworkInterface.2.SubnetId={b}"))
        }),
        ("client token reused", |f| {
            f.ok(
                "RunInstances",
                "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&ClientToken=tok",
            );
            f.call(
                "RunInstances",
                "ImageId=ami-12345678&MinCount=1&MaxCount=2&SubnetId={subnet}&ClientToken=tok",
            )
        }),
        ("unknown instance type", |f| {
            f.call(
                "RunInstances",
                "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&InstanceType=Bogus",
            )
        }),
        // --- Network insights ---
        ("path to itself", |f| {
            let eni = f.eni("{subnet}");
            f.call(
                "CreateNetworkInsightsPath",
                &format!("Source={eni}&Destination={eni}&Protocol=tcp&DestinationPort=80"),
            )
        }),
        ("path with analyses", |f| {
            let a = f.eni("{subnet}");
            let b = f.eni("{subnet}");
            let nip = f.ok_field(
                "CreateNetworkInsightsPath",
                &format!("Source={a}&Destination={b}&Protocol=tcp&DestinationPort=80"),
                "networkInsightsPathId",
            );
            f.ok(
                "StartNetworkInsightsAnalysis",
                &format!("NetworkInsightsPathId={nip}"),
            );
            f.call(
                "DeleteNetworkInsightsPath",
                &format!("NetworkInsightsPathId={nip}"),
            )
        }),
    ]
}

/// Name, HTTP status, EC2 code and message, as answered before the model's errors were
/// structured.
#[rustfmt::skip]
const WANT: &[(&str, u16, &str, &str)] = &[
    ("igw limit", 400, "InternetGatewayLimitExceeded", "The maximum number of internet gateways has been reached."),
    ("igw attached elsewhere", 400, "Resource.AlreadyAssociated", "resource igw-af2e4e21c8be95494 is already attached to network vpc-aeaf52febe7060642"),
    ("vpc has an igw", 400, "Resource.AlreadyAssociated", "Network vpc-aeaf52febe7060642 already has an internet gateway attached (igw-af2e4e21c8be95494)"),
    ("igw detached from the wrong vpc", 400, "Gateway.NotAttached", "the gateway 'igw-af2e4e21c8be95494' is not attached to 'vpc-77fdc7a8429e48dda'"),
    ("igw with an edge association", 400, "DependencyViolation", "The internetGateway 'igw-af2e4e21c8be95494' has dependencies and cannot be deleted. (it is associated with route table rtb-c440b4f2f8713d7c5)"),
    ("nat allocation malformed", 400, "InvalidParameterValue", "The allocation ID 'bogus' is malformed"),
    ("nat allocation in use", 400, "Resource.AlreadyAssociated", "Elastic IP address [eipalloc-3bb3984531bf2ea2c] is already associated with nat-75ecd25279d84c081"),
    ("nat interface is managed", 400, "OperationNotPermitted", "You do not have permission to access the specified resource: eni-75ecd25279d84c081 is managed by AWS"),
    ("default acl", 400, "InvalidParameterValue", "cannot delete default network ACL acl-c291b7c136aa67919"),
    ("acl with a subnet", 400, "DependencyViolation", "The networkAcl 'acl-3bb3984531bf2ea2c' has dependencies and cannot be deleted. (subnet subnet-90b695a9257c70454 is associated with it)"),
    ("acl of another vpc", 400, "InvalidParameterValue", "Network ACL acl-3bb3984531bf2ea2c and subnet subnet-90b695a9257c70454 belong to different networks."),
    ("vpc limit", 400, "VpcLimitExceeded", "The maximum number of VPCs has been reached."),
    ("sixth ipv6 block", 400, "CidrLimitExceeded", "This network vpc-3bb3984531bf2ea2c has met its maximum number of allowed CIDRs: 5"),
    ("ipv4 block limit", 400, "CidrLimitExceeded", "This network vpc-aeaf52febe7060642 has met its maximum number of allowed CIDRs: 1"),
    ("block covers a route", 400, "InvalidParameterValue", "The CIDR '10.7.0.0/16' is equal to or larger than the destination of an existing route in a route table of vpc-aeaf52febe7060642."),
    ("block while a request is pending", 400, "OperationNotPermitted", "The vpc 'vpc-aeaf52febe7060642' has a pending VPC peering connection request (pcx-3bb3984531bf2ea2c); CIDR blocks cannot be added until it is accepted, rejected or deleted."),
    ("block overlaps a peer", 400, "OperationNotPermitted", "The CIDR '10.7.0.0/16' overlaps with a CIDR of VPC vpc-aeaf52febe7060642, which is peered with vpc-77fdc7a8429e48dda by pcx-3bb3984531bf2ea2c."),
    ("primary block", 400, "OperationNotPermitted", "The vpc CIDR block with association ID vpc-cidr-assoc-43ec2be544b589b60 may not be disassociated. It is the primary IPv4 CIDR block of the VPC"),
    ("block with subnets", 400, "DependencyViolation", "The vpc 'vpc-aeaf52febe7060642' has dependencies and cannot be deleted. (subnets use the CIDR block 10.7.0.0/16)"),
    ("hostnames without dns support", 400, "InvalidParameterCombination", "Cannot enable DNS hostnames unless DNS support is enabled"),
    ("dns support off under hostnames", 400, "InvalidParameterCombination", "Cannot disable DNS support while DNS hostnames are enabled"),
    ("delete a peered vpc", 400, "DependencyViolation", "The vpc 'vpc-3bb3984531bf2ea2c' has dependencies and cannot be deleted. (active VPC peering connection pcx-5e454bebdf3205100)"),
    ("accepter deletes a vpc with a pending request", 400, "DependencyViolation", "The vpc 'vpc-3648b8e897c2e8d93' has dependencies and cannot be deleted. (pending VPC peering connection request pcx-5e454bebdf3205100 (reject it first))"),
    ("subnet limit", 400, "SubnetLimitExceeded", "The maximum number of subnets (1) has been reached for vpc-aeaf52febe7060642."),
    ("address outside the subnet", 400, "InvalidParameterValue", "Address 10.0.9.9 does not fall within the subnet's address range"),
    ("reserved address", 400, "InvalidParameterValue", "Address 10.0.1.2 is reserved by AWS in subnet subnet-90b695a9257c70454"),
    ("address in use", 400, "InvalidIPAddress.InUse", "address 10.0.1.10 is in use"),
    ("subnet full (interface)", 400, "InsufficientFreeAddressesInSubnet", "insufficient free addresses in subnet subnet-3bb3984531bf2ea2c"),
    ("subnet full (launch)", 400, "InsufficientFreeAddressesInSubnet", "insufficient free addresses in subnet subnet-3bb3984531bf2ea2c"),
    ("route table limit", 400, "RouteTableLimitExceeded", "The maximum number of route tables (2) has been reached for vpc-aeaf52febe7060642."),
    ("route limit", 400, "RouteLimitExceeded", "The maximum number of routes (0) has been reached for route table rtb-c440b4f2f8713d7c5."),
    ("reserved v4 destination", 400, "InvalidParameterValue", "The destination CIDR block 169.254.168.0/24 is reserved (169.254.168.0/22) and cannot be used for a route."),
    ("reserved v6 destination", 400, "InvalidParameterValue", "The destination CIDR block fd00:ec2::/40 is reserved (fd00:ec2::/32) and cannot be used for a route."),
    ("two targets", 400, "InvalidParameterCombination", "More than one target was specified; a route has exactly one target."),
    ("target of another vpc", 400, "InvalidParameterValue", "route table rtb-c440b4f2f8713d7c5 and network gateway eni-fd7cab64d3f2e416b belong to different networks"),
    ("subnet of another vpc", 400, "InvalidParameterValue", "route table rtb-c440b4f2f8713d7c5 and subnet subnet-0f01be259486e9415 belong to different networks"),
    ("edge gateway of another vpc", 400, "InvalidParameterValue", "route table rtb-6ac4b2f18eeba85ce and network gateway igw-af2e4e21c8be95494 belong to different networks"),
    ("subnet already associated", 400, "Resource.AlreadyAssociated", "the specified association for route table rtb-75ecd25279d84c081 conflicts with an existing association: subnet-90b695a9257c70454 is already associated by rtbassoc-3bb3984531bf2ea2c"),
    ("gateway already associated", 400, "Resource.AlreadyAssociated", "the specified association for route table rtb-75ecd25279d84c081 conflicts with an existing association: igw-af2e4e21c8be95494 is already associated by rtbassoc-3bb3984531bf2ea2c"),
    ("main association", 400, "InvalidParameterValue", "The association rtbassoc-a553b8a65aacb8ccd is the main route table association and cannot be disassociated; use ReplaceRouteTableAssociation."),
    ("replace with a table of another vpc", 400, "InvalidParameterValue", "route table rtb-6ac4b2f18eeba85ce and association rtbassoc-3bb3984531bf2ea2c belong to different networks"),
    ("instance with two interfaces", 400, "InvalidParameterValue", "There are multiple interfaces attached to instance 'i-75ecd25279d84c081'. Please specify an interface ID for the operation instead."),
    ("egress-only gateway for ipv4", 400, "InvalidParameterValue", "Egress-only internet gateway eigw-0123456789abcdef0 can only be the target of IPv6 routes."),
    ("more specific than the vpc", 400, "InvalidParameterValue", "The destination CIDR block 10.0.5.0/24 is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface, an instance or a NAT gateway, and its destination must match a subnet CIDR block."),
    ("local route created", 400, "InvalidParameterValue", "The destination CIDR block 10.0.0.0/24 does not match a CIDR block of vpc-aeaf52febe7060642; local routes are created with the VPC's blocks."),
    ("local route replaced", 400, "InvalidParameterValue", "The local route 10.0.0.0/16 of route table rtb-c440b4f2f8713d7c5 cannot be replaced with a non-local target."),
    ("outside route made local", 400, "InvalidParameterValue", "The destination CIDR block 0.0.0.0/0 is outside the CIDR blocks of vpc-aeaf52febe7060642; only routes inside the VPC's blocks can target local."),
    ("local route deleted", 400, "InvalidParameterValue", "cannot remove local route 10.0.0.0/16 in route table rtb-c440b4f2f8713d7c5"),
    ("peering with itself", 400, "InvalidParameterValue", "The requested VPC peering connection has a VPC and peer VPC that are the same (vpc-aeaf52febe7060642)"),
    ("outstanding limit", 400, "OutstandingVpcPeeringConnectionLimitExceeded", "You have reached the limit of 0 outstanding VPC peering connection requests."),
    ("active limit", 400, "ActiveVpcPeeringConnectionPerVpcLimitExceeded", "The maximum number of active VPC peering connections (0) has been reached for vpc-aeaf52febe7060642."),
    ("requester accepts", 400, "OperationNotPermitted", "User 111111111111 cannot accept peering pcx-5e454bebdf3205100"),
    ("accepted in the wrong region", 400, "OperationNotPermitted", "Incorrect region (us-east-1) specified for this request. VPC peering connection pcx-3648b8e897c2e8d93 must be accepted in region us-west-2"),
    ("requester rejects", 400, "OperationNotPermitted", "User (111111111111) cannot reject peering pcx-5e454bebdf3205100"),
    ("accepter deletes a pending request", 400, "OperationNotPermitted", "User 222222222222 cannot delete peering pcx-5e454bebdf3205100: a pending request can only be deleted by its requester; the accepter may reject it"),
    ("accepter modifies the requester side", 400, "OperationNotPermitted", "User 222222222222 does not have permission to modify the requester side peering options"),
    ("requester modifies the accepter side", 400, "OperationNotPermitted", "User 111111111111 does not have permission to modify the accepter side peering options"),
    ("options of a pending request", 400, "OperationNotPermitted", "Peering pcx-3bb3984531bf2ea2c is not active. Peering options can be added only to active peerings."),
    ("classic link across regions", 400, "OperationNotPermitted", "Modifying VPC peering connection options AllowEgressFromLocalVpcToRemoteClassicLink and AllowEgressFromLocalClassicLinkToRemoteVpc is not supported for cross-region VPC peering connections (pcx-3648b8e897c2e8d93)"),
    ("dns without hostnames", 400, "InvalidVpcPeeringConnectionState.DnsHostnamesDisabled", "Unable to modify peering connection options for pcx-3bb3984531bf2ea2c, as one or more VPCs (vpc-aeaf52febe7060642) do not have DNS hostnames and DNS support enabled."),
    ("reserved tag key", 400, "InvalidTagKey.Malformed", "Tag key 'aws:x' is not valid: keys may not be empty, longer than 128 characters, or start with 'aws:'"),
    ("empty tag key", 400, "InvalidTagKey.Malformed", "Tag key '' is not valid: keys may not be empty, longer than 128 characters, or start with 'aws:'"),
    ("tag key character", 400, "InvalidTagKey.Malformed", "Tag key 'a\\u0001b' is not valid: it contains the character \\u0001 at position 2"),
    ("tag value too long", 400, "InvalidParameterValue", "Tag value for key 'k' exceeds the maximum length of 256 characters"),
    ("tag value character", 400, "InvalidParameterValue", "Tag value for key 'k' contains the character \\u007F at position 2, which is not allowed"),
    ("duplicate tag key", 400, "InvalidParameterValue", "Duplicate tag key 'k' specified in the request"),
    ("tag limit on a resource", 400, "TagLimitExceeded", "The maximum number of tags per resource (1) would be exceeded for 'vpc-aeaf52febe7060642'"),
    ("tag limit on creation", 400, "TagLimitExceeded", "The maximum number of tags per resource (1) would be exceeded"),
    ("group name unknown", 400, "InvalidGroup.NotFound", "The security group 'nope' does not exist"),
    ("group name like an id", 400, "InvalidParameterValue", "Group names may not be in the format sg-*: 'sg-web'"),
    ("group name reserved", 400, "InvalidGroup.Reserved", "the security group name 'default' is reserved"),
    ("group name taken", 400, "InvalidGroup.Duplicate", "the security group 'web' already exists for VPC 'vpc-aeaf52febe7060642'"),
    ("group limit", 400, "SecurityGroupLimitExceeded", "You have exceeded the number of VPC security groups allowed per region."),
    ("default group deleted", 400, "CannotDelete", "the default security group cannot be deleted"),
    ("group used by an interface", 400, "DependencyViolation", "The security group 'sg-3bb3984531bf2ea2c' has dependencies and cannot be deleted. (network interface eni-d8056203b5e35100f uses it)"),
    ("group referenced", 400, "DependencyViolation", "The security group 'sg-3bb3984531bf2ea2c' has dependencies and cannot be deleted. (security group sg-fd7cab64d3f2e416b references it)"),
    ("referenced name not in the vpc", 400, "InvalidGroup.NotFound", "The security group 'nope' does not exist in VPC 'vpc-aeaf52febe7060642'"),
    ("referenced group in another region", 400, "InvalidGroup.NotFound", "You have specified two resources that belong to different networks. Security group sg-3648b8e897c2e8d93 is in region us-west-2 and sg-01cc30f758da8489a is in region us-east-1: security group references do not work across regions (inter-region VPC peering); reference the peer VPC's CIDR blocks instead."),
    ("referenced group not peered", 400, "InvalidGroup.NotFound", "You have specified two resources that belong to different networks."),
    ("permission twice in a request", 400, "InvalidParameterValue", "The same permission must not appear multiple times"),
    ("permission exists (ports)", 400, "InvalidPermission.Duplicate", "the specified rule already exists: \"peer: 10.9.0.0/16, TCP, from port: 80, to port: 81, ALLOW\""),
    ("permission exists (all, group)", 400, "InvalidPermission.Duplicate", "the specified rule already exists: \"peer: sg-3bb3984531bf2ea2c, ALL, ALLOW\""),
    ("permission exists (ipv6, prefix list)", 400, "InvalidPermission.Duplicate", "the specified rule already exists: \"peer: 2001:db8::/32, UDP, from port: 53, to port: 53, ALLOW\""),
    ("rule limit", 400, "RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached."),
    ("prefix list malformed", 400, "InvalidParameterValue", "The prefix list ID 'pl-xyz' is malformed"),
    ("launch group of another vpc", 400, "InvalidGroup.NotFound", "The security group 'sg-3bb3984531bf2ea2c' does not exist in VPC 'vpc-aeaf52febe7060642'"),
    ("interfaces with a subnet", 400, "InvalidParameterCombination", "Network interfaces and an instance-level subnet ID may not be specified on the same request"),
    ("interfaces with groups", 400, "InvalidParameterCombination", "Network interfaces and an instance-level security groups may not be specified on the same request"),
    ("interfaces with an address", 400, "InvalidParameterCombination", "Network interfaces and an instance-level private IP address may not be specified on the same request"),
    ("device index twice", 400, "InvalidParameterValue", "Each network interface requires a unique device index; 0 is given twice"),
    ("no primary interface", 400, "InvalidParameterValue", "A network interface with device index 0 (the primary interface) is required"),
    ("interfaces in two zones", 400, "InvalidParameterValue", "The network interfaces of an instance must be in one availability zone; subnet subnet-3bb3984531bf2ea2c is in us-east-1b, the primary interface's subnet in us-east-1a"),
    ("client token reused", 400, "IdempotentParameterMismatch", "client token tok was reused with different parameters"),
    ("unknown instance type", 400, "InvalidParameterValue", "Invalid value 'Bogus' for InstanceType."),
    ("path to itself", 400, "InvalidParameterCombination", "Source and Destination must be different resources."),
    ("path with analyses", 400, "DependencyViolation", "The resource 'nip-3648b8e897c2e8d93' has dependencies and cannot be deleted. (the path has analyses; delete them first)"),
];

#[test]
fn every_former_model_message_is_answered_byte_for_byte() {
    let cases = cases();
    let mut got = Vec::new();
    for (name, case) in &cases {
        let mut f = fx();
        let e = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&mut f)))
            .unwrap_or_else(|_| panic!("case {name} failed to set up"));
        got.push((*name, e.status, e.code, e.message));
    }
    if std::env::var_os("RECORD_MESSAGES").is_some() {
        for (name, status, code, message) in &got {
            println!("    ({name:?}, {status}, {code:?}, {message:?}),");
        }
    }
    let want: Vec<(&str, u16, String, String)> = WANT
        .iter()
        .map(|(n, s, c, m)| (*n, *s, (*c).to_owned(), (*m).to_owned()))
        .collect();
    assert_eq!(got.len(), want.len(), "one row per case");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
}
