//! The Aviatrix-compatible API end to end: a real `vpcpeer serve` (the built binary) on a data
//! directory; two VPCs with public subnets made through EC2; then, through `/v2/api` form posts
//! only, a login, an account, a gateway with its HA backup in each VPC and an encrypted peering
//! with HA. The emulator then holds the gateway instances and the routes to them (read back
//! through EC2), and a restart on the same directory still knows the peering. Then a native AWS
//! peering of the same VPCs (`create_aws_peering` with a route table list) and its deletion, and
//! an Azure VNet peering (`arm_peer_vnet_pair`) of two VNets made through ARM. Last,
//! `POST /_vpcpeer/reset` empties the API's state with the world (the session stays), also
//! across a restart, and an edge error at `/v2/api` is in the API's own JSON.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

const ACCOUNT: &str = "111111111111";

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(dir: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vpcpeer"))
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-listen", "off"])
            .arg("--no-default-vpc")
            .arg("--data-dir")
            .arg(dir)
            // 32 zero bytes: the gateway keys' secret, so nothing is written under $HOME.
            .env(
                "VPCPEER_GATEWAY_SECRET",
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            )
            .env_remove("VPCPEER_AVIATRIX_PASSWORD")
            .env_remove("VPCPEER_AVIATRIX_USERNAME")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the vpcpeer binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("a first line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// One HTTP/1.1 request; the status and the body.
    fn http(&self, method: &str, path: &str, headers: &str, body: &str) -> (u16, String) {
        self.http_typed(
            method,
            path,
            "application/x-www-form-urlencoded",
            headers,
            body,
        )
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.http("GET", path, "", "")
    }

    fn http_typed(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        headers: &str,
        body: &str,
    ) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).expect("connects");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Type: {content_type}\r\n{headers}\
             Content-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .expect("sends");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("reads");
        let status = out[9..12].parse().expect("a status");
        let body = out.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
        (status, body.to_string())
    }

    fn ec2(&self, params: &str) -> String {
        let auth = format!(
            "Authorization: AWS4-HMAC-SHA256 Credential={ACCOUNT}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00\r\n"
        );
        let (status, body) = self.http("POST", "/", &auth, &format!("Version=2016-11-15&{params}"));
        assert_eq!(status, 200, "{params}: {body}");
        body
    }

    fn avx(&self, body: &str) -> serde_json::Value {
        let (status, text) = self.http("POST", "/v2/api", "", body);
        assert_eq!(status, 200, "{body}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{body}: {e}: {text}"))
    }

    fn avx_ok(&self, body: &str) -> serde_json::Value {
        let v = self.avx(body);
        assert_eq!(v["return"], true, "{body}: {v}");
        v
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text of the first `<tag>…</tag>` in `xml`.
fn first(xml: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {tag} in {xml}"))
        + open.len();
    let end = xml[start..].find('<').expect("closing tag") + start;
    xml[start..end].to_string()
}

/// A VPC with two public subnets, in us-east-1a and us-east-1b (its main table routes 0.0.0.0/0
/// to an internet gateway): the subnets' ids and the main table's.
fn public_vpc(s: &Server, cidr: &str, subnets: [&str; 2]) -> (String, [String; 2], String) {
    let vpc = first(
        &s.ec2(&format!("Action=CreateVpc&CidrBlock={cidr}")),
        "vpcId",
    );
    let sub = ["a", "b"].map(|z| {
        let block = if z == "a" { subnets[0] } else { subnets[1] };
        first(
            &s.ec2(&format!(
                "Action=CreateSubnet&VpcId={vpc}&CidrBlock={block}&AvailabilityZone=us-east-1{z}"
            )),
            "subnetId",
        )
    });
    let igw = first(&s.ec2("Action=CreateInternetGateway"), "internetGatewayId");
    s.ec2(&format!(
        "Action=AttachInternetGateway&InternetGatewayId={igw}&VpcId={vpc}"
    ));
    let rtb = first(
        &s.ec2(&format!(
            "Action=DescribeRouteTables&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}"
        )),
        "routeTableId",
    );
    s.ec2(&format!(
        "Action=CreateRoute&RouteTableId={rtb}&DestinationCidrBlock=0.0.0.0/0&GatewayId={igw}"
    ));
    (vpc, sub, rtb)
}

#[test]
fn an_encrypted_peering_through_v2_api_reaches_the_clouds_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("a directory");
    let s = Server::start(dir.path());
    let (vpc1, sub1, rtb1) = public_vpc(&s, "10.1.0.0/16", ["10.1.0.0/24", "10.1.1.0/24"]);
    let (vpc2, sub2, _) = public_vpc(&s, "10.2.0.0/16", ["10.2.0.0/24", "10.2.1.0/24"]);

    // Without a session nothing is answered but the refusal, in Aviatrix's shape.
    let v = s.avx("action=list_accounts&CID=nope");
    assert_eq!(
        v,
        serde_json::json!({"return": false, "reason": "CID is invalid or expired."})
    );
    let login = s.avx_ok("action=login&username=admin&password=any");
    let cid = login["CID"].as_str().expect("a CID").to_string();
    s.avx_ok(&format!(
        "action=setup_account_profile&CID={cid}&account_name=aws-main&cloud_type=1&aws_account_number={ACCOUNT}&aws_iam=true"
    ));
    // A subnet the cloud does not have: validation cannot know, the apply fails, and the
    // gateway is not recorded.
    let missing = s.avx(&format!(
        "action=connect_container&CID={cid}&cloud_type=1&account_name=aws-main&gw_name=app-gw&vpc_id={vpc1}&vpc_reg=us-east-1&subnet=subnet-0000000000000000f"
    ));
    assert_eq!(missing["return"], false, "{missing}");
    let gone = s.avx(&format!("action=get_gateway_info&CID={cid}&gw_name=app-gw"));
    assert_eq!(gone["reason"], "Gateway app-gw does not exist.", "{gone}");
    for (gw, vpc, sub) in [("app-gw", &vpc1, &sub1), ("db-gw", &vpc2, &sub2)] {
        s.avx_ok(&format!(
            "action=connect_container&CID={cid}&cloud_type=1&account_name=aws-main&gw_name={gw}&vpc_id={vpc}&vpc_reg=us-east-1&gw_size=t3.small&subnet={}&zone=us-east-1a",
            sub[0]
        ));
        s.avx_ok(&format!(
            "action=create_peering_ha_gateway&CID={cid}&gw_name={gw}&peering_ha_subnet={}&peering_ha_zone=us-east-1b",
            sub[1]
        ));
    }
    let dup = s.avx(&format!(
        "action=connect_container&CID={cid}&cloud_type=1&account_name=aws-main&gw_name=app-gw&vpc_id={vpc1}&vpc_reg=us-east-1&subnet={}",
        sub1[0]
    ));
    assert!(
        dup["reason"]
            .as_str()
            .unwrap_or("")
            .contains("already exists"),
        "{dup}"
    );
    s.avx_ok(&format!(
        "action=peer_vpc_pair&CID={cid}&vpc_name1=app-gw&vpc_name2=db-gw&ha_enabled=yes"
    ));
    let pairs = s.avx_ok(&format!("action=list_peer_vpc_pairs&CID={cid}"));
    let list = pairs["results"]["pair_list"].as_array().expect("a list");
    assert_eq!(list.len(), 1, "{pairs}");
    assert_eq!(list[0]["vpc_name1"], "app-gw");
    assert_eq!(list[0]["vpc_name2"], "db-gw");
    assert_eq!(list[0]["peering_state"], "active", "{pairs}");
    assert_eq!(list[0]["peering_ha_status"], "active", "{pairs}");
    assert_eq!(list[0]["enable_ha"], "yes", "{pairs}");
    let info = s.avx_ok(&format!("action=get_gateway_info&CID={cid}&gw_name=app-gw"));
    let public_ip = info["results"]["public_ip"].as_str().expect("observed");
    assert_eq!(info["results"]["gw_state"], "up", "{info}");
    assert_eq!(
        info["results"]["peering_ha_gw_name"], "app-gw-hagw",
        "{info}"
    );
    assert!(
        info["results"]["peering_ha_public_ip"].is_string(),
        "{info}"
    );
    assert!(info["results"]["private_ip"].is_string(), "{info}");

    // Through EC2: four running gateway instances (two primaries, two backups), the public
    // address on one, and vpc1's table routing vpc2's block to its gateway.
    let instances = s.ec2("Action=DescribeInstances");
    assert_eq!(
        instances.matches("<name>running</name>").count(),
        4,
        "{instances}"
    );
    assert!(instances.contains(public_ip), "{public_ip} in {instances}");
    let table = s.ec2(&format!("Action=DescribeRouteTables&RouteTableId.1={rtb1}"));
    let route = table
        .split("<item>")
        .find(|i| i.contains("<destinationCidrBlock>10.2.0.0/16</destinationCidrBlock>"))
        .unwrap_or_else(|| panic!("no route to 10.2.0.0/16 in {table}"));
    assert!(
        route.contains("<instanceId>i-") || route.contains("<networkInterfaceId>eni-"),
        "{route}"
    );

    // A refused edit answers 200 and return:false, and changes nothing.
    let bad = s.avx(&format!(
        "action=unpeer_vpc_pair&CID={cid}&vpc_name1=app-gw&vpc_name2=nope"
    ));
    assert_eq!(bad["return"], false, "{bad}");
    let (status, text) = s.http("POST", "/v2/api", "", "{\"action\": \"login\"}");
    assert_eq!(status, 200);
    assert!(text.contains("\"return\":false"), "{text}");

    // Restart on the same directory: the state is still there; sessions are not.
    drop(s);
    let s = Server::start(dir.path());
    let v = s.avx(&format!("action=list_peer_vpc_pairs&CID={cid}"));
    assert_eq!(v["return"], false, "{v}");
    let cid = s.avx_ok("action=login&username=admin&password=any")["CID"]
        .as_str()
        .expect("a CID")
        .to_string();
    let pairs = s.avx_ok(&format!("action=list_peer_vpc_pairs&CID={cid}"));
    assert_eq!(
        pairs["results"]["pair_list"][0]["vpc_name2"], "db-gw",
        "{pairs}"
    );
    // The older path answers the same API.
    let (status, text) = s.http(
        "POST",
        "/v1/api",
        "",
        &format!("action=list_peer_vpc_pairs&CID={cid}"),
    );
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"vpc_name2\":\"db-gw\""), "{text}");
    // Query parameters serve as well as a form (GET, as older clients send).
    let (status, text) = s.get(&format!("/v2/api?action=list_accounts&CID={cid}"));
    assert_eq!(status, 200, "{text}");
    let accounts: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        accounts["results"]["account_list"][0]["aws_account_number"],
        ACCOUNT
    );
    // Unpeer: the routes go.
    s.avx_ok(&format!(
        "action=unpeer_vpc_pair&CID={cid}&vpc_name1=db-gw&vpc_name2=app-gw"
    ));
    let table = s.ec2(&format!("Action=DescribeRouteTables&RouteTableId.1={rtb1}"));
    assert!(!table.contains("10.2.0.0/16"), "{table}");

    // Native AWS peering of the same two VPCs, vpc1's main table only: requested and accepted
    // in one step, its id in the answer, the route in the table.
    let peering = format!(
        "action=create_aws_peering&CID={cid}&peer1_account_name=aws-main&peer2_account_name=aws-main&peer1_vpc_id={vpc1}&peer2_vpc_id={vpc2}&peer1_region=us-east-1&peer2_region=us-east-1&peer1_rtb_id={rtb1}"
    );
    let made = s.avx_ok(&peering);
    let pcx = made["results"]["peering_id"]
        .as_str()
        .expect("an id")
        .to_string();
    assert!(pcx.starts_with("pcx-"), "{made}");
    let again = s.avx(&peering);
    assert!(
        again["reason"]
            .as_str()
            .unwrap_or("")
            .contains("already exists"),
        "{again}"
    );
    let described = s.ec2(&format!(
        "Action=DescribeVpcPeeringConnections&VpcPeeringConnectionId.1={pcx}"
    ));
    assert!(described.contains("<code>active</code>"), "{described}");
    let table = s.ec2(&format!("Action=DescribeRouteTables&RouteTableId.1={rtb1}"));
    let route = table
        .split("<item>")
        .find(|i| i.contains("<destinationCidrBlock>10.2.0.0/16</destinationCidrBlock>"))
        .unwrap_or_else(|| panic!("no route to 10.2.0.0/16 in {table}"));
    assert!(route.contains(&pcx), "{route}");
    let listed = s.avx_ok(&format!("action=list_aws_peerings&CID={cid}"));
    let pair = &listed["results"]["pair_list"][0];
    assert_eq!(pair["peering_id"], pcx.as_str(), "{listed}");
    assert_eq!(
        pair["requester"]["peering_route_tables"][0],
        rtb1.as_str(),
        "{listed}"
    );
    s.avx_ok(&format!(
        "action=delete_aws_peering&CID={cid}&peer1_vpc_id={vpc1}&peer2_vpc_id={vpc2}"
    ));
    let table = s.ec2(&format!("Action=DescribeRouteTables&RouteTableId.1={rtb1}"));
    assert!(!table.contains("10.2.0.0/16"), "{table}");

    // Azure: two VNets made through ARM, peered through /v2/api (both links, one step).
    let sub = "00000000-0000-0000-0000-000000000001";
    let arm = |path: &str, body: &str| {
        let (status, text) = s.http_typed("PUT", path, "application/json", "", body);
        assert!(status == 200 || status == 201, "{path}: {status} {text}");
    };
    arm(
        &format!("/subscriptions/{sub}/resourcegroups/net?api-version=2021-04-01"),
        r#"{"location": "eastus"}"#,
    );
    for (vnet, block) in [("hub", "10.50.0.0/16"), ("spoke", "10.60.0.0/16")] {
        arm(
            &format!("/subscriptions/{sub}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/{vnet}?api-version=2023-09-01"),
            &format!(r#"{{"location": "eastus", "properties": {{"addressSpace": {{"addressPrefixes": ["{block}"]}}}}}}"#),
        );
    }
    s.avx_ok(&format!(
        "action=setup_account_profile&CID={cid}&account_name=azure-hub&cloud_type=8&arm_subscription_id={sub}&arm_resource_group=net"
    ));
    s.avx_ok(&format!(
        "action=arm_peer_vnet_pair&CID={cid}&req_account_name=azure-hub&acc_account_name=azure-hub&req_vpc_id=hub:net&acc_vpc_id=spoke:net&req_region=eastus&acc_region=eastus"
    ));
    let hub_peerings = format!("/subscriptions/{sub}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub/virtualNetworkPeerings?api-version=2023-09-01");
    let (status, text) = s.get(&hub_peerings);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"Connected\""), "{text}");
    let listed = s.avx_ok(&format!("action=list_arm_peer_vnet_pairs&CID={cid}"));
    let pair = &listed["results"]["pair_list"][0];
    assert_eq!(pair["requester"]["vpc_cidr"][0], "10.50.0.0/16", "{listed}");
    assert_eq!(pair["accepter"]["vpc_cidr"][0], "10.60.0.0/16", "{listed}");
    s.avx_ok(&format!(
        "action=arm_unpeer_vnet_pair&CID={cid}&vpc_name1=hub:net&vpc_name2=spoke:net"
    ));
    let (_, text) = s.get(&hub_peerings);
    assert!(!text.contains("Connected"), "{text}");

    // Reset: the accounts go with the world, the session stays, and a restart reads the
    // emptied state.
    let (status, text) = s.http_typed("POST", "/_vpcpeer/reset", "application/json", "", "{}");
    assert_eq!(status, 200, "{text}");
    let listed = s.avx_ok(&format!("action=list_accounts&CID={cid}"));
    assert_eq!(
        listed["results"]["account_list"],
        serde_json::json!([]),
        "{listed}"
    );
    drop(s);
    let s = Server::start(dir.path());
    let login = s.avx_ok("action=login&username=admin&password=any");
    let cid = login["CID"].as_str().expect("a CID").to_string();
    let listed = s.avx_ok(&format!("action=list_accounts&CID={cid}"));
    assert_eq!(
        listed["results"]["account_list"],
        serde_json::json!([]),
        "{listed}"
    );
    // A browser's cross-site request: refused by the edge before the API runs, in the API's
    // dialect, not EC2's XML.
    let (status, text) = s.http(
        "POST",
        "/v2/api",
        "Sec-Fetch-Site: cross-site\r\n",
        &format!("action=list_accounts&CID={cid}"),
    );
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        (status, &v["return"]),
        (403, &serde_json::json!(false)),
        "{text}"
    );
    assert!(
        v["reason"]
            .as_str()
            .unwrap_or("")
            .contains("Sec-Fetch-Site"),
        "{text}"
    );
}
