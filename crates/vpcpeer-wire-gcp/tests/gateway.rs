//! Golden tests of the instance and address shapes a gateway needs: `accessConfigs`,
//! `canIpForward`, `metadata` with its fingerprint, `status`, `stop`/`start`/`setMetadata`,
//! and regional static addresses (`compute#address`, `RESERVED` → `IN_USE` with `users`), with
//! their refusals as GCP's error documents.

use serde_json::{json, Value};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_wire_gcp::render::{fingerprint_text, fingerprint_value};
use vpcpeer_wire_gcp::{handle, parse};

const BASE: &str = "http://127.0.0.1:4650/compute/v1/";
const VMS: &str = "projects/p/zones/us-central1-a/instances";
const ADDRESSES: &str = "projects/p/regions/us-central1/addresses";

fn call(env: &mut TestEnv, method: &str, path: &str, body: Value) -> (u16, Value) {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(&body).unwrap()
    };
    let c = match parse(method, path, "", &bytes) {
        Ok(c) => c,
        Err(e) => return (e.status, e.body()),
    };
    match env.transact(&c.scope(), |tx| handle(tx, &c, BASE)) {
        Ok(v) => (200, v),
        Err(e) => (e.status, e.body()),
    }
}

fn ok(env: &mut TestEnv, method: &str, path: &str, body: Value) -> Value {
    let (status, v) = call(env, method, path, body);
    assert_eq!(status, 200, "{method} {path}: {v}");
    v
}

fn get(env: &mut TestEnv, path: &str) -> Value {
    ok(env, "GET", path, Value::Null)
}

