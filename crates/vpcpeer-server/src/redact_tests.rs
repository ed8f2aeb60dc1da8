//! Table tests of [`super::Redactor`]'s text pass (tokens at word edges, GCP paths and selfLinks,
//! ARM ids in any case, bare names) and of the AWS visibility rules over a world built through
//! the EC2 face.

use std::sync::Arc;

use super::{Redactor, Viewer};
use crate::reach::tests::{allow_into_net_b, azure_world, world as gcp_world, SUB_A, SUB_B};
use crate::testing::{request_peering, state, vpc_with_instance};
use crate::AppState;

const A: &str = "111111111111";
const B: &str = "222222222222";

/// A (10.0/16) peered with B (10.1/16); C's VPC of account B not peered. Returns the ids:
/// (vpc_a, rtb_a, i_a, vpc_b, rtb_b, i_b, vpc_c, pcx).
async fn two_accounts(st: &Arc<AppState>) -> [String; 8] {
    let (vpc_a, rtb_a, i_a, _) = vpc_with_instance(st, A, "10.0.0.0/16", "10.0.1.0/24").await;
    let (vpc_b, rtb_b, i_b, _) = vpc_with_instance(st, B, "10.1.0.0/16", "10.1.1.0/24").await;
    let (vpc_c, _, _, _) = vpc_with_instance(st, B, "10.2.0.0/16", "10.2.1.0/24").await;
    let pcx = request_peering(st, A, &vpc_a, &vpc_b, B).await;
    [vpc_a, rtb_a, i_a, vpc_b, rtb_b, i_b, vpc_c, pcx]
}

#[tokio::test]
async fn aws_ids_are_hidden_by_owner_with_the_peering_and_peer_vpc_shown() {
    let st = state();
    let [vpc_a, rtb_a, i_a, vpc_b, rtb_b, i_b, vpc_c, pcx] = two_accounts(&st).await;
    st.emulator.with_world(|w| {
        let r = Redactor::new(w, Viewer::aws(A));
        let cases: Vec<(String, String)> = vec![
            // Own ids, the peering and the peer VPC are shown as they are.
            (format!("{rtb_a} → {pcx} ({vpc_b})."), format!("{rtb_a} → {pcx} ({vpc_b}).")),
            (i_a.clone(), i_a.clone()),
            // The peer's table, named by kind, owner and its (visible) VPC; trailing dot kept.
            (
                format!("add a route to {rtb_b}."),
                format!("add a route to route-table (account {B}, {vpc_b})."),
            ),
            (
                format!("{i_b}:{rtb_b},{vpc_c}"),
                format!(
                    "instance (account {B}, {vpc_b}):route-table (account {B}, {vpc_b}),vpc (account {B})"
                ),
            ),
            // Not an id of this world, or not an id at all: left alone.
            ("rtb-0123456789abcdef0 pcx-x sg-".into(), "rtb-0123456789abcdef0 pcx-x sg-".into()),
            (format!("x{rtb_b}"), format!("x{rtb_b}")),
        ];
        for (input, want) in cases {
            let got = r.text(&input);
            assert_eq!(got, want, "{input}");
            assert_eq!(r.text(&got), got, "idempotent on {input}");
        }
        // B sees A's table hidden, its own shown.
        let r = Redactor::new(w, Viewer::aws(B));
        assert_eq!(r.text(&rtb_b), rtb_b);
        assert_eq!(r.text(&rtb_a), format!("route-table (account {A}, {vpc_a})"));
        // A third account sees neither the peering nor the VPCs.
        let r = Redactor::new(w, Viewer::aws("333333333333"));
        assert_eq!(r.text(&pcx), format!("peering-connection (account {A})"));
        assert_eq!(r.text(&rtb_b), format!("route-table (account {B})"));
        assert_eq!(
            serde_json::to_value(r.component("route-table", &rtb_b)).expect("json"),
            serde_json::json!({"kind": "route-table", "id": null, "account": B,
                               "label": format!("route-table (account {B})")})
        );
    });
}

#[test]
fn gcp_paths_self_links_and_bare_names() {
    let w = gcp_world();
    let viewer = Viewer {
        project: Some("proj-a".into()),
        ..Viewer::default()
    };
    let r = Redactor::new(&w, viewer.clone()).with_bare_names(true);
    let link =
        "https://www.googleapis.com/compute/v1/projects/proj-b/zones/us-central1-a/instances/vm-b";
    let cases = [
        (
            link,
            "https://www.googleapis.com/compute/v1/instance (project proj-b)",
        ),
        (
            "projects/proj-b/global/firewalls/allow-443: denied.",
            "firewall-rule (project proj-b): denied.",
        ),
        // The peer network is named by proj-a's own peering entry: shown.
        (
            "projects/proj-b/global/networks/net-b.",
            "projects/proj-b/global/networks/net-b.",
        ),
        (
            "network net-b (peering net-b-peer)",
            "network net-b (peering peering-connection (project proj-b))",
        ),
        (
            "rule allow-443 of net-a → vm-b",
            "rule firewall-rule (project proj-b) of net-a → instance (project proj-b)",
        ),
        ("subnet default", "subnet default"),
    ];
    for (input, want) in cases {
        assert_eq!(r.text(input), want, "{input}");
    }
    // Without bare names (an AWS answer), only paths are recognised.
    let r = Redactor::new(&w, viewer);
    assert_eq!(r.text("rule allow-443"), "rule allow-443");
}

