//! The command log over HTTP: `GET /_vpcpeer/log` lists the committed commands, in commit order,
//! with their time, caller and ids; refused commands and dry runs are not in it; and replaying the
//! listed commands on the world the log started from gives the server's world exactly.

use axum::body::Body;
use axum::http::Request;
use vpcpeer_api::LogAnswer;
use vpcpeer_model::{replay, Command, Limits, Scope, Timestamp, World};

use crate::testing::{active_peering, between, ok, refused, send, state};
use crate::AppState;

const A: &str = "111111111111";
const B: &str = "222222222222";

async fn log(st: &std::sync::Arc<AppState>, query: &str) -> (u16, Vec<u8>) {
    let req = Request::get(format!("/_vpcpeer/log{query}"))
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = send(st, req).await;
    (status, body.to_vec())
}

async fn entries(st: &std::sync::Arc<AppState>, since: u64) -> LogAnswer<Command> {
    let (status, body) = log(st, &format!("?since={since}")).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("a LogAnswer")
}

async fn vpc(st: &std::sync::Arc<AppState>, account: &str, cidr: &str) -> String {
    let out = ok(st, account, &format!("Action=CreateVpc&CidrBlock={cidr}")).await;
    between(&out, "<vpcId>", "</vpcId>").to_owned()
}

/// `account` sends `action` (`AcceptVpcPeeringConnection`, …) about connection `pcx`.
async fn pcx_action(st: &std::sync::Arc<AppState>, account: &str, action: &str, pcx: &str) {
    let body = format!("Action={action}&VpcPeeringConnectionId={pcx}");
    ok(st, account, &body).await;
}

fn variant(c: &Command) -> String {
    // `{"aws":{"CreatePeering":{…}}}` → `CreatePeering`.
    let v = serde_json::to_value(c).expect("serializes");
    let inner = v
        .as_object()
        .and_then(|o| o.values().next())
        .expect("cloud");
    match inner {
        serde_json::Value::String(s) => s.clone(),
        other => other
            .as_object()
            .and_then(|o| o.keys().next())
            .cloned()
            .expect("variant"),
    }
}