/// The status, reason and message of a refused call (the world is left as it was: checked by
/// reading `check` before and after).
fn refused(
    env: &mut TestEnv,
    method: &str,
    path: &str,
    body: Value,
    check: &str,
) -> (u16, String, String) {
    let before = get(env, check);
    let (status, v) = call(env, method, path, body);
    assert_ne!(status, 200, "{method} {path}: {v}");
    assert_eq!(get(env, check), before, "{method} {path} changed {check}");
    let e = &v["error"];
    assert_eq!(e["code"], status);
    (
        status,
        e["errors"][0]["reason"].as_str().unwrap().to_owned(),
        e["message"].as_str().unwrap().to_owned(),
    )
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

fn setup() -> TestEnv {
    let mut env = TestEnv::new();
    ok(
        &mut env,
        "POST",
        "projects/p/global/networks",
        json!({"name": "net", "autoCreateSubnetworks": false}),
    );
    ok(
        &mut env,
        "POST",
        "projects/p/regions/us-central1/subnetworks",
        json!({"name": "net-sub", "network": "global/networks/net", "ipCidrRange": "10.5.0.0/24"}),
    );
    env
}

fn gateway_body(name: &str, access: Value) -> Value {
    json!({
        "name": name,
        "machineType": "zones/us-central1-a/machineTypes/e2-small",
        "canIpForward": true,
        "networkInterfaces": [{"subnetwork": "regions/us-central1/subnetworks/net-sub",
                               "accessConfigs": [access]}],
        "metadata": {"items": [{"key": "user-data", "value": "#vpcpeer-gateway\n"}]},
    })
}

#[test]
fn a_gateway_instance_renders_its_access_config_metadata_and_status() {
    let mut env = setup();
    ok(
        &mut env,
        "POST",
        VMS,
        gateway_body("gw", json!({"type": "ONE_TO_ONE_NAT"})),
    );
    let gw = get(&mut env, &format!("{VMS}/gw"));
    insta::assert_snapshot!("gateway_instance", pretty(&gw));
    // A list shows the same instance.
    let list = get(&mut env, VMS);
    assert_eq!(list["items"][0], gw);

    // Stopped a minute after insert, started again a minute later: each time is its own
    // step's, and a start keeps the stop time.
    env.now = env.now.plus_millis(60_000);
    let stop = ok(&mut env, "POST", &format!("{VMS}/gw/stop"), Value::Null);
    insta::assert_snapshot!("stop_op", pretty(&stop));
    let stopped = get(&mut env, &format!("{VMS}/gw"));
    assert_eq!(stopped["status"], "TERMINATED");
    insta::assert_snapshot!(
        "stopped_access_config",
        pretty(&stopped["networkInterfaces"][0]["accessConfigs"])
    );
    insta::assert_snapshot!(
        "stopped_times",
        pretty(&json!({
            "creationTimestamp": stopped["creationTimestamp"],
            "lastStartTimestamp": stopped["lastStartTimestamp"],
            "lastStopTimestamp": stopped["lastStopTimestamp"],
        }))
    );
    env.now = env.now.plus_millis(60_000);
    ok(&mut env, "POST", &format!("{VMS}/gw/start"), Value::Null);
    let started = get(&mut env, &format!("{VMS}/gw"));
    assert_eq!(started["status"], "RUNNING");
    assert_eq!(
        (
            &started["lastStartTimestamp"],
            &started["lastStopTimestamp"]
        ),
        (
            &json!("2023-11-14T22:15:20.000+00:00"),
            &stopped["lastStopTimestamp"]
        )
    );
    assert_eq!(
        started["networkInterfaces"][0]["accessConfigs"][0]["natIP"],
        "35.192.0.1"
    );
}

#[test]
fn set_metadata_takes_the_current_fingerprint_and_refuses_a_stale_one() {
    let mut env = setup();
    ok(&mut env, "POST", VMS, gateway_body("gw", json!({})));
    let path = format!("{VMS}/gw");
    let f0 = get(&mut env, &path)["metadata"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = |f: &str| json!({"fingerprint": f, "items": [{"key": "user-data", "value": "v2"}]});
    let op = ok(&mut env, "POST", &format!("{path}/setMetadata"), body(&f0));
    assert_eq!(op["operationType"], "setMetadata");
    let m = get(&mut env, &path)["metadata"].clone();
    assert_ne!(m["fingerprint"], f0.as_str());
    assert_eq!(m["items"], json!([{"key": "user-data", "value": "v2"}]));

    let set = format!("{path}/setMetadata");
    assert_eq!(
        refused(&mut env, "POST", &set, body(&f0), &path),
        (
            412,
            "conditionNotMet".into(),
            "Supplied fingerprint does not match current metadata fingerprint.".into()
        )
    );
    let (status, reason, _) = refused(&mut env, "POST", &set, json!({"items": []}), &path);
    assert_eq!((status, reason.as_str()), (412, "conditionNotMet"));
    let (status, reason, message) = refused(&mut env, "POST", &set, body("not base64!"), &path);
    assert_eq!((status, reason.as_str()), (400, "invalid"));
    assert_eq!(
        message,
        "Invalid value for field 'resource.fingerprint': 'not base64!'."
    );
}

#[test]
fn fingerprints_are_url_safe_base64_of_eight_bytes() {
    for f in [0u64, 1, u64::MAX, 0xfa0a_1a78_dd92_19e9] {
        let t = fingerprint_text(f);
        assert_eq!(t.len(), 12, "{t}");
        assert!(t.ends_with('='));
        assert_eq!(fingerprint_value(&t), Some(f), "{t}");
    }
    // GCP's own example (from a real setMetadata error) reads back.
    let f = fingerprint_value("-goaeN2SGek=").expect("URL-safe base64");
    assert_eq!(fingerprint_text(f), "-goaeN2SGek=");
    for bad in ["", "abc", "-goaeN2SGek", "-goaeN2SGe!=", "AAAAAAAAAAB="] {
        assert_eq!(
            fingerprint_value(bad).is_some(),
            bad == "-goaeN2SGek",
            "{bad}"
        );
    }
}

#[test]
fn static_addresses_render_reserved_then_in_use() {
    let mut env = setup();
    let op = ok(&mut env, "POST", ADDRESSES, json!({"name": "gw-ip"}));
    assert_eq!(op["operationType"], "insert");
    assert!(op["region"]
        .as_str()
        .unwrap()
        .ends_with("regions/us-central1"));
    let reserved = get(&mut env, &format!("{ADDRESSES}/gw-ip"));
    insta::assert_snapshot!("address_reserved", pretty(&reserved));
    let addr = reserved["address"].as_str().unwrap().to_owned();
    ok(
        &mut env,
        "POST",
        VMS,
        gateway_body("gw", json!({"natIP": addr, "name": "ext"})),
    );
    let in_use = get(&mut env, &format!("{ADDRESSES}/gw-ip"));
    assert_eq!(in_use["status"], "IN_USE");
    assert_eq!(in_use["users"], json!([format!("{BASE}{VMS}/gw")]));
    let list = get(&mut env, ADDRESSES);
    assert_eq!(list["kind"], "compute#addressList");
    assert_eq!(list["items"], json!([in_use]));
    let gw = get(&mut env, &format!("{VMS}/gw"));
    assert_eq!(
        gw["networkInterfaces"][0]["accessConfigs"][0],
        json!({"kind": "compute#accessConfig", "type": "ONE_TO_ONE_NAT", "name": "ext",
               "natIP": addr, "networkTier": "PREMIUM"})
    );

    let one = format!("{ADDRESSES}/gw-ip");
    assert_eq!(
        refused(
            &mut env,
            "POST",
            VMS,
            gateway_body("gw2", json!({"natIP": addr})),
            ADDRESSES
        ),
        (
            400,
            "badRequest".into(),
            format!("IP '{addr}' is already being used by another resource.")
        )
    );
    assert_eq!(
        refused(&mut env, "DELETE", &one, Value::Null, ADDRESSES),
        (
            400,
            "resourceInUseByAnotherResource".into(),
            "The address resource 'projects/p/regions/us-central1/addresses/gw-ip' is already \
             being used by 'projects/p/zones/us-central1-a/instances/gw'"
                .to_owned()
        )
    );
    assert_eq!(
        refused(
            &mut env,
            "POST",
            VMS,
            gateway_body("gw3", json!({"natIP": "35.192.9.9"})),
            ADDRESSES
        ),
        (
            400,
            "invalid".into(),
            "Invalid value for field 'resource.networkInterfaces[0].accessConfigs[0].natIP': \
             '35.192.9.9'. The specified external IP address '35.192.9.9' was not found in \
             region 'us-central1'."
                .into()
        )
    );
    let (status, reason, _) = refused(
        &mut env,
        "POST",
        VMS,
        gateway_body("gw4", json!({"type": "DIRECT_IPV6"})),
        ADDRESSES,
    );
    assert_eq!((status, reason.as_str()), (400, "invalid"));
    ok(&mut env, "DELETE", &format!("{VMS}/gw"), Value::Null);
    assert_eq!(get(&mut env, &one)["status"], "RESERVED");
    assert!(get(&mut env, &one).get("users").is_none());
    ok(&mut env, "DELETE", &one, Value::Null);
    let (status, _) = call(&mut env, "GET", &one, Value::Null);
    assert_eq!(status, 404);
}

/// The gateway image: `disks[].initializeParams.sourceImage` read in any of its spellings (the
/// boot disk's), and `disks[]` returned as GCP lists a boot disk (never `initializeParams`).
#[test]
fn a_gateway_instance_boots_from_the_gateway_image_and_lists_its_boot_disk() {
    use vpcpeer_model::gcp::{is_gateway_image, GATEWAY_IMAGE};
    let mut env = setup();
    let spellings = [
        GATEWAY_IMAGE.to_owned(),
        format!("https://www.googleapis.com/compute/v1/{GATEWAY_IMAGE}"),
        "projects/vpcpeer/global/images/family/vpcpeer-gateway".to_owned(),
    ];
    for (n, image) in spellings.iter().enumerate() {
        let mut body = gateway_body(&format!("gw{n}"), json!({"type": "ONE_TO_ONE_NAT"}));
        body["disks"] = json!([
            {"boot": true, "autoDelete": true,
             "initializeParams": {"sourceImage": image, "diskSizeGb": "10"}}
        ]);
        ok(&mut env, "POST", VMS, body);
        let gw = get(&mut env, &format!("{VMS}/gw{n}"));
        if n == 0 {
            insta::assert_snapshot!("gateway_image_disks", pretty(&gw["disks"]));
        }
        assert_eq!(gw["disks"][0]["boot"], true);
        assert!(gw["disks"][0].get("initializeParams").is_none());
        let w = &env.world;
        let i = w
            .gcp
            .instances()
            .get(&format!("{VMS}/gw{n}"))
            .expect("inserted");
        assert!(i.is_gateway(), "{image}");
        assert!(is_gateway_image(image));
    }
    // Another image is stored and listed but is not the gateway's; no disk, no `disks`.
    let mut body = gateway_body("plain", json!({"type": "ONE_TO_ONE_NAT"}));
    body["disks"] = json!([
        {"boot": false, "source": "zones/us-central1-a/disks/data"},
        {"boot": true, "initializeParams": {"sourceImage": "projects/debian-cloud/global/images/family/debian-12"}}
    ]);
    ok(&mut env, "POST", VMS, body);
    let plain = get(&mut env, &format!("{VMS}/plain"));
    assert_eq!(plain["disks"].as_array().map(Vec::len), Some(1));
    let w = &env.world;
    let i = w.gcp.instances().get(&format!("{VMS}/plain")).unwrap();
    assert_eq!(
        i.source_image.as_deref(),
        Some("projects/debian-cloud/global/images/family/debian-12")
    );
    assert!(!i.is_gateway());
    ok(
        &mut env,
        "POST",
        VMS,
        gateway_body("bare", json!({"type": "ONE_TO_ONE_NAT"})),
    );
    assert!(get(&mut env, &format!("{VMS}/bare")).get("disks").is_none());
    // A sourceImage that is not a string is GCP's invalid-value error; nothing is inserted.
    let mut bad = gateway_body("bad", json!({"type": "ONE_TO_ONE_NAT"}));
    bad["disks"] = json!([{"boot": true, "initializeParams": {"sourceImage": 7}}]);
    let (status, reason, _) = refused(&mut env, "POST", VMS, bad, VMS);
    assert_eq!((status, reason.as_str()), (400, "invalid"));
}
