//! Tests of the stored form: what the first release wrote still decodes and re-encodes to the
//! same bytes, every kind round-trips, and versions other than this build's are refused.

use serde_json::Value;
use vpcpeer_model::{Record, World};

use super::*;

/// One stored row of every kind, as the first release (format v1) wrote it
/// (`scripts/make-persist-fixture.py`).
const SAMPLE: &str = include_str!("v1-sample.jsonl");

fn sample() -> Vec<(String, String, String)> {
    SAMPLE
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("sample line");
            let s = |k: &str| v[k].as_str().expect("string").to_owned();
            (s("table"), s("id"), s("body"))
        })
        .collect()
}

#[test]
fn every_kind_written_by_the_first_release_decodes_and_is_written_back_alike() {
    let rows = sample();
    let tables: Vec<&str> = rows.iter().map(|(t, _, _)| t.as_str()).collect();
    let mut kinds: Vec<&str> = v1::KINDS
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| !v1::ADDED_KINDS.contains(t))
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        tables, kinds,
        "the sample holds one row of every kind of the first release"
    );
    for (table, id, body) in &rows {
        let record = decode(table, id, body.as_bytes())
            .unwrap_or_else(|e| panic!("{table}/{id} no longer decodes: {e}"));
        assert_eq!(record.key().table, table, "the model's table tag of {id}");
        assert_eq!(record.key().id, *id);
        keeps_stored_members(body.as_bytes(), &encode(&record))
            .unwrap_or_else(|e| panic!("{table}/{id} is written differently than v1: {e}"));
    }
}

#[test]
fn every_kind_round_trips_through_the_stored_form() {
    let records: Vec<Record> = sample()
        .iter()
        .map(|(t, i, b)| decode(t, i, b.as_bytes()).expect("decodes"))
        .collect();
    let world = World::from_records(records.clone());
    assert_eq!(
        world.records().len(),
        v1::KINDS.len() - v1::ADDED_KINDS.len()
    );
    for record in world.records() {
        let key = record.key();
        let again = decode(key.table, &key.id, &encode(&record)).expect("round trip");
        assert_eq!(again, record);
        assert_eq!(
            upgrade(1, key.table, &key.id, &encode(&record)).expect("v1"),
            encode(&record)
        );
    }
}

