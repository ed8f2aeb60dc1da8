//! Tests of `GET /_vpcpeer/inspect`: golden answers for a VPC (with a route made a blackhole by
//! deleting its peering), a pending AWS request (who may accept, expiry) that then expires, the
//! GCP and Azure worlds of the reach tests, and the errors for a missing or unknown id.

use serde_json::Value;
use vpcpeer_api as api;
use vpcpeer_model::Timestamp;

use crate::audit::tests::{one_sided, request_to_c, A};
use crate::golden_tests::golden;
use crate::reach::tests::{azure_world, world as gcp_world};
use crate::testing::{get_text, ok, state};

async fn get(st: &std::sync::Arc<crate::AppState>, query: &str) -> (u16, String) {
    get_text(st, &format!("/_vpcpeer/inspect{query}")).await
}

fn fact<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v["facts"]
        .as_array()
        .expect("facts")
        .iter()
        .find(|f| f["key"] == key)
        .and_then(|f| f["value"].as_str())
}

#[tokio::test]
async fn a_vpc_shows_its_tables_and_flags_a_blackhole_route() {
    let st = state();
    let (a, _, _, pcx) = one_sided(&st).await;
    ok(
        &st,
        A,
        &format!("Action=DeleteVpcPeeringConnection&VpcPeeringConnectionId={pcx}"),
    )
    .await;
    let (status, raw) = get(&st, &format!("?id={}", a[0])).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("inspect_aws_vpc", golden::<api::Inspection>(&raw));
    let v: Value = serde_json::from_str(&raw).expect("json");
    assert_eq!(v["kind"], "network");
    assert_eq!(fact(&v, "CIDRs"), Some("10.0.0.0/16"));
    let table = v["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == a[1].as_str())
        .expect("the peering route's table");
    let flagged: Vec<&Value> = table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["flag"] == "blackhole")
        .collect();
    assert_eq!(flagged.len(), 1, "{table}");
    assert_eq!(flagged[0]["cells"][0], "10.1.0.0/16");
    assert_eq!(flagged[0]["cells"][1], pcx.as_str());
    let kinds: Vec<&str> = v["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .filter_map(|t| t["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"security-group") && kinds.contains(&"network-acl"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_pending_request_says_who_may_accept_until_it_expires() {
    let st = state();
    let (a, _, c, _) = one_sided(&st).await;
    let pending = request_to_c(&st, &a, &c).await;
    let (status, raw) = get(&st, &format!("?id={pending}")).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("inspect_aws_pending", golden::<api::Inspection>(&raw));
    let v: Value = serde_json::from_str(&raw).expect("json");
    assert_eq!(fact(&v, "State"), Some("pending-acceptance"));
    let who = fact(&v, "May accept").expect("who may accept");
    assert!(who.starts_with("account 333333333333 in "), "{who}");
    assert!(fact(&v, "Expires").is_some());
    st.emulator
        .advance_clock(7 * 86_400 + 1)
        .await
        .expect("advance");
    let (_, raw) = get(&st, &format!("?id={pending}")).await;
    let v: Value = serde_json::from_str(&raw).expect("json");
    assert_eq!(fact(&v, "State"), Some("expired"), "{v}");
    assert_eq!(fact(&v, "May accept"), None);
    assert_eq!(fact(&v, "Expires"), None);
}

#[tokio::test]
async fn a_missing_or_unknown_id_is_a_client_error() {
    let st = state();
    let (status, raw) = get(&st, "").await;
    assert_eq!(status, 400, "{raw}");
    assert!(raw.contains("id is required"), "{raw}");
    let (status, raw) = get(&st, "?id=vpc-00000000").await;
    assert_eq!(status, 404, "{raw}");
    assert!(raw.contains("vpc-00000000"), "{raw}");
}

/// Every network and peering id of a topology answer.
fn every_id(t: &api::Topology) -> Vec<String> {
    t.clouds
        .iter()
        .flat_map(|c| &c.accounts)
        .flat_map(|a| &a.regions)
        .flat_map(|r| &r.networks)
        .map(|n| n.id.clone())
        .chain(t.peerings.iter().map(|p| p.id.clone()))
        .collect()
}

#[test]
fn gcp_and_azure_networks_and_peerings() {
    let now = Timestamp(1_700_000_000_000);
    let w = gcp_world();
    let shots: Vec<api::Inspection> = every_id(&crate::topology::build(&w, now))
        .into_iter()
        .map(|id| {
            let answer = super::inspect(&w, now, &id).unwrap_or_else(|| panic!("{id}"));
            assert_eq!(answer.id, id);
            answer
        })
        .collect();
    assert!(shots
        .iter()
        .any(|s| s.kind == "peering" && s.facts[0].value == "ACTIVE"));
    insta::assert_snapshot!(
        "inspect_gcp",
        serde_json::to_string_pretty(&shots).expect("json")
    );
    let w = azure_world();
    let shots: Vec<api::Inspection> = every_id(&crate::topology::build(&w, now))
        .into_iter()
        .map(|id| {
            // ARM ids match without regard to case.
            let answer =
                super::inspect(&w, now, &id.to_ascii_uppercase()).unwrap_or_else(|| panic!("{id}"));
            assert_eq!(answer.id, id);
            answer
        })
        .collect();
    assert!(shots
        .iter()
        .any(|s| s.tables.iter().any(|t| t.kind == "nsg")));
    insta::assert_snapshot!(
        "inspect_azure",
        serde_json::to_string_pretty(&shots).expect("json")
    );
}
