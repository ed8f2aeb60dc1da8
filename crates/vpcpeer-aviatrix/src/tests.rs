//! Golden transcripts of every action and its refusals (insta), the session rules, the
//! all-or-nothing edits, the state's persisted form and the topology it gives the controller.

use std::collections::BTreeMap;

use vpcpeer_controller::names::TAG_LINK;
use vpcpeer_controller::observed::{
    AwsPeering, AwsStatus, GatewayAddress, GatewayInstance, ObservedGateway,
};
use vpcpeer_controller::{Cloud, Observed};

use crate::{handle, AviatrixState, Credentials, Handled, Reply, Request, Sessions};

/// A client of the API over an in-memory state; a change is accepted as the composition root
/// would (saved, applied), with `observed` standing for what the apply found.
struct Harness {
    state: AviatrixState,
    sessions: Sessions,
    cid: String,
    random: u128,
    observed: Option<(Observed, BTreeMap<String, String>)>,
    transcript: String,
}

impl Harness {
    fn new() -> Harness {
        let mut h = Harness {
            state: AviatrixState::default(),
            sessions: Sessions::default(),
            cid: String::new(),
            random: 0x5eed,
            observed: None,
            transcript: String::new(),
        };
        let r = h.raw(&[
            ("action", "login"),
            ("username", "admin"),
            ("password", "pw"),
        ]);
        h.cid = r.cid.clone().expect("a CID");
        h
    }

    /// A request as given (no CID added).
    fn raw(&mut self, fields: &[(&str, &str)]) -> Reply {
        self.random = self
            .random
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let req = Request::of(fields);
        match handle(&self.state, &mut self.sessions, &req, self.random) {
            Handled::Reply(r) => r,
            Handled::Change {
                mut next, answer, ..
            } => {
                if let Some((o, ips)) = &self.observed {
                    next.record(o, ips);
                }
                self.state = *next;
                answer.reply(&self.state)
            }
        }
    }

    /// A request with the session's CID, written to the transcript.
    fn call(&mut self, fields: &[(&str, &str)]) -> Reply {
        let cid = self.cid.clone();
        let mut all = vec![("CID", cid.as_str())];
        all.extend_from_slice(fields);
        let r = self.raw(&all);
        let shown: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        self.transcript.push_str(&format!(
            "> {}\n{}\n\n",
            shown.join("&"),
            serde_json::to_string_pretty(&r.to_json()).expect("json")
        ));
        r
    }

    fn ok(&mut self, fields: &[(&str, &str)]) -> Reply {
        let r = self.call(fields);
        assert!(r.ok, "{fields:?}: {:?}", r.reason());
        r
    }

    fn refused(&mut self, fields: &[(&str, &str)], want: &str) {
        let before = self.state.clone();
        let r = self.call(fields);
        let reason = r.reason().unwrap_or_default().to_string();
        assert!(
            !r.ok && reason.contains(want),
            "{fields:?}: {reason:?} lacks {want:?}"
        );
        assert_eq!(self.state, before, "{fields:?}: a refusal changes nothing");
    }
}

const AWS_ACCOUNT: &[(&str, &str)] = &[
    ("action", "setup_account_profile"),
    ("account_name", "aws-main"),
    ("cloud_type", "1"),
    ("aws_account_number", "111111111111"),
    ("aws_iam", "true"),
];

const AZURE_ACCOUNT: &[(&str, &str)] = &[
    ("action", "setup_account_profile"),
    ("account_name", "azure-hub"),
    ("cloud_type", "8"),
    (
        "arm_subscription_id",
        "00000000-0000-0000-0000-000000000001",
    ),
    ("arm_resource_group", "net"),
];

fn gateway<'a>(name: &'a str, vpc: &'a str, subnet: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("action", "connect_container"),
        ("cloud_type", "1"),
        ("account_name", "aws-main"),
        ("gw_name", name),
        ("vpc_id", vpc),
        ("vpc_reg", "us-east-1"),
        ("gw_size", "t3.small"),
        ("subnet", subnet),
        ("zone", "us-east-1a"),
    ]
}