#[test]
fn keeps_stored_members_allows_additions_only() {
    let ok = |a: &str, b: &str| keeps_stored_members(a.as_bytes(), b.as_bytes());
    ok(
        r#"{"K":{"a":1,"b":[{"c":2}]}}"#,
        r#"{"K":{"b":[{"c":2,"d":0}],"a":1,"e":null}}"#,
    )
    .expect("added and reordered members");
    assert_eq!(
        ok(r#"{"K":{"a":1}}"#, r#"{"K":{"a2":1}}"#),
        Err("$.K.a is gone".to_owned())
    );
    assert_eq!(
        ok(r#"{"K":{"a":"x"}}"#, r#"{"K":{"a":["x"]}}"#),
        Err(r#"$.K.a was "x", is now ["x"]"#.to_owned())
    );
    assert!(ok(r#"{"K":{"b":[1,2]}}"#, r#"{"K":{"b":[1]}}"#).is_err());
    assert!(ok(r#"{"K":{}}"#, r#"{"L":{}}"#).is_err());
}

#[test]
fn kind_names_and_table_tags_are_unique() {
    let mut tables: Vec<_> = v1::KINDS.iter().map(|(t, _)| t).collect();
    let mut kinds: Vec<_> = v1::KINDS.iter().map(|(_, k)| k).collect();
    tables.sort_unstable();
    tables.dedup();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!((tables.len(), kinds.len()), (39, 39));
    for added in v1::ADDED_KINDS {
        assert!(
            v1::KINDS.iter().any(|(t, _)| t == added),
            "{added} is a kind"
        );
    }
}

#[test]
fn a_newer_or_unknown_format_version_is_refused() {
    check_version(FORMAT_VERSION).expect("this build's version");
    for found in [0, FORMAT_VERSION + 1, 99] {
        match check_version(found) {
            Err(StoreError::Version { found: f }) => assert_eq!(f, found),
            other => panic!("version {found}: {other:?}"),
        }
        assert!(matches!(
            upgrade(found, "vpc", "vpc-1", b"{}"),
            Err(StoreError::Version { .. })
        ));
    }
    let msg = StoreError::Version {
        found: FORMAT_VERSION + 1,
    }
    .to_string();
    assert!(msg.contains("written by a newer vpcpeer"), "{msg}");
}

/// The sample's row of `table`: (table, id, body).
fn sample_row(table: &str) -> (String, String, String) {
    sample()
        .into_iter()
        .find(|(t, _, _)| t == table)
        .unwrap_or_else(|| panic!("a {table} row"))
}

fn vpc_row() -> (String, String, String) {
    sample_row("vpc")
}

/// The sample's row of `table`, decoded, after checking that it is written back byte for byte
/// as v1 wrote it (`why` says what that row shows): (table, id, record).
fn written_as_v1(table: &str, why: &str) -> (String, String, Record) {
    let (table, id, body) = sample_row(table);
    let record = decode(&table, &id, body.as_bytes()).expect("decodes");
    assert_eq!(encode(&record), body.as_bytes(), "{why}");
    (table, id, record)
}

/// `record`, a changed form of the stored row `table`/`id`, is written with `member` in it and
/// reads back as itself.
fn assert_changed_form(record: &Record, table: &str, id: &str, member: &str) {
    let bytes = encode(record);
    assert!(String::from_utf8_lossy(&bytes).contains(member));
    assert_eq!(&decode(table, id, &bytes).expect("decodes"), record);
}

/// `record` is stored under the table tag `table` as `{"<kind>":…}` and reads back as itself.
fn assert_stored_as(record: &Record, table: &str, kind: &str) {
    let key = record.key();
    assert_eq!(key.table, table);
    let bytes = encode(record);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with(&format!("{{\"{kind}\":")), "{text}");
    assert_eq!(
        &decode(key.table, &key.id, &bytes).expect("decodes"),
        record
    );
}

#[test]
fn damaged_or_misfiled_rows_are_reported_as_corrupt() {
    let (table, id, body) = vpc_row();
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("vpc", &id, b"{}".to_vec()),
        ("vpc", &id, b"{\"Spaceship\":{}}".to_vec()),
        ("vpc", &id, b"[1]".to_vec()),
        ("vpc", &id, body.as_bytes()[..body.len() / 2].to_vec()),
        ("subnet", &id, body.clone().into_bytes()),
        (&table, "vpc-other", body.clone().into_bytes()),
        (
            "vpc",
            &id,
            format!("{},\"Subnet\":{{}}}}", &body[..body.len() - 1]).into_bytes(),
        ),
        ("vpc", &id, format!("{body}x").into_bytes()),
    ];
    for (t, i, bytes) in cases {
        match decode(t, i, &bytes) {
            Err(StoreError::Corrupt { table, id, .. }) => {
                assert_eq!((table, id), (t.into(), i.into()))
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(&bytes)),
        }
    }
}

/// The upgrade mechanism, with two made-up steps: v1 → v2 renames `instance_tenancy` to `tenancy`, v2 →
/// v3 renames it back (so the result is readable by this build's decoder).
#[test]
fn upgrade_applies_each_step_from_the_stored_version_in_order() {
    fn rename(body: Value, from: &str, to: &str) -> Result<Value, String> {
        let mut body = body;
        let fields = body["Vpc"].as_object_mut().ok_or("not a vpc")?;
        let v = fields.remove(from).ok_or(format!("no {from}"))?;
        fields.insert(to.to_owned(), v);
        Ok(body)
    }
    let steps: &[Step] = &[
        |_, b| rename(b, "instance_tenancy", "tenancy"),
        |_, b| rename(b, "tenancy", "instance_tenancy"),
    ];
    let (table, id, body) = vpc_row();
    let want = decode(&table, &id, body.as_bytes()).expect("decodes");
    let from_v1 = upgrade_with(steps, 1, &table, &id, body.as_bytes()).expect("v1 to v3");
    assert_eq!(decode(&table, &id, &from_v1).expect("v3"), want);
    let v2 = rename(
        serde_json::from_str(&body).expect("json"),
        "instance_tenancy",
        "tenancy",
    )
    .expect("v2");
    let v2 = serde_json::to_vec(&v2).expect("bytes");
    let from_v2 = upgrade_with(steps, 2, &table, &id, &v2).expect("v2 to v3");
    assert_eq!(decode(&table, &id, &from_v2).expect("v3"), want);
    // A step that fails names the record.
    match upgrade_with(steps, 2, &table, &id, body.as_bytes()) {
        Err(StoreError::Corrupt { reason, .. }) => {
            assert!(reason.contains("no tenancy"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        upgrade_with(steps, 4, &table, &id, body.as_bytes()),
        Err(StoreError::Version { found: 4 })
    ));
}

/// An effective-NSG operation (a kind the first release's fixture has no row of) and an NSG
/// whose rules are spelled oddly: v1 keeps every string as given, and the rules read back typed.
#[test]
fn azure_rules_keep_their_v1_strings_and_read_back_typed() {
    use vpcpeer_model::azure::{
        AzAddressSpec, AzOperationResult, AzPortSpec, AzProtocol, AzServiceTag,
    };
    let rule = r#"{"name":"r","priority":100,"direction":"Inbound","access":"Allow","protocol":"tcp","source_ports":[" 80","1000 - 2000","*"],"destination_ports":["443"],"source_prefixes":[" 10.0.0.1/16","VirtualNetwork","Sql.EastUS"],"destination_prefixes":["*"],"description":"d"}"#;
    let nsg = format!(
        r#"{{"AzNsg":{{"id":"n","display_id":"N","name":"N","place":{{"subscription":"s","resource_group":"g","location":"eastus"}},"rules":[{rule}],"guid":"x","tags":{{}}}}}}"#
    );
    let op = format!(
        r#"{{"AzOperation":{{"id":"o","subscription":"s","location":"eastus","started":5,"result":{{"EffectiveNsgs":[{{"nsg_id":"N","subnet_id":null,"nic_id":"nic","rules":[{{"name":"securityRules/r","rule":{rule},"expanded_source":["10.0.0.0/16"],"expanded_destination":["0.0.0.0/0"]}}],"tag_map":{{"VirtualNetwork":["10.0.0.0/16"]}}}}]}}}}}}"#
    );
    for (table, id, body) in [("az-nsg", "n", &nsg), ("az-op", "o", &op)] {
        let record = decode(table, id, body.as_bytes()).expect("decodes");
        assert_eq!(
            String::from_utf8(encode(&record)).unwrap(),
            *body,
            "{table} is written back byte for byte"
        );
        let rules = match &record {
            Record::AzNsg(n) => n.rules.clone(),
            Record::AzOperation(o) => match &o.result {
                AzOperationResult::EffectiveNsgs(g) => {
                    g[0].rules.iter().map(|e| e.rule.clone()).collect()
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        let r = &rules[0];
        assert_eq!(r.protocol.value(), Some(&AzProtocol::Tcp));
        assert_eq!(
            r.source_ports
                .iter()
                .map(|p| p.value().copied())
                .collect::<Vec<_>>(),
            [
                Some(AzPortSpec::Range(80, 80)),
                Some(AzPortSpec::Range(1000, 2000)),
                Some(AzPortSpec::Any)
            ]
        );
        assert_eq!(
            r.source_prefixes
                .iter()
                .map(|p| p.value().cloned())
                .collect::<Vec<_>>(),
            [
                Some(AzAddressSpec::Prefix("10.0.0.0/16".parse().unwrap())),
                Some(AzAddressSpec::ServiceTag(AzServiceTag::VirtualNetwork)),
                Some(AzAddressSpec::ServiceTag(AzServiceTag::Other(
                    "Sql.EastUS".into()
                ))),
            ]
        );
    }
}

/// The kinds added after the first release round-trip through their stored form too, and a
/// subnet's `default_for_az` is stored only when set, so the rows of other subnets keep their
/// first form byte for byte.
#[test]
fn added_kinds_and_fields_round_trip() {
    use vpcpeer_model::{RegionSetup, Scope, Subnet, Timestamp};
    let setup = Record::RegionSetup(RegionSetup {
        id: "111111111111/us-east-1".into(),
        scope: Scope::new("111111111111", "us-east-1"),
        created: Timestamp(1_700_000_000_000),
    });
    assert_stored_as(&setup, "region-setup", "RegionSetup");

    let (table, id, record) =
        written_as_v1("subnet", "a non-default subnet is written as v1 wrote it");
    let Record::Subnet(s) = record else {
        panic!("a subnet")
    };
    let default = Record::Subnet(Subnet {
        default_for_az: true,
        ..s
    });
    assert_changed_form(&default, &table, &id, "\"default_for_az\":true");
}

/// The IPv6 additions: an egress-only internet gateway round-trips under its own kind, and an
/// IPv6-only subnet (no IPv4 block) stores `"cidr":null` and reads back, while a subnet with an
/// IPv4 block keeps its first form (checked above and by the sample).
#[test]
fn ipv6_kinds_and_fields_round_trip() {
    use vpcpeer_model::{EgressOnlyInternetGateway, Scope, Subnet, Timestamp};
    let gw = Record::EgressOnlyGateway(EgressOnlyInternetGateway {
        id: "eigw-0123456789abcdef0".into(),
        scope: Scope::new("111111111111", "us-east-1"),
        vpc_id: "vpc-0123456789abcdef0".into(),
        created: Timestamp(1_700_000_000_000),
        tags: [("Name".to_owned(), "out".to_owned())].into(),
    });
    assert_stored_as(&gw, "eigw", "EgressOnlyInternetGateway");

    let (table, id, body) = sample_row("subnet");
    let Record::Subnet(s) = decode(&table, &id, body.as_bytes()).expect("decodes") else {
        panic!("a subnet")
    };
    assert!(s.cidr.is_some(), "v1 subnets have their IPv4 block");
    let native = Record::Subnet(Subnet {
        cidr: None,
        ipv6: Some((
            "subnet-cidr-assoc-0123456789abcdef0".into(),
            "2600:1f18:1:200::/64".parse().expect("net"),
        )),
        ..s
    });
    assert_changed_form(&native, &table, &id, "\"cidr\":null");
}

/// An Elastic IP round-trips through its stored form, and an interface's public address fields
/// are stored only when set, so the rows of other interfaces keep their first form byte for byte.
#[test]
fn elastic_ips_and_public_addresses_round_trip() {
    use vpcpeer_model::{EipAssociation, ElasticIp, Scope, Tags};
    let eip = Record::ElasticIp(ElasticIp {
        id: "eipalloc-0123456789abcdef0".into(),
        scope: Scope::new("111111111111", "us-east-1"),
        public_ip: "198.18.0.1".parse().expect("ip"),
        association: Some(EipAssociation {
            id: "eipassoc-0123456789abcdef0".into(),
            eni_id: "eni-0123456789abcdef0".into(),
            private_ip: "10.0.1.4".parse().expect("ip"),
        }),
        tags: Tags::from([("Name".to_owned(), "x".to_owned())]),
    });
    assert_stored_as(&eip, "eip", "ElasticIp");

    let (table, id, record) = written_as_v1(
        "eni",
        "an interface without a public address is written as v1 wrote it",
    );
    let Record::NetworkInterface(e) = record else {
        panic!("an interface")
    };
    let public = Record::NetworkInterface(vpcpeer_model::NetworkInterface {
        public_ip: Some("198.18.0.2".parse().expect("ip")),
        public_ip_on_launch: true,
        ..e
    });
    assert_changed_form(&public, &table, &id, "\"public_ip\":\"198.18.0.2\"");
}

/// The VPN-area kinds (virtual private and customer gateways, DHCP option sets) round-trip
/// through their stored form, and a security group rule's tags are stored only when it has some,
/// so the rows of groups whose rules have none keep their first form byte for byte.
#[test]
fn vpn_kinds_and_rule_tags_round_trip() {
    use vpcpeer_model::aws::dhcp::DhcpConfiguration;
    use vpcpeer_model::{
        CustomerGateway, DhcpOptions, Scope, Tags, Timestamp, VgwAttachment, VgwAttachmentState,
        VpnGateway,
    };
    let scope = Scope::new("111111111111", "us-east-1");
    let tags: Tags = [("Name".to_owned(), "x".to_owned())].into_iter().collect();
    let records = [
        Record::VpnGateway(VpnGateway {
            id: "vgw-0123456789abcdef0".into(),
            scope: scope.clone(),
            gateway_type: "ipsec.1".into(),
            amazon_side_asn: 64512,
            availability_zone: None,
            attachment: Some(VgwAttachment {
                vpc_id: "vpc-0123456789abcdef0".into(),
                state: VgwAttachmentState::Attached,
            }),
            propagations: vec!["rtb-0123456789abcdef0".into()],
            created: Timestamp(1_700_000_000_000),
            tags: tags.clone(),
        }),
        Record::CustomerGateway(CustomerGateway {
            id: "cgw-0123456789abcdef0".into(),
            scope: scope.clone(),
            gateway_type: "ipsec.1".into(),
            bgp_asn: 65000,
            ip_address: "203.0.113.12".parse().expect("address"),
            device_name: Some("edge".into()),
            tags: Tags::new(),
        }),
        Record::DhcpOptions(DhcpOptions {
            id: "dopt-0123456789abcdef0".into(),
            scope,
            configurations: vec![DhcpConfiguration {
                key: "domain-name".into(),
                values: vec!["ec2.internal".into()],
            }],
            tags,
        }),
    ];
    let stored_as = [
        ("vgw", "VpnGateway"),
        ("cgw", "CustomerGateway"),
        ("dopt", "DhcpOptions"),
    ];
    for (record, (table, kind)) in records.iter().zip(stored_as) {
        assert_stored_as(record, table, kind);
    }

    let (table, id, record) = written_as_v1("sg", "untagged rules as v1 wrote them");
    let Record::SecurityGroup(mut g) = record else {
        panic!("a security group")
    };
    g.egress[0].tags = [("k".to_owned(), "v".to_owned())].into_iter().collect();
    let tagged = Record::SecurityGroup(g);
    assert_changed_form(&tagged, &table, &id, "\"tags\":{\"k\":\"v\"}");
}

/// The endpoints area's kinds (managed prefix lists, VPC endpoints) and a route to a prefix
/// list round-trip through their stored form; a route's other destinations keep their form.
#[test]
fn endpoint_kinds_and_prefix_list_routes_round_trip() {
    use vpcpeer_model::aws::endpoints::{
        AddressFamily, EndpointType, PrefixListEntry, PrefixListState,
    };
    use vpcpeer_model::{
        Destination, ManagedPrefixList, PrefixListId, Route, RouteOrigin, RouteTable, RouteTarget,
        Scope, Timestamp, VpcEndpoint,
    };
    let scope = Scope::new("111111111111", "us-east-1");
    let list = Record::PrefixList(ManagedPrefixList {
        id: "pl-0123456789abcdef0".into(),
        scope: scope.clone(),
        name: "corp".into(),
        family: AddressFamily::V4,
        max_entries: 5,
        version: 2,
        versions: vec![
            vec![],
            vec![PrefixListEntry {
                cidr: "10.0.0.0/8".parse().expect("net"),
                description: Some("ten".into()),
            }],
        ],
        state: PrefixListState::ModifyComplete,
        created: Timestamp(1_700_000_000_000),
        tags: Default::default(),
    });
    let endpoint = Record::VpcEndpoint(VpcEndpoint {
        id: "vpce-0123456789abcdef0".into(),
        scope: scope.clone(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        service_name: "com.amazonaws.us-east-1.s3".into(),
        endpoint_type: EndpointType::Gateway,
        policy: None,
        route_table_ids: vec!["rtb-0123456789abcdef0".into()],
        subnet_ids: vec![],
        group_ids: vec![],
        eni_ids: vec![],
        private_dns: false,
        created: Timestamp(1_700_000_000_000),
        tags: Default::default(),
    });
    let table = Record::RouteTable(RouteTable {
        id: "rtb-0123456789abcdef0".into(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        scope,
        routes: vec![Route {
            destination: Destination::PrefixList(
                PrefixListId::parse("pl-0123456789abcdef0").expect("id"),
            ),
            target: RouteTarget::VpcEndpoint("vpce-0123456789abcdef0".into()),
            origin: RouteOrigin::CreateRoute,
        }],
        associations: vec![],
        tags: Default::default(),
    });
    for (record, table_tag, kind) in [
        (list, "pl", "ManagedPrefixList"),
        (endpoint, "vpce", "VpcEndpoint"),
        (table, "rtb", "RouteTable"),
    ] {
        assert_stored_as(&record, table_tag, kind);
    }
}

/// The catalogue's kinds (key pairs, launch templates) round-trip through their stored form,
/// and an instance launched without a key pair is written as v1 wrote it (no `key_name`).
#[test]
fn key_pairs_and_launch_templates_round_trip() {
    use vpcpeer_model::aws::instance::NicSpec;
    use vpcpeer_model::aws::key_pair::{KeyPair, KeyType};
    use vpcpeer_model::aws::launch_template::{LaunchTemplate, TemplateData, TemplateVersion};
    use vpcpeer_model::{Scope, Tags, Timestamp};
    let scope = Scope::new("111111111111", "us-east-1");
    let tags: Tags = [("team".to_owned(), "net".to_owned())]
        .into_iter()
        .collect();
    let key = Record::KeyPair(KeyPair {
        id: "key-0123456789abcdef0".into(),
        scope: scope.clone(),
        name: "deploy".into(),
        key_type: KeyType::Ed25519,
        fingerprint: "abc=".into(),
        public_key: "ssh-ed25519 AAAA deploy".into(),
        created: Timestamp(1_700_000_000_000),
        tags: tags.clone(),
    });
    let template = Record::LaunchTemplate(LaunchTemplate {
        id: "lt-0123456789abcdef0".into(),
        scope,
        name: "web".into(),
        created: Timestamp(1_700_000_000_000),
        default_version: 1,
        versions: vec![TemplateVersion {
            number: 1,
            description: Some("first".into()),
            created: Timestamp(1_700_000_000_000),
            data: TemplateData {
                image_id: Some("ami-12345678".into()),
                key_name: Some("deploy".into()),
                network_interfaces: vec![NicSpec {
                    subnet_id: Some("subnet-0123456789abcdef0".into()),
                    delete_on_termination: true,
                    ..NicSpec::default()
                }],
                instance_tags: tags.clone(),
                ..TemplateData::default()
            },
        }],
        tags,
    });
    assert_stored_as(&key, "key", "KeyPair");
    assert_stored_as(&template, "lt", "LaunchTemplate");
    written_as_v1("instance", "no key_name written when none");
}