#[test]
fn arm_ids_in_any_case_and_azure_names() {
    let w = azure_world();
    let viewer = Viewer {
        subscription: Some(SUB_A.to_ascii_uppercase()),
        ..Viewer::default()
    };
    let r = Redactor::new(&w, viewer).with_bare_names(true);
    let nsg = format!(
        "/SUBSCRIPTIONS/{}/resourceGroups/rg-b/providers/Microsoft.Network/networkSecurityGroups/nsg-secret",
        SUB_B.to_ascii_uppercase()
    );
    assert_eq!(
        r.text(&format!("({nsg}) denies")),
        format!("(network-security-group (subscription {SUB_B})) denies")
    );
    let vnet_b = format!("/subscriptions/{SUB_B}/resourceGroups/rg-b/providers/Microsoft.Network/virtualNetworks/vnet-b");
    assert_eq!(
        r.text(&vnet_b),
        vnet_b,
        "the remote VNet of A's own link is shown"
    );
    let own = format!("/subscriptions/{SUB_A}/resourceGroups/rg-a/providers/Microsoft.Network/networkInterfaces/vm-a-nic");
    assert_eq!(r.text(&own), own);
    assert_eq!(
        r.text("nsg-secret/deny-secret-443 (priority 100)"),
        format!(
            "network-security-group (subscription {SUB_B})/security-rule (subscription {SUB_B}) (priority 100)"
        )
    );
}

#[test]
fn vocabulary_keys_and_words_are_never_taken_for_hidden_names() {
    use vpcpeer_model::azure::ops::{self as az, PutNsg, Target};
    use vpcpeer_model::azure::{AzAccess, AzDirection, AzSecurityRule, AzTags};
    use vpcpeer_model::SeededIds;
    let mut w = azure_world();
    // A gateway NSG of SUB_B with the controller's rule `tunnel`, hidden from SUB_A.
    let rule = |name: &str, priority| AzSecurityRule {
        name: name.into(),
        priority,
        direction: AzDirection::Inbound,
        access: AzAccess::Allow,
        protocol: "Udp".into(),
        source_ports: vec!["*".into()],
        destination_ports: vec!["51820".into()],
        source_prefixes: vec!["20.40.0.1".into()],
        destination_prefixes: vec!["*".into()],
        description: None,
    };
    crate::reach::tests::run(&mut w, &mut SeededIds::new(9), SUB_B, |tx| {
        az::put_nsg(
            tx,
            &Target::new(SUB_B, "rg-b", "gw-nsg"),
            PutNsg {
                location: Some("eastus".into()),
                rules: vec![rule("tunnel", 100), rule("udp-in", 110)],
                tags: AzTags::new(),
            },
        )
    });
    let viewer = Viewer {
        subscription: Some(SUB_A.into()),
        ..Viewer::default()
    };
    let r = Redactor::new(&w, viewer).with_bare_names(true);
    let mut v = serde_json::json!({
        "component": {"kind": "tunnel", "id": "a-gw->b-gw"},
        "code": "TUNNEL_GATEWAY_NOT_RUNNING",
        "detail": "the tunnel a-gw -> b-gw carries nothing; udp-in admits it",
        "rule": {"type": "udp-in"},
    });
    r.json(&mut v);
    assert_eq!(
        v,
        serde_json::json!({
            "component": {"kind": "tunnel", "id": "a-gw->b-gw"},
            "code": "TUNNEL_GATEWAY_NOT_RUNNING",
            "detail": format!(
                "the tunnel a-gw -> b-gw carries nothing; security-rule (subscription {SUB_B}) admits it"
            ),
            "rule": {"type": "udp-in"},
        }),
        "the other rule's name is still hidden in sentences"
    );
}

#[test]
fn a_bare_name_that_hidden_resources_of_two_kinds_bear_is_labelled_by_owner_only() {
    // proj-b gets a firewall rule named like its instance, as the controller names a gateway VM
    // and its rule: the name says `resource`, never the wrong kind.
    let mut w = gcp_world();
    let mut ids = vpcpeer_model::SeededIds::new(9);
    allow_into_net_b(&mut w, &mut ids, "vm-b", ("udp", "51820"), "198.18.0.1/32");
    let viewer = Viewer {
        project: Some("proj-a".into()),
        ..Viewer::default()
    };
    let r = Redactor::new(&w, viewer).with_bare_names(true);
    assert_eq!(
        r.text("route 10.1.0.0/24 -> instance vm-b"),
        "route 10.1.0.0/24 -> instance resource (project proj-b)"
    );
    // A name of one kind keeps its kind.
    assert_eq!(
        r.text("rule allow-443"),
        "rule firewall-rule (project proj-b)"
    );
    // Paths still say their kind.
    assert_eq!(
        r.text("projects/proj-b/zones/us-central1-a/instances/vm-b"),
        "instance (project proj-b)"
    );
}
