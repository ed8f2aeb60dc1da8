//! Security rules through the ARM face: the protocol, port ranges and address prefixes are typed
//! at the edge, yet a rule is answered in the caller's own spelling, and every value the NSG
//! checks refuse is refused with its code and quoted as given.

mod common;

use common::{API, SUB};
use serde_json::{json, Value};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_wire_azure::Reply;

fn call(env: &mut TestEnv, method: &str, path: &str, body: &str) -> Reply {
    common::call(env, method, path, API, body.as_bytes())
}

fn nsg_path() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg")
}

fn setup() -> TestEnv {
    let mut env = TestEnv::new();
    common::put_group(&mut env);
    let r = call(&mut env, "PUT", &nsg_path(), r#"{"location":"eastus"}"#);
    assert_eq!(r.status, 201);
    env
}

fn rule(props: Value) -> String {
    let mut p = json!({
        "protocol": "Tcp",
        "sourcePortRange": "*",
        "destinationPortRange": "443",
        "sourceAddressPrefix": "*",
        "destinationAddressPrefix": "*",
        "access": "Allow",
        "priority": 100,
        "direction": "Inbound",
    });
    for (k, v) in props.as_object().unwrap() {
        p[k] = v.clone();
    }
    json!({ "properties": p }).to_string()
}

fn put_rule(env: &mut TestEnv, props: Value) -> Reply {
    call(
        env,
        "PUT",
        &format!("{}/securityRules/r", nsg_path()),
        &rule(props),
    )
}

#[test]
fn a_rule_is_answered_in_the_callers_spelling() {
    let mut env = setup();
    let r = put_rule(
        &mut env,
        json!({
            "protocol": "tcp",
            "sourcePortRange": " 80",
            "destinationPortRange": null,
            "destinationPortRanges": ["1000 - 2000", "+22", "*"],
            "sourceAddressPrefix": " 10.0.0.1/16",
            "destinationAddressPrefix": null,
            "destinationAddressPrefixes": ["virtualnetwork", "Sql.EastUS", "10.0.0.4"],
        }),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    for reply in [
        r,
        call(
            &mut env,
            "GET",
            &format!("{}/securityRules/r", nsg_path()),
            "",
        ),
    ] {
        let p = &reply.body.as_ref().unwrap()["properties"];
        assert_eq!(p["protocol"], "tcp");
        assert_eq!(p["sourcePortRange"], " 80");
        assert_eq!(
            p["destinationPortRanges"],
            json!(["1000 - 2000", "+22", "*"])
        );
        assert_eq!(p["sourceAddressPrefix"], " 10.0.0.1/16");
        assert_eq!(
            p["destinationAddressPrefixes"],
            json!(["virtualnetwork", "Sql.EastUS", "10.0.0.4"])
        );
    }
}

#[test]
fn every_refused_value_is_refused_with_its_code_and_quoted() {
    let cases = [
        (
            json!({"protocol": "Gre"}),
            "SecurityRuleInvalidProtocol",
            "'Gre'",
        ),
        (
            json!({"protocol": " Tcp"}),
            "SecurityRuleInvalidProtocol",
            "' Tcp'",
        ),
        (
            json!({"protocol": "All"}),
            "SecurityRuleInvalidProtocol",
            "'All'",
        ),
        (
            json!({"destinationPortRange": "70000"}),
            "SecurityRuleInvalidPortRange",
            "'70000'",
        ),
        (
            json!({"destinationPortRange": "90-80"}),
            "SecurityRuleInvalidPortRange",
            "'90-80'",
        ),
        (
            json!({"sourcePortRange": "x"}),
            "SecurityRuleInvalidPortRange",
            "'x'",
        ),
        (
            json!({"sourcePortRange": null}),
            "SecurityRuleInvalidPortRange",
            "no source port",
        ),
        (
            json!({"sourceAddressPrefix": "10.0.0.0/33"}),
            "SecurityRuleInvalidAddressPrefix",
            "'10.0.0.0/33'",
        ),
        (
            json!({"destinationAddressPrefix": "Sql-EastUS"}),
            "SecurityRuleInvalidAddressPrefix",
            "'Sql-EastUS'",
        ),
        (
            json!({"destinationAddressPrefix": null}),
            "SecurityRuleInvalidAddressPrefix",
            "no destination address",
        ),
        // Two mistakes: the protocol is checked before the ports, as before.
        (
            json!({"protocol": "x", "sourcePortRange": "x"}),
            "SecurityRuleInvalidProtocol",
            "'x'",
        ),
    ];
    for (props, code, quoted) in cases {
        let mut env = setup();
        let r = put_rule(&mut env, props.clone());
        assert_eq!(r.status, 400, "{props}: {:?}", r.body);
        let err = &r.body.as_ref().unwrap()["error"];
        assert_eq!(err["code"], code, "{props}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains(quoted), "{props}: {message}");
    }
}