#[test]
fn sessions_and_unknown_actions() {
    let mut h = Harness::new();
    let checks: &[(&[(&str, &str)], &str)] = &[
        (&[("action", "list_accounts")], "CID is invalid or expired."),
        (
            &[("action", "list_accounts"), ("CID", "nope")],
            "CID is invalid or expired.",
        ),
        (&[("CID", "x")], "Valid action required."),
        (
            &[("action", "launch_rockets")],
            "Valid action required: launch_rockets",
        ),
        (
            &[("action", "login"), ("username", "a")],
            "Missing required parameter: username and password",
        ),
    ];
    for (fields, want) in checks {
        let r = h.raw(fields);
        assert_eq!(r.to_json()["return"], false, "{fields:?}");
        assert_eq!(r.reason(), Some(*want), "{fields:?}");
    }
    // A login answers a CID beside results, and the CID works.
    let r = h.raw(&[("action", "login"), ("username", "u"), ("password", "p")]);
    insta::assert_snapshot!("login", serde_json::to_string_pretty(&r.to_json()).unwrap());
    let cid = r.cid.unwrap();
    assert!(h.raw(&[("action", "list_accounts"), ("CID", &cid)]).ok);
    // Credentials configured: only that pair logs in.
    let mut s = Sessions::new(Some(Credentials {
        username: "admin".into(),
        password: "s3cret".into(),
    }));
    let st = AviatrixState::default();
    let login = |s: &mut Sessions, u: &str, p: &str| match handle(
        &st,
        s,
        &Request::of(&[("action", "login"), ("username", u), ("password", p)]),
        7,
    ) {
        Handled::Reply(r) => r,
        Handled::Change { .. } => panic!("a login changes nothing"),
    };
    assert_eq!(
        login(&mut s, "admin", "wrong").reason(),
        Some("Invalid username or password.")
    );
    assert!(login(&mut s, "admin", "s3cret").ok);
    // The oldest session is forgotten past the cap.
    let mut s = Sessions::default();
    let first = s.login("a", "b", 1).unwrap();
    for i in 0..crate::MAX_SESSIONS as u128 {
        s.login("a", "b", 1000 + i).unwrap();
    }
    assert!(!s.valid(Some(&first)));
}

#[test]
fn accounts() {
    let mut h = Harness::new();
    h.ok(AWS_ACCOUNT);
    h.refused(AWS_ACCOUNT, "already exists");
    h.ok(&[
        ("action", "setup_account_profile"),
        ("account_name", "gcp-lake"),
        ("cloud_type", "4"),
        ("gcloud_project_id", "lake-prod"),
    ]);
    h.ok(AZURE_ACCOUNT);
    h.refused(
        &[
            ("action", "setup_account_profile"),
            ("account_name", "bad"),
            ("cloud_type", "2"),
        ],
        "Invalid cloud_type 2",
    );
    h.refused(
        &[
            ("action", "setup_account_profile"),
            ("account_name", "bad"),
            ("cloud_type", "1"),
        ],
        "Missing required parameter: aws_account_number",
    );
    // The controller's validation refuses what the clouds would (not 12 digits).
    h.refused(
        &[
            ("action", "setup_account_profile"),
            ("account_name", "short"),
            ("cloud_type", "1"),
            ("aws_account_number", "1234"),
        ],
        "12 digits",
    );
    h.ok(&[("action", "list_accounts")]);
    h.ok(&[
        ("action", "delete_account_profile"),
        ("account_name", "gcp-lake"),
    ]);
    h.refused(
        &[
            ("action", "delete_account_profile"),
            ("account_name", "gcp-lake"),
        ],
        "does not exist",
    );
    h.ok(&gateway("app-gw", "vpc-0a", "subnet-0a"));
    h.refused(
        &[
            ("action", "delete_account_profile"),
            ("account_name", "aws-main"),
        ],
        "in use by gateway app-gw",
    );
    insta::assert_snapshot!("accounts", h.transcript);
}

