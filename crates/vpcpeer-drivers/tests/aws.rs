//! The AWS driver against a vpcpeer server, through EC2 only: a cross-account, cross-region pair
//! applied in two rounds and then in sync; a route deleted out of band seen as drift and put
//! back; an apply killed after each step and run again, reaching the same end with one peering;
//! a VPC given by id kept by destroy; an overlap with an existing VPC refused before any call;
//! and, against a server that verifies SigV4, the SDK's signatures accepted at the caller's
//! clock and refused at another.

mod common;

use std::time::Duration;

use common::{
    applied, down, drivers, drivers_with, ec2, policy, refused, server, server_with_auth, topology,
    up, AWS_ACCOUNTS,
};
use vpcpeer_controller::apply::{apply, ApplyError, Clouds, Retry};
use vpcpeer_controller::observed::{AwsGroupIngress, AwsStatus, AwsTarget, Detail};
use vpcpeer_controller::{plan, Cloud, Desired, Observed, Reason, Step};
use vpcpeer_drivers::{DriverError, Drivers};

const A: &str = "111111111111";
const B: &str = "222222222222";

/// A topology of accounts A (`one`) and B (`two`) with these networks (and links).
fn with_accounts(networks: &str) -> Desired {
    topology(&format!("{AWS_ACCOUNTS}{networks}"))
}

