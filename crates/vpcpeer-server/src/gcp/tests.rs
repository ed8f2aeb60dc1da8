//! In-process tests of the GCP routes (no socket): links follow the Host header, the
//! Authorization header is ignored, and every refusal is a GCP error document.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::testing::{request, send_json, state, JSON};
use crate::AppState;

async fn send(st: &Arc<AppState>, method: &str, uri: &str, body: &str) -> (u16, Value) {
    let headers = [
        ("host", "localhost:8443"),
        ("authorization", "Bearer whatever"),
        JSON,
    ];
    send_json(st, request(method, uri, &headers, body.to_owned())).await
}

#[tokio::test]
async fn insert_commits_and_links_use_the_request_host() {
    let st = state();
    let (status, op) = send(
        &st,
        "POST",
        "/compute/v1/projects/proj-a/global/networks?%24alt=json%3Benum-encoding%3Dint",
        &json!({"name": "net-a", "autoCreateSubnetworks": false}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{op}");
    assert_eq!(op["status"], "DONE");
    assert_eq!(
        op["targetLink"],
        "http://localhost:8443/compute/v1/projects/proj-a/global/networks/net-a"
    );
    assert_eq!(st.emulator.with_world(|w| w.gcp.networks().len()), 1);
    let (status, net) = send(
        &st,
        "GET",
        "/compute/v1/projects/proj-a/global/networks/net-a",
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(net["name"], "net-a");
    // Another project sees nothing.
    let (_, list) = send(
        &st,
        "GET",
        "/compute/v1/projects/proj-b/global/networks",
        "",
    )
    .await;
    assert!(list.get("items").is_none(), "{list}");
}

#[tokio::test]
async fn refusals_are_gcp_error_documents_and_leave_nothing() {
    let st = state();
    let cases = [
        (
            "GET",
            "/compute/v1/projects/p/global/nothing",
            "",
            404,
            "notFound",
        ),
        (
            "POST",
            "/compute/v1/projects/p/global/networks",
            "{oops",
            400,
            "invalid",
        ),
        (
            "POST",
            "/compute/v1/projects/p/global/networks",
            "[1]",
            400,
            "invalid",
        ),
        (
            "POST",
            "/compute/v1/projects/p/global/networks",
            r#"{"name":"n","autoCreateSubnetworks":"yes"}"#,
            400,
            "invalid",
        ),
        (
            "DELETE",
            "/compute/v1/projects/p/global/networks/none",
            "",
            404,
            "notFound",
        ),
        (
            "POST",
            "/compute/v1/projects/p/global/networks/none/addPeering",
            r#"{"name":"x","peerNetwork":"y"}"#,
            404,
            "notFound",
        ),
    ];
    for (method, uri, body, status, reason) in cases {
        let (got, v) = send(&st, method, uri, body).await;
        assert_eq!(got, status, "{method} {uri}: {v}");
        assert_eq!(v["error"]["code"], status);
        assert_eq!(v["error"]["errors"][0]["reason"], reason, "{v}");
    }
    assert!(st.emulator.with_world(|w| w.is_empty()));
}

/// Replays the emulator's command log on an empty world (each command at its logged time, as
/// its logged scope, with its logged ids) and returns that world's records.
fn replayed(st: &AppState, limits: &vpcpeer_model::Limits) -> Vec<vpcpeer_model::Record> {
    let mut world = vpcpeer_model::World::default();
    for entry in st.emulator.commands_since(0, 10_000).entries {
        let mut ids = vpcpeer_model::ScriptedIds::new(entry.ids.clone());
        let ctx = vpcpeer_model::Ctx {
            scope: entry.scope.clone(),
            now: entry.at,
            ids: &mut ids,
            limits,
        };
        let mut tx = vpcpeer_model::Tx::new(&mut world, ctx);
        entry
            .command
            .clone()
            .apply(&mut tx)
            .unwrap_or_else(|e| panic!("{entry:?}: {e}"));
        tx.commit();
    }
    world.records()
}

fn gcp_commands(st: &AppState) -> Vec<vpcpeer_model::gcp::Command> {
    st.emulator
        .commands_since(0, 10_000)
        .entries
        .into_iter()
        .map(|e| match e.command {
            vpcpeer_model::Command::Gcp(c) => c,
            other => panic!("not a GCP command: {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn every_committed_change_is_logged_once_and_a_replay_gives_the_same_world() {
    let st = state();
    let p = "/compute/v1/projects";
    let changes: &[(&str, String, Value)] = &[
        (
            "POST",
            format!("{p}/proj-a/global/networks"),
            json!({"name": "net-a", "autoCreateSubnetworks": false}),
        ),
        (
            "POST",
            format!("{p}/proj-a/regions/us-central1/subnetworks"),
            json!({"name": "s-a", "network": "global/networks/net-a", "ipCidrRange": "10.0.0.0/24"}),
        ),
        (
            "POST",
            format!("{p}/proj-b/global/networks"),
            json!({"name": "net-b", "autoCreateSubnetworks": false}),
        ),
        (
            "POST",
            format!("{p}/proj-b/regions/us-central1/subnetworks"),
            json!({"name": "s-b", "network": "global/networks/net-b", "ipCidrRange": "10.1.0.0/24"}),
        ),
        (
            "POST",
            format!("{p}/proj-a/global/networks/net-a/addPeering"),
            json!({"networkPeering": {"name": "a-b", "network": "projects/proj-b/global/networks/net-b", "exchangeSubnetRoutes": true}}),
        ),
        (
            "POST",
            format!("{p}/proj-b/global/networks/net-b/addPeering"),
            json!({"networkPeering": {"name": "b-a", "network": "projects/proj-a/global/networks/net-a", "exchangeSubnetRoutes": true}}),
        ),
        (
            "PATCH",
            format!("{p}/proj-a/global/networks/net-a/updatePeering"),
            json!({"networkPeering": {"name": "a-b", "exportCustomRoutes": true}}),
        ),
        (
            "POST",
            format!("{p}/proj-a/global/firewalls"),
            json!({"name": "fw", "network": "global/networks/net-a", "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}]}),
        ),
        (
            "PATCH",
            format!("{p}/proj-a/global/firewalls/fw"),
            json!({"priority": 900}),
        ),
        (
            "POST",
            format!("{p}/proj-a/zones/us-central1-a/instances"),
            json!({"name": "vm", "machineType": "e2-micro", "networkInterfaces": [{"subnetwork": "regions/us-central1/subnetworks/s-a"}]}),
        ),
        (
            "POST",
            format!("{p}/proj-a/global/routes"),
            json!({"name": "r", "network": "global/networks/net-a", "destRange": "192.168.0.0/16", "nextHopIp": "10.0.0.2"}),
        ),
        ("DELETE", format!("{p}/proj-a/global/routes/r"), Value::Null),
        (
            "POST",
            format!("{p}/proj-b/global/networks/net-b/removePeering"),
            json!({"name": "b-a"}),
        ),
    ];
    for (method, uri, body) in changes {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let (status, v) = send(&st, method, uri, &body).await;
        assert_eq!(status, 200, "{method} {uri}: {v}");
        assert!(v.get("error").is_none(), "{method} {uri}: {v}");
    }
    // A refusal, a read and a get of a finished operation change nothing and log nothing.
    let (status, _) = send(&st, "POST", &changes[0].1, &changes[0].2.to_string()).await;
    assert_eq!(status, 409);
    let (status, _) = send(&st, "GET", &format!("{p}/proj-a/global/networks"), "").await;
    assert_eq!(status, 200);
    let logged = gcp_commands(&st);
    assert_eq!(logged.len(), changes.len(), "{logged:#?}");
    assert!(matches!(
        logged[0],
        vpcpeer_model::gcp::Command::InsertNetwork(_)
    ));
    let limits = vpcpeer_model::Limits::default();
    assert_eq!(
        replayed(&st, &limits),
        st.emulator.with_world(|w| w.records())
    );
}

#[tokio::test]
async fn a_read_completes_due_operations_first_and_a_settle_that_completes_nothing_is_not_logged() {
    let limits = vpcpeer_model::Limits {
        gcp_peering_op_secs: 10,
        ..Default::default()
    };
    let emulator = vpcpeer_service::Emulator::open(
        Arc::new(vpcpeer_store::MemStore::new()),
        vpcpeer_service::EmulatorClock::fixed(vpcpeer_model::Timestamp(1_700_000_000_000)),
        Box::new(vpcpeer_model::SeededIds::new(9)),
        limits.clone(),
    )
    .expect("open");
    let st = AppState::new(emulator, 1);
    let p = "/compute/v1/projects";
    for (project, net, cidr) in [
        ("proj-a", "net-a", "10.0.0.0/24"),
        ("proj-b", "net-b", "10.1.0.0/24"),
    ] {
        let body = json!({"name": net, "autoCreateSubnetworks": false}).to_string();
        assert_eq!(
            send(
                &st,
                "POST",
                &format!("{p}/{project}/global/networks"),
                &body
            )
            .await
            .0,
            200
        );
        let body =
            json!({"name": "s", "network": format!("global/networks/{net}"), "ipCidrRange": cidr})
                .to_string();
        assert_eq!(
            send(
                &st,
                "POST",
                &format!("{p}/{project}/regions/us-central1/subnetworks"),
                &body
            )
            .await
            .0,
            200
        );
    }
    let body = json!({"networkPeering": {"name": "a-b", "network": "projects/proj-b/global/networks/net-b"}});
    let (status, op) = send(
        &st,
        "POST",
        &format!("{p}/proj-a/global/networks/net-a/addPeering"),
        &body.to_string(),
    )
    .await;
    assert_eq!(
        (status, op["status"].as_str()),
        (200, Some("RUNNING")),
        "{op}"
    );
    let net_a = format!("{p}/proj-a/global/networks/net-a");
    let logged = gcp_commands(&st).len();
    // Not due yet: the read changes nothing.
    let (_, net) = send(&st, "GET", &net_a, "").await;
    assert!(net.get("peerings").is_none(), "{net}");
    assert_eq!(gcp_commands(&st).len(), logged);
    // Due: the read first completes it, as a logged command of its own.
    st.emulator.advance_clock(10).await.expect("clock");
    let (_, net) = send(&st, "GET", &net_a, "").await;
    assert_eq!(net["peerings"][0]["name"], "a-b", "{net}");
    let commands = gcp_commands(&st);
    assert_eq!(commands.len(), logged + 1);
    assert_eq!(
        commands[logged],
        vpcpeer_model::gcp::Command::SettleOperations
    );
    // Nothing more is due: later reads log nothing.
    send(&st, "GET", &net_a, "").await;
    send(&st, "GET", &format!("{p}/proj-a/global/operations"), "").await;
    assert_eq!(gcp_commands(&st).len(), logged + 1);
    assert_eq!(
        replayed(&st, &limits),
        st.emulator.with_world(|w| w.records())
    );
}