#[test]
fn gateways_and_encrypted_peering() {
    let mut h = Harness::new();
    h.ok(AWS_ACCOUNT);
    h.ok(&gateway("app-gw", "vpc-0a", "subnet-0a"));
    h.refused(&gateway("app-gw", "vpc-0c", "subnet-0c"), "already exists");
    h.refused(
        &gateway("second-gw", "vpc-0a", "subnet-0x"),
        "one gateway per VPC",
    );
    h.refused(
        &gateway("Bad_Name", "vpc-0d", "subnet-0d"),
        "lowercase letters",
    );
    // Aviatrix's subnet CIDR: the network is an existing one, so the validation asks for an id.
    h.refused(
        &gateway("cidr-gw", "vpc-0e", "10.0.1.0/24"),
        "existing public subnet",
    );
    h.refused(
        &[("action", "connect_container"), ("cloud_type", "1")],
        "Missing required parameter: account_name",
    );
    let mut wrong_cloud = gateway("gcp-gw", "lake", "lake-sub");
    wrong_cloud[1] = ("cloud_type", "4");
    h.refused(&wrong_cloud, "is of cloud_type 1, not 4");
    h.ok(&gateway("db-gw", "vpc-0b", "subnet-0b"));
    h.ok(&[("action", "get_gateway_info"), ("gw_name", "app-gw")]);
    h.refused(
        &[("action", "get_gateway_info"), ("gw_name", "nope")],
        "does not exist",
    );
    // HA peering needs backups on both sides.
    h.refused(
        &[
            ("action", "peer_vpc_pair"),
            ("vpc_name1", "app-gw"),
            ("vpc_name2", "db-gw"),
            ("ha_enabled", "yes"),
        ],
        "has no HA gateway",
    );
    h.ok(&[
        ("action", "create_peering_ha_gateway"),
        ("gw_name", "app-gw"),
        ("peering_ha_subnet", "subnet-0a2"),
        ("peering_ha_zone", "us-east-1b"),
    ]);
    h.refused(
        &[
            ("action", "create_peering_ha_gateway"),
            ("gw_name", "app-gw"),
            ("peering_ha_subnet", "subnet-0a3"),
        ],
        "already exists",
    );
    // The topology file's rule: both ends of an encrypted link with HA, or neither.
    h.refused(
        &[
            ("action", "peer_vpc_pair"),
            ("vpc_name1", "app-gw"),
            ("vpc_name2", "db-gw"),
        ],
        "HA",
    );
    h.ok(&[
        ("action", "create_peering_ha_gateway"),
        ("gw_name", "db-gw"),
        ("public_subnet", "subnet-0b2"),
        ("new_zone", "us-east-1c"),
    ]);
    h.refused(
        &[
            ("action", "create_peering_ha_gateway"),
            ("gw_name", "db-gw-x"),
            ("peering_ha_subnet", "s"),
        ],
        "does not exist",
    );
    h.ok(&[
        ("action", "peer_vpc_pair"),
        ("vpc_name1", "app-gw"),
        ("vpc_name2", "db-gw"),
        ("ha_enabled", "yes"),
    ]);
    h.refused(
        &[
            ("action", "peer_vpc_pair"),
            ("vpc_name1", "db-gw"),
            ("vpc_name2", "app-gw"),
        ],
        "already exists",
    );
    h.refused(
        &[
            ("action", "peer_vpc_pair"),
            ("vpc_name1", "app-gw"),
            ("vpc_name2", "app-gw"),
        ],
        "itself",
    );
    h.ok(&[("action", "list_peer_vpc_pairs")]);
    h.refused(
        &[
            ("action", "delete_container"),
            ("cloud_type", "1"),
            ("gw_name", "app-gw"),
        ],
        "unpeer it first",
    );
    h.refused(
        &[
            ("action", "delete_container"),
            ("cloud_type", "1"),
            ("gw_name", "app-gw-hagw"),
        ],
        "serves the HA peering",
    );
    h.ok(&[
        ("action", "unpeer_vpc_pair"),
        ("vpc_name1", "db-gw"),
        ("vpc_name2", "app-gw"),
    ]);
    h.refused(
        &[
            ("action", "unpeer_vpc_pair"),
            ("vpc_name1", "db-gw"),
            ("vpc_name2", "app-gw"),
        ],
        "does not exist",
    );
    h.ok(&[
        ("action", "delete_peering_ha_gateway"),
        ("gw_name", "db-gw"),
    ]);
    h.ok(&[
        ("action", "delete_container"),
        ("cloud_type", "1"),
        ("gw_name", "app-gw-hagw"),
    ]);
    h.ok(&[
        ("action", "delete_container"),
        ("cloud_type", "1"),
        ("gw_name", "app-gw"),
    ]);
    h.ok(&[("action", "get_gateway_info"), ("gateway_name", "db-gw")]);
    insta::assert_snapshot!("gateways", h.transcript);
}

