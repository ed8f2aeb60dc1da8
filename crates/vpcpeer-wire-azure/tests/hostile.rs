//! Hostile input at the ARM face: malformed `api-version`s, paths and bodies are answered with
//! an ARM error document, never a panic (issue 8, item 2).

mod common;

use common::{call, put_group, SUB};
use proptest::prelude::*;
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_wire_azure::Reply;

fn vnet_path() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v")
}

/// A PUT of the VNet `v` of group `rg` with `body`, at a current `api-version`.
fn put_vnet(env: &mut TestEnv, body: &[u8]) -> Reply {
    call(env, "PUT", &vnet_path(), "api-version=2024-05-01", body)
}

fn code(r: &Reply) -> &str {
    r.body
        .as_ref()
        .and_then(|b| b["error"]["code"].as_str())
        .unwrap_or("")
}

/// GETs the VNet (its resource group does not exist) at each `api-version=…` of `versions`:
/// each answer must be `status` with the ARM error `code`.
fn vnet_get_answers(versions: &[&str], (status, want): (u16, &str)) {
    let mut env = TestEnv::new();
    for q in versions {
        let r = call(
            &mut env,
            "GET",
            &vnet_path(),
            &format!("api-version={q}"),
            b"",
        );
        assert_eq!((r.status, code(&r)), (status, want), "{q}");
    }
}

/// The issue's reproduction: a multi-byte character across the tenth byte of `api-version`.
#[test]
fn api_version_with_a_multibyte_character_is_refused_not_a_panic() {
    let versions = [
        "aaaaaaaaa%C3%A9",
        "2024-05-0%C3%A9",
        "%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9",
        "2024-05-01%C3%A9",
        "2024-05-01-previe%C3%A9",
        "%E2%82%AC",
        "2024%E2%82%AC05-01",
    ];
    vnet_get_answers(&versions, (400, "InvalidApiVersionParameter"));
}