fn as_replay(log: &LogAnswer<Command>) -> Vec<(Scope, Timestamp, Vec<String>, Command)> {
    log.entries
        .iter()
        .map(|e| {
            (
                Scope::new(&e.account, &e.region),
                Timestamp(e.at_ms),
                e.ids.clone(),
                e.command.clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn committed_commands_are_listed_in_order_and_replay_to_the_same_world() {
    let st = state();
    let a = vpc(&st, A, "10.0.0.0/16").await;
    let b = vpc(&st, B, "10.1.0.0/16").await;
    let c = vpc(&st, B, "10.2.0.0/16").await;
    for (owner, id) in [(A, &a), (B, &b)] {
        let body = format!("Action=ModifyVpcAttribute&VpcId={id}&EnableDnsHostnames.Value=true");
        ok(&st, owner, &body).await;
    }
    // The checkpoint: the world and the log position the replay starts from.
    let base = st.emulator.with_world(World::clone);
    let start = entries(&st, 0).await.last;

    let create = |to: &str| {
        format!("Action=CreateVpcPeeringConnection&VpcId={a}&PeerVpcId={to}&PeerOwnerId={B}")
    };
    let out = ok(&st, A, &create(&b)).await;
    let pcx1 = between(&out, "<vpcPeeringConnectionId>", "</").to_owned();
    pcx_action(&st, B, "AcceptVpcPeeringConnection", &pcx1).await;
    // Asking again for the active pair answers the existing connection and changes nothing; a
    // refused command and a dry run change nothing either: none of them is in the log.
    let again = ok(&st, A, &create(&b)).await;
    assert!(again.contains(&pcx1));
    refused(
        &st,
        B,
        "Action=DeleteVpcPeeringConnection&VpcPeeringConnectionId=pcx-0123456789abcdef0",
        (400, "InvalidVpcPeeringConnectionID.NotFound"),
    )
    .await;
    refused(
        &st,
        A,
        &format!("{}&DryRun=true", create(&c)),
        (412, "DryRunOperation"),
    )
    .await;
    let out = ok(&st, A, &create(&c)).await;
    let pcx2 = between(&out, "<vpcPeeringConnectionId>", "</").to_owned();
    pcx_action(&st, B, "RejectVpcPeeringConnection", &pcx2).await;
    ok(
        &st,
        A,
        &format!(
            "Action=ModifyVpcPeeringConnectionOptions&VpcPeeringConnectionId={pcx1}\
             &RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=true"
        ),
    )
    .await;
    pcx_action(&st, B, "DeleteVpcPeeringConnection", &pcx1).await;
    ok(&st, A, &create(&c)).await;

    let listed = entries(&st, start).await;
    let names: Vec<String> = listed.entries.iter().map(|e| variant(&e.command)).collect();
    assert_eq!(
        names,
        [
            "CreatePeering",
            "AcceptPeering",
            "CreatePeering",
            "RejectPeering",
            "ModifyPeeringOptions",
            "DeletePeering",
            "CreatePeering"
        ]
    );
    let who: Vec<&str> = listed.entries.iter().map(|e| e.account.as_str()).collect();
    assert_eq!(who, [A, B, A, B, A, B, A]);
    let seqs: Vec<u64> = listed.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (start + 1..=start + 7).collect::<Vec<_>>());
    assert_eq!(listed.last, start + 7);
    assert!(
        listed.entries[0].ids.len() == 1 && pcx1.ends_with(&listed.entries[0].ids[0]),
        "the create drew {pcx1}'s id: {:?}",
        listed.entries[0].ids
    );
    assert!(listed.entries[0].at.ends_with('Z'));

    // Replaying the listed commands on the checkpoint gives the server's world exactly.
    let now = st.emulator.with_world(World::clone);
    let mut replayed = base.clone();
    replay(&mut replayed, &Limits::default(), as_replay(&listed)).expect("replays");
    assert!(
        replayed == now,
        "the replay diverged from the server's world"
    );

    // The recorded ids matter: without them the create draws another id, and the accept of the
    // logged id is refused.
    let mut without_ids = base.clone();
    let blank: Vec<_> = as_replay(&listed)
        .into_iter()
        .map(|(s, t, _, c)| (s, t, Vec::new(), c))
        .collect();
    let refused_at = replay(&mut without_ids, &Limits::default(), blank).map_err(|(i, _)| i);
    assert_eq!(refused_at, Err(1));

    // Paging: since and limit.
    let (status, body) = log(&st, &format!("?since={}&limit=2", start + 1)).await;
    assert_eq!(status, 200);
    let page: LogAnswer<serde_json::Value> = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(
        page.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [start + 2, start + 3]
    );
    assert!(entries(&st, listed.last).await.entries.is_empty());
}

#[tokio::test]
async fn bad_log_queries_get_a_json_400() {
    let st = state();
    for q in [
        "?since=x",
        "?limit=0",
        "?limit=10001",
        "?since=-1",
        "?what=1",
    ] {
        let (status, body) = log(&st, q).await;
        assert_eq!(status, 400, "{q}");
        let e: vpcpeer_api::ErrorAnswer = serde_json::from_slice(&body).expect("error JSON");
        assert!(!e.error.is_empty());
    }
    let (status, _) = log(&st, "").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_reset_empties_the_log_but_keeps_its_numbering() {
    let st = state();
    let a = vpc(&st, A, "10.0.0.0/16").await;
    let b = vpc(&st, B, "10.1.0.0/16").await;
    ok(
        &st,
        A,
        &format!("Action=CreateVpcPeeringConnection&VpcId={a}&PeerVpcId={b}&PeerOwnerId={B}"),
    )
    .await;
    let before = entries(&st, 0).await;
    assert!(before.last >= 1 && !before.entries.is_empty());
    let req = Request::post("/_vpcpeer/reset")
        .header("content-type", "application/json")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&st, req).await.0, 200);
    let after = entries(&st, 0).await;
    assert!(after.entries.is_empty());
    assert_eq!((after.first, after.last), (before.last + 1, before.last));
}

async fn post_replay(st: &std::sync::Arc<AppState>, body: &str) -> (u16, serde_json::Value) {
    let req = Request::post("/_vpcpeer/replay")
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request");
    let (status, _, bytes) = send(st, req).await;
    (status, serde_json::from_slice(&bytes).expect("JSON answer"))
}

/// The set-up both servers share (not yet commands: the same requests on the same seed give the
/// same ids), then peering commands on the first: (its log after the set-up, the set-up's end).
async fn recorded_scenario(st: &std::sync::Arc<AppState>) -> u64 {
    let a = vpc(st, A, "10.0.0.0/16").await;
    let b = vpc(st, B, "10.1.0.0/16").await;
    let start = entries(st, 0).await.last;
    active_peering(st, (A, &a), (B, &b)).await;
    start
}

#[tokio::test]
async fn a_posted_log_rebuilds_the_same_world_on_another_server_or_nothing() {
    let one = state();
    let start = recorded_scenario(&one).await;
    let (_, body) = log(&one, &format!("?since={start}")).await;
    let log_json = String::from_utf8(body).expect("UTF-8");

    // Another server with the same set-up but none of the commands.
    let two = state();
    vpc(&two, A, "10.0.0.0/16").await;
    vpc(&two, B, "10.1.0.0/16").await;
    let before = two.emulator.with_world(World::clone);

    // Diverging ids are refused, and nothing is applied.
    let mut tampered: serde_json::Value = serde_json::from_str(&log_json).expect("JSON");
    tampered["entries"][0]["ids"] = serde_json::json!([]);
    let (status, answer) = post_replay(&two, &tampered.to_string()).await;
    assert_eq!(status, 409, "{answer}");
    let e = answer["error"].as_str().expect("error");
    assert!(
        e.contains("entry 0 drew 1 ids where the log recorded 0"),
        "{e}"
    );
    assert!(two.emulator.with_world(World::clone) == before);

    // The log as GET answered it, posted as it is.
    let (status, answer) = post_replay(&two, &log_json).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["applied"], 2);
    assert!(
        two.emulator.with_world(World::clone) == one.emulator.with_world(World::clone),
        "the replayed world differs"
    );
    // The replayed commands are in the second server's log as they were in the first's.
    let strip = |l: LogAnswer<Command>| {
        l.entries
            .into_iter()
            .map(|e| (e.account, e.at_ms, e.ids, e.command))
            .collect::<Vec<_>>()
    };
    let since_two = entries(&two, 0).await.last - 2;
    assert_eq!(
        strip(entries(&two, since_two).await),
        strip(entries(&one, start).await)
    );

    // On a server without the set-up the accept's peering does not exist: refused whole.
    let three = state();
    let (status, answer) = post_replay(&three, &log_json).await;
    assert_eq!(status, 409, "{answer}");
    assert!(answer["error"]
        .as_str()
        .expect("error")
        .contains("entry 0 was refused"));
    assert_eq!(three.emulator.with_world(World::len), 0);
}

#[tokio::test]
async fn malformed_replays_get_a_json_400() {
    let st = state();
    let entry = |at_ms: i64, ids: &str, account: &str| {
        format!(
            r#"{{"entries":[{{"account":"{account}","at":"","at_ms":{at_ms},"ids":{ids},"region":"us-east-1","seq":1,"command":{{"aws":{{"DeletePeering":{{"id":"pcx-0123456789abcdef0"}}}}}}}}]}}"#
        )
    };
    for (body, want) in [
        ("not json".to_owned(), "expected"),
        (
            r#"{"entries":[{"command":{"aws":{"Nope":{}}}}]}"#.to_owned(),
            "expected",
        ),
        (entry(-1, "[]", A), "at_ms"),
        (entry(0, r#"["xyz"]"#, A), "17 lowercase hex"),
        (entry(0, "[]", ""), "account must not be empty"),
        (entry(0, "[]", "1\\u0007"), "refused character"),
    ] {
        let (status, answer) = post_replay(&st, &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let e = answer["error"].as_str().expect("error");
        assert!(e.contains(want), "{body}: {e}");
    }
    assert_eq!(st.emulator.with_world(World::len), 0);
}
