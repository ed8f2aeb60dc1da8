//! Tests of `GET /_vpcpeer/topology`: golden answers over the AWS scenario of the audit tests
//! (with a pending request that then expires) and the GCP and Azure worlds of the reach tests,
//! and the states each cloud's peering goes through as the map shows them.

use serde_json::{json, Value};
use vpcpeer_api as api;
use vpcpeer_model::Timestamp;

use crate::audit::tests::{one_sided, request_to_c, A};
use crate::golden_tests::golden;
use crate::reach::tests::{azure_world, world as gcp_world};
use crate::testing::{get_text, ok, state};

/// `GET /_vpcpeer/topology`: status and the exact bytes.
async fn get(st: &std::sync::Arc<crate::AppState>) -> (u16, String) {
    get_text(st, "/_vpcpeer/topology").await
}

/// The peering `id` of a topology answer.
fn peering<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["peerings"]
        .as_array()
        .expect("peerings")
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {v}"))
}

#[tokio::test]
async fn aws_topology_with_a_request_that_expires() {
    let st = state();
    let (a, b, c, pcx) = one_sided(&st).await;
    let pending = request_to_c(&st, &a, &c).await;
    ok(
        &st,
        A,
        &format!(
            "Action=CreateTags&ResourceId.1={}&Tag.1.Key=Name&Tag.1.Value=a-vpc",
            a[0]
        ),
    )
    .await;
    let (status, raw) = get(&st).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("topology_aws", golden::<api::Topology>(&raw));
    let v: Value = serde_json::from_str(&raw).expect("json");
    assert_eq!(peering(&v, &pcx)["state"], "active");
    assert_eq!(peering(&v, &pcx)["from"], json!(a[0]));
    assert_eq!(peering(&v, &pcx)["to"], json!(b[0]));
    assert_eq!(peering(&v, &pending)["state"], "pending-acceptance");
    let expires = peering(&v, &pending)["expires_ms"]
        .as_i64()
        .expect("expires");
    assert_eq!(expires - v["now_ms"].as_i64().expect("now"), 7 * 86_400_000);
    // A week and a second later the request shows as expired, with no expiry left.
    st.emulator
        .advance_clock(7 * 86_400 + 1)
        .await
        .expect("advance");
    let (_, raw) = get(&st).await;
    let v: Value = serde_json::from_str(&raw).expect("json");
    assert_eq!(peering(&v, &pending)["state"], "expired", "{v}");
    assert_eq!(peering(&v, &pending)["expires"], Value::Null);
    assert_eq!(peering(&v, &pcx)["state"], "active");
}

#[test]
fn gcp_and_azure_topologies() {
    let now = Timestamp(1_700_000_000_000);
    let raw = serde_json::to_string(&super::build(&gcp_world(), now)).expect("json");
    insta::assert_snapshot!("topology_gcp", golden::<api::Topology>(&raw));
    let raw = serde_json::to_string(&super::build(&azure_world(), now)).expect("json");
    insta::assert_snapshot!("topology_azure", golden::<api::Topology>(&raw));
}

/// Every network of an answer, as (cloud, account, region, id).
fn networks(t: &api::Topology) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for c in &t.clouds {
        for a in &c.accounts {
            for r in &a.regions {
                for n in &r.networks {
                    out.push((c.cloud.clone(), a.id.clone(), r.name.clone(), n.id.clone()));
                }
            }
        }
    }
    out
}

#[test]
fn each_side_of_a_gcp_or_azure_peering_is_listed_with_its_derived_state() {
    let now = Timestamp(1_700_000_000_000);
    let t = super::build(&gcp_world(), now);
    assert_eq!(
        t.clouds
            .iter()
            .map(|c| c.cloud.as_str())
            .collect::<Vec<_>>(),
        ["aws", "gcp", "azure"]
    );
    let nets = networks(&t);
    assert_eq!(nets.len(), 2, "{nets:?}");
    assert!(nets.iter().all(|n| n.0 == "gcp" && n.2 == "global"));
    let states: Vec<(&str, &str)> = t
        .peerings
        .iter()
        .map(|p| (p.id.as_str(), p.state.as_str()))
        .collect();
    assert_eq!(states.len(), 2, "{states:?}");
    assert!(states.iter().all(|(_, s)| *s == "ACTIVE"), "{states:?}");
    let t = super::build(&azure_world(), now);
    assert!(!t.peerings.is_empty());
    assert!(
        t.peerings.iter().all(|p| p.state == "Connected"),
        "{:?}",
        t.peerings
    );
    // Every peering's ends are networks of the answer.
    let ids: Vec<String> = networks(&t).into_iter().map(|n| n.3).collect();
    for p in &t.peerings {
        assert!(
            ids.contains(&p.from) && ids.contains(&p.to),
            "{p:?} {ids:?}"
        );
    }
}
