//! The shapes that are easy to get wrong: a key that is absent versus present and `null` (an
//! AWS route has no `name`/`priority`; a hidden GCP route has `"name": null`; an Azure route
//! `"priority": null`), the `type` tag of rules, `return` for the return path, and optional
//! matrix cell fields. Each JSON text is read as its type and written back unchanged.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use vpcpeer_api::{Cell, Component, ReachAnswer, Rule};

fn round_trip<T: Serialize + DeserializeOwned>(v: Value) -> T {
    let t: T = serde_json::from_value(v.clone()).expect("reads");
    assert_eq!(serde_json::to_value(&t).expect("writes"), v);
    t
}

#[test]
fn route_rules_keep_absent_and_null_apart() {
    let cases = [
        json!({"type": "route", "destination": "10.1.0.0/16", "target": "pcx-1"}),
        json!({"type": "route", "destination": "10.2.0.0/24", "target": "network b",
               "name": null, "priority": 0}),
        json!({"type": "route", "destination": "10.2.0.0/16", "target": "VNetPeering",
               "name": "system route", "priority": null}),
    ];
    let [aws, gcp, azure] = cases.map(round_trip::<Rule>);
    let (Rule::Route(aws), Rule::Route(gcp), Rule::Route(azure)) = (aws, gcp, azure) else {
        panic!("not routes");
    };
    assert_eq!((aws.name, aws.priority), (None, None));
    assert_eq!((gcp.name, gcp.priority), (Some(None), Some(Some(0))));
    assert_eq!(
        (azure.name, azure.priority),
        (Some(Some("system route".into())), Some(None))
    );
}

#[test]
fn other_rules_components_and_answers_round_trip() {
    for v in [
        json!({"type": "security-group-rule", "direction": "ingress", "group_id": null, "rule_id": null}),
        json!({"type": "network-acl-entry", "action": "deny", "direction": "inbound", "rule_number": null}),
        json!({"type": "firewall-rule", "action": "allow", "direction": "egress", "policy": "net-a",
               "priority": 65535, "rule": "implied-allow-egress"}),
    ] {
        round_trip::<Rule>(v);
    }
    let hidden = round_trip::<Component>(json!({"kind": "route-table", "id": null,
        "account": "222222222222", "vpc": "vpc-1", "label": "route-table (account 222222222222, vpc-1)"}));
    assert_eq!(hidden.id, None);
    let h = json!({"src_ip": "10.0.0.1", "dst_ip": "10.1.0.1", "protocol": "icmp",
                   "src_port": null, "dst_port": null, "icmp_type": 8, "icmp_code": 0});
    let answer = round_trip::<ReachAnswer>(json!({
        "reachable": true,
        "forward": [{"component": {"kind": "instance", "id": "i-1"}, "rule": null,
                     "inbound": h, "outbound": h}],
        "return": [],
        "blockers": [],
    }));
    assert!(answer.reachable && answer.ret.is_empty());
    round_trip::<Cell>(
        json!({"from": "i-1", "to": "i-2", "reachable": false, "code": "BAD_STATE"}),
    );
    round_trip::<Cell>(json!({"from": "i-1", "to": "i-2", "reachable": false, "error": "boom"}));
}