/// What an apply of app-gw ↔ db-gw (with HA) would observe, and the AWS peering of vpc-0a/0b.
fn observed(app_running: bool) -> (Observed, BTreeMap<String, String>) {
    let mut o = Observed::default();
    let mut ips = BTreeMap::new();
    for (i, (vm, net)) in [
        ("app-gw", "vpc-0a"),
        ("app-gw-hagw", "vpc-0a"),
        ("db-gw", "vpc-0b"),
        ("db-gw-hagw", "vpc-0b"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("i-{i:017x}");
        ips.insert(id.clone(), format!("10.0.{i}.4"));
        o.gateways.insert(
            vm.to_string(),
            ObservedGateway {
                network: net.to_string(),
                cloud: Cloud::Aws,
                address: Some(GatewayAddress {
                    id: format!("eipalloc-{i}"),
                    ip: std::net::Ipv4Addr::new(54, 0, 0, i as u8 + 1),
                }),
                subnet: None,
                firewall: None,
                inner: Vec::new(),
                instance: Some(GatewayInstance {
                    id,
                    digest: String::new(),
                    running: app_running || vm != "app-gw",
                    forwarding: true,
                    address_attached: true,
                }),
            },
        );
    }
    o.aws_peerings.push(AwsPeering {
        id: "pcx-0123456789abcdef0".to_string(),
        requester: "vpc-0a".to_string(),
        accepter: "vpc-0b".to_string(),
        status: AwsStatus::Active,
        tags: BTreeMap::from([(TAG_LINK.to_string(), "vpc-0a-vpc-0b".to_string())]),
        requester_dns: false,
        accepter_dns: false,
    });
    (o, ips)
}

#[test]
fn observed_facts_show_in_reads() {
    let mut h = Harness::new();
    h.observed = Some(observed(true));
    h.ok(AWS_ACCOUNT);
    for (gw, vpc, s, ha, zone) in [
        ("app-gw", "vpc-0a", "subnet-0a", "subnet-0a2", "us-east-1b"),
        ("db-gw", "vpc-0b", "subnet-0b", "subnet-0b2", "us-east-1c"),
    ] {
        h.ok(&gateway(gw, vpc, s));
        h.ok(&[
            ("action", "create_peering_ha_gateway"),
            ("gw_name", gw),
            ("peering_ha_subnet", ha),
            ("peering_ha_zone", zone),
        ]);
    }
    h.transcript.clear();
    h.ok(&[
        ("action", "peer_vpc_pair"),
        ("vpc_name1", "app-gw"),
        ("vpc_name2", "db-gw"),
        ("ha_enabled", "yes"),
    ]);
    h.ok(&[("action", "get_gateway_info"), ("gw_name", "app-gw")]);
    h.ok(&[("action", "get_gateway_info"), ("gw_name", "db-gw-hagw")]);
    h.ok(&[("action", "list_peer_vpc_pairs")]);
    // The primary stops: the next apply sees it down.
    h.observed = Some(observed(false));
    h.ok(&[
        ("action", "modify_detection_time"),
        ("detection_time", "30"),
    ]);
    h.ok(&[
        ("action", "list_peer_vpc_pairs"),
        ("vpc_name1", "db-gw"),
        ("vpc_name2", "app-gw"),
    ]);
    insta::assert_snapshot!("observed", h.transcript);
}

#[test]
fn native_peerings_and_detection_time() {
    let mut h = Harness::new();
    h.observed = Some(observed(true));
    h.ok(AWS_ACCOUNT);
    h.ok(&[
        ("action", "setup_account_profile"),
        ("account_name", "aws-peer"),
        ("cloud_type", "1"),
        ("aws_account_number", "222222222222"),
    ]);
    h.ok(AZURE_ACCOUNT);
    let aws_peer = [
        ("action", "create_aws_peering"),
        ("peer1_account_name", "aws-main"),
        ("peer2_account_name", "aws-peer"),
        ("peer1_vpc_id", "vpc-0a"),
        ("peer2_vpc_id", "vpc-0b"),
        ("peer1_region", "us-east-1"),
        ("peer2_region", "us-west-2"),
        ("peer1_rtb_id", "rtb-01, rtb-02"),
    ];
    h.ok(&aws_peer);
    h.refused(&aws_peer, "already exists");
    let mut azure_side = aws_peer;
    azure_side[2] = ("peer2_account_name", "azure-hub");
    azure_side[4] = ("peer2_vpc_id", "vpc-0c");
    h.refused(&azure_side, "is of cloud_type 8, not 1");
    h.refused(
        &[
            ("action", "create_aws_peering"),
            ("peer1_account_name", "aws-main"),
        ],
        "Missing required parameter: peer1_vpc_id",
    );
    h.ok(&[("action", "list_aws_peerings")]);
    let arm_peer = [
        ("action", "arm_peer_vnet_pair"),
        ("req_account_name", "azure-hub"),
        ("acc_account_name", "azure-hub"),
        ("req_vpc_id", "hub:net"),
        ("acc_vpc_id", "spoke:net"),
        ("req_region", "eastus"),
        ("acc_region", "westus"),
    ];
    h.ok(&arm_peer);
    h.refused(&arm_peer, "already exists");
    h.ok(&[("action", "list_arm_peer_vnet_pairs")]);
    h.ok(&[
        ("action", "arm_unpeer_vnet_pair"),
        ("vpc_name1", "hub:net"),
        ("vpc_name2", "spoke:net"),
    ]);
    h.ok(&[
        ("action", "delete_aws_peering"),
        ("peer1_vpc_id", "vpc-0b"),
        ("peer2_vpc_id", "vpc-0a"),
    ]);
    h.refused(
        &[
            ("action", "delete_aws_peering"),
            ("peer1_vpc_id", "vpc-0b"),
            ("peer2_vpc_id", "vpc-0a"),
        ],
        "does not exist",
    );
    h.refused(
        &[
            ("action", "modify_detection_time"),
            ("detection_time", "19"),
        ],
        "between 20 and 600",
    );
    h.refused(
        &[
            ("action", "modify_detection_time"),
            ("detection_time", "soon"),
        ],
        "between 20 and 600",
    );
    h.ok(&[
        ("action", "modify_detection_time"),
        ("detection_time", "600"),
    ]);
    assert_eq!(h.state.detection_time, 600);
    insta::assert_snapshot!("native", h.transcript);
}

#[test]
fn a_network_is_one_account_and_region() {
    let mut h = Harness::new();
    h.ok(AWS_ACCOUNT);
    h.ok(&gateway("app-gw", "vpc-0a", "subnet-0a"));
    h.refused(
        &[
            ("action", "create_aws_peering"),
            ("peer1_account_name", "aws-main"),
            ("peer2_account_name", "aws-main"),
            ("peer1_vpc_id", "vpc-0a"),
            ("peer2_vpc_id", "vpc-0b"),
            ("peer1_region", "us-west-2"),
            ("peer2_region", "us-west-2"),
        ],
        "VPC vpc-0a is already used with account aws-main in us-east-1",
    );
}

#[test]
fn the_state_persists_and_gives_the_topology() {
    let mut h = Harness::new();
    h.observed = Some(observed(true));
    h.ok(AWS_ACCOUNT);
    h.ok(&[
        ("action", "setup_account_profile"),
        ("account_name", "gcp-lake"),
        ("cloud_type", "4"),
        ("gcloud_project_name", "lake-prod"),
    ]);
    h.ok(&gateway("app-gw", "vpc-0a", "subnet-0a"));
    h.ok(&[
        ("action", "connect_container"),
        ("cloud_type", "4"),
        ("account_name", "gcp-lake"),
        ("gw_name", "lake-gw"),
        ("vpc_id", "lake"),
        ("vpc_reg", "us-west1-b"),
        ("subnet", "lake-sub"),
    ]);
    h.ok(&[
        ("action", "peer_vpc_pair"),
        ("vpc_name1", "app-gw"),
        ("vpc_name2", "lake-gw"),
    ]);
    let bytes = h.state.to_json();
    let back = AviatrixState::from_json(&bytes).expect("reads back");
    assert_eq!(back, h.state);
    assert!(AviatrixState::from_json(b"{\"accounts\": 3}").is_err());
    // An empty document is a fresh state with the default detection time.
    assert_eq!(
        AviatrixState::from_json(b"{}").unwrap(),
        AviatrixState::default()
    );
    insta::assert_snapshot!("state", String::from_utf8(bytes).unwrap());
    insta::assert_snapshot!("topology", format!("{:#?}", h.state.topology()));
}

#[test]
fn requests_read_forms_and_queries() {
    let r = Request::parse("action=list_accounts&CID=q", b"CID=b&gw_name=a%20b&x=");
    assert_eq!(r.action(), Some("list_accounts"));
    assert_eq!(r.get("CID"), Some("b"), "the body wins");
    assert_eq!(r.get("gw_name"), Some("a b"));
    assert_eq!(r.get("x"), None, "blank is absent");
    let r = Request::parse("", b"{\"action\": \"login\"}");
    assert_eq!(r.action(), None);
    let r = Request::of(&[
        ("l", " a, ,b "),
        ("y", "YES"),
        ("n", "false"),
        ("m", "maybe"),
    ]);
    assert_eq!(r.list("l"), vec!["a", "b"]);
    assert_eq!(
        (r.flag("y"), r.flag("n"), r.flag("m")),
        (Some(true), Some(false), None)
    );
}

#[test]
fn network_names_are_usable_by_every_cloud() {
    for (id, want) in [
        ("vpc-0123456789abcdef0", "vpc-0123456789abcdef0"),
        ("hub:net", "hub-net"),
        ("0abc", "n-0abc"),
        ("Lake_Net~-~proj", "lake-net-proj"),
        (
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v",
            "subscriptions-s-resourcegroups-g-provide",
        ),
    ] {
        assert_eq!(crate::network_name(id), want, "{id}");
    }
}

#[test]
fn any_fields_to_any_action_get_a_reply_never_a_panic() {
    let values = [
        "",
        "x",
        "1",
        "4",
        "8",
        "yes",
        "-",
        "a:b:c",
        "10.0.0.0/8",
        "\u{0}",
        "é",
    ];
    let names = [
        "account_name",
        "cloud_type",
        "aws_account_number",
        "gw_name",
        "vpc_id",
        "vpc_reg",
        "subnet",
        "vpc_name1",
        "vpc_name2",
        "peer1_vpc_id",
        "peer2_vpc_id",
        "req_vpc_id",
        "detection_time",
    ];
    let mut h = Harness::new();
    h.ok(AWS_ACCOUNT);
    for action in crate::ACTIONS {
        for (i, v) in values.iter().enumerate() {
            let mut fields = vec![("action", *action)];
            for (j, n) in names.iter().enumerate() {
                fields.push((n, values[(i + j) % values.len()]));
            }
            fields.push(("password", v));
            let r = h.call(&fields);
            let doc = r.to_json();
            assert!(doc["return"].is_boolean(), "{action}: {doc}");
        }
    }
}

#[test]
fn a_network_outlives_its_last_record_until_its_account_goes() {
    let mut h = Harness::new();
    h.ok(AWS_ACCOUNT);
    h.ok(&gateway("app-gw", "vpc-0a", "subnet-0a"));
    h.ok(&[("action", "delete_container"), ("gw_name", "app-gw")]);
    // The next apply still reads vpc-0a, so it can remove what the gateway left there.
    let t = h.state.topology();
    assert!(t.gateways.is_empty());
    assert_eq!(
        t.networks["vpc-0a"].id.as_deref(),
        Some("vpc-0a"),
        "{:?}",
        t.networks
    );
    h.ok(&[
        ("action", "delete_account_profile"),
        ("account_name", "aws-main"),
    ]);
    assert!(h.state.topology().networks.is_empty());
}