/// Past `prepare`: the missing resource group is what is reported.
#[test]
fn date_shaped_versions_are_still_accepted() {
    let versions = ["2024-05-01", "2023-09-01-preview", "2023-09-01-PREVIEW"];
    vnet_get_answers(&versions, (404, "ResourceGroupNotFound"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any api-version, path tail and body: an answer (ARM error or success), never a panic, and
    /// an error always carries a code.
    #[test]
    fn any_request_is_answered(
        version in "\\PC{0,14}",
        tail in "(/[a-zA-Z%0-9é€.]{0,12}){0,8}",
        method in prop::sample::select(vec!["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"]),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut env = TestEnv::new();
        let query = format!("api-version={version}");
        for path in [format!("/subscriptions/{SUB}{tail}"), format!("{}{tail}", vnet_path())] {
            let r = call(&mut env, method, &path, &query, &body);
            if r.status >= 400 {
                prop_assert!(!code(&r).is_empty());
            }
            prop_assert!(r.status < 500, "{} {path}?{query}: {:?}", method, r);
        }
    }
}

// ---------------------------------------------------------------- item 4: bounded VNet input

/// `n` disjoint /24 prefixes from 10.0.0.0 up, and `subnets` /28 subnets inside the first ones.
fn vnet_body(n: usize, subnets: usize) -> Vec<u8> {
    let prefix = |i: usize| format!("10.{}.{}.0/24", (i >> 8) & 0xff, i & 0xff);
    let prefixes: Vec<String> = (0..n).map(|i| format!("\"{}\"", prefix(i))).collect();
    let subnets: Vec<String> = (0..subnets)
        .map(|i| {
            let (p, k) = (i / 16, i % 16);
            format!(
                r#"{{"name":"s{i}","properties":{{"addressPrefix":"10.{}.{}.{}/28"}}}}"#,
                (p >> 8) & 0xff,
                p & 0xff,
                k * 16
            )
        })
        .collect();
    format!(
        r#"{{"location":"eastus","properties":{{"addressSpace":{{"addressPrefixes":[{}]}},"subnets":[{}]}}}}"#,
        prefixes.join(","),
        subnets.join(",")
    )
    .into_bytes()
}

/// The issue's reproduction: 60,000 prefixes are refused with an ARM error, and nothing is made.
#[test]
fn a_vnet_with_60000_prefixes_is_refused() {
    let mut env = TestEnv::new();
    put_group(&mut env);
    let r = put_vnet(&mut env, &vnet_body(60_000, 1));
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(code(&r), "AddressPrefixCountLimitReached");
    assert!(env.world.azure.vnets().is_empty());
    let r = put_vnet(&mut env, &vnet_body(10, 3001));
    assert_eq!(code(&r), "SubnetCountLimitReached");
}

/// The largest VNet allowed (1,000 prefixes, 3,000 subnets) is accepted, and updated in place.
#[test]
fn a_vnet_at_the_limits_is_accepted() {
    use vpcpeer_model::azure::limits::{MAX_ADDRESS_PREFIXES, MAX_SUBNETS};
    let mut env = TestEnv::new();
    put_group(&mut env);
    let body = vnet_body(MAX_ADDRESS_PREFIXES, MAX_SUBNETS);
    let r = put_vnet(&mut env, &body);
    assert_eq!(
        r.status,
        201,
        "{:?}",
        r.body.as_ref().map(|b| b["error"].clone())
    );
    let v = env.world.azure.vnets().values().next().expect("vnet");
    assert_eq!(
        (v.prefixes.len(), v.subnets.len()),
        (MAX_ADDRESS_PREFIXES, MAX_SUBNETS)
    );
    let r = put_vnet(&mut env, &body);
    assert_eq!(r.status, 200);
    let r = put_vnet(&mut env, &vnet_body(MAX_ADDRESS_PREFIXES + 1, 1));
    assert_eq!(code(&r), "AddressPrefixCountLimitReached");
}

/// Overlaps inside one request are still found (now by sorting), with the same codes.
#[test]
fn overlaps_in_a_request_are_still_refused() {
    let mut env = TestEnv::new();
    put_group(&mut env);
    let put = |env: &mut TestEnv, body: &str| {
        call(
            env,
            "PUT",
            &vnet_path(),
            "api-version=2024-05-01",
            body.as_bytes(),
        )
    };
    let r = put(
        &mut env,
        r#"{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.3.0.0/16","10.1.0.0/16","10.3.4.0/24"]}}}"#,
    );
    assert_eq!(code(&r), "NetcfgInvalidAddressPrefixes");
    let msg = r.body.as_ref().unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        msg.contains("10.3.0.0/16") && msg.contains("10.3.4.0/24"),
        "{msg}"
    );
    let r = put(
        &mut env,
        r#"{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"name":"b","properties":{"addressPrefix":"10.0.2.0/24"}},{"name":"a","properties":{"addressPrefix":"10.0.0.0/22"}}]}}"#,
    );
    assert_eq!(code(&r), "NetcfgSubnetRangesOverlap");
    let r = put(
        &mut env,
        r#"{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"name":"a","properties":{"addressPrefix":"10.0.2.0/24"}},{"name":"A","properties":{"addressPrefix":"10.0.3.0/24"}}]}}"#,
    );
    assert_eq!(code(&r), "DuplicateResourceName");
    let r = put(
        &mut env,
        r#"{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16","10.2.0.0/16"]},"subnets":[{"name":"a","properties":{"addressPrefix":"10.1.0.0/24"}}]}}"#,
    );
    assert_eq!(code(&r), "NetcfgSubnetRangeOutsideVnet");
    assert!(env.world.azure.vnets().is_empty());
}

/// Tags of every resource are checked against Azure's limits on PUT and PATCH.
#[test]
fn azure_tag_limits() {
    let mut env = TestEnv::new();
    let rg = format!("/subscriptions/{SUB}/resourcegroups/rg");
    let q = "api-version=2024-05-01";
    let big = "v".repeat(1 << 20);
    let many: Vec<String> = (0..51).map(|i| format!("\"k{i}\":\"v\"")).collect();
    let cases = [
        (
            format!(r#"{{"location":"eastus","tags":{{"k":"{big}"}}}}"#),
            "InvalidTagValueLength",
        ),
        (
            format!(
                r#"{{"location":"eastus","tags":{{"{}":"v"}}}}"#,
                "k".repeat(513)
            ),
            "InvalidTagName",
        ),
        (
            r#"{"location":"eastus","tags":{"a<b":"v"}}"#.to_owned(),
            "InvalidTagNameCharacters",
        ),
        (
            format!(r#"{{"location":"eastus","tags":{{{}}}}}"#, many.join(",")),
            "InvalidTags",
        ),
    ];
    for (body, want) in &cases {
        let r = call(&mut env, "PUT", &rg, q, body.as_bytes());
        assert_eq!((r.status, code(&r)), (400, *want));
    }
    assert!(env.world.azure.resource_groups().is_empty());
    put_group(&mut env);
    let r = call(&mut env, "PUT", &vnet_path(), q, format!(r#"{{"location":"eastus","tags":{{"k":"{big}"}},"properties":{{"addressSpace":{{"addressPrefixes":["10.0.0.0/16"]}}}}}}"#).as_bytes());
    assert_eq!(code(&r), "InvalidTagValueLength");
    let r = call(
        &mut env,
        "PATCH",
        &rg,
        q,
        format!(r#"{{"tags":{{{}}}}}"#, many.join(",")).as_bytes(),
    );
    assert_eq!(code(&r), "InvalidTags");
    let ok: Vec<String> = (0..50)
        .map(|i| format!("\"k{i}\":\"{}\"", "v".repeat(256)))
        .collect();
    let r = call(
        &mut env,
        "PATCH",
        &rg,
        q,
        format!(r#"{{"tags":{{{}}}}}"#, ok.join(",")).as_bytes(),
    );
    assert_eq!(r.status, 200, "{r:?}");
}

// ---------------------------------------------------------------- item 8

/// The issue's reproduction: a NIC of subscription B on subscription A's subnet.
#[test]
fn a_nic_on_another_subscription_s_subnet_is_refused() {
    const SUB_B: &str = "00000000-0000-0000-0000-00000000000b";
    let q = "api-version=2024-05-01";
    let mut env = TestEnv::new();
    put_group(&mut env);
    let r = call(
        &mut env,
        "PUT",
        &vnet_path(),
        q,
        br#"{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"name":"s","properties":{"addressPrefix":"10.0.1.0/24"}}]}}"#,
    );
    assert_eq!(r.status, 201);
    let r = call(
        &mut env,
        "PUT",
        &format!("/subscriptions/{SUB_B}/resourcegroups/rg-b"),
        q,
        br#"{"location":"eastus"}"#,
    );
    assert_eq!(r.status, 201);
    let subnet = format!("{}/subnets/s", vnet_path());
    let nic = format!("/subscriptions/{SUB_B}/resourceGroups/rg-b/providers/Microsoft.Network/networkInterfaces/nic-b");
    let body = format!(
        r#"{{"location":"eastus","properties":{{"ipConfigurations":[{{"name":"ip","properties":{{"subnet":{{"id":"{subnet}"}}}}}}]}}}}"#
    );
    let r = call(&mut env, "PUT", &nic, q, body.as_bytes());
    assert_eq!(
        (r.status, code(&r)),
        (400, "InvalidResourceReference"),
        "{r:?}"
    );
    assert!(env.world.azure.nics().is_empty());
}