fn pair(extra: &str) -> Desired {
    with_accounts(&format!(
        "  app: {{ account: one, region: us-east-1, cidrs: [10.1.0.0/16, 10.2.0.0/16] }}
  db: {{ account: two, region: eu-west-1, cidrs: [10.3.0.0/16] }}
{extra}links:
  - {{ between: [app, db], dns_resolution: true, open: [{{ protocol: tcp, ports: 5432 }}] }}
"
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_account_cross_region_pair_converges_and_stays() {
    let d = pair("");
    let (url, mut dr, out) = applied(&d).await;
    assert_eq!(out.rounds, 2, "{out:?}");
    // 2 VPCs, DNS attributes on both, request, accept, DNS option, 3 routes, 3 rules.
    assert_eq!(out.steps, 2 + 2 + 2 + 1 + 3 + 3, "{out:?}");
    let seen = dr.observe(&d).await.expect("observe");
    let pc = &seen.aws_peerings[0];
    assert_eq!(seen.aws_peerings.len(), 1);
    assert_eq!(pc.status, AwsStatus::Active);
    assert!(pc.requester_dns && pc.accepter_dns);
    for (net, want) in [
        ("app", vec!["10.3.0.0/16"]),
        ("db", vec!["10.1.0.0/16", "10.2.0.0/16"]),
    ] {
        let Detail::Aws {
            route_tables,
            ingress,
            ..
        } = &seen.networks[net].detail
        else {
            panic!("not AWS")
        };
        let routed: Vec<String> = route_tables[0]
            .routes
            .iter()
            .filter(|r| r.target == AwsTarget::Peering(pc.id.clone()))
            .map(|r| r.destination.to_string())
            .collect();
        assert_eq!(routed, want, "{net}");
        let rules: Vec<String> = ingress
            .iter()
            .map(|r| format!("{} {}", r.opening, r.source))
            .collect();
        assert_eq!(
            rules,
            want.iter()
                .map(|c| format!("tcp/5432 {c}"))
                .collect::<Vec<_>>()
        );
    }
    let again = up(&mut dr, &d).await.expect("second apply");
    assert_eq!((again.rounds, again.steps), (1, 0));

    // A route deleted out of band is drift, and apply puts it back.
    let table = match &seen.networks["db"].detail {
        Detail::Aws { route_tables, .. } => route_tables[0].id.clone(),
        _ => unreachable!(),
    };
    let (_, gone) = ec2(
        &url,
        B,
        "eu-west-1",
        &format!("Action=DeleteRoute&RouteTableId={table}&DestinationCidrBlock=10.2.0.0/16"),
    )
    .await;
    assert!(gone.contains("<return>true</return>"), "{gone}");
    let drift = plan(&dr.observe(&d).await.expect("observe"), &d);
    assert_eq!(drift.steps.len(), 1, "{drift}");
    assert_eq!(drift.steps[0].reason, Reason::Drift);
    let repaired = up(&mut dr, &d).await.expect("repair");
    assert_eq!(repaired.steps, 1);

    // Destroy removes the routes, rules, the peering and both VPCs; then there is nothing to do.
    down(&mut dr, &d).await.expect("destroy");
    let left = dr.observe(&d).await.expect("observe");
    assert!(left.networks.is_empty(), "{:?}", left.networks.keys());
    assert_eq!(down(&mut dr, &d).await.expect("destroy again").steps, 0);
}

/// The drivers, "killed" (every call failing for good) after `after` steps.
struct Killed {
    inner: Drivers,
    after: usize,
    done: usize,
}

impl Clouds for Killed {
    type Error = DriverError;

    async fn observe(&mut self, d: &Desired) -> Result<vpcpeer_controller::Observed, DriverError> {
        self.inner.observe(d).await
    }

    async fn execute(&mut self, d: &Desired, step: &Step) -> Result<(), DriverError> {
        if self.done >= self.after {
            return Err(DriverError {
                retry: Retry::Never,
                ..DriverError::transport(Cloud::Aws, "kill", "killed")
            });
        }
        self.inner.execute(d, step).await?;
        self.done += 1;
        Ok(())
    }

    async fn sleep(&mut self, wait: Duration) {
        self.inner.sleep(wait).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_killed_after_any_step_is_finished_by_the_next_without_duplicates() {
    let d = pair("");
    let total = 13;
    for after in [1, 2, 3, 4, 5, 8] {
        let url = server().await;
        let mut killed = Killed {
            inner: drivers(&url, &d),
            after,
            done: 0,
        };
        let err = apply(&mut killed, &d, &policy(), &mut |_| {})
            .await
            .unwrap_err();
        assert!(matches!(err, ApplyError::Step { .. }), "{err}");
        // A new process: new drivers, nothing remembered but what the cloud holds.
        let mut fresh = drivers(&url, &d);
        let out = up(&mut fresh, &d).await.expect("apply after the kill");
        assert_eq!(out.steps, total - after, "killed after {after}");
        let seen = fresh.observe(&d).await.expect("observe");
        let live = seen
            .aws_peerings
            .iter()
            .filter(|p| p.status.is_live())
            .count();
        assert_eq!(live, 1, "killed after {after}: one peering");
        let (_, vpcs) = ec2(
            &url,
            A,
            "us-east-1",
            "Action=DescribeVpcs&Filter.1.Name=tag:vpcpeer:network&Filter.1.Value.1=app",
        )
        .await;
        assert_eq!(
            vpcs.matches("<vpcId>").count(),
            1,
            "killed after {after}: one VPC\n{vpcs}"
        );
    }
}

/// A VPC made by hand in account B (eu-west-1) with `cidr`, and a topology that links a new VPC
/// of account A (10.1.0.0/16) to it by its id.
async fn with_legacy_vpc(url: &str, cidr: &str) -> Desired {
    let (_, made) = ec2(
        url,
        B,
        "eu-west-1",
        &format!("Action=CreateVpc&CidrBlock={cidr}"),
    )
    .await;
    let id = made
        .split("<vpcId>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("vpc id")
        .to_string();
    with_accounts(&format!(
        "  app: {{ account: one, region: us-east-1, cidrs: [10.1.0.0/16] }}
  legacy: {{ account: two, region: eu-west-1, id: {id} }}
links:
  - {{ between: [app, legacy] }}
"
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vpc_given_by_id_is_peered_and_kept() {
    let url = server().await;
    let d = with_legacy_vpc(&url, "10.9.0.0/16").await;
    let mut dr = drivers(&url, &d);
    up(&mut dr, &d).await.expect("apply");
    down(&mut dr, &d).await.expect("destroy");
    let left = dr.observe(&d).await.expect("observe");
    assert_eq!(left.networks.keys().collect::<Vec<_>>(), ["legacy"]);
    assert!(left.aws_peerings.iter().all(|p| !p.status.is_live()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlap_with_an_existing_vpc_is_refused_before_any_call() {
    let url = server().await;
    let d = with_legacy_vpc(&url, "10.1.128.0/17").await;
    let mut dr = drivers(&url, &d);
    let err = up(&mut dr, &d).await.unwrap_err();
    assert!(matches!(err, ApplyError::Conflicts(_)), "{err}");
    assert!(
        err.to_string()
            .contains("app (10.1.0.0/16) and legacy (10.1.128.0/17) overlap"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_names_the_step_and_the_clouds_error() {
    let url = server().await;
    // EC2 takes VPC blocks from /16 to /28: a /8 is refused by the cloud, not by validation.
    let d = topology(&format!(
        "
name: t
accounts:
  one: {{ cloud: aws, account_id: '{A}' }}
networks:
  big: {{ account: one, region: us-east-1, cidrs: [10.0.0.0/8] }}
"
    ));
    let r = refused(&mut drivers(&url, &d), &d).await;
    assert_eq!(
        (r.error.code.as_str(), r.error.status, r.attempts),
        ("InvalidVpc.Range", Some(400), 1)
    );
    assert!(
        r.text.starts_with("AWS VPC big 10.0.0.0/8 failed after 1 attempt(s): AWS CreateVpc big: HTTP 400 InvalidVpc.Range: "),
        "{}",
        r.text
    );
}

/// A network's default security group and its ingress rules whose source is a group.
fn groups<'s>(seen: &'s Observed, net: &str) -> (&'s str, &'s [AwsGroupIngress]) {
    let Detail::Aws {
        default_group,
        group_ingress,
        ..
    } = &seen.networks[net].detail
    else {
        unreachable!()
    };
    (default_group, group_ingress)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opening_from_the_peers_group_references_it_across_the_peering() {
    let with_link = |link: &str| {
        with_accounts(&format!(
            "  app: {{ account: one, region: us-east-1, cidrs: [10.1.0.0/16] }}
  db: {{ account: two, region: us-east-1, cidrs: [10.3.0.0/16] }}
links:
  - {{ between: [app, db]{link} }}
"
        ))
    };
    let d = with_link(", open: [{ protocol: tcp, ports: 5432, from: group }]");
    let (_, mut dr, _) = applied(&d).await;
    let seen = dr.observe(&d).await.expect("observe");
    for (net, peer, owner) in [("app", "db", B), ("db", "app", A)] {
        let (own, group_ingress) = groups(&seen, net);
        // The default group's own rule (all traffic from itself) aside.
        let rules: Vec<(String, &str, &str)> = group_ingress
            .iter()
            .filter(|r| r.group != own)
            .map(|r| (r.opening.to_string(), r.group.as_str(), r.owner.as_str()))
            .collect();
        assert_eq!(
            rules,
            [("tcp/5432".to_string(), groups(&seen, peer).0, owner)],
            "{net}"
        );
    }
    assert_eq!(up(&mut dr, &d).await.expect("again").steps, 0);
    // Dropping the opening revokes both rules.
    let without = with_link("");
    assert_eq!(up(&mut dr, &without).await.expect("revoke").steps, 2);
    let seen = dr.observe(&without).await.expect("observe");
    for net in ["app", "db"] {
        let (own, group_ingress) = groups(&seen, net);
        assert!(
            group_ingress.iter().all(|r| r.group == own),
            "{net}: {group_ingress:?}"
        );
    }
}

/// A server that verifies SigV4 (`serve --verify-signatures`) with a key per account, against a
/// wall clock fixed at `at`; its base URL.
async fn verifying_server(at: std::time::SystemTime) -> String {
    use vpcpeer_server::auth::{Auth, Credentials};
    let creds = Credentials::from_json(&format!(
        r#"{{"aws": [
            {{"access_key_id": "AKIAONE", "secret_access_key": "one-secret", "account": "{A}"}},
            {{"access_key_id": "AKIATWO", "secret_access_key": "two-secret", "account": "{B}"}}
        ]}}"#
    ))
    .expect("credentials");
    let ms = at
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis();
    let wall = vpcpeer_model::Timestamp(i64::try_from(ms).expect("a time"));
    server_with_auth(Auth::new(Some(creds), None, move || wall)).await
}

/// Drivers signing with each account's own key, at the clock `now`.
fn signing_drivers(url: &str, d: &Desired, now: std::time::SystemTime) -> Drivers {
    drivers_with(
        d,
        move || now,
        |_, a| {
            let keys = if a.id == A {
                ("AKIAONE", "one-secret")
            } else {
                ("AKIATWO", "two-secret")
            };
            vpcpeer_drivers::Access {
                endpoint: url.to_string(),
                aws_keys: Some((keys.0.to_string(), keys.1.to_string())),
                token: None,
            }
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_are_made_at_the_clock_the_caller_passes_in() {
    // 2001-09-09T01:46:40Z: years away from the machine's clock, whatever it says.
    let at = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let url = verifying_server(at).await;
    let d = pair("");
    // Signed at the server's time (a minute off, within EC2's 15 minutes), as each account:
    // the whole cross-account, cross-region pair converges.
    let mut dr = signing_drivers(&url, &d, at + Duration::from_secs(60));
    let out = up(&mut dr, &d).await.expect("apply");
    assert_eq!(out.rounds, 2, "{out:?}");
    assert_eq!(up(&mut dr, &d).await.expect("again").steps, 0);
    // Signed at the machine's clock instead: EC2 refuses the request as expired, and the
    // driver gives its code and words, final. (Before the SDK's clock-skew correction was
    // turned off, the first half failed: the SDK moved the signing time toward the `Date` of
    // the server's answers, the machine's clock, after the first call.)
    let mut late = signing_drivers(&url, &d, std::time::SystemTime::now());
    let err = late.observe(&d).await.expect_err("refused");
    assert_eq!(
        (err.code.as_str(), err.status, err.retry),
        ("RequestExpired", Some(400), Retry::Never),
        "{err}"
    );
    assert_eq!(err.message, "Request has expired.");
}
